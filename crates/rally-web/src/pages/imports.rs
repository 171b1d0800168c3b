//! `/campaigns/{slug}/imports`: upload a CSV or spreadsheet, see how it was read (encoding, delimiter,
//! the first rows) and how its columns map to fields (guessed, editable, saved by name), check it (dry
//! run) or import it; follow the import's progress; read and download its per-row report; undo it.
//!
//! Imports run in the background: the page that follows one refreshes itself until it is done (no
//! script). Uploads are kept under the data directory's `imports/` folder with the reports.

use std::path::PathBuf;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::Role;
use rally_store::imports::{BatchStatus, ImportBatch, ImportKind};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use rally_files::import::fields::fields;
use rally_files::import::run::StoredOptions;
use rally_files::import::source::{column_letter, estimate_rows, parse_delimiter};
use rally_files::import::{DedupeKey, ImportSpec, Mapping, OnDuplicate, Prepared, SourceOptions};

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 8;
/// Report lines shown on an import's page (the download has them all).
const REPORT_LINES: usize = 200;

/// `bytes` random bytes as hex.
fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn imports_dir(app: &AppState) -> PathBuf {
    app.files.dir().join("imports")
}

/// An upload's file, from the name the form carries (random hex, so it cannot point elsewhere).
fn upload_path(app: &AppState, upload: &str) -> Result<PathBuf, PageError> {
    if upload.len() != 32 || !upload.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PageError::NotFound);
    }
    let path = imports_dir(app).join(format!("{upload}.upload"));
    if path.exists() {
        Ok(path)
    } else {
        Err(PageError::BadRequest("this upload is gone; upload the file again".into()))
    }
}

fn report_path(app: &AppState, batch: i64) -> PathBuf {
    imports_dir(app).join(format!("report-{batch}.csv"))
}

fn kind_label(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Partners => "partners",
        ImportKind::Contacts => "contacts",
        ImportKind::Events => "events",
        ImportKind::Activities => "activities",
    }
}

/// Whether the role may import this kind (the store checks again).
fn may_import(role: Option<Role>, kind: ImportKind) -> bool {
    match kind {
        ImportKind::Partners | ImportKind::Contacts => matches!(role, Some(Role::Owner | Role::Coordinator)),
        ImportKind::Events | ImportKind::Activities => {
            matches!(role, Some(Role::Owner | Role::Coordinator | Role::Member))
        }
    }
}

pub struct BatchRow {
    id: i64,
    kind: &'static str,
    file: String,
    status: &'static str,
    when: String,
    counts: String,
}

fn status_label(b: &ImportBatch) -> &'static str {
    match (b.status, b.finished_at.is_some()) {
        (BatchStatus::Running, _) => "running",
        (BatchStatus::DryRun, false) => "checking",
        (BatchStatus::DryRun, true) => "checked (dry run)",
        (BatchStatus::Applied, _) => "imported",
        (BatchStatus::RolledBack, _) => "not imported (rows had problems)",
        (BatchStatus::Undone, _) => "undone",
    }
}

fn counts_text(b: &ImportBatch) -> String {
    rally_files::import::summary(&b.counts, b.status == BatchStatus::DryRun)
}

fn batch_row(b: &ImportBatch) -> BatchRow {
    BatchRow {
        id: b.id,
        kind: kind_label(b.kind),
        file: b.file_name.clone(),
        status: status_label(b),
        when: b.created_at.format("%Y-%m-%d %H:%M").to_string(),
        counts: counts_text(b),
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    layout: Layout,
    slug: String,
    batches: Vec<BatchRow>,
    can_import: bool,
    problem: Option<String>,
}

/// `GET /campaigns/{slug}/imports`
pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    imports_page(&app, &me, &slug, None).await
}

async fn imports_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let layout = Layout::new(app, me, Some(slug), "partners", "Imports").await?;
    let batches = app.store.import_batches(me.actor(), found.campaign.id, 50).await?;
    render(&ImportsPage {
        layout,
        slug: slug.to_owned(),
        batches: batches.iter().map(batch_row).collect(),
        can_import: found.role.is_some_and(|r| r != Role::Viewer),
        problem,
    })
}

/// `POST /campaigns/{slug}/imports`: the upload. The file is stored as sent; reading it is the
/// preview's job, so a file that cannot be read is explained there.
pub async fn upload(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let upload = random_hex(16);
    let dir = imports_dir(&app);
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        tracing::error!(error = %e, "storing an import upload");
        return Err(PageError::Unavailable);
    }
    // The file streams to disk as it arrives; it is removed again unless the upload is accepted.
    let stored = rally_files::TempFile::new(dir.join(format!("{upload}.upload")));
    let mut kind = None;
    let mut file: Option<(String, u64)> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => return Err(PageError::FileTooLarge),
            Err(e) => return Err(PageError::BadRequest(e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match (name.as_str(), field.file_name().map(str::to_owned)) {
            ("file", Some(filename)) if file.is_none() => {
                let size = crate::kit::uploads::receive_into(&mut field, stored.path(), rally_files::MAX_UPLOAD_BYTES)
                    .await
                    .map_err(|p| match p {
                        crate::kit::uploads::UploadProblem::TooLarge => PageError::FileTooLarge,
                        crate::kit::uploads::UploadProblem::Unavailable => PageError::Unavailable,
                        p => PageError::BadRequest(p.message()),
                    })?;
                file = Some((filename, size));
            }
            ("kind", None) => {
                let text = field.text().await.map_err(|e| PageError::BadRequest(e.body_text()))?;
                kind = Some(text.chars().take(40).collect::<String>());
            }
            _ => {}
        }
    }
    let kind = match kind.as_deref().map(ImportKind::parse) {
        Some(Ok(k)) => k,
        _ => {
            return imports_page(
                &app,
                &me,
                &slug,
                Some("Choose what the file holds: partners, contacts, events or activities.".into()),
            )
            .await;
        }
    };
    if !may_import(found.role, kind) {
        return Err(PageError::Forbidden);
    }
    let Some((filename, _)) = file.filter(|(_, size)| *size > 0) else {
        return imports_page(&app, &me, &slug, Some("Choose a file to import (it was empty or missing).".into())).await;
    };
    stored.keep();
    let name: String = form_urlencoded::byte_serialize(safe_name(&filename).as_bytes()).collect();
    Ok(Redirect::to(&format!("/campaigns/{slug}/imports/new?upload={upload}&kind={}&name={name}", kind.as_str()))
        .into_response())
}

/// The last part of an uploaded file's name, without control characters, for display.
fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() { "upload".into() } else { clean }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    upload: String,
    kind: String,
    name: String,
    encoding: String,
    delimiter: String,
    mapping: String,
}

pub struct ColumnView {
    index: usize,
    letter: String,
    header: String,
    field: String,
}

pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    layout: Layout,
    slug: String,
    upload: String,
    kind: &'static str,
    name: String,
    encoding: String,
    delimiter: String,
    encodings: Vec<Choice>,
    delimiters: Vec<Choice>,
    columns: Vec<ColumnView>,
    field_choices: Vec<(String, String)>,
    required: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
    bad_rows: Vec<(u64, String)>,
    dedupe: Vec<Choice>,
    on_duplicate: Vec<Choice>,
    saved: Vec<Choice>,
    partial: bool,
    problem: Option<String>,
}

fn choices(options: &[(&str, &str)], selected: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice { value: (*v).to_owned(), label: (*l).to_owned(), selected: *v == selected })
        .collect()
}

/// What the preview and the run form send.
struct Settings {
    upload: String,
    kind: ImportKind,
    name: String,
    encoding: String,
    delimiter: String,
    /// Field key per column, when the user has set them.
    columns: Option<Vec<String>>,
    saved_mapping: String,
    dedupe: String,
    on_duplicate: String,
    partial: bool,
}

impl Settings {
    fn spec(
        &self,
        app: &AppState,
        saved: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<ImportSpec, String> {
        let path =
            upload_path(app, &self.upload).map_err(|_| "this upload is gone; upload the file again".to_owned())?;
        let delimiter = match self.delimiter.as_str() {
            "" | "auto" => None,
            d => Some(parse_delimiter(d)?),
        };
        let encoding = match self.encoding.as_str() {
            "" | "auto" => None,
            e => Some(e.to_owned()),
        };
        Ok(ImportSpec {
            kind: self.kind,
            path,
            file_name: self.name.clone(),
            source: SourceOptions { encoding, delimiter },
            saved_mapping: saved,
            overrides: Vec::new(),
            dedupe: match self.dedupe.as_str() {
                "" => None,
                d => Some(DedupeKey::parse(self.kind, d)?),
            },
            on_duplicate: match self.on_duplicate.as_str() {
                "" => OnDuplicate::default(),
                o => OnDuplicate::parse(o)?,
            },
            dry_run: true,
            partial: self.partial,
            upload: Some(self.upload.clone()),
            estimated_rows: None,
        })
    }
}

/// Opens the upload with the settings: the guess, then a saved mapping, then the user's columns.
async fn prepare(
    app: &AppState,
    me: &SignedIn,
    campaign: rally_domain::CampaignId,
    s: &Settings,
) -> Result<(ImportSpec, Prepared), String> {
    let saved = match s.saved_mapping.as_str() {
        "" => None,
        name => {
            let all = app.store.import_mappings(me.actor(), campaign, s.kind).await.map_err(|e| e.to_string())?;
            let json = all.into_iter().find(|(n, _)| n == name).map(|(_, j)| j).ok_or("that saved mapping is gone")?;
            Some(serde_json::from_str(&json).map_err(|e| e.to_string())?)
        }
    };
    let spec = s.spec(app, saved)?;
    let opened = {
        let spec = spec.clone();
        crate::blocking::run(move || Prepared::open(&spec)).await.map_err(|e| e.to_string())?
    };
    let mut prepared = opened.map_err(|e| e.to_string())?;
    if let Some(columns) = &s.columns {
        let mut mapping = Mapping { kind: s.kind, columns: vec![None; prepared.mapping.columns.len()] };
        for (i, key) in columns.iter().enumerate().take(mapping.columns.len()) {
            mapping.set(i, key)?;
        }
        prepared.mapping = mapping;
    }
    Ok((spec, prepared))
}

/// `GET /campaigns/{slug}/imports/new?upload=…&kind=…`: how the file reads, and the mapping.
pub async fn preview(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, PageError> {
    // Without a file uploaded (a bookmark, a link typed by hand) there is nothing to preview: the
    // Imports page asks what to import and for the file.
    let Ok(kind) = ImportKind::parse(&q.kind) else {
        return Ok(Redirect::to(&format!("/campaigns/{slug}/imports")).into_response());
    };
    if q.upload.is_empty() {
        return Ok(Redirect::to(&format!("/campaigns/{slug}/imports")).into_response());
    }
    let settings = Settings {
        upload: q.upload,
        kind,
        name: safe_name(&q.name),
        encoding: q.encoding,
        delimiter: q.delimiter,
        columns: None,
        saved_mapping: q.mapping,
        dedupe: String::new(),
        on_duplicate: String::new(),
        partial: false,
    };
    preview_page(&app, &me, &slug, &settings, None).await
}

/// The preview of an uploaded file: how it reads with the settings `s`, the first rows, and the
/// mapping of its columns to fields; `problem` is why the check or import just asked for was refused.
async fn preview_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    s: &Settings,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    upload_path(app, &s.upload)?;
    let layout = Layout::new(app, me, Some(slug), "partners", "Import: check the columns").await?;
    let saved_names = app.store.import_mappings(me.actor(), found.campaign.id, s.kind).await?;
    let mut page = PreviewPage {
        layout,
        slug: slug.to_owned(),
        upload: s.upload.clone(),
        kind: s.kind.as_str(),
        name: s.name.clone(),
        encoding: String::new(),
        delimiter: String::new(),
        encodings: encoding_choices(&s.encoding),
        delimiters: delimiter_choices(&s.delimiter),
        columns: Vec::new(),
        field_choices: std::iter::once((String::new(), "(ignore this column)".to_owned()))
            .chain(fields(s.kind).iter().map(|f| {
                (f.key.to_owned(), if f.required { format!("{} (required)", f.label) } else { f.label.to_owned() })
            }))
            .collect(),
        required: fields(s.kind).iter().filter(|f| f.required).map(|f| f.label.to_owned()).collect(),
        rows: Vec::new(),
        bad_rows: Vec::new(),
        dedupe: dedupe_choices(s),
        on_duplicate: duplicate_choices(s),
        saved: std::iter::once(("", "(guess from the headers)"))
            .chain(saved_names.iter().map(|(n, _)| (n.as_str(), n.as_str())))
            .map(|(v, l)| Choice { value: v.to_owned(), label: l.to_owned(), selected: v == s.saved_mapping })
            .collect(),
        partial: s.partial,
        problem,
    };
    match prepare(app, me, found.campaign.id, s).await {
        Err(e) => page.problem = Some(format!("The file cannot be read this way: {e}")),
        Ok((_, mut prepared)) => page.show_file(&mut prepared),
    }
    render(&page)
}

impl PreviewPage {
    /// What the file reads as: its encoding and delimiter, its columns with the fields they map to, the
    /// first rows (and those that cannot be read), and what the mapping lacks.
    fn show_file(&mut self, prepared: &mut Prepared) {
        let sniffed = prepared.table.sniffed().clone();
        self.encoding = sniffed.encoding.clone();
        self.delimiter = sniffed.delimiter_name().to_owned();
        self.columns = sniffed
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| ColumnView {
                index: i,
                letter: column_letter(i),
                header: h.clone(),
                field: prepared.mapping.field_of(i).map_or(String::new(), |f| f.key.to_owned()),
            })
            .collect();
        for r in prepared.preview(PREVIEW_ROWS) {
            match r {
                Ok(row) => {
                    let mut cells = row.cells;
                    cells.resize(sniffed.headers.len(), String::new());
                    self.rows.push((row.number, cells));
                }
                Err(bad) => self.bad_rows.push((bad.number, bad.reason)),
            }
        }
        if self.problem.is_none()
            && let Err(e) = prepared.check_mapping()
        {
            self.problem = Some(e.to_string());
        }
    }
}

/// The keys that tell a row already in the campaign, the chosen one (else the first) selected.
fn dedupe_choices(s: &Settings) -> Vec<Choice> {
    let dedupe_choices: Vec<(&str, &str)> =
        DedupeKey::choices(s.kind).iter().map(|k| (k.as_str(), k.label())).collect();
    let picked_dedupe = if s.dedupe.is_empty() { dedupe_choices[0].0.to_owned() } else { s.dedupe.clone() };
    choices(&dedupe_choices, &picked_dedupe)
}

/// What to do with a row the campaign already has (skip, update, or for partners add it anyway).
fn duplicate_choices(s: &Settings) -> Vec<Choice> {
    let mut duplicate_rules = vec![
        ("skip", "skip it (keep what the campaign has)"),
        ("update", "update the campaign's row with the file's values"),
    ];
    if s.kind == ImportKind::Partners {
        duplicate_rules.push(("create", "add it anyway"));
    }
    // An activity already in the catalogue is kept as the team left it.
    if s.kind == ImportKind::Activities {
        duplicate_rules.truncate(1);
    }
    choices(&duplicate_rules, if s.on_duplicate.is_empty() { "skip" } else { &s.on_duplicate })
}

fn encoding_choices(selected: &str) -> Vec<Choice> {
    choices(
        &[
            ("auto", "recognise it"),
            ("utf-8", "UTF-8"),
            ("utf-16le", "UTF-16 (little-endian)"),
            ("utf-16be", "UTF-16 (big-endian)"),
            ("windows-1250", "Windows-1250 (Central European)"),
            ("windows-1251", "Windows-1251 (Cyrillic)"),
            ("windows-1252", "Windows-1252 (Western)"),
            ("iso-8859-2", "ISO-8859-2"),
        ],
        if selected.is_empty() { "auto" } else { selected },
    )
}

fn delimiter_choices(selected: &str) -> Vec<Choice> {
    choices(
        &[
            ("auto", "recognise it"),
            ("comma", "comma"),
            ("semicolon", "semicolon"),
            ("tab", "tab"),
            ("|", "vertical bar"),
        ],
        if selected.is_empty() { "auto" } else { selected },
    )
}

fn settings_from(form: &FormData) -> Result<Settings, PageError> {
    let kind = ImportKind::parse(form.get("kind")).map_err(PageError::BadRequest)?;
    let columns = form.some("columns").map(|n| {
        let n: usize = n.parse().unwrap_or(0).min(500);
        (0..n).map(|i| form.get(&format!("col_{i}")).to_owned()).collect()
    });
    Ok(Settings {
        upload: form.get("upload").to_owned(),
        kind,
        name: safe_name(form.get("name")),
        encoding: form.get("encoding").to_owned(),
        delimiter: form.get("delimiter").to_owned(),
        columns,
        saved_mapping: form.get("saved_mapping").to_owned(),
        dedupe: form.get("dedupe").to_owned(),
        on_duplicate: form.get("on_duplicate").to_owned(),
        partial: form.get("partial") == "on",
    })
}

/// `POST /campaigns/{slug}/imports/run`: re-read with other settings, or check, or import.
pub async fn run(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let mut settings = settings_from(&form)?;
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    if !may_import(found.role, settings.kind) {
        return Err(PageError::Forbidden);
    }
    let action = form.get("action");
    if action == "reread" {
        // Other encoding, delimiter or saved mapping: the columns are guessed again.
        settings.columns = None;
        return preview_page(&app, &me, &slug, &settings, None).await;
    }
    let (mut spec, prepared) = match prepare(&app, &me, found.campaign.id, &settings).await {
        Ok(p) => p,
        Err(e) => return preview_page(&app, &me, &slug, &settings, Some(e)).await,
    };
    if let Err(e) = prepared.check_mapping() {
        return preview_page(&app, &me, &slug, &settings, Some(e.to_string())).await;
    }
    if let Some(name) = form.some("save_as") {
        let headers = prepared.table.sniffed().headers.clone();
        let json = serde_json::to_string(&prepared.mapping.to_saved(&headers)).map_err(|_| PageError::Internal)?;
        if let Err(e) = app.store.save_import_mapping(me.actor(), found.campaign.id, settings.kind, &name, &json).await
        {
            return preview_page(&app, &me, &slug, &settings, Some(e.to_string())).await;
        }
    }
    spec.dry_run = action != "import";
    let path = spec.path.clone();
    spec.estimated_rows = tokio::task::spawn_blocking(move || estimate_rows(&path).ok()).await.ok().flatten();
    let batch = start(app.clone(), me.actor(), found.campaign, spec, prepared).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}/imports/{batch}")).into_response())
}

/// Starts the import in the background and answers with its batch as soon as it exists.
async fn start(
    app: AppState,
    actor: rally_store::Actor,
    campaign: rally_domain::Campaign,
    spec: ImportSpec,
    prepared: Prepared,
) -> Result<i64, PageError> {
    let (tx, rx) = tokio::sync::oneshot::channel::<i64>();
    let tx = std::sync::Mutex::new(Some(tx));
    // The import outlives the request, with its origin (for the audit entry of its end).
    let origin = rally_store::Origin::current();
    tokio::spawn(rally_store::with_origin(origin, async move {
        let dir = imports_dir(&app);
        let progress = move |p: rally_files::import::Progress| {
            if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
                let _ = tx.send(p.batch);
            }
        };
        // The report goes to a temporary name, renamed when the batch's number is known.
        let temp = dir.join(format!("report-{}.partial", random_hex(8)));
        let file = match std::fs::File::create(&temp) {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(error = %e, "creating an import report");
                return;
            }
        };
        let mut out = std::io::BufWriter::new(file);
        let result =
            rally_files::import::run(&*app.store, actor, &campaign, &spec, prepared, &mut out, &progress).await;
        drop(out);
        match result {
            Ok(done) => {
                let _ = std::fs::rename(&temp, report_path(&app, done.batch.id));
                if done.batch.status == BatchStatus::Applied
                    && let Some(path) = spec.upload.as_deref().and_then(|u| upload_path(&app, u).ok())
                {
                    // Imported: the upload has served its purpose.
                    let _ = std::fs::remove_file(path);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "an import stopped");
                let _ = std::fs::remove_file(&temp);
            }
        }
    }));
    rx.await.map_err(|_| PageError::BadRequest("the import could not start; check the file and the mapping".into()))
}

#[derive(Template)]
#[template(path = "import_batch.html")]
struct BatchPage {
    layout: Layout,
    slug: String,
    batch: BatchRow,
    running: bool,
    progress: i64,
    estimate: i64,
    report: Vec<Vec<String>>,
    report_lines: usize,
    has_report: bool,
    can_undo: bool,
    can_apply: bool,
    options: Option<StoredOptions>,
    kind: &'static str,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BatchQuery {
    done: String,
}

/// The campaign and one of its imports (another campaign's import is not found).
async fn batch_of(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    id: i64,
) -> Result<(rally_store::CampaignWithRole, ImportBatch), PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let b = app.store.import_batch(me.actor(), id).await?;
    if b.campaign_id != found.campaign.id {
        return Err(PageError::NotFound);
    }
    Ok((found, b))
}

/// `GET /campaigns/{slug}/imports/{id}`: progress, counts, the report, undo.
pub async fn batch(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<BatchQuery>,
) -> Result<Response, PageError> {
    let (found, b) = batch_of(&app, &me, &slug, id).await?;
    let running = b.finished_at.is_none() && matches!(b.status, BatchStatus::Running | BatchStatus::DryRun);
    let options = StoredOptions::parse(&b.options);
    let report = report_path(&app, id);
    let (lines, has_report) = match std::fs::File::open(&report) {
        Ok(f) => {
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(f));
            let lines: Vec<Vec<String>> = reader
                .records()
                .take(REPORT_LINES)
                .filter_map(Result::ok)
                .map(|r| r.iter().map(str::to_owned).collect())
                .collect();
            (lines, true)
        }
        Err(_) => (Vec::new(), false),
    };
    let layout = Layout::new(&app, &me, Some(&slug), "partners", format!("Import #{id}")).await?;
    let upload_left = options.as_ref().and_then(|o| o.upload.as_deref()).is_some_and(|u| upload_path(&app, u).is_ok());
    let page = BatchPage {
        layout,
        slug,
        running,
        progress: b.counts.rows_read,
        estimate: options.as_ref().and_then(|o| o.estimated_rows).map_or(0, |n| i64::try_from(n).unwrap_or(0)),
        report_lines: lines.len(),
        report: lines,
        has_report,
        can_undo: b.status.undoable() && !running && may_import(found.role, b.kind),
        can_apply: b.status == BatchStatus::DryRun && !running && upload_left && may_import(found.role, b.kind),
        kind: b.kind.as_str(),
        notice: match q.done.as_str() {
            "undone" => {
                Some("Undone: the rows it created are gone and the rows it changed have their previous values.".into())
            }
            _ => None,
        },
        batch: batch_row(&b),
        options,
    };
    render(&page)
}

/// `GET /campaigns/{slug}/imports/{id}/report.csv`
pub async fn report(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, i64)>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (found, _) = batch_of(&app, &me, &slug, id).await?;
    let mut bytes = tokio::fs::read(report_path(&app, id)).await.map_err(|_| PageError::NotFound)?;
    // The report repeats the file's rows: a download of personal data.
    let detail = serde_json::json!({ "import": id });
    app.store.record_download(me.actor(), found.campaign.id, "import report", detail).await?;
    if super::export::for_excel(&query) {
        bytes.splice(0..0, rally_domain::export::EXCEL_BOM.bytes());
    }
    Ok(crate::kit::attachment(bytes, "text/csv; charset=utf-8", &format!("{slug}-import-{id}-report.csv")))
}

/// `POST /campaigns/{slug}/imports/{id}/undo`
pub async fn undo(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    batch_of(&app, &me, &slug, id).await?;
    match app.store.undo_import(me.actor(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/imports/{id}?done=undone")).into_response()),
        Err(rally_store::StoreError::Conflict { message, .. }) => imports_page(&app, &me, &slug, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

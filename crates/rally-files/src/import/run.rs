//! Running an import: rows are read, checked and matched a chunk at a time, each chunk written in one
//! transaction as part of the import's batch, and every problem goes to the report as it is found,
//! so a million rows take the memory of a chunk (plus eight bytes per row to catch duplicates within
//! the file).
//!
//! All or nothing by default: when any row has a problem, the rows already written are taken back
//! (the batch is rolled back) unless the user accepted a partial import. A dry run writes each chunk in
//! a transaction that is rolled back, so it reports exactly what a real run would do.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;

use rally_domain::event::DateWindow;
use rally_domain::export::{Cell, Format};
use rally_domain::{Campaign, ContactDraft, ContactFields, Email, PartnerId};
use rally_store::imports::{
    BatchStatus, ImportBatch, ImportCounts, ImportKind, ImportRecord, ImportRow, KnownContact, PartnerKeyRow,
    PartnerRef, RowAction, RowOutcome,
};
use rally_store::{Actor, Store, StoreError};
use serde::Serialize;

use super::fields::{DedupeKey, Mapping, OnDuplicate};
use super::rows::{Parsed, Problem, RowChecker, RowContact};
use super::source::{BadRow, Row, Sniffed, SourceError, SourceOptions, Table};

/// The metric of imported rows (`/metrics`), labelled `kind` and `outcome`, one of [`IMPORT_OUTCOMES`].
pub const IMPORT_ROWS_METRIC: &str = "rally_import_rows_total";
/// What became of a row, as the import's counts say: created, updated, skipped, failed (a problem).
pub const IMPORT_OUTCOMES: [&str; 4] = ["created", "updated", "skipped", "failed"];

/// Rows per transaction: large enough that SQLite's commits and checkpoints are few, small enough that
/// other writers wait a fraction of a second.
pub const CHUNK: usize = 20_000;

/// Everything an import is told.
#[derive(Debug, Clone)]
pub struct ImportSpec {
    pub kind: ImportKind,
    pub path: PathBuf,
    /// The name the user knows the file by (shown in the list of imports).
    pub file_name: String,
    pub source: SourceOptions,
    /// A saved mapping (header → field key) applied over the guess.
    pub saved_mapping: Option<BTreeMap<String, String>>,
    /// `COLUMN=field` corrections, applied last.
    pub overrides: Vec<String>,
    pub dedupe: Option<DedupeKey>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    /// Import the good rows even when others have problems.
    pub partial: bool,
    /// The web app's name for the uploaded file (kept with the batch so a dry run can be applied).
    pub upload: Option<String>,
    /// About how many rows the file has, for progress bars.
    pub estimated_rows: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("{0}")]
    Mapping(String),
    #[error("required columns are missing: {}; map them with COLUMN=field", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the report cannot be written: {0}")]
    Report(#[from] std::io::Error),
}

/// The open file and the mapping it will be read with: what the preview shows.
#[derive(Debug)]
pub struct Prepared {
    pub table: Table,
    pub mapping: Mapping,
    pub dedupe: DedupeKey,
}

impl Prepared {
    /// Opens the file and settles the mapping: the guess, then the saved mapping, then corrections.
    pub fn open(spec: &ImportSpec) -> Result<Prepared, ImportError> {
        let table = Table::open(&spec.path, &spec.source)?;
        let headers = table.sniffed().headers.clone();
        let mut mapping = Mapping::guess(spec.kind, &headers);
        if let Some(saved) = &spec.saved_mapping {
            mapping = mapping.with_saved(&headers, saved);
        }
        for o in &spec.overrides {
            mapping.apply_override(&headers, o).map_err(ImportError::Mapping)?;
        }
        let dedupe = spec.dedupe.unwrap_or(DedupeKey::choices(spec.kind)[0]);
        if !DedupeKey::choices(spec.kind).contains(&dedupe) {
            return Err(ImportError::Mapping(format!(
                "{} cannot be matched on {}",
                spec.kind.as_str(),
                dedupe.label()
            )));
        }
        Ok(Prepared { table, mapping, dedupe })
    }

    /// Refuses a mapping that leaves required fields (or the dedupe key's fields) without a column.
    pub fn check_mapping(&self) -> Result<(), ImportError> {
        let mut missing: Vec<String> =
            self.mapping.missing().iter().map(|f| format!("{} ({})", f.label, f.key)).collect();
        if self.dedupe == DedupeKey::Domain && self.mapping.column_of("website").is_none() {
            missing.push("Website (website), to match partners by domain".into());
        }
        if self.mapping.kind == ImportKind::Partners
            && self.dedupe == DedupeKey::Email
            && self.mapping.column_of("email").is_none()
        {
            missing.push("Contact e-mail (email), to match partners by their contact's e-mail".into());
        }
        if missing.is_empty() { Ok(()) } else { Err(ImportError::MissingColumns(missing)) }
    }

    /// The first rows, for the preview.
    pub fn preview(&mut self, rows: usize) -> Vec<Result<Row, BadRow>> {
        std::iter::from_fn(|| self.table.next_row()).take(rows).collect()
    }
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    pub batch: i64,
    pub rows: i64,
    pub counts: ImportCounts,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Finished {
    pub batch: ImportBatch,
    /// Partners created for contacts whose partner was not in the campaign (contact imports).
    pub new_partners: u64,
    /// Lines in the report.
    pub problems: u64,
}

/// The options stored with the batch: what the import was told, enough to run it again.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredOptions {
    pub encoding: String,
    /// comma, semicolon, tab, vertical bar; `None` for workbooks.
    pub delimiter: Option<String>,
    /// Each column in order: its header and the field it fed (`""`: ignored).
    pub columns: Vec<(String, String)>,
    pub dedupe: String,
    pub on_duplicate: String,
    pub partial: bool,
    #[serde(default)]
    pub upload: Option<String>,
    #[serde(default)]
    pub estimated_rows: Option<u64>,
}

impl StoredOptions {
    pub fn parse(json: &str) -> Option<StoredOptions> {
        serde_json::from_str(json).ok()
    }
}

/// What an import's counts say, for people: "7 rows: 4 created, 0 updated, 0 skipped, 3 with problems",
/// and the contacts a partner list carried ("; 3 contacts added, 1 updated").
pub fn summary(c: &ImportCounts, dry_run: bool) -> String {
    let verb = if dry_run { "would be created" } else { "created" };
    let mut s = format!(
        "{} rows: {} {verb}, {} updated, {} skipped, {} with problems",
        c.rows_read, c.created, c.updated, c.skipped, c.failed
    );
    if c.contacts_created > 0 || c.contacts_updated > 0 {
        let added = if dry_run { "would be added" } else { "added" };
        s.push_str(&format!("; {} contacts {added}, {} updated", c.contacts_created, c.contacts_updated));
    }
    s
}

/// The report's columns.
pub const REPORT_COLUMNS: [&str; 5] = ["row", "column", "outcome", "reason", "existing_id"];

/// The per-row report. A chunk's lines are written together, in row order: some are found while the
/// rows are read, others when they are matched and written.
struct Report<'w> {
    out: &'w mut (dyn Write + Send),
    lines: u64,
    chunk: Vec<(u64, String)>,
}

impl Report<'_> {
    fn line(
        &mut self,
        row: u64,
        column: &str,
        outcome: &str,
        reason: &str,
        existing: Option<i64>,
    ) -> std::io::Result<()> {
        let cells = [
            Cell::Int(i64::try_from(row).unwrap_or(i64::MAX)),
            Cell::Text(column.to_owned()),
            Cell::Text(outcome.to_owned()),
            Cell::Text(reason.to_owned()),
            existing.map_or(Cell::Empty, Cell::Int),
        ];
        self.chunk.push((row, Format::Csv.row(&REPORT_COLUMNS, &cells)));
        self.lines += 1;
        Ok(())
    }

    /// Writes the chunk's lines, ordered by row (a row's own lines keep their order).
    fn end_chunk(&mut self) -> std::io::Result<()> {
        self.chunk.sort_by_key(|(row, _)| *row);
        for (_, line) in self.chunk.drain(..) {
            self.out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

fn hash_of(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// `www.Example.org/about` → `example.org`.
pub fn domain_of(website: &str) -> Option<String> {
    let v = website.trim().to_lowercase();
    let host = v.split("://").last()?.split(['/', '?', '#']).next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_owned())
}

/// A partner's name and town as rows are matched on them (see `rally_domain::partner::name_key`);
/// no town when the file has no city column or the cell is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NameTown {
    name: String,
    town: Option<String>,
}

fn town_key(region: Option<&str>) -> Option<String> {
    region.map(rally_domain::text::fold).filter(|t| !t.is_empty())
}

/// The ways a partner row can name a partner the campaign (or the file) has already.
#[derive(Debug, Clone, Default)]
struct PartnerKeys {
    /// The row's contact's e-mail.
    email: Option<String>,
    domain: Option<String>,
    name: Option<NameTown>,
}

/// What a row is matched on: one key for contacts and events, several for partners.
#[derive(Debug, Clone)]
enum RowKey {
    One(String),
    Partner(PartnerKeys),
}

/// A checked row waiting for its chunk.
struct Pending {
    number: u64,
    parsed: Parsed,
    key: RowKey,
}

/// What the reading thread hands over, a chunk at a time, in file order. (A chunk is one vector: the
/// variants' sizes do not matter.)
#[allow(clippy::large_enum_variant)]
enum Item {
    Problems(u64, Vec<Problem>),
    Row(Pending),
}

/// How rows are keyed to find duplicates.
#[derive(Debug, Clone, Copy)]
struct Keying {
    dedupe: DedupeKey,
    /// Whether the file has a city column: names match with their town only then.
    with_city: bool,
}

impl Keying {
    fn of(self, parsed: &Parsed) -> RowKey {
        match parsed {
            Parsed::Partner { fields: f, contact, .. } => RowKey::Partner(PartnerKeys {
                email: match contact {
                    RowContact::Some { fields, .. } => Some(fields.email.as_str().to_owned()),
                    _ => None,
                },
                domain: f.website.as_deref().and_then(domain_of),
                name: Some(NameTown {
                    name: rally_domain::partner::name_key(&f.name),
                    town: if self.with_city { town_key(f.region.as_deref()) } else { None },
                }),
            }),
            Parsed::Contact { fields, .. } => RowKey::One(fields.email.as_str().to_owned()),
            Parsed::Event(f) => RowKey::One(f.dedupe_key()),
            Parsed::Activity { fields, .. } => RowKey::One(activity_key(fields)),
        }
    }

    /// The keys a partner is looked up by, in order.
    fn order(self) -> &'static [DedupeKey] {
        match self.dedupe {
            DedupeKey::Auto => &[DedupeKey::Email, DedupeKey::Domain, DedupeKey::NameCity],
            DedupeKey::Email => &[DedupeKey::Email],
            DedupeKey::Domain => &[DedupeKey::Domain],
            DedupeKey::NameCity => &[DedupeKey::NameCity],
            DedupeKey::Registration | DedupeKey::LinkOrTitle => &[],
        }
    }
}

/// What makes two rows of an activity file the same activity: the link, else the title (folded) in its
/// language. (The store also finds one the catalogue has by the title when the link differs.)
fn activity_key(f: &rally_domain::activity::ActivityFields) -> String {
    match (&f.url, f.texts.first()) {
        (Some(url), _) => format!("url {}", url.trim_end_matches('/').to_lowercase()),
        (None, Some(t)) => format!("title {} {}", t.language, rally_domain::text::fold(&t.title)),
        (None, None) => String::new(),
    }
}

/// The partner among `candidates` (same name) a row with `town` means: the one in the same town, else
/// one without a town; a row without a town means the first of that name.
fn pick_by_town<T: Copy>(candidates: &[(T, Option<String>)], town: Option<&str>) -> Option<T> {
    match town {
        Some(t) => candidates
            .iter()
            .find(|(_, c)| c.as_deref() == Some(t))
            .or_else(|| candidates.iter().find(|(_, c)| c.is_none()))
            .map(|(v, _)| *v),
        None => candidates.first().map(|(v, _)| *v),
    }
}

/// A partner a partner import's row matched.
#[derive(Debug, Clone, Copy)]
enum Found {
    /// One an earlier row of the file names (index into [`Partners::file`]).
    File(usize),
    Campaign(PartnerId),
}

/// A partner import's row as its partner's and its contact's halves see it: what it names, and what
/// that matched.
struct PartnerLine<'k> {
    number: u64,
    keys: PartnerKeys,
    /// The partner the row means, and the key that found it.
    found: Option<(Found, DedupeKey)>,
    /// Whether the row has a contact to import.
    has_contact: bool,
    /// The campaign's contact with the row's contact's address.
    existing_contact: Option<&'k KnownContact>,
}

/// A partner an earlier row of the file names: its row, and its id (once written, for one it adds).
#[derive(Debug, Clone, Copy)]
struct FilePartner {
    row: u64,
    id: Option<PartnerId>,
}

/// The partners a partner import matches its rows against: the campaign's, and the ones the file adds.
/// A partner list is kept whole in memory (a few dozen bytes a partner).
#[derive(Debug, Default)]
struct Partners {
    by_domain: HashMap<String, PartnerId>,
    by_name: HashMap<String, Vec<(PartnerId, Option<String>)>>,
    file: Vec<FilePartner>,
    file_by_row: HashMap<u64, usize>,
    file_by_domain: HashMap<String, usize>,
    file_by_name: HashMap<String, Vec<(usize, Option<String>)>>,
    /// Contact e-mails the file had, with their row.
    file_emails: HashMap<String, u64>,
}

impl Partners {
    fn know(&mut self, p: &PartnerKeyRow) {
        if let Some(d) = p.website.as_deref().and_then(domain_of) {
            self.by_domain.entry(d).or_insert(p.id);
        }
        let name = rally_domain::partner::name_key(&p.name);
        self.by_name.entry(name).or_default().push((p.id, town_key(p.region.as_deref())));
    }

    /// The partner a row means, and the key that found it.
    fn find(
        &self,
        keys: &PartnerKeys,
        order: &[DedupeKey],
        contact: Option<&KnownContact>,
    ) -> Option<(Found, DedupeKey)> {
        for &key in order {
            let found =
                match key {
                    DedupeKey::Email => contact.map(|c| Found::Campaign(c.partner_id)),
                    DedupeKey::Domain => keys.domain.as_ref().and_then(|d| {
                        self.file_by_domain
                            .get(d)
                            .map(|i| Found::File(*i))
                            .or_else(|| self.by_domain.get(d).map(|id| Found::Campaign(*id)))
                    }),
                    DedupeKey::NameCity => keys.name.as_ref().and_then(|n| {
                        let town = n.town.as_deref();
                        self.file_by_name.get(&n.name).and_then(|c| pick_by_town(c, town)).map(Found::File).or_else(
                            || self.by_name.get(&n.name).and_then(|c| pick_by_town(c, town)).map(Found::Campaign),
                        )
                    }),
                    DedupeKey::Auto | DedupeKey::Registration | DedupeKey::LinkOrTitle => None,
                };
            if let Some(found) = found {
                return Some((found, key));
            }
        }
        None
    }

    /// Remembers the partner row `number` names — one it adds (`None`) or one of the campaign — so
    /// later rows of the file that name it again are seen as repeats of that row.
    fn add(&mut self, number: u64, keys: &PartnerKeys, id: Option<PartnerId>) {
        let index = self.file.len();
        self.file.push(FilePartner { row: number, id });
        self.file_by_row.insert(number, index);
        if let Some(d) = &keys.domain {
            self.file_by_domain.entry(d.clone()).or_insert(index);
        }
        if let Some(n) = &keys.name {
            self.file_by_name.entry(n.name.clone()).or_default().push((index, n.town.clone()));
        }
    }

    /// The partner an earlier row of the file adds, for a contact of a later row: its id once written,
    /// else that row (in the same chunk, the store resolves it).
    fn reference(&self, index: usize) -> PartnerRef {
        let p = self.file[index];
        p.id.map_or(PartnerRef::Row(p.row), PartnerRef::Existing)
    }
}

struct Engine<'a> {
    store: &'a dyn Store,
    actor: Actor,
    spec: &'a ImportSpec,
    keying: Keying,
    batch: ImportBatch,
    /// The header of the column a match key is read from.
    headers: HashMap<&'static str, String>,
    /// Partner imports: the partners rows are matched against.
    partners: Partners,
    /// Contact imports: the campaign's partners by name key.
    partners_by_name: HashMap<String, PartnerId>,
    /// New partners a dry run would create (nothing is kept between its chunks).
    planned_partners: HashSet<String>,
    /// Contact and event imports: keys (hashed) of rows checked but not written — a dry run's, or an
    /// all-or-nothing import's after its first problem — with their line. Rows that were written are
    /// found in the database instead, so such an import keeps nothing per row between chunks.
    unwritten: HashMap<u64, u64>,
    counts: ImportCounts,
    new_partners: u64,
    /// Whether chunks are still written: a real run stops writing at the first problem unless partial
    /// imports are accepted.
    writing: bool,
}

/// Runs an import to the end. `report` receives the CSV report (problems and skipped rows);
/// `progress` is called when the batch exists and after every chunk. The file is read and checked on
/// a thread of its own, a chunk ahead of the writes.
pub async fn run(
    store: &dyn Store,
    actor: Actor,
    campaign: &Campaign,
    spec: &ImportSpec,
    prepared: Prepared,
    report: &mut (dyn Write + Send),
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Finished, ImportError> {
    prepared.check_mapping()?;
    let Prepared { table, mapping, dedupe } = prepared;
    let sniffed = table.sniffed().clone();
    let options = stored_options(spec, &sniffed, &mapping, dedupe)?;
    let batch = store.start_import(actor, campaign.id, spec.kind, &spec.file_name, &options, spec.dry_run).await?;
    progress(Progress { batch: batch.id, rows: 0, counts: ImportCounts::default() });
    let keying = Keying { dedupe, with_city: mapping.column_of("region").is_some() };
    let mut engine = Engine {
        store,
        actor,
        spec,
        keying,
        headers: key_headers(&mapping, &sniffed.headers),
        batch,
        partners: Partners::default(),
        partners_by_name: HashMap::new(),
        planned_partners: HashSet::new(),
        unwritten: HashMap::new(),
        counts: ImportCounts::default(),
        new_partners: 0,
        writing: true,
    };
    // Activities: a provider named like one of the campaign's partners is that partner.
    if matches!(spec.kind, ImportKind::Partners | ImportKind::Contacts | ImportKind::Activities) {
        for p in store.import_directory(actor, campaign.id).await? {
            engine.know_partner(&p);
        }
    }
    let mut report = Report { out: report, lines: 0, chunk: Vec::new() };
    report.out.write_all(Format::Csv.header(&REPORT_COLUMNS).as_bytes())?;

    let window = DateWindow { from: campaign.fields.promotion_starts_on(), to: campaign.fields.follow_up_ends_on() };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Item>>(1);
    let headers = sniffed.headers;
    let reader = tokio::task::spawn_blocking(move || read_chunks(table, &mapping, &headers, window, keying, tx));
    let result = engine.write_chunks(&mut rx, &mut report, progress).await;
    // Ends the reading thread too when the writes stopped early.
    drop(rx);
    let _ = reader.await;
    report.end_chunk()?;
    report.out.flush()?;
    let status = match (&result, spec.dry_run) {
        (_, true) => BatchStatus::DryRun,
        (Err(_), false) => BatchStatus::RolledBack,
        (Ok(()), false) if engine.counts.failed > 0 && !spec.partial => BatchStatus::RolledBack,
        (Ok(()), false) => BatchStatus::Applied,
    };
    let mut counts = engine.counts;
    if status == BatchStatus::RolledBack {
        // Nothing stays: the counts say what would have happened.
        counts.created = 0;
        counts.updated = 0;
        counts.contacts_created = 0;
        counts.contacts_updated = 0;
    }
    let batch = store.finish_import(engine.batch.id, status, counts).await?;
    if status != BatchStatus::DryRun {
        count_rows(spec.kind, &counts);
    }
    result?;
    Ok(Finished { batch, new_partners: engine.new_partners, problems: report.lines })
}

/// Adds a finished import's rows to [`IMPORT_ROWS_METRIC`]: a rolled-back import counts only its
/// skipped and failed rows, as nothing of it stays.
fn count_rows(kind: ImportKind, counts: &ImportCounts) {
    let rows = [counts.created, counts.updated, counts.skipped, counts.failed];
    for (outcome, n) in IMPORT_OUTCOMES.into_iter().zip(rows) {
        metrics::counter!(IMPORT_ROWS_METRIC, "kind" => kind.as_str(), "outcome" => outcome)
            .increment(u64::try_from(n).unwrap_or(0));
    }
}

/// What the batch keeps of how it was told to run (see [`StoredOptions`]), as JSON.
fn stored_options(
    spec: &ImportSpec,
    sniffed: &Sniffed,
    mapping: &Mapping,
    dedupe: DedupeKey,
) -> Result<String, ImportError> {
    let options = StoredOptions {
        encoding: sniffed.encoding.clone(),
        delimiter: sniffed.delimiter.map(|_| sniffed.delimiter_name().to_owned()),
        columns: sniffed
            .headers
            .iter()
            .enumerate()
            .map(|(c, h)| (h.clone(), mapping.field_of(c).map_or(String::new(), |f| f.key.to_owned())))
            .collect(),
        dedupe: dedupe.as_str().to_owned(),
        on_duplicate: spec.on_duplicate.as_str().to_owned(),
        partial: spec.partial,
        upload: spec.upload.clone(),
        estimated_rows: spec.estimated_rows,
    };
    serde_json::to_string(&options).map_err(|e| ImportError::Mapping(e.to_string()))
}

/// The header of the column each match key is read from (empty when no column feeds it), for the
/// report's lines about repeats.
fn key_headers(mapping: &Mapping, headers: &[String]) -> HashMap<&'static str, String> {
    let header = |key: &str| mapping.column_of(key).and_then(|c| headers.get(c).cloned()).unwrap_or_default();
    [
        ("email", header("email")),
        ("website", header("website")),
        ("name", header("name")),
        ("organizer_email", header("organizer_email")),
        ("url", header("url")),
        ("title", header("title")),
    ]
    .into_iter()
    .collect()
}

/// The reading thread's work: reads and checks every row, keys the good ones, and hands them over
/// `CHUNK` at a time. Returns early when the writing side stopped.
fn read_chunks(
    mut table: Table,
    mapping: &Mapping,
    headers: &[String],
    window: DateWindow,
    keying: Keying,
    tx: tokio::sync::mpsc::Sender<Vec<Item>>,
) {
    let checker = RowChecker::new(mapping, headers, Some(window));
    let mut items = Vec::with_capacity(CHUNK);
    while let Some(next) = table.next_row() {
        items.push(match next {
            Err(bad) => Item::Problems(bad.number, vec![Problem { column: String::new(), reason: bad.reason }]),
            Ok(row) => match checker.check(&row) {
                Err(problems) => Item::Problems(row.number, problems),
                Ok(parsed) => {
                    let key = keying.of(&parsed);
                    Item::Row(Pending { number: row.number, parsed, key })
                }
            },
        });
        if items.len() == CHUNK && tx.blocking_send(std::mem::replace(&mut items, Vec::with_capacity(CHUNK))).is_err() {
            // The writing side stopped.
            return;
        }
    }
    if !items.is_empty() {
        let _ = tx.blocking_send(items);
    }
}

impl Engine<'_> {
    /// Matches and writes the chunks the reading thread hands over, reporting progress after each;
    /// stops at the first error.
    async fn write_chunks(
        &mut self,
        rx: &mut tokio::sync::mpsc::Receiver<Vec<Item>>,
        report: &mut Report<'_>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<(), ImportError> {
        while let Some(items) = rx.recv().await {
            let (chunk, here) = self.take_items(items, report)?;
            let chunk = self.drop_erased(chunk, report).await?;
            let rows = if self.spec.kind == ImportKind::Partners {
                self.partner_rows(chunk, report).await?
            } else {
                self.other_rows(chunk, report).await?
            };
            if !self.write_rows(rows, report).await? {
                self.unwritten.extend(here);
            }
            report.end_chunk()?;
            self.store.import_progress(self.batch.id, self.counts).await?;
            progress(Progress { batch: self.batch.id, rows: self.counts.rows_read, counts: self.counts });
        }
        Ok(())
    }

    /// Leaves out what names a person who asked to be erased: a contact or event row is skipped, a
    /// partner row keeps its partner without the contact. (The outbox would refuse to write to them
    /// anyway; this keeps their name and address out of the campaign too.)
    async fn drop_erased(&mut self, chunk: Vec<Pending>, report: &mut Report<'_>) -> Result<Vec<Pending>, ImportError> {
        const REASON: &str = "this address asked to be erased";
        let emails: Vec<&str> = chunk
            .iter()
            .filter_map(|p| match &p.parsed {
                Parsed::Partner { contact: RowContact::Some { fields, .. }, .. } | Parsed::Contact { fields, .. } => {
                    Some(fields.email.as_str())
                }
                Parsed::Event(f) => Some(f.organizer_email.as_str()),
                Parsed::Partner { .. } | Parsed::Activity { .. } => None,
            })
            .collect();
        if emails.is_empty() {
            return Ok(chunk);
        }
        let erased: std::collections::HashSet<String> =
            self.store.erased_addresses(&emails).await?.into_iter().collect();
        if erased.is_empty() {
            return Ok(chunk);
        }
        let mut kept = Vec::with_capacity(chunk.len());
        for mut p in chunk {
            let skip = match &mut p.parsed {
                Parsed::Partner { contact, .. } => {
                    if let RowContact::Some { fields, .. } = contact
                        && erased.contains(fields.email.as_str())
                    {
                        *contact = RowContact::None;
                        if let RowKey::Partner(keys) = &mut p.key {
                            keys.email = None;
                        }
                        report.line(p.number, "", "note", &format!("the contact was not imported: {REASON}"), None)?;
                    }
                    false
                }
                Parsed::Contact { fields, .. } => erased.contains(fields.email.as_str()),
                Parsed::Event(f) => erased.contains(f.organizer_email.as_str()),
                Parsed::Activity { .. } => false,
            };
            if skip {
                self.counts.skipped += 1;
                report.line(p.number, "", "skipped", REASON, None)?;
            } else {
                kept.push(p);
            }
        }
        Ok(kept)
    }

    /// Counts a chunk's items and reports its problems and the rows that repeat a key of the file.
    /// Returns the rows left to match, and (contact and event imports) the chunk's keys, hashed, with
    /// their line.
    fn take_items(
        &mut self,
        items: Vec<Item>,
        report: &mut Report<'_>,
    ) -> std::io::Result<(Vec<Pending>, HashMap<u64, u64>)> {
        let mut chunk = Vec::with_capacity(items.len());
        let mut here: HashMap<u64, u64> = HashMap::with_capacity(items.len());
        for item in items {
            self.counts.rows_read += 1;
            match item {
                Item::Problems(row, problems) => self.fail(report, row, &problems)?,
                Item::Row(p) => {
                    if let RowKey::One(key) = &p.key {
                        let hash = hash_of(key);
                        if let Some(first) = here.get(&hash).or_else(|| self.unwritten.get(&hash)).copied() {
                            let column = self.key_column(self.keying.dedupe);
                            self.repeats(report, p.number, Some(first), self.keying.dedupe, column)?;
                            continue;
                        }
                        here.insert(hash, p.number);
                    }
                    chunk.push(p);
                }
            }
        }
        Ok((chunk, here))
    }

    fn know_partner(&mut self, p: &PartnerKeyRow) {
        self.partners_by_name.entry(rally_domain::partner::name_key(&p.name)).or_insert(p.id);
        self.partners.know(p);
    }

    /// The header of the column a match key reads.
    fn key_column(&self, key: DedupeKey) -> String {
        let field = match (self.spec.kind, key) {
            (ImportKind::Events, _) => "organizer_email",
            (ImportKind::Activities, _) if self.headers.get("url").is_some_and(|h| !h.is_empty()) => "url",
            (ImportKind::Activities, _) => "title",
            (_, DedupeKey::Email) => "email",
            (_, DedupeKey::Domain) => "website",
            (_, DedupeKey::NameCity | DedupeKey::Auto) => "name",
            (_, DedupeKey::Registration) => "organizer_email",
            (_, DedupeKey::LinkOrTitle) => "url",
        };
        self.headers.get(field).cloned().unwrap_or_default()
    }

    /// Counts, once, the partner a contact row would create in a run that does not write.
    fn plan_partner(&mut self, record: &ImportRecord) {
        if let ImportRecord::Contact { partner: PartnerRef::New { name, .. }, .. } = record
            && self.planned_partners.insert(rally_domain::partner::name_key(name))
        {
            self.new_partners += 1;
        }
    }

    fn fail(&mut self, report: &mut Report<'_>, row: u64, problems: &[Problem]) -> std::io::Result<()> {
        self.counts.failed += 1;
        if !self.spec.partial {
            self.writing = false;
        }
        for p in problems {
            report.line(row, &p.column, "error", &p.reason, None)?;
        }
        Ok(())
    }

    /// A row with the key of an earlier row of the file (its line, when it is known).
    fn repeats(
        &mut self,
        report: &mut Report<'_>,
        row: u64,
        first: Option<u64>,
        key: DedupeKey,
        column: String,
    ) -> std::io::Result<()> {
        let label = key.label();
        let reason = match first {
            Some(first) => format!("the same {label} as row {first}"),
            None => format!("the same {label} as an earlier row of this file"),
        };
        self.fail(report, row, &[Problem { column, reason }])
    }

    /// A partner import's chunk: each row matched with the campaign's partners and the file's earlier
    /// rows (contact e-mail, website domain, name + city, as the import is told), and its contact with
    /// the campaign's contacts. A row may become a partner and a contact record.
    async fn partner_rows(
        &mut self,
        chunk: Vec<Pending>,
        report: &mut Report<'_>,
    ) -> Result<Vec<ImportRow>, ImportError> {
        let known = self.known_contacts(&chunk).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        for p in chunk {
            self.partner_row(p, &known, &mut rows, report)?;
        }
        Ok(rows)
    }

    /// The campaign's contacts with the addresses of the chunk's contacts, by address.
    async fn known_contacts(&self, chunk: &[Pending]) -> Result<HashMap<String, KnownContact>, ImportError> {
        let emails: Vec<&Email> = chunk
            .iter()
            .filter_map(|p| match &p.parsed {
                Parsed::Partner { contact: RowContact::Some { fields, .. }, .. } => Some(&fields.email),
                _ => None,
            })
            .collect();
        if emails.is_empty() {
            return Ok(HashMap::new());
        }
        let found = self.store.existing_contacts(self.actor, self.batch.campaign_id, &emails).await?;
        Ok(found.into_iter().map(|c| (c.email.clone(), c)).collect())
    }

    /// One row of a partner import: its records go to `rows`, what becomes of it to the report.
    fn partner_row(
        &mut self,
        p: Pending,
        known: &HashMap<String, KnownContact>,
        rows: &mut Vec<ImportRow>,
        report: &mut Report<'_>,
    ) -> std::io::Result<()> {
        let (Parsed::Partner { fields, patch, contact }, RowKey::Partner(keys)) = (p.parsed, p.key) else {
            return Ok(());
        };
        let number = p.number;
        // A contact the file had already is the same row again.
        if let Some(email) = &keys.email
            && let Some(first) = self.partners.file_emails.get(email).copied()
        {
            let column = self.key_column(DedupeKey::Email);
            return self.repeats(report, number, Some(first), DedupeKey::Email, column);
        }
        let existing_contact = keys.email.as_ref().and_then(|e| known.get(e));
        let found = self.partners.find(&keys, self.keying.order(), existing_contact);
        let new_contact = match contact {
            RowContact::Some { fields, patch } => Some((fields, patch)),
            RowContact::None => None,
            RowContact::NoEmail => {
                let column = self.key_column(DedupeKey::Email);
                report.line(number, &column, "note", "the contact was not imported: it has no e-mail address", None)?;
                None
            }
        };
        let line = PartnerLine { number, keys, found, has_contact: new_contact.is_some(), existing_contact };
        let record = ImportRecord::Partner { fields, patch };
        let Some((partner, partner_skipped)) = self.partner_half(&line, record, rows, report)? else {
            return Ok(());
        };
        let Some(contact) = new_contact else { return Ok(()) };
        if let Some(row) = self.contact_half(&line, partner, contact, partner_skipped, report)? {
            rows.push(row);
        }
        Ok(())
    }

    /// The partner's half of a partner import's row: `record` (the row's partner) goes to `rows` when
    /// the partner is added or updated. Returns the partner the row's contact belongs to, and whether
    /// the partner was skipped (its existing contact then needs no second line); `None` when the whole
    /// row repeats an earlier one.
    fn partner_half(
        &mut self,
        line: &PartnerLine<'_>,
        record: ImportRecord,
        rows: &mut Vec<ImportRow>,
        report: &mut Report<'_>,
    ) -> std::io::Result<Option<(PartnerRef, bool)>> {
        let number = line.number;
        let on_duplicate = self.spec.on_duplicate;
        let half = match line.found {
            Some((Found::File(index), key)) => {
                let first = self.partners.file[index].row;
                if !line.has_contact {
                    let column = self.key_column(key);
                    self.repeats(report, number, Some(first), key, column)?;
                    return Ok(None);
                }
                self.counts.skipped += 1;
                let reason =
                    format!("the same partner as row {first} (same {}); its contact is added to it", key.label());
                report.line(number, "", "skipped", &reason, None)?;
                (self.partners.reference(index), true)
            }
            Some((Found::Campaign(id), key)) if on_duplicate != OnDuplicate::Create => match on_duplicate {
                OnDuplicate::Skip => {
                    self.partners.add(number, &line.keys, Some(id));
                    self.counts.skipped += 1;
                    let mut reason = format!("already in the campaign (same {})", key.label());
                    if line.has_contact && line.existing_contact.is_none() {
                        reason.push_str("; its contact is added to it");
                    }
                    report.line(number, "", "skipped", &reason, Some(id.0))?;
                    (PartnerRef::Existing(id), true)
                }
                // (Create is the arm below: the partner is added again, as the import is told.)
                OnDuplicate::Update | OnDuplicate::Create => {
                    self.partners.add(number, &line.keys, Some(id));
                    rows.push(ImportRow { number, action: RowAction::Update(id.0), record });
                    (PartnerRef::Existing(id), false)
                }
            },
            // New, or in the campaign and added again as the import is told.
            _ => {
                self.partners.add(number, &line.keys, None);
                rows.push(ImportRow { number, action: RowAction::Create, record });
                (PartnerRef::Row(number), false)
            }
        };
        Ok(Some(half))
    }

    /// The contact's half of a partner import's row: the row's contact, given to `partner` (what the
    /// partner's half settled), as the row to write, unless the campaign has the contact already and
    /// the import does not update it.
    fn contact_half(
        &mut self,
        line: &PartnerLine<'_>,
        partner: PartnerRef,
        (fields, patch): (ContactFields, ContactDraft),
        partner_skipped: bool,
        report: &mut Report<'_>,
    ) -> std::io::Result<Option<ImportRow>> {
        let number = line.number;
        self.partners.file_emails.insert(fields.email.as_str().to_owned(), number);
        let action = match (line.existing_contact, self.spec.on_duplicate) {
            (None, _) => RowAction::Create,
            (Some(c), OnDuplicate::Update) => {
                // An update changes the contact, not whose contact it is.
                let record = ImportRecord::Contact { partner: PartnerRef::Existing(c.partner_id), fields, patch };
                return Ok(Some(ImportRow { number, action: RowAction::Update(c.id), record }));
            }
            (Some(c), OnDuplicate::Skip) => {
                if !partner_skipped {
                    let column = self.key_column(DedupeKey::Email);
                    let reason = "the contact is in the campaign already; left as it is";
                    report.line(number, &column, "note", reason, Some(c.id))?;
                }
                return Ok(None);
            }
            (Some(c), OnDuplicate::Create) => {
                let column = self.key_column(DedupeKey::Email);
                let reason = "the contact is in the campaign already (an address is one contact); not added again";
                report.line(number, &column, "note", reason, Some(c.id))?;
                return Ok(None);
            }
        };
        Ok(Some(ImportRow { number, action, record: ImportRecord::Contact { partner, fields, patch } }))
    }

    /// A contact or event import's chunk: each row matched with the campaign (contacts by e-mail,
    /// events by registration), contacts given their partner.
    async fn other_rows(
        &mut self,
        chunk: Vec<Pending>,
        report: &mut Report<'_>,
    ) -> Result<Vec<ImportRow>, ImportError> {
        let campaign = self.batch.campaign_id;
        let existing: HashMap<String, KnownContact> = if self.spec.kind == ImportKind::Contacts {
            let emails: Vec<&Email> = chunk
                .iter()
                .filter_map(|p| match &p.parsed {
                    Parsed::Contact { fields, .. } => Some(&fields.email),
                    _ => None,
                })
                .collect();
            let found = self.store.existing_contacts(self.actor, campaign, &emails).await?;
            found.into_iter().map(|c| (c.email.clone(), c)).collect()
        } else {
            HashMap::new()
        };
        let mut rows: Vec<ImportRow> = Vec::with_capacity(chunk.len());
        for p in chunk {
            let found = match (&p.parsed, &p.key) {
                (Parsed::Contact { .. }, RowKey::One(k)) => {
                    existing.get(k).map(|c| (c.id, c.import_batch == Some(self.batch.id)))
                }
                _ => None,
            };
            let action = match (found, self.spec.on_duplicate) {
                (None, _) => RowAction::Create,
                (Some((_, true)), _) => {
                    // Written by this import from an earlier chunk: the file repeats itself.
                    let column = self.key_column(self.keying.dedupe);
                    self.repeats(report, p.number, None, self.keying.dedupe, column)?;
                    continue;
                }
                (Some((id, false)), OnDuplicate::Skip) => {
                    self.counts.skipped += 1;
                    let reason = format!("already in the campaign (same {})", self.keying.dedupe.label());
                    report.line(p.number, "", "skipped", &reason, Some(id))?;
                    continue;
                }
                (Some((id, false)), OnDuplicate::Update) => RowAction::Update(id),
                (Some(_), OnDuplicate::Create) => {
                    let reason =
                        format!("a contact with this {} exists; choose update or skip", self.keying.dedupe.label());
                    let column = self.key_column(self.keying.dedupe);
                    self.fail(report, p.number, &[Problem { column, reason }])?;
                    continue;
                }
            };
            let record = match p.parsed {
                Parsed::Partner { .. } => continue,
                Parsed::Event(f) => ImportRecord::Event(f),
                Parsed::Activity { mut fields, notes } => {
                    for n in &notes {
                        report.line(p.number, &n.column, "note", &n.reason, None)?;
                    }
                    if fields.provider.is_none() && !fields.provider_name.is_empty() {
                        let key = rally_domain::partner::name_key(&fields.provider_name);
                        fields.provider = self.partners_by_name.get(&key).copied();
                    }
                    ImportRecord::Activity(fields)
                }
                Parsed::Contact { partner, partner_category, fields, patch } => {
                    let partner = match self.partners_by_name.get(&rally_domain::partner::name_key(&partner)) {
                        Some(id) => PartnerRef::Existing(*id),
                        None => match partner_category {
                            Some(category) => PartnerRef::New { name: partner, category },
                            None => {
                                let reason = format!(
                                    "no partner called `{partner}` in this campaign; add it first, or map a partner \
                                     category column so new partners are created"
                                );
                                self.fail(report, p.number, &[Problem { column: String::new(), reason }])?;
                                continue;
                            }
                        },
                    };
                    ImportRecord::Contact { partner, fields, patch }
                }
            };
            rows.push(ImportRow { number: p.number, action, record });
        }
        Ok(rows)
    }

    /// Whether a contact record is one of the import's main rows (a contact import) or a partner row's
    /// contact (a partner import).
    fn beside_partner(&self, record: &ImportRecord) -> bool {
        self.spec.kind == ImportKind::Partners && matches!(record, ImportRecord::Contact { .. })
    }

    fn count_created(&mut self, record: &ImportRecord) {
        if self.beside_partner(record) {
            self.counts.contacts_created += 1;
        } else {
            self.counts.created += 1;
        }
    }

    /// Writes a chunk's records (or, in a dry run or after a problem in an all-or-nothing import,
    /// checks them without writing). Returns whether they were written.
    async fn write_rows(&mut self, mut rows: Vec<ImportRow>, report: &mut Report<'_>) -> Result<bool, ImportError> {
        let commit = self.writing && !self.spec.dry_run;
        if !commit {
            // New partners and contacts need nothing from the database to be counted; updates, events and
            // activities are run in a transaction that is rolled back, to say exactly what they would do.
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if row.action == RowAction::Create
                    && !matches!(row.record, ImportRecord::Event(_) | ImportRecord::Activity(_))
                {
                    self.count_created(&row.record);
                    self.plan_partner(&row.record);
                } else {
                    kept.push(row);
                }
            }
            rows = kept;
            if rows.is_empty() {
                return Ok(false);
            }
        }
        if rows.is_empty() {
            return Ok(commit);
        }
        let result = self.store.import_rows(self.actor, &self.batch, &rows, commit).await?;
        if commit {
            for (name, id) in &result.new_partners {
                self.partners_by_name.insert(rally_domain::partner::name_key(name), *id);
                self.new_partners += 1;
            }
        } else {
            for row in &rows {
                self.plan_partner(&row.record);
            }
        }
        for (row, outcome) in rows.iter().zip(&result.outcomes) {
            let beside = self.beside_partner(&row.record);
            match outcome {
                RowOutcome::Created(_) => self.count_created(&row.record),
                RowOutcome::Updated(_) if beside => self.counts.contacts_updated += 1,
                RowOutcome::Updated(_) => self.counts.updated += 1,
                RowOutcome::Unchanged(_) if beside => {}
                RowOutcome::Unchanged(id) => {
                    self.counts.skipped += 1;
                    report.line(row.number, "", "unchanged", "already has these values", Some(*id))?;
                }
                RowOutcome::Existing => {
                    self.counts.skipped += 1;
                    let reason = match row.record {
                        ImportRecord::Activity(_) => "the catalogue has this activity already (same link or title)",
                        _ => "this registration is already there",
                    };
                    report.line(row.number, "", "skipped", reason, None)?;
                }
            }
            if let (ImportRecord::Partner { .. }, RowOutcome::Created(Some(id))) = (&row.record, outcome)
                && commit
                && let Some(index) = self.partners.file_by_row.get(&row.number).copied()
            {
                self.partners.file[index].id = Some(PartnerId(*id));
            }
        }
        Ok(commit)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(domain_of("https://www.Infobip.com/careers?x=1").as_deref(), Some("infobip.com"));
        assert_eq!(domain_of("skole.hr").as_deref(), Some("skole.hr"));
        assert_eq!(domain_of("http://localhost:8080/").as_deref(), Some("localhost"));
    }
}

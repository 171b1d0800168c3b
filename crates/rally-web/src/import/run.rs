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
use rally_domain::{Campaign, Email, PartnerId};
use rally_store::imports::{
    BatchStatus, ImportBatch, ImportCounts, ImportKind, ImportRecord, ImportRow, PartnerKeyRow, PartnerRef, RowAction,
    RowOutcome,
};
use rally_store::{Actor, Store, StoreError};
use serde::Serialize;

use super::fields::{DedupeKey, Mapping, OnDuplicate};
use super::rows::{Parsed, Problem, RowChecker};
use super::source::{BadRow, Row, SourceError, SourceOptions, Table};

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
    /// Partners created for contacts whose partner was not in the campaign.
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

/// The report's columns.
pub const REPORT_COLUMNS: [&str; 5] = ["row", "column", "outcome", "reason", "existing_id"];

struct Report<'w> {
    out: &'w mut (dyn Write + Send),
    lines: u64,
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
        self.out.write_all(Format::Csv.row(&REPORT_COLUMNS, &cells).as_bytes())?;
        self.lines += 1;
        Ok(())
    }
}

fn hash_of(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// A partner's name as rows are matched on it: words, lower-case, diacritics kept.
fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// `www.Example.org/about` → `example.org`.
pub fn domain_of(website: &str) -> Option<String> {
    let v = website.trim().to_lowercase();
    let host = v.split("://").last()?.split(['/', '?', '#']).next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_owned())
}

fn partner_key(dedupe: DedupeKey, name: &str, website: Option<&str>, region: Option<&str>) -> Option<String> {
    match dedupe {
        DedupeKey::Domain => website.and_then(domain_of),
        DedupeKey::NameCity => Some(format!("{}\u{1f}{}", name_key(name), name_key(region.unwrap_or_default()))),
        DedupeKey::Email | DedupeKey::Registration => None,
    }
}

/// A checked row waiting for its chunk.
struct Pending {
    number: u64,
    parsed: Parsed,
    key: Option<String>,
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
    /// Whether the file has a city column: name + city matches on the name alone when it has not.
    with_city: bool,
}

impl Keying {
    fn partner(self, name: &str, website: Option<&str>, region: Option<&str>) -> Option<String> {
        partner_key(self.dedupe, name, website, region.filter(|_| self.with_city))
    }

    fn of(self, parsed: &Parsed) -> Option<String> {
        match parsed {
            Parsed::Partner { fields: f, .. } => self.partner(&f.name, f.website.as_deref(), f.region.as_deref()),
            Parsed::Contact { fields, .. } => Some(fields.email.as_str().to_owned()),
            Parsed::Event(f) => Some(f.dedupe_key()),
        }
    }
}

struct Engine<'a> {
    store: &'a dyn Store,
    actor: Actor,
    spec: &'a ImportSpec,
    keying: Keying,
    batch: ImportBatch,
    /// The header of the column duplicates are reported under.
    key_column: String,
    /// Partners of the campaign by dedupe key (partner imports) and by name (contact imports).
    partners_by_key: HashMap<String, PartnerId>,
    partners_by_name: HashMap<String, PartnerId>,
    /// Partners this import created: a later row that matches one repeats an earlier row of the file.
    created_partners: HashSet<PartnerId>,
    /// New partners a dry run would create (nothing is kept between its chunks).
    planned_partners: HashSet<String>,
    /// Keys (hashed) of rows checked but not written — a dry run's, or an all-or-nothing import's after
    /// its first problem — with their line. Rows that were written are found in the database instead,
    /// so an import that writes keeps nothing per row between chunks.
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
    let options = serde_json::to_string(&options).map_err(|e| ImportError::Mapping(e.to_string()))?;
    let batch = store.start_import(actor, campaign.id, spec.kind, &spec.file_name, &options, spec.dry_run).await?;
    progress(Progress { batch: batch.id, rows: 0, counts: ImportCounts::default() });
    let keying = Keying { dedupe, with_city: mapping.column_of("region").is_some() };
    let key_field = match dedupe {
        DedupeKey::Email => "email",
        DedupeKey::Domain => "website",
        DedupeKey::NameCity => "name",
        DedupeKey::Registration => "organizer_email",
    };
    let mut engine = Engine {
        store,
        actor,
        spec,
        keying,
        key_column: mapping.column_of(key_field).and_then(|c| sniffed.headers.get(c).cloned()).unwrap_or_default(),
        batch,
        partners_by_key: HashMap::new(),
        partners_by_name: HashMap::new(),
        created_partners: HashSet::new(),
        planned_partners: HashSet::new(),
        unwritten: HashMap::new(),
        counts: ImportCounts::default(),
        new_partners: 0,
        writing: true,
    };
    if matches!(spec.kind, ImportKind::Partners | ImportKind::Contacts) {
        for p in store.import_directory(actor, campaign.id).await? {
            engine.know_partner(&p);
        }
    }
    let mut report = Report { out: report, lines: 0 };
    report.out.write_all(Format::Csv.header(&REPORT_COLUMNS).as_bytes())?;

    let window = DateWindow { from: campaign.fields.promotion_starts_on(), to: campaign.fields.follow_up_ends_on() };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Item>>(1);
    let headers = sniffed.headers;
    let reader = tokio::task::spawn_blocking(move || {
        let mut table = table;
        let checker = RowChecker::new(&mapping, &headers, Some(window));
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
            if items.len() == CHUNK
                && tx.blocking_send(std::mem::replace(&mut items, Vec::with_capacity(CHUNK))).is_err()
            {
                // The writing side stopped.
                return;
            }
        }
        if !items.is_empty() {
            let _ = tx.blocking_send(items);
        }
    });
    let result = async {
        while let Some(items) = rx.recv().await {
            let mut chunk = Vec::with_capacity(items.len());
            // Keys of this chunk (hashed), with their line.
            let mut here: HashMap<u64, u64> = HashMap::with_capacity(items.len());
            for item in items {
                engine.counts.rows_read += 1;
                match item {
                    Item::Problems(row, problems) => engine.fail(&mut report, row, &problems)?,
                    Item::Row(p) => {
                        let hash = p.key.as_deref().map(hash_of);
                        let first = hash.and_then(|h| here.get(&h).or_else(|| engine.unwritten.get(&h)).copied());
                        if let Some(first) = first {
                            engine.repeats(&mut report, p.number, Some(first))?;
                            continue;
                        }
                        if let Some(h) = hash {
                            here.insert(h, p.number);
                        }
                        chunk.push(p);
                    }
                }
            }
            if !engine.write_chunk(chunk, &mut report).await? {
                engine.unwritten.extend(here);
            }
            store.import_progress(engine.batch.id, engine.counts).await?;
            progress(Progress { batch: engine.batch.id, rows: engine.counts.rows_read, counts: engine.counts });
        }
        Ok::<(), ImportError>(())
    }
    .await;
    // Ends the reading thread too when the writes stopped early.
    drop(rx);
    let _ = reader.await;
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
    }
    let batch = store.finish_import(engine.batch.id, status, counts).await?;
    result?;
    Ok(Finished { batch, new_partners: engine.new_partners, problems: report.lines })
}

impl Engine<'_> {
    fn know_partner(&mut self, p: &PartnerKeyRow) {
        self.partners_by_name.entry(name_key(&p.name)).or_insert(p.id);
        if let Some(k) = self.keying.partner(&p.name, p.website.as_deref(), p.region.as_deref()) {
            self.partners_by_key.entry(k).or_insert(p.id);
        }
    }

    /// Counts, once, the partner a contact row would create in a run that does not write.
    fn plan_partner(&mut self, record: &ImportRecord) {
        if let ImportRecord::Contact { partner: PartnerRef::New { name, .. }, .. } = record
            && self.planned_partners.insert(name_key(name))
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
    fn repeats(&mut self, report: &mut Report<'_>, row: u64, first: Option<u64>) -> std::io::Result<()> {
        let label = self.keying.dedupe.label();
        let reason = match first {
            Some(first) => format!("the same {label} as row {first}"),
            None => format!("the same {label} as an earlier row of this file"),
        };
        let column = self.key_column.clone();
        self.fail(report, row, &[Problem { column, reason }])
    }

    /// Matches a chunk with the campaign, then writes it (or, in a dry run or after a problem in an
    /// all-or-nothing import, checks it without writing). Returns whether it was written.
    async fn write_chunk(&mut self, chunk: Vec<Pending>, report: &mut Report<'_>) -> Result<bool, ImportError> {
        let campaign = self.batch.campaign_id;
        let commit = self.writing && !self.spec.dry_run;
        let existing: HashMap<String, (i64, Option<i64>)> = if self.spec.kind == ImportKind::Contacts {
            let emails: Vec<&Email> = chunk
                .iter()
                .filter_map(|p| match &p.parsed {
                    Parsed::Contact { fields, .. } => Some(&fields.email),
                    _ => None,
                })
                .collect();
            let found = self.store.existing_contacts(self.actor, campaign, &emails).await?;
            found.into_iter().map(|(email, id, batch)| (email, (id, batch))).collect()
        } else {
            HashMap::new()
        };
        let mut rows: Vec<ImportRow> = Vec::with_capacity(chunk.len());
        for p in chunk {
            let found = match (&p.parsed, &p.key) {
                (Parsed::Partner { .. }, Some(k)) => {
                    self.partners_by_key.get(k).map(|id| (id.0, self.created_partners.contains(id)))
                }
                (Parsed::Contact { .. }, Some(k)) => {
                    existing.get(k).map(|(id, batch)| (*id, *batch == Some(self.batch.id)))
                }
                _ => None,
            };
            let action = match (found, self.spec.on_duplicate) {
                (None, _) => RowAction::Create,
                (Some((_, true)), _) => {
                    // Written by this import from an earlier chunk: the file repeats itself.
                    self.repeats(report, p.number, None)?;
                    continue;
                }
                (Some((id, false)), OnDuplicate::Skip) => {
                    self.counts.skipped += 1;
                    let reason = format!("already in the campaign (same {})", self.keying.dedupe.label());
                    report.line(p.number, "", "skipped", &reason, Some(id))?;
                    continue;
                }
                (Some((id, false)), OnDuplicate::Update) => RowAction::Update(id),
                (Some(_), OnDuplicate::Create) if self.spec.kind == ImportKind::Partners => RowAction::Create,
                (Some(_), OnDuplicate::Create) => {
                    let reason =
                        format!("a contact with this {} exists; choose update or skip", self.keying.dedupe.label());
                    let column = self.key_column.clone();
                    self.fail(report, p.number, &[Problem { column, reason }])?;
                    continue;
                }
            };
            let record = match p.parsed {
                Parsed::Partner { fields, patch } => ImportRecord::Partner { fields, patch },
                Parsed::Event(f) => ImportRecord::Event(f),
                Parsed::Contact { partner, partner_category, fields, patch } => {
                    let partner = match self.partners_by_name.get(&name_key(&partner)) {
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
        if !commit {
            // New partners and contacts need nothing from the database to be counted; updates and events
            // are run in a transaction that is rolled back, to say exactly what they would do.
            rows.retain(|row| {
                let known = row.action == RowAction::Create && !matches!(row.record, ImportRecord::Event(_));
                if known {
                    self.counts.created += 1;
                    self.plan_partner(&row.record);
                }
                !known
            });
            if rows.is_empty() {
                return Ok(false);
            }
        }
        let result = self.store.import_rows(self.actor, &self.batch, &rows, commit).await?;
        if commit {
            for (name, id) in &result.new_partners {
                self.partners_by_name.insert(name_key(name), *id);
                self.new_partners += 1;
            }
        } else {
            for row in &rows {
                self.plan_partner(&row.record);
            }
        }
        for (row, outcome) in rows.iter().zip(&result.outcomes) {
            match outcome {
                RowOutcome::Created(_) => self.counts.created += 1,
                RowOutcome::Updated(_) => self.counts.updated += 1,
                RowOutcome::Unchanged(id) => {
                    self.counts.skipped += 1;
                    report.line(row.number, "", "unchanged", "already has these values", Some(*id))?;
                }
                RowOutcome::Existing => {
                    self.counts.skipped += 1;
                    report.line(row.number, "", "skipped", "this registration is already there", None)?;
                }
            }
            if let (ImportRecord::Partner { fields: f, .. }, RowOutcome::Created(Some(id))) = (&row.record, outcome)
                && commit
            {
                let p = PartnerKeyRow {
                    id: PartnerId(*id),
                    name: f.name.clone(),
                    website: f.website.clone(),
                    country: f.country.clone(),
                    region: f.region.clone(),
                };
                self.know_partner(&p);
                self.created_partners.insert(PartnerId(*id));
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

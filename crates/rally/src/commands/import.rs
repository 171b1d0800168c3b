//! `rally import`: partners, contacts and events from CSV or spreadsheet files, with a progress bar, a
//! per-row report, saved mappings, and undo.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use rally_files::import::{DedupeKey, Finished, ImportSpec, OnDuplicate, Prepared, SourceOptions, source};
use rally_store::imports::{BatchStatus, ImportBatch, ImportKind};
use rally_store::{Actor, Store};

use super::{campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import partners (name and category required), matched on their contact's e-mail, then the website
    /// domain, then the name + city; the contact on each row too when contact columns are mapped.
    Partners(ImportArgs),
    /// Import contacts (e-mail, name and partner required; matched on e-mail). Partners not in the
    /// campaign are created when a partner category column is mapped.
    Contacts(ImportArgs),
    /// Import events (organizer, e-mail, country, first day and students required); they count at once.
    Events(ImportArgs),
    /// Import activities into the catalogue, listed (title and a link required): Rally's own columns,
    /// or code.org's tutorial list (`name, orgname, url, languages_supported, tags_…`) with its values
    /// mapped (docs/activities.md). One with the same link or title is left as it is.
    Activities(ImportArgs),
    /// Take an import back: rows it created are deleted, rows it updated get their previous values.
    Undo {
        /// The import's number (see `rally import list`).
        #[arg(value_name = "BATCH")]
        batch: i64,
    },
    /// The campaign's imports, newest first.
    List {
        #[arg(long)]
        campaign: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The campaign's slug.
    #[arg(long)]
    campaign: String,
    /// A CSV file (any of UTF-8, UTF-16, Windows-1250/1251…; comma, semicolon or tab) or a workbook
    /// (XLSX, XLS, ODS: the first sheet).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Check every row and write the report, but change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Map a column to a field: `--map "E-pošta=email"`, `--map C=partner`, `--map Notes=skip`.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// Start from a mapping saved earlier with --save-mapping.
    #[arg(long, value_name = "NAME")]
    mapping: Option<String>,
    /// Save the mapping used under this name, for the next file of the same shape.
    #[arg(long, value_name = "NAME")]
    save_mapping: Option<String>,
    /// What makes a row a duplicate: for partners auto (the default: contact e-mail, then domain, then
    /// name + city), email, domain or name-city; email for contacts; registration for events; link-title
    /// for activities.
    #[arg(long = "match", value_name = "KEY")]
    dedupe: Option<String>,
    /// What to do with a row the campaign already has: skip, update, or create (partners only).
    #[arg(long, default_value = "skip")]
    on_duplicate: String,
    /// Import the good rows even when some rows have problems (otherwise nothing is imported).
    #[arg(long)]
    partial: bool,
    /// The file's text encoding, when the guess is wrong (utf-8, utf-16, windows-1250, windows-1251…).
    #[arg(long)]
    encoding: Option<String>,
    /// The CSV delimiter, when the guess is wrong: comma, semicolon, tab or |.
    #[arg(long)]
    delimiter: Option<String>,
    /// Write the per-row report (row, column, outcome, reason) to this CSV file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

pub async fn run(command: ImportCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        ImportCommand::Partners(args) => import(ImportKind::Partners, args, settings).await,
        ImportCommand::Contacts(args) => import(ImportKind::Contacts, args, settings).await,
        ImportCommand::Events(args) => import(ImportKind::Events, args, settings).await,
        ImportCommand::Activities(args) => import(ImportKind::Activities, args, settings).await,
        ImportCommand::Undo { batch } => {
            let store = open(&settings.database_url()?).await?;
            let batch = store.undo_import(Actor::System, batch).await?;
            eprintln!(
                "import #{} undone: {} rows it created removed, {} rows it updated restored",
                batch.id, batch.counts.created, batch.counts.updated
            );
            Ok(())
        }
        ImportCommand::List { campaign } => {
            let store = open(&settings.database_url()?).await?;
            let id = campaign_id(&*store, &campaign).await?;
            for b in store.import_batches(Actor::System, id, 100).await? {
                println!("{}", batch_line(&b));
            }
            Ok(())
        }
    }
}

fn batch_line(b: &ImportBatch) -> String {
    format!(
        "#{:<5} {:<8} {:<11} {}  {}  {}",
        b.id,
        b.kind.as_str(),
        b.status.as_str(),
        rally_files::import::summary(&b.counts, false),
        b.created_at.format("%Y-%m-%d %H:%M"),
        b.file_name
    )
}

/// Reads the file, says how its columns map, imports it (or checks it, with --dry-run) and reports.
async fn import(kind: ImportKind, args: ImportArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open(&settings.database_url()?).await?;
    let id = campaign_id(&*store, &args.campaign).await?;
    let campaign = store.campaign(Actor::System, id).await?.campaign;
    let saved_mapping = match &args.mapping {
        None => None,
        Some(name) => Some(saved_mapping(&*store, id, kind, name).await?),
    };
    let spec = import_spec(kind, &args, saved_mapping)?;
    let prepared = Prepared::open(&spec).with_context(|| format!("reading {}", args.file.display()))?;
    let sniffed = prepared.table.sniffed().clone();
    show_columns(&args.file, &sniffed, &prepared.mapping);
    if let Some(name) = &args.save_mapping {
        let json = serde_json::to_string(&prepared.mapping.to_saved(&sniffed.headers))?;
        store.save_import_mapping(Actor::System, id, kind, name, &json).await?;
        eprintln!("mapping saved as `{name}`");
    }
    let finished = run_with_progress(&*store, &campaign, &spec, prepared, args.report.as_deref()).await?;
    show_outcome(&finished, spec.partial)
}

/// The mapping saved under `name` with --save-mapping.
async fn saved_mapping(
    store: &dyn Store,
    id: rally_domain::CampaignId,
    kind: ImportKind,
    name: &str,
) -> anyhow::Result<BTreeMap<String, String>> {
    let all = store.import_mappings(Actor::System, id, kind).await?;
    let (_, json) = all
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| anyhow!("--mapping: no saved {} mapping `{name}`", kind.as_str()))?;
    serde_json::from_str(json).context("reading the saved mapping")
}

/// What to import and how, from the command line's flags.
fn import_spec(
    kind: ImportKind,
    args: &ImportArgs,
    saved_mapping: Option<BTreeMap<String, String>>,
) -> anyhow::Result<ImportSpec> {
    Ok(ImportSpec {
        kind,
        path: args.file.clone(),
        file_name: args.file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        source: SourceOptions {
            encoding: args.encoding.clone(),
            delimiter: args
                .delimiter
                .as_deref()
                .map(source::parse_delimiter)
                .transpose()
                .map_err(|e| anyhow!("--delimiter: {e}"))?,
        },
        saved_mapping,
        overrides: args.map.clone(),
        dedupe: args
            .dedupe
            .as_deref()
            .map(|d| DedupeKey::parse(kind, d))
            .transpose()
            .map_err(|e| anyhow!("--match: {e}"))?,
        on_duplicate: OnDuplicate::parse(&args.on_duplicate).map_err(|e| anyhow!("--on-duplicate: {e}"))?,
        dry_run: args.dry_run,
        partial: args.partial,
        upload: None,
        estimated_rows: source::estimate_rows(&args.file).ok(),
    })
}

/// Says what the file was read as and which field each column goes to, before any row is written.
fn show_columns(file: &Path, sniffed: &source::Sniffed, mapping: &rally_files::import::Mapping) {
    eprintln!(
        "{}: {}, {}{} columns",
        file.display(),
        sniffed.encoding,
        sniffed.delimiter.map_or(String::new(), |_| format!("{}-separated, ", sniffed.delimiter_name())),
        sniffed.headers.len()
    );
    for (column, header) in sniffed.headers.iter().enumerate() {
        let field = mapping.field_of(column).map_or("(ignored)", |f| f.key);
        eprintln!("  {:>3} {header:<30} → {field}", source::column_letter(column));
    }
}

/// Runs the import behind a progress bar, writing the per-row report to `report_path` (or a temporary
/// file), and prints the report's first problems.
async fn run_with_progress(
    store: &dyn Store,
    campaign: &rally_domain::Campaign,
    spec: &ImportSpec,
    prepared: Prepared,
    report_path: Option<&Path>,
) -> anyhow::Result<Finished> {
    let bar = indicatif::ProgressBar::new(spec.estimated_rows.unwrap_or(0));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report_file = match report_path {
        Some(path) => std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?,
        None => tempfile::tempfile().context("creating the report")?,
    };
    let mut report = std::io::BufWriter::new(report_file);
    let progress_bar = bar.clone();
    let progress = move |p: rally_files::import::Progress| {
        progress_bar.set_position(u64::try_from(p.rows).unwrap_or(0));
        progress_bar.set_message(format!("{} problems", p.counts.failed));
    };
    let result = rally_files::import::run(store, Actor::System, campaign, spec, prepared, &mut report, &progress).await;
    bar.finish_and_clear();
    let finished = result?;
    let mut file = report.into_inner().map_err(|e| anyhow!("writing the report: {}", e.error()))?;
    show_report(&mut file, finished.problems, report_path)?;
    Ok(finished)
}

/// The closing line: what a dry run found, what the import did and how to undo it, or why nothing was
/// imported — an error then, so scripts see the exit code.
fn show_outcome(finished: &Finished, partial: bool) -> anyhow::Result<()> {
    let b = &finished.batch;
    let c = &b.counts;
    let partners =
        if finished.new_partners > 0 { format!(", {} new partners", finished.new_partners) } else { String::new() };
    match b.status {
        BatchStatus::DryRun => {
            eprintln!("dry run #{}: {}{partners}; nothing was changed", b.id, rally_files::import::summary(c, true));
            if c.failed > 0 && !partial {
                bail!("{} rows have problems; fix them, or import the others with --partial", c.failed);
            }
        }
        BatchStatus::RolledBack => {
            bail!(
                "nothing was imported: {} of {} rows have problems (see the report); fix them, or import the others with --partial",
                c.failed,
                c.rows_read
            );
        }
        _ => eprintln!(
            "import #{}: {}{partners}. Undo with `rally import undo {}`",
            b.id,
            rally_files::import::summary(c, false),
            b.id
        ),
    }
    Ok(())
}

/// Prints the first problems of the report; the whole report is in the file.
fn show_report(file: &mut std::fs::File, lines: u64, saved: Option<&Path>) -> anyhow::Result<()> {
    use std::io::Seek;
    if lines == 0 {
        return Ok(());
    }
    file.seek(std::io::SeekFrom::Start(0))?;
    let mut text = String::new();
    file.take(64 * 1024).read_to_string(&mut text).context("reading the report")?;
    let mut err = std::io::stderr().lock();
    for line in text.lines().take(21) {
        writeln!(err, "  {line}")?;
    }
    match saved {
        Some(path) => writeln!(err, "the report ({lines} lines) is in {}", path.display())?,
        None if lines > 20 => writeln!(err, "… {} more; write them all with --report FILE", lines - 20)?,
        None => {}
    }
    Ok(())
}

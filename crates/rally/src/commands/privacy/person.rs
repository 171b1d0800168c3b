//! `rally privacy export` and `rally privacy erase`: one person's data, found by address, as the
//! operator (who holds the database, and so acts everywhere) sees it. The store does the work in one
//! transaction and records it in the audit log.

use std::io::Write;

use anyhow::{Context, anyhow};
use clap::Args;
use rally_domain::Email;
use rally_store::Actor;

use super::super::{campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The person's e-mail address.
    #[arg(long)]
    email: String,
    /// Only what this campaign (its slug) holds; everything when not given.
    #[arg(long)]
    campaign: Option<String>,
    /// Write to FILE (created, never overwritten) instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    /// The person's e-mail address.
    #[arg(long)]
    email: String,
    /// Show what would be erased, table by table, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Why (recorded in the audit log), e.g. "request by e-mail of 3 March".
    #[arg(long, default_value = "erasure requested by the person")]
    reason: String,
}

fn address(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|e| anyhow!("--email: {e}"))
}

pub async fn export(args: ExportArgs, settings: &Settings) -> anyhow::Result<()> {
    let email = address(&args.email)?;
    let store = open(&settings.database_url()?).await?;
    let campaign = match &args.campaign {
        Some(slug) => Some(campaign_id(&*store, slug).await?),
        None => None,
    };
    let document = store.export_person(Actor::System, &email, campaign).await?;
    let text = serde_json::to_string_pretty(&document).context("writing the export")?;
    match &args.output {
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
            writeln!(file, "{text}").with_context(|| format!("writing {}", path.display()))?;
            let rows: usize = document["tables"]
                .as_object()
                .map_or(0, |t| t.values().filter_map(|v| v.as_array()).map(Vec::len).sum());
            eprintln!("wrote {rows} rows about {email} to {}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}").context("writing to standard output")?;
        }
    }
    Ok(())
}

pub async fn erase(args: EraseArgs, settings: &Settings) -> anyhow::Result<()> {
    let email = address(&args.email)?;
    let store = open(&settings.database_url()?).await?;
    let report = store.erase_person(Actor::System, &email, None, &args.reason, args.dry_run).await?;
    let verb = if report.dry_run { "would change" } else { "changed" };
    if report.tables.is_empty() {
        println!("Nothing about {email} is stored.");
    }
    for (table, rows) in &report.tables {
        println!("{table:<16} {rows:>6} rows {verb}");
    }
    if report.dry_run {
        println!("Dry run: nothing was changed. Run again without --dry-run to erase.");
    } else {
        println!(
            "Erased {email}: {} rows; the audit log now calls them \"{}\", and the address will not be written to again.",
            report.total(),
            report.pseudonym
        );
    }
    Ok(())
}

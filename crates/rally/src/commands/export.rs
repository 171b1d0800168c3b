//! `rally export`: streams a campaign's partners, contacts, stage history, events or activity catalogue
//! as CSV or JSON Lines to a file or standard output, through the same writer the web app's downloads
//! use.

use anyhow::{Context, anyhow};
use clap::Args;
use rally_store::Actor;

use super::{campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// partners, contacts, history, events or activities (the catalogue, in the import's columns)
    #[arg(value_name = "KIND")]
    kind: String,
    /// The campaign's slug.
    #[arg(long)]
    campaign: String,
    /// csv or jsonl
    #[arg(long, default_value = "csv")]
    format: String,
    /// Where to write (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// Start a CSV file with a byte-order mark, so Excel reads it as UTF-8 ("Škola", not "Å kola").
    #[arg(long)]
    bom: bool,
}

pub async fn run(args: ExportArgs, settings: &Settings) -> anyhow::Result<()> {
    let kind = rally_files::export::Kind::parse(&args.kind).map_err(|e| anyhow!("{e}"))?;
    let format = rally_domain::export::Format::parse(&args.format).map_err(|e| anyhow!("--format: {e}"))?;
    let store = open(&settings.database_url()?).await?;
    let id = campaign_id(&*store, &args.campaign).await?;
    let detail = serde_json::json!({ "format": format.extension() });
    store.record_download(Actor::System, id, kind.as_str(), detail).await?;
    let out: Box<dyn std::io::Write + Send> = match &args.output {
        Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout()),
    };
    let mut sink = FileSink { out: std::io::BufWriter::new(out), error: None };
    if args.bom && format == rally_domain::export::Format::Csv {
        rally_files::export::Sink::take(&mut sink, rally_domain::export::EXCEL_BOM.to_owned()).await;
    }
    let rows = rally_files::export::write_all(&*store, Actor::System, id, kind, format, &mut sink).await?;
    if let Some(e) = sink.error {
        return Err(anyhow::Error::new(e).context("writing the export"));
    }
    std::io::Write::flush(&mut sink.out).context("writing the export")?;
    eprintln!("{rows} {} written", kind.as_str());
    Ok(())
}

/// An export written to a file or standard output; the first write error stops it.
struct FileSink {
    out: std::io::BufWriter<Box<dyn std::io::Write + Send>>,
    error: Option<std::io::Error>,
}

impl rally_files::export::Sink for FileSink {
    async fn take(&mut self, chunk: String) -> bool {
        match std::io::Write::write_all(&mut self.out, chunk.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

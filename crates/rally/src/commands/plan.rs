//! `rally plan`: writes the campaign's action plan (gathered by `rally_files::plan_doc`) as a Word
//! document or Markdown, to a file or standard output.

use anyhow::{Context, anyhow, bail};
use clap::Args;
use rally_store::Actor;

use super::{campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The campaign's slug.
    #[arg(long)]
    campaign: String,
    /// docx or md
    #[arg(long, default_value = "docx")]
    format: String,
    /// Where to write (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

pub async fn run(args: PlanArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open(&settings.database_url()?).await?;
    let id = campaign_id(&*store, &args.campaign).await?;
    let doc = rally_files::plan_doc::gather(&*store, Actor::System, id, chrono::Utc::now().date_naive()).await?;
    let bytes = match args.format.as_str() {
        "docx" => doc.docx().map_err(|e| anyhow!("writing the document: {e}"))?,
        "md" | "markdown" => doc.markdown().into_bytes(),
        other => bail!("--format: `{other}`; expected docx or md"),
    };
    match args.output {
        Some(path) => std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes).context("writing the document")?,
    }
    Ok(())
}

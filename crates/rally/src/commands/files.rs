//! `rally files gc`: deletes uploaded files nothing uses any more, and import uploads left behind.
//! Stored files are shared by content hash, so only the database can tell whether one is in use.

use std::time::{Duration, SystemTime};

use anyhow::Context;
use clap::Subcommand;

use super::{open, open_files};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Delete stored files that no asset or logo uses any more (deleted assets, replaced logos, uploads
    /// refused after they were stored). Files younger than an hour are kept: an upload may be on its way.
    Gc {
        /// Only say what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(command: FilesCommand, settings: &Settings) -> anyhow::Result<()> {
    let FilesCommand::Gc { dry_run } = command;
    let store = open(&settings.database_url()?).await?;
    let files = open_files(&settings.data_dir())?;
    let cutoff = SystemTime::now() - Duration::from_secs(3600);
    let (mut kept, mut deleted, mut bytes) = (0, 0, 0u64);
    for (sha256, size, modified) in files.list()? {
        if modified > cutoff || store.file_in_use(&sha256).await? {
            kept += 1;
            continue;
        }
        if !dry_run {
            files.remove(&sha256)?;
        }
        deleted += 1;
        bytes += size;
    }
    let verb = if dry_run { "would delete" } else { "deleted" };
    println!("{verb} {deleted} unused files ({} KB), kept {kept}", bytes.div_ceil(1024));
    // Uploads checked but never imported, and reports of imports that stopped, after a week.
    let week = SystemTime::now() - Duration::from_secs(7 * 24 * 3600);
    let stale = files.stale_imports(week)?;
    if !dry_run {
        for path in &stale {
            std::fs::remove_file(path).with_context(|| format!("deleting {}", path.display()))?;
        }
    }
    println!("{verb} {} import uploads older than a week", stale.len());
    Ok(())
}

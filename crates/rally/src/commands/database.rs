//! The database as a whole: `rally migrate` brings its schema up to date, `rally backup` copies it
//! while Rally runs, `rally restore` puts a copy back. SQLite is copied by the store itself;
//! PostgreSQL by its own `pg_dump` and `pg_restore`, which know every detail of its format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::Args;

use super::open;
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Replace a database that holds data.
    #[arg(long)]
    force: bool,
}

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database_url()?;
    let store = open(&url).await?;
    println!("{} database at {} is up to date", store.backend(), rally_store::redact(&url));
    Ok(())
}

pub async fn backup(args: BackupArgs, settings: &Settings) -> anyhow::Result<()> {
    let BackupArgs { file } = args;
    let url = settings.database_url()?;
    if file.exists() {
        bail!("{} exists already; choose a new file", file.display());
    }
    if is_postgres(&url) {
        pg_tool(
            "pg_dump",
            &["--format=custom", "--no-owner", "--file", &path_arg(&file)?, &format!("--dbname={url}")],
        )?;
    } else {
        open(&url).await?.snapshot(&file).await?;
    }
    eprintln!("backed up {} to {}", rally_store::redact(&url), file.display());
    Ok(())
}

/// Restores a backup of either kind, told apart by its first bytes, into a database of the same kind.
pub async fn restore(args: RestoreArgs, settings: &Settings) -> anyhow::Result<()> {
    let RestoreArgs { file, force } = args;
    let url = settings.database_url()?;
    let mut magic = [0u8; 16];
    std::io::Read::read_exact(
        &mut std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?,
        &mut magic,
    )
    .with_context(|| format!("{} is not a Rally backup", file.display()))?;
    if magic.starts_with(b"SQLite format 3\0") {
        restore_sqlite(&url, &file, force).await?;
    } else if magic.starts_with(b"PGDMP") {
        restore_postgres(&url, &file, force).await?;
    } else {
        bail!("{} is neither a SQLite nor a pg_dump backup", file.display());
    }
    let counts = open(&url).await?.table_counts().await?;
    let rows: i64 = counts.values().sum();
    eprintln!("restored {} rows in {} tables into {}", rows, counts.len(), rally_store::redact(&url));
    Ok(())
}

async fn restore_sqlite(url: &str, file: &Path, force: bool) -> anyhow::Result<()> {
    if is_postgres(url) {
        bail!("{} is a SQLite backup; restore it into a SQLite database", file.display());
    }
    let target = PathBuf::from(url.trim_start_matches("sqlite://").trim_start_matches("sqlite:"));
    if target.exists() && !force && holds_data(&open(url).await?.table_counts().await?) {
        bail!("{} holds data; give --force to replace it", target.display());
    }
    // Copied beside the target and renamed over it: the database is whole or untouched.
    let part = target.with_extension("restoring");
    std::fs::copy(file, &part).with_context(|| format!("copying to {}", part.display()))?;
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", target.display()));
    }
    std::fs::rename(&part, &target).with_context(|| format!("replacing {}", target.display()))?;
    Ok(())
}

async fn restore_postgres(url: &str, file: &Path, force: bool) -> anyhow::Result<()> {
    if !is_postgres(url) {
        bail!("{} is a PostgreSQL backup (pg_dump); restore it into a PostgreSQL database", file.display());
    }
    if !force && holds_data(&open(url).await?.table_counts().await?) {
        bail!("the database holds data; give --force to replace it");
    }
    pg_tool(
        "pg_restore",
        &["--clean", "--if-exists", "--no-owner", "--single-transaction", &format!("--dbname={url}"), &path_arg(file)?],
    )
}

/// Whether a database has anything to lose: the migrations table and the generated link secret are
/// Rally's bookkeeping, not the team's data.
fn holds_data(counts: &BTreeMap<String, i64>) -> bool {
    counts.iter().any(|(t, n)| *n > 0 && t != "rally_migrations" && t != "secrets")
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn path_arg(path: &Path) -> anyhow::Result<String> {
    path.to_str().map(str::to_owned).ok_or_else(|| anyhow!("{} is not a UTF-8 path", path.display()))
}

/// Runs one of PostgreSQL's client tools (`pg_dump`, `pg_restore`) from the PATH; the database URL
/// (with its password) goes in its arguments and is never printed.
fn pg_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .with_context(|| format!("running {tool} (install PostgreSQL's client tools)"))?;
    if !out.status.success() {
        bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

//! `rally config`: `check` prints the settings Rally would use, each with where it came from, and
//! checks them as `rally serve` and `rally worker` would (so it can run before a service starts);
//! `example` prints a commented settings file, or with `--markdown` the reference that
//! docs/configuration.md holds.

use std::fmt::Write;

use clap::Subcommand;

use super::worker::MailSettings;
use crate::config::{Invalid, Settings, docs, keys};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting with its value (secrets redacted) and where it came from — a flag, an
    /// environment variable, the file's line, or the default — and check them as `rally serve` and
    /// `rally worker` would; exit with status 78 when they cannot be used. Takes every setting's flag.
    Check,
    /// Print a settings file with every key, its default and what it is for.
    Example {
        /// Print the reference of docs/configuration.md (Markdown) instead.
        #[arg(long)]
        markdown: bool,
    },
}

pub fn run(command: ConfigCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Example { markdown: false } => print(&docs::example()),
        ConfigCommand::Example { markdown: true } => print(&docs::markdown()),
        ConfigCommand::Check => {
            print(&listing(settings))?;
            for warning in settings.warnings() {
                eprintln!("warning: {warning}");
            }
            let problems = problems(settings);
            if !problems.is_empty() {
                return Err(Invalid(problems).into());
            }
            print("\n# The settings are valid.\n")
        }
    }
}

/// Writes to standard output; a reader that stopped early (`| head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    match std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(anyhow::Error::new(e).context("writing")),
        _ => Ok(()),
    }
}

/// Every key, section by section, with its value and origin aligned in two columns.
fn listing(settings: &Settings) -> String {
    let mut out = match settings.file() {
        Some(path) => format!("# Settings file: {}\n", path.display()),
        None => format!("# No settings file: {} is not in the working directory.\n", crate::config::DEFAULT_FILE),
    };
    for section in keys::sections() {
        let _ = writeln!(out, "\n[{section}]");
        let lines: Vec<(String, String)> = keys::KEYS
            .iter()
            .filter(|k| k.section() == section)
            .map(|k| (format!("{} = {}", k.name(), settings.shown(k)), settings.source(k)))
            .collect();
        // Aligned, except the few long lines of keys that are not set.
        let width = lines.iter().map(|(line, _)| line.chars().count()).filter(|n| *n <= 48).max().unwrap_or(0);
        for (line, source) in lines {
            let _ = writeln!(out, "{line:<width$}  # {source}");
        }
    }
    out
}

/// What `rally serve` and `rally worker` would refuse: values that parse but mean nothing (a public URL
/// with a path, a proxy that is no address), secrets that cannot be read, keys that do not load.
fn problems(settings: &Settings) -> Vec<String> {
    let mut problems = Vec::new();
    let mut note = |result: anyhow::Result<()>| {
        if let Err(e) = result {
            problems.push(format!("{e:#}"));
        }
    };
    note(settings.database_url().map(drop));
    note(settings.listen().and_then(|addr| settings.public_url(addr)).map(drop));
    note(settings.trusted_proxies().map(drop));
    note(settings.metrics_token().map(drop));
    note(MailSettings::from_settings(settings).and_then(|mail| mail.check_url()));
    problems
}

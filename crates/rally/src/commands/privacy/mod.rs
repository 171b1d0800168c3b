//! `rally privacy`: what Rally holds about one person, exported or erased (`person.rs`). Each
//! subcommand is a variant of [`PrivacyCommand`] with its arguments in its own module.

use clap::Subcommand;

use crate::config::Settings;

pub mod person;
pub mod purge;

#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Write everything Rally holds about one address as one JSON document (every table that names the
    /// person; no password or token hashes), to standard output or --output FILE.
    Export(person::ExportArgs),
    /// Erase one address everywhere: contacts and user account anonymized, events kept for the counter
    /// without their organizer, e-mails' contents purged, the audit log pseudonymized; the address is
    /// kept only as a keyed hash so it is never written to again. --dry-run shows what would change.
    Erase(person::EraseArgs),
    /// Apply the retention rules now (the server does it daily): unconfirmed registrations, names for
    /// certificates, e-mails' contents, contacts of lost partners, archived campaigns, sign-in records and
    /// the audit log, each after its period. --dry-run counts what would go.
    Purge(purge::PurgeArgs),
}

pub async fn run(command: PrivacyCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        PrivacyCommand::Export(args) => person::export(args, settings).await,
        PrivacyCommand::Erase(args) => person::erase(args, settings).await,
        PrivacyCommand::Purge(args) => purge::purge(args, settings).await,
    }
}

//! `rally`: the one binary. The list of subcommands, the settings read before anything else, the
//! log, the async runtime, and the exit code (78, as sysexits' EX_CONFIG, when the settings cannot be
//! used); each subcommand's arguments and wiring of the library crates live in a module of
//! `commands/`, the settings' flags come from `config/keys.rs`.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod commands;
mod config;
mod demo;

/// The exit code of settings that cannot be used, so a service manager can tell it from a crash.
const EX_CONFIG: u8 = 78;

#[derive(Debug, Parser)]
#[command(name = "rally", version, about = "Run Hour of Code style outreach campaigns: partners, pipeline, team.")]
struct Cli {
    /// Settings file; `rally.toml` in the working directory is read when it exists.
    #[arg(long, global = true, value_name = "FILE", env = "RALLY_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

// The doc comments are the subcommands' help texts; each one's arguments are in its module under commands/.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API.
    Serve,
    /// Deliver the outbox (alone; `rally serve` delivers in-process too). Several workers may share a
    /// PostgreSQL database.
    Worker(commands::worker::WorkerArgs),
    /// The communication plan.
    Comms {
        #[command(subcommand)]
        command: commands::comms::CommsCommand,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: commands::user::UserCommand,
    },
    /// Manage campaigns.
    Campaign {
        #[command(subcommand)]
        command: commands::campaign::CampaignCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: commands::token::TokenCommand,
    },
    /// Uploaded files in the data directory.
    Files {
        #[command(subcommand)]
        command: commands::files::FilesCommand,
    },
    /// Read partners, contacts or events from a CSV or spreadsheet file (dry runs, mappings, undo).
    Import {
        #[command(subcommand)]
        command: commands::import::ImportCommand,
    },
    /// Write a campaign's partners, contacts, stage history or events as CSV (formula cells neutralized) or
    /// JSON Lines, to a file or standard output.
    Export(commands::export::ExportArgs),
    /// Read the audit log, newest first: who did what, when and from where (one campaign's, or all).
    Audit(commands::audit::AuditArgs),
    /// Write the campaign's action plan (strategy, message, goal, plan answers, partners by priority and
    /// tier, asks, communication calendar, team, milestones) as a Word document or Markdown.
    Plan(commands::plan::PlanArgs),
    /// One person's data: export it as JSON, or erase it everywhere.
    Privacy {
        #[command(subcommand)]
        command: commands::privacy::PrivacyCommand,
    },
    /// Write a consistent copy of the database to FILE while Rally keeps running: SQLite's `VACUUM INTO`,
    /// or `pg_dump --format=custom` for PostgreSQL (which must be on the PATH).
    Backup(commands::database::BackupArgs),
    /// Restore a backup made by `rally backup` into the database (stop Rally first). A database that
    /// holds data is only replaced with --force.
    Restore(commands::database::RestoreArgs),
    /// Print the API's OpenAPI 3.1 document (JSON), e.g. to generate a client.
    Openapi,
    /// Create a realistic demo campaign (once) and serve it; prints a login and an API token. Its
    /// database and files are its own (rally-demo.db, rally-demo-data) unless --database and
    /// --data-dir name others.
    Demo,
    /// Check the settings, or print an example settings file.
    Config {
        #[command(subcommand)]
        command: commands::config::ConfigCommand,
    },
}

fn main() -> ExitCode {
    let matches = commands::demo::own_help(config::flags::add(Cli::command())).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let settings = match config::Settings::load(cli.config.as_deref(), &config::flags::given(&matches)) {
        Ok(settings) => settings,
        Err(invalid) => return invalid_settings(&invalid),
    };
    // After the settings, which choose the log's format; their errors above went to stderr as text.
    init_logging(&settings);
    if !matches!(cli.command, Command::Config { .. }) {
        for warning in settings.warnings() {
            tracing::warn!(target: commands::LOG_TARGET, "{warning}");
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, &settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<config::Invalid>() {
            Some(invalid) => invalid_settings(invalid),
            None => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Says what is wrong with the settings, one problem a line.
fn invalid_settings(invalid: &config::Invalid) -> ExitCode {
    for problem in &invalid.0 {
        eprintln!("error: {problem}");
    }
    ExitCode::from(EX_CONFIG)
}

/// Log lines to stderr: readable text (coloured on a terminal) or JSON objects, one a line, filtered
/// by `RUST_LOG` if set, else by `[log] level`.
fn init_logging(settings: &config::Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(settings.log_level()));
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log_json() {
        log.json().flatten_event(true).init();
    } else {
        log.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        let command = super::commands::demo::own_help(super::config::flags::add(Cli::command()));
        command.debug_assert();
    }

    #[test]
    fn every_command_named_in_the_settings_exists() {
        let command = super::config::flags::add(Cli::command());
        for key in super::config::keys::KEYS {
            let Some(super::config::keys::Flag { on: super::config::keys::On::Commands(list), .. }) = &key.flag else {
                continue;
            };
            for path in list.iter().chain(&["config check"]) {
                let mut at = &command;
                for name in path.split(' ') {
                    at = at.find_subcommand(name).unwrap_or_else(|| panic!("{}: no command `{path}`", key.id));
                }
                assert!(at.get_arguments().any(|a| a.get_id() == key.id), "{}: `{path}` lacks the flag", key.id);
            }
        }
    }
}

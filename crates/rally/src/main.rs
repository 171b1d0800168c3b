//! `rally`: the one binary. The list of subcommands, the async runtime, and the exit code; each
//! subcommand's arguments and wiring of the library crates live in a module of `commands/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::DatabaseArg;

mod commands;
mod config;
mod demo;

#[derive(Debug, Parser)]
#[command(name = "rally", version, about = "Run Hour of Code style outreach campaigns: partners, pipeline, team.")]
struct Cli {
    /// Settings file; `rally.toml` in the working directory is read when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

// The doc comments are the subcommands' help texts; each one's arguments are in its module under commands/.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API.
    Serve(commands::serve::ServeArgs),
    /// Deliver the outbox (alone; `rally serve` delivers in-process too). Several workers may share a
    /// PostgreSQL database.
    Worker(commands::worker::WorkerArgs),
    /// The communication plan.
    Comms {
        #[command(subcommand)]
        command: commands::comms::CommsCommand,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
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
    /// Write the campaign's action plan (strategy, message, goal, plan answers, partners by priority and
    /// tier, asks, communication calendar, team, milestones) as a Word document or Markdown.
    Plan(commands::plan::PlanArgs),
    /// Write a consistent copy of the database to FILE while Rally keeps running: SQLite's `VACUUM INTO`,
    /// or `pg_dump --format=custom` for PostgreSQL (which must be on the PATH).
    Backup(commands::database::BackupArgs),
    /// Restore a backup made by `rally backup` into the database (stop Rally first). A database that
    /// holds data is only replaced with --force.
    Restore(commands::database::RestoreArgs),
    /// Print the API's OpenAPI 3.1 document (JSON), e.g. to generate a client.
    Openapi,
    /// Create a realistic demo campaign (once) and serve it; prints a login and an API token.
    Demo(commands::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = config::Settings::load(cli.config.as_deref())?;
    commands::run(cli.command, &settings).await
}

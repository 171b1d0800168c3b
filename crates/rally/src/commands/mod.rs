//! The subcommands: `run` hands each to its module, and the look-ups several of them share (opening
//! the store and the data directory, finding a user or a campaign) are here, so every command words
//! them the same way. The settings' flags (`--database`, `--public-url`, …) are not here: they are
//! made from `config/keys.rs` and read through `Settings`.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use rally_domain::Email;
use rally_store::Store;

use crate::Command;
use crate::config::Settings;

pub mod audit;
pub mod campaign;
pub mod comms;
pub mod config;
pub mod database;
pub mod demo;
pub mod export;
pub mod files;
pub mod import;
pub mod plan;
pub mod privacy;
pub mod serve;
pub mod token;
pub mod user;
pub mod worker;

/// The target of the commands' log lines: `rally`, as when they were all in main.rs, so the log reads
/// the same as before the commands had modules of their own.
pub const LOG_TARGET: &str = "rally";

/// Runs one subcommand with the settings its flags, the environment and `rally.toml` gave.
pub async fn run(command: Command, settings: &Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve::run(settings).await,
        Command::Worker(args) => worker::run(args, settings).await,
        Command::Comms { command } => comms::run(command, settings).await,
        Command::Migrate => database::migrate(settings).await,
        Command::User { command } => user::run(command, settings).await,
        Command::Campaign { command } => campaign::run(command, settings).await,
        Command::Token { command } => token::run(command, settings).await,
        Command::Files { command } => files::run(command, settings).await,
        Command::Import { command } => import::run(command, settings).await,
        Command::Export(args) => export::run(args, settings).await,
        Command::Audit(args) => audit::run(args, settings).await,
        Command::Plan(args) => plan::run(args, settings).await,
        Command::Privacy { command } => privacy::run(command, settings).await,
        Command::Backup(args) => database::backup(args, settings).await,
        Command::Restore(args) => database::restore(args, settings).await,
        Command::Openapi => {
            println!("{}", rally_web::openapi_json());
            Ok(())
        }
        Command::Demo => demo::run(settings).await,
        Command::Config { command } => config::run(command, settings),
    }
}

/// Opens (and migrates) the database at `url`; errors name it with its password hidden.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    rally_store::open(url).await.with_context(|| format!("opening the database {}", rally_store::redact(url)))
}

pub fn open_files(dir: &std::path::Path) -> anyhow::Result<rally_files::FileStore> {
    rally_files::FileStore::open(dir).with_context(|| format!("opening the data directory {}", dir.display()))
}

/// The user with the `--email` address; the error says how to add one.
pub async fn find_user(store: &dyn Store, email: &str) -> anyhow::Result<rally_store::User> {
    let email = Email::parse(email).map_err(|e| anyhow!("--email: {e}"))?;
    store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| anyhow!("no user with the e-mail address {email}; add one with `rally user add`"))
}

/// The campaign the `--campaign` slug names.
pub async fn campaign_id(store: &dyn Store, slug: &str) -> anyhow::Result<rally_domain::CampaignId> {
    store.campaign_id(slug).await?.ok_or_else(|| anyhow!("--campaign: no campaign `{slug}`"))
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM, which is how service managers and containers stop Rally.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    // The handlers are installed now, not when the future is first polled: a SIGTERM that comes
    // between start-up and the first poll (a service manager stopping a server that has just become
    // ready) is then a clean stop, not the default action that kills the process.
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = (interrupt, terminate);
            let interrupted = async {
                match interrupt.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => std::future::pending().await,
                }
            };
            let terminated = async {
                match terminate.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = interrupted => {},
                () = terminated => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!(target: LOG_TARGET, "shutting down");
    }
}

//! `rally demo`: seeds the demo campaign (`crate::demo`) into a database of its own, prints how to
//! sign in and call the API, and serves it like `rally serve`. Its database and data directory
//! (`rally-demo.db`, `rally-demo-data`) are taken from its flags only, never from `rally.toml` or
//! the environment, which keeps it away from a real installation's files in the same directory; its
//! public URL is `http://` and the listen address unless one is set.

use super::serve::{serve, server_limits};
use super::worker::{MailSettings, delivery};
use super::{open, open_files};
use crate::config::{Settings, keys};
use crate::demo::DemoLogin;

/// The demo's database and data directory when no flag names them: its own, not a real installation's
/// in the same directory (which `rally.toml` or the environment may name).
const DATABASE: &str = "rally-demo.db";
const DATA_DIR: &str = "rally-demo-data";

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.flag_value(&keys::DATABASE_URL).unwrap_or_else(|| DATABASE.into());
    let data_dir = settings.flag_value(&keys::DATA_DIR).unwrap_or_else(|| DATA_DIR.into());
    let addr = settings.listen()?;
    // The demo may listen beyond loopback without a public URL: it is a demo, not a campaign's server.
    let public_url = match settings.text(&keys::PUBLIC_URL)? {
        Some(_) => settings.public_url(addr)?,
        None => rally_web::PublicUrl::for_listener(addr),
    };
    let mail = MailSettings::from_settings(settings)?;
    let metrics_token = settings.metrics_token()?;
    let base = public_url.to_string();
    let store = open(&url).await?;
    let files = open_files(data_dir.as_ref())?;
    let login = crate::demo::seed(&*store, &files, &base).await?;
    let (worker, transport) = delivery(store.clone(), &mail, files.dir())?;
    println!(
        "Rally demo: campaign \"{}\" with {} partners ({} database {})",
        login.campaign_name,
        login.partners,
        store.backend(),
        rally_store::redact(&url)
    );
    print_login(&login, &base);
    let app = rally_web::AppState::new(store, files, public_url)
        .with_mail(transport)
        .with_metrics_token(metrics_token)
        .with_registrations_per_hour(settings.count(&keys::REGISTRATIONS_PER_HOUR))
        .with_sign_ins_per_hour(settings.count(&keys::SIGN_INS_PER_HOUR));
    let worker = worker.with_stop_grace(settings.shutdown_grace());
    serve(app, addr, server_limits(settings), Some(worker)).await
}

/// The demo's help for the flags whose defaults are its own.
pub fn own_help(command: clap::Command) -> clap::Command {
    command.mut_subcommand("demo", |demo| {
        demo.mut_arg(keys::DATABASE_URL.id, |a| a.help(format!("Database for the demo [default: {DATABASE}]")))
            .mut_arg(keys::DATA_DIR.id, |a| a.help(format!("Directory for the demo's files [default: {DATA_DIR}]")))
    })
}

/// Where to go, how to sign in, and a first API call to try.
fn print_login(login: &DemoLogin, base: &str) {
    println!("  open       {base}/");
    println!("  public     {base}/c/{}/  (the campaign site: register an event, the counter, the map)", login.slug);
    println!("  login      {} / {}", login.email, login.password);
    println!("  API token  {}", login.token);
    println!(
        "  try        curl -H 'Authorization: Bearer {}' '{base}/api/v1/campaigns/{}/partners?stage=negotiate_ask&limit=5'",
        login.token, login.slug
    );
}

//! `rally demo`: seeds the demo campaign (`crate::demo`) into a database of its own, prints how to
//! sign in and call the API, and serves it like `rally serve`. Its defaults (`rally-demo.db`,
//! `rally-demo-data`) keep it away from a real installation's files in the same directory.

use std::net::SocketAddr;

use anyhow::anyhow;
use clap::Args;

use super::serve::serve;
use super::worker::{MailArg, delivery};
use super::{open, open_files};
use crate::config::Settings;
use crate::demo::DemoLogin;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "RALLY_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Database for the demo (default: rally-demo.db in the working directory).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Directory for the demo's files (default: rally-demo-data in the working directory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    mail: MailArg,
    /// Where people reach the demo (default: http:// and the listen address).
    #[arg(long, env = "RALLY_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Sign-ins (and forgotten-password requests) one client address may make per hour.
    #[arg(long, env = "RALLY_SIGN_INS_PER_HOUR", value_name = "N", default_value_t = 60)]
    sign_ins_per_hour: u32,
}

pub async fn run(args: DemoArgs, settings: &Settings) -> anyhow::Result<()> {
    let url = args.database.unwrap_or_else(|| "rally-demo.db".into());
    let addr = settings.listen(args.listen)?;
    let public_url = match args.public_url {
        Some(raw) => rally_web::PublicUrl::parse(&raw).map_err(|e| anyhow!("--public-url: {e}"))?,
        None => rally_web::PublicUrl::for_listener(addr),
    };
    let base = public_url.to_string();
    let store = open(&url).await?;
    let files = open_files(&args.data_dir.unwrap_or_else(|| "rally-demo-data".into()))?;
    let login = crate::demo::seed(&*store, &files, &base).await?;
    let (worker, transport) = delivery(store.clone(), &args.mail, files.dir())?;
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
        .with_sign_ins_per_hour(args.sign_ins_per_hour);
    serve(app, addr, settings.server_limits(None)?, Some(worker)).await
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

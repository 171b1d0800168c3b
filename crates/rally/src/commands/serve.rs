//! `rally serve`: the web app, the API and the public sites over HTTP, with the outbox delivered
//! in-process unless `--no-worker`. `serve` is shared with `rally demo`.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;

use super::worker::{MailArg, delivery};
use super::{DatabaseArg, LOG_TARGET, PublicUrlArg, open, open_files};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "RALLY_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    db: DatabaseArg,
    /// Directory for uploaded files (default: rally-data in the working directory).
    #[arg(long, env = "RALLY_DATA_DIR", value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    mail: MailArg,
    /// Serve only; leave delivery to `rally worker` processes.
    #[arg(long)]
    no_worker: bool,
    /// Event registrations one address may send per hour on the public site.
    #[arg(long, env = "RALLY_REGISTRATIONS_PER_HOUR", value_name = "N", default_value_t = 30)]
    registrations_per_hour: u32,
    /// Sign-ins (and forgotten-password requests) one client address may make per hour; an office
    /// whose whole team comes from one address may need more.
    #[arg(long, env = "RALLY_SIGN_INS_PER_HOUR", value_name = "N", default_value_t = 60)]
    sign_ins_per_hour: u32,
    #[command(flatten)]
    public: PublicUrlArg,
    /// A reverse proxy in front of Rally (an address or a CIDR range such as 10.0.0.0/8); only its
    /// X-Forwarded-For is believed, and names the client for per-address limits. Repeat for several
    /// (env RALLY_TRUSTED_PROXIES, comma-separated).
    #[arg(long = "trusted-proxy", env = "RALLY_TRUSTED_PROXIES", value_name = "CIDR", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// Connections open at once (default 4096, and always fewer than the process may open files);
    /// more wait until one closes.
    #[arg(long, env = "RALLY_MAX_CONNECTIONS", value_name = "N")]
    max_connections: Option<usize>,
}

pub async fn run(args: ServeArgs, settings: &Settings) -> anyhow::Result<()> {
    let addr = settings.listen(args.listen)?;
    let limits = settings.server_limits(args.max_connections)?;
    // Checked before anything is opened: a server that would mail wrong links does not start.
    let public_url = settings.public_url(args.public.public_url, addr)?;
    let proxies = settings.trusted_proxies(args.trusted_proxies)?;
    let store = open(&settings.database(args.db.database)).await?;
    let data_dir = settings.data_dir(args.data_dir);
    let files = open_files(&data_dir)?;
    let (worker, transport) = delivery(store.clone(), &args.mail, &data_dir)?;
    tracing::info!(target: LOG_TARGET, %public_url, trusted_proxies = ?proxies, "links are built from the public URL");
    let app = rally_web::AppState::new(store.clone(), files, public_url)
        .with_trusted_proxies(proxies)
        .with_mail(transport)
        .with_registrations_per_hour(args.registrations_per_hour)
        .with_sign_ins_per_hour(args.sign_ins_per_hour);
    serve(app, addr, limits, (!args.no_worker).then_some(worker)).await
}

/// Serves `app` on `addr` until Ctrl-C or SIGTERM, with `worker` delivering the outbox beside it.
pub async fn serve(
    app: rally_web::AppState,
    addr: SocketAddr,
    limits: rally_web::ServerLimits,
    worker: Option<rally_comms::Worker>,
) -> anyhow::Result<()> {
    if let Some(worker) = worker {
        tokio::spawn(async move { worker.run(std::future::pending()).await });
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
    tracing::info!(
        target: LOG_TARGET,
        %addr,
        backend = app.store.backend(),
        max_connections = limits.max_connections,
        "Rally is serving"
    );
    rally_web::serve_with(listener, app, limits, super::shutdown_signal()).await.context("serving HTTP")
}

//! `rally serve`: the web app, the API and the public sites over HTTP, with the outbox delivered
//! in-process unless `--no-worker` (`[server] worker = false`). `serve` is shared with `rally demo`.

use std::net::SocketAddr;

use anyhow::Context;

use super::worker::{MailSettings, delivery};
use super::{LOG_TARGET, open, open_files};
use crate::config::{Settings, keys};

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let addr = settings.listen()?;
    let limits = server_limits(settings);
    // Checked before anything is opened: a server that would mail wrong links does not start.
    let public_url = settings.public_url(addr)?;
    let proxies = settings.trusted_proxies()?;
    let mail = MailSettings::from_settings(settings)?;
    let metrics_token = settings.metrics_token()?;
    let store = open(&settings.database_url()?).await?;
    let data_dir = settings.data_dir();
    let files = open_files(&data_dir)?;
    let (worker, transport) = delivery(store.clone(), &mail, &data_dir)?;
    tracing::info!(target: LOG_TARGET, %public_url, trusted_proxies = ?proxies, "links are built from the public URL");
    let app = rally_web::AppState::new(store.clone(), files, public_url)
        .with_trusted_proxies(proxies)
        .with_mail(transport)
        .with_metrics_token(metrics_token)
        .with_registrations_per_hour(settings.count(&keys::REGISTRATIONS_PER_HOUR))
        .with_sign_ins_per_hour(settings.count(&keys::SIGN_INS_PER_HOUR));
    let worker = worker.with_stop_grace(settings.shutdown_grace());
    // Once a day by default: every process of a shared PostgreSQL database runs it, and their batches
    // take turns (the store's advisory lock), so the later runs find nothing left to do.
    let every = std::time::Duration::from_secs(settings.number(&keys::RETENTION_HOURS).saturating_mul(3600));
    let retention = super::privacy::purge::Daily::start(store, every);
    let served = serve(app, addr, limits, settings.switch(&keys::WORKER).then_some(worker)).await;
    if let Some(retention) = retention {
        retention.stop().await;
    }
    served
}

/// The HTTP server's limits: the connection cap of the settings, lowered to what the process's limit
/// of open files allows once it is raised as far as the system lets it.
pub fn server_limits(settings: &Settings) -> rally_web::ServerLimits {
    let limits = rally_web::ServerLimits {
        max_connections: usize::try_from(settings.number(&keys::MAX_CONNECTIONS)).unwrap_or(usize::MAX),
        grace: settings.shutdown_grace(),
        ..rally_web::ServerLimits::default()
    };
    if let Err(e) = rally_web::raise_open_files_limit() {
        tracing::warn!(error = %e, "cannot raise the limit of open files");
    }
    let allowed = limits.within_open_files_limit();
    if allowed.max_connections < limits.max_connections {
        tracing::warn!(
            asked = limits.max_connections,
            allowed = allowed.max_connections,
            "fewer connections than asked for: the limit of open files is too low (raise it with ulimit -n)"
        );
    }
    allowed
}

/// Serves `app` on `addr` until Ctrl-C or SIGTERM, with `worker` delivering the outbox beside it. On
/// the signal both stop cleanly at once — the server lets requests in flight finish, the worker its
/// e-mails in flight, and gives back the rest — and once both have, the SMTP connections close.
pub async fn serve(
    app: rally_web::AppState,
    addr: SocketAddr,
    limits: rally_web::ServerLimits,
    worker: Option<rally_comms::Worker>,
) -> anyhow::Result<()> {
    let shutdown = super::shutdown_signal();
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
    tracing::info!(
        target: LOG_TARGET,
        %addr,
        backend = app.store.backend(),
        max_connections = limits.max_connections,
        "Rally is serving"
    );
    let mail = app.mail.clone();
    // The signal reaches the worker through the server's stop: when it comes, or when the server ends
    // for any other reason (the sender is then dropped), the worker stops too.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let delivering = worker.map(|worker| {
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = stopping.wait_for(|stop| *stop).await;
                })
                .await
        })
    });
    let signal = async move {
        shutdown.await;
        stop.send_replace(true);
    };
    let served = rally_web::serve_with(listener, app, limits, signal).await;
    if let Some(delivering) = delivering
        && let Err(e) = delivering.await
    {
        tracing::error!(target: LOG_TARGET, error = %e, "the delivery worker failed");
    }
    if let Some(mail) = mail {
        mail.shutdown().await;
    }
    served.context("serving HTTP")
}

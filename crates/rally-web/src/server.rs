//! The HTTP server: hyper's HTTP/1.1 connection handling with the limits `axum::serve` lacks, so no
//! client can hold the server by being slow.
//!
//! - A request's headers must arrive within [`ServerLimits::header_timeout`], counted from when the
//!   server starts waiting for them — which is also how long a kept-alive connection may sit idle
//!   between requests. A client that sends half a header and waits (slow loris) is cut off then.
//! - A request body may pause at most [`ServerLimits::body_idle_timeout`] between two pieces, and must
//!   be complete within [`ServerLimits::body_deadline`].
//! - At most [`ServerLimits::max_connections`] connections are open at once, fewer than the process
//!   may open files: past it, new connections wait in the listen queue rather than failing for want
//!   of a descriptor (which would also stop the database and the files from opening).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Layer;
use tower_http::timeout::{RequestBodyDeadline, RequestBodyTimeout};

/// Descriptors kept free for everything else the process opens: database connections, uploaded
/// files, the SMTP connection, logs.
const RESERVED_FILES: u64 = 256;

/// The server's own limits (the body size limits live with the routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Time to send a request's headers, and the longest a kept-alive connection waits for the next.
    pub header_timeout: Duration,
    /// The longest pause inside a request body.
    pub body_idle_timeout: Duration,
    /// The longest a request body may take in all (a 20 MB upload at 1 Mbit/s takes under three
    /// minutes).
    pub body_deadline: Duration,
    /// How long in-flight requests get to finish after a shutdown signal.
    pub grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 4096,
            header_timeout: Duration::from_secs(15),
            body_idle_timeout: Duration::from_secs(30),
            body_deadline: Duration::from_secs(300),
            grace: Duration::from_secs(30),
        }
    }
}

impl ServerLimits {
    /// These limits with the connection cap lowered, if need be, to what the process's limit of open
    /// files leaves after [`RESERVED_FILES`].
    pub fn within_open_files_limit(mut self) -> ServerLimits {
        if let Ok((soft, _)) = rlimit::getrlimit(rlimit::Resource::NOFILE) {
            let room = usize::try_from(soft.saturating_sub(RESERVED_FILES).max(16)).unwrap_or(usize::MAX);
            self.max_connections = self.max_connections.min(room);
        }
        self
    }
}

/// Raises the process's soft limit of open files to its hard limit (many systems start services
/// at 1024 with a hard limit far above) and returns the limit now in force.
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests finish (for at
/// most 30 seconds). Handlers see the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service =
        RequestBodyDeadline::new(RequestBodyTimeout::new(app, limits.body_idle_timeout), limits.body_deadline);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small answers go out at once rather than waiting to fill a packet.
        let _ = stream.set_nodelay(true);
        let service = axum::Extension(ConnectInfo::<SocketAddr>(peer)).layer(service.clone());
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away, times out or breaks the protocol ends its connection; that is
            // routine, and hyper has logged it at debug level.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => tracing::warn!("connections still open after the grace period: closing them"),
    }
    Ok(())
}

/// A failed `accept`: the connection's own trouble (it was reset before we took it) is skipped; for
/// want of descriptors or memory, the server waits a moment for connections to end rather than spin.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted) {
        return;
    }
    tracing::warn!(error = %e, "cannot accept a connection");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

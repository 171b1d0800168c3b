//! CPU-heavy work — password hashing, certificates, Word documents, checking and sanitizing uploads,
//! reading spreadsheets — runs here: on tokio's blocking pool, never on the async worker threads that
//! answer every other request, and at most a few at a time. A burst of sign-ins or certificate
//! downloads then waits its turn (an async wait that holds no thread) instead of taking every core,
//! or, with argon2's 19 MiB per hash, a gigabyte of memory.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

/// How many such jobs run at once: one per core, and at least two.
fn permits() -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Arc::new(Semaphore::new(cores.max(2)))
        })
        .clone()
}

/// The job failed without an answer: it panicked (logged here), or the runtime is shutting down.
#[derive(Debug, thiserror::Error)]
#[error("a background job failed")]
pub struct JobFailed;

impl From<JobFailed> for crate::ApiError {
    fn from(_: JobFailed) -> Self {
        crate::ApiError::Internal
    }
}

/// Runs `job` on the blocking pool once a permit is free, and returns its result. The job keeps its
/// permit until it ends, even when the request that started it has gone.
pub async fn run<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, JobFailed> {
    let permit = permits().acquire_owned().await.map_err(|_| JobFailed)?;
    tokio::task::spawn_blocking(move || {
        let result = job();
        drop(permit);
        result
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "a background job failed");
        JobFailed
    })
}

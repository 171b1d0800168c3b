//! What running Rally needs of the database itself: which backend it is, whether it answers, its schema,
//! row counts, a consistent snapshot, and the figures monitoring reads (the outbox, the connection
//! pool). Implemented in `sql/operations.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::comms::OutboxStatus;

use crate::Result;

/// The database as the operator sees it. Part of every [`crate::Store`].
#[async_trait]
pub trait Operations {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// The newest migration applied to the database, and the newest this Rally knows: a process is
    /// ready only when they are equal.
    async fn schema_version(&self) -> Result<(i64, i64)>;
    /// Table → column names, to check that both migration trees reach the same logical schema.
    async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>>;
    /// Table → number of rows, to show a backup and its restore hold the same data.
    async fn table_counts(&self) -> Result<std::collections::BTreeMap<String, i64>>;
    /// Writes a consistent copy of the whole database to `path` while the database stays in use: SQLite's
    /// `VACUUM INTO`. PostgreSQL databases are backed up with `pg_dump` instead (`Unsupported` here).
    async fn snapshot(&self, path: &std::path::Path) -> Result<()>;
    /// The outbox of every campaign (and Rally's own mail) at `now`: e-mails by status, and how long
    /// the oldest e-mail that may go has waited. Two index reads, cheap enough for every scrape.
    async fn outbox_gauges(&self, now: DateTime<Utc>) -> Result<OutboxGauges>;
    /// This process's connections to the database, and how often write transactions waited for one.
    fn pool_stats(&self) -> PoolStats;
}

/// The outbox at one moment, for monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxGauges {
    /// Every status with its number of e-mails, zero included, in [`OutboxStatus::ALL`]'s order.
    pub by_status: Vec<(OutboxStatus, i64)>,
    /// How long the oldest e-mail that may go now (planned or deferred and due, or left `sending` by
    /// a worker whose lease ran out) has waited since it became due; zero when none waits.
    pub oldest_due_age: Duration,
}

impl OutboxGauges {
    /// The gauges from the counts by status and the earliest moment an unsent e-mail became due.
    pub(crate) fn new(counts: &[(String, i64)], earliest_due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let by_status = OutboxStatus::ALL
            .iter()
            .map(|s| (*s, counts.iter().filter(|(name, _)| name == s.as_str()).map(|(_, n)| n).sum()))
            .collect();
        let oldest_due_age = earliest_due.and_then(|due| (now - due).to_std().ok()).unwrap_or_default();
        OutboxGauges { by_status, oldest_due_age }
    }
}

/// This process's connection pool (for SQLite its readers and its one writer together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
    /// Write transactions that found no idle connection when they began (they waited for another
    /// transaction to end, or for a connection to be opened), since the store was opened.
    pub acquire_waits: u64,
    /// How long those transactions took to begin, added up.
    pub acquire_wait: Duration,
}

/// Counts the write transactions that found no idle connection, and how long they took to begin.
/// Each backend's `begin_write` reports here: every write goes through it, so one place sees all
/// the waits that matter (on SQLite, for its single writer). Reads take connections through sqlx in
/// many places and are not counted.
#[derive(Debug, Default)]
pub(crate) struct AcquireWaits {
    count: AtomicU64,
    nanos: AtomicU64,
}

impl AcquireWaits {
    /// Begins a write transaction with `begin`, counted as a wait when `idle` (the pool's idle
    /// connections when asked) was zero. The connection the pool hands out is the same either way:
    /// sqlx's own `try_acquire` would skip the check that a connection is reusable.
    pub(crate) async fn begin<T, E>(
        &self,
        idle: usize,
        begin: impl Future<Output = std::result::Result<T, E>>,
    ) -> std::result::Result<T, E> {
        if idle > 0 {
            return begin.await;
        }
        let started = Instant::now();
        let result = begin.await;
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        result
    }

    /// The waits so far and their time, added up.
    pub(crate) fn totals(&self) -> (u64, Duration) {
        (self.count.load(Ordering::Relaxed), Duration::from_nanos(self.nanos.load(Ordering::Relaxed)))
    }
}

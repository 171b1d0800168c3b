//! The embedded SQLite backend: one file, WAL, write transactions that begin IMMEDIATE.

use std::path::Path;
use std::time::Duration;

use sqlx::QueryBuilder;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use rally_domain::CampaignId;
use std::collections::BTreeMap;

use crate::{Result, StoreError};

type Db = sqlx::Sqlite;

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "core", include_str!("../migrations/sqlite/0001_core.sql")),
    (2, "sessions", include_str!("../migrations/sqlite/0002_sessions.sql")),
    (3, "tallies", include_str!("../migrations/sqlite/0003_tallies.sql")),
    (4, "sort indexes", include_str!("../migrations/sqlite/0004_sort_indexes.sql")),
    (5, "workflow", include_str!("../migrations/sqlite/0005_workflow.sql")),
    (6, "comms", include_str!("../migrations/sqlite/0006_comms.sql")),
    (7, "outbox queue", include_str!("../migrations/sqlite/0007_outbox_queue.sql")),
    (8, "events", include_str!("../migrations/sqlite/0008_events.sql")),
    (9, "imports", include_str!("../migrations/sqlite/0009_imports.sql")),
    (10, "mail kinds", include_str!("../migrations/sqlite/0010_mail_kinds.sql")),
    (11, "name keys", include_str!("../migrations/sqlite/0011_name_keys.sql")),
    (12, "sign-in gates", include_str!("../migrations/sqlite/0012_sign_in_gates.sql")),
    (13, "team mail", include_str!("../migrations/sqlite/0013_team_mail.sql")),
    (14, "publishing and search", include_str!("../migrations/sqlite/0014_publishing.sql")),
    (15, "staged outbox", include_str!("../migrations/sqlite/0015_staged_outbox.sql")),
    (16, "audit log", include_str!("../migrations/sqlite/0016_audit.sql")),
    (17, "consent records", include_str!("../migrations/sqlite/0017_consent.sql")),
    (18, "erasure", include_str!("../migrations/sqlite/0018_privacy.sql")),
    (19, "two-factor sign-in", include_str!("../migrations/sqlite/0019_second_factor.sql")),
    (20, "retention rules", include_str!("../migrations/sqlite/0020_retention.sql")),
    (21, "session details", include_str!("../migrations/sqlite/0021_session_details.sql")),
    (22, "activities and attribution", include_str!("../migrations/sqlite/0022_activities.sql")),
    (23, "activity imports", include_str!("../migrations/sqlite/0023_activity_imports.sql")),
];

/// Rally on an embedded SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::Pool<Db>,
    /// One connection for write transactions: writers wait their turn in a queue here instead of
    /// sleeping in SQLite's busy handler (1, 2, 5… ms), which wasted most of a busy worker's time.
    writer: sqlx::Pool<Db>,
    /// A cap on the file's size in pages that every new writer connection applies (0: none). Only
    /// tests set it, to make the database "full" without filling a disk.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    page_limit: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Write transactions that waited for the writer, for monitoring.
    waits: std::sync::Arc<crate::operations::AcquireWaits>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file at `path`.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .before_acquire(crate::reusable)
            .connect_with(options.clone())
            .await?;
        let page_limit = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let limit = page_limit.clone();
        // The writer's page cache (64 MB instead of 2): bulk writes such as imports touch index pages
        // all over the file, and every page read again from the WAL costs.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .before_acquire(crate::reusable)
            .after_connect(move |conn, _| {
                let pages = limit.load(std::sync::atomic::Ordering::Acquire);
                Box::pin(async move {
                    if pages > 0 {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}")))
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.pragma("cache_size", "-65536"))
            .await?;
        let store = SqliteStore { pool, writer, page_limit, waits: Default::default() };
        store.migrate().await?;
        Ok(store)
    }

    /// Makes the database "full" (`Some(extra)`: at most `extra` pages more than it has now) or lifts
    /// the cap (`None`), for the writer connection now open and any opened later. For tests: it is
    /// how a full disk is simulated portably.
    #[cfg(feature = "testing")]
    pub async fn limit_pages(&self, extra: Option<u64>) -> Result<()> {
        use std::sync::atomic::Ordering;
        let mut conn = self.writer.acquire().await?;
        let pages = match extra {
            Some(extra) => {
                let row = sqlx::query("PRAGMA page_count").fetch_one(&mut *conn).await?;
                u64::try_from(sqlx::Row::try_get::<i64, _>(&row, 0)?).unwrap_or(0) + extra
            }
            // SQLite's own ceiling: no limit in practice.
            None => 4_294_967_294,
        };
        self.page_limit.store(if extra.is_some() { pages } else { 0 }, Ordering::Release);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}"))).execute(&mut *conn).await?;
        Ok(())
    }

    /// Runs statements on the writer connection, for tests that need the database to misbehave (a
    /// trigger that ends the transaction it fires in, as a full disk does at COMMIT).
    #[cfg(feature = "testing")]
    pub async fn execute_for_tests(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&self.writer).await?;
        Ok(())
    }

    /// SQLite has one writer. A transaction that starts reading and later writes can fail with
    /// SQLITE_BUSY whatever the busy timeout, so every write transaction takes the write lock up front.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(self.waits.begin(self.writer.num_idle(), self.writer.begin_with("BEGIN IMMEDIATE")).await?)
    }

    /// The readers' pool and the writer's, for monitoring.
    fn pools(&self) -> [&sqlx::Pool<Db>; 2] {
        [&self.pool, &self.writer]
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.apply_migrations(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// SQLite plans Rally's queries well without statistics (its choices follow the indexes), and
    /// statistics could tempt it into a worse order, so a bulk load leaves them alone.
    async fn after_bulk_load(&self, _rows: usize) -> Result<()> {
        Ok(())
    }

    /// `VACUUM INTO`: a consistent, compacted copy made inside one read transaction; writers carry on.
    async fn write_snapshot(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(StoreError::Config(format!("{} exists already; choose a new file", path.display())));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Config("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        Ok(())
    }

    async fn read_schema(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let rows = sqlx::query(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name",
        )
        .fetch_all(&self.pool)
        .await?;
        schema_map(&rows)
    }
}

/// The campaign's contacts with these addresses (`id`, `email`, `partner_id`, `import_batch`), through the unique
/// index: an `IN` list (SQLite allows 32,766 parameters).
async fn contacts_by_email(conn: &mut Conn, campaign: CampaignId, emails: Vec<String>) -> Result<Vec<DbRow>> {
    let mut q =
        QueryBuilder::<Db>::new("SELECT id, email, partner_id, import_batch FROM contacts WHERE campaign_id = ");
    q.push_bind(campaign.0).push(" AND email IN (");
    let mut list = q.separated(", ");
    for e in emails {
        list.push_bind(e);
    }
    q.push(")");
    Ok(q.build().fetch_all(&mut *conn).await?)
}

/// How a claim locks the rows it takes: SQLite's immediate transaction already holds the only write
/// lock.
const CLAIM_LOCK: &str = "";

type Backend = SqliteStore;
const BACKEND: &str = "sqlite";

/// The SQL both backends share, compiled once for each: `sql/` reads `Db`, `Backend`, `BACKEND`,
/// `CLAIM_LOCK` and `contacts_by_email` from here.
// Compiled once per backend on purpose: that is how the SQL is written once.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

use sql::{Conn, DbRow, schema_map};

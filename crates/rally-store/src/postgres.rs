//! The PostgreSQL backend, for large and umbrella campaigns with several app and worker processes.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use rally_domain::CampaignId;
use std::collections::BTreeMap;

use crate::{Result, StoreError};

type Db = sqlx::Postgres;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "core", include_str!("../migrations/postgres/0001_core.sql")),
    (2, "sessions", include_str!("../migrations/postgres/0002_sessions.sql")),
    (3, "tallies", include_str!("../migrations/postgres/0003_tallies.sql")),
    (4, "sort indexes", include_str!("../migrations/postgres/0004_sort_indexes.sql")),
    (5, "workflow", include_str!("../migrations/postgres/0005_workflow.sql")),
    (6, "comms", include_str!("../migrations/postgres/0006_comms.sql")),
    (7, "outbox queue", include_str!("../migrations/postgres/0007_outbox_queue.sql")),
    (8, "events", include_str!("../migrations/postgres/0008_events.sql")),
    (9, "imports", include_str!("../migrations/postgres/0009_imports.sql")),
    (10, "mail kinds", include_str!("../migrations/postgres/0010_mail_kinds.sql")),
    (11, "name keys", include_str!("../migrations/postgres/0011_name_keys.sql")),
    (12, "sign-in gates", include_str!("../migrations/postgres/0012_sign_in_gates.sql")),
    (13, "team mail", include_str!("../migrations/postgres/0013_team_mail.sql")),
    (14, "publishing and search", include_str!("../migrations/postgres/0014_publishing.sql")),
];

/// Rally on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::Pool<Db>,
    /// Write transactions that waited for a connection, for monitoring.
    waits: std::sync::Arc<crate::operations::AcquireWaits>,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<PgStore> {
        let options: PgConnectOptions =
            url.parse().map_err(|e| StoreError::Config(format!("bad PostgreSQL URL `{}`: {e}", crate::redact(url))))?;
        let pool =
            PgPoolOptions::new().max_connections(16).before_acquire(crate::reusable).connect_with(options).await?;
        let store = PgStore { pool, waits: Default::default() };
        store.migrate().await?;
        Ok(store)
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(self.waits.begin(self.pool.num_idle(), self.pool.begin()).await?)
    }

    /// The one pool, for monitoring.
    fn pools(&self) -> [&sqlx::Pool<Db>; 1] {
        [&self.pool]
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // Several app and worker processes may start at once: one migrates, the others wait for it.
        sqlx::query("SELECT pg_advisory_xact_lock(7236000001)").execute(&mut *tx).await?;
        self.apply_migrations(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a bulk load, PostgreSQL plans from stale statistics until autovacuum catches up, and
    /// picks a join order that reads every match of a search word (19 ms instead of 0.4 ms for a page
    /// of 100,000 partners). Loads of a thousand or more rows refresh the statistics at once.
    async fn after_bulk_load(&self, rows: usize) -> Result<()> {
        if rows >= 1000 {
            sqlx::raw_sql("ANALYZE partners; ANALYZE partner_terms; ANALYZE stage_changes; ANALYZE contacts")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// PostgreSQL's own tools make its backups (`pg_dump`); the command line runs them.
    async fn write_snapshot(&self, _path: &std::path::Path) -> Result<()> {
        Err(StoreError::Config("PostgreSQL databases are backed up with pg_dump".into()))
    }

    async fn read_schema(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let rows = sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, column_name",
        )
        .fetch_all(&self.pool)
        .await?;
        schema_map(&rows)
    }
}

/// The campaign's contacts with these addresses (`id`, `email`, `partner_id`, `import_batch`): one array parameter,
/// each address looked up on its own through the unique `(campaign_id, email)` index. Put as
/// `email = ANY($2)` (or an `IN` list) the plan depends on statistics, which a table growing under an
/// import does not have yet: PostgreSQL then scanned every contact of the campaign for each chunk.
async fn contacts_by_email(conn: &mut Conn, campaign: CampaignId, emails: Vec<String>) -> Result<Vec<DbRow>> {
    Ok(sqlx::query(
        "SELECT c.id, c.email, c.partner_id, c.import_batch FROM unnest($2::text[]) AS wanted (email) \
         CROSS JOIN LATERAL (SELECT id, email, partner_id, import_batch FROM contacts \
                             WHERE campaign_id = $1 AND email = wanted.email) AS c",
    )
    .bind(campaign.0)
    .bind(emails)
    .fetch_all(&mut *conn)
    .await?)
}

/// How a claim locks the rows it takes: rows another worker has locked are skipped, not waited for,
/// so several workers claim disjoint batches.
const CLAIM_LOCK: &str = " FOR UPDATE SKIP LOCKED";

type Backend = PgStore;
const BACKEND: &str = "postgres";

/// The SQL both backends share, compiled once for each: `sql/` reads `Db`, `Backend`, `BACKEND`,
/// `CLAIM_LOCK` and `contacts_by_email` from here.
// Compiled once per backend on purpose: that is how the SQL is written once.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

use sql::{Conn, DbRow, schema_map};

//! [`crate::Operations`] in SQL: the backend's name, a ping, the schema, row counts, snapshots and the
//! outbox's figures for monitoring.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::Row;

use super::{BACKEND, Backend};
use crate::operations::{OutboxGauges, PoolStats};
use crate::{Operations, Result, from_micros, to_micros};

#[async_trait]
impl Operations for Backend {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1 AS one").fetch_one(&self.pool).await?;
        Ok(())
    }

    async fn schema_version(&self) -> Result<(i64, i64)> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM rally_migrations").fetch_one(&self.pool).await?;
        Ok((row.try_get("v")?, super::MIGRATIONS.last().map_or(0, |m| m.0)))
    }

    async fn schema(&self) -> Result<BTreeMap<String, Vec<String>>> {
        self.read_schema().await
    }

    async fn table_counts(&self) -> Result<BTreeMap<String, i64>> {
        let mut counts = BTreeMap::new();
        for table in self.read_schema().await?.into_keys() {
            // Table names come from the database's own catalogue, never from input.
            let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM \"{table}\""));
            let n: i64 = sqlx::query(sql).fetch_one(&self.pool).await?.try_get("n")?;
            counts.insert(table, n);
        }
        Ok(counts)
    }

    async fn snapshot(&self, path: &std::path::Path) -> Result<()> {
        self.write_snapshot(path).await
    }

    async fn outbox_gauges(&self, now: chrono::DateTime<chrono::Utc>) -> Result<OutboxGauges> {
        let mut conn = self.pool.acquire().await?;
        // Counted from an index that begins with the status: SQLite reads no row, PostgreSQL as few as
        // its visibility map allows.
        let counts = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?)))
            .collect::<Result<Vec<_>>>()?;
        // The first entry of each status in the due and lease indexes, as the worker's claim reads
        // them: the earliest of the three is when the longest-waiting e-mail became due.
        let row = sqlx::query(
            "SELECT (SELECT MIN(due_at) FROM outbox WHERE status = 'planned') AS planned, \
                    (SELECT MIN(due_at) FROM outbox WHERE status = 'deferred') AS deferred, \
                    (SELECT MIN(lease_until) FROM outbox WHERE status = 'sending') AS abandoned",
        )
        .fetch_one(&mut *conn)
        .await?;
        let mut earliest: Option<i64> = None;
        for column in ["planned", "deferred", "abandoned"] {
            if let Some(at) = row.try_get::<Option<i64>, _>(column)? {
                earliest = Some(earliest.map_or(at, |e| e.min(at)));
            }
        }
        let earliest = earliest.filter(|at| *at <= to_micros(now)).map(from_micros).transpose()?;
        Ok(OutboxGauges::new(&counts, earliest, now))
    }

    fn pool_stats(&self) -> PoolStats {
        let pools = self.pools();
        let size: u32 = pools.iter().map(|p| p.size()).sum();
        let idle: u32 = pools.iter().map(|p| u32::try_from(p.num_idle()).unwrap_or(u32::MAX)).sum();
        // The two figures are read one after the other while connections come and go.
        let idle = idle.min(size);
        let max = pools.iter().map(|p| p.options().get_max_connections()).sum();
        let (acquire_waits, acquire_wait) = self.waits.totals();
        PoolStats { idle, in_use: size - idle, max, acquire_waits, acquire_wait }
    }
}

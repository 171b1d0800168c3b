//! [`crate::Operations`] in SQL: the backend's name, a ping, the schema, row counts and snapshots.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::Row;

use super::{BACKEND, Backend};
use crate::{Operations, Result};

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
}

//! What running Rally needs of the database itself: which backend it is, whether it answers, its schema,
//! row counts and a consistent snapshot. Implemented in `sql/operations.rs`.

use async_trait::async_trait;

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
}

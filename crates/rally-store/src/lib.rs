//! Rally's storage: the [`Store`] interface, shaped after what the campaign team does — one trait per
//! area ([`Accounts`], [`Campaigns`], [`Partners`], [`Workflow`], [`Assets`], [`Links`], [`Calendars`],
//! [`Comms`], [`Events`], [`Imports`], [`Reports`], [`Operations`]), each in its module and implemented
//! in the file of the same name under `sql/` — and its two backends, embedded SQLite (the default) and
//! PostgreSQL (large and umbrella campaigns, several processes on one database). This crate is the only
//! place in Rally that holds SQL.
//!
//! Every method is one transaction. Methods that act for a user take an [`Actor`] and check the
//! user's role with [`rally_domain::Role::allows`] inside that same transaction, so a rejected request
//! changes nothing and no rule is checked against stale data.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rally_domain::{Invalid, UserId};

pub mod accounts;
pub mod activities;
pub mod assets;
pub mod attribution;
pub mod audit;
pub mod calendars;
pub mod campaigns;
pub mod comms;
pub mod consent;
pub mod events;
pub mod imports;
pub mod invitations;
pub mod links;
pub mod operations;
pub mod partners;
mod postgres;
pub mod privacy;
pub mod reports;
pub mod retention;
pub mod second_factor;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod workflow;

pub use accounts::*;
pub use activities::Activities;
pub use assets::Assets;
pub use attribution::{Attribution, Brought};
pub use audit::{Audit, AuditEntry, AuditFilter, AuditPage, Origin, with_origin};
pub use calendars::*;
pub use campaigns::*;
pub use comms::*;
pub use consent::{ConsentRecord, Consents};
pub use events::*;
pub use imports::Imports;
pub use invitations::*;
pub use links::*;
pub use operations::Operations;
pub use partners::*;
pub use postgres::PgStore;
pub use privacy::{ErasureReport, Privacy};
pub use reports::Reports;
pub use retention::{RETENTION_BATCH, Retention};
pub use second_factor::*;
pub use sqlite::SqliteStore;
pub use workflow::*;

/// Who is acting: a signed-in user, whose role is checked, or the operator at the command line, who
/// holds the database itself and is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    System,
    User(UserId),
}

impl Actor {
    pub fn user_id(self) -> Option<UserId> {
        match self {
            Actor::System => None,
            Actor::User(id) => Some(id),
        }
    }
}

/// What can go wrong in the store, in terms the HTTP layer and the CLI map to answers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing does not exist, or the actor may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor may see the thing but not do this to it.
    #[error("your role in this campaign does not allow this")]
    Forbidden,
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// A uniqueness rule: the slug is taken, the e-mail address is already a contact.
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    /// The database does not answer (connection refused, pool exhausted): worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database's storage is full (SQLite's disk or page limit, PostgreSQL's `disk_full`): nothing
    /// was written, reads still work, and writes succeed again once there is space.
    #[error("the database's storage is full: {0}")]
    StorageFull(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Config(String),
}

/// What a database error code says about retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorClass {
    /// Contention that outlasted the busy timeout (SQLite BUSY, LOCKED, BUSY_SNAPSHOT) or that PostgreSQL
    /// resolved by aborting us (serialization failure, deadlock): worth a retry.
    Contended,
    /// No space to write: SQLite's FULL (the disk, or the page limit), PostgreSQL's `disk_full` and
    /// `insufficient_resources`.
    Full,
    Other,
}

fn classify(code: &str) -> ErrorClass {
    match code {
        "5" | "6" | "517" | "40001" | "40P01" => ErrorClass::Contended,
        "13" | "53100" | "53000" => ErrorClass::Full,
        _ => ErrorClass::Other,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let class = e.as_database_error().and_then(|d| d.code()).map_or(ErrorClass::Other, |c| classify(&c));
        match (e, class) {
            (e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)), _) => {
                StoreError::Unavailable(e)
            }
            (e, ErrorClass::Contended) => StoreError::Unavailable(e),
            (e, ErrorClass::Full) => StoreError::StorageFull(e),
            (e, ErrorClass::Other) => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything Rally asks of a database, one area per trait. Callers take the narrowest of them they need
/// (the delivery worker holds an `Arc<dyn Comms>`); `dyn Store` is all of them, and every type that
/// implements them all is a `Store`.
pub trait Store:
    Accounts
    + Activities
    + Attribution
    + Campaigns
    + Partners
    + Workflow
    + Assets
    + Links
    + Calendars
    + Comms
    + Consents
    + Events
    + EventMap
    + Imports
    + Invitations
    + Reports
    + Operations
    + Privacy
    + Retention
    + Audit
    + SecondFactors
    + Send
    + Sync
    + std::fmt::Debug
{
}

impl<T> Store for T where
    T: Accounts
        + Activities
        + Attribution
        + Campaigns
        + Partners
        + Workflow
        + Assets
        + Links
        + Calendars
        + Comms
        + Consents
        + Events
        + EventMap
        + Imports
        + Invitations
        + Reports
        + Operations
        + Privacy
        + Retention
        + Audit
        + SecondFactors
        + Send
        + Sync
        + std::fmt::Debug
{
}

/// Opens the store a database URL names, creating and migrating it as needed.
///
/// * `postgres://…` or `postgresql://…`: PostgreSQL.
/// * `sqlite:PATH`, `sqlite://PATH` or a plain file path: SQLite, created on first use.
///
/// Any other `scheme://` is refused, so a typo never silently creates an empty SQLite file.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::open(url).await?));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.contains("://") || path.is_empty() {
        return Err(StoreError::Config(format!(
            "unsupported database URL `{}`: use postgres://… or a SQLite file path",
            redact(url)
        )));
    }
    Ok(Arc::new(SqliteStore::open(std::path::Path::new(path)).await?))
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether a pooled connection may be handed out again. One that came back still inside a transaction
/// is closed instead: that happens when the database ended a transaction by itself (SQLite rolls back
/// on a full disk or an I/O error; a failed COMMIT), the driver's `ROLLBACK` then failed and it still
/// counts the transaction as open, so every later `BEGIN` on that connection would fail until the
/// process restarted.
fn reusable<C: sqlx::Connection>(
    conn: &mut C,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("a database connection was left inside a failed transaction; opening a new one");
    }
    Box::pin(std::future::ready(Ok(clean)))
}

/// Microseconds since the Unix epoch: how both backends store instants.
fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| StoreError::Corrupt(format!("timestamp {us} out of range")))
}

fn now_micros() -> i64 {
    to_micros(Utc::now())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{ErrorClass, classify};

    #[test]
    fn database_error_codes() {
        for (code, class) in [
            ("5", ErrorClass::Contended),
            ("517", ErrorClass::Contended),
            ("40P01", ErrorClass::Contended),
            ("13", ErrorClass::Full),
            ("53100", ErrorClass::Full),
            ("23505", ErrorClass::Other),
            ("1", ErrorClass::Other),
        ] {
            assert_eq!(classify(code), class, "{code}");
        }
    }
}

//! Throwaway databases for integration tests, on both backends.
//!
//! SQLite: a fresh file in a temporary directory. PostgreSQL: a fresh database in the cluster that
//! `RALLY_TEST_POSTGRES_URL` names (`scripts/test` starts a private cluster and sets it). When that
//! variable is missing the PostgreSQL half of a test is skipped with a message, unless
//! `RALLY_REQUIRE_POSTGRES` is set, as it is in CI: then a missing cluster fails the test. The same
//! holds for the TLS tests' certificates ([`postgres_tls`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::Store;

/// An open store on a database that is thrown away with the test.
#[derive(Debug)]
pub struct TestDb {
    pub store: Arc<dyn Store>,
    /// The URL that opens the same database, for a second process (`rally serve --database URL`).
    pub url: String,
    /// The same store as SQLite's, for what only SQLite can do (a page limit that simulates a full disk).
    pub sqlite: Option<Arc<crate::SqliteStore>>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let path = dir.path().join("rally.db");
    let url = path.display().to_string();
    let sqlite = Arc::new(crate::SqliteStore::open(&path).await.unwrap_or_else(|e| panic!("open {url}: {e}")));
    TestDb { store: sqlite.clone(), url, sqlite: Some(sqlite), _dir: Some(dir) }
}

/// A fresh PostgreSQL database, or `None` (after saying so) when no test cluster is configured.
pub async fn postgres() -> Option<TestDb> {
    let url = postgres_database().await?;
    let store = crate::open(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    Some(TestDb { store, url, sqlite: None, _dir: None })
}

/// Creates an empty database in the test cluster and returns its URL.
pub async fn postgres_database() -> Option<String> {
    let Ok(admin) = std::env::var("RALLY_TEST_POSTGRES_URL") else {
        if std::env::var_os("RALLY_REQUIRE_POSTGRES").is_some() {
            panic!("RALLY_REQUIRE_POSTGRES is set but RALLY_TEST_POSTGRES_URL is not: run the tests with scripts/test");
        }
        eprintln!("skipping the PostgreSQL half: RALLY_TEST_POSTGRES_URL is not set (scripts/test sets it)");
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("t{}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), rand_suffix());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| panic!("connect to test cluster: {e}"));
    drop_leftovers(&mut conn).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
    let base = admin.split('?').next().unwrap_or(&admin);
    let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
    Some(format!("{server}/{name}"))
}

/// A fresh database in a test cluster that accepts TLS, and the certificates `scripts/with-postgres`
/// made for it (`RALLY_TEST_POSTGRES_TLS_*`).
#[derive(Debug)]
pub struct TlsDatabase {
    /// The database's URL without any TLS parameter, as `postgres://rally@127.0.0.1:PORT/NAME`.
    pub url: String,
    /// The CA that signed the server's certificate (for localhost and 127.0.0.1).
    pub ca: String,
    /// A CA that signed nothing the cluster uses.
    pub wrong_ca: String,
    /// A client certificate and its key for [`TlsDatabase::CERT_USER`].
    pub client_cert: String,
    pub client_key: String,
}

impl TlsDatabase {
    /// The role that signs in only with the client certificate (pg_hba's `cert` method).
    pub const CERT_USER: &'static str = "rally_cert";

    /// The URL with these query parameters, e.g. `sslmode=verify-full&sslrootcert=…`.
    pub fn with(&self, query: &str) -> String {
        format!("{}?{query}", self.url)
    }

    /// The URL for [`TlsDatabase::CERT_USER`] instead of the superuser, with these query parameters.
    pub fn as_cert_user(&self, query: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").unwrap_or(("postgres", &self.url));
        let host = rest.split_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{}@{host}?{query}", Self::CERT_USER)
    }
}

/// A fresh database in a cluster with TLS, or `None` (after saying so) when the TLS variables are not
/// set; with `RALLY_REQUIRE_POSTGRES` set, their absence fails the test instead, as a missing cluster does.
pub async fn postgres_tls() -> Option<TlsDatabase> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let names = [
        "RALLY_TEST_POSTGRES_TLS_CA",
        "RALLY_TEST_POSTGRES_TLS_WRONG_CA",
        "RALLY_TEST_POSTGRES_TLS_CLIENT_CERT",
        "RALLY_TEST_POSTGRES_TLS_CLIENT_KEY",
    ];
    let [Some(ca), Some(wrong_ca), Some(client_cert), Some(client_key)] = names.map(var) else {
        let missing = names.iter().filter(|n| var(n).is_none()).copied().collect::<Vec<_>>().join(", ");
        if std::env::var_os("RALLY_REQUIRE_POSTGRES").is_some() {
            panic!("RALLY_REQUIRE_POSTGRES is set but not {missing}: run the tests with scripts/test");
        }
        eprintln!("skipping the TLS test: no {missing} (scripts/with-postgres sets them)");
        return None;
    };
    let url = postgres_database().await?;
    Some(TlsDatabase { url, ca, wrong_ca, client_cert, client_key })
}

/// Drops, once per test process, the databases of earlier test processes that have ended (named
/// `t{pid}_…`, the process gone): a cluster kept between runs would otherwise grow by every test's
/// database. A database another process drops first, or still uses, is left alone.
async fn drop_leftovers(conn: &mut sqlx::PgConnection) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 't%\\_%\\_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for (name,) in names {
        let pid = name[1..].split('_').next().and_then(|p| p.parse::<u32>().ok());
        let ended =
            pid.is_some_and(|pid| pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists());
        if ended && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let _ =
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut *conn).await;
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

/// A SQLite database file as an older Rally left it: the migrations before `version` applied, nothing
/// else. Tests fill it with SQL of that schema, then open it with [`crate::open`] to check the upgrade.
pub async fn sqlite_before(version: i64) -> (tempfile::TempDir, std::path::PathBuf, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let path = dir.path().join("old.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    sqlx::raw_sql(
        "CREATE TABLE rally_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    for &(v, name, sql) in crate::sqlite::MIGRATIONS.iter().filter(|m| m.0 < version) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap_or_else(|e| panic!("migration {v}: {e}"));
        sqlx::query("INSERT INTO rally_migrations (version, name, applied_at) VALUES ($1, $2, 0)")
            .bind(v)
            .bind(name)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    (dir, path, pool)
}

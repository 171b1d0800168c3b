//! The PostgreSQL backend, for large and umbrella campaigns with several app and worker processes.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};

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
    (15, "staged outbox", include_str!("../migrations/postgres/0015_staged_outbox.sql")),
    (16, "audit log", include_str!("../migrations/postgres/0016_audit.sql")),
    (17, "consent records", include_str!("../migrations/postgres/0017_consent.sql")),
    (18, "erasure", include_str!("../migrations/postgres/0018_privacy.sql")),
    (19, "two-factor sign-in", include_str!("../migrations/postgres/0019_second_factor.sql")),
    (20, "retention rules", include_str!("../migrations/postgres/0020_retention.sql")),
    (21, "session details", include_str!("../migrations/postgres/0021_session_details.sql")),
    (22, "activities and attribution", include_str!("../migrations/postgres/0022_activities.sql")),
    (23, "activity imports", include_str!("../migrations/postgres/0023_activity_imports.sql")),
];

/// Rally on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::Pool<Db>,
    /// Write transactions that waited for a connection, for monitoring.
    waits: std::sync::Arc<crate::operations::AcquireWaits>,
}

impl PgStore {
    /// Connects with everything the URL says, TLS included (`sslmode`, `sslrootcert`, `sslcert`,
    /// `sslkey`; see [`Tls`]), and migrates. A TLS problem is a `Config` error that says what is wrong.
    pub async fn open(url: &str) -> Result<PgStore> {
        let options: PgConnectOptions =
            url.parse().map_err(|e| StoreError::Config(format!("bad PostgreSQL URL `{}`: {e}", crate::redact(url))))?;
        let tls = Tls::of(&options);
        tls.check_files()?;
        let options = tls.apply(options);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .before_acquire(crate::reusable)
            .connect_with(options)
            .await
            .map_err(|e| tls.explain(e))?;
        let store = PgStore { pool, waits: Default::default() };
        store.migrate().await?;
        Ok(store)
    }

    /// Whether this store's connections are encrypted, as the server sees them (`pg_stat_ssl`).
    #[cfg(feature = "testing")]
    pub async fn connection_is_tls(&self) -> Result<bool> {
        let ssl = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_optional(&self.pool)
            .await?;
        Ok(ssl.unwrap_or(false))
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

/// What a connection's options say about TLS: the URL's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`
/// (or `PGSSLMODE`, `PGSSLROOTCERT`, … when the URL has none), read back from the parsed options so that
/// Rally's checks and messages see what the driver will use.
///
/// The driver follows libpq's modes but for one difference, which [`Tls::apply`] removes: libpq's
/// `sslmode=require` checks the server's certificate against `sslrootcert` when one is given (as
/// `verify-ca` does), where the driver would accept any certificate.
#[derive(Debug, Clone)]
struct Tls {
    mode: PgSslMode,
    host: String,
    port: u16,
    root_cert: Option<String>,
    client_cert: Option<String>,
    client_key: Option<String>,
}

/// How a certificate given inline (`PGSSLROOTCERT` holding PEM text) is named in messages.
const INLINE: &str = "the certificate given inline";

impl Tls {
    fn of(options: &PgConnectOptions) -> Tls {
        let url = sqlx::ConnectOptions::to_url_lossy(options);
        // Files come back as `file: PATH`, inline certificates as their PEM text.
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.strip_prefix("file: ").map_or_else(|| INLINE.to_owned(), str::to_owned))
        };
        Tls {
            mode: options.get_ssl_mode(),
            host: options.get_host().to_owned(),
            port: options.get_port(),
            root_cert: param("sslrootcert"),
            client_cert: param("sslcert"),
            client_key: param("sslkey"),
        }
    }

    /// Whether connections may go without TLS (`disable`, `allow`): then no certificate is read.
    fn optional(&self) -> bool {
        matches!(self.mode, PgSslMode::Disable | PgSslMode::Allow)
    }

    /// The certificate files named must be readable, and a client certificate comes with its key: said
    /// before connecting, by the parameter's name, rather than as an I/O error in the handshake.
    fn check_files(&self) -> Result<()> {
        if self.optional() {
            return Ok(());
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            return Err(StoreError::Config(
                "PostgreSQL URL: sslcert and sslkey go together (a client certificate and its private key)".into(),
            ));
        }
        let files = [("sslrootcert", &self.root_cert), ("sslcert", &self.client_cert), ("sslkey", &self.client_key)];
        for (param, path) in files {
            let Some(path) = path.as_deref().filter(|p| *p != INLINE) else { continue };
            if let Err(e) = std::fs::File::open(path) {
                return Err(StoreError::Config(format!("PostgreSQL URL: {param} `{path}` cannot be read: {e}")));
            }
        }
        Ok(())
    }

    /// `sslmode=require` with an `sslrootcert` checks the server's certificate against it, as libpq does.
    fn apply(&self, options: PgConnectOptions) -> PgConnectOptions {
        match (self.mode, &self.root_cert) {
            (PgSslMode::Require, Some(_)) => options.ssl_mode(PgSslMode::VerifyCa),
            _ => options,
        }
    }

    /// A failed connection's error; a TLS failure becomes a `Config` error in words an operator can act
    /// on, since trying again would fail the same way.
    fn explain(&self, e: sqlx::Error) -> StoreError {
        let detail = match &e {
            sqlx::Error::Tls(inner) => inner.to_string(),
            // The handshake's failures come back from the TLS library as invalid data on the socket.
            sqlx::Error::Io(io) if !self.optional() && io.kind() == std::io::ErrorKind::InvalidData => io.to_string(),
            _ => return e.into(),
        };
        StoreError::Config(format!(
            "cannot connect to PostgreSQL at {}:{} over TLS: {}",
            self.host,
            self.port,
            self.problem(&detail)
        ))
    }

    /// What a TLS failure means for this connection, from the TLS library's own words in `detail`.
    fn problem(&self, detail: &str) -> String {
        let says = |words: &[&str]| words.iter().any(|w| detail.contains(w));
        // A CA of the same name with another key (one renewed, say) fails the signature instead.
        if says(&["UnknownIssuer", "BadSignature"]) {
            return match &self.root_cert {
                Some(ca) => format!("the database server's certificate is not signed by the CA in sslrootcert ({ca})"),
                None => "the database server's certificate is not signed by a CA this system trusts: name the CA \
                         certificate your provider publishes with sslrootcert=/path/to/ca.pem"
                    .into(),
            };
        }
        if says(&["NotValidForName", "not valid for name"]) {
            return format!(
                "the database server's certificate is not made out to `{}`: connect by the host name on the \
                 certificate (sslmode=verify-full checks the name; verify-ca only the CA)",
                self.host
            );
        }
        if says(&["Expired", "expired", "NotValidYet", "not valid yet"]) {
            return "the database server's certificate has expired or is not valid yet (check it, and this \
                    machine's clock)"
                .into();
        }
        if says(&["server does not support TLS"]) {
            return format!(
                "the database server does not accept TLS connections, and sslmode={} requires them",
                mode_name(self.mode)
            );
        }
        if says(&["received fatal alert"]) {
            let hint = match self.client_cert {
                Some(_) => "check that sslcert is signed by a CA the server trusts",
                None => "if it asks for a client certificate, give one with sslcert and sslkey",
            };
            return format!("the database server ended the TLS handshake ({detail}): {hint}");
        }
        format!("the TLS handshake failed: {detail}")
    }
}

/// How a mode is written in `sslmode`.
fn mode_name(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
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

#[cfg(test)]
mod tests {
    use super::{PgConnectOptions, Tls, mode_name};
    use crate::StoreError;

    fn tls(url: &str) -> Tls {
        Tls::of(&url.parse::<PgConnectOptions>().unwrap_or_else(|e| panic!("{url}: {e}")))
    }

    #[test]
    fn tls_parameters_are_read_from_the_url() {
        let t = tls("postgres://rally@db.example.org:6543/rally?sslmode=verify-full&sslrootcert=/etc/rally/ca%20x.pem");
        assert_eq!(mode_name(t.mode), "verify-full");
        assert_eq!((t.host.as_str(), t.port), ("db.example.org", 6543));
        assert_eq!(t.root_cert.as_deref(), Some("/etc/rally/ca x.pem"));
        assert_eq!((t.client_cert, t.client_key), (None, None));
        let t = tls("postgres://rally@db/rally?sslmode=verify-ca&sslcert=/c.pem&sslkey=/c.key");
        assert_eq!((t.client_cert.as_deref(), t.client_key.as_deref()), (Some("/c.pem"), Some("/c.key")));
    }

    #[test]
    fn require_with_a_root_certificate_checks_it_as_libpq_does() {
        let with_ca = "postgres://rally@db/rally?sslmode=require&sslrootcert=/ca.pem";
        let options: PgConnectOptions = with_ca.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode_name(tls(with_ca).apply(options).get_ssl_mode()), "verify-ca");
        for url in ["postgres://rally@db/rally?sslmode=require", "postgres://rally@db/rally?sslmode=verify-full"] {
            let options: PgConnectOptions = url.parse().unwrap_or_else(|e| panic!("{e}"));
            let mode = mode_name(options.get_ssl_mode());
            assert_eq!(mode_name(tls(url).apply(options).get_ssl_mode()), mode, "{url}");
        }
    }

    #[test]
    fn certificate_files_are_checked_before_connecting() {
        let message = |url: &str| match tls(url).check_files() {
            Err(StoreError::Config(m)) => m,
            other => panic!("{url}: {other:?}"),
        };
        let m = message("postgres://rally@db/rally?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
        assert!(m.starts_with("PostgreSQL URL: sslrootcert `/nonexistent/ca.pem` cannot be read: "), "{m}");
        let m = message("postgres://rally@db/rally?sslmode=require&sslcert=/c.pem");
        assert!(m.contains("sslcert and sslkey go together"), "{m}");
        // Without TLS nothing is read.
        assert!(tls("postgres://rally@db/rally?sslmode=disable&sslrootcert=/nonexistent").check_files().is_ok());
    }

    /// The TLS library's words (rustls 0.23's `Display`) and what Rally says instead.
    #[test]
    fn tls_failures_are_said_plainly() {
        let with_ca = tls("postgres://rally@db.example.org/rally?sslmode=verify-full&sslrootcert=/etc/rally/ca.pem");
        let system_roots = tls("postgres://rally@db.example.org/rally?sslmode=verify-full");
        let require = tls("postgres://rally@db.example.org/rally?sslmode=require");
        let with_cert = tls("postgres://rally@db.example.org/rally?sslmode=verify-full&sslcert=/c.pem&sslkey=/c.key");
        for (t, detail, expected) in [
            (
                &with_ca,
                "invalid peer certificate: UnknownIssuer",
                "the database server's certificate is not signed by the CA in sslrootcert (/etc/rally/ca.pem)",
            ),
            (&system_roots, "invalid peer certificate: UnknownIssuer", "not signed by a CA this system trusts"),
            (&with_ca, "invalid peer certificate: BadSignature", "is not signed by the CA in sslrootcert"),
            (
                &with_ca,
                "invalid peer certificate: certificate not valid for name \"db.example.org\"; certificate is only \
                 valid for DnsName(\"localhost\")",
                "is not made out to `db.example.org`",
            ),
            (&with_ca, "invalid peer certificate: NotValidForName", "is not made out to `db.example.org`"),
            (
                &with_ca,
                "invalid peer certificate: certificate expired: verification time 1767225600 (UNIX), but \
                 certificate is not valid after 1767139200 (86400 seconds ago)",
                "has expired or is not valid yet",
            ),
            (
                &require,
                "server does not support TLS",
                "does not accept TLS connections, and sslmode=require requires them",
            ),
            (&require, "received fatal alert: CertificateRequired", "give one with sslcert and sslkey"),
            (&with_cert, "received fatal alert: UnknownCA", "check that sslcert is signed by a CA the server trusts"),
            (&require, "peer is incompatible: Tls12NotOffered", "the TLS handshake failed: peer is incompatible"),
        ] {
            let got = t.problem(detail);
            assert!(got.contains(expected), "{detail}: {got}");
        }
    }

    #[test]
    fn other_connection_failures_keep_their_class() {
        let t = tls("postgres://rally@db/rally?sslmode=verify-full");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(matches!(t.explain(sqlx::Error::Io(refused)), StoreError::Unavailable(_)));
        let tls_io = std::io::Error::new(std::io::ErrorKind::InvalidData, "invalid peer certificate: UnknownIssuer");
        let m = t.explain(sqlx::Error::Io(tls_io)).to_string();
        assert!(
            m.starts_with("cannot connect to PostgreSQL at db:5432 over TLS: the database server's certificate"),
            "{m}"
        );
    }
}

//! PostgreSQL over TLS, as a managed database is reached: `sslmode`, `sslrootcert`, `sslcert` and
//! `sslkey` in the database URL, against the test cluster's throwaway CA (`scripts/with-postgres`).
//! PostgreSQL only: SQLite is a file.

use rally_store::testing::{TlsDatabase, postgres_tls};
use rally_store::{PgStore, StoreError};

/// Opens the database as Rally does (`rally_store::open`, which migrates it), then says whether the
/// store's connections are encrypted, as the server sees them.
async fn connects_over_tls(url: &str) -> Result<bool, StoreError> {
    rally_store::open(url).await?;
    PgStore::open(url).await?.connection_is_tls().await
}

/// The message a refused connection gives.
async fn refusal(url: &str) -> String {
    match rally_store::open(url).await {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn the_servers_certificate_is_checked_against_sslrootcert() {
    let Some(db) = postgres_tls().await else { return };
    let ca = &db.ca;
    for query in [
        format!("sslmode=verify-full&sslrootcert={ca}"),
        format!("sslmode=verify-ca&sslrootcert={ca}"),
        // As libpq: a root certificate makes `require` check the CA too.
        format!("sslmode=require&sslrootcert={ca}"),
        // Encrypted, nothing checked.
        "sslmode=require".to_owned(),
    ] {
        let url = db.with(&query);
        assert!(connects_over_tls(&url).await.unwrap_or_else(|e| panic!("{query}: {e}")), "{query}");
    }
    // Not asked for, not used: the check above can tell.
    assert!(!connects_over_tls(&db.with("sslmode=disable")).await.unwrap_or_else(|e| panic!("{e}")));
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused_in_plain_words() {
    let Some(db) = postgres_tls().await else { return };
    let server = db.url.split('@').nth(1).and_then(|s| s.split('/').next()).unwrap_or_default().to_owned();
    let wrong = &db.wrong_ca;
    let signed_by_another = format!(
        "cannot connect to PostgreSQL at {server} over TLS: the database server's certificate is not signed by the CA in sslrootcert ({wrong})"
    );
    for mode in ["verify-full", "verify-ca", "require"] {
        let got = refusal(&db.with(&format!("sslmode={mode}&sslrootcert={wrong}"))).await;
        assert_eq!(got, signed_by_another, "{mode}");
    }
    // No sslrootcert: the system's CAs, which never signed the test cluster's certificate.
    let got = refusal(&db.with("sslmode=verify-full")).await;
    assert!(got.contains("is not signed by a CA this system trusts: name the CA certificate"), "{got}");
    let missing = format!("{}.missing", db.ca);
    let got = refusal(&db.with(&format!("sslmode=verify-full&sslrootcert={missing}"))).await;
    assert!(got.starts_with(&format!("PostgreSQL URL: sslrootcert `{missing}` cannot be read: ")), "{got}");
}

#[tokio::test]
async fn a_client_certificate_signs_in_its_user() {
    let Some(db) = postgres_tls().await else { return };
    let TlsDatabase { ca, client_cert, client_key, .. } = &db;
    let with_cert =
        db.as_cert_user(&format!("sslmode=verify-full&sslrootcert={ca}&sslcert={client_cert}&sslkey={client_key}"));
    assert!(connects_over_tls(&with_cert).await.unwrap_or_else(|e| panic!("{e}")));
    // The same user without it is turned away by the server (pg_hba's `cert`).
    let got = refusal(&db.as_cert_user(&format!("sslmode=verify-full&sslrootcert={ca}"))).await;
    assert!(got.contains("connection requires a valid client certificate"), "{got}");
    let got = refusal(&db.as_cert_user(&format!("sslmode=verify-full&sslrootcert={ca}&sslcert={client_cert}"))).await;
    assert!(got.contains("sslcert and sslkey go together"), "{got}");
}

//! The retention rules from the command line, on a SQLite file: `rally privacy purge` (a dry run
//! counts what they would remove and changes nothing; the run removes it, once), and `rally serve`
//! applying them at start-up.

use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{Duration, Utc};
use rally_domain::Email;
use rally_domain::retention::RetentionRule;

use super::cli::{RALLY, Running, fails, free_port, ok, wait_healthy};

/// A SQLite file with one remembered browser used today and one unused for 400 days (they are kept
/// a year; remembering one sweeps those older than a year before it, hence this order).
async fn with_an_old_browser(db: &str) {
    let store = rally_store::open(db).await.unwrap_or_else(|e| panic!("{e}"));
    let email = Email::parse("ana@example.org").unwrap_or_else(|e| panic!("{e}"));
    let ana = store.create_user(&email, "Ana", None).await.unwrap_or_else(|e| panic!("{e}"));
    for (hash, days) in [("current", 0), ("old", -400)] {
        let used = Utc::now() + Duration::days(days);
        store.remember_device(ana.id, hash, used).await.unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn purge_shows_then_applies_the_retention_rules() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("rally.db").display().to_string();
    with_an_old_browser(&db).await;
    let line =
        |out: &str| out.lines().find(|l| l.starts_with("Sessions and sign-in records")).unwrap_or_default().to_owned();
    for _ in 0..2 {
        let dry = ok(&["privacy", "purge", "--dry-run", "--database", &db], None);
        assert!(line(&dry).contains(" 1 rows (deleted)"), "{dry}");
        assert!(dry.contains("Dry run: nothing was changed."), "{dry}");
        assert!(dry.starts_with("What the retention rules would change now:"), "{dry}");
        assert!(dry.contains("Unconfirmed registrations"), "every rule is listed: {dry}");
    }
    let applied = ok(&["privacy", "purge", "--database", &db], None);
    assert!(line(&applied).contains(" 1 rows (deleted)"), "{applied}");
    let after = ok(&["privacy", "purge", "--dry-run", "--database", &db], None);
    assert!(line(&after).contains(" 0 rows (deleted)"), "{after}");
    fails(&["privacy", "purge", "--dry-run", "--campaign", "nope", "--database", &db], None, "no campaign `nope`");
    let store = rally_store::open(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let current = store.known_device("current", Utc::now()).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(current.is_some(), "a browser used today stays");
}

/// `rally serve` applies the rules at start-up (and then daily), and still stops at once on SIGTERM.
#[tokio::test]
async fn serve_applies_the_rules_at_start_up_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("rally.db").display().to_string();
    with_an_old_browser(&db).await;
    let store = rally_store::open(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let before = store.apply_retention(Utc::now(), None, 500, true).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.count(RetentionRule::SignInRecords), 1);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let data_dir = dir.path().join("files").display().to_string();
    let child = Command::new(RALLY)
        .args(["serve", "--no-worker", "--listen", &listen, "--database", &db, "--data-dir", &data_dir])
        .env_remove("RALLY_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("rally serve: {e}"));
    let mut server = Running(child);
    wait_healthy(&format!("http://{listen}")).await;
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let due = store.apply_retention(Utc::now(), None, 500, true).await.unwrap_or_else(|e| panic!("{e}"));
        if due.count(RetentionRule::SignInRecords) == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not apply the rules: {due:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let current = store.known_device("current", Utc::now()).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(current.is_some(), "a browser used today stays");
    let term = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status();
    assert!(term.is_ok_and(|s| s.success()));
    let exited = server.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(exited.success(), "{exited:?}");
}

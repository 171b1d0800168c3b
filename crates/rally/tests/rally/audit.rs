//! `rally audit` on a SQLite file: the operator reads what was done, at the command line too, as text
//! or JSON Lines, filtered; a wrong filter is named.

use rally_domain::Email;

use super::cli::{fails, ok};

#[tokio::test]
async fn the_operator_reads_the_audit_log() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("rally.db").display().to_string();
    ok(&["user", "add", "--database", &db, "--email", "ana@example.org", "--name", "Ana"], Some("a long password\n"));
    ok(&["token", "create", "--database", &db, "--email", "ana@example.org", "--label", "=script"], None);
    {
        let store = rally_store::open(&db).await.unwrap_or_else(|e| panic!("{e}"));
        // A failed sign-in with an address that has no account: only the whole log shows it.
        let nobody = Email::parse("nobody@example.org").unwrap_or_else(|e| panic!("{e}"));
        store.record_sign_in_failed(&nobody).await.unwrap_or_else(|e| panic!("{e}"));
    }

    let text = ok(&["audit", "--database", &db], None);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("nobody@example.org  sign_in_failed"), "newest first: {text}");
    assert!(lines[1].contains("operator  token_created  token =script") && lines[1].ends_with("cli"), "{text}");

    let json = ok(&["audit", "--database", &db, "--json", "--action", "token_created", "--limit", "5"], None);
    let entries: Vec<serde_json::Value> =
        json.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(entries.len(), 1, "{json}");
    assert_eq!((entries[0]["via"].as_str(), entries[0]["target"].as_str()), (Some("cli"), Some("=script")));
    let mine = ok(&["audit", "--database", &db, "--email", "ana@example.org", "--since", "2000-01-01"], None);
    assert_eq!(mine.lines().count(), 1, "{mine}");
    assert!(ok(&["audit", "--database", &db, "--until", "2000-01-01"], None).is_empty());

    fails(&["audit", "--database", &db, "--action", "dropped_tables"], None, "--action");
    fails(&["audit", "--database", &db, "--campaign", "nowhere"], None, "--campaign");
}

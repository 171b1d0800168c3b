//! `rally user turn-off-second-factor`: the operator's way back in for someone who lost both their
//! phone and their recovery codes, audited as the operator's doing.

use rally_domain::totp::Secret;
use rally_domain::{AuditAction, Email};
use rally_store::{Actor, AuditFilter};

use super::cli::{fails, ok};

#[tokio::test]
async fn the_operator_turns_off_a_lost_second_factor() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("rally.db").display().to_string();
    ok(&["user", "add", "--database", &db, "--email", "ana@example.org", "--name", "Ana"], Some("a long password\n"));
    let ana = {
        let store = rally_store::open(&db).await.unwrap_or_else(|e| panic!("{e}"));
        let email = Email::parse("ana@example.org").unwrap_or_else(|e| panic!("{e}"));
        let ana = store.user_by_email(&email).await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("Ana"));
        let secret = Secret::from_bytes(b"12345678901234567890");
        let now = chrono::Utc::now();
        store.begin_second_factor(ana.id, &secret).await.unwrap_or_else(|e| panic!("{e}"));
        let code = secret.code_at(now.timestamp());
        assert!(store.enable_second_factor(ana.id, &code, now, &[]).await.unwrap_or_else(|e| panic!("{e}")));
        ana.id
    };
    let said = ok(&["user", "turn-off-second-factor", "--database", &db, "--email", "ana@example.org"], None);
    assert!(said.contains("two-factor sign-in of ana@example.org is off"), "{said}");
    fails(
        &["user", "turn-off-second-factor", "--database", &db, "--email", "ana@example.org"],
        None,
        "ana@example.org has no two-factor sign-in",
    );
    let store = rally_store::open(&db).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.second_factor(ana).await.unwrap_or_else(|e| panic!("{e}")), None);
    let filter = AuditFilter { action: Some(AuditAction::SecondFactorDisabled), ..AuditFilter::default() };
    let entries = store.audit_entries(Actor::System, None, &filter).await.unwrap_or_else(|e| panic!("{e}")).entries;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].actor.as_str(), entries[0].via.as_str()), ("operator", "cli"));
    assert_eq!(entries[0].target.as_deref(), Some("ana@example.org"));
}

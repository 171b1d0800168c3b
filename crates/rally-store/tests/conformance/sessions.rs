//! The account page's session list on both backends: each browser's user agent as it signed in, the
//! list showing a user only their own sessions by a handle that is not the token's hash, and ending one
//! session of one's own (audited) while someone else's cannot be ended.

use chrono::{Duration, Utc};
use rally_domain::AuditAction;
use rally_store::{Actor, AuditFilter, Origin, Store, StoreError, session_handle, with_origin};

use super::{ok, user};

conformance!(sessions_are_listed_to_their_owner_and_ended_one_at_a_time);

fn browser(agent: &str) -> Origin {
    Origin { user_agent: Some(agent.to_owned()), via: "web", ..Origin::default() }
}

pub async fn sessions_are_listed_to_their_owner_and_ended_one_at_a_time(store: &dyn Store) {
    let ana = user(store, "Ana").await.id;
    let ben = user(store, "Ben").await.id;
    let later = Utc::now() + Duration::hours(1);
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    with_origin(browser(firefox), async { ok(store.create_session(ana, "ana-laptop", "c1", later).await) }).await;
    // An overlong user agent is cut, not refused.
    let long = "x".repeat(1000);
    with_origin(browser(&long), async { ok(store.create_session(ana, "ana-phone", "c2", later).await) }).await;
    ok(store.create_session(ana, "ana-expired", "c3", Utc::now() - Duration::seconds(1)).await);
    ok(store.create_session(ben, "ben-desk", "c4", later).await);

    let listed = ok(store.user_sessions(ana).await);
    let mut handles: Vec<&str> = listed.iter().map(|s| s.handle.as_str()).collect();
    handles.sort_unstable();
    let mut expected = vec![session_handle("ana-laptop"), session_handle("ana-phone")];
    expected.sort_unstable();
    assert_eq!(handles, expected, "Ana's live sessions only: not the expired one, not Ben's");
    for s in &listed {
        assert_eq!(s.handle.len(), 16);
        assert!(!s.handle.contains("ana-"), "the handle is not the token hash");
        assert!(s.last_seen_at.is_some(), "a new session was seen when it was made");
        assert!(s.created_at <= Utc::now() && s.expires_at > Utc::now());
    }
    let agent_of = |hash: &str| {
        listed.iter().find(|s| s.handle == session_handle(hash)).and_then(|s| s.user_agent.clone()).unwrap_or_default()
    };
    assert_eq!(agent_of("ana-laptop"), firefox);
    assert_eq!(agent_of("ana-phone").len(), rally_store::audit::MAX_USER_AGENT);
    assert_eq!(ok(store.user_sessions(ben).await).len(), 1);
    assert_ne!(session_handle("ana-laptop"), session_handle("ana-phone"));

    // Looking a session up keeps working and does not need a write each time.
    for _ in 0..3 {
        assert!(ok(store.session("ana-laptop").await).is_some());
    }

    // Ben cannot end Ana's session, even knowing its handle; nothing is ended or audited.
    let refused = store.end_session(ben, &session_handle("ana-phone")).await;
    assert!(matches!(refused, Err(StoreError::NotFound(_))), "{refused:?}");
    assert!(matches!(store.end_session(ana, "0123456789abcdef").await, Err(StoreError::NotFound(_))));
    // Nor can a token hash stand in for a handle.
    assert!(matches!(store.end_session(ana, "ana-phone").await, Err(StoreError::NotFound(_))));
    assert_eq!(ok(store.user_sessions(ana).await).len(), 2);

    // Ana ends her phone: the laptop stays signed in, Ben is untouched, and the log says so once.
    with_origin(browser(firefox), async { ok(store.end_session(ana, &session_handle("ana-phone")).await) }).await;
    assert!(ok(store.session("ana-phone").await).is_none(), "the phone is signed out");
    assert!(ok(store.session("ana-laptop").await).is_some());
    assert!(ok(store.session("ben-desk").await).is_some());
    let left: Vec<String> = ok(store.user_sessions(ana).await).into_iter().map(|s| s.handle).collect();
    assert_eq!(left, vec![session_handle("ana-laptop")]);
    assert!(matches!(store.end_session(ana, &session_handle("ana-phone")).await, Err(StoreError::NotFound(_))));

    let filter = AuditFilter { action: Some(AuditAction::SessionEnded), ..AuditFilter::default() };
    let entries = ok(store.audit_entries(Actor::System, None, &filter).await).entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].user_id, Some(ana));
    assert_eq!(entries[0].target_kind.as_deref(), Some("session"));
    assert_eq!(entries[0].target.as_deref(), Some(session_handle("ana-phone").as_str()));
    assert_eq!(entries[0].user_agent.as_deref(), Some(firefox), "the browser that did the ending");
}

//! The audit log, on both backends: entries written in the change's transaction with the request's
//! origin, none for a change that did not happen, read by owners only, filtered and paged, and a person
//! pseudonymized by erasure.

use chrono::{Duration, Utc};
use rally_domain::{AuditAction, Category, Email, Role};
use rally_store::{Actor, AuditEntry, AuditFilter, Origin, Store, StoreError, with_origin};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::{campaign_fields, ok, partner, user};

conformance!(
    changes_are_audited_with_their_origin,
    a_change_that_did_not_happen_leaves_no_entry,
    owners_read_the_log_and_no_one_else_does,
    the_log_is_filtered_and_paged_newest_first,
    sign_ins_and_failures_are_audited,
    erasure_pseudonymizes_a_person_in_the_log,
    the_team_s_other_changes_are_audited,
);

fn web(address: &str) -> Origin {
    Origin {
        address: Some(address.into()),
        user_agent: Some("Firefox/140".into()),
        request_id: Some("req-7".into()),
        via: "web",
    }
}

async fn all(store: &dyn Store, actor: Actor, campaign: rally_domain::CampaignId) -> Vec<AuditEntry> {
    let filter = AuditFilter { limit: Some(200), ..AuditFilter::default() };
    ok(store.audit_entries(actor, Some(campaign), &filter).await).entries
}

fn actions(entries: &[AuditEntry]) -> Vec<AuditAction> {
    entries.iter().map(|e| e.action).collect()
}

pub async fn changes_are_audited_with_their_origin(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("audited")).await);
    ok(store.set_role(owner, c.id, mia.id, Role::Member).await);
    with_origin(web("192.0.2.7"), async {
        ok(store.set_role(owner, c.id, mia.id, Role::Coordinator).await);
    })
    .await;

    let entries = all(store, owner, c.id).await;
    assert_eq!(actions(&entries), [AuditAction::RoleChanged, AuditAction::RoleChanged], "newest first");
    let e = &entries[0];
    assert_eq!(e.actor, "Ana <ana@example.org>");
    assert_eq!((e.user_id, e.campaign_id), (Some(ana.id), Some(c.id)));
    assert_eq!(
        (e.target_kind.as_deref(), e.target_id, e.target.as_deref()),
        (Some("user"), Some(mia.id.0), Some("mia@example.org"))
    );
    assert_eq!(e.detail, serde_json::json!({ "from": "member", "to": "coordinator" }));
    assert_eq!(
        (e.client_address.as_deref(), e.user_agent.as_deref(), e.request_id.as_deref(), e.via.as_str()),
        (Some("192.0.2.7"), Some("Firefox/140"), Some("req-7"), "web")
    );
    // Outside a request: the command line, with no address.
    let first = &entries[1];
    assert_eq!((first.via.as_str(), first.client_address.as_deref()), ("cli", None));
    assert_eq!(first.detail["from"], serde_json::Value::Null, "she was not on the team");

    // Settings name the fields that changed, not their values.
    let patch = rally_domain::CampaignDraft { goal_students: Some(60_000), ..Default::default() };
    ok(store.update_campaign(owner, c.id, patch).await);
    let p = ok(store.create_partner(owner, c.id, partner("Zagreb Library", Category::Authority, 900)).await);
    ok(store.delete_partner(owner, p.id).await);
    ok(store.record_download(owner, c.id, "contacts", serde_json::json!({ "format": "csv" })).await);
    let entries = all(store, owner, c.id).await;
    assert_eq!(
        actions(&entries[..3]),
        [AuditAction::PersonalDataExported, AuditAction::PartnerDeleted, AuditAction::CampaignSettingsChanged]
    );
    assert_eq!(entries[0].target.as_deref(), Some("contacts"));
    assert_eq!(entries[1].target.as_deref(), Some("Zagreb Library"));
    assert_eq!(entries[2].detail, serde_json::json!({ "changed": ["goal_students"] }));
}

pub async fn a_change_that_did_not_happen_leaves_no_entry(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("rolled-back")).await);
    ok(store.set_role(owner, c.id, mia.id, Role::Member).await);
    let before = all(store, owner, c.id).await.len();

    // Refused: a member may not change roles.
    let refused = store.set_role(Actor::User(mia.id), c.id, mia.id, Role::Owner).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    // Refused after the checks passed: the campaign keeps an owner.
    assert!(store.remove_member(owner, c.id, ana.id).await.is_err());
    // Written, then rolled back: a merge's dry run writes its entry in the transaction it discards.
    let a = ok(store.create_partner(owner, c.id, partner("Code Club", Category::Nonprofit, 100)).await);
    let b = ok(store.create_partner(owner, c.id, partner("Code Club Split", Category::Nonprofit, 50)).await);
    ok(store.merge_partners(owner, a.id, b.id, true).await);
    assert_eq!(all(store, owner, c.id).await.len(), before, "nothing that did not happen is in the log");

    ok(store.merge_partners(owner, a.id, b.id, false).await);
    let entries = all(store, owner, c.id).await;
    assert_eq!(entries.len(), before + 1);
    assert_eq!(entries[0].action, AuditAction::PartnersMerged);
    assert_eq!((entries[0].target_id, entries[0].target.as_deref()), (Some(b.id.0), Some("Code Club Split")));
    assert_eq!(entries[0].detail["into_id"], serde_json::json!(a.id.0));
}

pub async fn owners_read_the_log_and_no_one_else_does(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let zed = user(store, "Zed").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("readers")).await);
    let other = ok(store.create_campaign(Actor::User(zed.id), campaign_fields("elsewhere")).await);
    ok(store.set_role(owner, c.id, mia.id, Role::Coordinator).await);
    ok(store.update_campaign(Actor::User(zed.id), other.id, Default::default()).await);
    // Account entries: the team's sign-ins show in the campaign's log; an outsider's do not.
    let later = Utc::now() + Duration::days(1);
    ok(store.create_session(mia.id, "mia-session", "csrf", later).await);
    ok(store.create_session(zed.id, "zed-session", "csrf", later).await);

    let filter = AuditFilter::default();
    let refused = store.audit_entries(Actor::User(mia.id), Some(c.id), &filter).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "a coordinator: {refused:?}");
    let hidden = store.audit_entries(Actor::User(zed.id), Some(c.id), &filter).await;
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "an outsider: {hidden:?}");
    let whole = store.audit_entries(owner, None, &filter).await;
    assert!(matches!(whole, Err(StoreError::Forbidden)), "only the operator reads every campaign's");

    let entries = all(store, owner, c.id).await;
    assert_eq!(actions(&entries), [AuditAction::SignIn, AuditAction::RoleChanged]);
    assert_eq!((entries[0].user_id, entries[0].campaign_id), (Some(mia.id), None));
    assert!(entries.iter().all(|e| e.user_id != Some(zed.id)), "Zed is not on the team");

    let everything = ok(store.audit_entries(Actor::System, None, &AuditFilter::default()).await).entries;
    assert!(everything.iter().any(|e| e.campaign_id == Some(other.id)));
    assert!(everything.iter().any(|e| e.user_id == Some(zed.id) && e.action == AuditAction::SignIn));
}

pub async fn the_log_is_filtered_and_paged_newest_first(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("filtered")).await);
    ok(store.set_role(owner, c.id, mia.id, Role::Coordinator).await);
    for (i, name) in ["Alpha School", "Beta_School", "Gamma Museum", "delta school", "Epsilon Club"].iter().enumerate()
    {
        let by = if i % 2 == 0 { owner } else { Actor::User(mia.id) };
        let p = ok(store.create_partner(owner, c.id, partner(name, Category::SchoolNetwork, 10)).await);
        ok(store.delete_partner(by, p.id).await);
    }
    let page = |f: AuditFilter| async move { ok(store.audit_entries(owner, Some(c.id), &f).await) };

    let deleted = AuditFilter { action: Some(AuditAction::PartnerDeleted), ..AuditFilter::default() };
    let names = |entries: &[AuditEntry]| entries.iter().filter_map(|e| e.target.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&page(deleted.clone()).await.entries),
        ["Epsilon Club", "delta school", "Gamma Museum", "Beta_School", "Alpha School"]
    );
    let by_mia = AuditFilter { user: Some(mia.id), ..deleted.clone() };
    assert_eq!(names(&page(by_mia).await.entries), ["delta school", "Beta_School"]);
    // Any case; `_` and `%` are letters, not wildcards.
    let schools = AuditFilter { target: Some("SCHOOL".into()), ..AuditFilter::default() };
    assert_eq!(names(&page(schools).await.entries), ["delta school", "Beta_School", "Alpha School"]);
    let underscore = AuditFilter { target: Some("a_s".into()), ..AuditFilter::default() };
    assert_eq!(names(&page(underscore).await.entries), ["Beta_School"]);
    let percent = AuditFilter { target: Some("%".into()), ..AuditFilter::default() };
    assert!(page(percent).await.entries.is_empty());

    let now = Utc::now();
    let future = AuditFilter { from: Some(now + Duration::minutes(5)), ..AuditFilter::default() };
    assert!(page(future).await.entries.is_empty());
    let past = AuditFilter { until: Some(now - Duration::days(1)), ..AuditFilter::default() };
    assert!(page(past).await.entries.is_empty());
    let today =
        AuditFilter { from: Some(now - Duration::hours(1)), until: Some(now + Duration::hours(1)), ..deleted.clone() };
    assert_eq!(page(today).await.entries.len(), 5);

    // Pages of two: every entry once, newest first, and no cursor after the last.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = page(AuditFilter { before: cursor, limit: Some(2), ..deleted.clone() }).await;
        assert!(p.entries.len() <= 2);
        seen.extend(p.entries.iter().map(|e| e.id));
        match p.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first: {seen:?}");
    // A page is never empty of bounds: 0 reads one, a million reads the most a page holds.
    assert_eq!(page(AuditFilter { limit: Some(0), ..deleted.clone() }).await.entries.len(), 1);
    assert_eq!(page(AuditFilter { limit: Some(1_000_000), ..deleted }).await.entries.len(), 5);
    let long = AuditFilter { target: Some("x".repeat(201)), ..AuditFilter::default() };
    let refused = store.audit_entries(owner, Some(c.id), &long).await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.0[0].field == "target"), "{refused:?}");
}

pub async fn sign_ins_and_failures_are_audited(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("sign-ins")).await);
    with_origin(web("198.51.100.4"), async {
        ok(store.record_sign_in_failed(&ok(Email::parse("ana@example.org"))).await);
        ok(store.record_sign_in_failed(&ok(Email::parse("nobody@example.org"))).await);
        ok(store.create_session(ana.id, "ana-session", "csrf", Utc::now() + Duration::days(1)).await);
    })
    .await;
    let entries = all(store, owner, c.id).await;
    assert_eq!(actions(&entries), [AuditAction::SignIn, AuditAction::SignInFailed]);
    assert_eq!(entries[1].detail, serde_json::json!({ "account": true }));
    assert_eq!(entries[1].client_address.as_deref(), Some("198.51.100.4"));
    // An address without an account is filed under no one: only the operator sees it.
    let everything = ok(store.audit_entries(Actor::System, None, &AuditFilter::default()).await).entries;
    let unknown = everything
        .iter()
        .find(|e| e.actor == "nobody@example.org")
        .unwrap_or_else(|| panic!("the unknown address's failure is recorded: {everything:?}"));
    assert_eq!((unknown.action, unknown.user_id, unknown.campaign_id), (AuditAction::SignInFailed, None, None));
    assert_eq!(unknown.detail, serde_json::json!({ "account": false }));

    // Tokens: made and revoked, by the user.
    ok(store.create_api_token(ana.id, "hash-1", "laptop").await);
    let token = ok(store.api_tokens(ana.id).await).remove(0);
    ok(store.revoke_api_token(token.id).await);
    let entries = all(store, owner, c.id).await;
    assert_eq!(actions(&entries[..2]), [AuditAction::TokenRevoked, AuditAction::TokenCreated]);
    assert_eq!((entries[0].target_id, entries[0].target.as_deref()), (Some(token.id), Some("laptop")));
}

pub async fn erasure_pseudonymizes_a_person_in_the_log(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = ok(store.create_user(&ok(Email::parse("mia.kovac@example.org")), "Mia \"Kovač\"", None).await);
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("erased")).await);
    with_origin(web("203.0.113.9"), async {
        ok(store.set_role(owner, c.id, mia.id, Role::Coordinator).await);
        ok(store.create_session(mia.id, "mia-session", "csrf", Utc::now() + Duration::days(1)).await);
        ok(store.record_sign_in_failed(&mia.email).await);
        let p = ok(store.create_partner(Actor::User(mia.id), c.id, partner("Library", Category::Authority, 10)).await);
        ok(store.delete_partner(Actor::User(mia.id), p.id).await);
    })
    .await;
    let before = all(store, owner, c.id).await;

    ok(store.pseudonymize_in_audit(Some(mia.id), mia.email.as_str(), "erased person 1").await);
    let after = all(store, owner, c.id).await;
    assert_eq!(after.len(), before.len(), "entries stay: what the team did is still accounted for");
    assert_eq!(actions(&after), actions(&before));
    for e in &after {
        let text = serde_json::to_string(e).unwrap_or_default();
        assert!(!text.contains("mia.kovac@example.org") && !text.contains("Kovač"), "{text}");
        if e.user_id == Some(mia.id) {
            assert_eq!(e.actor, "erased person 1");
            assert_eq!((e.client_address.as_deref(), e.user_agent.as_deref()), (None, None));
        }
    }
    // Ana is untouched, and her entries keep where they came from.
    let anas: Vec<&AuditEntry> = after.iter().filter(|e| e.user_id == Some(ana.id)).collect();
    assert!(!anas.is_empty() && anas.iter().all(|e| e.actor == "Ana <ana@example.org>"));
    assert!(anas.iter().all(|e| e.client_address.as_deref() == Some("203.0.113.9")));
    let changed = anas.iter().find(|e| e.action == AuditAction::RoleChanged).map(|e| e.target.clone());
    assert_eq!(changed, Some(Some("erased person 1".to_owned())));
}

pub async fn the_team_s_other_changes_are_audited(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "others", 3).await;
    let op = Actor::System;
    let later = Utc::now() + Duration::days(7);
    let mail = |to: &str| rally_store::SystemMail {
        to: ok(Email::parse(to)),
        to_name: String::new(),
        subject: "Join".into(),
        text: "link".into(),
    };
    // Invitations: sent, sent again, withdrawn; another accepted.
    let ivo = ok(Email::parse("ivo@example.org"));
    let rally_store::Invited::Pending(first) =
        ok(store.invite(op, c, &ivo, Role::Member, "t1", later, &mail("ivo@example.org")).await)
    else {
        panic!("a new address gets an invitation")
    };
    ok(store.resend_invitation(op, c, first.id, "t2", later, &mail("ivo@example.org")).await);
    ok(store.revoke_invitation(op, c, first.id).await);
    let eva = ok(Email::parse("eva@example.org"));
    ok(store.invite(op, c, &eva, Role::Viewer, "t3", later, &mail("eva@example.org")).await);
    let (eva, _) = ok(store.accept_invitation("t3", "Eva", "hash").await);
    ok(store.change_password(eva.id, "new hash", "none").await);

    // Mail settings: the sender and the cadence, each named apart.
    let mut settings = ok(store.mail_settings(op, c).await);
    settings.from_name = "Hour of Code Croatia".into();
    ok(store.set_mail_settings(op, c, settings.clone()).await);
    settings.policy.max_per_window += 1;
    ok(store.set_mail_settings(op, c, settings).await);

    // A message queued, paused, resumed and cancelled; a contact deleted.
    let m = ok(store.create_message(op, c, message("News", Default::default()), vec![template("hr", None)]).await);
    ok(store.enqueue(op, m.id, contacts.iter().map(|k| delivery(k, 3600)).collect()).await);
    for control in [
        rally_domain::comms::SendControl::Pause,
        rally_domain::comms::SendControl::Resume,
        rally_domain::comms::SendControl::Cancel,
    ] {
        ok(store.control_message(op, m.id, control).await);
    }
    ok(store.delete_contact(op, contacts[0].id).await);

    let entries = all(store, op, c).await;
    use AuditAction::*;
    assert_eq!(
        actions(&entries),
        [
            ContactDeleted,
            MessageCancelled,
            MessageResumed,
            MessagePaused,
            MessageQueued,
            CadenceChanged,
            MailSettingsChanged,
            PasswordChanged,
            InvitationAccepted,
            InvitationSent,
            InvitationRevoked,
            InvitationSent,
            InvitationSent,
        ]
    );
    let detail = |i: usize| entries[i].detail.clone();
    assert_eq!(entries[0].target.as_deref(), Some(contacts[0].fields.name.as_str()));
    assert_eq!((entries[4].target.as_deref(), detail(4)), (Some("News"), serde_json::json!({ "emails": 3 })));
    assert_eq!(detail(3), serde_json::json!({ "emails": 3 }), "pausing holds back the three waiting");
    assert_eq!(detail(5), serde_json::json!({ "changed": ["max_per_window"] }));
    assert_eq!(detail(6), serde_json::json!({ "changed": ["from_name"] }));
    assert_eq!((entries[8].user_id, entries[8].actor.as_str()), (Some(eva.id), "Eva <eva@example.org>"));
    assert_eq!(detail(11), serde_json::json!({ "role": "member", "resent": true }));
    assert!(entries.iter().all(|e| e.action != PasswordChanged || e.campaign_id.is_none()));

    // A reset link an owner sends a member; then the campaign deleted, whose entry outlives it for the
    // operator.
    ok(store.send_member_reset(op, c, eva.id, "reset", later, &mail("eva@example.org")).await);
    let entries = all(store, op, c).await;
    assert_eq!((entries[0].action, entries[0].target.as_deref()), (ResetLinkSent, Some("eva@example.org")));
    ok(store.delete_campaign(op, c).await);
    let filter = AuditFilter { action: Some(CampaignDeleted), ..AuditFilter::default() };
    let deleted = ok(store.audit_entries(op, None, &filter).await).entries;
    assert_eq!(deleted.len(), 1);
    assert_eq!((deleted[0].campaign_id, deleted[0].detail.clone()), (Some(c), serde_json::json!({ "slug": "others" })));
}

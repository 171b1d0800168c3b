//! Bringing people onto a team from the browser, on both backends: invitations, reset links an owner
//! sends, address changes, and stopping a queued message.

use chrono::{Duration, Utc};
use rally_domain::cadence::MailKind;
use rally_domain::comms::{OutboxStatus, Segment, SendControl};
use rally_domain::{Email, Role};
use rally_store::{Actor, Delivered, Invited, Store, StoreError, SystemMail};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::{campaign_fields, ok, user};

fn mail(to: &str, subject: &str) -> SystemMail {
    SystemMail { to: ok(Email::parse(to)), to_name: String::new(), subject: subject.into(), text: "link".into() }
}

/// Claims everything due now and marks it sent; returns (recipient, subject, campaign) of each.
async fn deliver_all(store: &dyn Store) -> Vec<(String, String, Option<i64>)> {
    let now = Utc::now();
    let claimed = ok(store.claim("w", now, now + Duration::seconds(30), 100).await);
    let mut out = Vec::new();
    for c in claimed {
        assert_eq!(c.kind, MailKind::System, "team mail is system mail: never capped");
        ok(store.finish(c.id, "w", Delivered::Sent("250 ok".into()), now).await);
        out.push((c.email, c.subject, c.campaign_id.map(|x| x.0)));
    }
    out
}

pub async fn invitations_are_single_use_resent_and_revoked(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("invites")).await);
    let later = Utc::now() + Duration::days(7);
    let ivo = ok(Email::parse("ivo@example.org"));
    let Invited::Pending(first) =
        ok(store.invite(owner, c.id, &ivo, Role::Member, "t1", later, &mail("ivo@example.org", "Join")).await)
    else {
        panic!("a new address gets an invitation")
    };
    assert_eq!(
        (first.email.as_str(), first.role, first.invited_by.as_deref()),
        ("ivo@example.org", Role::Member, Some("Ana"))
    );
    assert_eq!(deliver_all(store).await, vec![("ivo@example.org".into(), "Join".into(), Some(c.id.0))]);

    // Only owners invite.
    let eva = user(store, "Eva").await;
    ok(store.set_role(owner, c.id, eva.id, Role::Coordinator).await);
    let refused =
        store.invite(Actor::User(eva.id), c.id, &ivo, Role::Owner, "t9", later, &mail("ivo@example.org", "x")).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)));
    assert!(matches!(store.invitations(Actor::User(eva.id), c.id).await, Err(StoreError::Forbidden)));

    // Resending replaces the link; the old one stops working.
    let resent =
        ok(store.resend_invitation(owner, c.id, first.id, "t2", later, &mail("ivo@example.org", "Join again")).await);
    assert_eq!(resent.id, first.id);
    assert!(ok(store.open_invitation("t1").await).is_none(), "the old link");
    let open = ok(store.open_invitation("t2").await).unwrap_or_else(|| panic!("the new link opens"));
    assert_eq!((open.campaign_slug.as_str(), open.has_account), ("invites", false));
    assert_eq!(deliver_all(store).await.len(), 1);
    assert_eq!(ok(store.invitations(owner, c.id).await).len(), 1);

    // Accepting creates the user on the team, once.
    assert!(matches!(store.accept_invitation("t1", "Ivo", "hash").await, Err(StoreError::NotFound(_))));
    let (ivo_user, slug) = ok(store.accept_invitation("t2", "Ivo Ivić", "hash").await);
    assert_eq!((ivo_user.name.as_str(), slug.as_str()), ("Ivo Ivić", "invites"));
    assert!(matches!(store.accept_invitation("t2", "Ivo", "hash").await, Err(StoreError::NotFound(_))), "single use");
    let team = ok(store.team(owner, c.id).await);
    assert!(team.iter().any(|m| m.user_id == ivo_user.id && m.role == Role::Member));
    assert!(ok(store.invitations(owner, c.id).await).is_empty(), "accepted invitations are no longer pending");
    let (_, hash) = ok(store.login_lookup(&ivo).await).unwrap_or_else(|| panic!("the new user signs in"));
    assert_eq!(hash.as_deref(), Some("hash"));

    // Revoked and expired links open nothing.
    let mara = ok(Email::parse("mara@example.org"));
    let Invited::Pending(m) =
        ok(store.invite(owner, c.id, &mara, Role::Viewer, "t3", later, &mail("mara@example.org", "Join")).await)
    else {
        panic!("pending")
    };
    ok(store.revoke_invitation(owner, c.id, m.id).await);
    assert!(ok(store.open_invitation("t3").await).is_none());
    assert!(matches!(store.accept_invitation("t3", "Mara", "h").await, Err(StoreError::NotFound(_))));
    ok(store
        .invite(
            owner,
            c.id,
            &mara,
            Role::Viewer,
            "t4",
            Utc::now() - Duration::seconds(1),
            &mail("mara@example.org", "x"),
        )
        .await);
    assert!(ok(store.open_invitation("t4").await).is_none(), "expired");
    assert!(ok(store.user_by_email(&mara).await).is_none(), "nobody was created");
    // An invitation of another campaign is not this one's to revoke.
    let other = ok(store.create_campaign(owner, campaign_fields("invites-two")).await);
    assert!(matches!(store.revoke_invitation(owner, other.id, m.id).await, Err(StoreError::NotFound(_))));
}

pub async fn inviting_a_user_grants_the_role(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("grant")).await);
    let eva = user(store, "Eva").await;
    let got = ok(store
        .invite(
            owner,
            c.id,
            &eva.email,
            Role::Viewer,
            "t",
            Utc::now() + Duration::days(7),
            &mail("eva@example.org", "Join"),
        )
        .await);
    assert!(matches!(got, Invited::Member(ref m) if m.user_id == eva.id && m.role == Role::Viewer), "{got:?}");
    assert!(deliver_all(store).await.is_empty(), "no link for someone who has an account");
    assert!(ok(store.invitations(owner, c.id).await).is_empty());
    let again = store
        .invite(
            owner,
            c.id,
            &eva.email,
            Role::Owner,
            "t2",
            Utc::now() + Duration::days(7),
            &mail("eva@example.org", "x"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "already on the team: the role is changed elsewhere");
}

pub async fn owners_send_members_reset_links(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("resets")).await);
    let eva = user(store, "Eva").await;
    let stranger = user(store, "Zoe").await;
    ok(store.set_role(owner, c.id, eva.id, Role::Member).await);
    let soon = Utc::now() + Duration::hours(1);
    assert!(matches!(
        store.send_member_reset(Actor::User(eva.id), c.id, ana.id, "r0", soon, &mail("ana@example.org", "x")).await,
        Err(StoreError::Forbidden)
    ));
    assert!(
        matches!(
            store.send_member_reset(owner, c.id, stranger.id, "r0", soon, &mail("zoe@example.org", "x")).await,
            Err(StoreError::NotFound(_))
        ),
        "only members of the owner's team"
    );
    ok(store.send_member_reset(owner, c.id, eva.id, "r1", soon, &mail("eva@example.org", "Reset")).await);
    assert_eq!(deliver_all(store).await, vec![("eva@example.org".into(), "Reset".into(), Some(c.id.0))]);
    assert_eq!(ok(store.reset_password("r1", "new").await).id, eva.id);
}

pub async fn address_changes_wait_for_their_link(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let eva = user(store, "Eva").await;
    let new = ok(Email::parse("ana.new@example.org"));
    let soon = Utc::now() + Duration::hours(24);
    let taken = store.request_email_change(ana.id, &eva.email, "e0", soon, &mail("eva@example.org", "x")).await;
    assert!(matches!(taken, Err(StoreError::Invalid(_))), "another user's address");
    ok(store.request_email_change(ana.id, &new, "e1", soon, &mail("ana.new@example.org", "Confirm")).await);
    assert_eq!(deliver_all(store).await, vec![("ana.new@example.org".into(), "Confirm".into(), None)]);
    assert!(ok(store.user_by_email(&new).await).is_none(), "nothing changes before the link is followed");
    ok(store.request_email_change(ana.id, &new, "e2", soon, &mail("ana.new@example.org", "Confirm")).await);
    assert!(
        matches!(store.confirm_email_change("e1").await, Err(StoreError::NotFound(_))),
        "a newer request replaces it"
    );
    assert_eq!(ok(store.confirm_email_change("e2").await).email, new);
    assert!(matches!(store.confirm_email_change("e2").await, Err(StoreError::NotFound(_))), "single use");
    assert_eq!(ok(store.user_by_email(&new).await).map(|u| u.id), Some(ana.id));
    assert_eq!(ok(store.time_zone(ana.id).await), "UTC");
    ok(store.set_time_zone(ana.id, "Europe/Zagreb").await);
    assert_eq!(ok(store.time_zone(ana.id).await), "Europe/Zagreb");
    assert!(matches!(store.set_time_zone(ana.id, "Mars/Olympus").await, Err(StoreError::Invalid(_))));
}

pub async fn paused_messages_are_not_claimed_until_resumed(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "pause", 5).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    assert!(
        matches!(
            store.control_message(Actor::System, m.id, SendControl::Pause).await,
            Err(StoreError::Conflict { .. })
        ),
        "a draft"
    );
    ok(store.enqueue(Actor::System, m.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    let now = Utc::now();
    // One worker holds two e-mails when the team pauses: those two finish, the rest wait.
    let held = ok(store.claim("a", now, now + Duration::seconds(30), 2).await);
    let (paused, changed) = ok(store.control_message(Actor::System, m.id, SendControl::Pause).await);
    assert!(paused.paused_at.is_some());
    assert_eq!(changed, 3);
    assert!(ok(store.claim("b", now, now + Duration::seconds(30), 10).await).is_empty(), "nothing more is claimed");
    ok(store.finish(held[0].id, "a", Delivered::Sent("250 ok".into()), now).await);
    // A retry of a paused message's e-mail waits with the others.
    ok(store.finish(held[1].id, "a", Delivered::Retry { reply: "421".into(), at: now }, now).await);
    let later = now + Duration::minutes(5);
    assert!(ok(store.claim("b", later, later + Duration::seconds(30), 10).await).is_empty());
    assert_eq!(
        ok(store.outbox_counts(Actor::System, m.id).await),
        vec![(OutboxStatus::Sent, 1), (OutboxStatus::Paused, 4)]
    );
    assert!(matches!(
        store.control_message(Actor::System, m.id, SendControl::Pause).await,
        Err(StoreError::Conflict { .. })
    ));

    let (resumed, changed) = ok(store.control_message(Actor::System, m.id, SendControl::Resume).await);
    assert_eq!((resumed.paused_at, changed), (None, 4));
    assert_eq!(
        ok(store.outbox_counts(Actor::System, m.id).await),
        vec![(OutboxStatus::Planned, 3), (OutboxStatus::Deferred, 1), (OutboxStatus::Sent, 1)],
        "each goes back to what it was"
    );
    assert_eq!(ok(store.claim("b", later, later + Duration::seconds(30), 10).await).len(), 4);
    // Viewers cannot stop a send.
    let viewer = user(store, "Vera").await;
    ok(store.set_role(Actor::System, c, viewer.id, rally_domain::Role::Viewer).await);
    assert!(matches!(
        store.control_message(Actor::User(viewer.id), m.id, SendControl::Pause).await,
        Err(StoreError::Forbidden)
    ));
}

pub async fn cancelled_messages_drop_their_waiting_mail(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "cancel", 4).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    let now = Utc::now();
    let held = ok(store.claim("a", now, now + Duration::seconds(30), 1).await);
    ok(store.control_message(Actor::System, m.id, SendControl::Pause).await);
    let (cancelled, changed) = ok(store.control_message(Actor::System, m.id, SendControl::Cancel).await);
    assert!(cancelled.cancelled_at.is_some() && cancelled.paused_at.is_none());
    assert_eq!(changed, 3);
    ok(store.finish(held[0].id, "a", Delivered::Retry { reply: "421".into(), at: now }, now).await);
    assert_eq!(ok(store.outbox_counts(Actor::System, m.id).await), vec![(OutboxStatus::Cancelled, 4)]);
    assert!(ok(store.claim("b", now + Duration::hours(1), now + Duration::hours(2), 10).await).is_empty());
    for control in [SendControl::Resume, SendControl::Pause, SendControl::Cancel] {
        assert!(matches!(store.control_message(Actor::System, m.id, control).await, Err(StoreError::Conflict { .. })));
    }
}

pub async fn campaigns_start_as_drafts_and_owners_publish_and_archive(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("drafts")).await);
    assert_eq!((c.published_at, c.archived_at), (None, None), "a new campaign's site is a draft");
    let eva = user(store, "Eva").await;
    ok(store.set_role(owner, c.id, eva.id, Role::Coordinator).await);
    assert!(matches!(store.set_published(Actor::User(eva.id), c.id, true).await, Err(StoreError::Forbidden)));
    let published = ok(store.set_published(owner, c.id, true).await).campaign.published_at;
    assert!(published.is_some());
    let again = ok(store.set_published(owner, c.id, true).await).campaign.published_at;
    assert_eq!(again, published, "publishing again keeps the first time");
    assert_eq!(ok(store.set_published(owner, c.id, false).await).campaign.published_at, None);
    assert!(ok(store.set_archived(owner, c.id, true).await).campaign.archived_at.is_some());
    assert!(ok(store.campaign(owner, c.id).await).campaign.archived_at.is_some());
    assert_eq!(ok(store.set_archived(owner, c.id, false).await).campaign.archived_at, None);
}

pub async fn partners_are_found_by_their_contacts_town_and_tags(store: &dyn Store) {
    use rally_domain::{Category, ContactDraft, PartnerDraft};
    use rally_store::PartnerFilter;
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("search")).await);
    let fields = ok(PartnerDraft {
        name: Some("Tehnička škola".into()),
        category: Some(Category::SchoolNetwork),
        reach: Some(800),
        region: Some("Split".into()),
        tags: Some(vec!["robotika".into()]),
        ..Default::default()
    }
    .validate());
    let school = ok(store.create_partner(a, c.id, fields).await);
    ok(store.create_partner(a, c.id, super::partner("Radio Zagreb", Category::Media, 100)).await);
    let contact = ok(ContactDraft {
        name: Some("Marija Kovač".into()),
        email: Some("marija@tehnicka-st.hr".into()),
        ..Default::default()
    }
    .validate());
    let k = ok(store.create_contact(a, school.id, contact).await);
    let found = |q: &'static str| {
        let filter = PartnerFilter { q: Some(q.into()), ..Default::default() };
        async move {
            let page = ok(store.partners(a, c.id, &filter).await);
            let count = ok(store.count_partners(a, c.id, &filter).await);
            assert_eq!(count, page.items.len() as i64, "the count agrees with the list for {q}");
            page.items.iter().map(|p| p.fields.name.clone()).collect::<Vec<_>>()
        }
    };
    for q in ["kovac", "marija", "tehnicka-st", "split", "robot", "tehn skola"] {
        assert_eq!(found(q).await, vec!["Tehnička škola".to_owned()], "{q}");
    }
    assert_eq!(ok(store.count_partners(a, c.id, &PartnerFilter::default()).await), 2);
    // A contact's new name finds the partner, the old one no longer does; a deleted contact neither.
    ok(store.update_contact(a, k.id, ContactDraft { name: Some("Iva Horvat".into()), ..Default::default() }).await);
    assert!(found("kovac").await.is_empty());
    assert_eq!(found("marija").await.len(), 1, "the address still says marija");
    assert_eq!(found("horvat").await.len(), 1);
    ok(store.delete_contact(a, k.id).await);
    assert!(found("horvat").await.is_empty());
    assert_eq!(found("robotika").await.len(), 1, "the partner's own keys stay");
}

pub async fn a_migrated_database_is_at_the_binarys_schema(store: &dyn Store) {
    let (applied, known) = ok(store.schema_version().await);
    assert_eq!(applied, known, "a freshly opened database is migrated to the newest schema");
    assert!(known >= 14);
}

//! The communication engine's storage on both backends: messages and templates, the outbox's leases,
//! suppressions checked at claim time, and workers that never claim the same row at once.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use rally_domain::cadence::{CadencePolicy, MailKind};
use rally_domain::comms::{
    MailPreference, MessageDraft, MessageKind, MilestoneKind, OutboxStatus, Segment, SendTime, SuppressionReason,
};
use rally_domain::template::TemplateSet;
use rally_domain::{Category, CommitmentDraft, CommitmentStatus, Consent, ContactDraft, Email, LanguageTag};
use rally_store::{Actor, Delivered, MailSettings, MessageTemplate, NewDelivery, Store, StoreError};

use super::{campaign_fields, ok, partner, user};

pub(super) fn template(language: &str, category: Option<Category>) -> MessageTemplate {
    MessageTemplate {
        language: ok(LanguageTag::parse(language)),
        category,
        set: TemplateSet {
            subject: "Sat kodiranja".into(),
            text: "Bok {{ contact.first_name }}".into(),
            html: String::new(),
        },
    }
}

pub(super) fn message(title: &str, segment: Segment) -> rally_domain::comms::MessageFields {
    ok(MessageDraft {
        title: Some(title.into()),
        kind: Some(MessageKind::Marketing),
        segment: Some(segment),
        send: Some(SendTime::At(Utc::now())),
        fallback_language: Some("hr".into()),
    }
    .validate())
}

/// A campaign with `n` media partners, one contact each who opted in; returns the campaign and its
/// contacts.
pub(super) async fn campaign_with_contacts(
    store: &dyn Store,
    slug: &str,
    n: usize,
) -> (rally_domain::CampaignId, Vec<rally_domain::Contact>) {
    let c = ok(store.create_campaign(Actor::System, campaign_fields(slug)).await);
    let mut contacts = Vec::new();
    for i in 0..n {
        let p =
            ok(store.create_partner(Actor::System, c.id, partner(&format!("Radio {i}"), Category::Media, 100)).await);
        let k = ok(ContactDraft {
            name: Some(format!("Ana {i}")),
            email: Some(format!("ana{i}@{slug}.example.org")),
            consent: Some(Consent::OptedIn),
            ..Default::default()
        }
        .validate());
        contacts.push(ok(store.create_contact(Actor::System, p.id, k).await));
    }
    (c.id, contacts)
}

pub(super) fn delivery(k: &rally_domain::Contact, due_in_seconds: i64) -> NewDelivery {
    NewDelivery {
        contact_id: k.id,
        partner_id: k.partner_id,
        email: k.fields.email.clone(),
        to_name: k.fields.name.clone(),
        subject: "Sat kodiranja".into(),
        text: "Bok".into(),
        html: None,
        unsubscribe_url: format!("https://rally.example/u/{}", k.id),
        wanted_at: Utc::now(),
        due_at: Some(Utc::now() + Duration::seconds(due_in_seconds)),
        reason: String::new(),
    }
}

pub async fn messages_keep_their_templates_and_segments(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("msgs")).await);
    let day = Utc::now().date_naive() + Duration::days(10);
    let launch = ok(store.create_milestone(a, c.id, MilestoneKind::Announcement, "Announcement", day).await);
    assert_eq!(ok(store.milestones(a, c.id).await), vec![launch.clone()]);
    let mut fields =
        message("Announcement to schools", Segment { categories: vec![Category::SchoolNetwork], ..Default::default() });
    fields.send = SendTime::Milestone {
        milestone_id: launch.id,
        at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    };
    let templates = vec![template("hr", None), template("en", None), template("hr", Some(Category::ItCompany))];
    let m = ok(store.create_message(a, c.id, fields.clone(), templates.clone()).await);
    let (read, stored) = ok(store.message(a, m.id).await);
    assert_eq!(read.fields, fields);
    assert_eq!(stored.len(), 3);
    // A template that does not parse is refused with the field it is in.
    let mut broken = template("hr", None);
    broken.set.text = "{% if x %}".into();
    let err = store.create_message(a, c.id, fields.clone(), vec![broken]).await;
    match err {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "templates[0].text", "{e}"),
        other => panic!("{other:?}"),
    }
    let twice = store.create_message(a, c.id, fields.clone(), vec![template("hr", None), template("hr", None)]).await;
    assert!(matches!(twice, Err(StoreError::Conflict { field: "templates", .. })), "{twice:?}");
    assert!(matches!(store.delete_milestone(a, launch.id).await, Err(StoreError::Conflict { .. })), "in use");
    // Sender and cadence settings: defaults until set.
    let s = ok(store.mail_settings(a, c.id).await);
    assert_eq!(s.policy, CadencePolicy::default());
    let mine = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: ok(Email::parse("info@satkodiranja.example.org")),
        reply_to: None,
        policy: CadencePolicy { max_per_window: 3, ..CadencePolicy::default() },
        legitimate_interest: true,
    };
    assert_eq!(ok(store.set_mail_settings(a, c.id, mine.clone()).await), mine);
    assert!(!s.legitimate_interest, "marketing needs consent until the campaign says otherwise");
}

pub async fn the_outbox_is_claimed_once_and_survives_a_dead_worker(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "outbox", 6).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let rows: Vec<NewDelivery> = contacts.iter().map(|k| delivery(k, -1)).collect();
    assert_eq!(ok(store.enqueue(Actor::System, m.id, rows.clone()).await), 6);
    assert!(
        matches!(store.enqueue(Actor::System, m.id, rows).await, Err(StoreError::Conflict { .. })),
        "a planned message is not planned twice"
    );

    let now = Utc::now();
    let a = ok(store.claim("worker-a", now, now + Duration::seconds(30), 4).await);
    let b = ok(store.claim("worker-b", now, now + Duration::seconds(30), 4).await);
    assert_eq!((a.len(), b.len()), (4, 2));
    let ids: BTreeSet<i64> = a.iter().chain(&b).map(|x| x.id).collect();
    assert_eq!(ids.len(), 6, "no row claimed twice");
    assert!(ok(store.claim("worker-c", now, now + Duration::seconds(30), 4).await).is_empty());

    // Worker a sends two and dies; its other rows come back once its lease runs out.
    for x in &a[..2] {
        assert!(ok(store.finish(x.id, "worker-a", Delivered::Sent("250 ok".into()), now).await));
    }
    let later = now + Duration::seconds(31);
    let retaken = ok(store.claim("worker-c", later, later + Duration::seconds(30), 10).await);
    let retaken_ids: BTreeSet<i64> = retaken.iter().map(|x| x.id).collect();
    let expected: BTreeSet<i64> = a[2..].iter().chain(&b).map(|x| x.id).collect();
    assert_eq!(retaken_ids, expected, "the unfinished rows of both leases, not the sent ones");
    // The dead worker's late answer does not overwrite the new owner's.
    assert!(!ok(store.finish(a[2].id, "worker-a", Delivered::Sent("late".into()), later).await));
    for x in &retaken {
        ok(store.finish(x.id, "worker-c", Delivered::Sent("250 ok".into()), later).await);
    }
    let counts = ok(store.outbox_counts(Actor::System, m.id).await);
    assert_eq!(counts, vec![(OutboxStatus::Sent, 6)]);
}

pub async fn failures_retry_bounces_suppress(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "bounce", 3).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    let now = Utc::now();
    let got = ok(store.claim("w", now, now + Duration::seconds(60), 10).await);
    let by_email = |e: &str| got.iter().find(|x| x.email == e).map(|x| x.id).unwrap_or_default();
    let (first, second, third) =
        (by_email("ana0@bounce.example.org"), by_email("ana1@bounce.example.org"), by_email("ana2@bounce.example.org"));
    ok(store
        .finish(first, "w", Delivered::Retry { reply: "421 try later".into(), at: now + Duration::minutes(1) }, now)
        .await);
    ok(store.finish(second, "w", Delivered::Bounced("550 no such user".into()), now).await);
    ok(store.finish(third, "w", Delivered::Sent("250 ok".into()), now).await);
    assert!(ok(store.claim("w", now, now + Duration::seconds(60), 10).await).is_empty(), "the retry waits");
    let retry = ok(store.claim("w", now + Duration::minutes(2), now + Duration::minutes(3), 10).await);
    assert_eq!(retry.iter().map(|x| (x.id, x.attempts)).collect::<Vec<_>>(), vec![(first, 2)]);
    ok(store.finish(first, "w", Delivered::Sent("250 ok".into()), now).await);

    // The bounced address is suppressed: a second message to it is marked so when claimed.
    let m2 = ok(store
        .create_message(Actor::System, c, message("More news", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m2.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    // A contact who unsubscribed after planning is skipped too.
    ok(store.set_mail_preference(contacts[2].id, MailPreference::Essential).await);
    ok(store.set_mail_preference(contacts[2].id, MailPreference::Essential).await);
    let claimed = ok(store.claim("w", now, now + Duration::seconds(60), 10).await);
    assert_eq!(claimed.iter().map(|x| x.email.as_str()).collect::<Vec<_>>(), vec!["ana0@bounce.example.org"]);
    let counts = ok(store.outbox_counts(Actor::System, m2.id).await);
    assert_eq!(counts, vec![(OutboxStatus::Sending, 1), (OutboxStatus::Suppressed, 2)]);
    assert_eq!(ok(store.mail_preference(contacts[2].id).await).map(|p| p.1), Some(MailPreference::Essential));
    // Recipients show who is left out and why.
    let recipients = ok(store.recipients(Actor::System, m2.id).await);
    let excluded: Vec<_> =
        recipients.iter().filter(|r| r.excluded.is_some()).map(|r| r.contact.fields.email.to_string()).collect();
    assert_eq!(excluded, vec!["ana1@bounce.example.org", "ana2@bounce.example.org"]);
    let secret = ok(store.link_secret("first").await);
    assert_eq!(ok(store.link_secret("second").await), secret, "the first secret stays");
}

pub async fn concurrent_workers_claim_disjoint_rows(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "many", 60).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    let now = Utc::now();
    let claims = (0..6).map(|i| async move {
        let name = format!("w{i}");
        let mut mine = Vec::new();
        loop {
            let got = ok(store.claim(&name, now, now + Duration::seconds(60), 7).await);
            if got.is_empty() {
                break;
            }
            mine.extend(got.into_iter().map(|x| x.id));
        }
        mine
    });
    let all: Vec<i64> = futures_util::future::join_all(claims).await.into_iter().flatten().collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), unique.len()), (60, 60), "every row claimed exactly once");
}

/// A worker that stops gives back the rows it claimed and never sent: another worker takes them at
/// once, long before the lease would have run out, each as it was before the claim. What it finished,
/// and what another worker holds, stay as they are.
pub async fn a_stopping_worker_gives_back_what_it_never_sent(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "release", 7).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m.id, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    let now = Utc::now();
    let lease = now + Duration::minutes(10);
    let sorted = |mut v: Vec<(OutboxStatus, i64)>| {
        v.sort();
        v
    };
    // One e-mail failed once and waits for its retry, which is due.
    let failed = ok(store.claim("worker-a", now, lease, 1).await)[0].id;
    let retry = Delivered::Retry { reply: "421 busy".into(), at: now - Duration::seconds(1) };
    assert!(ok(store.finish(failed, "worker-a", retry, now).await));

    let a: Vec<i64> = ok(store.claim("worker-a", now, lease, 5).await).iter().map(|x| x.id).collect();
    let b = ok(store.claim("worker-b", now, lease, 1).await)[0].id;
    assert_eq!(a.len(), 5);
    assert!(a.contains(&failed), "the retry is due again");
    let finished: Vec<i64> = a.iter().copied().filter(|id| *id != failed).take(2).collect();
    for id in &finished {
        assert!(ok(store.finish(*id, "worker-a", Delivered::Sent("250 ok".into()), now).await));
    }
    let mut given_back: BTreeSet<i64> = a.iter().copied().filter(|id| !finished.contains(id)).collect();
    // Worker a stops, naming every row it claimed and worker b's too: only its 3 unfinished rows go back.
    let all: Vec<i64> = a.iter().copied().chain([b]).collect();
    assert_eq!(ok(store.release("worker-a", &all).await), 3);
    assert_eq!(
        ok(store.outbox_counts(Actor::System, m.id).await),
        sorted(vec![
            (OutboxStatus::Planned, 3),
            (OutboxStatus::Deferred, 1),
            (OutboxStatus::Sending, 1),
            (OutboxStatus::Sent, 2)
        ]),
        "planned ones wait as planned, the retry as deferred; finished and b's rows are untouched"
    );
    assert_eq!(ok(store.release("worker-a", &[]).await), 0);

    // Worker b takes them within worker a's lease, with the last planned row; the claim that was given
    // back was no delivery attempt.
    let taken = ok(store.claim("worker-b", now, lease, 10).await);
    let unclaimed = taken.iter().map(|x| x.id).find(|id| !given_back.contains(id));
    given_back.extend(unclaimed);
    assert_eq!(taken.iter().map(|x| x.id).collect::<BTreeSet<_>>(), given_back);
    assert_eq!(taken.len(), 4);
    for x in &taken {
        assert_eq!(x.attempts, if x.id == failed { 2 } else { 1 }, "row {}", x.id);
    }
    // Worker a's late word changes nothing: the rows are b's now.
    assert_eq!(ok(store.release("worker-a", &all).await), 0);
    assert!(!ok(store.finish(failed, "worker-a", Delivered::Sent("late".into()), now).await));
    for id in taken.iter().map(|x| x.id).chain([b]) {
        assert!(ok(store.finish(id, "worker-b", Delivered::Sent("250 ok".into()), now).await));
    }
    assert_eq!(ok(store.outbox_counts(Actor::System, m.id).await), vec![(OutboxStatus::Sent, 7)]);

    // Rows of a message paused while they were claimed wait with the message.
    let m2 = ok(store
        .create_message(Actor::System, c, message("More news", Segment::default()), vec![template("hr", None)])
        .await);
    ok(store.enqueue(Actor::System, m2.id, contacts[..2].iter().map(|k| delivery(k, -1)).collect()).await);
    let held: Vec<i64> = ok(store.claim("worker-a", now, lease, 10).await).iter().map(|x| x.id).collect();
    assert_eq!(held.len(), 2);
    ok(store.control_message(Actor::System, m2.id, rally_domain::comms::SendControl::Pause).await);
    assert_eq!(ok(store.release("worker-a", &held).await), 2);
    assert_eq!(ok(store.outbox_counts(Actor::System, m2.id).await), vec![(OutboxStatus::Paused, 2)]);
    assert!(ok(store.claim("worker-b", now, lease, 10).await).is_empty(), "paused rows are not claimed");
}

pub async fn partners_can_be_held_back(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "hold", 2).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let day = Utc::now().date_naive() + Duration::days(20);
    let partner = contacts[0].partner_id;
    ok(store.set_do_not_contact(Actor::System, partner, Some(day)).await);
    assert_eq!(ok(store.do_not_contact(Actor::System, partner).await), Some(day));
    let recipients = ok(store.recipients(Actor::System, m.id).await);
    let held = recipients.iter().find(|r| r.partner_id == partner).and_then(|r| r.do_not_contact_until);
    assert_eq!(held.map(|t| t.date_naive()), Some(day));
    assert!(recipients.iter().any(|r| r.partner_id != partner && r.do_not_contact_until.is_none()));
    ok(store.set_do_not_contact(Actor::System, partner, None).await);
    assert_eq!(ok(store.do_not_contact(Actor::System, partner).await), None);
}

/// Nothing the team writes reaches people who opted out, unsubscribed from everything or are suppressed;
/// marketing also needs consent (or the campaign's legitimate interest) and service mail an agreed
/// commitment. The same rules hold when the e-mail is claimed, for changes after it was queued.
pub async fn team_mail_respects_consent_and_unsubscribes(store: &dyn Store) {
    let a = Actor::System;
    let c = ok(store.create_campaign(a, campaign_fields("consent")).await);
    let people = [
        ("in", Consent::OptedIn),
        ("unknown", Consent::Unknown),
        ("out", Consent::OptedOut),
        ("clicked", Consent::OptedIn),
        ("essential", Consent::OptedIn),
        ("bounced", Consent::OptedIn),
        ("later", Consent::OptedIn),
    ];
    let mut contacts = Vec::new();
    for (name, consent) in people {
        let p = ok(store.create_partner(a, c.id, partner(&format!("Radio {name}"), Category::Media, 100)).await);
        let k = ok(ContactDraft {
            name: Some(format!("Ana {name}")),
            email: Some(format!("{name}@consent.example.org")),
            consent: Some(consent),
            ..Default::default()
        }
        .validate());
        contacts.push(ok(store.create_contact(a, p.id, k).await));
    }
    let email = |i: usize| contacts[i].fields.email.to_string();
    // One click on an unsubscribe link: no e-mail at all.
    ok(store.set_mail_preference(contacts[3].id, MailPreference::None).await);
    ok(store.set_mail_preference(contacts[4].id, MailPreference::Essential).await);
    ok(store.suppress(a, c.id, &contacts[5].fields.email, SuppressionReason::HardBounce, "550").await);
    // Partners 0 and 1 agreed to an ask (service mail is about such a commitment).
    let ask = ok(store
        .create_ask(
            a,
            c.id,
            None,
            ok(rally_domain::AskDraft { title: Some("Posters".into()), ..Default::default() }
                .validate(Utc::now().date_naive(), None)),
        )
        .await);
    for k in [&contacts[0], &contacts[1], &contacts[2], &contacts[3], &contacts[6]] {
        let due = Some(Some(Utc::now().date_naive() + Duration::days(5)));
        let agreed = CommitmentDraft { status: Some(CommitmentStatus::Agreed), due_on: due, ..Default::default() };
        ok(store.propose(a, k.partner_id, ask.id, agreed, Utc::now().date_naive()).await);
    }
    let reachable = |list: &[rally_store::Recipient]| -> Vec<String> {
        list.iter().filter(|r| r.excluded.is_none()).map(|r| r.contact.fields.email.to_string()).collect()
    };
    let why = |list: &[rally_store::Recipient], i: usize| -> String {
        list.iter().find(|r| r.contact.id == contacts[i].id).and_then(|r| r.excluded.clone()).unwrap_or_default()
    };

    let marketing =
        ok(store.create_message(a, c.id, message("News", Segment::default()), vec![template("hr", None)]).await);
    let r = ok(store.recipients(a, marketing.id).await);
    assert_eq!(reachable(&r), [email(0), email(6)], "marketing: consent only");
    assert!(why(&r, 1).contains("not consented"), "{}", why(&r, 1));
    assert!(why(&r, 2).contains("opted out"), "{}", why(&r, 2));
    assert!(why(&r, 3).contains("unsubscribed"), "{}", why(&r, 3));
    assert!(why(&r, 4).contains("essential"), "{}", why(&r, 4));
    assert!(why(&r, 5).contains("suppression"), "{}", why(&r, 5));

    // Legitimate interest: contacts never asked get marketing too; the others still do not.
    let mut settings = ok(store.mail_settings(a, c.id).await);
    settings.legitimate_interest = true;
    ok(store.set_mail_settings(a, c.id, settings.clone()).await);
    let r = ok(store.recipients(a, marketing.id).await);
    assert_eq!(reachable(&r), [email(0), email(1), email(6)]);

    let mut fields = message("Your posters ship Monday", Segment::default());
    fields.kind = MessageKind::Service;
    let service = ok(store.create_message(a, c.id, fields, vec![template("hr", None)]).await);
    let r = ok(store.recipients(a, service.id).await);
    assert_eq!(reachable(&r), [email(0), email(1), email(6)], "service: agreed partners who did not opt out");
    assert!(why(&r, 2).contains("opted out"));
    assert!(why(&r, 3).contains("unsubscribed"));
    assert!(why(&r, 4).contains("no agreed commitment"), "essential-only is fine, but no commitment: {}", why(&r, 4));
    assert!(why(&r, 5).contains("suppression"));
    let (read, _) = ok(store.message(a, service.id).await);
    assert_eq!(read.fields.kind, MessageKind::Service);

    // Queued, then two people change their minds before the worker gets to them.
    let queue = |m: i64, r: &[rally_store::Recipient]| {
        let rows: Vec<NewDelivery> =
            r.iter().filter(|x| x.excluded.is_none()).map(|x| delivery(&x.contact, -1)).collect();
        store.enqueue(a, m, rows)
    };
    assert_eq!(ok(queue(service.id, &r).await), 3);
    let r = ok(store.recipients(a, marketing.id).await);
    assert_eq!(ok(queue(marketing.id, &r).await), 3);
    ok(store.set_mail_preference(contacts[6].id, MailPreference::None).await);
    settings.legitimate_interest = false;
    ok(store.set_mail_settings(a, c.id, settings).await);
    let now = Utc::now();
    let claimed = ok(store.claim("w", now, now + Duration::seconds(60), 100).await);
    let mut got: Vec<(MailKind, String)> = claimed.iter().map(|x| (x.kind, x.email.clone())).collect();
    got.sort();
    assert_eq!(
        got,
        [(MailKind::Marketing, email(0)), (MailKind::Service, email(0)), (MailKind::Service, email(1))],
        "the unsubscribed contact gets nothing; the never-asked one no more marketing"
    );
    let counts = ok(store.outbox_counts(a, marketing.id).await);
    assert_eq!(counts, vec![(OutboxStatus::Sending, 1), (OutboxStatus::Suppressed, 2)]);
}

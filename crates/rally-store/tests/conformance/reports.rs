//! The Reports page's figures on both backends: a small pipeline history whose funnel, medians and
//! forecast are worked out by hand, and what became of each message's e-mails, unsubscribes included.

use chrono::{DateTime, Duration, Utc};
use rally_domain::comms::{MailPreference, Segment};
use rally_domain::report::{self, Progress};
use rally_domain::{Category, Role, Stage};
use rally_store::{Actor, Delivered, MoveLoad, PartnerLoad, Store, StoreError};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::{campaign_fields, ok, partner, user};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

pub async fn reports_follow_the_stage_history(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("reports")).await);
    // An empty campaign: nothing to count, and nothing divided by zero.
    let empty = ok(store.pipeline_facts(a, c.id).await);
    assert!(empty.groups.is_empty() && empty.stays.is_empty());
    assert_eq!(report::forecast(&empty.groups, 50_000).students, 0.0);

    // Whole microseconds: what both backends store.
    let start: DateTime<Utc> =
        ok(DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).ok_or("time")) - Duration::days(30);
    let mv = |to, days: i64| MoveLoad {
        to,
        at: start + Duration::days(days),
        actor: None,
        note: String::new(),
        reason: (to == Stage::ClosedLost).then(|| "no budget".to_owned()),
    };
    let load = |name: &str, reach: i64, moves: Vec<MoveLoad>| PartnerLoad {
        fields: partner(name, Category::ItCompany, reach),
        created_at: start,
        moves,
        contacts: vec![],
    };
    let loads = vec![
        load("Still a lead", 1_000, vec![]),
        load("Negotiating", 2_000, vec![mv(Stage::Contacted, 2), mv(Stage::NegotiateAsk, 5)]),
        load("Won", 5_000, vec![mv(Stage::Contacted, 4), mv(Stage::ClosedWon, 10)]),
        load("Lost", 300, vec![mv(Stage::ClosedLost, 6)]),
        load("Skipped ahead", 700, vec![mv(Stage::FinalizeDetails, 1)]),
    ];
    ok(store.load_partners(a, c.id, loads).await);

    let facts = ok(store.pipeline_facts(a, c.id).await);
    let g = |now, furthest, partners, reach| Progress { now, furthest, partners, reach };
    assert_eq!(
        facts.groups,
        vec![
            g(Stage::Lead, Stage::Lead, 1, 1_000),
            g(Stage::NegotiateAsk, Stage::NegotiateAsk, 1, 2_000),
            g(Stage::FinalizeDetails, Stage::FinalizeDetails, 1, 700),
            g(Stage::ClosedWon, Stage::ClosedWon, 1, 5_000),
            g(Stage::ClosedLost, Stage::Lead, 1, 300),
        ]
    );
    // Finished stays in open stages only: Lead 2, 4, 6 and 1 days; Contacted 3 and 6.
    let mut lead: Vec<i64> =
        facts.stays.iter().filter(|s| s.stage == Stage::Lead).map(|s| s.length.num_days()).collect();
    lead.sort_unstable();
    assert_eq!(lead, vec![1, 2, 4, 6]);
    assert_eq!(facts.stays.len(), 6, "{:?}", facts.stays);

    let funnel = report::funnel(&facts);
    let row = |s: Stage| funnel.iter().find(|r| r.stage == s).cloned().unwrap_or_else(|| panic!("{s:?}"));
    let reached: Vec<Option<i64>> = report::FORWARD.iter().map(|&s| row(s).reached).collect();
    assert_eq!(reached, vec![Some(5), Some(3), Some(3), Some(2), Some(1), Some(1)]);
    assert_eq!(row(Stage::Lead).conversion, Some(0.6));
    assert_eq!(row(Stage::Contacted).conversion, Some(1.0));
    assert_eq!(row(Stage::FinalizeDetails).conversion, Some(0.5));
    assert_eq!(row(Stage::Lead).median_days, Some(3.0));
    assert_eq!(row(Stage::Contacted).median_days, Some(4.5));
    assert_eq!(row(Stage::NegotiateAsk).median_days, None, "the partner still there is left out");
    assert_eq!((row(Stage::ClosedLost).partners, row(Stage::ClosedLost).reach), (1, 300));

    // One won and one lost behind Lead; only the won one behind every later stage.
    let f = report::forecast(&facts.groups, 50_000);
    let chance = |s| f.chance(s);
    assert!(close(chance(Stage::Lead), 1.25 / 7.0));
    assert!(close(chance(Stage::Contacted), 1.5 / 6.0));
    assert!(close(chance(Stage::NegotiateAsk), 2.5 / 6.0));
    assert!(close(chance(Stage::FinalizeDetails), 4.0 / 6.0));
    assert!(close(chance(Stage::FinalizeFulfillment), 5.25 / 6.0));
    let want = 5_000.0 + 1_000.0 * 1.25 / 7.0 + 2_000.0 * 2.5 / 6.0 + 700.0 * 4.0 / 6.0;
    assert!(close(f.students, want), "{} != {want}", f.students);

    // The forecast's partners: everyone not lost, largest reach first.
    let partners = ok(store.forecast_partners(a, c.id).await);
    let names: Vec<&str> = partners.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Won", "Negotiating", "Still a lead", "Skipped ahead"]);

    // Viewers read reports; outsiders learn nothing.
    let vera = user(store, "Vera").await;
    ok(store.set_role(a, c.id, vera.id, Role::Viewer).await);
    assert_eq!(ok(store.pipeline_facts(Actor::User(vera.id), c.id).await), facts);
    let eve = Actor::User(user(store, "Eve").await.id);
    assert!(matches!(store.pipeline_facts(eve, c.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.forecast_partners(eve, c.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.message_stats(eve, c.id).await, Err(StoreError::NotFound(_))));
}

pub async fn message_reports_count_each_email_once(store: &dyn Store) {
    let (c, k) = campaign_with_contacts(store, "mailrep", 4).await;
    let s = Actor::System;
    let quiet = ok(store
        .create_message(s, c, message("Not planned yet", Segment::default()), vec![template("hr", None)])
        .await);
    let news = ok(store.create_message(s, c, message("News", Segment::default()), vec![template("hr", None)]).await);
    // k0, k1 and k3 are due now; k2's e-mail was put an hour later than wanted (a cadence deferral).
    let rows = vec![delivery(&k[0], -1), delivery(&k[1], -1), delivery(&k[2], 3600), delivery(&k[3], -1)];
    ok(store.enqueue(s, news.id, rows).await);
    let now = Utc::now();
    let claimed = ok(store.claim("w", now, now + Duration::seconds(60), 10).await);
    assert_eq!(claimed.len(), 3);
    let id_of =
        |i: usize| claimed.iter().find(|x| x.email == k[i].fields.email.as_str()).map(|x| x.id).unwrap_or_default();
    let sent_at = now - Duration::minutes(10);
    ok(store.finish(id_of(0), "w", Delivered::Sent("250 ok".into()), sent_at).await);
    ok(store.finish(id_of(1), "w", Delivered::Sent("250 ok".into()), sent_at).await);
    ok(store.finish(id_of(3), "w", Delivered::Bounced("550 no such user".into()), sent_at).await);

    // A later message reaches k0 only.
    let later = ok(store.create_message(s, c, message("Later", Segment::default()), vec![template("hr", None)]).await);
    ok(store.enqueue(s, later.id, vec![delivery(&k[0], -1)]).await);
    let claimed = ok(store.claim("w", now, now + Duration::seconds(60), 10).await);
    assert_eq!(claimed.len(), 1);
    ok(store.finish(claimed[0].id, "w", Delivered::Sent("250 ok".into()), now - Duration::minutes(5)).await);

    // k0 and k1 unsubscribe now: each counts for the last e-mail it got before.
    ok(store.set_mail_preference(k[0].id, MailPreference::None).await);
    ok(store.set_mail_preference(k[1].id, MailPreference::Essential).await);

    let stats = ok(store.message_stats(s, c).await);
    let counts: Vec<(&str, [i64; 6])> = stats
        .iter()
        .map(|m| (m.title.as_str(), [m.sent, m.waiting, m.failed, m.skipped, m.deferred, m.unsubscribed]))
        .collect();
    assert_eq!(
        counts,
        vec![("Not planned yet", [0, 0, 0, 0, 0, 0]), ("News", [2, 1, 1, 0, 1, 1]), ("Later", [1, 0, 0, 0, 0, 1]),]
    );
    assert_eq!(stats[0].id, quiet.id);
    assert_eq!(stats[1].total(), 4);

    // Choosing e-mail again takes the unsubscribe back.
    ok(store.set_mail_preference(k[1].id, MailPreference::All).await);
    assert_eq!(ok(store.message_stats(s, c).await)[1].unsubscribed, 0);
}

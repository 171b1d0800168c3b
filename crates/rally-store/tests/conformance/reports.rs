//! The Reports page's figures on both backends: a small pipeline history whose funnel, medians and
//! forecast are worked out by hand, and what became of each message's e-mails, unsubscribes included.

use chrono::{DateTime, Duration, Utc};
use rally_domain::comms::{MailPreference, Segment};
use rally_domain::event::EventStatus;
use rally_domain::report::{self, Progress};
use rally_domain::{
    AskDraft, CampaignId, Category, CommitmentDraft, CommitmentStatus, Partner, PartnerDraft, Role, Stage, Strategy,
};
use rally_store::{Actor, Delivered, MoveLoad, PartnerLoad, Store, StoreError};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::events::form;
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
    let nothing = ok(store.forecast_facts(a, c.id).await);
    assert!(nothing.partners.is_empty() && nothing.team.groups.is_empty());
    assert_eq!((nothing.events, nothing.event_students), (0, 0));

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

    // The forecast's partners: everyone, lost included, by name, with the furthest stage reached.
    let forecast = ok(store.forecast_facts(a, c.id).await);
    let names: Vec<(&str, Stage, Stage, i64)> =
        forecast.partners.iter().map(|p| (p.name.as_str(), p.stage, p.furthest, p.reach)).collect();
    assert_eq!(
        names,
        vec![
            ("Lost", Stage::ClosedLost, Stage::Lead, 300),
            ("Negotiating", Stage::NegotiateAsk, Stage::NegotiateAsk, 2_000),
            ("Skipped ahead", Stage::FinalizeDetails, Stage::FinalizeDetails, 700),
            ("Still a lead", Stage::Lead, Stage::Lead, 1_000),
            ("Won", Stage::ClosedWon, Stage::ClosedWon, 5_000),
        ]
    );
    // In its stage since its last move, or since it was made.
    let since: Vec<i64> = forecast.partners.iter().map(|p| (p.since - start).num_days()).collect();
    assert_eq!(since, vec![6, 5, 1, 0, 10]);
    // On day 30, one won and one lost behind Lead, and three open partners past their stage's time
    // limit, half a loss each for every stage they reached: the lead (30 days of its 14), Negotiating
    // (25 of 14) and Skipped ahead (29 of 7).
    let f = report::forecast(&forecast, 50_000, start + Duration::days(30));
    assert!(close(f.chance(Stage::Lead), 1.25 / 8.5), "{}", f.chance(Stage::Lead));
    assert!(close(f.chance(Stage::Contacted), 1.5 / 7.0));
    assert!(close(f.chance(Stage::NegotiateAsk), 2.5 / 7.0));
    assert!(close(f.chance(Stage::FinalizeDetails), 4.0 / 6.5));
    assert!(close(f.chance(Stage::FinalizeFulfillment), 5.25 / 6.0));

    // Viewers read reports; outsiders learn nothing.
    let vera = user(store, "Vera").await;
    ok(store.set_role(a, c.id, vera.id, Role::Viewer).await);
    assert_eq!(ok(store.pipeline_facts(Actor::User(vera.id), c.id).await), facts);
    assert_eq!(ok(store.forecast_facts(Actor::User(vera.id), c.id).await), forecast);
    let eve = Actor::User(user(store, "Eve").await.id);
    assert!(matches!(store.pipeline_facts(eve, c.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.forecast_facts(eve, c.id).await, Err(StoreError::NotFound(_))));
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

/// A custom ask with `unit` for one partner, recorded as `status` with `quantity`.
async fn commit(
    store: &dyn Store,
    a: Actor,
    partner: rally_domain::PartnerId,
    title: &str,
    unit: &str,
    status: CommitmentStatus,
    quantity: i64,
) {
    let today = Utc::now().date_naive();
    let due = Some(Some(today + Duration::days(7)));
    let ask = AskDraft { title: Some(title.into()), unit: Some(unit.into()), due_on: due, ..Default::default() };
    let draft = CommitmentDraft {
        status: Some(status),
        quantity: Some(Some(quantity)),
        due_on: due,
        evidence: Some("https://example.org/done".into()),
        ..Default::default()
    };
    let ask = ok(ask.validate(today, None));
    ok(store.propose_custom(a, partner, ask, draft, today).await);
}

/// Closed partners loaded into `campaign`: `won` won, `lost` lost after Contacted, and one open lead.
async fn closed_partners(store: &dyn Store, a: Actor, campaign: CampaignId, won: usize, lost: usize) {
    let start = Utc::now() - Duration::days(40);
    let mv = |to, days| MoveLoad {
        to,
        at: start + Duration::days(days),
        actor: None,
        note: String::new(),
        reason: (to == Stage::ClosedLost).then(|| "no budget".to_owned()),
    };
    let load = |name: String, moves: Vec<MoveLoad>| PartnerLoad {
        fields: partner(&name, Category::Media, 1_000),
        created_at: start,
        moves,
        contacts: vec![],
    };
    let mut loads: Vec<PartnerLoad> =
        (0..won).map(|i| load(format!("Won {i}"), vec![mv(Stage::Contacted, 1), mv(Stage::ClosedWon, 3)])).collect();
    loads.extend((0..lost).map(|i| load(format!("Lost {i}"), vec![mv(Stage::Contacted, 1), mv(Stage::ClosedLost, 2)])));
    loads.push(load("Open".into(), vec![]));
    ok(store.load_partners(a, campaign, loads).await);
}

pub async fn the_forecast_reads_attribution_agreements_and_the_team_history(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let eve = user(store, "Eve").await;
    let e = Actor::User(eve.id);
    // Earlier campaigns: Ana's own (team history), Eve's where Ana only views (not the team's), and
    // Eve's without Ana.
    let earlier = ok(store.create_campaign(a, campaign_fields("last-year")).await);
    closed_partners(store, a, earlier.id, 3, 1).await;
    let viewed = ok(store.create_campaign(e, campaign_fields("viewed")).await);
    ok(store.set_role(e, viewed.id, ana.id, Role::Viewer).await);
    closed_partners(store, e, viewed.id, 7, 0).await;
    let strangers = ok(store.create_campaign(e, campaign_fields("strangers")).await);
    closed_partners(store, e, strangers.id, 0, 9).await;
    let c = ok(store.create_campaign(a, campaign_fields("this-year")).await);
    // A later campaign of Ana's teaches this one nothing.
    let later = ok(store.create_campaign(a, campaign_fields("next-year")).await);
    closed_partners(store, a, later.id, 5, 5).await;

    let make = |name: &str, category| {
        ok(PartnerDraft {
            name: Some(name.into()),
            category: Some(category),
            reach: Some(10_000),
            ..Default::default()
        }
        .validate())
    };
    let brought = ok(store.create_partner(a, c.id, make("Brought", Category::SchoolNetwork)).await);
    let agreed = ok(store.create_partner(a, c.id, make("Agreed", Category::Authority)).await);
    let quiet = ok(store.create_partner(a, c.id, make("Quiet", Category::Media)).await);

    // Agreed and fulfilled commitments with a quantity count; proposed, declined and quantity-less
    // ones do not. The unit comes along as written.
    commit(store, a, agreed.id, "Host events in schools", "schools", CommitmentStatus::Agreed, 12).await;
    commit(store, a, agreed.id, "Newsletter", "posts", CommitmentStatus::Fulfilled, 2).await;
    commit(store, a, agreed.id, "Maybe more", "schools", CommitmentStatus::Proposed, 50).await;
    commit(store, a, quiet.id, "Feature", "škole", CommitmentStatus::Declined, 4).await;
    commit(store, a, quiet.id, "Nothing counted", "schools", CommitmentStatus::Agreed, 0).await;

    // Events: the share link wins over the answer; only approved events count.
    let ev = |name: &str, students, referred: Option<&Partner>, heard: Option<&Partner>| {
        let mut f = form(name, "HR", "Zagreb", students);
        f.referred_by = referred.map(|p| p.id);
        f.heard_from = heard.map(|p| p.id);
        f
    };
    let events = vec![
        (ev("Ana Ban", 20, Some(&brought), None), EventStatus::Approved),
        (ev("Iva Kos", 30, Some(&brought), Some(&agreed)), EventStatus::Approved),
        (ev("Eva Hum", 40, None, Some(&agreed)), EventStatus::Approved),
        (ev("Ivo Pek", 99, Some(&brought), None), EventStatus::Pending),
        (ev("Mia Luk", 10, None, None), EventStatus::Approved),
    ];
    ok(store.load_events(a, c.id, events, Utc::now()).await);
    // A member campaign's events count in the umbrella's counter, so in its forecast.
    let mut member = campaign_fields("this-year-zagreb");
    member.strategy = Strategy::Member;
    member.parent_id = Some(c.id);
    let member = ok(store.create_campaign(a, member).await);
    ok(store
        .load_events(a, member.id, vec![(ev("Zora Mir", 25, None, None), EventStatus::Approved)], Utc::now())
        .await);
    let mut limits = ok(store.stage_limits(a, c.id).await);
    limits.0.insert(Stage::Lead, 3);
    ok(store.set_stage_limits(a, c.id, limits.clone()).await);

    let facts = ok(store.forecast_facts(a, c.id).await);
    let got: Vec<(&str, i64, i64)> =
        facts.partners.iter().map(|p| (p.name.as_str(), p.brought_events, p.brought_students)).collect();
    assert_eq!(got, vec![("Agreed", 1, 40), ("Brought", 2, 50), ("Quiet", 0, 0)]);
    let agreed: Vec<Vec<(&str, i64)>> =
        facts.partners.iter().map(|p| p.agreed.iter().map(|x| (x.unit.as_str(), x.quantity)).collect()).collect();
    assert_eq!(agreed, vec![vec![("schools", 12), ("posts", 2)], vec![], vec![]]);
    assert!(facts.partners.iter().all(|p| p.stage == Stage::Lead && p.furthest == Stage::Lead));
    assert_eq!(facts.limits, limits);
    // The approved events: 20 + 30 + 40 + 10 here and 25 in Zagreb; 10 and 25 registered directly.
    assert_eq!((facts.events, facts.event_students), (5, 125));
    assert_eq!((facts.direct_events, facts.direct_students), (2, 35));
    // Last year's: 3 won and 1 lost after Contacted; its open lead and the other campaigns left out.
    let g = |now, furthest, partners| Progress { now, furthest, partners, reach: 0 };
    assert_eq!(facts.team.campaigns, 1);
    assert_eq!(
        facts.team.groups,
        vec![g(Stage::ClosedWon, Stage::ClosedWon, 3), g(Stage::ClosedLost, Stage::Contacted, 1)]
    );
    // The forecast learns Lead's chance from them: (3 + 0.25) / (4 + 5).
    let f = report::forecast(&facts, 1_000, Utc::now());
    assert!(close(f.chance(Stage::Lead), 3.25 / 9.0), "{}", f.chance(Stage::Lead));
    // Someone not on the team learns nothing.
    assert!(matches!(store.forecast_facts(e, c.id).await, Err(StoreError::NotFound(_))));
}

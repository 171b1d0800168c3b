//! The partner workflow on both backends: asks and commitments, links, tasks, assets, recognition and
//! calendar feeds.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::followup::{InteractionFields, InteractionKind, TaskFields};
use rally_domain::{
    AskDraft, AssetDraft, AssetKind, Category, CommitmentDraft, CommitmentStatus, PartnerId, PartnerResponse, Role,
    Stage, StageLimits, Tier,
};
use rally_store::{Actor, CalendarKind, PartnerFilter, PartnerLoad, Store, StoreError, TaskFilter};

use super::{campaign_fields, ok, partner, to, user};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn ask(title: &str, due_in_days: i64, unit: &str) -> rally_domain::AskFields {
    ok(AskDraft {
        title: Some(title.into()),
        due_on: Some(Some(today() + Duration::days(due_in_days))),
        unit: Some(unit.into()),
        ..Default::default()
    }
    .validate(today(), None))
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(e)) => e.0[0].field.clone(),
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

pub async fn standard_asks_apply_to_a_segment_once(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let out = user(store, "Out").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("asks")).await);
    ok(store.set_role(a, c.id, mia.id, Role::Member).await);
    let mut media = Vec::new();
    for i in 0..3 {
        media.push(ok(store.create_partner(a, c.id, partner(&format!("Radio {i}"), Category::Media, 100)).await));
    }
    let big = ok(store.create_partner(a, c.id, partner("National TV", Category::Media, 5_000_000)).await);
    let it = ok(store.create_partner(a, c.id, partner("Small IT", Category::ItCompany, 100)).await);
    let lost = ok(store.create_partner(a, c.id, partner("Lost radio", Category::Media, 100)).await);
    let mut gone = to(Stage::ClosedLost);
    gone.reason = Some("no".into());
    ok(store.move_stage(a, lost.id, gone).await);

    let newsletter = ok(store.create_ask(a, c.id, None, ask("Newsletter", 10, "")).await);
    let banner = ok(store.create_ask(a, c.id, None, ask("Banner", 20, "")).await);
    assert_eq!(ok(store.standard_asks(a, c.id).await).len(), 2);
    let segment = PartnerFilter { category: Some(Category::Media), tier: Some(Tier::Low), ..Default::default() };
    let ids = [newsletter.id, banner.id];
    let applied = ok(store.apply_asks(a, c.id, &ids, &segment, false).await);
    assert_eq!((applied.partners, applied.created), (3, 6), "three open low-reach media partners, two asks each");
    let again = ok(store.apply_asks(a, c.id, &ids, &segment, false).await);
    assert_eq!(again.created, 0, "applying twice proposes nothing new");
    let got = ok(store.commitments(a, media[0].id).await);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|m| m.status == CommitmentStatus::Proposed));
    assert_eq!(got[0].due_on, newsletter.fields.due_on, "a proposal takes the ask's date");
    for p in [&big, &it, &lost] {
        assert!(ok(store.commitments(a, p.id).await).is_empty(), "{} is outside the segment", p.fields.name);
    }
    // Members may not apply the campaign's asks; outsiders do not see the campaign.
    assert!(matches!(
        store.apply_asks(Actor::User(mia.id), c.id, &ids, &segment, false).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store.apply_asks(Actor::User(out.id), c.id, &ids, &segment, false).await,
        Err(StoreError::NotFound(_))
    ));
    // A custom ask is not a standard one.
    let custom = ok(store.create_ask(a, c.id, Some(big.id), ask("Host events", 15, "schools")).await);
    assert_eq!(invalid_field(store.apply_asks(a, c.id, &[custom.id], &segment, false).await), "asks");
    assert_eq!(ok(store.standard_asks(a, c.id).await).len(), 2);
    // Deleting an ask takes its commitments along.
    ok(store.delete_ask(a, banner.id).await);
    assert_eq!(ok(store.commitments(a, media[0].id).await).len(), 1);
}

/// An ask reaches only the partners it is meant for (its categories and tiers), whatever the segment;
/// a preview runs the same statements and writes nothing.
pub async fn standard_asks_reach_only_the_partners_they_are_for(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("targets")).await);
    let ministry = ok(store.create_partner(a, c.id, partner("Ministry", Category::Authority, 100)).await);
    let teachers = ok(store.create_partner(a, c.id, partner("Teachers' network", Category::SchoolNetwork, 100)).await);
    let big_net = ok(store.create_partner(a, c.id, partner("Big network", Category::SchoolNetwork, 900_000)).await);
    let radio = ok(store.create_partner(a, c.id, partner("Radio", Category::Media, 100)).await);
    let it = ok(store.create_partner(a, c.id, partner("Small IT", Category::ItCompany, 100)).await);
    let targeted = |title: &str, categories: Vec<Category>, tiers: Vec<Tier>| AskDraft {
        title: Some(title.into()),
        categories: Some(categories),
        tiers: Some(tiers),
        ..Default::default()
    };
    let schools = ok(store
        .create_ask(
            a,
            c.id,
            None,
            ok(targeted("Invite your schools", vec![Category::Authority, Category::SchoolNetwork], vec![])
                .validate(today(), None)),
        )
        .await);
    let small = ok(store
        .create_ask(a, c.id, None, ok(targeted("Share a post", vec![], vec![Tier::Low]).validate(today(), None)))
        .await);
    let everyone = ok(store.create_ask(a, c.id, None, ask("Newsletter", 10, "")).await);
    let ids = [schools.id, small.id, everyone.id];

    // A preview: per-ask counts, nothing written.
    let all = PartnerFilter::default();
    let preview = ok(store.apply_asks(a, c.id, &ids, &all, true).await);
    assert!(preview.preview);
    assert_eq!((preview.partners, preview.created), (5, 3 + 4 + 5));
    let reach: Vec<(&str, i64, i64, i64)> =
        preview.asks.iter().map(|r| (r.title.as_str(), r.reached, r.created, r.not_for)).collect();
    assert_eq!(
        reach,
        [("Invite your schools", 3, 3, 2), ("Share a post", 4, 4, 1), ("Newsletter", 5, 5, 0)],
        "each ask counts the partners it is for and the ones it leaves out"
    );
    for p in [&ministry, &teachers, &big_net, &radio, &it] {
        assert!(ok(store.commitments(a, p.id).await).is_empty(), "a preview wrote to {}", p.fields.name);
    }

    // Media partners only: the ask for authorities and school networks reaches none of them.
    let media = PartnerFilter { category: Some(Category::Media), ..Default::default() };
    let applied = ok(store.apply_asks(a, c.id, &ids, &media, false).await);
    assert!(!applied.preview);
    let reach: Vec<(i64, i64, i64)> = applied.asks.iter().map(|r| (r.reached, r.created, r.not_for)).collect();
    assert_eq!(reach, [(0, 0, 1), (1, 1, 0), (1, 1, 0)]);
    let titles = |list: Vec<rally_domain::Commitment>| {
        let mut t: Vec<String> = list.into_iter().map(|c| c.ask_title).collect();
        t.sort();
        t
    };
    assert_eq!(titles(ok(store.commitments(a, radio.id).await)), ["Newsletter", "Share a post"]);

    // Every open partner: each gets exactly the asks meant for it; the radio keeps what it has.
    let applied = ok(store.apply_asks(a, c.id, &ids, &all, false).await);
    let reach: Vec<(i64, i64, i64, i64)> =
        applied.asks.iter().map(|r| (r.reached, r.created, r.already, r.not_for)).collect();
    assert_eq!(reach, [(3, 3, 0, 2), (4, 3, 1, 1), (5, 4, 1, 0)]);
    assert_eq!(
        titles(ok(store.commitments(a, ministry.id).await)),
        ["Invite your schools", "Newsletter", "Share a post"]
    );
    assert_eq!(titles(ok(store.commitments(a, big_net.id).await)), ["Invite your schools", "Newsletter"]);
    assert_eq!(titles(ok(store.commitments(a, it.id).await)), ["Newsletter", "Share a post"]);
}

pub async fn commitments_are_agreed_fulfilled_and_guard_closed_won(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("custom")).await);
    let infobip = ok(store.create_partner(a, c.id, partner("Infobip", Category::ItCompany, 2_000_000)).await);
    let events = ok(store.create_ask(a, c.id, Some(infobip.id), ask("Host events", 15, "schools")).await);
    let proposed = ok(store.propose(a, infobip.id, events.id, CommitmentDraft::default(), today()).await);
    assert_eq!(proposed.status, CommitmentStatus::Proposed);
    let dup = store.propose(a, infobip.id, events.id, CommitmentDraft::default(), today()).await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "ask_id", .. })), "{dup:?}");

    let agree = CommitmentDraft { status: Some(CommitmentStatus::Agreed), ..Default::default() };
    assert_eq!(invalid_field(store.update_commitment(a, proposed.id, agree.clone(), today()).await), "quantity");
    let agree = CommitmentDraft { quantity: Some(Some(40)), ..agree };
    let agreed = ok(store.update_commitment(a, proposed.id, agree, today()).await);
    assert_eq!((agreed.status, agreed.quantity, agreed.agreed_on), (CommitmentStatus::Agreed, Some(40), Some(today())));

    let summary = ok(store.commitment_summaries(a, c.id, &[infobip.id], today()).await);
    assert_eq!(summary[&infobip.id].open, 1);
    assert_eq!(summary[&infobip.id].next_due, events.fields.due_on);
    let due = ok(store.due(a, c.id, today() + Duration::days(30)).await);
    assert_eq!(due.commitments.len(), 1);
    assert!(ok(store.due(a, c.id, today()).await).commitments.is_empty());

    // Closed won with an agreed commitment open: refused, then allowed with a confirmation and a note.
    let err = store.move_stage(a, infobip.id, to(Stage::ClosedWon)).await;
    assert!(matches!(err, Err(StoreError::Conflict { field: "confirm_unfulfilled", .. })), "{err:?}");
    let mut confirmed = to(Stage::ClosedWon);
    confirmed.confirm_unfulfilled = true;
    let err = store.move_stage(a, infobip.id, confirmed.clone()).await;
    assert!(matches!(err, Err(StoreError::Conflict { field: "note", .. })), "{err:?}");
    assert_eq!(ok(store.partner(a, infobip.id).await).stage, Stage::Lead, "nothing moved");
    confirmed.note = Some("Events happen after the campaign week".into());
    ok(store.move_stage(a, infobip.id, confirmed).await);

    // Fulfilled needs evidence; once fulfilled it no longer blocks.
    let done = CommitmentDraft { status: Some(CommitmentStatus::Fulfilled), ..Default::default() };
    assert_eq!(invalid_field(store.update_commitment(a, agreed.id, done.clone(), today()).await), "evidence");
    let done = CommitmentDraft { evidence: Some("https://infobip.com/hour-of-code".into()), ..done };
    assert_eq!(ok(store.update_commitment(a, agreed.id, done, today()).await).status, CommitmentStatus::Fulfilled);
    ok(store.move_stage(a, infobip.id, to(Stage::Contacted)).await);
    ok(store.move_stage(a, infobip.id, to(Stage::ClosedWon)).await);
}

pub async fn partner_links_are_secret_and_revocable(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("links")).await);
    let p = ok(store.create_partner(a, c.id, partner("Infobip", Category::ItCompany, 2_000_000)).await);
    let other = ok(store.create_partner(a, c.id, partner("Other", Category::Media, 10)).await);
    let events = ok(store.create_ask(a, c.id, Some(p.id), ask("Host events", 15, "schools")).await);
    let m = ok(store.propose(a, p.id, events.id, CommitmentDraft::default(), today()).await);
    let other_ask = ok(store.create_ask(a, c.id, Some(other.id), ask("Post", 5, "")).await);
    let theirs = ok(store.propose(a, other.id, other_ask.id, CommitmentDraft::default(), today()).await);
    let logo = ok(store
        .create_asset(
            a,
            c.id,
            ok(AssetDraft {
                title: Some("Logo pack".into()),
                kind: Some(AssetKind::Logo),
                url: Some("example.org/logos".into()),
                ..Default::default()
            }
            .validate(false)),
            None,
        )
        .await);
    let unsent = ok(store
        .create_asset(
            a,
            c.id,
            ok(AssetDraft {
                title: Some("Poster".into()),
                kind: Some(AssetKind::Poster),
                url: Some("example.org/poster".into()),
                ..Default::default()
            }
            .validate(false)),
            None,
        )
        .await);
    ok(store.send_assets(a, p.id, &[logo.id], "for your newsletter").await);

    assert!(ok(store.partner_profile(a, p.id).await).link.is_none());
    ok(store.create_partner_link(a, p.id, "hash-one").await);
    assert!(ok(store.partner_profile(a, p.id).await).link.is_some());
    let view = ok(store.link_view("hash-one").await);
    assert_eq!(view.partner.id, p.id);
    assert_eq!(view.commitments.len(), 1);
    assert_eq!(view.assets.iter().map(|x| x.id).collect::<Vec<_>>(), [logo.id]);
    assert!(matches!(store.link_asset("hash-one", unsent.id).await, Err(StoreError::NotFound(_))));
    ok(store.link_asset("hash-one", logo.id).await);
    // Another partner's commitment is not there.
    let yes = PartnerResponse { accept: true, quantity: Some(25), note: None };
    assert!(matches!(
        store.link_respond("hash-one", theirs.id, yes.clone(), today()).await,
        Err(StoreError::NotFound(_))
    ));
    let agreed = ok(store.link_respond("hash-one", m.id, yes.clone(), today()).await);
    assert_eq!((agreed.status, agreed.quantity, agreed.by_partner), (CommitmentStatus::Agreed, Some(25), true));
    assert_eq!(invalid_field(store.link_respond("hash-one", m.id, yes.clone(), today()).await), "accept");
    ok(store.link_set_opt_out("hash-one", true).await);
    assert!(ok(store.partner_profile(a, p.id).await).recognition_opt_out);

    // A new link revokes the old one; revoking ends the new one; unknown links look the same.
    ok(store.create_partner_link(a, p.id, "hash-two").await);
    assert!(matches!(store.link_view("hash-one").await, Err(StoreError::NotFound("link"))));
    ok(store.link_view("hash-two").await);
    ok(store.revoke_partner_link(a, p.id).await);
    assert!(matches!(store.link_view("hash-two").await, Err(StoreError::NotFound("link"))));
    assert!(matches!(store.link_view("never-made").await, Err(StoreError::NotFound("link"))));
    assert!(matches!(store.link_respond("hash-two", m.id, yes, today()).await, Err(StoreError::NotFound("link"))));
}

pub async fn follow_up_tasks_and_stale_partners(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let vic = user(store, "Vic").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("tasks")).await);
    ok(store.set_role(a, c.id, mia.id, Role::Member).await);
    ok(store.set_role(a, c.id, vic.id, Role::Viewer).await);
    let old = Utc::now() - Duration::days(20);
    let mut fields = partner("Waiting", Category::Media, 10);
    fields.owner_id = Some(mia.id);
    let mut fresh_fields = partner("Fresh", Category::Media, 10);
    fresh_fields.owner_id = Some(mia.id);
    let loads = vec![
        PartnerLoad { fields, created_at: old, moves: vec![], contacts: vec![] },
        PartnerLoad { fields: fresh_fields, created_at: Utc::now(), moves: vec![], contacts: vec![] },
    ];
    ok(store.load_partners(a, c.id, loads).await);
    let proposals = ok(store.follow_up_proposals(a, c.id, mia.id, Utc::now()).await);
    assert_eq!(proposals.iter().map(|p| p.fields.name.as_str()).collect::<Vec<_>>(), ["Waiting"]);
    let waiting = proposals[0].id;
    // A limit of 30 days for leads makes it fresh again.
    let limits = StageLimits([(Stage::Lead, 30)].into());
    ok(store.set_stage_limits(a, c.id, limits.clone()).await);
    assert_eq!(ok(store.stage_limits(a, c.id).await), limits);
    assert!(ok(store.follow_up_proposals(a, c.id, mia.id, Utc::now()).await).is_empty());
    // "No limits at all" reads back as no limits, not as the mark that keeps it.
    let none = ok(store.set_stage_limits(a, c.id, StageLimits(Default::default())).await);
    assert_eq!(none, StageLimits(Default::default()));
    assert_eq!(ok(store.stage_limits(a, c.id).await), none);
    ok(store.set_stage_limits(a, c.id, StageLimits::default()).await);

    let task = |title: &str, owner, partner: Option<PartnerId>| TaskFields {
        title: title.into(),
        due_on: today() + Duration::days(2),
        owner_id: owner,
        partner_id: partner,
        commitment_id: None,
        done: false,
    };
    let m = Actor::User(mia.id);
    let t = ok(store.create_task(m, c.id, task("Call Waiting", None, Some(waiting))).await);
    assert_eq!(t.fields.owner_id, Some(mia.id), "a task belongs to whoever makes it");
    assert!(ok(store.follow_up_proposals(a, c.id, mia.id, Utc::now()).await).is_empty(), "an open task answers it");
    assert!(matches!(
        store.create_task(m, c.id, task("For Ana", Some(ana.id), None)).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store.create_task(Actor::User(vic.id), c.id, task("x", None, None)).await,
        Err(StoreError::Forbidden)
    ));
    let other_campaign = ok(store.create_campaign(a, campaign_fields("elsewhere")).await);
    let stranger = ok(store.create_partner(a, other_campaign.id, partner("Elsewhere", Category::Media, 1)).await);
    assert_eq!(invalid_field(store.create_task(a, c.id, task("x", None, Some(stranger.id))).await), "partner_id");

    let done = rally_domain::TaskDraft { done: Some(true), ..Default::default() };
    let t = ok(store.update_task(m, t.id, done, today()).await);
    assert!(t.fields.done && t.done_at.is_some());
    let open = ok(store.tasks(a, c.id, TaskFilter { owner: Some(mia.id), open: true, ..Default::default() }).await);
    assert!(open.is_empty());
    assert_eq!(ok(store.tasks(a, c.id, TaskFilter { partner: Some(waiting), ..Default::default() }).await).len(), 1);
    assert_eq!(ok(store.follow_up_proposals(a, c.id, mia.id, Utc::now()).await).len(), 1, "done tasks do not count");
}

pub async fn interactions_assets_recognition_and_calendar(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("wall")).await);
    let small = ok(store.create_partner(a, c.id, partner("Zagreb Radio", Category::Media, 100)).await);
    let big = ok(store.create_partner(a, c.id, partner("Infobip", Category::ItCompany, 2_000_000)).await);
    let shy = ok(store.create_partner(a, c.id, partner("Shy Corp", Category::ItCompany, 2_000_000)).await);
    let open = ok(store.create_partner(a, c.id, partner("Still talking", Category::Media, 100)).await);
    for p in [&small, &big, &shy] {
        ok(store.move_stage(a, p.id, to(Stage::ClosedWon)).await);
    }
    ok(store.set_recognition_opt_out(a, shy.id, true).await);
    let wall = ok(store.recognition(c.id).await);
    assert_eq!(
        wall.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Infobip", "Zagreb Radio"],
        "high tier first"
    );
    assert_eq!(wall[0].tier, Tier::High);

    let other = ok(store.create_partner(a, c.id, partner("Other", Category::Media, 1)).await);
    let theirs = ok(store.create_contact(a, other.id, super::contact("x@other.hr")).await);
    let call = |contact| InteractionFields {
        kind: InteractionKind::Call,
        on: today(),
        text: "Agreed on a call next week".into(),
        contact_id: contact,
    };
    assert_eq!(invalid_field(store.add_interaction(a, open.id, call(Some(theirs.id))).await), "contact_id");
    let logged = ok(store.add_interaction(a, open.id, call(None)).await);
    assert_eq!(logged.author_name.as_deref(), Some("Ana"));
    assert_eq!(ok(store.interactions(a, open.id).await).len(), 1);

    // The calendar: milestones, commitments of the user's campaigns, the user's tasks; a revoked feed is gone.
    let events = ok(store.create_ask(a, c.id, Some(open.id), ask("Host events", 3, "")).await);
    ok(store.propose(a, open.id, events.id, CommitmentDraft::default(), today()).await);
    ok(store
        .create_task(
            a,
            c.id,
            TaskFields {
                title: "Send the logo pack".into(),
                due_on: today() + Duration::days(1),
                owner_id: None,
                partner_id: Some(open.id),
                commitment_id: None,
                done: false,
            },
        )
        .await);
    ok(store.create_calendar_token(ana.id, "feed-hash").await);
    assert!(ok(store.calendar_token_created(ana.id).await).is_some());
    let (who, items) = ok(store.calendar("feed-hash", today()).await).unwrap_or_else(|| panic!("feed"));
    assert_eq!(who.id, ana.id);
    let kinds: Vec<CalendarKind> = items.iter().map(|i| i.kind).collect();
    for kind in [CalendarKind::Milestone, CalendarKind::Commitment, CalendarKind::Task] {
        assert!(kinds.contains(&kind), "{kind:?} in {items:?}");
    }
    assert!(items.iter().any(|i| i.title == "Still talking: Host events"), "{items:?}");
    ok(store.revoke_calendar_tokens(ana.id).await);
    assert!(ok(store.calendar("feed-hash", today()).await).is_none());
}

/// What an invalid input says, field and message.
fn said<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(e)) => format!("{}: {}", e.0[0].field, e.0[0].message),
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

/// An id in a body that belongs to another campaign gets the very answer of an id that does not
/// exist, so trying ids tells nobody which exist elsewhere.
pub async fn ids_from_other_campaigns_answer_as_missing_ones(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let boris = user(store, "Boris").await;
    let (a, b) = (Actor::User(ana.id), Actor::User(boris.id));
    let mine = ok(store.create_campaign(a, campaign_fields("mine")).await);
    let theirs = ok(store.create_campaign(b, campaign_fields("theirs")).await);
    let p = ok(store.create_partner(a, mine.id, partner("Radio", Category::Media, 100)).await);
    let q = ok(store.create_partner(b, theirs.id, partner("Radio", Category::Media, 100)).await);
    let asset = ok(store
        .create_asset(
            b,
            theirs.id,
            ok(AssetDraft {
                title: Some("Poster".into()),
                kind: Some(AssetKind::Poster),
                url: Some("example.org/poster".into()),
                ..Default::default()
            }
            .validate(false)),
            None,
        )
        .await);
    let standard = ok(store.create_ask(b, theirs.id, None, ask("Newsletter", 10, "")).await);
    let commitment = ok(store.propose(b, q.id, standard.id, CommitmentDraft::default(), today()).await);
    let missing = 9_999_999;

    let send = |id| async move { said(store.send_assets(a, p.id, &[id], "").await) };
    let (elsewhere, nowhere) = (send(asset.id).await, send(rally_domain::AssetId(missing)).await);
    assert_eq!(elsewhere.replace(&asset.id.to_string(), "N"), nowhere.replace(&missing.to_string(), "N"));

    let apply = |id| async move { said(store.apply_asks(a, mine.id, &[id], &PartnerFilter::default(), true).await) };
    let (elsewhere, nowhere) = (apply(standard.id).await, apply(rally_domain::AskId(missing)).await);
    assert_eq!(elsewhere.replace(&standard.id.to_string(), "N"), nowhere.replace(&missing.to_string(), "N"));

    let propose = |id| async move { said(store.propose(a, p.id, id, CommitmentDraft::default(), today()).await) };
    assert_eq!(propose(standard.id).await, propose(rally_domain::AskId(missing)).await);

    let task = |id| async move {
        let fields = TaskFields {
            title: "Call".into(),
            due_on: today(),
            owner_id: None,
            partner_id: None,
            commitment_id: Some(id),
            done: false,
        };
        said(store.create_task(a, mine.id, fields).await)
    };
    assert_eq!(task(commitment.id).await, task(rally_domain::CommitmentId(missing)).await);
}

pub async fn duplicate_partners_merge_into_one(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("merge")).await);
    let keep = ok(store.create_partner(a, c.id, partner("Infobip", Category::ItCompany, 500)).await);
    let dup = ok(store.create_partner(a, c.id, partner("Infobip d.o.o.", Category::ItCompany, 300)).await);
    ok(store.move_stage(a, dup.id, to(Stage::Contacted)).await);
    let contact = |email: &str| {
        ok(rally_domain::ContactDraft { name: Some("Iva".into()), email: Some(email.into()), ..Default::default() }
            .validate())
    };
    ok(store.create_contact(a, keep.id, contact("iva@infobip.example")).await);
    ok(store.create_contact(a, dup.id, contact("marko@infobip.example")).await);
    ok(store.create_contact(a, dup.id, contact("ivan@infobip.example")).await);
    let newsletter = ok(store.create_ask(a, c.id, None, ask("Newsletter", 10, "")).await);
    let banner = ok(store.create_ask(a, c.id, None, ask("Banner", 20, "")).await);
    ok(store.propose(a, keep.id, newsletter.id, CommitmentDraft::default(), today()).await);
    ok(store.propose(a, dup.id, newsletter.id, CommitmentDraft::default(), today()).await);
    ok(store.propose(a, dup.id, banner.id, CommitmentDraft::default(), today()).await);
    let call = InteractionFields { kind: InteractionKind::Call, on: today(), text: "Called".into(), contact_id: None };
    ok(store.add_interaction(a, dup.id, call).await);
    let task = TaskFields {
        title: "Follow up".into(),
        due_on: today() + Duration::days(2),
        owner_id: None,
        partner_id: Some(dup.id),
        commitment_id: None,
        done: false,
    };
    ok(store.create_task(a, c.id, task).await);

    // Coordinators and owners merge; members may not delete partners, so they may not merge.
    let mia = user(store, "Mia").await;
    ok(store.set_role(a, c.id, mia.id, Role::Member).await);
    assert!(matches!(
        store.merge_partners(Actor::User(mia.id), keep.id, dup.id, true).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(store.merge_partners(a, keep.id, keep.id, true).await, Err(StoreError::Invalid(_))));
    let other = ok(store.create_campaign(a, campaign_fields("merge-other")).await);
    let elsewhere = ok(store.create_partner(a, other.id, partner("Infobip", Category::ItCompany, 1)).await);
    assert!(matches!(store.merge_partners(a, keep.id, elsewhere.id, true).await, Err(StoreError::NotFound(_))));

    // A dry run says what would move and changes nothing.
    let preview = ok(store.merge_partners(a, keep.id, dup.id, true).await);
    assert_eq!(
        (preview.contacts, preview.commitments, preview.commitments_dropped, preview.interactions, preview.tasks),
        (2, 1, 1, 1, 1)
    );
    assert_eq!(preview.stage_changes, 2, "created in lead, moved to contacted");
    assert_eq!(ok(store.contacts(a, dup.id).await).len(), 2, "nothing moved on a dry run");
    let count = |t: Vec<rally_store::Tally<Stage>>| t.iter().map(|x| x.partners).sum::<i64>();
    let before = count(ok(store.pipeline_tally(a, c.id).await));

    let merged = ok(store.merge_partners(a, keep.id, dup.id, false).await);
    assert_eq!(merged, preview);
    assert!(matches!(store.partner(a, dup.id).await, Err(StoreError::NotFound(_))));
    assert_eq!(ok(store.contacts(a, keep.id).await).len(), 3);
    let commitments = ok(store.commitments(a, keep.id).await);
    assert_eq!(commitments.len(), 2, "the survivor's newsletter and the duplicate's banner");
    assert_eq!(ok(store.stage_history(a, keep.id).await).len(), 3);
    let notes = ok(store.interactions(a, keep.id).await);
    assert!(
        notes.iter().any(|i| i.fields.text.starts_with("Merged “Infobip d.o.o.” into this partner: 2 contacts")),
        "{notes:?}"
    );
    assert_eq!(ok(store.tasks(a, c.id, TaskFilter::default()).await)[0].fields.partner_id, Some(keep.id));
    assert_eq!(count(ok(store.pipeline_tally(a, c.id).await)), before - 1, "the tallies lose the duplicate");
}

//! The activity catalogue on both backends: the team's edits and who may make them, facet filters (any
//! value within a facet, every facet together) with their counts, the visitor's language first, search
//! and paging, an umbrella's catalogue offered to its members (which hide some), submissions waiting for
//! review (the checklist, a rejection's reason written to the submitter, the bound on waiting ones),
//! "hide now", the registration form's options, and usage counted from approved events only.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use rally_domain::activity::{
    ActivityDraft, ActivityFields, ActivityStatus, ActivityTextDraft, Facet, ReviewCheck, Submitter,
};
use rally_domain::event::EventFields;
use rally_domain::{ActivityId, Category, Role, Strategy, limits};
use rally_store::activities::{Catalogue, CatalogueQuery, Review};
use rally_store::{Actor, EventMailKind, Moderation, OrganizerMail, Store, StoreError};

use super::{campaign_fields, form, ok, partner, user};

/// An activity titled `title` in each of `languages` (the first is its own), with facet values.
pub(super) fn activity(title: &str, languages: &[&str], facets: &[(Facet, &[&str])], minutes: i64) -> ActivityFields {
    ok(ActivityDraft {
        texts: Some(
            languages
                .iter()
                .map(|l| ActivityTextDraft {
                    language: Some((*l).into()),
                    title: Some(format!("{title} ({l})")),
                    summary: Some(format!("{title}: one hour")),
                    ..Default::default()
                })
                .collect(),
        ),
        url: Some(format!("https://example.org/{}", title.to_lowercase().replace(' ', "-"))),
        provider_name: Some("Example Org".into()),
        duration_minutes: Some(minutes),
        facets: Some(facets.iter().map(|(f, values)| (*f, values.iter().map(|v| (*v).to_owned()).collect())).collect()),
        ..Default::default()
    }
    .validate())
}

fn query(facets: &[(Facet, &[&str])]) -> CatalogueQuery {
    CatalogueQuery {
        facets: facets
            .iter()
            .map(|(f, values)| (*f, values.iter().map(|v| (*v).to_owned()).collect::<BTreeSet<_>>()))
            .collect::<BTreeMap<_, _>>(),
        page: 1,
        per_page: 50,
        ..Default::default()
    }
}

/// The English titles (or first ones) of a page, in order: the visitor's language first.
fn titles(c: &Catalogue) -> Vec<String> {
    c.in_language
        .iter()
        .chain(&c.other_languages)
        .map(|a| a.fields.texts[0].title.split(" (").next().unwrap_or_default().to_owned())
        .collect()
}

fn count(c: &Catalogue, facet: Facet, value: &str) -> i64 {
    c.counts.iter().find(|x| x.facet == facet && x.value == value).map_or(-1, |x| x.activities)
}

fn field_of<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(i)) => i.0.iter().map(|e| e.field.clone()).collect::<Vec<_>>().join(","),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn mailer(event: &rally_domain::event::Event, kind: EventMailKind) -> OrganizerMail {
    OrganizerMail { subject: format!("{kind:?}"), text: format!("link for {}", event.id) }
}

pub(super) async fn activities_are_edited_by_the_team_only(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let vera = user(store, "Vera").await;
    let mara = user(store, "Mara").await;
    let stranger = user(store, "Stranger").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cat-edit")).await);
    let other = ok(store.create_campaign(me, campaign_fields("cat-other")).await);
    ok(store.set_role(me, c.id, vera.id, Role::Viewer).await);
    ok(store.set_role(me, c.id, mara.id, Role::Member).await);
    let now = Utc::now();

    let fields = activity("Binary bracelets", &["en", "hr"], &[(Facet::Format, &["unplugged"])], 45);
    let created = ok(store.create_activity(me, c.id, fields.clone(), now).await);
    assert_eq!(created.status, ActivityStatus::Listed);
    assert_eq!(created.fields, fields, "an activity reads back as it was written");
    assert_eq!(created.submitter, None);
    assert_eq!(ok(store.activity(Actor::User(vera.id), created.id).await), created);

    // A viewer reads but cannot change; someone off the team learns nothing; a member edits.
    let viewer = Actor::User(vera.id);
    assert!(matches!(store.create_activity(viewer, c.id, fields.clone(), now).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.update_activity(viewer, created.id, fields.clone(), now).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.delete_activity(viewer, created.id).await, Err(StoreError::Forbidden)));
    let outsider = Actor::User(stranger.id);
    assert!(matches!(store.activity(outsider, created.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_activity(outsider, created.id).await, Err(StoreError::NotFound(_))));

    let edit = ActivityDraft {
        duration_minutes: Some(90),
        has_follow_on: Some(true),
        print_per_student: Some("One bracelet sheet".into()),
        ..Default::default()
    };
    let edited_fields = ok(created.to_draft().merge(edit).validate());
    let edited = ok(store.update_activity(Actor::User(mara.id), created.id, edited_fields.clone(), now).await);
    assert_eq!(edited.fields, edited_fields);
    assert_eq!(edited.fields.texts, created.fields.texts, "texts keep their order");
    let listed = ok(store.activities(viewer, c.id, &query(&[(Facet::Length, &["follow_on"])])).await);
    assert_eq!(listed.total, 1, "the derived length facet follows the edit");

    // A provider or asset must be the campaign's own.
    let theirs = ok(store.create_partner(me, other.id, partner("Elsewhere", Category::Nonprofit, 10)).await);
    let ours = ok(store.create_partner(me, c.id, partner("Code Club", Category::Nonprofit, 10)).await);
    let wrong =
        ActivityFields { provider: Some(theirs.id), asset: Some(rally_domain::AssetId(999_999)), ..fields.clone() };
    assert_eq!(field_of(store.create_activity(me, c.id, wrong, now).await), "provider,asset");
    let right = ActivityFields { provider: Some(ours.id), provider_name: String::new(), ..fields.clone() };
    let by_partner = ok(store.create_activity(me, c.id, right, now).await);
    assert_eq!(by_partner.fields.provider, Some(ours.id));
    assert_eq!(by_partner.fields.provider_name, "Code Club", "shown by the partner's name when none is given");

    ok(store.delete_activity(me, created.id).await);
    assert!(matches!(store.activity(me, created.id).await, Err(StoreError::NotFound(_))));
    assert_eq!(ok(store.activities(me, c.id, &query(&[])).await).total, 1);
}

pub(super) async fn the_catalogue_filters_counts_and_orders(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cat-facets")).await);
    let now = Utc::now();
    use Facet::*;
    let cards = activity(
        "Cards",
        &["hr", "en"],
        &[(Age, &["7-10"]), (Equipment, &["no_computers", "offline"]), (Format, &["unplugged"])],
        45,
    );
    let maze = activity(
        "Maze",
        &["en", "fr"],
        &[(Age, &["7-10", "11-13"]), (Equipment, &["computers", "tablets"]), (Format, &["tutorial"])],
        60,
    );
    let robots = activity(
        "Robots",
        &["en"],
        &[(Age, &["11-13", "14-18"]), (Equipment, &["computers"]), (Format, &["robotics"])],
        120,
    );
    let beads =
        activity("Beads", &["hr"], &[(Age, &["4-6"]), (Equipment, &["no_computers"]), (Format, &["unplugged"])], 30);
    let azbuka = activity("Azbuka", &["ru"], &[(Age, &["7-10"]), (Equipment, &["no_computers"])], 30);
    for f in [cards, maze, robots, beads, azbuka] {
        ok(store.create_activity(me, c.id, f, now).await);
    }
    let public = async |q: CatalogueQuery| store.catalogue(c.id, &q).await;

    // No filter: everything, by title; counts per value (zero included).
    let all = ok(public(query(&[])).await);
    assert_eq!(all.total, 5);
    assert_eq!(titles(&all), ["Azbuka", "Beads", "Cards", "Maze", "Robots"]);
    assert_eq!(count(&all, Age, "7-10"), 3);
    assert_eq!(count(&all, Age, "adults"), 0);
    assert_eq!(count(&all, Language, "hr"), 2);
    assert_eq!(count(&all, Length, "up_to_30"), 2);

    // Any value within a facet.
    let young = ok(public(query(&[(Age, &["4-6", "7-10"])])).await);
    assert_eq!(titles(&young), ["Azbuka", "Beads", "Cards", "Maze"]);
    // Every facet together.
    let unplugged_young = ok(public(query(&[(Age, &["7-10"]), (Equipment, &["no_computers"])])).await);
    assert_eq!(titles(&unplugged_young), ["Azbuka", "Cards"]);
    // Counts: a facet's values counted with the other facets' choices, not its own.
    assert_eq!(count(&unplugged_young, Age, "4-6"), 1, "Beads: no computers, ages 4-6");
    assert_eq!(count(&unplugged_young, Age, "11-13"), 0);
    assert_eq!(count(&unplugged_young, Equipment, "computers"), 1, "Maze: ages 7-10 with computers");
    assert_eq!(count(&unplugged_young, Equipment, "no_computers"), 2);
    assert_eq!(count(&unplugged_young, Format, "unplugged"), 1, "unselected facets count the filtered list");
    assert_eq!(count(&unplugged_young, Language, "ru"), 1);
    // "No computers, ages 7-10, in Croatian".
    let croatian = ok(public(query(&[(Age, &["7-10"]), (Equipment, &["no_computers"]), (Language, &["hr"])])).await);
    assert_eq!(titles(&croatian), ["Cards"]);

    // The visitor's language first, then the others, each by title.
    let in_hr = ok(public(CatalogueQuery { language: Some("hr".into()), ..query(&[]) }).await);
    let first: Vec<String> =
        in_hr.in_language.iter().map(|a| a.fields.text_in("hr").map(|t| t.title.clone()).unwrap_or_default()).collect();
    assert_eq!(first, ["Beads (hr)", "Cards (hr)"], "titles in the visitor's language");
    assert_eq!(titles(&Catalogue { in_language: vec![], ..in_hr.clone() }), ["Azbuka", "Maze", "Robots"]);
    assert_eq!(in_hr.total, 5);

    // Paging runs over both lists as one.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = ok(public(CatalogueQuery { language: Some("hr".into()), page, per_page: 2, ..query(&[]) }).await);
        assert_eq!(p.total, 5);
        seen.extend(titles(&p));
    }
    assert_eq!(seen, ["Beads", "Cards", "Azbuka", "Maze", "Robots"]);

    // Search: folded words of titles, summaries and the provider, each required.
    let found = ok(public(CatalogueQuery { q: Some("MAZE".into()), ..query(&[]) }).await);
    assert_eq!(titles(&found), ["Maze"]);
    let none = ok(public(CatalogueQuery { q: Some("maze robots".into()), ..query(&[]) }).await);
    assert_eq!(none.total, 0);
    let by_provider = ok(public(CatalogueQuery { q: Some("exam".into()), ..query(&[(Age, &["14-18"])]) }).await);
    assert_eq!(titles(&by_provider), ["Robots"]);
    let hostile = ok(public(CatalogueQuery { q: Some("%' OR 1=1 --".into()), ..query(&[]) }).await);
    assert_eq!(hostile.total, 0);

    // A filter of unknown values matches nothing; lists are bounded however long the query.
    assert_eq!(ok(public(query(&[(Age, &["99"])])).await).total, 0);
    let many: Vec<String> = (0..10_000).map(|i| format!("v{i}")).collect();
    let mut long = query(&[]);
    long.facets.insert(Subject, many.into_iter().collect());
    assert_eq!(ok(public(long.clone()).await).total, 0);
    // Unknown values are dropped before the list is bounded: a known one among them still counts.
    long.facets.insert(Subject, (0..10_000).map(|i| format!("a{i}")).chain(["maths".to_owned()]).collect());
    long.facets.insert(Age, (0..10_000).map(|i| format!("a{i}")).chain(["7-10".to_owned()]).collect());
    assert_eq!(ok(public(long).await).total, 0, "no activity is about maths");
    let mut junk = query(&[]);
    junk.facets.insert(Age, (0..10_000).map(|i| format!("a{i}")).chain(["7-10".to_owned()]).collect());
    assert_eq!(titles(&ok(public(junk).await)), ["Azbuka", "Cards", "Maze"]);

    // The team's list shows every status; the public catalogue listed ones only.
    let robots_id = all.in_language.iter().find(|a| a.fields.texts[0].title.starts_with("Robots")).map(|a| a.id);
    let robots_id = robots_id.unwrap_or(ActivityId(0));
    ok(store.set_activity_hidden(me, robots_id, true, "The robot kit is out of stock", now).await);
    assert_eq!(ok(public(query(&[])).await).total, 4);
    assert_eq!(ok(store.activities(me, c.id, &query(&[])).await).total, 5);
    let hidden = CatalogueQuery { status: Some(ActivityStatus::Hidden), ..query(&[]) };
    assert_eq!(titles(&ok(store.activities(me, c.id, &hidden).await)), ["Robots"]);
}

pub(super) async fn umbrellas_offer_their_catalogue_to_members(store: &dyn Store) {
    let org = user(store, "Org").await;
    let local = user(store, "Local").await;
    let umbrella = ok(store.create_campaign(Actor::User(org.id), campaign_fields("cat-eu")).await);
    ok(store.set_role(Actor::User(org.id), umbrella.id, local.id, Role::Viewer).await);
    let mut fields = campaign_fields("cat-zagreb");
    fields.strategy = Strategy::Member;
    fields.parent_id = Some(umbrella.id);
    let member = ok(store.create_campaign(Actor::User(local.id), fields).await);
    let now = Utc::now();
    let shared =
        ok(store.create_activity(Actor::User(org.id), umbrella.id, activity("Shared", &["en"], &[], 60), now).await);
    let dropped =
        ok(store.create_activity(Actor::User(org.id), umbrella.id, activity("Dropped", &["en"], &[], 60), now).await);
    let own = ok(store.create_activity(Actor::User(local.id), member.id, activity("Own", &["hr"], &[], 60), now).await);

    let offered = ok(store.umbrella_activities(Actor::User(local.id), member.id).await);
    assert_eq!(
        offered.iter().map(|(a, hidden)| (a.id, *hidden)).collect::<Vec<_>>(),
        [(dropped.id, false), (shared.id, false)]
    );
    assert_eq!(titles(&ok(store.catalogue(member.id, &query(&[])).await)), ["Dropped", "Own", "Shared"]);

    // The member hides one; the umbrella's own catalogue is unchanged; showing it again brings it back.
    ok(store.hide_umbrella_activity(Actor::User(local.id), member.id, dropped.id, true).await);
    assert_eq!(titles(&ok(store.catalogue(member.id, &query(&[])).await)), ["Own", "Shared"]);
    assert!(matches!(store.public_activity(member.id, dropped.id).await, Err(StoreError::NotFound(_))));
    assert!(ok(store.public_activity(member.id, shared.id).await).0.id == shared.id);
    assert_eq!(titles(&ok(store.catalogue(umbrella.id, &query(&[])).await)), ["Dropped", "Shared"]);
    let offered = ok(store.umbrella_activities(Actor::User(local.id), member.id).await);
    assert_eq!(
        offered.iter().map(|(a, hidden)| (a.id, *hidden)).collect::<Vec<_>>(),
        [(dropped.id, true), (shared.id, false)]
    );
    ok(store.hide_umbrella_activity(Actor::User(local.id), member.id, dropped.id, false).await);
    assert_eq!(ok(store.catalogue(member.id, &query(&[])).await).total, 3);

    // Only an umbrella's activity can be hidden this way, by the member's editors.
    assert!(matches!(
        store.hide_umbrella_activity(Actor::User(local.id), member.id, own.id, true).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.hide_umbrella_activity(Actor::User(org.id), member.id, shared.id, true).await,
        Err(StoreError::NotFound(_))
    ));
    // The umbrella's catalogue is not the member's to edit.
    assert!(matches!(
        store.update_activity(Actor::User(local.id), shared.id, activity("Mine now", &["en"], &[], 60), now).await,
        Err(StoreError::Forbidden)
    ));
    // The umbrella does not see its members' activities in its own catalogue.
    assert!(matches!(store.public_activity(umbrella.id, own.id).await, Err(StoreError::NotFound(_))));
}

pub(super) async fn submissions_wait_for_review(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let vera = user(store, "Vera").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cat-review")).await);
    ok(store.set_role(me, c.id, vera.id, Role::Viewer).await);
    let club = ok(store.create_partner(me, c.id, partner("Code Club", Category::Nonprofit, 10)).await);
    let now = Utc::now();

    let visitor = ok(Submitter::parse(None, "Iva Ilić", "iva@skola.example", "hr").map_err(|e| e.to_string()));
    let from_partner =
        ok(Submitter::parse(Some(club.id), "Petra", "petra@club.example", "en").map_err(|e| e.to_string()));
    let fields = activity("Paper robots", &["hr"], &[(Facet::Format, &["unplugged"])], 45);
    let a = ok(store.submit_activity(c.id, fields.clone(), visitor.clone(), now).await);
    assert_eq!((a.status, a.submitter.as_ref()), (ActivityStatus::Submitted, Some(&visitor)));
    let b = ok(store.submit_activity(c.id, activity("Loops", &["en"], &[], 30), from_partner.clone(), now).await);
    assert_eq!(b.submitter.as_ref().and_then(|s| s.partner), Some(club.id));
    // A partner of another campaign is not this campaign's.
    let other = ok(store.create_campaign(me, campaign_fields("cat-review-2")).await);
    assert!(matches!(
        store.submit_activity(other.id, fields.clone(), from_partner.clone(), now).await,
        Err(StoreError::NotFound(_))
    ));

    // Waiting ones are not in the public catalogue, nor offered to the registration form.
    assert_eq!(ok(store.catalogue(c.id, &query(&[])).await).total, 0);
    assert!(matches!(store.public_activity(c.id, a.id).await, Err(StoreError::NotFound(_))));
    assert!(ok(store.activity_options(c.id, "", "hr", 10).await).is_empty());
    let waiting = CatalogueQuery { status: Some(ActivityStatus::Submitted), ..query(&[]) };
    assert_eq!(ok(store.activities(me, c.id, &waiting).await).total, 2);

    // Listing needs every check ticked, and an editor.
    let some = Review::List { checks: vec![ReviewCheck::NoSignUp, ReviewCheck::Accessible] };
    assert_eq!(field_of(store.review_activity(me, a.id, some, None, now).await), "checklist");
    let all = Review::List { checks: ReviewCheck::ALL.to_vec() };
    assert!(matches!(
        store.review_activity(Actor::User(vera.id), a.id, all.clone(), None, now).await,
        Err(StoreError::Forbidden)
    ));
    let listed = ok(store.review_activity(me, a.id, all.clone(), None, now).await);
    assert_eq!((listed.status, listed.checklist.len()), (ActivityStatus::Listed, ReviewCheck::ALL.len()));
    assert_eq!(listed.submitter, Some(visitor), "the submitter is kept");
    assert_eq!(titles(&ok(store.catalogue(c.id, &query(&[])).await)), ["Paper robots"]);
    // Reviewed once only.
    assert!(matches!(store.review_activity(me, a.id, all, None, now).await, Err(StoreError::Conflict { .. })));

    // A rejection needs a reason (bounded), keeps it, and writes to the submitter.
    let mail =
        || Some(OrganizerMail { subject: "Your activity".into(), text: "Not this time: it needs sign-up.".into() });
    let blank = Review::Reject { reason: "  ".into() };
    assert_eq!(field_of(store.review_activity(me, b.id, blank, mail(), now).await), "reason");
    let long = Review::Reject { reason: "x".repeat(limits::ACTIVITY_REASON + 1) };
    assert_eq!(field_of(store.review_activity(me, b.id, long, mail(), now).await), "reason");
    let reason = "It needs an account to play.";
    let rejected = ok(store.review_activity(me, b.id, Review::Reject { reason: reason.into() }, mail(), now).await);
    assert_eq!((rejected.status, rejected.reason.as_str()), (ActivityStatus::Rejected, reason));
    let sent = ok(store.claim("w1", now, now + Duration::minutes(5), 10).await);
    assert_eq!(sent.len(), 1, "only the rejection is written to its submitter");
    assert_eq!((sent[0].email.as_str(), sent[0].subject.as_str()), ("petra@club.example", "Your activity"));
    assert_eq!(ok(store.catalogue(c.id, &query(&[])).await).total, 1);

    // "Hide now" with a reason, audited; listed again.
    assert_eq!(field_of(store.set_activity_hidden(me, a.id, true, "", now).await), "reason");
    let hidden = ok(store.set_activity_hidden(me, a.id, true, "The site is down", now).await);
    assert_eq!((hidden.status, hidden.reason.as_str()), (ActivityStatus::Hidden, "The site is down"));
    assert_eq!(ok(store.catalogue(c.id, &query(&[])).await).total, 0);
    assert!(matches!(store.set_activity_hidden(me, b.id, true, "no", now).await, Err(StoreError::Conflict { .. })));
    let again = ok(store.set_activity_hidden(me, a.id, false, "", now).await);
    assert_eq!((again.status, again.reason.as_str()), (ActivityStatus::Listed, ""));
    let log = ok(store.audit_entries(me, Some(c.id), &rally_store::AuditFilter::default()).await);
    let actions: Vec<&str> = log.entries.iter().map(|e| e.action.as_str()).collect();
    for action in ["activity_listed", "activity_rejected", "activity_hidden"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }

    // A campaign keeps at most so many waiting: past it, a clear refusal.
    let quick = activity("Spam", &["en"], &[], 30);
    let spammer = ok(Submitter::parse(None, "Spam", "spam@example.org", "").map_err(|e| e.to_string()));
    for _ in 0..limits::ACTIVITIES_WAITING {
        ok(store.submit_activity(other.id, quick.clone(), spammer.clone(), now).await);
    }
    let refused = store.submit_activity(other.id, quick.clone(), spammer, now).await;
    assert!(matches!(&refused, Err(StoreError::Conflict { field: "activity", .. })), "{refused:?}");
}

pub(super) async fn usage_and_options_come_from_the_catalogue(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cat-usage")).await);
    let now = Utc::now();
    let scratch = ok(store.create_activity(me, c.id, activity("Scratch games", &["hr", "en"], &[], 60), now).await);
    let cards = ok(store.create_activity(me, c.id, activity("Šifre i kartice", &["hr"], &[], 45), now).await);

    // The registration form's picker: folded words, titles in the visitor's language when there are.
    let options = ok(store.activity_options(c.id, "", "en", 10).await);
    let names: Vec<&str> = options.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(names, ["Scratch games (en)", "Šifre i kartice (hr)"]);
    let found = ok(store.activity_options(c.id, "sifre", "hr", 10).await);
    assert_eq!(found.iter().map(|o| o.id).collect::<Vec<_>>(), [cards.id]);
    assert_eq!(ok(store.activity_options(c.id, "scr", "hr", 10).await)[0].title, "Scratch games (hr)");
    assert_eq!(ok(store.activity_options(c.id, "", "hr", 1).await).len(), 1);
    assert!(ok(store.activity_options(c.id, "hour", "hr", 10).await).is_empty(), "titles only, not summaries");
    assert!(ok(store.activity_options(c.id, "games sifre", "hr", 10).await).is_empty(), "every word in one title");

    // Usage counts approved events only: students reported when they are, else expected.
    let with = |f: EventFields, ids: &[ActivityId]| EventFields { activities: ids.to_vec(), ..f };
    let a = ok(store
        .register_event(c.id, with(form("Ana Kos", "HR", "Zagreb", 20), &[scratch.id]), "hr", now, &mailer)
        .await);
    let b = ok(store
        .register_event(c.id, with(form("Iva Ilić", "HR", "Split", 30), &[scratch.id, cards.id]), "hr", now, &mailer)
        .await);
    let _pending = ok(store
        .register_event(c.id, with(form("Ivo Ivić", "HR", "Rijeka", 99), &[scratch.id]), "hr", now, &mailer)
        .await);
    assert_eq!(ok(store.public_activity(c.id, scratch.id).await).1, rally_store::activities::ActivityUsage::default());
    for e in [&a, &b] {
        ok(store.confirm_event(e.event.id, e.event.link_version, now, &mailer).await);
    }
    ok(store.moderate(me, c.id, &[a.event.id, b.event.id], Moderation::Approve, now, &mailer).await);
    let on_the_day = chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default()
        .and_utc();
    ok(store.report_students(b.event.id, b.event.link_version, 25, on_the_day).await);
    let (_, usage) = ok(store.public_activity(c.id, scratch.id).await);
    assert_eq!((usage.events, usage.students), (2, 45), "20 expected + 25 reported; the pending event not counted");
    let (_, usage) = ok(store.public_activity(c.id, cards.id).await);
    assert_eq!((usage.events, usage.students), (1, 25));

    // An activity events chose is hidden, not deleted: they keep saying what they ran.
    assert!(matches!(store.delete_activity(me, cards.id).await, Err(StoreError::Conflict { field: "activity", .. })));
    ok(store.set_activity_hidden(me, cards.id, true, "Replaced by a newer version", now).await);
    let stored = ok(store.event(me, b.event.id).await);
    assert!(stored.fields.activities.contains(&cards.id));
}

/// A small deterministic generator (a linear congruential one): the same catalogue on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    /// Some of `values` (possibly none).
    fn some<'a>(&mut self, values: &[&'a str]) -> Vec<&'a str> {
        values.iter().copied().filter(|_| self.roll(3) == 0).collect()
    }
}

pub(super) async fn facet_counts_equal_a_recount(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cat-recount")).await);
    let now = Utc::now();
    let mut dice = Dice(18);
    let chosen = [Facet::Age, Facet::Equipment, Facet::Format, Facet::Programming];
    let mut rows: Vec<BTreeSet<(Facet, String)>> = Vec::new();
    for i in 0..40 {
        let languages = dice.some(&["en", "hr", "fr", "ru"]);
        let languages = if languages.is_empty() { vec!["en"] } else { languages };
        let values: Vec<(Facet, Vec<&str>)> =
            chosen.iter().map(|f| (*f, dice.some(f.values().unwrap_or_default()))).collect();
        let facets: Vec<(Facet, &[&str])> = values.iter().map(|(f, v)| (*f, v.as_slice())).collect();
        let minutes = [20, 45, 90][dice.roll(3)];
        let fields = activity(&format!("Activity {i:02}"), &languages, &facets, minutes);
        rows.push(fields.facet_rows().into_iter().collect());
        ok(store.create_activity(me, c.id, fields, now).await);
    }
    let matches = |row: &BTreeSet<(Facet, String)>, q: &CatalogueQuery, except: Option<Facet>| {
        q.facets
            .iter()
            .filter(|(f, values)| Some(**f) != except && !values.is_empty())
            .all(|(f, values)| values.iter().any(|v| row.contains(&(*f, v.clone()))))
    };
    let all_facets = [Facet::Age, Facet::Equipment, Facet::Format, Facet::Programming, Facet::Language, Facet::Length];
    for _ in 0..12 {
        let mut q = query(&[]);
        for facet in all_facets {
            let values: Vec<&str> = match facet.values() {
                Some(values) => values.to_vec(),
                None => vec!["en", "hr", "fr", "ru"],
            };
            if dice.roll(2) == 0 {
                let picked: BTreeSet<String> = dice.some(&values).into_iter().map(str::to_owned).collect();
                if !picked.is_empty() {
                    q.facets.insert(facet, picked);
                }
            }
        }
        let got = ok(store.catalogue(c.id, &q).await);
        let want_total = rows.iter().filter(|r| matches(r, &q, None)).count() as i64;
        assert_eq!(got.total, want_total, "{q:?}");
        assert_eq!(got.in_language.len() as i64, want_total.min(50));
        for fc in &got.counts {
            let want = rows
                .iter()
                .filter(|r| r.contains(&(fc.facet, fc.value.clone())) && matches(r, &q, Some(fc.facet)))
                .count();
            assert_eq!(fc.activities, want as i64, "{:?} {} for {q:?}", fc.facet, fc.value);
        }
        // Every value that would give something, or that is chosen, is counted; every value of a
        // facet with a fixed list is.
        let chosen_values: Vec<(Facet, String)> =
            q.facets.iter().flat_map(|(f, vs)| vs.iter().map(|v| (*f, v.clone()))).collect();
        for (facet, value) in rows.iter().flatten().chain(&chosen_values) {
            let chosen = q.facets.get(facet).is_some_and(|vs| vs.contains(value));
            let gives = rows.iter().any(|r| r.contains(&(*facet, value.clone())) && matches(r, &q, Some(*facet)));
            let listed = got.counts.iter().any(|fc| fc.facet == *facet && fc.value == *value);
            assert_eq!(listed, chosen || gives || facet.values().is_some(), "{facet:?} {value} for {q:?}");
        }
    }
}

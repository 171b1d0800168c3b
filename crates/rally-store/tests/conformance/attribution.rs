//! Events' activities and partner attribution on both backends: activities chosen from the campaign's
//! catalogue (another's refused), share codes made once and unique, a registration marked by the code it
//! came with (a stale one ignored), "how did you hear about us?" checked, what partners brought (approved
//! events only; the share link wins over the organizer's answer), and lists filtered by activity.

use chrono::Utc;
use rally_domain::activity::{ActivityDraft, ActivityFields, ActivityTextDraft};
use rally_domain::event::{EventFields, EventStatus};
use rally_domain::{ActivityId, Category, PartnerId, Stage};
use rally_store::{Actor, Brought, EventFilter, EventMailKind, Moderation, OrganizerMail, Store, StoreError};

use super::{campaign_fields, form, ok, partner, to, user};

fn mailer(event: &rally_domain::event::Event, kind: EventMailKind) -> OrganizerMail {
    OrganizerMail { subject: format!("{kind:?}"), text: format!("link for {}", event.id) }
}

fn activity(title: &str) -> ActivityFields {
    ok(ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("hr".into()),
            title: Some(title.into()),
            summary: Some("Jedan sat".into()),
            ..Default::default()
        }]),
        url: Some("https://example.org/activity".into()),
        provider_name: Some("Example".into()),
        duration_minutes: Some(60),
        ..Default::default()
    }
    .validate())
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(i)) => i.0.first().map(|e| e.field.clone()).unwrap_or_default(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn with(
    f: EventFields,
    activities: &[ActivityId],
    referred_by: Option<PartnerId>,
    heard_from: Option<PartnerId>,
) -> EventFields {
    EventFields { activities: activities.to_vec(), referred_by, heard_from, ..f }
}

pub(super) async fn events_store_their_activities_and_who_sent_them(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("attr")).await);
    let other = ok(store.create_campaign(me, campaign_fields("attr-other")).await);
    let scratch = ok(store.create_activity(me, c.id, activity("Scratch u školi"), Utc::now()).await).id;
    let cards = ok(store.create_activity(me, c.id, activity("Kartice bez računala"), Utc::now()).await).id;
    let foreign = ok(store.create_activity(me, other.id, activity("Tuđa aktivnost"), Utc::now()).await).id;
    let radio = ok(store.create_partner(me, c.id, partner("Radio Zagreb", Category::Media, 100)).await);
    let telco = ok(store.create_partner(me, c.id, partner("Telco", Category::ItCompany, 100)).await);
    let stranger = ok(store.create_partner(me, other.id, partner("Elsewhere", Category::Media, 100)).await);
    ok(store.move_stage(me, radio.id, to(Stage::ClosedWon)).await);
    let now = Utc::now();

    // An activity of another campaign's catalogue, or a partner not of this campaign named as the
    // source, is refused and nothing is stored.
    let foreign_choice = with(form("Ana Kos", "HR", "Zagreb", 20), &[scratch, foreign], None, None);
    assert_eq!(invalid_field(store.register_event(c.id, foreign_choice, "hr", now, &mailer).await), "activities");
    let wrong_source = with(form("Ana Kos", "HR", "Zagreb", 20), &[], None, Some(stranger.id));
    assert_eq!(invalid_field(store.register_event(c.id, wrong_source, "hr", now, &mailer).await), "heard_from");
    let (none, total) = ok(store.events(me, c.id, &EventFilter::default()).await);
    assert!(none.is_empty() && total == 0, "a refused registration stores nothing");

    // Activities and attribution are stored; a share link of another campaign's partner (a stale cookie)
    // is dropped without failing the registration.
    let f = EventFields { own_activity: "Robotika".into(), ..form("Ana Kos", "HR", "Zagreb", 20) };
    let first =
        ok(store.register_event(c.id, with(f, &[cards, scratch], Some(stranger.id), None), "hr", now, &mailer).await);
    assert_eq!(first.event.fields.referred_by, None);
    let stored = ok(store.event(me, first.event.id).await);
    let mut chosen = stored.fields.activities.clone();
    chosen.sort();
    let mut want = vec![scratch, cards];
    want.sort();
    assert_eq!((chosen, stored.fields.own_activity.as_str()), (want, "Robotika"));
    // Registered again before confirming, through a partner's link: the new choices replace the old
    // ones; once more without a link, the link followed before still counts.
    let again = with(form("Ana Kos", "HR", "Zagreb", 25), &[scratch], Some(telco.id), Some(radio.id));
    let again = ok(store.register_event(c.id, again, "hr", now, &mailer).await);
    assert!(again.updated);
    let third = with(form("Ana Kos", "HR", "Zagreb", 25), &[scratch], None, Some(radio.id));
    let third = ok(store.register_event(c.id, third, "hr", now, &mailer).await);
    let e = ok(store.organizer_event(third.event.id, 1).await);
    assert_eq!(
        (e.fields.activities.clone(), e.fields.referred_by, e.fields.heard_from),
        (vec![scratch], Some(telco.id), Some(radio.id))
    );
    // The organizer's later edits keep what it runs and who sent it.
    let edit = EventFields { activities: vec![], referred_by: None, heard_from: None, ..e.fields.clone() };
    let edited = ok(store.organizer_edit(e.id, 1, edit, now).await);
    assert_eq!((edited.fields.activities, edited.fields.referred_by), (vec![scratch], Some(telco.id)));

    // Lists filter by activity, the public one only once the event is approved and public.
    let by = |a: ActivityId| EventFilter { activity: Some(a.0), ..Default::default() };
    assert_eq!(ok(store.events(me, c.id, &by(scratch)).await).1, 1);
    assert_eq!(ok(store.events(me, c.id, &by(cards)).await).1, 0);
    assert_eq!(ok(store.public_events(c.id, &by(scratch)).await).1, 0);
    ok(store.confirm_event(e.id, 1, now, &mailer).await);
    ok(store.moderate(me, c.id, &[e.id], Moderation::Approve, now, &mailer).await);
    assert_eq!(ok(store.public_events(c.id, &by(scratch)).await).1, 1);
    assert_eq!(ok(store.public_events(c.id, &by(cards)).await).1, 0);

    // What partners brought: the share link wins over the organizer's answer; only approved events.
    let heard = with(form("Iva Pavić", "HR", "Rijeka", 30), &[], None, Some(radio.id));
    let heard = ok(store.register_event(c.id, heard, "hr", now, &mailer).await).event;
    let waiting = with(form("Luka Babić", "HR", "Rijeka", 1000), &[], Some(radio.id), None);
    let waiting = ok(store.register_event(c.id, waiting, "hr", now, &mailer).await).event;
    ok(store.confirm_event(heard.id, 1, now, &mailer).await);
    ok(store.confirm_event(waiting.id, 1, now, &mailer).await);
    ok(store.moderate(me, c.id, &[heard.id], Moderation::Approve, now, &mailer).await);
    let b = |p: &rally_domain::Partner, events, students| Brought {
        partner: p.id,
        name: p.fields.name.clone(),
        events,
        students,
    };
    assert_eq!(ok(store.brought(c.id, None).await), [b(&radio, 1, 30), b(&telco, 1, 25)]);
    assert_eq!(ok(store.brought(c.id, Some(telco.id)).await), [b(&telco, 1, 25)]);
    assert!(ok(store.brought(other.id, None).await).is_empty());
    // Reported students count as the counter counts them.
    let day = e.fields.starts_on.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    ok(store.report_students(e.id, 1, 21, day).await);
    assert_eq!(ok(store.brought(c.id, Some(telco.id)).await), [b(&telco, 1, 21)]);
    // The form's "how did you hear about us?" offers the won partners.
    assert_eq!(ok(store.won_partners(c.id).await), [(radio.id, "Radio Zagreb".to_owned())]);

    // Imports and bulk loads keep them too, checked the same way.
    let loaded = with(form("Mia Jurić", "HR", "Zagreb", 40), &[cards], Some(radio.id), None);
    assert_eq!(ok(store.load_events(me, c.id, vec![(loaded, EventStatus::Approved)], now).await), 1);
    assert_eq!(ok(store.brought(c.id, Some(radio.id)).await), [b(&radio, 2, 70)]);
    assert_eq!(ok(store.events(me, c.id, &by(cards)).await).1, 1);
    let bad = with(form("Mia Jurić", "HR", "Zagreb", 40), &[foreign], None, None);
    assert_eq!(invalid_field(store.load_events(me, c.id, vec![(bad, EventStatus::Approved)], now).await), "activities");
    let _ = waiting;
}

pub(super) async fn share_codes_are_made_once_and_name_their_partner(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("codes")).await);
    let other = ok(store.create_campaign(me, campaign_fields("codes-other")).await);
    let radio = ok(store.create_partner(me, c.id, partner("Radio", Category::Media, 100)).await);
    let telco = ok(store.create_partner(me, c.id, partner("Telco", Category::ItCompany, 100)).await);
    let code = ok(store.share_code(me, radio.id).await);
    assert!(code.len() >= 8 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{code}");
    assert_eq!(ok(store.share_code(me, radio.id).await), code, "made once, then kept");
    assert_eq!(ok(store.partner_share_code(radio.id).await), code);
    let second = ok(store.partner_share_code(telco.id).await);
    assert_ne!(second, code);
    assert_eq!(ok(store.partner_for_code(c.id, &code).await), Some(radio.id));
    assert_eq!(ok(store.partner_for_code(c.id, &second).await), Some(telco.id));
    // Another campaign's address, an unknown code or a mangled one name nobody.
    assert_eq!(ok(store.partner_for_code(other.id, &code).await), None);
    assert_eq!(ok(store.partner_for_code(c.id, "nothing-here").await), None);
    assert_eq!(ok(store.partner_for_code(c.id, "<script>").await), None);
    // Someone outside the team cannot make or read a partner's code.
    let eve = user(store, "Eve").await;
    assert!(matches!(store.share_code(Actor::User(eve.id), radio.id).await, Err(StoreError::NotFound(_))));
    // Many codes, all different.
    let mut codes = std::collections::BTreeSet::from([code, second]);
    for i in 0..20 {
        let p = ok(store.create_partner(me, c.id, partner(&format!("P{i}"), Category::Nonprofit, 1)).await);
        codes.insert(ok(store.share_code(me, p.id).await));
    }
    assert_eq!(codes.len(), 22);
}

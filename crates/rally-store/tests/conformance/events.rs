//! Events on both backends: registration and its dedupe, organizers' signed-link versions, moderation
//! with its e-mails and log, tallies equal to a recount after every kind of change, and umbrella roll-up.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus, Gazetteer};
use rally_domain::{CampaignId, Role, Strategy};
use rally_store::{Actor, EventFilter, EventMailKind, Moderation, OrganizerMail, Store, StoreError};

use super::{campaign_fields, ok, user};

struct Places;
impl Gazetteer for Places {
    fn is_country(&self, code: &str) -> bool {
        matches!(code, "HR" | "FR" | "RS")
    }
    fn find_place(&self, country: &str, name: &str) -> Option<(f64, f64)> {
        match (country, name) {
            ("HR", "Zagreb") => Some((45.81, 15.98)),
            ("HR", "Rijeka") => Some((45.33, 14.44)),
            ("FR", "Lyon") => Some((45.75, 4.85)),
            _ => None,
        }
    }
    fn country_centre(&self, _: &str) -> Option<(f64, f64)> {
        Some((45.0, 16.0))
    }
}

fn window() -> DateWindow {
    DateWindow { from: day("2026-10-01"), to: day("2027-01-31") }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

pub(super) fn form(name: &str, country: &str, city: &str, students: i64) -> rally_domain::event::EventFields {
    ok(EventForm {
        organizer_name: name.into(),
        organizer_email: format!(
            "{}@skola.example",
            name.to_lowercase().split_whitespace().collect::<Vec<_>>().join(".")
        ),
        organization: format!("School of {name}"),
        event_type: "in_school".into(),
        country: country.into(),
        city: city.into(),
        starts_on: "2026-12-08".into(),
        students: students.to_string(),
        language: "hr".into(),
        consent: "on".into(),
        ..EventForm::default()
    }
    .validate(window(), &Places)
    .map_err(|e| format!("{e:?}")))
}

fn mailer(event: &rally_domain::event::Event, kind: EventMailKind) -> OrganizerMail {
    OrganizerMail {
        subject: format!("{kind:?} {}", event.fields.display_title()),
        text: format!("link for {}", event.id),
    }
}

/// Recounts approved events from scratch and compares with the maintained counter.
pub(super) async fn assert_tallies_match(store: &dyn Store, actor: Actor, campaign: CampaignId) {
    let (all, _) = ok(store.events(actor, campaign, &EventFilter { per_page: Some(200), ..Default::default() }).await);
    let approved: Vec<_> = all.iter().filter(|e| e.status == EventStatus::Approved).collect();
    let stats = ok(store.event_stats(campaign).await);
    assert_eq!(stats.events, approved.len() as i64);
    assert_eq!(stats.students, approved.iter().map(|e| e.counted_students()).sum::<i64>());
    let countries: std::collections::BTreeSet<_> = approved.iter().map(|e| e.fields.country.clone()).collect();
    assert_eq!(stats.countries, countries.len() as i64);
    let by_type: i64 = stats.by_type.iter().map(|r| r.students).sum();
    let by_week: i64 = stats.by_week.iter().map(|r| r.events).sum();
    assert_eq!((by_type, by_week), (stats.students, stats.events));
}

pub(super) async fn events_register_confirm_and_moderate(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("ev")).await);
    let now = Utc::now();
    let first = ok(store.register_event(c.id, form("Ivana Kovač", "HR", "Zagreb", 30), "hr", now, &mailer).await);
    assert_eq!(first.event.status, EventStatus::Unconfirmed);
    assert!(!first.updated);
    // The same address, name and day again before confirming: an update, not a second event.
    let again = ok(store.register_event(c.id, form("ivana  kovač", "HR", "Rijeka", 40), "hr", now, &mailer).await);
    assert!(again.updated && !again.unchanged);
    assert_eq!(again.event.id, first.event.id);
    assert_eq!((again.event.fields.city.as_str(), again.event.fields.students_expected), ("Rijeka", 40));
    // Unconfirmed events do not count, and links of another version are unknown.
    assert_eq!(ok(store.event_stats(c.id).await).students, 0);
    assert!(matches!(store.organizer_event(first.event.id, 2).await, Err(StoreError::NotFound(_))));
    let confirmed = ok(store.confirm_event(first.event.id, 1, now, &mailer).await);
    assert_eq!(confirmed.status, EventStatus::Pending);
    assert_eq!(ok(store.event_stats(c.id).await).students, 0, "pending events do not count");
    // A registration of a confirmed event changes nothing.
    let third = ok(store.register_event(c.id, form("Ivana Kovač", "HR", "Split", 1), "hr", now, &mailer).await);
    assert!(third.unchanged);
    assert_eq!(ok(store.organizer_event(first.event.id, 1).await).fields.city, "Rijeka");
    // Moderation: a viewer may not; a member may; the organizer is written to.
    let vera = user(store, "Vera").await;
    ok(store.set_role(me, c.id, vera.id, Role::Viewer).await);
    let refused =
        store.moderate(Actor::User(vera.id), c.id, &[first.event.id], Moderation::Approve, now, &mailer).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let changed = ok(store.moderate(me, c.id, &[first.event.id], Moderation::Approve, now, &mailer).await);
    assert_eq!(changed[0].status, EventStatus::Approved);
    let stats = ok(store.event_stats(c.id).await);
    assert_eq!((stats.students, stats.events, stats.countries), (40, 1, 1));
    // Reporting before the first day is refused; the edit of an approved event goes back to pending.
    // (The day before, in the morning UTC: not yet the first day anywhere on Earth.)
    let day_before = day("2026-12-07").and_hms_opt(8, 0, 0).unwrap_or_default().and_utc();
    let early = store.report_students(first.event.id, 1, 25, day_before).await;
    assert!(matches!(early, Err(StoreError::Conflict { .. })), "{early:?}");
    let on_the_day = day("2026-12-08").and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    let reported = ok(store.report_students(first.event.id, 1, 25, on_the_day).await);
    assert_eq!(reported.counted_students(), 25);
    assert_eq!(ok(store.event_stats(c.id).await).students, 25);
    let mut edit = reported.fields.clone();
    edit.students_expected = 60;
    let edited = ok(store.organizer_edit(first.event.id, 1, edit, now).await);
    assert_eq!(edited.status, EventStatus::Pending);
    assert_eq!(ok(store.event_stats(c.id).await).students, 0);
    assert_tallies_match(store, me, c.id).await;
    // Rejection needs a reason; bulk approval; cancelling takes it out of the counter.
    let second = ok(store.register_event(c.id, form("Marko Horvat", "FR", "Lyon", 12), "fr", now, &mailer).await);
    ok(store.confirm_event(second.event.id, 1, now, &mailer).await);
    let no_reason =
        store.moderate(me, c.id, &[second.event.id], Moderation::Reject { reason: " ".into() }, now, &mailer).await;
    assert!(matches!(no_reason, Err(StoreError::Invalid(_))));
    let rejected = ok(store
        .moderate(
            me,
            c.id,
            &[second.event.id],
            Moderation::Reject { reason: "not a school event".into() },
            now,
            &mailer,
        )
        .await);
    assert_eq!(rejected[0].reason, "not a school event");
    ok(store.moderate(me, c.id, &[first.event.id, second.event.id], Moderation::Approve, now, &mailer).await);
    let stats = ok(store.event_stats(c.id).await);
    assert_eq!((stats.events, stats.students, stats.countries), (2, 37, 2));
    assert_tallies_match(store, me, c.id).await;
    ok(store.cancel_event(second.event.id, 1, now).await);
    assert_eq!(ok(store.event_stats(c.id).await).students, 25);
    assert_tallies_match(store, me, c.id).await;
    // Deleting a counted registration takes it out of the counter, with its log; its link is dead.
    let third = ok(store.register_event(c.id, form("Petra Perić", "HR", "Zagreb", 7), "hr", now, &mailer).await);
    ok(store.confirm_event(third.event.id, 1, now, &mailer).await);
    ok(store.moderate(me, c.id, &[third.event.id], Moderation::Approve, now, &mailer).await);
    assert_eq!(ok(store.event_stats(c.id).await).students, 32);
    assert!(matches!(store.delete_event(third.event.id, 2).await, Err(StoreError::NotFound(_))));
    assert_eq!(ok(store.delete_event(third.event.id, 1).await), c.id);
    assert_eq!(ok(store.event_stats(c.id).await).students, 25);
    assert!(ok(store.event_log(me, c.id, Some(third.event.id), 10).await).is_empty());
    assert!(matches!(store.organizer_event(third.event.id, 1).await, Err(StoreError::NotFound(_))));
    assert_tallies_match(store, me, c.id).await;
    // The log tells the story, newest first.
    let log = ok(store.event_log(me, c.id, Some(second.event.id), 50).await);
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["cancelled", "approved", "rejected", "confirmed", "registered"]);
    assert_eq!(log[1].user_name.as_deref(), Some("Ana"));
    // Public lists show approved public events only, filtered.
    let (public, total) = ok(store.public_events(c.id, &EventFilter::default()).await);
    assert_eq!((public.len(), total), (1, 1));
    let (none, _) =
        ok(store.public_events(c.id, &EventFilter { country: Some("fr".into()), ..Default::default() }).await);
    assert!(none.is_empty());
    let (found, _) =
        ok(store.public_events(c.id, &EventFilter { q: Some("ivana".into()), ..Default::default() }).await);
    assert_eq!(found.len(), 1);
    let points = ok(store.event_points(c.id, Some("HR"), 100).await);
    assert_eq!(points.len(), 1);
    assert!((points[0].latitude - 45.33).abs() < 1e-9);
}

pub(super) async fn umbrella_counts_its_members_events(store: &dyn Store) {
    let org = user(store, "Org").await;
    let umbrella = ok(store.create_campaign(Actor::User(org.id), campaign_fields("codeweek")).await);
    let mut m = campaign_fields("codeweek-hr");
    m.strategy = Strategy::Member;
    m.parent_id = Some(umbrella.id);
    let member = ok(store.create_campaign(Actor::User(org.id), m).await);
    let now = Utc::now();
    let e = ok(store.register_event(member.id, form("Ana Horvat", "HR", "Zagreb", 33), "hr", now, &mailer).await);
    ok(store.confirm_event(e.event.id, 1, now, &mailer).await);
    ok(store.moderate(Actor::User(org.id), member.id, &[e.event.id], Moderation::Approve, now, &mailer).await);
    let u = ok(store.event_stats(umbrella.id).await);
    assert_eq!((u.students, u.events, u.goal), (33, 1, 50_000));
    let (listed, _) = ok(store.public_events(umbrella.id, &EventFilter::default()).await);
    assert_eq!(listed[0].campaign_slug, "codeweek-hr");
    let site = ok(store.site("codeweek").await);
    assert_eq!(site.members, [("codeweek-hr".to_owned(), "Campaign codeweek-hr".to_owned())]);
    assert_eq!(ok(store.site("codeweek-hr").await).umbrella.map(|u| u.0), Some("codeweek".into()));
    // Moderating another campaign's event through this one is "not found".
    let other =
        store.moderate(Actor::User(org.id), umbrella.id, &[e.event.id], Moderation::Approve, now, &mailer).await;
    assert!(matches!(other, Err(StoreError::NotFound(_))), "{other:?}");
}

pub(super) async fn organizer_mail_goes_through_the_outbox(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let c = ok(store.create_campaign(Actor::User(ana.id), campaign_fields("mailev")).await);
    let now = Utc::now();
    let mut settings = ok(store.event_settings(c.id).await);
    settings.auto_approve = true;
    ok(store.set_event_settings(Actor::User(ana.id), c.id, settings).await);
    let e = ok(store.register_event(c.id, form("Petra Perić", "HR", "Zagreb", 20), "hr", now, &mailer).await);
    let claimed = ok(store.claim("w1", now, now + Duration::minutes(5), 10).await);
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email, "petra.perić@skola.example");
    assert!(claimed[0].subject.starts_with("Confirm"));
    assert_eq!((claimed[0].message_id, claimed[0].contact_id), (None, None));
    ok(store.finish(claimed[0].id, "w1", rally_store::Delivered::Sent("250 ok".into()), now).await);
    // Auto-approval: confirming counts it at once and says so by e-mail.
    let confirmed = ok(store.confirm_event(e.event.id, 1, now, &mailer).await);
    assert_eq!(confirmed.status, EventStatus::Approved);
    assert_eq!(ok(store.event_stats(c.id).await).students, 20);
    let claimed = ok(store.claim("w1", now, now + Duration::minutes(5), 10).await);
    assert_eq!(claimed.len(), 1);
    assert!(claimed[0].subject.starts_with("Approved"));
    ok(store.finish(claimed[0].id, "w1", rally_store::Delivered::Sent("250 ok".into()), now).await);
    // The morning after the event (2026-12-08): how many students took part?
    let morning = day("2026-12-09").and_hms_opt(8, 0, 1).unwrap_or_default().and_utc();
    let early = ok(store.claim("w1", morning - Duration::hours(1), morning, 10).await);
    assert!(early.is_empty(), "not before the morning after: {early:?}");
    let reminder = ok(store.claim("w1", morning, morning + Duration::minutes(5), 10).await);
    assert_eq!(reminder.len(), 1);
    assert!(reminder[0].subject.starts_with("ReportReminder"), "{}", reminder[0].subject);
    ok(store.finish(reminder[0].id, "w1", rally_store::Delivered::Sent("250 ok".into()), morning).await);
    // A number reported before the reminder goes takes the reminder back; so does cancelling.
    let b = ok(store.register_event(c.id, form("Iva Ilić", "HR", "Split", 12), "hr", now, &mailer).await);
    ok(store.confirm_event(b.event.id, 1, now, &mailer).await);
    let on_the_day = day("2026-12-08").and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    ok(store.report_students(b.event.id, 1, 11, on_the_day).await);
    let d = ok(store.register_event(c.id, form("Ivo Ivić", "HR", "Split", 12), "hr", now, &mailer).await);
    ok(store.confirm_event(d.event.id, 1, now, &mailer).await);
    ok(store.cancel_event(d.event.id, 1, now).await);
    let later = ok(store.claim("w1", morning + Duration::days(30), morning + Duration::days(31), 50).await);
    assert!(
        later.iter().all(|m| !m.subject.starts_with("ReportReminder")),
        "no reminder for a reported or cancelled event: {:?}",
        later.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    // Bulk loads count what they load.
    let loaded = ok(store
        .load_events(
            Actor::User(ana.id),
            c.id,
            (0..50)
                .map(|i| (form(&format!("Teacher {i}"), "RS", "Beograd", 10), EventStatus::Approved))
                .map(|(mut f, s)| {
                    f.latitude = Some(44.8);
                    f.longitude = Some(20.5);
                    (f, s)
                })
                .collect(),
            now,
        )
        .await);
    assert_eq!(loaded, 50);
    let stats = ok(store.event_stats(c.id).await);
    assert_eq!((stats.events, stats.students, stats.countries), (52, 531, 2));
    assert_tallies_match(store, Actor::User(ana.id), c.id).await;
}

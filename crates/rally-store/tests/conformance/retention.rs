//! Retention on both backends: each rule removes, empties or anonymizes what is past its period and
//! nothing else, a campaign's own period wins over the default, batches are bounded and a run finishes,
//! a dry run changes nothing, and the public figures stay as they were. Rows are made now and the rules
//! applied at a later `now`, which is how they age without touching the database behind the store.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus, Gazetteer};
use rally_domain::retention::{RetentionPeriods, RetentionReport, RetentionRule};
use rally_domain::{AuditAction, CampaignId, Category, Consent, ContactDraft, Role, Stage};
use rally_store::{Actor, AuditFilter, Delivered, EventFilter, Moderation, OrganizerMail, Store, StoreError};

use super::activities::activity;
use super::comms::{delivery, message, template};
use super::{campaign_fields, ok, partner, user};

conformance!(
    each_rule_removes_what_is_past_its_period_and_nothing_else,
    batches_are_bounded_and_a_dry_run_changes_nothing,
    contacts_of_lost_partners_are_anonymized_and_archived_campaigns_deleted,
    owners_set_periods_within_bounds,
    rejected_suggestions_lose_their_sender,
);

struct Places;
impl Gazetteer for Places {
    fn is_country(&self, code: &str) -> bool {
        code == "HR"
    }
    fn find_place(&self, _: &str, _: &str) -> Option<(f64, f64)> {
        Some((45.81, 15.98))
    }
    fn country_centre(&self, _: &str) -> Option<(f64, f64)> {
        Some((45.0, 16.0))
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// An event ten days from now, organized by `name`.
fn event(name: &str) -> rally_domain::event::EventFields {
    let window = DateWindow { from: today() - Duration::days(30), to: today() + Duration::days(60) };
    ok(EventForm {
        organizer_name: name.into(),
        organizer_email: format!("{}@skola.example", name.to_lowercase().replace(' ', ".")),
        organization: format!("School of {name}"),
        event_type: "in_school".into(),
        country: "HR".into(),
        city: "Zagreb".into(),
        starts_on: (today() + Duration::days(10)).to_string(),
        students: "20".into(),
        language: "hr".into(),
        consent: "on".into(),
        ..EventForm::default()
    }
    .validate(window, &Places)
    .map_err(|e| format!("{e:?}")))
}

fn mailer(event: &rally_domain::event::Event, kind: rally_store::EventMailKind) -> OrganizerMail {
    OrganizerMail { subject: format!("{kind:?}"), text: format!("link for {}", event.id) }
}

/// Registers `name`'s event; `approve`: confirmed and approved (it counts), else left unconfirmed.
async fn register(store: &dyn Store, campaign: CampaignId, name: &str, approve: bool) -> rally_domain::event::Event {
    let now = Utc::now();
    let e = ok(store.register_event(campaign, event(name), "hr", now, &mailer).await).event;
    if !approve {
        return e;
    }
    ok(store.confirm_event(e.id, 1, now, &mailer).await);
    ok(store.moderate(Actor::System, campaign, &[e.id], Moderation::Approve, now, &mailer).await).remove(0)
}

async fn statuses(store: &dyn Store, campaign: CampaignId) -> Vec<(String, EventStatus)> {
    let filter = EventFilter { per_page: Some(200), ..Default::default() };
    let (events, _) = ok(store.events(Actor::System, campaign, &filter).await);
    let mut all: Vec<_> = events.into_iter().map(|e| (e.fields.organizer_name, e.status)).collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

async fn apply(store: &dyn Store, at: DateTime<Utc>) -> RetentionReport {
    ok(store.apply_retention(at, None, 500, false).await)
}

fn lost_move() -> rally_domain::StageMove {
    rally_domain::StageMove {
        stage: Stage::ClosedLost,
        note: None,
        reason: Some("no budget this year".into()),
        confirm_unfulfilled: false,
    }
}

fn days(n: i64) -> DateTime<Utc> {
    Utc::now() + Duration::days(n)
}

/// A campaign with one partner and one contact who opted in, and an e-mail to them that was sent
/// and one still planned. Returns the campaign and the partner.
async fn with_mail(store: &dyn Store, slug: &str) -> (CampaignId, rally_domain::PartnerId) {
    let c = ok(store.create_campaign(Actor::System, campaign_fields(slug)).await).id;
    let p = ok(store.create_partner(Actor::System, c, partner(&format!("Radio {slug}"), Category::Media, 10)).await);
    let k = ok(ContactDraft {
        name: Some("Ana Horvat".into()),
        email: Some(format!("ana@{slug}.example.org")),
        consent: Some(Consent::OptedIn),
        ..Default::default()
    }
    .validate());
    let k = ok(store.create_contact(Actor::System, p.id, k).await);
    let segment = rally_domain::comms::Segment::default();
    let sent =
        ok(store.create_message(Actor::System, c, message("News", segment.clone()), vec![template("hr", None)]).await);
    ok(store.enqueue(Actor::System, sent.id, vec![delivery(&k, -10)]).await);
    let now = Utc::now();
    for claimed in ok(store.claim(slug, now, now + Duration::seconds(60), 10).await) {
        ok(store.finish(claimed.id, slug, Delivered::Sent("250 ok".into()), now).await);
    }
    let later = ok(store.create_message(Actor::System, c, message("Later", segment), vec![template("hr", None)]).await);
    ok(store.enqueue(Actor::System, later.id, vec![delivery(&k, 86_400 * 400)]).await);
    (c, p.id)
}

/// The subjects of the partner's e-mails, by message title, and the addresses they went to.
async fn mail(store: &dyn Store, p: rally_domain::PartnerId) -> Vec<(String, String, String)> {
    let mut all: Vec<_> = ok(store.partner_mail(Actor::System, p).await)
        .into_iter()
        .map(|m| (m.message_title, m.subject, m.email))
        .collect();
    all.sort();
    all
}

pub async fn each_rule_removes_what_is_past_its_period_and_nothing_else(store: &dyn Store) {
    let (a, pa) = with_mail(store, "ret-a").await;
    let (b, pb) = with_mail(store, "ret-b").await;
    // Campaign B keeps unconfirmed registrations three weeks and e-mails two months.
    let own = RetentionPeriods(
        [(RetentionRule::UnconfirmedRegistrations, 21), (RetentionRule::OutboxBodies, 60)].into_iter().collect(),
    );
    ok(store.set_retention_periods(Actor::System, b, own).await);
    for c in [a, b] {
        register(store, c, "Ivana Kovač", true).await;
        register(store, c, "Marko Babić", false).await;
    }
    let figures = (ok(store.event_stats(a).await), ok(store.event_stats(b).await));
    let ana = user(store, "Ana").await;
    ok(store.create_session(ana.id, "session-hash", "csrf", Utc::now() + Duration::days(2)).await);

    // Two weeks and a day on: A's unconfirmed registration goes, B's (three weeks) stays, and so does
    // everything confirmed.
    let report = apply(store, days(15)).await;
    assert_eq!(report.count(RetentionRule::UnconfirmedRegistrations), 1, "{report:?}");
    assert_eq!(report.total(), 1, "nothing else is due yet: {report:?}");
    assert_eq!(statuses(store, a).await, vec![("Ivana Kovač".into(), EventStatus::Approved)]);
    assert_eq!(statuses(store, b).await.len(), 2);

    // A month and a day on: A's sent e-mail is emptied (its address stays), the planned one is not; B
    // keeps its e-mails (two months) and loses its unconfirmed registration. The session ended 30 days
    // ago, a day short of its period.
    let report = apply(store, days(31)).await;
    assert_eq!(
        (
            report.count(RetentionRule::UnconfirmedRegistrations),
            report.count(RetentionRule::OutboxBodies),
            report.count(RetentionRule::SignInRecords)
        ),
        (1, 1, 0),
        "{report:?}"
    );
    let emptied = mail(store, pa).await;
    assert_eq!(
        emptied,
        vec![
            ("Later".into(), "Sat kodiranja".into(), "ana@ret-a.example.org".into()),
            ("News".into(), String::new(), "ana@ret-a.example.org".into()),
        ]
    );
    assert!(mail(store, pb).await.iter().all(|(_, subject, _)| subject == "Sat kodiranja"));
    assert_eq!(statuses(store, b).await, vec![("Ivana Kovač".into(), EventStatus::Approved)]);

    // Nothing is done twice.
    let again = apply(store, days(31)).await;
    assert_eq!(again.total(), 0, "{again:?}");

    // Past the session's period, and past the 90 days after the events' last day: the names for the
    // certificates go, the events and their figures stay.
    let report = apply(store, days(102)).await;
    assert_eq!(report.count(RetentionRule::SignInRecords), 1, "{report:?}");
    assert!(ok(store.session("session-hash").await).is_none(), "the session is gone");
    assert_eq!(report.count(RetentionRule::CertificateNames), 2, "{report:?}");
    assert_eq!(report.count(RetentionRule::OutboxBodies), 1, "B's e-mail at 60 days: {report:?}");
    for c in [a, b] {
        assert_eq!(statuses(store, c).await, vec![(String::new(), EventStatus::Approved)]);
    }
    assert_eq!((ok(store.event_stats(a).await), ok(store.event_stats(b).await)), figures, "the figures stay");
    assert_eq!(mail(store, pa).await[0].1, "Sat kodiranja", "a planned e-mail is never emptied");
}

pub async fn batches_are_bounded_and_a_dry_run_changes_nothing(store: &dyn Store) {
    let c = ok(store.create_campaign(Actor::System, campaign_fields("ret-batch")).await).id;
    for i in 0..7 {
        register(store, c, &format!("Organizer {i}"), false).await;
    }
    let dry = ok(store.apply_retention(days(15), None, 3, true).await);
    assert!(dry.dry_run);
    assert_eq!(dry.count(RetentionRule::UnconfirmedRegistrations), 7, "{dry:?}");
    assert_eq!(statuses(store, c).await.len(), 7, "a dry run changes nothing");
    // Only this campaign's rules: the scope is respected in a dry run too.
    let other = ok(store.create_campaign(Actor::System, campaign_fields("ret-other")).await).id;
    assert_eq!(ok(store.apply_retention(days(15), Some(other), 3, true).await).total(), 0);

    let done = ok(store.apply_retention(days(15), Some(c), 3, false).await);
    assert_eq!(done.count(RetentionRule::UnconfirmedRegistrations), 7, "{done:?}");
    assert!(statuses(store, c).await.is_empty());
    // Three batches of at most three, each with its entry in the campaign's audit log.
    let filter = AuditFilter { action: Some(AuditAction::RetentionApplied), limit: Some(50), ..Default::default() };
    let entries = ok(store.audit_entries(Actor::System, Some(c), &filter).await).entries;
    let mut rows: Vec<i64> = entries.iter().map(|e| e.detail["rows"].as_i64().unwrap_or(-1)).collect();
    rows.sort_unstable();
    assert_eq!(rows, vec![1, 3, 3], "{entries:?}");
    assert_eq!(ok(store.apply_retention(days(15), Some(c), 3, false).await).total(), 0);
    // The audit log keeps its entries two years, then they go in batches like the rest.
    let old = ok(store.apply_retention(days(2 * 365 - 2), None, 3, true).await);
    assert_eq!(old.count(RetentionRule::AuditLog), 0, "{old:?}");
    let due = ok(store.apply_retention(days(2 * 366 + 1), None, 3, true).await).count(RetentionRule::AuditLog);
    assert!(due >= 3, "at least the three batches' entries: {due}");
    // (One batch: at this `now` the entries a batch writes today are themselves past their period.)
    let purged = ok(store.apply_retention(days(2 * 366 + 1), None, 500, false).await);
    assert_eq!(purged.count(RetentionRule::AuditLog), due, "{purged:?}");
    let left = ok(store.audit_entries(Actor::System, None, &AuditFilter::default()).await).entries;
    assert!(left.iter().all(|e| e.action == AuditAction::RetentionApplied), "only the purge's own entries: {left:?}");
    let missing = store.apply_retention(days(15), Some(CampaignId(999_999)), 3, true).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}

pub async fn contacts_of_lost_partners_are_anonymized_and_archived_campaigns_deleted(store: &dyn Store) {
    let (a, lost) = with_mail(store, "ret-lost").await;
    let open = ok(store.create_partner(Actor::System, a, partner("Open radio", Category::Media, 10)).await);
    let kept = ok(ContactDraft {
        name: Some("Iva Open".into()),
        email: Some("iva@open.example.org".into()),
        ..Default::default()
    }
    .validate());
    ok(store.create_contact(Actor::System, open.id, kept).await);
    // Notes that name the contact, written long before the period ends.
    let today = Utc::now().date_naive();
    let note = ok(rally_domain::InteractionDraft {
        kind: Some(rally_domain::InteractionKind::Call),
        text: Some("Called Ana Horvat (ana@ret-lost.example.org): not this year".into()),
        ..Default::default()
    }
    .validate(today));
    ok(store.add_interaction(Actor::System, lost, note).await);
    let task = ok(rally_domain::TaskDraft {
        title: Some("Send ana horvat the thank-you".into()),
        due_on: Some(today + Duration::days(7)),
        partner_id: Some(Some(lost)),
        ..Default::default()
    }
    .validate(today, None));
    ok(store.create_task(Actor::System, a, task).await);
    ok(store.move_stage(Actor::System, lost, lost_move()).await);
    // B keeps contacts of lost partners five years.
    let (b, lost_b) = with_mail(store, "ret-lost-b").await;
    ok(store.move_stage(Actor::System, lost_b, lost_move()).await);
    let own = RetentionPeriods([(RetentionRule::LostPartnerContacts, 5)].into_iter().collect());
    ok(store.set_retention_periods(Actor::System, b, own).await);
    // C is archived; D too, but keeps archived campaigns ten years.
    let c = ok(store.create_campaign(Actor::System, campaign_fields("ret-archived")).await).id;
    let d = ok(store.create_campaign(Actor::System, campaign_fields("ret-archived-long")).await).id;
    register(store, c, "Ivana Kovač", true).await;
    let own = RetentionPeriods([(RetentionRule::ArchivedCampaign, 10)].into_iter().collect());
    ok(store.set_retention_periods(Actor::System, d, own).await);
    for x in [c, d] {
        ok(store.set_archived(Actor::System, x, true).await);
    }

    // A year on, nothing of this is due.
    let report = apply(store, days(366)).await;
    assert_eq!(
        (report.count(RetentionRule::LostPartnerContacts), report.count(RetentionRule::ArchivedCampaign)),
        (0, 0)
    );
    let report = apply(store, days(3 * 366)).await;
    assert_eq!(report.count(RetentionRule::LostPartnerContacts), 1, "{report:?}");
    assert_eq!(report.count(RetentionRule::ArchivedCampaign), 1, "{report:?}");
    let anonymized = ok(store.contacts(Actor::System, lost).await);
    assert_eq!(anonymized.len(), 1);
    assert_eq!(anonymized[0].fields.name, "Anonymized contact");
    assert!(anonymized[0].fields.email.as_str().ends_with("@anonymized.invalid"), "{anonymized:?}");
    assert!(anonymized[0].fields.phone.is_none());
    assert!(mail(store, lost).await.iter().all(|(_, _, email)| email.ends_with("@anonymized.invalid")));
    // Free text that named them no longer does.
    let notes = ok(store.interactions(Actor::System, lost).await);
    assert_eq!(notes[0].fields.text, "Called [erased] ([erased]): not this year");
    let tasks = ok(store.tasks(Actor::System, a, Default::default()).await);
    assert!(tasks.iter().any(|t| t.fields.title == "Send [erased] the thank-you"), "{tasks:?}");
    // The partner is no longer found by its contact's name.
    let found = ok(store
        .partners(Actor::System, a, &rally_store::PartnerFilter { q: Some("Horvat".into()), ..Default::default() })
        .await);
    assert!(found.items.is_empty(), "{found:?}");
    assert_eq!(ok(store.contacts(Actor::System, open.id).await)[0].fields.name, "Iva Open");
    assert_eq!(ok(store.contacts(Actor::System, lost_b).await)[0].fields.name, "Ana Horvat");
    assert!(matches!(store.campaign(Actor::System, c).await, Err(StoreError::NotFound(_))));
    ok(store.campaign(Actor::System, d).await);
    // Done once. (The first run's own audit entries, written today, are older than two years at this
    // `now`: the second run removes those.)
    let again = apply(store, days(3 * 366)).await;
    assert_eq!(again.total() - again.count(RetentionRule::AuditLog), 0, "{again:?}");
}

pub async fn owners_set_periods_within_bounds(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let cora = user(store, "Cora").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("ret-rules")).await).id;
    ok(store.set_role(owner, c, cora.id, Role::Coordinator).await);
    assert_eq!(ok(store.retention_periods(Actor::User(cora.id), c).await), RetentionPeriods::default());

    let wanted = RetentionPeriods(
        [(RetentionRule::UnconfirmedRegistrations, 30), (RetentionRule::OutboxBodies, 30)].into_iter().collect(),
    );
    let saved = ok(store.set_retention_periods(owner, c, wanted).await);
    // A period equal to the default is not kept: the campaign follows the default.
    assert_eq!(saved.0, [(RetentionRule::UnconfirmedRegistrations, 30)].into_iter().collect());
    assert_eq!(ok(store.retention_periods(owner, c).await), saved);

    let refused = store.set_retention_periods(Actor::User(cora.id), c, RetentionPeriods::default()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    for (rule, amount) in [
        (RetentionRule::UnconfirmedRegistrations, 0),
        (RetentionRule::ArchivedCampaign, 100),
        (RetentionRule::AuditLog, 3),
    ] {
        let bad = RetentionPeriods([(rule, amount)].into_iter().collect());
        match store.set_retention_periods(owner, c, bad).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, rule.as_str()),
            other => panic!("{rule:?} {amount}: {other:?}"),
        }
    }
    assert_eq!(ok(store.retention_periods(owner, c).await), saved, "refused changes change nothing");
    let outsider = user(store, "Olga").await;
    let hidden = store.retention_periods(Actor::User(outsider.id), c).await;
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");

    let filter = AuditFilter { action: Some(AuditAction::RetentionChanged), ..Default::default() };
    let entries = ok(store.audit_entries(owner, Some(c), &filter).await).entries;
    assert_eq!(entries.len(), 1, "one change, one entry: {entries:?}");
    assert_eq!(entries[0].detail["after"]["unconfirmed_registrations"], 30);
    assert_eq!(entries[0].detail["before"]["unconfirmed_registrations"], 14);
}

/// A lost partner's contacts stay while anything happens with the partner: an interaction, an e-mail
/// or a stage change within the period. (SQLite only: the test backdates the history with SQL.)
#[tokio::test]
async fn activity_keeps_a_lost_partners_contacts() {
    let db = rally_store::testing::sqlite().await;
    let (store, sqlite) = (&*db.store, db.sqlite.clone().unwrap_or_else(|| panic!("a SQLite test database")));
    let c = ok(store.create_campaign(Actor::System, campaign_fields("ret-activity")).await).id;
    let mut partners = Vec::new();
    for name in ["Quiet", "Talked", "Mailed"] {
        let p = ok(store.create_partner(Actor::System, c, partner(name, Category::Media, 10)).await);
        let k = ok(ContactDraft {
            name: Some(format!("{name} Contact")),
            email: Some(format!("{}@example.org", name.to_lowercase())),
            consent: Some(Consent::OptedIn),
            ..Default::default()
        }
        .validate());
        let k = ok(store.create_contact(Actor::System, p.id, k).await);
        ok(store.move_stage(Actor::System, p.id, lost_move()).await);
        partners.push((p.id, k));
    }
    // Everything happened three years ago…
    let years = 3 * 366 * 86_400_000_000_i64;
    ok(sqlite
        .execute_for_tests(&format!(
            "UPDATE partners SET stage_since = stage_since - {years}; \
             UPDATE stage_changes SET at = at - {years}; UPDATE interactions SET created_at = created_at - {years}"
        ))
        .await);
    // …but last month the team spoke with the second partner and e-mailed the third's contact.
    let note = ok(rally_domain::InteractionDraft {
        kind: Some(rally_domain::InteractionKind::Call),
        text: Some("They may come back next year".into()),
        ..Default::default()
    }
    .validate(today()));
    ok(store.add_interaction(Actor::System, partners[1].0, note).await);
    let m = ok(store
        .create_message(
            Actor::System,
            c,
            message("News", rally_domain::comms::Segment::default()),
            vec![template("hr", None)],
        )
        .await);
    ok(store.enqueue(Actor::System, m.id, vec![delivery(&partners[2].1, 60)]).await);

    let report = ok(store.apply_retention(Utc::now(), None, 500, false).await);
    assert_eq!(report.count(RetentionRule::LostPartnerContacts), 1, "{report:?}");
    let names: Vec<String> = {
        let mut names = Vec::new();
        for (p, _) in &partners {
            names.push(ok(store.contacts(Actor::System, *p).await)[0].fields.name.clone());
        }
        names
    };
    assert_eq!(names, ["Anonymized contact", "Talked Contact", "Mailed Contact"]);
}

/// A rejected suggestion keeps its text but not its sender once the period is over; a listed one and
/// one still waiting keep theirs (the sender is told the outcome, and is credited).
async fn rejected_suggestions_lose_their_sender(store: &dyn Store) {
    use rally_domain::activity::{ReviewCheck, Submitter};
    use rally_store::activities::Review;
    let c = ok(store.create_campaign(Actor::System, campaign_fields("ret-suggest")).await).id;
    let now = Utc::now();
    let sender = |name: &str| {
        ok(Submitter::parse(None, name, &format!("{}@skola.example", name.to_lowercase()), "hr")
            .map_err(|e| e.to_string()))
    };
    let rejected = ok(store.submit_activity(c, activity("Rejected", &["hr"], &[], 30), sender("Rita"), now).await);
    let listed = ok(store.submit_activity(c, activity("Listed", &["hr"], &[], 30), sender("Lana"), now).await);
    let waiting = ok(store.submit_activity(c, activity("Waiting", &["hr"], &[], 30), sender("Wanda"), now).await);
    let no = Review::Reject { reason: "needs an account".into() };
    ok(store.review_activity(Actor::System, rejected.id, no, None, now).await);
    let yes = Review::List { checks: ReviewCheck::ALL.to_vec() };
    ok(store.review_activity(Actor::System, listed.id, yes, None, now).await);

    let early = apply(store, days(89)).await;
    assert_eq!(early.count(RetentionRule::RejectedSuggestions), 0, "{early:?}");
    let sent_by = |a: rally_domain::activity::Activity| a.submitter.map(|s| s.name);
    assert_eq!(sent_by(ok(store.activity(Actor::System, rejected.id).await)), Some("Rita".into()));

    let due = apply(store, days(91)).await;
    assert_eq!(due.count(RetentionRule::RejectedSuggestions), 1, "{due:?}");
    let gone = ok(store.activity(Actor::System, rejected.id).await);
    assert_eq!(gone.status, rally_domain::activity::ActivityStatus::Rejected, "the suggestion stays");
    assert_eq!(gone.reason, "needs an account");
    assert_eq!(sent_by(gone), None, "without its sender");
    assert_eq!(sent_by(ok(store.activity(Actor::System, listed.id).await)), Some("Lana".into()));
    assert_eq!(sent_by(ok(store.activity(Actor::System, waiting.id).await)), Some("Wanda".into()));
    assert_eq!(apply(store, days(400)).await.count(RetentionRule::RejectedSuggestions), 0, "done once");
}

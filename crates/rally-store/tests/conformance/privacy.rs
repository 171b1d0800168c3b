//! One person's data on both backends: a person seeded through the paths Rally uses (registration and
//! confirmation, a contact the team adds, interactions and a task naming them, an import that updates
//! them, e-mail queued and delivered, an unsubscribe, an invitation and a user account, activities they
//! proposed for the catalogue, one rejected with a reason written to them) is exported,
//! then erased; afterwards a scan of every column of every table — read from the schema, so a table
//! added later is scanned too — finds neither their address nor their name, and the counter, the
//! tallies and the message figures are what they were.

use chrono::{Duration, Utc};
use rally_domain::activity::{ActivityDraft, ActivityStatus, ActivityTextDraft, ReviewCheck, Submitter};
use rally_domain::comms::{Segment, SuppressionReason};
use rally_domain::event::EventStatus;
use rally_domain::{
    CampaignId, Category, Consent, ContactDraft, Email, InteractionDraft, InteractionKind, Role, TaskDraft,
};
use rally_store::activities::Review;
use rally_store::imports::{BatchStatus, ImportCounts, ImportKind, ImportRecord, ImportRow, PartnerRef, RowAction};
use rally_store::testing::TestDb;
use rally_store::{Actor, Delivered, Moderation, OrganizerMail, Store, StoreError, SystemMail};
use sqlx::Row;

use super::comms::{delivery, message, template};
use super::events::form;
use super::{campaign_fields, ok, partner, user};

const NAME: &str = "Marta Horvat";
/// What `form(NAME, …)` makes the organizer's address.
const EMAIL: &str = "marta.horvat@skola.example";

mod sqlite {
    #[tokio::test]
    async fn erasure_leaves_no_trace_in_any_table() {
        let db = rally_store::testing::sqlite().await;
        super::erasure_leaves_no_trace_in_any_table(&db).await;
    }

    #[tokio::test]
    async fn erasure_is_for_owners_and_spares_the_last_owner() {
        let db = rally_store::testing::sqlite().await;
        super::erasure_is_for_owners_and_spares_the_last_owner(&*db.store).await;
    }
}

mod postgres {
    #[tokio::test]
    async fn erasure_leaves_no_trace_in_any_table() {
        let Some(db) = rally_store::testing::postgres().await else { return };
        super::erasure_leaves_no_trace_in_any_table(&db).await;
    }

    #[tokio::test]
    async fn erasure_is_for_owners_and_spares_the_last_owner() {
        let Some(db) = rally_store::testing::postgres().await else { return };
        super::erasure_is_for_owners_and_spares_the_last_owner(&*db.store).await;
    }
}

/// Every `table.column` whose text contains `needle`, in any case, with how many rows: every column of
/// every table the database has, found from its catalogue (not from a list in Rally).
async fn scan(db: &TestDb, needle: &str) -> Vec<(String, i64)> {
    let lower = format!("%{}%", needle.to_lowercase());
    let exact = format!("%{needle}%");
    let upper = format!("%{}%", needle.to_uppercase());
    let mut hits = Vec::new();
    if db.url.starts_with("postgres") {
        let pool = ok(sqlx::PgPool::connect(&db.url).await);
        let columns = ok(sqlx::query(
            "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY 1, 2",
        )
        .fetch_all(&pool)
        .await);
        assert!(columns.len() > 100, "the catalogue lists the schema");
        for r in columns {
            let (t, c): (String, String) = (r.get("t"), r.get("c"));
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{t}\" WHERE lower(CAST(\"{c}\" AS TEXT)) LIKE $1 \
                 OR CAST(\"{c}\" AS TEXT) LIKE $2 OR CAST(\"{c}\" AS TEXT) LIKE $3"
            );
            let n: i64 =
                ok(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&lower).bind(&exact).bind(&upper).fetch_one(&pool).await)
                    .get("n");
            if n > 0 {
                hits.push((format!("{t}.{c}"), n));
            }
        }
        pool.close().await;
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&db.url);
        let pool = ok(sqlx::SqlitePool::connect_with(options).await);
        let columns = ok(sqlx::query(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
        )
        .fetch_all(&pool)
        .await);
        assert!(columns.len() > 100, "the catalogue lists the schema");
        for r in columns {
            let (t, c): (String, String) = (r.get("t"), r.get("c"));
            // SQLite's lower() folds ASCII only: the text is also compared as written and in capitals.
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{t}\" WHERE lower(CAST(\"{c}\" AS TEXT)) LIKE $1 \
                 OR CAST(\"{c}\" AS TEXT) LIKE $2 OR CAST(\"{c}\" AS TEXT) LIKE $3"
            );
            let n: i64 =
                ok(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&lower).bind(&exact).bind(&upper).fetch_one(&pool).await)
                    .get("n");
            if n > 0 {
                hits.push((format!("{t}.{c}"), n));
            }
        }
        pool.close().await;
    }
    hits
}

fn tables(hits: &[(String, i64)]) -> std::collections::BTreeSet<String> {
    hits.iter().filter_map(|(tc, _)| tc.split_once('.').map(|(t, _)| t.to_owned())).collect()
}

/// What the public and the team see counted: the counter and statistics, the pipeline and category
/// tallies, each message's sent and unsubscribe figures.
async fn figures(store: &dyn Store, c: CampaignId) -> String {
    let stats = ok(store.event_stats(c).await);
    let messages: Vec<_> = ok(store.message_stats(Actor::System, c).await)
        .into_iter()
        .map(|m| (m.id, m.title, m.sent, m.failed, m.unsubscribed))
        .collect();
    format!(
        "{stats:?}\n{:?}\n{:?}\n{messages:?}",
        ok(store.pipeline_tally(Actor::System, c).await),
        ok(store.category_tally(Actor::System, c).await)
    )
}

fn organizer_mail(event: &rally_domain::event::Event, kind: rally_store::EventMailKind) -> OrganizerMail {
    OrganizerMail {
        subject: format!("{kind:?}: {}", event.fields.display_title()),
        text: format!("Dear {}, your link: https://rally.example/e/{}", event.fields.organizer_name, event.id),
    }
}

async fn erasure_leaves_no_trace_in_any_table(db: &TestDb) {
    let store = &*db.store;
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("erase")).await).id;
    let now = Utc::now();
    let email = ok(Email::parse(EMAIL));

    // Registration, confirmation and approval: the event counts, the organizer got e-mail.
    // The organizer's own activity names her too: erasure must clear it.
    let mut fields = form(NAME, "HR", "Zagreb", 30);
    fields.own_activity = format!("{NAME}'s robot dance");
    let reg = ok(store.register_event(c, fields, "hr", now, &organizer_mail).await);
    assert_eq!(reg.event.fields.organizer_email.as_str(), EMAIL);
    ok(store.confirm_event(reg.event.id, 1, now, &organizer_mail).await);
    let approved = ok(store.moderate(me, c, &[reg.event.id], Moderation::Approve, now, &organizer_mail).await);
    assert_eq!(approved[0].status, EventStatus::Approved);
    // Someone else's event, which must come through untouched.
    ok(store.register_event(c, form("Ivo Babić", "HR", "Rijeka", 12), "hr", now, &organizer_mail).await);

    // The team adds her as a school's contact, logs a call with her and plans a task naming her.
    let school = ok(store.create_partner(me, c, partner("OŠ Vladimir Nazor", Category::SchoolNetwork, 400)).await);
    let contact = ok(store
        .create_contact(
            me,
            school.id,
            ok(ContactDraft {
                name: Some(NAME.into()),
                email: Some(EMAIL.into()),
                phone: Some("+385 1 555 0101".into()),
                consent: Some(Consent::OptedIn),
                ..Default::default()
            }
            .validate()),
        )
        .await);
    let today = now.date_naive();
    ok(store
        .add_interaction(
            me,
            school.id,
            ok(InteractionDraft {
                kind: Some(InteractionKind::Call),
                on: Some(today),
                text: Some(format!("Called {NAME} ({EMAIL}): she will run two classes.")),
                contact_id: Some(contact.id),
            }
            .validate(today)),
        )
        .await);
    ok(store
        .create_task(
            me,
            c,
            ok(TaskDraft {
                title: Some(format!("Send {NAME} the posters")),
                due_on: Some(today + Duration::days(7)),
                partner_id: Some(Some(school.id)),
                ..Default::default()
            }
            .validate(today, None)),
        )
        .await);

    // An import updates her role: undo keeps her row as it was before.
    let batch = ok(store.start_import(me, c, ImportKind::Contacts, "teachers.csv", "{}", false).await);
    let patch = ContactDraft { role: Some("Informatics teacher".into()), ..Default::default() };
    let mut fields = contact.fields.clone();
    fields.role = "Informatics teacher".into();
    let row = ImportRow {
        number: 2,
        action: RowAction::Update(contact.id.0),
        record: ImportRecord::Contact { partner: PartnerRef::Existing(school.id), fields, patch },
    };
    ok(store.import_rows(me, &batch, &[row], true).await);
    ok(store
        .finish_import(batch.id, BatchStatus::Applied, ImportCounts { rows_read: 1, updated: 1, ..Default::default() })
        .await);

    // A message delivered to her, and a second one still waiting.
    let sent = ok(store.create_message(me, c, message("News", Segment::default()), vec![template("hr", None)]).await);
    let contact = ok(store.contacts(me, school.id).await).remove(0);
    assert_eq!(ok(store.enqueue(me, sent.id, vec![delivery(&contact, -1)]).await), 1);
    let claimed = ok(store.claim("w", now, now + Duration::seconds(60), 50).await);
    assert!(!claimed.is_empty());
    for mail in &claimed {
        ok(store.finish(mail.id, "w", Delivered::Sent("250 ok".into()), now).await);
    }
    let waiting =
        ok(store.create_message(me, c, message("More news", Segment::default()), vec![template("hr", None)]).await);
    assert_eq!(ok(store.enqueue(me, waiting.id, vec![delivery(&contact, 3600)]).await), 1);
    // She unsubscribed after the first one; she was invited to the team and has an account.
    ok(store.suppress(me, c, &email, SuppressionReason::Unsubscribed, &format!("{NAME} clicked the link")).await);
    let mail = SystemMail {
        to: email.clone(),
        to_name: NAME.into(),
        subject: "Join the team".into(),
        text: format!("Hello {NAME}, Ana invites you."),
    };
    ok(store.invite(me, c, &email, Role::Member, "invitation-token-hash", now + Duration::days(7), &mail).await);
    let marta = ok(store.create_user(&email, NAME, Some("$argon2id$not-a-real-hash")).await);
    ok(store.set_role(me, c, marta.id, Role::Member).await);
    // She proposed two activities for the catalogue: one is listed, the other rejected with a reason
    // written to her.
    let submitter = ok(Submitter::parse(None, NAME, EMAIL, "hr").map_err(|e| e.to_string()));
    let proposal = ok(ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("hr".into()),
            title: Some("Kartice s petljama".into()),
            ..Default::default()
        }]),
        url: Some("https://example.org/petlje".into()),
        ..Default::default()
    }
    .validate());
    let kept = ok(store.submit_activity(c, proposal.clone(), submitter.clone(), now).await);
    let checks = Review::List { checks: ReviewCheck::ALL.to_vec() };
    ok(store.review_activity(me, kept.id, checks, None, now).await);
    let turned_down = ok(store.submit_activity(c, proposal, submitter, now).await);
    let reject = Review::Reject { reason: format!("Thank you, {NAME}: it needs an account.") };
    let note = OrganizerMail { subject: "Your activity".into(), text: format!("Dear {NAME}, not this time.") };
    ok(store.review_activity(me, turned_down.id, reject, Some(note), now).await);

    // The export holds her rows, without her password's hash.
    let export = ok(store.export_person(Actor::System, &email, None).await);
    assert_eq!(export["email"], EMAIL);
    let exported = export["tables"].as_object().map(|t| t.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    for table in
        ["users", "contacts", "events", "outbox", "suppressions", "interactions", "tasks", "import_undo", "activities"]
    {
        assert!(exported.iter().any(|t| t == table), "{table} missing from the export: {exported:?}");
    }
    assert!(!export.to_string().contains("argon2"), "no password hash in an export");
    assert_eq!(export["tables"]["contacts"][0]["phone"], "+385 1 555 0101");
    // An owner exports from their campaign; the campaign's export has no user account in it.
    let scoped = ok(store.export_person(me, &email, Some(c)).await);
    assert!(scoped["tables"].get("users").is_none());
    assert!(scoped["tables"].get("contacts").is_some());

    // Before: the scan finds her, so it is not looking in the wrong place.
    let before_email = tables(&scan(db, EMAIL).await);
    for table in [
        "users",
        "contacts",
        "events",
        "outbox",
        "suppressions",
        "invitations",
        "import_undo",
        "audit_log",
        "activities",
    ] {
        assert!(before_email.contains(table), "the address is not in {table} before erasure: {before_email:?}");
    }
    let before_name = tables(&scan(db, NAME).await);
    for table in ["users", "contacts", "events", "outbox", "interactions", "tasks", "import_undo", "activities"] {
        assert!(before_name.contains(table), "the name is not in {table} before erasure: {before_name:?}");
    }
    let figures_before = figures(store, c).await;

    // A dry run says what would change and changes nothing.
    let dry = ok(store.erase_person(Actor::System, &email, None, "asked by e-mail", true).await);
    assert!(dry.dry_run && dry.total() > 0, "{dry:?}");
    assert_eq!(tables(&scan(db, EMAIL).await), before_email, "a dry run changes nothing");

    let report = ok(store.erase_person(Actor::System, &email, None, "asked by e-mail", false).await);
    assert_eq!(report.tables, dry.tables, "the dry run saw exactly what the erasure did");
    for table in
        ["contacts", "events", "outbox", "suppressions", "users", "interactions", "tasks", "import_undo", "activities"]
    {
        assert!(report.tables.contains_key(table), "{table} not in {report:?}");
    }
    assert!(report.pseudonym.starts_with("erased person #"));

    // After: not a trace, in any column of any table.
    assert_eq!(scan(db, EMAIL).await, vec![], "the address is still stored");
    assert_eq!(scan(db, NAME).await, vec![], "the name is still stored");
    assert_eq!(figures(store, c).await, figures_before, "the counter, tallies and message figures are unchanged");
    assert!(!scan(db, "Ivo Babić").await.is_empty(), "someone else's event is untouched");
    // What she proposed stays in the catalogue, without her.
    let kept = ok(store.activity(me, kept.id).await);
    assert_eq!((kept.status, kept.submitter), (ActivityStatus::Listed, None));

    // The erasure is in the audit log under the pseudonym, with the reason.
    let pseudonymous = scan(db, &report.pseudonym).await;
    assert!(pseudonymous.iter().any(|(tc, _)| tc == "audit_log.target"), "{pseudonymous:?}");
    assert!(!scan(db, "asked by e-mail").await.is_empty());

    // She is never written to again: not by a message to a contact re-added with her address, nor by
    // system mail.
    assert_eq!(ok(store.erased_addresses(&[EMAIL, "someone@else.example"]).await), vec![EMAIL.to_owned()]);
    let again = ok(store
        .create_contact(
            me,
            school.id,
            ok(ContactDraft { name: Some("M. H.".into()), email: Some(EMAIL.into()), ..Default::default() }.validate()),
        )
        .await);
    let third = ok(store.create_message(me, c, message("Third", Segment::default()), vec![template("hr", None)]).await);
    assert_eq!(ok(store.enqueue(me, third.id, vec![delivery(&again, -1)]).await), 0, "an erased address gets no mail");
    // Nor through a staged send (a large segment's way into the outbox).
    let fourth =
        ok(store.create_message(me, c, message("Fourth", Segment::default()), vec![template("hr", None)]).await);
    let batch = ok(store.begin_staging(me, fourth.id).await);
    assert_eq!(ok(store.stage_deliveries(me, batch, vec![delivery(&again, -1)]).await), 0);
    // The account is closed: it cannot sign in, and it is on no team.
    assert!(ok(store.user_by_email(&email).await).is_none());
}

async fn erasure_is_for_owners_and_spares_the_last_owner(store: &dyn Store) {
    let solo = user(store, "Solo").await;
    let me = Actor::User(solo.id);
    let c = ok(store.create_campaign(me, campaign_fields("solo")).await).id;
    let email = ok(Email::parse("solo@example.org"));
    // The only owner of a campaign cannot be erased: the campaign would have nobody to run it.
    let refused = store.erase_person(Actor::System, &email, None, "asked", false).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { message, .. }) if message.contains("only owner")),
        "{refused:?}"
    );
    // A member may neither export nor erase; a user may not erase everywhere; a reason is required.
    let mia = user(store, "Mia").await;
    ok(store.set_role(me, c, mia.id, Role::Member).await);
    let mia = Actor::User(mia.id);
    let target = ok(Email::parse("someone@example.org"));
    assert!(matches!(store.export_person(mia, &target, Some(c)).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.erase_person(mia, &target, Some(c), "asked", false).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.erase_person(me, &target, None, "asked", false).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.erase_person(me, &target, Some(c), "  ", false).await, Err(StoreError::Invalid(_))));
    // Nobody to erase is not an error: the report is empty but for the suppression that keeps the
    // address out from now on.
    let nobody = ok(store.erase_person(me, &target, Some(c), "asked", false).await);
    assert!(nobody.tables.keys().all(|t| t == "suppressions" || t == "audit_log"), "{nobody:?}");
}

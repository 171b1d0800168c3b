//! Imports on both backends: chunks written as a batch with what undo needs, dry runs that leave
//! nothing, rights, undo newest first, and undo leaving partners, contacts, tallies and the event
//! counter exactly as they were.

use rally_domain::{Category, ContactDraft, Email, PartnerDraft, Role};
use rally_store::imports::{
    BatchStatus, ImportCounts, ImportKind, ImportRecord, ImportRow, PartnerRef, RowAction, RowOutcome,
};
use rally_store::{Actor, PartnerFilter, Store, StoreError};

use super::events::{assert_tallies_match, form};
use super::{campaign_fields, ok, partner, user};

fn partner_row(number: u64, name: &str, category: Category, reach: i64, action: RowAction) -> ImportRow {
    let patch =
        PartnerDraft { name: Some(name.into()), category: Some(category), reach: Some(reach), ..Default::default() };
    ImportRow {
        number,
        action,
        record: ImportRecord::Partner { fields: Box::new(partner(name, category, reach)), patch: Box::new(patch) },
    }
}

fn contact_row(number: u64, partner: PartnerRef, email: &str) -> ImportRow {
    let patch =
        ContactDraft { name: Some(format!("Contact {number}")), email: Some(email.into()), ..Default::default() };
    let fields = ok(patch.clone().validate());
    ImportRow { number, action: RowAction::Create, record: ImportRecord::Contact { partner, fields, patch } }
}

/// Everything undo must put back, as the store reports it.
async fn state(store: &dyn Store, me: Actor, c: rally_domain::CampaignId) -> String {
    let partners = ok(store.partners(me, c, &PartnerFilter { limit: 500, ..Default::default() }).await).items;
    let mut out = format!(
        "{:?}\n{:?}\n{:?}\n",
        partners,
        ok(store.pipeline_tally(me, c).await),
        ok(store.category_tally(me, c).await)
    );
    for p in &partners {
        out += &format!("{:?}\n", ok(store.contacts(me, p.id).await));
    }
    let stats = ok(store.event_stats(c).await);
    out += &format!("{} {} {} {:?}", stats.students, stats.events, stats.countries, stats.by_country);
    out
}

pub(super) async fn imports_are_batches_that_undo_exactly(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let viewer = user(store, "Vid").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("imports")).await);
    ok(store.set_role(me, c.id, viewer.id, Role::Viewer).await);
    let radio = ok(store.create_partner(me, c.id, partner("Radio Osijek", Category::Media, 500)).await);
    ok(store
        .create_contact(
            me,
            radio.id,
            ok(ContactDraft {
                name: Some("Ivo".into()),
                email: Some("ivo@radio.example".into()),
                ..Default::default()
            }
            .validate()),
        )
        .await);
    let original = state(store, me, c.id).await;

    // Viewers may not import.
    let refused = store.start_import(Actor::User(viewer.id), c.id, ImportKind::Partners, "p.csv", "{}", false).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");

    // A dry run's chunk reports what would happen and leaves nothing.
    let dry = ok(store.start_import(me, c.id, ImportKind::Partners, "p.csv", "{}", true).await);
    assert_eq!(dry.status, BatchStatus::DryRun);
    let rows = vec![
        partner_row(2, "Infobip", Category::ItCompany, 3000, RowAction::Create),
        partner_row(3, "Radio Osijek", Category::Media, 120_000, RowAction::Update(radio.id.0)),
    ];
    let result = ok(store.import_rows(me, &dry, &rows, false).await);
    assert!(
        matches!(result.outcomes[..], [RowOutcome::Created(_), RowOutcome::Updated(id)] if id == radio.id.0),
        "{:?}",
        result.outcomes
    );
    ok(store
        .finish_import(
            dry.id,
            BatchStatus::DryRun,
            ImportCounts { rows_read: 2, created: 1, updated: 1, ..Default::default() },
        )
        .await);
    assert_eq!(state(store, me, c.id).await, original, "a dry run writes nothing");

    // The real thing: a partner created, one updated (the update changes only the file's values).
    let partners = ok(store.start_import(me, c.id, ImportKind::Partners, "p.csv", "{}", false).await);
    ok(store.import_rows(me, &partners, &rows, true).await);
    let done = ok(store
        .finish_import(
            partners.id,
            BatchStatus::Applied,
            ImportCounts { rows_read: 2, created: 1, updated: 1, ..Default::default() },
        )
        .await);
    assert_eq!((done.status, done.counts.created, done.file_name.as_str()), (BatchStatus::Applied, 1, "p.csv"));
    let updated = ok(store.partner(me, radio.id).await);
    assert_eq!(updated.fields.reach.get(), 120_000);
    let tallies = ok(store.category_tally(me, c.id).await);
    let media = tallies.iter().find(|t| t.key == Category::Media).map(|t| t.reach);
    assert_eq!(media, Some(120_000), "tallies follow the update");
    let after_partners = state(store, me, c.id).await;

    // Contacts: one for an existing partner, one whose partner is new (created in the batch).
    let contacts = ok(store.start_import(me, c.id, ImportKind::Contacts, "k.csv", "{}", false).await);
    let rows = vec![
        contact_row(2, PartnerRef::Existing(radio.id), "ana@radio.example"),
        contact_row(
            3,
            PartnerRef::New { name: "Nova škola".into(), category: Category::Nonprofit },
            "iva@nova.example",
        ),
        contact_row(
            4,
            PartnerRef::New { name: "Nova škola".into(), category: Category::Nonprofit },
            "eva@nova.example",
        ),
    ];
    let result = ok(store.import_rows(me, &contacts, &rows, true).await);
    assert_eq!(result.new_partners.len(), 1, "one partner for both rows");
    assert!(result.outcomes.iter().all(|o| matches!(o, RowOutcome::Created(None))), "{:?}", result.outcomes);
    let found = ok(store
        .existing_contacts(me, c.id, &[&ok(Email::parse("iva@nova.example")), &ok(Email::parse("x@y.example"))])
        .await);
    assert_eq!(found.len(), 1);
    ok(store
        .finish_import(
            contacts.id,
            BatchStatus::Applied,
            ImportCounts { rows_read: 3, created: 3, ..Default::default() },
        )
        .await);

    // Events count at once.
    let events = ok(store.start_import(me, c.id, ImportKind::Events, "e.csv", "{}", false).await);
    let rows: Vec<ImportRow> = [("Ana Horvat", 30), ("Ivo Ivić", 45)]
        .iter()
        .enumerate()
        .map(|(i, (name, students))| ImportRow {
            number: i as u64 + 2,
            action: RowAction::Create,
            record: ImportRecord::Event(Box::new(form(name, "HR", "Zagreb", *students))),
        })
        .collect();
    ok(store.import_rows(me, &events, &rows, true).await);
    // The same registration again is left as it is.
    let again = ok(store.import_rows(me, &events, &rows[..1], true).await);
    assert_eq!(again.outcomes, vec![RowOutcome::Existing]);
    ok(store
        .finish_import(
            events.id,
            BatchStatus::Applied,
            ImportCounts { rows_read: 3, created: 2, skipped: 1, ..Default::default() },
        )
        .await);
    assert_eq!(ok(store.event_stats(c.id).await).students, 75);
    assert_tallies_match(store, me, c.id).await;

    // Undo goes newest first; each undo puts back exactly what was there.
    let err = store.undo_import(me, partners.id).await;
    assert!(matches!(&err, Err(StoreError::Conflict { message, .. }) if message.contains("undo it first")), "{err:?}");
    assert!(matches!(store.undo_import(Actor::User(viewer.id), events.id).await, Err(StoreError::Forbidden)));
    ok(store.undo_import(me, events.id).await);
    assert_tallies_match(store, me, c.id).await;
    ok(store.undo_import(me, contacts.id).await);
    assert_eq!(state(store, me, c.id).await, after_partners);
    let undone = ok(store.undo_import(me, partners.id).await);
    assert_eq!(undone.status, BatchStatus::Undone);
    assert_eq!(state(store, me, c.id).await, original, "partners, contacts, tallies and counter as before");
    let twice = store.undo_import(me, partners.id).await;
    assert!(
        matches!(&twice, Err(StoreError::Conflict { message, .. }) if message.contains("nothing to undo")),
        "{twice:?}"
    );

    // A run whose rows had problems is rolled back when it finishes.
    let failed = ok(store.start_import(me, c.id, ImportKind::Partners, "bad.csv", "{}", false).await);
    ok(store.import_rows(me, &failed, &[partner_row(2, "Half", Category::Media, 1, RowAction::Create)], true).await);
    let rolled = ok(store
        .finish_import(
            failed.id,
            BatchStatus::RolledBack,
            ImportCounts { rows_read: 2, failed: 1, ..Default::default() },
        )
        .await);
    assert_eq!(rolled.status, BatchStatus::RolledBack);
    assert_eq!(state(store, me, c.id).await, original, "nothing half-imported");
    let finished =
        store.import_rows(me, &failed, &[partner_row(3, "Late", Category::Media, 1, RowAction::Create)], true).await;
    assert!(matches!(finished, Err(StoreError::Conflict { .. })), "a finished batch takes no more rows");

    // Mappings are saved per campaign and kind.
    ok(store.save_import_mapping(me, c.id, ImportKind::Contacts, "ministry", r#"{"E-pošta":"email"}"#).await);
    ok(store.save_import_mapping(me, c.id, ImportKind::Contacts, "ministry", r#"{"Mail":"email"}"#).await);
    let saved = ok(store.import_mappings(me, c.id, ImportKind::Contacts).await);
    assert_eq!(saved, vec![("ministry".to_owned(), r#"{"Mail":"email"}"#.to_owned())]);
    assert!(ok(store.import_mappings(me, c.id, ImportKind::Partners).await).is_empty());
    let listed = ok(store.import_batches(me, c.id, 10).await);
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0].id, failed.id, "newest first");
}

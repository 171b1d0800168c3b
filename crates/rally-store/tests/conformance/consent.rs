//! Consent with provenance and privacy notices, on both backends: a row for every path that changes a
//! person's consent (registration, the team's pages and API, an import, the unsubscribe page and
//! one-click), the history newest first, notice versions per language, and a notice that must be agreed
//! to again stopping campaign news until the person agrees.

use chrono::Utc;
use rally_domain::comms::{MailPreference, Segment};
use rally_domain::consent::{ConsentMethod, ConsentPurpose, NoticeDraft, NoticeFields};
use rally_domain::{AuditAction, Category, Consent, ContactDraft, Role};
use rally_store::imports::{BatchStatus, ImportCounts, ImportKind, ImportRecord, ImportRow, PartnerRef, RowAction};
use rally_store::with_origin;
use rally_store::{Actor, AuditFilter, ConsentRecord, EventMailKind, OrganizerMail, Origin, Store, StoreError};

use super::comms::{message, template};
use super::events::form;
use super::{campaign_fields, ok, partner, user};

conformance!(
    notices_are_versioned_per_language_and_audited,
    every_consent_change_is_a_row_with_its_provenance,
    a_notice_to_agree_to_again_stops_news_until_agreed,
    organizers_agree_to_the_notice_in_force_and_again,
    a_partner_sets_its_contacts_consent_through_its_link,
);

fn notice(language: &str, body: &str, needs_reconsent: bool) -> NoticeFields {
    ok(NoticeDraft { language: language.into(), body: body.into(), needs_reconsent }.validate())
}

fn visitor(address: &str) -> Origin {
    Origin { address: Some(address.into()), user_agent: Some("Firefox/140".into()), request_id: None, via: "web" }
}

fn mailer(event: &rally_domain::event::Event, kind: EventMailKind) -> OrganizerMail {
    OrganizerMail { subject: format!("{kind:?}"), text: format!("link for {}", event.id) }
}

/// (purpose, granted, method) of each row, newest first.
fn summary(rows: &[ConsentRecord]) -> Vec<(ConsentPurpose, bool, ConsentMethod)> {
    rows.iter().map(|r| (r.purpose, r.granted, r.method)).collect()
}

pub async fn notices_are_versioned_per_language_and_audited(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let owner = Actor::User(ana.id);
    let c = ok(store.create_campaign(owner, campaign_fields("notices")).await);
    ok(store.set_role(owner, c.id, mia.id, Role::Member).await);
    assert_eq!(ok(store.current_privacy_notice(c.id, &["hr"]).await), None, "none published yet");

    let hr1 = ok(store.publish_privacy_notice(owner, c.id, notice("hr", "Prva.", false)).await);
    let en1 = ok(store.publish_privacy_notice(owner, c.id, notice("en", "First.", false)).await);
    let hr2 = ok(store.publish_privacy_notice(owner, c.id, notice("hr", "Druga.", true)).await);
    assert_eq!((hr1.label(), en1.label(), hr2.label()), ("hr-1".into(), "en-1".into(), "hr-2".into()));
    assert_eq!(hr2.published_by.as_deref(), Some("Ana"));
    let all = ok(store.privacy_notices(owner, c.id).await);
    assert_eq!(all.iter().map(|n| n.label()).collect::<Vec<_>>(), ["hr-2", "en-1", "hr-1"], "newest first");

    // A visitor reads their language, its family, then the campaign's first language with a notice.
    let read = |languages: &'static [&'static str]| async move {
        ok(store.current_privacy_notice(c.id, languages).await).map(|n| n.label())
    };
    assert_eq!(read(&["hr"]).await.as_deref(), Some("hr-2"));
    assert_eq!(read(&["en-GB"]).await.as_deref(), Some("en-1"));
    assert_eq!(read(&["fr"]).await.as_deref(), Some("hr-2"));

    // Members read the versions but do not publish; outsiders learn nothing.
    let member = Actor::User(mia.id);
    assert_eq!(ok(store.privacy_notices(member, c.id).await).len(), 3);
    let refused = store.publish_privacy_notice(member, c.id, notice("hr", "Treća.", false)).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let outsider = user(store, "Iva").await;
    let hidden = store.privacy_notices(Actor::User(outsider.id), c.id).await;
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");
    assert_eq!(ok(store.privacy_notices(owner, c.id).await).len(), 3, "the refused one changed nothing");

    let filter = AuditFilter { limit: Some(50), ..AuditFilter::default() };
    let entries = ok(store.audit_entries(owner, Some(c.id), &filter).await).entries;
    let published: Vec<_> =
        entries.iter().filter(|e| e.action == AuditAction::PrivacyNoticePublished).map(|e| e.target.clone()).collect();
    assert_eq!(published, [Some("hr-2".into()), Some("en-1".into()), Some("hr-1".into())]);
}

pub async fn every_consent_change_is_a_row_with_its_provenance(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("provenance")).await);
    ok(store.publish_privacy_notice(me, c.id, notice("hr", "Obavijest.", false)).await);
    let p = ok(store.create_partner(me, c.id, partner("Radio Rijeka", Category::Media, 100)).await);

    // The team: created with consent (through the API), then changed on the pages; an edit that leaves
    // consent alone adds nothing.
    let fields = ok(ContactDraft {
        name: Some("Lucija".into()),
        email: Some("lucija@radio.example".into()),
        language: Some("hr".into()),
        consent: Some(Consent::OptedIn),
        ..Default::default()
    }
    .validate());
    let api = Origin { via: "api", ..visitor("192.0.2.1") };
    let k = with_origin(api, async { ok(store.create_contact(me, p.id, fields).await) }).await;
    let rename = ContactDraft { role: Some("Editor".into()), ..Default::default() };
    ok(store.update_contact(me, k.id, rename).await);
    let out = ContactDraft { consent: Some(Consent::OptedOut), ..Default::default() };
    ok(store.update_contact(me, k.id, out).await);
    // The contact, on the preferences page and then through one click in their mail program.
    let page = visitor("198.51.100.4");
    with_origin(page.clone(), async { ok(store.set_mail_preference(k.id, MailPreference::All).await) }).await;
    with_origin(page.clone(), async { ok(store.set_mail_preference(k.id, MailPreference::Fewer).await) }).await;
    with_origin(page.clone(), async { ok(store.one_click_unsubscribe(k.id).await) }).await;
    with_origin(page, async { ok(store.one_click_unsubscribe(k.id).await) }).await;

    let rows = ok(store.contact_consents(me, k.id).await);
    use ConsentMethod::*;
    use ConsentPurpose::CampaignEmail;
    assert_eq!(
        summary(&rows),
        [
            (CampaignEmail, false, OneClick),
            // "fewer" still wants news, and the second click changed nothing: no rows for them.
            (CampaignEmail, false, Team),
            (CampaignEmail, true, Api),
        ],
        "newest first; 'every e-mail' was already the contact's choice"
    );
    let (click, team, api) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!(api.notice.as_deref(), Some("hr-1"), "a grant names the notice in force");
    assert_eq!((api.user_name.as_deref(), api.client_address.as_deref()), (Some("Ana"), None));
    assert_eq!((team.user_name.as_deref(), team.notice.as_deref()), (Some("Ana"), None));
    assert_eq!(
        (click.client_address.as_deref(), click.user_agent.as_deref(), click.user_name.as_deref()),
        (Some("198.51.100.4"), Some("Firefox/140"), None),
        "a person's own change keeps where it came from"
    );
    assert!(rows.iter().all(|r| r.email == "lucija@radio.example" && r.contact_id == Some(k.id)));
    assert!(rows.windows(2).all(|w| w[0].at >= w[1].at));

    // An import: contacts it adds with a consent, and one it changes, each a row naming the batch.
    let batch = ok(store.start_import(me, c.id, ImportKind::Contacts, "k.csv", "{}", false).await);
    let row = |number: u64, email: &str, consent: Consent, action: RowAction| {
        let patch = ContactDraft {
            name: Some(format!("Contact {number}")),
            email: Some(email.into()),
            consent: Some(consent),
            ..Default::default()
        };
        let fields = ok(patch.clone().validate());
        ImportRow {
            number,
            action,
            record: ImportRecord::Contact { partner: PartnerRef::Existing(p.id), fields, patch },
        }
    };
    let rows = vec![
        row(2, "iva@radio.example", Consent::OptedIn, RowAction::Create),
        row(3, "eva@radio.example", Consent::Unknown, RowAction::Create),
        row(4, "lucija@radio.example", Consent::OptedIn, RowAction::Update(k.id.0)),
    ];
    ok(store.import_rows(me, &batch, &rows, true).await);
    let counts = ImportCounts { rows_read: 3, created: 2, updated: 1, ..Default::default() };
    ok(store.finish_import(batch.id, BatchStatus::Applied, counts).await);
    let contacts = ok(store.contacts(me, p.id).await);
    let id_of = |email: &str| contacts.iter().find(|x| x.fields.email.as_str() == email).map(|x| x.id);
    let iva = ok(store.contact_consents(me, id_of("iva@radio.example").unwrap_or(k.id)).await);
    assert_eq!(summary(&iva), [(CampaignEmail, true, Import)]);
    assert_eq!((iva[0].import_batch, iva[0].user_name.as_deref()), (Some(batch.id), Some("Ana")));
    let eva = ok(store.contact_consents(me, id_of("eva@radio.example").unwrap_or(k.id)).await);
    assert!(eva.is_empty(), "an unknown consent is no change: {eva:?}");
    let lucija = ok(store.contact_consents(me, k.id).await);
    assert_eq!((lucija.len(), lucija[0].method, lucija[0].granted), (4, Import, true));

    // Undoing the import puts her consent back, and that is a change too; the contacts it added go,
    // with their history.
    ok(store.undo_import(me, batch.id).await);
    let lucija = ok(store.contact_consents(me, k.id).await);
    assert_eq!((lucija.len(), lucija[0].method, lucija[0].granted), (5, Import, false));
    assert_eq!(lucija[0].import_batch, Some(batch.id));
    assert_eq!(ok(store.contacts(me, p.id).await).len(), 1);

    // The history is the team's to read: a viewer may, an outsider learns nothing.
    let iva_user = user(store, "Iva").await;
    let hidden = store.contact_consents(Actor::User(iva_user.id), k.id).await;
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");
}

pub async fn a_notice_to_agree_to_again_stops_news_until_agreed(store: &dyn Store) {
    let a = Actor::System;
    let c = ok(store.create_campaign(a, campaign_fields("reconsent")).await);
    let add = |name: &'static str, language: &'static str| async move {
        let p = ok(store.create_partner(a, c.id, partner(&format!("Radio {name}"), Category::Media, 100)).await);
        let k = ok(ContactDraft {
            name: Some(format!("Ana {name}")),
            email: Some(format!("{name}@reconsent.example")),
            language: Some(language.into()),
            consent: Some(Consent::OptedIn),
            ..Default::default()
        }
        .validate());
        ok(store.create_contact(a, p.id, k).await)
    };
    // Opted in before any notice was published: there is no earlier version to agree to again.
    let before = add("before", "hr").await;
    ok(store.publish_privacy_notice(a, c.id, notice("hr", "Prva.", false)).await);
    ok(store.publish_privacy_notice(a, c.id, notice("de", "Erste.", false)).await);
    let contacts = [add("hr", "hr").await, add("de", "de").await, before];
    let news = ok(store.create_message(a, c.id, message("News", Segment::default()), vec![template("hr", None)]).await);
    let reachable = |r: Vec<rally_store::Recipient>| -> Vec<String> {
        r.into_iter().filter(|x| x.excluded.is_none()).map(|x| x.contact.fields.email.to_string()).collect()
    };
    // In contact id order: "before" was added first.
    let all = ["before@reconsent.example", "hr@reconsent.example", "de@reconsent.example"];
    assert_eq!(reachable(ok(store.recipients(a, news.id).await)), all);

    // A new German version without "agree again" changes nothing; a Croatian one with it stops news to
    // the contact who agreed to hr-1 (and only to them).
    ok(store.publish_privacy_notice(a, c.id, notice("de", "Zweite.", false)).await);
    assert_eq!(ok(store.contact_notice_due(contacts[1].id).await), None);
    ok(store.publish_privacy_notice(a, c.id, notice("hr", "Druga.", true)).await);
    let r = ok(store.recipients(a, news.id).await);
    let why = r.iter().find(|x| x.contact.id == contacts[0].id).and_then(|x| x.excluded.clone());
    assert_eq!(why.as_deref(), Some("must agree to the new privacy notice"));
    assert_eq!(reachable(r), [all[0], all[2]]);
    let due = ok(store.contact_notice_due(contacts[0].id).await).map(|n| n.label());
    assert_eq!(due.as_deref(), Some("hr-2"));

    // Mail queued before the new notice is held back when the worker gets to it.
    let queued = vec![super::comms::delivery(&contacts[0], -1)];
    assert_eq!(ok(store.enqueue(a, news.id, queued).await), 1);
    let now = Utc::now();
    let claimed = ok(store.claim("w", now, now + chrono::Duration::seconds(60), 10).await);
    assert!(claimed.is_empty(), "{claimed:?}");

    // The contact agrees on the preferences page: news reaches them again.
    with_origin(visitor("203.0.113.9"), async { ok(store.contact_agrees(contacts[0].id).await) }).await;
    assert_eq!(ok(store.contact_notice_due(contacts[0].id).await), None);
    assert_eq!(reachable(ok(store.recipients(a, news.id).await)), all);
    let history = ok(store.contact_consents(a, contacts[0].id).await);
    let newest = &history[0];
    assert_eq!(
        (newest.purpose, newest.method, newest.notice.as_deref(), newest.client_address.as_deref()),
        (ConsentPurpose::PrivacyNotice, ConsentMethod::UnsubscribePage, Some("hr-2"), Some("203.0.113.9"))
    );
}

pub async fn organizers_agree_to_the_notice_in_force_and_again(store: &dyn Store) {
    let a = Actor::System;
    let c = ok(store.create_campaign(a, campaign_fields("organizers")).await);
    let now = Utc::now();
    // No notice published: today's behaviour (the built-in version), and the rows still say what was agreed.
    let first = ok(store.register_event(c.id, form("Ivana Kovač", "HR", "Zagreb", 30), "hr", now, &mailer).await);
    assert_eq!(first.event.consent_version, rally_domain::event::PRIVACY_NOTICE_VERSION);

    ok(store.publish_privacy_notice(a, c.id, notice("hr", "Prva.", false)).await);
    let registered = with_origin(visitor("192.0.2.44"), async {
        let mut fields = form("Marko Horvat", "HR", "Rijeka", 20);
        fields.news_opt_in = true;
        ok(store.register_event(c.id, fields, "hr", now, &mailer).await)
    })
    .await;
    let e = registered.event;
    assert_eq!(e.consent_version, "hr-1");
    let rows = ok(store.event_consents(a, e.id).await);
    use ConsentMethod::Form;
    assert_eq!(
        summary(&rows),
        [(ConsentPurpose::News, true, Form), (ConsentPurpose::PrivacyNotice, true, Form)],
        "newest first: both written at registration"
    );
    assert_eq!((rows[1].notice.as_deref(), rows[1].client_address.as_deref()), (Some("hr-1"), Some("192.0.2.44")));
    assert_eq!(rows[0].email, "marko.horvat@skola.example");
    // Opting out of news through the event link is a row too; an edit that leaves it alone is not.
    let mut fields = e.fields.clone();
    fields.news_opt_in = false;
    ok(store.organizer_edit(e.id, e.link_version, fields.clone(), now).await);
    ok(store.organizer_edit(e.id, e.link_version, fields, now).await);
    let rows = ok(store.event_consents(a, e.id).await);
    assert_eq!(summary(&rows)[0], (ConsentPurpose::News, false, Form));
    assert_eq!(rows.len(), 3);
    assert_eq!(ok(store.event(a, e.id).await).consent_version, "hr-1", "stored, not only answered");
    assert_eq!(ok(store.organizer_notice_due(e.id, e.link_version).await), None);

    ok(store.publish_privacy_notice(a, c.id, notice("hr", "Druga.", true)).await);
    let due = ok(store.organizer_notice_due(e.id, e.link_version).await).map(|n| n.label());
    assert_eq!(due.as_deref(), Some("hr-2"));
    let forged = store.organizer_agrees(e.id, e.link_version + 1).await;
    assert!(matches!(forged, Err(StoreError::NotFound(_))), "{forged:?}");
    ok(store.organizer_agrees(e.id, e.link_version).await);
    assert_eq!(ok(store.organizer_notice_due(e.id, e.link_version).await), None);
    assert_eq!(ok(store.event(a, e.id).await).consent_version, "hr-2");
    let newest = &ok(store.event_consents(a, e.id).await)[0];
    assert_eq!((newest.purpose, newest.notice.as_deref()), (ConsentPurpose::PrivacyNotice, Some("hr-2")));
    let outsider = user(store, "Iva").await;
    let hidden = store.event_consents(Actor::User(outsider.id), e.id).await;
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");
}

pub async fn a_partner_sets_its_contacts_consent_through_its_link(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("partner-link-consent")).await);
    ok(store.publish_privacy_notice(me, c.id, notice("hr", "Obavijest.", false)).await);
    ok(store.publish_privacy_notice(me, c.id, notice("en", "Notice.", false)).await);
    ok(store.publish_privacy_notice(me, c.id, notice("en", "Notice, again.", false)).await);
    let p = ok(store.create_partner(me, c.id, partner("Radio Rijeka", Category::Media, 100)).await);
    let other = ok(store.create_partner(me, c.id, partner("Radio Pula", Category::Media, 100)).await);
    let contact = |name: &str, email: &str, language: &str| {
        ok(ContactDraft {
            name: Some(name.into()),
            email: Some(email.into()),
            role: Some("Editor".into()),
            language: Some(language.into()),
            ..Default::default()
        }
        .validate())
    };
    let k = ok(store.create_contact(me, p.id, contact("Lucija", "lucija@radio.example", "en")).await);
    let theirs = ok(store.create_contact(me, other.id, contact("Marko", "marko@pula.example", "hr")).await);
    ok(store.create_partner_link(me, p.id, "hash-consent").await);
    ok(store.create_partner_link(me, other.id, "hash-other").await);

    // The page lists the partner's own contacts with their choice, and nobody else's.
    let view = ok(store.link_view("hash-consent").await);
    let listed: Vec<_> = view.contacts.iter().map(|x| (x.id, x.name.as_str(), x.role.as_str(), x.consent)).collect();
    assert_eq!(listed, [(k.id, "Lucija", "Editor", Consent::Unknown)]);

    // A change is the contact's consent now and a row naming the link, where it came from and the
    // notice in force for the contact's language.
    let page = visitor("203.0.113.9");
    let changed = with_origin(page.clone(), async {
        ok(store.link_set_contact_consent("hash-consent", k.id, Consent::OptedIn).await)
    })
    .await;
    assert!(changed);
    assert_eq!(ok(store.contact(me, k.id).await).fields.consent, Consent::OptedIn);
    let rows = ok(store.contact_consents(me, k.id).await);
    assert_eq!(summary(&rows), [(ConsentPurpose::CampaignEmail, true, ConsentMethod::PartnerLink)]);
    let row = &rows[0];
    assert_eq!(
        (row.client_address.as_deref(), row.user_agent.as_deref(), row.user_name.as_deref()),
        (Some("203.0.113.9"), Some("Firefox/140"), None),
        "the partner's own change keeps where it came from, and names no team member"
    );
    assert_eq!((row.notice.as_deref(), row.email.as_str()), (Some("en-2"), "lucija@radio.example"));

    // The same choice again changes nothing and records nothing.
    let again = with_origin(page.clone(), async {
        ok(store.link_set_contact_consent("hash-consent", k.id, Consent::OptedIn).await)
    })
    .await;
    assert!(!again);
    assert_eq!(ok(store.contact_consents(me, k.id).await).len(), 1);

    // Withdrawn: a row without a notice; the page shows the new choice.
    with_origin(page.clone(), async {
        ok(store.link_set_contact_consent("hash-consent", k.id, Consent::OptedOut).await)
    })
    .await;
    let rows = ok(store.contact_consents(me, k.id).await);
    assert_eq!(
        (rows.len(), rows[0].granted, rows[0].method, rows[0].notice.as_deref()),
        (2, false, ConsentMethod::PartnerLink, None)
    );
    assert_eq!(ok(store.link_view("hash-consent").await).contacts[0].consent, Consent::OptedOut);

    // "Not asked" is no choice a partner can make.
    let unknown = store.link_set_contact_consent("hash-consent", k.id, Consent::Unknown).await;
    assert!(matches!(unknown, Err(StoreError::Invalid(_))), "{unknown:?}");

    // Another partner's contact, a missing one and a dead link are all "not found", and change nothing.
    let foreign = store.link_set_contact_consent("hash-consent", theirs.id, Consent::OptedIn).await;
    assert!(matches!(foreign, Err(StoreError::NotFound(_))), "{foreign:?}");
    let missing =
        store.link_set_contact_consent("hash-consent", rally_domain::ContactId(i64::MAX), Consent::OptedIn).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    ok(store.revoke_partner_link(me, p.id).await);
    let dead = store.link_set_contact_consent("hash-consent", k.id, Consent::OptedIn).await;
    assert!(matches!(dead, Err(StoreError::NotFound(_))), "{dead:?}");
    assert_eq!(ok(store.contact(me, theirs.id).await).fields.consent, Consent::Unknown);
    assert!(ok(store.contact_consents(me, theirs.id).await).is_empty());
    assert_eq!(ok(store.contact(me, k.id).await).fields.consent, Consent::OptedOut);
    assert_eq!(ok(store.contact_consents(me, k.id).await).len(), 2);
}

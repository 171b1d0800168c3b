//! Queueing a message a chunk of contacts at a time: every contact of the segment gets exactly one
//! e-mail however many chunks it takes, and a template that fails on the very last contact queues
//! nothing at all.

use std::collections::HashMap;

use chrono::Utc;
use rally_comms::PlanError;
use rally_comms::plan::{self, CHUNK};
use rally_domain::cadence::CadencePolicy;
use rally_domain::comms::{MessageDraft, MessageKind, OutboxStatus, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{
    AskDraft, AssetDraft, AssetKind, CampaignDraft, CampaignId, Category, CommitmentDraft, CommitmentStatus, Consent,
    ContactDraft, Email, LanguageTag, PartnerDraft,
};
use rally_store::{Actor, MailSettings, MessageTemplate, PartnerLoad, Store};

use super::ok;

both_backends!(
    twelve_thousand_contacts_are_queued_in_chunks_exactly_once,
    a_template_failing_on_the_last_contact_queues_nothing,
    chunks_skip_contacts_left_out_and_count_them_by_reason,
    templates_read_each_partners_commitments_and_assets,
    a_message_queued_twice_at_once_is_queued_once,
);

const BASE: &str = "https://rally.example.org";

/// A campaign whose cadence lets every e-mail go now, whatever the hour and the day of the run.
async fn campaign(store: &dyn Store, slug: &str) -> CampaignId {
    let fields = ok(CampaignDraft {
        name: Some(format!("Campaign {slug}")),
        slug: Some(slug.into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        goal_students: Some(10_000),
        starts_on: Some(ok("2026-12-07".parse())),
        ends_on: Some(ok("2026-12-13".parse())),
        ..Default::default()
    }
    .validate());
    let c = ok(store.create_campaign(Actor::System, fields).await).id;
    let policy = ok(CadencePolicy {
        max_per_window: 5,
        window_days: 7,
        min_gap_hours: 0,
        quiet_weekdays: vec![],
        window_start_hour: 0,
        window_end_hour: 24,
        ..CadencePolicy::default()
    }
    .validate());
    let settings = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: ok(Email::parse("info@satkodiranja.example.org")),
        reply_to: None,
        policy,
        legitimate_interest: false,
    };
    ok(store.set_mail_settings(Actor::System, c, settings).await);
    c
}

/// Contacts to a partner: schools with a teacher or two would make a test of 12,000 contacts spend
/// its time creating partners.
const PER_PARTNER: usize = 50;

/// `n` contacts, [`PER_PARTNER`] to a partner, loaded in bulk; `consent` says each one's consent by
/// number.
async fn contacts(store: &dyn Store, campaign: CampaignId, n: usize, consent: impl Fn(usize) -> Consent) {
    let mut batch = Vec::new();
    for i in 0..n.div_ceil(PER_PARTNER) {
        let fields = ok(PartnerDraft {
            name: Some(format!("Škola {i}")),
            category: Some(Category::SchoolNetwork),
            reach: Some(10),
            ..Default::default()
        }
        .validate());
        let people = (i * PER_PARTNER..((i + 1) * PER_PARTNER).min(n))
            .map(|k| {
                ok(ContactDraft {
                    name: Some(format!("Ana Horvat {k}")),
                    email: Some(format!("c{k}@skola.example.org")),
                    language: Some(if k % 2 == 0 { "hr" } else { "en" }.into()),
                    consent: Some(consent(k)),
                    ..Default::default()
                }
                .validate())
            })
            .collect();
        batch.push(PartnerLoad { fields, created_at: Utc::now(), moves: vec![], contacts: people });
        if batch.len() == 50 {
            ok(store.load_partners(Actor::System, campaign, std::mem::take(&mut batch)).await);
        }
    }
    ok(store.load_partners(Actor::System, campaign, batch).await);
}

/// A marketing message to the whole campaign, in Croatian and English, whose English text is `en`.
async fn message(store: &dyn Store, campaign: CampaignId, en: &str) -> i64 {
    let template = |language: &str, text: &str| MessageTemplate {
        language: ok(LanguageTag::parse(language)),
        category: None,
        set: TemplateSet { subject: "Sat kodiranja".into(), text: text.into(), html: String::new() },
    };
    let fields = ok(MessageDraft {
        title: Some("Invitation".into()),
        kind: Some(MessageKind::Marketing),
        segment: Some(Segment::default()),
        send: Some(SendTime::At(Utc::now() - chrono::Duration::minutes(1))),
        fallback_language: Some("en".into()),
    }
    .validate());
    let templates = vec![template("hr", "Bok {{ contact.first_name }}: {{ unsubscribe_url }}"), template("en", en)];
    ok(store.create_message(Actor::System, campaign, fields, templates).await).id
}

async fn staged_rows(store: &dyn Store) -> (i64, i64) {
    let counts = ok(store.table_counts().await);
    (counts.get("outbox_batches").copied().unwrap_or(-1), counts.get("outbox_staged").copied().unwrap_or(-1))
}

/// 12,000 contacts are twelve chunks of the default size: each contact gets one e-mail, rendered for it.
async fn twelve_thousand_contacts_are_queued_in_chunks_exactly_once(store: &dyn Store) {
    const N: usize = 12_000;
    assert!(N > 5 * CHUNK as usize, "several chunks");
    let c = campaign(store, "twelve").await;
    contacts(store, c, N, |_| Consent::OptedIn).await;
    let m = message(store, c, "Dear {{ contact.first_name }}: {{ unsubscribe_url }}").await;
    let (planned, added) = ok(plan::queue_message(store, Actor::System, m, BASE, Utc::now()).await);
    assert_eq!(added, N);
    assert_eq!((planned.on_time(), planned.deferred(), planned.expired(), planned.left_out_count()), (N, 0, 0, 0));
    assert_eq!(planned.samples.len(), plan::SAMPLES);
    assert!(planned.samples[0].text.starts_with("Bok Ana: https://rally.example.org/u/"), "{:?}", planned.samples[0]);
    assert!(planned.samples[1].text.starts_with("Dear Ana: "), "{:?}", planned.samples[1]);
    assert_eq!(ok(store.outbox_counts(Actor::System, m).await), vec![(OutboxStatus::Planned, N as i64)]);
    assert_eq!(staged_rows(store).await, (0, 0));
    // One e-mail per contact, each to its own address.
    let recipients = ok(store.recipients(Actor::System, m).await);
    let ids: Vec<_> = recipients.iter().map(|r| r.contact.id).collect();
    let history = ok(store.mail_history(&ids).await);
    assert_eq!(history.len(), N);
    assert!(history.values().all(|sends| sends.len() == 1));
    let again = plan::queue_message(store, Actor::System, m, BASE, Utc::now()).await;
    assert!(matches!(again, Err(PlanError::Store(rally_store::StoreError::Conflict { .. }))), "{again:?}");
}

/// Chunks of five over twelve contacts: the last contact's e-mail fails to render after two chunks
/// were written, and nothing is queued — the outbox is empty, the message a draft, the batch gone.
/// Fixed, the message queues whole.
async fn a_template_failing_on_the_last_contact_queues_nothing(store: &dyn Store) {
    let c = campaign(store, "last").await;
    contacts(store, c, 12, |_| Consent::OptedIn).await;
    // Printing an empty value is an error: only the last contact's e-mail prints one.
    let broken = "Dear {{ contact.first_name }}{% if contact.name == \"Ana Horvat 11\" %} {{ link_url }}{% endif %}";
    let m = message(store, c, broken).await;
    let failed = plan::queue_message_in_chunks(store, Actor::System, m, BASE, Utc::now(), 5).await;
    match &failed {
        Err(PlanError::Render { email, .. }) => assert_eq!(email, "c11@skola.example.org"),
        other => panic!("expected the last contact's template to fail: {other:?}"),
    }
    assert!(ok(store.outbox_counts(Actor::System, m).await).is_empty());
    assert!(ok(store.message(Actor::System, m).await).0.planned_at.is_none());
    assert_eq!(staged_rows(store).await, (0, 0));
    let plan = plan::plan_message(store, Actor::System, m, BASE, Utc::now()).await;
    assert!(matches!(plan, Err(PlanError::Render { .. })), "the preview of the queue fails the same way");

    ok(store.delete_message(Actor::System, m).await);
    let fixed = message(store, c, "Dear {{ contact.first_name }}").await;
    let (planned, added) = ok(plan::queue_message_in_chunks(store, Actor::System, fixed, BASE, Utc::now(), 5).await);
    assert_eq!((added, planned.on_time()), (12, 12));
    assert_eq!(staged_rows(store).await, (0, 0));
}

/// Contacts left out are counted by reason across chunks and named (the first of them), and a chunk
/// with nobody to write to is fine; the plan without queueing counts the same and writes nothing.
async fn chunks_skip_contacts_left_out_and_count_them_by_reason(store: &dyn Store) {
    let c = campaign(store, "left-out").await;
    // Contacts 0–3 opted out, 4–6 never asked (no legitimate interest: left out), the rest opted in.
    let consent = |k: usize| match k {
        0..=3 => Consent::OptedOut,
        4..=6 => Consent::Unknown,
        _ => Consent::OptedIn,
    };
    contacts(store, c, 11, consent).await;
    let m = message(store, c, "Dear {{ contact.first_name }}").await;
    let preview = ok(plan::plan_message(store, Actor::System, m, BASE, Utc::now()).await);
    assert!(ok(store.outbox_counts(Actor::System, m).await).is_empty(), "planning writes nothing");
    let (planned, added) = ok(plan::queue_message_in_chunks(store, Actor::System, m, BASE, Utc::now(), 4).await);
    for p in [&preview, &planned] {
        assert_eq!((p.on_time(), p.left_out_count()), (4, 7));
        assert_eq!(p.left_out.len(), 2, "two reasons: {:?}", p.left_out);
        assert_eq!(p.left_out.iter().map(|(_, n)| n).collect::<Vec<_>>(), vec![&4, &3]);
        assert_eq!(p.excluded.len(), 7);
        assert_eq!(p.excluded[0].0, "c0@skola.example.org");
    }
    assert_eq!(added, 4);
    assert_eq!(ok(store.outbox_counts(Actor::System, m).await), vec![(OutboxStatus::Planned, 4)]);
}

/// A template that lists the partner's commitments and the assets sent to it gets each partner's own,
/// in every chunk (partners are read once and kept across chunks).
async fn templates_read_each_partners_commitments_and_assets(store: &dyn Store) {
    let c = campaign(store, "values").await;
    // 120 contacts: partners of 50, 50 and 20; chunks of 7 cut across all of them.
    contacts(store, c, 120, |_| Consent::OptedIn).await;
    let recipients =
        ok(store.recipients(Actor::System, message(store, c, "Dear {{ contact.first_name }}").await).await);
    let (first, last) = (recipients[0].partner_id, recipients[119].partner_id);
    let today = Utc::now().date_naive();
    let posters = ok(AskDraft { title: Some("Posters".into()), ..Default::default() }
        .validate(today, None)
        .map_err(|e| e.to_string()));
    let ask = ok(store.create_ask(Actor::System, c, None, posters).await);
    let due = Some(Some(today + chrono::Duration::days(5)));
    let agreed = CommitmentDraft { status: Some(CommitmentStatus::Agreed), due_on: due, ..Default::default() };
    ok(store.propose(Actor::System, first, ask.id, agreed, today).await);
    let tutorial = ok(AssetDraft {
        title: Some("Tutorial".into()),
        kind: Some(AssetKind::Poster),
        url: Some("example.org/learn".into()),
        ..Default::default()
    }
    .validate(false)
    .map_err(|e| e.to_string()));
    let asset = ok(store.create_asset(Actor::System, c, tutorial, None).await);
    ok(store.send_assets(Actor::System, last, &[asset.id], "").await);
    let listing = "Dear {{ contact.first_name }}.{% for c in commitments %} You agreed: {{ c.ask }} ({{ c.status }}).\
                   {% endfor %}{% for a in assets %} We sent: {{ a.title }}.{% endfor %}";
    let m = message(store, c, listing).await;
    let (planned, added) = ok(plan::queue_message_in_chunks(store, Actor::System, m, BASE, Utc::now(), 7).await);
    assert_eq!(added, 120);
    assert!(planned.samples[1].text.ends_with("You agreed: Posters (agreed)."), "{:?}", planned.samples[1].text);
    let sent = ok(store.partner_mail(Actor::System, last).await);
    assert_eq!(sent.len(), 20);
    let mail = ok(store.partner_mail(Actor::System, recipients[60].partner_id).await);
    assert_eq!(mail.len(), 50, "the middle partner: neither");
    // The rendered texts are in the outbox as the worker will send them; the English ones (half of the
    // contacts) are this template's.
    let claimed = ok(store.claim("values", Utc::now(), Utc::now() + chrono::Duration::minutes(5), 1000).await);
    let partner_of: HashMap<_, _> = recipients.iter().map(|r| (r.contact.id, r.partner_id)).collect();
    let english = |partner| -> Vec<&str> {
        claimed
            .iter()
            .filter(|e| e.contact_id.and_then(|k| partner_of.get(&k)) == Some(&partner) && e.text.starts_with("Dear"))
            .map(|e| e.text.as_str())
            .collect()
    };
    let middle = recipients[60].partner_id;
    for (partner, ending, n) in
        [(first, "You agreed: Posters (agreed).", 25), (last, "We sent: Tutorial.", 10), (middle, "Ana.", 25)]
    {
        let texts = english(partner);
        assert_eq!(texts.len(), n, "{texts:?}");
        assert!(texts.iter().all(|t| t.ends_with(ending)), "{texts:?}");
    }
}

/// Two queues of one message at once (two clicks, two coordinators): both render, the first to commit
/// queues the message, the other is refused as a conflict and leaves nothing behind.
async fn a_message_queued_twice_at_once_is_queued_once(store: &dyn Store) {
    let c = campaign(store, "twice").await;
    contacts(store, c, 300, |_| Consent::OptedIn).await;
    let m = message(store, c, "Dear {{ contact.first_name }}").await;
    let queue = || plan::queue_message_in_chunks(store, Actor::System, m, BASE, Utc::now(), 40);
    let (a, b) = tokio::join!(queue(), queue());
    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        other => panic!("one queue wins, the other is refused: {other:?}"),
    };
    assert_eq!(won.1, 300);
    assert!(matches!(lost, PlanError::Store(rally_store::StoreError::Conflict { .. })), "{lost:?}");
    assert_eq!(ok(store.outbox_counts(Actor::System, m).await), vec![(OutboxStatus::Planned, 300)]);
    assert_eq!(staged_rows(store).await, (0, 0));
}

//! The e-mail pages: the editor refuses a broken template next to its field, the planner shows what
//! the cadence defers, roles hold, and the unsubscribe link works without a session.

use chrono::Utc;
use rally_domain::{Category, ContactDraft, PartnerDraft, Role};
use rally_store::Actor;
use reqwest::StatusCode;

use crate::support::Site;

both_backends!(
    Site;
    the_editor_and_the_planner,
    unsubscribe_links_need_no_session,
);

async fn contacts(site: &Site, campaign: rally_domain::CampaignId, n: usize) -> Vec<rally_domain::Contact> {
    contacts_named(site, campaign, "Škola", "skola", n).await
}

/// `n` school networks called `school` with a contact each, at `domain`.example.org.
async fn contacts_named(
    site: &Site,
    campaign: rally_domain::CampaignId,
    school: &str,
    domain: &str,
    n: usize,
) -> Vec<rally_domain::Contact> {
    let mut out = Vec::new();
    for i in 0..n {
        let fields = PartnerDraft {
            name: Some(format!("{school} {i}")),
            category: Some(Category::SchoolNetwork),
            reach: Some(300),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        let p = site.store.create_partner(Actor::System, campaign, fields).await.unwrap_or_else(|e| panic!("{e}"));
        let k = ContactDraft {
            name: Some(format!("Ana {i}")),
            email: Some(format!("ana{i}@{domain}.example.org")),
            language: Some("hr".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        out.push(site.store.create_contact(Actor::System, p.id, k).await.unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// The editor's fields for a message sent now to school networks, with one Croatian text.
fn message_form<'a>(title: &'a str, date: &'a str, time: &'a str, text: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("kind", "marketing"),
        ("send_mode", "at"),
        ("send_date", date),
        ("send_time", time),
        ("categories", "school_network"),
        ("fallback_language", "hr"),
        ("t0.language", "hr"),
        ("t0.category", ""),
        ("t0.subject", "Sat kodiranja"),
        ("t0.text", text),
    ]
}

async fn the_editor_and_the_planner(site: Site) {
    let ana = site.user("ana").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(vic, Role::Viewer)]).await;
    contacts(&site, c, 3).await;
    let b = site.signed_in("ana").await;
    // Any hour of any day, 2 e-mails per 7 days.
    let settings = [
        ("from_name", "Sat kodiranja"),
        ("from_address", "info@sat.example.org"),
        ("max_per_window", "2"),
        ("window_days", "7"),
        ("min_gap_hours", "0"),
        ("window_start_hour", "0"),
        ("window_end_hour", "24"),
        ("time_zone", "UTC"),
        ("expire_after_days", "14"),
        // The contacts were never asked: the campaign relies on its legitimate interest.
        ("legitimate_interest", "on"),
    ];
    assert_eq!(b.submit("/campaigns/hr/comms/settings", &settings).await.status, StatusCode::SEE_OTHER);
    let bad_zone: Vec<(&str, &str)> =
        settings.iter().map(|(k, v)| (*k, if *k == "time_zone" { "Mars/Olympus" } else { *v })).collect();
    let refused = b.submit("/campaigns/hr/comms/settings", &bad_zone).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Mars/Olympus") && refused.body.contains("field-error"), "{}", refused.body);

    let now = Utc::now();
    let (date, time) = (now.format("%Y-%m-%d").to_string(), now.format("%H:%M").to_string());
    // A template that does not parse is refused at save, next to its field, with the line.
    let broken = b.submit("/campaigns/hr/comms/messages", &message_form("News", &date, &time, "Bok\n{% if x %}")).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("line 2"), "{}", broken.body);
    assert!(broken.body.contains("value=\"News\""), "what was typed stays");
    let unknown =
        b.submit("/campaigns/hr/comms/messages", &message_form("News", &date, &time, "Bok {{ partner.nmae }}")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("partner.nmae"), "{}", unknown.body);

    // Three messages in one day: the planner defers the third for every contact.
    for title in ["First", "Second", "Third"] {
        let made = b
            .submit(
                "/campaigns/hr/comms/messages",
                &message_form(title, &date, &time, "Bok {{ contact.first_name }}, {{ unsubscribe_url }}"),
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    }
    // A fourth school's contact opted out: left out of every message, and the planner says why.
    let out = contacts_named(&site, c, "Opted", "opted", 1).await.remove(0);
    let patch = ContactDraft { consent: Some(rally_domain::Consent::OptedOut), ..Default::default() };
    site.store.update_contact(Actor::System, out.id, patch).await.unwrap_or_else(|e| panic!("{e}"));
    let plan = b.get("/campaigns/hr/comms/plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.body.contains("<strong id=\"left-out-count\">3</strong>"), "one contact, three messages");
    assert!(plan.body.contains(&format!("{} — left out: opted out of campaign e-mail", out.fields.email)));
    assert!(plan.body.contains("<strong id=\"deferred-count\">3</strong>"), "{}", plan.body);
    assert!(plan.body.contains("2 e-mails in the 7 days before"));
    let first = b.get("/campaigns/hr/comms").await.body;
    let id: String = first
        .split("/campaigns/hr/comms/messages/")
        .nth(1)
        .map(|r| r.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    let preview = b.get(&format!("/campaigns/hr/comms/messages/{id}/preview")).await;
    assert!(preview.body.contains("Bok Ana") && preview.body.contains("/u/"), "{}", preview.body);
    let queued = b.submit(&format!("/campaigns/hr/comms/messages/{id}/queue"), &[]).await;
    assert!(queued.body.contains("Queued 3 e-mails: 3 on time"), "{}", queued.body);
    assert!(queued.body.contains("1 contacts left out: 1 opted out of campaign e-mail"), "{}", queued.body);
    let again = b.submit(&format!("/campaigns/hr/comms/messages/{id}/queue"), &[]).await;
    assert!(again.body.contains("already planned"), "queued once only: {}", again.body);
    let test = b.submit(&format!("/campaigns/hr/comms/messages/{id}/test"), &[]).await;
    assert!(test.body.contains("sends no mail"), "no transport in this server: {}", test.body);

    // A viewer reads but cannot write or queue.
    let viewer = site.signed_in("vic").await;
    let page = viewer.get("/campaigns/hr/comms").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("New message") && !page.body.contains("Add milestone"));
    let denied = viewer.submit("/campaigns/hr/comms/messages", &message_form("Mine", &date, &time, "Bok")).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.submit(&format!("/campaigns/hr/comms/messages/{id}/queue"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    site.user("out").await;
    assert_eq!(site.signed_in("out").await.get("/campaigns/hr/comms").await.status, StatusCode::NOT_FOUND);
}

async fn unsubscribe_links_need_no_session(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let k = contacts(&site, c, 1).await.remove(0);
    let secret =
        site.store.link_secret(&rally_comms::unsubscribe::new_secret()).await.unwrap_or_else(|e| panic!("{e}"));
    let token = rally_comms::unsubscribe::token(&secret, k.id);
    let anyone = site.browser();
    // RFC 8058: a POST without cookies or a form token, as a mail provider sends it; twice is fine.
    for _ in 0..2 {
        let r = anyone.post(&format!("/u/{token}"), &[("List-Unsubscribe", "One-Click")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let prefs = site.store.mail_preference(k.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(prefs.map(|p| p.1), Some(rally_domain::comms::MailPreference::Essential));
    let page = anyone.get(&format!("/u/{token}")).await;
    assert!(page.body.contains("a***@skola.example.org"), "the address is masked: {}", page.body);
    let chosen = anyone.post(&format!("/u/{token}"), &[("choice", "fewer")]).await;
    assert!(chosen.body.contains("Saved: Fewer e-mails"), "{}", chosen.body);
    // A forged or unknown token finds nothing.
    let other = rally_domain::ContactId(k.id.0 + 1);
    let forged = format!("{}.{}", other.0, token.split_once('.').map(|t| t.1).unwrap_or_default());
    assert_eq!(anyone.get(&format!("/u/{forged}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anyone.post(&format!("/u/{forged}"), &[("List-Unsubscribe", "One-Click")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(anyone.get("/u/nonsense").await.status, StatusCode::NOT_FOUND);
}

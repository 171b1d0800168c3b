//! A partner sets its contacts' campaign e-mail choice on its link page: the page lists its own
//! contacts by name and role (never their addresses) in the page's language, a change is a consent
//! row "through the partner link" that the team reads in the contact's history, and the link reaches
//! no other partner's contacts.

use rally_domain::{ContactDraft, PartnerId};
use rally_site::i18n::Lang;
use rally_store::Actor;
use reqwest::StatusCode;

use crate::site::campaign;
use crate::support::Site;

both_backends!(
    Site;
    a_partner_sets_its_contacts_campaign_email_through_its_link,
);

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

async fn add_contact(site: &Site, partner: PartnerId, name: &str, email: &str) -> i64 {
    let contact = ContactDraft {
        name: Some(name.into()),
        email: Some(email.into()),
        role: Some("Urednica".into()),
        language: Some("hr".into()),
        ..Default::default()
    };
    ok(site.store.create_contact(Actor::System, partner, ok(contact.validate())).await).id.0
}

async fn a_partner_sets_its_contacts_campaign_email_through_its_link(site: Site) {
    let ana = site.user("ana").await;
    let c = campaign(&site, ana, "sk", None).await;
    let p = site.partner(ana, c, "Radio Rijeka").await;
    let other = site.partner(ana, c, "Radio Pula").await;
    let owner = site.signed_in("ana").await;
    owner.submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Prva.")]).await;
    let lucija = add_contact(&site, p, "Lucija Horvat", "lucija@radio.example").await;
    let marko = add_contact(&site, other, "Marko Babić", "marko@pula.example").await;
    let token = rally_web::auth::random_token();
    ok(site.store.create_partner_link(Actor::System, p, &rally_web::auth::hash_token(&token)).await);
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let partner = site.browser();

    // The page, in the contact's language: the partner's own contact by name and role, no address,
    // no choice made yet, and nobody else's contacts.
    let page = partner.get(&format!("/p/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let section =
        page.body.split("id=\"contacts\"").nth(1).and_then(|s| s.split("</section>").next()).unwrap_or_default();
    for seen in [
        "Lucija Horvat",
        "Urednica",
        &hr.t("link-consent-yes"),
        &hr.t("link-consent-no"),
        &hr.t("link-consent-unknown"),
    ] {
        assert!(section.contains(seen), "{seen} in {section}");
    }
    assert!(!section.contains(" checked"), "{section}");
    assert!(!page.body.contains("lucija@radio.example") && !page.body.contains("Marko"), "{}", page.body);

    // The partner says yes: the page thanks it in its language and shows the choice.
    let action = format!("/p/{token}/contacts/{lucija}/consent");
    assert!(section.contains(&format!("action=\"{action}\"")), "{section}");
    let saved = partner.post(&action, &[("consent", "opted_in")]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Hvala! Izbor e-pošte kampanje za"), "{}", saved.body);
    assert!(saved.body.contains("value=\"opted_in\" checked"), "{}", saved.body);
    // The same answer again is no change.
    assert_eq!(partner.post(&action, &[("consent", "opted_in")]).await.status, StatusCode::OK);

    // No answer, or one that is neither: a clear error on that contact, nothing changed.
    let none = partner.post(&action, &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains(&hr.t("link-error-consent")) && none.body.contains("id=\"ke-"), "{}", none.body);
    let odd = partner.post(&action, &[("consent", "unknown")]).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another partner's contact, a contact that is no number, and a forged link are "not found".
    let foreign = partner.post(&format!("/p/{token}/contacts/{marko}/consent"), &[("consent", "opted_in")]).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let foreign = partner.post(&format!("/p/{token}/contacts/{marko}/consent"), &[]).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "even with no answer");
    let garbled = partner.post(&format!("/p/{token}/contacts/x/consent"), &[("consent", "opted_in")]).await;
    assert_eq!(garbled.status, StatusCode::NOT_FOUND);
    let forged = partner.post(&format!("/p/{token}0/contacts/{lucija}/consent"), &[("consent", "opted_in")]).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    let theirs = ok(site.store.contacts(Actor::System, other).await);
    assert_eq!(theirs[0].fields.consent, rally_domain::Consent::Unknown);

    // The team sees one row: granted, through the partner link, from the partner's address, under the
    // notice in force.
    let team = owner.get(&format!("/campaigns/sk/partners/{}", p.0)).await;
    let history = team.body.split_once("Consent history").map(|(_, rest)| rest).unwrap_or_default();
    let rows: Vec<&str> = history.split("<tr>").skip(2).map(|r| r.split("</tr>").next().unwrap_or_default()).collect();
    assert_eq!(rows.len(), 1, "{history}");
    for seen in ["Granted", "Partner link", "127.0.0.1", "<td>hr-1</td>", "lucija@radio.example"] {
        assert!(rows[0].contains(seen), "{seen} in {}", rows[0]);
    }

    // A change back is a withdrawal, newest first.
    let out = partner.post(&action, &[("consent", "opted_out")]).await;
    assert!(out.body.contains("value=\"opted_out\" checked"), "{}", out.body);
    let team = owner.get(&format!("/campaigns/sk/partners/{}", p.0)).await;
    let history = team.body.split_once("Consent history").map(|(_, rest)| rest).unwrap_or_default();
    let rows: Vec<&str> = history.split("<tr>").skip(2).map(|r| r.split("</tr>").next().unwrap_or_default()).collect();
    assert_eq!(rows.len(), 2, "{history}");
    assert!(rows[0].contains("Withdrawn") && rows[0].contains("Partner link"), "{}", rows[0]);
}

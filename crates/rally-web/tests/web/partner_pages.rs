//! What partners see: their link page in their contact's language (else the browser's), naming whom at
//! the campaign to write to; and the recognition wall as a page of the public site, with its fragment
//! for other sites.

use chrono::Utc;
use rally_domain::cadence::CadencePolicy;
use rally_domain::{AskDraft, CommitmentDraft, ContactDraft, Email, PartnerDraft, PartnerId, Role, Stage, StageMove};
use rally_store::{Actor, MailSettings};
use reqwest::StatusCode;

use crate::support::{Browser, Page, Site};

both_backends!(
    Site;
    the_link_page_speaks_the_contacts_language_and_names_the_owner,
    without_a_contacts_language_the_browser_chooses_and_the_sender_answers,
    the_recognition_wall_is_a_page_of_the_site_with_a_fragment_to_embed,
);

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

async fn add_contact(site: &Site, partner: PartnerId, email: &str, language: &str) {
    let contact = ContactDraft {
        name: Some("Kontakt".into()),
        email: Some(email.into()),
        language: Some(language.into()),
        ..Default::default()
    };
    ok(site.store.create_contact(Actor::System, partner, ok(contact.validate())).await);
}

/// A proposed ask of "schools" for the partner, and the partner's link: its path and the ask's id.
async fn ask_and_link(site: &Site, partner: PartnerId) -> (String, i64) {
    let today = Utc::now().date_naive();
    let ask = AskDraft { title: Some("Events in schools".into()), unit: Some("schools".into()), ..Default::default() };
    let proposed = site.store.propose_custom(
        Actor::System,
        partner,
        ok(ask.validate(today, None)),
        CommitmentDraft::default(),
        today,
    );
    let commitment = ok(proposed.await);
    let token = rally_web::auth::random_token();
    ok(site.store.create_partner_link(Actor::System, partner, &rally_web::auth::hash_token(&token)).await);
    (format!("/p/{token}"), commitment.id.0)
}

/// A page fetched with an `Accept-Language` header, and its `Content-Language`.
async fn get_in(b: &Browser, path: &str, accept: &str) -> (Page, String) {
    let resp = b.http.get(format!("{}{path}", b.base)).header("accept-language", accept).send().await;
    let resp = resp.unwrap_or_else(|e| panic!("{path}: {e}"));
    let language = resp.headers().get("content-language").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (Browser::reply(resp).await, language)
}

async fn the_link_page_speaks_the_contacts_language_and_names_the_owner(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Member)]).await;
    let p = site.partner(mia, c, "Radio Rijeka").await;
    add_contact(&site, p, "urednica@radio.example", "hr").await;
    let (path, commitment) = ask_and_link(&site, p).await;
    let partner = site.browser();

    // The contact's language wins over the browser's.
    let (page, language) = get_in(&partner, &path, "fr-FR,fr;q=0.9,en;q=0.5").await;
    assert_eq!((page.status, language.as_str()), (StatusCode::OK, "hr"));
    assert!(page.body.contains("<html lang=\"hr\">"), "{}", page.body);
    for croatian in ["Što vas molimo", "Koliko (schools)?", "Potvrdi", "Odbij", "Vaš logotip na stranici kampanje"] {
        assert!(page.body.contains(croatian), "{croatian}");
    }
    assert!(!page.body.contains("What we ask"));
    // Whom to write to: the partner's owner, by name and address.
    let contact =
        page.body.split("id=\"contact\"").nth(1).and_then(|s| s.split("</section>").next()).unwrap_or_default();
    assert!(contact.contains("Vaša osoba za kontakt u kampanji"), "{contact}");
    assert!(
        contact.contains("<strong>mia</strong>") && contact.contains("href=\"mailto:mia@example.org\""),
        "{contact}"
    );

    // Answers and their errors are in Croatian too.
    let answer = format!("{path}/commitments/{commitment}");
    let bad = partner.post(&answer, &[("answer", "accept"), ("quantity", "mnogo")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Upišite cijeli broj."), "{}", bad.body);
    let missing = partner.post(&answer, &[("answer", "accept")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Navedite koliko (schools) preuzimate."), "{}", missing.body);
    let confirmed = partner.post(&answer, &[("answer", "accept"), ("quantity", "1200")]).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert!(confirmed.body.contains("Potvrdili ste: „Events in schools“"), "{}", confirmed.body);
    assert!(confirmed.body.contains("1.200 schools"), "numbers are written the Croatian way");

    // A language chosen on the page wins, and the page's forms keep it.
    let (english, language) = get_in(&partner, &format!("{path}?lang=en"), "hr").await;
    assert_eq!(language, "en");
    assert!(english.body.contains("What we ask") && english.body.contains("Your contact at the campaign"));
    assert!(english.body.contains(&format!("action=\"{path}/logo?lang=en\"")), "forms keep the choice");
    let kept = partner.post(&format!("{path}/recognition?lang=en"), &[("opt_out", "1")]).await;
    assert_eq!((kept.status, kept.location), (StatusCode::SEE_OTHER, format!("{path}?lang=en#recognition")));
}

async fn without_a_contacts_language_the_browser_chooses_and_the_sender_answers(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = site.partner(ana, c, "Lycée Jean Moulin").await;
    add_contact(&site, p, "direction@lycee.example", "").await;
    let (path, _) = ask_and_link(&site, p).await;
    let partner = site.browser();

    let (page, language) = get_in(&partner, &path, "fr-FR,fr;q=0.9,en;q=0.5").await;
    assert_eq!((page.status, language.as_str()), (StatusCode::OK, "fr"));
    assert!(page.body.contains("<html lang=\"fr\">"));
    for french in ["Ce que nous vous demandons", "Combien (schools) ?", "Confirmer", "Votre contact dans la campagne"] {
        assert!(page.body.contains(french), "{french}");
    }
    assert!(page.body.contains("href=\"mailto:ana@example.org\""), "the owner, ana");
    // Without the browser's languages: the campaign's first language, Croatian.
    let plain = partner.get(&path).await;
    assert!(plain.body.contains("<html lang=\"hr\">") && plain.body.contains("Što vas molimo"));

    // No owner: the campaign's e-mail sender, its reply-to address first.
    let unowned = PartnerDraft { owner_id: Some(None), ..Default::default() };
    ok(site.store.update_partner(Actor::System, p, unowned).await);
    let (page, _) = get_in(&partner, &path, "fr").await;
    assert!(page.body.contains("Une question ? Répondez à l’e-mail"), "nobody to name yet");
    let settings = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: ok(Email::parse("info@sat.example.org")),
        reply_to: Some(ok(Email::parse("partneri@sat.example.org"))),
        policy: CadencePolicy::default(),
        legitimate_interest: false,
    };
    ok(site.store.set_mail_settings(Actor::User(ana), c, settings).await);
    let (page, _) = get_in(&partner, &path, "fr").await;
    assert!(page.body.contains("<strong>Sat kodiranja</strong>"), "{}", page.body);
    assert!(page.body.contains("href=\"mailto:partneri@sat.example.org\""));
}

async fn the_recognition_wall_is_a_page_of_the_site_with_a_fragment_to_embed(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let long = "Udruga za promicanje informatike i računalnog razmišljanja u osnovnim školama \
                Primorsko-goranske županije Računalnoznanstvenoinformatičkoobrazovnapodrška";
    let won = site.partner(ana, c, long).await;
    site.partner(ana, c, "Radio Sljeme").await;
    let to_won = StageMove { stage: Stage::ClosedWon, note: None, reason: None, confirm_unfulfilled: true };
    ok(site.store.move_stage(Actor::System, won, to_won).await);
    let visitor = site.browser();

    for path in ["/c/hr/recognition", "/c/hr/partners"] {
        let (page, language) = get_in(&visitor, path, "en-GB,en;q=0.8").await;
        assert_eq!((page.status, language.as_str()), (StatusCode::OK, "en"), "{path}");
        assert!(page.body.starts_with("<!doctype html>") && page.body.contains("<html lang=\"en\">"), "{path}");
        assert!(page.body.contains("href=\"/static/site.css\"") && page.body.contains("class=\"site-nav\""), "{path}");
        assert!(page.body.contains("href=\"/c/hr/partners\" aria-current=\"page\""), "{path}: the Partners section");
        assert!(page.body.contains("<h1>Our partners</h1>") && page.body.contains(long), "{path}");
        assert!(!page.body.contains("Radio Sljeme"), "{path}: only won partners");
        assert!(page.body.contains(&format!("href=\"{path}?lang=hr\"")), "{path}: the switcher stays here");
    }
    let (croatian, _) = get_in(&visitor, "/c/hr/recognition", "hr").await;
    assert!(croatian.body.contains("<html lang=\"hr\">") && croatian.body.contains("<h1>Naši partneri</h1>"));

    // The fragment: no page around it, absolute addresses, readable by any site.
    let resp = visitor.http.get(format!("{}/c/hr/embed/recognition?lang=fr", site.base)).send().await;
    let resp = resp.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    let fragment = Browser::reply(resp).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment.body.starts_with("<div class=\"recognition\" lang=\"fr\">"), "{}", fragment.body);
    assert!(!fragment.body.contains("<html") && fragment.body.contains(long) && fragment.body.contains("Partenaires"));
    // The framed wall still works, and an opted-out partner leaves both.
    let framed = visitor.get("/c/hr/embed/partners").await;
    assert!(framed.status == StatusCode::OK && framed.body.contains(long));
    ok(site.store.set_recognition_opt_out(Actor::System, won, true).await);
    assert!(!visitor.get("/c/hr/embed/recognition").await.body.contains(long));
    assert!(!visitor.get("/c/hr/recognition").await.body.contains(long));
    assert_eq!(visitor.get("/c/nowhere/recognition").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/c/nowhere/embed/recognition").await.status, StatusCode::NOT_FOUND);
}

//! One person's data over real HTTP: an organizer downloads and erases their data from their event
//! link (the event still counts; the link stops working); an owner finds a contact by address,
//! downloads their data and erases them with a reason and a confirmation (a member may not), and reads
//! the erasure in the audit log; the API does the same for owners, with dry runs.

use rally_domain::event::EventStatus;
use rally_domain::{ContactDraft, Role};
use rally_site::i18n::Lang;
use rally_store::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::site::{campaign, mailed_link, post, registration, visitor};
use crate::support::Site;

both_backends!(
    Site;
    an_organizer_downloads_and_erases_their_data_from_the_event_link,
    an_owner_erases_a_contact_with_a_reason_and_reads_the_audit_entry,
    the_api_exports_and_erases_for_owners_only,
    a_contact_gets_their_data_and_erases_it_by_e_mail_from_the_unsubscribe_page,
);

async fn an_organizer_downloads_and_erases_their_data_from_the_event_link(site: Site) {
    let ana = site.user("ana").await;
    let c = campaign(&site, ana, "sk", None).await;
    let b = visitor(&site);
    let page = post(&b, "/c/sk/register", &registration("Ivana Kovač", "ivana@skola.example.org", "30")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, link) = mailed_link(&*site.store, "ivana@skola.example.org").await;
    let confirmed = b.post(&format!("{link}/confirm"), &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    let (events, _) = site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_else(|e| panic!("{e}"));
    site.store
        .moderate(
            Actor::User(ana),
            c,
            &[events[0].id],
            rally_store::Moderation::Approve,
            chrono::Utc::now(),
            &|e: &rally_domain::event::Event, _| rally_store::OrganizerMail {
                subject: "ok".into(),
                text: e.fields.organizer_name.clone(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stats = site.store.event_stats(c).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stats.students, 30);

    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let manage = b.get(&link).await;
    assert!(manage.body.contains(&hr.t("manage-data-download")), "{}", manage.body);

    // Download: a JSON file of what the campaign holds about her.
    let resp = b.http.post(format!("{}{link}/data", site.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let data: Value = resp.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data["email"], "ivana@skola.example.org");
    assert_eq!(data["tables"]["events"][0]["organizer_name"], "Ivana Kovač");
    assert!(data["tables"]["outbox"].as_array().is_some_and(|m| !m.is_empty()), "the e-mails she was sent: {data}");

    // Erasing asks for the confirmation first.
    let unconfirmed = b.post(&format!("{link}/erase"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_default().0[0].fields.organizer_name,
        "Ivana Kovač"
    );
    let erased = b.post(&format!("{link}/erase"), &[("confirm", "yes")]).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    assert!(erased.body.contains(&hr.t("manage-erased")), "{}", erased.body);

    // The event still counts, without her; the link is dead; the owner reads the erasure in the log.
    let (events, _) = site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((events.len(), events[0].status), (1, EventStatus::Approved));
    assert_eq!(events[0].fields.organizer_name, "");
    assert_ne!(events[0].fields.organizer_email.as_str(), "ivana@skola.example.org");
    assert_eq!(site.store.event_stats(c).await.unwrap_or_else(|e| panic!("{e}")), stats);
    assert_eq!(b.get(&link).await.status, StatusCode::NOT_FOUND);
    let owner = site.signed_in("ana").await;
    let audit = owner.get("/campaigns/sk/audit").await;
    assert!(audit.body.contains("erased person #"), "{}", audit.body);
    assert!(!audit.body.contains("ivana@skola.example.org") && !audit.body.contains("Ivana Kovač"), "{}", audit.body);
}

async fn an_owner_erases_a_contact_with_a_reason_and_reads_the_audit_entry(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Member)]).await;
    let p = site.partner(ana, c, "Radio Zagreb").await;
    let fields = ContactDraft {
        name: Some("Marta Horvat".into()),
        email: Some("marta@radio.example".into()),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    site.store.create_contact(Actor::User(ana), p, fields).await.unwrap_or_else(|e| panic!("{e}"));

    let member = site.signed_in("mia").await;
    assert_eq!(member.get("/campaigns/hr/privacy").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        member.submit("/campaigns/hr/privacy", &[("email", "marta@radio.example")]).await.status,
        StatusCode::FORBIDDEN
    );

    let owner = site.signed_in("ana").await;
    let page = owner.get("/campaigns/hr/privacy").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(owner.get("/campaigns/hr/partners").await.body.contains("href=\"/campaigns/hr/privacy\""), "in the menu");
    let bad = owner.submit("/campaigns/hr/privacy", &[("email", "not an address")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"not an address\""), "what was typed is kept");
    let found = owner.submit("/campaigns/hr/privacy", &[("email", "Marta@Radio.example")]).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains("Contact records"), "{}", found.body);

    // The download.
    let csrf = owner.csrf().await;
    let resp = owner
        .http
        .post(format!("{}/campaigns/hr/privacy/export", site.base))
        .form(&[("csrf", csrf.as_str()), ("email", "marta@radio.example")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    let data: Value = resp.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data["tables"]["contacts"][0]["name"], "Marta Horvat");

    // No reason and no confirmation: both said, nothing erased, the address kept in the form.
    let refused =
        owner.submit("/campaigns/hr/privacy/erase", &[("email", "marta@radio.example"), ("reason", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Say why") && refused.body.contains("Tick the box"), "{}", refused.body);
    assert!(refused.body.contains("value=\"marta@radio.example\""));
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Marta Horvat");

    let done = owner
        .submit(
            "/campaigns/hr/privacy/erase",
            &[("email", "marta@radio.example"), ("reason", "She asked by phone on Monday"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Erased") && done.body.contains("erased person #"), "{}", done.body);
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Erased contact");

    // The audit log says who erased whom (by pseudonym) and why.
    let audit = owner.get("/campaigns/hr/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("erased person #"), "{}", audit.body);
    assert!(audit.body.contains("She asked by phone on Monday"), "{}", audit.body);
    assert!(!audit.body.contains("marta@radio.example"), "{}", audit.body);
}

async fn the_api_exports_and_erases_for_owners_only(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Coordinator)]).await;
    let p = site.partner(ana, c, "Radio Zagreb").await;
    let fields = ContactDraft {
        name: Some("Marta Horvat".into()),
        email: Some("marta@radio.example".into()),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    site.store.create_contact(Actor::User(ana), p, fields).await.unwrap_or_else(|e| panic!("{e}"));
    let token = |user| {
        let store = site.store.clone();
        async move {
            let (token, hash) = rally_web::auth::new_api_token();
            store.create_api_token(user, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
            token
        }
    };
    let (ana_token, mia_token) = (token(ana).await, token(mia).await);
    let http = reqwest::Client::new();
    let call = |path: String, token: String, body: Value| {
        let req = http.post(format!("{}{path}", site.base)).bearer_auth(token).json(&body);
        async move {
            let resp = req.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
        }
    };
    let export = format!("/api/v1/campaigns/{}/privacy/export", c.0);
    let erase = format!("/api/v1/campaigns/{}/privacy/erase", c.0);
    let marta = json!({ "email": "marta@radio.example" });

    let (status, _) = call(export.clone(), mia_token.clone(), marta.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "coordinators may not");
    let (status, data) = call(export.clone(), ana_token.clone(), marta.clone()).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["tables"]["contacts"][0]["email"], "marta@radio.example");
    let (status, problem) = call(export.clone(), ana_token.clone(), json!({ "mail": "x" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let (status, problem) = call(erase.clone(), ana_token.clone(), marta.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {problem}");
    assert!(problem.to_string().contains("reason"), "{problem}");
    let (status, _) =
        call(erase.clone(), mia_token, json!({ "email": "marta@radio.example", "reason": "asked" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let dry = json!({ "email": "marta@radio.example", "reason": "asked", "dry_run": true });
    let (status, report) = call(erase.clone(), ana_token.clone(), dry).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["dry_run"].as_bool(), report["tables"]["contacts"].as_u64()), (Some(true), Some(1)));
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Marta Horvat", "a dry run changes nothing");
    let (status, report) = call(erase, ana_token, json!({ "email": "marta@radio.example", "reason": "asked" })).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["dry_run"], false);
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Erased contact");
}

async fn a_contact_gets_their_data_and_erases_it_by_e_mail_from_the_unsubscribe_page(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = site.partner(ana, c, "Radio Zagreb").await;
    let fields = ContactDraft {
        name: Some("Marta Horvat".into()),
        email: Some("marta@radio.example".into()),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let k = site.store.create_contact(Actor::User(ana), p, fields).await.unwrap_or_else(|e| panic!("{e}"));
    let secret = site.store.link_secret("first").await.unwrap_or_else(|e| panic!("{e}"));
    let token = rally_comms::unsubscribe::token(&secret, k.id);
    let b = site.browser();
    let mail_to_marta = || async {
        let now = chrono::Utc::now();
        let claimed = site
            .store
            .claim("test", now, now + chrono::Duration::minutes(5), 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        claimed.into_iter().filter(|m| m.email == "marta@radio.example").collect::<Vec<_>>()
    };

    // Her data goes to her address, not to the page.
    let page = b.post(&format!("/u/{token}"), &[("privacy", "export")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("We sent everything"), "{}", page.body);
    assert!(!page.body.contains("Marta Horvat") && !page.body.contains("marta@radio.example"), "{}", page.body);
    let mails = mail_to_marta().await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text.contains("\"name\": \"Marta Horvat\""), "{}", mails[0].text);

    // Erasure waits for the link sent to her address.
    let page = b.post(&format!("/u/{token}"), &[("privacy", "erase")]).await;
    assert!(page.body.contains("open it to confirm"), "{}", page.body);
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Marta Horvat", "nothing erased yet");
    let mails = mail_to_marta().await;
    let link = mails[0].text.split_whitespace().find(|w| w.contains("/erase/")).unwrap_or_default().to_owned();
    let path =
        link.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned())).unwrap_or_default();
    assert!(path.starts_with(&format!("/u/{token}/erase/")), "{path}");
    assert_eq!(b.get(&format!("{path}0")).await.status, StatusCode::NOT_FOUND, "a forged link");
    let confirm = b.get(&path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("cannot be undone"), "{}", confirm.body);
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Marta Horvat", "opening the link erases nothing");
    let done = b.post(&path, &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("no longer holds"), "{}", done.body);
    let contacts = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts[0].fields.name, "Erased contact");
    assert_eq!(
        site.store.erased_addresses(&["marta@radio.example"]).await.unwrap_or_default(),
        vec!["marta@radio.example".to_owned()]
    );
    // The link is used up: the contact it named is gone.
    assert_eq!(b.post(&path, &[]).await.status, StatusCode::NOT_FOUND);
}

//! Privacy notices and consent over real HTTP: the team's notice page (publishing versions, refusals,
//! errors that keep what was typed), the public notice page and the registration form's link to it, a
//! contact's consent history on the partner page and through the API, and agreeing again to a new
//! version from the e-mail preferences page and from an organizer's event link.

use rally_domain::Role;
use rally_site::i18n::Lang;
use rally_store::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::site::{campaign, mailed_link, post, registration, visitor};
use crate::support::Site;

both_backends!(
    Site;
    the_team_publishes_notice_versions_and_the_site_shows_the_newest,
    a_contact_s_consent_history_and_agreeing_again_from_the_preferences_page,
    an_organizer_agrees_again_from_the_event_link,
    the_api_lists_and_publishes_notices_and_reads_a_contact_s_consents,
);

async fn the_team_publishes_notice_versions_and_the_site_shows_the_newest(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let ivo = site.user("ivo").await;
    let c = campaign(&site, ana, "sk", None).await;
    site.store.set_role(Actor::User(ana), c, mia, Role::Coordinator).await.unwrap_or_else(|e| panic!("{e}"));
    site.store.set_role(Actor::User(ana), c, ivo, Role::Member).await.unwrap_or_else(|e| panic!("{e}"));

    // Before any notice: the site shows Rally's built-in wording, and the form links to it.
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let visitor = visitor(&site);
    let public = visitor.get("/c/sk/privacy").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains(&hr.t("privacy-builtin")), "{}", public.body);
    let form = visitor.get("/c/sk/register").await;
    assert!(form.body.contains("href=\"/c/sk/privacy\" id=\"privacy-link\""), "{}", form.body);

    let coordinator = site.signed_in("mia").await;
    let page = coordinator.get("/campaigns/sk/privacy-notice").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No notice published yet") && page.body.contains("Publish version"));
    let plan = coordinator.get("/campaigns/sk/plan").await;
    assert!(plan.body.contains("href=\"/campaigns/sk/privacy-notice\""), "linked from the plan page");

    // A blank text is refused with everything typed kept.
    let blank = coordinator
        .submit("/campaigns/sk/privacy-notice", &[("language", "xx-yy-!"), ("body", "  "), ("needs_reconsent", "on")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", blank.body);
    assert!(blank.body.contains("value=\"xx-yy-!\"") && blank.body.contains("must not be empty"), "{}", blank.body);
    assert!(blank.body.contains("id=\"notice-reconsent\" checked"), "the box stays ticked");

    let text = "Mi smo <b>Sat kodiranja</b>.\n\nČuvamo vaše ime i adresu.";
    let published = coordinator.submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", text)]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    assert_eq!(published.location, "/campaigns/sk/privacy-notice?published=1");
    let public = visitor.get("/c/sk/privacy").await;
    assert!(public.body.contains("<p>Mi smo &#60;b&#62;Sat kodiranja&#60;/b&#62;.</p>"), "escaped: {}", public.body);
    let second = "Druga verzija.\n\nNove svrhe.";
    let again = coordinator
        .submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", second), ("needs_reconsent", "on")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let page = coordinator.get("/campaigns/sk/privacy-notice?published=1").await;
    assert!(page.body.contains("The new version is published"));
    assert!(page.body.contains("hr · version 2") && page.body.contains("<p>Nove svrhe.</p>"), "{}", page.body);
    assert!(page.body.contains("<td>hr-2</td>") && page.body.contains("<td>hr-1</td>"), "every version listed");
    assert!(page.body.contains("must agree again"));

    // The public page: the newest version, its text escaped, in paragraphs.
    let public = visitor.get("/c/sk/privacy").await;
    assert!(public.body.contains("<p>Druga verzija.</p><p>Nove svrhe.</p>"), "{}", public.body);
    // English visitors read the Croatian notice (the only one), under an English page.
    let en = visitor.get("/c/sk/privacy?lang=en").await;
    assert!(en.body.contains("<div lang=\"hr\" class=\"notice-text\">"), "{}", en.body);
    assert!(en.body.contains(&Lang::EN.t("privacy-notice-title")));

    // A member reads the page but has no form, and a forged post is refused.
    let member = site.signed_in("ivo").await;
    let page = member.get("/campaigns/sk/privacy-notice").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Publish version"));
    let refused = member.submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Treća.")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    site.user("zed").await;
    let zed = site.signed_in("zed").await;
    assert_eq!(zed.get("/campaigns/sk/privacy-notice").await.status, StatusCode::NOT_FOUND);
    let versions = site.store.privacy_notices(Actor::User(ana), c).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(versions.len(), 2, "the refused post changed nothing");
}

async fn a_contact_s_consent_history_and_agreeing_again_from_the_preferences_page(site: Site) {
    let ana = site.user("ana").await;
    let c = campaign(&site, ana, "sk", None).await;
    let p = site.partner(ana, c, "Radio Rijeka").await;
    let owner = site.signed_in("ana").await;
    owner.submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Prva.")]).await;
    let path = format!("/campaigns/sk/partners/{}/contacts", p.0);
    let added =
        owner.submit(&path, &[("name", "Lucija Horvat"), ("email", "lucija@radio.example"), ("language", "hr")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let contact = site.store.contacts(Actor::System, p).await.unwrap_or_else(|e| panic!("{e}")).remove(0);
    let page = owner.get(&format!("/campaigns/sk/partners/{}", p.0)).await;
    assert!(!page.body.contains("Consent history"), "consent not asked yet: no history");
    // The team records that she agreed, on the contact's edit form.
    let edit = [
        ("name", "Lucija Horvat"),
        ("email", "lucija@radio.example"),
        ("role", ""),
        ("language", "hr"),
        ("phone", ""),
        ("consent", "opted_in"),
        ("action", "save"),
    ];
    let saved = owner.submit(&format!("{path}/{}", contact.id.0), &edit).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = owner.get(&format!("/campaigns/sk/partners/{}", p.0)).await;
    let history = page.body.split_once("Consent history").map(|(_, rest)| rest).unwrap_or_default();
    for seen in ["Campaign e-mail", "Granted", "Set by the team (ana)", "<td>hr-1</td>", "lucija@radio.example"] {
        assert!(history.contains(seen), "{seen} in {history}");
    }

    // A new version everyone must agree to again: the preferences page asks, and agreeing is recorded
    // with where it came from.
    owner
        .submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Druga."), ("needs_reconsent", "on")])
        .await;
    let secret =
        site.store.link_secret(&rally_comms::unsubscribe::new_secret()).await.unwrap_or_else(|e| panic!("{e}"));
    let token = rally_comms::unsubscribe::token(&secret, contact.id);
    let anyone = site.browser();
    let prefs = anyone.get(&format!("/u/{token}")).await;
    assert!(prefs.body.contains("We updated our privacy notice") && prefs.body.contains("<p>Druga.</p>"));
    let agreed = anyone.post(&format!("/u/{token}"), &[("agree", "notice")]).await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
    assert!(agreed.body.contains("id=\"agreed\"") && !agreed.body.contains("We updated our privacy notice"));
    // One click from a mail program: recorded as a withdrawal, by one click.
    let click = anyone.post(&format!("/u/{token}"), &[("List-Unsubscribe", "One-Click")]).await;
    assert_eq!(click.status, StatusCode::OK);

    let page = owner.get(&format!("/campaigns/sk/partners/{}", p.0)).await;
    let history = page.body.split_once("Consent history").map(|(_, rest)| rest).unwrap_or_default();
    let rows: Vec<&str> = history.split("<tr>").skip(2).map(|r| r.split("</tr>").next().unwrap_or_default()).collect();
    assert_eq!(rows.len(), 3, "{history}");
    assert!(rows[0].contains("Withdrawn") && rows[0].contains("One-click unsubscribe (from 127.0.0.1)"), "{}", rows[0]);
    assert!(rows[1].contains("Privacy notice") && rows[1].contains("<td>hr-2</td>"), "{}", rows[1]);
    assert!(rows[1].contains("E-mail preferences page (from 127.0.0.1)"), "{}", rows[1]);
    assert!(rows[2].contains("Set by the team"), "{}", rows[2]);
}

async fn an_organizer_agrees_again_from_the_event_link(site: Site) {
    let ana = site.user("ana").await;
    let c = campaign(&site, ana, "sk", None).await;
    let owner = site.signed_in("ana").await;
    owner.submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Prva.")]).await;
    let b = visitor(&site);
    let mut form = registration("Ivana Kovač", "ivana@skola.example.org", "30");
    form.push(("news", "on".into()));
    let page = post(&b, "/c/sk/register", &form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, link) = mailed_link(&*site.store, "ivana@skola.example.org").await;
    // Editing the event (a form without the news box) keeps the news opt-in, and records nothing.
    let edited = post(&b, &format!("{link}/edit"), &registration("Ivana Kovač", "", "35")).await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    let (events, _) = site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((events[0].fields.students_expected, events[0].fields.news_opt_in), (35, true));
    let rows = site.store.event_consents(Actor::System, events[0].id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 2, "the registration's two consents only: {rows:?}");
    let (events, _) = site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events[0].consent_version, "hr-1", "the version the organizer agreed to");

    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let manage = b.get(&link).await;
    assert!(!manage.body.contains(&hr.t("reconsent-title")), "nothing to agree to yet");
    owner
        .submit("/campaigns/sk/privacy-notice", &[("language", "hr"), ("body", "Druga."), ("needs_reconsent", "on")])
        .await;
    let manage = b.get(&link).await;
    assert!(manage.body.contains(&hr.t("reconsent-title")) && manage.body.contains("<p>Druga.</p>"), "{}", manage.body);
    let agreed = b.post(&format!("{link}/privacy"), &[]).await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    assert!(agreed.location.ends_with("?done=agreed"), "{}", agreed.location);
    let manage = b.get(&agreed.location).await;
    assert!(manage.body.contains(&hr.t("reconsent-done")) && !manage.body.contains(&hr.t("reconsent-title")));
    let (events, _) = site.store.events(Actor::System, c, &Default::default()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events[0].consent_version, "hr-2");
    assert_eq!(b.post(&format!("{link}0/privacy"), &[]).await.status, StatusCode::NOT_FOUND, "a forged link");
}

async fn the_api_lists_and_publishes_notices_and_reads_a_contact_s_consents(site: Site) {
    let ana = site.user("ana").await;
    let ivo = site.user("ivo").await;
    let c = campaign(&site, ana, "sk", None).await;
    site.store.set_role(Actor::User(ana), c, ivo, Role::Viewer).await.unwrap_or_else(|e| panic!("{e}"));
    let token = |user| {
        let store = site.store.clone();
        async move {
            let (token, hash) = rally_web::auth::new_api_token();
            store.create_api_token(user, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
            token
        }
    };
    let (ana_token, ivo_token) = (token(ana).await, token(ivo).await);
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, token: String, body: Option<Value>| {
        let request = http.request(method, format!("{}{path}", site.base)).bearer_auth(token);
        async move {
            let request = match body {
                Some(b) => request.json(&b),
                None => request,
            };
            let resp = request.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let notices = format!("/api/v1/campaigns/{}/privacy-notices", c.0);
    let body = json!({ "language": "hr", "body": "Prva.", "needs_reconsent": false });
    let (status, made) = call(reqwest::Method::POST, notices.clone(), ana_token.clone(), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!((made["version"].as_i64(), made["language"].as_str()), (Some(1), Some("hr")));
    let (status, refused) = call(reqwest::Method::POST, notices.clone(), ivo_token.clone(), Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let bad = json!({ "language": "x", "body": "" });
    let (status, problem) = call(reqwest::Method::POST, notices.clone(), ana_token.clone(), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["language", "body"], "{problem}");
    let (status, list) = call(reqwest::Method::GET, notices, ivo_token.clone(), None).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));

    // A contact made through the API with consent: its history says so, naming the notice.
    let p = site.partner(ana, c, "Radio Rijeka").await;
    let contact = json!({ "name": "Lucija", "email": "lucija@radio.example", "language": "hr", "consent": "opted_in" });
    let path = format!("/api/v1/partners/{}/contacts", p.0);
    let (status, k) = call(reqwest::Method::POST, path, ana_token.clone(), Some(contact)).await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    let history = format!("/api/v1/contacts/{}/consents", k["id"].as_i64().unwrap_or_default());
    let (status, rows) = call(reqwest::Method::GET, history.clone(), ivo_token, None).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let row = &rows[0];
    assert_eq!(
        (row["purpose"].as_str(), row["granted"].as_bool(), row["method"].as_str(), row["notice"].as_str()),
        (Some("campaign_email"), Some(true), Some("api"), Some("hr-1")),
        "{rows}"
    );
    assert_eq!(row["user_name"].as_str(), Some("ana"));
    let zed = site.user("zed").await;
    let (status, _) = call(reqwest::Method::GET, history, token(zed).await, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

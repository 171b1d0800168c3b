//! Retention over real HTTP: owners change the campaign's periods on their page (a bad value is
//! refused naming the field, and nothing typed is lost), the rest of the team reads the register made
//! from the same rules, and the API says and changes the same.

use rally_domain::Role;
use rally_domain::retention::RetentionRule;
use rally_store::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::Site;

both_backends!(
    Site;
    owners_set_how_long_data_is_kept_and_the_register_follows,
    the_api_reads_and_sets_retention_for_owners_only,
);

async fn owners_set_how_long_data_is_kept_and_the_register_follows(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    site.user("zed").await;
    let c = site.campaign(ana, &[(mia, Role::Coordinator)]).await;

    let owner = site.signed_in("ana").await;
    let page = owner.get("/campaigns/hr/retention").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for seen in ["Unconfirmed registrations", "Default: 14 days", "Contacts of lost partners", "Default: 3 years"] {
        assert!(page.body.contains(seen), "{seen} in {}", page.body);
    }
    assert!(owner.get("/campaigns/hr/team").await.body.contains("href=\"/campaigns/hr/retention\""));

    // Out of bounds and not a number: both named by their label, what was typed kept, nothing saved.
    let bad = owner
        .submit(
            "/campaigns/hr/retention",
            &[("unconfirmed_registrations", "0"), ("archived_campaign", "many"), ("outbox_bodies", "45")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("Unconfirmed registrations: must be a whole number between 1 and 90 days"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("Archived campaign: "), "{}", bad.body);
    assert!(bad.body.contains("value=\"many\"") && bad.body.contains("value=\"45\""), "nothing typed is lost");
    let unchanged = site.store.retention_periods(Actor::System, c).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(unchanged.0.is_empty());

    let saved =
        owner.submit("/campaigns/hr/retention", &[("unconfirmed_registrations", "21"), ("outbox_bodies", "")]).await;
    assert_eq!((saved.status, saved.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/retention?saved=1"));
    let saved = owner.get(&saved.location).await;
    assert!(saved.body.contains("The periods are saved"), "{}", saved.body);
    assert!(saved.body.contains("value=\"21\""));
    let periods = site.store.retention_periods(Actor::System, c).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(periods.period(RetentionRule::UnconfirmedRegistrations), 21);
    assert_eq!(periods.period(RetentionRule::OutboxBodies), 30, "blank is the default");

    // The register says the new period, to the coordinator too, who may not change it.
    let coordinator = site.signed_in("mia").await;
    let register = coordinator.get("/campaigns/hr/register").await;
    assert_eq!(register.status, StatusCode::OK, "{}", register.body);
    for seen in ["Event organizers", "Partner contacts", "Team members", "E-mails", "Consent records", "Audit log"] {
        assert!(register.body.contains(seen), "{seen} in {}", register.body);
    }
    assert!(register.body.contains("Unconfirmed registrations: 21 days after the registration"), "{}", register.body);
    assert!(!register.body.contains("/retention\">change them"), "no link for a coordinator");
    assert_eq!(coordinator.get("/campaigns/hr/retention").await.status, StatusCode::FORBIDDEN);
    let refused = coordinator.submit("/campaigns/hr/retention", &[("unconfirmed_registrations", "5")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let outsider = site.signed_in("zed").await;
    assert_eq!(outsider.get("/campaigns/hr/retention").await.status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get("/campaigns/hr/register").await.status, StatusCode::NOT_FOUND);
}

async fn the_api_reads_and_sets_retention_for_owners_only(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Coordinator)]).await;
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
    let call = |method: reqwest::Method, path: String, token: String, body: Option<Value>| {
        let mut req = http.request(method, format!("{}{path}", site.base)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let resp = req.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
        }
    };
    let path = format!("/api/v1/campaigns/{}/retention", c.0);

    let (status, view) = call(reqwest::Method::GET, path.clone(), mia_token.clone(), None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let rules = view["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), RetentionRule::ALL.len());
    assert_eq!(rules[0]["rule"], "unconfirmed_registrations");
    assert_eq!((rules[0]["period"].as_u64(), rules[0]["unit"].as_str()), (Some(14), Some("days")));

    let wanted = json!({ "lost_partner_contacts": 4 });
    let (status, _) = call(reqwest::Method::PUT, path.clone(), mia_token, Some(wanted.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) =
        call(reqwest::Method::PUT, path.clone(), ana_token.clone(), Some(json!({ "audit_log": 5 }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("audit_log"), "{problem}");
    let (status, problem) =
        call(reqwest::Method::PUT, path.clone(), ana_token.clone(), Some(json!({ "keep_forever": 5 }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, view) = call(reqwest::Method::PUT, path.clone(), ana_token.clone(), Some(wanted)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let lost = view["rules"].as_array().and_then(|r| r.iter().find(|r| r["rule"] == "lost_partner_contacts").cloned());
    assert_eq!(lost.map(|r| r["period"].clone()), Some(json!(4)));

    let (status, register) =
        call(reqwest::Method::GET, format!("/api/v1/campaigns/{}/register", c.0), ana_token, None).await;
    assert_eq!(status, StatusCode::OK, "{register}");
    let partners = &register[1];
    assert_eq!(partners["data"], "Partner contacts");
    assert!(partners["kept"][0].as_str().unwrap_or_default().contains("4 years"), "{partners}");
}

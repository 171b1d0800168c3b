//! The documented contract of the JSON API: what a resource answers and in which shape, the OpenAPI
//! document and health check, and the security headers every answer carries.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, campaign_body, test_files};

both_backends!(
    Server;
    the_contract_works_as_documented,
    openapi_and_health,
);

async fn the_contract_works_as_documented(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let created = s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("hr-2026"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["role"], "owner");
    assert!(
        ["planning", "promotion", "campaign_week", "follow_up", "closed"]
            .contains(&created.body["phase"].as_str().unwrap_or_default())
    );
    let cid = created.body["id"].as_i64().unwrap_or_default();
    assert!(cid > 0);

    let p = s
        .call(
            "POST",
            &format!("/api/v1/campaigns/{cid}/partners"),
            t,
            Some(json!({"name": "HRT Radio", "category": "media", "reach": 1_200_000})),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert_eq!(p.body["tier"], "high");
    assert_eq!(p.body["stage"], "lead");
    let pid = p.body["id"].as_i64().unwrap_or_default();
    // Answers carrying a campaign's data are kept by no cache, and no browser sniffs their type; so
    // are problems. Plain HTTP (a loopback address) gets no HSTS.
    let missing = s.call("GET", "/api/v1/partners/999999", t, None).await;
    for r in [&p, &missing] {
        assert_eq!(r.header("cache-control"), "no-store", "{}", r.status);
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{}", r.status);
        assert_eq!(r.header("strict-transport-security"), "", "{}", r.status);
    }
    for (name, category, reach) in
        [("Infobip", "it_company", 20_000), ("Grad Zagreb", "authority", 8_000), ("CoderDojo Zagreb", "nonprofit", 300)]
    {
        let r = s
            .call(
                "POST",
                "/api/v1/campaigns/hr-2026/partners",
                t,
                Some(json!({"name": name, "category": category, "reach": reach})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let moved = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/stage"),
            t,
            Some(json!({"stage": "contacted", "note": "call Tuesday"})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["partner"]["stage"], "contacted");
    let lost = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/stage"),
            t,
            Some(json!({"stage": "closed_lost", "reason": "no airtime"})),
        )
        .await;
    assert_eq!(lost.status, StatusCode::OK);
    let history = s.call("GET", &format!("/api/v1/partners/{pid}/history"), t, None).await;
    let stages: Vec<&str> =
        history.body.as_array().map(|a| a.iter().filter_map(|h| h["to"].as_str()).collect()).unwrap_or_default();
    assert_eq!(stages, ["lead", "contacted", "closed_lost"]);
    assert_eq!(history.body[2]["reason"], "no airtime");
    assert_eq!(history.body[1]["note"], "call Tuesday");
    assert_eq!(history.body[1]["actor_name"], "ana");

    let list =
        s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?category=authority&tier=low&q=zag"), t, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.body["items"][0]["name"], "Grad Zagreb");
    let page1 = s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?limit=3"), t, None).await;
    let after = page1.body["next_after"].as_i64().unwrap_or_default();
    let page2 = s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?limit=3&after={after}"), t, None).await;
    assert_eq!(page2.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page2.body["next_after"], Value::Null);
    let by_reach = s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?sort=reach&limit=2"), t, None).await;
    assert_eq!(by_reach.body["items"][0]["name"], "HRT Radio");
    assert_eq!(by_reach.body["items"][1]["name"], "Infobip");
    let after = by_reach.body["next_after"].as_i64().unwrap_or_default();
    let rest =
        s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?sort=reach&limit=2&after={after}"), t, None).await;
    assert_eq!(rest.body["items"][0]["name"], "Grad Zagreb");
    let lost_list = s.call("GET", &format!("/api/v1/campaigns/{cid}/partners?stage=closed_lost"), t, None).await;
    assert_eq!(lost_list.body["items"][0]["lost_reason"], "no airtime");

    let contact = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/contacts"),
            t,
            Some(json!({"name": "Ивана Петровић", "email": "Ivana@HRT.hr", "language": "sr-cyrl"})),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    assert_eq!(contact.body["email"], "ivana@hrt.hr");
    assert_eq!(contact.body["language"], "sr-Cyrl");
    let kid = contact.body["id"].as_i64().unwrap_or_default();
    let patched = s
        .call("PATCH", &format!("/api/v1/contacts/{kid}"), t, Some(json!({"role": "Editor", "consent": "opted_in"})))
        .await;
    assert_eq!(patched.body["role"], "Editor");
    assert_eq!(patched.body["name"], "Ивана Петровић");
    assert_eq!(
        s.call("GET", &format!("/api/v1/partners/{pid}/contacts"), t, None).await.body.as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(s.call("DELETE", &format!("/api/v1/contacts/{kid}"), t, None).await.status, StatusCode::NO_CONTENT);

    let updated = s
        .call(
            "PATCH",
            &format!("/api/v1/partners/{pid}"),
            t,
            Some(json!({"reach": 500, "tags": ["Radio", "national"]})),
        )
        .await;
    assert_eq!(updated.body["tier"], "low");
    assert_eq!(updated.body["tags"], json!(["radio", "national"]));
    let campaign =
        s.call("PATCH", "/api/v1/campaigns/hr-2026", t, Some(json!({"plan": {"why_coding": "Creativity."}}))).await;
    assert_eq!(campaign.status, StatusCode::OK);
    assert_eq!(campaign.body["plan"]["why_coding"], "Creativity.");
    let got = s.call("GET", &format!("/api/v1/campaigns/{cid}"), t, None).await;
    assert_eq!(got.body["role"], "owner");
    assert_eq!(got.body["message"]["hr"], "Svatko može programirati.");
    let me = s.call("GET", "/api/v1/me", t, None).await;
    assert_eq!(me.body["email"], "ana@example.org");
    assert_eq!(s.call("DELETE", &format!("/api/v1/partners/{pid}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{pid}"), t, None).await.status, StatusCode::NOT_FOUND);
    // In another campaign: the same organization again, spelled otherwise, is refused by name unless
    // another one is meant.
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("dupes"))).await;
    let first = json!({"name": "Infobip", "category": "it_company"});
    assert_eq!(s.call("POST", "/api/v1/campaigns/dupes/partners", t, Some(first)).await.status, StatusCode::CREATED);
    let again = json!({"name": "INFOBIP d.o.o.", "category": "it_company"});
    let r = s.call("POST", "/api/v1/campaigns/dupes/partners", t, Some(again.clone())).await;
    assert_eq!((r.status, r.field()), (StatusCode::CONFLICT, "name"), "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("“Infobip”")), "names the existing one: {}", r.body);
    let mut anyway = again;
    anyway["allow_duplicate"] = json!(true);
    let r = s.call("POST", "/api/v1/campaigns/dupes/partners", t, Some(anyway)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let typo = json!({"name": "X", "category": "media", "allow_dupliate": true});
    let r = s.call("POST", "/api/v1/campaigns/dupes/partners", t, Some(typo)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are still refused: {}", r.body);
    // Search folds case and accents, and every word is a prefix.
    s.call(
        "POST",
        "/api/v1/campaigns/dupes/partners",
        t,
        Some(json!({"name": "Osnovna škola Đakovo", "category": "school_network"})),
    )
    .await;
    for q in ["skola", "osnovna%20skola", "OSN%20SKOL", "dakovo", "škola"] {
        let found = s.call("GET", &format!("/api/v1/campaigns/dupes/partners?q={q}"), t, None).await;
        let names: Vec<&str> =
            found.body["items"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(names, ["Osnovna škola Đakovo"], "{q}");
    }
}

/// Served over HTTPS behind a proxy, every answer tells browsers to come back over HTTPS only.
#[tokio::test]
async fn https_answers_carry_strict_transport_security() {
    let db = rally_store::testing::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let public = rally_web::PublicUrl::parse("https://rally.example.org").unwrap_or_else(|e| panic!("{e}"));
    let state = rally_web::AppState::new(db.store.clone(), test_files(), public);
    tokio::spawn(rally_web::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for path in ["/healthz", "/login", "/api/v1/campaigns", "/api/v1/public/campaigns/none/stats", "/no-such-page"] {
        let r = http.get(format!("http://{addr}{path}")).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let hsts = r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(hsts, "max-age=31536000", "{path}");
        let nosniff = r.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(nosniff, "nosniff", "{path}");
    }
}

async fn openapi_and_health(s: Server) {
    let health = s.call("GET", "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["database"], s.store.backend());
    let doc = s.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc.body["openapi"]);
    for path in [
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign}",
        "/api/v1/campaigns/{campaign}/partners",
        "/api/v1/campaigns/{campaign}/team",
        "/api/v1/campaigns/{campaign}/team/{user}",
        "/api/v1/partners/{id}",
        "/api/v1/partners/{id}/stage",
        "/api/v1/partners/{id}/history",
        "/api/v1/partners/{id}/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/campaigns/{campaign}/asks",
        "/api/v1/campaigns/{campaign}/asks/apply",
        "/api/v1/partners/{id}/commitments",
        "/api/v1/campaigns/{campaign}/assets",
        "/api/v1/link/{token}",
        "/api/v1/link/{token}/commitments/{id}",
        "/api/v1/campaigns/{campaign}/recognition",
        "/api/v1/me/calendar",
        "/api/v1/campaigns/{campaign}/mail-settings",
        "/api/v1/campaigns/{campaign}/messages",
        "/api/v1/messages/{id}",
        "/api/v1/messages/{id}/preview",
        "/api/v1/messages/{id}/queue",
        "/api/v1/campaigns/{campaign}/mail-plan",
        "/api/v1/campaigns/{campaign}/plan",
        "/api/v1/template-variables",
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    let old_plan = &doc.body["paths"]["/api/v1/campaigns/{campaign}/plan"]["get"];
    assert_eq!(old_plan["deprecated"], true, "the e-mail calendar's old path is marked deprecated");
    let schemas = &doc.body["components"]["schemas"];
    // Defaults and examples read as the API writes them: from the same serializer.
    let policy = serde_json::to_value(rally_domain::cadence::CadencePolicy::default()).unwrap_or_default();
    let properties = schemas["CadencePolicy"]["properties"].as_object().cloned().unwrap_or_default();
    assert!(!properties.is_empty());
    for (name, property) in &properties {
        assert_eq!(property["default"], policy[name], "CadencePolicy.{name}");
    }
    assert_eq!(properties["quiet_weekdays"]["example"], json!(["sun"]));
    for (schema, value) in [
        ("Segment", serde_json::to_value(rally_domain::comms::Segment::default()).unwrap_or_default()),
        ("ActionPlan", serde_json::to_value(rally_domain::ActionPlan::default()).unwrap_or_default()),
    ] {
        for (name, property) in schemas[schema]["properties"].as_object().into_iter().flatten() {
            assert_eq!(property["default"], value[name], "{schema}.{name}");
        }
    }
    for schema in [
        "Partner",
        "PartnerDraft",
        "Campaign",
        "Stage",
        "Category",
        "Problem",
        "StageChange",
        "MessageBody",
        "MailSettings",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    assert_eq!(doc.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // The partner's side and the recognition wall need no token; uploads are multipart forms.
    assert_eq!(doc.body["paths"]["/api/v1/link/{token}"]["get"]["security"], json!([{}]));
    assert_eq!(doc.body["paths"]["/api/v1/campaigns/{campaign}/recognition"]["get"]["security"], json!([{}]));
    let upload = &doc.body["paths"]["/api/v1/campaigns/{campaign}/assets"]["post"]["requestBody"]["content"];
    assert!(upload["multipart/form-data"].is_object(), "{upload}");
    // Every operation documents the answers the edge gives before its handler runs, each as a problem
    // document: 401 unless it is public, 400/413/415/422 when it takes a body, 404 for ids in its path.
    let mut operations = 0;
    for (path, item) in doc.body["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            operations += 1;
            let responses = &op["responses"];
            let has = |status: &str| responses[status].is_object();
            let public = op["security"] == json!([{}]);
            assert!(public || has("401"), "{method} {path}: 401");
            assert!(has("503"), "{method} {path}: 503");
            if op["requestBody"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(has(status), "{method} {path}: {status}");
                }
            }
            if path.contains('{') {
                assert!(has("404"), "{method} {path}: 404");
            }
            for (status, response) in responses.as_object().into_iter().flatten() {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().map(|c| c.keys().cloned().collect::<Vec<_>>());
                    assert_eq!(content, Some(vec!["application/problem+json".to_owned()]), "{method} {path} {status}");
                }
            }
        }
    }
    assert!(operations > 80, "{operations}");
}

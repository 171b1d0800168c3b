//! The JSON API over real HTTP on loopback, on SQLite and on PostgreSQL.

use std::sync::Arc;

use rally_domain::{Email, Role};
use rally_store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    Server;
    the_contract_works_as_documented,
    bad_input_is_named_and_changes_nothing,
    tokens_and_roles_are_enforced,
    openapi_and_health
);

struct Server {
    base: String,
    http: reqwest::Client,
    store: Arc<dyn Store>,
}

/// A request's status and JSON body (or `Value::Null` for an empty body).
struct Reply {
    status: StatusCode,
    content_type: String,
    body: Value,
}

impl Reply {
    /// The `field` of the first error of a problem document.
    fn field(&self) -> &str {
        self.body["errors"][0]["field"].as_str().unwrap_or_default()
    }
}

impl Server {
    async fn start(store: Arc<dyn Store>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let state = rally_web::AppState::new(store.clone(), super::test_files());
        tokio::spawn(rally_web::serve(listener, state, std::future::pending()));
        Server { base: format!("http://{addr}"), http: reqwest::Client::new(), store }
    }

    /// A user with an API token.
    async fn user(&self, name: &str) -> (rally_domain::UserId, String) {
        let email = Email::parse(&format!("{name}@example.org")).unwrap_or_else(|e| panic!("{e}"));
        let user = self.store.create_user(&email, name, None).await.unwrap_or_else(|e| panic!("{e}"));
        let (token, hash) = rally_web::auth::new_api_token();
        self.store.create_api_token(user.id, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
        (user.id, token)
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::reply(resp).await
    }

    async fn raw(&self, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::reply(resp).await
    }

    async fn reply(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, content_type, body }
    }
}

fn campaign_body(slug: &str) -> Value {
    json!({
        "name": "Sat kodiranja",
        "slug": slug,
        "goal_students": 50000,
        "target_audience": "primary school students",
        "languages": ["hr", "en"],
        "message": {"hr": "Svatko može programirati.", "en": "Anyone can code."},
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-13"
    })
}

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
}

async fn bad_input_is_named_and_changes_nothing(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid =
        s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("hr"))).await.body["id"].as_i64().unwrap_or_default();
    let partners = format!("/api/v1/campaigns/{cid}/partners");
    let pid = s
        .call("POST", &partners, t, Some(json!({"name": "CARNET", "category": "school_network", "reach": 100})))
        .await
        .body["id"]
        .as_i64()
        .unwrap_or_default();
    let before = s.call("GET", &format!("/api/v1/partners/{pid}"), t, None).await.body;

    // (method, path, body, status, field)
    let cases: Vec<(&str, String, Value, StatusCode, &str)> = vec![
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "bank"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "category",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": -1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": "many"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "raech": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "raech",
        ),
        ("POST", partners.clone(), json!({"category": "media"}), StatusCode::UNPROCESSABLE_ENTITY, "name"),
        (
            "POST",
            partners.clone(),
            json!({"name": "Nul\u{0}byte", "category": "media"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "website": "https://x.hr/\u{0}"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "website",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": 1e30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "audiences": "teachers"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audiences",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "audiences": ["aliens"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audiences[0]",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "won"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stage",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "closed_lost"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "lead"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stage",
        ),
        (
            "PATCH",
            format!("/api/v1/partners/{pid}"),
            json!({"reach": -5, "name": "Renamed"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "PATCH",
            format!("/api/v1/partners/{pid}"),
            json!({"owner_id": 999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "owner_id",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/contacts"),
            json!({"name": "A", "email": "not-an-email"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        ("POST", "/api/v1/campaigns".into(), campaign_body("hr"), StatusCode::CONFLICT, "slug"),
        (
            "POST",
            "/api/v1/campaigns".into(),
            json!({"name": "X", "slug": "Bad Slug!", "goal_students": 10, "starts_on": "2026-12-07", "ends_on": "2026-12-13", "languages": ["en"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "slug",
        ),
        (
            "POST",
            "/api/v1/campaigns".into(),
            json!({"name": "X", "slug": "ok-slug", "goal_students": 10, "starts_on": "7 Dec", "ends_on": "2026-12-13"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "starts_on",
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "nobody@example.org", "role": "member"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "ana@example.org", "role": "boss"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "role",
        ),
    ];
    for (method, path, body, status, field) in cases {
        let r = s.call(method, &path, t, Some(body.clone())).await;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.body);
        assert_eq!(r.content_type, "application/problem+json", "{method} {path}");
        assert_eq!(r.field(), field, "{method} {path} {body}: {}", r.body);
        assert_eq!(r.body["status"], status.as_u16(), "{}", r.body);
    }
    let k = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/contacts"),
            t,
            Some(json!({"name": "A", "email": "a@carnet.hr"})),
        )
        .await;
    assert_eq!(k.status, StatusCode::CREATED);
    let dup = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/contacts"),
            t,
            Some(json!({"name": "B", "email": "A@carnet.hr"})),
        )
        .await;
    assert_eq!((dup.status, dup.field()), (StatusCode::CONFLICT, "email"));

    // Query parameters are checked the same way.
    for (query, field) in [
        ("stage=won", "stage"),
        ("category=bank", "category"),
        ("tier=mid", "tier"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("after=x", "after"),
        ("colour=red", "query"),
    ] {
        let r = s.call("GET", &format!("{partners}?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }
    // Bodies that are not JSON, too large, or of the wrong type.
    let r = s.raw(&partners, &token, "application/json", b"{\"name\": ".to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "body"));
    let r = s.raw(&partners, &token, "text/plain", b"name=x".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"name\": \"X\", \"category\": \"media\", \"notes\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = s.raw(&partners, &token, "application/json", huge.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = s.raw(&partners, &token, "application/json", b"[1, 2]".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Ids that cannot exist, and routes that do not.
    assert_eq!(s.call("GET", "/api/v1/partners/abc", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/partners/99999999", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/nothing-here", t, None).await.content_type, "application/problem+json");
    assert_eq!(s.call("PUT", "/api/v1/campaigns", t, Some(json!({}))).await.status, StatusCode::METHOD_NOT_ALLOWED);

    // None of it changed the partner.
    let after = s.call("GET", &format!("/api/v1/partners/{pid}"), t, None).await.body;
    assert_eq!(after, before);
    let history = s.call("GET", &format!("/api/v1/partners/{pid}/history"), t, None).await.body;
    assert_eq!(history.as_array().map(Vec::len), Some(1));
    let all = s.call("GET", &partners, t, None).await.body;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

async fn tokens_and_roles_are_enforced(s: Server) {
    let (_, owner) = s.user("owner").await;
    let mut tokens = Vec::new();
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("roles"))).await.body["id"]
        .as_i64()
        .unwrap_or_default();
    for (name, role) in [("coord", "coordinator"), ("member", "member"), ("viewer", "viewer")] {
        let (id, token) = s.user(name).await;
        let r = s
            .call("PUT", &format!("/api/v1/campaigns/{cid}/team/{id}"), Some(&owner), Some(json!({"role": role})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        tokens.push(token);
    }
    let (_, outsider) = s.user("outsider").await;
    let [coord, member, viewer] = [&tokens[0], &tokens[1], &tokens[2]];
    let partners = format!("/api/v1/campaigns/{cid}/partners");
    let owned_by_coord =
        s.call("POST", &partners, Some(coord), Some(json!({"name": "Coord's", "category": "media"}))).await.body["id"]
            .as_i64()
            .unwrap_or_default();

    // Missing, malformed and unknown tokens: 401 with a challenge.
    for header in [None, Some("not-a-token"), Some("rally_0000")] {
        let mut req = s.http.get(format!("{}/api/v1/campaigns", s.base));
        if let Some(h) = header {
            req = req.header("authorization", if h == "not-a-token" { h.to_owned() } else { format!("Bearer {h}") });
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
    }

    // (who, method, path, body, expected)
    let stage = format!("/api/v1/partners/{owned_by_coord}/stage");
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", viewer, "GET", partners.clone(), Value::Null, StatusCode::OK),
        ("viewer", viewer, "POST", partners.clone(), json!({"name": "V", "category": "media"}), StatusCode::FORBIDDEN),
        ("viewer", viewer, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::FORBIDDEN),
        (
            "viewer",
            viewer,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 1}),
            StatusCode::FORBIDDEN,
        ),
        ("member", member, "POST", partners.clone(), json!({"name": "Mine", "category": "media"}), StatusCode::CREATED),
        ("member", member, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::FORBIDDEN),
        (
            "member",
            member,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 1}),
            StatusCode::FORBIDDEN,
        ),
        ("member", member, "DELETE", format!("/api/v1/partners/{owned_by_coord}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "coordinator",
            coord,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 60000}),
            StatusCode::OK,
        ),
        ("coordinator", coord, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::OK),
        (
            "coordinator",
            coord,
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "outsider@example.org", "role": "viewer"}),
            StatusCode::FORBIDDEN,
        ),
        ("coordinator", coord, "DELETE", format!("/api/v1/campaigns/{cid}"), Value::Null, StatusCode::FORBIDDEN),
        ("outsider", &outsider, "GET", partners.clone(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{owned_by_coord}"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "POST", stage.clone(), json!({"stage": "negotiate_ask"}), StatusCode::NOT_FOUND),
        (
            "owner",
            &owner,
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "outsider@example.org", "role": "viewer"}),
            StatusCode::OK,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
    }
    // The member's own partner is theirs to move; the outsider, now a viewer, reads.
    let mine = s.call("GET", &format!("{partners}?q=mine"), Some(member), None).await.body["items"][0]["id"]
        .as_i64()
        .unwrap_or_default();
    assert_eq!(
        s.call("POST", &format!("/api/v1/partners/{mine}/stage"), Some(member), Some(json!({"stage": "contacted"})))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(s.call("GET", &partners, Some(&outsider), None).await.status, StatusCode::OK);
    let team = s.call("GET", &format!("/api/v1/campaigns/{cid}/team"), Some(viewer), None).await;
    assert_eq!(team.body.as_array().map(Vec::len), Some(5));
    let roles: Vec<Role> = serde_json::from_value(
        team.body.as_array().map(|a| a.iter().map(|m| m["role"].clone()).collect()).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert!(roles.contains(&Role::Owner) && roles.contains(&Role::Viewer));
    // The owner takes someone off the team; the last owner cannot leave.
    let owner_id = s.call("GET", "/api/v1/me", Some(&owner), None).await.body["id"].as_i64().unwrap_or_default();
    let r = s.call("DELETE", &format!("/api/v1/campaigns/{cid}/team/{owner_id}"), Some(&owner), None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "user_id"));
    let viewer_id = s
        .store
        .user_by_email(&Email::parse("viewer@example.org").unwrap_or_else(|e| panic!("{e}")))
        .await
        .ok()
        .flatten()
        .map(|u| u.id.0)
        .unwrap_or_default();
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/campaigns/{cid}/team/{viewer_id}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.call("GET", &partners, Some(viewer), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/campaigns/{cid}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
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
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    let schemas = &doc.body["components"]["schemas"];
    for schema in ["Partner", "PartnerDraft", "Campaign", "Stage", "Category", "Problem", "StageChange"] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    assert_eq!(doc.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

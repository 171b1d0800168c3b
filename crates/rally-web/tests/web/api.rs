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
    every_list_is_bounded_before_it_is_read,
    tokens_and_roles_are_enforced,
    openapi_and_health,
    the_partner_workflow_runs_through_the_api,
    uploads_are_checked_by_content,
    partner_links_are_secret,
    workflow_rights_follow_roles,
    the_recognition_wall_is_public,
    messages_are_written_previewed_planned_and_queued,
    comms_rights_follow_roles
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
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
    body: Value,
}

impl Reply {
    /// The `field` of the first error of a problem document.
    fn field(&self) -> &str {
        self.body["errors"][0]["field"].as_str().unwrap_or_default()
    }

    /// The `id` of the JSON body.
    fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("no id in {} {}", self.status, self.body))
    }

    /// A response header, or "".
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The length of the JSON array body.
    fn len(&self) -> usize {
        self.body.as_array().map_or_else(|| panic!("not an array: {} {}", self.status, self.body), Vec::len)
    }

    /// The length of an array field of the JSON body.
    fn len_of(&self, field: &str) -> usize {
        self.body[field].as_array().map_or_else(|| panic!("no array {field}: {} {}", self.status, self.body), Vec::len)
    }
}

impl Server {
    async fn start(store: Arc<dyn Store>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let state =
            rally_web::AppState::new(store.clone(), super::test_files(), rally_web::PublicUrl::for_listener(addr));
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
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_default().to_vec();
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, content_type, headers, bytes, body }
    }

    /// Sends a `multipart/form-data` body of text fields and at most one file `(field, filename, bytes)`.
    async fn upload(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
        file: Option<FilePart<'_>>,
    ) -> Reply {
        let (content_type, body) = multipart(fields, file);
        self.send(method, path, token, &content_type, body).await
    }

    /// Sends any body.
    async fn send(&self, method: &str, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.body(body).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::reply(resp).await
    }

    /// Creates a partner in a campaign and returns its id.
    async fn partner(&self, token: &str, campaign: &str, body: Value) -> i64 {
        let r = self.call("POST", &format!("/api/v1/campaigns/{campaign}/partners"), Some(token), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.id()
    }

    /// Puts a user on a campaign's team.
    async fn join(&self, owner: &str, campaign: i64, user: rally_domain::UserId, role: &str) {
        let path = format!("/api/v1/campaigns/{campaign}/team/{user}");
        let r = self.call("PUT", &path, Some(owner), Some(json!({"role": role}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// The text fields of a form.
type Fields<'a> = Vec<(&'a str, &'a str)>;

/// A file in a form: the field, the file name, the bytes.
type FilePart<'a> = (&'a str, &'a str, &'a [u8]);

/// A real 1×1 PNG, as an encoder wrote it.
const PNG_1X1: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba,
    0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A complete, minimal PDF.
const PDF: &[u8] =
    b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The start of a Windows program: an MZ header pointing at a PE header.
fn windows_program() -> Vec<u8> {
    let mut out = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    out.resize(0x3C, 0);
    out.extend_from_slice(&0x40u32.to_le_bytes());
    out.extend_from_slice(b"PE\0\0\x4c\x01");
    out.resize(512, 0);
    out
}

/// A `multipart/form-data` body and its content type.
fn multipart(fields: &[(&str, &str)], file: Option<FilePart<'_>>) -> (String, Vec<u8>) {
    let boundary = "rally-test-boundary-5f0c2a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The day `days` from today, as `YYYY-MM-DD`.
fn day(days: u64) -> String {
    let today = chrono::Utc::now().date_naive();
    today.checked_add_days(chrono::Days::new(days)).unwrap_or(today).to_string()
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
    // An array is not an object with its fields in order; nothing may follow the object; JSON is UTF-8.
    let r = s.raw(&partners, &token, "application/json", br#"["Array Ltd", "media"]"#.to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    let r =
        s.raw(&partners, &token, "application/json", br#"{"name": "Trailing", "category": "media"} xx"#.to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "body"), "{}", r.body);
    let utf16 = br#"{"name": "Utf16", "category": "media"}"#.to_vec();
    let r = s.raw(&partners, &token, "application/json; charset=utf-16", utf16.clone()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let hold = format!("/api/v1/partners/{pid}/do-not-contact");
    let r = s.send("PUT", &hold, t, "application/json", b"[null]".to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    // Nor at any depth: a nested object sent as an array of its fields is refused, naming it.
    let settings = format!("/api/v1/campaigns/{cid}/mail-settings");
    let nested = json!({"from_name": "Team", "from_address": "team@carnet.hr", "policy": [2, 7, 48]});
    let r = s.call("PUT", &settings, t, Some(nested)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "policy"), "{}", r.body);
    // A query value sent empty is not sent (as a form sends a blank field); a sort names its order.
    for query in ["stage=", "owner=", "limit=", "sort=", "high_touch=", "sort=name"] {
        let r = s.call("GET", &format!("{partners}?{query}"), t, None).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    }
    let r = s
        .raw(&partners, &token, "application/json; charset=UTF-8", br#"{"name": "Fine", "category": "media"}"#.to_vec())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "a UTF-8 charset is fine: {}", r.body);
    s.call("DELETE", &format!("/api/v1/partners/{}", r.id()), t, None).await;
    let names: Vec<String> = s.call("GET", &partners, t, None).await.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["CARNET"], "none of the refused bodies made a partner");
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

/// Every list and map a body carries stops at its documented maximum while it is read: a body with a
/// list of 100,000 items is refused naming the list, before any per-item work and before the store
/// is asked whether the caller may touch the campaign at all (an outsider, a campaign that does not
/// exist). A list at its maximum is still read.
async fn every_list_is_bounded_before_it_is_read(s: Server) {
    let (_, token) = s.user("ana").await;
    let (_, outsider) = s.user("out").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&token), Some(campaign_body("big"))).await.id();
    let pid = s
        .call(
            "POST",
            &format!("/api/v1/campaigns/{cid}/partners"),
            Some(&token),
            Some(json!({"name": "Radio", "category": "media"})),
        )
        .await
        .id();
    let many = |item: Value| Value::Array(vec![item; 100_000]);
    let languages: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("x{:02}", i), json!("Anyone can code."))).collect();
    let segment_of = |field: &str, item: Value| json!({ field: many(item) });
    let c = format!("/api/v1/campaigns/{cid}");
    // (method, path, body, the field named)
    let cases: Vec<(&str, String, String, &str)> = vec![
        ("POST", "/api/v1/campaigns".into(), json!({"languages": many(json!("hr"))}).to_string(), "languages"),
        ("PATCH", c.clone(), json!({"languages": many(json!("hr"))}).to_string(), "languages"),
        ("PATCH", c.clone(), json!({ "message": languages }).to_string(), "message"),
        (
            "POST",
            "/api/v1/campaigns/999999/partners".into(),
            json!({"name": "X", "category": "media", "tags": many(json!("a"))}).to_string(),
            "tags",
        ),
        (
            "POST",
            format!("{c}/partners"),
            json!({"name": "X", "category": "media", "audiences": many(json!("parents"))}).to_string(),
            "audiences",
        ),
        ("PATCH", format!("/api/v1/partners/{pid}"), json!({"tags": many(json!("a"))}).to_string(), "tags"),
        (
            "POST",
            format!("{c}/asks"),
            json!({"title": "X", "categories": many(json!("media"))}).to_string(),
            "categories",
        ),
        ("POST", format!("{c}/asks"), json!({"title": "X", "tiers": many(json!("high"))}).to_string(), "tiers"),
        ("POST", format!("{c}/asks/apply"), json!({"asks": many(json!(1)), "segment": {}}).to_string(), "asks"),
        ("POST", format!("/api/v1/partners/{pid}/sends"), json!({"assets": many(json!(1))}).to_string(), "assets"),
        ("POST", format!("{c}/messages"), json!({"templates": many(json!({}))}).to_string(), "templates"),
        (
            "POST",
            format!("{c}/messages"),
            json!({"segment": segment_of("owners", json!(1))}).to_string(),
            "segment.owners",
        ),
        (
            "POST",
            format!("{c}/messages"),
            json!({"segment": segment_of("stages", json!("lead"))}).to_string(),
            "segment.stages",
        ),
        (
            "POST",
            format!("{c}/events/moderation"),
            json!({"ids": many(json!(1)), "decision": "approve"}).to_string(),
            "ids",
        ),
        (
            "PUT",
            format!("{c}/mail-settings"),
            json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"quiet_weekdays": many(json!("sun"))}})
                .to_string(),
            "policy.quiet_weekdays",
        ),
    ];
    for (method, path, body, field) in cases {
        assert!(body.len() < 1024 * 1024, "{path}: the body fits the limit, so the list is what is refused");
        for who in [&token, &outsider] {
            let r = s.send(method, &path, Some(who), "application/json", body.clone().into_bytes()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {}", r.body);
            let said = format!("{}: {}", r.field(), r.body["errors"][0]["message"]);
            assert!(said.contains("at most"), "{method} {path}: {said}");
            if field != "." {
                assert_eq!(r.field(), field, "{method} {path}");
            }
        }
    }
    // A map cannot be inflated by one key sent again and again: a name given twice is refused.
    let repeated = format!("{{{}\"lead\": 1}}", "\"lead\": 1, ".repeat(50_000));
    let r = s.send("PUT", &format!("{c}/stage-limits"), Some(&token), "application/json", repeated.into_bytes()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("`lead` is given twice")));
    // At its maximum a list is read as usual: 30 tags, 20 languages.
    let tags: Vec<String> = (0..30).map(|i| format!("tag{i}")).collect();
    let r = s.call("PATCH", &format!("/api/v1/partners/{pid}"), Some(&token), Some(json!({ "tags": tags }))).await;
    assert_eq!((r.status, r.len_of("tags")), (StatusCode::OK, 30), "{}", r.body);
    let twenty = [
        "hr", "en", "de", "fr", "it", "es", "pt", "nl", "pl", "cs", "sk", "sl", "sr", "bs", "hu", "ro", "bg", "el",
        "ru", "uk",
    ];
    let r = s.call("PATCH", &c, Some(&token), Some(json!({ "languages": twenty }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
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

/// Served over HTTPS behind a proxy, every answer tells browsers to come back over HTTPS only.
#[tokio::test]
async fn https_answers_carry_strict_transport_security() {
    let db = rally_store::testing::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let public = rally_web::PublicUrl::parse("https://rally.example.org").unwrap_or_else(|e| panic!("{e}"));
    let state = rally_web::AppState::new(db.store.clone(), super::test_files(), public);
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
        "/api/v1/campaigns/{campaign}/plan",
        "/api/v1/template-variables",
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
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

/// The issue's flow: standard asks applied to a segment in one call, a custom ask for a high-touch
/// partner, an asset sent to it, and the partner answering through its link.
async fn the_partner_workflow_runs_through_the_api(s: Server) {
    let (me, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid = s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("hr-2026"))).await.id();
    let mut low_media = Vec::new();
    for (name, reach) in [("Radio Student", 500), ("Školski portal", 2_000), ("Bug.hr", 9_000)] {
        low_media.push(s.partner(&token, "hr-2026", json!({"name": name, "category": "media", "reach": reach})).await);
    }
    let hrt = s.partner(&token, "hr-2026", json!({"name": "HRT", "category": "media", "reach": 1_200_000})).await;
    let gone = s.partner(&token, "hr-2026", json!({"name": "Old Gazette", "category": "media", "reach": 100})).await;
    let lost = json!({"stage": "closed_lost", "reason": "closed down"});
    assert_eq!(s.call("POST", &format!("/api/v1/partners/{gone}/stage"), t, Some(lost)).await.status, StatusCode::OK);
    let infobip = s
        .partner(
            &token,
            "hr-2026",
            json!({"name": "Infobip", "category": "it_company", "reach": 20_000, "high_touch": true,
                   "notes": "Internal: the CEO prefers calls"}),
        )
        .await;

    // Standard asks, applied to every low-reach media partner in one call.
    let asks = "/api/v1/campaigns/hr-2026/asks";
    let newsletter = s
        .call(
            "POST",
            asks,
            t,
            Some(json!({"title": "Announce the campaign in your newsletter", "categories": ["media"],
                        "tiers": ["low"], "milestone": "promotion"})),
        )
        .await;
    assert_eq!(newsletter.status, StatusCode::CREATED, "{}", newsletter.body);
    assert_eq!(newsletter.body["partner_id"], Value::Null);
    let post = s.call("POST", asks, t, Some(json!({"title": "Share our post", "due_on": day(20)}))).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let (newsletter, post) = (newsletter.id(), post.id());
    assert_eq!(s.call("GET", asks, t, None).await.len(), 2);
    let patched =
        s.call("PATCH", &format!("/api/v1/asks/{post}"), t, Some(json!({"description": "Two posts, please"}))).await;
    assert_eq!(
        (patched.body["title"].as_str(), patched.body["description"].as_str()),
        (Some("Share our post"), Some("Two posts, please"))
    );
    assert_eq!(s.call("GET", &format!("/api/v1/asks/{post}"), t, None).await.body["due_on"], day(20));
    let apply = format!("{asks}/apply");
    let segment = json!({"asks": [newsletter, post], "segment": {"category": "media", "tier": "low"}});
    // A preview says who would get what, and writes nothing.
    let mut preview = segment.clone();
    preview["preview"] = json!(true);
    let r = s.call("POST", &apply, t, Some(preview)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["preview"], &r.body["created"]), (&json!(true), &json!(6)), "{}", r.body);
    assert_eq!(
        r.body["asks"][0],
        json!({"ask_id": newsletter, "title": "Announce the campaign in your newsletter", "reached": 3, "created": 3,
               "already": 0, "not_for": 0})
    );
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{}/commitments", low_media[0]), t, None).await.len(), 0);
    let applied = s.call("POST", &apply, t, Some(segment.clone())).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(
        (&applied.body["partners"], &applied.body["created"], &applied.body["preview"]),
        (&json!(3), &json!(6), &json!(false))
    );
    let again = s.call("POST", &apply, t, Some(segment)).await.body;
    assert_eq!(
        (&again["partners"], &again["created"], &again["asks"][1]["already"]),
        (&json!(3), &json!(0), &json!(3))
    );
    for id in &low_media {
        let commitments = s.call("GET", &format!("/api/v1/partners/{id}/commitments"), t, None).await;
        assert_eq!(commitments.len(), 2);
        assert_eq!(commitments.body[0]["status"], "proposed");
    }
    for id in [hrt, gone, infobip] {
        assert_eq!(s.call("GET", &format!("/api/v1/partners/{id}/commitments"), t, None).await.len(), 0);
    }
    let r = s.call("POST", &apply, t, Some(json!({"asks": [newsletter], "segment": {"tier": "mid"}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "segment.tier"));
    let r = s.call("POST", &apply, t, Some(json!({"asks": [], "segment": {}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "asks"));

    // A custom ask for the high-touch IT company, and a standard ask proposed to one partner.
    let infobip_commitments = format!("/api/v1/partners/{infobip}/commitments");
    let custom = s
        .call(
            "POST",
            &infobip_commitments,
            t,
            Some(json!({"ask": {"title": "Host Hour of Code events in schools", "unit": "schools", "due_on": day(10)},
                        "commitment": {"note": "Ana to call Ivo"}})),
        )
        .await;
    assert_eq!(custom.status, StatusCode::CREATED, "{}", custom.body);
    assert_eq!(
        (&custom.body["status"], &custom.body["unit"], &custom.body["due_on"], &custom.body["note"]),
        (&json!("proposed"), &json!("schools"), &json!(day(10)), &json!("Ana to call Ivo"))
    );
    let commitment = custom.id();
    let hrt_commitments = format!("/api/v1/partners/{hrt}/commitments");
    let r = s.call("POST", &hrt_commitments, t, Some(json!({"ask_id": post}))).await;
    assert_eq!((r.status, &r.body["ask_title"]), (StatusCode::CREATED, &json!("Share our post")));
    let hrt_commitment = r.id();
    for (body, status, field) in [
        (json!({"ask_id": post}), StatusCode::CONFLICT, "ask_id"),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
        (json!({"ask_id": post, "ask": {"title": "Both"}}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
        (json!({"ask": {"unit": "schools"}}), StatusCode::UNPROCESSABLE_ENTITY, "ask.title"),
        (
            json!({"ask_id": newsletter, "commitment": {"quantity": -1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "commitment.quantity",
        ),
        (
            json!({"ask_id": newsletter, "commitment": {"status": "maybe"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "commitment.status",
        ),
        (json!({"ask_id": 99_999_999}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
    ] {
        let r = s.call("POST", &hrt_commitments, t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (status, field), "{body}: {}", r.body);
    }
    let r = s
        .call(
            "PATCH",
            &format!("/api/v1/commitments/{hrt_commitment}"),
            t,
            Some(json!({"status": "agreed", "due_on": null})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "due_on"), "{}", r.body);
    let r = s
        .call(
            "PATCH",
            &format!("/api/v1/commitments/{hrt_commitment}"),
            t,
            Some(json!({"status": "declined", "note": "no budget"})),
        )
        .await;
    assert_eq!((r.status, &r.body["status"]), (StatusCode::OK, &json!("declined")), "{}", r.body);

    // An asset: a real PNG, and a link.
    let assets = "/api/v1/campaigns/hr-2026/assets";
    let fields = [("title", "Campaign logo"), ("kind", "logo"), ("language", "hr"), ("audience", "teachers")];
    let logo = s.upload("POST", assets, t, &fields, Some(("file", "logo final.png", &PNG_1X1))).await;
    assert_eq!(logo.status, StatusCode::CREATED, "{}", logo.body);
    assert_eq!(logo.body["file"]["media_type"], "png");
    assert_eq!((logo.body["file"]["width"].as_u64(), logo.body["file"]["height"].as_u64()), (Some(1), Some(1)));
    assert_eq!(logo.body["file"]["filename"], "logo final.png");
    let tutorial = s
        .upload(
            "POST",
            assets,
            t,
            &[("title", "Tutorial"), ("kind", "tutorial"), ("url", "hourofcode.com/learn")],
            None,
        )
        .await;
    assert_eq!(tutorial.status, StatusCode::CREATED, "{}", tutorial.body);
    assert_eq!(tutorial.body["url"], "https://hourofcode.com/learn");
    let (logo, tutorial) = (logo.id(), tutorial.id());
    assert_eq!(s.call("GET", assets, t, None).await.len(), 2);
    assert_eq!(s.call("GET", &format!("/api/v1/assets/{logo}"), t, None).await.body["title"], "Campaign logo");
    let file = s.call("GET", &format!("/api/v1/assets/{logo}/file"), t, None).await;
    assert_eq!((file.status, file.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    assert_eq!(file.content_type, "image/png");
    let r = s.call("GET", &format!("/api/v1/assets/{tutorial}/file"), t, None).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));

    // Sent to the partner.
    let sends = format!("/api/v1/partners/{infobip}/sends");
    let sent = s.call("POST", &sends, t, Some(json!({"assets": [logo, tutorial], "note": "Logo pack"}))).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent.body[0]["note"], "Logo pack");
    assert_eq!(s.call("GET", &sends, t, None).await.len(), 2);

    // The partner's link, and the partner's side without a token.
    let link = s.call("POST", &format!("/api/v1/partners/{infobip}/link"), t, None).await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let secret = link.body["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(link.body["url"], format!("{}/p/{secret}", s.base));
    let profile = s.call("GET", &format!("/api/v1/partners/{infobip}/profile"), t, None).await;
    assert!(profile.body["link"]["created_at"].is_string(), "{}", profile.body);
    assert!(!profile.body.to_string().contains(&secret));
    let view = s.call("GET", &format!("/api/v1/link/{secret}"), None, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["partner"], json!({"name": "Infobip", "website": null}));
    assert!(!view.body.to_string().contains("CEO"), "the team's notes leak: {}", view.body);
    assert_eq!(view.body["campaign"]["slug"], "hr-2026");
    assert_eq!(view.body["campaign"]["message"]["en"], "Anyone can code.");
    assert_eq!(view.body["commitments"].as_array().map(Vec::len), Some(1));
    assert_eq!(view.body["commitments"][0]["status"], "proposed");
    let assets_seen: Vec<&str> = view.body["assets"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["title"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(assets_seen.len(), 2);
    assert!(assets_seen.contains(&"Campaign logo") && assets_seen.contains(&"Tutorial"));
    assert_eq!((&view.body["logo"], &view.body["recognition_opt_out"]), (&Value::Null, &json!(false)));
    assert_eq!(view.header("cache-control"), "no-store");

    // The partner accepts with a quantity and downloads the asset.
    let answer = format!("/api/v1/link/{secret}/commitments/{commitment}");
    let r = s.call("POST", &answer, None, Some(json!({"accept": true}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "quantity"), "{}", r.body);
    let r = s.call("POST", &answer, None, Some(json!({"accept": true, "quantity": 40, "note": "Glad to"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["status"], &r.body["quantity"], &r.body["by_partner"], &r.body["due_on"]),
        (&json!("agreed"), &json!(40), &json!(true), &json!(day(10)))
    );
    let r = s.call("POST", &answer, None, Some(json!({"accept": false}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "accept"));
    let file = s.call("GET", &format!("/api/v1/link/{secret}/assets/{logo}/file"), None, None).await;
    assert_eq!((file.status, file.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    assert_eq!(file.content_type, "image/png");
    assert!(file.header("content-disposition").starts_with("attachment"), "{:?}", file.headers);
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    let r = s.call("GET", &format!("/api/v1/link/{secret}/assets/{tutorial}/file"), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // What is due: the agreed commitment within two weeks; nothing within the default week.
    let due = s.call("GET", &format!("/api/v1/campaigns/{cid}/due?until={}", day(14)), t, None).await;
    assert_eq!(due.status, StatusCode::OK, "{}", due.body);
    assert_eq!(due.body["commitments"].as_array().map(Vec::len), Some(1), "{}", due.body);
    assert_eq!(
        (due.body["commitments"][0]["id"].as_i64(), &due.body["commitments"][0]["quantity"]),
        (Some(commitment), &json!(40))
    );
    let week = s.call("GET", "/api/v1/campaigns/hr-2026/due", t, None).await;
    assert_eq!(week.body["commitments"], json!([]));
    for query in ["until=soon", "until=2026-02-30", "when=2026-12-01"] {
        let r = s.call("GET", &format!("/api/v1/campaigns/hr-2026/due?{query}"), t, None).await;
        let field = if query.starts_with("until") { "until" } else { "query" };
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}");
    }

    // Interactions and tasks.
    let interactions = format!("/api/v1/partners/{infobip}/interactions");
    let r = s.call("POST", &interactions, t, Some(json!({"kind": "call", "text": "Agreed on 40 schools"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((&r.body["on"], &r.body["author_name"]), (&json!(day(0)), &json!("ana")));
    let r = s.call("POST", &interactions, t, Some(json!({"kind": "call", "text": "x", "on": day(1)}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "on"));
    assert_eq!(s.call("GET", &interactions, t, None).await.len(), 1);
    let tasks = "/api/v1/campaigns/hr-2026/tasks";
    let task = s
        .call(
            "POST",
            tasks,
            t,
            Some(json!({"title": "Send the event kit", "due_on": day(3), "commitment_id": commitment})),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
    assert_eq!((task.body["owner_id"].as_i64(), task.body["partner_id"].as_i64()), (Some(me.0), Some(infobip)));
    let task = task.id();
    assert_eq!(s.call("GET", &format!("{tasks}?owner=me&open=true&partner={infobip}"), t, None).await.len(), 1);
    assert_eq!(s.call("GET", &format!("{tasks}?owner={}", me.0 + 1000), t, None).await.len(), 0);
    for (query, field) in
        [("owner=you", "owner"), ("partner=x", "partner"), ("open=yes", "open"), ("sort=due", "query")]
    {
        let r = s.call("GET", &format!("{tasks}?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }
    let r = s.call("POST", tasks, t, Some(json!({"title": "Too late", "due_on": "2020-01-01"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "due_on"));
    let done = s.call("PATCH", &format!("/api/v1/tasks/{task}"), t, Some(json!({"done": true}))).await;
    assert_eq!((done.status, &done.body["done"]), (StatusCode::OK, &json!(true)), "{}", done.body);
    assert_eq!(s.call("GET", &format!("{tasks}?open=true"), t, None).await.len(), 0);
    assert_eq!(s.call("GET", &format!("/api/v1/tasks/{task}"), t, None).await.body["title"], "Send the event kit");

    // Stage limits, and the partners that deserve a follow-up.
    let limits = "/api/v1/campaigns/hr-2026/stage-limits";
    assert_eq!(s.call("GET", limits, t, None).await.body["lead"], 14);
    let r = s.call("PUT", limits, t, Some(json!({"lead": 10, "contacted": 5}))).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"lead": 10, "contacted": 5})));
    let r = s.call("PUT", limits, t, Some(json!({"closed_won": 3}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "closed_won"));
    let r = s.call("PUT", limits, t, Some(json!({"waiting": 3}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.call("GET", limits, t, None).await.body, json!({"lead": 10, "contacted": 5}));
    let stale = rally_domain::PartnerDraft {
        name: Some("Stale Radio".into()),
        category: Some(rally_domain::Category::Media),
        owner_id: Some(Some(me)),
        ..Default::default()
    };
    let load = rally_store::PartnerLoad {
        fields: stale.validate().unwrap_or_else(|e| panic!("{e}")),
        created_at: chrono::Utc::now() - chrono::Duration::days(30),
        moves: vec![],
        contacts: vec![],
    };
    let loaded = s.store.load_partners(rally_store::Actor::System, rally_domain::CampaignId(cid), vec![load]).await;
    assert_eq!(loaded.ok(), Some(1));
    let follow_ups = s.call("GET", "/api/v1/campaigns/hr-2026/follow-ups", t, None).await;
    assert_eq!(follow_ups.len(), 1, "{}", follow_ups.body);
    assert_eq!(follow_ups.body[0]["partner"]["name"], "Stale Radio");
    let suggested = rally_domain::followup::follow_up_due(chrono::Utc::now().date_naive());
    assert_eq!(follow_ups.body[0]["due_on"], suggested.to_string());

    // A calendar feed.
    let feed = s.call("POST", "/api/v1/me/calendar", t, None).await;
    assert_eq!(feed.status, StatusCode::CREATED, "{}", feed.body);
    let url = feed.body["url"].as_str().unwrap_or_default();
    let secret = url.strip_prefix(&format!("{}/calendar/", s.base)).and_then(|u| u.strip_suffix(".ics"));
    assert!(secret.is_some_and(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())), "{url}");
    assert_eq!(s.call("DELETE", "/api/v1/me/calendar", t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("POST", "/api/v1/me/calendar", None, None).await.status, StatusCode::UNAUTHORIZED);

    // Deleting an ask takes its commitments along.
    assert_eq!(s.call("DELETE", &format!("/api/v1/asks/{newsletter}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/asks/{newsletter}"), t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{}/commitments", low_media[0]), t, None).await.len(), 1);
}

async fn uploads_are_checked_by_content(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("uploads"))).await;
    let partner = s.partner(&token, "uploads", json!({"name": "CARNET", "category": "school_network"})).await;
    let assets = "/api/v1/campaigns/uploads/assets";
    let logo = [("title", "Logo"), ("kind", "logo")];

    // A program renamed .png is refused for what it is.
    let program = windows_program();
    let r = s.upload("POST", assets, t, &logo, Some(("file", "logo.png", &program))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    assert_eq!(r.content_type, "application/problem+json");
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("program")), "{}", r.body);

    // An SVG with a script is stored without it, and served so that nothing could run anyway.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><script>alert(document.cookie)</script><rect width="20" height="10" fill="red" onclick="alert(1)"/></svg>"#;
    let r = s
        .upload("POST", assets, t, &[("title", "Banner"), ("kind", "banner")], Some(("file", "banner.svg", svg)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["file"]["media_type"], "svg");
    let file = s.call("GET", &format!("/api/v1/assets/{}/file", r.id()), t, None).await;
    assert_eq!((file.status, file.content_type.as_str()), (StatusCode::OK, "image/svg+xml"));
    let text = String::from_utf8_lossy(&file.bytes).to_lowercase();
    assert!(!text.contains("script") && !text.contains("onclick"), "{text}");
    assert!(text.contains("<rect"), "{text}");
    assert!(file.header("content-security-policy").contains("sandbox"));
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    let stored = s.call("GET", assets, t, None).await.body;

    // A body over the upload limit: 413, and nothing stored.
    let huge = vec![0u8; 21 * 1024 * 1024];
    let r = s.upload("POST", assets, t, &logo, Some(("file", "poster.png", &huge))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!((r.content_type.as_str(), &r.body["status"]), ("application/problem+json", &json!(413)));
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("20 MB")), "{}", r.body);
    // Just under the limit reads fine, and is refused for its content.
    let zeros = vec![0u8; 19 * 1024 * 1024];
    let r = s.upload("POST", assets, t, &logo, Some(("file", "zeros.png", &zeros))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);

    // Every other refusal names its field.
    let cases: Vec<(Fields, Option<FilePart<'_>>, StatusCode, &str)> = vec![
        (logo.to_vec(), None, StatusCode::UNPROCESSABLE_ENTITY, "file"),
        (logo.to_vec(), Some(("file", "empty.png", b"")), StatusCode::UNPROCESSABLE_ENTITY, "file"),
        (
            vec![("title", "Logo"), ("kind", "sticker")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind",
        ),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("audience", "aliens")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audience",
        ),
        (vec![("kind", "logo")], Some(("file", "l.png", &PNG_1X1)), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("colour", "red")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
        (logo.to_vec(), Some(("upload", "l.png", &PNG_1X1)), StatusCode::UNPROCESSABLE_ENTITY, "upload"),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("url", "https://example.org")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "url",
        ),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("language", "klingon!")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "language",
        ),
    ];
    for (fields, file, status, field) in cases {
        let r = s.upload("POST", assets, t, &fields, file).await;
        assert_eq!((r.status, r.field()), (status, field), "{fields:?}: {}", r.body);
        assert_eq!(r.content_type, "application/problem+json");
    }
    let r = s.send("POST", assets, t, "application/json", b"{\"title\": \"Logo\"}".to_vec()).await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json"),
        "{}",
        r.body
    );
    let r = s.send("POST", assets, t, "multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()).await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json"),
        "{}",
        r.body
    );
    assert_eq!(s.call("GET", assets, t, None).await.body, stored, "a refused upload stored something");

    // A logo must be an image: a PDF is refused, a PNG taken and removed again.
    let logo_path = format!("/api/v1/partners/{partner}/logo");
    let r = s.upload("PUT", &logo_path, t, &[], Some(("file", "logo.pdf", PDF))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("a logo is a picture")), "{}", r.body);
    // A file of no accepted type: the refusal lists what a logo may be, and PDF is not among them.
    let r = s
        .upload("PUT", &logo_path, t, &[], Some(("file", "logo.txt", b"Dear partner, here is our logo".as_slice())))
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("PNG, JPEG, WebP or SVG") && !detail.contains("PDF"), "{detail}");
    let r = s.upload("PUT", &logo_path, t, &[], None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let profile = format!("/api/v1/partners/{partner}/profile");
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"], Value::Null);
    let r = s.upload("PUT", &logo_path, t, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!((r.status, &r.body["media_type"]), (StatusCode::OK, &json!("png")), "{}", r.body);
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"]["media_type"], "png");
    assert_eq!(s.call("DELETE", &logo_path, t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"], Value::Null);
    // A PDF is a fine asset.
    let r = s
        .upload("POST", assets, t, &[("title", "Poster"), ("kind", "poster")], Some(("file", "poster.pdf", PDF)))
        .await;
    assert_eq!((r.status, &r.body["file"]["media_type"]), (StatusCode::CREATED, &json!("pdf")), "{}", r.body);
}

async fn partner_links_are_secret(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("links"))).await;
    let a = s.partner(&token, "links", json!({"name": "Tajni Partner d.o.o.", "category": "it_company"})).await;
    let b = s.partner(&token, "links", json!({"name": "Drugi Partner", "category": "media"})).await;
    let ask = s.call("POST", "/api/v1/campaigns/links/asks", t, Some(json!({"title": "Newsletter"}))).await.id();
    let applied =
        s.call("POST", "/api/v1/campaigns/links/asks/apply", t, Some(json!({"asks": [ask], "segment": {}}))).await;
    assert_eq!((&applied.body["partners"], &applied.body["created"]), (&json!(2), &json!(2)), "{}", applied.body);
    let commitment_of = |p: i64| {
        let s = &s;
        async move {
            s.call("GET", &format!("/api/v1/partners/{p}/commitments"), t, None).await.body[0]["id"]
                .as_i64()
                .unwrap_or_default()
        }
    };
    let (ca, cb) = (commitment_of(a).await, commitment_of(b).await);
    let fields = [("title", "Logo"), ("kind", "logo")];
    let for_b = s.upload("POST", "/api/v1/campaigns/links/assets", t, &fields, Some(("file", "l.png", &PNG_1X1))).await;
    let for_b = for_b.id();
    let r = s.call("POST", &format!("/api/v1/partners/{b}/sends"), t, Some(json!({"assets": [for_b]}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let link_a = s.call("POST", &format!("/api/v1/partners/{a}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let link_b = s.call("POST", &format!("/api/v1/partners/{b}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let unknown = rally_web::auth::random_token();
    let hidden = |r: &Reply| {
        assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
        let text = String::from_utf8_lossy(&r.bytes);
        assert!(!text.contains("Tajni") && !text.contains("Drugi"), "{text}");
    };
    for path in [
        format!("/api/v1/link/{unknown}"),
        format!("/api/v1/link/{}", link_a.to_uppercase()),
        format!("/api/v1/link/{}", &link_a[..63]),
        format!("/api/v1/link/{unknown}/assets/{for_b}/file"),
    ] {
        hidden(&s.call("GET", &path, None, None).await);
    }
    hidden(
        &s.call("POST", &format!("/api/v1/link/{unknown}/commitments/{ca}"), None, Some(json!({"accept": true}))).await,
    );
    // A's link answers A's commitments only, and downloads only what was sent to A.
    hidden(
        &s.call("POST", &format!("/api/v1/link/{link_a}/commitments/{cb}"), None, Some(json!({"accept": false}))).await,
    );
    hidden(
        &s.call("POST", &format!("/api/v1/link/{link_a}/commitments/abc"), None, Some(json!({"accept": false}))).await,
    );
    hidden(&s.call("GET", &format!("/api/v1/link/{link_a}/assets/{for_b}/file"), None, None).await);
    assert_eq!(
        s.call("GET", &format!("/api/v1/partners/{b}/commitments"), t, None).await.body[0]["status"],
        "proposed"
    );
    let got = s.call("GET", &format!("/api/v1/link/{link_b}/assets/{for_b}/file"), None, None).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    let declined =
        s.call("POST", &format!("/api/v1/link/{link_a}/commitments/{ca}"), None, Some(json!({"accept": false}))).await;
    assert_eq!((declined.status, &declined.body["status"]), (StatusCode::OK, &json!("declined")), "{}", declined.body);
    // A bearer token of the team does not open a link, and a link is no bearer token.
    let r = s.call("GET", &format!("/api/v1/partners/{a}"), Some(&link_a), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The partner sets its logo and its place on the wall through the link.
    let logo = format!("/api/v1/link/{link_a}/logo");
    let r = s.upload("PUT", &logo, None, &[], Some(("file", "logo.pdf", PDF))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let r = s.upload("PUT", &logo, None, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!((r.status, &r.body["media_type"]), (StatusCode::OK, &json!("png")), "{}", r.body);
    let r = s.call("PUT", &format!("/api/v1/link/{link_a}/recognition"), None, Some(json!({"opt_out": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = s.call("GET", &format!("/api/v1/link/{link_a}"), None, None).await;
    assert_eq!((&view.body["logo"]["media_type"], &view.body["recognition_opt_out"]), (&json!("png"), &json!(true)));
    let profile = s.call("GET", &format!("/api/v1/partners/{a}/profile"), t, None).await.body;
    assert_eq!((&profile["logo"]["media_type"], &profile["recognition_opt_out"]), (&json!("png"), &json!(true)));

    // A new link revokes the old one; a revoked link opens nothing.
    let again = s.call("POST", &format!("/api/v1/partners/{a}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    hidden(&s.call("GET", &format!("/api/v1/link/{link_a}"), None, None).await);
    assert_eq!(s.call("GET", &format!("/api/v1/link/{again}"), None, None).await.status, StatusCode::OK);
    assert_eq!(s.call("DELETE", &format!("/api/v1/partners/{a}/link"), t, None).await.status, StatusCode::NO_CONTENT);
    hidden(&s.call("GET", &format!("/api/v1/link/{again}"), None, None).await);
    hidden(&s.upload("PUT", &format!("/api/v1/link/{again}/logo"), None, &[], Some(("file", "l.png", &PNG_1X1))).await);
    hidden(&s.call("PUT", &format!("/api/v1/link/{again}/recognition"), None, Some(json!({"opt_out": false}))).await);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{a}/profile"), t, None).await.body["link"], Value::Null);
    assert_eq!(s.call("DELETE", &format!("/api/v1/partners/{a}/link"), t, None).await.status, StatusCode::NO_CONTENT);
}

async fn workflow_rights_follow_roles(s: Server) {
    let (owner_id, owner) = s.user("owner").await;
    let (member_id, member) = s.user("member").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("rights"))).await.id();
    s.join(&owner, cid, member_id, "member").await;
    s.join(&owner, cid, viewer_id, "viewer").await;
    let theirs = s.partner(&owner, "rights", json!({"name": "Owner's", "category": "media"})).await;
    let mine = s.partner(&member, "rights", json!({"name": "Member's", "category": "media"})).await;
    let ask = s.call("POST", "/api/v1/campaigns/rights/asks", Some(&owner), Some(json!({"title": "Newsletter"}))).await;
    let ask = ask.id();
    let fields = [("title", "Logo"), ("kind", "logo")];
    let asset = s
        .upload("POST", "/api/v1/campaigns/rights/assets", Some(&owner), &fields, Some(("file", "l.png", &PNG_1X1)))
        .await;
    let asset = asset.id();
    let task = s
        .call(
            "POST",
            "/api/v1/campaigns/rights/tasks",
            Some(&owner),
            Some(json!({"title": "Owner's task", "due_on": day(2)})),
        )
        .await
        .id();

    let apply = json!({"asks": [ask], "segment": {}});
    let new_task = |owner: Option<i64>, partner: i64| json!({"title": "Call", "due_on": day(2), "owner_id": owner, "partner_id": partner});
    let call = json!({"kind": "call", "text": "Spoke to them"});
    // (who, token, method, path, body, expected)
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/asks".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/assets".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/assets/{asset}/file"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "POST", "/api/v1/campaigns/rights/asks/apply".into(), apply.clone(), StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/asks".into(),
            json!({"title": "X"}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "PATCH", format!("/api/v1/asks/{ask}"), json!({"title": "X"}), StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            format!("/api/v1/partners/{theirs}/sends"),
            json!({"assets": [asset]}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "viewer",
            &viewer,
            "PUT",
            "/api/v1/campaigns/rights/stage-limits".into(),
            json!({"lead": 3}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "DELETE", format!("/api/v1/assets/{asset}"), Value::Null, StatusCode::FORBIDDEN),
        ("member", &member, "POST", format!("/api/v1/partners/{mine}/interactions"), call.clone(), StatusCode::CREATED),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "POST", "/api/v1/campaigns/rights/tasks".into(), new_task(None, mine), StatusCode::CREATED),
        (
            "member",
            &member,
            "POST",
            "/api/v1/campaigns/rights/tasks".into(),
            new_task(Some(owner_id.0), mine),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "PATCH", format!("/api/v1/tasks/{task}"), json!({"done": true}), StatusCode::FORBIDDEN),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{mine}/commitments"),
            json!({"ask_id": ask}),
            StatusCode::CREATED,
        ),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{theirs}/commitments"),
            json!({"ask_id": ask}),
            StatusCode::FORBIDDEN,
        ),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{mine}/sends"),
            json!({"assets": [asset]}),
            StatusCode::CREATED,
        ),
        ("member", &member, "POST", format!("/api/v1/partners/{mine}/link"), Value::Null, StatusCode::CREATED),
        ("member", &member, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::FORBIDDEN),
        (
            "member",
            &member,
            "PUT",
            format!("/api/v1/partners/{theirs}/recognition"),
            json!({"opt_out": true}),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "POST", "/api/v1/campaigns/rights/asks/apply".into(), apply.clone(), StatusCode::FORBIDDEN),
        ("member", &member, "GET", "/api/v1/campaigns/rights/follow-ups".into(), Value::Null, StatusCode::OK),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/asks".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/asks/{ask}"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "POST",
            "/api/v1/campaigns/rights/asks/apply".into(),
            apply.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{theirs}/commitments"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/tasks".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/tasks/{task}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/assets/{asset}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/assets/{asset}/file"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{theirs}/profile"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/due".into(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/follow-ups".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/stage-limits".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
        if !r.status.is_success() {
            assert_eq!(r.content_type, "application/problem+json", "{who} {method} {path}");
        }
    }
    for (who, token, expected) in
        [("viewer", &viewer, StatusCode::FORBIDDEN), ("outsider", &outsider, StatusCode::NOT_FOUND)]
    {
        let upload = s
            .upload("POST", "/api/v1/campaigns/rights/assets", Some(token), &fields, Some(("file", "l.png", &PNG_1X1)))
            .await;
        assert_eq!(upload.status, expected, "{who}: {}", upload.body);
        let logo = s
            .upload(
                "PUT",
                &format!("/api/v1/partners/{theirs}/logo"),
                Some(token),
                &[],
                Some(("file", "l.png", &PNG_1X1)),
            )
            .await;
        assert_eq!(logo.status, expected, "{who}: {}", logo.body);
    }
    assert_eq!(s.call("GET", "/api/v1/campaigns/rights/assets", Some(&owner), None).await.len(), 1);
    assert_eq!(s.call("GET", "/api/v1/campaigns/rights/asks", None, None).await.status, StatusCode::UNAUTHORIZED);
    // The member's task is the member's; the member's own tasks are listed with `owner=me`.
    let theirs_tasks = s.call("GET", "/api/v1/campaigns/rights/tasks?owner=me", Some(&member), None).await;
    assert_eq!(theirs_tasks.len(), 1);
    assert_eq!(theirs_tasks.body[0]["owner_id"].as_i64(), Some(member_id.0));
}

async fn the_recognition_wall_is_public(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("wall"))).await;
    let tech = s
        .partner(
            &token,
            "wall",
            json!({"name": "Zagreb Tech", "category": "it_company", "reach": 50_000, "website": "zagreb.tech"}),
        )
        .await;
    let beta = s.partner(&token, "wall", json!({"name": "Beta Media", "category": "media", "reach": 2_000})).await;
    let alpha = s.partner(&token, "wall", json!({"name": "Alpha Media", "category": "media", "reach": 1_000})).await;
    let hidden = s.partner(&token, "wall", json!({"name": "Hidden Co", "category": "media", "reach": 3_000})).await;
    s.partner(&token, "wall", json!({"name": "Not Yet", "category": "media", "reach": 4_000})).await;
    for id in [tech, beta, alpha, hidden] {
        let r = s.call("POST", &format!("/api/v1/partners/{id}/stage"), t, Some(json!({"stage": "closed_won"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r =
        s.upload("PUT", &format!("/api/v1/partners/{tech}/logo"), t, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("PUT", &format!("/api/v1/partners/{hidden}/recognition"), t, Some(json!({"opt_out": true}))).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"opt_out": true})));

    let wall = s.call("GET", "/api/v1/campaigns/wall/recognition", None, None).await;
    assert_eq!(wall.status, StatusCode::OK, "{}", wall.body);
    assert_eq!(wall.header("access-control-allow-origin"), "*");
    assert_eq!(
        wall.body,
        json!({
            "campaign": "wall",
            "tiers": [
                {"tier": "high", "partners": [
                    {"name": "Zagreb Tech", "website": "https://zagreb.tech", "logo_url": format!("{}/c/wall/logos/{tech}", s.base), "width": 200, "height": 100}
                ]},
                {"tier": "low", "partners": [
                    {"name": "Alpha Media", "website": null, "logo_url": null, "width": 200, "height": 100},
                    {"name": "Beta Media", "website": null, "logo_url": null, "width": 200, "height": 100}
                ]}
            ]
        })
    );
    // The logo behind the URL, for anyone; nothing for a partner that is not on the wall.
    let logo = reqwest::get(format!("{}/c/wall/logos/{tech}", s.base)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert_eq!(logo.bytes().await.unwrap_or_default().as_ref(), &PNG_1X1[..]);
    let not_won = reqwest::get(format!("{}/c/wall/logos/{hidden}", s.base)).await.map(|r| r.status()).ok();
    assert_eq!(not_won, Some(StatusCode::NOT_FOUND));
    // The campaign's id serves as well as its slug.
    let id = s.call("GET", "/api/v1/campaigns/wall", t, None).await.body["id"].as_i64().unwrap_or_default();
    let by_id = s.call("GET", &format!("/api/v1/campaigns/{id}/recognition"), None, None).await;
    assert_eq!(
        by_id.body["tiers"],
        wall.body["tiers"].clone().as_array().map_or(json!(null), |tiers| {
            let mut tiers = json!(tiers);
            tiers[0]["partners"][0]["logo_url"] = json!(format!("{}/c/{id}/logos/{tech}", s.base));
            tiers
        })
    );
    let logo = reqwest::get(format!("{}/c/{id}/logos/{tech}", s.base)).await.map(|r| r.status()).ok();
    assert_eq!(logo, Some(StatusCode::OK));
    let r = s.call("GET", "/api/v1/campaigns/nowhere/recognition", None, None).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
    assert_eq!(r.header("access-control-allow-origin"), "*");
}

/// An instant `days` from today at `time` (UTC), as RFC 3339.
fn instant(days: u64, time: &str) -> String {
    format!("{}T{time}Z", day(days))
}

/// Adds a contact to a partner and returns its id.
async fn contact(s: &Server, token: &str, partner: i64, body: Value) -> i64 {
    let r = s.call("POST", &format!("/api/v1/partners/{partner}/contacts"), Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

/// The issue's flow: sender and cadence settings, a milestone, a message in two languages with a variant
/// for IT companies, its recipients and previews, the future calendar deferring the third of three
/// messages one contact would get within a week, queueing, statistics and the partner's timeline.
async fn messages_are_written_previewed_planned_and_queued(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid = s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("comms"))).await.id();
    let c = "/api/v1/campaigns/comms";

    // Settings: two marketing e-mails per contact in any 7 days, any hour, any day.
    let defaults = s.call("GET", &format!("{c}/mail-settings"), t, None).await;
    assert_eq!(defaults.status, StatusCode::OK, "{}", defaults.body);
    assert_eq!(defaults.body["policy"]["max_per_window"], 2);
    let policy = json!({"max_per_window": 2, "window_days": 7, "min_gap_hours": 0, "quiet_weekdays": [],
                        "window_start_hour": 0, "window_end_hour": 24, "time_zone": "Europe/Zagreb",
                        "expire_after_days": 30});
    // Partners' contacts were never asked: the campaign relies on its legitimate interest (off by default).
    assert_eq!(defaults.body["legitimate_interest"], false);
    let settings = json!({"from_name": "Sat kodiranja", "from_address": "Tim@SatKodiranja.hr",
                          "reply_to": "ana@satkodiranja.hr", "policy": policy, "legitimate_interest": true});
    let r = s.call("PUT", &format!("/api/v1/campaigns/{cid}/mail-settings"), t, Some(settings)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["from_address"], "tim@satkodiranja.hr");
    assert_eq!(r.body["policy"]["time_zone"], "Europe/Zagreb");
    assert_eq!(s.call("GET", &format!("{c}/mail-settings"), t, None).await.body, r.body);
    for (body, field) in [
        (
            json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"window_start_hour": 10, "window_end_hour": 9}}),
            "policy.window_end_hour",
        ),
        (json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"max_per_windw": 3}}), "policy.max_per_windw"),
        (json!({"from_name": "X", "from_address": "not mail"}), "from_address"),
        (json!({"from_name": "X"}), "from_address"),
        (json!({"from_name": " ", "from_address": "x@x.hr"}), "from_name"),
    ] {
        let r = s.call("PUT", &format!("{c}/mail-settings"), t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{body}: {}", r.body);
    }
    assert_eq!(s.call("GET", &format!("{c}/mail-settings"), t, None).await.body["from_name"], "Sat kodiranja");

    // A milestone the invitation is timed by.
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "announcement", "on": "soon"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["on"]);
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "announcement"}))).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["title", "on"]);
    // A moderation decision is read as the document's pattern says: any case, spaces around.
    let moderation = format!("{c}/events/moderation");
    let r = s.call("POST", &moderation, t, Some(json!({"ids": [], "decision": " Approve "}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("POST", &moderation, t, Some(json!({"ids": [], "decision": "maybe"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "decision"), "{}", r.body);
    let bell = json!({"kind": "other", "title": "Bell \u{7}", "on": day(40)});
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(bell)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "title"), "{}", r.body);
    let announcement = json!({"kind": "announcement", "title": "Announcement", "on": day(30)});
    let milestone = s.call("POST", &format!("{c}/milestones"), t, Some(announcement)).await;
    assert_eq!(milestone.status, StatusCode::CREATED, "{}", milestone.body);
    let milestone = milestone.id();
    let spare = s
        .call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "other", "title": "Spare", "on": day(40)})))
        .await
        .id();
    let list = s.call("GET", &format!("{c}/milestones"), t, None).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list.body[0]["title"], "Announcement");

    // Partners and their contacts: a school network (Croatian, English, one opted out), an IT company
    // (Croatian) and a radio station outside the invitation's segment.
    let school =
        s.partner(&token, "comms", json!({"name": "OŠ Đakovo", "category": "school_network", "reach": 400})).await;
    let infobip =
        s.partner(&token, "comms", json!({"name": "Infobip", "category": "it_company", "reach": 2_000})).await;
    let radio = s.partner(&token, "comms", json!({"name": "Radio Student", "category": "media", "reach": 900})).await;
    let zeljka =
        contact(&s, &token, school, json!({"name": "Željka Šimić", "email": "zeljka@os-djakovo.hr", "language": "hr"}))
            .await;
    let john =
        contact(&s, &token, school, json!({"name": "John Smith", "email": "john@os-djakovo.hr", "language": "en"}))
            .await;
    contact(&s, &token, school, json!({"name": "Nobody", "email": "no@os-djakovo.hr", "consent": "opted_out"})).await;
    let ivan =
        contact(&s, &token, infobip, json!({"name": "Ivan Horvat", "email": "ivan@infobip.com", "language": "hr"}))
            .await;
    let editor =
        contact(&s, &token, radio, json!({"name": "Urednik", "email": "urednik@radio.hr", "language": "hr"})).await;

    // Templates are checked when they are saved; every field error comes back at once.
    let messages = format!("{c}/messages");
    let template = |language: &str, category: Value, subject: &str, text: &str, html: &str| json!({"language": language, "category": category, "subject": subject, "text": text, "html": html});
    let at_milestone = json!({"milestone": {"milestone_id": milestone, "at": "09:00:00"}});
    let typo = json!({"title": "Invitation", "send": at_milestone,
                      "templates": [template("hr", Value::Null, "Poziv", "Pozdrav, {{ partner.nmae }}!", "")]});
    let r = s.call("POST", &messages, t, Some(typo)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates[0].text"), "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("partner.nmae")), "{}", r.body);
    let r = s.call("POST", &messages, t, Some(json!({"templates": [template("??", Value::Null, "S", "T", "")]}))).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["title", "send", "templates[0].language"], "{}", r.body);
    let r = s.call("POST", &messages, t, Some(json!({"title": "X", "send": {"at": instant(30, "10:00:00")}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates"), "{}", r.body);
    let r =
        s.call("POST", &messages, t, Some(json!({"title": "X", "send": {"at": "tomorrow"}, "templates": []}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "send.at"), "{}", r.body);
    assert_eq!(s.call("GET", &messages, t, None).await.len(), 0);

    // The invitation: Croatian and English for schools, other words (in Croatian) for IT companies.
    let invitation = json!({
        "title": "Invitation",
        "segment": {"categories": ["school_network", "it_company"]},
        "send": at_milestone,
        "fallback_language": "en",
        "templates": [
            template("hr", Value::Null, "Poziv: {{ campaign.name }}", "Poštovana/i {{ contact.first_name }},\npozivamo {{ partner.name }}.", "<p>Pozdrav, {{ contact.first_name }}!</p>"),
            template("en", Value::Null, "Invitation: {{ campaign.name }}", "Dear {{ contact.first_name }},\nwe invite {{ partner.name }}.", ""),
            template("hr", json!("it_company"), "Za vaše zaposlenike: {{ campaign.name }}", "Pozdrav {{ contact.first_name }}, pozovite kolege iz {{ partner.name }}.", ""),
        ],
    });
    let m1 = s.call("POST", &messages, t, Some(invitation)).await;
    assert_eq!(m1.status, StatusCode::CREATED, "{}", m1.body);
    assert_eq!(m1.body["planned_at"], Value::Null);
    assert_eq!(m1.body["kind"], "marketing");
    let m1 = m1.id();
    let got = s.call("GET", &format!("/api/v1/messages/{m1}"), t, None).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.len_of("templates"), 3);
    assert_eq!(got.body["outbox"]["planned"], 0);
    assert_eq!(got.body["send"], at_milestone);

    // Who it reaches: the school's and the company's contacts, with the opted-out one left out.
    let r = s.call("GET", &format!("/api/v1/messages/{m1}/recipients"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.len(), 4);
    assert_eq!(
        r.body[0],
        json!({"contact_id": zeljka, "email": "zeljka@os-djakovo.hr", "name": "Željka Šimić", "partner_id": school,
               "partner": "OŠ Đakovo", "category": "school_network", "language": "hr", "excluded": null})
    );
    assert!(r.body[2]["excluded"].as_str().is_some_and(|w| w.contains("opted out")), "{}", r.body);
    assert_eq!(r.body[3]["contact_id"], ivan);

    // Previews: each contact reads its language, the company its variant.
    let preview = |contact: i64| format!("/api/v1/messages/{m1}/preview?contact={contact}");
    let r = s.call("GET", &preview(ivan), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["for"], "ivan@infobip.com");
    assert_eq!(r.body["subject"], "Za vaše zaposlenike: Sat kodiranja");
    assert_eq!(r.body["text"], "Pozdrav Ivan, pozovite kolege iz Infobip.");
    assert_eq!(r.body["html"], Value::Null);
    let r = s.call("GET", &preview(john), t, None).await;
    assert_eq!(r.body["subject"], "Invitation: Sat kodiranja");
    assert_eq!(r.body["text"], "Dear John,\nwe invite OŠ Đakovo.");
    let r = s.call("GET", &preview(zeljka), t, None).await;
    assert_eq!(r.body["html"], "<p>Pozdrav, Željka!</p>");
    let r = s.call("GET", &format!("/api/v1/messages/{m1}/preview"), t, None).await;
    assert_eq!((r.status, &r.body["for"]), (StatusCode::OK, &json!("zeljka@os-djakovo.hr")));
    for (query, field) in
        [(format!("contact={editor}"), "contact"), ("contact=abc".into(), "contact"), ("colour=red".into(), "query")]
    {
        let r = s.call("GET", &format!("/api/v1/messages/{m1}/preview?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }

    // A reminder to everyone three hours later, whose HTML prints the partner's link, which nobody has
    // yet: fine with the sample data at save, but it renders for no real contact.
    let broken_html = "<p>Hello</p>\n<p>\n<a href=\"{{ link_url }}\">Your page</a></p>";
    let reminder = json!({"title": "Reminder", "send": {"at": instant(30, "12:00:00")},
                          "templates": [template("en", Value::Null, "Reminder", "Hello from {{ campaign.name }}!", broken_html)]});
    let m2 = s.call("POST", &messages, t, Some(reminder)).await;
    assert_eq!(m2.status, StatusCode::CREATED, "{}", m2.body);
    let m2 = m2.id();
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/preview?contact={editor}"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates.html"), "{}", r.body);
    let why = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(why.starts_with("line 3: ") && why.contains("urednik@radio.hr"), "{why}");
    // Queueing it fails the same way, and queues nothing.
    let r = s.call("POST", &format!("/api/v1/messages/{m2}/queue"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates.html"), "{}", r.body);
    let stats = s.call("GET", &format!("/api/v1/messages/{m2}/stats"), t, None).await;
    assert_eq!(stats.body["planned"], 0);
    assert_eq!(s.call("GET", &format!("/api/v1/messages/{m2}"), t, None).await.body["planned_at"], Value::Null);
    let fixed = "<p>Hello</p>\n<p>\n{% if link_url %}<a href=\"{{ link_url }}\">Your page</a>{% endif %}</p>";
    let patch =
        json!({"templates": [template("en", Value::Null, "Reminder", "Hello from {{ campaign.name }}!", fixed)]});
    let r = s.call("PATCH", &format!("/api/v1/messages/{m2}"), t, Some(patch)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Reminder");
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/preview?contact={editor}"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("PATCH", &format!("/api/v1/messages/{m2}"), t, Some(json!({"title": ""}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "title"), "{}", r.body);

    // A thank-you to the schools that evening: their third e-mail within a week, so it waits.
    let thanks = json!({"title": "Thanks", "segment": {"categories": ["school_network"]},
                        "send": {"at": instant(30, "15:00:00")},
                        "templates": [template("en", Value::Null, "Thank you", "Thank you, {{ partner.name }}!", "")]});
    let m3 = s.call("POST", &messages, t, Some(thanks)).await;
    assert_eq!(m3.status, StatusCode::CREATED, "{}", m3.body);
    let m3 = m3.id();
    assert_eq!(s.call("GET", &messages, t, None).await.len(), 3);

    let plan = s.call("GET", &format!("{c}/plan"), t, None).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    // Invitation: 3 contacts; reminder: 4 (not the opted-out one); thanks: the school's 2; and the
    // opted-out contact left out of all three, with why.
    assert_eq!(plan.len(), 12, "{}", plan.body);
    let left_out: Vec<&Value> =
        plan.body.as_array().into_iter().flatten().filter(|l| l["left_out"] == json!(true)).collect();
    assert_eq!(left_out.len(), 3, "{}", plan.body);
    for line in &left_out {
        assert_eq!((&line["email"], &line["at"]), (&json!("no@os-djakovo.hr"), &Value::Null));
        assert!(line["reason"].as_str().is_some_and(|r| r.contains("opted out")), "{line}");
    }
    let changed = s.call("GET", &format!("{c}/plan?changed=true"), t, None).await;
    assert_eq!(changed.len(), 5, "{}", changed.body);
    for line in changed.body.as_array().into_iter().flatten().filter(|l| l["left_out"] == json!(false)) {
        assert_eq!(line["message_id"], m3);
        assert_eq!(line["message"], "Thanks");
        assert_eq!(line["partner"], "OŠ Đakovo");
        assert_eq!(line["wanted"].as_str().map(|w| w.starts_with(&day(30))), Some(true), "{line}");
        assert!(line["at"].as_str() > line["wanted"].as_str(), "{line}");
        assert!(line["reason"].as_str().is_some_and(|r| !r.is_empty()), "{line}");
    }
    let r = s.call("GET", &format!("{c}/plan?changed=maybe"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "changed"), "{}", r.body);

    // Queue the invitation: three e-mails on time, the opted-out contact left out.
    let r = s.call("POST", &format!("/api/v1/messages/{m1}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["queued"], &r.body["on_time"], &r.body["deferred"], &r.body["expired"]),
        (&json!(3), &json!(3), &json!(0), &json!(0))
    );
    assert_eq!(r.body["excluded"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["excluded"][0]["email"], "no@os-djakovo.hr");
    let stats = s.call("GET", &format!("/api/v1/messages/{m1}/stats"), t, None).await;
    assert_eq!(
        stats.body,
        json!({"planned": 3, "deferred": 0, "sending": 0, "sent": 0, "failed": 0, "bounced": 0, "suppressed": 0, "expired": 0, "unsubscribed": 0})
    );
    let got = s.call("GET", &format!("/api/v1/messages/{m1}"), t, None).await;
    assert!(got.body["planned_at"].is_string(), "{}", got.body);
    assert_eq!(got.body["outbox"], stats.body);
    // Queued once; no longer editable; its milestone stays.
    let again = s.call("POST", &format!("/api/v1/messages/{m1}/queue"), t, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let r = s.call("PATCH", &format!("/api/v1/messages/{m1}"), t, Some(json!({"title": "Late edit"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = s.call("DELETE", &format!("/api/v1/milestones/{milestone}"), t, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(s.call("DELETE", &format!("/api/v1/milestones/{spare}"), t, None).await.status, StatusCode::NO_CONTENT);

    // The calendar now counts the queued invitation: the thank-you still waits.
    let changed = s.call("GET", &format!("{c}/plan?changed=true"), t, None).await;
    assert_eq!(changed.len(), 4, "the thank-you's two, and the contact left out of two drafts: {}", changed.body);
    assert_eq!(s.call("GET", &format!("{c}/plan"), t, None).await.len(), 8);

    // The partners' timelines show the queued e-mails.
    let mail = s.call("GET", &format!("/api/v1/partners/{infobip}/mail"), t, None).await;
    assert_eq!(mail.status, StatusCode::OK, "{}", mail.body);
    assert_eq!(mail.len(), 1);
    assert_eq!(mail.body[0]["message_id"], m1);
    assert_eq!(mail.body[0]["message_title"], "Invitation");
    assert_eq!(mail.body[0]["email"], "ivan@infobip.com");
    assert_eq!(mail.body[0]["subject"], "Za vaše zaposlenike: Sat kodiranja");
    assert_eq!(mail.body[0]["status"], "planned");
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{school}/mail"), t, None).await.len(), 2);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{radio}/mail"), t, None).await.len(), 0);

    // A complaint suppresses the radio's editor.
    let suppressions = format!("{c}/suppressions");
    for (body, field) in [
        (json!({"email": "urednik@radio.hr", "reason": "annoyed"}), "reason"),
        (json!({"email": "nope", "reason": "manual"}), "email"),
        (json!({"reason": "manual"}), "email"),
        (json!({"email": "urednik@radio.hr", "reason": "manual", "detail": "x".repeat(501)}), "detail"),
        (json!({"email": "urednik@radio.hr", "reason": "manual", "detail": "bell \u{7}"}), "detail"),
    ] {
        let r = s.call("POST", &suppressions, t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{body}: {}", r.body);
    }
    let r = s
        .call(
            "POST",
            &suppressions,
            t,
            Some(json!({"email": "Urednik@Radio.hr", "reason": "complaint", "detail": "asked us to stop"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/recipients"), t, None).await;
    let editor_line = r.body.as_array().and_then(|a| a.iter().find(|x| x["contact_id"] == editor).cloned());
    assert!(editor_line.is_some_and(|x| x["excluded"].is_string()), "{}", r.body);

    // The variables templates may use, for the editor.
    let vars = s.call("GET", "/api/v1/template-variables", t, None).await;
    assert_eq!(vars.status, StatusCode::OK);
    assert!(
        vars.body.as_array().into_iter().flatten().any(|v| v["name"] == "partner.name" && v["description"].is_string())
    );
    assert_eq!(s.call("GET", "/api/v1/template-variables", None, None).await.status, StatusCode::UNAUTHORIZED);

    // Queueing the reminder, then the thank-you: the school's third e-mail of the week waits, and the
    // message's statistics say so the same way the queue's answer does.
    let r = s.call("POST", &format!("/api/v1/messages/{m2}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("POST", &format!("/api/v1/messages/{m3}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["queued"], &r.body["on_time"], &r.body["deferred"]), (&json!(2), &json!(0), &json!(2)));
    let stats = s.call("GET", &format!("/api/v1/messages/{m3}/stats"), t, None).await;
    assert_eq!((&stats.body["planned"], &stats.body["deferred"]), (&json!(0), &json!(2)), "{}", stats.body);

    // Team-written mail is marketing or service; "transactional" is Rally's own and refused by name.
    let r = s
        .call(
            "POST",
            &messages,
            t,
            Some(json!({"title": "Receipt", "kind": "transactional", "send": {"at": instant(30, "10:00:00")},
                        "templates": [template("en", Value::Null, "S", "T", "")]})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "kind"), "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("service")), "{}", r.body);

    // A draft goes; ids that cannot exist are not found.
    assert_eq!(s.call("DELETE", &format!("/api/v1/messages/{m3}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/messages/{m3}"), t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/messages/abc", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/messages/abc/stats", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("DELETE", "/api/v1/milestones/x", t, None).await.status, StatusCode::NOT_FOUND);
}

/// Reading the plan is for the whole team, changing it for owners and coordinators; outsiders learn
/// nothing. Test e-mails go to the caller only, and a server without mail says so.
async fn comms_rights_follow_roles(s: Server) {
    let (_, owner) = s.user("owner").await;
    let (coord_id, coord) = s.user("coord").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("rights"))).await.id();
    s.join(&owner, cid, coord_id, "coordinator").await;
    s.join(&owner, cid, viewer_id, "viewer").await;
    let partner = s.partner(&owner, "rights", json!({"name": "OŠ Đakovo", "category": "school_network"})).await;
    contact(
        &s,
        &owner,
        partner,
        json!({"name": "Željka Šimić", "email": "zeljka@os-djakovo.hr", "consent": "opted_in"}),
    )
    .await;
    let message = |title: &str| {
        json!({"title": title, "send": {"at": instant(20, "09:00:00")},
               "templates": [{"language": "en", "subject": "Hello", "text": "Hello, {{ contact.first_name }}!"}]})
    };
    let created =
        s.call("POST", "/api/v1/campaigns/rights/messages", Some(&coord), Some(message("By the coordinator"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let m = created.id();
    let milestone = s
        .call(
            "POST",
            "/api/v1/campaigns/rights/milestones",
            Some(&owner),
            Some(json!({"kind": "other", "title": "M", "on": day(9)})),
        )
        .await
        .id();
    let settings = json!({"from_name": "X", "from_address": "x@example.org"});
    let suppression = json!({"email": "zeljka@os-djakovo.hr", "reason": "manual"});

    // (who, token, method, path, body, expected)
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/messages".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/recipients"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/preview"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/stats"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/plan".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/mail-settings".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/milestones".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/partners/{partner}/mail"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "POST", "/api/v1/campaigns/rights/messages".into(), message("X"), StatusCode::FORBIDDEN),
        ("viewer", &viewer, "PATCH", format!("/api/v1/messages/{m}"), json!({"title": "X"}), StatusCode::FORBIDDEN),
        ("viewer", &viewer, "POST", format!("/api/v1/messages/{m}/queue"), Value::Null, StatusCode::FORBIDDEN),
        ("viewer", &viewer, "DELETE", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/milestones".into(),
            json!({"kind": "other", "title": "X", "on": day(3)}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "DELETE", format!("/api/v1/milestones/{milestone}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::FORBIDDEN,
        ),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/messages".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/recipients"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/preview"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/stats"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "POST", format!("/api/v1/messages/{m}/queue"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "PATCH", format!("/api/v1/messages/{m}"), json!({"title": "X"}), StatusCode::NOT_FOUND),
        ("outsider", &outsider, "DELETE", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/plan".into(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/mail-settings".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/milestones".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "DELETE",
            format!("/api/v1/milestones/{milestone}"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "GET", format!("/api/v1/partners/{partner}/mail"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "coordinator",
            &coord,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::OK,
        ),
        (
            "coordinator",
            &coord,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::NO_CONTENT,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
    }
    // The viewer changed nothing.
    let got = s.call("GET", &format!("/api/v1/messages/{m}"), Some(&owner), None).await;
    assert_eq!((&got.body["title"], &got.body["planned_at"]), (&json!("By the coordinator"), &Value::Null));

    // Test e-mails: never to an address from the body; without a mail transport, a clear 503.
    let test_send = format!("/api/v1/messages/{m}/test-send");
    let r = s.call("POST", &test_send, Some(&coord), Some(json!({"to": "someone@elsewhere.org"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "to"), "{}", r.body);
    let r = s.call("POST", &test_send, Some(&coord), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.body["detail"], "this server sends no mail");

    // The coordinator queues; the owner deletes a queued message nothing of which was sent yet.
    let r = s.call("POST", &format!("/api/v1/messages/{m}/queue"), Some(&coord), None).await;
    assert_eq!((r.status, &r.body["queued"]), (StatusCode::OK, &json!(0)), "{}", r.body);
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/messages/{m}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
}

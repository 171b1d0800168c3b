//! Helpers shared by the tests of this binary: the servers under test with their clients (the JSON API
//! with its tokens; a browser with its session, forms and uploads), fixtures, the files and bytes the
//! tests send, and dates relative to today.

use std::sync::Arc;

use chrono::{Duration, Utc};
use rally_domain::{CampaignDraft, Category, Email, PartnerDraft, PartnerId, Role, UserId};
use rally_store::{Actor, Store};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

/// A fresh directory of its own in the system's temporary directory.
pub(crate) fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rally-web-test-{}", rally_web::auth::random_token()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// A fresh file store in the system's temporary directory.
pub(crate) fn test_files() -> rally_files::FileStore {
    rally_files::FileStore::open(tempfile_dir()).unwrap_or_else(|e| panic!("file store: {e}"))
}

/// The day `days` from today (before it, when negative), as `YYYY-MM-DD`.
pub(crate) fn day(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

/// An instant `days` from today at `time` (UTC), as RFC 3339.
pub(crate) fn instant(days: i64, time: &str) -> String {
    format!("{}T{time}Z", day(days))
}

// The JSON API, called with API tokens.

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) store: Arc<dyn Store>,
}

/// A request's status and JSON body (or `Value::Null` for an empty body).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) bytes: Vec<u8>,
    pub(crate) body: Value,
}

impl Reply {
    /// The `field` of the first error of a problem document.
    pub(crate) fn field(&self) -> &str {
        self.body["errors"][0]["field"].as_str().unwrap_or_default()
    }

    /// The `id` of the JSON body.
    pub(crate) fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("no id in {} {}", self.status, self.body))
    }

    /// A response header, or "".
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The length of the JSON array body.
    pub(crate) fn len(&self) -> usize {
        self.body.as_array().map_or_else(|| panic!("not an array: {} {}", self.status, self.body), Vec::len)
    }

    /// The length of an array field of the JSON body.
    pub(crate) fn len_of(&self, field: &str) -> usize {
        self.body[field].as_array().map_or_else(|| panic!("no array {field}: {} {}", self.status, self.body), Vec::len)
    }
}

impl Server {
    pub(crate) async fn start(store: Arc<dyn Store>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let state = rally_web::AppState::new(store.clone(), test_files(), rally_web::PublicUrl::for_listener(addr));
        tokio::spawn(rally_web::serve(listener, state, std::future::pending()));
        Server { base: format!("http://{addr}"), http: reqwest::Client::new(), store }
    }

    /// A user with an API token.
    pub(crate) async fn user(&self, name: &str) -> (rally_domain::UserId, String) {
        let email = Email::parse(&format!("{name}@example.org")).unwrap_or_else(|e| panic!("{e}"));
        let user = self.store.create_user(&email, name, None).await.unwrap_or_else(|e| panic!("{e}"));
        let (token, hash) = rally_web::auth::new_api_token();
        self.store.create_api_token(user.id, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
        (user.id, token)
    }

    pub(crate) async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
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

    pub(crate) async fn raw(&self, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
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
    pub(crate) async fn upload(
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
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.body(body).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::reply(resp).await
    }

    /// Creates a partner in a campaign and returns its id.
    pub(crate) async fn partner(&self, token: &str, campaign: &str, body: Value) -> i64 {
        let r = self.call("POST", &format!("/api/v1/campaigns/{campaign}/partners"), Some(token), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.id()
    }

    /// Puts a user on a campaign's team.
    pub(crate) async fn join(&self, owner: &str, campaign: i64, user: rally_domain::UserId, role: &str) {
        let path = format!("/api/v1/campaigns/{campaign}/team/{user}");
        let r = self.call("PUT", &path, Some(owner), Some(json!({"role": role}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// The text fields of a form.
pub(crate) type Fields<'a> = Vec<(&'a str, &'a str)>;

/// A file in a form: the field, the file name, the bytes.
pub(crate) type FilePart<'a> = (&'a str, &'a str, &'a [u8]);

/// A real 1×1 PNG, as an encoder wrote it.
pub(crate) const PNG_1X1: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba,
    0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A complete, minimal PDF.
pub(crate) const PDF: &[u8] =
    b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The start of a Windows program: an MZ header pointing at a PE header.
pub(crate) fn windows_program() -> Vec<u8> {
    let mut out = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    out.resize(0x3C, 0);
    out.extend_from_slice(&0x40u32.to_le_bytes());
    out.extend_from_slice(b"PE\0\0\x4c\x01");
    out.resize(512, 0);
    out
}

/// A `multipart/form-data` body and its content type.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<FilePart<'_>>) -> (String, Vec<u8>) {
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

pub(crate) fn campaign_body(slug: &str) -> Value {
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

/// Adds a contact to a partner and returns its id.
pub(crate) async fn contact(s: &Server, token: &str, partner: i64, body: Value) -> i64 {
    let r = s.call("POST", &format!("/api/v1/partners/{partner}/contacts"), Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

// The web app, used as a browser uses it.

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct Site {
    pub(crate) base: String,
    pub(crate) store: Arc<dyn Store>,
    /// The file store's directory.
    pub(crate) files: std::path::PathBuf,
}

/// A browser: a cookie jar, no automatic redirects (tests look at them).
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) body: String,
}

impl Site {
    pub(crate) async fn start(store: Arc<dyn Store>) -> Site {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let files = test_files();
        let dir = files.dir().to_path_buf();
        tokio::spawn(rally_web::serve(
            listener,
            rally_web::AppState::new(store.clone(), files, rally_web::PublicUrl::for_listener(addr)),
            std::future::pending(),
        ));
        Site { base: format!("http://{addr}"), store, files: dir }
    }

    pub(crate) async fn user(&self, name: &str) -> UserId {
        let email = Email::parse(&format!("{name}@example.org")).unwrap_or_else(|e| panic!("{e}"));
        let hash = rally_web::auth::hash_password(PASSWORD).unwrap_or_else(|e| panic!("{e}"));
        self.store.create_user(&email, name, Some(&hash)).await.unwrap_or_else(|e| panic!("{e}")).id
    }

    pub(crate) fn browser(&self) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        Browser { http, base: self.base.clone() }
    }

    /// A browser signed in as `name`.
    pub(crate) async fn signed_in(&self, name: &str) -> Browser {
        let b = self.browser();
        let page = b.sign_in(&format!("{name}@example.org"), PASSWORD, "/campaigns").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{name} could not sign in: {}", page.body);
        b
    }

    /// A campaign owned by `owner`, with a team.
    pub(crate) async fn campaign(&self, owner: UserId, team: &[(UserId, Role)]) -> rally_domain::CampaignId {
        let fields = CampaignDraft {
            name: Some("Sat kodiranja".into()),
            slug: Some("hr".into()),
            languages: Some(vec!["hr".into()]),
            goal_students: Some(1000),
            starts_on: Some("2026-12-07".parse().unwrap_or_default()),
            ends_on: Some("2026-12-13".parse().unwrap_or_default()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        let c = self.store.create_campaign(Actor::User(owner), fields).await.unwrap_or_else(|e| panic!("{e}"));
        self.store.set_published(Actor::User(owner), c.id, true).await.unwrap_or_else(|e| panic!("{e}"));
        for (user, role) in team {
            self.store.set_role(Actor::User(owner), c.id, *user, *role).await.unwrap_or_else(|e| panic!("{e}"));
        }
        c.id
    }

    pub(crate) async fn partner(&self, owner: UserId, campaign: rally_domain::CampaignId, name: &str) -> PartnerId {
        let fields = PartnerDraft {
            name: Some(name.into()),
            category: Some(Category::Media),
            reach: Some(5000),
            owner_id: Some(Some(owner)),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        self.store.create_partner(Actor::System, campaign, fields).await.unwrap_or_else(|e| panic!("{e}")).id
    }
}

pub(crate) fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}

impl Browser {
    pub(crate) async fn reply(resp: reqwest::Response) -> Page {
        let status = resp.status();
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Page { status, location, body: resp.text().await.unwrap_or_default() }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        Self::reply(
            self.http.get(format!("{}{path}", self.base)).send().await.unwrap_or_else(|e| panic!("{path}: {e}")),
        )
        .await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self.http.post(format!("{}{path}", self.base)).form(form).send().await;
        Self::reply(resp.unwrap_or_else(|e| panic!("{path}: {e}"))).await
    }

    /// The session's CSRF token, read from a page as the browser would.
    pub(crate) async fn csrf(&self) -> String {
        hidden(&self.get("/campaigns").await.body, "csrf")
    }

    /// Posts a form with the session's CSRF token added.
    pub(crate) async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut fields = vec![("csrf", token.as_str())];
        fields.extend_from_slice(form);
        self.post(path, &fields).await
    }

    pub(crate) async fn sign_in(&self, email: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/login?next={next}")).await;
        let token = hidden(&form.body, "csrf");
        self.post("/login", &[("csrf", &token), ("next", next), ("email", email), ("password", password)]).await
    }

    /// Posts a multipart form (with the session's CSRF token first, as the page's forms send it).
    pub(crate) async fn upload(&self, path: &str, fields: &[(&str, &str)], file: Option<(&str, Vec<u8>)>) -> Page {
        let mut form = Form::new().text("csrf", self.csrf().await);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
        }
        let resp = self.http.post(format!("{}{path}", self.base)).multipart(form).send().await;
        Browser::reply(resp.unwrap_or_else(|e| panic!("{path}: {e}"))).await
    }
}

/// The calendar feed's address as the Tasks page shows it, once, after it is made.
pub(crate) fn calendar_url(body: &str) -> String {
    body.split("id=\"calendar-url\" class=\"copy\" readonly value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

//! The audit log over real HTTP: the owners' page with its filters and CSV download, the API's pages
//! of entries, refusals for everyone else, and a failed sign-in recorded with the client's address as
//! a trusted proxy forwards it (and only then).

use rally_domain::Role;
use rally_store::{Actor, AuditFilter};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{PASSWORD, Site, test_files};

both_backends!(
    Site;
    owners_read_filter_and_download_the_audit_log,
    the_api_pages_through_the_log_for_owners_only,
    a_failed_sign_in_is_recorded_from_the_trusted_proxys_client_only,
);

/// The table of the page, without the form (whose options name every action).
fn table(body: &str) -> &str {
    body.split("<table class=\"audit\">").nth(1).unwrap_or_default()
}

async fn owners_read_filter_and_download_the_audit_log(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    site.user("zed").await;
    let c = site.campaign(ana, &[(mia, Role::Coordinator)]).await;
    let p = site.partner(ana, c, "=HYPERLINK(\"http://evil\")").await;
    site.store.delete_partner(Actor::User(ana), p).await.unwrap_or_else(|e| panic!("{e}"));

    let owner = site.signed_in("ana").await;
    let page = owner.get("/campaigns/hr/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("href=\"/campaigns/hr/audit\" aria-current=\"page\">Audit log"), "owners' navigation");
    let rows = table(&page.body);
    for seen in ["Signed in", "Changed a role", "Deleted a partner", "mia@example.org", "ana@example.org"] {
        assert!(rows.contains(seen), "{seen} in {rows}");
    }
    assert!(rows.contains("to: coordinator"), "the detail in words: {rows}");
    assert!(!rows.contains("<ana@"), "names and addresses are escaped");
    assert!(rows.contains("127.0.0.1 (web)"), "where Ana signed in from: {rows}");

    // Filters: an action, a person, text in the target; the form keeps them.
    let roles = owner.get("/campaigns/hr/audit?action=role_changed&user=&from=&to=&target=").await;
    assert_eq!(roles.status, StatusCode::OK);
    assert!(table(&roles.body).contains("Changed a role") && !table(&roles.body).contains("Signed in"));
    assert!(roles.body.contains("value=\"role_changed\" selected"));
    let about = owner.get("/campaigns/hr/audit?target=HYPERLINK").await;
    assert!(table(&about.body).contains("Deleted a partner") && !table(&about.body).contains("Changed a role"));
    let mine = owner.get(&format!("/campaigns/hr/audit?user={}", mia.0)).await;
    assert!(mine.body.contains("No entries match these filters"), "Mia did nothing yet: {}", mine.body);
    let bad = owner.get("/campaigns/hr/audit?from=2026-13-01&target=Mia").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("From: give a day as YYYY-MM-DD."), "{}", bad.body);
    assert!(bad.body.contains("value=\"2026-13-01\"") && bad.body.contains("value=\"Mia\""), "nothing typed is lost");

    // The CSV: the same filters, a header, formula cells neutralized; the download is itself recorded.
    let csv = owner.http.get(format!("{}/campaigns/hr/audit.csv?target=hyperlink", owner.base)).send().await;
    let csv = csv.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
    let text = csv.text().await.unwrap_or_default();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("id,at,action,what,actor,"), "{}", lines[0]);
    assert!(lines[1].contains("partner_deleted") && lines[1].contains("'=HYPERLINK"), "{}", lines[1]);
    let downloads = owner.get("/campaigns/hr/audit?action=personal_data_exported").await;
    assert!(table(&downloads.body).contains("export: audit log"), "{}", downloads.body);
    // A partner export from the partner list is a download of personal data too.
    let export = owner.get("/campaigns/hr/export/contacts.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    let downloads = owner.get("/campaigns/hr/audit?action=personal_data_exported").await;
    assert!(table(&downloads.body).contains("export: contacts"), "{}", downloads.body);

    // A coordinator is refused and has no link; an outsider finds nothing.
    let coordinator = site.signed_in("mia").await;
    assert_eq!(coordinator.get("/campaigns/hr/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(coordinator.get("/campaigns/hr/audit.csv").await.status, StatusCode::FORBIDDEN);
    assert!(!coordinator.get("/campaigns/hr").await.body.contains("/audit\""));
    let outsider = site.signed_in("zed").await;
    assert_eq!(outsider.get("/campaigns/hr/audit").await.status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get("/campaigns/hr/audit.csv").await.status, StatusCode::NOT_FOUND);
}

async fn the_api_pages_through_the_log_for_owners_only(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Coordinator)]).await;
    let store = site.store.clone();
    let token = |user| {
        let store = store.clone();
        async move {
            let (token, hash) = rally_web::auth::new_api_token();
            store.create_api_token(user, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
            token
        }
    };
    let (ana_token, mia_token) = (token(ana).await, token(mia).await);
    let http = reqwest::Client::new();
    let get = |path: String, token: String| {
        let http = http.clone();
        let url = format!("{}{path}", site.base);
        async move {
            let resp = http.get(url).bearer_auth(token).send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = resp.status();
            let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
            (status, content_type, resp.text().await.unwrap_or_default())
        }
    };

    // Pages of two, newest first.
    let base = format!("/api/v1/campaigns/{}/audit", c.0);
    let mut ids = Vec::new();
    let mut path = format!("{base}?limit=2");
    loop {
        let (status, _, body) = get(path.clone(), ana_token.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        let entries = page["entries"].as_array().cloned().unwrap_or_default();
        assert!(entries.len() <= 2);
        ids.extend(entries.iter().filter_map(|e| e["id"].as_i64()));
        match page["next"].as_i64() {
            Some(next) => path = format!("{base}?limit=2&before={next}"),
            None => break,
        }
    }
    // Publishing the campaign, Mia's role, and the two tokens (the owner's own membership comes
    // with the campaign, unrecorded).
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] > w[1]));

    let (status, _, body) = get(format!("{base}?action=token_created"), ana_token.clone()).await;
    let page: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(status, StatusCode::OK);
    let entry = &page["entries"][0];
    assert_eq!((entry["action"].as_str(), entry["target"].as_str()), (Some("token_created"), Some("test")));
    // Tokens are made outside a request here: the operator's work.
    assert_eq!((entry["via"].as_str(), entry["actor"].as_str()), (Some("cli"), Some("operator")));

    let (status, _, body) = get(format!("{base}?action=dropped&from=yesterday"), ana_token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap_or_default();
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["action", "from"], "{body}");
    let (status, content_type, csv) = get(format!("{base}.csv?action=role_changed"), ana_token.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.unwrap_or_default().starts_with("text/csv"));
    assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), 2, "{csv}");
    // The API's own calls are recorded as the API's.
    let (_, _, body) = get(format!("{base}?action=personal_data_exported"), ana_token.clone()).await;
    let page: Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(page["entries"][0]["via"].as_str(), Some("api"), "{body}");
    assert_eq!(page["entries"][0]["client_address"].as_str(), Some("127.0.0.1"), "{body}");

    assert_eq!(get(base.clone(), mia_token.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(format!("{base}.csv"), mia_token).await.0, StatusCode::FORBIDDEN);
    let zed = site.user("zed").await;
    assert_eq!(get(base.clone(), token(zed).await).await.0, StatusCode::NOT_FOUND);
}

async fn a_failed_sign_in_is_recorded_from_the_trusted_proxys_client_only(site: Site) {
    site.user("ana").await;
    // The same database behind a proxy Rally trusts (this machine).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let proxies = rally_web::TrustedProxies::parse(&["127.0.0.1"]).unwrap_or_else(|e| panic!("{e}"));
    let state = rally_web::AppState::new(site.store.clone(), test_files(), rally_web::PublicUrl::for_listener(addr))
        .with_trusted_proxies(proxies);
    tokio::spawn(rally_web::serve(listener, state, std::future::pending()));

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build();
    let http = http.unwrap_or_else(|e| panic!("{e}"));
    let sign_in = |base: String, password: &'static str| {
        let http = http.clone();
        async move {
            let resp = http
                .post(format!("{base}/login"))
                .header("x-forwarded-for", "203.0.113.5")
                .header("user-agent", "Firefox/140 (audit test)")
                .header("cookie", "rally_login=t")
                .form(&[("csrf", "t"), ("next", "/campaigns"), ("email", "ana@example.org"), ("password", password)])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            resp.status()
        }
    };
    assert_eq!(sign_in(format!("http://{addr}"), "wrong guess").await, StatusCode::UNAUTHORIZED);
    // Straight to Rally, the same header is the client's own invention.
    assert_eq!(sign_in(site.base.clone(), "another guess").await, StatusCode::UNAUTHORIZED);

    let failed = AuditFilter { action: Some(rally_domain::AuditAction::SignInFailed), ..AuditFilter::default() };
    let entries = site.store.audit_entries(Actor::System, None, &failed).await.unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<(Option<&str>, Option<&str>, &str)> = entries
        .entries
        .iter()
        .map(|e| (e.client_address.as_deref(), e.user_agent.as_deref(), e.via.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("127.0.0.1"), Some("Firefox/140 (audit test)"), "web"),
            (Some("203.0.113.5"), Some("Firefox/140 (audit test)"), "web"),
        ]
    );
    for e in &entries.entries {
        assert_eq!(e.target.as_deref(), Some("ana@example.org"));
        assert!(e.request_id.as_deref().is_some_and(|id| !id.is_empty()));
        let text = serde_json::to_string(e).unwrap_or_default();
        assert!(!text.contains("guess"), "no password is kept: {text}");
    }
    // The right password: a sign-in, from the proxy's client.
    assert_eq!(sign_in(format!("http://{addr}"), PASSWORD).await, StatusCode::SEE_OTHER);
    let all = site.store.audit_entries(Actor::System, None, &AuditFilter::default()).await;
    let newest = all.unwrap_or_else(|e| panic!("{e}")).entries.remove(0);
    assert_eq!(
        (newest.action, newest.client_address.as_deref()),
        (rally_domain::AuditAction::SignIn, Some("203.0.113.5"))
    );
}

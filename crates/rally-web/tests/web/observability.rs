//! What an operator sees of a running server: `/metrics` as Prometheus's own parser reads it (the
//! Python client's `prometheus_client.parser`), its token, request ids in answers and problem
//! documents, one log line per request naming its route template and nothing personal, and the
//! public site's registrations and confirmations counted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use rally_domain::comms::OutboxStatus;
use rally_store::Store;
use reqwest::StatusCode;
use serde_json::Value;

use crate::site::{campaign, mailed_link, post, registration, visitor};
use crate::support::{Site, test_files};

both_backends!(
    Site;
    metrics_show_every_name_in_prometheus_text,
    the_metrics_token_is_asked_for,
    requests_carry_their_id_into_answers_and_problems,
    each_request_logs_one_line_with_its_route_template,
    registrations_confirmations_and_requests_are_counted,
);

/// Every sample name a scrape shows, whatever has happened yet.
const EVERY_NAME: [&str; 20] = [
    "rally_http_requests_total",
    "rally_http_request_duration_seconds_bucket",
    "rally_http_request_duration_seconds_sum",
    "rally_http_request_duration_seconds_count",
    "rally_outbox_emails",
    "rally_outbox_oldest_due_age_seconds",
    "rally_db_pool_connections",
    "rally_db_pool_max_connections",
    "rally_db_pool_acquire_waits_total",
    "rally_db_pool_acquire_wait_seconds_total",
    "rally_event_registrations_total",
    "rally_event_confirmations_total",
    "rally_import_rows_total",
    "rally_outbox_claims_total",
    "rally_outbox_sends_total",
    "rally_outbox_deferrals_total",
    "rally_outbox_retries_total",
    "rally_outbox_bounces_total",
    "rally_outbox_expirations_total",
    "rally_build_info",
];

/// One sample of a scrape.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape as Prometheus's Python client parses it: each family's type, and every sample.
#[derive(Debug)]
struct Scrape {
    types: BTreeMap<String, String>,
    samples: Vec<Sample>,
}

const PARSER: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    samples = [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples]
    out.append({"name": family.name, "type": family.type, "samples": samples})
json.dump(out, sys.stdout)
"#;

impl Scrape {
    /// Parses `text` with `prometheus_client.parser`, which refuses what is not the text format.
    fn parse(text: &str) -> Scrape {
        let mut python = Command::new("python3")
            .args(["-c", PARSER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 is needed: {e}"));
        python
            .stdin
            .take()
            .unwrap_or_else(|| panic!("no stdin"))
            .write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let out = python.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "the scrape does not parse (pip install prometheus-client if the module is missing): {err}\n{text}"
        );
        let families: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        let mut scrape = Scrape { types: BTreeMap::new(), samples: Vec::new() };
        for family in families {
            let name = family["name"].as_str().unwrap_or_default().to_owned();
            scrape.types.insert(name, family["type"].as_str().unwrap_or_default().to_owned());
            for s in family["samples"].as_array().into_iter().flatten() {
                let labels = s["labels"].as_object().into_iter().flatten();
                scrape.samples.push(Sample {
                    name: s["name"].as_str().unwrap_or_default().to_owned(),
                    labels: labels.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect(),
                    value: s["value"].as_f64().unwrap_or(f64::NAN),
                });
            }
        }
        scrape
    }

    /// The samples of `name` whose labels include `labels`.
    fn find(&self, name: &str, labels: &[(&str, &str)]) -> Vec<&Sample> {
        self.samples
            .iter()
            .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(v)))
            .collect()
    }

    /// The value of the one sample of `name` with `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        match self.find(name, labels)[..] {
            [one] => one.value,
            ref other => panic!("{name} {labels:?}: {other:?}"),
        }
    }
}

/// A server over `store` whose state `configure` finishes; returns its base URL.
async fn serve(store: Arc<dyn Store>, configure: impl FnOnce(rally_web::AppState) -> rally_web::AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let state = rally_web::AppState::new(store, test_files(), rally_web::PublicUrl::for_listener(addr));
    tokio::spawn(rally_web::serve(listener, configure(state), std::future::pending()));
    format!("http://{addr}")
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn metrics_show_every_name_in_prometheus_text(site: Site) {
    // A route and a path no route takes, counted before the scrape.
    assert_eq!(get(&format!("{}/livez", site.base), &[]).await.status(), StatusCode::OK);
    let unmatched = get(&format!("{}/nothing/here/ana@example.org", site.base), &[]).await;
    assert_eq!(unmatched.status(), StatusCode::NOT_FOUND);
    let r = get(&format!("{}/metrics", site.base), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
    let scrape = Scrape::parse(&r.text().await.unwrap_or_default());

    let names: BTreeSet<&str> = scrape.samples.iter().map(|s| s.name.as_str()).collect();
    let missing: Vec<&str> = EVERY_NAME.into_iter().filter(|n| !names.contains(n)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in {names:?}");
    assert_eq!(scrape.types["rally_http_request_duration_seconds"], "histogram", "buckets, not a summary");
    assert_eq!(scrape.types["rally_http_requests"], "counter");
    assert_eq!(scrape.types["rally_outbox_emails"], "gauge");

    let build = scrape.find("rally_build_info", &[("backend", site.store.backend())]);
    assert_eq!(build.len(), 1, "{build:?}");
    assert_eq!((build[0].value, build[0].labels["version"].as_str()), (1.0, env!("CARGO_PKG_VERSION")));
    assert!(!build[0].labels["commit"].is_empty());
    for status in OutboxStatus::ALL {
        assert_eq!(scrape.value("rally_outbox_emails", &[("status", status.as_str())]), 0.0, "{status:?}");
    }
    assert_eq!(scrape.value("rally_outbox_oldest_due_age_seconds", &[]), 0.0);
    let pool = |state| scrape.value("rally_db_pool_connections", &[("state", state)]);
    assert!(pool("idle") + pool("in_use") <= scrape.value("rally_db_pool_max_connections", &[]));

    // Routes are templates, whichever test of this process made the request.
    let routes: BTreeSet<&str> =
        scrape.find("rally_http_requests_total", &[]).iter().map(|s| s.labels["route"].as_str()).collect();
    assert!(routes.contains("/livez") && routes.contains("unmatched"), "{routes:?}");
    for route in &routes {
        assert!(*route == "unmatched" || route.starts_with('/'), "{route}");
        assert!(!route.contains('@') && !route.contains("example.org"), "a raw path as a label: {route}");
    }
    assert!(
        scrape.find("rally_http_requests_total", &[("method", "GET"), ("route", "/livez"), ("status", "200")])[0].value
            >= 1.0
    );
}

async fn the_metrics_token_is_asked_for(site: Site) {
    let base = serve(site.store.clone(), |s| s.with_metrics_token(Some("metrics-s3cret".into()))).await;
    let url = format!("{base}/metrics");
    let none = get(&url, &[]).await;
    assert_eq!(
        (none.status(), header(&none, "www-authenticate").starts_with("Bearer")),
        (StatusCode::UNAUTHORIZED, true)
    );
    for wrong in ["Bearer metrics-s3cre", "Bearer metrics-s3cret2", "Basic metrics-s3cret", "metrics-s3cret"] {
        assert_eq!(get(&url, &[("authorization", wrong)]).await.status(), StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let right = get(&url, &[("authorization", "Bearer metrics-s3cret")]).await;
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap_or_default().contains("rally_build_info{"));
    // Without a token, /metrics is open (for the monitoring network only).
    assert_eq!(get(&format!("{}/metrics", site.base), &[]).await.status(), StatusCode::OK);
    // A blank token closes it.
    let closed = serve(site.store.clone(), |s| s.with_metrics_token(Some(String::new()))).await;
    assert_eq!(
        get(&format!("{closed}/metrics"), &[("authorization", "Bearer ")]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn requests_carry_their_id_into_answers_and_problems(site: Site) {
    let livez = format!("{}/livez", site.base);
    let given = get(&livez, &[("x-request-id", "support-ticket-42")]).await;
    assert_eq!(header(&given, "x-request-id"), "support-ticket-42");
    let made = header(&get(&livez, &[]).await, "x-request-id");
    assert!(made.len() == 16 && made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
    assert_ne!(made, header(&get(&livez, &[]).await, "x-request-id"), "each request its own");
    let long = "x".repeat(65);
    for insane in ["two words", long.as_str()] {
        let replaced = header(&get(&livez, &[("x-request-id", insane)]).await, "x-request-id");
        assert!(replaced != insane && replaced.len() == 16, "{insane} became {replaced}");
    }

    // Problem documents name their request: from a handler (401), the router (404) and its method
    // fallback (405).
    let http = reqwest::Client::new();
    let answers = [
        http.get(format!("{}/api/v1/campaigns", site.base)).header("x-request-id", "problem-401"),
        http.get(format!("{}/api/v1/no-such-thing", site.base)).header("x-request-id", "problem-404"),
        http.delete(format!("{}/api/v1/openapi.json", site.base)).header("x-request-id", "problem-405"),
    ];
    for (request, status) in answers.into_iter().zip([401, 404, 405]) {
        let r = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.status().as_u16(), header(&r, "content-type").as_str()), (status, "application/problem+json"));
        let id = header(&r, "x-request-id");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(
            (body["request_id"].as_str(), body["status"].as_u64()),
            (Some(id.as_str()), Some(u64::from(status)))
        );
        assert_eq!(id, format!("problem-{status}"));
    }
    // The pages' error pages carry it in their header too.
    let page = get(&format!("{}/c/no-such-campaign/", site.base), &[]).await;
    assert_eq!((page.status(), header(&page, "x-request-id").len()), (StatusCode::NOT_FOUND, 16));
}

/// The log lines a test's subscriber wrote, as JSON.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}

async fn each_request_logs_one_line_with_its_route_template(site: Site) {
    // The server runs on this test's thread (a current-thread runtime), so this thread's subscriber
    // sees everything it logs.
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let requests = [
        ("log-organizer", "/c/sk/e/12.1.organizer-secret-signature", "/c/{slug}/e/{token}", 404),
        ("log-partner", "/p/partner-link-secret-token", "/p/{token}", 404),
        ("log-unmatched", "/unsubscribe-me/ana.kovac@skola.example.org", "unmatched", 404),
        ("log-query", "/livez?email=ivan.horvat%40skola.example.org", "/livez", 200),
    ];
    for (id, path, _, _) in requests {
        let headers = [("x-request-id", id), ("user-agent", "secret-agent/7.0")];
        get(&format!("{}{path}", site.base), &headers).await;
    }

    let text = logs.text();
    let lines: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    for (id, _, route, status) in requests {
        let mine: Vec<&Value> =
            lines.iter().filter(|l| l["target"] == "rally::http" && l["fields"]["request_id"] == id).collect();
        assert_eq!(mine.len(), 1, "one line for {id}: {text}");
        let fields = mine[0]["fields"].as_object().cloned().unwrap_or_default();
        let keys: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["message", "method", "route", "status", "latency_ms", "request_id"]));
        assert_eq!((mine[0]["level"].as_str(), fields["method"].as_str()), (Some("INFO"), Some("GET")));
        assert_eq!((fields["route"].as_str(), fields["status"].as_u64()), (Some(route), Some(status)), "{id}");
        assert!(fields["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    }
    for secret in ["organizer-secret", "partner-link-secret", "ana.kovac", "ivan.horvat", "secret-agent", "127.0.0.1"] {
        assert!(!text.contains(secret), "{secret} is in the log:\n{text}");
    }
}

async fn registrations_confirmations_and_requests_are_counted(site: Site) {
    // A recorder of this thread's own (where this test's server runs), so no other test's counts mix in.
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let counted = recorder.handle();
    let _counting = metrics::set_default_local_recorder(&recorder);
    let owner = site.user("ana").await;
    campaign(&site, owner, "obs", None).await;
    let b = visitor(&site);
    for students in ["30", "28"] {
        let page = post(&b, "/c/obs/register", &registration("Ivana Kovač", "ivana@skola.example.org", students)).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let (_, link) = mailed_link(&*site.store, "ivana@skola.example.org").await;
    for _ in 0..2 {
        assert_eq!(b.post(&format!("{link}/confirm"), &[]).await.status, StatusCode::SEE_OTHER);
    }

    let scrape = Scrape::parse(&counted.render());
    assert_eq!(scrape.value("rally_event_registrations_total", &[]), 2.0, "a new registration and its update");
    assert_eq!(scrape.value("rally_event_confirmations_total", &[]), 1.0, "the second click confirms nothing new");
    let register = [("method", "POST"), ("route", "/c/{slug}/register"), ("status", "200")];
    assert_eq!(scrape.value("rally_http_requests_total", &register), 2.0);
    assert_eq!(scrape.value("rally_http_request_duration_seconds_count", &register), 2.0);
    let confirm = [("method", "POST"), ("route", "/c/{slug}/e/{token}/confirm"), ("status", "303")];
    assert_eq!(scrape.value("rally_http_requests_total", &confirm), 2.0);
}

//! `/metrics` in Prometheus's text format, and the process's metrics recorder behind it.
//!
//! What is counted as it happens (requests, registrations, imports, deliveries) goes through the
//! `metrics` facade into one recorder per process, installed the first time an [`AppState`] is made
//! and rendered with `PrometheusHandle::render`. What belongs to the database (the outbox, the
//! connection pool) and the build is read at each scrape from this server's own store and written
//! after it: several servers in one process (as in the tests) each show their own.
//!
//! `/metrics` is open unless a token is set ([`AppState::with_metrics_token`]); then only
//! `Authorization: Bearer <token>` reads it. Left open, it should be reachable from the monitoring
//! network only (a reverse proxy that does not forward it, or a firewall).

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::AppState;

/// The request counter and histogram, labelled `method`, `route` (the template) and `status`.
const HTTP_REQUESTS: &str = "rally_http_requests_total";
const HTTP_DURATION: &str = "rally_http_request_duration_seconds";
/// Registrations stored and confirmed on the public sites (`site/`).
const EVENT_REGISTRATIONS: &str = "rally_event_registrations_total";
const EVENT_CONFIRMATIONS: &str = "rally_event_confirmations_total";

/// The request histogram's buckets, in seconds: from a cached public page to a large export.
const DURATION_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Every counter with its help text. Registered at zero when the recorder is installed, so a scrape
/// lists each name before the first increment. The outbox counters are incremented by the delivery
/// worker (`rally-comms`), the import rows by `rally-files`. E-mails the store suppresses when it
/// claims them (a suppressed address, no consent) never reach a worker: they are counted by
/// `rally_outbox_emails{status="suppressed"}`, read from the database at each scrape.
const COUNTERS: [(&str, &str); 8] = [
    (
        EVENT_REGISTRATIONS,
        "Event registrations stored from the public sites' forms (new ones and updates of unconfirmed ones).",
    ),
    (EVENT_CONFIRMATIONS, "Event registrations their organizers confirmed by their link."),
    ("rally_outbox_claims_total", "Outbox e-mails claimed by a delivery worker of this process."),
    ("rally_outbox_sends_total", "E-mails the mail server accepted."),
    ("rally_outbox_deferrals_total", "E-mails put back to wait by the cadence rules when claimed."),
    ("rally_outbox_retries_total", "E-mails the mail server refused for now (4xx), to be tried again."),
    ("rally_outbox_bounces_total", "E-mails the mail server refused for good (5xx); the address is suppressed."),
    ("rally_outbox_expirations_total", "E-mails dropped when claimed: the cadence rules left them no time to go."),
];

/// The import counter, labelled `kind` (partners, contacts, events) and `outcome`.
const IMPORT_ROWS: (&str, &str) = (
    rally_files::import::run::IMPORT_ROWS_METRIC,
    "Rows of applied imports (dry runs not counted), by kind and outcome.",
);

/// The process's recorder; `None` when another recorder was installed first.
static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder, once, with every counter at zero. A background thread drains
/// the request histogram's samples every few seconds, so memory stays flat between scrapes.
pub(crate) fn install() -> Option<&'static PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &DURATION_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            let handle = match handle {
                Ok(handle) => handle,
                Err(e) => {
                    tracing::warn!(error = %e, "no metrics: another metrics recorder is installed");
                    return None;
                }
            };
            describe();
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot start the metrics upkeep thread; samples drain at each scrape");
            }
            Some(handle)
        })
        .as_ref()
}

/// Help texts for everything the recorder holds, and every counter registered at zero.
fn describe() {
    use metrics::Unit;
    metrics::describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route template and status.");
    metrics::describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request (until the answer's head), by method, route template and status."
    );
    for (name, help) in COUNTERS {
        metrics::describe_counter!(name, help);
        metrics::counter!(name).increment(0);
    }
    metrics::describe_counter!(IMPORT_ROWS.0, IMPORT_ROWS.1);
    for kind in rally_store::imports::ImportKind::ALL {
        for outcome in rally_files::import::run::IMPORT_OUTCOMES {
            metrics::counter!(IMPORT_ROWS.0, "kind" => kind.as_str(), "outcome" => outcome).increment(0);
        }
    }
}

/// Counts one answered request.
pub(super) fn record_request(method: &'static str, route: String, status: u16, elapsed: Duration) {
    let labels = [("method", method.to_owned()), ("route", route), ("status", status.to_string())];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, &labels).record(elapsed.as_secs_f64());
}

/// Counts an event registration stored from a public site's form.
pub(crate) fn event_registered() {
    metrics::counter!(EVENT_REGISTRATIONS).increment(1);
}

/// Counts an event its organizer confirmed.
pub(crate) fn event_confirmed() {
    metrics::counter!(EVENT_CONFIRMATIONS).increment(1);
}

/// The token `/metrics` asks for, kept as its SHA-256 digest: a request's token is hashed and the
/// two digests compared in constant time, so neither the token nor its length shows in timing.
#[derive(Clone)]
pub struct MetricsToken([u8; 32]);

impl MetricsToken {
    /// A blank token is kept too, and no request ever matches it: `/metrics` is then closed.
    pub(crate) fn new(token: &str) -> MetricsToken {
        MetricsToken(Sha256::digest(token.as_bytes()).into())
    }

    fn admits(&self, headers: &HeaderMap) -> bool {
        let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
        });
        let Some(sent) = sent.filter(|t| !t.is_empty()) else { return false };
        let digest: [u8; 32] = Sha256::digest(sent.as_bytes()).into();
        digest.iter().zip(&self.0).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

/// `GET /metrics`: everything counted in this process, then this server's database and build.
pub(crate) async fn serve(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &app.metrics_token
        && !token.admits(&headers)
    {
        let mut response =
            (StatusCode::UNAUTHORIZED, "send Authorization: Bearer <the metrics token>\n").into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
        return response;
    }
    let mut text = install().map(PrometheusHandle::render).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    scraped(&app, &mut text).await;
    let kind = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// The figures read at scrape time, appended to `out`: the build, the outbox (left out, with a
/// warning, when the database does not answer) and the connection pool.
async fn scraped(app: &AppState, out: &mut String) {
    let store = &app.store;
    family(
        out,
        "rally_build_info",
        "gauge",
        "Rally's version, the commit it was built from and its database; always 1.",
    )
    .sample(
        &[("version", env!("CARGO_PKG_VERSION")), ("commit", env!("RALLY_COMMIT")), ("backend", store.backend())],
        1.0,
    );
    match store.outbox_gauges(chrono::Utc::now()).await {
        Ok(outbox) => {
            let mut emails =
                family(out, "rally_outbox_emails", "gauge", "E-mails in the outbox of every campaign, by status.");
            for (status, n) in &outbox.by_status {
                emails.sample(&[("status", status.as_str())], *n as f64);
            }
            family(
                out,
                "rally_outbox_oldest_due_age_seconds",
                "gauge",
                "How long the oldest e-mail that may go has waited since it became due; 0 when none waits.",
            )
            .sample(&[], outbox.oldest_due_age.as_secs_f64());
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the outbox could not be read"),
    }
    let pool = store.pool_stats();
    family(out, "rally_db_pool_connections", "gauge", "Open database connections of this process, idle or in use.")
        .sample(&[("state", "idle")], f64::from(pool.idle))
        .sample(&[("state", "in_use")], f64::from(pool.in_use));
    family(out, "rally_db_pool_max_connections", "gauge", "The most database connections this process opens.")
        .sample(&[], f64::from(pool.max));
    family(
        out,
        "rally_db_pool_acquire_waits_total",
        "counter",
        "Write transactions that found no idle database connection and waited for one.",
    )
    .sample(&[], pool.acquire_waits as f64);
    family(
        out,
        "rally_db_pool_acquire_wait_seconds_total",
        "counter",
        "Time those write transactions waited for a connection, added up.",
    )
    .sample(&[], pool.acquire_wait.as_secs_f64());
}

/// One metric family being written in the text format.
struct Family<'a> {
    out: &'a mut String,
    name: &'a str,
}

/// Starts a metric family with its help and type lines.
fn family<'a>(out: &'a mut String, name: &'a str, kind: &str, help: &str) -> Family<'a> {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    Family { out, name }
}

impl Family<'_> {
    /// One sample of the family.
    fn sample(&mut self, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.out.push_str(self.name);
        if !labels.is_empty() {
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
            let _ = write!(self.out, "{{{}}}", labels.join(","));
        }
        let _ = writeln!(self.out, " {value}");
        self
    }
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_written_in_the_text_format() {
        let mut out = String::new();
        family(&mut out, "x_total", "counter", "Things.").sample(&[("a", "q\"\\\n")], 2.5).sample(&[], 1.0);
        assert_eq!(out, "# HELP x_total Things.\n# TYPE x_total counter\nx_total{a=\"q\\\"\\\\\\n\"} 2.5\nx_total 1\n");
    }

    #[test]
    fn only_the_token_opens() {
        let token = MetricsToken::new("s3cret");
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")));
            token.admits(&headers)
        };
        assert!(with("Bearer s3cret") && with("bearer s3cret"));
        assert!(!with("Bearer s3cre") && !with("Bearer s3cret2") && !with("Basic s3cret") && !with("s3cret"));
        assert!(!token.admits(&HeaderMap::new()));
        let blank = MetricsToken::new("");
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(!blank.admits(&headers), "a blank token opens nothing");
    }
}

//! What an operator sees of each request: its id (`X-Request-Id`, in every problem document too), one
//! log line at info level, and the request metrics `/metrics` serves (`metrics.rs`).
//!
//! The log line and the metrics name a request's route by its template (`/c/{slug}/e/{token}`), never
//! by its path: paths hold partner-link, unsubscribe and organizer tokens, and e-mail addresses.
//! Nothing else of the request is logged at info level — no query, client address or user agent.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub(crate) mod metrics;
pub(crate) mod origin;

pub use metrics::MetricsToken;

/// The log target of the request lines (`RUST_LOG=rally::http=warn` silences them).
pub const LOG_TARGET: &str = "rally::http";

/// The header that carries a request's id, both ways.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
const MAX_REQUEST_ID: usize = 64;

/// A request's id: the client's `X-Request-Id` when it is sane, otherwise a new one. Handlers find
/// it in the request's extensions (`Extension<RequestId>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The client's id if it is 1 to 64 visible ASCII characters (it goes into headers, logs and
    /// JSON as it is), otherwise 16 random hex digits.
    fn of(request: &Request) -> RequestId {
        let given = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok());
        match given {
            Some(id) if sane(id) => RequestId(id.to_owned()),
            _ => RequestId(format!("{:016x}", rand::random::<u64>())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn sane(id: &str) -> bool {
    (1..=MAX_REQUEST_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The route a request matched, as its template; `unmatched` for what no route takes.
fn route_of(request: &Request) -> String {
    request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

/// The method as a label: the standard ones by name, anything a client made up as `other`, so no
/// client grows the metrics or writes into the log.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The middleware around every route (added with `Router::layer`, so it runs after routing and sees
/// the matched template): the request id in and out, the request's span, its log line and metrics.
/// Warnings and errors logged while the request runs carry its id through the span.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::of(&request);
    let route = route_of(&request);
    let method = method_label(request.method());
    request.extensions_mut().insert(id.clone());
    let span = tracing::info_span!(target: LOG_TARGET, "request", id = id.as_str());
    let mut response = next.run(request).instrument(span).await;
    if is_problem(&response) {
        response = with_request_id(response, &id).await;
    }
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(
        target: LOG_TARGET,
        method,
        route = route.as_str(),
        status,
        latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3,
        request_id = id.as_str(),
        "request"
    );
    metrics::record_request(method, route, status, elapsed);
    response
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/problem+json"))
}

/// A problem document with the member `request_id` added, so a client that reports a problem can
/// name the request (and the log lines it left). Problem documents are made whole in memory by
/// `error.rs`; one that is not a JSON object is left as it is.
async fn with_request_id(response: Response, id: &RequestId) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    match add_member(&bytes, "request_id", id.as_str()) {
        Some(changed) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(changed))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// `object` (a JSON object's text) with the member `name: value` added at its end: the members
/// already there keep their order and their text.
fn add_member(object: &[u8], name: &str, value: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(object).ok()?.trim_end();
    let inner = text.strip_suffix('}')?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let empty = inner.trim_end().ends_with('{');
    let member = format!("{}:{}", serde_json::to_string(name).ok()?, serde_json::to_string(value).ok()?);
    Some(format!("{inner}{}{member}}}", if empty { "" } else { "," }).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_clients_are_kept_only_when_sane() {
        let request = |id: &str| Request::builder().header("x-request-id", id).body(Body::empty()).unwrap_or_default();
        for kept in ["abc-123", "a", &"x".repeat(64), "!~"] {
            assert_eq!(RequestId::of(&request(kept)).as_str(), kept);
        }
        for replaced in ["", &"x".repeat(65), "two words", "tab\there", "ünïcode"] {
            let id = RequestId::of(&request(replaced));
            assert!(id.as_str() != replaced && id.as_str().len() == 16, "{replaced:?} became {id:?}");
        }
        let fresh = RequestId::of(&Request::new(Body::empty()));
        assert!(fresh.as_str().bytes().all(|b| b.is_ascii_hexdigit()) && fresh.as_str().len() == 16);
    }

    #[test]
    fn the_member_is_added_to_an_object_and_keeps_the_others() {
        let added = |text: &str, value: &str| add_member(text.as_bytes(), "request_id", value).map(String::from_utf8);
        assert_eq!(
            added(r#"{"type":"x","status":404}"#, "r1"),
            Some(Ok(r#"{"type":"x","status":404,"request_id":"r1"}"#.into()))
        );
        assert_eq!(added("{ }", "r1"), Some(Ok(r#"{ "request_id":"r1"}"#.into())));
        assert_eq!(added(r#"{"a":1}"#, r#"q"\"#), Some(Ok(r#"{"a":1,"request_id":"q\"\\"}"#.into())));
        for not_an_object in ["[1]", "\"text\"", "", "{\"a\":1"] {
            assert_eq!(added(not_an_object, "r1"), None, "{not_an_object}");
        }
        let parsed: serde_json::Value =
            serde_json::from_slice(&add_member(br#"{"detail":"}"}"#, "request_id", "r\"1").unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(parsed, serde_json::json!({"detail": "}", "request_id": "r\"1"}));
    }
}

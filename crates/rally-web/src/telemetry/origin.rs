//! Each request's origin, for the store's audit entries and consent records: the client's address
//! (through trusted proxies only, as [`ClientIp`] works it out), its user agent (bounded), the
//! request's id and the surface it came through. The store reads it with `Origin::current`, so no
//! handler passes it along.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use rally_store::Origin;

use super::RequestId;
use crate::AppState;
use crate::client::ClientIp;

/// The middleware inside [`super::observe`] (which gives the request its id): runs the rest of the
/// request with its [`Origin`].
pub(crate) async fn scope(State(_): State<AppState>, ClientIp(ip): ClientIp, request: Request, next: Next) -> Response {
    let origin = of(&request, ip);
    rally_store::with_origin(origin, next.run(request)).await
}

fn of(request: &Request, ip: Option<std::net::IpAddr>) -> Origin {
    let agent = request.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(Origin::bounded_agent);
    let via = if request.uri().path().starts_with("/api/") { "api" } else { "web" };
    Origin {
        address: ip.map(|ip| ip.to_string()),
        user_agent: agent.filter(|a| !a.is_empty()),
        request_id: request.extensions().get::<RequestId>().map(|id| id.as_str().to_owned()),
        via,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_api_is_told_from_the_pages_and_agents_are_bounded() {
        let mut request = Request::builder()
            .uri("/api/v1/me")
            .header(header::USER_AGENT, "x".repeat(1000))
            .body(axum::body::Body::empty())
            .unwrap();
        request.extensions_mut().insert(RequestId("req-1".into()));
        let origin = of(&request, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(
            (origin.via, origin.address.as_deref(), origin.request_id.as_deref()),
            ("api", Some("192.0.2.1"), Some("req-1"))
        );
        assert_eq!(origin.user_agent.map(|a| a.len()), Some(rally_store::audit::MAX_USER_AGENT));
        let page = Request::builder().uri("/campaigns").body(axum::body::Body::empty()).unwrap();
        assert_eq!((of(&page, None).via, of(&page, None).user_agent), ("web", None));
    }
}

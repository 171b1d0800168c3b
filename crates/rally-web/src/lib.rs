//! Rally's HTTP layer, three surfaces over one [`AppState`]: the JSON API under `/api/v1` (`api/`, its
//! OpenAPI document generated from the handlers), the team's web app (`pages/`) and the campaigns'
//! public sites under `/c/{slug}/` (`site/`), plus the probes (`/healthz`, `/livez`, `/readyz`) and
//! `/metrics`. The surfaces share `kit/` and the neutral modules at this level and never import one
//! another. Every request gets an id and one log line (`telemetry/`).
//!
//! Handlers are thin: they authenticate, read input into domain types at the edge, make the store call
//! that is the action (one transaction) and shape the answer. API errors are RFC 9457 problem documents
//! that name the offending field; pages show the error next to the field.

use std::sync::Arc;

use axum::Router;
use rally_domain::CampaignId;
use rally_store::Store;

pub mod api;
mod audit;
pub mod auth;
pub(crate) mod blocking;
pub mod client;
mod counter;
mod error;
mod extract;
mod health;
pub mod kit;
mod moderation;
pub mod pages;
#[cfg(test)]
mod properties;
mod server;
pub mod site;
mod strict_json;
mod telemetry;

pub use client::{PublicUrl, TrustedProxies};
pub use error::{ApiError, Problem};
pub use server::{ServerLimits, raise_open_files_limit};
pub use telemetry::RequestId;

/// How long a client is asked to wait (`Retry-After`) while the database's storage is full: freeing
/// space takes a person, not a moment.
pub(crate) const STORAGE_FULL_RETRY_SECONDS: &str = "60";

/// The largest request body the API reads: a partner with long notes fits many times over.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Uploaded files (assets, partner logos), content-addressed under the data directory.
    pub files: rally_files::FileStore,
    /// Where test e-mails go (the workers' transport); `None` when this process sends no mail.
    pub mail: Option<Arc<rally_mail::Transport>>,
    /// The public site's caches and per-address registration allowance.
    pub site: Arc<site::SiteState>,
    /// Where people reach Rally: every absolute link Rally writes starts with it, never with what a
    /// request claims (`Host`, `X-Forwarded-*`).
    pub public_url: PublicUrl,
    /// The reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Sign-in attempts one client address may make.
    pub sign_ins: Arc<client::Allowance>,
    /// What `/metrics` asks for; `None`: it is open.
    pub(crate) metrics_token: Option<telemetry::MetricsToken>,
}

/// Sign-in attempts per client address and hour, and at once: a person who mistypes a password a few
/// times never meets it; a script trying passwords for many accounts from one address does.
const SIGN_INS_PER_HOUR: u32 = 60;
const SIGN_IN_BURST: f64 = 20.0;

impl AppState {
    pub fn new(store: Arc<dyn Store>, files: rally_files::FileStore, public_url: PublicUrl) -> Self {
        // Before anything is counted; once per process, however many servers it runs.
        telemetry::metrics::install();
        AppState {
            store,
            files,
            mail: None,
            site: Arc::new(site::SiteState::default()),
            public_url,
            trusted_proxies: Arc::new(TrustedProxies::default()),
            sign_ins: Arc::new(client::Allowance::new(SIGN_INS_PER_HOUR, SIGN_IN_BURST)),
            metrics_token: None,
        }
    }

    /// With a token `/metrics` asks for (`Authorization: Bearer <token>`); without one (`None`, the
    /// default) `/metrics` is open to whoever reaches it, which should then be the monitoring network
    /// only. A blank token closes `/metrics` to everyone.
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics_token = token.as_deref().map(telemetry::MetricsToken::new);
        self
    }

    /// Behind reverse proxies: their `X-Forwarded-For` names the client (for per-address allowances).
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// With a mail transport, for test sends from the editor.
    pub fn with_mail(mut self, mail: Arc<rally_mail::Transport>) -> Self {
        self.mail = Some(mail);
        self
    }

    /// With another allowance of sign-ins (and reset-link requests) per client address and hour (the
    /// default is 60, 20 at once): an office behind one address may need more.
    pub fn with_sign_ins_per_hour(mut self, n: u32) -> Self {
        self.sign_ins = Arc::new(client::Allowance::new(n, (f64::from(n) / 3.0).max(SIGN_IN_BURST)));
        self
    }

    /// With another allowance of registrations per address and hour (the default is 30).
    pub fn with_registrations_per_hour(mut self, n: u32) -> Self {
        self.site = Arc::new(site::SiteState::new(n));
        self
    }

    /// Resolves a campaign named in a path by id or by slug.
    pub(crate) async fn campaign_id(&self, campaign: &str) -> Result<CampaignId, ApiError> {
        match campaign.parse::<i64>() {
            Ok(id) => Ok(CampaignId(id)),
            Err(_) => self.store.campaign_id(campaign).await?.ok_or(ApiError::NotFound("campaign")),
        }
    }
}

/// The API's OpenAPI 3.1 document as JSON text.
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(&api::completed(api::routes().into_openapi())).unwrap_or_default()
}

/// The HTML surfaces — the team's app and the public campaign sites — behind the CSRF guard (every
/// state-changing request) and the headers every page carries.
fn html_routes(state: AppState) -> Router<AppState> {
    pages::routes()
        .merge(site::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::campaign_gate))
        .layer(axum::middleware::from_fn_with_state(state, pages::session::csrf_guard))
        .layer(axum::middleware::from_fn(kit::security_headers))
}

/// The whole application: API, health check, and problem documents for unknown routes.
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = api::layered_routes().split_for_parts();
    let (public, public_doc) = api::public_routes().split_for_parts();
    openapi.merge(public_doc);
    // Serialized once: the document is the same for every request.
    let openapi: Arc<str> = serde_json::to_string(&api::completed(openapi)).unwrap_or_default().into();
    let app = Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", axum::routing::get(move || api::openapi_json(openapi.clone())))
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/livez", axum::routing::get(health::livez))
        .route("/readyz", axum::routing::get(health::readyz))
        // Not part of the API's document, and a GET outside the pages' CSRF guard.
        .route("/metrics", axum::routing::get(telemetry::metrics::serve))
        .route("/", axum::routing::get(index))
        .merge(html_routes(state.clone()))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panicked))
        .layer(axum::middleware::from_fn(private_answers));
    let https = state.public_url.is_https();
    let app = app.merge(public.layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panicked)));
    // Served over HTTPS (behind a proxy that ends TLS): browsers are told to come back over HTTPS only.
    let app = if https { app.layer(axum::middleware::map_response(strict_transport)) } else { app };
    // Where each request comes from, for the store's audit entries: inside `observe`, which names it.
    let app = app.layer(axum::middleware::from_fn_with_state(state.clone(), telemetry::origin::scope));
    // Last, so it wraps every route and layer above: each request's id, log line and metrics, and
    // the id in every problem document, whoever wrote it.
    app.layer(axum::middleware::from_fn(telemetry::observe)).with_state(state)
}

/// Answers hold a campaign's and its people's data unless their handler says they may be cached (the
/// public counter, the partner wall, static files): no cache keeps them, and no browser guesses
/// their type from their content.
async fn private_answers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    response
}

async fn strict_transport(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    // A year, the figure browsers' preload lists ask for; subdomains are the operator's to decide.
    response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    response
}

/// Runs each state-changing request in its own task, so a client that goes away mid-request does not cut
/// a store transaction off between its statements: the work finishes (and commits or rolls back) either
/// way. Reads (GET, HEAD) only read, and are left to stop with their client.
async fn run_to_completion(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::Method;
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    // In the request's span, so what the task logs names the request; and with its origin, which a
    // new task does not inherit.
    let work = rally_store::with_origin(rally_store::Origin::current(), next.run(request));
    match tokio::spawn(tracing::Instrument::in_current_span(work)).await {
        Ok(response) => response,
        // The task panicked: answered like any panic.
        Err(e) => {
            tracing::error!(error = %e, "a request handler failed");
            axum::response::IntoResponse::into_response(error::ApiError::Internal)
        }
    }
}

/// The front door: the team's campaigns (or the sign-in page, for a visitor without a session).
async fn index() -> axum::response::Redirect {
    axum::response::Redirect::to("/campaigns")
}

/// Serves the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, ServerLimits::default().within_open_files_limit(), shutdown).await
}

/// [`serve`] with other limits of the server itself.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, router(state), limits, shutdown).await
}

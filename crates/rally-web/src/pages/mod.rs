//! The team's web app: server-rendered pages (askama templates, checked at compile time) that work
//! without JavaScript; `static/app.js` adds drag-and-drop and in-place updates on top.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use rally_domain::{Category, Role, Stage, UserId};
use rally_store::{Actor, StoreError};

use crate::AppState;

mod asks;
mod assets;
mod board;
mod campaigns;
mod comms;
mod dashboard;
mod events;
mod export;
mod imports;
mod link;
mod login;
mod partner_page;
mod partner_work;
mod partners;
mod plan;
mod public;
mod reports;
pub mod session;
mod tasks;
mod team;
mod umbrella;
mod unsubscribe;

pub use public::tiers as public_tiers;
pub use session::SignedIn;

/// Every page route, behind the CSRF guard.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/reset/{token}", get(login::reset_form).post(login::reset_submit))
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/new", get(campaigns::new_form).post(campaigns::create))
        .route("/campaigns/switch", get(campaigns::switch))
        .route("/campaigns/{slug}", get(dashboard::dashboard))
        .route("/campaigns/{slug}/partners", get(partners::list).post(partners::create))
        .route("/campaigns/{slug}/partners/bulk", post(partners::bulk))
        .route("/campaigns/{slug}/partners/{id}", get(partners::detail).post(partners::update))
        .route("/campaigns/{slug}/partners/{id}/stage", post(partners::move_stage))
        .route("/campaigns/{slug}/partners/{id}/contacts", post(partners::add_contact))
        .route("/campaigns/{slug}/partners/{id}/commitments", post(partner_work::propose))
        .route("/campaigns/{slug}/commitments/{id}", post(partner_work::update_commitment))
        .route("/campaigns/{slug}/partners/{id}/interactions", post(partner_work::log_interaction))
        .route("/campaigns/{slug}/partners/{id}/tasks", post(partner_work::add_task))
        .route("/campaigns/{slug}/tasks", get(tasks::show).post(tasks::add))
        .route("/campaigns/{slug}/tasks/limits", post(tasks::set_limits))
        .route("/campaigns/{slug}/tasks/calendar", post(tasks::calendar))
        .route("/campaigns/{slug}/tasks/{id}", post(partner_work::toggle_task))
        .route("/campaigns/{slug}/partners/{id}/sends", post(partner_work::send_assets))
        .route(
            "/campaigns/{slug}/partners/{id}/logo",
            get(partner_work::logo).post(partner_work::set_logo).layer(upload_limit()),
        )
        .route("/campaigns/{slug}/partners/{id}/recognition", post(partner_work::set_recognition))
        .route("/campaigns/{slug}/partners/{id}/do-not-contact", post(partner_work::set_do_not_contact))
        .route("/campaigns/{slug}/partners/{id}/link", post(partner_work::link))
        .route("/campaigns/{slug}/board", get(board::board))
        .route("/campaigns/{slug}/comms", get(comms::show))
        .route("/campaigns/{slug}/comms/settings", post(comms::save_settings))
        .route("/campaigns/{slug}/comms/milestones", post(comms::add_milestone))
        .route("/campaigns/{slug}/comms/plan", get(comms::calendar))
        .route("/campaigns/{slug}/comms/messages", post(comms::create_message))
        .route("/campaigns/{slug}/comms/messages/new", get(comms::new_form))
        .route("/campaigns/{slug}/comms/messages/{id}", get(comms::show_message).post(comms::update_message))
        .route("/campaigns/{slug}/comms/messages/{id}/preview", get(comms::preview))
        .route("/campaigns/{slug}/comms/messages/{id}/test", post(comms::test_send))
        .route("/campaigns/{slug}/comms/messages/{id}/queue", post(comms::queue))
        .route("/campaigns/{slug}/asks", get(asks::show).post(asks::create))
        .route("/campaigns/{slug}/assets", get(assets::show).post(assets::upload).layer(upload_limit()))
        .route("/campaigns/{slug}/assets/{id}/file", get(assets::file))
        .route("/campaigns/{slug}/assets/{id}/delete", post(assets::delete))
        .route("/campaigns/{slug}/asks/apply", post(asks::apply))
        .route("/campaigns/{slug}/asks/{id}/delete", post(asks::delete))
        .route("/campaigns/{slug}/plan", get(plan::show).post(plan::update))
        .route("/campaigns/{slug}/events", get(events::show))
        .route("/campaigns/{slug}/events/moderate", post(events::moderate))
        .route("/campaigns/{slug}/events/settings", post(events::settings))
        .route("/campaigns/{slug}/events.csv", get(export::events_csv))
        .route("/campaigns/{slug}/export", get(export::download_form))
        .route("/campaigns/{slug}/export/{file}", get(export::download))
        .route("/campaigns/{slug}/documents/{file}", get(export::plan_document))
        .route("/campaigns/{slug}/imports", get(imports::show).post(imports::upload).layer(upload_limit()))
        .route("/campaigns/{slug}/imports/new", get(imports::preview))
        .route("/campaigns/{slug}/imports/run", post(imports::run))
        .route("/campaigns/{slug}/imports/{id}", get(imports::batch))
        .route("/campaigns/{slug}/imports/{id}/report.csv", get(imports::report))
        .route("/campaigns/{slug}/imports/{id}/undo", post(imports::undo))
        .route("/campaigns/{slug}/reports", get(reports::show))
        .route("/campaigns/{slug}/reports/{file}", get(reports::csv))
        .route("/campaigns/{slug}/team", get(team::show).post(team::add))
        .route("/campaigns/{slug}/team/{user}", post(team::change))
        .route("/calendar/{file}", get(public::feed))
        .route("/c/{slug}/recognition", get(public::recognition))
        .route("/c/{slug}/logos/{id}", get(public::logo))
        .route("/u/{token}", get(unsubscribe::show).post(unsubscribe::submit))
        .route("/p/{token}", get(link::show))
        .route("/p/{token}/commitments/{id}", post(link::respond))
        .route("/p/{token}/logo", get(link::logo).post(link::upload_logo).layer(upload_limit()))
        .route("/p/{token}/recognition", post(link::set_recognition))
        .route("/p/{token}/assets/{id}", get(link::asset))
        .route("/static/app.css", get(static_css))
        .route("/favicon.ico", get(favicon_ico))
        .route("/favicon.svg", get(favicon_svg))
        .route("/static/app.js", get(static_js))
        .merge(crate::site::routes())
        .layer(middleware::from_fn_with_state(state, session::csrf_guard))
        .layer(middleware::from_fn(security_headers))
}

/// Routes that take a file: the upload limit instead of the page body limit.
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::files::MAX_UPLOAD_BYTES + 64 * 1024)
}

/// What every page answer carries: a content security policy that allows only our own script, styles
/// and forms (no inline script, no framing), no MIME sniffing, no referrer to other sites, and no
/// caching of pages that hold a campaign's data.
async fn security_headers(request: axum::extract::Request, next: middleware::Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/") || request.uri().path().starts_with("/favicon.");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler that set its own policy (uploaded files: a stricter, sandboxing one) keeps it.
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        if !headers.contains_key(name) {
            headers.insert(name, axum::http::HeaderValue::from_static(value));
        }
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    // Embeds (the counter, the partner wall) say who may frame them in their own policy.
    let frameable = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| csp.contains("frame-ancestors *"));
    if !frameable {
        set(headers, "x-frame-options", "DENY");
    }
    if !is_static {
        set(headers, "cache-control", "no-store");
    }
    response
}

async fn static_css() -> impl IntoResponse {
    (
        [("content-type", "text/css; charset=utf-8"), ("cache-control", "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// Rally's icon, for browsers' tabs (every page links the SVG; `/favicon.ico` is where others look).
async fn favicon_svg() -> impl IntoResponse {
    (
        [("content-type", "image/svg+xml"), ("cache-control", "public, max-age=86400")],
        include_str!("../../static/favicon.svg"),
    )
}

async fn favicon_ico() -> impl IntoResponse {
    (
        [("content-type", "image/x-icon"), ("cache-control", "public, max-age=86400")],
        include_bytes!("../../static/favicon.ico").as_slice(),
    )
}

async fn static_js() -> impl IntoResponse {
    (
        [("content-type", "text/javascript; charset=utf-8"), ("cache-control", "public, max-age=3600")],
        include_str!("../../static/app.js"),
    )
}

/// A campaign in the navigation.
#[derive(Debug, Clone)]
pub struct CampaignNav {
    pub slug: String,
    pub name: String,
    pub role: Option<Role>,
}

/// What the layout around every signed-in page shows.
#[derive(Debug)]
pub struct Layout {
    pub title: String,
    pub user: String,
    pub csrf: String,
    pub section: &'static str,
    pub campaign: Option<CampaignNav>,
    pub campaigns: Vec<CampaignNav>,
}

impl Layout {
    /// The layout for a page of `signed_in`, inside the campaign `current` if any.
    pub async fn new(
        app: &AppState,
        signed_in: &SignedIn,
        current: Option<&str>,
        section: &'static str,
        title: impl Into<String>,
    ) -> Result<Layout, PageError> {
        let campaigns: Vec<CampaignNav> = app
            .store
            .campaigns(signed_in.actor())
            .await?
            .into_iter()
            .map(|c| CampaignNav {
                slug: c.campaign.fields.slug.to_string(),
                name: c.campaign.fields.name,
                role: c.role,
            })
            .collect();
        let campaign = current.and_then(|slug| campaigns.iter().find(|c| c.slug == slug).cloned());
        Ok(Layout {
            title: title.into(),
            user: signed_in.user.name.clone(),
            csrf: signed_in.csrf.clone(),
            section,
            campaign,
            campaigns,
        })
    }

    /// Whether the signed-in user may change the campaign's partners at all (members: their own).
    pub fn can_edit(&self) -> bool {
        self.campaign.as_ref().and_then(|c| c.role).is_some_and(|r| r != Role::Viewer)
    }

    /// Whether the signed-in user may edit this partner, as the store will decide.
    pub fn can_edit_partner(&self, me: UserId, owner: Option<UserId>) -> bool {
        let role = self.campaign.as_ref().and_then(|c| c.role);
        role.is_some_and(|r| r.allows(me, rally_domain::Action::EditPartner { owner }))
    }
}

/// Renders a template into a page.
pub fn render(template: &impl Template) -> Result<Response, PageError> {
    match template.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            Err(PageError::Internal)
        }
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Forbidden,
    CsrfRejected,
    TooLarge,
    /// An upload over the file size limit.
    FileTooLarge,
    BadRequest(String),
    /// Too many sign-in attempts: try again in this many seconds.
    TooManyAttempts(i64),
    Unavailable,
    /// The database's storage is full: nothing was written.
    StorageFull,
    Internal,
}

/// What went wrong, left on an error page's response so the public site can say it again in the
/// visitor's language (see `site::localize_errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Forbidden,
    CsrfRejected,
    TooLarge,
    FileTooLarge,
    BadRequest,
    TooManyAttempts,
    Unavailable,
    StorageFull,
    Internal,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let wait;
        let (status, title, message) = match &self {
            PageError::NotFound => {
                (StatusCode::NOT_FOUND, "Not found", "There is nothing here, or it is not yours to see.")
            }
            PageError::Forbidden => {
                (StatusCode::FORBIDDEN, "Not allowed", "Your role in this campaign does not allow this.")
            }
            PageError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form did not come from your current session. Go back, reload the page and try again.",
            ),
            PageError::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "Too large", "That was more than Rally accepts at once.")
            }
            PageError::FileTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "File too large",
                "That file is larger than the 20 MB Rally accepts. Make it smaller (for example, export the PDF for screen) and try again.",
            ),
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Cannot do that", m.as_str()),
            PageError::TooManyAttempts(seconds) => {
                wait = format!(
                    "Too many sign-in attempts for this account or from your network. Try again in {}.",
                    in_words(*seconds)
                );
                (StatusCode::TOO_MANY_REQUESTS, "Too many attempts", wait.as_str())
            }
            PageError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "Busy", "The database does not answer right now. Try again shortly.")
            }
            PageError::StorageFull => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Storage full",
                "Rally cannot save anything right now: the database's storage is full. Nothing was changed, and \
                 reading still works. Try again in a few minutes.",
            ),
            PageError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "It has been logged."),
        };
        let page = ErrorPage { status: status.as_u16(), title, message };
        let body = page.render().unwrap_or_else(|_| message.to_owned());
        let mut response = (status, Html(body)).into_response();
        match self {
            PageError::Unavailable => {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("2"));
            }
            PageError::StorageFull => {
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static(crate::STORAGE_FULL_RETRY_SECONDS),
                );
            }
            PageError::TooManyAttempts(seconds) => {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
            }
            _ => {}
        }
        response.extensions_mut().insert(self.kind());
        response
    }
}

/// A wait as people say it: "45 seconds", "1 minute", "15 minutes" (rounded up).
fn in_words(seconds: i64) -> String {
    match seconds {
        ..=1 => "a second".into(),
        2..=59 => format!("{seconds} seconds"),
        60 => "a minute".into(),
        _ => format!("{} minutes", (seconds + 59) / 60),
    }
}

impl PageError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            PageError::NotFound => ErrorKind::NotFound,
            PageError::Forbidden => ErrorKind::Forbidden,
            PageError::CsrfRejected => ErrorKind::CsrfRejected,
            PageError::TooLarge => ErrorKind::TooLarge,
            PageError::FileTooLarge => ErrorKind::FileTooLarge,
            PageError::BadRequest(_) => ErrorKind::BadRequest,
            PageError::TooManyAttempts(_) => ErrorKind::TooManyAttempts,
            PageError::Unavailable => ErrorKind::Unavailable,
            PageError::StorageFull => ErrorKind::StorageFull,
            PageError::Internal => ErrorKind::Internal,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => PageError::NotFound,
            StoreError::Forbidden => PageError::Forbidden,
            StoreError::Invalid(i) => PageError::BadRequest(i.sentences()),
            StoreError::Conflict { message, .. } => PageError::BadRequest(rally_domain::validation::sentence(&message)),
            StoreError::Unavailable(e) => {
                tracing::error!(error = %e, "database unavailable");
                PageError::Unavailable
            }
            StoreError::StorageFull(e) => {
                tracing::error!(error = %e, "the database's storage is full: writes are refused until there is space");
                PageError::StorageFull
            }
            other => {
                tracing::error!(error = %other, "store error on a page");
                PageError::Internal
            }
        }
    }
}

/// A form body as name → values, so repeated fields (checkboxes) and unknown fields are fine.
#[derive(Debug, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl From<crate::blocking::JobFailed> for PageError {
    fn from(_: crate::blocking::JobFailed) -> Self {
        PageError::Internal
    }
}

impl FormData {
    /// Reads a form body of at most [`rally_domain::limits::FORM_FIELDS`] fields, counted before any
    /// is decoded: no form Rally shows has nearly as many, and a body of a million empty fields would
    /// otherwise keep the handler that looks through them busy.
    pub fn read(body: &[u8]) -> Result<FormData, PageError> {
        let fields = body.iter().filter(|&&b| b == b'&').count() + 1;
        if fields > rally_domain::limits::FORM_FIELDS {
            return Err(PageError::BadRequest(format!(
                "That form has more than {} fields, more than any form of Rally sends. Reload the page and try again.",
                rally_domain::limits::FORM_FIELDS
            )));
        }
        Ok(FormData(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The value of `name` if it was sent and is not blank.
    pub fn some(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// A whole number as people type them, with or without thousands separators ("5 000", "5,000").
    /// Blank is `None`; anything else that is not a number becomes an error on the field.
    pub fn number(&self, name: &str, errors: &mut Vec<rally_domain::FieldError>) -> Option<i64> {
        let raw = self.some(name)?;
        match raw.replace([' ', ',', '.', '\u{202f}'], "").parse() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(rally_domain::FieldError { field: name.into(), message: "must be a whole number".into() });
                None
            }
        }
    }

    /// A date as YYYY-MM-DD (what `<input type="date">` sends). Blank is `None`; anything else that is
    /// not a date becomes an error on the field.
    pub fn date(&self, name: &str, errors: &mut Vec<rally_domain::FieldError>) -> Option<chrono::NaiveDate> {
        let raw = self.some(name)?;
        match raw.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(rally_domain::FieldError { field: name.into(), message: "use the form YYYY-MM-DD".into() });
                None
            }
        }
    }
}

/// Thousands separated by thin spaces: 1 200 000.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "today", "1 day", "12 days" since an instant.
pub fn days_since(t: chrono::DateTime<chrono::Utc>) -> String {
    match (chrono::Utc::now() - t).num_days() {
        d if d <= 0 => "today".into(),
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

pub fn stage_options() -> Vec<(&'static str, &'static str)> {
    Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

pub fn category_options() -> Vec<(&'static str, &'static str)> {
    Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
}

/// The id of the campaign a page's path names, in one lookup. It reveals nothing by itself: the store
/// call that uses the id checks the user's role, and someone not on the team gets "not found" there.
pub async fn campaign_id(app: &AppState, slug: &str) -> Result<rally_domain::CampaignId, PageError> {
    app.store.campaign_id(slug).await?.ok_or(PageError::NotFound)
}

/// The team as (id, name) for owner pickers and labels.
pub async fn team_names(
    app: &AppState,
    actor: Actor,
    campaign: rally_domain::CampaignId,
) -> Result<Vec<(i64, String)>, PageError> {
    Ok(app.store.team(actor, campaign).await?.into_iter().map(|m| (m.user_id.0, m.name)).collect())
}

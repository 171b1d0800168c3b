//! What every HTML answer needs: rendering a template, the error page (`PageError`, in the visitor's
//! language on the public site through `ErrorKind`), reading a form body, and the headers every page
//! carries.

use askama::Template;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use rally_store::StoreError;

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

/// What every page answer carries: a content security policy that allows only our own script, styles
/// and forms (no inline script, no framing), no MIME sniffing, no referrer to other sites, and no
/// caching of pages that hold a campaign's data.
pub async fn security_headers(request: axum::extract::Request, next: middleware::Next) -> Response {
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

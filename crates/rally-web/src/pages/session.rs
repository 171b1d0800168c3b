//! Browser sessions: the cookie, the signed-in user, and CSRF protection for every form.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rally_store::{Actor, Session, User};

use super::PageError;
use crate::AppState;
use crate::auth::random_token;

pub use crate::kit::cookies::{SESSION_COOKIE, cookie, session_hash};
pub const LOGIN_CSRF_COOKIE: &str = "rally_login";
/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 14;

/// Adds a `Set-Cookie` header made by [`set_cookie`].
pub fn append_cookie(response: &mut Response, value: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A form on a page without a session (sign-in, reset, invitation, address confirmation) is tied to the
/// browser by its token, set in a cookie with the page; [`check_form_token`] compares the two.
pub fn with_form_token(app: &AppState, mut response: Response, token: &str) -> Response {
    append_cookie(&mut response, &set_cookie(app, LOGIN_CSRF_COOKIE, token, 3600));
    response
}

/// The form's token matches the cookie set with its page.
pub fn check_form_token(headers: &HeaderMap, form: &super::FormData) -> Result<(), PageError> {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || form.get("csrf") != expected {
        return Err(PageError::CsrfRejected);
    }
    Ok(())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, and Secure when people reach Rally over HTTPS (its
/// public URL says so; no request header decides it).
pub fn set_cookie(app: &AppState, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = app.public_url.is_https();
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The signed-in user of a page request. Without a live session a page answers with a redirect to
/// `/login`, which brings the user back here afterwards.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }
}

async fn load_session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, PageError> {
    let Some(hash) = session_hash(headers) else { return Ok(None) };
    Ok(state.store.session(&hash).await?)
}

/// Where to come back to after signing in: this page for a GET, the page the form was on otherwise.
fn return_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        return parts.uri.path_and_query().map_or("/campaigns".into(), |p| p.as_str().to_owned());
    }
    parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/campaigns".into())
}

pub fn login_redirect(next: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(signed_in) = parts.extensions.get::<SignedIn>() {
            return Ok(signed_in.clone());
        }
        match load_session(state, &parts.headers).await {
            Ok(Some(s)) => Ok(SignedIn { user: s.user, csrf: s.csrf_token }),
            Ok(None) => Err(login_redirect(&return_path(parts))),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Compares in time independent of where the strings first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Guards every state-changing page request: the session's CSRF token must come back, in the
/// `X-CSRF-Token` header (scripts) or the `csrf` form field (forms), and a browser-sent `Origin`
/// must be this site. Sign-in, password-reset, invitation and address-confirmation forms, which have
/// no session yet, check their own token against a cookie instead.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    if !same_origin(&parts.headers) {
        return PageError::CsrfRejected.into_response();
    }
    let path = parts.uri.path();
    // A partner's link pages have no session: the secret in the path is the credential, and a forged
    // cross-site form would have to know it. The Origin check above still applies.
    // The same holds for unsubscribe links (`/u/`), which mail providers also POST to (RFC 8058), and for
    // the public campaign site (`/c/`): anyone may register an event, and an organizer's page is
    // guarded by the secret in its path.
    if path == "/login"
        || path == "/login/second-factor"
        || path == "/forgot"
        || path.starts_with("/reset/")
        || path.starts_with("/invitation/")
        || path.starts_with("/confirm-address/")
        || path.starts_with("/p/")
        || path.starts_with("/u/")
        || path.starts_with("/c/")
    {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let session = match load_session(&state, &parts.headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return login_redirect(&return_path(&parts)),
        Err(e) => return e.into_response(),
    };
    let header_token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // An upload is not read here: its token is its form's first part, and the rest streams on to
    // the handler (which writes the file to disk as it comes).
    let (sent, body) = match header_token {
        Some(t) => (Some(t), body),
        None if is_multipart(&parts.headers) => first_part_token(&parts.headers, body).await,
        None => {
            let bytes = match axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await {
                Ok(b) => b,
                Err(_) => return PageError::TooLarge.into_response(),
            };
            let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
            (token, Body::from(bytes))
        }
    };
    if !sent.is_some_and(|t| same(&t, &session.csrf_token)) {
        return PageError::CsrfRejected.into_response();
    }
    parts.extensions.insert(SignedIn { user: session.user, csrf: session.csrf_token });
    next.run(Request::from_parts(parts, body)).await
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// How much of an upload form is read to find its token: the token is its first part.
const TOKEN_PART_BYTES: usize = 64 * 1024;

/// The CSRF token of a multipart form, which Rally's upload forms send as their first part, and the
/// body to pass on: what was read to find the token, put back in front of the rest, which is not
/// read here. `None` when the first part is something else or not complete within 64 KB.
async fn first_part_token(headers: &HeaderMap, body: Body) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let boundary =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| multer::parse_boundary(v).ok());
    let mut rest = body.into_data_stream();
    let mut read: Vec<axum::body::Bytes> = Vec::new();
    let mut size = 0;
    let token = match boundary {
        None => None,
        Some(boundary) => loop {
            let ended = match rest.next().await {
                Some(Ok(piece)) => {
                    size += piece.len();
                    read.push(piece);
                    false
                }
                Some(Err(_)) | None => true,
            };
            match token_in(&read, &boundary).await {
                Some(found) => break found,
                None if ended || size >= TOKEN_PART_BYTES => break None,
                None => {}
            }
        },
    };
    let read = futures_util::stream::iter(read.into_iter().map(Ok::<_, axum::Error>));
    (token, Body::from_stream(read.chain(rest)))
}

/// The token in the first part of what has been read of a multipart body: `Some(Some(token))`,
/// `Some(None)` when the first part is another field, `None` when more must be read to tell.
async fn token_in(read: &[axum::body::Bytes], boundary: &str) -> Option<Option<String>> {
    let pieces = read.iter().cloned().map(Ok::<_, std::convert::Infallible>).collect::<Vec<_>>();
    let mut form = multer::Multipart::new(futures_util::stream::iter(pieces), boundary);
    match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => field.text().await.ok().map(Some),
        Ok(Some(_)) => Some(None),
        Ok(None) => None,
        Err(_) => None,
    }
}

/// A browser that sends `Origin` (all current ones do on POST) must be on this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

/// A fresh random value for a session or CSRF token.
pub fn new_token() -> String {
    random_token()
}

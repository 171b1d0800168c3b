//! `/login`, `/logout` and `/reset/{token}`: signing in and out (a user with a second factor is left
//! with a pending sign-in that `second_factor.rs` completes), and setting a password from a link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use rally_domain::Email;
use serde::Deserialize;

use super::session::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_DAYS, append_cookie, check_form_token, cookie, new_token, session_hash,
    set_cookie, with_form_token,
};
use super::{FormData, PageError, render};
use crate::AppState;
use rally_domain::throttle::Backoff;

use crate::auth::{check_password, hash_password, hash_token};
use crate::client::ClientIp;

/// The cookie that names a browser an account signed in from, and how long it is kept.
pub(super) const DEVICE_COOKIE: &str = "rally_device";
const DEVICE_DAYS: i64 = 365;

/// The cookie of a sign-in waiting for its second factor (`second_factor.rs` asks for it), and how long
/// it waits.
pub(super) const PENDING_COOKIE: &str = "rally_pending";
const PENDING_MINUTES: i64 = 10;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    email: String,
    next: String,
    csrf: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site is a place to return to; anything else goes to the campaign list. The
/// value must be printable ASCII (a tab or newline is dropped by browsers, turning `/\t/evil` into
/// `//evil`, and cannot be a header at all), a path that starts with one `/`, and stay on this origin
/// once resolved and normalized as a browser does.
pub(super) fn safe_next(next: &str) -> String {
    const HOME: &str = "/campaigns";
    let printable = !next.is_empty() && next.len() <= 2048 && next.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !printable || !next.starts_with('/') || next.starts_with("//") || next.contains('\\') {
        return HOME.into();
    }
    let Ok(base) = url::Url::parse("https://rally.invalid/") else { return HOME.into() };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && !u.path().starts_with("//") => next.to_owned(),
        _ => HOME.into(),
    }
}

fn login_page(app: &AppState, page: LoginPage, status: axum::http::StatusCode) -> Result<Response, PageError> {
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(with_form_token(app, response, &page.csrf))
}

pub async fn form(State(app): State<AppState>, Query(q): Query<Next>) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/campaigns"));
    let page = LoginPage { email: String::new(), next, csrf: new_token(), error: None };
    login_page(&app, page, axum::http::StatusCode::OK)
}

pub async fn submit(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    // Per client address (behind a proxy: the client it forwards), whatever account is tried.
    if let Some(ip) = ip
        && !app.sign_ins.allow(ip, std::time::Instant::now())
    {
        return Err(PageError::TooManyAttempts(app.sign_ins.seconds_per_attempt()));
    }
    let next = safe_next(form.get("next"));
    // The sign-in form has no session to tie it to, so its token must match the cookie set with it.
    check_form_token(&headers, &form)?;
    let again = |error: &str| {
        let page = LoginPage {
            email: form.get("email").to_owned(),
            next: next.clone(),
            csrf: new_token(),
            error: Some(error.to_owned()),
        };
        login_page(&app, page, axum::http::StatusCode::UNAUTHORIZED)
    };
    let Ok(email) = Email::parse(form.get("email")) else {
        return again("Enter the e-mail address you were added with.");
    };
    let now = Utc::now();
    let found = app.store.login_lookup(&email).await?;
    // A browser this account signed in from before is let past the account's own gate, which
    // strangers' guesses may have closed; it keeps a gate of its own.
    let device = cookie(&headers, DEVICE_COOKIE).map(|t| hash_token(&t));
    let known = match &device {
        Some(hash) => app.store.known_device(hash, now).await?,
        None => None,
    };
    let owners_device = known.is_some() && known == found.as_ref().map(|(u, _)| u.id);
    let gates = Gates::new(&email, ip, device.as_deref().filter(|_| owners_device));
    if let Err(wait) = app.store.pass_gates(&gates.to_pass(), now).await? {
        // Rounded up: a client that waits as long as it is told finds the gate open.
        return Err(PageError::TooManyAttempts(((wait.num_milliseconds() + 999) / 1000).max(1)));
    }
    let password = form.get("password").to_owned();
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    // argon2 takes tens of milliseconds of CPU: off the async workers. Unknown addresses cost a check
    // of the same price, so the answer's timing does not tell which addresses have accounts.
    let ok = crate::blocking::run(move || check_password(&password, stored.as_deref())).await?;
    let Some((user, _)) = found.filter(|_| ok) else {
        // For the audit log: the address tried and where from (the password never leaves this function).
        app.store.record_sign_in_failed(&email).await?;
        return again("Wrong e-mail address or password.");
    };
    app.store.open_gates(&gates.to_open()).await?;
    // A remembered browser only eases the password's gates: a second factor is asked for all the same.
    if app.store.second_factor(user.id).await?.is_some() {
        return pending(&app, user.id, &next).await;
    }
    finish(&app, user.id, &next, owners_device).await
}

/// The end of a sign-in whose password (and second factor, if the user has one) was right: the
/// session, and this browser remembered. The second step calls it with `headers` to tell whether the
/// browser is remembered already.
/// After a right password for a user with a second factor: no session yet, only a pending sign-in
/// whose cookie lasts minutes, and the page that asks for the code.
pub(super) async fn pending(app: &AppState, user: rally_domain::UserId, next: &str) -> Result<Response, PageError> {
    let token = new_token();
    let expires = Utc::now() + Duration::minutes(PENDING_MINUTES);
    app.store.begin_pending_sign_in(user, &hash_token(&token), expires).await?;
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let mut response = Redirect::to(&format!("/login/second-factor?next={next}")).into_response();
    append_cookie(&mut response, &set_cookie(app, PENDING_COOKIE, &token, PENDING_MINUTES * 60));
    Ok(response)
}

pub(super) async fn complete(
    app: &AppState,
    headers: &HeaderMap,
    user: rally_domain::UserId,
    next: &str,
) -> Result<Response, PageError> {
    let device = cookie(headers, DEVICE_COOKIE).map(|t| hash_token(&t));
    let known = match &device {
        Some(hash) => app.store.known_device(hash, Utc::now()).await?,
        None => None,
    };
    finish(app, user, next, known == Some(user)).await
}

async fn finish(
    app: &AppState,
    user: rally_domain::UserId,
    next: &str,
    owners_device: bool,
) -> Result<Response, PageError> {
    // A member of a campaign that requires a second factor, without one, sets it up first.
    let next = if app.store.second_factor_wanted_by(user).await?.is_empty() { next } else { "/account/second-factor" };
    let mut response = signed_in(app, user, next).await?;
    if !owners_device {
        let device = new_token();
        app.store.remember_device(user, &hash_token(&device), Utc::now()).await?;
        append_cookie(&mut response, &set_cookie(app, DEVICE_COOKIE, &device, DEVICE_DAYS * 86_400));
    }
    Ok(response)
}

/// Starts a session for `user` and sends the browser to `next` with its cookie (the sign-in form's
/// own token cookie is dropped).
pub(super) async fn signed_in(app: &AppState, user: rally_domain::UserId, next: &str) -> Result<Response, PageError> {
    let token = new_token();
    let expires = Utc::now() + Duration::days(SESSION_DAYS);
    app.store.create_session(user, &hash_token(&token), &new_token(), expires).await?;
    let mut response = Redirect::to(next).into_response();
    let session_cookie = set_cookie(app, SESSION_COOKIE, &token, SESSION_DAYS * 86_400);
    append_cookie(&mut response, &session_cookie);
    append_cookie(&mut response, &set_cookie(app, LOGIN_CSRF_COOKIE, "", 0));
    Ok(response)
}

/// The gates a sign-in passes before its password is checked (see `rally_domain::throttle`): one for
/// the account and the client (its address, or the account's own known browser), and one for the
/// account from anywhere, which the account's known browsers skip. Gates are named by a hash, so the
/// table holds no address of either kind.
struct Gates {
    client: String,
    account: Option<String>,
}

impl Gates {
    fn new(email: &Email, ip: Option<std::net::IpAddr>, owners_device: Option<&str>) -> Gates {
        let client = match (owners_device, ip) {
            (Some(device), _) => format!("device {device}"),
            (None, Some(ip)) => format!("client {ip} {email}"),
            (None, None) => format!("client - {email}"),
        };
        let account = owners_device.is_none().then(|| hash_token(&format!("account {email}")));
        Gates { client: hash_token(&client), account }
    }

    fn to_pass(&self) -> Vec<(&str, Backoff)> {
        let mut gates = vec![(self.client.as_str(), Backoff::PER_CLIENT)];
        gates.extend(self.account.as_deref().map(|a| (a, Backoff::PER_ACCOUNT)));
        gates
    }

    /// The gates a correct password opens: the ones it came through.
    fn to_open(&self) -> Vec<&str> {
        self.to_pass().into_iter().map(|(gate, _)| gate).collect()
    }
}

/// Ends the session (the CSRF guard has checked the form) and forgets the cookie.
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(hash) = session_hash(&headers) {
        app.store.delete_session(&hash).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    append_cookie(&mut response, &set_cookie(&app, SESSION_COOKIE, "", 0));
    Ok(response)
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    token: String,
    csrf: String,
    error: Option<String>,
}

fn reset_page(app: &AppState, token: String, error: Option<String>) -> Result<Response, PageError> {
    let page = ResetPage { token, csrf: new_token(), error };
    let response = render(&page)?;
    Ok(with_form_token(app, response, &page.csrf))
}

pub async fn reset_form(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    reset_page(&app, token, None)
}

pub async fn reset_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form)?;
    if form.get("password") != form.get("confirm") {
        return reset_page(&app, token, Some("The two passwords differ.".into()));
    }
    let password = form.get("password").to_owned();
    let hash = match crate::blocking::run(move || hash_password(&password)).await? {
        Ok(hash) => hash,
        Err(message) => return reset_page(&app, token, Some(message)),
    };
    match app.store.reset_password(&hash_token(&token), &hash).await {
        Ok(_) => Ok(Redirect::to("/login").into_response()),
        Err(rally_store::StoreError::NotFound(_)) => {
            Err(PageError::BadRequest("This link has expired or was used already. Ask for a new one.".into()))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        for good in ["/campaigns/hr/board", "/campaigns/hr/partners?stage=lead&q=%C5%A1kola", "/c/hr/", "/"] {
            assert_eq!(safe_next(good), good, "{good:?}");
        }
        for hostile in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "/ /evil.example",
            "/\u{a0}/evil",
            "/škola",
            "",
            "evil.example",
            "/%09/evil.example",
            "/.//evil.example",
        ] {
            let got = safe_next(hostile);
            assert!(
                got == "/campaigns" || (got == hostile && !hostile.contains(['\t', '\n', ' '])),
                "{hostile:?} gave {got:?}"
            );
            assert!(!got.starts_with("//") && !got.contains(['\t', '\n', '\r', '\\']), "{hostile:?} gave {got:?}");
        }
        assert_eq!(safe_next("/\t/evil.example"), "/campaigns");
        assert_eq!(safe_next("/\n"), "/campaigns");
    }
}

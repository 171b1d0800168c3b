//! `/account`: the signed-in user's own account — their name, their address (changed once a link sent
//! to the new one is followed), time zone, a new password (the current one is asked first), the browsers
//! they are signed in with (each can be signed out) and signing out of every other browser. A new
//! password or the last ends the user's other sessions, so whoever knew the old password, or holds a
//! forgotten browser, is out.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rally_store::StoreError;
use serde::Deserialize;

use super::session::session_hash;
use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::auth::{check_password, hash_password};

/// The account page and its forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/name", post(rename))
        .route("/account/password", post(change_password))
        .route("/account/sessions", post(end_other_sessions))
        .route("/account/sessions/end", post(end_session))
        .route("/account/email", post(change_email))
        .route("/account/time-zone", post(set_time_zone))
        .route("/confirm-address/{token}", get(confirm_form).post(confirm_address))
}

/// How long the link that confirms a new address works.
const ADDRESS_LINK_HOURS: i64 = 24;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    /// What the last form did, said once.
    done: Option<String>,
    /// Why the password form was refused.
    error: Option<String>,
    /// The name as typed, and why it was refused.
    name: String,
    name_error: Option<String>,
    /// The new address as typed, and why it was refused.
    new_email: String,
    email_error: Option<String>,
    time_zone: String,
    zones: Vec<&'static str>,
    zone_error: Option<String>,
    /// Two-factor sign-in, when on.
    second_factor: Option<rally_store::SecondFactor>,
    /// The user's signed-in browsers, this one marked.
    sessions: Vec<BrowserRow>,
}

/// One signed-in browser as the page lists it.
struct BrowserRow {
    handle: String,
    browser: String,
    signed_in: String,
    last_active: String,
    this_browser: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
    ended: Option<u64>,
}

/// What a form on the page left to show: a password error, or a name as typed with its error.
#[derive(Debug, Default)]
struct Refused {
    password: Option<String>,
    name: Option<(String, String)>,
    email: Option<(String, String)>,
    zone: Option<String>,
}

async fn account_page(
    app: &AppState,
    me: &SignedIn,
    headers: &HeaderMap,
    done: Option<String>,
    refused: Refused,
) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, None, "account", "Your account").await?;
    let failed =
        refused.password.is_some() || refused.name.is_some() || refused.email.is_some() || refused.zone.is_some();
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (name, name_error) = match refused.name {
        Some((typed, error)) => (typed, Some(error)),
        None => (me.user.name.clone(), None),
    };
    let (new_email, email_error) = refused.email.map_or((String::new(), None), |(typed, e)| (typed, Some(e)));
    let email = me.user.email.to_string();
    let time_zone = app.store.time_zone(me.user.id).await?;
    let zones = rally_domain::cadence::time_zone_names().collect();
    let second_factor = app.store.second_factor(me.user.id).await?;
    let here = session_hash(headers).map(|h| rally_store::session_handle(&h));
    // Times in the user's own zone, as the rest of the team app shows them.
    let zone = rally_domain::cadence::parse_time_zone(&time_zone).ok();
    let when = |t: chrono::DateTime<chrono::Utc>| match zone {
        Some(zone) => t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let sessions = app
        .store
        .user_sessions(me.user.id)
        .await?
        .into_iter()
        .map(|s| BrowserRow {
            this_browser: here.as_deref() == Some(s.handle.as_str()),
            browser: describe_browser(s.user_agent.as_deref().unwrap_or_default()),
            signed_in: when(s.created_at),
            last_active: s.last_seen_at.map_or_else(|| "not since".to_owned(), when),
            handle: s.handle,
        })
        .collect();
    let mut response = render(&AccountPage {
        layout,
        email,
        done,
        error: refused.password,
        name,
        name_error,
        new_email,
        email_error,
        time_zone,
        zones,
        zone_error: refused.zone,
        second_factor,
        sessions,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let done = match (q.done.as_deref(), q.ended) {
        (Some("name"), _) => Some("Your name is changed.".to_owned()),
        (Some("password"), _) => Some("Your password is changed; every other browser is signed out.".to_owned()),
        (Some("sessions"), Some(1)) => Some("1 other browser is signed out.".to_owned()),
        (Some("sessions"), Some(n)) => Some(format!("{n} other browsers are signed out.")),
        (Some("email-sent"), _) => Some(
            "A link to confirm your new address is on its way to it. Until you follow it, you sign in with this one."
                .to_owned(),
        ),
        (Some("email"), _) => Some("Your address is changed: sign in with it from now on.".to_owned()),
        (Some("time-zone"), _) => Some("Your time zone is saved.".to_owned()),
        (Some("session"), _) => Some("That browser is signed out.".to_owned()),
        (Some("session-gone"), _) => Some("That browser was signed out already.".to_owned()),
        _ => None,
    };
    account_page(&app, &me, &headers, done, Refused::default()).await
}

/// The hash of this browser's session token: the session every change here keeps.
fn this_session(headers: &HeaderMap) -> Result<String, PageError> {
    session_hash(headers).ok_or(PageError::Forbidden)
}

/// Changes the name the user is shown by.
pub async fn rename(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    match app.store.rename_user(me.user.id, form.get("name")).await {
        Ok(_) => Ok(Redirect::to("/account?done=name").into_response()),
        Err(StoreError::Invalid(invalid)) => {
            let name = Some((
                form.get("name").to_owned(),
                format!("Your name {}.", invalid.0.first().map_or("is not valid", |e| e.message.as_str())),
            ));
            account_page(&app, &me, &headers, None, Refused { name, ..Refused::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password: the current one first, the new one twice.
pub async fn change_password(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let keep = this_session(&headers)?;
    let stored = app.store.login_lookup(&me.user.email).await?.and_then(|(_, hash)| hash);
    let current = form.get("current").to_owned();
    if !crate::blocking::run(move || check_password(&current, stored.as_deref())).await? {
        return account_page(
            &app,
            &me,
            &headers,
            None,
            Refused { password: Some("The current password is not right.".into()), ..Refused::default() },
        )
        .await;
    }
    if form.get("password") != form.get("confirm") {
        return account_page(
            &app,
            &me,
            &headers,
            None,
            Refused { password: Some("The two new passwords differ.".into()), ..Refused::default() },
        )
        .await;
    }
    let password = form.get("password").to_owned();
    let hash = match crate::blocking::run(move || hash_password(&password)).await? {
        Ok(hash) => hash,
        Err(message) => {
            return account_page(
                &app,
                &me,
                &headers,
                None,
                Refused { password: Some(format!("The new password: {message}.")), ..Refused::default() },
            )
            .await;
        }
    };
    app.store.change_password(me.user.id, &hash, &keep).await?;
    Ok(Redirect::to("/account?done=password").into_response())
}

/// Signs the user out of every browser but this one.
pub async fn end_other_sessions(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let keep = this_session(&headers)?;
    let ended = app.store.end_other_sessions(me.user.id, &keep).await?;
    Ok(Redirect::to(&format!("/account?done=sessions&ended={ended}")).into_response())
}

/// Signs the user out of one of their browsers, named by its handle on this page. A handle that is not
/// one of the user's sessions (signed out meanwhile, or someone else's) ends nothing.
pub async fn end_session(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let handle = form.get("session");
    if handle.is_empty() || handle.len() > 64 {
        return Err(PageError::BadRequest("Choose a browser to sign out from the list.".into()));
    }
    match app.store.end_session(me.user.id, handle).await {
        // Ending this very browser is signing out: the sign-in page is what it sees next.
        Ok(()) if session_hash(&headers).is_some_and(|h| rally_store::session_handle(&h) == handle) => {
            Ok(Redirect::to("/login").into_response())
        }
        Ok(()) => Ok(Redirect::to("/account?done=session").into_response()),
        Err(StoreError::NotFound(_)) => Ok(Redirect::to("/account?done=session-gone").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The browser a user agent names, in plain words: "Firefox on Linux", "Safari on iPhone". Rally keeps
/// the agent only to tell a user's browsers apart, so a rough answer is enough, and an unknown or
/// missing agent is "An unknown browser" rather than the raw string.
pub fn describe_browser(agent: &str) -> String {
    let has = |needle: &str| agent.contains(needle);
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari, and iOS browsers other
    // than Safari say so with their own token.
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("Chromium/") || has("CriOS/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else if agent.starts_with("curl/") {
        Some("curl")
    } else {
        None
    };
    let system = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Android") {
        Some("Android")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("macOS")
    } else if has("Linux") || has("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "An unknown browser".to_owned(),
    }
}

/// Starts a change of address: a link goes to the new address, and nothing changes until it is followed.
pub async fn change_email(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let typed = form.get("email").trim().to_owned();
    let refuse = |message: String| Refused { email: Some((typed.clone(), message)), ..Refused::default() };
    let Ok(new) = rally_domain::Email::parse(&typed) else {
        let message = format!("New e-mail address: “{typed}” is not an e-mail address, such as ana@example.org.");
        return account_page(&app, &me, &headers, None, refuse(message)).await;
    };
    if new == me.user.email {
        return account_page(
            &app,
            &me,
            &headers,
            None,
            refuse("New e-mail address: this is your address already.".into()),
        )
        .await;
    }
    let token = super::session::new_token();
    let link = format!("{}/confirm-address/{token}", app.public_url.as_str());
    let mail = rally_comms::team_mail::address_confirmation(&new, &me.user.name, &link);
    let expires = chrono::Utc::now() + chrono::Duration::hours(ADDRESS_LINK_HOURS);
    match app.store.request_email_change(me.user.id, &new, &crate::auth::hash_token(&token), expires, &mail).await {
        Ok(()) => Ok(Redirect::to("/account?done=email-sent").into_response()),
        Err(StoreError::Invalid(i)) => {
            let message =
                format!("New e-mail address: {}.", i.0.first().map_or("is not valid", |e| e.message.as_str()));
            account_page(&app, &me, &headers, None, refuse(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves the user's time zone.
pub async fn set_time_zone(
    State(app): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    match app.store.set_time_zone(me.user.id, form.get("time_zone")).await {
        Ok(()) => Ok(Redirect::to("/account?done=time-zone").into_response()),
        Err(StoreError::Invalid(_)) => {
            let zone = Some("Time zone: choose one from the list.".to_owned());
            account_page(&app, &me, &headers, None, Refused { zone, ..Refused::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "confirm_address.html")]
struct ConfirmPage {
    token: String,
    csrf: String,
}

/// The page a confirmation link opens: a button, so that a mail scanner following links confirms nothing.
pub async fn confirm_form(
    State(app): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let csrf = super::session::new_token();
    let response = render(&ConfirmPage { token, csrf: csrf.clone() })?;
    Ok(super::session::with_form_token(&app, response, &csrf))
}

pub async fn confirm_address(
    State(app): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(token): axum::extract::Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    super::session::check_form_token(&headers, &form)?;
    if token.len() > 128 {
        return Err(PageError::NotFound);
    }
    match app.store.confirm_email_change(&crate::auth::hash_token(&token)).await {
        Ok(_) => Ok(Redirect::to("/account?done=email").into_response()),
        Err(StoreError::NotFound(_)) => Err(PageError::BadRequest(
            "This link has expired or was used already. Ask for a new one on your account page.".into(),
        )),
        Err(StoreError::Invalid(i)) => Err(PageError::BadRequest(i.sentences())),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn user_agents_read_as_plain_words() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome on iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
                "Samsung Internet on Android",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/114.0.0.0",
                "Opera on Windows",
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on ChromeOS",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            ("curl/8.5.0", "curl"),
            ("Mozilla/5.0 (Windows NT 10.0)", "A browser on Windows"),
            ("", "An unknown browser"),
            ("<script>alert(1)</script>", "An unknown browser"),
        ];
        for (agent, expected) in cases {
            assert_eq!(describe_browser(agent), expected, "{agent}");
        }
    }
}

//! `/account`: the signed-in user's own account — their name, their address (changed once a link sent
//! to the new one is followed), time zone, a new password (the current one is asked first) and signing
//! out of every other browser. Either of the last two ends the user's other sessions, so whoever knew
//! the old password, or holds a forgotten browser, is out.

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
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Query(q): Query<Done>) -> Result<Response, PageError> {
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
        _ => None,
    };
    account_page(&app, &me, done, Refused::default()).await
}

/// The hash of this browser's session token: the session every change here keeps.
fn this_session(headers: &HeaderMap) -> Result<String, PageError> {
    session_hash(headers).ok_or(PageError::Forbidden)
}

/// Changes the name the user is shown by.
pub async fn rename(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    match app.store.rename_user(me.user.id, form.get("name")).await {
        Ok(_) => Ok(Redirect::to("/account?done=name").into_response()),
        Err(StoreError::Invalid(invalid)) => {
            let name = Some((
                form.get("name").to_owned(),
                format!("Your name {}.", invalid.0.first().map_or("is not valid", |e| e.message.as_str())),
            ));
            account_page(&app, &me, None, Refused { name, ..Refused::default() }).await
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
            None,
            Refused { password: Some("The current password is not right.".into()), ..Refused::default() },
        )
        .await;
    }
    if form.get("password") != form.get("confirm") {
        return account_page(
            &app,
            &me,
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

/// Starts a change of address: a link goes to the new address, and nothing changes until it is followed.
pub async fn change_email(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    let typed = form.get("email").trim().to_owned();
    let refuse = |message: String| Refused { email: Some((typed.clone(), message)), ..Refused::default() };
    let Ok(new) = rally_domain::Email::parse(&typed) else {
        let message = format!("New e-mail address: “{typed}” is not an e-mail address, such as ana@example.org.");
        return account_page(&app, &me, None, refuse(message)).await;
    };
    if new == me.user.email {
        return account_page(&app, &me, None, refuse("New e-mail address: this is your address already.".into())).await;
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
            account_page(&app, &me, None, refuse(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves the user's time zone.
pub async fn set_time_zone(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    match app.store.set_time_zone(me.user.id, form.get("time_zone")).await {
        Ok(()) => Ok(Redirect::to("/account?done=time-zone").into_response()),
        Err(StoreError::Invalid(_)) => {
            let zone = Some("Time zone: choose one from the list.".to_owned());
            account_page(&app, &me, None, Refused { zone, ..Refused::default() }).await
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

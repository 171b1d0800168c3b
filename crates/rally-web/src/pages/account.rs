//! `/account`: the signed-in user's own account — their name, a new password (the current one is asked
//! first) and signing out of every other browser. Either ends the user's other sessions, so whoever knew the old
//! password, or holds a forgotten browser, is out.

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
}

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
}

async fn account_page(
    app: &AppState,
    me: &SignedIn,
    done: Option<String>,
    refused: Refused,
) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, None, "account", "Your account").await?;
    let failed = refused.password.is_some() || refused.name.is_some();
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (name, name_error) = match refused.name {
        Some((typed, error)) => (typed, Some(error)),
        None => (me.user.name.clone(), None),
    };
    let email = me.user.email.to_string();
    let mut response = render(&AccountPage { layout, email, done, error: refused.password, name, name_error })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Query(q): Query<Done>) -> Result<Response, PageError> {
    let done = match (q.done.as_deref(), q.ended) {
        (Some("name"), _) => Some("Your name is changed.".to_owned()),
        (Some("password"), _) => Some("Your password is changed; every other browser is signed out.".to_owned()),
        (Some("sessions"), Some(1)) => Some("1 other browser is signed out.".to_owned()),
        (Some("sessions"), Some(n)) => Some(format!("{n} other browsers are signed out.")),
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
            account_page(&app, &me, None, Refused { password: None, name }).await
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
            Refused { password: Some("The current password is not right.".into()), name: None },
        )
        .await;
    }
    if form.get("password") != form.get("confirm") {
        return account_page(
            &app,
            &me,
            None,
            Refused { password: Some("The two new passwords differ.".into()), name: None },
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
                Refused { password: Some(format!("The new password: {message}.")), name: None },
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

//! `/invitation/{token}`: where an invitation's e-mail leads. Someone new chooses a name and a password
//! and lands in the campaign, signed in; someone who has an account meanwhile joins and signs in as
//! usual. The token is the credential; the form's own token is checked against a cookie, as at sign-in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rally_store::{OpenInvitation, StoreError};

use super::login::signed_in;
use super::session::{check_form_token, new_token, with_form_token};
use super::{FormData, PageError, render};
use crate::AppState;
use crate::auth::{hash_password, hash_token};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    token: String,
    csrf: String,
    /// `None` when the link no longer works.
    open: Option<OpenInvitation>,
    name: String,
    error: Option<String>,
}

fn page(app: &AppState, mut page: InvitationPage, status: StatusCode) -> Result<Response, PageError> {
    page.csrf = new_token();
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(with_form_token(app, response, &page.csrf))
}

/// Bounded before hashing: a token Rally made is 43 characters.
fn token_hash(token: &str) -> Option<String> {
    (token.len() <= 128).then(|| hash_token(token))
}

pub async fn form(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let open = match token_hash(&token) {
        Some(hash) => app.store.open_invitation(&hash).await?,
        None => None,
    };
    let status = if open.is_some() { StatusCode::OK } else { StatusCode::GONE };
    page(&app, InvitationPage { token, csrf: String::new(), open, name: String::new(), error: None }, status)
}

pub async fn accept(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form)?;
    let Some(hash) = token_hash(&token) else { return Err(PageError::NotFound) };
    let Some(open) = app.store.open_invitation(&hash).await? else {
        let gone = InvitationPage { token, csrf: String::new(), open: None, name: String::new(), error: None };
        return page(&app, gone, StatusCode::GONE);
    };
    if open.has_account {
        let (_, slug) = app.store.accept_invitation(&hash, "", "").await?;
        let next = format!("/login?next=/campaigns/{slug}");
        return Ok(Redirect::to(&next).into_response());
    }
    let name = form.get("name").trim().to_owned();
    let again = |error: &str, open: OpenInvitation, name: String| {
        let retry = InvitationPage {
            token: token.clone(),
            csrf: String::new(),
            open: Some(open),
            name,
            error: Some(error.into()),
        };
        page(&app, retry, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if name.is_empty() || name.chars().count() > 100 {
        return again("Your name: give 1 to 100 characters.", open, name);
    }
    if form.get("password") != form.get("confirm") {
        return again("The two passwords differ.", open, name);
    }
    let password = form.get("password").to_owned();
    let password_hash = match crate::blocking::run(move || hash_password(&password)).await? {
        Ok(h) => h,
        Err(message) => return again(&format!("Password: {message}"), open, name),
    };
    match app.store.accept_invitation(&hash, &name, &password_hash).await {
        // An account made meanwhile with that address may have a second factor: it signs in as usual.
        Ok((user, slug)) if app.store.second_factor(user.id).await?.is_some() => {
            Ok(Redirect::to(&format!("/login?next=/campaigns/{slug}")).into_response())
        }
        Ok((user, slug)) => signed_in(&app, user.id, &format!("/campaigns/{slug}")).await,
        Err(StoreError::Invalid(i)) => again(&i.sentences(), open, name),
        Err(e) => Err(e.into()),
    }
}

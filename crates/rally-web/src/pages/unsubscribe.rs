//! `/u/{token}`: the unsubscribe link in every campaign e-mail. No account and no cookie: the signed
//! token is the credential.
//!
//! * `POST` with the body `List-Unsubscribe=One-Click` (RFC 8058, sent by mail providers when the reader
//!   presses "unsubscribe") stops campaign e-mail at once; doing it twice changes nothing.
//! * `GET` shows the choices: every e-mail, fewer, essential only, none — and `POST choice=…` records one.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use rally_domain::comms::MailPreference;

use super::{FormData, PageError, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    token: String,
    email: String,
    current: MailPreference,
    choices: Vec<(&'static str, &'static str)>,
    saved: bool,
}

/// The contact a token names, after checking its signature.
async fn contact(app: &AppState, token: &str) -> Result<rally_domain::ContactId, PageError> {
    let secret = app.store.link_secret(&rally_comms::unsubscribe::new_secret()).await?;
    rally_comms::unsubscribe::verify(&secret, token).ok_or(PageError::NotFound)
}

/// "a***@school.hr": enough to recognize one's address, not enough to harvest it.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

async fn page(app: &AppState, token: &str, saved: bool) -> Result<Response, PageError> {
    let id = contact(app, token).await?;
    let (email, current) = app.store.mail_preference(id).await?.ok_or(PageError::NotFound)?;
    render(&UnsubscribePage {
        token: token.to_owned(),
        email: masked(email.as_str()),
        current,
        choices: MailPreference::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        saved,
    })
}

pub async fn show(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    page(&app, &token, false).await
}

pub async fn submit(
    State(app): State<AppState>,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = contact(&app, &token).await?;
    if form.get("List-Unsubscribe") == "One-Click" {
        app.store.set_mail_preference(id, MailPreference::Essential).await?;
        return Ok("You are unsubscribed from campaign e-mail.\n".into_response());
    }
    let choice = MailPreference::parse(form.get("choice")).map_err(PageError::BadRequest)?;
    app.store.set_mail_preference(id, choice).await?;
    page(&app, &token, true).await
}

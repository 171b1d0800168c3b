//! `/u/{token}`: the unsubscribe link in every campaign e-mail. No account and no cookie: the signed
//! token is the credential.
//!
//! * `POST` with the body `List-Unsubscribe=One-Click` (RFC 8058, sent by mail providers when the reader
//!   presses "unsubscribe") stops campaign e-mail at once; doing it twice changes nothing.
//! * `GET` shows the choices: every e-mail, fewer, essential only, none — and `POST choice=…` records one.
//! * `POST privacy=export` e-mails the contact everything the campaign holds about them, and
//!   `POST privacy=erase` e-mails them a link (`/u/{token}/erase/{confirm}`, valid a week) that erases
//!   it: both go to the contact's own address, so whoever else holds the unsubscribe link (a forwarded
//!   e-mail) learns and destroys nothing.

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
    /// What the contact asked for about their data: `export` or `erase` (an e-mail is on its way).
    privacy: &'static str,
    /// A newer privacy notice the contact must agree to before campaign news reaches them again.
    notice_due: Option<rally_domain::consent::PrivacyNotice>,
    agreed: bool,
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

async fn page(app: &AppState, token: &str, saved: bool, agreed: bool) -> Result<Response, PageError> {
    page_with(app, token, saved, agreed, "").await
}

async fn page_with(
    app: &AppState,
    token: &str,
    saved: bool,
    agreed: bool,
    privacy: &'static str,
) -> Result<Response, PageError> {
    let id = contact(app, token).await?;
    let (email, current) = app.store.mail_preference(id).await?.ok_or(PageError::NotFound)?;
    let notice_due = app.store.contact_notice_due(id).await?;
    render(&UnsubscribePage {
        token: token.to_owned(),
        email: masked(email.as_str()),
        current,
        choices: MailPreference::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        saved,
        privacy,
        notice_due,
        agreed,
    })
}

pub async fn show(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    page(&app, &token, false, false).await
}

pub async fn submit(
    State(app): State<AppState>,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = contact(&app, &token).await?;
    if form.get("List-Unsubscribe") == "One-Click" {
        app.store.one_click_unsubscribe(id).await?;
        return Ok("You are unsubscribed from campaign e-mail.\n".into_response());
    }
    // "Keep me informed": agreeing to the privacy notice now in force.
    if form.get("agree") == "notice" {
        app.store.contact_agrees(id).await?;
        return page(&app, &token, false, true).await;
    }
    match form.get("privacy") {
        "export" => {
            let compose = |json: &str| export_mail(json);
            app.store.mail_contact_export(id, &compose).await?;
            return page_with(&app, &token, false, false, "export").await;
        }
        "erase" => {
            let secret = app.store.link_secret(&rally_comms::unsubscribe::new_secret()).await?;
            let confirm = rally_comms::unsubscribe::versioned_token(&secret, ERASE, id.0, today());
            let link = format!("{}/u/{token}/erase/{confirm}", app.public_url.as_str());
            let text = format!(
                "Someone asked, from the e-mail preferences page of this address, to erase everything the campaign \
                 holds about you.\n\nTo erase it, open this link within a week and confirm:\n{link}\n\nIf you did not \
                 ask for this, ignore this e-mail: nothing is erased."
            );
            app.store.mail_contact(id, "Confirm the erasure of your data", &text).await?;
            return page_with(&app, &token, false, false, "erase").await;
        }
        _ => {}
    }
    let choice = MailPreference::parse(form.get("choice")).map_err(PageError::BadRequest)?;
    app.store.set_mail_preference(id, choice).await?;
    page(&app, &token, true, false).await
}

/// The purpose of the signed erasure links, and how many days one stays good.
const ERASE: &str = "erase-contact";
const ERASE_LINK_DAYS: i64 = 7;

/// Days since the Unix epoch: the version an erasure link carries, so it expires.
fn today() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(86_400)
}

/// The largest export sent in an e-mail's text; a larger one is for the campaign's team to send.
const MAX_MAILED_EXPORT: usize = 512 * 1024;

fn export_mail(json: &str) -> (String, String) {
    let subject = "Your data in the campaign".to_owned();
    let text = if json.len() <= MAX_MAILED_EXPORT {
        format!(
            "You asked, from your e-mail preferences page, for everything the campaign holds about you. Here it is, \
             as JSON (one list of records per kind of data):\n\n{json}\n"
        )
    } else {
        "You asked, from your e-mail preferences page, for everything the campaign holds about you. It is too \
         large for an e-mail: reply to this message and the campaign team will send it another way.\n"
            .to_owned()
    };
    (subject, text)
}

#[derive(Template)]
#[template(path = "unsubscribe_erase.html")]
struct ErasePage {
    action: String,
    email: String,
    done: bool,
}

/// The contact an erasure link names, if both its tokens are genuine and it is less than a week old.
async fn erasable(app: &AppState, token: &str, confirm: &str) -> Result<rally_domain::ContactId, PageError> {
    let id = contact(app, token).await?;
    let secret = app.store.link_secret(&rally_comms::unsubscribe::new_secret()).await?;
    match rally_comms::unsubscribe::verify_versioned(&secret, ERASE, confirm) {
        Some((contact, day)) if contact == id.0 && (0..=ERASE_LINK_DAYS).contains(&(today() - day)) => Ok(id),
        _ => Err(PageError::NotFound),
    }
}

/// `GET /u/{token}/erase/{confirm}`: asks once more (a link opened by a mail scanner erases nothing).
pub async fn erase_form(
    State(app): State<AppState>,
    Path((token, confirm)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = erasable(&app, &token, &confirm).await?;
    let (email, _) = app.store.mail_preference(id).await?.ok_or(PageError::NotFound)?;
    render(&ErasePage { action: format!("/u/{token}/erase/{confirm}"), email: masked(email.as_str()), done: false })
}

/// `POST /u/{token}/erase/{confirm}`: erases the contact's data from the campaign.
pub async fn erase(
    State(app): State<AppState>,
    Path((token, confirm)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = erasable(&app, &token, &confirm).await?;
    let (email, _) = app.store.mail_preference(id).await?.ok_or(PageError::NotFound)?;
    app.store.erase_contact(id).await?;
    render(&ErasePage { action: String::new(), email: masked(email.as_str()), done: true })
}

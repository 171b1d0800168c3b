//! `/forgot`: "Forgot your password?" — a single-use link to set a new one, sent by e-mail. The answer
//! is the same whether the address has an account or not, and links are throttled per address (a
//! mailbox cannot be flooded with them) and per client.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{Duration, Utc};
use rally_domain::Email;
use rally_domain::throttle::Backoff;

use super::session::{check_form_token, new_token, with_form_token};
use super::{FormData, PageError, render};
use crate::AppState;
use crate::auth::hash_token;
use crate::client::ClientIp;

/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 1;

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    csrf: String,
    email: String,
    error: Option<String>,
    /// The address a link was asked for: the page then says what happens next.
    sent: Option<String>,
}

fn forgot_page(app: &AppState, page: ForgotPage, status: StatusCode) -> Result<Response, PageError> {
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(with_form_token(app, response, &page.csrf))
}

pub async fn form(State(app): State<AppState>) -> Result<Response, PageError> {
    let page = ForgotPage { csrf: new_token(), email: String::new(), error: None, sent: None };
    forgot_page(&app, page, StatusCode::OK)
}

pub async fn submit(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form)?;
    if let Some(ip) = ip
        && !app.sign_ins.allow(ip, std::time::Instant::now())
    {
        return Err(PageError::TooManyAttempts(app.sign_ins.seconds_per_attempt()));
    }
    let raw = form.get("email").trim().to_owned();
    let Ok(email) = Email::parse(&raw) else {
        let error = Some("Enter the e-mail address you sign in with, such as ana@example.org.".to_owned());
        let page = ForgotPage { csrf: new_token(), email: raw, error, sent: None };
        return forgot_page(&app, page, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let now = Utc::now();
    // Per client, whatever the address: a refusal here says nothing about any account.
    let client = hash_token(&format!("reset client {}", ip.map_or("-".to_owned(), |ip| ip.to_string())));
    if let Err(wait) = app.store.pass_gates(&[(client.as_str(), Backoff::RESET_CLIENT)], now).await? {
        return Err(PageError::TooManyAttempts(wait.num_seconds().max(1)));
    }
    // Per address: past its allowance the answer stays the same, and no more links are sent.
    let address = hash_token(&format!("reset address {email}"));
    let allowed = app.store.pass_gates(&[(address.as_str(), Backoff::RESET_LINKS)], now).await?.is_ok();
    if allowed && let Some(user) = app.store.user_by_email(&email).await? {
        let token = new_token();
        let link = format!("{}/reset/{token}", app.public_url.as_str());
        let mail = rally_comms::team_mail::password_reset(&user.email, &user.name, &link, None);
        let expires = now + Duration::hours(RESET_LINK_HOURS);
        app.store.create_password_reset(user.id, &hash_token(&token), expires, Some(&mail)).await?;
    }
    let page = ForgotPage { csrf: new_token(), email: String::new(), error: None, sent: Some(email.to_string()) };
    forgot_page(&app, page, StatusCode::OK)
}

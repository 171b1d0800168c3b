//! Two-factor sign-in in the team's app: the sign-in's second step (`/login/second-factor`, after a
//! right password), setting it up, turning it off and new recovery codes (`/account/second-factor`),
//! signing out everywhere, the Team page's "require it of everyone", and [`campaign_gate`], which
//! keeps a member without a second factor out of a campaign that requires one.
//!
//! The codes' arithmetic is `rally_domain::totp`; the secret and recovery codes live in the store
//! (`rally_store::SecondFactors`). The QR code is drawn here as inline SVG: no outside service sees it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use rally_domain::throttle::Backoff;
use rally_domain::totp::{self, Secret};
use rally_store::{Proof, SecondFactor, SecondFactorAnswer, SecondStep, StoreError};
use serde::Deserialize;

use super::login::PENDING_COOKIE;
use super::session::{
    SESSION_COOKIE, append_cookie, check_form_token, cookie, new_token, session_hash, set_cookie, with_form_token,
};
use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::auth::{check_password, hash_token};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/second-factor", get(step_form).post(step_submit))
        .route("/account/second-factor", get(show).post(begin))
        .route("/account/second-factor/confirm", post(confirm))
        .route("/account/second-factor/recovery-codes", post(new_recovery_codes))
        .route("/account/second-factor/disable", post(disable))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route("/campaigns/{slug}/team/second-factor", post(require))
}

// ---------------------------------------------------------------------------------------------------
// The sign-in's second step

#[derive(Template)]
#[template(path = "second_factor_login.html")]
struct StepPage {
    next: String,
    csrf: String,
    error: Option<String>,
}

fn step_page(app: &AppState, next: String, error: Option<String>, status: StatusCode) -> Result<Response, PageError> {
    let page = StepPage { next, csrf: new_token(), error };
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(with_form_token(app, response, &page.csrf))
}

#[derive(Debug, Deserialize)]
pub struct StepQuery {
    next: Option<String>,
}

fn pending_hash(headers: &HeaderMap) -> Option<String> {
    cookie(headers, PENDING_COOKIE).filter(|t| t.len() <= 128).map(|t| hash_token(&t))
}

/// Back to the password, saying why.
fn start_again() -> Response {
    Redirect::to("/login").into_response()
}

pub async fn step_form(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StepQuery>,
) -> Result<Response, PageError> {
    let Some(hash) = pending_hash(&headers) else { return Ok(start_again()) };
    if app.store.pending_sign_in(&hash, Utc::now()).await?.is_none() {
        return Ok(start_again());
    }
    let next = super::login::safe_next(q.next.as_deref().unwrap_or("/campaigns"));
    step_page(&app, next, None, StatusCode::OK)
}

/// The gate every second factor passes, per user: guesses at a six-digit code wait as a password's do.
fn gate(user: rally_domain::UserId) -> String {
    hash_token(&format!("second factor {}", user.0))
}

/// Lets a guess at `user`'s second factor through the gate, or says how long to wait.
async fn pass_gate(app: &AppState, user: rally_domain::UserId) -> Result<(), PageError> {
    let gate = gate(user);
    match app.store.pass_gates(&[(gate.as_str(), Backoff::PER_CLIENT)], Utc::now()).await? {
        Ok(()) => Ok(()),
        Err(wait) => Err(PageError::TooManyAttempts(((wait.num_milliseconds() + 999) / 1000).max(1))),
    }
}

/// What was typed in the second step: six digits are a code from the app; anything else that can be
/// a recovery code is one, kept by its hash.
enum Typed {
    Code(String),
    RecoveryCode(String),
}

impl Typed {
    fn read(typed: &str) -> Option<Typed> {
        if let Some(code) = totp::totp_code(typed) {
            return Some(Typed::Code(code));
        }
        totp::recovery_code_key(typed).map(|key| Typed::RecoveryCode(hash_token(&key)))
    }

    fn answer(&self) -> SecondFactorAnswer<'_> {
        match self {
            Typed::Code(code) => SecondFactorAnswer::Code(code),
            Typed::RecoveryCode(hash) => SecondFactorAnswer::RecoveryCode(hash),
        }
    }
}

pub async fn step_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form)?;
    let next = super::login::safe_next(form.get("next"));
    let Some(hash) = pending_hash(&headers) else { return Ok(start_again()) };
    let now = Utc::now();
    let Some(user) = app.store.pending_sign_in(&hash, now).await? else { return Ok(start_again()) };
    pass_gate(&app, user).await?;
    let refused = "That code is not right. Type the six digits your app shows now, or one of your recovery codes.";
    let Some(typed) = Typed::read(form.get("code")) else {
        return step_page(&app, next, Some(refused.into()), StatusCode::UNAUTHORIZED);
    };
    match app.store.second_step(&hash, typed.answer(), now).await? {
        SecondStep::Accepted { user, recovery_codes_left } => {
            app.store.open_gates(&[gate(user).as_str()]).await?;
            // Few recovery codes left: the account page says so and offers new ones.
            let next = match recovery_codes_left {
                Some(left) if left <= 3 => format!("/account/second-factor?left={left}"),
                _ => next,
            };
            let mut response = super::login::complete(&app, &headers, user, &next).await?;
            append_cookie(&mut response, &set_cookie(&app, PENDING_COOKIE, "", 0));
            Ok(response)
        }
        SecondStep::Refused { .. } => step_page(&app, next, Some(refused.into()), StatusCode::UNAUTHORIZED),
        SecondStep::Expired => Ok(start_again()),
    }
}

// ---------------------------------------------------------------------------------------------------
// The account's second factor

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SetupPage {
    layout: Layout,
    /// On since, and recovery codes left.
    on: Option<SecondFactor>,
    /// Being set up: the QR code (SVG) and the secret in groups.
    setup: Option<(String, String)>,
    /// Campaigns (slug, name) that require a second factor the user does not have yet.
    wanted_by: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
    left: Option<u32>,
}

async fn setup_page(
    app: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, None, "account", "Two-factor sign-in").await?;
    let on = app.store.second_factor(me.user.id).await?;
    let setup = match on {
        Some(_) => None,
        None => app.store.second_factor_setup(me.user.id).await?.map(|secret| {
            // The host tells two Rally sites apart in the app's list.
            let host = url::Url::parse(app.public_url.as_str()).ok().and_then(|u| u.host_str().map(str::to_owned));
            let issuer = host.map_or_else(|| "Rally".to_owned(), |h| format!("Rally ({h})"));
            let uri = totp::otpauth_uri(&issuer, me.user.email.as_str(), &secret);
            (qr_svg(&uri), secret.grouped())
        }),
    };
    let wanted_by = app.store.second_factor_wanted_by(me.user.id).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&SetupPage { layout, on, setup, wanted_by, notice, error })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let notice = match (q.done.as_deref(), q.left) {
        (Some("off"), _) => Some("Two-factor sign-in is off. Your password alone signs you in.".to_owned()),
        (_, Some(0)) => Some("You used your last recovery code: make new ones below.".to_owned()),
        (_, Some(1)) => Some("You have 1 recovery code left: make new ones below.".to_owned()),
        (_, Some(n)) => Some(format!("You have {n} recovery codes left: make new ones below.")),
        _ => None,
    };
    setup_page(&app, &me, notice, None).await
}

/// Starts setting up: a new secret, shown as a QR code until confirmed with a code.
pub async fn begin(State(app): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let mut bytes = [0u8; totp::SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    match app.store.begin_second_factor(me.user.id, &Secret::from_bytes(&bytes)).await {
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "second_factor_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    /// Just turned on (rather than new codes for a second factor that was on).
    enabled: bool,
}

/// Ten new recovery codes: the codes to show once, and their hashes to store.
fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..totp::RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; totp::RECOVERY_BYTES];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            totp::recovery_code(bytes)
        })
        .collect();
    let hashes = codes.iter().filter_map(|c| totp::recovery_code_key(c)).map(|k| hash_token(&k)).collect();
    (codes, hashes)
}

async fn codes_page(app: &AppState, me: &SignedIn, codes: Vec<String>, enabled: bool) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, None, "account", "Your recovery codes").await?;
    let mut response = render(&CodesPage { layout, codes, enabled })?;
    // Shown once: not to be kept by a cache or shown again by the back button.
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Confirms the setup with a current code; then the recovery codes, shown this once.
pub async fn confirm(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    pass_gate(&app, me.user.id).await?;
    let (codes, hashes) = recovery_codes();
    match app.store.enable_second_factor(me.user.id, form.get("code"), Utc::now(), &hashes).await {
        Ok(true) => {
            app.store.open_gates(&[gate(me.user.id).as_str()]).await?;
            codes_page(&app, &me, codes, true).await
        }
        Ok(false) => {
            let error = "That code is not right: type the six digits your app shows for Rally now.";
            setup_page(&app, &me, None, Some(error.into())).await
        }
        Err(StoreError::NotFound(_)) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// What a change to the second factor came with: a code from the app (checked by the store), or the
/// password.
enum Given {
    Code(String),
    Password,
}

impl Given {
    fn proof(&self) -> Proof<'_> {
        match self {
            Given::Code(code) => Proof::Code(code),
            Given::Password => Proof::Password,
        }
    }
}

/// The code given, or the password once checked here (off the async workers); `None` when neither
/// was given or the password is wrong.
async fn given(app: &AppState, me: &SignedIn, form: &FormData) -> Result<Option<Given>, PageError> {
    let code = form.get("code").trim();
    if !code.is_empty() {
        return Ok(Some(Given::Code(code.to_owned())));
    }
    let password = form.get("password").to_owned();
    if password.is_empty() {
        return Ok(None);
    }
    let stored = app.store.login_lookup(&me.user.email).await?.and_then(|(_, hash)| hash);
    let ok = crate::blocking::run(move || check_password(&password, stored.as_deref())).await?;
    Ok(ok.then_some(Given::Password))
}

const PROOF_REFUSED: &str = "Give the six digits your app shows now, or your password: the one you gave is not right.";

/// Turns the second factor off, given a current code or the password.
pub async fn disable(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    pass_gate(&app, me.user.id).await?;
    let Some(given) = given(&app, &me, &form).await? else {
        return setup_page(&app, &me, None, Some(PROOF_REFUSED.into())).await;
    };
    let proof = given.proof();
    match app.store.disable_second_factor(me.user.id, proof, Utc::now()).await {
        Ok(true) => {
            app.store.open_gates(&[gate(me.user.id).as_str()]).await?;
            Ok(Redirect::to("/account/second-factor?done=off").into_response())
        }
        Ok(false) => setup_page(&app, &me, None, Some(PROOF_REFUSED.into())).await,
        Err(StoreError::NotFound(_)) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Ten new recovery codes in place of the old ones, given a current code or the password.
pub async fn new_recovery_codes(
    State(app): State<AppState>,
    me: SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    pass_gate(&app, me.user.id).await?;
    let Some(given) = given(&app, &me, &form).await? else {
        return setup_page(&app, &me, None, Some(PROOF_REFUSED.into())).await;
    };
    let proof = given.proof();
    let (codes, hashes) = recovery_codes();
    match app.store.replace_recovery_codes(me.user.id, proof, Utc::now(), &hashes).await {
        Ok(true) => {
            app.store.open_gates(&[gate(me.user.id).as_str()]).await?;
            codes_page(&app, &me, codes, false).await
        }
        Ok(false) => setup_page(&app, &me, None, Some(PROOF_REFUSED.into())).await,
        Err(StoreError::NotFound(_)) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Signs out of every browser, this one included, and forgets the remembered ones.
pub async fn sign_out_everywhere(State(app): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    app.store.sign_out_everywhere(me.user.id).await?;
    let mut response = Redirect::to("/login").into_response();
    append_cookie(&mut response, &set_cookie(&app, SESSION_COOKIE, "", 0));
    append_cookie(&mut response, &set_cookie(&app, super::login::DEVICE_COOKIE, "", 0));
    Ok(response)
}

// ---------------------------------------------------------------------------------------------------
// The campaign's requirement

/// Owners require (or stop requiring) a second factor of the campaign's team, from the Team page.
pub async fn require(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let required = form.get("require") == "1";
    match app.store.require_second_factor(me.actor(), campaign.id, required).await {
        Ok(()) => {
            let done = if required { "second-factor-on" } else { "second-factor-off" };
            Ok(Redirect::to(&format!("/campaigns/{slug}/team?done={done}")).into_response())
        }
        Err(StoreError::Invalid(i)) => Err(PageError::BadRequest(i.sentences())),
        Err(e) => Err(e.into()),
    }
}

/// The campaign a team-app path is under, if any: `/campaigns/{slug}` and below, but not the
/// campaign list's own pages.
fn campaign_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/campaigns/")?;
    let slug = rest.split('/').next().unwrap_or_default();
    (!slug.is_empty() && !matches!(slug, "new" | "switch")).then_some(slug)
}

/// Sends a member of a campaign that requires a second factor, and who has none, to set one up
/// before any of the campaign's pages. The API is not behind this (its tokens stay as they are).
pub async fn campaign_gate(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let Some(slug) = campaign_of(request.uri().path()) else { return next.run(request).await };
    let Some(hash) = session_hash(request.headers()) else { return next.run(request).await };
    match app.store.second_factor_missing(&hash, slug).await {
        Ok(false) => next.run(request).await,
        Ok(true) => {
            let slug: String = form_urlencoded::byte_serialize(slug.as_bytes()).collect();
            Redirect::to(&format!("/account/second-factor?campaign={slug}")).into_response()
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------------
// The QR code

/// `text` as a QR code in inline SVG: one path of dark modules on a white square with the four-module
/// quiet zone the standard asks for. Medium error correction, as authenticator apps expect.
fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == qrcode::Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!("M{} {}h{}v1h-{}z", start + quiet, y + quiet, x - start, x - start));
            } else {
                x += 1;
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"240\" height=\"240\" \
         role=\"img\" aria-label=\"QR code for your authenticator app\" shape-rendering=\"crispEdges\" class=\"qr\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_campaign_s_own_pages_are_behind_the_gate() {
        assert_eq!(campaign_of("/campaigns/hr"), Some("hr"));
        assert_eq!(campaign_of("/campaigns/hr/partners/3"), Some("hr"));
        for free in ["/campaigns", "/campaigns/", "/campaigns/new", "/campaigns/switch", "/account", "/c/hr/"] {
            assert_eq!(campaign_of(free), None, "{free}");
        }
    }

    #[test]
    fn the_qr_code_is_a_square_svg_with_a_quiet_zone() {
        let svg = qr_svg("otpauth://totp/Rally:ana%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Rally");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
        // Version 4 or so: 33 modules and 8 of quiet zone; the top-left finder starts at 4,4.
        assert!(svg.contains("d=\"M4 4h7v1h-7z"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}

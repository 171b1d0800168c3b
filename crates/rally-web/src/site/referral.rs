//! Partners' share links, `/c/{slug}/r/{code}`: the visit is marked with a first-party cookie naming
//! the code, and the visitor goes on to the campaign's site. A registration that follows (the form
//! also carries the code, for browsers without cookies) counts as brought by that partner.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Ctx;
use crate::AppState;
use crate::kit::PageError;

/// The cookie that remembers the share code a visit came with.
pub const REFERRAL_COOKIE: &str = "rally_ref";
/// How long a visit stays marked: a teacher who follows a link may register weeks later.
const REFERRAL_DAYS: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Target {
    /// `register` or `activities`; anything else is the campaign's home.
    to: String,
}

/// Where a share link leads: only pages of the campaign's own site, by name.
fn target_path(slug: &str, to: &str) -> String {
    match to {
        "register" => format!("/c/{slug}/register"),
        "activities" => format!("/c/{slug}/activities"),
        _ => format!("/c/{slug}/"),
    }
}

/// The share code a visit carries: the form's hidden field, else the cookie; `None` when neither holds
/// something that reads as a code.
pub fn visit_code(headers: &HeaderMap, from_form: &str) -> Option<String> {
    rally_domain::event::share_code(from_form).map(str::to_owned).or_else(|| {
        crate::kit::cookies::cookie(headers, REFERRAL_COOKIE)
            .and_then(|c| rally_domain::event::share_code(&c).map(str::to_owned))
    })
}

/// `GET /c/{slug}/r/{code}`: a known code marks the visit; an unknown one only leads on (no error
/// page: a mistyped or revoked link still reaches the campaign).
pub async fn follow(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((_, code)): Path<(String, String)>,
    Query(target): Query<Target>,
) -> Result<Response, PageError> {
    let slug = ctx.slug().to_owned();
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, target_path(&slug, &target.to))]).into_response();
    let known = match rally_domain::event::share_code(&code) {
        Some(code) => app.store.partner_for_code(ctx.site.campaign.id, code).await?.map(|_| code),
        None => None,
    };
    if let Some(code) = known {
        let secure = if app.public_url.is_https() { "; Secure" } else { "" };
        let max_age = REFERRAL_DAYS * 24 * 3600;
        let value =
            format!("{REFERRAL_COOKIE}={code}; Path=/c/{slug}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

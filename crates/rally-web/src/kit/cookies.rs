//! Cookies the surfaces share: reading one from a request, and the team's session cookie — which the
//! public site also reads, to show a campaign's draft site to its own team.

use axum::http::{HeaderMap, header};
use rally_domain::CampaignId;
use rally_store::{Actor, Store};

use crate::auth::hash_token;

pub const SESSION_COOKIE: &str = "rally_session";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The hash of the session token in the request's cookie, as the store keys sessions.
pub fn session_hash(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).map(|token| hash_token(&token))
}

/// Whether the request comes from a signed-in member of `campaign`'s team.
pub async fn on_team(store: &dyn Store, headers: &HeaderMap, campaign: CampaignId) -> bool {
    let Some(hash) = session_hash(headers) else { return false };
    let Ok(Some(session)) = store.session(&hash).await else { return false };
    store.campaign(Actor::User(session.user.id), campaign).await.is_ok()
}

//! The extractor behind every partner-page form: the signed-in user and the partner named in the path
//! `/campaigns/{slug}/partners/{id}/…`, checked to belong to that campaign (a partner of another
//! campaign, or an id that is not a number, is "not found").

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use rally_domain::{Partner, PartnerId};

use super::{PageError, SignedIn};
use crate::AppState;

/// A partner of the campaign in the path, as the signed-in user sees it.
#[derive(Debug)]
pub struct CampaignPartner {
    pub me: SignedIn,
    pub slug: String,
    pub partner: Partner,
}

impl FromRequestParts<AppState> for CampaignPartner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let me = SignedIn::from_request_parts(parts, app).await?;
        let Path((slug, id)) = Path::<(String, String)>::from_request_parts(parts, app)
            .await
            .map_err(|_| PageError::NotFound.into_response())?;
        let partner = partner_in(app, &me, &slug, &id).await.map_err(IntoResponse::into_response)?;
        Ok(CampaignPartner { me, slug, partner })
    }
}

/// The partner `id` (as the path or a form names it) if it belongs to the campaign `slug`.
pub(super) async fn partner_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<Partner, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    Ok(app.store.partner_in(me.actor(), slug, id).await?)
}

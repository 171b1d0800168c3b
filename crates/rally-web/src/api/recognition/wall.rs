//! `GET /api/v1/campaigns/{campaign}/recognition`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rally_domain::Tier;
use serde::Serialize;

use crate::{ApiError, AppState, Problem};

/// The box every logo is shown in, so no partner's logo looks bigger than another's.
const LOGO_BOX: (u32, u32) = (200, 100);

/// The partners that made the campaign possible, for the campaign's site and anyone else's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Wall {
    /// The campaign's slug.
    pub campaign: String,
    /// `high`, then `low`: both always listed.
    pub tiers: Vec<WallTier>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WallTier {
    pub tier: Tier,
    /// By name.
    pub partners: Vec<WallPartner>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WallPartner {
    pub name: String,
    pub website: Option<String>,
    /// The partner's logo (absolute URL), or `null` when it has none.
    pub logo_url: Option<String>,
    /// The width of the box to show the logo in, scaled to fit.
    pub width: u32,
    /// The height of the box to show the logo in.
    pub height: u32,
}

/// The campaign's won partners, by tier, except those that asked not to be shown. Public: no token, and
/// any site may read it (`Access-Control-Allow-Origin: *`).
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/recognition", tag = "recognition", security(()),
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Wall, description = "OK"), (status = 404, body = Problem, description = "No such campaign")))]
pub async fn recognition(State(app): State<AppState>, Path(campaign): Path<String>) -> Response {
    let wall = async {
        let id = app.campaign_id(&campaign).await?;
        let partners = app.store.recognition(id).await?;
        let base = app.public_url.as_str();
        let tiers = [Tier::High, Tier::Low]
            .into_iter()
            .map(|tier| WallTier {
                tier,
                partners: partners
                    .iter()
                    .filter(|p| p.tier == tier)
                    .map(|p| WallPartner {
                        name: p.name.clone(),
                        website: p.website.clone(),
                        logo_url: p.logo.as_ref().map(|_| format!("{base}/c/{campaign}/logos/{}", p.partner_id)),
                        width: LOGO_BOX.0,
                        height: LOGO_BOX.1,
                    })
                    .collect(),
            })
            .collect();
        Ok::<_, ApiError>(Json(Wall { campaign: campaign.clone(), tiers }))
    };
    let mut response = wall.await.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

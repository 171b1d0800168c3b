//! `GET /api/v1/campaigns/{campaign}`

use axum::Json;
use axum::extract::{Path, State};

use super::CampaignView;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// One campaign, with the caller's role and its current phase.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = CampaignView, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_campaign(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.campaign(auth.actor(), id).await?.into()))
}

//! `PATCH /api/v1/campaigns/{campaign}`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::CampaignDraft;

use super::CampaignView;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a campaign: only the fields sent change. Owners and coordinators.
#[utoipa::path(patch, path = "/api/v1/campaigns/{campaign}", tag = "campaigns", request_body = CampaignDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = CampaignView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_campaign(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(patch): JsonBody<CampaignDraft>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.update_campaign(auth.actor(), id, patch).await?.into()))
}

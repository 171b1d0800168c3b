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
    responses((status = 200, body = CampaignView, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 409, body = Problem, description = "Conflicts with existing data; `errors` names the field"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_campaign(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(patch): JsonBody<CampaignDraft>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.update_campaign(auth.actor(), id, patch).await?.into()))
}

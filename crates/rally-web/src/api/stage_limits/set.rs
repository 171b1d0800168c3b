//! `PUT /api/v1/campaigns/{campaign}/stage-limits`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::StageLimits;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Replace the stage limits: days (1 to 365) per open stage; a stage left out has no limit. Owners and
/// coordinators.
#[utoipa::path(put, path = "/api/v1/campaigns/{campaign}/stage-limits", tag = "tasks", request_body = StageLimits,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = StageLimits, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending stage")))]
pub async fn set_stage_limits(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(limits): JsonBody<StageLimits>,
) -> Result<Json<StageLimits>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.set_stage_limits(auth.actor(), id, limits).await?))
}

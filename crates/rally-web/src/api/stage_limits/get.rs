//! `GET /api/v1/campaigns/{campaign}/stage-limits`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::StageLimits;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Days a partner may stay in each open stage, e.g. `{"lead": 14, "contacted": 7}`; a stage not listed
/// has no limit.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/stage-limits", tag = "tasks",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = StageLimits, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_stage_limits(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<StageLimits>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.stage_limits(auth.actor(), id).await?))
}

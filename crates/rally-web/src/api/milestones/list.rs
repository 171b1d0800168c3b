//! `GET /api/v1/campaigns/{campaign}/milestones`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::comms::Milestone;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's milestones, by date.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/milestones", tag = "comms",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<Milestone>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_milestones(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<Milestone>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.milestones(auth.actor(), id).await?))
}

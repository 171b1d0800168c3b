//! `GET /api/v1/campaigns/{campaign}/team`

use axum::Json;
use axum::extract::{Path, State};
use rally_store::Member;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's team.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/team", tag = "team",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<Member>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_team(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<Member>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.team(auth.actor(), id).await?))
}

//! `GET /api/v1/campaigns/{campaign}/assets`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::Asset;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's asset library, by kind and title.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/assets", tag = "assets",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<Asset>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_assets(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<Asset>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.assets(auth.actor(), id).await?))
}

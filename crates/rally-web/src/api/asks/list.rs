//! `GET /api/v1/campaigns/{campaign}/asks`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::Ask;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's standard asks, in the order they were written. Custom asks belong to their partner and
/// show in its commitments.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/asks", tag = "asks",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<Ask>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_asks(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<Ask>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.standard_asks(auth.actor(), id).await?))
}

//! `GET /api/v1/partners/{id}/sends`

use axum::Json;
use axum::extract::State;
use rally_domain::{AssetSend, PartnerId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// What was sent to a partner, newest first.
#[utoipa::path(get, path = "/api/v1/partners/{id}/sends", tag = "assets",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<AssetSend>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_sends(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Vec<AssetSend>>, ApiError> {
    Ok(Json(app.store.asset_sends(auth.actor(), PartnerId(id)).await?))
}

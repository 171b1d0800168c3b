//! `GET /api/v1/assets/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Asset, AssetId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One asset of the library.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "Asset id")),
    responses((status = 200, body = Asset, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_asset(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Asset>, ApiError> {
    Ok(Json(app.store.asset(auth.actor(), AssetId(id)).await?))
}

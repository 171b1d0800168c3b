//! `DELETE /api/v1/assets/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::AssetId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Take an asset out of the library. Owners and coordinators.
#[utoipa::path(delete, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "Asset id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_asset(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_asset(auth.actor(), AssetId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

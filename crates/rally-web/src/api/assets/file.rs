//! `GET /api/v1/assets/{id}/file`

use axum::extract::State;
use axum::response::Response;
use rally_domain::AssetId;

use crate::api::uploads::{self, FileBytes};
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Download an asset's file, as an attachment with the type it was checked to be. A link asset has no
/// file: "not found".
#[utoipa::path(get, path = "/api/v1/assets/{id}/file", tag = "assets",
    params(("id" = i64, Path, description = "Asset id")),
    responses((status = 200, description = "The file, as an attachment, with the type it was checked to be", content((FileBytes = "image/png"), (FileBytes = "image/jpeg"), (FileBytes = "image/webp"), (FileBytes = "application/pdf"), (FileBytes = "image/svg+xml"))), (status = 404, body = Problem, description = "Not found, not visible to you, or a link without a file"), (status = 503, body = Problem, description = "The file could not be read; try again")))]
pub async fn asset_file(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, ApiError> {
    let asset = app.store.asset(auth.actor(), AssetId(id)).await?;
    uploads::serve(&app.files, asset.file.as_ref()).await
}

//! `GET /api/v1/link/{token}/assets/{id}/file`

use axum::extract::State;
use axum::response::Response;
use rally_domain::AssetId;

use super::LinkPath;
use crate::api::uploads::{self, FileBytes};
use crate::{ApiError, AppState, Problem};

/// The partner downloads a file the team sent it.
#[utoipa::path(get, path = "/api/v1/link/{token}/assets/{id}/file", tag = "partner link", security(()),
    params(("token" = String, Path, description = "The secret of the partner's link"), ("id" = i64, Path, description = "Asset id")),
    responses((status = 200, description = "The file, as an attachment, with the type it was checked to be", content((FileBytes = "image/png"), (FileBytes = "image/jpeg"), (FileBytes = "image/webp"), (FileBytes = "application/pdf"), (FileBytes = "image/svg+xml"))), (status = 404, body = Problem, description = "Unknown or revoked link, an asset not sent to this partner, or a link without a file"), (status = 503, body = Problem, description = "The file could not be read; try again")))]
pub async fn link_asset_file(State(app): State<AppState>, link: LinkPath) -> Result<Response, ApiError> {
    let asset = app.store.link_asset(&link.token_hash, AssetId(link.id()?)).await?;
    uploads::serve(&app.files, asset.file.as_ref()).await
}

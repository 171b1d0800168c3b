//! `PUT /api/v1/link/{token}/logo`

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};

use super::LinkPath;
use super::view::LinkLogo;
use crate::api::uploads::{self, FileUpload};
use crate::{ApiError, AppState, Problem};

/// The partner uploads its logo for the recognition wall: an image (PNG, JPEG, WebP, or SVG stored
/// sanitized) in the form field `file`.
#[utoipa::path(put, path = "/api/v1/link/{token}/logo", tag = "partner link", security(()),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    params(("token" = String, Path, description = "The secret of the partner's link")),
    responses((status = 200, body = LinkLogo, description = "The stored logo"), (status = 400, body = Problem, description = "Not a readable multipart/form-data body"), (status = 404, body = Problem, description = "Unknown or revoked link"),
              (status = 413, body = Problem, description = "The file is larger than 20 MB"), (status = 422, body = Problem, description = "No file, or not an image; `errors` names `file`"), (status = 503, body = Problem, description = "The file could not be stored; try again")))]
pub async fn link_logo(
    State(app): State<AppState>,
    link: LinkPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<LinkLogo>, ApiError> {
    // Nobody without a live link gets to write a file to disk: the link is checked before the upload
    // is read.
    app.store.link_view(&link.token_hash).await?;
    let form = uploads::read_form(multipart, &[], crate::kit::uploads::Accept::Images, &app.files).await?;
    uploads::require_image(&form)?;
    let logo = uploads::store_file(&form, &app.files).await?.ok_or(ApiError::Internal)?;
    let shown = LinkLogo::from(&logo);
    app.store.link_set_logo(&link.token_hash, logo).await?;
    Ok(Json(shown))
}

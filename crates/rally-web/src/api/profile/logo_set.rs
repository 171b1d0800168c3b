//! `PUT /api/v1/partners/{id}/logo`

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use rally_domain::{PartnerId, StoredFile};

use crate::api::uploads::{self, FileUpload};
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Set a partner's logo: an image (PNG, JPEG, WebP, or SVG stored sanitized) in the form field `file`.
#[utoipa::path(put, path = "/api/v1/partners/{id}/logo", tag = "partner profile",
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = StoredFile, description = "The stored logo"), (status = 400, body = Problem, description = "Not a readable multipart/form-data body"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 413, body = Problem, description = "The file is larger than 20 MB"), (status = 422, body = Problem, description = "No file, or not an image; `errors` names `file`"), (status = 503, body = Problem, description = "The file could not be stored; try again")))]
pub async fn set_logo(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<StoredFile>, ApiError> {
    let partner = app.store.partner(auth.actor(), PartnerId(id)).await?;
    let action = rally_domain::Action::EditPartner { owner: partner.fields.owner_id };
    uploads::check_right(&app, &auth, partner.campaign_id, action).await?;
    let form = uploads::read_form(multipart, &[], crate::kit::uploads::Accept::Images, &app.files).await?;
    uploads::require_image(&form)?;
    let logo = uploads::store_file(&form, &app.files).await?.ok_or(ApiError::Internal)?;
    app.store.set_partner_logo(auth.actor(), PartnerId(id), Some(logo.clone())).await?;
    Ok(Json(logo))
}

//! What the upload endpoints share: reading a multipart form into a checked [`UploadForm`], storing its
//! file, and serving stored files — with a problem document for everything that can go wrong.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rally_domain::StoredFile;

use crate::ApiError;
use crate::kit::uploads::{self, Accept, UploadForm};
use rally_files::FileStore;

/// The form field a file is sent in.
pub(crate) const FILE_FIELD: &str = "file";

/// Reads a `multipart/form-data` body. The file, if any, is checked by its content and must come in the
/// field `file`; text fields other than `allowed` are refused, each named.
pub(crate) async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
    allowed: &[&str],
    accept: Accept,
    files: &FileStore,
) -> Result<UploadForm, ApiError> {
    let multipart = multipart
        .map_err(|e| ApiError::Malformed(format!("send the upload as multipart/form-data: {}", e.body_text())))?;
    let form = UploadForm::read(multipart, accept, files).await?;
    if let Some((name, _, _)) = &form.file
        && name != FILE_FIELD
    {
        return Err(ApiError::invalid(name.clone(), format!("send the file in the form field `{FILE_FIELD}`")));
    }
    let unknown: Vec<_> = form
        .fields
        .iter()
        .filter(|(name, _)| !allowed.contains(&name.as_str()))
        .map(|(name, _)| rally_domain::FieldError { field: name.clone(), message: "unknown form field".into() })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Invalid(unknown));
    }
    Ok(form)
}

/// Checks, before an upload is read, that the caller may do `action` in `campaign`: a refused upload
/// stores no file.
pub(crate) async fn check_right(
    app: &crate::AppState,
    auth: &crate::extract::Auth,
    campaign: rally_domain::CampaignId,
    action: rally_domain::Action,
) -> Result<(), ApiError> {
    let role = app.store.campaign(auth.actor(), campaign).await?.role;
    if role.is_some_and(|r| r.allows(auth.0.id, action)) { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// A form that must carry a file (a logo: read with [`Accept::Images`]).
pub(crate) fn require_image(form: &UploadForm) -> Result<(), ApiError> {
    match &form.file {
        None => Err(ApiError::invalid(FILE_FIELD, format!("choose a {} file", Accept::Images.types()))),
        Some(_) => Ok(()),
    }
}

/// Stores the form's checked file, if any.
pub(crate) async fn store_file(form: &UploadForm, files: &FileStore) -> Result<Option<StoredFile>, ApiError> {
    form.store_file(files).await.map_err(|e| {
        tracing::error!(error = %e, "storing an uploaded file");
        ApiError::FilesUnavailable
    })
}

/// Serves a stored file as a download; "not found" for an asset without one (a link).
pub(crate) async fn serve(files: &FileStore, file: Option<&StoredFile>) -> Result<Response, ApiError> {
    let file = file.ok_or(ApiError::NotFound("file"))?;
    let response = uploads::serve_file(files, file, true).await;
    match response.status() {
        StatusCode::NOT_FOUND => Err(ApiError::NotFound("file")),
        StatusCode::SERVICE_UNAVAILABLE => Err(ApiError::FilesUnavailable),
        _ => Ok(response.into_response()),
    }
}

/// The body of an upload that carries only a file, for the OpenAPI document (`multipart/form-data`).
#[derive(Debug, utoipa::ToSchema)]
pub struct FileUpload {
    /// The file, checked by its content: PNG, JPEG, WebP or SVG (sanitized), at most 20 MB.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// A stored file's bytes.
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

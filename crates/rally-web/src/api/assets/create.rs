//! `POST /api/v1/campaigns/{campaign}/assets`

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use rally_domain::{Asset, AssetDraft, AssetKind, Audience, FieldError};

use crate::api::uploads;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The text fields an asset upload may carry, besides the file.
const FIELDS: [&str; 6] = ["title", "kind", "language", "audience", "url", "description"];

/// An asset as a `multipart/form-data` upload: a file, or a link in `url`.
#[derive(Debug, utoipa::ToSchema)]
pub struct AssetUpload {
    #[schema(max_length = 200, min_length = 1, pattern = "@required-text")]
    pub title: String,
    #[schema(value_type = rally_domain::asset::AssetKind)]
    pub kind: String,
    /// A language tag such as `hr` or `sr-Latn`.
    #[schema(value_type = Option<rally_domain::LanguageTag>)]
    pub language: Option<String>,
    #[schema(value_type = Option<rally_domain::partner::Audience>)]
    pub audience: Option<String>,
    /// For a link (a tutorial, a video): its address. An asset is a file or a link, never both.
    #[schema(max_length = 2000, pattern = "@web-address")]
    pub url: Option<String>,
    #[schema(max_length = 2000, pattern = "@text")]
    pub description: Option<String>,
    /// The file, checked by its content: PNG, JPEG, WebP, PDF or SVG (stored sanitized), at most 20 MB.
    #[schema(value_type = Option<String>, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Option<Vec<u8>>,
}

/// Add an asset to the library: upload a file (checked by what its bytes are, whatever its name says;
/// an SVG is stored without anything that could run) or give a link. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/assets", tag = "assets",
    request_body(content = AssetUpload, content_type = "multipart/form-data"),
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Asset, description = "Created"), (status = 400, body = Problem, description = "Not a readable multipart/form-data body"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 413, body = Problem, description = "The file is larger than 20 MB"), (status = 422, body = Problem, description = "Invalid input or a refused file; `errors` names every offending field"), (status = 503, body = Problem, description = "The file could not be stored; try again")))]
pub async fn create_asset(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Asset>), ApiError> {
    let id = app.campaign_id(&campaign).await?;
    uploads::check_right(&app, &auth, id, rally_domain::Action::EditCampaign).await?;
    let form = uploads::read_form(multipart, &FIELDS, crate::kit::uploads::Accept::Assets, &app.files).await?;
    let text = |name: &str| form.get(name).map(str::trim).filter(|v| !v.is_empty());
    let mut errors = Vec::new();
    let kind = parse_field("kind", text("kind"), AssetKind::parse, &mut errors);
    let audience = parse_field("audience", text("audience"), Audience::parse, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let draft = AssetDraft {
        title: form.get("title").map(str::to_owned),
        kind,
        language: text("language").map(str::to_owned),
        audience,
        url: text("url").map(str::to_owned),
        description: form.get("description").map(str::to_owned),
    };
    let fields = draft.validate(form.file.is_some())?;
    let file = uploads::store_file(&form, &app.files).await?;
    let asset = app.store.create_asset(auth.actor(), id, fields, file).await?;
    Ok((StatusCode::CREATED, Json(asset)))
}

/// A form field's value parsed, or its error added to `errors`.
fn parse_field<T>(
    field: &str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, String>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    parse(value?).map_err(|message| errors.push(FieldError { field: field.into(), message })).ok()
}

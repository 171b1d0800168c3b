//! `POST /api/v1/partners/{id}/sends`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::{AssetId, AssetSend, PartnerId};
use serde::Deserialize;

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Assets sent to a partner.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSend {
    /// Assets of the partner's campaign (1 to 100).
    #[serde(deserialize_with = "rally_domain::limits::bounded::vec::<_, _, { rally_domain::limits::ASSETS_AT_ONCE }>")]
    #[schema(max_items = 100)]
    #[schema(min_items = 1)]
    pub assets: Vec<AssetId>,
    /// At most 2000 characters.
    #[serde(default)]
    pub note: String,
}

/// Record that assets were sent to a partner; the partner can then download them through its link.
#[utoipa::path(post, path = "/api/v1/partners/{id}/sends", tag = "assets", request_body = NewSend,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = Vec<AssetSend>, description = "Created: one row per asset"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_sends(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<NewSend>,
) -> Result<(StatusCode, Json<Vec<AssetSend>>), ApiError> {
    let sends = app.store.send_assets(auth.actor(), PartnerId(id), &body.assets, &body.note).await?;
    Ok((StatusCode::CREATED, Json(sends)))
}

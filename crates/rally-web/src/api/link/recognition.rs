//! `PUT /api/v1/link/{token}/recognition`

use axum::Json;
use axum::extract::State;

use super::LinkPath;
use crate::api::profile::recognition::Recognition;
use crate::extract::JsonBody;
use crate::{ApiError, AppState, Problem};

/// The partner chooses whether it is shown on the campaign's recognition wall.
#[utoipa::path(put, path = "/api/v1/link/{token}/recognition", tag = "partner link", security(()),
    request_body = Recognition,
    params(("token" = String, Path, description = "The secret of the partner's link")),
    responses((status = 200, body = Recognition, description = "OK"), (status = 404, body = Problem, description = "Unknown or revoked link"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn link_recognition(
    State(app): State<AppState>,
    link: LinkPath,
    JsonBody(body): JsonBody<Recognition>,
) -> Result<Json<Recognition>, ApiError> {
    app.store.link_set_opt_out(&link.token_hash, body.opt_out).await?;
    Ok(Json(body))
}

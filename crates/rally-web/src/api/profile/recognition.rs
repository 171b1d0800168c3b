//! `PUT /api/v1/partners/{id}/recognition`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use serde::{Deserialize, Serialize};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Whether a partner is left off the campaign's recognition wall.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recognition {
    /// `true`: the partner asked not to be shown among the campaign's partners.
    pub opt_out: bool,
}

/// Keep a won partner off the recognition wall, or put it back.
#[utoipa::path(put, path = "/api/v1/partners/{id}/recognition", tag = "partner profile", request_body = Recognition,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Recognition, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn set_recognition(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<Recognition>,
) -> Result<Json<Recognition>, ApiError> {
    app.store.set_recognition_opt_out(auth.actor(), PartnerId(id), body.opt_out).await?;
    Ok(Json(body))
}

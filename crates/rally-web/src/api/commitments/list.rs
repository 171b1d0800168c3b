//! `GET /api/v1/partners/{id}/commitments`

use axum::Json;
use axum::extract::State;
use rally_domain::{Commitment, PartnerId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A partner's commitments: open ones first, by due date.
#[utoipa::path(get, path = "/api/v1/partners/{id}/commitments", tag = "commitments",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<Commitment>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_commitments(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<Commitment>>, ApiError> {
    Ok(Json(app.store.commitments(auth.actor(), PartnerId(id)).await?))
}

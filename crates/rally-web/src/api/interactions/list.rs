//! `GET /api/v1/partners/{id}/interactions`

use axum::Json;
use axum::extract::State;
use rally_domain::{Interaction, PartnerId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A partner's interactions, newest first.
#[utoipa::path(get, path = "/api/v1/partners/{id}/interactions", tag = "interactions",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<Interaction>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_interactions(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<Interaction>>, ApiError> {
    Ok(Json(app.store.interactions(auth.actor(), PartnerId(id)).await?))
}

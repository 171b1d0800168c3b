//! `GET /api/v1/partners/{id}/history`

use axum::Json;
use axum::extract::State;
use rally_domain::{PartnerId, StageChange};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// The partner's stage changes, oldest first: from, to, who, when, note and reason. The first row
/// (no `from`) is its creation as a lead.
#[utoipa::path(get, path = "/api/v1/partners/{id}/history", tag = "partners",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<StageChange>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn stage_history(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<StageChange>>, ApiError> {
    Ok(Json(app.store.stage_history(auth.actor(), PartnerId(id)).await?))
}

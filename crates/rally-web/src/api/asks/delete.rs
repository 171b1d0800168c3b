//! `DELETE /api/v1/asks/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::AskId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete an ask together with the commitments made to it.
#[utoipa::path(delete, path = "/api/v1/asks/{id}", tag = "asks",
    params(("id" = i64, Path, description = "Ask id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_ask(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_ask(auth.actor(), AskId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `DELETE /api/v1/milestones/{id}`

use axum::extract::State;
use axum::http::StatusCode;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete a milestone that no message is timed by. Owners and coordinators.
#[utoipa::path(delete, path = "/api/v1/milestones/{id}", tag = "comms",
    params(("id" = i64, Path, description = "Milestone id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "Messages are timed by this milestone")))]
pub async fn delete_milestone(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_milestone(auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

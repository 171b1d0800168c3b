//! `DELETE /api/v1/tasks/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::TaskId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete a task. The same right as changing it: members their own tasks, coordinators and owners any.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_task(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_task(auth.actor(), TaskId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /api/v1/tasks/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Task, TaskId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = Task, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_task(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Task>, ApiError> {
    Ok(Json(app.store.task(auth.actor(), TaskId(id)).await?))
}

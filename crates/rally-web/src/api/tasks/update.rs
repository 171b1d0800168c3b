//! `PATCH /api/v1/tasks/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Task, TaskDraft, TaskId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a task, or mark it done (`{"done": true}`): only the fields sent change. Handing a task to
/// someone else needs the right to give them work.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", request_body = TaskDraft,
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = Task, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_task(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<TaskDraft>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(app.store.update_task(auth.actor(), TaskId(id), patch, crate::api::today()).await?))
}

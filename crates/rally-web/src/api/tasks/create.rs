//! `POST /api/v1/campaigns/{campaign}/tasks`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::{Task, TaskDraft};

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Plan a follow-up task. `title` and `due_on` are required; without `owner_id` the caller owns it. A
/// `commitment_id` brings its partner along. Members: tasks of their own.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/tasks", tag = "tasks", request_body = TaskDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Task, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_task(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(draft): JsonBody<TaskDraft>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let fields = draft.validate(crate::api::today(), None)?;
    let id = app.campaign_id(&campaign).await?;
    let task = app.store.create_task(auth.actor(), id, fields).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

//! `DELETE /api/v1/activities/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::ActivityId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Remove an activity from the catalogue; events that chose it keep running without it. Owners,
/// coordinators and members.
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "Activity id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "Events chose this activity: hide it instead")))]
pub async fn delete_activity(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_activity(auth.actor(), ActivityId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

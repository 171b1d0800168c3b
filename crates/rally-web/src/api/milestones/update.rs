//! `PUT /api/v1/milestones/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::comms::Milestone;

use super::create::{MilestoneBody, checked};
use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Replace a milestone's kind, title and day (all three are sent). Its day cannot move while a queued
/// message is timed by it (those e-mails are already timed). Owners and coordinators.
#[utoipa::path(put, path = "/api/v1/milestones/{id}", tag = "comms", request_body = MilestoneBody,
    params(("id" = i64, Path, description = "Milestone id")),
    responses((status = 200, body = Milestone, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "A queued message is timed by this milestone's day"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_milestone(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<MilestoneBody>,
) -> Result<Json<Milestone>, ApiError> {
    let (kind, title, on) = checked(body)?;
    Ok(Json(app.store.update_milestone(auth.actor(), id, kind, &title, on).await?))
}

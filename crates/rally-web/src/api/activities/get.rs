//! `GET /api/v1/activities/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::ActivityId;
use rally_domain::activity::Activity;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One activity of a campaign's catalogue, in any status, with who submitted it.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "Activity id")),
    responses((status = 200, body = Activity, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_activity(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Activity>, ApiError> {
    Ok(Json(app.store.activity(auth.actor(), ActivityId(id)).await?))
}

//! `PATCH /api/v1/activities/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::ActivityId;
use rally_domain::activity::{Activity, ActivityDraft};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change an activity: only the fields sent change (`texts`, `languages` and each facet of `facets`
/// are replaced whole when sent). Its status changes through `/review` and `/hidden`. Owners,
/// coordinators and members.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", request_body = ActivityDraft,
    params(("id" = i64, Path, description = "Activity id")),
    responses((status = 200, body = Activity, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_activity(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<ActivityDraft>,
) -> Result<Json<Activity>, ApiError> {
    let id = ActivityId(id);
    let stored = app.store.activity(auth.actor(), id).await?;
    let fields = stored.to_draft().merge(patch).validate()?;
    Ok(Json(app.store.update_activity(auth.actor(), id, fields, chrono::Utc::now()).await?))
}

//! `PUT /api/v1/activities/{id}/hidden`

use axum::Json;
use axum::extract::State;
use rally_domain::ActivityId;
use rally_domain::activity::Activity;
use serde::Deserialize;

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// "Hide now" for a listed activity that broke, or listing it again.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HiddenBody {
    /// `true` takes it out of the public catalogue at once; `false` lists it again.
    pub hidden: bool,
    /// Why it is hidden (kept with the activity; required when hiding).
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "@text")]
    pub reason: String,
}

/// Hide a listed activity at once (with the reason), or list a hidden one again. Owners,
/// coordinators and members.
#[utoipa::path(put, path = "/api/v1/activities/{id}/hidden", tag = "activities", request_body = HiddenBody,
    params(("id" = i64, Path, description = "Activity id")),
    responses((status = 200, body = Activity, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "Not listed (or not hidden) now"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn set_hidden(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<HiddenBody>,
) -> Result<Json<Activity>, ApiError> {
    let now = chrono::Utc::now();
    Ok(Json(app.store.set_activity_hidden(auth.actor(), ActivityId(id), body.hidden, &body.reason, now).await?))
}

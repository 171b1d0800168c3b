//! `POST /api/v1/campaigns/{campaign}/activities`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::activity::{Activity, ActivityDraft};

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Add an activity to the campaign's catalogue, listed at once. At least one text (language and
/// title) and a `url` are required (an `asset` of the library may stand in for the link). Owners,
/// coordinators and members.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/activities", tag = "activities", request_body = ActivityDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Activity, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_activity(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(draft): JsonBody<ActivityDraft>,
) -> Result<(StatusCode, Json<Activity>), ApiError> {
    let fields = draft.validate()?;
    let id = app.campaign_id(&campaign).await?;
    let activity = app.store.create_activity(auth.actor(), id, fields, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

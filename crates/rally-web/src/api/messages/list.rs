//! `GET /api/v1/campaigns/{campaign}/messages`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::comms::Message;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's messages, in the order they were written; `planned_at` is set once one is queued.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/messages", tag = "comms",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<Message>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_messages(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<Message>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.messages(auth.actor(), id).await?))
}

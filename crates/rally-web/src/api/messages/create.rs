//! `POST /api/v1/campaigns/{campaign}/messages`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::comms::Message;

use super::{MessageBody, combine};
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Write a message: its title, whom it goes to (`segment`), when (`send`), and its templates, one per
/// language and optionally per partner category. Templates are checked when saved: a misspelt variable
/// is refused with the template and line named (`templates[0].text`). The message stays a draft until
/// it is queued. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/messages", tag = "comms", request_body = MessageBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Message, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "Two templates for the same language and category"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_message(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let (draft, templates) = body.split();
    let (fields, templates) = combine(draft.validate().map_err(|e| e.0), templates)?;
    let id = app.campaign_id(&campaign).await?;
    let message = app.store.create_message(auth.actor(), id, fields, templates.unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

//! `PATCH /api/v1/messages/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::comms::Message;

use super::{MessageBody, combine};
use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a draft message: only the fields sent change; `templates`, when sent, replace all of its
/// templates. A message in the outbox can no longer change. Owners and coordinators.
#[utoipa::path(patch, path = "/api/v1/messages/{id}", tag = "comms", request_body = MessageBody,
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Message, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The message is already queued, or two templates share a language and category"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_message(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<Json<Message>, ApiError> {
    let (stored, _) = app.store.message(auth.actor(), id).await?;
    if stored.planned_at.is_some() {
        return Err(ApiError::Conflict {
            field: "message",
            message: "this message is already queued; its e-mails are in the outbox".into(),
        });
    }
    let (patch, templates) = body.split();
    let merged = stored.fields.to_draft().merge(patch);
    let (fields, templates) = combine(merged.validate().map_err(|e| e.0), templates)?;
    Ok(Json(app.store.update_message(auth.actor(), id, fields, templates).await?))
}

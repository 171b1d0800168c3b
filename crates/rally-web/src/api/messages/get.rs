//! `GET /api/v1/messages/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::comms::Message;
use rally_store::MessageTemplate;
use serde::Serialize;

use super::OutboxStats;
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A message with its templates and where its e-mails stand.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageDetail {
    #[serde(flatten)]
    pub message: Message,
    /// Its segment in words, e.g. "School network · low reach".
    pub segment_description: String,
    pub templates: Vec<MessageTemplate>,
    /// Its e-mails in the outbox by status; all zero while it is a draft.
    pub outbox: OutboxStats,
}

/// One message, with its templates and its outbox counts.
#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = MessageDetail, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_message(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<MessageDetail>, ApiError> {
    let (message, templates) = app.store.message(auth.actor(), id).await?;
    let counts = app.store.outbox_counts(auth.actor(), id).await?;
    Ok(Json(MessageDetail {
        segment_description: message.fields.segment.describe(),
        message,
        templates,
        outbox: OutboxStats::from_counts(&counts),
    }))
}

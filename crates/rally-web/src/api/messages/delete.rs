//! `DELETE /api/v1/messages/{id}`

use axum::extract::State;
use axum::http::StatusCode;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete a message and its e-mails not sent yet. Once one of its e-mails was sent, the message stays
/// on record. Owners and coordinators.
#[utoipa::path(delete, path = "/api/v1/messages/{id}", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "E-mails of this message were sent")))]
pub async fn delete_message(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_message(auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

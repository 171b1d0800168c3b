//! `DELETE /api/v1/contacts/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::ContactId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete a contact.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_contact(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_contact(auth.actor(), ContactId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

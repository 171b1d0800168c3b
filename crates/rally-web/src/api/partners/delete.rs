//! `DELETE /api/v1/partners/{id}`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::PartnerId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Delete a partner with its contacts and history. Owners and coordinators.
#[utoipa::path(delete, path = "/api/v1/partners/{id}", tag = "partners",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_partner(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.delete_partner(auth.actor(), PartnerId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

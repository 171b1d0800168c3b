//! `DELETE /api/v1/partners/{id}/logo`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::PartnerId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Remove a partner's logo.
#[utoipa::path(delete, path = "/api/v1/partners/{id}/logo", tag = "partner profile",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn delete_logo(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.set_partner_logo(auth.actor(), PartnerId(id), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `DELETE /api/v1/partners/{id}/link`

use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::PartnerId;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Revoke the partner's link: from now on it is "not found". Revoking twice is harmless.
#[utoipa::path(delete, path = "/api/v1/partners/{id}/link", tag = "partner profile",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn revoke_link(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<StatusCode, ApiError> {
    app.store.revoke_partner_link(auth.actor(), PartnerId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

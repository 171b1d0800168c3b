//! `GET /api/v1/partners/{id}/profile`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use rally_store::PartnerProfile;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A partner's logo, whether it opted out of the recognition wall, and its active link (never the secret).
#[utoipa::path(get, path = "/api/v1/partners/{id}/profile", tag = "partner profile",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = PartnerProfile, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_profile(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<PartnerProfile>, ApiError> {
    Ok(Json(app.store.partner_profile(auth.actor(), PartnerId(id)).await?))
}

//! `GET /api/v1/contacts/{id}/consents`

use axum::Json;
use axum::extract::State;
use rally_domain::ContactId;
use rally_store::ConsentRecord;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Every change of a contact's consent, newest first: what for, granted or withdrawn, when, how (and
/// by whom, from where, under which privacy notice).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/consents", tag = "privacy",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Vec<ConsentRecord>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn contact_consents(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<ConsentRecord>>, ApiError> {
    Ok(Json(app.store.contact_consents(auth.actor(), ContactId(id)).await?))
}

//! `GET /api/v1/partners/{id}/contacts`

use axum::Json;
use axum::extract::State;
use rally_domain::{Contact, PartnerId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A partner's contacts.
#[utoipa::path(get, path = "/api/v1/partners/{id}/contacts", tag = "contacts",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<Contact>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_contacts(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<Contact>>, ApiError> {
    Ok(Json(app.store.contacts(auth.actor(), PartnerId(id)).await?))
}

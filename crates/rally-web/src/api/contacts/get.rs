//! `GET /api/v1/contacts/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Contact, ContactId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Contact, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_contact(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Contact>, ApiError> {
    Ok(Json(app.store.contact(auth.actor(), ContactId(id)).await?))
}

//! `PATCH /api/v1/contacts/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Contact, ContactDraft, ContactId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a contact: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = ContactDraft,
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_contact(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<ContactDraft>,
) -> Result<Json<Contact>, ApiError> {
    Ok(Json(app.store.update_contact(auth.actor(), ContactId(id), patch).await?))
}

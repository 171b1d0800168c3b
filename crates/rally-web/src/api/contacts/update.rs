//! `PATCH /api/v1/contacts/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Contact, ContactDraft, ContactId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a contact: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = ContactDraft,
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Contact, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 409, body = Problem, description = "Conflicts with existing data; `errors` names the field"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_contact(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<ContactDraft>,
) -> Result<Json<Contact>, ApiError> {
    Ok(Json(app.store.update_contact(auth.actor(), ContactId(id), patch).await?))
}

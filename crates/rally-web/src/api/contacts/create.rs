//! `POST /api/v1/partners/{id}/contacts`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::{Contact, ContactDraft, PartnerId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Add a contact to a partner. `name` and `email` are required; an address can be a contact only
/// once per campaign.
#[utoipa::path(post, path = "/api/v1/partners/{id}/contacts", tag = "contacts", request_body = ContactDraft,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = Contact, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 409, body = Problem, description = "e-mail already a contact"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_contact(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(draft): JsonBody<ContactDraft>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let fields = draft.validate()?;
    let contact = app.store.create_contact(auth.actor(), PartnerId(id), fields).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

//! `POST /api/v1/partners/{id}/interactions`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::{Interaction, InteractionDraft, PartnerId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Log a call, meeting, e-mail or note with a partner. `kind` and `text` are required; `on` defaults
/// to today and may not lie in the future (plan that as a task). Members: their own partners.
#[utoipa::path(post, path = "/api/v1/partners/{id}/interactions", tag = "interactions", request_body = InteractionDraft,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = Interaction, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_interaction(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(draft): JsonBody<InteractionDraft>,
) -> Result<(StatusCode, Json<Interaction>), ApiError> {
    let fields = draft.validate(crate::api::today())?;
    let interaction = app.store.add_interaction(auth.actor(), PartnerId(id), fields).await?;
    Ok((StatusCode::CREATED, Json(interaction)))
}

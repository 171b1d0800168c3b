//! `PATCH /api/v1/asks/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Ask, AskDraft, AskId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change an ask: only the fields sent change. A standard ask is the campaign's to change (owners and
/// coordinators); a custom ask is its partner's.
#[utoipa::path(patch, path = "/api/v1/asks/{id}", tag = "asks", request_body = AskDraft,
    params(("id" = i64, Path, description = "Ask id")),
    responses((status = 200, body = Ask, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_ask(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<AskDraft>,
) -> Result<Json<Ask>, ApiError> {
    Ok(Json(app.store.update_ask(auth.actor(), AskId(id), patch, crate::api::today()).await?))
}

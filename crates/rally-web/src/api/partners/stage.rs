//! `POST /api/v1/partners/{id}/stage`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use rally_domain::pipeline::StageMove;

use crate::extract::{Auth, Id, JsonBody};
use crate::kit::Moved;
use crate::{ApiError, AppState, Problem};

/// Move a partner to another stage. `closed_lost` needs a `reason`; a closed partner may be reopened.
/// Every move is kept in the partner's history.
#[utoipa::path(post, path = "/api/v1/partners/{id}/stage", tag = "partners", request_body = StageMove,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Moved, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn move_stage(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(to): JsonBody<StageMove>,
) -> Result<Json<Moved>, ApiError> {
    let (partner, change) = app.store.move_stage(auth.actor(), PartnerId(id), to).await?;
    Ok(Json(Moved { partner, change }))
}

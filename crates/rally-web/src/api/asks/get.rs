//! `GET /api/v1/asks/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Ask, AskId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One ask, standard or custom.
#[utoipa::path(get, path = "/api/v1/asks/{id}", tag = "asks",
    params(("id" = i64, Path, description = "Ask id")),
    responses((status = 200, body = Ask, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_ask(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Ask>, ApiError> {
    Ok(Json(app.store.ask(auth.actor(), AskId(id)).await?))
}

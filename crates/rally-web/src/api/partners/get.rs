//! `GET /api/v1/partners/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Partner, PartnerId};

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// One partner.
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "partners",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Partner, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_partner(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Partner>, ApiError> {
    Ok(Json(app.store.partner(auth.actor(), PartnerId(id)).await?))
}

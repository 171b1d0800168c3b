//! `PATCH /api/v1/partners/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Partner, PartnerDraft, PartnerId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a partner: only the fields sent change. Members change only partners they own and cannot
/// hand them to someone else; the stage changes through `/stage`.
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "partners", request_body = PartnerDraft,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Partner, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_partner(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<PartnerDraft>,
) -> Result<Json<Partner>, ApiError> {
    Ok(Json(app.store.update_partner(auth.actor(), PartnerId(id), patch).await?))
}

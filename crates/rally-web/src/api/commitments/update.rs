//! `PATCH /api/v1/commitments/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Commitment, CommitmentDraft, CommitmentId};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Change a commitment: only the fields sent change. An agreed commitment needs a date (and a quantity
/// when its ask counts something); a fulfilled one needs evidence.
#[utoipa::path(patch, path = "/api/v1/commitments/{id}", tag = "commitments", request_body = CommitmentDraft,
    params(("id" = i64, Path, description = "Commitment id")),
    responses((status = 200, body = Commitment, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn update_commitment(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(patch): JsonBody<CommitmentDraft>,
) -> Result<Json<Commitment>, ApiError> {
    Ok(Json(app.store.update_commitment(auth.actor(), CommitmentId(id), patch, crate::api::today()).await?))
}

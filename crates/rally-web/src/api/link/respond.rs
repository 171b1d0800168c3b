//! `POST /api/v1/link/{token}/commitments/{id}`

use axum::Json;
use axum::extract::State;
use rally_domain::{Commitment, CommitmentId, PartnerResponse};

use super::LinkPath;
use crate::extract::JsonBody;
use crate::{ApiError, AppState, Problem};

/// The partner answers a proposed commitment: accept (with how many, when the ask counts something) or
/// decline, with an optional note.
#[utoipa::path(post, path = "/api/v1/link/{token}/commitments/{id}", tag = "partner link", security(()),
    request_body = PartnerResponse,
    params(("token" = String, Path, description = "The secret of the partner's link"), ("id" = i64, Path, description = "Commitment id")),
    responses((status = 200, body = Commitment, description = "OK"), (status = 404, body = Problem, description = "Unknown or revoked link, or not this partner's commitment"), (status = 422, body = Problem, description = "Invalid input, or already answered; `errors` names the field")))]
pub async fn link_respond(
    State(app): State<AppState>,
    link: LinkPath,
    JsonBody(response): JsonBody<PartnerResponse>,
) -> Result<Json<Commitment>, ApiError> {
    let id = CommitmentId(link.id()?);
    Ok(Json(app.store.link_respond(&link.token_hash, id, response, crate::api::today()).await?))
}

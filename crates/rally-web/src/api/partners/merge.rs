//! `POST /api/v1/partners/{id}/merge`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use rally_store::Merged;
use serde::Deserialize;

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Which partner to merge into this one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate: a partner of the same campaign. It is deleted once merged.
    pub duplicate_id: i64,
    /// Only say what would move; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Merge a duplicate partner into this one: its contacts, stage history, commitments, interactions,
/// tasks, assets sent and e-mails move here (a commitment to an ask this partner has one to as well
/// is dropped), the merge is noted in this partner's timeline, and the duplicate is deleted. Owners and
/// coordinators.
#[utoipa::path(post, path = "/api/v1/partners/{id}/merge", tag = "partners", request_body = MergeRequest,
    params(("id" = i64, Path, description = "The partner that stays")),
    responses((status = 200, body = Merged, description = "What moved (or would move, on a dry run)"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn merge_partner(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<MergeRequest>,
) -> Result<Json<Merged>, ApiError> {
    let merged =
        app.store.merge_partners(auth.actor(), PartnerId(id), PartnerId(body.duplicate_id), body.dry_run).await?;
    Ok(Json(merged))
}

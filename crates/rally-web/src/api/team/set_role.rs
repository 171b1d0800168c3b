//! `PUT /api/v1/campaigns/{campaign}/team/{user}`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::UserId;
use rally_store::Member;

use super::RoleBody;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Put a user on the team in a role (or change it). Owners only; the last owner stays owner.
#[utoipa::path(put, path = "/api/v1/campaigns/{campaign}/team/{user}", tag = "team", request_body = RoleBody,
    params(("campaign" = String, Path, description = "Campaign id or slug"), ("user" = i64, Path, description = "User id")),
    responses((status = 200, body = Member, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn set_role(
    State(app): State<AppState>,
    auth: Auth,
    Path((campaign, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<Json<Member>, ApiError> {
    let user = user.parse().map(UserId).map_err(|_| ApiError::NotFound("user"))?;
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.set_role(auth.actor(), id, user, body.role).await?))
}

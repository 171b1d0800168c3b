//! `DELETE /api/v1/campaigns/{campaign}/team/{user}`

use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::UserId;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Take a user off the team; their partners become unowned. Owners only; the last owner stays.
#[utoipa::path(delete, path = "/api/v1/campaigns/{campaign}/team/{user}", tag = "team",
    params(("campaign" = String, Path, description = "Campaign id or slug"), ("user" = i64, Path, description = "User id")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn remove_member(
    State(app): State<AppState>,
    auth: Auth,
    Path((campaign, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user = user.parse().map(UserId).map_err(|_| ApiError::NotFound("user"))?;
    let id = app.campaign_id(&campaign).await?;
    app.store.remove_member(auth.actor(), id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

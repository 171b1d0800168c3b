//! `GET /api/v1/me`

use axum::Json;
use rally_store::User;

use crate::ApiError;
use crate::extract::Auth;

/// The user the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "team",
    responses((status = 200, body = User, description = "OK"), (status = 401, body = crate::Problem, description = "Missing or invalid API token")))]
pub async fn me(Auth(user): Auth) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}

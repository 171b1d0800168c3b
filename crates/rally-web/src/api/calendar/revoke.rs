//! `DELETE /api/v1/me/calendar`

use axum::extract::State;
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Stop the caller's calendar feed: its address is "not found" from now on.
#[utoipa::path(delete, path = "/api/v1/me/calendar", tag = "calendar",
    responses((status = 204, description = "Done; no content"), (status = 401, body = Problem, description = "Missing or invalid API token")))]
pub async fn revoke_feed(State(app): State<AppState>, auth: Auth) -> Result<StatusCode, ApiError> {
    app.store.revoke_calendar_tokens(auth.0.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `POST /api/v1/me/calendar`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::auth::{hash_token, random_token};
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// A calendar feed's address. It holds a secret, shown this once; Rally keeps only its hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// Subscribe to it in a calendar app.
    pub url: String,
}

/// Make a calendar feed of the caller's milestones, asks, commitments and tasks across their campaigns.
/// Any earlier feed address stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "calendar",
    responses((status = 201, body = CalendarFeed, description = "Created"), (status = 401, body = Problem, description = "Missing or invalid API token")))]
pub async fn create_feed(
    State(app): State<AppState>,
    auth: Auth,
) -> Result<(StatusCode, Json<CalendarFeed>), ApiError> {
    let token = random_token();
    app.store.create_calendar_token(auth.0.id, &hash_token(&token)).await?;
    let url = format!("{}/calendar/{token}.ics", app.public_url.as_str());
    Ok((StatusCode::CREATED, Json(CalendarFeed { url })))
}

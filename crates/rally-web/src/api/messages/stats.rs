//! `GET /api/v1/messages/{id}/stats`

use axum::Json;
use axum::extract::State;

use super::OutboxStats;
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// Where the message's e-mails stand: how many are planned, deferred, being sent, sent, failed,
/// bounced, suppressed and expired (every status, zeros included).
#[utoipa::path(get, path = "/api/v1/messages/{id}/stats", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = OutboxStats, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn stats(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<OutboxStats>, ApiError> {
    let counts = app.store.outbox_counts(auth.actor(), id).await?;
    let mut stats = OutboxStats::from_counts(&counts);
    stats.unsubscribed = app.store.unsubscribed(auth.actor(), id).await?;
    Ok(Json(stats))
}

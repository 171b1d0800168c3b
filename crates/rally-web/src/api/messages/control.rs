//! `POST /api/v1/messages/{id}/pause`, `…/resume` and `…/cancel`: stopping and restarting a queued
//! message's waiting e-mails.

use axum::Json;
use axum::extract::State;
use rally_domain::comms::{Message, SendControl};
use serde::Serialize;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// What pausing, resuming or cancelling did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Controlled {
    /// The message, with `paused_at` and `cancelled_at`.
    pub message: Message,
    /// E-mails whose status changed (those being sent at that moment finish and are not counted).
    pub changed: u64,
}

async fn control(app: &AppState, auth: &Auth, id: i64, control: SendControl) -> Result<Json<Controlled>, ApiError> {
    let (message, changed) = app.store.control_message(auth.actor(), id, control).await?;
    Ok(Json(Controlled { message, changed }))
}

/// Pause a queued message: its waiting e-mails (planned or deferred) are held back and no worker
/// claims them until it is resumed; e-mails being sent at that moment finish. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/pause", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Controlled, description = "Paused"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The message is a draft, paused already, or cancelled")))]
pub async fn pause(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Controlled>, ApiError> {
    control(&app, &auth, id, SendControl::Pause).await
}

/// Resume a paused message: each held e-mail waits again as before (for its time, or deferred by the
/// cadence rules). Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/resume", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Controlled, description = "Resumed"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The message is not paused, or was cancelled")))]
pub async fn resume(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Controlled>, ApiError> {
    control(&app, &auth, id, SendControl::Resume).await
}

/// Cancel a queued message: its unsent e-mails are dropped and counted as cancelled; it sends
/// nothing more. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/cancel", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Controlled, description = "Cancelled"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The message is a draft or cancelled already")))]
pub async fn cancel(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Controlled>, ApiError> {
    control(&app, &auth, id, SendControl::Cancel).await
}

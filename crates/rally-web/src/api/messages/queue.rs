//! `POST /api/v1/messages/{id}/queue`

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::may_edit;
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// What queueing a message did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queued {
    /// E-mails put in the outbox.
    pub queued: usize,
    /// Going when the message wants them to.
    pub on_time: usize,
    /// Moved later by the cadence rules.
    pub deferred: usize,
    /// Cannot go in time under the cadence rules; kept in the outbox as expired.
    pub expired: usize,
    /// Contacts of the segment that get nothing, and why: the first 1,000 (`left_out` counts them all).
    pub excluded: Vec<Excluded>,
    /// How many contacts of the segment get nothing.
    pub left_out: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Excluded {
    pub email: String,
    pub why: String,
}

/// Put the message in the outbox: render it for every contact of its segment and time each e-mail
/// with the cadence rules, all before anything is written. If the templates fail for one contact,
/// nothing is queued and the 422 names the contact and the template line. A message is queued once;
/// the workers then deliver it. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/queue", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Queued, description = "Queued"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The message is already queued"), (status = 422, body = Problem, description = "A template does not render for a contact; nothing was queued")))]
pub async fn queue(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<Queued>, ApiError> {
    let (message, _) = app.store.message(auth.actor(), id).await?;
    if message.planned_at.is_some() {
        return Err(ApiError::Conflict { field: "message", message: "this message is already queued".into() });
    }
    may_edit(&app, &auth, message.campaign_id).await?;
    let base = app.public_url.as_str();
    let (planned, added) =
        rally_comms::plan::queue_message(&*app.store, auth.actor(), id, base, chrono::Utc::now()).await?;
    Ok(Json(Queued {
        queued: added,
        on_time: planned.on_time(),
        deferred: planned.deferred(),
        expired: planned.expired(),
        left_out: planned.left_out_count(),
        excluded: planned.excluded.into_iter().map(|(email, why)| Excluded { email, why }).collect(),
    }))
}

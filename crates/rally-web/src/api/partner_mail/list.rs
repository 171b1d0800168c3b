//! `GET /api/v1/partners/{id}/mail`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use rally_store::MailEntry;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// The e-mails to the partner's contacts, planned or sent, newest first (at most 200): the message,
/// the address, the subject, where it stands and why.
#[utoipa::path(get, path = "/api/v1/partners/{id}/mail", tag = "comms",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<MailEntry>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn partner_mail(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<MailEntry>>, ApiError> {
    Ok(Json(app.store.partner_mail(auth.actor(), PartnerId(id)).await?))
}

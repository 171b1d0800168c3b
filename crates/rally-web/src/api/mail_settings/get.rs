//! `GET /api/v1/campaigns/{campaign}/mail-settings`

use axum::Json;
use axum::extract::{Path, State};
use rally_store::MailSettings;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's sender (name, address, reply-to) and its cadence policy. A campaign that never set
/// them reads the defaults.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/mail-settings", tag = "comms",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = MailSettings, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_mail_settings(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<MailSettings>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.mail_settings(auth.actor(), id).await?))
}

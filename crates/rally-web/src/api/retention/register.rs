//! `GET /api/v1/campaigns/{campaign}/register`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::retention::{RegisterEntry, register};

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's data-processing register: each kind of personal data Rally holds, why, on which
/// legal basis (as the campaign's mail settings say) and for how long (its retention periods).
/// Anyone on the team.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/register", tag = "privacy",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<RegisterEntry>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_register(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<RegisterEntry>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let periods = app.store.retention_periods(auth.actor(), id).await?;
    let legitimate_interest = app.store.mail_settings(auth.actor(), id).await?.legitimate_interest;
    Ok(Json(register(&periods, legitimate_interest)))
}

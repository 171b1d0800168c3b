//! `GET /api/v1/campaigns/{campaign}/privacy-notices`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::consent::PrivacyNotice;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Every published version of the campaign's privacy notice, in every language, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/privacy-notices", tag = "privacy",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<PrivacyNotice>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn list_privacy_notices(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<PrivacyNotice>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.privacy_notices(auth.actor(), id).await?))
}

//! `GET /api/v1/campaigns/{campaign}/retention`

use axum::Json;
use axum::extract::{Path, State};

use super::RetentionView;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Every retention rule with the campaign's period in force, its default and bounds. Anyone on the
/// team.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/retention", tag = "privacy",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = RetentionView, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_retention(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<RetentionView>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let periods = app.store.retention_periods(auth.actor(), id).await?;
    Ok(Json(RetentionView::new(&periods)))
}

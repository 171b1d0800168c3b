//! `GET /api/v1/campaigns`

use axum::Json;
use axum::extract::State;

use super::CampaignView;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaigns the caller is on the team of, with the caller's role in each.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = Vec<CampaignView>, description = "OK"), (status = 401, body = Problem, description = "Missing or invalid API token")))]
pub async fn list_campaigns(State(app): State<AppState>, auth: Auth) -> Result<Json<Vec<CampaignView>>, ApiError> {
    Ok(Json(app.store.campaigns(auth.actor()).await?.into_iter().map(CampaignView::from).collect()))
}

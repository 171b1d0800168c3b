//! `POST /api/v1/campaigns`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::{CampaignDraft, Role};
use rally_store::CampaignWithRole;

use super::CampaignView;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Create a campaign; the caller becomes its owner. `name`, `slug`, `goal_students`, `starts_on` and
/// `ends_on` are required; a `member` campaign names its umbrella in `parent_id`.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignDraft,
    responses((status = 201, body = CampaignView, description = "Created"), (status = 409, body = Problem, description = "slug taken"),
              (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field"), (status = 401, body = Problem, description = "Missing or invalid API token")))]
pub async fn create_campaign(
    State(app): State<AppState>,
    auth: Auth,
    JsonBody(draft): JsonBody<CampaignDraft>,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let fields = draft.validate()?;
    let campaign = app.store.create_campaign(auth.actor(), fields).await?;
    Ok((StatusCode::CREATED, Json(CampaignWithRole { campaign, role: Some(Role::Owner) }.into())))
}

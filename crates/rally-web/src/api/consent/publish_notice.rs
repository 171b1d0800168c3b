//! `POST /api/v1/campaigns/{campaign}/privacy-notices`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::consent::{NoticeDraft, PrivacyNotice};

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Publish the next version of the notice in `language`. With `needs_reconsent`, whoever agreed to an
/// earlier version of that language receives no campaign news until they agree again. Owners and
/// coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/privacy-notices", tag = "privacy", request_body = NoticeDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = PrivacyNotice, description = "Published"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn publish_privacy_notice(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(draft): JsonBody<NoticeDraft>,
) -> Result<(StatusCode, Json<PrivacyNotice>), ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let fields = draft.validate()?;
    Ok((StatusCode::CREATED, Json(app.store.publish_privacy_notice(auth.actor(), id, fields).await?)))
}

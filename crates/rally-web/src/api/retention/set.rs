//! `PUT /api/v1/campaigns/{campaign}/retention`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::retention::RetentionPeriods;

use super::RetentionView;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Replace the campaign's periods: per rule, days or years as the rule counts (see the GET); a rule
/// left out keeps its default. A period outside the rule's bounds is refused naming the rule. Owners
/// only.
#[utoipa::path(put, path = "/api/v1/campaigns/{campaign}/retention", tag = "privacy", request_body = RetentionPeriods,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = RetentionView, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending rule")))]
pub async fn set_retention(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(periods): JsonBody<RetentionPeriods>,
) -> Result<Json<RetentionView>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let saved = app.store.set_retention_periods(auth.actor(), id, periods).await?;
    Ok(Json(RetentionView::new(&saved)))
}

//! `POST /api/v1/campaigns/{campaign}/milestones`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use rally_domain::comms::{Milestone, MilestoneKind};
use serde::Deserialize;

use crate::api::required;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// A new milestone: all three fields are required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    #[schema(required = true, nullable = false)]
    pub kind: Option<MilestoneKind>,
    /// 1 to 200 characters.
    #[schema(required = true, nullable = false, max_length = 200, min_length = 1, pattern = "@required-text")]
    pub title: Option<String>,
    /// The day it happens, e.g. `2026-12-07`.
    #[schema(required = true, nullable = false)]
    pub on: Option<NaiveDate>,
}

/// The three fields of a milestone body, each checked; every error at once.
pub(super) fn checked(body: MilestoneBody) -> Result<(MilestoneKind, String, NaiveDate), ApiError> {
    let mut errors = Vec::new();
    let kind = required(&mut errors, "kind", body.kind);
    let title = match body.title.as_deref().map(|t| rally_domain::validation::required_text(t, 200)) {
        Some(Err(message)) => {
            errors.push(rally_domain::FieldError { field: "title".into(), message });
            None
        }
        checked => required(&mut errors, "title", checked.and_then(Result::ok)),
    };
    let on = required(&mut errors, "on", body.on);
    let (Some(kind), Some(title), Some(on)) = (kind, title, on) else {
        return Err(ApiError::Invalid(errors));
    };
    Ok((kind, title, on))
}

/// Add a milestone (an announcement, registration opening, campaign week…) that messages can be timed
/// by. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/milestones", tag = "comms", request_body = MilestoneBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Milestone, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_milestone(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<MilestoneBody>,
) -> Result<(StatusCode, Json<Milestone>), ApiError> {
    let (kind, title, on) = checked(body)?;
    let id = app.campaign_id(&campaign).await?;
    let milestone = app.store.create_milestone(auth.actor(), id, kind, &title, on).await?;
    Ok((StatusCode::CREATED, Json(milestone)))
}

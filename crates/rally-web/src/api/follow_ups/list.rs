//! `GET /api/v1/campaigns/{campaign}/follow-ups`

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use rally_domain::Partner;
use rally_domain::followup::follow_up_due;
use serde::Serialize;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// A partner that deserves a follow-up task, and when that task should be due.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub partner: Partner,
    /// The suggested due date: two working days from today.
    pub due_on: NaiveDate,
}

/// The caller's partners that are past their stage's time limit and have no open task, longest waiting
/// first (at most 50): each deserves a follow-up task.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/follow-ups", tag = "tasks",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Vec<FollowUp>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn follow_ups(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<FollowUp>>, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let partners = app.store.follow_up_proposals(auth.actor(), id, auth.0.id, chrono::Utc::now()).await?;
    let due_on = follow_up_due(crate::api::today());
    Ok(Json(partners.into_iter().map(|partner| FollowUp { partner, due_on }).collect()))
}

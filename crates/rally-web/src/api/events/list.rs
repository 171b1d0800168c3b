//! `GET /api/v1/campaigns/{campaign}/events`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_domain::event::Event;
use rally_store::EventFilter;
use serde::Serialize;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// A page of a campaign's events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub events: Vec<Event>,
    /// How many match the filters in all.
    pub total: i64,
}

/// A campaign's events in every status (its team: the organizers' details included), newest first.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/events", tag = "events",
    params(("campaign" = String, Path, description = "Campaign id or slug"), EventFilter),
    responses((status = 200, body = EventPage, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid filter; names the parameter")))]
pub async fn list_events(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<EventFilter>, QueryRejection>,
) -> Result<Json<EventPage>, ApiError> {
    let Query(filter) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let id = app.campaign_id(&campaign).await?;
    let (events, total) = app.store.events(auth.actor(), id, &filter).await?;
    Ok(Json(EventPage { events, total }))
}

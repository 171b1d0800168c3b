//! `GET /api/v1/campaigns/{campaign}/due`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{Days, NaiveDate};
use rally_store::Due;
use serde::Deserialize;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// How far ahead to look when no `until` is given.
const DEFAULT_DAYS: u64 = 7;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The last day to include, `YYYY-MM-DD`; a week from today when not given.
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub(crate) until: Option<String>,
}

/// Open commitments and tasks due on or before `until`, overdue ones first.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/due", tag = "commitments",
    params(("campaign" = String, Path, description = "Campaign id or slug"), DueQuery),
    responses((status = 200, body = Due, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn due(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<DueQuery>, QueryRejection>,
) -> Result<Json<Due>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let until = crate::api::query_param("until", query.until, |v| {
        v.parse::<NaiveDate>().map_err(|_| format!("`{v}` is not a date like 2026-12-07"))
    })?;
    let today = crate::api::today();
    let until = until.unwrap_or_else(|| today.checked_add_days(Days::new(DEFAULT_DAYS)).unwrap_or(today));
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.due(auth.actor(), id, until).await?))
}

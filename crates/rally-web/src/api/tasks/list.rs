//! `GET /api/v1/campaigns/{campaign}/tasks`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_domain::{PartnerId, Task, UserId};
use rally_store::TaskFilter;
use serde::Deserialize;

use crate::api::query_param;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The query string, as text: each value is checked so an error names its parameter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// The owner's user id, or `me`.
    #[param(pattern = "^(me|-?[0-9]{1,18})$")]
    pub(crate) owner: Option<String>,
    /// Only tasks about this partner (its id).
    #[param(value_type = Option<i64>)]
    pub(crate) partner: Option<String>,
    /// `true`: only tasks not done yet.
    #[param(value_type = Option<bool>)]
    pub(crate) open: Option<String>,
}

/// A campaign's tasks (at most 500): by due date, open ones first.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/tasks", tag = "tasks",
    params(("campaign" = String, Path, description = "Campaign id or slug"), TaskQuery),
    responses((status = 200, body = Vec<Task>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn list_tasks(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<TaskQuery>, QueryRejection>,
) -> Result<Json<Vec<Task>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let number = |v: &str| v.parse::<i64>().map_err(|_| format!("`{v}` is not a number"));
    let filter = TaskFilter {
        owner: query_param("owner", query.owner, |v| {
            if v == "me" { Ok(auth.0.id) } else { number(v).map(UserId).map_err(|e| format!("{e} or `me`")) }
        })?,
        partner: query_param("partner", query.partner, number)?.map(PartnerId),
        open: query_param("open", query.open, |v| v.parse::<bool>().map_err(|_| "must be true or false".into()))?
            .unwrap_or(false),
    };
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.tasks(auth.actor(), id, filter).await?))
}

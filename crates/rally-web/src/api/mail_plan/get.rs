//! `GET /api/v1/campaigns/{campaign}/mail-plan`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use rally_comms::PlanLine;
use serde::{Deserialize, Serialize};

use crate::api::query_param;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// `true`: only the e-mails the cadence rules move or expire, and the contacts left out.
    #[param(value_type = Option<bool>)]
    pub(crate) changed: Option<String>,
}

/// One e-mail of the calendar.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanLineView {
    /// `draft`: as a draft message's e-mail would go if queued now; `queued`: in the outbox, waiting
    /// for its time (`reason` says when the cadence rules deferred it); `paused`: held while its message
    /// is paused.
    #[schema(pattern = "^(draft|queued|paused)$")]
    pub state: &'static str,
    pub message_id: i64,
    /// The message's title.
    pub message: String,
    pub email: String,
    /// The partner's name.
    pub partner: String,
    /// When the message wants it to go.
    pub wanted: DateTime<Utc>,
    /// When it goes after the cadence rules; `null` when it expires or the contact is left out.
    pub at: Option<DateTime<Utc>>,
    /// Why it moved, expires or is left out; empty when it goes on time.
    pub reason: String,
    /// The contact is in the segment but gets nothing from this message (opted out, unsubscribed,
    /// suppressed, no consent to marketing, no agreed commitment for service mail): `reason` says which.
    pub left_out: bool,
}

impl From<PlanLine> for PlanLineView {
    fn from(l: PlanLine) -> Self {
        PlanLineView {
            state: l.state.as_str(),
            message_id: l.message_id,
            message: l.message,
            email: l.email,
            partner: l.partner,
            wanted: l.wanted,
            at: l.at,
            reason: l.reason,
            left_out: l.left_out,
        }
    }
}

/// The campaign's future calendar: every draft message timed for each of its contacts with the cadence
/// rules, where earlier messages (queued or draft) count against later ones, as they will when queued,
/// and the contacts of its segment it leaves out, with why; beside them the queued e-mails still
/// waiting in the outbox (deferred or paused). Nothing is written. In the order the e-mails go.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/mail-plan", tag = "comms",
    params(("campaign" = String, Path, description = "Campaign id or slug"), PlanQuery),
    responses((status = 200, body = Vec<PlanLineView>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid query; `errors` names the parameter")))]
pub async fn mail_plan(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<Vec<PlanLineView>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let changed =
        query_param("changed", query.changed, |v| v.parse::<bool>().map_err(|_| "must be true or false".to_owned()))?
            .unwrap_or(false);
    let id = app.campaign_id(&campaign).await?;
    let lines = rally_comms::plan::plan_campaign(&*app.store, auth.actor(), id, Utc::now()).await?;
    Ok(Json(lines.into_iter().filter(|l| !changed || !l.reason.is_empty()).map(PlanLineView::from).collect()))
}

//! `POST /api/v1/campaigns/{campaign}/events/moderation`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::EventId;
use rally_domain::event::Event;
use rally_store::Moderation;
use serde::Deserialize;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// A moderator's decision about one or more events.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    /// The events (at most 500).
    #[serde(deserialize_with = "rally_domain::limits::bounded::vec::<_, _, { rally_domain::limits::BULK }>")]
    #[schema(max_items = 500)]
    pub ids: Vec<i64>,
    /// `approve` or `reject`.
    #[schema(pattern = r"^\s*([Aa][Pp][Pp][Rr][Oo][Vv][Ee]|[Rr][Ee][Jj][Ee][Cc][Tt])\s*$")]
    pub decision: String,
    /// Why, for a rejection (required there): the organizer reads it.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: String,
}

/// Approves or rejects confirmed events; each organizer is written to (in the language they registered
/// in). All or nothing.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/events/moderation", tag = "events",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    request_body = ModerationRequest,
    responses((status = 200, body = Vec<Event>, description = "The events changed"), (status = 403, body = Problem, description = "Your role does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "An event is not waiting for a decision"), (status = 422, body = Problem, description = "Invalid input; names the field")))]
pub async fn moderate_events(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<ModerationRequest>,
) -> Result<Json<Vec<Event>>, ApiError> {
    let decision = match body.decision.trim().to_ascii_lowercase().as_str() {
        "approve" => Moderation::Approve,
        "reject" => Moderation::Reject { reason: body.reason },
        _ => return Err(ApiError::invalid("decision", format!("`{}`: use approve or reject", body.decision.trim()))),
    };
    let id = app.campaign_id(&campaign).await?;
    let ids: Vec<EventId> = body.ids.into_iter().map(EventId).collect();
    let changed = crate::moderation::moderate(&app, auth.actor(), id, &ids, decision).await?;
    Ok(Json(changed))
}

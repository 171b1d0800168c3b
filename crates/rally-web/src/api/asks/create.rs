//! `POST /api/v1/campaigns/{campaign}/asks`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::{Ask, AskDraft};

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Write a standard ask: something the campaign asks of every partner it is applied to. `title` is
/// required; `categories` and `tiers` say whom it is meant for (empty: everyone); `unit` what a
/// commitment's quantity counts. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/asks", tag = "asks", request_body = AskDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Ask, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_ask(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(draft): JsonBody<AskDraft>,
) -> Result<(StatusCode, Json<Ask>), ApiError> {
    let fields = draft.validate(crate::api::today(), None)?;
    let id = app.campaign_id(&campaign).await?;
    let ask = app.store.create_ask(auth.actor(), id, None, fields).await?;
    Ok((StatusCode::CREATED, Json(ask)))
}

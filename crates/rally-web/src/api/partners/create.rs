//! `POST /api/v1/campaigns/{campaign}/partners`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::{Partner, PartnerDraft};

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Add a partner. It starts in `lead`, owned by the caller unless `owner_id` names another team
/// member; its tier and priority are derived. `name` and `category` are required.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/partners", tag = "partners", request_body = PartnerDraft,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Partner, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_partner(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(draft): JsonBody<PartnerDraft>,
) -> Result<(StatusCode, Json<Partner>), ApiError> {
    let fields = draft.validate()?;
    let id = app.campaign_id(&campaign).await?;
    let partner = app.store.create_partner(auth.actor(), id, fields).await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

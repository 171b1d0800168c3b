//! `POST /api/v1/campaigns/{campaign}/team`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::{Email, Role};
use rally_store::Member;
use serde::Deserialize;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The e-mail address of an existing Rally user.
    #[schema(format = Email)]
    pub email: String,
    pub role: Role,
}

/// Add an existing user to the team by e-mail, or change their role. Owners only.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/team", tag = "team", request_body = AddMember,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Member, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn add_member(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<AddMember>,
) -> Result<Json<Member>, ApiError> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::invalid("email", e))?;
    let id = app.campaign_id(&campaign).await?;
    let user = app
        .store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| ApiError::invalid("email", format!("no Rally user has the address {email}")))?;
    Ok(Json(app.store.set_role(auth.actor(), id, user.id, body.role).await?))
}

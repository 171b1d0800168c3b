//! `POST /api/v1/campaigns/{campaign}/partners`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::{Partner, PartnerDraft};
use serde::Deserialize;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// A new partner: its fields, and whether a name the campaign already has is meant. (The schema of the
/// body; it is read as the partner's fields plus `allow_duplicate`, unknown fields refused.)
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NewPartner {
    #[serde(flatten)]
    pub partner: PartnerDraft,
    /// Add the partner even when a partner of the campaign has the same name (case, accents,
    /// punctuation and legal forms such as "d.o.o." or "Ltd" ignored): two organizations that share a
    /// name. Without it, such a partner is refused with 409 naming `name`.
    #[serde(default)]
    pub allow_duplicate: bool,
}

/// Add a partner. It starts in `lead`, owned by the caller unless `owner_id` names another team
/// member; its tier and priority are derived. `name` and `category` are required. A name the
/// campaign has already is refused (409, field `name`) unless `allow_duplicate` is `true`.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/partners", tag = "partners", request_body = NewPartner,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 201, body = Partner, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "A partner of this name exists; `allow_duplicate` adds another"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_partner(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(mut body): JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> Result<(StatusCode, Json<Partner>), ApiError> {
    let allow_duplicate = match body.remove("allow_duplicate") {
        None => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(_) => return Err(ApiError::invalid("allow_duplicate", "must be true or false")),
    };
    let draft: PartnerDraft = crate::extract::from_value(serde_json::Value::Object(body))?;
    let fields = draft.validate()?;
    let id = app.campaign_id(&campaign).await?;
    let partner = app.store.add_partner(auth.actor(), id, fields, allow_duplicate).await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

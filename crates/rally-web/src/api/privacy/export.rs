//! `POST /api/v1/campaigns/{campaign}/privacy/export`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::Email;
use serde::Deserialize;

use crate::api::required;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// The person's e-mail address.
    #[schema(required = true, nullable = false)]
    pub email: Option<Email>,
}

/// Everything the campaign holds about one address, as one JSON document:
/// `{ "email", "generated_at", "campaign", "tables": { "<table>": [ { column: value } ] }, "truncated" }`
/// (contacts, events and their log, e-mails with their contents, suppressions, consent records,
/// interactions and tasks that mention the person, import undo data, invitations, audit entries).
/// No password or token hashes. Owners only; recorded in the audit log. A POST so the address never
/// appears in a URL (and so in logs).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/privacy/export", tag = "privacy", request_body = PersonBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Object, description = "The person's rows, table by table"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn export_person(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<PersonBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut errors = Vec::new();
    let Some(email) = required(&mut errors, "email", body.email) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.export_person(auth.actor(), &email, Some(id)).await?))
}

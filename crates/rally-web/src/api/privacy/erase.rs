//! `POST /api/v1/campaigns/{campaign}/privacy/erase`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::Email;
use rally_store::ErasureReport;
use serde::Deserialize;

use crate::api::required;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// The longest reason kept.
const MAX_REASON_CHARS: usize = rally_domain::limits::ERASURE_REASON;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// The person's e-mail address.
    #[schema(required = true, nullable = false)]
    pub email: Option<Email>,
    /// Why, recorded in the audit log (at most 500 characters).
    #[schema(required = true, nullable = false, max_length = 500, min_length = 1, pattern = "@required-text")]
    pub reason: Option<String>,
    /// Report what would change, and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Erases one address from the campaign: contacts anonymized, events kept for the counter without their
/// organizer, school and description, e-mails' contents purged, free text that names the person
/// redacted, undo data and consent records deleted, the audit log pseudonymized. The address is kept
/// only as a keyed hash on the suppression list, so it is never written to again (by any campaign) and
/// imports skip it. Cannot be undone. Owners only; recorded in the audit log with the reason.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/privacy/erase", tag = "privacy", request_body = EraseBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = ErasureReport, description = "Rows changed (or, for a dry run, that would change), table by table"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn erase_person(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<EraseBody>,
) -> Result<Json<ErasureReport>, ApiError> {
    let mut errors = Vec::new();
    let email = required(&mut errors, "email", body.email);
    let reason = rally_domain::validation::optional_text(body.reason.as_deref().unwrap_or_default(), MAX_REASON_CHARS)
        .map_err(|message| errors.push(rally_domain::FieldError { field: "reason".into(), message }))
        .unwrap_or_default();
    if reason.trim().is_empty() && !errors.iter().any(|e| e.field == "reason") {
        errors.push(rally_domain::FieldError { field: "reason".into(), message: "required: say why".into() });
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.erase_person(auth.actor(), &email, Some(id), &reason, body.dry_run).await?))
}

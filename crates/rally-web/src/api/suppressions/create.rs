//! `POST /api/v1/campaigns/{campaign}/suppressions`

use axum::extract::{Path, State};
use axum::http::StatusCode;
use rally_domain::Email;
use rally_domain::comms::SuppressionReason;
use serde::Deserialize;

use crate::api::required;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// The longest note kept with a suppression.
const MAX_DETAIL_CHARS: usize = 500;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionBody {
    #[schema(required = true, nullable = false)]
    pub email: Option<Email>,
    /// Why, e.g. `manual` or `complaint`.
    #[schema(required = true, nullable = false)]
    pub reason: Option<SuppressionReason>,
    /// A note for the team, at most 500 characters.
    #[schema(max_length = 500, pattern = "@text")]
    pub detail: Option<String>,
}

/// Stop all e-mail to an address: e-mails already planned for it are dropped when their time comes.
/// Adding it again updates the note. Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/suppressions", tag = "comms", request_body = SuppressionBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn suppress(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<SuppressionBody>,
) -> Result<StatusCode, ApiError> {
    let mut errors = Vec::new();
    let email = required(&mut errors, "email", body.email);
    let reason = required(&mut errors, "reason", body.reason);
    let detail = rally_domain::validation::optional_text(body.detail.as_deref().unwrap_or_default(), MAX_DETAIL_CHARS)
        .map_err(|message| errors.push(rally_domain::FieldError { field: "detail".into(), message }))
        .unwrap_or_default();
    let (Some(email), Some(reason), true) = (email, reason, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = app.campaign_id(&campaign).await?;
    app.store.suppress(auth.actor(), id, &email, reason, &detail).await?;
    Ok(StatusCode::NO_CONTENT)
}

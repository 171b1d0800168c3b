//! `PUT /api/v1/campaigns/{campaign}/mail-settings`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::FieldError;
use rally_store::MailSettings;

use super::MailSettingsBody;
use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Replace the sender, the cadence policy and whether marketing relies on legitimate interest. `from_address` is required; policy fields left out take
/// their defaults, and a policy error names its field (`policy.window_end_hour`). Owners and coordinators.
#[utoipa::path(put, path = "/api/v1/campaigns/{campaign}/mail-settings", tag = "comms", request_body = MailSettingsBody,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = MailSettings, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn set_mail_settings(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<MailSettingsBody>,
) -> Result<Json<MailSettings>, ApiError> {
    let mut errors = Vec::new();
    if body.from_address.is_none() {
        errors.push(FieldError { field: "from_address".into(), message: "give the address e-mail comes from".into() });
    }
    let policy = body.policy.validate().map_err(|invalid| {
        errors.extend(
            invalid.0.into_iter().map(|e| FieldError { field: format!("policy.{}", e.field), message: e.message }),
        );
    });
    let (Some(from_address), Ok(policy)) = (body.from_address, policy) else {
        return Err(ApiError::Invalid(errors));
    };
    let settings = MailSettings {
        from_name: body.from_name,
        from_address,
        reply_to: body.reply_to,
        policy,
        legitimate_interest: body.legitimate_interest,
    };
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.set_mail_settings(auth.actor(), id, settings).await?))
}

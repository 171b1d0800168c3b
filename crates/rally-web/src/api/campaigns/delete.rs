//! `DELETE /api/v1/campaigns/{campaign}`

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Delete a campaign with its partners, contacts and history. Owners only; an umbrella with member
/// campaigns cannot be deleted.
#[utoipa::path(delete, path = "/api/v1/campaigns/{campaign}", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 204, description = "Done; no content"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "Conflicts with existing data; `errors` names the field")))]
pub async fn delete_campaign(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    app.store.delete_campaign(auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `DELETE /api/v1/campaigns/{campaign}`

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// Delete a campaign with its partners, contacts and history. Owners only; an umbrella with member
/// campaigns cannot be deleted.
#[utoipa::path(delete, path = "/api/v1/campaigns/{campaign}", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_campaign(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    app.store.delete_campaign(auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

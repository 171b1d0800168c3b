//! `GET /api/v1/campaigns/{campaign}/audit`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_store::AuditPage;

use crate::audit::AuditQuery;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's audit log, newest first: its own entries and its team's sign-ins and API tokens.
/// Owners only. Pass `next` back as `before` for the following page; there is none when `next` is null.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/audit", tag = "audit",
    params(("campaign" = String, Path, description = "Campaign id or slug"), AuditQuery),
    responses((status = 200, body = AuditPage, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid filter; names the parameter")))]
pub async fn list_audit(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let filter = query.filter()?;
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.audit_entries(auth.actor(), Some(id), &filter).await?))
}

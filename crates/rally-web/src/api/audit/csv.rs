//! `GET /api/v1/campaigns/{campaign}/audit.csv`

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use crate::audit::AuditQuery;
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The campaign's audit log as CSV (formula cells neutralized): every entry the filters select, newest
/// first (`before` and `limit` are ignored). Owners only; the download is itself an audit entry.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/audit.csv", tag = "audit",
    params(("campaign" = String, Path, description = "Campaign id or slug"), AuditQuery),
    responses((status = 200, content_type = "text/csv", body = String, description = "The entries, one a row, with a header row"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid filter; names the parameter")))]
pub async fn audit_csv(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let filter = query.filter()?;
    let id = app.campaign_id(&campaign).await?;
    Ok(crate::audit::csv(&app, auth.actor(), id, filter, &format!("audit-{}.csv", id.0)).await?)
}

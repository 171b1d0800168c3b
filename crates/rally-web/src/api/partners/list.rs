//! `GET /api/v1/campaigns/{campaign}/partners`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_domain::Partner;
use serde::Serialize;

use crate::extract::Auth;
use crate::kit::PartnerListQuery;
use crate::{ApiError, AppState, Problem};

/// A page of partners.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerPage {
    pub items: Vec<Partner>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<i64>,
}

/// A campaign's partners, filtered and sorted, one keyset page at a time.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/partners", tag = "partners",
    params(("campaign" = String, Path, description = "Campaign id or slug"), PartnerListQuery),
    responses((status = 200, body = PartnerPage, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn list_partners(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<PartnerListQuery>, QueryRejection>,
) -> Result<Json<PartnerPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let filter = query.into_filter()?;
    let id = app.campaign_id(&campaign).await?;
    let page = app.store.partners(auth.actor(), id, &filter).await?;
    Ok(Json(PartnerPage { items: page.items, next_after: page.next_after }))
}

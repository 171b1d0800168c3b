//! `GET /api/v1/campaigns/{campaign}/plan`: the e-mail calendar's old path, kept for one release. It
//! answers what `…/mail-plan` answers, with the `Deprecation` header (RFC 9745) and a `Link` to its
//! successor, so a client can find the new path from any answer.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use super::get::{PlanLineView, PlanQuery, mail_plan};
use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The e-mail calendar under its old path: use `GET /api/v1/campaigns/{campaign}/mail-plan`.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/plan", tag = "comms", operation_id = "plan",
    params(("campaign" = String, Path, description = "Campaign id or slug"), PlanQuery),
    responses((status = 200, body = Vec<PlanLineView>, description = "OK; `Deprecation` and `Link` name the new path"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid query; `errors` names the parameter")))]
#[deprecated = "served at /api/v1/campaigns/{campaign}/mail-plan"]
pub async fn old_plan(
    state: State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    // Only a campaign that was found gets this far: its id or slug, letters, digits and hyphens.
    let successor = format!("</api/v1/campaigns/{campaign}/mail-plan>; rel=\"successor-version\"");
    let mut response = mail_plan(state, auth, Path(campaign), query).await?.into_response();
    let headers = response.headers_mut();
    // When the old path was deprecated (2026-12-05), as RFC 9745 writes it.
    headers.insert("deprecation", HeaderValue::from_static("@1796428800"));
    if let Ok(link) = HeaderValue::from_str(&successor) {
        headers.insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

//! `GET /api/v1/public/campaigns/{slug}/stats`

use crate::counter::PublicStats;
use crate::{ApiError, AppState, Problem};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The counter and statistics, for the campaign's site and anyone else's. Public: no token, any site
/// may read it (`Access-Control-Allow-Origin: *`). Served from memory, refreshed every second; if
/// the database does not answer, the last good figures.
#[utoipa::path(get, path = "/api/v1/public/campaigns/{slug}/stats", tag = "events", security(()),
    params(("slug" = String, Path, description = "Campaign slug")),
    responses((status = 200, body = PublicStats, description = "OK"), (status = 404, body = Problem, description = "No such campaign")))]
pub async fn public_stats(State(app): State<AppState>, Path(slug): Path<String>) -> Response {
    let mut response = match crate::counter::stats(&app.site.counter, app.store.as_ref(), &slug).await {
        Ok((_, _, json)) => {
            let mut r = json.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=5"));
            r
        }
        Err(crate::kit::PageError::NotFound) => ApiError::NotFound("campaign").into_response(),
        Err(_) => ApiError::Unavailable.into_response(),
    };
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

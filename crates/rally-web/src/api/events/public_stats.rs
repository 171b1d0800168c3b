//! `GET /api/v1/public/campaigns/{slug}/stats`

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::{ApiError, AppState, Problem};

/// A campaign's counter and statistics: approved events and their students (reported, else expected),
/// the campaign's member campaigns included.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicStats {
    /// The campaign's slug.
    pub campaign: String,
    pub students: i64,
    pub events: i64,
    pub countries: i64,
    pub goal: i64,
    /// `students / goal`, to three decimals.
    pub progress: f64,
    pub by_country: Vec<CountryRow>,
    pub by_type: Vec<TypeRow>,
    /// Registrations per week (the week's Monday), oldest first.
    pub by_week: Vec<WeekRow>,
}

impl PublicStats {
    pub fn new(slug: &str, s: &rally_store::EventStats) -> PublicStats {
        PublicStats {
            campaign: slug.to_owned(),
            students: s.students,
            events: s.events,
            countries: s.countries,
            goal: s.goal,
            progress: if s.goal > 0 { (s.students as f64 / s.goal as f64 * 1000.0).round() / 1000.0 } else { 0.0 },
            by_country: s
                .by_country
                .iter()
                .map(|r| CountryRow { country: r.key.clone(), events: r.events, students: r.students })
                .collect(),
            by_type: s
                .by_type
                .iter()
                .map(|r| TypeRow { event_type: r.key.clone(), events: r.events, students: r.students })
                .collect(),
            by_week: s
                .by_week
                .iter()
                .map(|r| WeekRow { week: r.key.clone(), events: r.events, students: r.students })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub events: i64,
    pub students: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TypeRow {
    /// `in_school`, `after_school`, `online` or `other`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub events: i64,
    pub students: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeekRow {
    pub week: String,
    pub events: i64,
    pub students: i64,
}

/// The counter and statistics, for the campaign's site and anyone else's. Public: no token, any site
/// may read it (`Access-Control-Allow-Origin: *`). Served from memory, refreshed every second; if
/// the database does not answer, the last good figures.
#[utoipa::path(get, path = "/api/v1/public/campaigns/{slug}/stats", tag = "events", security(()),
    params(("slug" = String, Path, description = "Campaign slug")),
    responses((status = 200, body = PublicStats, description = "OK"), (status = 404, body = Problem, description = "No such campaign")))]
pub async fn public_stats(State(app): State<AppState>, Path(slug): Path<String>) -> Response {
    let mut response = match crate::site::stats(&app, &slug).await {
        Ok((_, _, json)) => {
            let mut r = json.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=5"));
            r
        }
        Err(crate::pages::PageError::NotFound) => ApiError::NotFound("campaign").into_response(),
        Err(_) => ApiError::Unavailable.into_response(),
    };
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

//! `GET /api/v1/campaigns/{campaign}/activities.csv`

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rally_domain::export::Format;
use rally_files::export::{Kind, Sink, write_all};

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The export's text, gathered whole: a campaign's catalogue is a few hundred rows at most.
struct Gathered(String);

impl Sink for Gathered {
    async fn take(&mut self, chunk: String) -> bool {
        self.0.push_str(&chunk);
        true
    }
}

/// The campaign's own activity catalogue as CSV, in the columns the activity import reads (one row per
/// language of an activity's texts, then its status and id; see docs/activities.md), so it imports
/// into another campaign as it is. Formula cells are neutralized.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/activities.csv", tag = "activities",
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, content_type = "text/csv", body = String, description = "The activities, one row per language of their texts, with a header row"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn export_activities(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
) -> Result<Response, ApiError> {
    let id = app.campaign_id(&campaign).await?;
    let mut sink = Gathered(String::new());
    write_all(&*app.store, auth.actor(), id, Kind::Activities, Format::Csv, &mut sink).await?;
    let mut response = sink.0.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(Format::Csv.media_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"activities-{}.csv\"", id.0)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

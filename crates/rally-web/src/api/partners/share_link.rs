//! `GET /api/v1/partners/{id}/share-link`

use axum::Json;
use axum::extract::State;
use rally_domain::PartnerId;
use serde::Serialize;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A partner's share link and what came through it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareLink {
    /// `{public URL}/c/{campaign}/r/{code}`: registrations that follow it count as brought by the partner.
    pub url: String,
    pub code: String,
    /// Approved events brought by the partner (through the link, or naming it as how they heard of the
    /// campaign) and their students.
    pub events: i64,
    pub students: i64,
}

/// The partner's share link (made the first time it is asked for) and what it brought.
#[utoipa::path(get, path = "/api/v1/partners/{id}/share-link", tag = "partners",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = ShareLink, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn share_link(State(app): State<AppState>, auth: Auth, Id(id): Id) -> Result<Json<ShareLink>, ApiError> {
    let partner = PartnerId(id);
    let code = app.store.share_code(auth.actor(), partner).await?;
    let campaign = app.store.partner(auth.actor(), partner).await?.campaign_id;
    let slug = app.store.campaign(auth.actor(), campaign).await?.campaign.fields.slug;
    let brought = app.store.brought(campaign, Some(partner)).await?.into_iter().next();
    let (events, students) = brought.map_or((0, 0), |b| (b.events, b.students));
    let url = format!("{}/c/{slug}/r/{code}", app.public_url.as_str().trim_end_matches('/'));
    Ok(Json(ShareLink { url, code, events, students }))
}

//! What Rally serves without a sign-in besides partner links: a user's calendar feed at its secret
//! address, and the logos of the campaign's partner wall (the wall itself is a page of the public site).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Days, Utc};
use rally_domain::PartnerId;
use rally_domain::ical::{CalendarEntry, render as render_ical};
use rally_store::CalendarKind;

use super::PageError;
use crate::AppState;
use crate::auth::hash_token;

/// `GET /calendar/{token}.ics`: milestones, commitments due and tasks of the user whose secret this is,
/// from 30 days ago on. Calendar apps poll it; an unknown or revoked secret is "not found".
pub async fn feed(State(app): State<AppState>, Path(file): Path<String>) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").ok_or(PageError::NotFound)?;
    let from = Utc::now().date_naive().checked_sub_days(Days::new(30)).unwrap_or_else(|| Utc::now().date_naive());
    let (user, items) = app.store.calendar(&hash_token(token), from).await?.ok_or(PageError::NotFound)?;
    let base = app.public_url.as_str();
    let host = base.split("://").nth(1).unwrap_or("rally").to_owned();
    let entries: Vec<CalendarEntry> = items
        .into_iter()
        .map(|i| {
            let (kind, category, path) = match (i.kind, i.partner_id) {
                (CalendarKind::Milestone, _) => ("milestone", "Milestone", format!("/campaigns/{}", i.campaign_slug)),
                (CalendarKind::Ask, _) => ("ask", "Ask", format!("/campaigns/{}/asks", i.campaign_slug)),
                (CalendarKind::Commitment, Some(p)) => {
                    ("commitment", "Commitment", format!("/campaigns/{}/partners/{p}#commitments", i.campaign_slug))
                }
                (CalendarKind::Commitment, None) => {
                    ("commitment", "Commitment", format!("/campaigns/{}", i.campaign_slug))
                }
                (CalendarKind::Task, Some(p)) => {
                    ("task", "Task", format!("/campaigns/{}/partners/{p}#tasks", i.campaign_slug))
                }
                (CalendarKind::Task, None) => ("task", "Task", format!("/campaigns/{}/tasks", i.campaign_slug)),
            };
            let url = format!("{base}{path}");
            let mut description = i.detail.clone();
            if !description.is_empty() {
                description.push('\n');
            }
            // Google Calendar does not show URL properties; the description carries the link too.
            description.push_str(&format!("{}\n{url}", i.campaign_name));
            CalendarEntry {
                uid: format!("{kind}-{}@{host}", i.id),
                date: i.date,
                until: i.until,
                summary: i.title,
                description,
                url: Some(url),
                category: category.into(),
                done: i.done,
            }
        })
        .collect();
    let body = render_ical(&format!("Rally · {}", user.name), &entries, Utc::now());
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"rally.ics\""));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

/// `GET /c/{slug}/logos/{partner}`: a recognized partner's logo; nothing for anyone else.
pub async fn logo(
    State(app): State<AppState>,
    Path((slug, partner)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let partner = partner.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    // By slug, or by id as the API's recognition document may name it.
    let id = app.campaign_id(&slug).await.map_err(|_| PageError::NotFound)?;
    let wall = app.store.recognition(id).await?;
    let logo = wall.into_iter().find(|r| r.partner_id == partner).and_then(|r| r.logo).ok_or(PageError::NotFound)?;
    let mut response = crate::kit::uploads::serve_file(&app.files, &logo, false).await;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response.headers_mut().insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    Ok(response)
}

//! One approved public event's page, `/c/{slug}/events/{id}`: what the map's points and the lists
//! link to. Only approved public events of the campaign (or of its members, for an umbrella) have
//! one; anything else is not found. Nothing about the organizer is shown.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use rally_domain::EventId;
use rally_domain::event::EventType;
use rally_site::i18n::Arg;
use rally_site::map::bbox_param;
use rally_store::PublicEvent;

use super::{Ctx, EVENT_LANGUAGES, SiteView, country_name};
use crate::AppState;
use crate::kit::{PageError, render};

#[derive(Template)]
#[template(path = "site/event.html")]
struct EventPage {
    v: SiteView,
    title: String,
    /// Label and value, in order.
    facts: Vec<(String, String)>,
    url: Option<String>,
    description: String,
    map: Option<String>,
}

/// `GET /c/{slug}/events/{id}`.
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
    let e = app.store.public_event(ctx.site.campaign.id, EventId(id)).await?;
    let page = EventPage {
        v: ctx.view("events", &format!("/c/{slug}/events/{id}")),
        map: map_link(&slug, &e),
        facts: facts(&ctx, &e),
        title: e.title,
        url: e.url,
        description: e.description,
    };
    Ok(ctx.respond(render(&page)?))
}

fn facts(ctx: &Ctx, e: &PublicEvent) -> Vec<(String, String)> {
    let l = ctx.lang;
    let when = if e.ends_on == e.starts_on {
        l.date(e.starts_on)
    } else {
        format!("{} – {}", l.date(e.starts_on), l.date(e.ends_on))
    };
    let country = country_name(&e.country, l);
    let place = if e.event_type == EventType::Online {
        format!("{} ({country})", l.t("events-online"))
    } else if e.city.trim().is_empty() {
        country
    } else {
        format!("{}, {country}", e.city)
    };
    let tag = e.language.as_str();
    let primary = tag.split(['-', '_']).next().unwrap_or(tag);
    let language = EVENT_LANGUAGES.iter().find(|(code, _)| *code == primary).map_or(tag, |(_, name)| name);
    let mut facts = vec![
        (ctx.t("event-page-organization"), e.organization.clone()),
        (ctx.t("event-page-type"), l.t(&format!("event-type-{}", e.event_type.as_str()))),
        (ctx.t("event-page-place"), place),
        (ctx.t("event-page-dates"), when),
        (ctx.t("event-page-ages"), e.ages.clone()),
        (ctx.t("event-page-language"), language.to_owned()),
        (ctx.t("event-page-students"), l.t_with("events-students", &[("students", Arg::Num(e.students))])),
    ];
    facts.retain(|(_, value)| !value.trim().is_empty());
    facts
}

/// The map around the event (a box of its point, shown with its surroundings), if it has a place.
fn map_link(slug: &str, e: &PublicEvent) -> Option<String> {
    let (lat, lon) = (e.latitude?, e.longitude?);
    Some(format!("/c/{slug}/map?country={}&bbox={}", e.country, bbox_param((lon, lat, lon, lat))))
}

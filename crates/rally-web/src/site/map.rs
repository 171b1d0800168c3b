//! The map of events: a server-rendered SVG (Natural Earth country shapes, shaded by students, with
//! the approved public events as circles) that works without JavaScript, and beside it the same
//! events as a list. Every circle is a link with a name: one event's to its page, a cluster's to a
//! closer view that lists exactly its events. The map zooms to a country (`?country=HR`), to a box
//! (`?bbox=min_lon,min_lat,max_lon,max_lat`, within a country or the world), or around a town
//! (`?near=Split&radius=100`, events listed by distance), and shows only the events running one
//! catalogue activity with `?activity=7`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rally_domain::ActivityId;
use rally_site::geo::{self, LatLon, Place};
use rally_site::i18n::{Arg, Lang};
use rally_site::map::{BBox, Cluster, MapSpec, Point, bbox_param, clusters, parse_bbox, render as render_map};
use rally_store::{EventStats, MapEvent, MapFilter, StoreError};

use super::{Ctx, MAP_FRESH, MapKey, SiteView, country_name, stats};
use crate::AppState;
use crate::kit::{PageError, render};

/// Most events drawn; the map merges close ones anyway.
const MAX_POINTS: i64 = 5_000;
/// Up to this many events the list beside the map names each; beyond it, it names places.
const LIST_EVENTS: usize = 60;
/// Most places the list names.
const LIST_PLACES: usize = 200;
/// Most events the list names near a town, nearest first.
const LIST_NEAR: usize = 200;
/// The distances a visitor may search within, in km.
const RADII: [i64; 6] = [10, 25, 50, 100, 200, 500];
const DEFAULT_RADIUS: i64 = 100;
/// Namesakes offered when a town's name is ambiguous.
const CANDIDATES: usize = 12;
/// The longest town name read from the query.
const MAX_NEAR: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MapQuery {
    lang: Option<String>,
    country: String,
    bbox: String,
    near: String,
    place: String,
    radius: String,
    activity: String,
}

/// "Events near a town", resolved.
#[derive(Debug, Clone)]
enum Near {
    /// No town asked for.
    Nowhere,
    /// The town, the radius in km, and other towns of the same name.
    Town {
        town: &'static Place,
        radius: i64,
        others: Vec<&'static Place>,
    },
    /// Several towns fit (or none exactly, and these begin with what was typed).
    Choose {
        name: String,
        radius: i64,
        candidates: Vec<&'static Place>,
    },
    Unknown {
        name: String,
    },
}

/// What the map shows, checked.
#[derive(Debug, Clone)]
struct Zoom {
    country: Option<&'static str>,
    bbox: Option<BBox>,
    near: Near,
    activity: Option<ActivityId>,
}

impl Zoom {
    /// The query read and checked: a box that is not one is the visitor's bad request; an unknown
    /// country, radius or activity id shows the default instead.
    fn read(q: &MapQuery, ctx: &Ctx) -> Result<Zoom, PageError> {
        let bbox = match q.bbox.trim() {
            "" => None,
            b => Some(parse_bbox(b).map_err(|e| PageError::BadRequest(format!("bbox: {e:?}")))?),
        };
        let near = near(q, ctx.site.campaign.fields.country.as_deref());
        let country = match (&near, q.country.trim()) {
            (Near::Town { .. }, _) | (_, "world") => None,
            (_, "") => ctx.site.campaign.fields.country.as_deref().and_then(geo::country).map(|c| c.code),
            (_, c) => geo::country(c).map(|c| c.code),
        };
        let activity = q.activity.trim().parse::<i64>().ok().filter(|&id| id > 0).map(ActivityId);
        Ok(Zoom { country, bbox, near, activity })
    }

    /// The box the map shows: around the town searched from, else the one asked for.
    fn view(&self) -> Option<BBox> {
        match &self.near {
            Near::Town { town, radius, .. } => Some(geo::bbox_around(town.at, *radius as f64)),
            _ => self.bbox,
        }
    }

    /// The map's address showing `bbox` (none: the whole country or world) with the same country and
    /// activity; parameters in a fixed order, so one view has one address.
    fn href(&self, slug: &str, bbox: Option<BBox>) -> String {
        // Every part is a country code, digits, dots, minus signs and commas: nothing to encode, and
        // the box reads as numbers.
        let mut href = format!("/c/{slug}/map?country={}", self.country.unwrap_or("world"));
        if let Some(b) = bbox {
            href.push_str("&bbox=");
            href.push_str(&bbox_param(b));
        }
        if let Some(a) = self.activity {
            href.push_str(&format!("&activity={}", a.0));
        }
        href
    }

    /// A search near `town` with the same activity.
    fn near_href(&self, slug: &str, name: &str, town: &Place, radius: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("near", name)
            .append_pair("place", &town.id.to_string())
            .append_pair("radius", &radius.to_string());
        if let Some(a) = self.activity {
            s.append_pair("activity", &a.0.to_string());
        }
        format!("/c/{slug}/map?{}", s.finish())
    }

    /// What identifies the drawing, for the cache.
    fn key(&self) -> String {
        let near = match &self.near {
            Near::Town { town, radius, .. } => format!("near={}:{radius}", town.id),
            _ => String::new(),
        };
        format!("{}|{}|{near}", self.href("", self.bbox), self.view().map(bbox_param).unwrap_or_default())
    }

    fn filter(&self) -> MapFilter {
        MapFilter { country: self.country.map(str::to_owned), bbox: self.view(), activity: self.activity }
    }
}

/// The town a visitor means: the one picked from a list (`place`), the only one of that name, or
/// the only one of that name in the campaign's country.
fn near(q: &MapQuery, home: Option<&str>) -> Near {
    let radius = q.radius.trim().parse().ok().filter(|r| RADII.contains(r)).unwrap_or(DEFAULT_RADIUS);
    if let Some(town) = q.place.trim().parse().ok().and_then(geo::place) {
        return Near::Town { town, radius, others: Vec::new() };
    }
    let name: String = q.near.trim().chars().take(MAX_NEAR).collect();
    if name.is_empty() {
        return Near::Nowhere;
    }
    let towns = geo::find_towns(&name, CANDIDATES);
    let at_home: Vec<&Place> = towns.iter().copied().filter(|t| Some(t.country) == home).collect();
    match (towns.as_slice(), at_home.as_slice()) {
        ([], _) => {
            let candidates = geo::search_places(None, &name, CANDIDATES);
            if candidates.is_empty() { Near::Unknown { name } } else { Near::Choose { name, radius, candidates } }
        }
        ([town], _) | (_, [town]) => {
            let others = towns.iter().copied().filter(|t| t.id != town.id).collect();
            Near::Town { town, radius, others }
        }
        _ => Near::Choose { name, radius, candidates: towns },
    }
}

/// An event the map shows, with its distance from the town searched from.
struct Shown {
    event: MapEvent,
    km: Option<f64>,
}

/// The events the zoom shows: in its country, box and activity; near a town, those within the
/// radius, nearest first.
async fn shown(app: &AppState, ctx: &Ctx, zoom: &Zoom) -> Result<Vec<Shown>, PageError> {
    let events = app.store.map_events(ctx.site.campaign.id, &zoom.filter(), MAX_POINTS).await?;
    let Near::Town { town, radius, .. } = &zoom.near else {
        return Ok(events.into_iter().map(|event| Shown { event, km: None }).collect());
    };
    let mut near: Vec<Shown> = events
        .into_iter()
        .map(|event| {
            let km = geo::distance_km(town.at, LatLon { lat: event.latitude, lon: event.longitude });
            Shown { event, km: Some(km) }
        })
        .filter(|s| s.km.is_some_and(|km| km <= *radius as f64))
        .collect();
    near.sort_by(|a, b| {
        a.km.unwrap_or(0.0).total_cmp(&b.km.unwrap_or(0.0)).then(a.event.starts_on.cmp(&b.event.starts_on))
    });
    Ok(near)
}

/// An event's circle: its name, students and town, linking to its page.
fn point(s: &Shown, slug: &str, l: Lang) -> Point {
    let e = &s.event;
    Point {
        at: LatLon { lat: e.latitude, lon: e.longitude },
        weight: e.students,
        label: format!(
            "{} — {}, {}",
            e.title,
            place_of(e, l),
            l.t_with("events-students", &[("students", Arg::Num(e.students))])
        ),
        href: Some(format!("/c/{slug}/events/{}", e.id.0)),
    }
}

fn place_of(e: &MapEvent, l: Lang) -> String {
    let country = country_name(&e.country, l);
    if e.city.trim().is_empty() { country } else { format!("{}, {country}", e.city) }
}

/// A cluster's name: its towns (the three with most events), how many events and students.
fn cluster_name(c: &Cluster, towns: &HashMap<&str, &MapEvent>, l: Lang) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in &c.members {
        let Some(e) = p.href.as_deref().and_then(|h| towns.get(h)) else { continue };
        let town = place_of(e, l);
        match counts.iter_mut().find(|(t, _)| *t == town) {
            Some((_, n)) => *n += 1,
            None => counts.push((town, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut places = counts.iter().take(3).map(|(t, _)| t.as_str()).collect::<Vec<_>>().join("; ");
    if counts.len() > 3 {
        places.push_str(" …");
    }
    l.t_with(
        "map-cluster",
        &[
            ("places", Arg::Str(&places)),
            ("events", Arg::Num(c.members.len() as i64)),
            ("students", Arg::Num(c.weight)),
        ],
    )
}

/// The rendered map of a zoom, while fresh.
fn cached(app: &AppState, key: &MapKey) -> Option<Arc<str>> {
    let (at, svg) = app.site.maps.lock().ok().and_then(|m| m.get(key).cloned())?;
    (at.elapsed() < MAP_FRESH).then_some(svg)
}

fn key(ctx: &Ctx, zoom: &Zoom) -> MapKey {
    (ctx.slug().to_owned(), Some(zoom.key()), ctx.lang)
}

/// The map's SVG for the zoom, in the visitor's language; kept for a few seconds, as drawing
/// thousands of points is not free.
fn map_svg(app: &AppState, ctx: &Ctx, zoom: &Zoom, shown: &[Shown], s: &EventStats) -> Arc<str> {
    let key = key(ctx, zoom);
    if let Some(svg) = cached(app, &key) {
        return svg;
    }
    let l = ctx.lang;
    let slug = ctx.slug();
    let points: Vec<Point> = shown.iter().map(|e| point(e, slug, l)).collect();
    let towns: HashMap<&str, &MapEvent> =
        points.iter().zip(shown).filter_map(|(p, s)| Some((p.href.as_deref()?, &s.event))).collect();
    let shading: Vec<(&str, i64)> = s.by_country.iter().map(|r| (r.key.as_str(), r.students)).collect();
    let events: HashMap<&str, i64> = s.by_country.iter().map(|r| (r.key.as_str(), r.events)).collect();
    let label = |code: &str, students: i64| {
        l.t_with(
            "map-country-summary",
            &[
                ("country", Arg::Str(&country_name(code, l))),
                ("events", Arg::Num(events.get(code).copied().unwrap_or(0))),
                ("students", Arg::Num(students)),
            ],
        )
    };
    let country_href = |code: &str| format!("/c/{slug}/map?country={code}");
    let cluster = |c: &Cluster| (cluster_name(c, &towns, l), Some(zoom.href(slug, Some(c.bbox))));
    let title = heading(ctx, zoom);
    let svg: Arc<str> = render_map(&MapSpec {
        cluster: Some(&cluster),
        // In the world, a country with events opens its own map.
        country_href: (zoom.country.is_none() && zoom.view().is_none())
            .then_some(&country_href as &dyn Fn(&str) -> String),
        ..spec(zoom, &title, &shading, &points, &label)
    })
    .into();
    if let Ok(mut m) = app.site.maps.lock() {
        if m.len() > 1_000 {
            m.clear();
        }
        m.insert(key, (Instant::now(), svg.clone()));
    }
    svg
}

fn spec<'a>(
    zoom: &'a Zoom,
    title: &'a str,
    shading: &'a [(&'a str, i64)],
    points: &'a [Point],
    label: &'a dyn Fn(&str, i64) -> String,
) -> MapSpec<'a> {
    MapSpec {
        country: zoom.country,
        shading,
        points,
        title,
        country_label: label,
        country_href: None,
        bbox: zoom.view(),
        cluster: None,
    }
}

/// The map's heading (and the picture's name).
fn heading(ctx: &Ctx, zoom: &Zoom) -> String {
    let l = ctx.lang;
    let title = ctx.t("map-title");
    match (&zoom.near, zoom.country, zoom.bbox) {
        (Near::Town { town, radius, .. }, ..) => {
            l.t_with("map-near-heading", &[("town", Arg::Str(&town_name(town, l))), ("km", Arg::Num(*radius))])
        }
        (_, Some(c), Some(_)) => format!("{title} — {}: {}", country_name(c, l), ctx.t("map-area")),
        (_, None, Some(_)) => format!("{title} — {}", ctx.t("map-area")),
        (_, Some(c), None) => format!("{title} — {}", country_name(c, l)),
        (_, None, None) => title,
    }
}

fn town_name(town: &Place, l: Lang) -> String {
    format!("{}, {}", town.name, country_name(town.country, l))
}

/// A line of the list beside the map: an event or a place.
struct ListRow {
    href: String,
    title: String,
    meta: String,
}

#[derive(Template)]
#[template(path = "site/map.html")]
struct MapPage {
    v: SiteView,
    heading: String,
    summary: String,
    country: String,
    countries: Vec<(String, String)>,
    svg: Arc<str>,
    zoom_out: Option<(String, String)>,
    near: String,
    radii: Vec<(i64, String, bool)>,
    activity: String,
    activity_line: Option<(String, String)>,
    near_message: Option<String>,
    candidates: Vec<(String, String)>,
    list_heading: String,
    rows: Vec<ListRow>,
    more: Option<String>,
    by_country: Vec<(String, String)>,
}

/// `GET /c/{slug}/map[?country=HR][&bbox=…][&near=Split&radius=100][&activity=7]`: the map, and
/// beside it the events (or places) it shows as a list of links.
pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let zoom = Zoom::read(&q, &ctx)?;
    let (_, s, _) = stats(&app, &slug).await?;
    let shown = shown(&app, &ctx, &zoom).await?;
    let svg = map_svg(&app, &ctx, &zoom, &shown, &s);
    let l = ctx.lang;
    let (list_heading, rows, more, places) = list(&ctx, &zoom, &shown);
    let whole = zoom.view().is_none();
    let view = MapPage {
        v: ctx.view("map", &format!("/c/{slug}/map")),
        heading: heading(&ctx, &zoom),
        summary: l.t_with("map-summary", &[("events", Arg::Num(shown.len() as i64)), ("places", Arg::Num(places))]),
        country: zoom.country.unwrap_or_default().to_owned(),
        countries: s.by_country.iter().map(|r| (r.key.clone(), country_name(&r.key, l))).collect(),
        svg,
        zoom_out: zoom_out(&ctx, &zoom),
        near: match &zoom.near {
            Near::Town { town, .. } => town.name.to_owned(),
            Near::Choose { name, .. } | Near::Unknown { name } => name.clone(),
            Near::Nowhere => String::new(),
        },
        radii: radii(&zoom, l),
        activity: zoom.activity.map(|a| a.0.to_string()).unwrap_or_default(),
        activity_line: activity_line(&app, &ctx, &zoom).await?,
        near_message: near_message(&zoom, l),
        candidates: candidates(&zoom, &slug, l),
        list_heading,
        rows,
        more,
        by_country: if whole && matches!(zoom.near, Near::Nowhere) { country_lines(&s, l) } else { Vec::new() },
    };
    Ok(ctx.respond(render(&view)?))
}

/// The list beside the map: its heading, rows, a line on what it leaves out, and how many places
/// (circles) the map shows.
fn list(ctx: &Ctx, zoom: &Zoom, shown: &[Shown]) -> (String, Vec<ListRow>, Option<String>, i64) {
    let l = ctx.lang;
    let slug = ctx.slug();
    let points: Vec<Point> = shown.iter().map(|e| point(e, slug, l)).collect();
    let by_href: HashMap<&str, &Shown> =
        points.iter().zip(shown).filter_map(|(p, s)| Some((p.href.as_deref()?, s))).collect();
    let towns: HashMap<&str, &MapEvent> = by_href.iter().map(|(h, s)| (*h, &s.event)).collect();
    let no_label = |_: &str, _: i64| String::new();
    let found = clusters(&spec(zoom, "", &[], &points, &no_label));
    let places = found.len() as i64;
    let in_view: Vec<&Shown> =
        found.iter().flat_map(|c| c.members.iter()).filter_map(|p| by_href.get(p.href.as_deref()?).copied()).collect();
    if let Near::Town { .. } = zoom.near {
        // Near a town, events by distance (`shown` is in that order), however many.
        let rows = shown.iter().take(LIST_NEAR).map(|s| event_row(s, slug, l)).collect();
        let more =
            (shown.len() > LIST_NEAR).then(|| ctx.t_num("map-near-more", "count", (shown.len() - LIST_NEAR) as i64));
        return (ctx.t("map-list-events"), rows, more, places);
    }
    if in_view.len() <= LIST_EVENTS {
        let mut rows: Vec<&Shown> = in_view;
        rows.sort_by(|a, b| (a.event.starts_on, &a.event.title).cmp(&(b.event.starts_on, &b.event.title)));
        let rows = rows.into_iter().map(|s| event_row(s, slug, l)).collect();
        return (ctx.t("map-list-events"), rows, None, places);
    }
    let rows = found
        .iter()
        .take(LIST_PLACES)
        .map(|c| {
            let href = match c.members.as_slice() {
                [only] => only.href.clone().unwrap_or_default(),
                _ => zoom.href(slug, Some(c.bbox)),
            };
            ListRow { href, title: cluster_name(c, &towns, l), meta: String::new() }
        })
        .collect();
    let more = (found.len() > LIST_PLACES).then(|| ctx.t_num("map-list-more", "count", places - LIST_PLACES as i64));
    (ctx.t("map-list-places"), rows, more, places)
}

fn event_row(s: &Shown, slug: &str, l: Lang) -> ListRow {
    let e = &s.event;
    let when = if e.ends_on == e.starts_on {
        l.date(e.starts_on)
    } else {
        format!("{} – {}", l.date(e.starts_on), l.date(e.ends_on))
    };
    let mut meta =
        format!("{when} · {} · {}", place_of(e, l), l.t_with("events-students", &[("students", Arg::Num(e.students))]));
    if let Some(km) = s.km {
        meta.push_str(" · ");
        meta.push_str(&distance(km, l));
    }
    ListRow { href: format!("/c/{slug}/events/{}", e.id.0), title: e.title.clone(), meta }
}

/// "12 km away", rounded to whole kilometres; "less than 1 km away" in the town itself.
fn distance(km: f64, l: Lang) -> String {
    if km < 1.0 { l.t("map-near-here") } else { l.t_with("map-near-distance", &[("km", Arg::Num(km.round() as i64))]) }
}

/// The link out of the current zoom: from a box to its country (or the world), from a country to
/// the world; a search near a town is cleared.
fn zoom_out(ctx: &Ctx, zoom: &Zoom) -> Option<(String, String)> {
    let slug = ctx.slug();
    match (&zoom.near, zoom.bbox, zoom.country) {
        (Near::Town { .. }, ..) => Some((format!("/c/{slug}/map"), ctx.t("map-near-clear"))),
        (_, Some(_), _) => Some((zoom.href(slug, None), ctx.t("map-zoom-out"))),
        (_, None, Some(_)) => Some((format!("/c/{slug}/map?country=world"), ctx.t("map-world"))),
        (_, None, None) => None,
    }
}

fn radii(zoom: &Zoom, l: Lang) -> Vec<(i64, String, bool)> {
    let chosen = match &zoom.near {
        Near::Town { radius, .. } | Near::Choose { radius, .. } => *radius,
        _ => DEFAULT_RADIUS,
    };
    RADII.iter().map(|&r| (r, l.t_with("map-near-km", &[("km", Arg::Num(r))]), r == chosen)).collect()
}

/// The activity the map is filtered by, named when the catalogue knows it, and the link to all events.
async fn activity_line(app: &AppState, ctx: &Ctx, zoom: &Zoom) -> Result<Option<(String, String)>, PageError> {
    let Some(id) = zoom.activity else { return Ok(None) };
    let line = match app.store.public_activity(ctx.site.campaign.id, id).await {
        Ok((a, _)) => {
            let title = a.fields.text_in(ctx.lang.code()).map(|t| t.title.clone()).unwrap_or_default();
            ctx.lang.t_with("map-activity", &[("activity", Arg::Str(&title))])
        }
        Err(StoreError::NotFound(_)) => ctx.t("map-activity-unknown"),
        Err(e) => return Err(e.into()),
    };
    let all = Zoom { activity: None, ..zoom.clone() };
    Ok(Some((line, all.href(ctx.slug(), zoom.bbox))))
}

fn near_message(zoom: &Zoom, l: Lang) -> Option<String> {
    match &zoom.near {
        Near::Unknown { name } => Some(l.t_with("map-near-unknown", &[("name", Arg::Str(name))])),
        Near::Choose { name, .. } => Some(l.t_with("map-near-choose", &[("name", Arg::Str(name))])),
        Near::Town { town, others, .. } if !others.is_empty() => {
            Some(l.t_with("map-near-others", &[("name", Arg::Str(town.name))]))
        }
        _ => None,
    }
}

/// The towns to choose from: links to a search near each.
fn candidates(zoom: &Zoom, slug: &str, l: Lang) -> Vec<(String, String)> {
    let (name, radius, towns) = match &zoom.near {
        Near::Choose { name, radius, candidates } => (name.as_str(), *radius, candidates),
        Near::Town { town, radius, others } => (town.name, *radius, others),
        _ => return Vec::new(),
    };
    towns
        .iter()
        .map(|t| {
            let text = l.t_with(
                "map-near-candidate",
                &[("town", Arg::Str(&town_name(t, l))), ("population", Arg::Num(i64::from(t.population)))],
            );
            (zoom.near_href(slug, name, t, radius), text)
        })
        .collect()
}

fn country_lines(s: &EventStats, l: Lang) -> Vec<(String, String)> {
    s.by_country
        .iter()
        .map(|r| {
            let line = l.t_with(
                "map-country-summary",
                &[
                    ("country", Arg::Str(&country_name(&r.key, l))),
                    ("events", Arg::Num(r.events)),
                    ("students", Arg::Num(r.students)),
                ],
            );
            (r.key.clone(), line)
        })
        .collect()
}

/// `GET /c/{slug}/map.svg[?country=HR…]`: the map alone, as an image other pages can show.
pub async fn svg(State(app): State<AppState>, ctx: Ctx, Query(q): Query<MapQuery>) -> Result<Response, PageError> {
    let zoom = Zoom::read(&q, &ctx)?;
    let svg = match cached(&app, &key(&ctx, &zoom)) {
        Some(svg) => svg,
        None => {
            let (_, s, _) = stats(&app, ctx.slug()).await?;
            let shown = shown(&app, &ctx, &zoom).await?;
            map_svg(&app, &ctx, &zoom, &shown, &s)
        }
    };
    let mut response = svg.to_string().into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=10"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    Ok(ctx.respond(response))
}

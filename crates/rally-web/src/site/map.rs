//! The map of events: a server-rendered SVG (Natural Earth country shapes, shaded by students, with
//! the approved public events as points) that works without JavaScript; one country when zoomed.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rally_site::geo::{self, LatLon};
use rally_site::i18n::Arg;
use rally_site::map::{MapSpec, Point, render as render_map};

use super::{Ctx, MAP_FRESH, SiteView, country_name, stats};
use crate::AppState;
use crate::kit::{PageError, render};

/// Most points drawn; the map merges close ones anyway.
const MAX_POINTS: i64 = 20_000;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MapQuery {
    lang: Option<String>,
    country: String,
}

/// The map's SVG for a campaign (and its members), the world or one country, in the visitor's
/// language; kept for a few seconds, as drawing 20,000 points is not free.
async fn map_svg(app: &AppState, ctx: &Ctx, country: Option<&str>) -> Result<Arc<str>, PageError> {
    let key = (ctx.slug().to_owned(), country.map(str::to_owned), ctx.lang);
    if let Some((at, svg)) = app.site.maps.lock().ok().and_then(|m| m.get(&key).cloned())
        && at.elapsed() < MAP_FRESH
    {
        return Ok(svg);
    }
    let (campaign, s, _) = stats(app, ctx.slug()).await?;
    let l = ctx.lang;
    let points: Vec<Point> = app
        .store
        .event_points(campaign, country, MAX_POINTS)
        .await?
        .into_iter()
        .map(|p| Point {
            at: LatLon { lat: p.latitude, lon: p.longitude },
            weight: p.students,
            label: format!(
                "{} — {}, {}",
                p.title,
                p.city,
                l.t_with("events-students", &[("students", Arg::Num(p.students))])
            ),
            href: None,
        })
        .collect();
    let shading: Vec<(&str, i64)> = s.by_country.iter().map(|r| (r.key.as_str(), r.students)).collect();
    let events: std::collections::HashMap<&str, i64> =
        s.by_country.iter().map(|r| (r.key.as_str(), r.events)).collect();
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
    let title = match country {
        Some(c) => format!("{} — {}", ctx.t("map-title"), country_name(c, l)),
        None => ctx.t("map-title"),
    };
    let svg: Arc<str> = render_map(&MapSpec {
        country,
        shading: &shading,
        points: &points,
        title: &title,
        country_label: &label,
        // No links inside the picture (an image with controls in it confuses screen readers); the
        // list under the map links every country.
        country_href: None,
    })
    .into();
    if let Ok(mut m) = app.site.maps.lock() {
        if m.len() > 1_000 {
            m.clear();
        }
        m.insert(key, (Instant::now(), svg.clone()));
    }
    Ok(svg)
}

/// The country the map shows: the one asked for, none for `world`, else the campaign's own country
/// (a national campaign's map starts at home).
fn zoom(q: &MapQuery, ctx: &Ctx) -> Option<&'static str> {
    match q.country.trim() {
        "world" => None,
        "" => ctx.site.campaign.fields.country.as_deref().and_then(geo::country).map(|c| c.code),
        c => geo::country(c).map(|c| c.code),
    }
}

#[derive(Template)]
#[template(path = "site/map.html")]
struct MapPage {
    v: SiteView,
    heading: String,
    country: String,
    countries: Vec<(String, String)>,
    svg: Arc<str>,
    summary: Vec<(String, String)>,
}

/// `GET /c/{slug}/map[?country=HR]`: the map, and the same figures as a list.
pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let country = zoom(&q, &ctx);
    let svg = map_svg(&app, &ctx, country).await?;
    let (_, s, _) = stats(&app, &slug).await?;
    let l = ctx.lang;
    let summary: Vec<(String, String)> = s
        .by_country
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
        .collect();
    let view = MapPage {
        v: ctx.view("map", &format!("/c/{slug}/map")),
        heading: match country {
            Some(c) => format!("{} — {}", ctx.t("map-title"), country_name(c, l)),
            None => ctx.t("map-title"),
        },
        country: country.unwrap_or_default().to_owned(),
        countries: s.by_country.iter().map(|r| (r.key.clone(), country_name(&r.key, l))).collect(),
        svg,
        summary,
    };
    Ok(ctx.respond(render(&view)?))
}

/// `GET /c/{slug}/map.svg[?country=HR]`: the map alone, as an image other pages can show.
pub async fn svg(State(app): State<AppState>, ctx: Ctx, Query(q): Query<MapQuery>) -> Result<Response, PageError> {
    let svg = map_svg(&app, &ctx, zoom(&q, &ctx)).await?;
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

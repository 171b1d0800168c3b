//! The public site's home page (message and counter), the list of events and the statistics (the
//! partners are `wall.rs`'s).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use rally_domain::event::EventType;
use rally_site::i18n::{Arg, Lang};
use rally_store::{EventFilter, PublicEvent};

use super::{CounterView, Ctx, EVENT_LANGUAGES, SiteView, country_name, stats};
use crate::AppState;
use crate::kit::{PageError, render};

#[derive(Template)]
#[template(path = "site/home.html")]
struct Home {
    v: SiteView,
    message: String,
    dates: String,
    counter: CounterView,
    goal: String,
    events: String,
    countries: String,
    members: Vec<(String, String)>,
}

/// `GET /c/{slug}/`: the message, the counter and the call to action.
pub async fn home(State(app): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Result<Response, PageError> {
    let (_, s, _) = stats(&app, &slug).await?;
    let l = ctx.lang;
    let c = &ctx.site.campaign.fields;
    let page = Home {
        v: ctx.view("home", &format!("/c/{slug}/")),
        message: ctx.message(),
        dates: l
            .t_with("home-dates", &[("from", Arg::Str(&l.date(c.starts_on))), ("to", Arg::Str(&l.date(c.ends_on)))]),
        counter: CounterView::new(&ctx, &s),
        goal: ctx.t_num("home-goal", "goal", s.goal),
        events: ctx.t_num("counter-events", "events", s.events),
        countries: ctx.t_num("counter-countries", "countries", s.countries),
        members: ctx.site.members.clone(),
    };
    Ok(ctx.respond(render(&page)?))
}

pub struct EventRow {
    /// The event's page (`/c/{slug}/events/{id}`).
    id: i64,
    title: String,
    organization: String,
    when: String,
    place: String,
    kind: String,
    students: String,
    description: String,
    url: Option<String>,
}

#[derive(Template)]
#[template(path = "site/events.html")]
struct Events {
    v: SiteView,
    q: String,
    country: String,
    city: String,
    event_type: String,
    language: String,
    from: String,
    to: String,
    /// The chosen catalogue activity's id, and the catalogue to choose from (id, title).
    activity: String,
    activities: Vec<(String, String)>,
    countries: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, String)>,
    languages: &'static [(&'static str, &'static str)],
    error: Option<String>,
    count: String,
    rows: Vec<EventRow>,
    previous: Option<String>,
    next: Option<String>,
}

/// The list's filters as the form sends them (all text: a bad date is the visitor's mistake, shown).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    lang: Option<String>,
    q: String,
    country: String,
    city: String,
    #[serde(rename = "type")]
    event_type: String,
    language: String,
    from: String,
    to: String,
    /// A catalogue activity's id.
    activity: String,
    page: Option<i64>,
}

const PER_PAGE: i64 = 25;

/// `GET /c/{slug}/events`: approved public events with search and filters, paged.
pub async fn events(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    // Unknown or malformed parameters are ignored rather than refused: this is a public page.
    let q: ListQuery = raw.as_deref().map(list_query).unwrap_or_default();
    let l = ctx.lang;
    let mut error = None;
    let date = |s: &str, error: &mut Option<String>| -> Option<NaiveDate> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        s.parse().map_err(|_| *error = Some(l.t("error-date"))).ok()
    };
    let from = date(&q.from, &mut error);
    let to = date(&q.to, &mut error);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (events, total) = app.store.public_events(ctx.site.campaign.id, &q.filter(from, to, page)).await?;
    let rows = events.into_iter().map(|e| EventRow::new(e, l)).collect();
    let activities = app
        .store
        .activity_options(ctx.site.campaign.id, "", l.code(), 200)
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.title))
        .collect();
    let link = |p: i64| q.page_link(&slug, p);
    let view = Events {
        v: ctx.view("events", &format!("/c/{slug}/events")),
        countries: rally_site::geo::countries_by_name(l.code())
            .into_iter()
            .map(|c| (c.code, c.name(l.code())))
            .collect(),
        types: EventType::ALL.iter().map(|t| (t.as_str(), l.t(&format!("event-type-{}", t.as_str())))).collect(),
        languages: EVENT_LANGUAGES,
        error,
        count: l.t_with("events-count", &[("count", Arg::Num(total))]),
        rows,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PER_PAGE < total).then(|| link(page + 1)),
        q: q.q.clone(),
        country: q.country.clone(),
        city: q.city.clone(),
        event_type: q.event_type.clone(),
        language: q.language.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        activity: q.activity.clone(),
        activities,
    };
    Ok(ctx.respond(render(&view)?))
}

impl EventRow {
    /// A public event as a row of the list, in the visitor's language.
    fn new(e: PublicEvent, l: Lang) -> EventRow {
        let when = if e.ends_on == e.starts_on {
            l.date(e.starts_on)
        } else {
            format!("{} – {}", l.date(e.starts_on), l.date(e.ends_on))
        };
        let country = country_name(&e.country, l);
        let place = if e.event_type == EventType::Online {
            format!("{} ({country})", l.t("events-online"))
        } else if e.city.is_empty() {
            country
        } else {
            format!("{}, {country}", e.city)
        };
        EventRow {
            id: e.id.0,
            title: e.title,
            organization: e.organization,
            when,
            place,
            kind: l.t(&format!("event-type-{}", e.event_type.as_str())),
            students: l.t_with("events-students", &[("students", Arg::Num(e.students))]),
            description: e.description,
            url: e.url,
        }
    }
}

impl ListQuery {
    /// The store's filter for page `page`: a country, event type or language it does not know filters
    /// nothing.
    fn filter(&self, from: Option<NaiveDate>, to: Option<NaiveDate>, page: i64) -> EventFilter {
        let valid_type = EventType::parse(self.event_type.trim()).is_ok();
        let valid_language = EVENT_LANGUAGES.iter().any(|(c, _)| *c == self.language.trim());
        EventFilter {
            country: Some(self.country.clone()).filter(|c| rally_site::geo::country(c).is_some()),
            city: Some(self.city.clone()),
            event_type: valid_type.then(|| self.event_type.clone()),
            language: valid_language.then(|| self.language.clone()),
            from,
            to,
            q: Some(self.q.clone()),
            page: Some(page),
            per_page: Some(PER_PAGE),
            status: None,
            activity: self.activity.trim().parse().ok(),
        }
    }

    /// The address of page `p` of the list, with the same filters.
    fn page_link(&self, slug: &str, p: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("country", &self.country),
            ("city", &self.city),
            ("type", &self.event_type),
            ("language", &self.language),
            ("from", &self.from),
            ("to", &self.to),
            ("activity", &self.activity),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/c/{slug}/events?{}", s.finish())
    }
}

/// Reads a query string into the list's filters, ignoring what does not fit.
fn list_query(raw: &str) -> ListQuery {
    let mut q = ListQuery::default();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        let v = v.chars().take(200).collect::<String>();
        match k.as_ref() {
            "lang" => q.lang = Some(v),
            "q" => q.q = v,
            "country" => q.country = v.to_ascii_uppercase(),
            "city" => q.city = v,
            "type" => q.event_type = v,
            "language" => q.language = v,
            "from" => q.from = v,
            "to" => q.to = v,
            "activity" => q.activity = v,
            "page" => q.page = v.parse().ok(),
            _ => {}
        }
    }
    q
}

#[derive(Template)]
#[template(path = "site/stats.html")]
struct Stats {
    v: SiteView,
    base: String,
    students: String,
    events: String,
    countries: String,
    by_country: Vec<(String, String, String)>,
    by_type: Vec<(String, String, String)>,
    by_week: Vec<(String, String, String, i64)>,
}

/// `GET /c/{slug}/stats`: by country, by event type and registrations over time.
pub async fn stats_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let (_, s, _) = stats(&app, &slug).await?;
    let l = ctx.lang;
    let max_week = s.by_week.iter().map(|r| r.events).max().unwrap_or(1).max(1);
    let page = Stats {
        v: ctx.view("stats", &format!("/c/{slug}/stats")),
        base: ctx.base.clone(),
        students: ctx.t_num("counter-students", "students", s.students),
        events: ctx.t_num("counter-events", "events", s.events),
        countries: ctx.t_num("counter-countries", "countries", s.countries),
        by_country: s
            .by_country
            .iter()
            .map(|r| (country_name(&r.key, l), l.number(r.events), l.number(r.students)))
            .collect(),
        by_type: s
            .by_type
            .iter()
            .map(|r| (l.t(&format!("event-type-{}", r.key)), l.number(r.events), l.number(r.students)))
            .collect(),
        by_week: s
            .by_week
            .iter()
            .map(|r| {
                let week = r.key.parse().map(|d| l.date(d)).unwrap_or_else(|_| r.key.clone());
                (week, l.number(r.events), l.number(r.students), r.events * 100 / max_week)
            })
            .collect(),
    };
    Ok(ctx.respond(render(&page)?))
}

//! `/campaigns/{slug}/reports`: the campaign in charts drawn on the server (`rally_site::chart`, no
//! script): the pipeline funnel, the forecast of students (with its interval) against the goal, what
//! became of each message's e-mails, and events by country and by week. Every chart's numbers are also a table
//! and a CSV download (`/campaigns/{slug}/reports/{chart}.csv`, formula cells neutralized). The
//! arithmetic is `rally_domain::report`'s; this module only gathers, formats and draws.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use rally_domain::CampaignId;
use rally_domain::export::{Cell, Format};
use rally_domain::report::{self, Forecast, ForecastFacts, FunnelStage, MessageStats};
use rally_site::chart::{self, Bar, Chart, Marker, Step, Value};
use rally_store::{Actor, EventStats, StatRow};

use super::{Layout, PageError, SignedIn, number, render};
use crate::AppState;

/// The charts, each also a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Funnel,
    Forecast,
    Messages,
    Countries,
    Weeks,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "funnel" => Some(Kind::Funnel),
            "forecast" => Some(Kind::Forecast),
            "messages" => Some(Kind::Messages),
            "countries" => Some(Kind::Countries),
            "weeks" => Some(Kind::Weeks),
            _ => None,
        }
    }
}

/// A table under a chart: the first cell of each row is its header.
pub struct Table {
    head: Vec<&'static str>,
    /// Which columns hold numbers (right-aligned).
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    /// A last row of totals, if any.
    foot: Option<Vec<String>>,
}

impl Table {
    fn new(head: &[(&'static str, bool)]) -> Table {
        Table {
            head: head.iter().map(|(h, _)| *h).collect(),
            numeric: head.iter().map(|(_, n)| *n).collect(),
            rows: Vec::new(),
            foot: None,
        }
    }

    fn class(&self, column: &usize) -> &'static str {
        if self.numeric.get(*column).copied().unwrap_or(false) { "num" } else { "" }
    }
}

/// One chart of the page: its drawing, its table, or why there is nothing to show.
pub struct Section {
    svg: String,
    table: Table,
    /// Shown instead of the chart and the table when there is nothing to count.
    empty: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    slug: String,
    name: String,
    funnel: Section,
    forecast: Section,
    forecast_summary: String,
    chances: Table,
    conversions: Table,
    contributions: Table,
    /// How many partners the page's table leaves to the CSV.
    more_partners: usize,
    method: Method,
    messages: Section,
    countries: Section,
    weeks: Section,
}

/// The forecast's constants and learned figures, as the page's explanation words them.
struct Method {
    prior_weight: String,
    stale_loss: String,
    runs: String,
    per_event: String,
    /// Whether the team's earlier campaigns count, in words.
    team: String,
    defaults: String,
}

impl Method {
    fn new(f: &Forecast) -> Method {
        let per_event = if f.events > 0 {
            format!(
                "{} students per event (the average of the campaign’s {} approved {})",
                format!("{:.1}", f.students_per_event).trim_end_matches(".0"),
                number(f.events),
                if f.events == 1 { "event" } else { "events" }
            )
        } else {
            format!(
                "{} students per event (a class: the campaign has no approved event yet)",
                trim(report::DEFAULT_STUDENTS_PER_EVENT)
            )
        };
        let weight = trim(report::TEAM_WEIGHT);
        let team = match f.team_campaigns {
            0 => format!(
                "The team has no earlier campaign (one made before this one, sharing a team member) to learn from \
                 yet; when it has, its closed partners will count too, as at most {weight} partners in all."
            ),
            n => format!(
                "The closed partners of the team's {} (made before this one, sharing a team member) count too, as \
                 at most {weight} partners in all.",
                if n == 1 { "earlier campaign".to_owned() } else { format!("{n} earlier campaigns") }
            ),
        };
        let defaults = rally_domain::Category::ALL
            .iter()
            .map(|&c| format!("{} {}", c.label(), decimal(report::default_conversion(c))))
            .collect::<Vec<_>>()
            .join(", ");
        Method {
            prior_weight: trim(report::PRIOR_WEIGHT),
            stale_loss: trim(report::STALE_LOSS),
            runs: number(report::RUNS as i64),
            per_event,
            team,
            defaults,
        }
    }
}

/// `GET /campaigns/{slug}/reports`.
pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = &found.campaign;
    let figures = Figures::gather(&app, me.actor(), campaign.id, campaign.fields.goal_students).await?;
    let forecast = &figures.forecast;
    let forecast_summary = summary(forecast);
    let (contributions, more_partners) = contributions_table(forecast);
    let view = ReportsPage {
        layout: Layout::new(&app, &me, Some(&slug), "reports", format!("Reports · {}", campaign.fields.name)).await?,
        name: campaign.fields.name.clone(),
        funnel: funnel_section(&figures.funnel, figures.has_partners()),
        forecast: forecast_section(forecast, figures.has_partners()),
        forecast_summary,
        chances: chances_table(forecast),
        conversions: conversions_table(forecast),
        contributions,
        more_partners,
        method: Method::new(forecast),
        messages: messages_section(&figures.messages),
        countries: countries_section(&figures.events),
        weeks: weeks_section(&figures.events),
        slug,
    };
    render(&view)
}

/// `GET /campaigns/{slug}/reports/{chart}.csv`.
pub async fn csv(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, file)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let kind = file.strip_suffix(".csv").and_then(Kind::parse).ok_or(PageError::NotFound)?;
    // Not on the team: "not found", like every page of the campaign.
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let (id, goal) = (found.campaign.id, found.campaign.fields.goal_students);
    let actor = me.actor();
    let (columns, rows): (&[&str], Vec<Vec<Cell>>) = match kind {
        Kind::Funnel => {
            let facts = app.store.pipeline_facts(actor, id).await?;
            (FUNNEL_COLUMNS, funnel_rows(&report::funnel(&facts)))
        }
        Kind::Forecast => {
            let facts = app.store.forecast_facts(actor, id).await?;
            (FORECAST_COLUMNS, forecast_rows(&compute_forecast(facts, goal).await?))
        }
        Kind::Messages => (MESSAGE_COLUMNS, message_rows(&app.store.message_stats(actor, id).await?)),
        Kind::Countries => (COUNTRY_COLUMNS, country_rows(&app.store.event_stats(id).await?)),
        Kind::Weeks => (WEEK_COLUMNS, week_rows(&app.store.event_stats(id).await?)),
    };
    let mut body =
        if super::export::for_excel(&query) { rally_domain::export::EXCEL_BOM.to_owned() } else { String::new() };
    body.push_str(&Format::Csv.header(columns));
    for row in &rows {
        body.push_str(&Format::Csv.row(columns, row));
    }
    Ok(crate::kit::attachment(body, Format::Csv.media_type(), &format!("{slug}-{file}")))
}

/// Everything the page shows, read for the signed-in user (the store checks the read right).
struct Figures {
    funnel: Vec<FunnelStage>,
    forecast: Forecast,
    messages: Vec<MessageStats>,
    events: EventStats,
}

impl Figures {
    async fn gather(app: &AppState, actor: Actor, id: CampaignId, goal: i64) -> Result<Figures, PageError> {
        let facts = app.store.pipeline_facts(actor, id).await?;
        let forecast = compute_forecast(app.store.forecast_facts(actor, id).await?, goal).await?;
        Ok(Figures {
            funnel: report::funnel(&facts),
            forecast,
            messages: app.store.message_stats(actor, id).await?,
            events: app.store.event_stats(id).await?,
        })
    }

    fn has_partners(&self) -> bool {
        self.funnel.iter().any(|r| r.partners > 0)
    }
}

// ---------------------------------------------------------------------------------------------------
// The funnel

const FUNNEL_COLUMNS: &[&str] =
    &["stage", "partners", "reach", "reached", "conversion_to_next", "median_days_in_stage", "finished_stays"];

fn funnel_section(rows: &[FunnelStage], any: bool) -> Section {
    let steps: Vec<Step> = rows
        .iter()
        .filter_map(|r| {
            let reached = r.reached?;
            Some(Step {
                label: r.stage.label().to_owned(),
                value: Value::new(reached as f64, format!("{} reached", number(reached))),
                note: r.conversion.map(|c| format!("{} to next", percent(c, 0))).unwrap_or_default(),
            })
        })
        .collect();
    let svg = chart::funnel(
        &Chart {
            id: "funnel",
            title: "Pipeline funnel",
            description: "Partners that reached each stage of the pipeline, from Lead to Closed Won, with the share \
                          that went on to the next stage. The numbers are in the table below.",
        },
        &steps,
    );
    let mut table = Table::new(&[
        ("Stage", false),
        ("Partners now", true),
        ("Reach now", true),
        ("Reached", true),
        ("To next stage", true),
        ("Median days in stage", true),
    ]);
    for r in rows {
        table.rows.push(vec![
            r.stage.label().to_owned(),
            number(r.partners),
            number(r.reach),
            r.reached.map_or_else(|| "—".into(), number),
            r.conversion.map_or_else(|| "—".into(), |c| percent(c, 0)),
            r.median_days.map_or_else(
                || "—".into(),
                |d| format!("{d:.1} ({} {})", r.finished_stays, if r.finished_stays == 1 { "stay" } else { "stays" }),
            ),
        ]);
    }
    table.foot = Some(vec![
        "All partners".into(),
        number(rows.iter().map(|r| r.partners).sum()),
        number(rows.iter().map(|r| r.reach).sum()),
        String::new(),
        String::new(),
        String::new(),
    ]);
    Section { svg, table, empty: (!any).then_some("No partners yet: the funnel fills as partners are added and move.") }
}

fn funnel_rows(rows: &[FunnelStage]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            vec![
                Cell::from(r.stage.as_str()),
                Cell::Int(r.partners),
                Cell::Int(r.reach),
                Cell::from(r.reached),
                r.conversion.map_or(Cell::Empty, |c| Cell::Float(round(c, 4))),
                r.median_days.map_or(Cell::Empty, |d| Cell::Float(round(d, 2))),
                Cell::Int(r.finished_stays as i64),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// The forecast

const FORECAST_COLUMNS: &[&str] = &[
    "partner",
    "category",
    "stage",
    "past_time_limit",
    "chance",
    "source",
    "brought_events",
    "brought_students",
    "agreed_schools_or_events",
    "reach",
    "conversion",
    "students_if_won",
    "expected_students",
];

/// Above this many partners the forecast (its simulation, mostly) runs on the blocking pool. Measured
/// with a release build on a busy two-core machine: 300 partners take 7 ms, 2,000 take 28 ms, 20,000
/// 0.2 s and 100,000 1 s.
const INLINE_PARTNERS: usize = 500;

/// The forecast of `facts` now: inline for a campaign of a few hundred partners, on the blocking pool
/// for a large one.
async fn compute_forecast(facts: ForecastFacts, goal: i64) -> Result<Forecast, PageError> {
    let now = chrono::Utc::now();
    if facts.partners.len() <= INLINE_PARTNERS {
        return Ok(report::forecast(&facts, goal, now));
    }
    Ok(crate::blocking::run(move || report::forecast(&facts, goal, now)).await?)
}

fn students(x: f64) -> String {
    number(x.round() as i64)
}

/// "8 300 students expected (10th–90th percentile: 6 100–10 400) against the goal of 120 000: 7% of it."
fn summary(f: &Forecast) -> String {
    let range = format!("10th–90th percentile: {}–{}", students(f.interval.low), students(f.interval.high));
    match f.share_of_goal() {
        Some(share) => format!(
            "{} students expected ({range}) against the goal of {}: {} of it.",
            students(f.students),
            number(f.goal),
            percent(share, 0)
        ),
        None => format!("{} students expected ({range}).", students(f.students)),
    }
}

fn forecast_section(f: &Forecast, any: bool) -> Section {
    // Four bars on one scale: the expected total stacked by where it comes from, the interval's ends,
    // and the goal.
    let series = ["Registered directly", "Brought by partners", "Agreed to", "From reach", "Simulated", "Goal"];
    let only = |at: usize, value: f64, text: String| {
        let mut parts = vec![Value::new(0.0, ""); series.len()];
        parts[at] = Value::new(value, text);
        parts
    };
    let expected = Bar {
        label: "Expected".into(),
        parts: std::iter::once(f.direct_students as f64)
            .chain(f.by_source().iter().map(|(_, x)| *x))
            .map(|x| Value::new(x, format!("{} students", students(x))))
            .chain([Value::new(0.0, ""), Value::new(0.0, "")])
            .collect(),
        note: match f.share_of_goal() {
            Some(share) => format!("{} ({})", students(f.students), percent(share, 0)),
            None => students(f.students),
        },
    };
    let end = |label: &str, x: f64| Bar {
        label: label.into(),
        parts: only(4, x, format!("{} students", students(x))),
        note: students(x),
    };
    let goal_bar = Bar {
        label: "Goal".into(),
        parts: only(5, f.goal as f64, format!("{} students", number(f.goal))),
        note: number(f.goal),
    };
    let goal = Marker { at: f.goal as f64, label: format!("Goal {}", number(f.goal)) };
    let svg = chart::bars(
        &Chart {
            id: "forecast",
            title: "Forecast of students against the goal",
            description: "Four bars: the students expected, stacked by where they come from (events registered \
                          directly, events partners brought, what partners agreed to, estimates from partners' \
                          reach); the 10th and the 90th percentile of the simulated campaigns; and the goal, also \
                          marked by a dashed line. The numbers are in the tables below.",
        },
        &series,
        &[expected, end("10th percentile", f.interval.low), end("90th percentile", f.interval.high), goal_bar],
        Some(&goal),
    );
    let mut table = Table::new(&[
        ("Stage", false),
        ("Partners now", true),
        ("Chance of closing won", true),
        ("Brought already", true),
        ("Students expected", true),
    ]);
    for l in &f.lines {
        table.rows.push(vec![
            l.stage.label().to_owned(),
            number(l.partners),
            percent(l.chance, 1),
            number(l.brought),
            students(l.students),
        ]);
    }
    table.rows.push(vec![
        "No partner (registered directly)".into(),
        "—".into(),
        "—".into(),
        number(f.direct_students),
        number(f.direct_students),
    ]);
    table.foot = Some(vec![
        "Forecast".into(),
        number(f.lines.iter().map(|l| l.partners).sum()),
        String::new(),
        number(f.direct_students + f.lines.iter().map(|l| l.brought).sum::<i64>()),
        students(f.students),
    ]);
    let any = any || f.direct_events > 0;
    Section { svg, table, empty: (!any).then_some("No partners and no events yet: nothing to forecast.") }
}

/// The chance used for each open stage and what it was learned from.
fn chances_table(f: &Forecast) -> Table {
    let mut table = Table::new(&[
        ("Stage", false),
        ("Reached it and closed", true),
        ("Of them won", true),
        ("Open, past the time limit", true),
        ("Earlier campaigns: closed", true),
        ("Of them won", true),
        ("Default", true),
        ("Chance used", true),
    ]);
    for c in &f.chances {
        table.rows.push(vec![
            c.stage.label().to_owned(),
            number(c.closed),
            number(c.won),
            number(c.stale),
            number(c.team_closed),
            number(c.team_won),
            percent(c.default, 0),
            percent(c.chance, 1),
        ]);
    }
    table
}

/// Each category's students per person reached, learned or default.
fn conversions_table(f: &Forecast) -> Table {
    let mut table = Table::new(&[
        ("Category", false),
        ("Partners that brought events", true),
        ("Their students", true),
        ("Their reach", true),
        ("Learned", true),
        ("Default", true),
        ("Used", true),
        ("Source", false),
    ]);
    for c in &f.conversions {
        let source = match c.partners {
            0 => "default (no partner of this kind brought an event yet)".to_owned(),
            n => format!(
                "{n} {} against the default's {}",
                if n == 1 { "partner" } else { "partners" },
                trim(report::PRIOR_WEIGHT)
            ),
        };
        table.rows.push(vec![
            c.category.label().to_owned(),
            number(c.partners),
            number(c.students),
            number(c.reach),
            c.learned().map_or_else(|| "—".into(), decimal),
            decimal(c.default),
            decimal(c.rate),
            source,
        ]);
    }
    table
}

/// Partners in the page's table; the CSV has them all.
const SHOWN_PARTNERS: usize = 20;

/// The partners adding most to the forecast, and how many more the CSV has.
fn contributions_table(f: &Forecast) -> (Table, usize) {
    let mut table = Table::new(&[
        ("Partner", false),
        ("Stage", false),
        ("Chance", true),
        ("Estimate from", false),
        ("Brought", true),
        ("Agreed (schools or events)", true),
        ("Reach", true),
        ("Students if won", true),
        ("Students expected", true),
    ]);
    let counted: Vec<_> = f.partners.iter().filter(|p| p.expected > 0.0).collect();
    for p in counted.iter().take(SHOWN_PARTNERS) {
        let stage =
            if p.stale { format!("{} (past its time limit)", p.stage.label()) } else { p.stage.label().to_owned() };
        table.rows.push(vec![
            p.name.clone(),
            stage,
            percent(p.chance, 1),
            p.source.label().to_owned(),
            number(p.brought_students),
            number(p.agreed_events),
            number(p.reach),
            students(p.if_won),
            students(p.expected),
        ]);
    }
    (table, counted.len().saturating_sub(SHOWN_PARTNERS))
}

fn forecast_rows(f: &Forecast) -> Vec<Vec<Cell>> {
    f.partners
        .iter()
        .map(|p| {
            vec![
                Cell::from(p.name.as_str()),
                Cell::from(p.category.as_str()),
                Cell::from(p.stage.as_str()),
                Cell::from(if p.stale { "yes" } else { "no" }),
                Cell::Float(round(p.chance, 4)),
                Cell::from(p.source.as_str()),
                Cell::Int(p.brought_events),
                Cell::Int(p.brought_students),
                Cell::Int(p.agreed_events),
                Cell::Int(p.reach),
                p.conversion.map_or(Cell::Empty, |c| Cell::Float(round(c, 6))),
                Cell::Float(round(p.if_won, 1)),
                Cell::Float(round(p.expected, 1)),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// Messages

const MESSAGE_COLUMNS: &[&str] =
    &["message", "emails", "sent", "waiting", "failed", "skipped", "deferred", "unsubscribed"];

fn messages_section(messages: &[MessageStats]) -> Section {
    let bars: Vec<Bar> = messages
        .iter()
        .map(|m| Bar {
            label: m.title.clone(),
            parts: [m.sent, m.waiting, m.failed, m.skipped]
                .into_iter()
                .zip(["sent", "waiting", "failed", "skipped"])
                .map(|(n, what)| Value::new(n as f64, format!("{} {what}", number(n))))
                .collect(),
            note: format!("{} deferred · {} unsubscribed", number(m.deferred), number(m.unsubscribed)),
        })
        .collect();
    let svg = chart::bars(
        &Chart {
            id: "messages",
            title: "E-mails per message",
            description: "One bar per message: its e-mails sent, waiting, failed and skipped, stacked; deferred and \
                          unsubscribed are written beside each bar. The numbers are in the table below.",
        },
        &["Sent", "Waiting", "Failed", "Skipped"],
        &bars,
        None,
    );
    let mut table = Table::new(&[
        ("Message", false),
        ("E-mails", true),
        ("Sent", true),
        ("Waiting", true),
        ("Failed", true),
        ("Skipped", true),
        ("Deferred", true),
        ("Unsubscribed", true),
    ]);
    for m in messages {
        table.rows.push(vec![
            m.title.clone(),
            number(m.total()),
            number(m.sent),
            number(m.waiting),
            number(m.failed),
            number(m.skipped),
            number(m.deferred),
            number(m.unsubscribed),
        ]);
    }
    let any = messages.iter().any(|m| m.total() > 0);
    Section {
        svg,
        table,
        empty: (!any).then_some("No e-mails planned yet: messages appear here once they are queued."),
    }
}

fn message_rows(messages: &[MessageStats]) -> Vec<Vec<Cell>> {
    messages
        .iter()
        .map(|m| {
            vec![
                Cell::from(m.title.as_str()),
                Cell::Int(m.total()),
                Cell::Int(m.sent),
                Cell::Int(m.waiting),
                Cell::Int(m.failed),
                Cell::Int(m.skipped),
                Cell::Int(m.deferred),
                Cell::Int(m.unsubscribed),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// Events

const COUNTRY_COLUMNS: &[&str] = &["country", "country_name", "events", "students"];
const WEEK_COLUMNS: &[&str] = &["week_of", "events", "students"];
/// Countries drawn; the table and the CSV have them all.
const CHART_COUNTRIES: usize = 15;
/// A longer span of weeks is drawn as it is, without the empty weeks between.
const MAX_FILLED_WEEKS: i64 = 520;

fn country_name(code: &str) -> String {
    rally_site::geo::country(code).map_or_else(|| code.to_owned(), |c| c.name("en").to_owned())
}

fn countries_section(stats: &EventStats) -> Section {
    let bars: Vec<Bar> = stats
        .by_country
        .iter()
        .take(CHART_COUNTRIES)
        .map(|r| Bar {
            label: country_name(&r.key),
            parts: vec![Value::new(r.students as f64, format!("{} students", number(r.students)))],
            note: format!(
                "{} · {} {}",
                number(r.students),
                number(r.events),
                if r.events == 1 { "event" } else { "events" }
            ),
        })
        .collect();
    let svg = chart::bars(
        &Chart {
            id: "countries",
            title: "Students by country",
            description: "Students of approved events per country, most first (at most 15 countries drawn). Every \
                          country is in the table below.",
        },
        &["Students"],
        &bars,
        None,
    );
    let mut table = Table::new(&[("Country", false), ("Events", true), ("Students", true)]);
    for r in &stats.by_country {
        table.rows.push(vec![country_name(&r.key), number(r.events), number(r.students)]);
    }
    table.foot = Some(vec!["All countries".into(), number(stats.events), number(stats.students)]);
    let empty = stats.by_country.is_empty().then_some("No approved events yet.");
    Section { svg, table, empty }
}

fn country_rows(stats: &EventStats) -> Vec<Vec<Cell>> {
    stats
        .by_country
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.key.as_str()),
                Cell::from(country_name(&r.key)),
                Cell::Int(r.events),
                Cell::Int(r.students),
            ]
        })
        .collect()
}

/// Weeks oldest first, with the weeks without events between the first and the last filled in as
/// zeros, so the columns keep time's spacing.
fn weeks(stats: &EventStats) -> Vec<StatRow> {
    let dated: Option<BTreeMap<NaiveDate, &StatRow>> =
        stats.by_week.iter().map(|r| r.key.parse::<NaiveDate>().ok().map(|d| (d, r))).collect();
    let Some(dated) = dated else { return stats.by_week.clone() };
    let (Some(&from), Some(&to)) = (dated.keys().next(), dated.keys().next_back()) else { return Vec::new() };
    let aligned = dated.keys().all(|d| (*d - from).num_days() % 7 == 0);
    if !aligned || (to - from).num_weeks() > MAX_FILLED_WEEKS {
        return dated.into_values().cloned().collect();
    }
    from.iter_weeks()
        .take_while(|d| *d <= to)
        .map(|d| match dated.get(&d) {
            Some(r) => (*r).clone(),
            None => StatRow { key: d.to_string(), events: 0, students: 0 },
        })
        .collect()
}

fn weeks_section(stats: &EventStats) -> Section {
    let rows = weeks(stats);
    let columns: Vec<Step> = rows
        .iter()
        .map(|r| Step {
            label: r.key.clone(),
            value: Value::new(r.students as f64, format!("{} students", number(r.students))),
            note: format!("{} {}", number(r.events), if r.events == 1 { "event" } else { "events" }),
        })
        .collect();
    let svg = chart::columns(
        &Chart {
            id: "weeks",
            title: "Students by week of registration",
            description: "One column per week (named by its Monday), oldest first: the students of approved events \
                          registered that week. The numbers are in the table below.",
        },
        &columns,
    );
    let mut table = Table::new(&[("Week of", false), ("Events", true), ("Students", true)]);
    for r in &rows {
        table.rows.push(vec![r.key.clone(), number(r.events), number(r.students)]);
    }
    let empty = rows.is_empty().then_some("No approved events yet.");
    Section { svg, table, empty }
}

fn week_rows(stats: &EventStats) -> Vec<Vec<Cell>> {
    weeks(stats).into_iter().map(|r| vec![Cell::Text(r.key), Cell::Int(r.events), Cell::Int(r.students)]).collect()
}

// ---------------------------------------------------------------------------------------------------
// Formatting

/// "42%", "17.9%".
fn percent(share: f64, decimals: usize) -> String {
    match (share.is_finite(), decimals) {
        (false, _) => "—".into(),
        // Thousands separated, as everywhere: "7 146%".
        (true, 0) => format!("{}%", number((share * 100.0).round() as i64)),
        (true, _) => format!("{:.*}%", decimals, share * 100.0),
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// A small number with its significant digits: "0.0005", "0.1", "76.4".
fn decimal(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    if x >= 10.0 {
        return trim(x);
    }
    let digits = if x > 0.0 { (2 - x.log10().floor() as i32).clamp(2, 8) } else { 2 } as usize;
    let s = format!("{x:.digits$}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A number without trailing zeros: "5", "2.5".
fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, events: i64, students: i64) -> StatRow {
        StatRow { key: key.into(), events, students }
    }

    fn stats(by_week: Vec<StatRow>) -> EventStats {
        EventStats { students: 0, events: 0, countries: 0, goal: 1, by_country: vec![], by_type: vec![], by_week }
    }

    #[test]
    fn empty_weeks_are_filled_between_the_first_and_the_last() {
        let filled = weeks(&stats(vec![row("2026-11-30", 1, 20), row("2026-12-14", 2, 50)]));
        let keys: Vec<(&str, i64)> = filled.iter().map(|r| (r.key.as_str(), r.students)).collect();
        assert_eq!(keys, vec![("2026-11-30", 20), ("2026-12-07", 0), ("2026-12-14", 50)]);
        assert!(weeks(&stats(vec![])).is_empty());
        // Keys that are not dates, or not a week apart, are shown as they are.
        assert_eq!(weeks(&stats(vec![row("x", 1, 1)])).len(), 1);
        assert_eq!(weeks(&stats(vec![row("2026-11-30", 1, 1), row("2026-12-02", 1, 1)])).len(), 2);
        // A span too long to fill is not filled.
        assert_eq!(weeks(&stats(vec![row("1990-01-01", 1, 1), row("2026-12-14", 1, 1)])).len(), 2);
    }

    /// A large campaign's forecast runs on the blocking pool and is the same as inline.
    #[tokio::test]
    async fn a_large_forecast_runs_on_the_blocking_pool_alike() {
        let since = chrono::Utc::now() - chrono::Duration::days(2);
        let partners = (0..INLINE_PARTNERS as i64 + 1)
            .map(|i| report::PartnerFacts {
                id: rally_domain::PartnerId(i),
                name: format!("Partner {i}"),
                category: rally_domain::Category::ALL[i as usize % 5],
                stage: rally_domain::Stage::Contacted,
                furthest: rally_domain::Stage::Contacted,
                since,
                reach: 1_000 + i,
                brought_events: 0,
                brought_students: 0,
                agreed: vec![],
            })
            .collect();
        let facts = ForecastFacts { partners, ..ForecastFacts::default() };
        let inline = report::forecast(&facts, 120_000, chrono::Utc::now());
        let pooled = compute_forecast(facts, 120_000).await.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((pooled.students, pooled.interval), (inline.students, inline.interval));
    }

    #[test]
    fn kinds_and_formats() {
        assert_eq!(Kind::parse("funnel"), Some(Kind::Funnel));
        assert_eq!(Kind::parse("secrets"), None);
        assert_eq!(percent(0.6, 0), "60%");
        assert_eq!(percent(0.17857, 1), "17.9%");
        assert_eq!(percent(f64::NAN, 1), "—");
        assert_eq!(percent(71.46, 0), "7\u{202f}146%");
        assert_eq!(trim(5.0), "5");
        assert_eq!(decimal(0.0005), "0.0005");
        assert_eq!(decimal(0.1), "0.1");
        assert_eq!(decimal(0.093333), "0.0933");
        assert_eq!(decimal(76.4), "76.4");
        assert_eq!(decimal(0.0), "0");
        assert_eq!(round(2.0 / 3.0, 4), 0.6667);
    }
}

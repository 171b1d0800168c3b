//! `/campaigns/{slug}/reports`: the campaign in charts drawn on the server (`rally_site::chart`, no
//! script): the pipeline funnel, the reach-weighted forecast of students against the goal, what became
//! of each message's e-mails, and events by country and by week. Every chart's numbers are also a table
//! and a CSV download (`/campaigns/{slug}/reports/{chart}.csv`, formula cells neutralized). The
//! arithmetic is `rally_domain::report`'s; this module only gathers, formats and draws.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use rally_domain::CampaignId;
use rally_domain::export::{Cell, Format};
use rally_domain::report::{self, Forecast, FunnelStage, MessageStats, PartnerReach};
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
    contributions: Table,
    messages: Section,
    countries: Section,
    weeks: Section,
    prior_weight: String,
}

/// `GET /campaigns/{slug}/reports`.
pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = &found.campaign;
    let figures = Figures::gather(&app, me.actor(), campaign.id, campaign.fields.goal_students).await?;
    let forecast = &figures.forecast;
    let forecast_summary = match forecast.share_of_goal() {
        Some(share) => format!(
            "{} students expected: {} of the goal of {}.",
            number(forecast.students.round() as i64),
            percent(share, 0),
            number(forecast.goal)
        ),
        None => format!("{} students expected.", number(forecast.students.round() as i64)),
    };
    let view = ReportsPage {
        layout: Layout::new(&app, &me, Some(&slug), "reports", format!("Reports · {}", campaign.fields.name)).await?,
        name: campaign.fields.name.clone(),
        funnel: funnel_section(&figures.funnel, figures.has_partners()),
        forecast: forecast_section(forecast, figures.has_partners()),
        forecast_summary,
        chances: chances_table(forecast),
        contributions: contributions_table(forecast, &figures.partners),
        messages: messages_section(&figures.messages),
        countries: countries_section(&figures.events),
        weeks: weeks_section(&figures.events),
        prior_weight: trim(report::PRIOR_WEIGHT),
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
            let facts = app.store.pipeline_facts(actor, id).await?;
            let partners = app.store.forecast_partners(actor, id).await?;
            (FORECAST_COLUMNS, forecast_rows(&report::forecast(&facts.groups, goal), &partners))
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
    partners: Vec<PartnerReach>,
    messages: Vec<MessageStats>,
    events: EventStats,
}

impl Figures {
    async fn gather(app: &AppState, actor: Actor, id: CampaignId, goal: i64) -> Result<Figures, PageError> {
        let facts = app.store.pipeline_facts(actor, id).await?;
        Ok(Figures {
            funnel: report::funnel(&facts),
            forecast: report::forecast(&facts.groups, goal),
            partners: app.store.forecast_partners(actor, id).await?,
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
    "stage",
    "reach",
    "stage_closed_after_reaching",
    "stage_won_after_reaching",
    "default_chance",
    "chance",
    "expected_students",
];

fn forecast_section(f: &Forecast, any: bool) -> Section {
    // The stages stacked in one bar, then the goal as a bar of its own (the last series).
    let mut series: Vec<&str> = f.lines.iter().map(|l| l.stage.label()).collect();
    series.push("Goal");
    let mut parts: Vec<Value> = f
        .lines
        .iter()
        .map(|l| Value::new(l.students, format!("{} students", number(l.students.round() as i64))))
        .collect();
    parts.push(Value::new(0.0, ""));
    let forecast = Bar {
        label: "Forecast".into(),
        parts,
        note: match f.share_of_goal() {
            Some(share) => format!("{} ({})", number(f.students.round() as i64), percent(share, 0)),
            None => number(f.students.round() as i64),
        },
    };
    let mut goal_parts = vec![Value::new(0.0, ""); f.lines.len()];
    goal_parts.push(Value::new(f.goal as f64, format!("{} students", number(f.goal))));
    let goal_bar = Bar { label: "Goal".into(), parts: goal_parts, note: number(f.goal) };
    let goal = Marker { at: f.goal as f64, label: format!("Goal {}", number(f.goal)) };
    let svg = chart::bars(
        &Chart {
            id: "forecast",
            title: "Forecast of students against the goal",
            description: "Two bars: the forecast, stacking the students expected from partners closed won and then \
                          from each open stage (reach times the stage's chance of closing won), and the goal, also \
                          marked by a dashed line. The numbers are in the tables below.",
        },
        &series,
        &[forecast, goal_bar],
        Some(&goal),
    );
    let mut table = Table::new(&[
        ("Stage", false),
        ("Partners now", true),
        ("Reach now", true),
        ("Chance of closing won", true),
        ("Students expected", true),
    ]);
    for l in &f.lines {
        table.rows.push(vec![
            l.stage.label().to_owned(),
            number(l.partners),
            number(l.reach),
            percent(l.chance, 1),
            number(l.students.round() as i64),
        ]);
    }
    table.foot = Some(vec![
        "Forecast".into(),
        number(f.lines.iter().map(|l| l.partners).sum()),
        number(f.lines.iter().map(|l| l.reach).sum()),
        String::new(),
        number(f.students.round() as i64),
    ]);
    Section { svg, table, empty: (!any).then_some("No partners yet: nothing to forecast.") }
}

/// The chance used for each open stage and what it was learned from.
fn chances_table(f: &Forecast) -> Table {
    let mut table = Table::new(&[
        ("Stage", false),
        ("Reached it and closed", true),
        ("Of them won", true),
        ("Default", true),
        ("Chance used", true),
        ("Source", false),
    ]);
    for c in &f.chances {
        let source = match c.closed {
            0 => "default only (no closed partner yet)".to_owned(),
            n if (n as f64) < report::PRIOR_WEIGHT => format!("mostly default ({n} closed)"),
            n => format!("mostly learned ({n} closed)"),
        };
        table.rows.push(vec![
            c.stage.label().to_owned(),
            number(c.closed),
            number(c.won),
            percent(c.default, 0),
            percent(c.chance, 1),
            source,
        ]);
    }
    table
}

/// The open partners that add most to the forecast.
fn contributions_table(f: &Forecast, partners: &[PartnerReach]) -> Table {
    let mut table = Table::new(&[
        ("Partner", false),
        ("Stage", false),
        ("Reach", true),
        ("Chance", true),
        ("Students expected", true),
    ]);
    let mut open: Vec<(&PartnerReach, f64)> =
        partners.iter().filter(|p| !p.stage.is_closed()).map(|p| (p, p.reach as f64 * f.chance(p.stage))).collect();
    open.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    for (p, expected) in open.into_iter().take(10) {
        table.rows.push(vec![
            p.name.clone(),
            p.stage.label().to_owned(),
            number(p.reach),
            percent(f.chance(p.stage), 1),
            number(expected.round() as i64),
        ]);
    }
    table
}

fn forecast_rows(f: &Forecast, partners: &[PartnerReach]) -> Vec<Vec<Cell>> {
    partners
        .iter()
        .map(|p| {
            let learned = f.chances.iter().find(|c| c.stage == p.stage);
            let chance = f.chance(p.stage);
            vec![
                Cell::from(p.name.as_str()),
                Cell::from(p.stage.as_str()),
                Cell::Int(p.reach),
                learned.map_or(Cell::Empty, |c| Cell::Int(c.closed)),
                learned.map_or(Cell::Empty, |c| Cell::Int(c.won)),
                learned.map_or(Cell::Empty, |c| Cell::Float(c.default)),
                Cell::Float(round(chance, 4)),
                Cell::Float(round(p.reach as f64 * chance, 1)),
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

    #[test]
    fn kinds_and_formats() {
        assert_eq!(Kind::parse("funnel"), Some(Kind::Funnel));
        assert_eq!(Kind::parse("secrets"), None);
        assert_eq!(percent(0.6, 0), "60%");
        assert_eq!(percent(0.17857, 1), "17.9%");
        assert_eq!(percent(f64::NAN, 1), "—");
        assert_eq!(percent(71.46, 0), "7\u{202f}146%");
        assert_eq!(trim(5.0), "5");
        assert_eq!(round(2.0 / 3.0, 4), 0.6667);
    }
}

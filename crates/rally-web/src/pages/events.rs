//! `/campaigns/{slug}/events`: the events registered on the public site, by status; bulk approval and
//! rejection (the organizers are written to), the moderation settings, the log, and a CSV export.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::event::{Event, EventSettings, EventStatus};
use rally_domain::{Action, EventId};
use rally_store::{EventFilter, Moderation, StoreError};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;

pub struct Row {
    id: i64,
    title: String,
    organization: String,
    kind: &'static str,
    description: String,
    place: String,
    centre: bool,
    when: String,
    students: String,
    organizer: String,
    email: String,
    status: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    layout: Layout,
    slug: String,
    status: String,
    tabs: Vec<(&'static str, &'static str, i64)>,
    rows: Vec<Row>,
    counted: String,
    can_moderate: bool,
    can_settle: bool,
    settings: EventSettings,
    log: Vec<(String, i64, String, String)>,
    notice: Option<String>,
    problem: Option<String>,
    /// The catalogue activity the list is narrowed to (its id, empty for all) and the catalogue.
    activity: String,
    activities: Vec<(String, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StatusQuery {
    status: Option<String>,
    done: Option<String>,
    /// A catalogue activity's id: only events that run it.
    activity: Option<String>,
}

/// The events page, showing the events of `status` (pending when it names none), and what the last
/// action did or why it failed.
async fn page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    status: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    page_of(app, me, slug, status, None, notice, problem).await
}

/// The events page of `status`, of the events that run `activity` when one is given.
async fn page_of(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    status: &str,
    activity: Option<i64>,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let id = found.campaign.id;
    let status = EventStatus::parse(status).unwrap_or(EventStatus::Pending);
    let counts = app.store.event_counts(me.actor(), id).await?;
    let tabs = status_tabs(&counts);
    let filter =
        EventFilter { status: Some(status.as_str().into()), per_page: Some(200), activity, ..Default::default() };
    let activities =
        app.store.activity_options(id, "", "en", 200).await?.into_iter().map(|o| (o.id.to_string(), o.title)).collect();
    let (events, _) = app.store.events(me.actor(), id, &filter).await?;
    let rows = events.into_iter().map(Row::new).collect();
    let counted = super::umbrella::Counted::of(app, id, slug).await?;
    let log = app
        .store
        .event_log(me.actor(), id, None, 30)
        .await?
        .into_iter()
        .map(|l| {
            let who = l.user_name.unwrap_or_else(|| "organizer".into());
            (l.at.format("%Y-%m-%d %H:%M").to_string(), l.event_id.0, format!("{} by {who}", l.action), l.detail)
        })
        .collect();
    let role = found.role;
    let me_id = me.user.id;
    let view = EventsPage {
        layout: Layout::new(app, me, Some(slug), "events", "Events").await?,
        slug: slug.to_owned(),
        status: status.as_str().to_owned(),
        tabs,
        rows,
        counted: counted.summary(),
        can_moderate: role.is_some_and(|r| r.allows(me_id, Action::ModerateEvents)),
        can_settle: role.is_some_and(|r| r.allows(me_id, Action::EditCampaign)),
        settings: app.store.event_settings(id).await?,
        log,
        notice,
        problem,
        activity: activity.map(|a| a.to_string()).unwrap_or_default(),
        activities,
    };
    render(&view)
}

/// The tabs above the list: (status, label, how many events have it).
fn status_tabs(counts: &[(EventStatus, i64)]) -> Vec<(&'static str, &'static str, i64)> {
    let count = |s: EventStatus| counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
    [
        (EventStatus::Pending, "Waiting for approval"),
        (EventStatus::Approved, "Approved"),
        (EventStatus::Rejected, "Rejected"),
        (EventStatus::Unconfirmed, "Not confirmed"),
        (EventStatus::Cancelled, "Cancelled"),
    ]
    .into_iter()
    .map(|(s, label)| (s.as_str(), label, count(s)))
    .collect()
}

impl Row {
    /// An event as a row of the list.
    fn new(e: Event) -> Row {
        let f = &e.fields;
        let place = match (&f.url, f.city.is_empty()) {
            (Some(u), _) if f.event_type == rally_domain::event::EventType::Online => {
                format!("online: {u} ({})", f.country)
            }
            (_, true) => f.country.clone(),
            _ => format!("{}, {}", f.city, f.country),
        };
        Row {
            id: e.id.0,
            title: f.display_title().to_owned(),
            organization: f.organization.clone(),
            kind: f.event_type.label(),
            description: f.description.chars().take(200).collect(),
            place,
            centre: f.location_source == rally_domain::event::LocationSource::Country,
            when: if f.ends_on == f.starts_on {
                f.starts_on.to_string()
            } else {
                format!("{} – {}", f.starts_on, f.ends_on)
            },
            students: match e.students_actual {
                Some(n) => {
                    format!("{} (reported; {} expected)", super::number(n), super::number(f.students_expected))
                }
                None => super::number(f.students_expected),
            },
            organizer: f.organizer_name.clone(),
            email: f.organizer_email.to_string(),
            status: e.status.label(),
            reason: e.reason,
        }
    }
}

/// `GET /campaigns/{slug}/events[?status=pending]`.
pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Response, PageError> {
    let notice = q.done.as_deref().map(|d| match d {
        "approve" => "Approved; the organizers are being told.".to_owned(),
        "reject" => "Rejected; the organizers are being told why.".to_owned(),
        _ => "Saved.".to_owned(),
    });
    let activity = q.activity.as_deref().and_then(|a| a.trim().parse().ok());
    page_of(&app, &me, &slug, q.status.as_deref().unwrap_or("pending"), activity, notice, None).await
}

/// `POST /campaigns/{slug}/events/moderate`: approve or reject the selected events.
pub async fn moderate(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let status = form.get("status").to_owned();
    // "Approve all shown" takes every row of the page; the other buttons the ticked ones.
    let field = if form.get("decision") == "approve_all" { "shown" } else { "id" };
    let ids: Vec<EventId> =
        form.0.iter().filter(|(k, _)| k == field).filter_map(|(_, v)| v.parse().ok()).map(EventId).collect();
    if ids.is_empty() {
        return page(&app, &me, &slug, &status, None, Some("Select at least one event.".into())).await;
    }
    let decision = match form.get("decision") {
        "approve" | "approve_all" => Moderation::Approve,
        "reject" => Moderation::Reject { reason: form.get("reason").to_owned() },
        _ => return Err(PageError::BadRequest("choose approve or reject".into())),
    };
    let campaign = super::campaign_id(&app, &slug).await?;
    let done = if form.get("decision") == "reject" { "reject" } else { "approve" };
    match crate::moderation::moderate(&app, me.actor(), campaign, &ids, decision).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/events?status={status}&done={done}")).into_response()),
        Err(StoreError::Invalid(i)) => page(&app, &me, &slug, &status, None, Some(i.sentences())).await,
        Err(StoreError::Conflict { message, .. }) => page(&app, &me, &slug, &status, None, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /campaigns/{slug}/events/settings`.
pub async fn settings(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let settings = EventSettings {
        auto_approve: form.get("auto_approve") == "on",
        reapprove_edits: form.get("reapprove_edits") == "on",
        certificate_title: form.get("certificate_title").to_owned(),
        certificate_body: form.get("certificate_body").to_owned(),
        certificate_signer: form.get("certificate_signer").to_owned(),
    };
    match app.store.set_event_settings(me.actor(), campaign, settings).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/events?done=settings")).into_response()),
        Err(StoreError::Invalid(i)) => page(&app, &me, &slug, "pending", None, Some(i.sentences())).await,
        Err(e) => Err(e.into()),
    }
}

//! `GET /campaigns/{slug}/comms`: the e-mail page — a calendar of the coming weeks (milestones and the
//! days messages go), the messages with their delivery figures, the milestones, and the sender and
//! cadence settings. The forms on it (`settings.rs`) show it again, with their errors, when they fail.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use rally_domain::FieldError;
use rally_domain::cadence::weekday_code;
use rally_domain::comms::{Message, Milestone, MilestoneKind, OutboxStatus, SendTime};
use rally_store::MailSettings;

use super::can_edit;
use crate::AppState;
use crate::kit::FormState;
use crate::pages::{FormData, Layout, PageError, SignedIn, render};

/// A message in the page's list, with when it goes and its delivery so far.
pub struct MessageRow {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub segment: String,
    pub when: String,
    pub status: String,
}

/// A milestone in the page's list.
pub struct MilestoneRow {
    pub id: i64,
    pub kind: &'static str,
    /// The kind as the edit form sends it.
    pub kind_value: &'static str,
    pub title: String,
    pub on: String,
    /// How many messages go on its day (it cannot be deleted while any do).
    pub messages: usize,
}

/// The milestone forms' fields and labels, for the error summary.
const MILESTONE_LABELS: &[(&str, &str)] = &[("kind", "Milestone"), ("title", "Title"), ("on", "Day")];

/// One day of the plan's calendar grid.
pub struct CalendarDay {
    pub day: u32,
    pub date: String,
    pub today: bool,
    /// Outside the span the calendar covers (padding of the first and last week).
    pub outside: bool,
    pub milestones: Vec<String>,
    pub messages: Vec<(i64, String)>,
}

/// Weeks (Monday first) from this week to the week of the last dated item, at most 16 weeks.
fn calendar_weeks(
    today: NaiveDate,
    milestones: &[rally_domain::comms::Milestone],
    messages: &[(i64, String, NaiveDate)],
) -> Vec<Vec<CalendarDay>> {
    use chrono::Datelike;
    let last = milestones
        .iter()
        .map(|m| m.on)
        .chain(messages.iter().map(|m| m.2))
        .filter(|d| *d >= today)
        .max()
        .unwrap_or(today);
    let start = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let weeks = (((last - start).num_days() / 7) + 1).clamp(1, 16);
    (0..weeks)
        .map(|w| {
            (0..7)
                .map(|d| {
                    let date = start + chrono::Duration::days(w * 7 + d);
                    CalendarDay {
                        day: date.day(),
                        date: date.to_string(),
                        today: date == today,
                        outside: date < today || date > last,
                        milestones: milestones.iter().filter(|m| m.on == date).map(|m| m.title.clone()).collect(),
                        messages: messages.iter().filter(|m| m.2 == date).map(|m| (m.0, m.1.clone())).collect(),
                    }
                })
                .collect()
        })
        .collect()
}

#[derive(Template)]
#[template(path = "comms.html")]
struct CommsPage {
    layout: Layout,
    weeks: Vec<Vec<CalendarDay>>,
    slug: String,
    can_edit: bool,
    settings: MailSettings,
    weekdays: Vec<(&'static str, bool)>,
    milestones: Vec<MilestoneRow>,
    milestone_kinds: Vec<(&'static str, &'static str)>,
    messages: Vec<MessageRow>,
    /// The form that failed ("settings", "milestone", or a milestone's own form `m{id}`), with what was
    /// typed and every error.
    state: FormState,
}

impl CommsPage {
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        self.state.error(form, field)
    }

    fn value<'a>(&'a self, form: &str, field: &str, stored: &'a str) -> &'a str {
        self.state.value(form, field, stored)
    }

    /// Whether the legitimate-interest box is ticked: as sent, after a failed save.
    fn legit(&self) -> bool {
        if self.state.failed == "settings" {
            self.state.form.get("legitimate_interest") == "on"
        } else {
            self.settings.legitimate_interest
        }
    }
}

/// "on Registration opens (2026-11-30) at 09:00 local time" / "2026-12-01 08:00 UTC".
fn describe_send(send: &SendTime, milestones: &[rally_domain::comms::Milestone]) -> String {
    match send {
        SendTime::Milestone { milestone_id, at } => {
            let m = milestones.iter().find(|m| m.id == *milestone_id);
            let name = m.map_or("a milestone".to_owned(), |m| format!("{} ({})", m.title, m.on));
            format!("on {name} at {} local time", at.format("%H:%M"))
        }
        SendTime::At(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// A message's delivery so far in one line: "Draft", or its e-mails counted by status.
fn status(message: &Message, counts: &[(OutboxStatus, i64)]) -> String {
    if message.planned_at.is_none() {
        return "Draft".into();
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", s.label().to_lowercase())).collect();
    let state = match message.sending() {
        Some("cancelled") => "Cancelled: ",
        Some("paused") => "Paused: ",
        _ => "",
    };
    if parts.is_empty() {
        format!("{state}Queued (nobody in the segment)")
    } else {
        format!("{state}{}", parts.join(" · "))
    }
}

/// The e-mail page; `failed` names the form ("settings", "milestone", `m{id}`) that `form` and `errors`
/// are from.
pub(super) async fn comms_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    failed: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let id = found.campaign.id;
    let settings = app.store.mail_settings(me.actor(), id).await?;
    let milestones = app.store.milestones(me.actor(), id).await?;
    let mut messages = Vec::new();
    let mut dated = Vec::new();
    let mut on_milestone = Vec::new();
    let tz = settings.policy.recipient_zone(None);
    for m in app.store.messages(me.actor(), id).await? {
        let day = match &m.fields.send {
            SendTime::Milestone { milestone_id, .. } => {
                on_milestone.push(*milestone_id);
                milestones.iter().find(|x| x.id == *milestone_id).map(|x| x.on)
            }
            SendTime::At(t) => Some(t.with_timezone(&tz).date_naive()),
        };
        if let Some(day) = day {
            dated.push((m.id, m.fields.title.clone(), day));
        }
        let counts = if m.planned_at.is_some() { app.store.outbox_counts(me.actor(), m.id).await? } else { vec![] };
        messages.push(MessageRow {
            id: m.id,
            title: m.fields.title.clone(),
            kind: m.fields.kind.label(),
            segment: m.fields.segment.describe(),
            when: describe_send(&m.fields.send, &milestones),
            status: status(&m, &counts),
        });
    }
    let weekdays = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ]
    .into_iter()
    .map(|d| (weekday_code(d), settings.policy.quiet_weekdays.contains(&d)))
    .collect();
    let weeks = calendar_weeks(Utc::now().with_timezone(&tz).date_naive(), &milestones, &dated);
    let layout = Layout::new(app, me, Some(slug), "comms", format!("E-mail · {}", found.campaign.fields.name)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&CommsPage {
        layout,
        weeks,
        slug: slug.to_owned(),
        can_edit: can_edit(found.role),
        settings,
        weekdays,
        milestones: milestones.iter().map(|m| milestone_row(m, &on_milestone)).collect(),
        milestone_kinds: MilestoneKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        messages,
        state: FormState::new(failed, form, errors),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// A milestone as the page lists it; `on_milestone` holds the milestone of every message timed by one.
fn milestone_row(m: &Milestone, on_milestone: &[i64]) -> MilestoneRow {
    MilestoneRow {
        id: m.id,
        kind: m.kind.label(),
        kind_value: m.kind.as_str(),
        title: m.title.clone(),
        on: m.on.to_string(),
        messages: on_milestone.iter().filter(|id| **id == m.id).count(),
    }
}

/// `GET /campaigns/{slug}/comms`.
pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    comms_page(&app, &me, &slug, "", FormData::default(), vec![]).await
}

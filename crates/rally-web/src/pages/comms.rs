//! `/campaigns/{slug}/comms`: the communication plan — sender and cadence settings, milestones, the
//! messages with their templates per language and partner category, previews, test sends, queueing,
//! delivery figures, and the planner's calendar of every future e-mail.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use rally_comms::plan::{self, PlanError};
use rally_domain::cadence::{CadencePolicy, parse_weekday, weekday_code};
use rally_domain::comms::{Message, MessageDraft, MessageKind, MilestoneKind, OutboxStatus, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{Category, Consent, Email, FieldError, LanguageTag, Role, Stage, Tier};
use rally_store::{MailSettings, MessageTemplate, StoreError};

use super::{FormData, Layout, PageError, SignedIn, category_options, render, stage_options};
use crate::AppState;

/// How many extra template blocks (a language and a partner category) the editor offers.
const VARIANT_BLOCKS: usize = 2;

pub struct MessageRow {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub segment: String,
    pub when: String,
    pub status: String,
}

pub struct MilestoneRow {
    pub kind: &'static str,
    pub title: String,
    pub on: String,
}

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
    failed: &'static str,
    form: FormData,
    errors: Vec<FieldError>,
}

impl CommsPage {
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        if self.failed != form {
            return None;
        }
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn value<'a>(&'a self, form: &str, field: &str, stored: &'a str) -> &'a str {
        if self.failed == form { self.form.get(field) } else { stored }
    }

    /// Whether the legitimate-interest box is ticked: as sent, after a failed save.
    fn legit(&self) -> bool {
        if self.failed == "settings" {
            self.form.get("legitimate_interest") == "on"
        } else {
            self.settings.legitimate_interest
        }
    }
}

fn can_edit(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Owner | Role::Coordinator))
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

fn status(message: &Message, counts: &[(OutboxStatus, i64)]) -> String {
    if message.planned_at.is_none() {
        return "Draft".into();
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", s.label().to_lowercase())).collect();
    if parts.is_empty() { "Queued (nobody in the segment)".into() } else { parts.join(" · ") }
}

async fn comms_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    failed: &'static str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let id = found.campaign.id;
    let settings = app.store.mail_settings(me.actor(), id).await?;
    let milestones = app.store.milestones(me.actor(), id).await?;
    let mut messages = Vec::new();
    let mut dated = Vec::new();
    let tz = settings.policy.recipient_zone(None);
    for m in app.store.messages(me.actor(), id).await? {
        let day = match &m.fields.send {
            SendTime::Milestone { milestone_id, .. } => milestones.iter().find(|x| x.id == *milestone_id).map(|x| x.on),
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
        milestones: milestones
            .iter()
            .map(|m| MilestoneRow { kind: m.kind.label(), title: m.title.clone(), on: m.on.to_string() })
            .collect(),
        milestone_kinds: MilestoneKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        messages,
        failed,
        form,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    comms_page(&app, &me, &slug, "", FormData::default(), vec![]).await
}

/// Errors a form can show next to its fields.
fn field_errors(e: StoreError) -> Result<Vec<FieldError>, PageError> {
    match e {
        StoreError::Invalid(i) => Ok(i.0),
        StoreError::Conflict { field, message } => Ok(vec![FieldError { field: field.into(), message }]),
        e => Err(e.into()),
    }
}

fn number_u32(form: &FormData, name: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    form.number(name, errors).and_then(|n| match u32::try_from(n) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError { field: name.into(), message: "must be zero or more".into() });
            None
        }
    })
}

/// Saves the sender and the cadence policy.
pub async fn save_settings(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::read(&body)?;
    let campaign = super::campaign_id(&app, &slug).await?;
    let stored = app.store.mail_settings(me.actor(), campaign).await?;
    let mut errors = Vec::new();
    let from_address = match Email::parse(form.get("from_address")) {
        Ok(e) => Some(e),
        Err(message) => {
            errors.push(FieldError { field: "from_address".into(), message });
            None
        }
    };
    let reply_to = match form.some("reply_to").map(|r| Email::parse(&r)).transpose() {
        Ok(r) => r,
        Err(message) => {
            errors.push(FieldError { field: "reply_to".into(), message });
            None
        }
    };
    let get = |name: &str, errors: &mut Vec<FieldError>| number_u32(&form, name, errors);
    let policy = CadencePolicy {
        max_per_window: get("max_per_window", &mut errors).unwrap_or(stored.policy.max_per_window),
        window_days: get("window_days", &mut errors).unwrap_or(stored.policy.window_days),
        min_gap_hours: get("min_gap_hours", &mut errors).unwrap_or(stored.policy.min_gap_hours),
        quiet_weekdays: form
            .0
            .iter()
            .filter(|(k, _)| k == "quiet")
            .filter_map(|(_, v)| parse_weekday(v).ok())
            .collect(),
        window_start_hour: get("window_start_hour", &mut errors)
            .map_or(stored.policy.window_start_hour, |h| h.min(255) as u8),
        window_end_hour: get("window_end_hour", &mut errors)
            .map_or(stored.policy.window_end_hour, |h| h.min(255) as u8),
        time_zone: form.some("time_zone").unwrap_or(stored.policy.time_zone.clone()),
        expire_after_days: get("expire_after_days", &mut errors).unwrap_or(stored.policy.expire_after_days),
    };
    let Some(from_address) = from_address.filter(|_| errors.is_empty()) else {
        return comms_page(&app, &me, &slug, "settings", form, errors).await;
    };
    let settings = MailSettings {
        from_name: form.get("from_name").to_owned(),
        from_address,
        reply_to,
        policy,
        legitimate_interest: form.get("legitimate_interest") == "on",
    };
    match app.store.set_mail_settings(me.actor(), campaign, settings).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#settings")).into_response()),
        Err(e) => {
            // Policy errors are named `max_per_window` etc.; the form's fields carry the same names.
            comms_page(&app, &me, &slug, "settings", form, field_errors(e)?).await
        }
    }
}

/// Adds a milestone to the plan.
pub async fn add_milestone(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::read(&body)?;
    let campaign = super::campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let kind = MilestoneKind::parse(form.get("kind"))
        .map_err(|message| errors.push(FieldError { field: "kind".into(), message }))
        .ok();
    let on = form.date("on", &mut errors);
    if on.is_none() && !errors.iter().any(|e| e.field == "on") {
        errors.push(FieldError { field: "on".into(), message: "required: the day".into() });
    }
    let (Some(kind), Some(on)) = (kind, on) else {
        return comms_page(&app, &me, &slug, "milestone", form, errors).await;
    };
    let title = form.some("title").unwrap_or_else(|| kind.label().to_owned());
    match app.store.create_milestone(me.actor(), campaign, kind, &title, on).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#milestones")).into_response()),
        Err(e) => comms_page(&app, &me, &slug, "milestone", form, field_errors(e)?).await,
    }
}

// ---------------------------------------------------------------------------------------------------
// The message editor

pub struct Block {
    pub index: usize,
    pub language: String,
    pub category: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A block for one of the campaign's languages (fixed language, every category).
    pub fixed: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    slug: String,
    /// `None` for a new message.
    id: Option<i64>,
    can_edit: bool,
    planned: bool,
    title: String,
    kind: &'static str,
    /// The kinds a team may write: (value, "Label — what it means").
    kinds: Vec<(&'static str, String)>,
    send_mode: &'static str,
    milestone_id: i64,
    send_time: String,
    send_date: String,
    fallback: String,
    segment: Segment,
    blocks: Vec<Block>,
    languages: Vec<String>,
    milestones: Vec<(i64, String)>,
    categories: Vec<(&'static str, &'static str)>,
    stages: Vec<(&'static str, &'static str)>,
    variables: Vec<(&'static str, &'static str)>,
    time_zone: String,
    stats: Vec<(String, i64)>,
    /// Contacts to preview for: (id, "name <email> — partner").
    recipients: Vec<(i64, String)>,
    /// Rendered preview for one contact: (for whom, subject, text, html).
    preview: Option<(String, String, String, String)>,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

impl MessagePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn block_error(&self, index: &usize, part: &str) -> Option<&str> {
        self.error(&format!("t{index}.{part}"))
    }

    fn has_category(&self, c: &str) -> bool {
        self.segment.categories.iter().any(|x| x.as_str() == c)
    }

    fn has_stage(&self, s: &str) -> bool {
        self.segment.stages.iter().any(|x| x.as_str() == s)
    }

    fn has_tier(&self, t: &str) -> bool {
        self.segment.tiers.iter().any(|x| x.as_str() == t)
    }

    fn has_consent(&self, c: &str) -> bool {
        self.segment.consent.iter().any(|x| x.as_str() == c)
    }

    fn has_audience(&self, a: &str) -> bool {
        self.segment.audiences.iter().any(|x| x.as_str() == a)
    }

    fn audiences(&self) -> Vec<&'static str> {
        rally_domain::Audience::ALL.iter().map(|a| a.as_str()).collect()
    }

    fn segment_countries(&self) -> String {
        self.segment.countries.join(", ")
    }

    fn segment_languages(&self) -> String {
        self.segment.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// The editor's state: from a stored message, or from a form that failed.
struct Editor {
    title: String,
    kind: MessageKind,
    send: Option<SendTime>,
    send_mode: &'static str,
    send_time: String,
    send_date: String,
    fallback: String,
    segment: Segment,
    blocks: Vec<Block>,
}

fn blocks_for(languages: &[String], templates: &[MessageTemplate]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for lang in languages {
        let t = templates.iter().find(|t| t.language.as_str() == lang && t.category.is_none());
        blocks.push(Block {
            index: blocks.len(),
            language: lang.clone(),
            category: String::new(),
            subject: t.map(|t| t.set.subject.clone()).unwrap_or_default(),
            text: t.map(|t| t.set.text.clone()).unwrap_or_default(),
            html: t.map(|t| t.set.html.clone()).unwrap_or_default(),
            fixed: true,
        });
    }
    let extra: Vec<&MessageTemplate> =
        templates.iter().filter(|t| t.category.is_some() || !languages.contains(&t.language.to_string())).collect();
    for i in 0..extra.len().max(VARIANT_BLOCKS) {
        let t = extra.get(i);
        blocks.push(Block {
            index: blocks.len(),
            language: t.map_or(languages.first().cloned().unwrap_or_default(), |t| t.language.to_string()),
            category: t.and_then(|t| t.category).map_or(String::new(), |c| c.as_str().to_owned()),
            subject: t.map(|t| t.set.subject.clone()).unwrap_or_default(),
            text: t.map(|t| t.set.text.clone()).unwrap_or_default(),
            html: t.map(|t| t.set.html.clone()).unwrap_or_default(),
            fixed: false,
        });
    }
    blocks
}

#[allow(clippy::too_many_arguments)]
async fn message_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    id: Option<i64>,
    editor: Option<Editor>,
    preview: Option<(String, String, String, String)>,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let campaign = found.campaign;
    let languages: Vec<String> = campaign.fields.languages.iter().map(ToString::to_string).collect();
    let milestones = app.store.milestones(me.actor(), campaign.id).await?;
    let settings = app.store.mail_settings(me.actor(), campaign.id).await?;
    let (stored, templates, stats) = match id {
        Some(id) => {
            let (m, t) = app.store.message(me.actor(), id).await?;
            if m.campaign_id != campaign.id {
                return Err(PageError::NotFound);
            }
            let mut stats: Vec<(String, i64)> = app
                .store
                .outbox_counts(me.actor(), id)
                .await?
                .into_iter()
                .map(|(s, n)| (s.label().to_owned(), n))
                .collect();
            if m.planned_at.is_some() {
                stats.push(("Unsubscribed since".to_owned(), app.store.unsubscribed(me.actor(), id).await?));
            }
            (Some(m), t, stats)
        }
        None => (None, vec![], vec![]),
    };
    let editor = match (editor, &stored) {
        (Some(e), _) => e,
        (None, Some(m)) => {
            let (send_mode, send_time, send_date) = match &m.fields.send {
                SendTime::Milestone { at, .. } => ("milestone", at.format("%H:%M").to_string(), String::new()),
                SendTime::At(t) => {
                    let tz = settings.policy.recipient_zone(None);
                    let local = t.with_timezone(&tz);
                    ("at", local.format("%H:%M").to_string(), local.format("%Y-%m-%d").to_string())
                }
            };
            Editor {
                title: m.fields.title.clone(),
                kind: m.fields.kind,
                send: Some(m.fields.send.clone()),
                send_mode,
                send_time,
                send_date,
                fallback: m.fields.fallback_language.to_string(),
                segment: m.fields.segment.clone(),
                blocks: blocks_for(&languages, &templates),
            }
        }
        (None, None) => Editor {
            title: String::new(),
            kind: MessageKind::Marketing,
            send: None,
            send_mode: "milestone",
            send_time: "09:00".into(),
            send_date: String::new(),
            fallback: languages.first().cloned().unwrap_or_else(|| "en".into()),
            segment: Segment::default(),
            blocks: blocks_for(&languages, &[]),
        },
    };
    let recipients = match id {
        Some(id) => app
            .store
            .recipients(me.actor(), id)
            .await?
            .into_iter()
            .filter(|r| r.excluded.is_none())
            .take(300)
            .map(|r| {
                (r.contact.id.0, format!("{} <{}> — {}", r.contact.fields.name, r.contact.fields.email, r.partner_name))
            })
            .collect(),
        None => vec![],
    };
    let milestone_id = match &editor.send {
        Some(SendTime::Milestone { milestone_id, .. }) => *milestone_id,
        _ => 0,
    };
    let title = stored.as_ref().map_or("New message".to_owned(), |m| m.fields.title.clone());
    let layout = Layout::new(app, me, Some(slug), "comms", title).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&MessagePage {
        layout,
        slug: slug.to_owned(),
        id,
        can_edit: can_edit(found.role),
        planned: stored.as_ref().is_some_and(|m| m.planned_at.is_some()),
        title: editor.title,
        kind: editor.kind.as_str(),
        kinds: MessageKind::ALL.iter().map(|k| (k.as_str(), format!("{} — {}", k.label(), k.explain()))).collect(),
        send_mode: editor.send_mode,
        milestone_id,
        send_time: editor.send_time,
        send_date: editor.send_date,
        fallback: editor.fallback,
        segment: editor.segment,
        blocks: editor.blocks,
        languages,
        milestones: milestones.iter().map(|m| (m.id, format!("{} — {} ({})", m.on, m.title, m.kind.label()))).collect(),
        categories: category_options(),
        stages: stage_options(),
        variables: rally_domain::template::VARIABLES.to_vec(),
        time_zone: settings.policy.time_zone.clone(),
        stats,
        recipients,
        preview,
        notice,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    message_page(&app, &me, &slug, None, None, None, None, vec![]).await
}

pub async fn show_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NotFound)?;
    message_page(&app, &me, &slug, Some(id), None, None, None, vec![]).await
}

fn parse_list<T>(
    form: &FormData,
    name: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (_, v) in form.0.iter().filter(|(k, _)| k == name) {
        match parse(v) {
            Ok(x) => out.push(x),
            Err(message) => errors.push(FieldError { field: name.into(), message }),
        }
    }
    out
}

/// Reads the editor's form: the message's fields, its templates (with the block each came from), and
/// what to show again if it fails.
async fn read_editor(
    app: &AppState,
    me: &SignedIn,
    campaign: &rally_domain::Campaign,
    form: &FormData,
    errors: &mut Vec<FieldError>,
) -> Result<(Editor, MessageDraft, Vec<(usize, MessageTemplate)>), PageError> {
    let kind = MessageKind::parse(form.get("kind"))
        .map_err(|_| {
            let message = "choose marketing or service".to_owned();
            errors.push(FieldError { field: "kind".into(), message })
        })
        .unwrap_or(MessageKind::Marketing);
    let segment = Segment {
        categories: parse_list(form, "categories", Category::parse, errors),
        tiers: parse_list(form, "tiers", Tier::parse, errors),
        stages: parse_list(form, "stages", Stage::parse, errors),
        consent: parse_list(form, "consent", Consent::parse, errors),
        audiences: parse_list(form, "audiences", rally_domain::Audience::parse, errors),
        countries: form
            .get("countries")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        languages: form
            .get("segment_languages")
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .filter_map(|l| {
                LanguageTag::parse(l)
                    .map_err(|message| errors.push(FieldError { field: "segment_languages".into(), message }))
                    .ok()
            })
            .collect(),
        owners: vec![],
    };
    let settings = app.store.mail_settings(me.actor(), campaign.id).await?;
    let time = form.some("send_time").map(|t| {
        NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| {
            errors.push(FieldError { field: "send_time".into(), message: "use the form HH:MM, e.g. 09:00".into() })
        })
    });
    let time = match time {
        Some(Ok(t)) => Some(t),
        Some(Err(())) => None,
        None => Some(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()),
    };
    let send_mode = if form.get("send_mode") == "at" { "at" } else { "milestone" };
    let send = match (send_mode, time) {
        ("milestone", Some(at)) => match form.get("milestone_id").parse::<i64>() {
            Ok(milestone_id) => Some(SendTime::Milestone { milestone_id, at }),
            Err(_) => {
                errors.push(FieldError {
                    field: "milestone_id".into(),
                    message: "choose a milestone, or send at a date and time".into(),
                });
                None
            }
        },
        ("at", Some(at)) => {
            let date: Option<NaiveDate> = form.date("send_date", errors);
            match date {
                Some(d) => {
                    let tz = settings.policy.recipient_zone(None);
                    tz.from_local_datetime(&d.and_time(at)).earliest().map(|t| SendTime::At(t.with_timezone(&Utc)))
                }
                None => {
                    if !errors.iter().any(|e| e.field == "send_date") {
                        errors.push(FieldError {
                            field: "send_date".into(),
                            message: "required: the day it goes".into(),
                        });
                    }
                    None
                }
            }
        }
        _ => None,
    };
    let mut blocks = Vec::new();
    let mut templates = Vec::new();
    let languages: Vec<String> = campaign.fields.languages.iter().map(ToString::to_string).collect();
    let count = languages.len()
        + VARIANT_BLOCKS
            .max(form.0.iter().filter(|(k, _)| k.ends_with(".language")).count().saturating_sub(languages.len()));
    for i in 0..count {
        let get = |part: &str| form.get(&format!("t{i}.{part}")).to_owned();
        let block = Block {
            index: i,
            language: get("language"),
            category: get("category"),
            subject: get("subject"),
            text: get("text"),
            html: get("html"),
            fixed: i < languages.len(),
        };
        if !(block.subject.trim().is_empty() && block.text.trim().is_empty() && block.html.trim().is_empty()) {
            let language = LanguageTag::parse(&block.language)
                .map_err(|message| errors.push(FieldError { field: format!("t{i}.language"), message }));
            let category = if block.category.is_empty() {
                Ok(None)
            } else {
                Category::parse(&block.category)
                    .map(Some)
                    .map_err(|message| errors.push(FieldError { field: format!("t{i}.category"), message }))
            };
            if let (Ok(language), Ok(category)) = (language, category) {
                let set =
                    TemplateSet { subject: block.subject.clone(), text: block.text.clone(), html: block.html.clone() };
                templates.push((i, MessageTemplate { language, category, set }));
            }
        }
        blocks.push(block);
    }
    let draft = MessageDraft {
        title: form.some("title"),
        kind: Some(kind),
        segment: Some(segment.clone()),
        send: send.clone(),
        fallback_language: form.some("fallback_language"),
    };
    let editor = Editor {
        title: form.get("title").to_owned(),
        kind,
        send,
        send_mode,
        send_time: form.get("send_time").to_owned(),
        send_date: form.get("send_date").to_owned(),
        fallback: form.get("fallback_language").to_owned(),
        segment,
        blocks,
    };
    Ok((editor, draft, templates))
}

/// Store errors on templates are named `templates[n].text`; the form's blocks are `t{block}.text`.
fn block_errors(errors: Vec<FieldError>, templates: &[(usize, MessageTemplate)]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| match e.field.strip_prefix("templates[").and_then(|r| r.split_once("].")) {
            Some((n, part)) => {
                let block = n.parse::<usize>().ok().and_then(|n| templates.get(n)).map_or(0, |(b, _)| *b);
                FieldError { field: format!("t{block}.{part}"), message: e.message }
            }
            None if e.field == "send" => FieldError { field: "milestone_id".into(), message: e.message },
            None if e.field == "send.milestone_id" => FieldError { field: "milestone_id".into(), message: e.message },
            None => e,
        })
        .collect()
}

/// Creates (`id` None) or saves a draft message from the editor.
async fn save(app: &AppState, me: &SignedIn, slug: &str, id: Option<i64>, body: &Bytes) -> Result<Response, PageError> {
    let form = FormData::read(body)?;
    let campaign = app.store.campaign_by_slug(me.actor(), slug).await?.campaign;
    let mut errors = Vec::new();
    let (editor, draft, templates) = read_editor(app, me, &campaign, &form, &mut errors).await?;
    let fields = match draft.validate() {
        Ok(f) => Some(f),
        Err(e) => {
            errors.extend(e.0.into_iter().map(|f| {
                if f.field == "send" { FieldError { field: "milestone_id".into(), message: f.message } } else { f }
            }));
            None
        }
    };
    if templates.is_empty() {
        errors.push(FieldError {
            field: "t0.subject".into(),
            message: "write the message in at least one language".into(),
        });
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return message_page(app, me, slug, id, Some(editor), None, None, errors).await;
    };
    let list: Vec<MessageTemplate> = templates.iter().map(|(_, t)| t.clone()).collect();
    let result = match id {
        None => app.store.create_message(me.actor(), campaign.id, fields, list).await,
        Some(id) => {
            let (stored, _) = app.store.message(me.actor(), id).await?;
            if stored.campaign_id != campaign.id {
                return Err(PageError::NotFound);
            }
            app.store.update_message(me.actor(), id, fields, Some(list)).await
        }
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms/messages/{}", m.id)).into_response()),
        Err(e) => {
            let errors = block_errors(field_errors(e)?, &templates);
            message_page(app, me, slug, id, Some(editor), None, None, errors).await
        }
    }
}

pub async fn create_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    save(&app, &me, &slug, None, &body).await
}

pub async fn update_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NotFound)?;
    save(&app, &me, &slug, Some(id), &body).await
}

#[derive(Debug, serde::Deserialize)]
pub struct PreviewQuery {
    contact: Option<String>,
}

/// A planning failure as a message on the page.
fn plan_problem(e: PlanError) -> Result<String, PageError> {
    match e {
        PlanError::Store(e) => match e {
            StoreError::Invalid(i) => Ok(i.sentences()),
            StoreError::Conflict { message, .. } => Ok(message),
            e => Err(e.into()),
        },
        other => Ok(other.to_string()),
    }
}

/// Renders the message for one contact of its segment.
pub async fn preview(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let contact = q.contact.as_deref().and_then(|c| c.parse().ok()).map(rally_domain::ContactId);
    match plan::preview(&*app.store, me.actor(), id, contact, app.public_url.as_str()).await {
        Ok((who, r)) => {
            let shown = (who, r.subject, r.text, r.html.unwrap_or_default());
            message_page(&app, &me, &slug, Some(id), None, Some(shown), None, vec![]).await
        }
        Err(e) => {
            let message = plan_problem(e)?;
            let errors = vec![FieldError { field: "preview".into(), message }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

/// Sends the message, as one contact would get it, to the signed-in user.
pub async fn test_send(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let Some(transport) = app.mail.clone() else {
        let errors = vec![FieldError {
            field: "preview".into(),
            message: "this server sends no mail (start it with --mail)".into(),
        }];
        return message_page(&app, &me, &slug, Some(id), None, None, None, errors).await;
    };
    let result =
        plan::send_test(&*app.store, &transport, me.actor(), id, None, &me.user.email, app.public_url.as_str()).await;
    match result {
        Ok(who) => {
            let notice = format!("Sent to {}, as {who} would get it.", me.user.email);
            message_page(&app, &me, &slug, Some(id), None, None, Some(notice), vec![]).await
        }
        Err(e) => {
            let errors = vec![FieldError { field: "preview".into(), message: plan_problem(e)? }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

/// Renders the message for its whole segment and puts it in the outbox.
pub async fn queue(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    match plan::queue_message(&*app.store, me.actor(), id, app.public_url.as_str(), Utc::now()).await {
        Ok((planned, added)) => {
            // Who got nothing, by reason: "2 opted out of campaign e-mail, 1 unsubscribed from all e-mail".
            let mut reasons: Vec<(&str, usize)> = Vec::new();
            for (_, why) in &planned.excluded {
                match reasons.iter_mut().find(|(r, _)| *r == why.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => reasons.push((why.as_str(), 1)),
                }
            }
            let left_out = if reasons.is_empty() {
                "no contact left out".to_owned()
            } else {
                let each: Vec<String> = reasons.iter().map(|(why, n)| format!("{n} {why}")).collect();
                format!("{} contacts left out: {}", planned.excluded.len(), each.join(", "))
            };
            let notice = format!(
                "Queued {added} e-mails: {} on time, {} deferred by the cadence rules, {} expired; {left_out}.",
                planned.on_time(),
                planned.deferred(),
                planned.expired(),
            );
            message_page(&app, &me, &slug, Some(id), None, None, Some(notice), vec![]).await
        }
        Err(PlanError::Store(StoreError::Forbidden)) => Err(PageError::Forbidden),
        Err(PlanError::Store(StoreError::NotFound(_))) => Err(PageError::NotFound),
        Err(e) => {
            let errors = vec![FieldError { field: "preview".into(), message: plan_problem(e)? }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The planner's calendar

pub struct PlanDay {
    pub day: String,
    pub rows: Vec<PlanRow>,
}

pub struct PlanRow {
    pub message: String,
    pub on_time: usize,
    pub deferred: Vec<(String, String)>,
    pub expired: Vec<(String, String)>,
    /// Contacts of the segment that get nothing, and why.
    pub left_out: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "comms_plan.html")]
struct PlanPage {
    layout: Layout,
    slug: String,
    days: Vec<PlanDay>,
    total: usize,
    deferred: usize,
    expired: usize,
    left_out: usize,
    policy: String,
}

/// Every draft message's future e-mails, day by day, with what the cadence rules moved and why.
pub async fn calendar(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let settings = app.store.mail_settings(me.actor(), found.campaign.id).await?;
    let lines = match plan::plan_campaign(&*app.store, me.actor(), found.campaign.id, Utc::now()).await {
        Ok(l) => l,
        Err(e) => return Err(PageError::BadRequest(plan_problem(e)?)),
    };
    let tz = settings.policy.recipient_zone(None);
    let mut days: Vec<PlanDay> = Vec::new();
    let (mut deferred, mut expired, mut left_out) = (0, 0, 0);
    for l in &lines {
        let when = l.at.unwrap_or(l.wanted).with_timezone(&tz);
        let day = when.format("%a %Y-%m-%d").to_string();
        if days.last().is_none_or(|d| d.day != day) {
            days.push(PlanDay { day: day.clone(), rows: vec![] });
        }
        let Some(d) = days.last_mut() else { continue };
        let row = match d.rows.iter_mut().find(|r| r.message == l.message) {
            Some(r) => r,
            None => {
                d.rows.push(PlanRow {
                    message: l.message.clone(),
                    on_time: 0,
                    deferred: vec![],
                    expired: vec![],
                    left_out: vec![],
                });
                let last = d.rows.len() - 1;
                &mut d.rows[last]
            }
        };
        match (l.at, l.reason.is_empty()) {
            _ if l.left_out => {
                left_out += 1;
                row.left_out.push((l.email.clone(), l.reason.clone()));
            }
            (None, _) => {
                expired += 1;
                row.expired.push((l.email.clone(), l.reason.clone()));
            }
            (Some(at), false) => {
                deferred += 1;
                let moved = format!(
                    "{} (wanted {}): {}",
                    at.with_timezone(&tz).format("%H:%M"),
                    l.wanted.with_timezone(&tz).format("%a %d %b %H:%M"),
                    l.reason
                );
                row.deferred.push((l.email.clone(), moved));
            }
            (Some(_), true) => row.on_time += 1,
        }
    }
    let p = &settings.policy;
    let policy = format!(
        "At most {} marketing e-mails per contact in {} days, {} h apart, between {:02}:00 and {:02}:00 ({}){}",
        p.max_per_window,
        p.window_days,
        p.min_gap_hours,
        p.window_start_hour,
        p.window_end_hour,
        p.time_zone,
        if p.quiet_weekdays.is_empty() {
            String::new()
        } else {
            format!(
                ", never on {}",
                p.quiet_weekdays.iter().map(|d| rally_domain::cadence::weekday_name(*d)).collect::<Vec<_>>().join(", ")
            )
        }
    );
    let layout =
        Layout::new(&app, &me, Some(&slug), "comms", format!("E-mail plan · {}", found.campaign.fields.name)).await?;
    render(&PlanPage { layout, slug, total: lines.len() - left_out, deferred, expired, left_out, days, policy })
}

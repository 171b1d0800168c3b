//! A message's page, `/campaigns/{slug}/comms/messages/{id}` (and `…/new`): the editor — title, kind,
//! when it goes (on a milestone's day or at a date), the segment it goes to, and its texts per language
//! and partner category — with its delivery figures; saving creates or updates the draft, and a draft
//! can be deleted. The page's "Check and send" part is `sending.rs`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use rally_domain::comms::{Message, MessageDraft, MessageKind, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{CampaignId, Category, Consent, FieldError, LanguageTag, Stage, Tier};
use rally_store::{MailSettings, MessageTemplate};

use super::{can_edit, field_errors};
use crate::AppState;
use crate::pages::{FormData, Layout, PageError, SignedIn, campaign_id, category_options, render, stage_options};

/// How many extra template blocks (a language and a partner category) the editor offers.
const VARIANT_BLOCKS: usize = 2;

/// One block of the editor's texts: a language (and, for a variant, a partner category) with its
/// subject, text and HTML.
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
    /// Where a queued message's sending stands: "queued", "paused" or "cancelled" ("" for a draft).
    sending: &'static str,
    /// Its e-mails not sent yet (waiting, deferred or paused): what cancelling drops.
    unsent: i64,
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
pub(super) struct Editor {
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

impl Editor {
    /// The editor showing a stored message, its send time in the campaign's time zone.
    fn of(m: &Message, languages: &[String], templates: &[MessageTemplate], settings: &MailSettings) -> Editor {
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
            blocks: blocks_for(languages, templates),
        }
    }

    /// The editor of a new message: marketing, at 09:00 on a milestone's day, empty blocks.
    fn blank(languages: &[String]) -> Editor {
        Editor {
            title: String::new(),
            kind: MessageKind::Marketing,
            send: None,
            send_mode: "milestone",
            send_time: "09:00".into(),
            send_date: String::new(),
            fallback: languages.first().cloned().unwrap_or_else(|| "en".into()),
            segment: Segment::default(),
            blocks: blocks_for(languages, &[]),
        }
    }
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

/// A message's page: `editor` is what to show in the form (after a failed save), else the stored message
/// (`id`) or a new one; `preview` and `notice` are what "Check and send" did.
#[allow(clippy::too_many_arguments)]
pub(super) async fn message_page(
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
    let (stored, templates, stats) = stored_message(app, me, campaign.id, id).await?;
    let editor = match (editor, &stored) {
        (Some(e), _) => e,
        (None, Some(m)) => Editor::of(m, &languages, &templates, &settings),
        (None, None) => Editor::blank(&languages),
    };
    let recipients = preview_recipients(app, me, id).await?;
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
        sending: stored.as_ref().and_then(Message::sending).unwrap_or(""),
        unsent: stats.iter().filter(|(s, _)| UNSENT.contains(&s.as_str())).map(|(_, n)| n).sum(),
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

/// The labels of the statuses of e-mails that have not gone yet.
const UNSENT: [&str; 3] = ["Planned", "Deferred", "Paused"];

/// The stored message `id` of the campaign, its templates and its delivery figures ((status, count),
/// and the unsubscribes since it was queued); nothing for a new message.
async fn stored_message(
    app: &AppState,
    me: &SignedIn,
    campaign: CampaignId,
    id: Option<i64>,
) -> Result<(Option<Message>, Vec<MessageTemplate>, Vec<(String, i64)>), PageError> {
    let Some(id) = id else {
        return Ok((None, vec![], vec![]));
    };
    let (m, t) = app.store.message(me.actor(), id).await?;
    if m.campaign_id != campaign {
        return Err(PageError::NotFound);
    }
    let mut stats: Vec<(String, i64)> =
        app.store.outbox_counts(me.actor(), id).await?.into_iter().map(|(s, n)| (s.label().to_owned(), n)).collect();
    if m.planned_at.is_some() {
        stats.push(("Unsubscribed since".to_owned(), app.store.unsubscribed(me.actor(), id).await?));
    }
    Ok((Some(m), t, stats))
}

/// Contacts the message `id` goes to, to preview it for: (id, "name <email> — partner"), the first 300.
async fn preview_recipients(app: &AppState, me: &SignedIn, id: Option<i64>) -> Result<Vec<(i64, String)>, PageError> {
    let Some(id) = id else {
        return Ok(vec![]);
    };
    Ok(app
        .store
        .recipients(me.actor(), id)
        .await?
        .into_iter()
        .filter(|r| r.excluded.is_none())
        .take(300)
        .map(|r| {
            (r.contact.id.0, format!("{} <{}> — {}", r.contact.fields.name, r.contact.fields.email, r.partner_name))
        })
        .collect())
}

/// `GET /campaigns/{slug}/comms/messages/new`: the editor of a new message.
pub async fn new_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    message_page(&app, &me, &slug, None, None, None, None, vec![]).await
}

/// `GET /campaigns/{slug}/comms/messages/{id}`.
pub async fn show_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NotFound)?;
    message_page(&app, &me, &slug, Some(id), None, None, None, vec![]).await
}

/// Every value of the repeated field `name`, parsed; a value that does not parse goes to `errors`.
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
    let segment = read_segment(form, errors);
    let settings = app.store.mail_settings(me.actor(), campaign.id).await?;
    let (send_mode, send) = read_send(form, &settings, errors);
    let languages: Vec<String> = campaign.fields.languages.iter().map(ToString::to_string).collect();
    let (blocks, templates) = read_blocks(form, &languages, errors);
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

/// Who the message goes to: the ticked categories, tiers, stages, consents and audiences, and the
/// countries and languages listed (comma-separated).
fn read_segment(form: &FormData, errors: &mut Vec<FieldError>) -> Segment {
    Segment {
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
    }
}

/// When the message goes, and which way the form chose ("milestone" or "at"): on a milestone's day or
/// on a date, at a time (09:00 when none is given) in the campaign's time zone.
fn read_send(
    form: &FormData,
    settings: &MailSettings,
    errors: &mut Vec<FieldError>,
) -> (&'static str, Option<SendTime>) {
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
    (send_mode, send)
}

/// The template blocks as sent (one per campaign language, then the variants), and the templates of
/// those written in, each with its block's index.
fn read_blocks(
    form: &FormData,
    languages: &[String],
    errors: &mut Vec<FieldError>,
) -> (Vec<Block>, Vec<(usize, MessageTemplate)>) {
    let mut blocks = Vec::new();
    let mut templates = Vec::new();
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
    (blocks, templates)
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

/// `POST /campaigns/{slug}/comms/messages`: a new draft.
pub async fn create_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    save(&app, &me, &slug, None, &body).await
}

/// `POST /campaigns/{slug}/comms/messages/{id}`: the draft saved.
pub async fn update_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NotFound)?;
    save(&app, &me, &slug, Some(id), &body).await
}

/// `POST /campaigns/{slug}/comms/messages/{id}/delete`: a draft deleted with its texts. A queued message
/// stays (its e-mails are in the outbox: cancel the rest of it instead).
pub async fn delete_message(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let campaign = campaign_id(&app, &slug).await?;
    let (stored, _) = app.store.message(me.actor(), id).await?;
    if stored.campaign_id != campaign {
        return Err(PageError::NotFound);
    }
    let result = if stored.planned_at.is_some() {
        let message = "this message is queued and stays on record; cancel the rest of it instead".to_owned();
        Err(vec![FieldError { field: "message".into(), message }])
    } else {
        match app.store.delete_message(me.actor(), id).await {
            Ok(()) => Ok(()),
            Err(e) => Err(field_errors(e)?),
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#messages")).into_response()),
        Err(errors) => message_page(&app, &me, &slug, Some(id), None, None, None, errors).await,
    }
}

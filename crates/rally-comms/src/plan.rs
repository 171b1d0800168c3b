//! Planning: which contacts a message reaches, what each one reads, and when it may go.
//!
//! Everything is rendered and timed before anything is written: a template that fails for one contact
//! stops the whole message with that contact named, so a broken variable never reaches thousands.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use rally_domain::cadence::{self, CadencePolicy, MailKind, Slot};
use rally_domain::comms::{Message, OutboxStatus, SendTime, pick_template};
use rally_domain::template::{self, RenderError, TemplateSet};
use rally_domain::{Campaign, CampaignId, ContactId, PartnerId};
use rally_store::{Actor, MessageTemplate, NewDelivery, Recipient, Store, StoreError};
use serde_json::{Value, json};

use crate::unsubscribe;

/// Why a message could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template failed for one contact: nothing was planned.
    #[error("the template does not render for {email}: {error}")]
    Render { email: String, error: RenderError },
    /// A contact's language has no template and neither has the fallback language.
    #[error("no template for {email} (language {language}); add one in the fallback language")]
    NoTemplate { email: String, language: String },
    #[error("{0}")]
    Invalid(String),
}

/// A message planned for its segment: the rendered e-mails, and the contacts left out with why.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    pub deliveries: Vec<NewDelivery>,
    pub excluded: Vec<(String, String)>,
}

impl Planned {
    fn count(&self, status: OutboxStatus) -> usize {
        self.deliveries.iter().filter(|d| d.status() == status).count()
    }

    pub fn on_time(&self) -> usize {
        self.count(OutboxStatus::Planned)
    }

    pub fn deferred(&self) -> usize {
        self.count(OutboxStatus::Deferred)
    }

    pub fn expired(&self) -> usize {
        self.count(OutboxStatus::Expired)
    }
}

/// One e-mail of the campaign's future calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanLine {
    /// A draft's e-mail as it would go, or a queued one waiting in the outbox.
    pub state: LineState,
    pub message_id: i64,
    pub message: String,
    pub email: String,
    pub partner: String,
    pub wanted: DateTime<Utc>,
    /// When it goes; `None` when it expires or the contact is left out.
    pub at: Option<DateTime<Utc>>,
    /// Why it moved, expires or is left out; empty when on time.
    pub reason: String,
    /// The contact is in the message's segment but gets nothing from it (opted out, unsubscribed,
    /// suppressed, no consent to marketing, no agreed commitment for service mail): `reason` says which.
    pub left_out: bool,
}

/// Where an e-mail of the calendar stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// A draft message's e-mail, as it would go if queued now.
    Draft,
    /// In the outbox, waiting for its time (or deferred there by the cadence rules).
    Queued,
    /// In the outbox, held while its message is paused.
    Paused,
}

impl LineState {
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Draft => "draft",
            LineState::Queued => "queued",
            LineState::Paused => "paused",
        }
    }
}

/// Queued e-mails shown in the calendar at most: a campaign's calendar, not the whole outbox.
const WAITING_SHOWN: u32 = 5000;

/// What a message needs from its campaign for every contact.
struct MessageSetup {
    message: Message,
    templates: Vec<(rally_domain::LanguageTag, Option<rally_domain::Category>, TemplateSet)>,
    campaign: Campaign,
    policy: CadencePolicy,
    milestone_day: Option<chrono::NaiveDate>,
    recipients: Vec<Recipient>,
}

async fn setup(store: &dyn Store, actor: Actor, message: i64) -> Result<MessageSetup, PlanError> {
    let (message, templates) = store.message(actor, message).await?;
    let campaign = store.campaign(actor, message.campaign_id).await?.campaign;
    let policy = store.mail_settings(actor, message.campaign_id).await?.policy;
    let milestone_day = match &message.fields.send {
        SendTime::Milestone { milestone_id, .. } => {
            let all = store.milestones(actor, message.campaign_id).await?;
            let m = all
                .iter()
                .find(|m| m.id == *milestone_id)
                .ok_or_else(|| PlanError::Invalid("the message's milestone is gone".into()))?;
            Some(m.on)
        }
        SendTime::At(_) => None,
    };
    let recipients = store.recipients(actor, message.id).await?;
    let templates =
        templates.into_iter().map(|MessageTemplate { language, category, set }| (language, category, set)).collect();
    Ok(MessageSetup { message, templates, campaign, policy, milestone_day, recipients })
}

/// When the message wants to reach a contact in zone `tz`.
fn wanted_at(setup: &MessageSetup, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, PlanError> {
    match (&setup.message.fields.send, setup.milestone_day) {
        (SendTime::At(t), _) => Ok(*t),
        (SendTime::Milestone { at, .. }, Some(day)) => {
            let local = day.and_time(*at);
            // A local time skipped by a DST change moves an hour on; an ambiguous one takes the first.
            tz.from_local_datetime(&local)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| PlanError::Invalid(format!("{local} does not exist in {tz}")))
        }
        (SendTime::Milestone { .. }, None) => Err(PlanError::Invalid("the message's milestone is gone".into())),
    }
}

fn zone(recipient: &Recipient, policy: &CadencePolicy) -> chrono_tz::Tz {
    policy.recipient_zone(recipient.time_zone.as_deref())
}

fn policy_for(recipient: &Recipient, policy: &CadencePolicy) -> CadencePolicy {
    if recipient.preference == rally_domain::comms::MailPreference::Fewer {
        rally_domain::comms::fewer(policy)
    } else {
        policy.clone()
    }
}

fn reasons(slot: &Slot) -> String {
    match slot {
        Slot::At { deferred_by, .. } => deferred_by.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
        Slot::Expired { reasons, .. } => {
            let why = reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            format!("expired: {why}")
        }
    }
}

/// The template context for one contact.
#[allow(clippy::too_many_arguments)]
fn context(
    setup: &MessageSetup,
    recipient: &Recipient,
    commitments: &Value,
    assets: &Value,
    unsubscribe_url: &str,
) -> Value {
    let f = &setup.campaign.fields;
    let language =
        recipient.contact.fields.language.clone().unwrap_or_else(|| setup.message.fields.fallback_language.clone());
    let message = f
        .message
        .get(&language)
        .or_else(|| f.message.get(&setup.message.fields.fallback_language))
        .or_else(|| f.languages.first().and_then(|l| f.message.get(l)))
        .cloned()
        .unwrap_or_default();
    let name = recipient.contact.fields.name.clone();
    let first_name = name.split_whitespace().next().unwrap_or_default().to_owned();
    json!({
        "campaign": {
            "name": f.name,
            "message": message,
            "goal_students": f.goal_students,
            "starts_on": f.starts_on.to_string(),
            "ends_on": f.ends_on.to_string(),
        },
        "partner": {
            "name": recipient.partner_name,
            "category": recipient.category.label(),
        },
        "contact": {
            "name": name,
            "first_name": first_name,
            "email": recipient.contact.fields.email.to_string(),
        },
        "commitments": commitments,
        "assets": assets,
        "unsubscribe_url": unsubscribe_url,
        "link_url": Value::Null,
    })
}

/// The campaign's asset links by asset, read once per message rather than once per asset sent.
async fn asset_urls(store: &dyn Store, actor: Actor, campaign: CampaignId) -> Result<AssetUrls, PlanError> {
    Ok(store.assets(actor, campaign).await?.into_iter().map(|a| (a.id, a.fields.url)).collect())
}

type AssetUrls = HashMap<rally_domain::AssetId, Option<String>>;

/// The partner's commitments and assets, as templates see them.
async fn partner_context(
    store: &dyn Store,
    actor: Actor,
    partner: PartnerId,
    urls: &AssetUrls,
) -> Result<(Value, Value), PlanError> {
    let commitments: Vec<Value> = store
        .commitments(actor, partner)
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "ask": c.ask_title,
                "status": c.status.as_str(),
                "due_on": c.due_on.map(|d| d.to_string()),
                "quantity": c.quantity,
                "unit": c.unit,
            })
        })
        .collect();
    let sends = store.asset_sends(actor, partner).await?;
    let mut seen = Vec::new();
    let mut assets = Vec::new();
    for s in sends {
        if seen.contains(&s.asset_id) {
            continue;
        }
        seen.push(s.asset_id);
        let url = urls.get(&s.asset_id).cloned().flatten();
        assets.push(json!({ "title": s.asset_title, "url": url }));
    }
    Ok((Value::Array(commitments), Value::Array(assets)))
}

/// Renders and times a message for every contact of its segment, without writing anything.
pub async fn plan_message(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Planned, PlanError> {
    let setup = setup(store, actor, message).await?;
    let secret = store.link_secret(&unsubscribe::new_secret()).await?;
    let ids: Vec<ContactId> = setup.recipients.iter().map(|r| r.contact.id).collect();
    let history = store.mail_history(&ids).await?;
    let kind = setup.message.fields.kind.mail_kind();
    let urls = asset_urls(store, actor, setup.message.campaign_id).await?;
    let mut partners: HashMap<PartnerId, (Value, Value)> = HashMap::new();
    let mut planned = Planned::default();
    for r in &setup.recipients {
        let email = r.contact.fields.email.to_string();
        if let Some(why) = &r.excluded {
            planned.excluded.push((email, why.clone()));
            continue;
        }
        let Some(set) = pick_template(
            &setup.templates,
            r.contact.fields.language.as_ref(),
            &setup.message.fields.fallback_language,
            r.category,
        ) else {
            let language = r.contact.fields.language.as_ref().map_or("none".to_owned(), ToString::to_string);
            return Err(PlanError::NoTemplate { email, language });
        };
        let (commitments, assets) = match partners.entry(r.partner_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(partner_context(store, actor, r.partner_id, &urls).await?).clone()
            }
        };
        let url = format!("{base_url}/u/{}", unsubscribe::token(&secret, r.contact.id));
        let rendered = template::render(set, &context(&setup, r, &commitments, &assets, &url))
            .map_err(|error| PlanError::Render { email: email.clone(), error })?;
        let tz = zone(r, &setup.policy);
        let wanted = wanted_at(&setup, tz)?;
        let past = history.get(&r.contact.id).cloned().unwrap_or_default();
        let policy = policy_for(r, &setup.policy);
        let slot = cadence::next_slot(&policy, tz, kind, &past, wanted, r.do_not_contact_until, now);
        let due_at = match slot {
            Slot::At { at, .. } => Some(at),
            Slot::Expired { .. } => None,
        };
        planned.deliveries.push(NewDelivery {
            contact_id: r.contact.id,
            partner_id: r.partner_id,
            email: r.contact.fields.email.clone(),
            to_name: r.contact.fields.name.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            unsubscribe_url: url,
            wanted_at: wanted,
            due_at,
            reason: reasons(&slot),
        });
    }
    Ok(planned)
}

/// Plans a message and puts it in the outbox, all or nothing. Returns the plan and the rows added.
pub async fn queue_message(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(Planned, usize), PlanError> {
    let mut planned = plan_message(store, actor, message, base_url, now).await?;
    // The rendered e-mails go to the store without a copy (100,000 of them are hundreds of MB); the
    // plan keeps what its counts need.
    let deliveries = std::mem::take(&mut planned.deliveries);
    let summary: Vec<NewDelivery> = deliveries.iter().map(NewDelivery::summary).collect();
    let added = store.enqueue(actor, message, deliveries).await?;
    planned.deliveries = summary;
    Ok((planned, added))
}

/// The campaign's future calendar: every draft message (not yet in the outbox), in the order it wants
/// to go, timed for each contact with the cadence rules — where each earlier message's sends count as
/// history for the later ones, as they will when they are queued — beside the queued e-mails still
/// waiting in the outbox (deferred or paused ones too). Nothing is written.
pub async fn plan_campaign(
    store: &dyn Store,
    actor: Actor,
    campaign: CampaignId,
    now: DateTime<Utc>,
) -> Result<Vec<PlanLine>, PlanError> {
    let mut drafts = Vec::new();
    for m in store.messages(actor, campaign).await? {
        if m.planned_at.is_none() {
            drafts.push(setup(store, actor, m.id).await?);
        }
    }
    let mut contacts: Vec<ContactId> = drafts.iter().flat_map(|s| s.recipients.iter().map(|r| r.contact.id)).collect();
    contacts.sort();
    contacts.dedup();
    let mut history = store.mail_history(&contacts).await?;
    // Each contact's wanted sends across the drafts, planned together in time order.
    // Per contact: (draft index, recipient, wanted time) of each send.
    type Sends<'a> = Vec<(usize, &'a Recipient, DateTime<Utc>)>;
    let mut per_contact: HashMap<ContactId, Sends> = HashMap::new();
    let mut lines = Vec::new();
    for (i, s) in drafts.iter().enumerate() {
        for r in &s.recipients {
            let wanted = wanted_at(s, zone(r, &s.policy))?;
            match &r.excluded {
                None => per_contact.entry(r.contact.id).or_default().push((i, r, wanted)),
                Some(why) => lines.push(PlanLine {
                    state: LineState::Draft,
                    message_id: s.message.id,
                    message: s.message.fields.title.clone(),
                    email: r.contact.fields.email.to_string(),
                    partner: r.partner_name.clone(),
                    wanted,
                    at: None,
                    reason: why.clone(),
                    left_out: true,
                }),
            }
        }
    }
    for (contact, mut sends) in per_contact {
        sends.sort_by_key(|(i, _, wanted)| (*wanted, *i));
        let past = history.remove(&contact).unwrap_or_default();
        let Some((_, first, _)) = sends.first() else { continue };
        let setup0 = &drafts[sends[0].0];
        let policy = policy_for(first, &setup0.policy);
        let tz = zone(first, &setup0.policy);
        let input: Vec<(i64, MailKind, DateTime<Utc>)> =
            sends.iter().map(|(i, _, w)| (*i as i64, drafts[*i].message.fields.kind.mail_kind(), *w)).collect();
        let slots = cadence::plan_contact(&policy, tz, &past, &input, first.do_not_contact_until, now);
        for ((i, r, wanted), (_, slot)) in sends.iter().zip(slots) {
            let at = match slot {
                Slot::At { at, .. } => Some(at),
                Slot::Expired { .. } => None,
            };
            lines.push(PlanLine {
                state: LineState::Draft,
                message_id: drafts[*i].message.id,
                message: drafts[*i].message.fields.title.clone(),
                email: r.contact.fields.email.to_string(),
                partner: r.partner_name.clone(),
                wanted: *wanted,
                at,
                reason: reasons(&slot),
                left_out: false,
            });
        }
    }
    // Beside the drafts, what is already queued and waiting: so the calendar is the whole future.
    lines.extend(waiting_lines(store, actor, campaign).await?);
    lines.sort_by(|a, b| {
        (a.at.unwrap_or(a.wanted), &a.message, &a.email).cmp(&(b.at.unwrap_or(b.wanted), &b.message, &b.email))
    });
    Ok(lines)
}

/// The campaign's queued e-mails still waiting in the outbox, as lines of the calendar.
async fn waiting_lines(store: &dyn Store, actor: Actor, campaign: CampaignId) -> Result<Vec<PlanLine>, PlanError> {
    let mut lines = Vec::new();
    for w in store.waiting(actor, campaign, WAITING_SHOWN).await? {
        let paused = w.status == rally_domain::comms::OutboxStatus::Paused;
        let reason = match (paused, w.reason.is_empty()) {
            (true, true) => "paused: waits until the message is resumed".to_owned(),
            (true, false) => format!("paused: waits until the message is resumed ({})", w.reason),
            (false, _) => w.reason,
        };
        lines.push(PlanLine {
            state: if paused { LineState::Paused } else { LineState::Queued },
            message_id: w.message_id,
            message: w.message_title,
            email: w.email,
            partner: w.partner,
            wanted: w.wanted_at,
            at: Some(w.due_at),
            reason,
            left_out: false,
        });
    }
    Ok(lines)
}

/// Renders a message for one contact of its segment (or a sample contact), for the editor's preview.
/// Errors come back as text for the page, never as a send.
pub async fn preview(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    contact: Option<ContactId>,
    base_url: &str,
) -> Result<(String, template::Rendered), PlanError> {
    let setup = setup(store, actor, message).await?;
    let recipient = match contact {
        Some(id) => setup.recipients.iter().find(|r| r.contact.id == id),
        None => setup.recipients.iter().find(|r| r.excluded.is_none()),
    };
    let Some(r) = recipient else {
        return Err(PlanError::Invalid("nobody in this message's segment yet".into()));
    };
    let email = r.contact.fields.email.to_string();
    let set = pick_template(
        &setup.templates,
        r.contact.fields.language.as_ref(),
        &setup.message.fields.fallback_language,
        r.category,
    )
    .ok_or_else(|| PlanError::NoTemplate { email: email.clone(), language: "—".into() })?;
    let urls = asset_urls(store, actor, setup.message.campaign_id).await?;
    let (commitments, assets) = partner_context(store, actor, r.partner_id, &urls).await?;
    let secret = store.link_secret(&unsubscribe::new_secret()).await?;
    let url = format!("{base_url}/u/{}", unsubscribe::token(&secret, r.contact.id));
    let rendered = template::render(set, &context(&setup, r, &commitments, &assets, &url))
        .map_err(|error| PlanError::Render { email: email.clone(), error })?;
    Ok((email, rendered))
}

/// Sends a message, rendered for one contact of its segment, to `to` (the coordinator's own address)
/// with "[Test]" before the subject: what the contact would get, without touching the outbox or the
/// contact's cadence.
pub async fn send_test(
    store: &dyn Store,
    transport: &rally_mail::Transport,
    actor: Actor,
    message: i64,
    contact: Option<ContactId>,
    to: &rally_domain::Email,
    base_url: &str,
) -> Result<String, PlanError> {
    let (for_whom, rendered) = preview(store, actor, message, contact, base_url).await?;
    let (m, _) = store.message(actor, message).await?;
    let settings = store.mail_settings(actor, m.campaign_id).await?;
    let mail = rally_mail::OutgoingMail {
        from: (settings.from_name, settings.from_address.to_string()),
        reply_to: settings.reply_to.map(|r| r.to_string()),
        to: (String::new(), to.to_string()),
        subject: format!("[Test] {}", rendered.subject),
        text: rendered.text,
        html: rendered.html,
        unsubscribe: None,
        message_id: format!("test-{message}-{}", Utc::now().timestamp_micros()),
        extra_headers: vec![("X-Rally-Test-For".into(), for_whom.clone())],
    };
    let (_, bytes) = rally_mail::build(&mail, None).map_err(|e| PlanError::Invalid(e.to_string()))?;
    transport
        .send(&mail.from.1, to.as_str(), &bytes)
        .await
        .map_err(|e| PlanError::Invalid(format!("the mail server did not take it: {}", e.text())))?;
    Ok(for_whom)
}

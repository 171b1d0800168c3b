//! Planning: which contacts a message reaches, what each one reads, and when it may go.
//!
//! A message is planned a chunk of its segment at a time ([`CHUNK`] contacts): a page of contacts is
//! read (by contact id, after the last one read), with those contacts' mail history for the cadence
//! rules, rendered on the blocking pool and timed; then the next page. Queueing writes each rendered
//! chunk to a staging batch nobody else sees and, once every contact is rendered, moves the whole batch
//! into the outbox in one transaction ([`rally_store::Comms::commit_staged`]). So a template that fails
//! for one contact — the last of a million too — stops the whole message with that contact named and
//! queues nothing, a reader never sees half a message queued, and memory holds one chunk whatever the
//! segment's size. A plan's answer is counts, the contacts left out (the first [`EXCLUDED_LISTED`] by
//! name, all of them by reason) and a few rendered e-mails as samples.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rally_domain::cadence::{self, CadencePolicy, MailKind, Slot};
use rally_domain::comms::{Message, OutboxStatus, SendTime, pick_template};
use rally_domain::template::{self, RenderError, TemplateSet};
use rally_domain::{Campaign, CampaignId, ContactId, PartnerId};
use rally_store::{Actor, MessageTemplate, NewDelivery, Recipient, StagedBatch, Store, StoreError};
use serde_json::{Value, json};

use crate::unsubscribe;

/// Contacts read, rendered and written together when a message is planned or queued: a thousand
/// rendered e-mails (a few MB) in memory at a time, and write transactions of tens of milliseconds.
/// Larger chunks were no faster and left more memory behind in the allocator (measured: chunks of
/// 2,000 took 5–10 MB more peak memory than chunks of 1,000 at 100,000 contacts).
pub const CHUNK: u32 = 1_000;

/// Contacts left out that a plan names one by one; it counts all of them by reason.
pub const EXCLUDED_LISTED: usize = 1_000;

/// Rendered e-mails a plan keeps as samples of what goes.
pub const SAMPLES: usize = 5;

/// Partners whose template values (commitments, assets) are kept while a message is planned, so that
/// each is read once rather than once per chunk; past this many the kept ones are dropped.
const PARTNERS_KEPT: usize = 20_000;

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

/// A message planned for its segment: how many e-mails go on time, deferred or expired, the contacts
/// left out and why, and the first rendered e-mails.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    on_time: usize,
    deferred: usize,
    expired: usize,
    /// The first contacts left out (at most [`EXCLUDED_LISTED`]), in contact order: address and why.
    pub excluded: Vec<(String, String)>,
    /// How many contacts were left out for each reason, in the order the reasons first came up.
    pub left_out: Vec<(String, usize)>,
    /// The first rendered e-mails (at most [`SAMPLES`]), in contact order.
    pub samples: Vec<NewDelivery>,
}

impl Planned {
    pub fn on_time(&self) -> usize {
        self.on_time
    }

    pub fn deferred(&self) -> usize {
        self.deferred
    }

    pub fn expired(&self) -> usize {
        self.expired
    }

    /// Every contact of the segment left out, named in [`Planned::excluded`] or not.
    pub fn left_out_count(&self) -> usize {
        self.left_out.iter().map(|(_, n)| n).sum()
    }

    fn count(&mut self, delivery: &NewDelivery) {
        match delivery.status() {
            OutboxStatus::Expired => self.expired += 1,
            OutboxStatus::Deferred => self.deferred += 1,
            _ => self.on_time += 1,
        }
        if self.samples.len() < SAMPLES {
            self.samples.push(delivery.clone());
        }
    }

    fn leave_out(&mut self, email: String, why: String) {
        match self.left_out.iter_mut().find(|(r, _)| *r == why) {
            Some((_, n)) => *n += 1,
            None => self.left_out.push((why.clone(), 1)),
        }
        if self.excluded.len() < EXCLUDED_LISTED {
            self.excluded.push((email, why));
        }
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
    let templates =
        templates.into_iter().map(|MessageTemplate { language, category, set }| (language, category, set)).collect();
    Ok(MessageSetup { message, templates, campaign, policy, milestone_day })
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
fn context(setup: &MessageSetup, recipient: &Recipient, partner: &PartnerValue, unsubscribe_url: &str) -> Value {
    let (commitments, assets, share_link) = partner;
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
        "share_link": share_link,
    })
}

/// The campaign's asset links by asset, read once per message rather than once per asset sent.
async fn asset_urls(store: &dyn Store, actor: Actor, campaign: CampaignId) -> Result<AssetUrls, PlanError> {
    Ok(store.assets(actor, campaign).await?.into_iter().map(|a| (a.id, a.fields.url)).collect())
}

type AssetUrls = HashMap<rally_domain::AssetId, Option<String>>;

/// A partner's template values: its commitments, its assets and its share link.
type PartnerValue = (Value, Value, Value);

/// The partner's share link, `{base}/c/{slug}/r/{code}` (its code made the first time it is needed).
async fn share_link(store: &dyn Store, base_url: &str, slug: &str, partner: PartnerId) -> Result<Value, PlanError> {
    let code = store.partner_share_code(partner).await?;
    Ok(Value::String(format!("{}/c/{slug}/r/{code}", base_url.trim_end_matches('/'))))
}

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

/// The template values of the partners of the contacts being planned (their commitments, assets and
/// share links), each partner read once (up to [`PARTNERS_KEPT`] at a time) — and none read when the
/// message's templates do not mention them.
struct PartnerValues {
    /// The asset links, or `None` when no template reads `commitments` or `assets`.
    urls: Option<AssetUrls>,
    /// The base URL and campaign slug of share links, or `None` when no template reads `share_link`.
    share: Option<(String, String)>,
    kept: HashMap<PartnerId, Arc<PartnerValue>>,
    none: Arc<PartnerValue>,
}

impl PartnerValues {
    async fn new(
        store: &dyn Store,
        actor: Actor,
        setup: &MessageSetup,
        base_url: &str,
    ) -> Result<PartnerValues, PlanError> {
        // Two reads per partner: most of a queue's database time at a partner or two a contact. A
        // template can reach a variable only by its name (no loader, no lookups by computed name), so
        // templates that never write these two names do not need them.
        let named = |word: &str| {
            setup.templates.iter().any(|(_, _, t)| [&t.subject, &t.text, &t.html].iter().any(|s| s.contains(word)))
        };
        let urls = if named("commitments") || named("assets") {
            Some(asset_urls(store, actor, setup.message.campaign_id).await?)
        } else {
            None
        };
        let share = named("share_link").then(|| (base_url.to_owned(), setup.campaign.fields.slug.as_str().to_owned()));
        let none = Arc::new((Value::Array(Vec::new()), Value::Array(Vec::new()), Value::Null));
        Ok(PartnerValues { urls, share, kept: HashMap::new(), none })
    }

    /// The values of the partners of `recipients` who may be written to.
    async fn for_chunk(
        &mut self,
        store: &dyn Store,
        actor: Actor,
        recipients: &[Recipient],
    ) -> Result<HashMap<PartnerId, Arc<PartnerValue>>, PlanError> {
        let mut chunk = HashMap::new();
        for r in recipients.iter().filter(|r| r.excluded.is_none()) {
            if chunk.contains_key(&r.partner_id) {
                continue;
            }
            if self.urls.is_none() && self.share.is_none() {
                chunk.insert(r.partner_id, self.none.clone());
                continue;
            }
            let values = match self.kept.get(&r.partner_id) {
                Some(v) => v.clone(),
                None => {
                    if self.kept.len() >= PARTNERS_KEPT {
                        self.kept.clear();
                    }
                    let (commitments, assets) = match &self.urls {
                        Some(urls) => partner_context(store, actor, r.partner_id, urls).await?,
                        None => (Value::Array(Vec::new()), Value::Array(Vec::new())),
                    };
                    let share = match &self.share {
                        Some((base, slug)) => share_link(store, base, slug, r.partner_id).await?,
                        None => Value::Null,
                    };
                    let v = Arc::new((commitments, assets, share));
                    self.kept.insert(r.partner_id, v.clone());
                    v
                }
            };
            chunk.insert(r.partner_id, values);
        }
        Ok(chunk)
    }
}

/// What rendering needs besides the contacts: the same for every chunk, shared with the blocking pool.
struct Renderer {
    setup: MessageSetup,
    secret: String,
    base_url: String,
    kind: MailKind,
    now: DateTime<Utc>,
}

/// A chunk of the segment ready to render: its contacts, their mail history and their partners'
/// template values.
struct Chunk {
    recipients: Vec<Recipient>,
    history: HashMap<ContactId, Vec<DateTime<Utc>>>,
    partners: HashMap<PartnerId, Arc<PartnerValue>>,
}

/// A chunk rendered and timed: an e-mail per contact who may be written to, and the others with why.
#[derive(Default)]
struct RenderedChunk {
    deliveries: Vec<NewDelivery>,
    excluded: Vec<(String, String)>,
}

/// Renders and times a chunk's e-mails: CPU work, run on the blocking pool. The first contact whose
/// template fails stops it.
fn render_chunk(r: &Renderer, chunk: Chunk) -> Result<RenderedChunk, PlanError> {
    let setup = &r.setup;
    let mut out = RenderedChunk::default();
    for recipient in chunk.recipients {
        let email = recipient.contact.fields.email.to_string();
        if let Some(why) = recipient.excluded {
            out.excluded.push((email, why));
            continue;
        }
        let Some(set) = pick_template(
            &setup.templates,
            recipient.contact.fields.language.as_ref(),
            &setup.message.fields.fallback_language,
            recipient.category,
        ) else {
            let language = recipient.contact.fields.language.as_ref().map_or("none".to_owned(), ToString::to_string);
            return Err(PlanError::NoTemplate { email, language });
        };
        let values = chunk.partners.get(&recipient.partner_id).map(|v| &**v).ok_or_else(|| {
            PlanError::Invalid(format!("the partner of {email} was not read; plan the message again"))
        })?;
        let url = format!("{}/u/{}", r.base_url, unsubscribe::token(&r.secret, recipient.contact.id));
        let rendered = template::render(set, &context(setup, &recipient, values, &url))
            .map_err(|error| PlanError::Render { email: email.clone(), error })?;
        let tz = zone(&recipient, &setup.policy);
        let wanted = wanted_at(setup, tz)?;
        let past = chunk.history.get(&recipient.contact.id).map_or(&[][..], Vec::as_slice);
        let policy = policy_for(&recipient, &setup.policy);
        let slot = cadence::next_slot(&policy, tz, r.kind, past, wanted, recipient.do_not_contact_until, r.now);
        let due_at = match slot {
            Slot::At { at, .. } => Some(at),
            Slot::Expired { .. } => None,
        };
        out.deliveries.push(NewDelivery {
            contact_id: recipient.contact.id,
            partner_id: recipient.partner_id,
            email: recipient.contact.fields.email,
            to_name: recipient.contact.fields.name,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            unsubscribe_url: url,
            wanted_at: wanted,
            due_at,
            reason: reasons(&slot),
        });
    }
    Ok(out)
}

/// Reads the page of the segment after `after` with what rendering it needs, and renders it on the
/// blocking pool. Returns the rendered chunk and where the next page starts.
async fn next_chunk(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    after: Option<ContactId>,
    limit: u32,
    partners: &mut PartnerValues,
    renderer: &Arc<Renderer>,
) -> Result<(RenderedChunk, Option<ContactId>), PlanError> {
    let page = store.recipients_page(actor, message, after, limit).await?;
    let writable: Vec<ContactId> =
        page.recipients.iter().filter(|r| r.excluded.is_none()).map(|r| r.contact.id).collect();
    let history = if writable.is_empty() { HashMap::new() } else { store.mail_history(&writable).await? };
    let values = partners.for_chunk(store, actor, &page.recipients).await?;
    let work = Chunk { recipients: page.recipients, history, partners: values };
    let shared = renderer.clone();
    let rendered = tokio::task::spawn_blocking(move || render_chunk(&shared, work))
        .await
        .map_err(|e| PlanError::Invalid(format!("rendering the message stopped: {e}")))??;
    Ok((rendered, page.next))
}

/// Writes a rendered chunk to the batch, if there is one and the chunk has e-mails.
async fn stage(
    store: &dyn Store,
    actor: Actor,
    batch: Option<StagedBatch>,
    deliveries: Vec<NewDelivery>,
) -> Result<(), PlanError> {
    match batch {
        Some(batch) if !deliveries.is_empty() => {
            store.stage_deliveries(actor, batch, deliveries).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Plans a message `chunk` contacts at a time, writing each rendered chunk to `batch` when one is
/// given; returns the counts, the contacts left out and the samples. While a chunk is written, the
/// next one is read and rendered: the database and the renderer work at once.
async fn plan_in_chunks(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
    chunk: u32,
    batch: Option<StagedBatch>,
) -> Result<Planned, PlanError> {
    let setup = setup(store, actor, message).await?;
    let secret = store.link_secret(&unsubscribe::new_secret()).await?;
    let mut partners = PartnerValues::new(store, actor, &setup, base_url).await?;
    let kind = setup.message.fields.kind.mail_kind();
    let renderer = Arc::new(Renderer { setup, secret, base_url: base_url.to_owned(), kind, now });
    let mut planned = Planned::default();
    let (mut rendered, mut next) = next_chunk(store, actor, message, None, chunk, &mut partners, &renderer).await?;
    loop {
        for (email, why) in std::mem::take(&mut rendered.excluded) {
            planned.leave_out(email, why);
        }
        for d in &rendered.deliveries {
            planned.count(d);
        }
        let writing = stage(store, actor, batch, std::mem::take(&mut rendered.deliveries));
        let Some(after) = next else {
            writing.await?;
            return Ok(planned);
        };
        let reading = next_chunk(store, actor, message, Some(after), chunk, &mut partners, &renderer);
        let (written, read) = tokio::join!(writing, reading);
        written?;
        (rendered, next) = read?;
    }
}

/// Renders and times a message for every contact of its segment, without writing anything: what
/// queueing it now would do.
pub async fn plan_message(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Planned, PlanError> {
    plan_in_chunks(store, actor, message, base_url, now, CHUNK, None).await
}

/// Plans a message and puts it in the outbox, all or nothing. Returns the plan and the rows added.
pub async fn queue_message(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(Planned, usize), PlanError> {
    queue_message_in_chunks(store, actor, message, base_url, now, CHUNK).await
}

/// [`queue_message`], `chunk` contacts at a time (1 to 10,000; tests take small chunks to cross
/// chunk boundaries with few contacts). The chunks wait in a staging batch; the batch enters the outbox
/// in one transaction once every contact is rendered, and is discarded if anything fails.
pub async fn queue_message_in_chunks(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    base_url: &str,
    now: DateTime<Utc>,
    chunk: u32,
) -> Result<(Planned, usize), PlanError> {
    let batch = store.begin_staging(actor, message).await?;
    let result = match plan_in_chunks(store, actor, message, base_url, now, chunk, Some(batch)).await {
        Ok(planned) => store.commit_staged(actor, batch).await.map(|added| (planned, added)).map_err(PlanError::from),
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Nothing of a failed queue stays; should even this fail, the next queue deletes the batch
        // once it is a day old.
        if let Err(e) = store.discard_staged(actor, batch).await {
            tracing::warn!(batch = batch.0, error = %e, "the staged e-mails of a failed queue stay for now");
        }
    }
    result
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
    // Each draft with its whole segment: the calendar lists every e-mail of every draft.
    let mut drafts = Vec::new();
    let mut segments = Vec::new();
    for m in store.messages(actor, campaign).await? {
        if m.planned_at.is_none() {
            drafts.push(setup(store, actor, m.id).await?);
            segments.push(store.recipients(actor, m.id).await?);
        }
    }
    let mut contacts: Vec<ContactId> = segments.iter().flat_map(|s| s.iter().map(|r| r.contact.id)).collect();
    contacts.sort();
    contacts.dedup();
    let mut history = store.mail_history(&contacts).await?;
    // Each contact's wanted sends across the drafts, planned together in time order.
    // Per contact: (draft index, recipient, wanted time) of each send.
    type Sends<'a> = Vec<(usize, &'a Recipient, DateTime<Utc>)>;
    let mut per_contact: HashMap<ContactId, Sends> = HashMap::new();
    let mut lines = Vec::new();
    for (i, (s, segment)) in drafts.iter().zip(&segments).enumerate() {
        for r in segment {
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
    let Some(r) = preview_recipient(store, actor, message, contact).await? else {
        return Err(PlanError::Invalid("nobody in this message's segment yet".into()));
    };
    let r = &r;
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
    let share = share_link(store, base_url, setup.campaign.fields.slug.as_str(), r.partner_id).await?;
    let secret = store.link_secret(&unsubscribe::new_secret()).await?;
    let url = format!("{base_url}/u/{}", unsubscribe::token(&secret, r.contact.id));
    let rendered = template::render(set, &context(&setup, r, &(commitments, assets, share), &url))
        .map_err(|error| PlanError::Render { email: email.clone(), error })?;
    Ok((email, rendered))
}

/// The contact a preview is for: `contact` if it is in the message's segment, else the first contact
/// of the segment who may be written to; read a page at a time, not the whole segment.
async fn preview_recipient(
    store: &dyn Store,
    actor: Actor,
    message: i64,
    contact: Option<ContactId>,
) -> Result<Option<Recipient>, PlanError> {
    if let Some(id) = contact {
        // The page of one contact that starts at `id`.
        let page = store.recipients_page(actor, message, Some(ContactId(id.0.saturating_sub(1))), 1).await?;
        return Ok(page.recipients.into_iter().find(|r| r.contact.id == id));
    }
    let mut after = None;
    loop {
        let page = store.recipients_page(actor, message, after, CHUNK).await?;
        if let Some(r) = page.recipients.into_iter().find(|r| r.excluded.is_none()) {
            return Ok(Some(r));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(None),
        }
    }
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

//! The campaign's e-mail: mail settings, messages and their templates, recipients, and the outbox the
//! delivery worker claims from. Implemented in `sql/comms.rs`.

use async_trait::async_trait;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::LanguageTag;
use rally_domain::cadence::{CadencePolicy, MailKind};
use rally_domain::comms::{
    MailPreference, Message, MessageFields, Milestone, MilestoneKind, OutboxStatus, SendControl, SuppressionReason,
};
use rally_domain::template::TemplateSet;
use rally_domain::{CampaignId, Category, Contact, ContactId, Email, PartnerId};
use serde::Serialize;

use crate::{Actor, Result};

/// Who a campaign's e-mail comes from, and how often it may come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailSettings {
    pub from_name: String,
    pub from_address: Email,
    pub reply_to: Option<Email>,
    pub policy: CadencePolicy,
    /// Marketing e-mail also goes to contacts whose consent is unknown (never asked), on the campaign's
    /// legitimate interest; otherwise only to contacts who opted in.
    #[serde(default)]
    pub legitimate_interest: bool,
}

/// One template of a message: for a language, and for one partner category or (`None`) for all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageTemplate {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: LanguageTag,
    /// The partner category this variant is written for; `null` for every category.
    pub category: Option<Category>,
    #[serde(flatten)]
    pub set: TemplateSet,
}

/// A contact a message would go to, with what planning needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub contact: Contact,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub category: Category,
    pub time_zone: Option<String>,
    pub do_not_contact_until: Option<DateTime<Utc>>,
    pub preference: MailPreference,
    /// Why this contact gets nothing (see [`rally_domain::comms::exclusion`]); `None` when it may be
    /// written to.
    pub excluded: Option<String>,
}

/// A rendered e-mail for one contact, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub contact_id: ContactId,
    pub partner_id: PartnerId,
    pub email: Email,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub unsubscribe_url: String,
    pub wanted_at: DateTime<Utc>,
    /// When it may go (after the cadence rules), or `None` when it expired in planning.
    pub due_at: Option<DateTime<Utc>>,
    /// Why it was deferred or expired, for the coordinator; empty when on time.
    pub reason: String,
}

impl NewDelivery {
    /// Where it starts in the outbox: `planned` when it goes when the message wants it to, `deferred`
    /// when the cadence rules moved it later, `expired` when it cannot go in time. The queue's answer
    /// and the message's statistics both count by this.
    pub fn status(&self) -> OutboxStatus {
        match (self.due_at, self.reason.is_empty()) {
            (None, _) => OutboxStatus::Expired,
            (Some(_), true) => OutboxStatus::Planned,
            (Some(_), false) => OutboxStatus::Deferred,
        }
    }

    /// The delivery without its rendered texts: what a plan's counts and lists need.
    pub fn summary(&self) -> NewDelivery {
        NewDelivery {
            contact_id: self.contact_id,
            partner_id: self.partner_id,
            email: self.email.clone(),
            to_name: self.to_name.clone(),
            subject: String::new(),
            text: String::new(),
            html: None,
            unsubscribe_url: String::new(),
            wanted_at: self.wanted_at,
            due_at: self.due_at,
            reason: self.reason.clone(),
        }
    }
}

/// One page of a message's segment, in contact order: see [`Comms::recipients_page`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipientsPage {
    /// The page's contacts that are in the segment (each with why it is excluded, if it is).
    pub recipients: Vec<Recipient>,
    /// Where the next page starts (its `after`), or `None` when this page was the last.
    pub next: Option<ContactId>,
}

/// A message's e-mails written chunk by chunk and not yet in the outbox: see
/// [`Comms::begin_staging`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StagedBatch(pub i64);

/// An outbox row a worker has claimed: everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    /// The campaign it is sent for; `None` for Rally's own mail to a user (a password reset).
    pub campaign_id: Option<CampaignId>,
    /// The campaign message it belongs to; `None` for e-mails to event organizers.
    pub message_id: Option<i64>,
    /// The contact it goes to; `None` for e-mails to event organizers.
    pub contact_id: Option<ContactId>,
    pub kind: MailKind,
    pub email: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub unsubscribe_url: String,
    pub from_name: String,
    pub from_address: String,
    pub reply_to: Option<String>,
    pub attempts: i32,
    /// When it was meant to go.
    pub wanted_at: DateTime<Utc>,
    /// The contact's earlier marketing e-mails (sent, or claimed and being sent), for the cap check.
    pub history: Vec<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub do_not_contact_until: Option<DateTime<Utc>>,
    pub policy: CadencePolicy,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// The server took it; its reply is kept.
    Sent(String),
    /// Try again at the instant (a 4xx, a connection that failed); after too many attempts it fails.
    Retry { reply: String, at: DateTime<Utc> },
    /// A 5xx: a hard bounce; the address is suppressed.
    Bounced(String),
    /// The cadence rules say not now: wait until the instant.
    Deferred { reason: String, until: DateTime<Utc> },
    /// The cadence rules say it can no longer go in time.
    Expired(String),
}

/// An e-mail of a partner's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailEntry {
    pub id: i64,
    pub message_id: i64,
    pub message_title: String,
    pub email: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub reason: String,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A queued e-mail still waiting to go: planned, deferred by the cadence rules, or paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub message_id: i64,
    pub message_title: String,
    pub email: String,
    pub partner: String,
    pub status: OutboxStatus,
    pub reason: String,
    pub wanted_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// The communication engine's storage: sender and cadence settings, milestones, messages and their
/// templates, the outbox with its leases, suppressions and contacts' choices. Part of every [`crate::Store`].
#[async_trait]
pub trait Comms: Send + Sync + std::fmt::Debug {
    async fn mail_settings(&self, actor: Actor, campaign: CampaignId) -> Result<MailSettings>;
    async fn set_mail_settings(
        &self,
        actor: Actor,
        campaign: CampaignId,
        settings: MailSettings,
    ) -> Result<MailSettings>;
    async fn milestones(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Milestone>>;
    async fn create_milestone(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: MilestoneKind,
        title: &str,
        on: NaiveDate,
    ) -> Result<Milestone>;
    /// Changes a milestone; its day cannot move while a queued message goes on it (its e-mails are
    /// timed already).
    async fn update_milestone(
        &self,
        actor: Actor,
        id: i64,
        kind: MilestoneKind,
        title: &str,
        on: NaiveDate,
    ) -> Result<Milestone>;
    async fn delete_milestone(&self, actor: Actor, id: i64) -> Result<()>;
    async fn messages(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Message>>;
    async fn message(&self, actor: Actor, id: i64) -> Result<(Message, Vec<MessageTemplate>)>;
    /// A draft message with its templates (each checked to parse).
    async fn create_message(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: MessageFields,
        templates: Vec<MessageTemplate>,
    ) -> Result<Message>;
    /// Changes a message that is not planned yet; `templates`, when given, replace the stored ones.
    async fn update_message(
        &self,
        actor: Actor,
        id: i64,
        fields: MessageFields,
        templates: Option<Vec<MessageTemplate>>,
    ) -> Result<Message>;
    async fn delete_message(&self, actor: Actor, id: i64) -> Result<()>;
    /// The contacts the message's segment selects now, each with why it is excluded, if it is.
    async fn recipients(&self, actor: Actor, message: i64) -> Result<Vec<Recipient>>;
    /// Each contact's marketing e-mails that are sent, being sent or planned (not expired, suppressed or
    /// failed), for the cadence planner.
    async fn mail_history(&self, contacts: &[ContactId]) -> Result<HashMap<ContactId, Vec<DateTime<Utc>>>>;
    /// Puts a message's rendered e-mails in the outbox, one row per contact (a row that exists stays),
    /// and marks the message planned: all in one transaction. Returns how many rows were added. For a
    /// handful of e-mails; a whole segment goes through [`Comms::begin_staging`], chunk by chunk.
    async fn enqueue(&self, actor: Actor, message: i64, deliveries: Vec<NewDelivery>) -> Result<usize>;
    /// The contacts of the message's segment with an id after `after` (from the first with `None`), in
    /// id order: `limit` (1 to 10,000) of the campaign's contacts are read, and those outside the segment
    /// are skipped, so a page may hold fewer than `limit` and still not be the last — the next page
    /// starts at [`RecipientsPage::next`]. Queueing reads a segment of any size this way, a page at a time.
    async fn recipients_page(
        &self,
        actor: Actor,
        message: i64,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<RecipientsPage>;
    /// Begins queueing a draft message in chunks (a conflict if it is planned already). Chunks go to
    /// the batch with [`Comms::stage_deliveries`], each in a short transaction of its own, where nobody
    /// else sees them; [`Comms::commit_staged`] then moves them all into the outbox at once, or
    /// [`Comms::discard_staged`] drops them. Batches older than a day — left by a process that died
    /// while queueing — are deleted here.
    async fn begin_staging(&self, actor: Actor, message: i64) -> Result<StagedBatch>;
    /// Writes a chunk of rendered e-mails to the batch, in its own transaction (one per contact: a
    /// contact staged again keeps its first e-mail). Returns how many were written. A conflict when the
    /// batch is gone (discarded, or deleted as stale) or its message was planned meanwhile.
    async fn stage_deliveries(&self, actor: Actor, batch: StagedBatch, deliveries: Vec<NewDelivery>) -> Result<usize>;
    /// Moves every e-mail of the batch into the outbox and marks its message planned, in one
    /// transaction: a reader sees all of them or none. Contacts deleted since they were staged are
    /// left out. A conflict, changing nothing, when the message was planned meanwhile (queued twice
    /// at once: the first commit wins), was edited since the batch began, or the batch is gone. The
    /// batch is emptied afterwards in short transactions. Returns how many rows the outbox gained.
    async fn commit_staged(&self, actor: Actor, batch: StagedBatch) -> Result<usize>;
    /// Deletes a batch and everything staged in it, in short transactions; a batch already gone is
    /// fine. What a queue that failed does.
    async fn discard_staged(&self, actor: Actor, batch: StagedBatch) -> Result<()>;
    /// Claims up to `limit` due deliveries for `worker` until `lease_until`: rows planned or deferred and
    /// due, or whose earlier lease expired. A row whose address is suppressed is marked so instead.
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>>;
    /// Records how a claimed delivery ended, in its own transaction; ignored when the lease was lost.
    async fn finish(&self, id: i64, worker: &str, result: Delivered, now: DateTime<Utc>) -> Result<bool>;
    /// Gives back claimed rows `worker` never started to send (it is stopping), in one transaction: each
    /// is due again at once and waits as before (planned, or deferred when it has a reason; paused or
    /// cancelled with its message), and the claim's attempt is not counted. Rows among `ids` that are
    /// finished or leased by another worker are left alone. Returns how many rows were given back.
    async fn release(&self, worker: &str, ids: &[i64]) -> Result<u64>;
    /// Outbox rows of a message by status.
    async fn outbox_counts(&self, actor: Actor, message: i64) -> Result<Vec<(OutboxStatus, i64)>>;
    /// The campaign's queued e-mails that have not gone yet (planned, deferred, paused), soonest
    /// first, at most `limit`.
    async fn waiting(&self, actor: Actor, campaign: CampaignId, limit: u32) -> Result<Vec<Waiting>>;
    /// Pauses, resumes or cancels a queued message: its waiting e-mails become `paused` (no worker
    /// claims them; those being sent finish), wait again, or are `cancelled`. Returns the message and
    /// how many e-mails changed.
    async fn control_message(&self, actor: Actor, message: i64, control: SendControl) -> Result<(Message, u64)>;
    /// How many contacts this message reached who have unsubscribed since (chose essential or no
    /// e-mail): the message's unsubscribe count.
    async fn unsubscribed(&self, actor: Actor, message: i64) -> Result<i64>;
    /// Holds back marketing e-mail to a partner's contacts until the day given (`None`: no hold).
    async fn set_do_not_contact(&self, actor: Actor, partner: PartnerId, until: Option<NaiveDate>) -> Result<()>;
    /// The day marketing e-mail to a partner may resume, if it is held back.
    async fn do_not_contact(&self, actor: Actor, partner: PartnerId) -> Result<Option<NaiveDate>>;
    /// The e-mails to a partner's contacts, newest first.
    async fn partner_mail(&self, actor: Actor, partner: PartnerId) -> Result<Vec<MailEntry>>;
    /// The secret that signs the links that need no sign-in — unsubscribe links and organizers' event
    /// links (each with its own purpose): `candidate` (random, from the caller) the first time, the
    /// stored one ever after. (Stored under the name `unsubscribe`, its first use.)
    async fn link_secret(&self, candidate: &str) -> Result<String>;
    /// A contact's address and current choice, for its unsubscribe page.
    async fn mail_preference(&self, contact: ContactId) -> Result<Option<(Email, MailPreference)>>;
    /// Records a contact's choice (idempotent); `none` and `essential` suppress the address.
    async fn set_mail_preference(&self, contact: ContactId, preference: MailPreference) -> Result<()>;
    /// Adds an address to the suppression list by hand.
    async fn suppress(
        &self,
        actor: Actor,
        campaign: CampaignId,
        email: &Email,
        reason: SuppressionReason,
        detail: &str,
    ) -> Result<()>;
}

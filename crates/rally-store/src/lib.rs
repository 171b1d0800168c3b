//! Rally's storage: the [`Store`] interface, shaped after what the campaign team does, and its two
//! implementations, embedded SQLite (the default) and PostgreSQL (large and umbrella campaigns, several
//! processes on one database). This crate is the only place in Rally that holds SQL.
//!
//! Every method is one transaction. Methods that act for a user take an [`Actor`] and check the
//! user's role with [`rally_domain::Role::allows`] inside that same transaction, so a rejected request
//! changes nothing and no rule is checked against stale data.

use std::sync::Arc;

use async_trait::async_trait;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::AskId;
use rally_domain::EventId;
use rally_domain::LanguageTag;
use rally_domain::cadence::{CadencePolicy, MailKind};
use rally_domain::comms::{
    MailPreference, Message, MessageFields, Milestone, MilestoneKind, OutboxStatus, SuppressionReason,
};
use rally_domain::event::{Event, EventFields, EventLogEntry, EventSettings, EventStatus, EventType, LocationSource};
use rally_domain::followup::{InteractionFields, TaskFields};
use rally_domain::pipeline::StageMove;
use rally_domain::template::TemplateSet;
use rally_domain::{
    Ask, AskDraft, AskFields, Asset, AssetFields, AssetId, AssetSend, Campaign, CampaignDraft, CampaignFields,
    CampaignId, Category, Commitment, CommitmentDraft, CommitmentId, CommitmentSummary, Contact, ContactDraft,
    ContactFields, ContactId, Email, Interaction, Invalid, Partner, PartnerDraft, PartnerFields, PartnerId,
    PartnerResponse, Role, Stage, StageChange, StageLimits, StoredFile, Task, TaskDraft, TaskId, Tier, UserId,
};
use serde::Serialize;

pub mod imports;
mod postgres;
mod reporting;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use imports::Imports;
pub use postgres::PgStore;
pub use reporting::Reports;
pub use sqlite::SqliteStore;

/// Who is acting: a signed-in user, whose role is checked, or the operator at the command line, who
/// holds the database itself and is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    System,
    User(UserId),
}

impl Actor {
    pub fn user_id(self) -> Option<UserId> {
        match self {
            Actor::System => None,
            Actor::User(id) => Some(id),
        }
    }
}

/// What can go wrong in the store, in terms the HTTP layer and the CLI map to answers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing does not exist, or the actor may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor may see the thing but not do this to it.
    #[error("your role in this campaign does not allow this")]
    Forbidden,
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// A uniqueness rule: the slug is taken, the e-mail address is already a contact.
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    /// The database does not answer (connection refused, pool exhausted): worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database's storage is full (SQLite's disk or page limit, PostgreSQL's `disk_full`): nothing
    /// was written, reads still work, and writes succeed again once there is space.
    #[error("the database's storage is full: {0}")]
    StorageFull(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Config(String),
}

/// What a database error code says about retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorClass {
    /// Contention that outlasted the busy timeout (SQLite BUSY, LOCKED, BUSY_SNAPSHOT) or that PostgreSQL
    /// resolved by aborting us (serialization failure, deadlock): worth a retry.
    Contended,
    /// No space to write: SQLite's FULL (the disk, or the page limit), PostgreSQL's `disk_full` and
    /// `insufficient_resources`.
    Full,
    Other,
}

fn classify(code: &str) -> ErrorClass {
    match code {
        "5" | "6" | "517" | "40001" | "40P01" => ErrorClass::Contended,
        "13" | "53100" | "53000" => ErrorClass::Full,
        _ => ErrorClass::Other,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let class = e.as_database_error().and_then(|d| d.code()).map_or(ErrorClass::Other, |c| classify(&c));
        match (e, class) {
            (e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)), _) => {
                StoreError::Unavailable(e)
            }
            (e, ErrorClass::Contended) => StoreError::Unavailable(e),
            (e, ErrorClass::Full) => StoreError::StorageFull(e),
            (e, ErrorClass::Other) => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A user of Rally; team membership is per campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
}

/// A user's place on a campaign's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// What Rally keeps of an API token: not the token, only when it was made and whether it still works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// Sent back with every form and script request of this session (CSRF protection).
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Partners and their summed reach in one pipeline stage, or one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally<K> {
    pub key: K,
    pub partners: i64,
    pub reach: i64,
}

/// A campaign together with the caller's role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignWithRole {
    #[serde(flatten)]
    pub campaign: Campaign,
    /// `None` when the operator reads it at the command line.
    pub role: Option<Role>,
}

/// Filters and paging for a campaign's partner list. Results come in id order; `after` is the last id
/// of the previous page (keyset paging: page 1000 costs what page 1 costs).
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    pub stage: Option<Stage>,
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub owner: Option<UserId>,
    pub high_touch: Option<bool>,
    /// Words; a partner matches when each word starts a word of its name (any script, any case; words
    /// are compared on their first 12 characters).
    pub q: Option<String>,
    pub sort: PartnerSort,
    pub limit: u32,
    /// The last partner of the previous page; the next page continues after it in `sort` order.
    pub after: Option<PartnerId>,
}

/// How a partner list is ordered. Ties are broken by partner id, so pages never overlap or skip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PartnerSort {
    /// In the order they were added.
    #[default]
    Added,
    /// Alphabetically by name (see `rally_domain::partner::sort_key`).
    Name,
    /// Highest priority first.
    Priority,
    /// Largest reach first.
    Reach,
    /// Longest in their current stage first.
    Stale,
}

impl PartnerSort {
    pub const ALL: [PartnerSort; 5] =
        [PartnerSort::Added, PartnerSort::Name, PartnerSort::Priority, PartnerSort::Reach, PartnerSort::Stale];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerSort::Added => "added",
            PartnerSort::Name => "name",
            PartnerSort::Priority => "priority",
            PartnerSort::Reach => "reach",
            PartnerSort::Stale => "stale",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PartnerSort::Added => "Order added",
            PartnerSort::Name => "Name",
            PartnerSort::Priority => "Priority",
            PartnerSort::Reach => "Reach",
            PartnerSort::Stale => "Longest in stage",
        }
    }

    pub fn parse(s: &str) -> Result<PartnerSort, String> {
        PartnerSort::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| format!("unknown sort `{s}`; expected added, name, priority, reach or stale"))
    }
}

pub const MAX_PAGE: u32 = 500;
/// The most partners one bulk action changes.
pub const MAX_BULK: usize = rally_domain::limits::BULK;
pub const DEFAULT_PAGE: u32 = 50;

/// One page of results, and the cursor of the next page if there is one.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

/// A partner to load in bulk, with its past: the demo, imports and benchmarks use it.
#[derive(Debug, Clone)]
pub struct PartnerLoad {
    pub fields: PartnerFields,
    pub created_at: DateTime<Utc>,
    /// Stage changes after creation (in `lead`), oldest first; the last one is the current stage.
    pub moves: Vec<MoveLoad>,
    pub contacts: Vec<ContactFields>,
}

#[derive(Debug, Clone)]
pub struct MoveLoad {
    pub to: Stage,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub note: String,
    pub reason: Option<String>,
}

/// The narrow interface the rest of Rally uses to reach the database. The partner workflow (asks,
/// commitments, follow-ups, assets, links, recognition, calendars) is its supertrait [`Workflow`].
#[async_trait]
pub trait Store: Workflow + Comms + Events + Reports + Imports + Send + Sync + std::fmt::Debug {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    // Users and API tokens.
    async fn create_user(&self, email: &Email, name: &str, password_hash: Option<&str>) -> Result<User>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    /// Replaces a user's password hash (argon2id, PHC string).
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()>;
    /// Stores the SHA-256 of a new API token; the token itself is never stored.
    async fn create_api_token(&self, user: UserId, token_hash: &str, label: &str) -> Result<()>;
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    /// A user's API tokens, newest first (never the tokens themselves).
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>>;
    /// Revokes a token: requests with it are refused from now on. Revoking twice is harmless.
    async fn revoke_api_token(&self, id: i64) -> Result<()>;

    // Web sign-in.
    /// The user with this address and their password hash (`None` for users without a password).
    async fn login_lookup(&self, email: &Email) -> Result<Option<(User, Option<String>)>>;
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The unexpired session whose token hashes to `token_hash`.
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Counts a sign-in attempt in each of `gates` (named by their key) before its password is
    /// checked, in one transaction: parallel attempts are counted one after another. If any gate is
    /// closed, counts nothing and answers `Err` with how long until the last of them opens. Gates left
    /// alone for a day are forgotten.
    async fn pass_gates(
        &self,
        gates: &[(&str, rally_domain::throttle::Backoff)],
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<(), chrono::Duration>>;
    /// Opens gates again (their attempts start over): the password was right.
    async fn open_gates(&self, gates: &[&str]) -> Result<()>;
    /// Remembers a browser the user signed in from, by its cookie's hash; browsers unused for a year
    /// are forgotten.
    async fn remember_device(&self, user: UserId, token_hash: &str, now: DateTime<Utc>) -> Result<()>;
    /// The user a remembered browser signed in as, marking it used.
    async fn known_device(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>>;
    async fn create_password_reset(&self, user: UserId, token_hash: &str, expires_at: DateTime<Utc>) -> Result<()>;
    /// Sets a new password with a reset token, once and before it expires, and ends the user's sessions.
    async fn reset_password(&self, token_hash: &str, password_hash: &str) -> Result<User>;

    // Campaigns.
    /// Creates a campaign; a user who creates one becomes its owner.
    async fn create_campaign(&self, actor: Actor, fields: CampaignFields) -> Result<Campaign>;
    async fn campaign(&self, actor: Actor, id: CampaignId) -> Result<CampaignWithRole>;
    async fn campaign_by_slug(&self, actor: Actor, slug: &str) -> Result<CampaignWithRole>;
    /// The id of the campaign with this slug, if any. Reveals nothing else: every call that uses the
    /// id checks the actor's rights.
    async fn campaign_id(&self, slug: &str) -> Result<Option<CampaignId>>;
    /// The campaigns the actor is on the team of (every campaign for the operator).
    async fn campaigns(&self, actor: Actor) -> Result<Vec<CampaignWithRole>>;
    async fn update_campaign(&self, actor: Actor, id: CampaignId, patch: CampaignDraft) -> Result<CampaignWithRole>;
    async fn delete_campaign(&self, actor: Actor, id: CampaignId) -> Result<()>;

    // The team.
    async fn team(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Member>>;
    /// Adds a user to the team or changes their role. The last owner cannot be demoted.
    async fn set_role(&self, actor: Actor, campaign: CampaignId, user: UserId, role: Role) -> Result<Member>;
    /// Takes a user off the team. The last owner cannot be removed.
    async fn remove_member(&self, actor: Actor, campaign: CampaignId, user: UserId) -> Result<()>;

    // Partners and the pipeline.
    /// Creates a partner in `lead`. With no owner given, the acting user owns it. Unless
    /// `allow_same_name`, a partner whose name matches one already in the campaign (as
    /// `rally_domain::partner::name_key` compares names: case, accents, punctuation and legal forms
    /// ignored) is refused with a conflict on `name` that names the existing one.
    async fn add_partner(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: PartnerFields,
        allow_same_name: bool,
    ) -> Result<Partner>;
    /// [`Store::add_partner`] without the name check: programs that load partners they know are new.
    async fn create_partner(&self, actor: Actor, campaign: CampaignId, fields: PartnerFields) -> Result<Partner> {
        self.add_partner(actor, campaign, fields, true).await
    }
    async fn partner(&self, actor: Actor, id: PartnerId) -> Result<Partner>;
    async fn partners(&self, actor: Actor, campaign: CampaignId, filter: &PartnerFilter) -> Result<Page<Partner>>;
    async fn update_partner(&self, actor: Actor, id: PartnerId, patch: PartnerDraft) -> Result<Partner>;
    async fn delete_partner(&self, actor: Actor, id: PartnerId) -> Result<()>;
    async fn move_stage(&self, actor: Actor, id: PartnerId, to: StageMove) -> Result<(Partner, StageChange)>;
    /// The partner's stage changes, oldest first.
    async fn stage_history(&self, actor: Actor, id: PartnerId) -> Result<Vec<StageChange>>;
    /// A page of a campaign's contacts for an export, with their partner's name, by id after `after`.
    async fn export_contacts(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(Contact, String)>>;
    /// A page of a campaign's stage changes for an export, with the partner's name, by id after `after`.
    async fn export_history(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(StageChange, String)>>;
    /// Moves several partners of a campaign at once: all or none. Partners already in the stage are
    /// left as they are; returns how many moved.
    async fn bulk_move(&self, actor: Actor, campaign: CampaignId, ids: &[PartnerId], to: StageMove) -> Result<usize>;
    /// Gives several partners of a campaign to one owner (or none) at once: all or none.
    async fn bulk_assign(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[PartnerId],
        owner: Option<UserId>,
    ) -> Result<usize>;
    /// The first page of every stage's column, with the same filters, in one round trip.
    async fn board(
        &self,
        actor: Actor,
        campaign: CampaignId,
        filter: &PartnerFilter,
    ) -> Result<Vec<(Stage, Page<Partner>)>>;
    /// Partners and summed reach per stage, every stage listed.
    async fn pipeline_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Stage>>>;
    /// Partners and summed reach per category, every category listed.
    async fn category_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Category>>>;
    /// Open partners (not closed) that have been longest in their stage, oldest first.
    async fn stale_partners(&self, actor: Actor, campaign: CampaignId, limit: u32) -> Result<Vec<Partner>>;
    /// Loads partners with their histories and contacts in one transaction; returns how many.
    async fn load_partners(&self, actor: Actor, campaign: CampaignId, partners: Vec<PartnerLoad>) -> Result<usize>;

    // Contacts.
    async fn create_contact(&self, actor: Actor, partner: PartnerId, fields: ContactFields) -> Result<Contact>;
    async fn contacts(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Contact>>;
    async fn contact(&self, actor: Actor, id: ContactId) -> Result<Contact>;
    async fn update_contact(&self, actor: Actor, id: ContactId, patch: ContactDraft) -> Result<Contact>;
    async fn delete_contact(&self, actor: Actor, id: ContactId) -> Result<()>;

    // Operations.
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Table → column names, to check that both migration trees reach the same logical schema.
    async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>>;
    /// Table → number of rows, to show a backup and its restore hold the same data.
    async fn table_counts(&self) -> Result<std::collections::BTreeMap<String, i64>>;
    /// Writes a consistent copy of the whole database to `path` while the database stays in use: SQLite's
    /// `VACUUM INTO`. PostgreSQL databases are backed up with `pg_dump` instead (`Unsupported` here).
    async fn snapshot(&self, path: &std::path::Path) -> Result<()>;
}

/// What applying standard asks to a segment did, or (in a preview) would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applied {
    /// Open partners in the segment.
    pub partners: i64,
    /// Commitments proposed, over all asks; a partner that already has one for an ask keeps it.
    pub created: i64,
    /// Each ask in the order given: whom it reached and whom it left out.
    pub asks: Vec<AskReach>,
    /// `true` for a preview: the same statements ran and were rolled back, nothing was written.
    pub preview: bool,
}

/// One standard ask applied to a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskReach {
    pub ask_id: AskId,
    pub title: String,
    /// Partners of the segment the ask is for (its categories and tiers; none listed means all).
    pub reached: i64,
    /// Of those, partners that got it now as a proposed commitment.
    pub created: i64,
    /// Of those, partners that had it already and keep their commitment.
    pub already: i64,
    /// Partners of the segment left out because the ask is not meant for their category or tier.
    pub not_for: i64,
}

/// Which tasks to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskFilter {
    pub owner: Option<UserId>,
    pub partner: Option<PartnerId>,
    /// Only tasks not done yet.
    pub open: bool,
}

/// Open commitments and tasks due up to a day, overdue ones included.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    pub commitments: Vec<Commitment>,
    pub tasks: Vec<Task>,
}

/// A partner's logo, its place on the recognition wall and its link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerProfile {
    pub logo: Option<StoredFile>,
    /// The partner asked not to be shown among the campaign's partners.
    pub recognition_opt_out: bool,
    /// The partner's active link, if any (the secret itself is shown only when it is made).
    pub link: Option<LinkInfo>,
}

/// An active partner link, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInfo {
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What a partner sees through its link.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub partner: Partner,
    pub campaign: Campaign,
    pub commitments: Vec<Commitment>,
    /// The assets sent to the partner, newest first, once each.
    pub assets: Vec<Asset>,
    pub profile: PartnerProfile,
}

/// A partner on the campaign's recognition wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recognized {
    pub partner_id: PartnerId,
    pub name: String,
    pub website: Option<String>,
    pub tier: Tier,
    pub logo: Option<StoredFile>,
}

/// What a calendar entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarKind {
    Milestone,
    Ask,
    Commitment,
    Task,
}

/// One entry of a user's calendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    pub kind: CalendarKind,
    /// The id of the task, commitment, ask or campaign, unique per kind.
    pub id: i64,
    pub campaign_slug: String,
    pub campaign_name: String,
    pub partner_id: Option<PartnerId>,
    pub date: NaiveDate,
    pub until: Option<NaiveDate>,
    pub title: String,
    pub detail: String,
    pub done: bool,
}

/// The partner workflow: asks and commitments, interactions, follow-up tasks, the asset library,
/// partner links, recognition and calendar feeds. Part of every [`Store`].
#[async_trait]
pub trait Workflow {
    // Asks.
    /// A standard ask (`partner` is `None`) or a custom ask for one partner. Standard asks need
    /// `EditCampaign`; a custom ask is an edit of its partner.
    async fn create_ask(
        &self,
        actor: Actor,
        campaign: CampaignId,
        partner: Option<PartnerId>,
        fields: AskFields,
    ) -> Result<Ask>;
    /// The campaign's standard asks, in the order they were written.
    async fn standard_asks(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Ask>>;
    async fn ask(&self, actor: Actor, id: AskId) -> Result<Ask>;
    async fn update_ask(&self, actor: Actor, id: AskId, patch: AskDraft, today: NaiveDate) -> Result<Ask>;
    /// Deletes an ask with its commitments.
    async fn delete_ask(&self, actor: Actor, id: AskId) -> Result<()>;
    /// Proposes standard asks to every partner of a segment (the filter's stage, category, tier, owner
    /// and high-touch conditions; closed partners are left out) that each ask is meant for (its
    /// categories and tiers), in one transaction. With `preview` the same statements run in a
    /// transaction that is rolled back: the answer says who would get what.
    async fn apply_asks(
        &self,
        actor: Actor,
        campaign: CampaignId,
        asks: &[AskId],
        segment: &PartnerFilter,
        preview: bool,
    ) -> Result<Applied>;

    // Commitments.
    /// A partner's commitments: open ones first, by due date.
    async fn commitments(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Commitment>>;
    /// Proposes an ask (standard, or custom to this partner) to a partner, as `draft` describes.
    async fn propose(
        &self,
        actor: Actor,
        partner: PartnerId,
        ask: AskId,
        draft: CommitmentDraft,
        today: NaiveDate,
    ) -> Result<Commitment>;
    /// Writes a custom ask for one partner and proposes it (or records it as `draft` says), in one
    /// transaction.
    async fn propose_custom(
        &self,
        actor: Actor,
        partner: PartnerId,
        ask: AskFields,
        draft: CommitmentDraft,
        today: NaiveDate,
    ) -> Result<Commitment>;
    async fn update_commitment(
        &self,
        actor: Actor,
        id: CommitmentId,
        patch: CommitmentDraft,
        today: NaiveDate,
    ) -> Result<Commitment>;
    /// Commitment counts per partner, for board cards and lists.
    async fn commitment_summaries(
        &self,
        actor: Actor,
        campaign: CampaignId,
        partners: &[PartnerId],
        today: NaiveDate,
    ) -> Result<HashMap<PartnerId, CommitmentSummary>>;
    /// Open commitments and tasks of a campaign due on or before `until`, overdue first.
    async fn due(&self, actor: Actor, campaign: CampaignId, until: NaiveDate) -> Result<Due>;

    // Interactions.
    async fn add_interaction(&self, actor: Actor, partner: PartnerId, fields: InteractionFields)
    -> Result<Interaction>;
    /// A partner's interactions, newest first.
    async fn interactions(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Interaction>>;

    // Follow-up tasks and stage limits.
    async fn create_task(&self, actor: Actor, campaign: CampaignId, fields: TaskFields) -> Result<Task>;
    async fn task(&self, actor: Actor, id: TaskId) -> Result<Task>;
    async fn update_task(&self, actor: Actor, id: TaskId, patch: TaskDraft, today: NaiveDate) -> Result<Task>;
    /// Tasks by due date, open ones first.
    async fn tasks(&self, actor: Actor, campaign: CampaignId, filter: TaskFilter) -> Result<Vec<Task>>;
    async fn stage_limits(&self, actor: Actor, campaign: CampaignId) -> Result<StageLimits>;
    async fn set_stage_limits(&self, actor: Actor, campaign: CampaignId, limits: StageLimits) -> Result<StageLimits>;
    /// `owner`'s partners that are past their stage's limit at `now` and have no open task: each
    /// deserves a follow-up task. Longest waiting first.
    async fn follow_up_proposals(
        &self,
        actor: Actor,
        campaign: CampaignId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Partner>>;

    // Assets.
    async fn create_asset(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: AssetFields,
        file: Option<StoredFile>,
    ) -> Result<Asset>;
    async fn assets(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Asset>>;
    async fn asset(&self, actor: Actor, id: AssetId) -> Result<Asset>;
    async fn delete_asset(&self, actor: Actor, id: AssetId) -> Result<()>;
    /// Records that assets of the partner's campaign were sent to it (and makes them downloadable
    /// through its link).
    async fn send_assets(
        &self,
        actor: Actor,
        partner: PartnerId,
        assets: &[AssetId],
        note: &str,
    ) -> Result<Vec<AssetSend>>;
    /// What was sent to a partner, newest first.
    async fn asset_sends(&self, actor: Actor, partner: PartnerId) -> Result<Vec<AssetSend>>;
    /// Whether any asset or partner logo still uses a stored file.
    async fn file_in_use(&self, sha256: &str) -> Result<bool>;

    // A partner's logo, recognition and link.
    async fn partner_profile(&self, actor: Actor, partner: PartnerId) -> Result<PartnerProfile>;
    async fn set_partner_logo(&self, actor: Actor, partner: PartnerId, logo: Option<StoredFile>) -> Result<()>;
    async fn set_recognition_opt_out(&self, actor: Actor, partner: PartnerId, opt_out: bool) -> Result<()>;
    /// Makes a new link for the partner (storing only the token's hash) and revokes any earlier one.
    async fn create_partner_link(&self, actor: Actor, partner: PartnerId, token_hash: &str) -> Result<LinkInfo>;
    async fn revoke_partner_link(&self, actor: Actor, partner: PartnerId) -> Result<()>;

    // Through a partner's link: the token is the credential; unknown and revoked tokens are NotFound.
    async fn link_view(&self, token_hash: &str) -> Result<LinkView>;
    async fn link_respond(
        &self,
        token_hash: &str,
        commitment: CommitmentId,
        response: PartnerResponse,
        today: NaiveDate,
    ) -> Result<Commitment>;
    async fn link_set_logo(&self, token_hash: &str, logo: StoredFile) -> Result<()>;
    async fn link_set_opt_out(&self, token_hash: &str, opt_out: bool) -> Result<()>;
    /// An asset that was sent to the link's partner.
    async fn link_asset(&self, token_hash: &str, asset: AssetId) -> Result<Asset>;

    // Recognition: public.
    /// Won partners that did not opt out, high tier first, then by name.
    async fn recognition(&self, campaign: CampaignId) -> Result<Vec<Recognized>>;

    // Calendar feeds.
    /// Makes a new calendar feed secret for the user and revokes earlier ones.
    async fn create_calendar_token(&self, user: UserId, token_hash: &str) -> Result<()>;
    async fn revoke_calendar_tokens(&self, user: UserId) -> Result<()>;
    /// When the user's active feed secret was made, if there is one.
    async fn calendar_token_created(&self, user: UserId) -> Result<Option<DateTime<Utc>>>;
    /// The feed of the user whose secret hashes to `token_hash`: milestones of their campaigns, standard
    /// asks' due dates, commitments of partners they own (all partners for coordinators and owners) and
    /// their tasks, dated from `from` on.
    async fn calendar(&self, token_hash: &str, from: NaiveDate) -> Result<Option<(User, Vec<CalendarItem>)>>;
}

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

/// An outbox row a worker has claimed: everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub campaign_id: CampaignId,
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

/// The communication engine's storage: sender and cadence settings, milestones, messages and their
/// templates, the outbox with its leases, suppressions and contacts' choices. Part of every [`Store`].
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
    /// and marks the message planned: all in one transaction. Returns how many rows were added.
    async fn enqueue(&self, actor: Actor, message: i64, deliveries: Vec<NewDelivery>) -> Result<usize>;
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
    /// Outbox rows of a message by status.
    async fn outbox_counts(&self, actor: Actor, message: i64) -> Result<Vec<(OutboxStatus, i64)>>;
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

/// An e-mail to an event organizer, written by the caller in the organizer's language (the store knows
/// no translations); it goes through the outbox as a transactional e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizerMail {
    pub subject: String,
    pub text: String,
}

/// Why an organizer is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventMailKind {
    /// Confirm the registration (and keep the link to manage it).
    Confirm,
    Approved,
    Rejected,
    /// The day after an approved event: how many students took part? (Dropped when they have said, or
    /// the event stops counting.)
    ReportReminder,
}

/// Writes the e-mail for an event; called inside the store's transaction, so the e-mail is queued
/// exactly when the change it tells of is committed.
pub type EventMailer<'a> = &'a (dyn Fn(&Event, EventMailKind) -> OrganizerMail + Send + Sync);

/// A registration as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub event: Event,
    /// An earlier registration of the same event (same address, name and first day) was updated.
    pub updated: bool,
    /// The registration was of an event already confirmed: it is left as it was, and its organizer is
    /// sent the link to change it instead (whoever knows an address must not rewrite its events).
    pub unchanged: bool,
}

/// A moderator's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Reject { reason: String },
}

/// Filters of an event list; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct EventFilter {
    /// `unconfirmed`, `pending`, `approved`, `rejected` or `cancelled` (team lists only).
    #[cfg_attr(feature = "openapi", param(value_type = Option<rally_domain::event::EventStatus>))]
    pub status: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    /// `in_school`, `after_school`, `online` or `other`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<rally_domain::event::EventType>))]
    pub event_type: Option<String>,
    /// A language tag such as `hr` or `sr-Latn`.
    #[cfg_attr(feature = "openapi", param(pattern = r"^\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\s*$"))]
    pub language: Option<String>,
    /// Events that end on or after this day.
    #[serde(deserialize_with = "empty_as_none")]
    pub from: Option<NaiveDate>,
    /// Events that start on or before this day.
    #[serde(deserialize_with = "empty_as_none")]
    pub to: Option<NaiveDate>,
    /// Words of the title, organization or city.
    pub q: Option<String>,
    #[serde(deserialize_with = "empty_as_none")]
    pub page: Option<i64>,
    #[serde(deserialize_with = "empty_as_none")]
    pub per_page: Option<i64>,
}

/// A query value sent empty (`?to=`, a form field left blank) counts as not sent.
fn empty_as_none<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err: std::fmt::Display>,
{
    let raw = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => value.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// An approved public event as the public site lists it: nothing about its organizer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicEvent {
    pub id: EventId,
    pub campaign_slug: String,
    pub title: String,
    pub organization: String,
    pub event_type: EventType,
    pub country: String,
    pub city: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_source: LocationSource,
    pub url: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub students: i64,
    pub ages: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: LanguageTag,
    pub description: String,
}

/// One row of a statistics table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatRow {
    pub key: String,
    pub events: i64,
    pub students: i64,
}

/// What a campaign's approved events add up to, with its member campaigns when it is an umbrella.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventStats {
    pub students: i64,
    pub events: i64,
    pub countries: i64,
    pub goal: i64,
    /// Per country (alpha-2), most students first.
    pub by_country: Vec<StatRow>,
    /// Per event type.
    pub by_type: Vec<StatRow>,
    /// Per week of registration (its Monday), oldest first.
    pub by_week: Vec<StatRow>,
}

/// An approved public event's point on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPoint {
    pub latitude: f64,
    pub longitude: f64,
    pub students: i64,
    pub title: String,
    pub city: String,
    pub country: String,
}

/// A campaign's public site: the campaign, its umbrella or members, and its event settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub campaign: Campaign,
    /// The umbrella of a member campaign: slug and name.
    pub umbrella: Option<(String, String)>,
    /// The member campaigns of an umbrella: slug and name.
    pub members: Vec<(String, String)>,
    pub settings: EventSettings,
}

/// Events registered on the public site, their moderation, tallies and statistics. Part of every
/// [`Store`]. Methods without an [`Actor`] serve the public site and organizers, whose right is a
/// signed link (an event id and its `link_version`) the caller has checked.
#[async_trait]
pub trait Events {
    async fn site(&self, slug: &str) -> Result<Site>;
    /// Registers an event, or updates the not yet confirmed registration of the same event, and queues
    /// the confirmation e-mail.
    async fn register_event(
        &self,
        campaign: CampaignId,
        fields: EventFields,
        locale: &str,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Registered>;
    /// The event a link names, if the link is still valid.
    async fn organizer_event(&self, id: EventId, link_version: i64) -> Result<Event>;
    async fn confirm_event(
        &self,
        id: EventId,
        link_version: i64,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Event>;
    /// The organizer changes the event; an approved one waits for approval again if the campaign says so.
    async fn organizer_edit(
        &self,
        id: EventId,
        link_version: i64,
        fields: EventFields,
        now: DateTime<Utc>,
    ) -> Result<Event>;
    async fn cancel_event(&self, id: EventId, link_version: i64, now: DateTime<Utc>) -> Result<Event>;
    /// The organizer deletes the registration: the event, its log and its e-mails are gone, and it no
    /// longer counts. Returns the campaign it belonged to.
    async fn delete_event(&self, id: EventId, link_version: i64) -> Result<CampaignId>;
    /// The organizer reports how many students took part (not before the first day).
    async fn report_students(&self, id: EventId, link_version: i64, students: i64, now: DateTime<Utc>)
    -> Result<Event>;
    /// Approved public events of the campaign and its members, with the total that match.
    async fn public_events(&self, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<PublicEvent>, i64)>;
    /// Points of approved public events for the map (of one country when given), at most `limit`.
    async fn event_points(&self, campaign: CampaignId, country: Option<&str>, limit: i64) -> Result<Vec<EventPoint>>;
    async fn event_stats(&self, campaign: CampaignId) -> Result<EventStats>;
    async fn event_settings(&self, campaign: CampaignId) -> Result<EventSettings>;
    async fn set_event_settings(
        &self,
        actor: Actor,
        campaign: CampaignId,
        settings: EventSettings,
    ) -> Result<EventSettings>;
    /// Every event of one campaign, for its team, with the total that match.
    async fn events(&self, actor: Actor, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<Event>, i64)>;
    async fn event(&self, actor: Actor, id: EventId) -> Result<Event>;
    /// How many events of one campaign are in each status (statuses without events are left out).
    async fn event_counts(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<(EventStatus, i64)>>;
    /// Approves or rejects events (pending ones; approving a rejected one is allowed) and writes to their
    /// organizers. Returns the events changed.
    async fn moderate(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[EventId],
        decision: Moderation,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Vec<Event>>;
    async fn event_log(
        &self,
        actor: Actor,
        campaign: CampaignId,
        event: Option<EventId>,
        limit: i64,
    ) -> Result<Vec<EventLogEntry>>;
    /// Stores many events at once with their statuses (imports, benchmarks), tallies included; one
    /// transaction. Returns how many were new.
    async fn load_events(
        &self,
        actor: Actor,
        campaign: CampaignId,
        events: Vec<(EventFields, EventStatus)>,
        now: DateTime<Utc>,
    ) -> Result<usize>;
}

/// Opens the store a database URL names, creating and migrating it as needed.
///
/// * `postgres://…` or `postgresql://…`: PostgreSQL.
/// * `sqlite:PATH`, `sqlite://PATH` or a plain file path: SQLite, created on first use.
///
/// Any other `scheme://` is refused, so a typo never silently creates an empty SQLite file.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::open(url).await?));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.contains("://") || path.is_empty() {
        return Err(StoreError::Config(format!(
            "unsupported database URL `{}`: use postgres://… or a SQLite file path",
            redact(url)
        )));
    }
    Ok(Arc::new(SqliteStore::open(std::path::Path::new(path)).await?))
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether a pooled connection may be handed out again. One that came back still inside a transaction
/// is closed instead: that happens when the database ended a transaction by itself (SQLite rolls back
/// on a full disk or an I/O error; a failed COMMIT), the driver's `ROLLBACK` then failed and it still
/// counts the transaction as open, so every later `BEGIN` on that connection would fail until the
/// process restarted.
fn reusable<C: sqlx::Connection>(
    conn: &mut C,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("a database connection was left inside a failed transaction; opening a new one");
    }
    Box::pin(std::future::ready(Ok(clean)))
}

/// Microseconds since the Unix epoch: how both backends store instants.
fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| StoreError::Corrupt(format!("timestamp {us} out of range")))
}

fn now_micros() -> i64 {
    to_micros(Utc::now())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{ErrorClass, classify};

    #[test]
    fn database_error_codes() {
        for (code, class) in [
            ("5", ErrorClass::Contended),
            ("517", ErrorClass::Contended),
            ("40P01", ErrorClass::Contended),
            ("13", ErrorClass::Full),
            ("53100", ErrorClass::Full),
            ("23505", ErrorClass::Other),
            ("1", ErrorClass::Other),
        ] {
            assert_eq!(classify(code), class, "{code}");
        }
    }
}

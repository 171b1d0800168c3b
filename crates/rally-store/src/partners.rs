//! Partners, their contacts and the pipeline: lists with filters and keyset paging, stage moves and
//! their history, bulk actions, the board, tallies and bulk loads. Implemented in `sql/partners.rs`.

use async_trait::async_trait;

use chrono::{DateTime, Utc};
use rally_domain::pipeline::StageMove;
use rally_domain::{
    CampaignId, Category, Contact, ContactDraft, ContactFields, ContactId, Partner, PartnerDraft, PartnerFields,
    PartnerId, Stage, StageChange, Tier, UserId,
};
use serde::Serialize;

use crate::{Actor, Result};

/// Partners and their summed reach in one pipeline stage, or one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally<K> {
    pub key: K,
    pub partners: i64,
    pub reach: i64,
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

/// What merging a duplicate partner into another moves (or would move, on a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merged {
    pub contacts: u64,
    /// Stage changes of the duplicate, now in the survivor's timeline.
    pub stage_changes: u64,
    pub commitments: u64,
    /// The duplicate's commitments to an ask the survivor has a commitment to as well: the survivor's
    /// stays, these are removed.
    pub commitments_dropped: u64,
    pub interactions: u64,
    pub tasks: u64,
    pub assets_sent: u64,
    pub emails: u64,
    /// Asks written for the duplicate alone.
    pub custom_asks: u64,
}

/// Partners, contacts and the pipeline. Part of every [`crate::Store`].
#[async_trait]
pub trait Partners {
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
    /// [`Partners::add_partner`] without the name check: programs that load partners they know are new.
    async fn create_partner(&self, actor: Actor, campaign: CampaignId, fields: PartnerFields) -> Result<Partner> {
        self.add_partner(actor, campaign, fields, true).await
    }
    async fn partner(&self, actor: Actor, id: PartnerId) -> Result<Partner>;
    /// The partner `id` if it belongs to the campaign with the slug `campaign` ("not found" otherwise,
    /// as for a partner the actor may not see): how a page under a campaign's address checks the
    /// partner it names, in one call.
    async fn partner_in(&self, actor: Actor, campaign: &str, id: PartnerId) -> Result<Partner>;
    async fn partners(&self, actor: Actor, campaign: CampaignId, filter: &PartnerFilter) -> Result<Page<Partner>>;
    /// How many partners `filter` selects in all pages (its paging is ignored).
    async fn count_partners(&self, actor: Actor, campaign: CampaignId, filter: &PartnerFilter) -> Result<i64>;
    async fn update_partner(&self, actor: Actor, id: PartnerId, patch: PartnerDraft) -> Result<Partner>;
    async fn delete_partner(&self, actor: Actor, id: PartnerId) -> Result<()>;
    /// Merges `duplicate` into `survivor` (both of one campaign): its contacts, stage history,
    /// commitments, interactions, tasks, assets sent and e-mails move to the survivor, the merge is
    /// noted in the survivor's timeline, and the duplicate is deleted. With `dry_run`, nothing is kept
    /// and the answer says what would move.
    async fn merge_partners(
        &self,
        actor: Actor,
        survivor: PartnerId,
        duplicate: PartnerId,
        dry_run: bool,
    ) -> Result<Merged>;
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
}

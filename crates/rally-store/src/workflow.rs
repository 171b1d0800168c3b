//! The partner workflow after the first contact: standard and custom asks, commitments, interactions,
//! follow-up tasks and stage limits. Implemented in `sql/workflow.rs`.

use async_trait::async_trait;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::AskId;
use rally_domain::followup::{InteractionFields, TaskFields};
use rally_domain::{
    Ask, AskDraft, AskFields, CampaignId, Commitment, CommitmentDraft, CommitmentId, CommitmentSummary, Interaction,
    Partner, PartnerId, StageLimits, Task, TaskDraft, TaskId, UserId,
};
use serde::Serialize;

use crate::{Actor, PartnerFilter, Result};

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

/// The partner workflow: standard and custom asks, commitments, interactions, follow-up tasks and
/// stage limits. Part of every [`crate::Store`].
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
    /// Removes a task: the same right as changing it.
    async fn delete_task(&self, actor: Actor, id: TaskId) -> Result<()>;
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
}

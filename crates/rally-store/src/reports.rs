//! The [`Reports`] interface: what the Reports page reads, gathered in the database and left to
//! [`rally_domain::report`]'s pure functions to turn into a funnel and a forecast. Implemented in
//! `sql/reports.rs`.

use async_trait::async_trait;
use rally_domain::CampaignId;
use rally_domain::report::{ForecastFacts, MessageStats, PipelineFacts};

use crate::{Actor, Result};

/// The figures behind the Reports page, for the campaign's team (read right). Part of every
/// [`crate::Store`]; the events' figures are [`crate::Events::event_stats`].
#[async_trait]
pub trait Reports {
    /// The campaign's partners grouped by their stage now and the furthest stage their history reached,
    /// and every finished stay in an open stage: one read transaction.
    async fn pipeline_facts(&self, actor: Actor, campaign: CampaignId) -> Result<PipelineFacts>;
    /// What the forecast needs, in one read transaction: every partner (name order) with its stage,
    /// the furthest stage its history reached, when it entered its stage, its reach, the approved
    /// events attributed to it (`events.referred_by`, else `events.heard_from`) and its agreed or
    /// fulfilled commitments with a quantity; the stage time limits; the approved events its counter
    /// counts (its own and its member campaigns') and those of them no partner brought; and the closed
    /// partners of the team's earlier campaigns (created before this one and sharing a
    /// member who is not a viewer), as counts only.
    async fn forecast_facts(&self, actor: Actor, campaign: CampaignId) -> Result<ForecastFacts>;
    /// Every message of the campaign, oldest first, with what became of its e-mails.
    async fn message_stats(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<MessageStats>>;
}

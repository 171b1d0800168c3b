//! The [`Reports`] interface: what the Reports page reads, gathered in the database and left to
//! [`rally_domain::report`]'s pure functions to turn into a funnel and a forecast. Implemented in
//! `sql/reports.rs`.

use async_trait::async_trait;
use rally_domain::CampaignId;
use rally_domain::report::{MessageStats, PartnerReach, PipelineFacts};

use crate::{Actor, Result};

/// The figures behind the Reports page, for the campaign's team (read right). Part of every
/// [`crate::Store`]; the events' figures are [`crate::Events::event_stats`].
#[async_trait]
pub trait Reports {
    /// The campaign's partners grouped by their stage now and the furthest stage their history reached,
    /// and every finished stay in an open stage: one read transaction.
    async fn pipeline_facts(&self, actor: Actor, campaign: CampaignId) -> Result<PipelineFacts>;
    /// The partners the forecast counts (every one not closed lost) with stage and reach, largest
    /// reach first.
    async fn forecast_partners(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PartnerReach>>;
    /// Every message of the campaign, oldest first, with what became of its e-mails.
    async fn message_stats(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<MessageStats>>;
}

//! Retention: each campaign's periods (the rules its owners changed; `rally_domain::retention` holds
//! the rules and their defaults) and applying every rule to the whole database in bounded batches.
//! Implemented in `sql/retention.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::CampaignId;
use rally_domain::retention::{RetentionPeriods, RetentionReport};

use crate::{Actor, Result};

/// The most rows one batch of one rule touches in one transaction unless the caller says otherwise:
/// small enough that a purge never holds the write lock for long, large enough that a daily run is a
/// handful of transactions.
pub const RETENTION_BATCH: u32 = 500;

/// How long the campaign keeps personal data, and the purge. Part of every [`crate::Store`].
#[async_trait]
pub trait Retention {
    /// The campaign's periods: only the rules its owners changed (the rest keep their defaults).
    /// Anyone on the team may read them.
    async fn retention_periods(&self, actor: Actor, campaign: CampaignId) -> Result<RetentionPeriods>;

    /// Replaces the campaign's periods (validated: per-campaign rules, within bounds; a period equal to
    /// the default keeps no row). Owners only; audited.
    async fn set_retention_periods(
        &self,
        actor: Actor,
        campaign: CampaignId,
        periods: RetentionPeriods,
    ) -> Result<RetentionPeriods>;

    /// Applies every rule at `now`: at most `batch_limit` rows per rule per transaction, until nothing
    /// is left. With `campaign`, only that campaign's rules run (not the Rally-wide ones). A dry run
    /// changes nothing and counts what a run would touch. Each batch that changed something writes a
    /// `retention_applied` audit entry in its transaction. Batches from several processes on one
    /// PostgreSQL database run one at a time.
    async fn apply_retention(
        &self,
        now: DateTime<Utc>,
        campaign: Option<CampaignId>,
        batch_limit: u32,
        dry_run: bool,
    ) -> Result<RetentionReport>;
}

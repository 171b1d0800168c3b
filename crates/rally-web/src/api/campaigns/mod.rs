//! `/api/v1/campaigns`: a campaign is addressed by its id or its slug.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

use rally_domain::{Campaign, Phase, Role};
use rally_store::CampaignWithRole;
use serde::Serialize;

/// A campaign as the API shows it: its fields, the caller's role in it, and the phase it is in today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    #[serde(flatten)]
    pub campaign: Campaign,
    /// The caller's role on the campaign's team.
    pub role: Option<Role>,
    /// Where the campaign stands today (UTC), derived from its dates.
    pub phase: Phase,
}

impl From<CampaignWithRole> for CampaignView {
    fn from(c: CampaignWithRole) -> Self {
        let phase = c.campaign.fields.phase(chrono::Utc::now().date_naive());
        CampaignView { campaign: c.campaign, role: c.role, phase }
    }
}

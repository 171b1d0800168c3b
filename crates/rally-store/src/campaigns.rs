//! Campaigns and their teams: creating, reading and changing a campaign, and who is on its team in which
//! role. Implemented in `sql/campaigns.rs`.

use async_trait::async_trait;

use rally_domain::{Campaign, CampaignDraft, CampaignFields, CampaignId, Email, Role, UserId};
use serde::Serialize;

use crate::{Actor, Result};

/// A user's place on a campaign's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
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

/// Campaigns and their teams. Part of every [`crate::Store`].
#[async_trait]
pub trait Campaigns {
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
    /// Publishes the campaign's public site (or takes it back to a draft only the team sees). Owners.
    async fn set_published(&self, actor: Actor, id: CampaignId, published: bool) -> Result<CampaignWithRole>;
    /// Archives the campaign (or brings it back). Owners.
    async fn set_archived(&self, actor: Actor, id: CampaignId, archived: bool) -> Result<CampaignWithRole>;

    // The team.
    async fn team(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Member>>;
    /// Adds a user to the team or changes their role. The last owner cannot be demoted.
    async fn set_role(&self, actor: Actor, campaign: CampaignId, user: UserId, role: Role) -> Result<Member>;
    /// Takes a user off the team. The last owner cannot be removed.
    async fn remove_member(&self, actor: Actor, campaign: CampaignId, user: UserId) -> Result<()>;
}

//! Bringing people onto a campaign's team from the browser: invitations by e-mail with a single-use
//! link, and reset links an owner sends a member. Implemented in `sql/invitations.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::{CampaignId, Email, Role, UserId};
use serde::Serialize;

use crate::{Actor, Member, Result, SystemMail, User};

/// An invitation still waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    pub campaign_id: CampaignId,
    pub email: Email,
    pub role: Role,
    /// Who sent it, if they are still a user.
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What an invitation link opens: the invitation and the campaign it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitation {
    pub invitation: Invitation,
    pub campaign_name: String,
    pub campaign_slug: String,
    /// Whether the address already has a Rally account (then the link only adds the campaign).
    pub has_account: bool,
}

/// What inviting an address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// The address belongs to a Rally user, who now has the role; no e-mail was sent.
    Member(Member),
    /// An invitation waits for its answer; its e-mail is in the outbox.
    Pending(Invitation),
}

/// A campaign's invitations. Part of every [`crate::Store`]. Only owners invite, resend, revoke and
/// send reset links.
#[async_trait]
pub trait Invitations {
    /// Invites `email` with `role`: a Rally user's address gets the role at once (and `mail` is not
    /// sent); any other gets an invitation whose link (its token hashed to `token_hash`) `mail` carries.
    /// An earlier pending invitation of the same address is replaced.
    #[allow(clippy::too_many_arguments)]
    async fn invite(
        &self,
        actor: Actor,
        campaign: CampaignId,
        email: &Email,
        role: Role,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<Invited>;
    /// The campaign's invitations not yet accepted or revoked (expired ones included), newest first.
    async fn invitations(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Invitation>>;
    /// Sends an invitation again with a new link and a new validity; the old link stops working.
    async fn resend_invitation(
        &self,
        actor: Actor,
        campaign: CampaignId,
        id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<Invitation>;
    async fn revoke_invitation(&self, actor: Actor, campaign: CampaignId, id: i64) -> Result<()>;
    /// The invitation a link's token opens, while it is valid.
    async fn open_invitation(&self, token_hash: &str) -> Result<Option<OpenInvitation>>;
    /// Accepts an invitation, once: a new user with `name` and `password_hash` joins the team (for an
    /// address that has an account meanwhile, that user joins and both are ignored). Returns the user
    /// and the campaign's slug.
    async fn accept_invitation(&self, token_hash: &str, name: &str, password_hash: &str) -> Result<(User, String)>;
    /// Sends a member of the team a password reset link.
    async fn send_member_reset(
        &self,
        actor: Actor,
        campaign: CampaignId,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<()>;
}

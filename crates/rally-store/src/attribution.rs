//! Partner attribution: which partner brought a registration. Every partner can have a share link
//! (`/c/{slug}/r/{code}`) whose code is made here; an event remembers the partner whose link it followed
//! (`referred_by`) and the one its organizer named (`heard_from`), and the figures of what each partner
//! brought follow one rule ([`rally_domain::event::EventFields::brought_by`]): approved events whose
//! share link was the partner's or, when they followed none, whose organizer named it. Implemented in
//! `sql/attribution.rs`.

use async_trait::async_trait;
use rally_domain::{CampaignId, PartnerId};
use serde::Serialize;

use crate::{Actor, Result};

/// What one partner brought: approved events attributed to it and their students (the reported
/// number once there is one, else the expected one, as the counter counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Brought {
    pub partner: PartnerId,
    pub name: String,
    pub events: i64,
    pub students: i64,
}

/// Share codes and attribution figures. Part of every [`crate::Store`]. Methods without an [`Actor`]
/// serve the public site, partners' links and the mailer, whose right the caller has checked.
#[async_trait]
pub trait Attribution {
    /// The partner's share code, made the first time it is asked for (any team member may share it).
    async fn share_code(&self, actor: Actor, partner: PartnerId) -> Result<String>;
    /// The partner's share code, for its partner link page and e-mails (the caller checked the right).
    async fn partner_share_code(&self, partner: PartnerId) -> Result<String>;
    /// The partner whose share code `code` is, in the campaign; `None` for a code it does not know.
    async fn partner_for_code(&self, campaign: CampaignId, code: &str) -> Result<Option<PartnerId>>;
    /// What the campaign's partners brought (of one partner when given): only partners that brought
    /// something, most students first. Public figures: the recognition wall shows them.
    async fn brought(&self, campaign: CampaignId, partner: Option<PartnerId>) -> Result<Vec<Brought>>;
    /// The partners a registration form offers for "how did you hear about us?": the campaign's won
    /// partners, by name.
    async fn won_partners(&self, campaign: CampaignId) -> Result<Vec<(PartnerId, String)>>;
}

//! What partners see of themselves: their logo and recognition choice, their secret link and what they
//! do through it, and the public recognition wall. Implemented in `sql/links.rs`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::{
    Asset, AssetId, Campaign, CampaignId, Commitment, CommitmentId, Consent, ContactId, Partner, PartnerId,
    PartnerResponse, StoredFile, Tier,
};
use serde::Serialize;

use crate::{Actor, Result};

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
    /// The language of the partner's first contact (in the order they were added) that has one, as
    /// the contact's tag (`hr`, `sr-Cyrl`); the link page speaks it if the site does.
    pub contact_language: Option<String>,
    /// Whom at the campaign the partner writes to: the partner's owner in the team, else the sender
    /// of the campaign's e-mail (its reply-to address if it has one); `None` when neither is set.
    pub campaign_contact: Option<CampaignContact>,
    /// The partner's own contacts, in the order they were added, with their campaign e-mail choice.
    pub contacts: Vec<LinkContact>,
}

/// One of the partner's contacts as the partner sees it through its link: a name, a role and whether
/// they get campaign e-mail. Never their address: the link may be forwarded inside the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkContact {
    pub id: ContactId,
    pub name: String,
    pub role: String,
    pub consent: Consent,
}

/// A person (or mailbox) at the campaign, as a partner sees it: a name and an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignContact {
    pub name: String,
    pub email: String,
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

/// A partner's logo, recognition and link, what the partner does through the link, and the public
/// recognition wall. Part of every [`crate::Store`].
#[async_trait]
pub trait Links {
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
    /// The partner says whether one of its own contacts gets campaign e-mail ([`Consent::OptedIn`] or
    /// [`Consent::OptedOut`]; anything else is invalid). A change is recorded as a consent through the
    /// partner link, with the client's address and user agent; `false` when the contact already had
    /// that choice (nothing is written). Another partner's contact is not found.
    async fn link_set_contact_consent(&self, token_hash: &str, contact: ContactId, consent: Consent) -> Result<bool>;
    /// An asset that was sent to the link's partner.
    async fn link_asset(&self, token_hash: &str, asset: AssetId) -> Result<Asset>;

    // Recognition: public.
    /// Won partners that did not opt out, high tier first, then by name.
    async fn recognition(&self, campaign: CampaignId) -> Result<Vec<Recognized>>;
}

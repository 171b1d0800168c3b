//! Consent with provenance and the campaign's privacy notices: the history of every person's consent
//! (who, what for, granted or withdrawn, when, how, from where, under which notice), the notices' versions
//! per language, and agreeing again after a notice "everyone must agree to again". Implemented in
//! `sql/consent.rs`; the rows themselves are written by the change they record (a registration, a team
//! edit, an import, an unsubscribe), in its transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::consent::{ConsentMethod, ConsentPurpose, NoticeFields, PrivacyNotice};
use rally_domain::{CampaignId, ContactId, EventId};
use serde::Serialize;

use crate::{Actor, Result};

/// One change of a person's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub id: i64,
    pub contact_id: Option<ContactId>,
    pub event_id: Option<EventId>,
    /// The address the consent applied to when it was given.
    pub email: String,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub at: DateTime<Utc>,
    pub method: ConsentMethod,
    /// The import batch that set it, for [`ConsentMethod::Import`].
    pub import_batch: Option<i64>,
    /// The team member who set it (their name now), for the team's own edits and imports.
    pub user_name: Option<String>,
    /// Where a form or link page was used: the client's address and user agent.
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The privacy notice in force when consent was given (`hr-3`).
    pub notice: Option<String>,
}

/// The campaign's privacy notices and consent records. Part of every [`crate::Store`].
#[async_trait]
pub trait Consents {
    /// Every published version of the campaign's notices, newest first.
    async fn privacy_notices(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PrivacyNotice>>;
    /// Publishes the next version of the notice in `fields.language` (coordinators and owners).
    async fn publish_privacy_notice(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: NoticeFields,
    ) -> Result<PrivacyNotice>;
    /// The newest notice a visitor reads (public): in the first of `languages` that has one, by tag
    /// and then by primary language, else in the campaign's first language that has one.
    async fn current_privacy_notice(&self, campaign: CampaignId, languages: &[&str]) -> Result<Option<PrivacyNotice>>;
    /// A contact's consent history, newest first.
    async fn contact_consents(&self, actor: Actor, contact: ContactId) -> Result<Vec<ConsentRecord>>;
    /// An event organizer's consent history, newest first.
    async fn event_consents(&self, actor: Actor, event: EventId) -> Result<Vec<ConsentRecord>>;

    // Through a signed link (the unsubscribe page, an organizer's event link): the link is the credential.
    /// The notice the contact must agree to before receiving campaign news again, if any.
    async fn contact_notice_due(&self, contact: ContactId) -> Result<Option<PrivacyNotice>>;
    /// The contact agrees to the notice now in force for them (on the e-mail preferences page).
    async fn contact_agrees(&self, contact: ContactId) -> Result<()>;
    /// RFC 8058's one-click unsubscribe: essential e-mail only, recorded as a withdrawn consent.
    async fn one_click_unsubscribe(&self, contact: ContactId) -> Result<()>;
    /// The notice the event's organizer must agree to again, if any.
    async fn organizer_notice_due(&self, event: EventId, link_version: i64) -> Result<Option<PrivacyNotice>>;
    /// The organizer agrees to the notice now in force for their event's language.
    async fn organizer_agrees(&self, event: EventId, link_version: i64) -> Result<()>;
}

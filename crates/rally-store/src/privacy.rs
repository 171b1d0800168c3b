//! One person's data, found by their e-mail address wherever Rally keeps it: exported as one JSON
//! document ("what do you hold about me?") or erased ("delete me"). Implemented in `sql/privacy.rs`.
//!
//! What erasure does, table by table, and why some rows are anonymized rather than deleted:
//!
//! - `contacts`: anonymized (name, address, role, phone gone; consent opted out), not deleted: the
//!   outbox rows of the e-mails they were sent hang off the contact, and deleting it would change
//!   every message's figures. The partner's search keys are rebuilt.
//! - `events`: keep their status, counts, country, town, dates, type and language (the public counter
//!   and every tally stay as they were); lose the organizer's name and address, the organization, the
//!   description, the web address, a title naming the school or the person, and the news opt-in.
//!   Their links are revoked. Certificates are made from these fields, so they are no longer personal.
//! - `outbox`, `outbox_staged`: the address, name, subject, bodies, unsubscribe link and last reply are
//!   purged; the row, its status and times stay, so message statistics do not move. The address is
//!   replaced by the person's keyed hash, which the suppression list also holds, so an unsubscribe
//!   still counts against the e-mail it followed.
//! - `suppressions`: the person's rows are re-keyed to the hash, and an `erased` row is added: the
//!   outbox ([`crate::Comms`]' only way in) and imports refuse the address from then on.
//! - `interactions`, `tasks`, partner notes, stage-change notes, commitments, event log details, asset
//!   notes: the address and the person's names are replaced by `[erased]` in the text.
//! - `import_undo`: the before-images of the person's rows, or that name them, are deleted.
//! - `invitations`, `email_changes`, sign-in gates, consent records: deleted.
//! - `users` (only when erasing everywhere, from the command line): anonymized and disabled (password,
//!   sessions, tokens, remembered browsers, calendar feeds and memberships gone), unless the person
//!   is the last owner of a campaign, which is refused.
//! - `audit_log`: entries by or about the person name them by pseudonym only, and lose the client's
//!   address and user agent when the person acted; the erasure itself is recorded under the pseudonym.

use std::collections::BTreeMap;

use async_trait::async_trait;
use rally_domain::{CampaignId, ContactId, Email, EventId};
use serde::Serialize;

use crate::{Actor, Result};

/// The most rows one table contributes to an export: a person is in a handful of rows of most tables;
/// a person with more (an organizer of thousands of events) gets the first this many and a note.
pub const EXPORT_ROWS_PER_TABLE: usize = 5_000;

/// What an erasure changed (or, for a dry run, would change): rows per table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReport {
    /// How the person is named from now on (in the audit log): `erased person #<n>`.
    pub pseudonym: String,
    pub dry_run: bool,
    /// Table → rows deleted or anonymized there; tables with none are left out.
    pub tables: BTreeMap<String, u64>,
}

impl ErasureReport {
    /// Rows changed, all tables together.
    pub fn total(&self) -> u64 {
        self.tables.values().sum()
    }
}

/// Where to look: everywhere (the operator), or in one campaign (its owners, an organizer's link).
/// An erasure in one campaign leaves the person's user account alone (it is not the campaign's), but
/// the suppression it adds holds everywhere, as every suppression does.
#[async_trait]
pub trait Privacy {
    /// Everything Rally holds about `email` as one JSON document:
    /// `{ "email", "generated_at", "campaign", "tables": { "<table>": [ {column: value, …}, … ] } }`.
    /// Secret columns (password and token hashes, CSRF tokens) are left out; instants are RFC 3339.
    /// A user exports from one campaign they own (`campaign` required); the operator from all or one.
    /// Recorded in the audit log.
    async fn export_person(
        &self,
        actor: Actor,
        email: &Email,
        campaign: Option<CampaignId>,
    ) -> Result<serde_json::Value>;

    /// Erases `email` everywhere (`campaign` `None`: the operator only) or in one campaign (its
    /// owners), recording `reason` in the audit log. A dry run changes nothing and reports what
    /// would change.
    async fn erase_person(
        &self,
        actor: Actor,
        email: &Email,
        campaign: Option<CampaignId>,
        reason: &str,
        dry_run: bool,
    ) -> Result<ErasureReport>;

    /// The export of the organizer of the event a signed link names, in the event's campaign.
    async fn export_organizer(&self, event: EventId, link_version: i64) -> Result<serde_json::Value>;

    /// Erases the organizer of the event a signed link names from the event's campaign.
    async fn erase_organizer(&self, event: EventId, link_version: i64) -> Result<ErasureReport>;

    /// Which of `emails` belong to people who were erased (compared by their keyed hash).
    async fn erased_addresses(&self, emails: &[&str]) -> Result<Vec<String>>;

    /// The export of a contact (in their campaign), e-mailed to the contact's own address — never
    /// shown to whoever holds their unsubscribe link. `compose` turns the JSON into the e-mail's
    /// subject and text. Recorded in the audit log.
    async fn mail_contact_export(
        &self,
        contact: ContactId,
        compose: &(dyn for<'a> Fn(&'a str) -> (String, String) + Send + Sync),
    ) -> Result<()>;

    /// An e-mail to a contact's own address (the link that confirms their erasure).
    async fn mail_contact(&self, contact: ContactId, subject: &str, text: &str) -> Result<()>;

    /// Erases a contact's address from their campaign, as they confirmed through a link e-mailed to it.
    async fn erase_contact(&self, contact: ContactId) -> Result<ErasureReport>;
}

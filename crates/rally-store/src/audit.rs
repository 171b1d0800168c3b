//! The audit log: who did what, when and from where, written inside the transaction of the change it
//! records (so a change that rolls back leaves no entry, and no change goes unrecorded).
//!
//! Where a request came from is not a parameter of every store method: the HTTP layer runs each
//! request inside [`with_origin`], and the store reads [`Origin::current`] when it writes an entry or
//! a consent record. Outside a request (the command line, the worker) the origin says so.
//!
//! Reading it is the [`Audit`] area (implemented in `sql/audit.rs`): owners read their campaign's
//! entries and their team's own (sign-ins, tokens), filtered and newest first, a page at a time.
//! Nothing in Rally changes an entry; retention deletes old ones and erasure pseudonymizes a person.

use std::future::Future;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::{AuditAction, CampaignId, Email, UserId};
use serde::Serialize;

use crate::{Actor, Result};

/// Where the current change comes from: the client's address (as the HTTP layer worked it out through
/// trusted proxies only), its user agent, the request's id and the surface it used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// `web` (the team app and public pages), `api`, `cli`, `worker`; empty outside any of them.
    pub via: &'static str,
}

/// The longest user agent kept; the rest is cut (at a character boundary).
pub const MAX_USER_AGENT: usize = 256;

tokio::task_local! {
    static ORIGIN: Origin;
}

impl Origin {
    /// The origin of the task this runs in, or one saying "the command line" when none was set.
    pub fn current() -> Origin {
        ORIGIN.try_with(Clone::clone).unwrap_or(Origin { via: "cli", ..Origin::default() })
    }

    /// `agent` cut to [`MAX_USER_AGENT`] bytes.
    pub fn bounded_agent(agent: &str) -> String {
        let mut end = agent.len().min(MAX_USER_AGENT);
        while !agent.is_char_boundary(end) {
            end -= 1;
        }
        agent[..end].to_owned()
    }
}

/// Runs `f` with `origin` as the origin of every store write it makes.
pub async fn with_origin<F: Future>(origin: Origin, f: F) -> F::Output {
    ORIGIN.scope(origin, f).await
}

/// One entry of the audit log, as it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `None` for what belongs to an account rather than a campaign (sign-ins, API tokens).
    pub campaign_id: Option<CampaignId>,
    /// The user who acted, when it was one.
    pub user_id: Option<UserId>,
    /// Who acted, as they were called then (`Ana <ana@example.org>`, `operator`, an organizer).
    pub actor: String,
    pub action: AuditAction,
    /// What the entry is about: `partner`, `contact`, `event`, `message`, `user`, `token`, …
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    /// How the thing was called when it happened.
    pub target: Option<String>,
    /// What changed (field names, counts), never a secret.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    /// The client's address, through trusted proxies only.
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// `web`, `api`, `cli` or `worker`.
    pub via: String,
    pub request_id: Option<String>,
}

/// Which entries to read: every condition given must hold. `before` is the cursor a previous page
/// handed back ([`AuditPage::next`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    pub user: Option<UserId>,
    /// From this instant on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Text the target's name holds (any case).
    pub target: Option<String>,
    pub before: Option<i64>,
    /// Entries on the page: 1 to [`rally_domain::limits::AUDIT_PAGE`], 50 when not given.
    pub limit: Option<usize>,
}

/// A page of entries, newest first, and the cursor of the next (older) page when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<i64>,
}

/// Entries on a page when the filter does not say.
pub const DEFAULT_AUDIT_PAGE: usize = 50;

/// Reading the audit log, and the entries no other store change writes. Part of every [`crate::Store`].
#[async_trait]
pub trait Audit {
    /// Entries of `campaign` and the account entries (sign-ins, tokens) of its team's users, for its
    /// owners; with `campaign` `None`, every entry, for the operator only.
    async fn audit_entries(
        &self,
        actor: Actor,
        campaign: Option<CampaignId>,
        filter: &AuditFilter,
    ) -> Result<AuditPage>;
    /// Records that `actor` downloaded the campaign's personal data (`what`: `partners`, `contacts`,
    /// `events`, …) with `detail` (the filters, the format): for exports, which are streamed over many
    /// reads rather than made in one transaction. Anyone on the team may export.
    async fn record_download(
        &self,
        actor: Actor,
        campaign: CampaignId,
        what: &str,
        detail: serde_json::Value,
    ) -> Result<()>;
    /// Records a failed sign-in with `email`: under the user when the address has an account, as the
    /// address alone otherwise. The password tried is never given to the store.
    async fn record_sign_in_failed(&self, email: &Email) -> Result<()>;
    /// What erasure does to the log, on its own, for the conformance tests (erasure itself is
    /// `Privacy`'s, which calls the same function in its transaction).
    #[cfg(feature = "testing")]
    async fn pseudonymize_in_audit(&self, user: Option<UserId>, email: &str, pseudonym: &str) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_origin_is_the_scope_s_and_the_command_line_outside_one() {
        assert_eq!(Origin::current().via, "cli");
        let inside = Origin { address: Some("192.0.2.7".into()), via: "web", ..Origin::default() };
        let seen = with_origin(inside.clone(), async { Origin::current() }).await;
        assert_eq!(seen, inside);
        assert_eq!(Origin::bounded_agent(&"é".repeat(200)).len(), 256);
    }
}

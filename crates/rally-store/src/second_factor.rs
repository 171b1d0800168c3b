//! Two-factor sign-in: a user's TOTP secret (set up, confirmed with a code, turned off), their
//! single-use recovery codes, the sign-ins that wait for a second factor after a right password,
//! campaigns whose owners require a second factor of their team, and signing out everywhere.
//! Implemented in `sql/second_factor.rs`; the codes' arithmetic is `rally_domain::totp`.
//!
//! The secret must stay readable to check codes, so it is stored as it is; it never leaves the store
//! but through [`SecondFactors::second_factor_setup`] (while being set up, for the QR code) and is
//! never written to the audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::totp::Secret;
use rally_domain::{CampaignId, UserId};

use crate::{Actor, Result};

/// A user's second factor, once confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    pub enabled_at: DateTime<Utc>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u32,
}

/// What a person gave as their second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorAnswer<'a> {
    /// A code from their app, as typed.
    Code(&'a str),
    /// The hash of a recovery code (SHA-256 of its normalized form, as given to
    /// [`SecondFactors::enable_second_factor`]).
    RecoveryCode(&'a str),
}

/// How a sign-in's second step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// The answer was right: the sign-in is no longer pending; make the session. With a recovery
    /// code, how many are left.
    Accepted { user: UserId, recovery_codes_left: Option<u32> },
    /// A wrong code, a used recovery code, or a code already used in its time step.
    Refused { user: UserId },
    /// No such pending sign-in, or it expired: start again from the password.
    Expired,
}

/// How a change that needs a current code (or the password, checked by the caller) went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// A code from the app, checked here (and used up).
    Code(&'a str),
    /// The caller checked the user's password.
    Password,
    /// The operator, at the command line, for someone who lost both their phone and their recovery
    /// codes (audited as the operator's doing).
    Operator,
}

/// Two-factor sign-in. Part of every [`crate::Store`].
#[async_trait]
pub trait SecondFactors {
    /// The user's confirmed second factor, if they have one.
    async fn second_factor(&self, user: UserId) -> Result<Option<SecondFactor>>;
    /// Starts setting up a second factor with a new secret (replacing one not confirmed yet). A
    /// conflict when the user has one on already.
    async fn begin_second_factor(&self, user: UserId, secret: &Secret) -> Result<()>;
    /// The secret being set up (not confirmed yet), to show again.
    async fn second_factor_setup(&self, user: UserId) -> Result<Option<Secret>>;
    /// Turns the secret being set up on when `code` is its current code, with the hashes of new
    /// recovery codes; audited. `false` (nothing changes) for a wrong code; not found when no setup
    /// was begun.
    async fn enable_second_factor(
        &self,
        user: UserId,
        code: &str,
        now: DateTime<Utc>,
        recovery_hashes: &[String],
    ) -> Result<bool>;
    /// Turns the second factor off (secret and recovery codes deleted) given a proof; audited.
    /// `false` for a wrong code (audited as a failure).
    async fn disable_second_factor(&self, user: UserId, proof: Proof<'_>, now: DateTime<Utc>) -> Result<bool>;
    /// Replaces the user's recovery codes with new ones given a proof. `false` for a wrong code.
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        proof: Proof<'_>,
        now: DateTime<Utc>,
        recovery_hashes: &[String],
    ) -> Result<bool>;

    /// Remembers a sign-in whose password was right and which waits for its second factor, by the
    /// hash of its cookie, until `expires_at`. Expired ones are swept here.
    async fn begin_pending_sign_in(&self, user: UserId, token_hash: &str, expires_at: DateTime<Utc>) -> Result<()>;
    /// The user of an unexpired pending sign-in.
    async fn pending_sign_in(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>>;
    /// Checks a pending sign-in's second factor in one transaction: a code newer than the last one
    /// used, or an unused recovery code (then marked used). Accepted, the pending sign-in is gone;
    /// refused, the failure is audited.
    async fn second_step(
        &self,
        token_hash: &str,
        answer: SecondFactorAnswer<'_>,
        now: DateTime<Utc>,
    ) -> Result<SecondStep>;

    /// Whether the campaign requires a second factor of its team (anyone on the team may read it).
    async fn second_factor_required(&self, actor: Actor, campaign: CampaignId) -> Result<bool>;
    /// Requires (or no longer requires) a second factor of everyone on the campaign's team: owners
    /// only, and only an owner who has one themselves may require it; audited.
    async fn require_second_factor(&self, actor: Actor, campaign: CampaignId, required: bool) -> Result<()>;
    /// The campaigns (slug, name) on whose team `user` is that require a second factor, when the user
    /// has none; empty otherwise.
    async fn second_factor_wanted_by(&self, user: UserId) -> Result<Vec<(String, String)>>;
    /// Whether the user of the session whose token hashes to `session_hash` must set up a second
    /// factor before using the campaign `slug`: the campaign requires one, they are on its team and
    /// they have none. One query, for every page request under the campaign.
    async fn second_factor_missing(&self, session_hash: &str, slug: &str) -> Result<bool>;

    /// Signs the user out of every browser, this one included: sessions, pending sign-ins and
    /// remembered browsers go; audited. Returns how many sessions ended.
    async fn sign_out_everywhere(&self, user: UserId) -> Result<u64>;
}

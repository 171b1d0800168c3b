//! Who may sign in: users, their API tokens, browser sessions, the sign-in throttle's gates, remembered
//! browsers and password resets. Implemented in `sql/accounts.rs`.

use async_trait::async_trait;

use chrono::{DateTime, Utc};
use rally_domain::{Email, UserId};
use serde::Serialize;

use crate::Result;

/// A user of Rally; team membership is per campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
}

/// What Rally keeps of an API token: not the token, only when it was made and whether it still works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// System mail to one person: a link to set a password, confirm an address or join a team. Never held
/// back by the cadence rules; sent in the transaction of the change that makes its link valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemMail {
    pub to: Email,
    pub to_name: String,
    pub subject: String,
    pub text: String,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// Sent back with every form and script request of this session (CSRF protection).
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// One of a user's signed-in browsers, as the account page lists it: never its token or the token's
/// hash, only a handle made from them that cannot be turned back into either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// [`session_handle`] of the session's token hash: what a form names to end this session.
    pub handle: String,
    /// The browser's user agent when it signed in (at most [`crate::audit::MAX_USER_AGENT`] bytes).
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within [`SESSION_SEEN_EVERY_MINUTES`]; `None` until then.
    pub last_seen_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A session's `last_seen_at` is written when a request finds it older than this, so that using Rally
/// does not write to the database on every request.
pub const SESSION_SEEN_EVERY_MINUTES: i64 = 5;

/// The public handle of the session whose token hashes to `token_hash`: 16 hex digits of the SHA-256 of
/// the hash. Safe in a page or a form: it neither signs anyone in nor leads back to the token, and it
/// is tied to the session's owner by the store, which ends only the caller's own sessions by it.
pub fn session_handle(token_hash: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token_hash.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Users, API tokens and web sign-in. Part of every [`crate::Store`].
#[async_trait]
pub trait Accounts {
    async fn create_user(&self, email: &Email, name: &str, password_hash: Option<&str>) -> Result<User>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    /// Replaces a user's password hash (argon2id, PHC string).
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()>;
    /// Stores the SHA-256 of a new API token; the token itself is never stored.
    async fn create_api_token(&self, user: UserId, token_hash: &str, label: &str) -> Result<()>;
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    /// A user's API tokens, newest first (never the tokens themselves).
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>>;
    /// Revokes a token: requests with it are refused from now on. Revoking twice is harmless.
    async fn revoke_api_token(&self, id: i64) -> Result<()>;

    // Web sign-in.
    /// The user with this address and their password hash (`None` for users without a password).
    async fn login_lookup(&self, email: &Email) -> Result<Option<(User, Option<String>)>>;
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The unexpired session whose token hashes to `token_hash`.
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Changes the name a user is shown by (1 to 200 characters); returns the user.
    async fn rename_user(&self, user: UserId, name: &str) -> Result<User>;
    /// Replaces a user's password hash and ends every other session of theirs (the one whose token
    /// hashes to `keep_session` stays): someone who knew the old password is signed out.
    async fn change_password(&self, user: UserId, password_hash: &str, keep_session: &str) -> Result<()>;
    /// Ends every session of the user but the one whose token hashes to `keep_session`; returns how many.
    async fn end_other_sessions(&self, user: UserId, keep_session: &str) -> Result<u64>;
    /// The user's unexpired sessions, the most recently used first.
    async fn user_sessions(&self, user: UserId) -> Result<Vec<SessionInfo>>;
    /// Ends the user's own session with this [`session_handle`], audited; "not found" when the user has
    /// none with it (someone else's session is never ended this way).
    async fn end_session(&self, user: UserId, handle: &str) -> Result<()>;
    /// Counts a sign-in attempt in each of `gates` (named by their key) before its password is
    /// checked, in one transaction: parallel attempts are counted one after another. If any gate is
    /// closed, counts nothing and answers `Err` with how long until the last of them opens. Gates left
    /// alone for a day are forgotten.
    async fn pass_gates(
        &self,
        gates: &[(&str, rally_domain::throttle::Backoff)],
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<(), chrono::Duration>>;
    /// Opens gates again (their attempts start over): the password was right.
    async fn open_gates(&self, gates: &[&str]) -> Result<()>;
    /// Remembers a browser the user signed in from, by its cookie's hash; browsers unused for a year
    /// are forgotten.
    async fn remember_device(&self, user: UserId, token_hash: &str, now: DateTime<Utc>) -> Result<()>;
    /// The user a remembered browser signed in as, marking it used.
    async fn known_device(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>>;
    /// Stores a single-use reset link's token hash; with `mail`, the e-mail that carries the link goes
    /// to the outbox in the same transaction.
    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: Option<&SystemMail>,
    ) -> Result<()>;
    /// Sets a new password with a reset token, once and before it expires, and ends the user's sessions.
    async fn reset_password(&self, token_hash: &str, password_hash: &str) -> Result<User>;
    /// Starts a change of the user's address to `new_email`: the change waits for the link that `mail`
    /// carries to the new address. Refused when another user has that address.
    async fn request_email_change(
        &self,
        user: UserId,
        new_email: &Email,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<()>;
    /// Changes the address with a confirmation link, once and before it expires.
    async fn confirm_email_change(&self, token_hash: &str) -> Result<User>;
    /// The user's time zone (an IANA name), in which the team app shows times.
    async fn time_zone(&self, user: UserId) -> Result<String>;
    async fn set_time_zone(&self, user: UserId, zone: &str) -> Result<()>;
}

//! Calendar feeds (RFC 5545): a user's feed tokens and the entries the feed lists. Implemented in
//! `sql/calendars.rs`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::{PartnerId, UserId};

use crate::{Result, User};

/// What a calendar entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarKind {
    Milestone,
    Ask,
    Commitment,
    Task,
}

/// One entry of a user's calendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    pub kind: CalendarKind,
    /// The id of the task, commitment, ask or campaign, unique per kind.
    pub id: i64,
    pub campaign_slug: String,
    pub campaign_name: String,
    pub partner_id: Option<PartnerId>,
    pub date: NaiveDate,
    pub until: Option<NaiveDate>,
    pub title: String,
    pub detail: String,
    pub done: bool,
}

/// Calendar feeds: the tokens that name them and what they list. Part of every [`crate::Store`].
#[async_trait]
pub trait Calendars {
    /// Makes a new calendar feed secret for the user and revokes earlier ones.
    async fn create_calendar_token(&self, user: UserId, token_hash: &str) -> Result<()>;
    async fn revoke_calendar_tokens(&self, user: UserId) -> Result<()>;
    /// When the user's active feed secret was made, if there is one.
    async fn calendar_token_created(&self, user: UserId) -> Result<Option<DateTime<Utc>>>;
    /// The feed of the user whose secret hashes to `token_hash`: milestones of their campaigns, standard
    /// asks' due dates, commitments of partners they own (all partners for coordinators and owners) and
    /// their tasks, dated from `from` on.
    async fn calendar(&self, token_hash: &str, from: NaiveDate) -> Result<Option<(User, Vec<CalendarItem>)>>;
}

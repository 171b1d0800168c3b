//! The activity catalogue as the store keeps it: the team's activities, those an umbrella offers its
//! members (which may hide them), submissions and their review, the public catalogue with its facet
//! counts, and how many events and students chose each activity. Implemented in `sql/activities.rs`.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::activity::{Activity, ActivityFields, ActivityStatus, Facet, ReviewCheck, Submitter};
use rally_domain::{ActivityId, CampaignId};
use serde::Serialize;

use crate::events::OrganizerMail;
use crate::{Actor, Result};

/// What a catalogue list asks for. Facet values are "any of" within a facet and "all of" across facets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueQuery {
    pub facets: BTreeMap<Facet, BTreeSet<String>>,
    /// Words of the title, summary or provider.
    pub q: Option<String>,
    /// Team lists only: one status (the public catalogue shows listed activities only).
    pub status: Option<ActivityStatus>,
    /// The visitor's language: activities available in it come first.
    pub language: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One value of a facet with how many activities of the filtered catalogue have it (counted as if that
/// facet's own selection were not applied, so a teacher sees what choosing it would give).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub facet: Facet,
    pub value: String,
    pub activities: i64,
}

/// A catalogue page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    /// Available in the visitor's language (every match when no language was asked for).
    pub in_language: Vec<Activity>,
    /// The other matches: "also available in other languages".
    pub other_languages: Vec<Activity>,
    /// How many match in all (both lists, every page).
    pub total: i64,
    pub counts: Vec<FacetCount>,
}

/// How many approved events chose an activity, and their students.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActivityUsage {
    pub events: i64,
    pub students: i64,
}

/// A catalogue entry as the registration form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityOption {
    pub id: ActivityId,
    /// In the visitor's language when there is one.
    pub title: String,
    pub provider_name: String,
}

/// The team's decision on a submitted activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// Listed, with the checks the reviewer ticked (all of [`ReviewCheck::ALL`] are required).
    List { checks: Vec<ReviewCheck> },
    /// Rejected with a reason, written to the submitter (in their language, by the caller).
    Reject { reason: String },
}

/// The activity catalogue. Part of every [`crate::Store`]. Methods without an [`Actor`] serve the
/// public site and partners' links (whose right the caller has checked).
#[async_trait]
pub trait Activities {
    /// The team adds an activity to its catalogue, listed.
    async fn create_activity(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: ActivityFields,
        now: DateTime<Utc>,
    ) -> Result<Activity>;
    async fn update_activity(
        &self,
        actor: Actor,
        id: ActivityId,
        fields: ActivityFields,
        now: DateTime<Utc>,
    ) -> Result<Activity>;
    async fn delete_activity(&self, actor: Actor, id: ActivityId) -> Result<()>;
    async fn activity(&self, actor: Actor, id: ActivityId) -> Result<Activity>;
    /// The campaign's own activities in every status, with the total that match (facet counts included).
    async fn activities(&self, actor: Actor, campaign: CampaignId, query: &CatalogueQuery) -> Result<Catalogue>;
    /// The activities the campaign's umbrella offers, each with whether this campaign hides it.
    async fn umbrella_activities(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<(Activity, bool)>>;
    /// A member campaign hides (or shows again) an activity its umbrella offers.
    async fn hide_umbrella_activity(
        &self,
        actor: Actor,
        campaign: CampaignId,
        activity: ActivityId,
        hidden: bool,
    ) -> Result<()>;
    /// Lists or rejects a submitted activity; a rejection queues `mail` to the submitter.
    async fn review_activity(
        &self,
        actor: Actor,
        id: ActivityId,
        review: Review,
        mail: Option<OrganizerMail>,
        now: DateTime<Utc>,
    ) -> Result<Activity>;
    /// "Hide now" for a listed activity that broke (with the reason), or list it again.
    async fn set_activity_hidden(
        &self,
        actor: Actor,
        id: ActivityId,
        hidden: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Activity>;
    /// A partner (through its link) or a visitor (through the public form) proposes an activity; it
    /// waits for review.
    async fn submit_activity(
        &self,
        campaign: CampaignId,
        fields: ActivityFields,
        submitter: Submitter,
        now: DateTime<Utc>,
    ) -> Result<Activity>;
    /// The public catalogue of a campaign: its listed activities and its umbrella's it does not hide.
    async fn catalogue(&self, campaign: CampaignId, query: &CatalogueQuery) -> Result<Catalogue>;
    /// One activity of the public catalogue, with what events chose it (approved ones of the campaign
    /// and its members).
    async fn public_activity(&self, campaign: CampaignId, id: ActivityId) -> Result<(Activity, ActivityUsage)>;
    /// Catalogue entries whose title matches `q` (all when empty), for the registration form; at most `limit`.
    async fn activity_options(
        &self,
        campaign: CampaignId,
        q: &str,
        language: &str,
        limit: i64,
    ) -> Result<Vec<ActivityOption>>;
}

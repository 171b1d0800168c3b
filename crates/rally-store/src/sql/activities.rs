//! [`crate::Activities`] in SQL: the activity catalogue, submissions and review, facet counts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::activity::{Activity, ActivityFields, Submitter};
use rally_domain::{ActivityId, CampaignId};

use super::Backend;
use crate::activities::{ActivityOption, ActivityUsage, Catalogue, CatalogueQuery, Review};
use crate::events::OrganizerMail;
use crate::{Activities, Actor, Result, StoreError};

// Placeholder until the catalogue's SQL is written: every method reports the activity as not found.
#[async_trait]
impl Activities for Backend {
    async fn create_activity(&self, _: Actor, _: CampaignId, _: ActivityFields, _: DateTime<Utc>) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn update_activity(&self, _: Actor, _: ActivityId, _: ActivityFields, _: DateTime<Utc>) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn delete_activity(&self, _: Actor, _: ActivityId) -> Result<()> {
        Err(StoreError::NotFound("activity"))
    }
    async fn activity(&self, _: Actor, _: ActivityId) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn activities(&self, _: Actor, _: CampaignId, _: &CatalogueQuery) -> Result<Catalogue> {
        Err(StoreError::NotFound("activity"))
    }
    async fn umbrella_activities(&self, _: Actor, _: CampaignId) -> Result<Vec<(Activity, bool)>> {
        Err(StoreError::NotFound("activity"))
    }
    async fn hide_umbrella_activity(&self, _: Actor, _: CampaignId, _: ActivityId, _: bool) -> Result<()> {
        Err(StoreError::NotFound("activity"))
    }
    async fn review_activity(
        &self,
        _: Actor,
        _: ActivityId,
        _: Review,
        _: Option<OrganizerMail>,
        _: DateTime<Utc>,
    ) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn set_activity_hidden(
        &self,
        _: Actor,
        _: ActivityId,
        _: bool,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn submit_activity(
        &self,
        _: CampaignId,
        _: ActivityFields,
        _: Submitter,
        _: DateTime<Utc>,
    ) -> Result<Activity> {
        Err(StoreError::NotFound("activity"))
    }
    async fn catalogue(&self, _: CampaignId, _: &CatalogueQuery) -> Result<Catalogue> {
        Err(StoreError::NotFound("activity"))
    }
    async fn public_activity(&self, _: CampaignId, _: ActivityId) -> Result<(Activity, ActivityUsage)> {
        Err(StoreError::NotFound("activity"))
    }
    async fn activity_options(&self, _: CampaignId, _: &str, _: &str, _: i64) -> Result<Vec<ActivityOption>> {
        Err(StoreError::NotFound("activity"))
    }
}

//! [`crate::EventMap`] in SQL: the public map's events (by country, box and activity) and one public
//! event's page. Only approved public events of the campaign and its members are ever read.

use async_trait::async_trait;
use rally_domain::{CampaignId, EventId};
use sqlx::{QueryBuilder, Row};

use super::events::{event_columns, event_from_row};
use super::{Backend, Db, text};
use crate::{EventMap, MapEvent, MapFilter, PublicEvent, Result, StoreError};
use rally_domain::event::EventType;

/// The events the public site shows: approved, public, of the campaign or of one of its members.
fn push_public(q: &mut QueryBuilder<Db>, campaign: CampaignId) {
    q.push(" e.campaign_id IN (SELECT id FROM campaigns WHERE id = ")
        .push_bind(campaign.0)
        .push(" OR parent_id = ")
        .push_bind(campaign.0)
        .push(") AND e.status = 'approved' AND e.public = TRUE");
}

#[async_trait]
impl EventMap for Backend {
    async fn map_events(&self, campaign: CampaignId, filter: &MapFilter, limit: i64) -> Result<Vec<MapEvent>> {
        let mut conn = self.pool.acquire().await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT e.id, e.latitude, e.longitude, COALESCE(e.students_actual, e.students_expected) AS students, \
             CASE WHEN e.title = '' THEN e.organization ELSE e.title END AS title, e.city, e.country, \
             e.event_type, e.starts_on, e.ends_on FROM events e WHERE",
        );
        push_public(&mut q, campaign);
        q.push(" AND e.latitude IS NOT NULL AND e.longitude IS NOT NULL");
        if let Some(c) = filter.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            q.push(" AND e.country = ").push_bind(c.to_ascii_uppercase());
        }
        if let Some((min_lon, min_lat, max_lon, max_lat)) = filter.bbox {
            q.push(" AND e.longitude >= ").push_bind(min_lon);
            q.push(" AND e.longitude <= ").push_bind(max_lon);
            q.push(" AND e.latitude >= ").push_bind(min_lat);
            q.push(" AND e.latitude <= ").push_bind(max_lat);
        }
        if let Some(a) = filter.activity {
            super::events::push_activity_filter(&mut q, a.0);
        }
        q.push(" ORDER BY e.id LIMIT ").push_bind(limit.clamp(1, 200_000));
        q.build()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(MapEvent {
                    id: EventId(r.try_get("id")?),
                    latitude: r.try_get("latitude")?,
                    longitude: r.try_get("longitude")?,
                    students: r.try_get("students")?,
                    title: r.try_get("title")?,
                    city: r.try_get("city")?,
                    country: r.try_get("country")?,
                    event_type: text(r, "event_type", EventType::parse)?,
                    starts_on: super::required_date(r, "starts_on")?,
                    ends_on: super::required_date(r, "ends_on")?,
                })
            })
            .collect()
    }

    async fn public_event(&self, campaign: CampaignId, id: EventId) -> Result<PublicEvent> {
        let mut conn = self.pool.acquire().await?;
        let mut q = QueryBuilder::<Db>::new(concat!(
            "SELECT ",
            event_columns!(),
            ", c.slug AS campaign_slug FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE e.id = "
        ));
        q.push_bind(id.0).push(" AND");
        push_public(&mut q, campaign);
        let row = q.build().fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound("event"))?;
        Ok(PublicEvent::from_event(event_from_row(&row)?, row.try_get("campaign_slug")?))
    }
}

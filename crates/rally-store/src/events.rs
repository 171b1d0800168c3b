//! Events schools and teachers register on the public site: registration, organizers' changes and
//! e-mails, moderation, the public counter, map and statistics. Implemented in `sql/events.rs`.

use async_trait::async_trait;

use chrono::{DateTime, NaiveDate, Utc};
use rally_domain::EventId;
use rally_domain::LanguageTag;
use rally_domain::event::{Event, EventFields, EventLogEntry, EventSettings, EventStatus, EventType, LocationSource};
use rally_domain::{Campaign, CampaignId};
use serde::Serialize;

use crate::{Actor, Result};

/// An e-mail to an event organizer, written by the caller in the organizer's language (the store knows
/// no translations); it goes through the outbox as a transactional e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizerMail {
    pub subject: String,
    pub text: String,
}

/// Why an organizer is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventMailKind {
    /// Confirm the registration (and keep the link to manage it).
    Confirm,
    Approved,
    Rejected,
    /// The day after an approved event: how many students took part? (Dropped when they have said, or
    /// the event stops counting.)
    ReportReminder,
}

/// Writes the e-mail for an event; called inside the store's transaction, so the e-mail is queued
/// exactly when the change it tells of is committed.
pub type EventMailer<'a> = &'a (dyn Fn(&Event, EventMailKind) -> OrganizerMail + Send + Sync);

/// A registration as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub event: Event,
    /// An earlier registration of the same event (same address, name and first day) was updated.
    pub updated: bool,
    /// The registration was of an event already confirmed: it is left as it was, and its organizer is
    /// sent the link to change it instead (whoever knows an address must not rewrite its events).
    pub unchanged: bool,
}

/// A moderator's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Reject { reason: String },
}

/// Filters of an event list; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct EventFilter {
    /// `unconfirmed`, `pending`, `approved`, `rejected` or `cancelled` (team lists only).
    #[cfg_attr(feature = "openapi", param(value_type = Option<rally_domain::event::EventStatus>))]
    pub status: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    /// `in_school`, `after_school`, `online` or `other`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<rally_domain::event::EventType>))]
    pub event_type: Option<String>,
    /// A language tag such as `hr` or `sr-Latn`.
    #[cfg_attr(feature = "openapi", param(pattern = r"^\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\s*$"))]
    pub language: Option<String>,
    /// Events that end on or after this day.
    #[serde(deserialize_with = "empty_as_none")]
    pub from: Option<NaiveDate>,
    /// Events that start on or before this day.
    #[serde(deserialize_with = "empty_as_none")]
    pub to: Option<NaiveDate>,
    /// Words of the title, organization or city.
    pub q: Option<String>,
    /// Events that run this catalogue activity (its id).
    #[serde(deserialize_with = "empty_as_none")]
    pub activity: Option<i64>,
    #[serde(deserialize_with = "empty_as_none")]
    pub page: Option<i64>,
    #[serde(deserialize_with = "empty_as_none")]
    pub per_page: Option<i64>,
}

/// A query value sent empty (`?to=`, a form field left blank) counts as not sent.
fn empty_as_none<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err: std::fmt::Display>,
{
    let raw = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => value.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// An approved public event as the public site lists it: nothing about its organizer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicEvent {
    pub id: EventId,
    pub campaign_slug: String,
    pub title: String,
    pub organization: String,
    pub event_type: EventType,
    pub country: String,
    pub city: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_source: LocationSource,
    pub url: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub students: i64,
    pub ages: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: LanguageTag,
    pub description: String,
}

/// One row of a statistics table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatRow {
    pub key: String,
    pub events: i64,
    pub students: i64,
}

/// What a campaign's approved events add up to, with its member campaigns when it is an umbrella.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventStats {
    pub students: i64,
    pub events: i64,
    pub countries: i64,
    pub goal: i64,
    /// Per country (alpha-2), most students first.
    pub by_country: Vec<StatRow>,
    /// Per event type.
    pub by_type: Vec<StatRow>,
    /// Per week of registration (its Monday), oldest first.
    pub by_week: Vec<StatRow>,
}

/// An approved public event's point on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPoint {
    pub latitude: f64,
    pub longitude: f64,
    pub students: i64,
    pub title: String,
    pub city: String,
    pub country: String,
}

/// A campaign's public site: the campaign, its umbrella or members, and its event settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub campaign: Campaign,
    /// The umbrella of a member campaign: slug and name.
    pub umbrella: Option<(String, String)>,
    /// The member campaigns of an umbrella: slug and name.
    pub members: Vec<(String, String)>,
    pub settings: EventSettings,
}

/// Events registered on the public site, their moderation, tallies and statistics. Part of every
/// [`crate::Store`]. Methods without an [`Actor`] serve the public site and organizers, whose right is a
/// signed link (an event id and its `link_version`) the caller has checked.
#[async_trait]
pub trait Events {
    async fn site(&self, slug: &str) -> Result<Site>;
    /// Registers an event, or updates the not yet confirmed registration of the same event, and queues
    /// the confirmation e-mail.
    async fn register_event(
        &self,
        campaign: CampaignId,
        fields: EventFields,
        locale: &str,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Registered>;
    /// The event a link names, if the link is still valid.
    async fn organizer_event(&self, id: EventId, link_version: i64) -> Result<Event>;
    async fn confirm_event(
        &self,
        id: EventId,
        link_version: i64,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Event>;
    /// The organizer changes the event; an approved one waits for approval again if the campaign says so.
    async fn organizer_edit(
        &self,
        id: EventId,
        link_version: i64,
        fields: EventFields,
        now: DateTime<Utc>,
    ) -> Result<Event>;
    async fn cancel_event(&self, id: EventId, link_version: i64, now: DateTime<Utc>) -> Result<Event>;
    /// The organizer deletes the registration: the event, its log and its e-mails are gone, and it no
    /// longer counts. Returns the campaign it belonged to.
    async fn delete_event(&self, id: EventId, link_version: i64) -> Result<CampaignId>;
    /// The organizer reports how many students took part (not before the first day).
    async fn report_students(&self, id: EventId, link_version: i64, students: i64, now: DateTime<Utc>)
    -> Result<Event>;
    /// Approved public events of the campaign and its members, with the total that match.
    async fn public_events(&self, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<PublicEvent>, i64)>;
    /// Points of approved public events for the map (of one country when given), at most `limit`.
    async fn event_points(&self, campaign: CampaignId, country: Option<&str>, limit: i64) -> Result<Vec<EventPoint>>;
    async fn event_stats(&self, campaign: CampaignId) -> Result<EventStats>;
    async fn event_settings(&self, campaign: CampaignId) -> Result<EventSettings>;
    async fn set_event_settings(
        &self,
        actor: Actor,
        campaign: CampaignId,
        settings: EventSettings,
    ) -> Result<EventSettings>;
    /// Every event of one campaign, for its team, with the total that match.
    async fn events(&self, actor: Actor, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<Event>, i64)>;
    async fn event(&self, actor: Actor, id: EventId) -> Result<Event>;
    /// How many events of one campaign are in each status (statuses without events are left out).
    async fn event_counts(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<(EventStatus, i64)>>;
    /// Approves or rejects events (pending ones; approving a rejected one is allowed) and writes to their
    /// organizers. Returns the events changed.
    async fn moderate(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[EventId],
        decision: Moderation,
        now: DateTime<Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Vec<Event>>;
    async fn event_log(
        &self,
        actor: Actor,
        campaign: CampaignId,
        event: Option<EventId>,
        limit: i64,
    ) -> Result<Vec<EventLogEntry>>;
    /// Stores many events at once with their statuses (imports, benchmarks), tallies included; one
    /// transaction. Returns how many were new.
    async fn load_events(
        &self,
        actor: Actor,
        campaign: CampaignId,
        events: Vec<(EventFields, EventStatus)>,
        now: DateTime<Utc>,
    ) -> Result<usize>;
}

impl PublicEvent {
    /// An event as the public site shows it, with the slug of the campaign it belongs to; nothing
    /// about its organizer.
    pub fn from_event(e: Event, campaign_slug: String) -> PublicEvent {
        PublicEvent {
            id: e.id,
            campaign_slug,
            title: e.fields.display_title().to_owned(),
            students: e.counted_students(),
            organization: e.fields.organization,
            event_type: e.fields.event_type,
            country: e.fields.country,
            city: e.fields.city,
            latitude: e.fields.latitude,
            longitude: e.fields.longitude,
            location_source: e.fields.location_source,
            url: e.fields.url,
            starts_on: e.fields.starts_on,
            ends_on: e.fields.ends_on,
            ages: e.fields.ages,
            language: e.fields.language,
            description: e.fields.description,
        }
    }
}

/// Which events the public map shows; every part optional, all of them together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapFilter {
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// `(min_lon, min_lat, max_lon, max_lat)`, in degrees, edges included.
    pub bbox: Option<(f64, f64, f64, f64)>,
    /// Events that run this catalogue activity.
    pub activity: Option<rally_domain::ActivityId>,
}

/// An approved public event with a place, as the map draws it and lists it beside the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapEvent {
    pub id: EventId,
    pub latitude: f64,
    pub longitude: f64,
    pub students: i64,
    /// The title, or the organization when it has none.
    pub title: String,
    pub city: String,
    pub country: String,
    pub event_type: EventType,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The public map's reads: events with a place, filtered, and one public event's page. Part of every
/// [`crate::Store`]; implemented in `sql/event_map.rs`. Both read only approved public events of the
/// campaign and its members, and nothing about organizers.
#[async_trait]
pub trait EventMap {
    /// Approved public events with coordinates of the campaign and its members that match `filter`,
    /// oldest id first, at most `limit` (clamped to 1..=200,000).
    async fn map_events(&self, campaign: CampaignId, filter: &MapFilter, limit: i64) -> Result<Vec<MapEvent>>;
    /// One approved public event of the campaign or of one of its members; `NotFound` for any other
    /// (pending, private, another campaign's).
    async fn public_event(&self, campaign: CampaignId, id: EventId) -> Result<PublicEvent>;
}

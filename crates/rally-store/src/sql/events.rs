//! The `Events` implementation: registrations from the public site, organizers' changes through their
//! signed links, moderation, and the tallies behind the counter, the map and the statistics.
//!
//! Every change to an event goes through `save_event`, which writes the row, moves the tallies by the
//! difference between what the event counted before and after, and logs what happened — all in the
//! caller's transaction.

use super::audit::{Target, record};
use super::outbox::{Cause, Enqueued, enqueue};
use super::{Backend, Conn, Db, DbRow, authorize, campaign_from_row, required_date, text, time};
use crate::{Actor, DEFAULT_PAGE, MAX_BULK, MAX_PAGE, Result, StoreError, from_micros, to_micros};
use async_trait::async_trait;
use rally_domain::cadence::MailKind;
use rally_domain::comms::OutboxStatus;
use rally_domain::{Action, ActivityId, AuditAction, CampaignId, Email, Invalid, LanguageTag, PartnerId, UserId};
use sqlx::{QueryBuilder, Row};
use std::collections::BTreeMap;

use rally_domain::event::{
    Contribution, Event, EventFields, EventLogEntry, EventSettings, EventStatus, EventType, LocationSource, week_of,
};

use rally_domain::EventId;

use crate::{
    EventFilter, EventMailKind, EventMailer, EventPoint, EventStats, Events, Moderation, PublicEvent, Registered, Site,
    StatRow,
};

macro_rules! event_columns {
    () => {
        "e.id, e.campaign_id, e.status, e.organizer_name, e.organizer_email, e.organization, e.event_type, e.title, \
         e.country, e.city, e.latitude, e.longitude, e.location_source, e.url, e.starts_on, e.ends_on, \
         e.students_expected, e.students_actual, e.ages, e.language, e.description, e.public, e.news_opt_in, e.locale, \
         e.reason, e.link_version, e.consent_at, e.consent_version, e.confirmed_at, e.created_at, e.updated_at, \
         e.own_activity, e.referred_by, e.heard_from"
    };
}
pub(super) use event_columns;

/// The campaign and its member campaigns: an umbrella counts what its members count.
const FAMILY: &str = " IN (SELECT id FROM campaigns WHERE id = ";

pub(super) fn event_from_row(r: &DbRow) -> Result<Event> {
    Ok(Event {
        id: EventId(r.try_get("id")?),
        campaign_id: CampaignId(r.try_get("campaign_id")?),
        fields: EventFields {
            organizer_name: r.try_get("organizer_name")?,
            organizer_email: text(r, "organizer_email", Email::parse)?,
            organization: r.try_get("organization")?,
            event_type: text(r, "event_type", EventType::parse)?,
            title: r.try_get("title")?,
            country: r.try_get("country")?,
            city: r.try_get("city")?,
            latitude: r.try_get("latitude")?,
            longitude: r.try_get("longitude")?,
            location_source: text(r, "location_source", LocationSource::parse)?,
            url: r.try_get("url")?,
            starts_on: required_date(r, "starts_on")?,
            ends_on: required_date(r, "ends_on")?,
            students_expected: r.try_get("students_expected")?,
            ages: r.try_get("ages")?,
            language: text(r, "language", LanguageTag::parse)?,
            description: r.try_get("description")?,
            public: r.try_get("public")?,
            news_opt_in: r.try_get("news_opt_in")?,
            // Filled by `load_activities` where the caller needs them.
            activities: Vec::new(),
            own_activity: r.try_get("own_activity")?,
            referred_by: r.try_get::<Option<i64>, _>("referred_by")?.map(PartnerId),
            heard_from: r.try_get::<Option<i64>, _>("heard_from")?.map(PartnerId),
        },
        status: text(r, "status", EventStatus::parse)?,
        reason: r.try_get("reason")?,
        students_actual: r.try_get("students_actual")?,
        locale: r.try_get("locale")?,
        consent_at: time(r, "consent_at")?,
        consent_version: r.try_get("consent_version")?,
        confirmed_at: r.try_get::<Option<i64>, _>("confirmed_at")?.map(from_micros).transpose()?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        link_version: r.try_get("link_version")?,
    })
}

/// What an event's search looks in: its title, organization and town, folded as search is
/// (`rally_domain::text::fold`: "skola" finds "Škola").
fn search_text(f: &EventFields) -> String {
    rally_domain::text::fold(&format!("{} {} {}", f.title, f.organization, f.city))
}

async fn fetch_event(conn: &mut Conn, id: EventId) -> Result<Event> {
    let row = sqlx::query(concat!("SELECT ", event_columns!(), " FROM events e WHERE e.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("event"))?;
    let mut event = [event_from_row(&row)?];
    load_activities(conn, &mut event).await?;
    let [event] = event;
    Ok(event)
}

/// Fills in the catalogue activities the events run, in one query.
pub(super) async fn load_activities(conn: &mut Conn, events: &mut [Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = events.iter().map(|e| e.id.0).collect();
    let mut q = QueryBuilder::<Db>::new("SELECT event_id, activity_id FROM event_activities WHERE");
    super::push_in(&mut q, "event_id", &ids);
    q.push(" ORDER BY event_id, activity_id");
    let mut chosen: BTreeMap<i64, Vec<ActivityId>> = BTreeMap::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        chosen.entry(r.try_get("event_id")?).or_default().push(ActivityId(r.try_get("activity_id")?));
    }
    for e in events {
        e.fields.activities = chosen.remove(&e.id.0).unwrap_or_default();
    }
    Ok(())
}

/// Writes the activities an event runs, replacing those it ran.
async fn write_activities(conn: &mut Conn, event: EventId, activities: &[ActivityId]) -> Result<()> {
    sqlx::query("DELETE FROM event_activities WHERE event_id = $1").bind(event.0).execute(&mut *conn).await?;
    if activities.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Db>::new("INSERT INTO event_activities (event_id, activity_id) ");
    q.push_values(activities, |mut b, a| {
        b.push_bind(event.0).push_bind(a.0);
    });
    q.push(" ON CONFLICT DO NOTHING");
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// Checks what an event says it runs and who sent it, in the registration's transaction: chosen
/// activities must be in the campaign's catalogue and the partner named for "how did you hear about
/// us?" one of its partners (else a field error); a share link's partner that is not (a stale cookie,
/// a partner since deleted) is dropped, never failing a registration.
async fn check_choices(conn: &mut Conn, campaign: CampaignId, f: &mut EventFields) -> Result<()> {
    if f.activities.len() > rally_domain::event::MAX_ACTIVITIES {
        let max = rally_domain::event::MAX_ACTIVITIES;
        return Err(Invalid::field("activities", format!("choose at most {max} activities")).into());
    }
    if !super::activities::catalogue_contains(conn, campaign, &f.activities).await? {
        return Err(Invalid::field("activities", "choose activities of the campaign's catalogue").into());
    }
    if f.own_activity.chars().count() > rally_domain::event::MAX_OWN_ACTIVITY {
        let max = rally_domain::event::MAX_OWN_ACTIVITY;
        return Err(Invalid::field("own_activity", format!("must be at most {max} characters")).into());
    }
    if let Some(p) = f.referred_by
        && !super::attribution::is_partner_of(conn, campaign, p).await?
    {
        f.referred_by = None;
    }
    if let Some(p) = f.heard_from
        && !super::attribution::is_partner_of(conn, campaign, p).await?
    {
        return Err(Invalid::field("heard_from", "choose one of the campaign's partners").into());
    }
    Ok(())
}

/// The event a signed link names; a link of an earlier version is as unknown as a forged one.
async fn linked_event(conn: &mut Conn, id: EventId, link_version: i64) -> Result<Event> {
    match fetch_event(conn, id).await {
        Ok(event) if event.link_version == link_version => Ok(event),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(StoreError::NotFound("event")),
        Err(e) => Err(e),
    }
}

/// Moves the tallies by what events counted before (`old`) and count now (`new`): one event's change,
/// or (no `old`) a bulk load's events.
pub(super) async fn retally(
    conn: &mut Conn,
    campaign: CampaignId,
    old: &[Contribution],
    new: &[Contribution],
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let mut deltas: BTreeMap<(&'static str, String), (i64, i64)> = BTreeMap::new();
    let signed = old.iter().map(|c| (c, -1_i64)).chain(new.iter().map(|c| (c, 1_i64)));
    for (c, sign) in signed {
        for key in [
            ("all", String::new()),
            ("country", c.country.clone()),
            ("type", c.event_type.as_str().to_owned()),
            ("week", c.week.to_string()),
        ] {
            let d = deltas.entry(key).or_insert((0, 0));
            d.0 += sign;
            d.1 += sign * c.students;
        }
    }
    deltas.retain(|_, d| *d != (0, 0));
    if deltas.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Db>::new("INSERT INTO event_tallies (campaign_id, dimension, key, events, students) ");
    q.push_values(&deltas, |mut b, ((dimension, key), (events, students))| {
        b.push_bind(campaign.0).push_bind(*dimension).push_bind(key.clone()).push_bind(*events).push_bind(*students);
    });
    q.push(
        " ON CONFLICT (campaign_id, dimension, key) DO UPDATE SET events = event_tallies.events + excluded.events, \
         students = event_tallies.students + excluded.students",
    );
    q.build().execute(&mut *conn).await?;
    Ok(())
}

async fn log_event(
    conn: &mut Conn,
    event: &Event,
    action: &str,
    user: Option<UserId>,
    detail: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_log (event_id, campaign_id, action, user_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event.id.0)
    .bind(event.campaign_id.0)
    .bind(action)
    .bind(user.map(|u| u.0))
    .bind(detail)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes an event's changed fields, status, reason and reported number, and moves the tallies.
async fn save_event(conn: &mut Conn, before: &Event, after: &Event) -> Result<()> {
    let f = &after.fields;
    sqlx::query(
        "UPDATE events SET status = $1, organizer_name = $2, organization = $3, event_type = $4, title = $5, country = $6, \
         city = $7, latitude = $8, longitude = $9, location_source = $10, url = $11, starts_on = $12, ends_on = $13, \
         students_expected = $14, students_actual = $15, ages = $16, language = $17, description = $18, public = $19, \
         news_opt_in = $20, reason = $21, confirmed_at = $22, search = $23, updated_at = $24, own_activity = $26, \
         referred_by = $27, heard_from = $28 WHERE id = $25",
    )
    .bind(after.status.as_str())
    .bind(&f.organizer_name)
    .bind(&f.organization)
    .bind(f.event_type.as_str())
    .bind(&f.title)
    .bind(&f.country)
    .bind(&f.city)
    .bind(f.latitude)
    .bind(f.longitude)
    .bind(f.location_source.as_str())
    .bind(&f.url)
    .bind(f.starts_on.to_string())
    .bind(f.ends_on.to_string())
    .bind(f.students_expected)
    .bind(after.students_actual)
    .bind(&f.ages)
    .bind(f.language.as_str())
    .bind(&f.description)
    .bind(f.public)
    .bind(f.news_opt_in)
    .bind(&after.reason)
    .bind(after.confirmed_at.map(to_micros))
    .bind(search_text(f))
    .bind(to_micros(after.updated_at))
    .bind(after.id.0)
    .bind(&f.own_activity)
    .bind(f.referred_by.map(|p| p.0))
    .bind(f.heard_from.map(|p| p.0))
    .execute(&mut *conn)
    .await?;
    if f.activities != before.fields.activities {
        write_activities(conn, after.id, &f.activities).await?;
    }
    follow_reminder(conn, before, after).await?;
    retally(conn, after.campaign_id, before.contribution().as_slice(), after.contribution().as_slice()).await
}

/// Queues an e-mail to the event's organizer (system mail: never capped, not unsubscribable), to go now.
async fn queue_organizer_mail(
    conn: &mut Conn,
    event: &Event,
    kind: EventMailKind,
    mail: EventMailer<'_>,
    now: i64,
) -> Result<()> {
    queue_organizer_mail_at(conn, event, kind, mail, now, now).await
}

async fn queue_organizer_mail_at(
    conn: &mut Conn,
    event: &Event,
    kind: EventMailKind,
    mail: EventMailer<'_>,
    due: i64,
    now: i64,
) -> Result<()> {
    let m = mail(event, kind);
    let status = OutboxStatus::Planned;
    let mail = Enqueued {
        campaign: Some(event.campaign_id),
        cause: Cause::Event(event.id),
        kind: MailKind::System.as_str(),
        email: event.fields.organizer_email.as_str(),
        to_name: &event.fields.organizer_name,
        subject: &m.subject,
        text: &m.text,
        html: None,
        unsubscribe_url: "",
        status,
        wanted_at: due,
        due_at: due,
        reason: "",
    };
    enqueue(conn, &[mail], now).await?;
    Ok(())
}

/// When the report reminder of an event goes ([`Event::report_reminder_at`]).
fn reminder_due(event: &Event) -> Option<i64> {
    event.report_reminder_at().map(to_micros)
}

/// Queues the "how many students took part?" reminder of a newly approved event, unless the event is
/// over already or the number is known.
async fn queue_report_reminder(conn: &mut Conn, event: &Event, mail: EventMailer<'_>, now: i64) -> Result<()> {
    match reminder_due(event) {
        Some(due) if due > now && event.students_actual.is_none() => {
            queue_organizer_mail_at(conn, event, EventMailKind::ReportReminder, mail, due, now).await
        }
        _ => Ok(()),
    }
}

/// Keeps an event's future report reminder true to the event: gone when the event no longer counts or
/// its number is reported, moved when its last day moves. (Reminders are its only e-mails planned for
/// later than the moment they were queued.)
async fn follow_reminder(conn: &mut Conn, before: &Event, after: &Event) -> Result<()> {
    let now = to_micros(after.updated_at);
    let wanted = after.status == EventStatus::Approved && after.students_actual.is_none();
    if !wanted {
        sqlx::query("DELETE FROM outbox WHERE event_id = $1 AND status = 'planned' AND wanted_at > $2")
            .bind(after.id.0)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    } else if before.fields.ends_on != after.fields.ends_on
        && let Some(due) = reminder_due(after)
    {
        sqlx::query("UPDATE outbox SET wanted_at = $1, due_at = $1 WHERE event_id = $2 AND status = 'planned' AND wanted_at > $3")
            .bind(due.max(now))
            .bind(after.id.0)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn read_event_settings(conn: &mut Conn, campaign: CampaignId) -> Result<EventSettings> {
    let row = sqlx::query(
        "SELECT auto_approve, reapprove_edits, certificate_title, certificate_body, certificate_signer \
         FROM event_settings WHERE campaign_id = $1",
    )
    .bind(campaign.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => EventSettings {
            auto_approve: r.try_get("auto_approve")?,
            reapprove_edits: r.try_get("reapprove_edits")?,
            certificate_title: r.try_get("certificate_title")?,
            certificate_body: r.try_get("certificate_body")?,
            certificate_signer: r.try_get("certificate_signer")?,
        },
        None => EventSettings::default(),
    })
}

/// `AND …` conditions of an event list on `e`.
/// `AND` the event (alias `e`) runs activity `activity`: the events list's and the map's filter.
pub(super) fn push_activity_filter(q: &mut QueryBuilder<Db>, activity: i64) {
    q.push(" AND e.id IN (SELECT event_id FROM event_activities WHERE activity_id = ").push_bind(activity).push(")");
}

fn push_event_filters(q: &mut QueryBuilder<Db>, f: &EventFilter) -> Result<()> {
    if let Some(c) = f.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        q.push(" AND e.country = ").push_bind(c.to_ascii_uppercase());
    }
    if let Some(c) = f.city.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        q.push(" AND LOWER(e.city) = ").push_bind(c.to_lowercase());
    }
    if let Some(t) = f.event_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let t = EventType::parse(t).map_err(|m| Invalid::field("type", m))?;
        q.push(" AND e.event_type = ").push_bind(t.as_str());
    }
    if let Some(l) = f.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let l = LanguageTag::parse(l).map_err(|m| Invalid::field("language", m))?;
        q.push(" AND e.language = ").push_bind(l.to_string());
    }
    if let Some(a) = f.activity {
        push_activity_filter(q, a);
    }
    if let Some(from) = f.from {
        q.push(" AND e.ends_on >= ").push_bind(from.to_string());
    }
    if let Some(to) = f.to {
        q.push(" AND e.starts_on <= ").push_bind(to.to_string());
    }
    if let Some(words) = f.q.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        for word in rally_domain::text::fold(words).split_whitespace().take(5) {
            let pattern = format!("%{}%", word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            q.push(" AND e.search LIKE ").push_bind(pattern).push(" ESCAPE '\\'");
        }
    }
    Ok(())
}

fn page_of(f: &EventFilter) -> (i64, i64) {
    let per_page = f.per_page.unwrap_or(i64::from(DEFAULT_PAGE)).clamp(1, i64::from(MAX_PAGE));
    let page = f.page.unwrap_or(1).clamp(1, 100_000);
    (per_page, (page - 1) * per_page)
}

pub(super) async fn insert_event(
    conn: &mut Conn,
    campaign: CampaignId,
    f: &EventFields,
    status: EventStatus,
    locale: &str,
    now: i64,
    batch: Option<i64>,
) -> Result<Option<EventId>> {
    let row = sqlx::query(
        "INSERT INTO events (campaign_id, status, dedupe_key, organizer_name, organizer_email, organization, event_type, \
         title, country, city, latitude, longitude, location_source, url, starts_on, ends_on, students_expected, \
         students_actual, ages, language, description, public, news_opt_in, locale, reason, link_version, consent_at, \
         consent_version, confirmed_at, search, created_at, updated_at, import_batch, own_activity, referred_by, \
         heard_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, $18, $19, $20, $21, \
         $22, $23, '', 1, $24, $25, $26, $27, $24, $24, $28, $29, $30, $31) \
         ON CONFLICT (campaign_id, dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(campaign.0)
    .bind(status.as_str())
    .bind(f.dedupe_key())
    .bind(&f.organizer_name)
    .bind(f.organizer_email.as_str())
    .bind(&f.organization)
    .bind(f.event_type.as_str())
    .bind(&f.title)
    .bind(&f.country)
    .bind(&f.city)
    .bind(f.latitude)
    .bind(f.longitude)
    .bind(f.location_source.as_str())
    .bind(&f.url)
    .bind(f.starts_on.to_string())
    .bind(f.ends_on.to_string())
    .bind(f.students_expected)
    .bind(&f.ages)
    .bind(f.language.as_str())
    .bind(&f.description)
    .bind(f.public)
    .bind(f.news_opt_in)
    .bind(locale)
    .bind(now)
    // The team's own list: the basis for keeping it is theirs, recorded as an import.
    .bind(if batch.is_some() { "import" } else { rally_domain::event::PRIVACY_NOTICE_VERSION })
    .bind((status != EventStatus::Unconfirmed).then_some(now))
    .bind(search_text(f))
    .bind(batch)
    .bind(&f.own_activity)
    .bind(f.referred_by.map(|p| p.0))
    .bind(f.heard_from.map(|p| p.0))
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| match e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) {
        true => StoreError::NotFound("campaign"),
        false => e.into(),
    })?;
    let id = row.map(|r| Ok::<_, StoreError>(EventId(r.try_get("id")?))).transpose()?;
    if let Some(id) = id
        && !f.activities.is_empty()
    {
        write_activities(conn, id, &f.activities).await?;
    }
    Ok(id)
}

/// The event `insert_event` just stored, without reading it back.
fn new_event(id: EventId, campaign: CampaignId, fields: EventFields, locale: &str, at: i64) -> Result<Event> {
    let now = from_micros(at)?;
    Ok(Event {
        id,
        campaign_id: campaign,
        fields,
        status: EventStatus::Unconfirmed,
        reason: String::new(),
        students_actual: None,
        locale: locale.to_owned(),
        consent_at: now,
        consent_version: rally_domain::event::PRIVACY_NOTICE_VERSION.to_owned(),
        confirmed_at: None,
        created_at: now,
        updated_at: now,
        link_version: 1,
    })
}

#[async_trait]
impl Events for Backend {
    async fn site(&self, slug: &str) -> Result<Site> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(concat!("SELECT ", campaign_columns!(), " FROM campaigns WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound("campaign"))?;
        let campaign = campaign_from_row(&row)?;
        let umbrella = match campaign.fields.parent_id {
            Some(parent) => sqlx::query("SELECT slug, name FROM campaigns WHERE id = $1")
                .bind(parent.0)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| Ok::<_, StoreError>((r.try_get("slug")?, r.try_get("name")?)))
                .transpose()?,
            None => None,
        };
        let members = sqlx::query("SELECT slug, name FROM campaigns WHERE parent_id = $1 ORDER BY name")
            .bind(campaign.id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("slug")?, r.try_get("name")?)))
            .collect::<Result<Vec<(String, String)>>>()?;
        let settings = read_event_settings(&mut conn, campaign.id).await?;
        Ok(Site { campaign, umbrella, members, settings })
    }

    async fn register_event(
        &self,
        campaign: CampaignId,
        fields: EventFields,
        locale: &str,
        now: chrono::DateTime<chrono::Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Registered> {
        let mut fields = fields;
        let mut tx = self.begin_write().await?;
        check_choices(&mut tx, campaign, &mut fields).await?;
        let at = to_micros(now);
        // The common case in one statement: a new event. Only a second registration of the same event
        // (same address, name and first day) reads the first.
        let inserted = insert_event(&mut tx, campaign, &fields, EventStatus::Unconfirmed, locale, at, None).await?;
        let existing = match inserted {
            Some(_) => None,
            None => {
                sqlx::query("SELECT id FROM events WHERE campaign_id = $1 AND dedupe_key = $2")
                    .bind(campaign.0)
                    .bind(fields.dedupe_key())
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let result = match (inserted, existing) {
            (Some(id), _) => {
                let mut event = new_event(id, campaign, fields, locale, at)?;
                if let Some(version) = super::consent::organizer_registered(&mut tx, &event).await? {
                    event.consent_version = version;
                }
                log_event(&mut tx, &event, "registered", None, "", at).await?;
                Registered { event, updated: false, unchanged: false }
            }
            (None, None) => return Err(StoreError::Conflict { field: "starts_on", message: "try again".into() }),
            (None, Some(row)) => {
                let before = fetch_event(&mut tx, EventId(row.try_get("id")?)).await?;
                if matches!(before.status, EventStatus::Unconfirmed | EventStatus::Cancelled) {
                    // Not confirmed (or given up): the new registration replaces it and is confirmed anew.
                    let mut after = before.clone();
                    // A share link followed the first time still counts when the second came without.
                    let referred_by = fields.referred_by.or(before.fields.referred_by);
                    after.fields = EventFields { referred_by, ..fields };
                    after.status = EventStatus::Unconfirmed;
                    after.confirmed_at = None;
                    after.students_actual = None;
                    after.updated_at = now;
                    save_event(&mut tx, &before, &after).await?;
                    sqlx::query("UPDATE events SET locale = $1, consent_at = $2, consent_version = $3 WHERE id = $4")
                        .bind(locale)
                        .bind(at)
                        .bind(rally_domain::event::PRIVACY_NOTICE_VERSION)
                        .bind(after.id.0)
                        .execute(&mut *tx)
                        .await?;
                    log_event(&mut tx, &after, "updated", None, "registered again before confirming", at).await?;
                    super::consent::organizer_registered(&mut tx, &after).await?;
                    let event = fetch_event(&mut tx, after.id).await?;
                    Registered { event, updated: true, unchanged: false }
                } else {
                    log_event(
                        &mut tx,
                        &before,
                        "link_resent",
                        None,
                        "registered again; the organizer's link was sent",
                        at,
                    )
                    .await?;
                    Registered { event: before, updated: true, unchanged: true }
                }
            }
        };
        queue_organizer_mail(&mut tx, &result.event, EventMailKind::Confirm, mail, at).await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn organizer_event(&self, id: EventId, link_version: i64) -> Result<Event> {
        let mut conn = self.pool.acquire().await?;
        linked_event(&mut conn, id, link_version).await
    }

    async fn confirm_event(
        &self,
        id: EventId,
        link_version: i64,
        now: chrono::DateTime<chrono::Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Event> {
        let mut tx = self.begin_write().await?;
        let before = linked_event(&mut tx, id, link_version).await?;
        if before.status != EventStatus::Unconfirmed {
            tx.commit().await?;
            return Ok(before);
        }
        let settings = read_event_settings(&mut tx, before.campaign_id).await?;
        let mut after = before.clone();
        after.status = if settings.auto_approve { EventStatus::Approved } else { EventStatus::Pending };
        after.confirmed_at = Some(now);
        after.updated_at = now;
        save_event(&mut tx, &before, &after).await?;
        let at = to_micros(now);
        log_event(&mut tx, &after, "confirmed", None, "", at).await?;
        if settings.auto_approve {
            log_event(&mut tx, &after, "approved", None, "approved automatically", at).await?;
            queue_organizer_mail(&mut tx, &after, EventMailKind::Approved, mail, at).await?;
            queue_report_reminder(&mut tx, &after, mail, at).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    async fn organizer_edit(
        &self,
        id: EventId,
        link_version: i64,
        fields: EventFields,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Event> {
        let mut tx = self.begin_write().await?;
        let before = linked_event(&mut tx, id, link_version).await?;
        if before.status == EventStatus::Cancelled {
            return Err(StoreError::Conflict { field: "status", message: "the event is cancelled".into() });
        }
        // The address and first day identify the registration; another one with them is another event.
        let key = fields.dedupe_key();
        if key != before.fields.dedupe_key() {
            let taken =
                sqlx::query("SELECT 1 AS one FROM events WHERE campaign_id = $1 AND dedupe_key = $2 AND id <> $3")
                    .bind(before.campaign_id.0)
                    .bind(&key)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    field: "starts_on",
                    message: "you already registered an event on that day".into(),
                });
            }
        }
        let settings = read_event_settings(&mut tx, before.campaign_id).await?;
        let mut after = before.clone();
        // Who sent the registration is not the organizer's to change later, and the organizer's page does
        // not (yet) offer the catalogue: what the event runs stays as registered.
        after.fields = EventFields {
            activities: before.fields.activities.clone(),
            own_activity: before.fields.own_activity.clone(),
            referred_by: before.fields.referred_by,
            heard_from: before.fields.heard_from,
            ..fields
        };
        after.updated_at = now;
        match before.status {
            EventStatus::Approved if settings.reapprove_edits && !settings.auto_approve => {
                after.status = EventStatus::Pending
            }
            EventStatus::Rejected => after.status = EventStatus::Pending,
            _ => {}
        }
        save_event(&mut tx, &before, &after).await?;
        if after.fields.news_opt_in != before.fields.news_opt_in {
            super::consent::organizer_news_changed(&mut tx, &after).await?;
        }
        sqlx::query("UPDATE events SET dedupe_key = $1 WHERE id = $2").bind(&key).bind(id.0).execute(&mut *tx).await?;
        let detail = if after.status != before.status { "waits for approval again" } else { "" };
        log_event(&mut tx, &after, "edited", None, detail, to_micros(now)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn cancel_event(&self, id: EventId, link_version: i64, now: chrono::DateTime<chrono::Utc>) -> Result<Event> {
        let mut tx = self.begin_write().await?;
        let before = linked_event(&mut tx, id, link_version).await?;
        if before.status == EventStatus::Cancelled {
            tx.commit().await?;
            return Ok(before);
        }
        let mut after = before.clone();
        after.status = EventStatus::Cancelled;
        after.updated_at = now;
        save_event(&mut tx, &before, &after).await?;
        log_event(&mut tx, &after, "cancelled", None, "", to_micros(now)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn delete_event(&self, id: EventId, link_version: i64) -> Result<CampaignId> {
        let mut tx = self.begin_write().await?;
        let before = linked_event(&mut tx, id, link_version).await?;
        retally(&mut tx, before.campaign_id, before.contribution().as_slice(), &[]).await?;
        sqlx::query("DELETE FROM events WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(before.campaign_id)
    }

    async fn report_students(
        &self,
        id: EventId,
        link_version: i64,
        students: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Event> {
        let mut tx = self.begin_write().await?;
        let before = linked_event(&mut tx, id, link_version).await?;
        if !before.may_report(now) {
            return Err(StoreError::Conflict {
                field: "students_actual",
                message: format!(
                    "the number can be reported from the first day of an approved event ({})",
                    before.fields.starts_on
                ),
            });
        }
        let mut after = before.clone();
        after.students_actual = Some(students);
        after.updated_at = now;
        save_event(&mut tx, &before, &after).await?;
        log_event(&mut tx, &after, "reported", None, &format!("{students} students took part"), to_micros(now)).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn public_events(&self, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<PublicEvent>, i64)> {
        let mut conn = self.pool.acquire().await?;
        let (limit, offset) = page_of(filter);
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM events e WHERE e.campaign_id");
        count.push(FAMILY).push_bind(campaign.0).push(" OR parent_id = ").push_bind(campaign.0);
        count.push(") AND e.status = 'approved' AND e.public = TRUE");
        push_event_filters(&mut count, filter)?;
        let total: i64 = count.build().fetch_one(&mut *conn).await?.try_get("n")?;
        let mut q = QueryBuilder::<Db>::new(concat!(
            "SELECT ",
            event_columns!(),
            ", c.slug AS campaign_slug FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE e.campaign_id"
        ));
        q.push(FAMILY).push_bind(campaign.0).push(" OR parent_id = ").push_bind(campaign.0);
        q.push(") AND e.status = 'approved' AND e.public = TRUE");
        push_event_filters(&mut q, filter)?;
        q.push(" ORDER BY e.starts_on, e.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let e = event_from_row(r)?;
            out.push(PublicEvent::from_event(e, r.try_get("campaign_slug")?));
        }
        Ok((out, total))
    }

    async fn event_points(&self, campaign: CampaignId, country: Option<&str>, limit: i64) -> Result<Vec<EventPoint>> {
        let mut conn = self.pool.acquire().await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT e.latitude, e.longitude, COALESCE(e.students_actual, e.students_expected) AS students, \
             CASE WHEN e.title = '' THEN e.organization ELSE e.title END AS title, e.city, e.country \
             FROM events e WHERE e.campaign_id",
        );
        q.push(FAMILY).push_bind(campaign.0).push(" OR parent_id = ").push_bind(campaign.0);
        q.push(
            ") AND e.status = 'approved' AND e.public = TRUE AND e.latitude IS NOT NULL AND e.longitude IS NOT NULL",
        );
        if let Some(c) = country {
            q.push(" AND e.country = ").push_bind(c.to_ascii_uppercase());
        }
        q.push(" ORDER BY e.id LIMIT ").push_bind(limit.clamp(1, 200_000));
        q.build()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(EventPoint {
                    latitude: r.try_get("latitude")?,
                    longitude: r.try_get("longitude")?,
                    students: r.try_get("students")?,
                    title: r.try_get("title")?,
                    city: r.try_get("city")?,
                    country: r.try_get("country")?,
                })
            })
            .collect()
    }

    async fn event_stats(&self, campaign: CampaignId) -> Result<EventStats> {
        let mut conn = self.pool.acquire().await?;
        let goal: i64 = sqlx::query("SELECT goal_students FROM campaigns WHERE id = $1")
            .bind(campaign.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound("campaign"))?
            .try_get("goal_students")?;
        let rows = sqlx::query(
            "SELECT dimension, key, CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(students) AS BIGINT) AS students FROM event_tallies \
             WHERE campaign_id IN (SELECT id FROM campaigns WHERE id = $1 OR parent_id = $1) \
             GROUP BY dimension, key HAVING SUM(events) > 0 ORDER BY dimension, key",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        let mut stats = EventStats {
            students: 0,
            events: 0,
            countries: 0,
            goal,
            by_country: Vec::new(),
            by_type: Vec::new(),
            by_week: Vec::new(),
        };
        for r in &rows {
            let dimension: String = r.try_get("dimension")?;
            let row =
                StatRow { key: r.try_get("key")?, events: r.try_get("events")?, students: r.try_get("students")? };
            match dimension.as_str() {
                "all" => (stats.events, stats.students) = (row.events, row.students),
                "country" => stats.by_country.push(row),
                "type" => stats.by_type.push(row),
                "week" => stats.by_week.push(row),
                _ => {}
            }
        }
        stats.countries = stats.by_country.len() as i64;
        stats.by_country.sort_by(|a, b| b.students.cmp(&a.students).then_with(|| a.key.cmp(&b.key)));
        stats.by_type.sort_by(|a, b| b.students.cmp(&a.students).then_with(|| a.key.cmp(&b.key)));
        Ok(stats)
    }

    async fn event_settings(&self, campaign: CampaignId) -> Result<EventSettings> {
        let mut conn = self.pool.acquire().await?;
        read_event_settings(&mut conn, campaign).await
    }

    async fn set_event_settings(&self, actor: Actor, campaign: CampaignId, s: EventSettings) -> Result<EventSettings> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        for (field, value, max) in [
            ("certificate_title", &s.certificate_title, 200),
            ("certificate_body", &s.certificate_body, 1000),
            ("certificate_signer", &s.certificate_signer, 200),
        ] {
            if value.chars().count() > max {
                return Err(Invalid::field(field, format!("must be at most {max} characters")).into());
            }
        }
        sqlx::query(
            "INSERT INTO event_settings (campaign_id, auto_approve, reapprove_edits, certificate_title, certificate_body, \
             certificate_signer) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id) DO UPDATE SET \
             auto_approve = excluded.auto_approve, reapprove_edits = excluded.reapprove_edits, \
             certificate_title = excluded.certificate_title, certificate_body = excluded.certificate_body, \
             certificate_signer = excluded.certificate_signer",
        )
        .bind(campaign.0)
        .bind(s.auto_approve)
        .bind(s.reapprove_edits)
        .bind(s.certificate_title.trim())
        .bind(s.certificate_body.trim())
        .bind(s.certificate_signer.trim())
        .execute(&mut *tx)
        .await?;
        let stored = read_event_settings(&mut tx, campaign).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn events(&self, actor: Actor, campaign: CampaignId, filter: &EventFilter) -> Result<(Vec<Event>, i64)> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let (limit, offset) = page_of(filter);
        let status = match filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(EventStatus::parse(s).map_err(|m| Invalid::field("status", m))?),
            None => None,
        };
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM events e WHERE e.campaign_id = ");
        count.push_bind(campaign.0);
        let mut q =
            QueryBuilder::<Db>::new(concat!("SELECT ", event_columns!(), " FROM events e WHERE e.campaign_id = "));
        q.push_bind(campaign.0);
        for b in [&mut count, &mut q] {
            if let Some(s) = status {
                b.push(" AND e.status = ").push_bind(s.as_str());
            }
            push_event_filters(b, filter)?;
        }
        let total: i64 = count.build().fetch_one(&mut *conn).await?.try_get("n")?;
        q.push(" ORDER BY e.created_at DESC, e.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let mut events =
            q.build().fetch_all(&mut *conn).await?.iter().map(event_from_row).collect::<Result<Vec<_>>>()?;
        load_activities(&mut conn, &mut events).await?;
        Ok((events, total))
    }

    async fn event_counts(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<(EventStatus, i64)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        sqlx::query("SELECT status, COUNT(*) AS n FROM events WHERE campaign_id = $1 GROUP BY status")
            .bind(campaign.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((text(r, "status", EventStatus::parse)?, r.try_get("n")?)))
            .collect()
    }

    async fn event(&self, actor: Actor, id: EventId) -> Result<Event> {
        let mut conn = self.pool.acquire().await?;
        let event = fetch_event(&mut conn, id).await?;
        authorize(&mut conn, actor, event.campaign_id, Action::Read, "event").await?;
        Ok(event)
    }

    async fn moderate(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[EventId],
        decision: Moderation,
        now: chrono::DateTime<chrono::Utc>,
        mail: EventMailer<'_>,
    ) -> Result<Vec<Event>> {
        if ids.len() > MAX_BULK {
            return Err(Invalid::field("ids", format!("at most {MAX_BULK} events at once")).into());
        }
        if let Moderation::Reject { reason } = &decision
            && (reason.trim().is_empty() || reason.chars().count() > 1000)
        {
            return Err(Invalid::field("reason", "say why, in at most 1000 characters: the organizer reads it").into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ModerateEvents, "campaign").await?;
        let at = to_micros(now);
        let mut changed = Vec::new();
        for &id in ids {
            let before = match fetch_event(&mut tx, id).await {
                Ok(e) if e.campaign_id == campaign => e,
                Ok(_) | Err(StoreError::NotFound(_)) => return Err(StoreError::NotFound("event")),
                Err(e) => return Err(e),
            };
            let (status, action, kind, reason) = match &decision {
                Moderation::Approve => (EventStatus::Approved, "approved", EventMailKind::Approved, String::new()),
                Moderation::Reject { reason } => {
                    (EventStatus::Rejected, "rejected", EventMailKind::Rejected, reason.trim().to_owned())
                }
            };
            let allowed = match status {
                EventStatus::Approved => matches!(before.status, EventStatus::Pending | EventStatus::Rejected),
                _ => matches!(before.status, EventStatus::Pending | EventStatus::Approved),
            };
            if !allowed {
                if before.status == status {
                    continue;
                }
                return Err(StoreError::Conflict {
                    field: "status",
                    message: format!("event {} is {}; only confirmed events are moderated", id, before.status.as_str()),
                });
            }
            let mut after = before.clone();
            after.status = status;
            after.reason = reason;
            after.updated_at = now;
            save_event(&mut tx, &before, &after).await?;
            log_event(&mut tx, &after, action, actor.user_id(), &after.reason, at).await?;
            let audited = match status {
                EventStatus::Approved => AuditAction::EventApproved,
                _ => AuditAction::EventRejected,
            };
            let target = Target { kind: "event", id: Some(id.0), label: &after.fields.title };
            let detail = serde_json::json!({ "from": before.status.as_str() });
            record(&mut tx, actor, Some(campaign), audited, Some(target), detail).await?;
            queue_organizer_mail(&mut tx, &after, kind, mail, at).await?;
            if after.status == EventStatus::Approved {
                queue_report_reminder(&mut tx, &after, mail, at).await?;
            }
            changed.push(after);
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn event_log(
        &self,
        actor: Actor,
        campaign: CampaignId,
        event: Option<EventId>,
        limit: i64,
    ) -> Result<Vec<EventLogEntry>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT l.event_id, l.action, l.user_id, u.name AS user_name, l.detail, l.at FROM event_log l \
             LEFT JOIN users u ON u.id = l.user_id WHERE l.campaign_id = ",
        );
        q.push_bind(campaign.0);
        if let Some(e) = event {
            q.push(" AND l.event_id = ").push_bind(e.0);
        }
        q.push(" ORDER BY l.id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
        q.build()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(EventLogEntry {
                    event_id: EventId(r.try_get("event_id")?),
                    action: r.try_get("action")?,
                    user_id: r.try_get::<Option<i64>, _>("user_id")?.map(UserId),
                    user_name: r.try_get("user_name")?,
                    detail: r.try_get("detail")?,
                    at: time(r, "at")?,
                })
            })
            .collect()
    }

    async fn load_events(
        &self,
        actor: Actor,
        campaign: CampaignId,
        events: Vec<(EventFields, EventStatus)>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ModerateEvents, "campaign").await?;
        let at = to_micros(now);
        let week = week_of(now.date_naive());
        let mut added = 0;
        let mut counted = Vec::new();
        let mut events = events;
        for (f, _) in &mut events {
            check_choices(&mut tx, campaign, f).await?;
        }
        for (f, status) in &events {
            // A registration already there (same address, name, first day) is left as it is.
            if insert_event(&mut tx, campaign, f, *status, "en", at, None).await?.is_none() {
                continue;
            }
            added += 1;
            if *status == EventStatus::Approved {
                counted.push(Contribution {
                    students: f.students_expected,
                    country: f.country.clone(),
                    event_type: f.event_type,
                    week,
                });
            }
        }
        retally(&mut tx, campaign, &[], &counted).await?;
        tx.commit().await?;
        self.after_bulk_load(added).await?;
        Ok(added)
    }
}

//! The `Comms` implementation: mail settings, milestones, messages and templates, the outbox with its
//! leases, suppressions.
//!
//! The outbox is the delivery queue. A worker claims due rows with a lease (PostgreSQL skips rows other
//! workers have locked; SQLite serializes claims in an immediate transaction), sends each one, and
//! records the outcome in its own transaction. A row whose lease ran out — its worker died — is due
//! again, so a crash can repeat only the e-mails that were in flight, never lose one.

use super::audit::{Target, changed_fields, record};
use super::outbox::{Cause, Enqueued, Staged, enqueue, move_staged, stage};
use super::{
    BACKEND, Backend, CLAIM_LOCK, Conn, Db, DbRow, authorize, can_edit, can_read, contact_from_row, fetch_campaign,
    is_unique_violation, json, partner_for, required_date, text, time, to_json,
};
use crate::{Actor, Result, StoreError, corrupt, from_micros, now_micros, to_micros};
use async_trait::async_trait;
use rally_domain::{
    Action, Audience, AuditAction, CampaignId, Category, ContactId, Email, Invalid, LanguageTag, PartnerId, Reach,
    Stage, Tier, UserId,
};
use sqlx::{QueryBuilder, Row};

use rally_domain::cadence::{CadencePolicy, MailKind};
use rally_domain::comms::{
    MailPreference, Message, MessageFields, MessageKind, Milestone, MilestoneKind, OutboxStatus, Reachability,
    SegmentSubject, SendControl, SuppressionReason, SuppressionScope,
};
use rally_domain::template::TemplateSet;
use std::collections::HashMap;

use crate::{
    Claimed, Comms, Delivered, MailEntry, MailSettings, MessageTemplate, NewDelivery, Recipient, RecipientsPage,
    StagedBatch, Waiting,
};

/// After this many attempts a delivery that keeps failing temporarily is given up as failed.
const MAX_ATTEMPTS: i32 = 8;

/// Where a campaign's e-mail comes from until the team says otherwise.
const DEFAULT_FROM: &str = "rally@localhost.localdomain";

macro_rules! message_columns {
    () => {
        "id, campaign_id, title, kind, segment, send, fallback_language, planned_at, paused_at, cancelled_at, created_at"
    };
}

/// A milestone's title, trimmed: 1 to 200 characters.
fn milestone_title(title: &str) -> Result<&str> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Invalid::field("title", "give the milestone a title of 1 to 200 characters").into());
    }
    Ok(title)
}

fn message_from_row(row: &DbRow) -> Result<Message> {
    Ok(Message {
        id: row.try_get("id")?,
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        fields: MessageFields {
            title: row.try_get("title")?,
            kind: text(row, "kind", MessageKind::parse)?,
            segment: json(row, "segment")?,
            send: json(row, "send")?,
            fallback_language: text(row, "fallback_language", LanguageTag::parse)?,
        },
        planned_at: row.try_get::<Option<i64>, _>("planned_at")?.map(from_micros).transpose()?,
        paused_at: row.try_get::<Option<i64>, _>("paused_at")?.map(from_micros).transpose()?,
        cancelled_at: row.try_get::<Option<i64>, _>("cancelled_at")?.map(from_micros).transpose()?,
        created_at: time(row, "created_at")?,
    })
}

/// Why a cancelled message's e-mail was not sent.
const CANCELLED: &str = "the message was cancelled";

async fn fetch_message(conn: &mut Conn, id: i64) -> Result<Message> {
    let row = sqlx::query(concat!("SELECT ", message_columns!(), " FROM messages WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    message_from_row(&row)
}

/// Audit entries for a change of mail settings: the sender's fields, and the cadence rules apart (they
/// decide how often people are written to).
async fn record_settings_change(
    conn: &mut Conn,
    actor: Actor,
    campaign: CampaignId,
    before: &MailSettings,
    after: &MailSettings,
) -> Result<()> {
    let target = |label| Some(Target { kind: "campaign", id: Some(campaign.0), label });
    if before.policy != after.policy {
        let detail = changed_fields(&before.policy, &after.policy);
        record(conn, actor, Some(campaign), AuditAction::CadenceChanged, target("cadence"), detail).await?;
    }
    let sender = |s: &MailSettings| MailSettings { policy: CadencePolicy::default(), ..s.clone() };
    let (before, after) = (sender(before), sender(after));
    if before != after {
        let detail = changed_fields(&before, &after);
        record(conn, actor, Some(campaign), AuditAction::MailSettingsChanged, target("mail settings"), detail).await?;
    }
    Ok(())
}

/// An audit entry for queueing, pausing, resuming or cancelling message `m`, which touched `emails`.
async fn record_message(conn: &mut Conn, actor: Actor, m: &Message, action: AuditAction, emails: usize) -> Result<()> {
    let target = Target { kind: "message", id: Some(m.id), label: &m.fields.title };
    record(conn, actor, Some(m.campaign_id), action, Some(target), serde_json::json!({ "emails": emails })).await
}

async fn read_settings(conn: &mut Conn, campaign: CampaignId) -> Result<MailSettings> {
    let row = sqlx::query(
        "SELECT from_name, from_address, reply_to, policy, legitimate_interest FROM mail_settings WHERE campaign_id = $1",
    )
        .bind(campaign.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(MailSettings {
            from_name: r.try_get("from_name")?,
            from_address: text(&r, "from_address", Email::parse)?,
            reply_to: r
                .try_get::<Option<String>, _>("reply_to")?
                .map(|e| Email::parse(&e).map_err(|x| corrupt("reply_to", x)))
                .transpose()?,
            policy: json(&r, "policy")?,
            legitimate_interest: r.try_get("legitimate_interest")?,
        }),
        None => {
            let c = fetch_campaign(conn, campaign).await?;
            Ok(MailSettings {
                from_name: c.fields.name,
                from_address: Email::parse(DEFAULT_FROM).map_err(|e| corrupt("default sender", e))?,
                reply_to: None,
                policy: CadencePolicy::default(),
                legitimate_interest: false,
            })
        }
    }
}

async fn write_templates(conn: &mut Conn, message: i64, templates: &[MessageTemplate]) -> Result<()> {
    sqlx::query("DELETE FROM message_templates WHERE message_id = $1").bind(message).execute(&mut *conn).await?;
    for t in templates {
        let result = sqlx::query(
            "INSERT INTO message_templates (message_id, language, variant, subject, body_text, body_html) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(message)
        .bind(t.language.as_str())
        .bind(t.category.map_or("", Category::as_str))
        .bind(&t.set.subject)
        .bind(&t.set.text)
        .bind(&t.set.html)
        .execute(&mut *conn)
        .await;
        match result {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                let which = t.category.map_or(String::new(), |c| format!(" for {}", c.label()));
                return Err(StoreError::Conflict {
                    field: "templates",
                    message: format!("two templates in {}{which}", t.language),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn read_templates(conn: &mut Conn, message: i64) -> Result<Vec<MessageTemplate>> {
    let rows = sqlx::query(
        "SELECT language, variant, subject, body_text, body_html FROM message_templates WHERE message_id = $1 \
         ORDER BY language, variant",
    )
    .bind(message)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let variant: String = r.try_get("variant")?;
            Ok(MessageTemplate {
                language: text(r, "language", LanguageTag::parse)?,
                category: if variant.is_empty() {
                    None
                } else {
                    Some(Category::parse(&variant).map_err(|e| corrupt("variant", e))?)
                },
                set: TemplateSet {
                    subject: r.try_get("subject")?,
                    text: r.try_get("body_text")?,
                    html: r.try_get("body_html")?,
                },
            })
        })
        .collect()
}

fn check_templates(templates: &[MessageTemplate]) -> Result<()> {
    if templates.is_empty() {
        return Err(Invalid::field("templates", "write the message in at least one language").into());
    }
    let mut errors = Vec::new();
    for (i, t) in templates.iter().enumerate() {
        if let Err(e) = rally_domain::template::check(&t.set) {
            errors.extend(e.0.into_iter().map(|f| rally_domain::FieldError {
                field: format!("templates[{i}].{}", f.field),
                message: f.message,
            }));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Invalid(errors).into()) }
}

/// A message may change only while nothing of it is in the outbox.
fn check_draft(message: &Message) -> Result<()> {
    match message.planned_at {
        None => Ok(()),
        Some(_) => Err(StoreError::Conflict {
            field: "message",
            message: "this message is already planned; its e-mails are in the outbox".into(),
        }),
    }
}

fn milestone_id(fields: &MessageFields) -> Option<i64> {
    match fields.send {
        rally_domain::comms::SendTime::Milestone { milestone_id, .. } => Some(milestone_id),
        rally_domain::comms::SendTime::At(_) => None,
    }
}

async fn check_milestone(conn: &mut Conn, campaign: CampaignId, fields: &MessageFields) -> Result<()> {
    let Some(id) = milestone_id(fields) else { return Ok(()) };
    let found = sqlx::query("SELECT 1 AS one FROM milestones WHERE id = $1 AND campaign_id = $2")
        .bind(id)
        .bind(campaign.0)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(Invalid::field("send.milestone_id", "no such milestone in this campaign").into());
    }
    Ok(())
}

/// The campaign's contacts in `m`'s segment, in id order: those after `after`, reading at most `limit`
/// of the campaign's contacts (every one with `None`). Returns the recipients, the last contact read
/// and how many were read.
async fn segment_contacts(
    conn: &mut Conn,
    m: &Message,
    after: Option<ContactId>,
    limit: Option<u32>,
) -> Result<(Vec<Recipient>, Option<ContactId>, usize)> {
    let legitimate_interest = read_settings(conn, m.campaign_id).await?.legitimate_interest;
    let mut q = QueryBuilder::<Db>::new(concat!(
        "SELECT ",
        contact_columns!(),
        ", k.mail_preference, k.time_zone, p.name AS partner_name, p.category, p.audiences, p.reach, p.stage, \
         p.owner_id, p.country, p.do_not_contact_until, c.high_reach_threshold, \
         (SELECT MAX(CASE WHEN s.scope = 'all' THEN 2 ELSE 1 END) FROM suppressions s WHERE s.email = k.email) AS suppressed, \
         EXISTS (SELECT 1 FROM commitments cm WHERE cm.partner_id = p.id AND cm.status = 'agreed') AS agreed, "
    ));
    q.push(super::consent::needs_reconsent_sql("contact_id", "k.id")).push(
        " AS needs_reconsent FROM contacts k JOIN partners p ON p.id = k.partner_id JOIN campaigns c \
         ON c.id = p.campaign_id WHERE p.campaign_id = k.campaign_id AND k.campaign_id = ",
    );
    q.push_bind(m.campaign_id.0);
    if let Some(after) = after {
        q.push(" AND k.id > ").push_bind(after.0);
    }
    q.push(" ORDER BY k.id");
    if let Some(limit) = limit {
        q.push(" LIMIT ").push_bind(i64::from(limit));
    }
    let rows = q.build().fetch_all(&mut *conn).await?;
    let last = rows.last().map(|r| r.try_get::<i64, _>("id")).transpose()?.map(ContactId);
    let mut out = Vec::new();
    for r in &rows {
        if let Some(recipient) = recipient_from_row(r, m, legitimate_interest)? {
            out.push(recipient);
        }
    }
    Ok((out, last, rows.len()))
}

/// A contact row of [`segment_contacts`] as a recipient of `m`, or `None` when it is outside the segment.
fn recipient_from_row(r: &DbRow, m: &Message, legitimate_interest: bool) -> Result<Option<Recipient>> {
    let contact = contact_from_row(r)?;
    let category = text(r, "category", Category::parse)?;
    let audiences: Vec<Audience> = json(r, "audiences")?;
    let reach = Reach::new(r.try_get("reach")?).map_err(|e| corrupt("reach", e))?;
    let country: Option<String> = r.try_get("country")?;
    let subject = SegmentSubject {
        category,
        audiences: &audiences,
        tier: Tier::of(reach, r.try_get("high_reach_threshold")?),
        stage: text(r, "stage", Stage::parse)?,
        owner: r.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        country: country.as_deref(),
        language: contact.fields.language.as_ref(),
        consent: contact.fields.consent,
    };
    if !m.fields.segment.matches(&subject) {
        return Ok(None);
    }
    let preference = text(r, "mail_preference", MailPreference::parse)?;
    let suppressed = match r.try_get::<Option<i32>, _>("suppressed")? {
        Some(2) => Some(SuppressionScope::All),
        Some(_) => Some(SuppressionScope::Marketing),
        None => None,
    };
    let who = Reachability {
        suppressed,
        preference,
        consent: contact.fields.consent,
        agreed_commitment: r.try_get("agreed")?,
        needs_reconsent: r.try_get("needs_reconsent")?,
    };
    let excluded = rally_domain::comms::exclusion(m.fields.kind, &who, legitimate_interest).map(str::to_owned);
    Ok(Some(Recipient {
        partner_id: contact.partner_id,
        partner_name: r.try_get("partner_name")?,
        category,
        time_zone: r.try_get("time_zone")?,
        do_not_contact_until: r.try_get::<Option<i64>, _>("do_not_contact_until")?.map(from_micros).transpose()?,
        preference,
        excluded,
        contact,
    }))
}

/// SQLite's writer connection keeps a 64 MB page cache, for imports' index updates. A queue's writes —
/// a million e-mails staged, moved into the outbox and deleted from the batch — would fill it with pages
/// touched once, and keep them: they run with 8 MB instead (no slower, measured on a million e-mails),
/// so a queue's memory stays flat whatever the segment's size. PostgreSQL's cache is the server's.
const QUEUE_PAGE_CACHE_KIB: i64 = 8 * 1024;

/// Gives the connection the queue's page cache (SQLite); returns the cache size to restore.
async fn queue_cache(conn: &mut Conn) -> Result<Option<i64>> {
    if BACKEND != "sqlite" {
        return Ok(None);
    }
    let before: i64 = sqlx::query("PRAGMA cache_size").fetch_one(&mut *conn).await?.try_get(0)?;
    set_cache(conn, -QUEUE_PAGE_CACHE_KIB).await?;
    Ok(Some(before))
}

/// Gives the connection back the page cache [`queue_cache`] found, whatever the queue's step did.
async fn restore_cache<T>(conn: &mut Conn, before: Option<i64>, step: Result<T>) -> Result<T> {
    if let Some(size) = before {
        set_cache(conn, size).await?;
    }
    step
}

async fn set_cache(conn: &mut Conn, size: i64) -> Result<()> {
    // A number formatted into the statement: PRAGMA takes no parameters.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {size}"))).execute(&mut *conn).await?;
    Ok(())
}

/// Contacts a page of recipients may read at most.
const MAX_PAGE: u32 = 10_000;

/// A staging batch older than this was left by a process that died while queueing: microseconds.
const STALE_BATCH: i64 = 24 * 3600 * 1_000_000;

/// Staged rows deleted per transaction when a batch is emptied: short write transactions, so the
/// app's other writers (SQLite has one at a time) wait milliseconds, not seconds.
const CLEAR_ROWS: i64 = 5_000;

fn batch_gone() -> StoreError {
    StoreError::Conflict {
        field: "message",
        message: "queueing this message stopped before it finished; queue it again".into(),
    }
}

/// A staging batch's message, and the message's `updated_at` when the batch began; a conflict when
/// the batch is gone.
async fn batch_message(conn: &mut Conn, batch: StagedBatch) -> Result<(Message, i64)> {
    let row = sqlx::query("SELECT message_id, message_updated_at FROM outbox_batches WHERE id = $1")
        .bind(batch.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(batch_gone)?;
    let m = fetch_message(conn, row.try_get("message_id")?).await?;
    Ok((m, row.try_get("message_updated_at")?))
}

/// A rendered e-mail as a staging row.
fn staged(d: &NewDelivery) -> Staged<'_> {
    Staged {
        contact: d.contact_id,
        email: d.email.as_str(),
        to_name: &d.to_name,
        subject: &d.subject,
        text: &d.text,
        html: d.html.as_deref(),
        unsubscribe_url: &d.unsubscribe_url,
        status: d.status(),
        wanted_at: to_micros(d.wanted_at),
        due_at: to_micros(d.due_at.unwrap_or(d.wanted_at)),
        reason: &d.reason,
    }
}

/// Deletes a staging batch's rows, [`CLEAR_ROWS`] per transaction, then the batch.
async fn clear_batch(store: &Backend, batch: i64) -> Result<()> {
    loop {
        let mut tx = store.begin_write().await?;
        let cache = queue_cache(&mut tx).await?;
        let deleted = sqlx::query(
            "DELETE FROM outbox_staged WHERE batch_id = $1 AND contact_id IN \
             (SELECT contact_id FROM outbox_staged WHERE batch_id = $1 ORDER BY contact_id LIMIT $2)",
        )
        .bind(batch)
        .bind(CLEAR_ROWS)
        .execute(&mut *tx)
        .await;
        let gone = restore_cache(&mut tx, cache, deleted.map_err(StoreError::from)).await?.rows_affected();
        if gone == 0 {
            sqlx::query("DELETE FROM outbox_batches WHERE id = $1").bind(batch).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(());
        }
        tx.commit().await?;
    }
}

/// Deletes the staging batches begun before `before` (microseconds): their queue died.
async fn clear_stale_batches(store: &Backend, before: i64) -> Result<()> {
    let rows =
        sqlx::query("SELECT id FROM outbox_batches WHERE created_at < $1").bind(before).fetch_all(&store.pool).await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        tracing::info!(batch = id, "deleting a queue's staged e-mails left for over a day");
        clear_batch(store, id).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------

#[async_trait]
impl Comms for Backend {
    async fn mail_settings(&self, actor: Actor, campaign: CampaignId) -> Result<MailSettings> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        read_settings(&mut conn, campaign).await
    }

    async fn set_mail_settings(&self, actor: Actor, campaign: CampaignId, s: MailSettings) -> Result<MailSettings> {
        let policy = s.policy.clone().validate()?;
        let from_name = s.from_name.trim();
        if from_name.is_empty() || from_name.chars().count() > 100 || from_name.chars().any(char::is_control) {
            return Err(Invalid::field("from_name", "give a sender name of 1 to 100 characters").into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        let before = read_settings(&mut tx, campaign).await?;
        sqlx::query(
            "INSERT INTO mail_settings (campaign_id, from_name, from_address, reply_to, policy, legitimate_interest) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id) DO UPDATE SET from_name = $2, from_address = $3, \
             reply_to = $4, policy = $5, legitimate_interest = $6",
        )
        .bind(campaign.0)
        .bind(from_name)
        .bind(s.from_address.as_str())
        .bind(s.reply_to.as_ref().map(Email::as_str))
        .bind(to_json(&policy)?)
        .bind(s.legitimate_interest)
        .execute(&mut *tx)
        .await?;
        let stored = read_settings(&mut tx, campaign).await?;
        record_settings_change(&mut tx, actor, campaign, &before, &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn milestones(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Milestone>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT id, campaign_id, kind, title, happens_on FROM milestones WHERE campaign_id = $1 ORDER BY happens_on, id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Milestone {
                    id: r.try_get("id")?,
                    campaign_id: CampaignId(r.try_get("campaign_id")?),
                    kind: text(r, "kind", MilestoneKind::parse)?,
                    title: r.try_get("title")?,
                    on: required_date(r, "happens_on")?,
                })
            })
            .collect()
    }

    async fn create_milestone(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: MilestoneKind,
        title: &str,
        on: chrono::NaiveDate,
    ) -> Result<Milestone> {
        let title = milestone_title(title)?;
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        let row = sqlx::query(
            "INSERT INTO milestones (campaign_id, kind, title, happens_on) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(campaign.0)
        .bind(kind.as_str())
        .bind(title)
        .bind(on.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        tx.commit().await?;
        Ok(Milestone { id, campaign_id: campaign, kind, title: title.to_owned(), on })
    }

    async fn update_milestone(
        &self,
        actor: Actor,
        id: i64,
        kind: MilestoneKind,
        title: &str,
        on: chrono::NaiveDate,
    ) -> Result<Milestone> {
        let title = milestone_title(title)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT campaign_id, happens_on FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("milestone"))?;
        let campaign = CampaignId(row.try_get("campaign_id")?);
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "milestone").await?;
        if required_date(&row, "happens_on")? != on {
            // A queued message's e-mails were timed by the old day; moving it would leave them behind.
            let queued = sqlx::query(
                "SELECT COUNT(*) AS n FROM messages WHERE milestone_id = $1 AND planned_at IS NOT NULL \
                 AND cancelled_at IS NULL",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if queued.try_get::<i64, _>("n")? > 0 {
                return Err(StoreError::Conflict {
                    field: "on",
                    message: "a queued message goes on this day; its e-mails are timed already".into(),
                });
            }
        }
        sqlx::query("UPDATE milestones SET kind = $1, title = $2, happens_on = $3 WHERE id = $4")
            .bind(kind.as_str())
            .bind(title)
            .bind(on.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Milestone { id, campaign_id: campaign, kind, title: title.to_owned(), on })
    }

    async fn delete_milestone(&self, actor: Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT campaign_id FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("milestone"))?;
        authorize(&mut tx, actor, CampaignId(row.try_get("campaign_id")?), Action::EditCampaign, "milestone").await?;
        let used = sqlx::query("SELECT COUNT(*) AS n FROM messages WHERE milestone_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if used.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict {
                field: "milestone",
                message: "messages are attached to this milestone".into(),
            });
        }
        sqlx::query("DELETE FROM milestones WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn messages(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Message>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows =
            sqlx::query(concat!("SELECT ", message_columns!(), " FROM messages WHERE campaign_id = $1 ORDER BY id"))
                .bind(campaign.0)
                .fetch_all(&mut *conn)
                .await?;
        rows.iter().map(message_from_row).collect()
    }

    async fn message(&self, actor: Actor, id: i64) -> Result<(Message, Vec<MessageTemplate>)> {
        let mut conn = self.pool.acquire().await?;
        let m = fetch_message(&mut conn, id).await?;
        authorize(&mut conn, actor, m.campaign_id, Action::Read, "message").await?;
        let t = read_templates(&mut conn, id).await?;
        Ok((m, t))
    }

    async fn create_message(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: MessageFields,
        templates: Vec<MessageTemplate>,
    ) -> Result<Message> {
        check_templates(&templates)?;
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        check_milestone(&mut tx, campaign, &fields).await?;
        let now = now_micros();
        let row = sqlx::query(
            "INSERT INTO messages (campaign_id, title, kind, segment, send, milestone_id, fallback_language, planned_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8) RETURNING id",
        )
        .bind(campaign.0)
        .bind(&fields.title)
        .bind(fields.kind.as_str())
        .bind(to_json(&fields.segment)?)
        .bind(to_json(&fields.send)?)
        .bind(milestone_id(&fields))
        .bind(fields.fallback_language.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        write_templates(&mut tx, id, &templates).await?;
        let m = fetch_message(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }

    async fn update_message(
        &self,
        actor: Actor,
        id: i64,
        fields: MessageFields,
        templates: Option<Vec<MessageTemplate>>,
    ) -> Result<Message> {
        if let Some(t) = &templates {
            check_templates(t)?;
        }
        let mut tx = self.begin_write().await?;
        let stored = fetch_message(&mut tx, id).await?;
        authorize(&mut tx, actor, stored.campaign_id, Action::EditCampaign, "message").await?;
        check_draft(&stored)?;
        check_milestone(&mut tx, stored.campaign_id, &fields).await?;
        sqlx::query(
            "UPDATE messages SET title = $1, kind = $2, segment = $3, send = $4, milestone_id = $5, fallback_language = $6, \
             updated_at = $7 WHERE id = $8",
        )
        .bind(&fields.title)
        .bind(fields.kind.as_str())
        .bind(to_json(&fields.segment)?)
        .bind(to_json(&fields.send)?)
        .bind(milestone_id(&fields))
        .bind(fields.fallback_language.as_str())
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(t) = &templates {
            write_templates(&mut tx, id, t).await?;
        }
        let m = fetch_message(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }

    async fn delete_message(&self, actor: Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stored = fetch_message(&mut tx, id).await?;
        authorize(&mut tx, actor, stored.campaign_id, Action::EditCampaign, "message").await?;
        // Rows not sent yet go with it; what was sent stays in the partners' timelines.
        let sent = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE message_id = $1 AND status IN ('sent', 'sending', 'bounced')",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if sent.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict {
                field: "message",
                message: "e-mails of this message were sent; it stays on record".into(),
            });
        }
        sqlx::query("DELETE FROM messages WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn recipients(&self, actor: Actor, message: i64) -> Result<Vec<Recipient>> {
        let mut conn = self.pool.acquire().await?;
        let m = fetch_message(&mut conn, message).await?;
        authorize(&mut conn, actor, m.campaign_id, Action::Read, "message").await?;
        Ok(segment_contacts(&mut conn, &m, None, None).await?.0)
    }

    async fn recipients_page(
        &self,
        actor: Actor,
        message: i64,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<RecipientsPage> {
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Invalid::field("limit", "read 1 to 10,000 contacts a page").into());
        }
        let mut conn = self.pool.acquire().await?;
        let m = fetch_message(&mut conn, message).await?;
        authorize(&mut conn, actor, m.campaign_id, Action::Read, "message").await?;
        let (recipients, last, read) = segment_contacts(&mut conn, &m, after, Some(limit)).await?;
        Ok(RecipientsPage { recipients, next: if read == limit as usize { last } else { None } })
    }

    async fn mail_history(
        &self,
        contacts: &[ContactId],
    ) -> Result<HashMap<ContactId, Vec<chrono::DateTime<chrono::Utc>>>> {
        let mut conn = self.pool.acquire().await?;
        let mut out: HashMap<ContactId, Vec<chrono::DateTime<chrono::Utc>>> = HashMap::new();
        for chunk in contacts.chunks(500) {
            let mut q = QueryBuilder::<Db>::new(
                "SELECT contact_id, COALESCE(sent_at, due_at) AS at FROM outbox WHERE kind = 'marketing' \
                 AND status IN ('planned', 'deferred', 'paused', 'sending', 'sent') AND contact_id IN (",
            );
            let mut sep = q.separated(", ");
            for c in chunk {
                sep.push_bind(c.0);
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *conn).await? {
                out.entry(ContactId(row.try_get("contact_id")?)).or_default().push(time(&row, "at")?);
            }
        }
        Ok(out)
    }

    async fn enqueue(&self, actor: Actor, message: i64, deliveries: Vec<NewDelivery>) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let m = fetch_message(&mut tx, message).await?;
        authorize(&mut tx, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        check_draft(&m)?;
        let now = now_micros();
        let kind = m.fields.kind.mail_kind().as_str();
        let mails: Vec<Enqueued<'_>> = deliveries
            .iter()
            .map(|d| Enqueued {
                campaign: Some(m.campaign_id),
                cause: Cause::Message { message, contact: d.contact_id, partner: d.partner_id },
                kind,
                email: d.email.as_str(),
                to_name: &d.to_name,
                subject: &d.subject,
                text: &d.text,
                html: d.html.as_deref(),
                unsubscribe_url: &d.unsubscribe_url,
                status: d.status(),
                wanted_at: to_micros(d.wanted_at),
                due_at: to_micros(d.due_at.unwrap_or(d.wanted_at)),
                reason: &d.reason,
            })
            .collect();
        let added = enqueue(&mut tx, &mails, now).await?;
        sqlx::query("UPDATE messages SET planned_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(message)
            .execute(&mut *tx)
            .await?;
        record_message(&mut tx, actor, &m, AuditAction::MessageQueued, added).await?;
        tx.commit().await?;
        self.after_bulk_load(added).await?;
        Ok(added)
    }

    async fn begin_staging(&self, actor: Actor, message: i64) -> Result<StagedBatch> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let m = fetch_message(&mut tx, message).await?;
        authorize(&mut tx, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        check_draft(&m)?;
        let row = sqlx::query(
            "INSERT INTO outbox_batches (message_id, message_updated_at, created_at) \
             SELECT id, updated_at, $1 FROM messages WHERE id = $2 RETURNING id",
        )
        .bind(now)
        .bind(message)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        clear_stale_batches(self, now - STALE_BATCH).await?;
        Ok(StagedBatch(row.try_get("id")?))
    }

    async fn stage_deliveries(&self, actor: Actor, batch: StagedBatch, deliveries: Vec<NewDelivery>) -> Result<usize> {
        let mails: Vec<Staged<'_>> = deliveries.iter().map(staged).collect();
        let mut tx = self.begin_write().await?;
        let (m, _) = batch_message(&mut tx, batch).await?;
        authorize(&mut tx, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        check_draft(&m)?;
        let cache = queue_cache(&mut tx).await?;
        let staged = stage(&mut tx, batch.0, &mails).await;
        let added = restore_cache(&mut tx, cache, staged).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn commit_staged(&self, actor: Actor, batch: StagedBatch) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let (m, began) = batch_message(&mut tx, batch).await?;
        authorize(&mut tx, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        check_draft(&m)?;
        let now = now_micros();
        // Marking the message first takes its row lock (PostgreSQL): of two queues committing at once,
        // the second waits here, then finds the message planned and adds nothing.
        let marked = sqlx::query(
            "UPDATE messages SET planned_at = $1, updated_at = $1 WHERE id = $2 AND planned_at IS NULL \
             AND updated_at = $3",
        )
        .bind(now)
        .bind(m.id)
        .bind(began)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 0 {
            check_draft(&fetch_message(&mut tx, m.id).await?)?;
            return Err(StoreError::Conflict {
                field: "message",
                message: "the message was changed while it was being queued; queue it again".into(),
            });
        }
        let kind = m.fields.kind.mail_kind().as_str();
        let cache = queue_cache(&mut tx).await?;
        let moved = move_staged(&mut tx, batch.0, m.campaign_id, m.id, kind, now).await;
        let added = restore_cache(&mut tx, cache, moved).await?;
        record_message(&mut tx, actor, &m, AuditAction::MessageQueued, added).await?;
        tx.commit().await?;
        // The e-mails are in the outbox: a failure to empty the batch now only leaves it for the
        // next queue's clean-up, a day on.
        if let Err(e) = clear_batch(self, batch.0).await {
            tracing::warn!(batch = batch.0, error = %e, "the staged e-mails of a queued message stay for now");
        }
        self.after_bulk_load(added).await?;
        Ok(added)
    }

    async fn discard_staged(&self, actor: Actor, batch: StagedBatch) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let m = match batch_message(&mut conn, batch).await {
            Ok((m, _)) => m,
            Err(StoreError::Conflict { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        authorize(&mut conn, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        drop(conn);
        clear_batch(self, batch.0).await
    }

    async fn claim(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>> {
        let now = to_micros(now);
        let mut tx = self.begin_write().await?;
        let ids = due_ids(&mut tx, now, limit).await?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        suppress_excluded(&mut tx, &ids).await?;
        lease(&mut tx, &ids, worker, to_micros(lease_until)).await?;
        let mut claimed = leased(&mut tx, &ids, worker).await?;
        add_history(&mut tx, worker, &mut claimed).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish(
        &self,
        id: i64,
        worker: &str,
        result: Delivered,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        let now = to_micros(now);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT o.email, o.attempts, m.paused_at, m.cancelled_at FROM outbox o \
             LEFT JOIN messages m ON m.id = o.message_id WHERE o.id = $1 AND o.status = 'sending' AND o.leased_by = $2",
        )
        .bind(id)
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Another worker took the row over after our lease ran out: its outcome counts.
            tx.commit().await?;
            return Ok(false);
        };
        let email: String = row.try_get("email")?;
        let attempts: i32 = row.try_get("attempts")?;
        let (status, due, reason, reply, sent_at, attempts) = match result {
            Delivered::Sent(reply) => (OutboxStatus::Sent, None, String::new(), Some(reply), Some(now), attempts),
            Delivered::Retry { reply, at } if attempts < MAX_ATTEMPTS => {
                (OutboxStatus::Deferred, Some(to_micros(at)), format!("retrying: {reply}"), Some(reply), None, attempts)
            }
            Delivered::Retry { reply, .. } => {
                (OutboxStatus::Failed, None, format!("gave up after {attempts} attempts"), Some(reply), None, attempts)
            }
            Delivered::Bounced(reply) => {
                sqlx::query(
                    "INSERT INTO suppressions (email, reason, scope, detail, created_at) VALUES ($1, 'hard_bounce', 'all', $2, $3) \
                     ON CONFLICT (email, reason) DO NOTHING",
                )
                .bind(&email)
                .bind(&reply)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (OutboxStatus::Bounced, None, "the server refused the address".into(), Some(reply), None, attempts)
            }
            // A cadence deferral is not a delivery attempt.
            Delivered::Deferred { reason, until } => {
                (OutboxStatus::Deferred, Some(to_micros(until)), reason, None, None, attempts - 1)
            }
            Delivered::Expired(reason) => (OutboxStatus::Expired, None, reason, None, None, attempts - 1),
        };
        // An e-mail put back to wait while its message was paused or cancelled waits with it.
        let halted = (
            row.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
            row.try_get::<Option<i64>, _>("paused_at")?.is_some(),
        );
        let (status, reason) = match (status, halted) {
            (OutboxStatus::Deferred, (true, _)) => (OutboxStatus::Cancelled, CANCELLED.to_owned()),
            (OutboxStatus::Deferred, (false, true)) => (OutboxStatus::Paused, reason),
            (status, _) => (status, reason),
        };
        let mut q = QueryBuilder::<Db>::new("UPDATE outbox SET status = ");
        q.push_bind(status.as_str())
            .push(", reason = ")
            .push_bind(reason)
            .push(", attempts = ")
            .push_bind(attempts)
            .push(", leased_by = NULL, lease_until = NULL");
        if let Some(due) = due {
            q.push(", due_at = ").push_bind(due);
        }
        if let Some(reply) = reply {
            q.push(", last_reply = ").push_bind(reply);
        }
        if let Some(at) = sent_at {
            q.push(", sent_at = ").push_bind(at);
        }
        q.push(" WHERE id = ").push_bind(id);
        q.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn release(&self, worker: &str, ids: &[i64]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut released = 0;
        // Chunks keep each statement's parameters far below either engine's limit.
        for chunk in ids.chunks(1000) {
            // Each row goes back to what it was before the claim, decided as resuming a paused message
            // decides it (a reason means it was deferred); one whose message was paused or cancelled
            // meanwhile waits or is cancelled with it, as in `finish`. Every right-hand side sees the
            // row as it was, so the reason tested is the old one.
            let mut q = QueryBuilder::<Db>::new(
                "UPDATE outbox SET status = CASE \
                 WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = outbox.message_id AND m.cancelled_at IS NOT NULL) \
                 THEN 'cancelled' \
                 WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = outbox.message_id AND m.paused_at IS NOT NULL) \
                 THEN 'paused' \
                 WHEN reason = '' THEN 'planned' ELSE 'deferred' END, \
                 reason = CASE \
                 WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = outbox.message_id AND m.cancelled_at IS NOT NULL) \
                 THEN ",
            );
            q.push_bind(CANCELLED)
                .push(
                    " ELSE reason END, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
                     leased_by = NULL, lease_until = NULL WHERE status = 'sending' AND leased_by = ",
                )
                .push_bind(worker)
                .push(" AND id IN (");
            push_ids(&mut q, chunk);
            q.push(")");
            released += q.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(released)
    }

    async fn waiting(&self, actor: Actor, campaign: CampaignId, limit: u32) -> Result<Vec<Waiting>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT o.message_id, m.title, o.email, p.name AS partner, o.status, o.reason, o.wanted_at, o.due_at \
             FROM outbox o JOIN messages m ON m.id = o.message_id LEFT JOIN partners p ON p.id = o.partner_id \
             WHERE m.campaign_id = $1 AND o.status IN ('planned', 'deferred', 'paused') \
             ORDER BY o.due_at, o.id LIMIT $2",
        )
        .bind(campaign.0)
        .bind(i64::from(limit.min(10_000)))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Waiting {
                    message_id: r.try_get("message_id")?,
                    message_title: r.try_get("title")?,
                    email: r.try_get("email")?,
                    partner: r.try_get::<Option<String>, _>("partner")?.unwrap_or_default(),
                    status: text(r, "status", OutboxStatus::parse)?,
                    reason: r.try_get("reason")?,
                    wanted_at: time(r, "wanted_at")?,
                    due_at: time(r, "due_at")?,
                })
            })
            .collect()
    }

    async fn outbox_counts(&self, actor: Actor, message: i64) -> Result<Vec<(OutboxStatus, i64)>> {
        let mut conn = self.pool.acquire().await?;
        let m = fetch_message(&mut conn, message).await?;
        authorize(&mut conn, actor, m.campaign_id, Action::Read, "message").await?;
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox WHERE message_id = $1 GROUP BY status")
            .bind(message)
            .fetch_all(&mut *conn)
            .await?;
        let mut counts: Vec<(OutboxStatus, i64)> = Vec::new();
        for r in &rows {
            counts.push((text(r, "status", OutboxStatus::parse)?, r.try_get("n")?));
        }
        counts.sort();
        Ok(counts)
    }

    async fn control_message(&self, actor: Actor, message: i64, control: SendControl) -> Result<(Message, u64)> {
        let mut tx = self.begin_write().await?;
        let m = fetch_message(&mut tx, message).await?;
        authorize(&mut tx, actor, m.campaign_id, Action::EditCampaign, "message").await?;
        // Refusals about the message's state, not the request: conflicts, as queueing twice is.
        let refuse = |why: &str| Err(StoreError::Conflict { field: "message", message: why.to_owned() });
        if m.planned_at.is_none() {
            return refuse("this message is a draft: nothing of it is queued");
        }
        if m.cancelled_at.is_some() {
            return refuse("this message was cancelled");
        }
        let now = now_micros();
        let (rows, set) = match control {
            SendControl::Pause if m.paused_at.is_some() => return refuse("this message is paused already"),
            SendControl::Resume if m.paused_at.is_none() => return refuse("this message is not paused"),
            SendControl::Pause => (
                sqlx::query(
                    "UPDATE outbox SET status = 'paused' WHERE message_id = $1 AND status IN ('planned', 'deferred')",
                ),
                "UPDATE messages SET paused_at = $1, updated_at = $1 WHERE id = $2",
            ),
            // Each goes back to what it was: waiting for its time, or deferred (it has a reason).
            SendControl::Resume => (
                sqlx::query(
                    "UPDATE outbox SET status = CASE WHEN reason = '' THEN 'planned' ELSE 'deferred' END \
                     WHERE message_id = $1 AND status = 'paused'",
                ),
                "UPDATE messages SET paused_at = NULL, updated_at = $1 WHERE id = $2",
            ),
            SendControl::Cancel => (
                sqlx::query(
                    "UPDATE outbox SET status = 'cancelled', reason = 'the message was cancelled' \
                     WHERE message_id = $1 AND status IN ('planned', 'deferred', 'paused')",
                ),
                "UPDATE messages SET cancelled_at = $1, paused_at = NULL, updated_at = $1 WHERE id = $2",
            ),
        };
        let changed = rows.bind(message).execute(&mut *tx).await?.rows_affected();
        sqlx::query(set).bind(now).bind(message).execute(&mut *tx).await?;
        let m = fetch_message(&mut tx, message).await?;
        let action = match control {
            SendControl::Pause => AuditAction::MessagePaused,
            SendControl::Resume => AuditAction::MessageResumed,
            SendControl::Cancel => AuditAction::MessageCancelled,
        };
        record_message(&mut tx, actor, &m, action, usize::try_from(changed).unwrap_or(usize::MAX)).await?;
        tx.commit().await?;
        Ok((m, changed))
    }

    async fn unsubscribed(&self, actor: Actor, message: i64) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        let m = fetch_message(&mut conn, message).await?;
        authorize(&mut conn, actor, m.campaign_id, Action::Read, "message").await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox o JOIN contacts k ON k.id = o.contact_id \
             WHERE o.message_id = $1 AND o.status = 'sent' AND k.mail_preference IN ('essential', 'none')",
        )
        .bind(message)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.try_get("n")?)
    }

    async fn set_do_not_contact(
        &self,
        actor: Actor,
        partner: PartnerId,
        until: Option<chrono::NaiveDate>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_edit).await?;
        // Held back until the start of that day, UTC; the cadence rules then apply as usual.
        let at = until.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| to_micros(t.and_utc()));
        sqlx::query("UPDATE partners SET do_not_contact_until = $1 WHERE id = $2")
            .bind(at)
            .bind(partner.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn do_not_contact(&self, actor: Actor, partner: PartnerId) -> Result<Option<chrono::NaiveDate>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        let row = sqlx::query("SELECT do_not_contact_until FROM partners WHERE id = $1")
            .bind(partner.0)
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("do_not_contact_until")?.map(from_micros).transpose()?.map(|t| t.date_naive()))
    }

    async fn partner_mail(&self, actor: Actor, partner: PartnerId) -> Result<Vec<MailEntry>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        let rows = sqlx::query(
            "SELECT o.id, o.message_id, m.title, o.email, o.subject, o.status, o.reason, o.due_at, o.sent_at \
             FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.partner_id = $1 ORDER BY o.due_at DESC, o.id DESC LIMIT 200",
        )
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MailEntry {
                    id: r.try_get("id")?,
                    message_id: r.try_get("message_id")?,
                    message_title: r.try_get("title")?,
                    email: r.try_get("email")?,
                    subject: r.try_get("subject")?,
                    status: text(r, "status", OutboxStatus::parse)?,
                    reason: r.try_get("reason")?,
                    due_at: time(r, "due_at")?,
                    sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(from_micros).transpose()?,
                })
            })
            .collect()
    }

    async fn link_secret(&self, candidate: &str) -> Result<String> {
        // Read on every unsubscribe page and every plan: a write only the very first time.
        let stored =
            sqlx::query("SELECT value FROM secrets WHERE name = 'unsubscribe'").fetch_optional(&self.pool).await?;
        if let Some(row) = stored {
            return Ok(row.try_get("value")?);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO secrets (name, value) VALUES ('unsubscribe', $1) ON CONFLICT (name) DO NOTHING")
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query("SELECT value FROM secrets WHERE name = 'unsubscribe'").fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(row.try_get("value")?)
    }

    async fn mail_preference(&self, contact: ContactId) -> Result<Option<(Email, MailPreference)>> {
        let row = sqlx::query("SELECT email, mail_preference FROM contacts WHERE id = $1")
            .bind(contact.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((text(&r, "email", Email::parse)?, text(&r, "mail_preference", MailPreference::parse)?)))
            .transpose()
    }

    async fn set_mail_preference(&self, contact: ContactId, preference: MailPreference) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let method = rally_domain::consent::ConsentMethod::UnsubscribePage;
        super::consent::write_mail_preference(&mut tx, contact, preference, method).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn suppress(
        &self,
        actor: Actor,
        campaign: CampaignId,
        email: &Email,
        reason: SuppressionReason,
        detail: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        sqlx::query(
            "INSERT INTO suppressions (email, reason, scope, detail, created_at) VALUES ($1, $2, 'all', $3, $4) \
             ON CONFLICT (email, reason) DO UPDATE SET detail = $3",
        )
        .bind(email.as_str())
        .bind(reason.as_str())
        .bind(detail)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn push_ids(q: &mut QueryBuilder<Db>, ids: &[i64]) {
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
}

// The steps of a claim, each in the claim's transaction. --------------------------------------------

/// The ids of up to `limit` (at most 1,000) rows due at `now`, locked as `CLAIM_LOCK` says.
async fn due_ids(conn: &mut Conn, now: i64, limit: u32) -> Result<Vec<i64>> {
    // One index-ordered query per kind of due row — expired leases first (their worker died), then
    // retries and deferrals, then new e-mails — rather than one query that sorts every due row.
    let limit = i64::from(limit.min(1000));
    let mut ids: Vec<i64> = Vec::new();
    for (status, column) in [("sending", "lease_until"), ("deferred", "due_at"), ("planned", "due_at")] {
        let left = limit - ids.len() as i64;
        if left <= 0 {
            break;
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM outbox WHERE status = ");
        q.push_bind(status).push(format!(" AND {column} <= ")).push_bind(now);
        q.push(format!(" ORDER BY {column}, id LIMIT ")).push_bind(left).push(CLAIM_LOCK);
        for row in q.build().fetch_all(&mut *conn).await? {
            ids.push(row.try_get("id")?);
        }
    }
    Ok(ids)
}

/// Marks as suppressed the rows among `ids` that may no longer go.
async fn suppress_excluded(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    // Suppressed addresses, contacts who chose less mail and consent are checked again now, not only
    // when the e-mail was planned: the same rules as `rally_domain::comms::exclusion`.
    let mut q = QueryBuilder::<Db>::new(
        "UPDATE outbox SET status = 'suppressed', reason = 'the address is on the suppression list', leased_by = NULL, \
         lease_until = NULL WHERE id IN (",
    );
    push_ids(&mut q, ids);
    q.push(
        ") AND (EXISTS (SELECT 1 FROM suppressions s WHERE s.email = outbox.email AND (s.scope = 'all' OR outbox.kind = 'marketing')) \
         OR EXISTS (SELECT 1 FROM contacts k WHERE k.id = outbox.contact_id AND (k.mail_preference = 'none' \
         OR (k.mail_preference = 'essential' AND outbox.kind = 'marketing'))))",
    );
    q.build().execute(&mut *conn).await?;
    let mut q = QueryBuilder::<Db>::new(
        "UPDATE outbox SET status = 'suppressed', reason = 'no consent to campaign e-mail', leased_by = NULL, \
         lease_until = NULL WHERE id IN (",
    );
    push_ids(&mut q, ids);
    q.push(
        ") AND status <> 'suppressed' AND outbox.kind <> 'system' AND EXISTS (SELECT 1 FROM contacts k WHERE \
         k.id = outbox.contact_id AND (k.consent = 'opted_out' OR (outbox.kind = 'marketing' AND k.consent = 'unknown' \
         AND NOT EXISTS (SELECT 1 FROM mail_settings ms WHERE ms.campaign_id = outbox.campaign_id AND ms.legitimate_interest))))",
    );
    q.build().execute(&mut *conn).await?;
    let mut q = QueryBuilder::<Db>::new(
        "UPDATE outbox SET status = 'suppressed', reason = 'must agree to the new privacy notice', leased_by = NULL, \
         lease_until = NULL WHERE id IN (",
    );
    push_ids(&mut q, ids);
    q.push(
        ") AND status <> 'suppressed' AND outbox.kind = 'marketing' AND EXISTS (SELECT 1 FROM contacts k WHERE \
         k.id = outbox.contact_id AND ",
    )
    .push(super::consent::needs_reconsent_sql("contact_id", "k.id"))
    .push(")");
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// Leases the rows among `ids` that were not suppressed to `worker` until `lease_until`, counting the
/// attempt.
async fn lease(conn: &mut Conn, ids: &[i64], worker: &str, lease_until: i64) -> Result<()> {
    let mut q = QueryBuilder::<Db>::new("UPDATE outbox SET status = 'sending', leased_by = ");
    q.push_bind(worker)
        .push(", lease_until = ")
        .push_bind(lease_until)
        .push(", attempts = attempts + 1 WHERE status <> 'suppressed' AND id IN (");
    push_ids(&mut q, ids);
    q.push(")");
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// The rows among `ids` leased to `worker`, in the order they fell due, with their campaign's mail
/// settings (each campaign's read once); no history yet.
async fn leased(conn: &mut Conn, ids: &[i64], worker: &str) -> Result<Vec<Claimed>> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT o.id, o.campaign_id, o.message_id, o.contact_id, o.kind, o.email, o.to_name, o.subject, o.body_text, \
         o.body_html, o.unsubscribe_url, o.attempts, o.wanted_at, k.time_zone, k.mail_preference, p.do_not_contact_until \
         FROM outbox o LEFT JOIN contacts k ON k.id = o.contact_id LEFT JOIN partners p ON p.id = o.partner_id \
         WHERE o.status = 'sending' AND o.leased_by = ",
    );
    q.push_bind(worker).push(" AND o.id IN (");
    push_ids(&mut q, ids);
    q.push(") ORDER BY o.due_at, o.id");
    let rows = q.build().fetch_all(&mut *conn).await?;
    let mut settings: HashMap<Option<i64>, MailSettings> = HashMap::new();
    let mut claimed = Vec::with_capacity(rows.len());
    for r in &rows {
        let campaign = r.try_get::<Option<i64>, _>("campaign_id")?.map(CampaignId);
        let s = match settings.entry(campaign.map(|c| c.0)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(match campaign {
                Some(campaign) => read_settings(conn, campaign).await?,
                None => system_settings()?,
            }),
        };
        claimed.push(claimed_from_row(r, campaign, s)?);
    }
    Ok(claimed)
}

/// The sender of Rally's mail to its users, which belongs to no campaign; the worker may name another.
fn system_settings() -> Result<MailSettings> {
    Ok(MailSettings {
        from_name: "Rally".into(),
        from_address: Email::parse(DEFAULT_FROM).map_err(|e| corrupt("default sender", e))?,
        reply_to: None,
        policy: CadencePolicy::default(),
        legitimate_interest: false,
    })
}

/// A leased row of `campaign` (whose mail settings are `s`) as the worker gets it.
fn claimed_from_row(r: &DbRow, campaign: Option<CampaignId>, s: &MailSettings) -> Result<Claimed> {
    // E-mails to event organizers have no contact: they go to whoever registered.
    let preference = match r.try_get::<Option<String>, _>("mail_preference")? {
        Some(p) => MailPreference::parse(&p).map_err(|e| corrupt("mail_preference", e))?,
        None => MailPreference::All,
    };
    let mut policy = s.policy.clone();
    if preference == MailPreference::Fewer {
        policy = rally_domain::comms::fewer(&policy);
    }
    Ok(Claimed {
        id: r.try_get("id")?,
        campaign_id: campaign,
        message_id: r.try_get("message_id")?,
        contact_id: r.try_get::<Option<i64>, _>("contact_id")?.map(ContactId),
        kind: text(r, "kind", MailKind::parse)?,
        email: r.try_get("email")?,
        to_name: r.try_get("to_name")?,
        subject: r.try_get("subject")?,
        text: r.try_get("body_text")?,
        html: r.try_get("body_html")?,
        unsubscribe_url: r.try_get("unsubscribe_url")?,
        from_name: s.from_name.clone(),
        from_address: s.from_address.to_string(),
        reply_to: s.reply_to.as_ref().map(ToString::to_string),
        attempts: r.try_get("attempts")?,
        wanted_at: time(r, "wanted_at")?,
        history: Vec::new(),
        time_zone: r.try_get("time_zone")?,
        do_not_contact_until: r.try_get::<Option<i64>, _>("do_not_contact_until")?.map(from_micros).transpose()?,
        policy,
    })
}

/// Gives each claimed marketing e-mail its contact's earlier marketing e-mails: those sent, and those
/// other workers are sending.
async fn add_history(conn: &mut Conn, worker: &str, claimed: &mut [Claimed]) -> Result<()> {
    // The cap is checked against what was really sent (and what other workers are sending).
    let marketing: Vec<i64> =
        claimed.iter().filter(|c| c.kind.is_capped()).filter_map(|c| c.contact_id.map(|k| k.0)).collect();
    if marketing.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Db>::new(
        "SELECT id, contact_id, COALESCE(sent_at, lease_until) AS at FROM outbox WHERE kind = 'marketing' \
         AND (status = 'sent' OR (status = 'sending' AND leased_by <> ",
    );
    q.push_bind(worker).push(")) AND contact_id IN (");
    push_ids(&mut q, &marketing);
    q.push(")");
    let mut history: HashMap<i64, Vec<chrono::DateTime<chrono::Utc>>> = HashMap::new();
    for row in q.build().fetch_all(&mut *conn).await? {
        history.entry(row.try_get("contact_id")?).or_default().push(time(&row, "at")?);
    }
    for c in claimed {
        c.history = c.contact_id.and_then(|k| history.remove(&k.0)).unwrap_or_default();
    }
    Ok(())
}

//! [`crate::Calendars`] in SQL: calendar feed tokens and the feed's entries.

use async_trait::async_trait;
use chrono::NaiveDate;
use rally_domain::{Campaign, CommitmentStatus, Role, UserId};

use super::workflow::{ask_from_row, commitment_from_row, iso, task_from_row};
use super::{Backend, Conn, campaign_from_row, text, time, user_from_row};
use crate::Calendars;
use crate::{CalendarItem, CalendarKind, Result, User, now_micros};

#[async_trait]
impl Calendars for Backend {
    async fn create_calendar_token(&self, user: UserId, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        revoke_feeds(&mut tx, user, now).await?;
        sqlx::query("INSERT INTO calendar_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user.0)
            .bind(token_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_calendar_tokens(&self, user: UserId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        revoke_feeds(&mut tx, user, now_micros()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn calendar_token_created(&self, user: UserId) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let row = sqlx::query(
            "SELECT created_at FROM calendar_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| time(&r, "created_at")).transpose()
    }

    async fn calendar(&self, token_hash: &str, from: chrono::NaiveDate) -> Result<Option<(User, Vec<CalendarItem>)>> {
        let mut conn = self.pool.acquire().await?;
        let Some(user) = feed_owner(&mut conn, token_hash).await? else {
            return Ok(None);
        };
        let from = iso(from);
        let mut items = Vec::new();
        let campaigns = sqlx::query(concat!(
            "SELECT ",
            campaign_columns!(),
            ", (SELECT m.role FROM memberships m WHERE m.campaign_id = campaigns.id AND m.user_id = $1) AS role \
             FROM campaigns WHERE id IN (SELECT campaign_id FROM memberships WHERE user_id = $1) ORDER BY id"
        ))
        .bind(user.id.0)
        .fetch_all(&mut *conn)
        .await?;
        for row in &campaigns {
            let campaign = campaign_from_row(row)?;
            let role = text(row, "role", Role::parse)?;
            items.extend(milestone_entries(&campaign, &from));
            items.extend(ask_entries(&mut conn, &campaign, &from).await?);
            // Coordinators and owners follow every partner; members the partners they own.
            let everyone = matches!(role, Role::Owner | Role::Coordinator);
            items.extend(commitment_entries(&mut conn, &campaign, &from, everyone, user.id).await?);
            items.extend(task_entries(&mut conn, &campaign, &from, user.id).await?);
        }
        items.sort_by(|a, b| a.date.cmp(&b.date).then(a.title.cmp(&b.title)));
        Ok(Some((user, items)))
    }
}

/// The user whose active feed secret hashes to `token_hash`, if any.
async fn feed_owner(conn: &mut Conn, token_hash: &str) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name FROM calendar_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// An entry of `campaign` that is not done, has no partner and lasts one day; callers change what
/// differs.
fn entry(
    campaign: &Campaign,
    kind: CalendarKind,
    id: i64,
    date: NaiveDate,
    title: String,
    detail: String,
) -> CalendarItem {
    CalendarItem {
        kind,
        id,
        campaign_slug: campaign.fields.slug.to_string(),
        campaign_name: campaign.fields.name.clone(),
        partner_id: None,
        date,
        until: None,
        title,
        detail,
        done: false,
    }
}

/// The campaign's promotion start, campaign week and follow-up end, those not over before `from`.
/// Their ids are the campaign's id times ten plus the milestone's place.
fn milestone_entries(campaign: &Campaign, from: &str) -> Vec<CalendarItem> {
    let f = &campaign.fields;
    let mut items = Vec::new();
    for (n, (date, until, title)) in [
        (f.promotion_starts_on(), None, "Promotion starts"),
        (f.starts_on, Some(f.ends_on), "Campaign week"),
        (f.follow_up_ends_on(), None, "Follow-up ends"),
    ]
    .into_iter()
    .enumerate()
    {
        if until.unwrap_or(date).to_string().as_str() >= from {
            let id = campaign.id.0 * 10 + n as i64;
            let title = format!("{title}: {}", f.name);
            items.push(CalendarItem {
                until,
                ..entry(campaign, CalendarKind::Milestone, id, date, title, String::new())
            });
        }
    }
    items
}

/// The campaign's standard asks due from `from` on.
async fn ask_entries(conn: &mut Conn, campaign: &Campaign, from: &str) -> Result<Vec<CalendarItem>> {
    let asks = sqlx::query(concat!(
        "SELECT ",
        ask_columns!(),
        " FROM asks a WHERE a.campaign_id = $1 AND a.partner_id IS NULL AND a.due_on >= $2 ORDER BY a.due_on"
    ))
    .bind(campaign.id.0)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    for a in asks.iter().map(ask_from_row) {
        let a = a?;
        if let Some(due) = a.fields.due_on {
            let title = format!("Ask due: {}", a.fields.title);
            items.push(entry(campaign, CalendarKind::Ask, a.id.0, due, title, a.fields.description));
        }
    }
    Ok(items)
}

/// The campaign's open and fulfilled commitments due from `from` on: of every partner when
/// `everyone`, else of the partners `user` owns.
async fn commitment_entries(
    conn: &mut Conn,
    campaign: &Campaign,
    from: &str,
    everyone: bool,
    user: UserId,
) -> Result<Vec<CalendarItem>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        commitment_columns!(),
        commitment_from!(),
        " WHERE m.campaign_id = $1 AND m.due_on >= $2 AND m.status IN ('proposed', 'agreed', 'fulfilled') \
         AND ($3 OR p.owner_id = $4) ORDER BY m.due_on, m.id LIMIT 2000"
    ))
    .bind(campaign.id.0)
    .bind(from)
    .bind(everyone)
    .bind(user.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    for c in rows.iter().map(commitment_from_row) {
        let c = c?;
        if let Some(due) = c.due_on {
            let quantity = c.quantity.map(|q| format!(" ({q} {})", c.unit).replace(" )", ")")).unwrap_or_default();
            let title = format!("{}: {}{quantity}", c.partner_name, c.ask_title);
            let detail = format!("Status: {}. {}", c.status.label(), c.note).trim_end_matches(". ").to_owned();
            items.push(CalendarItem {
                partner_id: Some(c.partner_id),
                done: c.status == CommitmentStatus::Fulfilled,
                ..entry(campaign, CalendarKind::Commitment, c.id.0, due, title, detail)
            });
        }
    }
    Ok(items)
}

/// The campaign's tasks `user` owns, due from `from` on.
async fn task_entries(conn: &mut Conn, campaign: &Campaign, from: &str, user: UserId) -> Result<Vec<CalendarItem>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        task_columns!(),
        task_from!(),
        " WHERE t.campaign_id = $1 AND t.owner_id = $2 AND t.due_on >= $3 ORDER BY t.due_on, t.id LIMIT 2000"
    ))
    .bind(campaign.id.0)
    .bind(user.0)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    for t in rows.iter().map(task_from_row) {
        let t = t?;
        let detail = t.partner_name.clone().map(|p| format!("Partner: {p}")).unwrap_or_default();
        items.push(CalendarItem {
            partner_id: t.fields.partner_id,
            done: t.fields.done,
            ..entry(campaign, CalendarKind::Task, t.id.0, t.fields.due_on, t.fields.title.clone(), detail)
        });
    }
    Ok(items)
}

/// Ends a user's active calendar feeds.
async fn revoke_feeds(conn: &mut Conn, user: UserId, at: i64) -> Result<()> {
    sqlx::query("UPDATE calendar_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

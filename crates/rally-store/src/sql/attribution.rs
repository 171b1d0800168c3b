//! [`crate::Attribution`] in SQL: share codes, the partner a code names, and what partners brought.
//!
//! The attribution rule is written once, in [`BROUGHT_BY`]; every figure of what a partner brought
//! (the partner page, its link page, the recognition wall, exports) comes from [`brought_by`].

use async_trait::async_trait;
use rally_domain::{CampaignId, PartnerId};
use sqlx::{QueryBuilder, Row};

use super::{Backend, Conn, Db, can_read, partner_for};
use crate::{Actor, Attribution, Brought, Result, StoreError};

/// The partner an event counts for: its share link's, else the one its organizer named
/// ([`rally_domain::event::EventFields::brought_by`] in SQL).
pub(super) const BROUGHT_BY: &str = "COALESCE(e.referred_by, e.heard_from)";

/// Length of a share code: 10 characters of 64 is 60 random bits, short enough to read out.
const CODE_LENGTH: usize = 10;
const CODE_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn new_code() -> String {
    let bytes: [u8; CODE_LENGTH] = rand::random();
    bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(b % 64)])).collect()
}

/// The partner's share code if it has one. (Most requests end here, without taking the write lock.)
async fn stored_code(conn: &mut Conn, partner: PartnerId) -> Result<Option<String>> {
    let row = sqlx::query("SELECT share_code FROM partners WHERE id = $1")
        .bind(partner.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("partner"))?;
    Ok(row.try_get("share_code")?)
}

/// The partner's share code, made (and kept) the first time it is asked for. Two first requests at
/// once agree: the second's `UPDATE … WHERE share_code IS NULL` changes nothing and both read the
/// first's code back.
pub(super) async fn share_code_of(conn: &mut Conn, partner: PartnerId) -> Result<String> {
    for _ in 0..5 {
        if let Some(code) = stored_code(conn, partner).await? {
            return Ok(code);
        }
        // A code another partner of the campaign has already (60 bits: next to never) is not taken; the
        // loop draws again. (Checked in the statement rather than left to the unique index: on PostgreSQL
        // a violated index would abort the whole transaction.)
        sqlx::query(
            "UPDATE partners SET share_code = $1 WHERE id = $2 AND share_code IS NULL AND NOT EXISTS \
             (SELECT 1 FROM partners o WHERE o.campaign_id = partners.campaign_id AND o.share_code = $1)",
        )
        .bind(new_code())
        .bind(partner.0)
        .execute(&mut *conn)
        .await?;
    }
    Err(StoreError::Conflict { field: "share_code", message: "try again".into() })
}

/// What the campaign's partners brought (one partner's when given), most students first.
pub(super) async fn brought_by(
    conn: &mut Conn,
    campaign: CampaignId,
    partner: Option<PartnerId>,
) -> Result<Vec<Brought>> {
    let mut q = QueryBuilder::<Db>::new(format!(
        "SELECT p.id, p.name, t.events, t.students FROM (SELECT {BROUGHT_BY} AS partner_id, COUNT(*) AS events, \
         CAST(SUM(COALESCE(e.students_actual, e.students_expected)) AS BIGINT) AS students FROM events e \
         WHERE e.status = 'approved' AND e.campaign_id = "
    ));
    q.push_bind(campaign.0);
    match partner {
        Some(p) => q.push(format!(" AND {BROUGHT_BY} = ")).push_bind(p.0),
        None => q.push(format!(" AND {BROUGHT_BY} IS NOT NULL")),
    };
    q.push(format!(" GROUP BY {BROUGHT_BY}) t JOIN partners p ON p.id = t.partner_id AND p.campaign_id = "));
    q.push_bind(campaign.0);
    q.push(" ORDER BY t.students DESC, p.sort_name, p.id");
    q.build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Brought {
                partner: PartnerId(r.try_get("id")?),
                name: r.try_get("name")?,
                events: r.try_get("events")?,
                students: r.try_get("students")?,
            })
        })
        .collect()
}

/// Whether `partner` is one of the campaign's partners.
pub(super) async fn is_partner_of(conn: &mut Conn, campaign: CampaignId, partner: PartnerId) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS one FROM partners WHERE id = $1 AND campaign_id = $2")
        .bind(partner.0)
        .bind(campaign.0)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

#[async_trait]
impl Attribution for Backend {
    async fn share_code(&self, actor: Actor, partner: PartnerId) -> Result<String> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        if let Some(code) = stored_code(&mut conn, partner).await? {
            return Ok(code);
        }
        drop(conn);
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_read).await?;
        let code = share_code_of(&mut tx, partner).await?;
        tx.commit().await?;
        Ok(code)
    }

    async fn partner_share_code(&self, partner: PartnerId) -> Result<String> {
        let mut conn = self.pool.acquire().await?;
        if let Some(code) = stored_code(&mut conn, partner).await? {
            return Ok(code);
        }
        drop(conn);
        let mut tx = self.begin_write().await?;
        let code = share_code_of(&mut tx, partner).await?;
        tx.commit().await?;
        Ok(code)
    }

    async fn partner_for_code(&self, campaign: CampaignId, code: &str) -> Result<Option<PartnerId>> {
        let Some(code) = rally_domain::event::share_code(code) else { return Ok(None) };
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query("SELECT id FROM partners WHERE campaign_id = $1 AND share_code = $2")
            .bind(campaign.0)
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|r| Ok(PartnerId(r.try_get("id")?))).transpose()
    }

    async fn brought(&self, campaign: CampaignId, partner: Option<PartnerId>) -> Result<Vec<Brought>> {
        let mut conn = self.pool.acquire().await?;
        brought_by(&mut conn, campaign, partner).await
    }

    async fn won_partners(&self, campaign: CampaignId) -> Result<Vec<(PartnerId, String)>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(
            "SELECT id, name FROM partners WHERE campaign_id = $1 AND stage = 'closed_won' ORDER BY sort_name, id \
             LIMIT 500",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((PartnerId(r.try_get("id")?), r.try_get("name")?)))
        .collect()
    }
}

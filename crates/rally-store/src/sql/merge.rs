//! Merging a duplicate partner into another, in the caller's transaction: everything that names the
//! duplicate moves to the survivor, then the duplicate goes.

use rally_domain::{Action, CampaignId, Invalid, PartnerId};

use super::{Conn, authorize, fetch_partner, tally};
use crate::{Actor, Merged, Result, now_micros};

/// Moves one table's rows of `from` to `to`; returns how many.
async fn move_rows(conn: &mut Conn, table: &str, from: PartnerId, to: PartnerId) -> Result<u64> {
    // `table` is one of the names below, never input.
    let sql = format!("UPDATE {table} SET partner_id = $1 WHERE partner_id = $2");
    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.0).bind(from.0).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

/// Merges `duplicate` into `survivor`; returns what moved, their campaign and the duplicate's name (for
/// the caller's audit entry).
pub(super) async fn merge(
    conn: &mut Conn,
    actor: Actor,
    survivor: PartnerId,
    duplicate: PartnerId,
) -> Result<(Merged, CampaignId, String)> {
    if survivor == duplicate {
        return Err(Invalid::field("duplicate_id", "choose another partner: a partner cannot merge with itself").into());
    }
    let keep = fetch_partner(conn, survivor).await?;
    let gone = fetch_partner(conn, duplicate).await?;
    if keep.campaign_id != gone.campaign_id {
        return Err(crate::StoreError::NotFound("partner"));
    }
    authorize(conn, actor, keep.campaign_id, Action::DeletePartner, "partner").await?;
    // The survivor's commitment to an ask wins over the duplicate's to the same ask.
    let dropped = sqlx::query(
        "DELETE FROM commitments WHERE partner_id = $1 AND ask_id IN (SELECT ask_id FROM commitments WHERE partner_id = $2)",
    )
    .bind(duplicate.0)
    .bind(survivor.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let merged = Merged {
        contacts: move_rows(conn, "contacts", duplicate, survivor).await?,
        stage_changes: move_rows(conn, "stage_changes", duplicate, survivor).await?,
        commitments: move_rows(conn, "commitments", duplicate, survivor).await?,
        commitments_dropped: dropped,
        interactions: move_rows(conn, "interactions", duplicate, survivor).await?,
        tasks: move_rows(conn, "tasks", duplicate, survivor).await?,
        assets_sent: move_rows(conn, "asset_sends", duplicate, survivor).await?,
        emails: move_rows(conn, "outbox", duplicate, survivor).await?,
        custom_asks: move_rows(conn, "asks", duplicate, survivor).await?,
    };
    let note = format!(
        "Merged “{}” into this partner: {} contacts, {} stage changes, {} commitments ({} to the same ask removed), \
         {} interactions, {} tasks, {} assets sent and {} e-mails moved here.",
        gone.fields.name,
        merged.contacts,
        merged.stage_changes,
        merged.commitments,
        merged.commitments_dropped,
        merged.interactions,
        merged.tasks,
        merged.assets_sent,
        merged.emails,
    );
    let now = now_micros();
    sqlx::query(
        "INSERT INTO interactions (campaign_id, partner_id, kind, happened_on, body, contact_id, author_id, created_at) \
         VALUES ($1, $2, 'note', $3, $4, NULL, $5, $6)",
    )
    .bind(keep.campaign_id.0)
    .bind(survivor.0)
    .bind(chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string())
    .bind(&note)
    .bind(actor.user_id().map(|u| u.0))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM partners WHERE id = $1").bind(duplicate.0).execute(&mut *conn).await?;
    super::refresh_terms(conn, keep.campaign_id, survivor, &keep.fields).await?;
    tally(conn, gone.campaign_id, gone.stage, gone.fields.category, -1, -gone.fields.reach.get()).await?;
    Ok((merged, keep.campaign_id, gone.fields.name))
}

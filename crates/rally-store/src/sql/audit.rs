//! Writing the audit log: [`record`] adds one entry inside the caller's transaction.

use rally_domain::{AuditAction, CampaignId};
use sqlx::Row;

use super::Conn;
use crate::audit::Origin;
use crate::{Actor, Result, now_micros};

/// What an entry is about: a kind (`partner`, `contact`, `event`, `message`, `user`, `token`, …), its id
/// when it has one, and how it was called when the change happened (a name, an address), so the entry
/// still reads after the thing is gone.
pub(super) struct Target<'a> {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub label: &'a str,
}

/// One entry: `actor` did `action` (to `target`) in `campaign`, with `detail` (a JSON object of what
/// changed, never a secret). The actor is shown by the name and address they have now; the client's
/// address, user agent and request id come from [`Origin::current`].
pub(super) async fn record(
    conn: &mut Conn,
    actor: Actor,
    campaign: Option<CampaignId>,
    action: AuditAction,
    target: Option<Target<'_>>,
    detail: serde_json::Value,
) -> Result<()> {
    let who = match actor {
        Actor::System => "operator".to_owned(),
        Actor::User(id) => sqlx::query("SELECT name, email FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| format!("{} <{}>", r.get::<String, _>("name"), r.get::<String, _>("email")))
            .unwrap_or_else(|| format!("user {}", id.0)),
    };
    record_as(conn, actor, &who, campaign, action, target, detail).await
}

/// [`record`] for an actor who is not a user of Rally (an event's organizer through their link, a
/// contact on the unsubscribe page, someone failing to sign in), shown as `who`.
pub(super) async fn record_as(
    conn: &mut Conn,
    actor: Actor,
    who: &str,
    campaign: Option<CampaignId>,
    action: AuditAction,
    target: Option<Target<'_>>,
    detail: serde_json::Value,
) -> Result<()> {
    let origin = Origin::current();
    sqlx::query(
        "INSERT INTO audit_log (at, campaign_id, user_id, actor, action, target_kind, target_id, target, \
         detail, client_address, user_agent, via, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(now_micros())
    .bind(campaign.map(|c| c.0))
    .bind(actor.user_id().map(|u| u.0))
    .bind(who)
    .bind(action.as_str())
    .bind(target.as_ref().map(|t| t.kind))
    .bind(target.as_ref().and_then(|t| t.id))
    .bind(target.as_ref().map(|t| t.label))
    .bind(detail.to_string())
    .bind(origin.address)
    .bind(origin.user_agent)
    .bind(origin.via)
    .bind(origin.request_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

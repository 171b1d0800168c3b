//! The audit log in SQL: [`record`] adds one entry inside the caller's transaction; [`crate::Audit`]
//! reads it for owners; [`pseudonymize`] (erasure) and [`purge_before`] (retention) are the only
//! statements that change or remove entries.

use async_trait::async_trait;
use rally_domain::limits::AUDIT_PAGE;
use rally_domain::{Action, AuditAction, CampaignId, Email, Invalid, UserId};
use sqlx::{QueryBuilder, Row};

use super::{Backend, Conn, Db, DbRow, authorize, json, text, time};
use crate::audit::{AuditEntry, AuditFilter, AuditPage, DEFAULT_AUDIT_PAGE, Origin};
use crate::{Actor, Result, StoreError, now_micros};

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

/// The longest text looked for in targets: a name or an address, not an essay.
const MAX_TARGET_TEXT: usize = 200;

#[async_trait]
impl crate::Audit for Backend {
    async fn audit_entries(
        &self,
        actor: Actor,
        campaign: Option<CampaignId>,
        filter: &AuditFilter,
    ) -> Result<AuditPage> {
        let limit = filter.limit.unwrap_or(DEFAULT_AUDIT_PAGE).clamp(1, AUDIT_PAGE);
        let mut tx = self.pool.begin().await?;
        let mut q = QueryBuilder::<Db>::new(concat!("SELECT ", entry_columns!(), " FROM audit_log a WHERE "));
        match campaign {
            Some(campaign) => {
                authorize(&mut tx, actor, campaign, Action::ReadAudit, "campaign").await?;
                // The campaign's own entries, and what its team did with their accounts (sign-ins,
                // tokens), which belongs to no campaign.
                q.push("(a.campaign_id = ")
                    .push_bind(campaign.0)
                    .push(" OR (a.campaign_id IS NULL AND a.user_id IN (SELECT m.user_id FROM memberships m WHERE m.campaign_id = ")
                    .push_bind(campaign.0)
                    .push(")))");
            }
            // The whole log is the operator's, who holds the database anyway.
            None if actor == Actor::System => {
                q.push("1 = 1");
            }
            None => return Err(StoreError::Forbidden),
        }
        push_conditions(&mut q, filter)?;
        q.push(" ORDER BY a.id DESC LIMIT ").push_bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
        let rows = q.build().fetch_all(&mut *tx).await?;
        let mut entries = rows.iter().take(limit).map(entry_from_row).collect::<Result<Vec<_>>>()?;
        let next = if rows.len() > limit { entries.last().map(|e| e.id) } else { None };
        entries.truncate(limit);
        Ok(AuditPage { entries, next })
    }

    async fn record_download(
        &self,
        actor: Actor,
        campaign: CampaignId,
        what: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::Read, "campaign").await?;
        let target = Target { kind: "export", id: None, label: what };
        record(&mut tx, actor, Some(campaign), AuditAction::PersonalDataExported, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_sign_in_failed(&self, email: &Email) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let user = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?;
        let detail = serde_json::json!({ "account": user.is_some() });
        match user {
            Some(id) => {
                let target = Target { kind: "user", id: Some(id), label: email.as_str() };
                record(&mut tx, Actor::User(UserId(id)), None, AuditAction::SignInFailed, Some(target), detail).await?;
            }
            // No account: the address tried is all there is to name.
            None => {
                let action = AuditAction::SignInFailed;
                record_as(&mut tx, Actor::System, email.as_str(), None, action, None, detail).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    #[cfg(feature = "testing")]
    async fn pseudonymize_in_audit(&self, user: Option<UserId>, email: &str, pseudonym: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        pseudonymize(&mut tx, user, email, pseudonym).await?;
        tx.commit().await?;
        Ok(())
    }
}

macro_rules! entry_columns {
    () => {
        "a.id, a.at, a.campaign_id, a.user_id, a.actor, a.action, a.target_kind, a.target_id, a.target, a.detail, \
         a.client_address, a.user_agent, a.via, a.request_id"
    };
}
use entry_columns;

/// The filter's conditions, as `AND …` on `a`.
fn push_conditions(q: &mut QueryBuilder<Db>, f: &AuditFilter) -> Result<()> {
    if let Some(action) = f.action {
        q.push(" AND a.action = ").push_bind(action.as_str());
    }
    if let Some(user) = f.user {
        q.push(" AND a.user_id = ").push_bind(user.0);
    }
    if let Some(from) = f.from {
        q.push(" AND a.at >= ").push_bind(from.timestamp_micros());
    }
    if let Some(until) = f.until {
        q.push(" AND a.at < ").push_bind(until.timestamp_micros());
    }
    if let Some(words) = f.target.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        if words.chars().count() > MAX_TARGET_TEXT {
            return Err(Invalid::field("target", format!("at most {MAX_TARGET_TEXT} characters")).into());
        }
        // Lowered on both sides: PostgreSQL's LIKE minds case, SQLite's does not (for ASCII).
        let pattern = format!("%{}%", like_escaped(&words.to_lowercase()));
        q.push(" AND LOWER(a.target) LIKE ").push_bind(pattern).push(" ESCAPE '\\'");
    }
    if let Some(before) = f.before {
        q.push(" AND a.id < ").push_bind(before);
    }
    Ok(())
}

fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn entry_from_row(r: &DbRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: time(r, "at")?,
        campaign_id: r.try_get::<Option<i64>, _>("campaign_id")?.map(CampaignId),
        user_id: r.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        actor: r.try_get("actor")?,
        action: text(r, "action", AuditAction::parse)?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        target: r.try_get("target")?,
        detail: json(r, "detail")?,
        client_address: r.try_get("client_address")?,
        user_agent: r.try_get("user_agent")?,
        via: r.try_get("via")?,
        request_id: r.try_get("request_id")?,
    })
}

/// Erasure: `email` (and the name of `user`, when given and still on record) become `pseudonym` in
/// every entry's actor, target and detail; the entries the person made lose their client address and
/// user agent. What happened, when, and to which ids stays: the log still accounts for the team's
/// actions without naming the person. Call it before the user row is changed, so the name is found.
pub(super) async fn pseudonymize(conn: &mut Conn, user: Option<UserId>, email: &str, pseudonym: &str) -> Result<()> {
    let mut texts = vec![email.to_owned()];
    if let Some(user) = user {
        let name = sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("name"))
            .transpose()?;
        texts.extend(name);
        // Their own entries: who they were and where they came from.
        sqlx::query("UPDATE audit_log SET actor = $1, client_address = NULL, user_agent = NULL WHERE user_id = $2")
            .bind(pseudonym)
            .bind(user.0)
            .execute(&mut *conn)
            .await?;
    }
    if !email.is_empty() {
        // A failed sign-in with an address that has no account is named by the address alone.
        sqlx::query(
            "UPDATE audit_log SET client_address = NULL, user_agent = NULL \
             WHERE user_id IS NULL AND REPLACE(actor, $1, '') <> actor",
        )
        .bind(email)
        .execute(&mut *conn)
        .await?;
    }
    for text in &texts {
        pseudonymize_text(conn, text, pseudonym).await?;
    }
    Ok(())
}

/// Erasure of a name or address that is not a user's (a contact's, an organizer's): `text` becomes
/// `pseudonym` in every entry's actor, target and detail (in detail also as JSON writes it).
pub(super) async fn pseudonymize_text(conn: &mut Conn, text: &str, pseudonym: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let mut forms = vec![text.to_owned()];
    // Inside the JSON of `detail`, a quote or backslash in the text is escaped.
    if let Some(escaped) = serde_json::to_string(text).ok().and_then(|j| j.get(1..j.len() - 1).map(str::to_owned))
        && escaped != text
    {
        forms.push(escaped);
    }
    let safe_pseudonym = serde_json::to_string(pseudonym).ok();
    let json_pseudonym = safe_pseudonym.as_deref().and_then(|j| j.get(1..j.len() - 1)).unwrap_or("erased");
    for (i, form) in forms.iter().enumerate() {
        let plain = i == 0;
        let statement = if plain {
            "UPDATE audit_log SET actor = REPLACE(actor, $1, $2), target = REPLACE(target, $1, $2), \
             detail = REPLACE(detail, $1, $3) \
             WHERE REPLACE(actor, $1, '') <> actor OR REPLACE(target, $1, '') <> target \
             OR REPLACE(detail, $1, '') <> detail"
        } else {
            "UPDATE audit_log SET detail = REPLACE(detail, $1, $3) WHERE REPLACE(detail, $1, '') <> detail"
        };
        sqlx::query(statement).bind(form).bind(pseudonym).bind(json_pseudonym).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Retention: deletes up to `limit` entries written before `cutoff_micros`, oldest first, and says how
/// many went (fewer than `limit`: none is left).
pub(super) async fn purge_before(conn: &mut Conn, cutoff_micros: i64, limit: i64) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY id LIMIT $2)")
            .bind(cutoff_micros)
            .bind(limit)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected())
}

/// An entry about a user's own account (a token, a session): the user did it, unless the operator did
/// from the command line, which the entry then says; either way it is filed under the user, where
/// their campaigns' owners find it.
pub(super) async fn record_account(
    conn: &mut Conn,
    user: UserId,
    action: AuditAction,
    target: Option<Target<'_>>,
    detail: serde_json::Value,
) -> Result<()> {
    if Origin::current().via == "cli" {
        record_as(conn, Actor::User(user), "operator", None, action, target, detail).await
    } else {
        record(conn, Actor::User(user), None, action, target, detail).await
    }
}

/// `{"changed": [...]}`: the names of the top-level fields that differ between `before` and `after`
/// (as the API names them), without their values, which may be long or personal.
pub(super) fn changed_fields<T: serde::Serialize>(before: &T, after: &T) -> serde_json::Value {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return serde_json::json!({});
    };
    let changed: Vec<&String> = b.iter().filter(|(k, v)| a.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    serde_json::json!({ "changed": changed })
}

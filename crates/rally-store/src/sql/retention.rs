//! Retention in SQL: each campaign's periods, and the purge. A rule runs in passes (the campaigns that
//! changed its period one by one, then all the others at the default), each pass in batches of at most
//! `limit` rows, each batch one transaction that acts on the rows it selected and writes its audit
//! entry. On PostgreSQL a batch first takes an advisory lock, so the daily runs of several processes
//! take turns instead of racing for the same rows; on SQLite the write transaction already does.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::retention::{PER_CAMPAIGN, RetentionPeriods, RetentionReport, RetentionRule};
use rally_domain::{Action, AuditAction, CampaignId};
use sqlx::{QueryBuilder, Row};

use super::audit::{purge_before, record};
use super::privacy::{MIN_NAME_CHARS, redact_rows};
use super::push_in;
use super::{BACKEND, Backend, Conn, Db, authorize, refresh_partner_terms, text};
use crate::retention::Retention;
use crate::{Actor, Result, corrupt, now_micros};

/// The domain an anonymized contact's address is put in: reserved (RFC 2606), so nothing is ever
/// delivered to it, and recognizable, so a contact is anonymized once.
const ANONYMIZED_DOMAIN: &str = "@anonymized.invalid";

/// What a contact of a lost partner is called once anonymized.
const ANONYMIZED_NAME: &str = "Anonymized contact";

/// The outbox statuses after which an e-mail's contents are no longer needed to send it.
const FINISHED: &str = "('sent', 'failed', 'bounced', 'suppressed', 'expired', 'cancelled')";

/// Rally-wide sign-in records: (table, key, the time after which a row counts as old, the fewest days
/// it is kept whatever the rule's period). A remembered browser lets its owner past the gate that
/// strangers' guesses closed, for a year since it was last used (`remember_device`).
const SIGN_IN_TABLES: [(&str, &str, &str, i64); 7] = [
    ("sessions", "token_hash", "expires_at", 0),
    ("sign_in_gates", "gate", "updated_at", 0),
    ("known_devices", "token_hash", "last_used_at", 365),
    ("password_resets", "token_hash", "expires_at", 0),
    ("email_changes", "token_hash", "expires_at", 0),
    ("pending_sign_ins", "token_hash", "expires_at", 0),
    // Invitations name the invited address: gone once expired (accepted and revoked ones expire too).
    ("invitations", "id", "expires_at", 0),
];

/// Which campaigns one pass of a rule covers.
#[derive(Debug, Clone)]
enum Campaigns {
    One(CampaignId),
    /// Every campaign but these (they have a period of their own), and Rally's own rows that belong to
    /// no campaign.
    AllBut(Vec<i64>),
}

impl Campaigns {
    fn push(&self, q: &mut QueryBuilder<Db>, column: &str) {
        match self {
            Campaigns::One(c) => {
                q.push(format!(" AND {column} = ")).push_bind(c.0);
            }
            Campaigns::AllBut(ids) if ids.is_empty() => {}
            Campaigns::AllBut(ids) => {
                q.push(format!(" AND ({column} IS NULL OR {column} NOT IN ("));
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                q.push("))");
            }
        }
    }
}

/// One pass: a rule over some campaigns with one cutoff, or a Rally-wide table.
#[derive(Debug, Clone)]
enum Pass {
    Campaign { rule: RetentionRule, which: Campaigns, cutoff: DateTime<Utc> },
    SignIn { table: (&'static str, &'static str, &'static str), cutoff: DateTime<Utc> },
    Audit { cutoff: DateTime<Utc> },
}

impl Pass {
    fn rule(&self) -> RetentionRule {
        match self {
            Pass::Campaign { rule, .. } => *rule,
            Pass::SignIn { .. } => RetentionRule::SignInRecords,
            Pass::Audit { .. } => RetentionRule::AuditLog,
        }
    }
}

/// `SELECT id, campaign` of the rows a campaign rule's pass covers.
fn select(q: &mut QueryBuilder<Db>, rule: RetentionRule, which: &Campaigns, cutoff: DateTime<Utc>) {
    let at = cutoff.timestamp_micros();
    match rule {
        RetentionRule::UnconfirmedRegistrations => {
            q.push("SELECT e.id, e.campaign_id AS campaign FROM events e WHERE e.status = 'unconfirmed'");
            q.push(" AND e.created_at < ").push_bind(at);
            which.push(q, "e.campaign_id");
        }
        RetentionRule::CertificateNames => {
            // Dates are ISO 8601 text: they compare as text.
            q.push("SELECT e.id, e.campaign_id AS campaign FROM events e WHERE e.organizer_name <> ''");
            q.push(" AND e.ends_on < ").push_bind(cutoff.date_naive().to_string());
            which.push(q, "e.campaign_id");
        }
        RetentionRule::OutboxBodies => {
            // `body_text <> ''` first, as the partial index `outbox_unpurged` is written.
            q.push("SELECT o.id, o.campaign_id AS campaign FROM outbox o WHERE o.body_text <> '' AND o.created_at < ");
            q.push_bind(at).push(" AND o.status IN ").push(FINISHED);
            which.push(q, "o.campaign_id");
        }
        RetentionRule::RejectedSuggestions => {
            // The rejection is the suggestion's last change (the team does not edit what it rejected).
            q.push("SELECT a.id, a.campaign_id AS campaign FROM activities a WHERE a.status = 'rejected'");
            q.push(" AND a.submitter_email <> '' AND a.updated_at < ").push_bind(at);
            which.push(q, "a.campaign_id");
        }
        RetentionRule::LostPartnerContacts => {
            q.push(
                "SELECT k.id, k.campaign_id AS campaign FROM contacts k JOIN partners p ON p.id = k.partner_id \
                 WHERE p.stage = 'closed_lost' AND k.email NOT LIKE ",
            );
            q.push_bind(format!("%{ANONYMIZED_DOMAIN}")).push(" AND p.stage_since < ").push_bind(at);
            q.push(" AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.partner_id = p.id AND i.created_at >= ");
            q.push_bind(at).push(")");
            q.push(" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.partner_id = p.id AND o.created_at >= ");
            q.push_bind(at).push(")");
            q.push(" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.contact_id = k.id AND o.created_at >= ");
            q.push_bind(at).push(")");
            which.push(q, "p.campaign_id");
        }
        RetentionRule::ArchivedCampaign => {
            // An umbrella with member campaigns stays until they are gone (its row is their parent).
            q.push("SELECT c.id, c.id AS campaign FROM campaigns c WHERE c.archived_at < ").push_bind(at);
            q.push(" AND NOT EXISTS (SELECT 1 FROM campaigns m WHERE m.parent_id = c.id)");
            which.push(q, "c.id");
        }
        RetentionRule::SignInRecords | RetentionRule::AuditLog => {
            unreachable!("Rally-wide rules are passes of their own")
        }
    }
}

/// `head` (a statement ending in `WHERE`) for the rows whose `column` is one of `ids`.
async fn execute_in(conn: &mut Conn, head: &str, column: &str, ids: &[i64]) -> Result<()> {
    let mut q = QueryBuilder::<Db>::new(head);
    push_in(&mut q, column, ids);
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// Removes, empties or anonymizes the rows `ids` of `rule`.
async fn act(conn: &mut Conn, rule: RetentionRule, ids: &[i64], now: i64) -> Result<()> {
    let anonymized = |column: &str| format!("'anonymized-' || CAST({column} AS TEXT) || '{ANONYMIZED_DOMAIN}'");
    match rule {
        // Consent records, the moderation log and the confirmation e-mail go with the event (cascade);
        // an unconfirmed event was never counted.
        RetentionRule::UnconfirmedRegistrations => execute_in(conn, "DELETE FROM events WHERE", "id", ids).await,
        // The dedupe key holds the name too; the event's last day is long past, so no registration of
        // the same event will come to be matched with it.
        RetentionRule::CertificateNames => {
            execute_in(
                conn,
                "UPDATE events SET organizer_name = '', dedupe_key = 'retired:' || CAST(id AS TEXT) WHERE",
                "id",
                ids,
            )
            .await
        }
        // The address stays: with the status and times it is what the statistics, the cadence rules
        // and a later complaint or bounce are matched on.
        RetentionRule::OutboxBodies => {
            execute_in(
                conn,
                "UPDATE outbox SET to_name = '', subject = '', body_text = '', body_html = NULL, unsubscribe_url = '' \
                 WHERE",
                "id",
                ids,
            )
            .await
        }
        RetentionRule::LostPartnerContacts => {
            let mut q = QueryBuilder::<Db>::new("SELECT DISTINCT partner_id FROM contacts WHERE");
            push_in(&mut q, "id", ids);
            let partners: Vec<i64> = q.build().fetch_all(&mut *conn).await?.iter().map(|r| r.get(0)).collect();
            // What names them in free text goes as well: read their names before they are replaced.
            let mut q = QueryBuilder::<Db>::new("SELECT name, email FROM contacts WHERE");
            push_in(&mut q, "id", ids);
            let mut terms = Vec::new();
            for r in q.build().fetch_all(&mut *conn).await? {
                let name = r.try_get::<String, _>("name")?.trim().to_owned();
                if name.chars().count() >= MIN_NAME_CHARS {
                    terms.push(name);
                }
                terms.push(r.try_get::<String, _>("email")?);
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "UPDATE contacts SET name = '{ANONYMIZED_NAME}', role = '', phone = NULL, email = {}, updated_at = ",
                anonymized("id")
            ));
            q.push_bind(now).push(" WHERE");
            push_in(&mut q, "id", ids);
            q.build().execute(&mut *conn).await?;
            let outbox = format!("UPDATE outbox SET to_name = '', email = {} WHERE", anonymized("contact_id"));
            execute_in(conn, &outbox, "contact_id", ids).await?;
            let consents = format!(
                "UPDATE consents SET email = {}, client_address = NULL, user_agent = NULL WHERE",
                anonymized("contact_id")
            );
            execute_in(conn, &consents, "contact_id", ids).await?;
            let free_text: [(&str, &[&str]); 3] =
                [("interactions", &["body"]), ("tasks", &["title"]), ("stage_changes", &["note", "reason"])];
            for (table, columns) in free_text {
                let mut select =
                    QueryBuilder::<Db>::new(format!("SELECT id, {} FROM {table} WHERE", columns.join(", ")));
                push_in(&mut select, "partner_id", &partners);
                redact_rows(conn, table, columns, select, &terms).await?;
            }
            // An import's undo data holds the contact as it was.
            execute_in(conn, "DELETE FROM import_undo WHERE entity = 'contact' AND", "entity_id", ids).await?;
            // The partner's search words include its contacts' names.
            for p in partners {
                refresh_partner_terms(conn, rally_domain::PartnerId(p)).await?;
            }
            Ok(())
        }
        // One campaign per batch: its rows go with it (every table names it with ON DELETE CASCADE),
        // which keeps its tallies and everything else consistent to the last moment.
        // The suggestion stays (the team's record of what it turned down), without its sender.
        RetentionRule::RejectedSuggestions => {
            execute_in(
                conn,
                "UPDATE activities SET submitter_name = '', submitter_email = '', submitter_locale = '' WHERE",
                "id",
                ids,
            )
            .await
        }
        RetentionRule::ArchivedCampaign => execute_in(conn, "DELETE FROM campaigns WHERE", "id", ids).await,
        RetentionRule::SignInRecords | RetentionRule::AuditLog => {
            unreachable!("Rally-wide rules are passes of their own")
        }
    }
}

/// How many rows `pass` would touch now.
async fn count(conn: &mut Conn, pass: &Pass) -> Result<u64> {
    let n: i64 = match pass {
        Pass::Campaign { rule, which, cutoff } => {
            let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM (");
            select(&mut q, *rule, which, *cutoff);
            q.push(") t");
            q.build().fetch_one(&mut *conn).await?.try_get(0)?
        }
        Pass::SignIn { table: (table, _, at), cutoff } => {
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE {at} < $1")))
                .bind(cutoff.timestamp_micros())
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?
        }
        Pass::Audit { cutoff } => sqlx::query("SELECT COUNT(*) FROM audit_log WHERE at < $1")
            .bind(cutoff.timestamp_micros())
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// One batch of `pass`: at most `limit` rows, and the audit entries saying so (one per campaign the
/// batch touched). Returns the rows touched.
async fn batch(conn: &mut Conn, pass: &Pass, limit: u32, now: i64) -> Result<u64> {
    let rule = pass.rule();
    let mut per_campaign: BTreeMap<Option<i64>, u64> = BTreeMap::new();
    match pass {
        Pass::Campaign { rule, which, cutoff } => {
            let mut q = QueryBuilder::<Db>::new("");
            select(&mut q, *rule, which, *cutoff);
            q.push(" LIMIT ").push_bind(i64::from(limit));
            let rows = q.build().fetch_all(&mut *conn).await?;
            let mut ids = Vec::with_capacity(rows.len());
            for r in &rows {
                ids.push(r.try_get::<i64, _>("id")?);
                *per_campaign.entry(r.try_get::<Option<i64>, _>("campaign")?).or_default() += 1;
            }
            if !ids.is_empty() {
                act(conn, *rule, &ids, now).await?;
            }
        }
        Pass::SignIn { table: (table, key, at), cutoff } => {
            let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {at} < $1 LIMIT $2)"
            )))
            .bind(cutoff.timestamp_micros())
            .bind(i64::from(limit))
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if done > 0 {
                per_campaign.insert(None, done);
            }
        }
        Pass::Audit { cutoff } => {
            let done = purge_before(conn, cutoff.timestamp_micros(), i64::from(limit)).await?;
            if done > 0 {
                per_campaign.insert(None, done);
            }
        }
    }
    let detail_table = match pass {
        Pass::SignIn { table: (table, ..), .. } => Some(*table),
        _ => None,
    };
    for (&campaign, &rows) in &per_campaign {
        let mut detail = serde_json::json!({ "rule": rule.as_str(), "rows": rows });
        if let Some(table) = detail_table {
            detail["table"] = table.into();
        }
        record(conn, Actor::System, campaign.map(CampaignId), AuditAction::RetentionApplied, None, detail).await?;
    }
    Ok(per_campaign.values().sum())
}

/// Makes batches from several processes on one PostgreSQL database take turns (SQLite's write
/// transaction is already the only one).
async fn one_at_a_time(conn: &mut Conn) -> Result<()> {
    if BACKEND == "postgres" {
        sqlx::query("SELECT pg_advisory_xact_lock(7236000002)").execute(&mut *conn).await?;
    }
    Ok(())
}

/// The passes of a campaign rule: one per campaign that changed its period, then the rest at the
/// default (only `scope`, when given).
async fn passes(
    conn: &mut Conn,
    rule: RetentionRule,
    now: DateTime<Utc>,
    scope: Option<CampaignId>,
) -> Result<Vec<Pass>> {
    let rows = sqlx::query("SELECT campaign_id, period FROM retention_rules WHERE rule = $1")
        .bind(rule.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let mut own = Vec::new();
    for r in &rows {
        let period = u32::try_from(r.try_get::<i64, _>("period")?).map_err(|e| corrupt("period", e))?;
        own.push((r.try_get::<i64, _>("campaign_id")?, period));
    }
    let pass = |which, amount| Pass::Campaign { rule, which, cutoff: rule.cutoff(now, amount) };
    Ok(match scope {
        Some(c) => {
            let amount = own.iter().find(|(id, _)| *id == c.0).map_or(rule.default_period(), |(_, p)| *p);
            vec![pass(Campaigns::One(c), amount)]
        }
        None => {
            let mut all: Vec<Pass> = own.iter().map(|&(id, p)| pass(Campaigns::One(CampaignId(id)), p)).collect();
            all.push(pass(Campaigns::AllBut(own.iter().map(|(id, _)| *id).collect()), rule.default_period()));
            all
        }
    })
}

async fn read_periods(conn: &mut Conn, campaign: CampaignId) -> Result<RetentionPeriods> {
    let rows = sqlx::query("SELECT rule, period FROM retention_rules WHERE campaign_id = $1")
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut periods = BTreeMap::new();
    for r in &rows {
        let rule = text(r, "rule", RetentionRule::parse)?;
        periods.insert(rule, u32::try_from(r.try_get::<i64, _>("period")?).map_err(|e| corrupt("period", e))?);
    }
    Ok(RetentionPeriods(periods))
}

impl Backend {
    /// Runs `pass` to the end, batch by batch (or counts it, in a dry run).
    async fn run_pass(&self, pass: &Pass, limit: u32, dry_run: bool) -> Result<u64> {
        if dry_run {
            let mut conn = self.pool.acquire().await?;
            return count(&mut conn, pass).await;
        }
        let limit = match pass {
            Pass::Campaign { rule: RetentionRule::ArchivedCampaign, .. } => 1,
            _ => limit.max(1),
        };
        let mut total = 0;
        loop {
            let mut tx = self.begin_write().await?;
            one_at_a_time(&mut tx).await?;
            let done = batch(&mut tx, pass, limit, now_micros()).await?;
            tx.commit().await?;
            total += done;
            if done < u64::from(limit) {
                return Ok(total);
            }
        }
    }
}

#[async_trait]
impl Retention for Backend {
    async fn retention_periods(&self, actor: Actor, campaign: CampaignId) -> Result<RetentionPeriods> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        read_periods(&mut conn, campaign).await
    }

    async fn set_retention_periods(
        &self,
        actor: Actor,
        campaign: CampaignId,
        periods: RetentionPeriods,
    ) -> Result<RetentionPeriods> {
        let periods = periods.validate()?;
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditRetention, "campaign").await?;
        let before = read_periods(&mut tx, campaign).await?;
        if before != periods {
            sqlx::query("DELETE FROM retention_rules WHERE campaign_id = $1")
                .bind(campaign.0)
                .execute(&mut *tx)
                .await?;
            for (rule, period) in &periods.0 {
                sqlx::query(
                    "INSERT INTO retention_rules (campaign_id, rule, period, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(campaign.0)
                .bind(rule.as_str())
                .bind(i64::from(*period))
                .bind(actor.user_id().map(|u| u.0))
                .bind(now_micros())
                .execute(&mut *tx)
                .await?;
            }
            let effective = |p: &RetentionPeriods| -> serde_json::Map<String, serde_json::Value> {
                PER_CAMPAIGN.iter().map(|r| (r.as_str().to_owned(), p.period(*r).into())).collect()
            };
            let detail = serde_json::json!({ "before": effective(&before), "after": effective(&periods) });
            record(&mut tx, actor, Some(campaign), AuditAction::RetentionChanged, None, detail).await?;
        }
        tx.commit().await?;
        Ok(periods)
    }

    async fn apply_retention(
        &self,
        now: DateTime<Utc>,
        campaign: Option<CampaignId>,
        batch_limit: u32,
        dry_run: bool,
    ) -> Result<RetentionReport> {
        let mut report = RetentionReport::new(dry_run);
        let mut all = Vec::new();
        {
            let mut conn = self.pool.acquire().await?;
            if let Some(c) = campaign {
                super::fetch_campaign(&mut conn, c).await?;
            }
            // Archived campaigns first: what goes with them need not be purged row by row.
            for rule in std::iter::once(RetentionRule::ArchivedCampaign)
                .chain(PER_CAMPAIGN.into_iter().filter(|r| *r != RetentionRule::ArchivedCampaign))
            {
                all.extend(passes(&mut conn, rule, now, campaign).await?);
            }
        }
        if campaign.is_none() {
            let sign_in = RetentionRule::SignInRecords;
            let cutoff = sign_in.cutoff(now, sign_in.default_period());
            all.extend(SIGN_IN_TABLES.into_iter().map(|(table, key, at, min_days)| Pass::SignIn {
                table: (table, key, at),
                cutoff: cutoff.min(now - chrono::Duration::days(min_days)),
            }));
            let audit = RetentionRule::AuditLog;
            all.push(Pass::Audit { cutoff: audit.cutoff(now, audit.default_period()) });
        }
        for pass in &all {
            let rows = self.run_pass(pass, batch_limit, dry_run).await?;
            report.add(pass.rule(), rows);
        }
        Ok(report)
    }
}

//! The `Reports` implementation: counts for the Reports page, grouped in the database so a campaign of
//! 100,000 partners sends back a few dozen rows (the exceptions: the finished stays, one row each,
//! because a median needs them all, and the forecast's partners, because each has its own estimate).

use std::collections::HashMap;

use super::attribution::BROUGHT_BY;
use super::{Backend, Conn, Db, authorize, push_in, text, time};
use crate::{Actor, Result};
use async_trait::async_trait;
use rally_domain::{Action, CampaignId, Category, PartnerId, Stage};
use sqlx::{QueryBuilder, Row};

use rally_domain::report::{
    self, Agreed, ForecastFacts, MessageStats, PartnerFacts, PipelineFacts, Progress, Stay, TeamHistory,
};

/// `CASE` over a stage column giving [`report::progress`], written from the domain's table so the
/// two cannot disagree.
fn progress_case(column: &str) -> String {
    let mut sql = format!("CASE {column}");
    for stage in Stage::ALL {
        sql.push_str(&format!(" WHEN '{}' THEN {}", stage.as_str(), report::progress(stage)));
    }
    sql.push_str(" ELSE 0 END");
    sql
}

#[async_trait]
impl crate::Reports for Backend {
    async fn pipeline_facts(&self, actor: Actor, campaign: CampaignId) -> Result<PipelineFacts> {
        // One read transaction: the groups and the stays describe the same moment.
        let mut tx = self.pool.begin().await?;
        authorize(&mut tx, actor, campaign, Action::Read, "campaign").await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT p.stage, f.furthest, COUNT(*) AS partners, CAST(COALESCE(SUM(p.reach), 0) AS BIGINT) AS reach \
             FROM partners p LEFT JOIN ",
        );
        push_furthest(&mut q, |q| {
            q.push("q.campaign_id = ").push_bind(campaign.0);
        });
        q.push(" f ON f.partner_id = p.id WHERE p.campaign_id = ")
            .push_bind(campaign.0)
            .push(" GROUP BY p.stage, f.furthest");
        let mut groups: Vec<Progress> = Vec::new();
        for r in q.build().fetch_all(&mut *tx).await? {
            let now = text(&r, "stage", Stage::parse)?;
            let g = Progress {
                now,
                furthest: furthest(&r, now)?,
                partners: r.try_get("partners")?,
                reach: r.try_get("reach")?,
            };
            // Two SQL groups can meet here (no history vs. history up to the current stage).
            match groups.iter_mut().find(|x| x.now == g.now && x.furthest == g.furthest) {
                Some(x) => (x.partners, x.reach) = (x.partners + g.partners, x.reach + g.reach),
                None => groups.push(g),
            }
        }
        groups.sort_by_key(|g| (g.now, g.furthest));
        // A stay ends with the partner's next change; the current stay has none and is left out.
        let rows = sqlx::query(
            "SELECT s.to_stage, s.next_at - s.at AS length FROM (SELECT c.to_stage, c.at, \
             LEAD(c.at) OVER (PARTITION BY c.partner_id ORDER BY c.id) AS next_at \
             FROM stage_changes c JOIN partners p ON p.id = c.partner_id WHERE p.campaign_id = $1) s \
             WHERE s.next_at IS NOT NULL AND s.to_stage NOT IN ('closed_won', 'closed_lost')",
        )
        .bind(campaign.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut stays = Vec::with_capacity(rows.len());
        for r in &rows {
            let micros: i64 = r.try_get("length")?;
            stays.push(Stay {
                stage: text(r, "to_stage", Stage::parse)?,
                length: chrono::Duration::microseconds(micros.max(0)),
            });
        }
        tx.commit().await?;
        Ok(PipelineFacts { groups, stays })
    }

    async fn forecast_facts(&self, actor: Actor, campaign: CampaignId) -> Result<ForecastFacts> {
        // One read transaction: the partners, what they brought and the chances' history describe the
        // same moment.
        let mut tx = self.pool.begin().await?;
        authorize(&mut tx, actor, campaign, Action::Read, "campaign").await?;
        let mut partners = forecast_partners(&mut tx, campaign).await?;
        let mut brought = brought(&mut tx, campaign).await?;
        let mut agreed = agreed(&mut tx, campaign).await?;
        for p in &mut partners {
            (p.brought_events, p.brought_students) = brought.remove(&p.id.0).unwrap_or_default();
            p.agreed = agreed.remove(&p.id.0).unwrap_or_default();
        }
        let limits = super::workflow::read_stage_limits(&mut tx, campaign).await?;
        // The events the counter counts (the campaign's and its member campaigns'), and of them those
        // that no partner of the campaign brought.
        let sql = format!(
            "SELECT COUNT(*) AS events, CAST(COALESCE(SUM(x.students), 0) AS BIGINT) AS students, \
             CAST(COALESCE(SUM(CASE WHEN x.brought THEN 0 ELSE 1 END), 0) AS BIGINT) AS direct_events, \
             CAST(COALESCE(SUM(CASE WHEN x.brought THEN 0 ELSE x.students END), 0) AS BIGINT) AS direct_students \
             FROM (SELECT COALESCE(e.students_actual, e.students_expected) AS students, \
             EXISTS (SELECT 1 FROM partners q WHERE q.id = {BROUGHT_BY} AND q.campaign_id = $1) \
             AS brought FROM events e WHERE e.status = 'approved' \
             AND e.campaign_id IN (SELECT id FROM campaigns WHERE id = $2 OR parent_id = $3)) x"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(campaign.0)
            .bind(campaign.0)
            .bind(campaign.0)
            .fetch_one(&mut *tx)
            .await?;
        let team = team_history(&mut tx, campaign).await?;
        tx.commit().await?;
        Ok(ForecastFacts {
            partners,
            limits,
            events: row.try_get("events")?,
            event_students: row.try_get("students")?,
            direct_events: row.try_get("direct_events")?,
            direct_students: row.try_get("direct_students")?,
            team,
        })
    }

    async fn message_stats(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<MessageStats>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        // An unsubscribe counts for the last e-mail the contact was sent before it, and only while the
        // contact stays unsubscribed (choosing e-mail again deletes the suppression).
        let rows = sqlx::query(
            "SELECT m.id, m.title, \
             CAST(COALESCE(SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END), 0) AS BIGINT) AS sent, \
             CAST(COALESCE(SUM(CASE WHEN o.status IN ('planned', 'deferred', 'sending') THEN 1 ELSE 0 END), 0) AS BIGINT) AS waiting, \
             CAST(COALESCE(SUM(CASE WHEN o.status IN ('failed', 'bounced') THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed, \
             CAST(COALESCE(SUM(CASE WHEN o.status IN ('suppressed', 'expired') THEN 1 ELSE 0 END), 0) AS BIGINT) AS skipped, \
             CAST(COALESCE(SUM(CASE WHEN o.status IN ('planned', 'deferred', 'sending', 'sent') AND o.due_at > o.wanted_at \
             THEN 1 ELSE 0 END), 0) AS BIGINT) AS deferred, \
             CAST(COALESCE(SUM(CASE WHEN o.status = 'sent' AND EXISTS (SELECT 1 FROM suppressions s \
             WHERE s.email = o.email AND s.reason = 'unsubscribed' AND s.created_at >= o.sent_at \
             AND NOT EXISTS (SELECT 1 FROM outbox l WHERE l.contact_id = o.contact_id AND l.status = 'sent' \
             AND l.sent_at > o.sent_at AND l.sent_at <= s.created_at)) THEN 1 ELSE 0 END), 0) AS BIGINT) AS unsubscribed \
             FROM messages m LEFT JOIN outbox o ON o.message_id = m.id WHERE m.campaign_id = $1 \
             GROUP BY m.id, m.title ORDER BY m.id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageStats {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    sent: r.try_get("sent")?,
                    waiting: r.try_get("waiting")?,
                    failed: r.try_get("failed")?,
                    skipped: r.try_get("skipped")?,
                    deferred: r.try_get("deferred")?,
                    unsubscribed: r.try_get("unsubscribed")?,
                })
            })
            .collect()
    }
}

/// `(partner, furthest progress)` of every partner of the campaigns `campaigns` pushes (a `WHERE`
/// condition on `q`, the partner), as a subquery to join on `partner_id`.
fn push_furthest(q: &mut QueryBuilder<Db>, condition: impl FnOnce(&mut QueryBuilder<Db>)) {
    q.push("(SELECT c.partner_id, CAST(MAX(")
        .push(progress_case("c.to_stage"))
        .push(") AS BIGINT) AS furthest FROM stage_changes c JOIN partners q ON q.id = c.partner_id WHERE ");
    condition(q);
    q.push(" GROUP BY c.partner_id)");
}

/// The furthest stage from a row's `furthest` progress and its stage now: a partner without history
/// has reached the stage it is in.
fn furthest(r: &super::DbRow, now: Stage) -> Result<Stage> {
    let furthest = r.try_get::<Option<i64>, _>("furthest")?.map_or(0, |n| usize::try_from(n).unwrap_or(0));
    Ok(report::at_progress(furthest.max(report::progress(now))))
}

/// Every partner of the campaign, by name, with what brought and agreed left empty.
async fn forecast_partners(conn: &mut Conn, campaign: CampaignId) -> Result<Vec<PartnerFacts>> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT p.id, p.name, p.category, p.stage, p.stage_since, p.reach, f.furthest FROM partners p LEFT JOIN ",
    );
    push_furthest(&mut q, |q| {
        q.push("q.campaign_id = ").push_bind(campaign.0);
    });
    q.push(" f ON f.partner_id = p.id WHERE p.campaign_id = ")
        .push_bind(campaign.0)
        .push(" ORDER BY p.sort_name, p.id");
    let mut partners = Vec::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        let stage = text(&r, "stage", Stage::parse)?;
        partners.push(PartnerFacts {
            id: PartnerId(r.try_get("id")?),
            name: r.try_get("name")?,
            category: text(&r, "category", Category::parse)?,
            stage,
            furthest: furthest(&r, stage)?,
            since: time(&r, "stage_since")?,
            reach: r.try_get("reach")?,
            brought_events: 0,
            brought_students: 0,
            agreed: Vec::new(),
        });
    }
    Ok(partners)
}

/// Approved events and their students per partner of the campaign that brought them, by the one
/// attribution rule (`super::attribution::brought_by`).
async fn brought(conn: &mut Conn, campaign: CampaignId) -> Result<HashMap<i64, (i64, i64)>> {
    let rows = super::attribution::brought_by(conn, campaign, None).await?;
    Ok(rows.into_iter().map(|b| (b.partner.0, (b.events, b.students))).collect())
}

/// Agreed and fulfilled commitments with a quantity, per partner, with their ask's unit.
async fn agreed(conn: &mut Conn, campaign: CampaignId) -> Result<HashMap<i64, Vec<Agreed>>> {
    let rows = sqlx::query(
        "SELECT c.partner_id, a.unit, c.quantity FROM commitments c JOIN asks a ON a.id = c.ask_id \
         WHERE c.campaign_id = $1 AND c.status IN ('agreed', 'fulfilled') AND c.quantity > 0 ORDER BY c.id",
    )
    .bind(campaign.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut agreed: HashMap<i64, Vec<Agreed>> = HashMap::new();
    for r in &rows {
        let partner: i64 = r.try_get("partner_id")?;
        agreed.entry(partner).or_default().push(Agreed { unit: r.try_get("unit")?, quantity: r.try_get("quantity")? });
    }
    Ok(agreed)
}

/// The closed partners of the team's earlier campaigns: created before this one, sharing a member
/// who is not a viewer on either. Only counts leave the database, never a partner of a campaign the
/// reader may not be on.
async fn team_history(conn: &mut Conn, campaign: CampaignId) -> Result<TeamHistory> {
    let earlier: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM campaigns o WHERE o.id <> $1 \
         AND o.created_at < (SELECT created_at FROM campaigns WHERE id = $2) \
         AND EXISTS (SELECT 1 FROM memberships m JOIN memberships n ON n.user_id = m.user_id \
         WHERE m.campaign_id = $3 AND n.campaign_id = o.id AND m.role <> 'viewer' AND n.role <> 'viewer') \
         ORDER BY o.id",
    )
    .bind(campaign.0)
    .bind(campaign.0)
    .bind(campaign.0)
    .fetch_all(&mut *conn)
    .await?;
    if earlier.is_empty() {
        return Ok(TeamHistory::default());
    }
    let closed = |q: &mut QueryBuilder<Db>, alias: &str| {
        push_in(q, &format!("{alias}.campaign_id"), &earlier);
        q.push(format!(" AND {alias}.stage IN ('closed_won', 'closed_lost')"));
    };
    let mut q = QueryBuilder::<Db>::new("SELECT p.stage, f.furthest, COUNT(*) AS partners FROM partners p LEFT JOIN ");
    push_furthest(&mut q, |q| closed(q, "q"));
    q.push(" f ON f.partner_id = p.id WHERE ");
    closed(&mut q, "p");
    q.push(" GROUP BY p.stage, f.furthest");
    let mut groups: Vec<Progress> = Vec::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        let now = text(&r, "stage", Stage::parse)?;
        let g = Progress { now, furthest: furthest(&r, now)?, partners: r.try_get("partners")?, reach: 0 };
        // Two SQL groups can meet here (no history vs. history up to the current stage).
        match groups.iter_mut().find(|x| x.now == g.now && x.furthest == g.furthest) {
            Some(x) => x.partners += g.partners,
            None => groups.push(g),
        }
    }
    groups.sort_by_key(|g| (g.now, g.furthest));
    Ok(TeamHistory { campaigns: earlier.len() as i64, groups })
}

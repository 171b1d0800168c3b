//! The `Reports` implementation: counts for the Reports page, grouped in the database so a campaign of
//! 100,000 partners sends back a few dozen rows (the finished stays, one row each, are the exception:
//! a median needs them all).

use super::{Backend, Db, authorize, text};
use crate::{Actor, Result};
use async_trait::async_trait;
use rally_domain::{Action, CampaignId, Stage};
use sqlx::{QueryBuilder, Row};

use rally_domain::report::{self, MessageStats, PartnerReach, PipelineFacts, Progress, Stay};

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
             FROM partners p LEFT JOIN (SELECT c.partner_id, CAST(MAX(",
        );
        q.push(progress_case("c.to_stage"))
            .push(") AS BIGINT) AS furthest FROM stage_changes c JOIN partners q ON q.id = c.partner_id WHERE q.campaign_id = ")
            .push_bind(campaign.0)
            .push(" GROUP BY c.partner_id) f ON f.partner_id = p.id WHERE p.campaign_id = ")
            .push_bind(campaign.0)
            .push(" GROUP BY p.stage, f.furthest");
        let mut groups: Vec<Progress> = Vec::new();
        for r in q.build().fetch_all(&mut *tx).await? {
            let now = text(&r, "stage", Stage::parse)?;
            // The current stage is the last of the history; a partner without history has reached it.
            let furthest = r.try_get::<Option<i64>, _>("furthest")?.map_or(0, |n| usize::try_from(n).unwrap_or(0));
            let furthest = report::at_progress(furthest.max(report::progress(now)));
            let g = Progress { now, furthest, partners: r.try_get("partners")?, reach: r.try_get("reach")? };
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

    async fn forecast_partners(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PartnerReach>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        sqlx::query(
            "SELECT name, stage, reach FROM partners WHERE campaign_id = $1 AND stage <> 'closed_lost' \
             ORDER BY reach DESC, sort_name, id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(PartnerReach {
                name: r.try_get("name")?,
                stage: text(r, "stage", Stage::parse)?,
                reach: r.try_get("reach")?,
            })
        })
        .collect()
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

//! [`crate::Partners`] in SQL: partners, contacts, the pipeline, the board and bulk loads.

use async_trait::async_trait;
use rally_domain::pipeline::StageMove;
use rally_domain::{
    Action, AuditAction, CampaignId, Category, Contact, ContactDraft, ContactFields, ContactId, Invalid, Partner,
    PartnerDraft, PartnerFields, PartnerId, Stage, StageChange, UserId,
};
use sqlx::{QueryBuilder, Row};

use super::audit::{Target, record};
use super::{
    Backend, Db, authorize, can_edit, can_read, change_from_row, check_fulfilled, check_on_team, contact_from_row,
    fetch_campaign, fetch_change, fetch_contact, fetch_partner, insert_contact, insert_partner, overwrite_contact,
    overwrite_partner, partner_for, partner_from_row, push_filters, record_change, tally, text,
};
use crate::{
    Actor, DEFAULT_PAGE, MAX_BULK, MAX_PAGE, Merged, MoveLoad, Page, PartnerFilter, PartnerLoad, PartnerSort, Partners,
    Result, StoreError, Tally, now_micros, to_micros,
};

#[async_trait]
impl Partners for Backend {
    async fn add_partner(
        &self,
        actor: Actor,
        campaign: CampaignId,
        mut fields: PartnerFields,
        allow_same_name: bool,
    ) -> Result<Partner> {
        let mut tx = self.begin_write().await?;
        if fields.owner_id.is_none() {
            fields.owner_id = actor.user_id();
        }
        authorize(&mut tx, actor, campaign, Action::CreatePartner { owner: fields.owner_id }, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        check_on_team(&mut tx, campaign, fields.owner_id).await?;
        if !allow_same_name {
            let same =
                sqlx::query("SELECT name FROM partners WHERE campaign_id = $1 AND name_key = $2 ORDER BY id LIMIT 1")
                    .bind(campaign.0)
                    .bind(rally_domain::partner::name_key(&fields.name))
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = same {
                let existing: String = row.try_get("name")?;
                return Err(StoreError::Conflict {
                    field: "name",
                    message: format!(
                        "“{existing}” is already a partner of this campaign; add it anyway only if it is another organization"
                    ),
                });
            }
        }
        let now = now_micros();
        let id = insert_partner(&mut tx, campaign, &fields, now, None).await?;
        record_change(&mut tx, id, None, Stage::Lead, actor.user_id(), now, "", None).await?;
        let partner = fetch_partner(&mut tx, id).await?;
        tx.commit().await?;
        Ok(partner)
    }

    async fn partner(&self, actor: Actor, id: PartnerId) -> Result<Partner> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, id, can_read).await
    }

    async fn partner_in(&self, actor: Actor, campaign: &str, id: PartnerId) -> Result<Partner> {
        let mut conn = self.pool.acquire().await?;
        let partner = partner_for(&mut conn, actor, id, can_read).await?;
        let found = sqlx::query("SELECT 1 AS one FROM campaigns WHERE id = $1 AND slug = $2")
            .bind(partner.campaign_id.0)
            .bind(campaign)
            .fetch_optional(&mut *conn)
            .await?;
        found.map(|_| partner).ok_or(StoreError::NotFound("partner"))
    }

    async fn partners(&self, actor: Actor, campaign: CampaignId, f: &PartnerFilter) -> Result<Page<Partner>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let limit = if f.limit == 0 { DEFAULT_PAGE } else { f.limit.min(MAX_PAGE) };
        let (mut q, order) = filtered(campaign, f, partner_columns!());
        // Sorted lists page by (sort key, id) compared as a row with the previous page's last partner,
        // which the (campaign, key, id) indexes serve in order; the id breaks ties in the same direction.
        let sorted = match f.sort {
            PartnerSort::Added => None,
            PartnerSort::Name => Some(("sort_name", "ASC", ">")),
            PartnerSort::Priority => Some(("priority", "DESC", "<")),
            PartnerSort::Reach => Some(("reach", "DESC", "<")),
            PartnerSort::Stale => Some(("stage_since", "ASC", ">")),
        };
        match (sorted, f.after) {
            (None, Some(after)) => {
                q.push(format_args!(" AND {order} > ")).push_bind(after.0);
            }
            (Some((key, _, cmp)), Some(after)) => {
                q.push(format_args!(" AND (p.{key}, p.id) {cmp} (SELECT s.{key}, s.id FROM partners s WHERE s.id = "))
                    .push_bind(after.0)
                    .push(")");
            }
            (_, None) => {}
        }
        match sorted {
            None => q.push(format_args!(" ORDER BY {order} LIMIT ")),
            Some((key, dir, _)) => q.push(format_args!(" ORDER BY p.{key} {dir}, p.id {dir} LIMIT ")),
        };
        q.push_bind(i64::from(limit) + 1);
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut items = rows.iter().map(partner_from_row).collect::<Result<Vec<_>>>()?;
        let next_after = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|p| p.id.0)
        } else {
            None
        };
        Ok(Page { items, next_after })
    }

    async fn count_partners(&self, actor: Actor, campaign: CampaignId, f: &PartnerFilter) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let (mut q, _) = filtered(campaign, f, "COUNT(*) AS n");
        Ok(q.build().fetch_one(&mut *conn).await?.try_get("n")?)
    }

    async fn update_partner(&self, actor: Actor, id: PartnerId, patch: PartnerDraft) -> Result<Partner> {
        let mut tx = self.begin_write().await?;
        let current = partner_for(&mut tx, actor, id, can_edit).await?;
        let fields = current.fields.to_draft().merge(patch).validate()?;
        if fields.owner_id != current.fields.owner_id {
            // Handing a partner to someone else is the coordinators' call.
            authorize(&mut tx, actor, current.campaign_id, can_edit(fields.owner_id), "partner").await?;
            check_on_team(&mut tx, current.campaign_id, fields.owner_id).await?;
        }
        overwrite_partner(&mut tx, &current, &fields, now_micros()).await?;
        let partner = fetch_partner(&mut tx, id).await?;
        tx.commit().await?;
        Ok(partner)
    }

    async fn delete_partner(&self, actor: Actor, id: PartnerId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let partner = fetch_partner(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, Action::DeletePartner, "partner").await?;
        sqlx::query("DELETE FROM partners WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        let (campaign, stage, category) = (partner.campaign_id, partner.stage, partner.fields.category);
        tally(&mut tx, campaign, stage, category, -1, -partner.fields.reach.get()).await?;
        let target = Target { kind: "partner", id: Some(id.0), label: &partner.fields.name };
        let detail = serde_json::json!({ "stage": stage.as_str(), "category": category.as_str() });
        record(&mut tx, actor, Some(campaign), AuditAction::PartnerDeleted, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merge_partners(
        &self,
        actor: Actor,
        survivor: PartnerId,
        duplicate: PartnerId,
        dry_run: bool,
    ) -> Result<Merged> {
        let mut tx = self.begin_write().await?;
        let (merged, campaign, gone) = super::merge::merge(&mut tx, actor, survivor, duplicate).await?;
        // The entry names the duplicate, which is gone, and the partner it went into.
        let target = Target { kind: "partner", id: Some(duplicate.0), label: &gone };
        let detail = serde_json::json!({ "into_id": survivor.0, "moved": &merged });
        record(&mut tx, actor, Some(campaign), AuditAction::PartnersMerged, Some(target), detail).await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(merged)
    }

    async fn move_stage(&self, actor: Actor, id: PartnerId, to: StageMove) -> Result<(Partner, StageChange)> {
        let mut tx = self.begin_write().await?;
        let current = partner_for(&mut tx, actor, id, can_edit).await?;
        let m = to.check(current.stage)?;
        check_fulfilled(&mut tx, id, m.to, m.confirm_unfulfilled, &m.note).await?;
        let change_id =
            record_change(&mut tx, id, Some(m.from), m.to, actor.user_id(), now_micros(), &m.note, m.reason.as_deref())
                .await?;
        let partner = fetch_partner(&mut tx, id).await?;
        let change = fetch_change(&mut tx, change_id).await?;
        tx.commit().await?;
        Ok((partner, change))
    }

    async fn stage_history(&self, actor: Actor, id: PartnerId) -> Result<Vec<StageChange>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, id, can_read).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            change_columns!(),
            " FROM stage_changes s LEFT JOIN users u ON u.id = s.actor_id WHERE s.partner_id = $1 ORDER BY s.at, s.id"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    async fn export_contacts(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(Contact, String)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            contact_columns!(),
            ", p.name AS partner_name FROM contacts k JOIN partners p ON p.id = k.partner_id \
             WHERE p.campaign_id = $1 AND k.id > $2 ORDER BY k.id LIMIT $3"
        ))
        .bind(campaign.0)
        .bind(after)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(|r| Ok((contact_from_row(r)?, r.try_get("partner_name")?))).collect()
    }

    async fn export_history(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(StageChange, String)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            change_columns!(),
            ", p.name AS partner_name FROM stage_changes s JOIN partners p ON p.id = s.partner_id \
             LEFT JOIN users u ON u.id = s.actor_id WHERE p.campaign_id = $1 AND s.id > $2 ORDER BY s.id LIMIT $3"
        ))
        .bind(campaign.0)
        .bind(after)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(|r| Ok((change_from_row(r)?, r.try_get("partner_name")?))).collect()
    }

    async fn bulk_move(&self, actor: Actor, campaign: CampaignId, ids: &[PartnerId], to: StageMove) -> Result<usize> {
        if ids.len() > MAX_BULK {
            return Err(Invalid::field("ids", format!("at most {MAX_BULK} partners at once")).into());
        }
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let mut moved = 0;
        for id in ids {
            let p = partner_for(&mut tx, actor, *id, can_edit).await?;
            if p.campaign_id != campaign {
                return Err(StoreError::NotFound("partner"));
            }
            if p.stage == to.stage {
                continue;
            }
            let m = to.clone().check(p.stage)?;
            check_fulfilled(&mut tx, *id, m.to, m.confirm_unfulfilled, &m.note).await?;
            record_change(&mut tx, *id, Some(m.from), m.to, actor.user_id(), now, &m.note, m.reason.as_deref()).await?;
            moved += 1;
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn bulk_assign(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[PartnerId],
        owner: Option<UserId>,
    ) -> Result<usize> {
        if ids.len() > MAX_BULK {
            return Err(Invalid::field("ids", format!("at most {MAX_BULK} partners at once")).into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, can_edit(owner), "campaign").await?;
        check_on_team(&mut tx, campaign, owner).await?;
        let now = now_micros();
        for id in ids {
            let p = partner_for(&mut tx, actor, *id, can_edit).await?;
            if p.campaign_id != campaign {
                return Err(StoreError::NotFound("partner"));
            }
            sqlx::query("UPDATE partners SET owner_id = $1, updated_at = $2 WHERE id = $3")
                .bind(owner.map(|u| u.0))
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    async fn board(
        &self,
        actor: Actor,
        campaign: CampaignId,
        f: &PartnerFilter,
    ) -> Result<Vec<(Stage, Page<Partner>)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let limit = if f.limit == 0 { DEFAULT_PAGE } else { f.limit.min(MAX_PAGE) };
        // One round trip for the whole board: each column's first page, glued with UNION ALL.
        let mut q = QueryBuilder::<Db>::new("");
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push(concat!(
                "SELECT * FROM (SELECT ",
                partner_columns!(),
                " FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.campaign_id = "
            ));
            q.push_bind(campaign.0);
            push_filters(&mut q, &PartnerFilter { stage: Some(stage), ..f.clone() });
            q.push(" ORDER BY p.id LIMIT ").push_bind(i64::from(limit) + 1).push(format_args!(") AS column_{i}"));
        }
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut partners = rows.iter().map(partner_from_row).collect::<Result<Vec<_>>>()?;
        Ok(Stage::ALL
            .into_iter()
            .map(|stage| {
                let mut items: Vec<Partner> = Vec::new();
                partners.retain(|p| {
                    if p.stage == stage {
                        items.push(p.clone());
                        false
                    } else {
                        true
                    }
                });
                let next_after = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|p| p.id.0)
                } else {
                    None
                };
                (stage, Page { items, next_after })
            })
            .collect())
    }

    async fn pipeline_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Stage>>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT stage AS k, CAST(SUM(partners) AS BIGINT) AS n, CAST(SUM(reach) AS BIGINT) AS r FROM partner_tallies \
             WHERE campaign_id = $1 GROUP BY stage",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        let counted = rows
            .iter()
            .map(|r| Ok((text(r, "k", Stage::parse)?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("r")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Stage::ALL
            .into_iter()
            .map(|key| {
                let (partners, reach) = counted.iter().find(|(k, _, _)| *k == key).map_or((0, 0), |(_, n, r)| (*n, *r));
                Tally { key, partners, reach }
            })
            .collect())
    }

    async fn category_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Category>>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT category AS k, CAST(SUM(partners) AS BIGINT) AS n, CAST(SUM(reach) AS BIGINT) AS r FROM partner_tallies \
             WHERE campaign_id = $1 GROUP BY category",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        let counted = rows
            .iter()
            .map(|r| Ok((text(r, "k", Category::parse)?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("r")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Category::ALL
            .into_iter()
            .map(|key| {
                let (partners, reach) = counted.iter().find(|(k, _, _)| *k == key).map_or((0, 0), |(_, n, r)| (*n, *r));
                Tally { key, partners, reach }
            })
            .collect())
    }

    async fn stale_partners(&self, actor: Actor, campaign: CampaignId, limit: u32) -> Result<Vec<Partner>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            partner_columns!(),
            " FROM partners p JOIN campaigns c ON c.id = p.campaign_id \
             WHERE p.campaign_id = $1 AND p.stage NOT IN ('closed_won', 'closed_lost') \
             ORDER BY p.stage_since, p.id LIMIT $2"
        ))
        .bind(campaign.0)
        .bind(i64::from(limit.min(MAX_PAGE)))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(partner_from_row).collect()
    }

    async fn load_partners(&self, actor: Actor, campaign: CampaignId, partners: Vec<PartnerLoad>) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        let team: Vec<i64> = sqlx::query("SELECT user_id FROM memberships WHERE campaign_id = $1")
            .bind(campaign.0)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("user_id"))
            .collect::<Result<_, _>>()?;
        let count = partners.len();
        for (n, load) in partners.into_iter().enumerate() {
            if let Some(owner) = load.fields.owner_id.filter(|o| !team.contains(&o.0)) {
                return Err(Invalid::field(
                    format!("partners.{n}.owner_id"),
                    format!("user {owner} is not on the team"),
                )
                .into());
            }
            let created = to_micros(load.created_at);
            let id = insert_partner(&mut tx, campaign, &load.fields, created, None).await?;
            record_change(&mut tx, id, None, Stage::Lead, load.moves.first().and_then(|m| m.actor), created, "", None)
                .await?;
            let mut from = Stage::Lead;
            for MoveLoad { to, at, actor, note, reason } in load.moves {
                let m = StageMove { stage: to, note: Some(note), reason, confirm_unfulfilled: false }
                    .check(from)
                    .map_err(|e| Invalid::field(format!("partners.{n}.moves"), e.to_string()))?;
                record_change(&mut tx, id, Some(from), to, actor, to_micros(at), &m.note, m.reason.as_deref()).await?;
                from = to;
            }
            for contact in &load.contacts {
                insert_contact(&mut tx, campaign, id, contact).await?;
            }
        }
        tx.commit().await?;
        self.after_bulk_load(count).await?;
        Ok(count)
    }

    async fn create_contact(&self, actor: Actor, partner: PartnerId, fields: ContactFields) -> Result<Contact> {
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, can_edit).await?;
        let id = insert_contact(&mut tx, p.campaign_id, partner, &fields).await?;
        if fields.consent != rally_domain::Consent::Unknown {
            let method = super::consent::team_method();
            super::consent::contact_consent_set(&mut tx, actor, method, p.campaign_id, id, &fields, None).await?;
        }
        let (contact, _) = fetch_contact(&mut tx, id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn contacts(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Contact>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts k WHERE k.partner_id = $1 ORDER BY k.id"
        ))
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    async fn contact(&self, actor: Actor, id: ContactId) -> Result<Contact> {
        let mut conn = self.pool.acquire().await?;
        let (contact, partner) = fetch_contact(&mut conn, id).await?;
        authorize(&mut conn, actor, partner.campaign_id, Action::Read, "contact").await?;
        Ok(contact)
    }

    async fn update_contact(&self, actor: Actor, id: ContactId, patch: ContactDraft) -> Result<Contact> {
        let mut tx = self.begin_write().await?;
        let (current, partner) = fetch_contact(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, can_edit(partner.fields.owner_id), "contact").await?;
        let f = current.fields.to_draft().merge(patch).validate()?;
        overwrite_contact(&mut tx, id.0, current.partner_id.0, &f, now_micros()).await?;
        if f.consent != current.fields.consent {
            let method = super::consent::team_method();
            super::consent::contact_consent_set(&mut tx, actor, method, partner.campaign_id, id, &f, None).await?;
        }
        let (contact, _) = fetch_contact(&mut tx, id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn delete_contact(&self, actor: Actor, id: ContactId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (contact, partner) = fetch_contact(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, can_edit(partner.fields.owner_id), "contact").await?;
        sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        super::refresh_partner_terms(&mut tx, partner.id).await?;
        let name =
            if contact.fields.name.trim().is_empty() { contact.fields.email.as_str() } else { &contact.fields.name };
        let target = Target { kind: "contact", id: Some(id.0), label: name };
        let detail = serde_json::json!({ "partner": partner.fields.name, "partner_id": partner.id.0 });
        record(&mut tx, actor, Some(partner.campaign_id), AuditAction::ContactDeleted, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The partners of `campaign` that `f` selects (its search and filters, not its paging), as
/// `SELECT {columns}`; and the column that orders them by id.
fn filtered(campaign: CampaignId, f: &PartnerFilter, columns: &str) -> (QueryBuilder<Db>, &'static str) {
    let keys = rally_domain::partner::search_query(f.q.as_deref().unwrap_or_default());
    // With a search, the most selective key drives: its index entries come in partner order, so
    // the scan stops at the page's end. Without one, the partners' own (campaign, id) index does.
    let (mut q, order) = match keys.split_first() {
        Some((first, rest)) => {
            let mut q = QueryBuilder::<Db>::new(format!(
                "SELECT {columns} FROM partner_terms t JOIN partners p ON p.id = t.partner_id \
                 JOIN campaigns c ON c.id = p.campaign_id WHERE t.campaign_id = "
            ));
            q.push_bind(campaign.0).push(" AND t.term = ").push_bind(first.clone());
            for key in rest {
                q.push(" AND EXISTS (SELECT 1 FROM partner_terms t2 WHERE t2.campaign_id = ")
                    .push_bind(campaign.0)
                    .push(" AND t2.term = ")
                    .push_bind(key.clone())
                    .push(" AND t2.partner_id = t.partner_id)");
            }
            (q, "t.partner_id")
        }
        None => {
            let mut q = QueryBuilder::<Db>::new(format!(
                "SELECT {columns} FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.campaign_id = "
            ));
            q.push_bind(campaign.0);
            (q, "p.id")
        }
    };
    push_filters(&mut q, f);
    (q, order)
}

//! [`crate::Workflow`] in SQL: asks and commitments, interactions, tasks and stage limits; and the row
//! decoders and look-ups of those rows that `assets`, `links` and `calendars` share.

use super::{
    Backend, Conn, Db, DbRow, authorize, can_edit, can_read, check_on_team, date, is_unique_violation, json,
    partner_for, partner_from_row, push_filters, required_date, text, time, to_json,
};
use crate::{Actor, PartnerFilter, Result, StoreError, corrupt, from_micros, now_micros, to_micros};
use async_trait::async_trait;
use rally_domain::{
    Action, Audience, CampaignId, ContactId, Invalid, LanguageTag, Partner, PartnerId, Stage, Tier, UserId,
};
use sqlx::{QueryBuilder, Row};

use std::collections::HashMap;

use rally_domain::ask::CommitmentFields;
use rally_domain::followup::{InteractionFields, InteractionKind, TaskFields};
use rally_domain::limits;
use rally_domain::{
    Ask, AskDraft, AskFields, AskId, Asset, AssetFields, AssetId, AssetKind, AssetSend, Commitment, CommitmentDraft,
    CommitmentId, CommitmentStatus, CommitmentSummary, Interaction, InteractionId, MediaType, StageLimits, StoredFile,
    Task, TaskDraft, TaskId,
};

use crate::{Applied, AskReach, Due, TaskFilter, Workflow};

// ---------------------------------------------------------------------------------------------------
// Row decoding

pub(super) fn ask_from_row(row: &DbRow) -> Result<Ask> {
    Ok(Ask {
        id: AskId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        partner_id: row.try_get::<Option<i64>, _>("partner_id")?.map(PartnerId),
        fields: AskFields {
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            due_on: date(row, "due_on")?,
            milestone: row.try_get("milestone")?,
            categories: json(row, "categories")?,
            tiers: json(row, "tiers")?,
            unit: row.try_get("unit")?,
        },
        created_at: time(row, "created_at")?,
    })
}

pub(super) fn commitment_from_row(row: &DbRow) -> Result<Commitment> {
    Ok(Commitment {
        id: CommitmentId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        partner_id: PartnerId(row.try_get("partner_id")?),
        partner_name: row.try_get("partner_name")?,
        ask_id: AskId(row.try_get("ask_id")?),
        ask_title: row.try_get("ask_title")?,
        unit: row.try_get("unit")?,
        status: text(row, "status", CommitmentStatus::parse)?,
        quantity: row.try_get("quantity")?,
        due_on: date(row, "due_on")?,
        agreed_on: date(row, "agreed_on")?,
        evidence: row.try_get("evidence")?,
        note: row.try_get("note")?,
        by_partner: row.try_get("by_partner")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn task_from_row(row: &DbRow) -> Result<Task> {
    let done_at: Option<i64> = row.try_get("done_at")?;
    Ok(Task {
        id: TaskId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        fields: TaskFields {
            title: row.try_get("title")?,
            due_on: required_date(row, "due_on")?,
            owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
            partner_id: row.try_get::<Option<i64>, _>("partner_id")?.map(PartnerId),
            commitment_id: row.try_get::<Option<i64>, _>("commitment_id")?.map(CommitmentId),
            done: done_at.is_some(),
        },
        owner_name: row.try_get("owner_name")?,
        partner_name: row.try_get("partner_name")?,
        commitment_title: row.try_get("commitment_title")?,
        done_at: done_at.map(from_micros).transpose()?,
        created_at: time(row, "created_at")?,
    })
}

/// A stored file from columns named `{prefix}sha256`, `{prefix}media_type`, …; `None` without a hash.
pub(super) fn file_from_row(
    row: &DbRow,
    sha_col: &str,
    type_col: &str,
    size_col: Option<&str>,
    name_col: Option<&str>,
    width_col: &str,
    height_col: &str,
) -> Result<Option<StoredFile>> {
    let Some(sha256) = row.try_get::<Option<String>, _>(sha_col)? else { return Ok(None) };
    let media_type = text(row, type_col, MediaType::parse)?;
    let size = match size_col {
        Some(c) => row.try_get::<Option<i64>, _>(c)?.unwrap_or(0),
        None => 0,
    };
    let filename = match name_col {
        Some(c) => row.try_get::<Option<String>, _>(c)?.unwrap_or_default(),
        None => format!("logo.{}", media_type.extension()),
    };
    let dim = |c: &str| -> Result<Option<u32>> {
        // INTEGER: 32 bits on PostgreSQL, whatever fits on SQLite.
        Ok(row.try_get::<Option<i32>, _>(c)?.and_then(|v| u32::try_from(v).ok()))
    };
    Ok(Some(StoredFile { sha256, media_type, size, filename, width: dim(width_col)?, height: dim(height_col)? }))
}

pub(super) fn asset_from_row(row: &DbRow) -> Result<Asset> {
    let language: Option<String> = row.try_get("language")?;
    let audience: Option<String> = row.try_get("audience")?;
    Ok(Asset {
        id: AssetId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        fields: AssetFields {
            title: row.try_get("title")?,
            kind: text(row, "kind", AssetKind::parse)?,
            language: language.map(|l| LanguageTag::parse(&l).map_err(|e| corrupt("language", e))).transpose()?,
            audience: audience.map(|a| Audience::parse(&a).map_err(|e| corrupt("audience", e))).transpose()?,
            url: row.try_get("url")?,
            description: row.try_get("description")?,
        },
        file: file_from_row(row, "sha256", "media_type", Some("size"), Some("filename"), "width", "height")?,
        created_at: time(row, "created_at")?,
    })
}

pub(super) fn send_from_row(row: &DbRow) -> Result<AssetSend> {
    Ok(AssetSend {
        id: row.try_get("id")?,
        partner_id: PartnerId(row.try_get("partner_id")?),
        asset_id: AssetId(row.try_get("asset_id")?),
        asset_title: row.try_get("title")?,
        asset_kind: text(row, "kind", AssetKind::parse)?,
        sent_at: time(row, "sent_at")?,
        sent_by: row.try_get::<Option<i64>, _>("sent_by")?.map(UserId),
        sent_by_name: row.try_get("sent_by_name")?,
        note: row.try_get("note")?,
    })
}

fn interaction_from_row(row: &DbRow) -> Result<Interaction> {
    Ok(Interaction {
        id: InteractionId(row.try_get("id")?),
        partner_id: PartnerId(row.try_get("partner_id")?),
        fields: InteractionFields {
            kind: text(row, "kind", InteractionKind::parse)?,
            on: required_date(row, "happened_on")?,
            text: row.try_get("body")?,
            contact_id: row.try_get::<Option<i64>, _>("contact_id")?.map(ContactId),
        },
        contact_name: row.try_get("contact_name")?,
        author_id: row.try_get::<Option<i64>, _>("author_id")?.map(UserId),
        author_name: row.try_get("author_name")?,
        created_at: time(row, "created_at")?,
    })
}

pub(super) fn iso(d: chrono::NaiveDate) -> String {
    d.to_string()
}

// ---------------------------------------------------------------------------------------------------
// Helpers inside a transaction

pub(super) async fn fetch_ask(conn: &mut Conn, id: AskId) -> Result<Ask> {
    let row = sqlx::query(concat!("SELECT ", ask_columns!(), " FROM asks a WHERE a.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("ask"))?;
    ask_from_row(&row)
}

/// The right to change an ask: the campaign's for a standard ask, its partner's for a custom one.
async fn ask_for_edit(conn: &mut Conn, actor: Actor, id: AskId) -> Result<Ask> {
    let ask = fetch_ask(conn, id).await?;
    match ask.partner_id {
        None => authorize(conn, actor, ask.campaign_id, Action::EditCampaign, "ask").await?,
        Some(p) => {
            partner_for(conn, actor, p, can_edit).await.map_err(|e| match e {
                StoreError::NotFound(_) => StoreError::NotFound("ask"),
                e => e,
            })?;
            None
        }
    };
    Ok(ask)
}

pub(super) async fn fetch_commitment(conn: &mut Conn, id: CommitmentId) -> Result<Commitment> {
    let row = sqlx::query(concat!("SELECT ", commitment_columns!(), commitment_from!(), " WHERE m.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("commitment"))?;
    commitment_from_row(&row)
}

pub(super) async fn write_commitment(
    conn: &mut Conn,
    id: CommitmentId,
    f: &CommitmentFields,
    was: CommitmentStatus,
    today: chrono::NaiveDate,
    by_partner: bool,
) -> Result<()> {
    // The day of agreement is kept from the first time it was agreed, and cleared if it is reopened.
    let agreed_on = match (was, f.status) {
        (_, CommitmentStatus::Proposed | CommitmentStatus::Declined) => Some(None),
        (CommitmentStatus::Proposed | CommitmentStatus::Declined, CommitmentStatus::Agreed) => Some(Some(iso(today))),
        _ => None,
    };
    let mut q = QueryBuilder::<Db>::new("UPDATE commitments SET status = ");
    q.push_bind(f.status.as_str())
        .push(", quantity = ")
        .push_bind(f.quantity)
        .push(", due_on = ")
        .push_bind(f.due_on.map(iso))
        .push(", evidence = ")
        .push_bind(f.evidence.clone())
        .push(", note = ")
        .push_bind(f.note.clone())
        .push(", by_partner = ")
        .push_bind(by_partner)
        .push(", updated_at = ")
        .push_bind(now_micros());
    if let Some(agreed_on) = agreed_on {
        q.push(", agreed_on = ").push_bind(agreed_on);
    }
    q.push(" WHERE id = ").push_bind(id.0);
    q.build().execute(&mut *conn).await?;
    Ok(())
}

async fn fetch_task(conn: &mut Conn, id: TaskId) -> Result<Task> {
    let row = sqlx::query(concat!("SELECT ", task_columns!(), task_from!(), " WHERE t.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("task"))?;
    task_from_row(&row)
}

/// Checks that a task's partner and commitment belong to its campaign, and its owner to the team.
/// A commitment given without a partner brings its partner along.
async fn check_task_links(conn: &mut Conn, campaign: CampaignId, f: &mut TaskFields) -> Result<()> {
    check_on_team(conn, campaign, f.owner_id).await?;
    if let Some(c) = f.commitment_id {
        let m = fetch_commitment(conn, c).await.map_err(missing_as(no_commitment()))?;
        if m.campaign_id != campaign || f.partner_id.is_some_and(|p| p != m.partner_id) {
            return Err(no_commitment().into());
        }
        f.partner_id = Some(m.partner_id);
    }
    if let Some(p) = f.partner_id {
        let found = sqlx::query("SELECT 1 AS one FROM partners WHERE id = $1 AND campaign_id = $2")
            .bind(p.0)
            .bind(campaign.0)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(Invalid::field("partner_id", "no such partner in this campaign").into());
        }
    }
    Ok(())
}

pub(super) async fn fetch_asset(conn: &mut Conn, id: AssetId) -> Result<Asset> {
    let row = sqlx::query(concat!("SELECT ", asset_columns!(), " FROM assets s WHERE s.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("asset"))?;
    asset_from_row(&row)
}

pub(super) async fn partner_commitments(conn: &mut Conn, partner: PartnerId) -> Result<Vec<Commitment>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        commitment_columns!(),
        commitment_from!(),
        " WHERE m.partner_id = $1 \
         ORDER BY CASE WHEN m.status IN ('proposed', 'agreed') THEN 0 ELSE 1 END, m.due_on IS NULL, m.due_on, m.id"
    ))
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(commitment_from_row).collect()
}

/// Refuses to move a partner to closed won while agreed commitments are unfulfilled, as
/// [`rally_domain::pipeline::won_while_unfulfilled`] decides.
pub(super) async fn check_fulfilled(
    conn: &mut Conn,
    partner: PartnerId,
    to: Stage,
    confirmed: bool,
    note: &str,
) -> Result<()> {
    if to != Stage::ClosedWon {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT a.title FROM commitments m JOIN asks a ON a.id = m.ask_id \
         WHERE m.partner_id = $1 AND m.status = 'agreed' ORDER BY m.due_on, m.id",
    )
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?;
    let titles: Vec<String> = rows.iter().map(|r| r.try_get("title")).collect::<Result<_, _>>()?;
    match rally_domain::pipeline::won_while_unfulfilled(&titles, confirmed, note) {
        Some((field, message)) => Err(StoreError::Conflict { field, message }),
        None => Ok(()),
    }
}

pub(super) async fn read_stage_limits(conn: &mut Conn, campaign: CampaignId) -> Result<StageLimits> {
    let rows = sqlx::query("SELECT stage, days FROM stage_limits WHERE campaign_id = $1")
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        return Ok(StageLimits::default());
    }
    let mut limits = std::collections::BTreeMap::new();
    for r in &rows {
        let days: i32 = r.try_get("days")?;
        let stage = text(r, "stage", Stage::parse)?;
        // A closed stage's row only marks "no limits at all" (see `set_stage_limits`).
        if !stage.is_closed() {
            limits.insert(stage, u32::try_from(days).map_err(|e| corrupt("days", e))?);
        }
    }
    Ok(StageLimits(limits))
}

/// A partner filter's segment conditions, with closed partners left out (asks go to open partners).
/// With `ask`, the ask joins in as `a`.
fn push_segment(q: &mut QueryBuilder<Db>, campaign: CampaignId, segment: &PartnerFilter, ask: Option<AskId>) {
    q.push(" FROM partners p JOIN campaigns c ON c.id = p.campaign_id");
    if let Some(ask) = ask {
        q.push(" JOIN asks a ON a.id = ").push_bind(ask.0);
    }
    q.push(" WHERE p.campaign_id = ").push_bind(campaign.0).push(" AND p.stage NOT IN ('closed_won', 'closed_lost')");
    push_filters(q, segment);
}

/// Narrows a segment to the partners a standard ask is meant for: its categories and tiers (none listed:
/// all), the same rule as [`AskFields::targets`].
fn push_ask_targets(q: &mut QueryBuilder<Db>, ask: &AskFields) {
    if !ask.categories.is_empty() {
        q.push(" AND p.category IN (");
        let mut list = q.separated(", ");
        for c in &ask.categories {
            list.push_bind(c.as_str());
        }
        q.push(")");
    }
    match ask.tiers.as_slice() {
        [Tier::High] => q.push(" AND p.reach >= c.high_reach_threshold"),
        [Tier::Low] => q.push(" AND p.reach < c.high_reach_threshold"),
        _ => q,
    };
}

async fn insert_ask(conn: &mut Conn, campaign: CampaignId, partner: Option<PartnerId>, f: &AskFields) -> Result<AskId> {
    let row = sqlx::query(
        "INSERT INTO asks (campaign_id, partner_id, title, description, due_on, milestone, categories, tiers, unit, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(campaign.0)
    .bind(partner.map(|p| p.0))
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.due_on.map(iso))
    .bind(&f.milestone)
    .bind(to_json(&f.categories)?)
    .bind(to_json(&f.tiers)?)
    .bind(&f.unit)
    .bind(now_micros())
    .fetch_one(&mut *conn)
    .await?;
    Ok(AskId(row.try_get("id")?))
}

/// Proposes `ask` to partner `p` (or records it in the state `draft` gives); one commitment per ask.
async fn insert_commitment(
    conn: &mut Conn,
    p: &Partner,
    ask: &Ask,
    draft: CommitmentDraft,
    today: chrono::NaiveDate,
) -> Result<Commitment> {
    let draft = CommitmentDraft { due_on: draft.due_on.or(Some(ask.fields.due_on)), ..draft };
    let f = draft.validate(today, None, &ask.fields.unit)?;
    let now = now_micros();
    let result = sqlx::query(
        "INSERT INTO commitments (campaign_id, partner_id, ask_id, status, quantity, due_on, agreed_on, evidence, note, \
         by_partner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $10) RETURNING id",
    )
    .bind(p.campaign_id.0)
    .bind(p.id.0)
    .bind(ask.id.0)
    .bind(f.status.as_str())
    .bind(f.quantity)
    .bind(f.due_on.map(iso))
    .bind((f.status == CommitmentStatus::Agreed).then(|| iso(today)))
    .bind(&f.evidence)
    .bind(&f.note)
    .bind(now)
    .fetch_one(&mut *conn)
    .await;
    let id = match result {
        Ok(row) => CommitmentId(row.try_get("id")?),
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::Conflict {
                field: "ask_id",
                message: format!("“{}” is already proposed to this partner", ask.fields.title),
            });
        }
        Err(e) => return Err(e.into()),
    };
    fetch_commitment(conn, id).await
}

// ---------------------------------------------------------------------------------------------------

#[async_trait]
impl Workflow for Backend {
    async fn create_ask(
        &self,
        actor: Actor,
        campaign: CampaignId,
        partner: Option<PartnerId>,
        f: AskFields,
    ) -> Result<Ask> {
        let mut tx = self.begin_write().await?;
        match partner {
            None => {
                authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
            }
            Some(p) => {
                let partner = partner_for(&mut tx, actor, p, can_edit).await?;
                if partner.campaign_id != campaign {
                    return Err(StoreError::NotFound("partner"));
                }
            }
        }
        let id = insert_ask(&mut tx, campaign, partner, &f).await?;
        let ask = fetch_ask(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ask)
    }

    async fn standard_asks(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Ask>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            ask_columns!(),
            " FROM asks a WHERE a.campaign_id = $1 AND a.partner_id IS NULL ORDER BY a.id"
        ))
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(ask_from_row).collect()
    }

    async fn ask(&self, actor: Actor, id: AskId) -> Result<Ask> {
        let mut conn = self.pool.acquire().await?;
        let ask = fetch_ask(&mut conn, id).await?;
        authorize(&mut conn, actor, ask.campaign_id, Action::Read, "ask").await?;
        Ok(ask)
    }

    async fn update_ask(&self, actor: Actor, id: AskId, patch: AskDraft, today: chrono::NaiveDate) -> Result<Ask> {
        let mut tx = self.begin_write().await?;
        let ask = ask_for_edit(&mut tx, actor, id).await?;
        let f = ask.fields.to_draft().merge(patch).validate(today, ask.fields.due_on)?;
        sqlx::query(
            "UPDATE asks SET title = $1, description = $2, due_on = $3, milestone = $4, categories = $5, tiers = $6, \
             unit = $7 WHERE id = $8",
        )
        .bind(&f.title)
        .bind(&f.description)
        .bind(f.due_on.map(iso))
        .bind(&f.milestone)
        .bind(to_json(&f.categories)?)
        .bind(to_json(&f.tiers)?)
        .bind(&f.unit)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let ask = fetch_ask(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ask)
    }

    async fn delete_ask(&self, actor: Actor, id: AskId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        ask_for_edit(&mut tx, actor, id).await?;
        sqlx::query("DELETE FROM asks WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn apply_asks(
        &self,
        actor: Actor,
        campaign: CampaignId,
        asks: &[AskId],
        segment: &PartnerFilter,
        preview: bool,
    ) -> Result<Applied> {
        if asks.is_empty() {
            return Err(Invalid::field("asks", "choose at least one standard ask").into());
        }
        if asks.len() > limits::ASKS_AT_ONCE {
            return Err(Invalid::field("asks", format!("at most {} asks at once", limits::ASKS_AT_ONCE)).into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        let mut chosen = Vec::with_capacity(asks.len());
        for id in asks {
            let ask = fetch_ask(&mut tx, *id).await.map_err(missing_as(not_a_standard_ask(*id)))?;
            if ask.campaign_id != campaign || !ask.is_standard() {
                return Err(not_a_standard_ask(*id).into());
            }
            chosen.push(ask);
        }
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n");
        push_segment(&mut count, campaign, segment, None);
        let partners: i64 = count.build().fetch_one(&mut *tx).await?.try_get("n")?;
        let now = now_micros();
        let mut applied = Applied { partners, created: 0, asks: Vec::with_capacity(chosen.len()), preview };
        for ask in chosen {
            let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n");
            push_segment(&mut count, campaign, segment, None);
            push_ask_targets(&mut count, &ask.fields);
            let reached: i64 = count.build().fetch_one(&mut *tx).await?.try_get("n")?;
            // One INSERT … SELECT per ask: a segment of 100,000 partners is one statement, not 100,000.
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO commitments (campaign_id, partner_id, ask_id, status, quantity, due_on, agreed_on, evidence, \
                 note, by_partner, created_at, updated_at) SELECT p.campaign_id, p.id, a.id, 'proposed', NULL, a.due_on, \
                 NULL, '', '', FALSE, ",
            );
            q.push_bind(now).push(", ").push_bind(now);
            push_segment(&mut q, campaign, segment, Some(ask.id));
            push_ask_targets(&mut q, &ask.fields);
            q.push(" ON CONFLICT (partner_id, ask_id) DO NOTHING");
            let created = q.build().execute(&mut *tx).await?.rows_affected() as i64;
            applied.created += created;
            applied.asks.push(AskReach {
                ask_id: ask.id,
                title: ask.fields.title,
                reached,
                created,
                already: reached - created,
                not_for: partners - reached,
            });
        }
        if preview {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(applied)
    }

    async fn commitments(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Commitment>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        partner_commitments(&mut conn, partner).await
    }

    async fn propose(
        &self,
        actor: Actor,
        partner: PartnerId,
        ask: AskId,
        draft: CommitmentDraft,
        today: chrono::NaiveDate,
    ) -> Result<Commitment> {
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, can_edit).await?;
        let ask = fetch_ask(&mut tx, ask).await.map_err(missing_as(no_ask_for_partner()))?;
        if ask.campaign_id != p.campaign_id || ask.partner_id.is_some_and(|owner| owner != partner) {
            return Err(no_ask_for_partner().into());
        }
        let c = insert_commitment(&mut tx, &p, &ask, draft, today).await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn propose_custom(
        &self,
        actor: Actor,
        partner: PartnerId,
        ask: AskFields,
        draft: CommitmentDraft,
        today: chrono::NaiveDate,
    ) -> Result<Commitment> {
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, can_edit).await?;
        let id = insert_ask(&mut tx, p.campaign_id, Some(partner), &ask).await?;
        let ask = fetch_ask(&mut tx, id).await?;
        let c = insert_commitment(&mut tx, &p, &ask, draft, today).await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn update_commitment(
        &self,
        actor: Actor,
        id: CommitmentId,
        patch: CommitmentDraft,
        today: chrono::NaiveDate,
    ) -> Result<Commitment> {
        let mut tx = self.begin_write().await?;
        let stored = fetch_commitment(&mut tx, id).await?;
        partner_for(&mut tx, actor, stored.partner_id, can_edit).await.map_err(|e| match e {
            StoreError::NotFound(_) => StoreError::NotFound("commitment"),
            e => e,
        })?;
        let f = stored.to_draft().merge(patch).validate(today, Some(&stored), &stored.unit)?;
        write_commitment(&mut tx, id, &f, stored.status, today, false).await?;
        let c = fetch_commitment(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn commitment_summaries(
        &self,
        actor: Actor,
        campaign: CampaignId,
        partners: &[PartnerId],
        today: chrono::NaiveDate,
    ) -> Result<HashMap<PartnerId, CommitmentSummary>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let mut out: HashMap<PartnerId, CommitmentSummary> = HashMap::new();
        for chunk in partners.chunks(500) {
            let mut q =
                QueryBuilder::<Db>::new("SELECT partner_id, status, due_on FROM commitments WHERE campaign_id = ");
            q.push_bind(campaign.0).push(" AND partner_id IN (");
            let mut sep = q.separated(", ");
            for p in chunk {
                sep.push_bind(p.0);
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *conn).await? {
                let status = text(&row, "status", CommitmentStatus::parse)?;
                let due = date(&row, "due_on")?;
                let s = out.entry(PartnerId(row.try_get("partner_id")?)).or_default();
                if status == CommitmentStatus::Fulfilled {
                    s.fulfilled += 1;
                }
                if status.is_open() {
                    s.open += 1;
                    if due.is_some_and(|d| d < today) {
                        s.overdue += 1;
                    }
                    if due.is_some() && (s.next_due.is_none() || due < s.next_due) {
                        s.next_due = due;
                    }
                }
            }
        }
        Ok(out)
    }

    async fn due(&self, actor: Actor, campaign: CampaignId, until: chrono::NaiveDate) -> Result<Due> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            commitment_columns!(),
            commitment_from!(),
            " WHERE m.campaign_id = $1 AND m.status IN ('proposed', 'agreed') AND m.due_on IS NOT NULL AND m.due_on <= $2 \
             ORDER BY m.due_on, p.sort_name, m.id LIMIT 200"
        ))
        .bind(campaign.0)
        .bind(iso(until))
        .fetch_all(&mut *conn)
        .await?;
        let commitments = rows.iter().map(commitment_from_row).collect::<Result<_>>()?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            task_columns!(),
            task_from!(),
            " WHERE t.campaign_id = $1 AND t.done_at IS NULL AND t.due_on <= $2 ORDER BY t.due_on, t.id LIMIT 200"
        ))
        .bind(campaign.0)
        .bind(iso(until))
        .fetch_all(&mut *conn)
        .await?;
        let tasks = rows.iter().map(task_from_row).collect::<Result<_>>()?;
        Ok(Due { commitments, tasks })
    }

    async fn add_interaction(&self, actor: Actor, partner: PartnerId, f: InteractionFields) -> Result<Interaction> {
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, can_edit).await?;
        if let Some(contact) = f.contact_id {
            let found = sqlx::query("SELECT 1 AS one FROM contacts WHERE id = $1 AND partner_id = $2")
                .bind(contact.0)
                .bind(partner.0)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(Invalid::field("contact_id", "no such contact at this partner").into());
            }
        }
        let row = sqlx::query(
            "INSERT INTO interactions (campaign_id, partner_id, kind, happened_on, body, contact_id, author_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(p.campaign_id.0)
        .bind(partner.0)
        .bind(f.kind.as_str())
        .bind(iso(f.on))
        .bind(&f.text)
        .bind(f.contact_id.map(|c| c.0))
        .bind(actor.user_id().map(|u| u.0))
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let row = sqlx::query(
            "SELECT i.*, k.name AS contact_name, u.name AS author_name FROM interactions i \
             LEFT JOIN contacts k ON k.id = i.contact_id LEFT JOIN users u ON u.id = i.author_id WHERE i.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let interaction = interaction_from_row(&row)?;
        tx.commit().await?;
        Ok(interaction)
    }

    async fn interactions(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Interaction>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        let rows = sqlx::query(
            "SELECT i.*, k.name AS contact_name, u.name AS author_name FROM interactions i \
             LEFT JOIN contacts k ON k.id = i.contact_id LEFT JOIN users u ON u.id = i.author_id \
             WHERE i.partner_id = $1 ORDER BY i.happened_on DESC, i.id DESC",
        )
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(interaction_from_row).collect()
    }

    async fn create_task(&self, actor: Actor, campaign: CampaignId, mut f: TaskFields) -> Result<Task> {
        let mut tx = self.begin_write().await?;
        if f.owner_id.is_none() {
            f.owner_id = actor.user_id();
        }
        authorize(&mut tx, actor, campaign, Action::EditTask { owner: f.owner_id }, "campaign").await?;
        check_task_links(&mut tx, campaign, &mut f).await?;
        let now = now_micros();
        let row = sqlx::query(
            "INSERT INTO tasks (campaign_id, title, due_on, owner_id, partner_id, commitment_id, done_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(campaign.0)
        .bind(&f.title)
        .bind(iso(f.due_on))
        .bind(f.owner_id.map(|u| u.0))
        .bind(f.partner_id.map(|p| p.0))
        .bind(f.commitment_id.map(|c| c.0))
        .bind(f.done.then_some(now))
        .bind(actor.user_id().map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let task = fetch_task(&mut tx, TaskId(row.try_get("id")?)).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn task(&self, actor: Actor, id: TaskId) -> Result<Task> {
        let mut conn = self.pool.acquire().await?;
        let task = fetch_task(&mut conn, id).await?;
        authorize(&mut conn, actor, task.campaign_id, Action::Read, "task").await?;
        Ok(task)
    }

    async fn update_task(&self, actor: Actor, id: TaskId, patch: TaskDraft, today: chrono::NaiveDate) -> Result<Task> {
        let mut tx = self.begin_write().await?;
        let stored = fetch_task(&mut tx, id).await?;
        authorize(&mut tx, actor, stored.campaign_id, Action::EditTask { owner: stored.fields.owner_id }, "task")
            .await?;
        let mut f = stored.to_draft().merge(patch).validate(today, Some(stored.fields.due_on))?;
        if f.owner_id != stored.fields.owner_id {
            // Handing a task to someone else is giving them work: the same right as creating it for them.
            authorize(&mut tx, actor, stored.campaign_id, Action::EditTask { owner: f.owner_id }, "task").await?;
        }
        check_task_links(&mut tx, stored.campaign_id, &mut f).await?;
        let done_at = match (stored.done_at, f.done) {
            (Some(at), true) => Some(to_micros(at)),
            (None, true) => Some(now_micros()),
            (_, false) => None,
        };
        sqlx::query(
            "UPDATE tasks SET title = $1, due_on = $2, owner_id = $3, partner_id = $4, commitment_id = $5, done_at = $6 \
             WHERE id = $7",
        )
        .bind(&f.title)
        .bind(iso(f.due_on))
        .bind(f.owner_id.map(|u| u.0))
        .bind(f.partner_id.map(|p| p.0))
        .bind(f.commitment_id.map(|c| c.0))
        .bind(done_at)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let task = fetch_task(&mut tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn delete_task(&self, actor: Actor, id: TaskId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stored = fetch_task(&mut tx, id).await?;
        authorize(&mut tx, actor, stored.campaign_id, Action::EditTask { owner: stored.fields.owner_id }, "task")
            .await?;
        sqlx::query("DELETE FROM tasks WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn tasks(&self, actor: Actor, campaign: CampaignId, filter: TaskFilter) -> Result<Vec<Task>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let mut q =
            QueryBuilder::<Db>::new(concat!("SELECT ", task_columns!(), task_from!(), " WHERE t.campaign_id = "));
        q.push_bind(campaign.0);
        if let Some(owner) = filter.owner {
            q.push(" AND t.owner_id = ").push_bind(owner.0);
        }
        if let Some(partner) = filter.partner {
            q.push(" AND t.partner_id = ").push_bind(partner.0);
        }
        if filter.open {
            q.push(" AND t.done_at IS NULL");
        }
        q.push(" ORDER BY t.done_at IS NOT NULL, t.due_on, t.id LIMIT 500");
        let rows = q.build().fetch_all(&mut *conn).await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn stage_limits(&self, actor: Actor, campaign: CampaignId) -> Result<StageLimits> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        read_stage_limits(&mut conn, campaign).await
    }

    async fn set_stage_limits(&self, actor: Actor, campaign: CampaignId, limits: StageLimits) -> Result<StageLimits> {
        let limits = limits.validate()?;
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        sqlx::query("DELETE FROM stage_limits WHERE campaign_id = $1").bind(campaign.0).execute(&mut *tx).await?;
        for (stage, days) in &limits.0 {
            sqlx::query("INSERT INTO stage_limits (campaign_id, stage, days) VALUES ($1, $2, $3)")
                .bind(campaign.0)
                .bind(stage.as_str())
                .bind(i64::from(*days))
                .execute(&mut *tx)
                .await?;
        }
        if limits.0.is_empty() {
            // "No limits at all" must survive a reload, where an empty table means the defaults.
            sqlx::query("INSERT INTO stage_limits (campaign_id, stage, days) VALUES ($1, 'closed_won', 1)")
                .bind(campaign.0)
                .execute(&mut *tx)
                .await?;
        }
        let stored = read_stage_limits(&mut tx, campaign).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn follow_up_proposals(
        &self,
        actor: Actor,
        campaign: CampaignId,
        owner: UserId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Partner>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let limits = read_stage_limits(&mut conn, campaign).await?;
        let cutoffs: Vec<(Stage, i64)> =
            Stage::ALL.into_iter().filter_map(|s| limits.cutoff(s, now).map(|c| (s, to_micros(c)))).collect();
        if cutoffs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(concat!(
            "SELECT ",
            partner_columns!(),
            " FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.campaign_id = "
        ));
        q.push_bind(campaign.0).push(" AND p.owner_id = ").push_bind(owner.0).push(" AND (");
        for (i, (stage, cutoff)) in cutoffs.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(p.stage = ").push_bind(stage.as_str()).push(" AND p.stage_since < ").push_bind(*cutoff).push(")");
        }
        q.push(
            ") AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.partner_id = p.id AND t.done_at IS NULL) \
                ORDER BY p.stage_since, p.id LIMIT 50",
        );
        let rows = q.build().fetch_all(&mut *conn).await?;
        rows.iter().map(partner_from_row).collect()
    }
}

// One answer whether an id given in a body does not exist at all or belongs to another campaign,
// so nobody learns which ids exist elsewhere by trying them.

/// Turns "not found" into the body's own answer; any other failure stays what it is.
pub(super) fn missing_as(invalid: Invalid) -> impl FnOnce(StoreError) -> StoreError {
    move |e| match e {
        StoreError::NotFound(_) => invalid.into(),
        e => e,
    }
}

fn no_commitment() -> Invalid {
    Invalid::field("commitment_id", "no such commitment of this partner in this campaign")
}

fn not_a_standard_ask(id: AskId) -> Invalid {
    Invalid::field("asks", format!("ask {id} is not a standard ask of this campaign"))
}

fn no_ask_for_partner() -> Invalid {
    Invalid::field("ask_id", "no such ask for this partner")
}

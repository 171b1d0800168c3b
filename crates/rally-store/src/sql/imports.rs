//! The `Imports` implementation: batches, chunked writes with what undo needs, undo.

use super::audit::{Target, record};
use super::consent::contact_consent_set;
use super::{
    Backend, Conn, Db, DbRow, authorize, contacts_by_email, fetch_contact, fetch_partner, insert_partner,
    is_unique_violation, overwrite_contact, overwrite_partner, record_change, tally, text, time, to_json,
};
use crate::{Actor, Result, StoreError, corrupt, from_micros, now_micros, to_micros};
use async_trait::async_trait;
use rally_domain::activity::{ActivityFields, ActivityStatus};
use rally_domain::consent::ConsentMethod;
use rally_domain::event::EventFields;
use rally_domain::{
    Action, AuditAction, CampaignId, Category, ContactDraft, ContactFields, ContactId, Email, Invalid, PartnerDraft,
    PartnerFields, PartnerId, Stage, UserId,
};
use sqlx::{QueryBuilder, Row};

use std::collections::HashMap;

use rally_domain::event::{Contribution, EventStatus, week_of};

use super::events::{event_columns, event_from_row, insert_event, retally};
use crate::imports::{
    BatchStatus, ChunkResult, ImportBatch, ImportCounts, ImportKind, ImportRecord, ImportRow, Imports, KnownContact,
    PartnerKeyRow, PartnerRef, RowAction, RowOutcome,
};

const BATCH_COLUMNS: &str = "id, campaign_id, kind, file_name, options, status, user_id, rows_read, created, updated, \
                             skipped, failed, contacts_created, contacts_updated, created_at, finished_at, undone_at";

fn batch_from_row(row: &DbRow) -> Result<ImportBatch> {
    let opt_time = |col: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        row.try_get::<Option<i64>, _>(col)?.map(from_micros).transpose()
    };
    Ok(ImportBatch {
        id: row.try_get("id")?,
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        kind: text(row, "kind", ImportKind::parse)?,
        file_name: row.try_get("file_name")?,
        options: row.try_get("options")?,
        status: text(row, "status", BatchStatus::parse)?,
        user_id: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        counts: ImportCounts {
            rows_read: row.try_get("rows_read")?,
            created: row.try_get("created")?,
            updated: row.try_get("updated")?,
            skipped: row.try_get("skipped")?,
            failed: row.try_get("failed")?,
            contacts_created: row.try_get("contacts_created")?,
            contacts_updated: row.try_get("contacts_updated")?,
        },
        created_at: time(row, "created_at")?,
        finished_at: opt_time("finished_at")?,
        undone_at: opt_time("undone_at")?,
    })
}

async fn fetch_batch(conn: &mut Conn, id: i64) -> Result<ImportBatch> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {BATCH_COLUMNS} FROM import_batches WHERE id = $1"));
    let row = sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound("import"))?;
    batch_from_row(&row)
}

/// What an import of this kind may do: partners and contacts are the coordinators' bulk edit, events
/// are moderation, activities the catalogue's editing.
fn import_action(kind: ImportKind) -> Action {
    match kind {
        ImportKind::Partners | ImportKind::Contacts => Action::EditCampaign,
        ImportKind::Activities => Action::EditCatalogue,
        ImportKind::Events => Action::ModerateEvents,
    }
}

/// A partner an import adds: a lead, its history saying so, tagged with the batch.
async fn import_partner(
    conn: &mut Conn,
    campaign: CampaignId,
    f: &PartnerFields,
    actor: Actor,
    now: i64,
    batch: i64,
) -> Result<PartnerId> {
    let id = insert_partner(conn, campaign, f, now, Some(batch)).await?;
    record_change(conn, id, None, Stage::Lead, actor.user_id(), now, "imported", None).await?;
    Ok(id)
}

async fn remember(conn: &mut Conn, batch: i64, entity: &str, id: i64, before: String) -> Result<()> {
    // A row changed twice by one batch keeps its state from before the batch.
    sqlx::query(
        "INSERT INTO import_undo (batch_id, entity, entity_id, before) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (batch_id, entity, entity_id) DO NOTHING",
    )
    .bind(batch)
    .bind(entity)
    .bind(id)
    .bind(before)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A partner's stored fields and last change, as undo puts them back.
#[derive(serde::Serialize, serde::Deserialize)]
struct PartnerBefore {
    fields: PartnerFields,
    updated_at: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContactBefore {
    partner_id: i64,
    fields: ContactFields,
    updated_at: i64,
}

async fn contact_updated_at(conn: &mut Conn, id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT updated_at FROM contacts WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    Ok(row.try_get("updated_at")?)
}

/// Inserts the chunk's new contacts, 500 rows a statement.
async fn insert_contacts(
    conn: &mut Conn,
    campaign: CampaignId,
    batch: i64,
    rows: &[(usize, i64, &ContactFields)],
    now: i64,
    outcomes: &mut [RowOutcome],
) -> Result<()> {
    for part in rows.chunks(500) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO contacts (partner_id, campaign_id, name, email, role, language, phone, consent, created_at, \
             updated_at, import_batch) ",
        );
        q.push_values(part, |mut b, (_, partner, f)| {
            b.push_bind(*partner)
                .push_bind(campaign.0)
                .push_bind(f.name.clone())
                .push_bind(f.email.as_str().to_owned())
                .push_bind(f.role.clone())
                .push_bind(f.language.as_ref().map(|l| l.as_str().to_owned()))
                .push_bind(f.phone.clone())
                .push_bind(f.consent.as_str())
                .push_bind(now)
                .push_bind(now)
                .push_bind(batch);
        });
        match q.build().execute(&mut *conn).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "email",
                    message: "a contact with one of these addresses was added while the import ran; run it again"
                        .into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        for (index, _, _) in part {
            outcomes[*index] = RowOutcome::Created(None);
        }
        record_imported_consents(conn, batch, now).await?;
    }
    Ok(())
}

/// The consent history of the contacts an import chunk just added with a consent set: one row each, by
/// the import (the team's own list: no notice was shown through Rally).
async fn record_imported_consents(conn: &mut Conn, batch: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO consents (campaign_id, contact_id, email, purpose, granted, at, method, import_batch, user_id) \
         SELECT k.campaign_id, k.id, k.email, 'campaign_email', k.consent = 'opted_in', $1, 'import', $2, \
         b.user_id FROM contacts k JOIN import_batches b ON b.id = k.import_batch WHERE k.import_batch = $2 \
         AND k.created_at = $1 AND k.consent <> 'unknown' \
         AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.contact_id = k.id)",
    )
    .bind(now)
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One chunk of an import being written, in the chunk's transaction: what the chunk's rows share, and
/// what they leave for later rows and for the end of the chunk.
struct Chunk<'b> {
    actor: Actor,
    batch: &'b ImportBatch,
    campaign: CampaignId,
    now: i64,
    /// Events count in the week they were registered: the batch's start, the same for all its chunks.
    registered: i64,
    /// The batch's id, which every row the chunk adds carries.
    tag: i64,
    /// Partners this chunk created, by row number: a later row's contact may belong to one.
    by_row: HashMap<u64, PartnerId>,
    /// Partners this chunk created for contacts, by the name the contacts gave.
    made: HashMap<String, PartnerId>,
    new_partners: Vec<(String, PartnerId)>,
    /// The events the chunk added, for the tallies.
    counted: Vec<Contribution>,
}

impl<'b> Chunk<'b> {
    fn new(actor: Actor, batch: &'b ImportBatch) -> Chunk<'b> {
        Chunk {
            actor,
            batch,
            campaign: batch.campaign_id,
            now: now_micros(),
            registered: to_micros(batch.created_at),
            tag: batch.id,
            by_row: HashMap::new(),
            made: HashMap::new(),
            new_partners: Vec::new(),
            counted: Vec::new(),
        }
    }

    /// A partner row's new partner, remembered by its row for later contacts.
    async fn create_partner(&mut self, conn: &mut Conn, number: u64, f: &PartnerFields) -> Result<RowOutcome> {
        let id = import_partner(conn, self.campaign, f, self.actor, self.now, self.tag).await?;
        self.by_row.insert(number, id);
        Ok(RowOutcome::Created(Some(id.0)))
    }

    /// A partner row's update of partner `id` with the file's values, remembered for undo.
    async fn update_partner(&mut self, conn: &mut Conn, id: i64, patch: &PartnerDraft) -> Result<RowOutcome> {
        let existing = fetch_partner(conn, PartnerId(id)).await?;
        if existing.campaign_id != self.campaign {
            return Err(StoreError::NotFound("partner"));
        }
        let f = &existing.fields.to_draft().merge(patch.clone()).validate()?;
        if existing.fields == *f {
            return Ok(RowOutcome::Unchanged(id));
        }
        let before = PartnerBefore { fields: existing.fields.clone(), updated_at: to_micros(existing.updated_at) };
        remember(conn, self.tag, "partner", id, to_json(&before)?).await?;
        overwrite_partner(conn, &existing, f, self.now).await?;
        Ok(RowOutcome::Updated(id))
    }

    /// The id of the partner a contact row belongs to; a new one (named by the row) is created once.
    async fn contact_partner(&mut self, conn: &mut Conn, partner: &PartnerRef) -> Result<i64> {
        Ok(match partner {
            PartnerRef::Existing(id) => id.0,
            PartnerRef::Row(number) => {
                self.by_row
                    .get(number)
                    .ok_or_else(|| corrupt("import", format!("row {number} created no partner in this chunk")))?
                    .0
            }
            PartnerRef::New { name, category } => match self.made.get(name) {
                Some(id) => id.0,
                None => {
                    let f =
                        PartnerDraft { name: Some(name.clone()), category: Some(*category), ..PartnerDraft::default() }
                            .validate()?;
                    let id = import_partner(conn, self.campaign, &f, self.actor, self.now, self.tag).await?;
                    self.made.insert(name.clone(), id);
                    self.new_partners.push((name.clone(), id));
                    id.0
                }
            },
        })
    }

    /// A contact row's update of contact `id`: the file's values, and `partner_id` as its partner;
    /// remembered for undo.
    async fn update_contact(
        &mut self,
        conn: &mut Conn,
        id: i64,
        partner_id: i64,
        patch: &ContactDraft,
    ) -> Result<RowOutcome> {
        let (existing, owner) = fetch_contact(conn, ContactId(id)).await?;
        if owner.campaign_id != self.campaign {
            return Err(StoreError::NotFound("contact"));
        }
        let fields = &existing.fields.to_draft().merge(patch.clone()).validate()?;
        if existing.fields == *fields && existing.partner_id.0 == partner_id {
            return Ok(RowOutcome::Unchanged(id));
        }
        let before = ContactBefore {
            partner_id: existing.partner_id.0,
            fields: existing.fields.clone(),
            updated_at: contact_updated_at(conn, id).await?,
        };
        remember(conn, self.tag, "contact", id, to_json(&before)?).await?;
        overwrite_contact(conn, id, partner_id, fields, self.now).await?;
        if fields.consent != existing.fields.consent {
            let (actor, method, contact) = (self.actor, ConsentMethod::Import, ContactId(id));
            contact_consent_set(conn, actor, method, self.campaign, contact, fields, Some(self.tag)).await?;
        }
        Ok(RowOutcome::Updated(id))
    }

    /// An event row, approved: the team's own list counts at once. A registration already there (same
    /// organizer, name and first day) is left as it is.
    async fn add_event(&mut self, conn: &mut Conn, f: &EventFields) -> Result<RowOutcome> {
        let added =
            insert_event(conn, self.campaign, f, EventStatus::Approved, "en", self.registered, Some(self.tag)).await?;
        let Some(id) = added else { return Ok(RowOutcome::Existing) };
        self.counted.push(Contribution {
            students: f.students_expected,
            country: f.country.clone(),
            event_type: f.event_type,
            week: week_of(self.batch.created_at.date_naive()),
        });
        Ok(RowOutcome::Created(Some(id.0)))
    }

    /// An activity row, listed: the team's own catalogue. One the campaign has already (the same link,
    /// or the same title in the same language, whatever its status) is left as it is.
    async fn add_activity(&mut self, conn: &mut Conn, f: &ActivityFields) -> Result<RowOutcome> {
        if activity_exists(conn, self.campaign, f).await? {
            return Ok(RowOutcome::Existing);
        }
        let status = ActivityStatus::Listed;
        let id =
            super::activities::insert_activity(conn, self.campaign, status, f, None, Some(self.tag), self.now).await?;
        Ok(RowOutcome::Created(Some(id.0)))
    }
}

/// Whether the campaign's catalogue has an activity with `f`'s link, or with the title of one of its
/// texts in that text's language.
async fn activity_exists(conn: &mut Conn, campaign: CampaignId, f: &ActivityFields) -> Result<bool> {
    if let Some(url) = &f.url {
        let same = sqlx::query("SELECT 1 FROM activities WHERE campaign_id = $1 AND url = $2 LIMIT 1")
            .bind(campaign.0)
            .bind(url)
            .fetch_optional(&mut *conn)
            .await?;
        if same.is_some() {
            return Ok(true);
        }
    }
    for t in &f.texts {
        let same = sqlx::query(
            "SELECT 1 FROM activity_texts t JOIN activities a ON a.id = t.activity_id \
             WHERE a.campaign_id = $1 AND t.language = $2 AND t.title = $3 LIMIT 1",
        )
        .bind(campaign.0)
        .bind(t.language.as_str())
        .bind(&t.title)
        .fetch_optional(&mut *conn)
        .await?;
        if same.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

#[async_trait]
impl Imports for Backend {
    async fn start_import(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
        file_name: &str,
        options: &str,
        dry_run: bool,
    ) -> Result<ImportBatch> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, import_action(kind), "campaign").await?;
        let status = if dry_run { BatchStatus::DryRun } else { BatchStatus::Running };
        let row = sqlx::query(
            "INSERT INTO import_batches (campaign_id, kind, file_name, options, status, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(campaign.0)
        .bind(kind.as_str())
        .bind(file_name)
        .bind(options)
        .bind(status.as_str())
        .bind(actor.user_id().map(|u| u.0))
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await?;
        let batch = fetch_batch(&mut tx, row.try_get("id")?).await?;
        tx.commit().await?;
        Ok(batch)
    }

    async fn import_directory(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PartnerKeyRow>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows =
            sqlx::query("SELECT id, name, website, country, region FROM partners WHERE campaign_id = $1 ORDER BY id")
                .bind(campaign.0)
                .fetch_all(&mut *conn)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(PartnerKeyRow {
                    id: PartnerId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    website: r.try_get("website")?,
                    country: r.try_get("country")?,
                    region: r.try_get("region")?,
                })
            })
            .collect()
    }

    async fn existing_contacts(
        &self,
        actor: Actor,
        campaign: CampaignId,
        emails: &[&Email],
    ) -> Result<Vec<KnownContact>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let mut found = Vec::new();
        for part in emails.chunks(1000) {
            let list: Vec<String> = part.iter().map(|e| e.as_str().to_owned()).collect();
            for r in contacts_by_email(&mut conn, campaign, list).await? {
                found.push(KnownContact {
                    email: r.try_get("email")?,
                    id: r.try_get("id")?,
                    partner_id: PartnerId(r.try_get("partner_id")?),
                    import_batch: r.try_get("import_batch")?,
                });
            }
        }
        Ok(found)
    }

    async fn import_rows(
        &self,
        actor: Actor,
        batch: &ImportBatch,
        rows: &[ImportRow],
        commit: bool,
    ) -> Result<ChunkResult> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, batch.campaign_id, import_action(batch.kind), "campaign").await?;
        let current = fetch_batch(&mut tx, batch.id).await?;
        if current.campaign_id != batch.campaign_id
            || !matches!(current.status, BatchStatus::Running | BatchStatus::DryRun)
        {
            return Err(StoreError::Conflict { field: "import", message: "this import is finished".into() });
        }
        let mut chunk = Chunk::new(actor, batch);
        let mut outcomes = vec![RowOutcome::Existing; rows.len()];
        let mut new_contacts: Vec<(usize, i64, &ContactFields)> = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let outcome = match (&row.record, row.action) {
                (ImportRecord::Partner { fields: f, .. }, RowAction::Create) => {
                    chunk.create_partner(&mut tx, row.number, f).await?
                }
                (ImportRecord::Partner { patch, .. }, RowAction::Update(id)) => {
                    chunk.update_partner(&mut tx, id, patch).await?
                }
                (ImportRecord::Contact { partner, fields, patch }, action) => {
                    let partner_id = chunk.contact_partner(&mut tx, partner).await?;
                    match action {
                        RowAction::Create => {
                            // Written together after the loop, 500 a statement.
                            new_contacts.push((index, partner_id, fields));
                            continue;
                        }
                        RowAction::Update(id) => chunk.update_contact(&mut tx, id, partner_id, patch).await?,
                    }
                }
                (ImportRecord::Event(f), _) => chunk.add_event(&mut tx, f).await?,
                (ImportRecord::Activity(f), _) => chunk.add_activity(&mut tx, f).await?,
            };
            outcomes[index] = outcome;
        }
        insert_contacts(&mut tx, chunk.campaign, chunk.tag, &new_contacts, chunk.now, &mut outcomes).await?;
        retally(&mut tx, chunk.campaign, &[], &chunk.counted).await?;
        let mut result = ChunkResult { outcomes, new_partners: chunk.new_partners };
        if commit {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
            result.new_partners.clear();
        }
        Ok(result)
    }

    async fn import_progress(&self, batch: i64, counts: ImportCounts) -> Result<()> {
        let before: Option<i64> = sqlx::query("SELECT created FROM import_batches WHERE id = $1")
            .bind(batch)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("created"))
            .transpose()?;
        // Each time the rows written grow tenfold (from 10,000), the planner learns the tables' new size:
        // PostgreSQL otherwise plans the next chunk's lookups for the nearly empty table it last analyzed.
        let magnitude = |n: i64| if n < 10_000 { 0 } else { n.ilog10() };
        if before.is_some_and(|b| magnitude(counts.created) > magnitude(b)) {
            self.after_bulk_load(usize::try_from(counts.created).unwrap_or(usize::MAX)).await?;
        }
        sqlx::query(
            "UPDATE import_batches SET rows_read = $1, created = $2, updated = $3, skipped = $4, failed = $5, \
             contacts_created = $6, contacts_updated = $7 WHERE id = $8 AND finished_at IS NULL",
        )
        .bind(counts.rows_read)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.skipped)
        .bind(counts.failed)
        .bind(counts.contacts_created)
        .bind(counts.contacts_updated)
        .bind(batch)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn finish_import(&self, batch: i64, status: BatchStatus, counts: ImportCounts) -> Result<ImportBatch> {
        let mut tx = self.begin_write().await?;
        let current = fetch_batch(&mut tx, batch).await?;
        if status == BatchStatus::RolledBack && current.status == BatchStatus::Running {
            self.take_back(&mut tx, &current, BatchStatus::RolledBack, false).await?;
        }
        sqlx::query(
            "UPDATE import_batches SET status = $1, rows_read = $2, created = $3, updated = $4, skipped = $5, \
             failed = $6, contacts_created = $7, contacts_updated = $8, finished_at = $9 WHERE id = $10",
        )
        .bind(status.as_str())
        .bind(counts.rows_read)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.skipped)
        .bind(counts.failed)
        .bind(counts.contacts_created)
        .bind(counts.contacts_updated)
        .bind(now_micros())
        .bind(batch)
        .execute(&mut *tx)
        .await?;
        let batch = fetch_batch(&mut tx, batch).await?;
        if status == BatchStatus::Applied {
            // Recorded as whoever started it: the batch runs over many transactions, this is its end.
            let by = batch.user_id.map_or(Actor::System, Actor::User);
            record_batch(&mut tx, by, &batch, AuditAction::ImportRun).await?;
        }
        tx.commit().await?;
        if status == BatchStatus::Applied {
            self.after_bulk_load(usize::try_from(counts.created).unwrap_or(0)).await?;
        }
        Ok(batch)
    }

    async fn undo_import(&self, actor: Actor, id: i64) -> Result<ImportBatch> {
        let mut tx = self.begin_write().await?;
        let batch = fetch_batch(&mut tx, id).await?;
        authorize(&mut tx, actor, batch.campaign_id, import_action(batch.kind), "import").await?;
        self.take_back(&mut tx, &batch, BatchStatus::Undone, true).await?;
        let batch = fetch_batch(&mut tx, id).await?;
        record_batch(&mut tx, actor, &batch, AuditAction::ImportUndone).await?;
        tx.commit().await?;
        Ok(batch)
    }

    async fn import_batch(&self, actor: Actor, id: i64) -> Result<ImportBatch> {
        let mut conn = self.pool.acquire().await?;
        let batch = fetch_batch(&mut conn, id).await?;
        authorize(&mut conn, actor, batch.campaign_id, Action::Read, "import").await?;
        Ok(batch)
    }

    async fn import_batches(&self, actor: Actor, campaign: CampaignId, limit: i64) -> Result<Vec<ImportBatch>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches WHERE campaign_id = $1 ORDER BY id DESC LIMIT $2"
        ));
        let rows = sqlx::query(sql).bind(campaign.0).bind(limit.clamp(1, 500)).fetch_all(&mut *conn).await?;
        rows.iter().map(batch_from_row).collect()
    }

    async fn save_import_mapping(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
        name: &str,
        mapping: &str,
    ) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Invalid::field("mapping_name", "give the mapping a name of 1 to 80 characters").into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, import_action(kind), "campaign").await?;
        sqlx::query(
            "INSERT INTO import_mappings (campaign_id, kind, name, mapping, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (campaign_id, kind, name) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .bind(campaign.0)
        .bind(kind.as_str())
        .bind(name)
        .bind(mapping)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_mappings(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
    ) -> Result<Vec<(String, String)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows =
            sqlx::query("SELECT name, mapping FROM import_mappings WHERE campaign_id = $1 AND kind = $2 ORDER BY name")
                .bind(campaign.0)
                .bind(kind.as_str())
                .fetch_all(&mut *conn)
                .await?;
        rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("mapping")?))).collect()
    }
}

impl Backend {
    /// Takes back what a batch wrote, inside the caller's transaction. `newest_first` refuses when a
    /// later import of the campaign is still in place (undo goes back in order).
    async fn take_back(
        &self,
        tx: &mut Conn,
        batch: &ImportBatch,
        status: BatchStatus,
        newest_first: bool,
    ) -> Result<()> {
        check_undoable(tx, batch, newest_first).await?;
        restore_changed(tx, batch.id).await?;
        remove_added(tx, batch).await?;
        sqlx::query("DELETE FROM import_undo WHERE batch_id = $1").bind(batch.id).execute(&mut *tx).await?;
        sqlx::query("UPDATE import_batches SET status = $1, undone_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now_micros())
            .bind(batch.id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

/// An audit entry for an import batch applied or undone, with what it did.
async fn record_batch(conn: &mut Conn, actor: Actor, batch: &ImportBatch, action: AuditAction) -> Result<()> {
    let target = Target { kind: "import", id: Some(batch.id), label: &batch.file_name };
    let c = &batch.counts;
    let detail = serde_json::json!({
        "kind": batch.kind.as_str(),
        "created": c.created,
        "updated": c.updated,
        "failed": c.failed,
        "contacts_created": c.contacts_created,
        "contacts_updated": c.contacts_updated,
    });
    record(conn, actor, Some(batch.campaign_id), action, Some(target), detail).await
}

/// Refuses to take back a batch with nothing to undo, or (`newest_first`) one a later import of the
/// campaign still in place came after.
async fn check_undoable(conn: &mut Conn, batch: &ImportBatch, newest_first: bool) -> Result<()> {
    if !batch.status.undoable() {
        return Err(StoreError::Conflict {
            field: "undo",
            message: format!(
                "import #{} is {}; there is nothing to undo",
                batch.id,
                batch.status.as_str().replace('_', " ")
            ),
        });
    }
    if !newest_first {
        return Ok(());
    }
    let later = sqlx::query(
        "SELECT id FROM import_batches WHERE campaign_id = $1 AND id > $2 AND status IN ('running', 'applied') \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(batch.campaign_id.0)
    .bind(batch.id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(later) = later {
        let later: i64 = later.try_get("id")?;
        return Err(StoreError::Conflict {
            field: "undo",
            message: format!("import #{later} came later and is still in place; undo it first"),
        });
    }
    Ok(())
}

/// Gives the rows batch `id` changed their previous values back.
async fn restore_changed(conn: &mut Conn, id: i64) -> Result<()> {
    let batch = id;
    // Rows the batch changed get their previous values, newest change last undone first.
    let changed =
        sqlx::query("SELECT entity, entity_id, before FROM import_undo WHERE batch_id = $1 ORDER BY entity, entity_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    for r in &changed {
        let entity: String = r.try_get("entity")?;
        let id: i64 = r.try_get("entity_id")?;
        let before: String = r.try_get("before")?;
        match entity.as_str() {
            "partner" => {
                let before: PartnerBefore = serde_json::from_str(&before).map_err(|e| corrupt("before", e))?;
                // A partner deleted since has nothing to restore.
                if let Ok(current) = fetch_partner(conn, PartnerId(id)).await {
                    overwrite_partner(conn, &current, &before.fields, before.updated_at).await?;
                }
            }
            "contact" => {
                let before: ContactBefore = serde_json::from_str(&before).map_err(|e| corrupt("before", e))?;
                let exists =
                    sqlx::query("SELECT id FROM contacts WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
                if exists.is_some() {
                    let (current, owner) = fetch_contact(conn, ContactId(id)).await?;
                    overwrite_contact(conn, id, before.partner_id, &before.fields, before.updated_at).await?;
                    // Consent put back is a consent change too, by the import's undo.
                    if current.fields.consent != before.fields.consent {
                        let (method, campaign) = (ConsentMethod::Import, owner.campaign_id);
                        let fields = &before.fields;
                        contact_consent_set(conn, Actor::System, method, campaign, ContactId(id), fields, Some(batch))
                            .await?;
                    }
                }
            }
            other => return Err(corrupt("entity", other)),
        }
    }
    Ok(())
}

/// Deletes the events, contacts, activities and partners the batch added, taking them out of the
/// tallies first.
async fn remove_added(conn: &mut Conn, batch: &ImportBatch) -> Result<()> {
    let campaign = batch.campaign_id;
    // Events it added stop counting, then go.
    let events = sqlx::query(concat!("SELECT ", event_columns!(), " FROM events e WHERE e.import_batch = $1"))
        .bind(batch.id)
        .fetch_all(&mut *conn)
        .await?;
    let mut old = Vec::new();
    for r in &events {
        old.extend(event_from_row(r)?.contribution());
    }
    retally(conn, campaign, &old, &[]).await?;
    sqlx::query("DELETE FROM events WHERE import_batch = $1").bind(batch.id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM contacts WHERE import_batch = $1").bind(batch.id).execute(&mut *conn).await?;
    // Their texts and facets go with them; events that chose one keep running without it.
    sqlx::query("DELETE FROM activities WHERE import_batch = $1").bind(batch.id).execute(&mut *conn).await?;
    // Partners it added leave the tallies, then go with everything attached to them.
    let gone = sqlx::query(
        "SELECT stage, category, COUNT(*) AS n, CAST(COALESCE(SUM(reach), 0) AS BIGINT) AS r FROM partners \
         WHERE import_batch = $1 GROUP BY stage, category",
    )
    .bind(batch.id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &gone {
        let stage = text(r, "stage", Stage::parse)?;
        let category = text(r, "category", Category::parse)?;
        let (n, reach): (i64, i64) = (r.try_get("n")?, r.try_get("r")?);
        tally(conn, campaign, stage, category, -n, -reach).await?;
    }
    sqlx::query("DELETE FROM partners WHERE import_batch = $1").bind(batch.id).execute(&mut *conn).await?;
    Ok(())
}

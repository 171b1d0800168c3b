//! Imports as the store sees them: a batch per import, rows that are already validated and whose
//! duplicate question is already answered (create, or update which row), and undo.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::activity::ActivityFields;
use rally_domain::event::EventFields;
use rally_domain::{
    CampaignId, Category, ContactDraft, ContactFields, Email, PartnerDraft, PartnerFields, PartnerId, UserId,
};
use serde::Serialize;

use crate::{Actor, Result};

/// What a file is imported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Partners,
    Contacts,
    Events,
    /// The activity catalogue (Rally's columns or code.org's tutorial list), added as listed activities.
    Activities,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] =
        [ImportKind::Partners, ImportKind::Contacts, ImportKind::Events, ImportKind::Activities];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Partners => "partners",
            ImportKind::Contacts => "contacts",
            ImportKind::Events => "events",
            ImportKind::Activities => "activities",
        }
    }

    pub fn parse(s: &str) -> Result<ImportKind, String> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown import `{s}`; expected partners, contacts, events or activities"))
    }
}

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Rows are being written (or the import stopped half-way: undo removes what it wrote).
    Running,
    /// Checked only; nothing was written.
    DryRun,
    Applied,
    /// Rows had errors and partial imports were not accepted, so what was written was taken back.
    RolledBack,
    Undone,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Running => "running",
            BatchStatus::DryRun => "dry_run",
            BatchStatus::Applied => "applied",
            BatchStatus::RolledBack => "rolled_back",
            BatchStatus::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Result<BatchStatus, String> {
        [BatchStatus::Running, BatchStatus::DryRun, BatchStatus::Applied, BatchStatus::RolledBack, BatchStatus::Undone]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown batch status `{s}`"))
    }

    /// Whether undo has anything to take back.
    pub fn undoable(self) -> bool {
        matches!(self, BatchStatus::Running | BatchStatus::Applied)
    }
}

/// Rows read, and what became of them. A partner import counts its rows by their partner, and the
/// contacts its rows carried beside them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    /// Contacts a partner import added with its partners.
    pub contacts_created: i64,
    /// Contacts a partner import changed.
    pub contacts_updated: i64,
}

/// One import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportBatch {
    pub id: i64,
    pub campaign_id: CampaignId,
    pub kind: ImportKind,
    pub file_name: String,
    /// The mapping, dedupe key, duplicate rule, encoding and delimiter used (JSON).
    pub options: String,
    pub status: BatchStatus,
    pub user_id: Option<UserId>,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// The partner a contact row belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerRef {
    Existing(PartnerId),
    /// The partner an earlier row of the same chunk creates (by its row number).
    Row(u64),
    /// Not in the campaign yet: created as a lead in this batch.
    New {
        name: String,
        category: Category,
    },
}

/// A validated row, or one half of it: a partner import's row with a contact is a partner record and a
/// contact record of the same number. (Rows travel a chunk at a time, so the variants' sizes do not
/// matter.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum ImportRecord {
    /// A new partner's fields, and the file's values alone: an update changes only those.
    Partner {
        fields: Box<PartnerFields>,
        patch: Box<PartnerDraft>,
    },
    Contact {
        partner: PartnerRef,
        fields: ContactFields,
        patch: ContactDraft,
    },
    Event(Box<EventFields>),
    /// A catalogue entry, added as listed (one with the same link, or the same title in the same
    /// language, is left as it is).
    Activity(Box<ActivityFields>),
}

/// What to do with a row: add it, or overwrite the existing row it duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    Create,
    Update(i64),
}

#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The row's number in the file (the header is row 1).
    pub number: u64,
    pub action: RowAction,
    pub record: ImportRecord,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Added; the new row's id where it was read back (partners and events; contacts are inserted
    /// many to a statement and not read back).
    Created(Option<i64>),
    Updated(i64),
    /// An update that found nothing to change.
    Unchanged(i64),
    /// Already there (an event registration with the same organizer, name and first day; an activity
    /// with the same link, or the same title in the same language).
    Existing,
}

/// A chunk's outcomes, in row order, and the partners it created for contact rows (by name as written).
#[derive(Debug, Clone, Default)]
pub struct ChunkResult {
    pub outcomes: Vec<RowOutcome>,
    pub new_partners: Vec<(String, PartnerId)>,
}

/// A contact of the campaign an import row may be (by its address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownContact {
    pub email: String,
    pub id: i64,
    pub partner_id: PartnerId,
    /// The import that created it, if one did.
    pub import_batch: Option<i64>,
}

/// A partner as imports match it: by website, by name and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerKeyRow {
    pub id: PartnerId,
    pub name: String,
    pub website: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
}

/// The store's side of imports. Rows arrive validated; the caller has already decided whether each is
/// new or updates an existing row (with [`Imports::import_directory`] and
/// [`Imports::existing_contacts`]), so a chunk is one transaction of plain writes.
#[async_trait]
pub trait Imports {
    /// Opens a batch (status `running`, or `dry_run` when nothing will be written). Needs the right
    /// to edit the campaign (events: to moderate them).
    async fn start_import(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
        file_name: &str,
        options: &str,
        dry_run: bool,
    ) -> Result<ImportBatch>;
    /// The campaign's partners, to match rows against.
    async fn import_directory(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PartnerKeyRow>>;
    /// The contacts of the campaign with these addresses.
    async fn existing_contacts(
        &self,
        actor: Actor,
        campaign: CampaignId,
        emails: &[&Email],
    ) -> Result<Vec<KnownContact>>;
    /// Writes a chunk of rows in one transaction, recording what undo needs; with `commit` false the
    /// transaction is rolled back (a dry run sees exactly what a real run would do).
    async fn import_rows(
        &self,
        actor: Actor,
        batch: &ImportBatch,
        rows: &[ImportRow],
        commit: bool,
    ) -> Result<ChunkResult>;
    /// Records how far a running import has got (shown by its progress bar).
    async fn import_progress(&self, batch: i64, counts: ImportCounts) -> Result<()>;
    /// Records the counts and the batch's final status.
    async fn finish_import(&self, batch: i64, status: BatchStatus, counts: ImportCounts) -> Result<ImportBatch>;
    /// Takes a batch back: rows it created are deleted, rows it changed get their previous values.
    /// Batches are undone newest first: a later import of the campaign that is still in place is
    /// undone before an earlier one.
    async fn undo_import(&self, actor: Actor, batch: i64) -> Result<ImportBatch>;
    async fn import_batch(&self, actor: Actor, batch: i64) -> Result<ImportBatch>;
    /// The campaign's imports, newest first.
    async fn import_batches(&self, actor: Actor, campaign: CampaignId, limit: i64) -> Result<Vec<ImportBatch>>;
    async fn save_import_mapping(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
        name: &str,
        mapping: &str,
    ) -> Result<()>;
    /// Saved mappings by name (JSON), alphabetically.
    async fn import_mappings(
        &self,
        actor: Actor,
        campaign: CampaignId,
        kind: ImportKind,
    ) -> Result<Vec<(String, String)>>;
}

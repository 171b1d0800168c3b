//! The asset library (posters, certificates, slides, logos) and what was sent to which partner.
//! Implemented in `sql/assets.rs`.

use async_trait::async_trait;
use rally_domain::{Asset, AssetFields, AssetId, AssetSend, CampaignId, PartnerId, StoredFile};

use crate::{Actor, Result};

/// The asset library and what was sent to whom. Part of every [`crate::Store`].
#[async_trait]
pub trait Assets {
    async fn create_asset(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: AssetFields,
        file: Option<StoredFile>,
    ) -> Result<Asset>;
    async fn assets(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Asset>>;
    async fn asset(&self, actor: Actor, id: AssetId) -> Result<Asset>;
    /// Replaces an asset's details; its file (or, for a link, that it has none) stays. A file keeps no
    /// link beside it, and a link asset keeps its address.
    async fn update_asset(&self, actor: Actor, id: AssetId, fields: AssetFields) -> Result<Asset>;
    async fn delete_asset(&self, actor: Actor, id: AssetId) -> Result<()>;
    /// Records that assets of the partner's campaign were sent to it (and makes them downloadable
    /// through its link).
    async fn send_assets(
        &self,
        actor: Actor,
        partner: PartnerId,
        assets: &[AssetId],
        note: &str,
    ) -> Result<Vec<AssetSend>>;
    /// What was sent to a partner, newest first.
    async fn asset_sends(&self, actor: Actor, partner: PartnerId) -> Result<Vec<AssetSend>>;
    /// Whether any asset or partner logo still uses a stored file.
    async fn file_in_use(&self, sha256: &str) -> Result<bool>;
}

//! [`crate::Assets`] in SQL: the asset library and what was sent to whom.

use async_trait::async_trait;
use rally_domain::limits;
use rally_domain::{
    Action, Asset, AssetFields, AssetId, AssetSend, Audience, CampaignId, Invalid, LanguageTag, PartnerId, StoredFile,
};
use sqlx::Row;

use super::workflow::{asset_from_row, fetch_asset, missing_as, send_from_row};
use super::{Backend, Conn, authorize, can_edit, can_read, partner_for};
use crate::Assets;
use crate::{Actor, Result, now_micros};

#[async_trait]
impl Assets for Backend {
    async fn create_asset(
        &self,
        actor: Actor,
        campaign: CampaignId,
        f: AssetFields,
        file: Option<StoredFile>,
    ) -> Result<Asset> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        let row = sqlx::query(
            "INSERT INTO assets (campaign_id, title, kind, language, audience, url, description, sha256, media_type, size, \
             filename, width, height, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(campaign.0)
        .bind(&f.title)
        .bind(f.kind.as_str())
        .bind(f.language.as_ref().map(LanguageTag::as_str))
        .bind(f.audience.map(Audience::as_str))
        .bind(&f.url)
        .bind(&f.description)
        .bind(file.as_ref().map(|x| x.sha256.clone()))
        .bind(file.as_ref().map(|x| x.media_type.as_str()))
        .bind(file.as_ref().map(|x| x.size))
        .bind(file.as_ref().map(|x| x.filename.clone()))
        .bind(file.as_ref().and_then(|x| x.width).map(i64::from))
        .bind(file.as_ref().and_then(|x| x.height).map(i64::from))
        .bind(actor.user_id().map(|u| u.0))
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await?;
        let asset = fetch_asset(&mut tx, AssetId(row.try_get("id")?)).await?;
        tx.commit().await?;
        Ok(asset)
    }

    async fn assets(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Asset>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            asset_columns!(),
            " FROM assets s WHERE s.campaign_id = $1 ORDER BY s.kind, s.title, s.id"
        ))
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(asset_from_row).collect()
    }

    async fn asset(&self, actor: Actor, id: AssetId) -> Result<Asset> {
        let mut conn = self.pool.acquire().await?;
        let asset = fetch_asset(&mut conn, id).await?;
        authorize(&mut conn, actor, asset.campaign_id, Action::Read, "asset").await?;
        Ok(asset)
    }

    async fn update_asset(&self, actor: Actor, id: AssetId, f: AssetFields) -> Result<Asset> {
        let mut tx = self.begin_write().await?;
        let stored = fetch_asset(&mut tx, id).await?;
        authorize(&mut tx, actor, stored.campaign_id, Action::EditCampaign, "asset").await?;
        match (stored.file.is_some(), f.url.is_some()) {
            (true, true) => return Err(Invalid::field("url", "an asset is a file or a link, not both").into()),
            (false, false) => return Err(Invalid::field("url", "required: a link asset keeps its address").into()),
            _ => {}
        }
        sqlx::query(
            "UPDATE assets SET title = $1, kind = $2, language = $3, audience = $4, url = $5, description = $6 \
             WHERE id = $7",
        )
        .bind(&f.title)
        .bind(f.kind.as_str())
        .bind(f.language.as_ref().map(LanguageTag::as_str))
        .bind(f.audience.map(Audience::as_str))
        .bind(&f.url)
        .bind(&f.description)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let asset = fetch_asset(&mut tx, id).await?;
        tx.commit().await?;
        Ok(asset)
    }

    async fn delete_asset(&self, actor: Actor, id: AssetId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let asset = fetch_asset(&mut tx, id).await?;
        authorize(&mut tx, actor, asset.campaign_id, Action::EditCampaign, "asset").await?;
        sqlx::query("DELETE FROM assets WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn send_assets(
        &self,
        actor: Actor,
        partner: PartnerId,
        assets: &[AssetId],
        note: &str,
    ) -> Result<Vec<AssetSend>> {
        if assets.is_empty() {
            return Err(Invalid::field("assets", "choose at least one asset").into());
        }
        if assets.len() > limits::ASSETS_AT_ONCE {
            return Err(Invalid::field("assets", format!("at most {} assets at once", limits::ASSETS_AT_ONCE)).into());
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(Invalid::field("note", "must be at most 2000 characters").into());
        }
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, can_edit).await?;
        let now = now_micros();
        let mut ids = Vec::new();
        for id in assets {
            let asset = fetch_asset(&mut tx, *id).await.map_err(missing_as(no_asset(*id)))?;
            if asset.campaign_id != p.campaign_id {
                return Err(no_asset(*id).into());
            }
            let row = sqlx::query(
                "INSERT INTO asset_sends (partner_id, asset_id, sent_at, sent_by, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(partner.0)
            .bind(id.0)
            .bind(now)
            .bind(actor.user_id().map(|u| u.0))
            .bind(note)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(row.try_get::<i64, _>("id")?);
        }
        let sends = sends_of(&mut tx, partner).await?;
        tx.commit().await?;
        Ok(sends.into_iter().filter(|s| ids.contains(&s.id)).collect())
    }

    async fn asset_sends(&self, actor: Actor, partner: PartnerId) -> Result<Vec<AssetSend>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        sends_of(&mut conn, partner).await
    }

    async fn file_in_use(&self, sha256: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM assets WHERE sha256 = $1) + (SELECT COUNT(*) FROM partners WHERE logo_sha256 = $1) AS n",
        )
        .bind(sha256)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}

fn no_asset(id: AssetId) -> Invalid {
    Invalid::field("assets", format!("no asset {id} in this campaign"))
}

async fn sends_of(conn: &mut Conn, partner: PartnerId) -> Result<Vec<AssetSend>> {
    let rows = sqlx::query(
        "SELECT d.id, d.partner_id, d.asset_id, s.title, s.kind, d.sent_at, d.sent_by, u.name AS sent_by_name, d.note \
         FROM asset_sends d JOIN assets s ON s.id = d.asset_id LEFT JOIN users u ON u.id = d.sent_by \
         WHERE d.partner_id = $1 ORDER BY d.sent_at DESC, d.id DESC",
    )
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(send_from_row).collect()
}

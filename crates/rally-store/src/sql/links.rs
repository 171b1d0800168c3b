//! [`crate::Links`] in SQL: a partner's logo and recognition choice, its link and what the partner does
//! through it, and the public recognition wall.

use async_trait::async_trait;
use rally_domain::consent::ConsentMethod;
use rally_domain::{
    Asset, AssetId, CampaignId, Commitment, CommitmentId, Consent, ContactId, Invalid, Partner, PartnerId,
    PartnerResponse, Reach, StoredFile, Tier,
};
use sqlx::Row;

use super::workflow::{
    asset_from_row, fetch_ask, fetch_asset, fetch_commitment, file_from_row, partner_commitments, write_commitment,
};
use super::{Backend, Conn, can_edit, can_read, fetch_campaign, fetch_contact, fetch_partner, partner_for, text, time};
use crate::Links;
use crate::{
    Actor, CampaignContact, LinkContact, LinkInfo, LinkView, PartnerProfile, Recognized, Result, StoreError, corrupt,
    from_micros, now_micros,
};

#[async_trait]
impl Links for Backend {
    async fn partner_profile(&self, actor: Actor, partner: PartnerId) -> Result<PartnerProfile> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, can_read).await?;
        fetch_profile(&mut conn, partner).await
    }

    async fn set_partner_logo(&self, actor: Actor, partner: PartnerId, logo: Option<StoredFile>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_edit).await?;
        write_logo(&mut tx, partner, logo.as_ref()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_recognition_opt_out(&self, actor: Actor, partner: PartnerId, opt_out: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_edit).await?;
        write_opt_out(&mut tx, partner, opt_out).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_partner_link(&self, actor: Actor, partner: PartnerId, token_hash: &str) -> Result<LinkInfo> {
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_edit).await?;
        let now = now_micros();
        revoke_links(&mut tx, partner, now).await?;
        sqlx::query(
            "INSERT INTO partner_links (partner_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(partner.0)
        .bind(token_hash)
        .bind(actor.user_id().map(|u| u.0))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(LinkInfo { created_at: from_micros(now)?, last_used_at: None })
    }

    async fn revoke_partner_link(&self, actor: Actor, partner: PartnerId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        partner_for(&mut tx, actor, partner, can_edit).await?;
        revoke_links(&mut tx, partner, now_micros()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link_view(&self, token_hash: &str) -> Result<LinkView> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        let campaign = fetch_campaign(&mut tx, partner.campaign_id).await?;
        let commitments = partner_commitments(&mut tx, partner.id).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            asset_columns!(),
            " FROM assets s WHERE s.id IN (SELECT asset_id FROM asset_sends WHERE partner_id = $1) ORDER BY s.kind, s.title, s.id"
        ))
        .bind(partner.id.0)
        .fetch_all(&mut *tx)
        .await?;
        let assets = rows.iter().map(asset_from_row).collect::<Result<_>>()?;
        let mut profile = fetch_profile(&mut tx, partner.id).await?;
        // The link page does not need to know about the link.
        profile.link = None;
        let contact_language = first_contact_language(&mut tx, partner.id).await?;
        let campaign_contact = campaign_contact(&mut tx, &partner).await?;
        let contacts = link_contacts(&mut tx, partner.id).await?;
        tx.commit().await?;
        Ok(LinkView { partner, campaign, commitments, assets, profile, contact_language, campaign_contact, contacts })
    }

    async fn link_respond(
        &self,
        token_hash: &str,
        commitment: CommitmentId,
        response: PartnerResponse,
        today: chrono::NaiveDate,
    ) -> Result<Commitment> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        let stored = fetch_commitment(&mut tx, commitment).await?;
        if stored.partner_id != partner.id {
            return Err(StoreError::NotFound("commitment"));
        }
        let ask = fetch_ask(&mut tx, stored.ask_id).await?;
        let f = response.apply(&stored, ask.fields.due_on)?;
        write_commitment(&mut tx, commitment, &f, stored.status, today, true).await?;
        let c = fetch_commitment(&mut tx, commitment).await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn link_set_logo(&self, token_hash: &str, logo: StoredFile) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        write_logo(&mut tx, partner.id, Some(&logo)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link_set_opt_out(&self, token_hash: &str, opt_out: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        write_opt_out(&mut tx, partner.id, opt_out).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link_set_contact_consent(&self, token_hash: &str, contact: ContactId, consent: Consent) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        // Any contact that is not this partner's is "not found", so a link learns nothing of others.
        let (mut stored, _) = match fetch_contact(&mut tx, contact).await {
            Ok(found) if found.0.partner_id == partner.id => found,
            Ok(_) | Err(StoreError::NotFound(_)) => return Err(StoreError::NotFound("contact")),
            Err(e) => return Err(e),
        };
        if consent == Consent::Unknown {
            return Err(Invalid::field("consent", "choose whether the contact gets campaign e-mail").into());
        }
        if stored.fields.consent == consent {
            // Nothing changed, so there is nothing to record; the link's use is still noted.
            tx.commit().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE contacts SET consent = $1, updated_at = $2 WHERE id = $3")
            .bind(consent.as_str())
            .bind(now_micros())
            .bind(contact.0)
            .execute(&mut *tx)
            .await?;
        stored.fields.consent = consent;
        // The partner, not a team member, made this choice: `Actor::System` with the link's method, so
        // the row keeps the client's address and user agent and the notice for the contact's language.
        super::consent::contact_consent_set(
            &mut tx,
            Actor::System,
            ConsentMethod::PartnerLink,
            partner.campaign_id,
            contact,
            &stored.fields,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn link_asset(&self, token_hash: &str, asset: AssetId) -> Result<Asset> {
        let mut tx = self.begin_write().await?;
        let partner = link_partner(&mut tx, token_hash).await?;
        let sent = sqlx::query("SELECT 1 AS one FROM asset_sends WHERE partner_id = $1 AND asset_id = $2 LIMIT 1")
            .bind(partner.id.0)
            .bind(asset.0)
            .fetch_optional(&mut *tx)
            .await?;
        if sent.is_none() {
            return Err(StoreError::NotFound("asset"));
        }
        let asset = fetch_asset(&mut tx, asset).await?;
        tx.commit().await?;
        Ok(asset)
    }

    async fn recognition(&self, campaign: CampaignId) -> Result<Vec<Recognized>> {
        let mut conn = self.pool.acquire().await?;
        fetch_campaign(&mut conn, campaign).await?;
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.website, p.reach, c.high_reach_threshold, p.logo_sha256, p.logo_media_type, \
             p.logo_width, p.logo_height FROM partners p JOIN campaigns c ON c.id = p.campaign_id \
             WHERE p.campaign_id = $1 AND p.stage = 'closed_won' AND p.recognition_opt_out = FALSE \
             ORDER BY CASE WHEN p.reach >= c.high_reach_threshold THEN 0 ELSE 1 END, p.sort_name, p.id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let reach = Reach::new(r.try_get("reach")?).map_err(|e| corrupt("reach", e))?;
                Ok(Recognized {
                    partner_id: PartnerId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    website: r.try_get("website")?,
                    tier: Tier::of(reach, r.try_get("high_reach_threshold")?),
                    logo: file_from_row(r, "logo_sha256", "logo_media_type", None, None, "logo_width", "logo_height")?,
                })
            })
            .collect()
    }
}

/// The partner behind a link token, if the link is live. Marks the link used.
async fn link_partner(conn: &mut Conn, token_hash: &str) -> Result<Partner> {
    let row = sqlx::query(
        "UPDATE partner_links SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING partner_id",
    )
    .bind(now_micros())
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?
    // One answer for unknown and revoked links, so a link says nothing about the partner it was for.
    .ok_or(StoreError::NotFound("link"))?;
    fetch_partner(conn, PartnerId(row.try_get("partner_id")?)).await
}

async fn write_opt_out(conn: &mut Conn, partner: PartnerId, opt_out: bool) -> Result<()> {
    sqlx::query("UPDATE partners SET recognition_opt_out = $1 WHERE id = $2")
        .bind(opt_out)
        .bind(partner.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends a partner's active links (a new one replaces them, or the team revokes them).
async fn revoke_links(conn: &mut Conn, partner: PartnerId, at: i64) -> Result<()> {
    sqlx::query("UPDATE partner_links SET revoked_at = $1 WHERE partner_id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(partner.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn write_logo(conn: &mut Conn, partner: PartnerId, logo: Option<&StoredFile>) -> Result<()> {
    if let Some(l) = logo
        && !l.media_type.is_image()
    {
        return Err(Invalid::field("logo", "a logo must be an image (PNG, JPEG, WebP or SVG)").into());
    }
    sqlx::query(
        "UPDATE partners SET logo_sha256 = $1, logo_media_type = $2, logo_width = $3, logo_height = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(logo.map(|l| l.sha256.clone()))
    .bind(logo.map(|l| l.media_type.as_str()))
    .bind(logo.and_then(|l| l.width).map(i64::from))
    .bind(logo.and_then(|l| l.height).map(i64::from))
    .bind(now_micros())
    .bind(partner.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn fetch_profile(conn: &mut Conn, partner: PartnerId) -> Result<PartnerProfile> {
    let row = sqlx::query(
        "SELECT logo_sha256, logo_media_type, logo_width, logo_height, recognition_opt_out FROM partners WHERE id = $1",
    )
    .bind(partner.0)
    .fetch_one(&mut *conn)
    .await?;
    let logo = file_from_row(&row, "logo_sha256", "logo_media_type", None, None, "logo_width", "logo_height")?;
    let link = sqlx::query(
        "SELECT created_at, last_used_at FROM partner_links WHERE partner_id = $1 AND revoked_at IS NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(partner.0)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| -> Result<LinkInfo> {
        Ok(LinkInfo {
            created_at: time(&r, "created_at")?,
            last_used_at: r.try_get::<Option<i64>, _>("last_used_at")?.map(from_micros).transpose()?,
        })
    })
    .transpose()?;
    Ok(PartnerProfile { logo, recognition_opt_out: row.try_get("recognition_opt_out")?, link })
}

/// The language of the partner's first contact that has one.
async fn first_contact_language(conn: &mut Conn, partner: PartnerId) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT language FROM contacts WHERE partner_id = $1 AND language IS NOT NULL AND language <> '' \
         ORDER BY id LIMIT 1",
    )
    .bind(partner.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get("language")).transpose()?)
}

/// The partner's contacts as its link page shows them: name, role and campaign e-mail choice only.
async fn link_contacts(conn: &mut Conn, partner: PartnerId) -> Result<Vec<LinkContact>> {
    let rows = sqlx::query("SELECT id, name, role, consent FROM contacts WHERE partner_id = $1 ORDER BY id")
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LinkContact {
                id: ContactId(r.try_get("id")?),
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                consent: text(r, "consent", Consent::parse)?,
            })
        })
        .collect()
}

/// Whom the partner writes to: its owner, else the campaign's e-mail sender (reply-to first).
async fn campaign_contact(conn: &mut Conn, partner: &Partner) -> Result<Option<CampaignContact>> {
    if let Some(owner) = partner.fields.owner_id {
        let row =
            sqlx::query("SELECT name, email FROM users WHERE id = $1").bind(owner.0).fetch_optional(&mut *conn).await?;
        if let Some(r) = row {
            return Ok(Some(CampaignContact { name: r.try_get("name")?, email: r.try_get("email")? }));
        }
    }
    let row = sqlx::query("SELECT from_name, from_address, reply_to FROM mail_settings WHERE campaign_id = $1")
        .bind(partner.campaign_id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| -> Result<CampaignContact> {
        let reply_to: Option<String> = r.try_get("reply_to")?;
        let email = match reply_to.filter(|a| !a.is_empty()) {
            Some(a) => a,
            None => r.try_get("from_address")?,
        };
        Ok(CampaignContact { name: r.try_get("from_name")?, email })
    })
    .transpose()
}

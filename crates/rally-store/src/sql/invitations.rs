//! [`crate::Invitations`] in SQL: invitations to a campaign's team and reset links sent by its owners.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::team::Action;
use rally_domain::{AuditAction, CampaignId, Email, Invalid, Role, UserId};
use sqlx::Row;

use super::accounts::user_name;
use super::audit::{Target, record};
use super::outbox::enqueue_system;
use super::{Backend, Conn, DbRow, authorize, fetch_campaign, member_from_row, role_of, text, time, user_from_row};
use crate::{
    Actor, Invitation, Invitations, Invited, OpenInvitation, Result, StoreError, SystemMail, User, now_micros,
    to_micros,
};

macro_rules! invitation_columns {
    () => {
        "i.id, i.campaign_id, i.email, i.role, u.name AS invited_by, i.created_at, i.expires_at"
    };
}

fn invitation_from_row(r: &DbRow) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        campaign_id: CampaignId(r.try_get("campaign_id")?),
        email: text(r, "email", Email::parse)?,
        role: text(r, "role", Role::parse)?,
        invited_by: r.try_get("invited_by")?,
        created_at: time(r, "created_at")?,
        expires_at: time(r, "expires_at")?,
    })
}

async fn fetch_invitation(conn: &mut Conn, campaign: CampaignId, id: i64) -> Result<Invitation> {
    let row = sqlx::query(concat!(
        "SELECT ",
        invitation_columns!(),
        " FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
         WHERE i.id = $1 AND i.campaign_id = $2 AND i.accepted_at IS NULL AND i.revoked_at IS NULL"
    ))
    .bind(id)
    .bind(campaign.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("invitation"))?;
    invitation_from_row(&row)
}

/// Gives `user` `role` on `campaign`, or keeps the role they have.
async fn join(conn: &mut Conn, campaign: CampaignId, user: UserId, role: Role, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (campaign_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (campaign_id, user_id) DO NOTHING",
    )
    .bind(campaign.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Invitations for Backend {
    async fn invite(
        &self,
        actor: Actor,
        campaign: CampaignId,
        email: &Email,
        role: Role,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<Invited> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        let now = now_micros();
        let existing = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?;
        if let Some(user) = existing {
            let user = UserId(user);
            if role_of(&mut tx, Actor::User(user), campaign).await?.is_some() {
                return Err(
                    Invalid::field("email", "this person is already on the team; change their role below").into()
                );
            }
            join(&mut tx, campaign, user, role, now).await?;
            let row = sqlx::query(
                "SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.campaign_id = $1 AND m.user_id = $2",
            )
            .bind(campaign.0)
            .bind(user.0)
            .fetch_one(&mut *tx)
            .await?;
            let member = member_from_row(&row)?;
            let target = Target { kind: "user", id: Some(user.0), label: email.as_str() };
            let detail = serde_json::json!({ "role": role.as_str(), "joined": true });
            record(&mut tx, actor, Some(campaign), AuditAction::InvitationSent, Some(target), detail).await?;
            tx.commit().await?;
            return Ok(Invited::Member(member));
        }
        sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE campaign_id = $2 AND email = $3 AND accepted_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(campaign.0)
        .bind(email.as_str())
        .execute(&mut *tx)
        .await?;
        let invited_by = match actor {
            Actor::User(u) => Some(u.0),
            Actor::System => None,
        };
        let row = sqlx::query(
            "INSERT INTO invitations (campaign_id, email, role, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(campaign.0)
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(token_hash)
        .bind(invited_by)
        .bind(now)
        .bind(to_micros(expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let invitation = fetch_invitation(&mut tx, campaign, row.try_get("id")?).await?;
        enqueue_system(&mut tx, Some(campaign), mail, now).await?;
        let target = Target { kind: "invitation", id: Some(invitation.id), label: email.as_str() };
        let detail = serde_json::json!({ "role": role.as_str() });
        record(&mut tx, actor, Some(campaign), AuditAction::InvitationSent, Some(target), detail).await?;
        tx.commit().await?;
        Ok(Invited::Pending(invitation))
    }

    async fn invitations(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Invitation>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::ManageTeam, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
             WHERE i.campaign_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id DESC LIMIT 500"
        ))
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }

    async fn resend_invitation(
        &self,
        actor: Actor,
        campaign: CampaignId,
        id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<Invitation> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        fetch_invitation(&mut tx, campaign, id).await?;
        let now = now_micros();
        sqlx::query("UPDATE invitations SET token_hash = $1, created_at = $2, expires_at = $3 WHERE id = $4")
            .bind(token_hash)
            .bind(now)
            .bind(to_micros(expires_at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let invitation = fetch_invitation(&mut tx, campaign, id).await?;
        enqueue_system(&mut tx, Some(campaign), mail, now).await?;
        let target = Target { kind: "invitation", id: Some(id), label: invitation.email.as_str() };
        let detail = serde_json::json!({ "role": invitation.role.as_str(), "resent": true });
        record(&mut tx, actor, Some(campaign), AuditAction::InvitationSent, Some(target), detail).await?;
        tx.commit().await?;
        Ok(invitation)
    }

    async fn revoke_invitation(&self, actor: Actor, campaign: CampaignId, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        let invitation = fetch_invitation(&mut tx, campaign, id).await?;
        sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE id = $2")
            .bind(now_micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let target = Target { kind: "invitation", id: Some(id), label: invitation.email.as_str() };
        let detail = serde_json::json!({ "role": invitation.role.as_str() });
        record(&mut tx, actor, Some(campaign), AuditAction::InvitationRevoked, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn open_invitation(&self, token_hash: &str) -> Result<Option<OpenInvitation>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            invitation_columns!(),
            ", c.name AS campaign_name, c.slug AS campaign_slug, \
             EXISTS (SELECT 1 FROM users x WHERE x.email = i.email) AS has_account \
             FROM invitations i JOIN campaigns c ON c.id = i.campaign_id LEFT JOIN users u ON u.id = i.invited_by \
             WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OpenInvitation {
                invitation: invitation_from_row(&r)?,
                campaign_name: r.try_get("campaign_name")?,
                campaign_slug: r.try_get("campaign_slug")?,
                has_account: r.try_get("has_account")?,
            })
        })
        .transpose()
    }

    async fn accept_invitation(&self, token_hash: &str, name: &str, password_hash: &str) -> Result<(User, String)> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 RETURNING campaign_id, email, role",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("invitation"))?;
        let campaign = CampaignId(row.try_get("campaign_id")?);
        let email = text(&row, "email", Email::parse)?;
        let role = text(&row, "role", Role::parse)?;
        let found = sqlx::query("SELECT id, email, name FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let user = match found {
            Some(r) => user_from_row(&r)?,
            None => {
                let name = user_name(name)?;
                let r = sqlx::query(
                    "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) \
                     RETURNING id, email, name",
                )
                .bind(email.as_str())
                .bind(name)
                .bind(password_hash)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                user_from_row(&r)?
            }
        };
        join(&mut tx, campaign, user.id, role, now).await?;
        let slug = fetch_campaign(&mut tx, campaign).await?.fields.slug.to_string();
        let target = Target { kind: "user", id: Some(user.id.0), label: user.email.as_str() };
        let detail = serde_json::json!({ "role": role.as_str() });
        let accepted = AuditAction::InvitationAccepted;
        record(&mut tx, Actor::User(user.id), Some(campaign), accepted, Some(target), detail).await?;
        tx.commit().await?;
        Ok((user, slug))
    }

    async fn send_member_reset(
        &self,
        actor: Actor,
        campaign: CampaignId,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &SystemMail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        if role_of(&mut tx, Actor::User(user), campaign).await?.is_none() {
            return Err(StoreError::NotFound("team member"));
        }
        let now = now_micros();
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now)
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        enqueue_system(&mut tx, Some(campaign), mail, now).await?;
        let target = Target { kind: "user", id: Some(user.0), label: mail.to.as_str() };
        record(&mut tx, actor, Some(campaign), AuditAction::ResetLinkSent, Some(target), serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }
}

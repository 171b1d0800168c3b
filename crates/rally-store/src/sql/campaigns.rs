//! [`crate::Campaigns`] in SQL: campaigns and their teams.

use async_trait::async_trait;
use rally_domain::{
    Action, AuditAction, Campaign, CampaignDraft, CampaignFields, CampaignId, Invalid, Role, Strategy, UserId,
};
use sqlx::Row;

use super::audit::{Target, changed_fields, record};
use super::{
    Backend, authorize, campaign_from_row, check_umbrella, count_owners, fetch_campaign, member_from_row, role_of,
    write_campaign,
};
use crate::{Actor, CampaignWithRole, Campaigns, Member, Result, StoreError, corrupt, now_micros};

#[async_trait]
impl Campaigns for Backend {
    async fn create_campaign(&self, actor: Actor, fields: CampaignFields) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        check_umbrella(&mut tx, actor, None, &fields).await?;
        let id = write_campaign(&mut tx, None, &fields).await?;
        if let Actor::User(user) = actor {
            sqlx::query(
                "INSERT INTO memberships (campaign_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)",
            )
            .bind(id.0)
            .bind(user.0)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        }
        let campaign = fetch_campaign(&mut tx, id).await?;
        tx.commit().await?;
        Ok(campaign)
    }

    async fn campaign(&self, actor: Actor, id: CampaignId) -> Result<CampaignWithRole> {
        let mut conn = self.pool.acquire().await?;
        let role = authorize(&mut conn, actor, id, Action::Read, "campaign").await?;
        Ok(CampaignWithRole { campaign: fetch_campaign(&mut conn, id).await?, role })
    }

    async fn campaign_by_slug(&self, actor: Actor, slug: &str) -> Result<CampaignWithRole> {
        let id = self.campaign_id(slug).await?.ok_or(StoreError::NotFound("campaign"))?;
        self.campaign(actor, id).await
    }

    async fn campaign_id(&self, slug: &str) -> Result<Option<CampaignId>> {
        let row = sqlx::query("SELECT id FROM campaigns WHERE slug = $1").bind(slug).fetch_optional(&self.pool).await?;
        row.map(|r| Ok(CampaignId(r.try_get("id")?))).transpose()
    }

    async fn campaigns(&self, actor: Actor) -> Result<Vec<CampaignWithRole>> {
        let rows = match actor {
            Actor::System => {
                sqlx::query(concat!("SELECT ", campaign_columns!(), ", NULL AS role FROM campaigns ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
            Actor::User(user) => {
                sqlx::query(concat!(
                    "SELECT ",
                    campaign_columns!(),
                    ", m.role FROM campaigns \
                     JOIN (SELECT campaign_id, role FROM memberships WHERE user_id = $1) m ON m.campaign_id = id ORDER BY id"
                ))
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|row| {
                let role = row.try_get::<Option<String>, _>("role")?.map(|r| Role::parse(&r)).transpose();
                Ok(CampaignWithRole { campaign: campaign_from_row(row)?, role: role.map_err(|e| corrupt("role", e))? })
            })
            .collect()
    }

    async fn update_campaign(&self, actor: Actor, id: CampaignId, patch: CampaignDraft) -> Result<CampaignWithRole> {
        let mut tx = self.begin_write().await?;
        let role = authorize(&mut tx, actor, id, Action::EditCampaign, "campaign").await?;
        let current = fetch_campaign(&mut tx, id).await?;
        let fields = current.fields.to_draft().merge(patch).validate()?;
        if fields.parent_id != current.fields.parent_id
            || fields.starts_on != current.fields.starts_on
            || fields.ends_on != current.fields.ends_on
        {
            check_umbrella(&mut tx, actor, Some(id), &fields).await?;
        }
        if fields.strategy == Strategy::Member {
            let members = sqlx::query("SELECT COUNT(*) AS n FROM campaigns WHERE parent_id = $1")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
            if members.try_get::<i64, _>("n")? > 0 {
                return Err(Invalid::field(
                    "strategy",
                    "this campaign is an umbrella of others; it cannot also be a member",
                )
                .into());
            }
        }
        write_campaign(&mut tx, Some(id), &fields).await?;
        let campaign = fetch_campaign(&mut tx, id).await?;
        let detail = changed_fields(&current.fields, &campaign.fields);
        let target = Target { kind: "campaign", id: Some(id.0), label: &campaign.fields.name };
        record(&mut tx, actor, Some(id), AuditAction::CampaignSettingsChanged, Some(target), detail).await?;
        tx.commit().await?;
        Ok(CampaignWithRole { campaign, role })
    }

    async fn set_published(&self, actor: Actor, id: CampaignId, published: bool) -> Result<CampaignWithRole> {
        self.stamp(actor, id, "published_at", published).await
    }

    async fn set_archived(&self, actor: Actor, id: CampaignId, archived: bool) -> Result<CampaignWithRole> {
        self.stamp(actor, id, "archived_at", archived).await
    }

    async fn delete_campaign(&self, actor: Actor, id: CampaignId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, id, Action::DeleteCampaign, "campaign").await?;
        let campaign = fetch_campaign(&mut tx, id).await?;
        let members = sqlx::query("SELECT COUNT(*) AS n FROM campaigns WHERE parent_id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        if members.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict {
                field: "id",
                message: "member campaigns still belong to this umbrella; delete or move them first".into(),
            });
        }
        sqlx::query("DELETE FROM campaigns WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        // The entry outlives the campaign (the log has no foreign keys): the operator reads it.
        let target = Target { kind: "campaign", id: Some(id.0), label: &campaign.fields.name };
        let detail = serde_json::json!({ "slug": campaign.fields.slug.as_str() });
        record(&mut tx, actor, Some(id), AuditAction::CampaignDeleted, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn team(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Member>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.campaign_id = $1 ORDER BY u.name, u.id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(member_from_row).collect()
    }

    async fn set_role(&self, actor: Actor, campaign: CampaignId, user: UserId, role: Role) -> Result<Member> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        let current = role_of(&mut tx, Actor::User(user), campaign).await?;
        if current == Some(Role::Owner) && role != Role::Owner && count_owners(&mut tx, campaign).await? <= 1 {
            return Err(
                Invalid::field("role", "a campaign keeps at least one owner; make someone else owner first").into()
            );
        }
        let result = sqlx::query(
            "INSERT INTO memberships (campaign_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (campaign_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(campaign.0)
        .bind(user.0)
        .bind(role.as_str())
        .bind(now_micros())
        .execute(&mut *tx)
        .await;
        if let Err(e) = result {
            return Err(match e.as_database_error() {
                Some(d) if d.is_foreign_key_violation() => StoreError::NotFound("user"),
                _ => e.into(),
            });
        }
        let row = sqlx::query(
            "SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.campaign_id = $1 AND m.user_id = $2",
        )
        .bind(campaign.0)
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
        let member = member_from_row(&row)?;
        let target = Target { kind: "user", id: Some(user.0), label: member.email.as_str() };
        let detail = serde_json::json!({ "from": current.map(Role::as_str), "to": role.as_str() });
        record(&mut tx, actor, Some(campaign), AuditAction::RoleChanged, Some(target), detail).await?;
        tx.commit().await?;
        Ok(member)
    }

    async fn remove_member(&self, actor: Actor, campaign: CampaignId, user: UserId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        let role = match role_of(&mut tx, Actor::User(user), campaign).await? {
            None => return Err(StoreError::NotFound("team member")),
            Some(Role::Owner) if count_owners(&mut tx, campaign).await? <= 1 => {
                return Err(Invalid::field("user_id", "a campaign keeps at least one owner").into());
            }
            Some(role) => role,
        };
        let email: String = sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get("email")?;
        let target = Target { kind: "user", id: Some(user.0), label: &email };
        let detail = serde_json::json!({ "role": role.as_str() });
        record(&mut tx, actor, Some(campaign), AuditAction::MemberRemoved, Some(target), detail).await?;
        sqlx::query("DELETE FROM memberships WHERE campaign_id = $1 AND user_id = $2")
            .bind(campaign.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        // Their partners go back to the team: an owner who left can't follow up.
        sqlx::query("UPDATE partners SET owner_id = NULL, updated_at = $3 WHERE campaign_id = $1 AND owner_id = $2")
            .bind(campaign.0)
            .bind(user.0)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Backend {
    /// Sets (`on`) or clears one of the campaign's owner-only time stamps: `published_at`, `archived_at`.
    async fn stamp(&self, actor: Actor, id: CampaignId, column: &'static str, on: bool) -> Result<CampaignWithRole> {
        let mut tx = self.begin_write().await?;
        let role = authorize(&mut tx, actor, id, Action::ManageTeam, "campaign").await?;
        // `column` is one of two names written above, never input; a stamp already set keeps its time.
        let sql = format!("UPDATE campaigns SET {column} = CASE WHEN $1 THEN COALESCE({column}, $2) END WHERE id = $3");
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(on).bind(now_micros()).bind(id.0).execute(&mut *tx).await?;
        let campaign = fetch_campaign(&mut tx, id).await?;
        let target = Target { kind: "campaign", id: Some(id.0), label: &campaign.fields.name };
        let detail = serde_json::json!({ "changed": [column.trim_end_matches("_at")], "on": on });
        record(&mut tx, actor, Some(id), AuditAction::CampaignSettingsChanged, Some(target), detail).await?;
        tx.commit().await?;
        Ok(CampaignWithRole { campaign, role })
    }
}

//! [`crate::SecondFactors`] in SQL: TOTP secrets, recovery codes, pending sign-ins, the campaign's
//! requirement and signing out everywhere.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::totp::Secret;
use rally_domain::{Action, AuditAction, CampaignId, Invalid, UserId};
use sqlx::Row;

use super::audit::{Target, record};
use super::{Backend, Conn, authorize, time};
use crate::{
    Actor, Proof, Result, SecondFactor, SecondFactorAnswer, SecondFactors, SecondStep, StoreError, now_micros,
    to_micros,
};

#[async_trait]
impl SecondFactors for Backend {
    async fn second_factor(&self, user: UserId) -> Result<Option<SecondFactor>> {
        let row = sqlx::query(
            "SELECT f.confirmed_at, (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = f.user_id \
             AND r.used_at IS NULL) AS left_codes FROM second_factors f \
             WHERE f.user_id = $1 AND f.confirmed_at IS NOT NULL",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SecondFactor {
                enabled_at: time(&r, "confirmed_at")?,
                recovery_codes_left: u32::try_from(r.try_get::<i64, _>("left_codes")?).unwrap_or(0),
            })
        })
        .transpose()
    }

    async fn begin_second_factor(&self, user: UserId, secret: &Secret) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if confirmed(&mut tx, user).await?.is_some() {
            return Err(StoreError::Conflict {
                field: "second_factor",
                message: "two-factor sign-in is on already".into(),
            });
        }
        sqlx::query(
            "INSERT INTO second_factors (user_id, secret, created_at, confirmed_at, last_step) \
             VALUES ($1, $2, $3, NULL, 0) \
             ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3, confirmed_at = NULL, last_step = 0",
        )
        .bind(user.0)
        .bind(secret.to_base32())
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn second_factor_setup(&self, user: UserId) -> Result<Option<Secret>> {
        let row = sqlx::query("SELECT secret FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| stored_secret(&r)).transpose()
    }

    async fn enable_second_factor(
        &self,
        user: UserId,
        code: &str,
        now: DateTime<Utc>,
        recovery_hashes: &[String],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT secret FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("two-factor setup"))?;
        let Some(step) = stored_secret(&row)?.verify(code, now.timestamp(), None) else {
            return Ok(false);
        };
        sqlx::query("UPDATE second_factors SET confirmed_at = $2, last_step = $3 WHERE user_id = $1")
            .bind(user.0)
            .bind(to_micros(now))
            .bind(step_number(step))
            .execute(&mut *tx)
            .await?;
        write_recovery_codes(&mut tx, user, recovery_hashes).await?;
        let label = target(&mut tx, user).await?;
        let detail = serde_json::json!({ "recovery_codes": recovery_hashes.len() });
        record(
            &mut tx,
            Actor::User(user),
            None,
            AuditAction::SecondFactorEnabled,
            label.as_ref().map(Into::into),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn disable_second_factor(&self, user: UserId, proof: Proof<'_>, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !proven(&mut tx, user, proof, now).await? {
            tx.commit().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM second_factors WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        let label = target(&mut tx, user).await?;
        let (actor, by) = match proof {
            Proof::Code(_) => (Actor::User(user), "code"),
            Proof::Password => (Actor::User(user), "password"),
            Proof::Operator => (Actor::System, "operator"),
        };
        record(
            &mut tx,
            actor,
            None,
            AuditAction::SecondFactorDisabled,
            label.as_ref().map(Into::into),
            serde_json::json!({ "confirmed_with": by }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn replace_recovery_codes(
        &self,
        user: UserId,
        proof: Proof<'_>,
        now: DateTime<Utc>,
        recovery_hashes: &[String],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !proven(&mut tx, user, proof, now).await? {
            tx.commit().await?;
            return Ok(false);
        }
        write_recovery_codes(&mut tx, user, recovery_hashes).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn begin_pending_sign_in(&self, user: UserId, token_hash: &str, expires_at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        sqlx::query("DELETE FROM pending_sign_ins WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO pending_sign_ins (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now)
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_sign_in(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>> {
        let row = sqlx::query("SELECT user_id FROM pending_sign_ins WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(to_micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
    }

    async fn second_step(
        &self,
        token_hash: &str,
        answer: SecondFactorAnswer<'_>,
        now: DateTime<Utc>,
    ) -> Result<SecondStep> {
        let mut tx = self.begin_write().await?;
        let pending = sqlx::query("SELECT user_id FROM pending_sign_ins WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(to_micros(now))
            .fetch_optional(&mut *tx)
            .await?;
        let Some(pending) = pending else { return Ok(SecondStep::Expired) };
        let user = UserId(pending.try_get("user_id")?);
        let label = target(&mut tx, user).await?;
        let accepted = match answer {
            SecondFactorAnswer::Code(code) => use_code(&mut tx, user, code, now).await?.then_some(None),
            SecondFactorAnswer::RecoveryCode(hash) => {
                let used = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                )
                .bind(user.0)
                .bind(hash)
                .bind(to_micros(now))
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if used { Some(Some(codes_left(&mut tx, user).await?)) } else { None }
            }
        };
        let kind = if matches!(answer, SecondFactorAnswer::Code(_)) { "code" } else { "recovery_code" };
        let Some(recovery_codes_left) = accepted else {
            let detail = serde_json::json!({ "answer": kind, "step": "sign_in" });
            record(
                &mut tx,
                Actor::User(user),
                None,
                AuditAction::SecondFactorFailed,
                label.as_ref().map(Into::into),
                detail,
            )
            .await?;
            tx.commit().await?;
            return Ok(SecondStep::Refused { user });
        };
        sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        if let Some(left) = recovery_codes_left {
            let detail = serde_json::json!({ "codes_left": left });
            record(
                &mut tx,
                Actor::User(user),
                None,
                AuditAction::RecoveryCodeUsed,
                label.as_ref().map(Into::into),
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(SecondStep::Accepted { user, recovery_codes_left })
    }

    async fn second_factor_required(&self, actor: Actor, campaign: CampaignId) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let row = sqlx::query("SELECT require_second_factor FROM campaigns WHERE id = $1")
            .bind(campaign.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound("campaign"))?;
        Ok(row.try_get("require_second_factor")?)
    }

    async fn require_second_factor(&self, actor: Actor, campaign: CampaignId, required: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        if let (Actor::User(user), true) = (actor, required)
            && confirmed(&mut tx, user).await?.is_none()
        {
            return Err(Invalid::field(
                "require_second_factor",
                "set up two-factor sign-in for yourself on your account page first",
            )
            .into());
        }
        let row = sqlx::query(
            "UPDATE campaigns SET require_second_factor = $2 WHERE id = $1 \
             RETURNING name",
        )
        .bind(campaign.0)
        .bind(required)
        .fetch_one(&mut *tx)
        .await?;
        let name: String = row.try_get("name")?;
        let target = Target { kind: "campaign", id: Some(campaign.0), label: &name };
        let detail = serde_json::json!({ "require_second_factor": required });
        record(&mut tx, actor, Some(campaign), AuditAction::CampaignSettingsChanged, Some(target), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn second_factor_wanted_by(&self, user: UserId) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT c.slug, c.name FROM campaigns c JOIN memberships m ON m.campaign_id = c.id \
             WHERE m.user_id = $1 AND c.require_second_factor \
             AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = $1 AND f.confirmed_at IS NOT NULL) \
             ORDER BY c.name",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("slug")?, r.try_get("name")?))).collect()
    }

    async fn second_factor_missing(&self, session_hash: &str, slug: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM sessions s \
             JOIN campaigns c ON c.slug = $2 AND c.require_second_factor \
             JOIN memberships m ON m.campaign_id = c.id AND m.user_id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $3 \
             AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = s.user_id AND f.confirmed_at IS NOT NULL)",
        )
        .bind(session_hash)
        .bind(slug)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    async fn sign_out_everywhere(&self, user: UserId) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let browsers = sqlx::query("DELETE FROM known_devices WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM pending_sign_ins WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        let label = target(&mut tx, user).await?;
        let detail = serde_json::json!({ "sessions": ended, "remembered_browsers": browsers });
        record(
            &mut tx,
            Actor::User(user),
            None,
            AuditAction::SignedOutEverywhere,
            label.as_ref().map(Into::into),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }
}

/// The user as an audit entry's target: their id and address.
struct UserLabel {
    id: i64,
    email: String,
}

impl<'a> From<&'a UserLabel> for Target<'a> {
    fn from(u: &'a UserLabel) -> Target<'a> {
        Target { kind: "user", id: Some(u.id), label: &u.email }
    }
}

async fn target(conn: &mut Conn, user: UserId) -> Result<Option<UserLabel>> {
    let row = sqlx::query("SELECT email FROM users WHERE id = $1").bind(user.0).fetch_optional(&mut *conn).await?;
    row.map(|r| Ok(UserLabel { id: user.0, email: r.try_get("email")? })).transpose()
}

fn stored_secret(row: &super::DbRow) -> Result<Secret> {
    let text: String = row.try_get("secret")?;
    // The error names the column only: the secret itself is not repeated into an error or a log.
    Secret::parse(&text).map_err(|_| crate::corrupt("second_factors.secret", "not base32"))
}

/// Time steps are stored as BIGINT; a step past `i64::MAX` would be billions of years away.
fn step_number(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

/// The confirmed secret and the last step used, when the user has a second factor.
async fn confirmed(conn: &mut Conn, user: UserId) -> Result<Option<(Secret, u64)>> {
    let row =
        sqlx::query("SELECT secret, last_step FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL")
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| Ok((stored_secret(&r)?, u64::try_from(r.try_get::<i64, _>("last_step")?).unwrap_or(0)))).transpose()
}

/// Checks `code` against the user's confirmed secret: right, and of a step newer than the last code
/// used (a code seen once, by a shoulder or a proxy, does not work again), it becomes the last used.
async fn use_code(conn: &mut Conn, user: UserId, code: &str, now: DateTime<Utc>) -> Result<bool> {
    let Some((secret, last)) = confirmed(conn, user).await? else { return Ok(false) };
    let Some(step) = secret.verify(code, now.timestamp(), Some(last)) else { return Ok(false) };
    // `last_step < step` again in the update: two requests with the same code, one wins.
    let done = sqlx::query("UPDATE second_factors SET last_step = $2 WHERE user_id = $1 AND last_step < $2")
        .bind(user.0)
        .bind(step_number(step))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A proof for a change to the second factor: the password (checked by the caller), the operator's
/// say-so, or a current code, which is used up; a wrong code is audited as a failure.
async fn proven(conn: &mut Conn, user: UserId, proof: Proof<'_>, now: DateTime<Utc>) -> Result<bool> {
    if confirmed(conn, user).await?.is_none() {
        return Err(StoreError::NotFound("two-factor sign-in"));
    }
    let Proof::Code(code) = proof else { return Ok(true) };
    if use_code(conn, user, code, now).await? {
        return Ok(true);
    }
    let label = target(conn, user).await?;
    let detail = serde_json::json!({ "answer": "code", "step": "account" });
    record(conn, Actor::User(user), None, AuditAction::SecondFactorFailed, label.as_ref().map(Into::into), detail)
        .await?;
    Ok(false)
}

async fn write_recovery_codes(conn: &mut Conn, user: UserId, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *conn).await?;
    let now = now_micros();
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user.0)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn codes_left(conn: &mut Conn, user: UserId) -> Result<u32> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user.0)
        .fetch_one(&mut *conn)
        .await?;
    Ok(u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

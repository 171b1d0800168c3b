//! [`crate::Accounts`] in SQL: users, API tokens, sessions, the sign-in gates, remembered browsers and
//! password resets.

use async_trait::async_trait;
use rally_domain::{AuditAction, Email, Invalid, UserId};
use sqlx::Row;

use super::audit::{Target, record_account};
use super::outbox::enqueue_system;
use super::{Backend, Conn, is_unique_violation, time, user_from_row};
use crate::{
    Accounts, ApiToken, Origin, Result, SESSION_SEEN_EVERY_MINUTES, Session, SessionInfo, StoreError, SystemMail, User,
    from_micros, now_micros, session_handle, to_micros,
};

#[async_trait]
impl Accounts for Backend {
    async fn create_user(&self, email: &Email, name: &str, password_hash: Option<&str>) -> Result<User> {
        let name = user_name(name)?;
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id, email, name",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await;
        let user = match result {
            Ok(row) => user_from_row(&row)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict { field: "email", message: format!("a user with {email} exists") });
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, email, name FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        write_password(&mut tx, user, password_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_api_token(&self, user: UserId, token_hash: &str, label: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user.0)
        .bind(token_hash)
        .bind(label)
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let token = Target { kind: "token", id: Some(id), label };
        record_account(&mut tx, user, AuditAction::TokenCreated, Some(token), serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows =
            sqlx::query("SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: time(r, "created_at")?,
                    revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros).transpose()?,
                })
            })
            .collect()
    }

    async fn revoke_api_token(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING user_id, label",
        )
        .bind(now_micros())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("API token"))?;
        let (user, label): (i64, String) = (row.try_get("user_id")?, row.try_get("label")?);
        let token = Target { kind: "token", id: Some(id), label: &label };
        record_account(&mut tx, UserId(user), AuditAction::TokenRevoked, Some(token), serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_lookup(&self, email: &Email) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query("SELECT id, email, name, password_hash FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?))).transpose()
    }

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        // Expired sessions are swept here, where sessions are made, rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        // The browser the account page names this session by; the web layer sets it per request.
        let user_agent = Origin::current().user_agent.map(|a| Origin::bounded_agent(&a));
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, user_agent, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(now)
        .bind(to_micros(expires_at))
        .bind(user_agent)
        .execute(&mut *tx)
        .await?;
        // A session is made only by signing in (with a password, an invitation or a reset link).
        record_account(&mut tx, user, AuditAction::SignIn, None, serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, s.csrf_token, s.expires_at, s.last_seen_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        // Every request looks its session up here; "last active" is written only when it has gone
        // stale, so that browsing is not a write per request (and, on SQLite, a wait for the writer).
        let now = now_micros();
        let stale = now - SESSION_SEEN_EVERY_MINUTES * 60 * 1_000_000;
        if let Some(r) = &row
            && r.try_get::<Option<i64>, _>("last_seen_at")?.is_none_or(|seen| seen < stale)
        {
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 \
                 AND (last_seen_at IS NULL OR last_seen_at < $3)",
            )
            .bind(now)
            .bind(token_hash)
            .bind(stale)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        row.map(|r| {
            Ok(Session {
                user: user_from_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: time(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rename_user(&self, user: UserId, name: &str) -> Result<User> {
        let name = user_name(name)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("UPDATE users SET name = $1 WHERE id = $2 RETURNING id, email, name")
            .bind(name)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        let user = user_from_row(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn change_password(&self, user: UserId, password_hash: &str, keep_session: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        write_password(&mut tx, user, password_hash).await?;
        end_sessions_but(&mut tx, user, keep_session).await?;
        record_account(&mut tx, user, AuditAction::PasswordChanged, None, serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn end_other_sessions(&self, user: UserId, keep_session: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let ended = end_sessions_but(&mut tx, user, keep_session).await?;
        tx.commit().await?;
        Ok(ended)
    }

    async fn user_sessions(&self, user: UserId) -> Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT token_hash, user_agent, created_at, last_seen_at, expires_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 \
             ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC, token_hash",
        )
        .bind(user.0)
        .bind(now_micros())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    handle: session_handle(r.try_get("token_hash")?),
                    user_agent: r.try_get("user_agent")?,
                    created_at: time(r, "created_at")?,
                    last_seen_at: r.try_get::<Option<i64>, _>("last_seen_at")?.map(from_micros).transpose()?,
                    expires_at: time(r, "expires_at")?,
                })
            })
            .collect()
    }

    async fn end_session(&self, user: UserId, handle: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // The handle is a digest of the token hash, so the row is found among the user's own sessions
        // (a handful), which is also what keeps anyone from ending someone else's.
        let rows =
            sqlx::query("SELECT token_hash FROM sessions WHERE user_id = $1").bind(user.0).fetch_all(&mut *tx).await?;
        let mut found = None;
        for r in &rows {
            let hash: String = r.try_get("token_hash")?;
            if session_handle(&hash) == handle {
                found = Some(hash);
                break;
            }
        }
        let hash = found.ok_or(StoreError::NotFound("session"))?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&mut *tx).await?;
        let target = Target { kind: "session", id: None, label: handle };
        // The entry's own user agent and address are the browser that did the ending; the ended one's
        // agent is not copied into the detail, which erasure does not scrub.
        record_account(&mut tx, user, AuditAction::SessionEnded, Some(target), serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pass_gates(
        &self,
        gates: &[(&str, rally_domain::throttle::Backoff)],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::result::Result<(), chrono::Duration>> {
        use rally_domain::throttle::GateState;
        // Times are stored to the microsecond: so is `now`, or a wait would come out a hair short.
        let now = chrono::DateTime::from_timestamp_micros(to_micros(now)).unwrap_or(now);
        let mut tx = self.begin_write().await?;
        let forgotten = gates.iter().map(|(_, b)| b.forget_after).max().unwrap_or_default();
        sqlx::query("DELETE FROM sign_in_gates WHERE updated_at < $1")
            .bind(to_micros(now - forgotten))
            .execute(&mut *tx)
            .await?;
        let mut passed = Vec::with_capacity(gates.len());
        let mut wait = chrono::Duration::zero();
        for (gate, backoff) in gates {
            sqlx::query(
                "INSERT INTO sign_in_gates (gate, attempts, open_at, updated_at) VALUES ($1, 0, 0, 0) \
                 ON CONFLICT (gate) DO NOTHING",
            )
            .bind(*gate)
            .execute(&mut *tx)
            .await?;
            // An update that changes nothing takes the row's lock before it is read: a parallel
            // attempt waits here and then reads this one's count.
            let row = sqlx::query(
                "UPDATE sign_in_gates SET attempts = attempts WHERE gate = $1 RETURNING attempts, open_at, updated_at",
            )
            .bind(*gate)
            .fetch_one(&mut *tx)
            .await?;
            let state = GateState {
                attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                open_at: time(&row, "open_at")?,
                updated_at: time(&row, "updated_at")?,
            };
            match backoff.attempt(state, now) {
                Ok(next) => passed.push((*gate, next)),
                Err(w) => wait = wait.max(w),
            }
        }
        if wait > chrono::Duration::zero() {
            tx.rollback().await?;
            return Ok(Err(wait));
        }
        for (gate, next) in passed {
            sqlx::query("UPDATE sign_in_gates SET attempts = $1, open_at = $2, updated_at = $3 WHERE gate = $4")
                .bind(i64::from(next.attempts))
                .bind(to_micros(next.open_at))
                .bind(to_micros(next.updated_at))
                .bind(gate)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn open_gates(&self, gates: &[&str]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for gate in gates {
            sqlx::query("DELETE FROM sign_in_gates WHERE gate = $1").bind(*gate).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn remember_device(&self, user: UserId, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM known_devices WHERE last_used_at < $1")
            .bind(to_micros(now - chrono::Duration::days(365)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn known_device(&self, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<UserId>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE known_devices SET last_used_at = $1 WHERE token_hash = $2 AND last_used_at >= $3 RETURNING user_id",
        )
        .bind(to_micros(now))
        .bind(token_hash)
        .bind(to_micros(now - chrono::Duration::days(365)))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
    }

    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        mail: Option<&SystemMail>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
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
        if let Some(mail) = mail {
            enqueue_system(&mut tx, None, mail, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn reset_password(&self, token_hash: &str, password_hash: &str) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("password reset link"))?;
        let user = UserId(row.try_get("user_id")?);
        write_password(&mut tx, user, password_hash).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        let detail = serde_json::json!({ "by": "reset link" });
        record_account(&mut tx, user, AuditAction::PasswordChanged, None, detail).await?;
        let row =
            sqlx::query("SELECT id, email, name FROM users WHERE id = $1").bind(user.0).fetch_one(&mut *tx).await?;
        let user = user_from_row(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn request_email_change(
        &self,
        user: UserId,
        new_email: &Email,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        mail: &SystemMail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(new_email.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if taken {
            return Err(Invalid::field("email", "another Rally user has this address").into());
        }
        let now = now_micros();
        // One pending change at a time: a newer request replaces the older links.
        sqlx::query("DELETE FROM email_changes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(new_email.as_str())
        .bind(now)
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        enqueue_system(&mut tx, None, mail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn confirm_email_change(&self, token_hash: &str) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "UPDATE email_changes SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING user_id, new_email",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("address confirmation link"))?;
        let user: i64 = row.try_get("user_id")?;
        let new_email: String = row.try_get("new_email")?;
        let result = sqlx::query("UPDATE users SET email = $1 WHERE id = $2 RETURNING id, email, name")
            .bind(&new_email)
            .bind(user)
            .fetch_one(&mut *tx)
            .await;
        let user = match result {
            Ok(row) => user_from_row(&row)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(Invalid::field("email", "another Rally user has taken this address meanwhile").into());
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn time_zone(&self, user: UserId) -> Result<String> {
        let row = sqlx::query("SELECT time_zone FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        Ok(row.try_get("time_zone")?)
    }

    async fn set_time_zone(&self, user: UserId, zone: &str) -> Result<()> {
        let zone = rally_domain::cadence::parse_time_zone(zone).map_err(|e| Invalid::field("time_zone", e))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
            .bind(zone.name())
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Deletes the user's sessions but the one whose token hashes to `keep`; returns how many.
async fn end_sessions_but(conn: &mut Conn, user: UserId, keep: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.0)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// A person's name as Rally keeps it: trimmed, 1 to 200 characters, no control characters.
pub(super) fn user_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Invalid::field("name", "must be 1 to 200 characters, without control characters").into());
    }
    Ok(name)
}

/// Stores a user's new password hash; "not found" when there is no such user.
async fn write_password(conn: &mut Conn, user: UserId, password_hash: &str) -> Result<()> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

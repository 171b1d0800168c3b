//! [`crate::Consents`] in SQL, and [`record`], which every change of a person's consent calls in its
//! own transaction (a registration, a team edit, an import, an unsubscribe) to add a row to its history.
//!
//! A grant records the privacy notice then in force for the person's language. Someone "must agree
//! again" when their latest grant that names a notice is for a version older than one of that language
//! published with `needs_reconsent` ([`needs_reconsent_sql`]): campaign news stops for them until they
//! agree again.

use async_trait::async_trait;
use rally_domain::comms::MailPreference;
use rally_domain::consent::{ConsentMethod, ConsentPurpose, NoticeFields, PrivacyNotice, notice_language};
use rally_domain::{Action, AuditAction, CampaignId, Consent, ContactId, EventId, LanguageTag};
use sqlx::Row;

use super::audit::{Target, record as audit};
use super::{Backend, Conn, DbRow, authorize, fetch_campaign, fetch_contact, text, time};
use crate::audit::Origin;
use crate::{Actor, ConsentRecord, Consents, Result, StoreError, now_micros};

/// A notice version as a consent names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NoticeRef {
    pub language: LanguageTag,
    pub version: i64,
}

impl NoticeRef {
    pub fn label(&self) -> String {
        rally_domain::consent::notice_label(&self.language, self.version)
    }
}

/// Whose consent a row records: a contact or an event's organizer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Person {
    Contact(ContactId),
    Organizer(EventId),
}

/// One consent change, as [`record`] writes it.
pub(super) struct Change<'a> {
    pub campaign: CampaignId,
    pub who: Person,
    pub email: &'a str,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub method: ConsentMethod,
    pub actor: Actor,
    pub import_batch: Option<i64>,
    pub notice: Option<NoticeRef>,
}

/// Adds `c` to the history. The client's address and user agent are kept only where the person used a
/// form or a link page themselves; the team's own edits name the team member instead.
pub(super) async fn record(conn: &mut Conn, c: Change<'_>) -> Result<()> {
    let by_person = matches!(
        c.method,
        ConsentMethod::Form | ConsentMethod::PartnerLink | ConsentMethod::OneClick | ConsentMethod::UnsubscribePage
    );
    let origin = if by_person { Origin::current() } else { Origin::default() };
    let (contact, event) = match c.who {
        Person::Contact(id) => (Some(id.0), None),
        Person::Organizer(id) => (None, Some(id.0)),
    };
    sqlx::query(
        "INSERT INTO consents (campaign_id, contact_id, event_id, email, purpose, granted, at, method, import_batch, \
         user_id, client_address, user_agent, notice_language, notice_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(c.campaign.0)
    .bind(contact)
    .bind(event)
    .bind(c.email)
    .bind(c.purpose.as_str())
    .bind(c.granted)
    .bind(now_micros())
    .bind(c.method.as_str())
    .bind(c.import_batch)
    .bind(if by_person { None } else { c.actor.user_id().map(|u| u.0) })
    .bind(origin.address)
    .bind(origin.user_agent.map(|a| Origin::bounded_agent(&a)))
    .bind(c.notice.as_ref().map(|n| n.language.as_str().to_owned()))
    .bind(c.notice.as_ref().map(|n| n.version))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How a team member's change reached Rally: through the API or the team's pages.
pub(super) fn team_method() -> ConsentMethod {
    if Origin::current().via == "api" { ConsentMethod::Api } else { ConsentMethod::Team }
}

/// The newest notice in force for someone speaking `language` (else the campaign's first language
/// that has one), if the campaign published any.
pub(super) async fn notice_in_force(
    conn: &mut Conn,
    campaign: CampaignId,
    language: Option<&str>,
) -> Result<Option<NoticeRef>> {
    let rows = sqlx::query(
        "SELECT language, MAX(version) AS version FROM privacy_notices WHERE campaign_id = $1 GROUP BY language \
         ORDER BY language",
    )
    .bind(campaign.0)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut newest = Vec::with_capacity(rows.len());
    for r in &rows {
        newest.push((text(r, "language", LanguageTag::parse)?, r.try_get::<i64, _>("version")?));
    }
    let available: Vec<LanguageTag> = newest.iter().map(|(l, _)| l.clone()).collect();
    let languages = fetch_campaign(conn, campaign).await?.fields.languages;
    let wanted: Vec<&str> = language.into_iter().collect();
    let chosen = notice_language(&available, &wanted, &languages).cloned();
    Ok(chosen
        .and_then(|l| newest.into_iter().find(|(n, _)| *n == l))
        .map(|(language, version)| NoticeRef { language, version }))
}

/// A contact's consent set or changed by the team or an import: one row, granted for `opted_in` (with
/// the notice in force for the contact's language), withdrawn otherwise.
#[allow(clippy::too_many_arguments)]
pub(super) async fn contact_consent_set(
    conn: &mut Conn,
    actor: Actor,
    method: ConsentMethod,
    campaign: CampaignId,
    contact: ContactId,
    fields: &rally_domain::ContactFields,
    import_batch: Option<i64>,
) -> Result<()> {
    let granted = fields.consent == Consent::OptedIn;
    let notice = match granted {
        true => notice_in_force(conn, campaign, fields.language.as_ref().map(|l| l.as_str())).await?,
        false => None,
    };
    let change = Change {
        campaign,
        who: Person::Contact(contact),
        email: fields.email.as_str(),
        purpose: ConsentPurpose::CampaignEmail,
        granted,
        method,
        actor,
        import_batch,
        notice,
    };
    record(conn, change).await
}

/// Records the consents of a registration (the privacy notice agreed to, and the news opt-in either
/// way) and returns the version agreed to as the event stores it (`hr-3`), when a notice is published.
pub(super) async fn organizer_registered(
    conn: &mut Conn,
    event: &rally_domain::event::Event,
) -> Result<Option<String>> {
    let notice = notice_in_force(conn, event.campaign_id, Some(&event.locale)).await?;
    let label = notice.as_ref().map(NoticeRef::label);
    if let Some(label) = &label {
        sqlx::query("UPDATE events SET consent_version = $1 WHERE id = $2")
            .bind(label)
            .bind(event.id.0)
            .execute(&mut *conn)
            .await?;
    }
    let email = event.fields.organizer_email.as_str();
    for (purpose, granted, notice) in
        [(ConsentPurpose::PrivacyNotice, true, notice), (ConsentPurpose::News, event.fields.news_opt_in, None)]
    {
        let change = Change {
            campaign: event.campaign_id,
            who: Person::Organizer(event.id),
            email,
            purpose,
            granted,
            method: ConsentMethod::Form,
            actor: Actor::System,
            import_batch: None,
            notice,
        };
        record(conn, change).await?;
    }
    Ok(label)
}

/// Records a contact's choice on the unsubscribe page (or a one-click unsubscribe, `method`): the
/// preference, the suppression it implies, and a consent row when campaign e-mail is stopped or
/// started again by it.
pub(super) async fn write_mail_preference(
    conn: &mut Conn,
    contact: ContactId,
    preference: MailPreference,
    method: ConsentMethod,
) -> Result<()> {
    let wants_news = |p: MailPreference| matches!(p, MailPreference::All | MailPreference::Fewer);
    let before = sqlx::query("SELECT campaign_id, mail_preference FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
    let row = sqlx::query("UPDATE contacts SET mail_preference = $1 WHERE id = $2 RETURNING email")
        .bind(preference.as_str())
        .bind(contact.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
    let email: String = row.try_get("email")?;
    sqlx::query("DELETE FROM suppressions WHERE email = $1 AND reason = 'unsubscribed'")
        .bind(&email)
        .execute(&mut *conn)
        .await?;
    let scope = match preference {
        MailPreference::None => Some("all"),
        MailPreference::Essential => Some("marketing"),
        MailPreference::All | MailPreference::Fewer => None,
    };
    if let Some(scope) = scope {
        sqlx::query(
            "INSERT INTO suppressions (email, reason, scope, detail, created_at) VALUES ($1, 'unsubscribed', $2, $3, $4)",
        )
        .bind(&email)
        .bind(scope)
        .bind(format!("chose “{}”", preference.label()))
        .bind(now_micros())
        .execute(&mut *conn)
        .await?;
    }
    if wants_news(text(&before, "mail_preference", MailPreference::parse)?) != wants_news(preference) {
        let change = Change {
            campaign: CampaignId(before.try_get("campaign_id")?),
            who: Person::Contact(contact),
            email: &email,
            purpose: ConsentPurpose::CampaignEmail,
            granted: wants_news(preference),
            method,
            actor: Actor::System,
            import_batch: None,
            notice: None,
        };
        record(conn, change).await?;
    }
    Ok(())
}

/// The organizer changed their news opt-in through their event link.
pub(super) async fn organizer_news_changed(conn: &mut Conn, event: &rally_domain::event::Event) -> Result<()> {
    let change = Change {
        campaign: event.campaign_id,
        who: Person::Organizer(event.id),
        email: event.fields.organizer_email.as_str(),
        purpose: ConsentPurpose::News,
        granted: event.fields.news_opt_in,
        method: ConsentMethod::Form,
        actor: Actor::System,
        import_batch: None,
        notice: None,
    };
    record(conn, change).await
}

/// SQL that is true when the person whose rows have `column` (`contact_id`, `event_id`) equal to the
/// SQL expression `id` must agree to a newer notice: their latest grant naming a notice is older than a
/// version of that language published with "must agree again".
pub(super) fn needs_reconsent_sql(column: &str, id: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM consents ra JOIN privacy_notices rn ON rn.campaign_id = ra.campaign_id \
         AND rn.language = ra.notice_language AND rn.version > ra.notice_version AND rn.needs_reconsent \
         WHERE ra.id = (SELECT MAX(rb.id) FROM consents rb WHERE rb.{column} = {id} AND rb.granted \
         AND rb.notice_version IS NOT NULL))"
    )
}

/// The notice `who` must agree to: the newest of the language of their latest agreement, when they
/// must agree again.
async fn notice_due(conn: &mut Conn, who: Person) -> Result<Option<PrivacyNotice>> {
    let (column, id) = match who {
        Person::Contact(c) => ("contact_id", c.0),
        Person::Organizer(e) => ("event_id", e.0),
    };
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} WHERE {} AND pn.id = (SELECT n2.id FROM privacy_notices n2 JOIN consents ca \
         ON ca.campaign_id = n2.campaign_id AND ca.notice_language = n2.language WHERE ca.id = (SELECT MAX(cb.id) \
         FROM consents cb WHERE cb.{column} = $1 AND cb.granted AND cb.notice_version IS NOT NULL) \
         ORDER BY n2.version DESC LIMIT 1)",
        needs_reconsent_sql(column, "$1")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(notice_from_row).transpose()
}

fn notice_from_row(r: &DbRow) -> Result<PrivacyNotice> {
    Ok(PrivacyNotice {
        id: r.try_get("id")?,
        campaign_id: CampaignId(r.try_get("campaign_id")?),
        language: text(r, "language", LanguageTag::parse)?,
        version: r.try_get("version")?,
        body: r.try_get("body")?,
        needs_reconsent: r.try_get("needs_reconsent")?,
        published_at: time(r, "published_at")?,
        published_by: r.try_get("published_by_name")?,
    })
}

const NOTICE_COLUMNS: &str = "pn.id, pn.campaign_id, pn.language, pn.version, pn.body, pn.needs_reconsent, \
     pn.published_at, u.name AS published_by_name FROM privacy_notices pn LEFT JOIN users u ON u.id = pn.published_by";

fn consent_from_row(r: &DbRow) -> Result<ConsentRecord> {
    let language: Option<String> = r.try_get("notice_language")?;
    let version: Option<i64> = r.try_get("notice_version")?;
    Ok(ConsentRecord {
        id: r.try_get("id")?,
        contact_id: r.try_get::<Option<i64>, _>("contact_id")?.map(ContactId),
        event_id: r.try_get::<Option<i64>, _>("event_id")?.map(EventId),
        email: r.try_get("email")?,
        purpose: text(r, "purpose", ConsentPurpose::parse)?,
        granted: r.try_get("granted")?,
        at: time(r, "at")?,
        method: text(r, "method", ConsentMethod::parse)?,
        import_batch: r.try_get("import_batch")?,
        user_name: r.try_get("user_name")?,
        client_address: r.try_get("client_address")?,
        user_agent: r.try_get("user_agent")?,
        notice: language.zip(version).map(|(l, v)| format!("{l}-{v}")),
    })
}

/// An organizer's event through their link: its campaign, the organizer's address and the event's
/// language; an unknown event or an outdated link is not found.
async fn organizer_person(conn: &mut Conn, event: EventId, link_version: i64) -> Result<(CampaignId, String, String)> {
    let row = sqlx::query("SELECT campaign_id, organizer_email, locale, link_version FROM events WHERE id = $1")
        .bind(event.0)
        .fetch_optional(&mut *conn)
        .await?
        .filter(|r| r.try_get::<i64, _>("link_version").is_ok_and(|v| v == link_version))
        .ok_or(StoreError::NotFound("event"))?;
    Ok((CampaignId(row.try_get("campaign_id")?), row.try_get("organizer_email")?, row.try_get("locale")?))
}

/// The consent rows whose `column` (`contact_id`, `event_id`) is `id`, newest first.
async fn history(conn: &mut Conn, column: &'static str, id: i64) -> Result<Vec<ConsentRecord>> {
    let sql = format!(
        "SELECT c.*, u.name AS user_name FROM consents c LEFT JOIN users u ON u.id = c.user_id \
         WHERE c.{column} = $1 ORDER BY c.at DESC, c.id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&mut *conn).await?;
    rows.iter().map(consent_from_row).collect()
}

/// A contact's campaign, address and language, for a consent through a link.
async fn contact_person(conn: &mut Conn, contact: ContactId) -> Result<(CampaignId, String, Option<String>)> {
    let row = sqlx::query("SELECT campaign_id, email, language FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
    Ok((CampaignId(row.try_get("campaign_id")?), row.try_get("email")?, row.try_get("language")?))
}

#[async_trait]
impl Consents for Backend {
    async fn privacy_notices(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<PrivacyNotice>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let sql =
            format!("SELECT {NOTICE_COLUMNS} WHERE pn.campaign_id = $1 ORDER BY pn.published_at DESC, pn.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(campaign.0).fetch_all(&mut *conn).await?;
        rows.iter().map(notice_from_row).collect()
    }

    async fn publish_privacy_notice(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: NoticeFields,
    ) -> Result<PrivacyNotice> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        let row = sqlx::query(
            "INSERT INTO privacy_notices (campaign_id, language, version, body, needs_reconsent, published_at, \
             published_by) SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6 FROM privacy_notices \
             WHERE campaign_id = $1 AND language = $2 RETURNING id",
        )
        .bind(campaign.0)
        .bind(fields.language.as_str())
        .bind(&fields.body)
        .bind(fields.needs_reconsent)
        .bind(now_micros())
        .bind(actor.user_id().map(|u| u.0))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let sql = format!("SELECT {NOTICE_COLUMNS} WHERE pn.id = $1");
        let notice = notice_from_row(&sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *tx).await?)?;
        let label = notice.label();
        let target = Target { kind: "privacy_notice", id: Some(id), label: &label };
        let detail = serde_json::json!({ "version": label, "needs_reconsent": notice.needs_reconsent });
        audit(&mut tx, actor, Some(campaign), AuditAction::PrivacyNoticePublished, Some(target), detail).await?;
        tx.commit().await?;
        Ok(notice)
    }

    async fn current_privacy_notice(&self, campaign: CampaignId, languages: &[&str]) -> Result<Option<PrivacyNotice>> {
        let mut conn = self.pool.acquire().await?;
        let available: Vec<LanguageTag> =
            sqlx::query("SELECT DISTINCT language FROM privacy_notices WHERE campaign_id = $1 ORDER BY language")
                .bind(campaign.0)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| text(r, "language", LanguageTag::parse))
                .collect::<Result<_>>()?;
        let fallback = fetch_campaign(&mut conn, campaign).await?.fields.languages;
        let Some(language) = notice_language(&available, languages, &fallback) else { return Ok(None) };
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} WHERE pn.campaign_id = $1 AND pn.language = $2 ORDER BY pn.version DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(campaign.0)
            .bind(language.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(notice_from_row).transpose()
    }

    async fn contact_consents(&self, actor: Actor, contact: ContactId) -> Result<Vec<ConsentRecord>> {
        let mut conn = self.pool.acquire().await?;
        let (_, partner) = fetch_contact(&mut conn, contact).await?;
        authorize(&mut conn, actor, partner.campaign_id, Action::Read, "contact").await?;
        history(&mut conn, "contact_id", contact.0).await
    }

    async fn event_consents(&self, actor: Actor, event: EventId) -> Result<Vec<ConsentRecord>> {
        let mut conn = self.pool.acquire().await?;
        let campaign = sqlx::query("SELECT campaign_id FROM events WHERE id = $1")
            .bind(event.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound("event"))?
            .try_get::<i64, _>("campaign_id")?;
        authorize(&mut conn, actor, CampaignId(campaign), Action::Read, "event").await?;
        history(&mut conn, "event_id", event.0).await
    }

    async fn contact_notice_due(&self, contact: ContactId) -> Result<Option<PrivacyNotice>> {
        let mut conn = self.pool.acquire().await?;
        notice_due(&mut conn, Person::Contact(contact)).await
    }

    async fn contact_agrees(&self, contact: ContactId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (campaign, email, language) = contact_person(&mut tx, contact).await?;
        let notice = notice_in_force(&mut tx, campaign, language.as_deref()).await?;
        if notice.is_none() {
            return Err(StoreError::NotFound("privacy notice"));
        }
        let change = Change {
            campaign,
            who: Person::Contact(contact),
            email: &email,
            purpose: ConsentPurpose::PrivacyNotice,
            granted: true,
            method: ConsentMethod::UnsubscribePage,
            actor: Actor::System,
            import_batch: None,
            notice,
        };
        record(&mut tx, change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn one_click_unsubscribe(&self, contact: ContactId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        write_mail_preference(&mut tx, contact, MailPreference::Essential, ConsentMethod::OneClick).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn organizer_notice_due(&self, event: EventId, link_version: i64) -> Result<Option<PrivacyNotice>> {
        let mut conn = self.pool.acquire().await?;
        organizer_person(&mut conn, event, link_version).await?;
        notice_due(&mut conn, Person::Organizer(event)).await
    }

    async fn organizer_agrees(&self, event: EventId, link_version: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (campaign, email, locale) = organizer_person(&mut tx, event, link_version).await?;
        let notice = notice_in_force(&mut tx, campaign, Some(&locale)).await?;
        let Some(notice) = notice else { return Err(StoreError::NotFound("privacy notice")) };
        sqlx::query("UPDATE events SET consent_version = $1, consent_at = $2 WHERE id = $3")
            .bind(notice.label())
            .bind(now_micros())
            .bind(event.0)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            campaign,
            who: Person::Organizer(event),
            email: &email,
            purpose: ConsentPurpose::PrivacyNotice,
            granted: true,
            method: ConsentMethod::Form,
            actor: Actor::System,
            import_batch: None,
            notice: Some(notice),
        };
        record(&mut tx, change).await?;
        tx.commit().await?;
        Ok(())
    }
}

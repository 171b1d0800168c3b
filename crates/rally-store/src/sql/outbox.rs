//! The one way into the outbox: every e-mail Rally sends — a message's e-mail to a contact, system mail
//! to an event organizer, or to a person Rally serves (an invitation, a reset link) — is a row written
//! here, in the transaction of the change that caused it. A message's e-mails to a whole segment are
//! staged chunk by chunk first (`stage`), then moved into the outbox in one transaction (`move_staged`).

use rally_domain::comms::OutboxStatus;
use rally_domain::{CampaignId, ContactId, EventId, PartnerId};
use sqlx::QueryBuilder;

use super::{Conn, Db};
use crate::Result;

/// What an e-mail is for: a message to a partner's contact, system mail about an event, or system
/// mail to a person (a team member or someone invited to be one).
#[derive(Debug, Clone, Copy)]
pub(super) enum Cause {
    Message { message: i64, contact: ContactId, partner: PartnerId },
    Event(EventId),
    Person,
}

/// One e-mail entering the outbox. Times are microseconds since the epoch.
#[derive(Debug)]
pub(super) struct Enqueued<'a> {
    /// The campaign it is sent for; `None` for Rally's mail to its users (a password reset).
    pub campaign: Option<CampaignId>,
    pub cause: Cause,
    /// `marketing`, `service` or `system` ([`rally_domain::cadence::MailKind`]).
    pub kind: &'a str,
    pub email: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub unsubscribe_url: &'a str,
    pub status: OutboxStatus,
    pub wanted_at: i64,
    pub due_at: i64,
    /// Why it was deferred or expired; empty when it goes on time.
    pub reason: &'a str,
}

/// Rows per statement: 18 parameters each stays far below both engines' limits.
const ROWS_PER_INSERT: usize = 400;

/// Writes `mails` to the outbox; a message's e-mail to a contact already there is left as it is, and
/// an e-mail to a person who was erased is not written at all (their address is known only by its
/// keyed hash, see `privacy.rs`). Returns how many rows were added.
pub(super) async fn enqueue(conn: &mut Conn, mails: &[Enqueued<'_>], now: i64) -> Result<usize> {
    let erased = super::erased::erased_among(conn, mails.iter().map(|m| m.email)).await?;
    let mails: Vec<&Enqueued<'_>> = mails.iter().filter(|m| !erased.contains(m.email)).collect();
    let mut added = 0;
    for chunk in mails.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO outbox (campaign_id, message_id, contact_id, partner_id, event_id, kind, email, to_name, \
             subject, body_text, body_html, unsubscribe_url, status, wanted_at, due_at, reason, attempts, created_at) ",
        );
        q.push_values(chunk, |mut b, m| {
            let (message, contact, partner, event) = match m.cause {
                Cause::Message { message, contact, partner } => (Some(message), Some(contact.0), Some(partner.0), None),
                Cause::Event(event) => (None, None, None, Some(event.0)),
                Cause::Person => (None, None, None, None),
            };
            b.push_bind(m.campaign.map(|c| c.0))
                .push_bind(message)
                .push_bind(contact)
                .push_bind(partner)
                .push_bind(event)
                .push_bind(m.kind)
                .push_bind(m.email)
                .push_bind(m.to_name)
                .push_bind(m.subject)
                .push_bind(m.text)
                .push_bind(m.html)
                .push_bind(m.unsubscribe_url)
                .push_bind(m.status.as_str())
                .push_bind(m.wanted_at)
                .push_bind(m.due_at)
                .push_bind(m.reason)
                .push_bind(0_i32)
                .push_bind(now);
        });
        q.push(" ON CONFLICT (message_id, contact_id) DO NOTHING");
        added += q.build().execute(&mut *conn).await?.rows_affected() as usize;
    }
    Ok(added)
}

/// One rendered e-mail of a message waiting in a staging batch (`outbox_staged`). Times are
/// microseconds since the epoch.
#[derive(Debug)]
pub(super) struct Staged<'a> {
    pub contact: ContactId,
    pub email: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub unsubscribe_url: &'a str,
    pub status: OutboxStatus,
    pub wanted_at: i64,
    pub due_at: i64,
    pub reason: &'a str,
}

/// Writes `mails` to staging batch `batch`; a contact already staged there keeps its first e-mail, and
/// an e-mail to an erased person is left out (as [`enqueue`] does). Returns how many rows were added.
pub(super) async fn stage(conn: &mut Conn, batch: i64, mails: &[Staged<'_>]) -> Result<usize> {
    let erased = super::erased::erased_among(conn, mails.iter().map(|m| m.email)).await?;
    let mails: Vec<&Staged<'_>> = mails.iter().filter(|m| !erased.contains(m.email)).collect();
    let mut added = 0;
    for chunk in mails.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO outbox_staged (batch_id, contact_id, email, to_name, subject, body_text, body_html, \
             unsubscribe_url, status, wanted_at, due_at, reason) ",
        );
        q.push_values(chunk, |mut b, m| {
            b.push_bind(batch)
                .push_bind(m.contact.0)
                .push_bind(m.email)
                .push_bind(m.to_name)
                .push_bind(m.subject)
                .push_bind(m.text)
                .push_bind(m.html)
                .push_bind(m.unsubscribe_url)
                .push_bind(m.status.as_str())
                .push_bind(m.wanted_at)
                .push_bind(m.due_at)
                .push_bind(m.reason);
        });
        q.push(" ON CONFLICT (batch_id, contact_id) DO NOTHING");
        added += q.build().execute(&mut *conn).await?.rows_affected() as usize;
    }
    Ok(added)
}

/// Moves staging batch `batch` of `message` (of `campaign`, mail of `kind`) into the outbox with one
/// `INSERT … SELECT`, in contact order. Each e-mail goes with its contact's partner now; contacts
/// deleted, or no longer of the campaign, since they were staged are left out, and a contact with an
/// e-mail of the message already keeps it. Returns how many rows were added. The batch stays.
pub(super) async fn move_staged(
    conn: &mut Conn,
    batch: i64,
    campaign: CampaignId,
    message: i64,
    kind: &str,
    now: i64,
) -> Result<usize> {
    // SQLite reads `ON CONFLICT` after an `INSERT … SELECT` as an upsert only when the SELECT has a
    // WHERE clause, which this one always has.
    let moved = sqlx::query(
        "INSERT INTO outbox (campaign_id, message_id, contact_id, partner_id, kind, email, to_name, subject, \
         body_text, body_html, unsubscribe_url, status, wanted_at, due_at, reason, attempts, created_at) \
         SELECT $1, $2, s.contact_id, k.partner_id, $3, s.email, s.to_name, s.subject, s.body_text, s.body_html, \
         s.unsubscribe_url, s.status, s.wanted_at, s.due_at, s.reason, 0, $4 \
         FROM outbox_staged s JOIN contacts k ON k.id = s.contact_id \
         WHERE s.batch_id = $5 AND k.campaign_id = $1 ORDER BY s.contact_id \
         ON CONFLICT (message_id, contact_id) DO NOTHING",
    )
    .bind(campaign.0)
    .bind(message)
    .bind(kind)
    .bind(now)
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    Ok(moved.rows_affected() as usize)
}

/// System mail to one person, sent now and never held back by the cadence rules.
pub(super) async fn enqueue_system(
    conn: &mut Conn,
    campaign: Option<CampaignId>,
    mail: &crate::SystemMail,
    now: i64,
) -> Result<()> {
    let one = Enqueued {
        campaign,
        cause: Cause::Person,
        kind: "system",
        email: mail.to.as_str(),
        to_name: &mail.to_name,
        subject: &mail.subject,
        text: &mail.text,
        html: None,
        unsubscribe_url: "",
        status: OutboxStatus::Planned,
        wanted_at: now,
        due_at: now,
        reason: "",
    };
    enqueue(conn, std::slice::from_ref(&one), now).await?;
    Ok(())
}

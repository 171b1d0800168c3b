//! The delivery worker. It claims due outbox rows with a lease, checks the cadence rules again against
//! what was really sent, sends each e-mail, and records each outcome in its own transaction together
//! with the server's reply.
//!
//! Crash safety: a row is marked sent only after the server accepted it, so a crash never loses an
//! e-mail; a crash after the server's "250" and before the commit repeats only the e-mails in flight
//! at that moment — at most `concurrency` of them — once their lease runs out. Several workers on
//! PostgreSQL claim disjoint rows (`FOR UPDATE SKIP LOCKED`), so they never send the same row twice
//! while its lease holds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rally_domain::cadence::{self, MailKind, Slot};
use rally_mail::{DkimKey, OutgoingMail, RateLimiter, SendError, Transport};
use rally_store::{Claimed, Comms, Delivered};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this worker's leases; unique per process.
    pub name: String,
    /// E-mails in flight at once (and SMTP connections in the pool).
    pub concurrency: usize,
    /// How long a claimed row is ours before another worker may take it over.
    pub lease: Duration,
    /// How long to sleep when nothing is due.
    pub idle: Duration,
    pub dkim: Option<Arc<DkimKey>>,
    /// Global and per-recipient-domain rate limits (none: as fast as the server takes it).
    pub rate: Option<Arc<RateLimiter>>,
    /// The sender (name, address) of Rally's mail to its users, which belongs to no campaign (a
    /// password reset); `None` keeps the store's default.
    pub system_sender: Option<(String, String)>,
}

impl WorkerConfig {
    pub fn new(name: impl Into<String>) -> WorkerConfig {
        WorkerConfig {
            name: name.into(),
            concurrency: 4,
            lease: Duration::from_secs(300),
            idle: Duration::from_secs(2),
            dkim: None,
            rate: None,
            system_sender: None,
        }
    }
}

/// Delivers the outbox through one transport.
#[derive(Debug, Clone)]
pub struct Worker {
    /// The worker needs the outbox only: claims and outcomes.
    store: Arc<dyn Comms>,
    transport: Arc<Transport>,
    config: WorkerConfig,
}

/// The wait before retry number `attempt` (1-based): a minute, doubling, at most six hours.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let minutes = 1_i64 << (attempt.clamp(1, 10) - 1);
    chrono::Duration::minutes(minutes.min(360))
}

/// The domain of an address, for the log.
fn domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

impl Worker {
    pub fn new(store: Arc<dyn Comms>, transport: Arc<Transport>, config: WorkerConfig) -> Worker {
        Worker { store, transport, config }
    }

    /// Runs until `stop` resolves: claims, sends, sleeps when idle. Store errors are logged and retried.
    pub async fn run(&self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let sleep = match self.run_once().await {
                Ok(0) => self.config.idle,
                Ok(_) => Duration::ZERO,
                Err(e) => {
                    tracing::warn!(error = %e, "delivery: the store did not answer; trying again");
                    self.config.idle
                }
            };
            tokio::select! {
                () = &mut stop => break,
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }

    /// Delivers until nothing is due now; returns how many rows it handled.
    pub async fn drain(&self) -> Result<usize, rally_store::StoreError> {
        let mut total = 0;
        loop {
            let n = self.run_once().await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Claims one batch and handles every row of it; returns how many rows it claimed.
    pub async fn run_once(&self) -> Result<usize, rally_store::StoreError> {
        let now = Utc::now();
        let lease = now + chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5));
        let batch = (self.config.concurrency * 8).clamp(8, 1000) as u32;
        let claimed = self.store.claim(&self.config.name, now, lease, batch).await?;
        let n = claimed.len();
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        // Marketing e-mails to one contact in one batch count against each other's cap.
        let mut sent_now: std::collections::HashMap<i64, Vec<DateTime<Utc>>> = std::collections::HashMap::new();
        for item in claimed {
            if item.kind.is_capped()
                && let Some(contact) = item.contact_id
            {
                let mut history = item.history.clone();
                history.extend(sent_now.get(&contact.0).cloned().unwrap_or_default());
                if let Some(outcome) = cadence_check(&item, &history, Utc::now()) {
                    self.finish(item.id, outcome).await?;
                    continue;
                }
                sent_now.entry(contact.0).or_default().push(Utc::now());
            }
            let Ok(permit) = permits.clone().acquire_owned().await else { break };
            let worker = self.clone();
            // The outcome is committed before the permit is given back: at any moment at most
            // `concurrency` e-mails are sent but not yet recorded, which bounds what a crash can repeat.
            tasks.spawn(async move {
                let outcome = worker.deliver(&item).await;
                let recorded = worker.finish(item.id, outcome).await;
                drop(permit);
                recorded
            });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(recorded) => recorded?,
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
        Ok(n)
    }

    async fn finish(&self, id: i64, outcome: Delivered) -> Result<(), rally_store::StoreError> {
        if !self.store.finish(id, &self.config.name, outcome, Utc::now()).await? {
            tracing::warn!(outbox = id, "delivery: the lease ran out before the outcome was recorded");
        }
        Ok(())
    }

    /// Builds and sends one e-mail; the outcome says what to record.
    async fn deliver(&self, item: &Claimed) -> Delivered {
        let from = match (&self.config.system_sender, item.campaign_id) {
            (Some(sender), None) => sender.clone(),
            _ => (item.from_name.clone(), item.from_address.clone()),
        };
        let mail = OutgoingMail {
            from: from.clone(),
            reply_to: item.reply_to.clone(),
            to: (item.to_name.clone(), item.email.clone()),
            subject: item.subject.clone(),
            text: item.text.clone(),
            html: item.html.clone(),
            unsubscribe: (!item.unsubscribe_url.is_empty())
                .then(|| (item.unsubscribe_url.clone(), item.kind == MailKind::Marketing)),
            message_id: format!("outbox-{}-{}", item.id, item.campaign_id.map_or(0, |c| c.0)),
            extra_headers: item.message_id.map(|m| ("X-Rally-Message".into(), m.to_string())).into_iter().collect(),
        };
        if let Some(rate) = &self.config.rate {
            rate.acquire(domain(&item.email)).await;
        }
        let bytes = match rally_mail::build(&mail, self.config.dkim.as_deref()) {
            Ok((_, bytes)) => bytes,
            Err(e) => return Delivered::Bounced(format!("the e-mail could not be built: {e}")),
        };
        match self.transport.send(&from.1, &item.email, &bytes).await {
            Ok(reply) => {
                tracing::debug!(outbox = item.id, domain = domain(&item.email), "sent");
                Delivered::Sent(reply)
            }
            Err(SendError::Transient(reply)) => Delivered::Retry { at: Utc::now() + backoff(item.attempts), reply },
            Err(SendError::Permanent(reply)) => Delivered::Bounced(reply),
        }
    }
}

/// The cadence check at claim time: `None` when the e-mail may go now, else the deferral or expiry.
fn cadence_check(item: &Claimed, history: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Delivered> {
    let tz = item.policy.recipient_zone(item.time_zone.as_deref());
    let reason = cadence::may_send_now(&item.policy, tz, item.kind, history, now, item.do_not_contact_until).err()?;
    // Re-planned from when it was meant to go, so an e-mail held up too long expires instead of going stale.
    Some(
        match cadence::next_slot(&item.policy, tz, item.kind, history, item.wanted_at, item.do_not_contact_until, now) {
            Slot::At { at, .. } => Delivered::Deferred { reason: reason.to_string(), until: at },
            Slot::Expired { reasons, .. } => {
                Delivered::Expired(reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), chrono::Duration::minutes(1));
        assert_eq!(backoff(4), chrono::Duration::minutes(8));
        assert_eq!(backoff(30), chrono::Duration::minutes(360));
        assert_eq!(backoff(-3), chrono::Duration::minutes(1));
    }
}

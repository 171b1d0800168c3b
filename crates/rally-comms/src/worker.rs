//! The delivery worker. It claims due outbox rows with a lease, checks the cadence rules again against
//! what was really sent, sends each e-mail, and records each outcome in its own transaction together
//! with the server's reply.
//!
//! Crash safety: a row is marked sent only after the server accepted it, so a crash never loses an
//! e-mail; a crash after the server's "250" and before the commit repeats only the e-mails in flight
//! at that moment — at most `concurrency` of them — once their lease runs out. Several workers on
//! PostgreSQL claim disjoint rows (`FOR UPDATE SKIP LOCKED`), so they never send the same row twice
//! while its lease holds.
//!
//! A clean stop (SIGTERM, Ctrl-C: the future given to [`Worker::run`]) neither repeats an e-mail nor
//! holds one back until a lease runs out. The worker claims no more; the e-mails already handed to the
//! server finish and their outcomes are recorded; the claimed rows it has not started are given back
//! at once ([`Comms::release`]), so another worker may take them now. The wait for the e-mails in
//! flight is bounded by [`WorkerConfig::stop_grace`]: those still unanswered then stay leased, like a
//! crash's, since the server may yet accept them and giving them back could send them twice. The
//! caller closes the transport afterwards ([`Transport::shutdown`]: `QUIT` on every connection).
//!
//! Each outcome is counted for the metrics: `rally_outbox_claims_total`, `rally_outbox_sends_total`,
//! `rally_outbox_retries_total`, `rally_outbox_bounces_total`, `rally_outbox_deferrals_total` and
//! `rally_outbox_expirations_total`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rally_domain::cadence::{self, MailKind, Slot};
use rally_mail::{DkimKey, OutgoingMail, RateLimiter, SendError, Transport};
use rally_store::{Claimed, Comms, Delivered, StoreError};
use tokio::sync::{Semaphore, watch};
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
    /// After the stop signal, how long the e-mails already handed to the server get to finish.
    pub stop_grace: Duration,
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
            stop_grace: Duration::from_secs(30),
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

/// What a stopped worker left behind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Claimed rows given back unsent, due again at once.
    pub released: u64,
    /// E-mails still being sent when the grace period ran out; their rows stay leased until the lease
    /// runs out, as after a crash.
    pub abandoned: usize,
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

/// Whether the worker has been told to stop; every clone sees the same signal.
#[derive(Debug, Clone)]
struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// A signal that never comes, for [`Worker::drain`] and [`Worker::run_once`].
    fn never() -> StopSignal {
        StopSignal(watch::channel(false).1)
    }

    fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the stop is requested (never, when nobody can request it any more).
    async fn wait(&self) {
        if self.0.clone().wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// How one claimed batch ended.
#[derive(Debug, Default)]
struct Batch {
    claimed: usize,
    released: u64,
    abandoned: usize,
    /// The first outcome the store failed to record.
    error: Option<StoreError>,
}

/// What one delivery task did with its row.
enum Attempt {
    /// Sent, or settled otherwise, and recorded.
    Recorded,
    /// The stop came before the e-mail was handed to the server: the row goes back.
    NotStarted(i64),
}

impl Worker {
    pub fn new(store: Arc<dyn Comms>, transport: Arc<Transport>, config: WorkerConfig) -> Worker {
        Worker { store, transport, config }
    }

    /// This worker with another grace period for stopping ([`WorkerConfig::stop_grace`]).
    #[must_use]
    pub fn with_stop_grace(mut self, grace: Duration) -> Worker {
        self.config.stop_grace = grace;
        self
    }

    /// Runs until `stop` resolves: claims, sends, sleeps when idle; then stops cleanly (see the module
    /// docs) and says what it left. Store errors are logged and retried. The transport stays open: it
    /// may be shared, so closing it is the caller's.
    pub async fn run(&self, stop: impl std::future::Future<Output = ()>) -> Stopped {
        let (tell, signal) = watch::channel(false);
        let signal = StopSignal(signal);
        // Kept pending after the signal, so the sender outlives the deliveries that watch it.
        let told = async move {
            stop.await;
            tell.send_replace(true);
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = told => Stopped::default(),
            stopped = self.deliver_until(&signal) => stopped,
        }
    }

    async fn deliver_until(&self, stop: &StopSignal) -> Stopped {
        let mut stopped = Stopped::default();
        while !stop.requested() {
            let sleep = match self.batch(stop).await {
                Ok(batch) => {
                    stopped.released += batch.released;
                    stopped.abandoned += batch.abandoned;
                    match batch.error {
                        Some(e) => {
                            tracing::warn!(error = %e, "delivery: an outcome was not recorded; trying again");
                            self.config.idle
                        }
                        None if batch.claimed == 0 => self.config.idle,
                        None => Duration::ZERO,
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "delivery: the store did not answer; trying again");
                    self.config.idle
                }
            };
            tokio::select! {
                () = stop.wait() => break,
                () = tokio::time::sleep(sleep) => {}
            }
        }
        tracing::info!(released = stopped.released, still_leased = stopped.abandoned, "delivery stopped");
        stopped
    }

    /// Delivers until nothing is due now; returns how many rows it handled.
    pub async fn drain(&self) -> Result<usize, StoreError> {
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
    pub async fn run_once(&self) -> Result<usize, StoreError> {
        let batch = self.batch(&StopSignal::never()).await?;
        batch.error.map_or(Ok(batch.claimed), Err)
    }

    /// Claims one batch (nothing once the stop is requested) and handles it. On the stop, the rows not
    /// started yet are given back at once, and the ones in flight get the grace period.
    async fn batch(&self, stop: &StopSignal) -> Result<Batch, StoreError> {
        if stop.requested() {
            return Ok(Batch::default());
        }
        let now = Utc::now();
        let lease = now + chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5));
        let limit = (self.config.concurrency * 8).clamp(8, 1000) as u32;
        let claimed = self.store.claim(&self.config.name, now, lease, limit).await?;
        metrics::counter!("rally_outbox_claims_total").increment(claimed.len() as u64);
        let mut batch = Batch { claimed: claimed.len(), ..Batch::default() };
        let (tasks, unstarted) = self.start(claimed, stop).await?;
        // Given back before waiting for the e-mails in flight, so another worker may take them now.
        batch.released += self.release(&unstarted).await;
        let (not_started, abandoned, error) = self.settle(tasks, stop).await;
        batch.released += self.release(&not_started).await;
        batch.abandoned = abandoned;
        batch.error = error;
        Ok(batch)
    }

    /// Starts a delivery task for each row, `concurrency` at a time, until the stop; returns the tasks
    /// and the rows not started.
    async fn start(
        &self,
        claimed: Vec<Claimed>,
        stop: &StopSignal,
    ) -> Result<(JoinSet<Result<Attempt, StoreError>>, Vec<i64>), StoreError> {
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        // Marketing e-mails to one contact in one batch count against each other's cap.
        let mut sent_now: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
        let mut rows = claimed.into_iter();
        while let Some(item) = rows.next() {
            if stop.requested() {
                return Ok((tasks, std::iter::once(item).chain(rows).map(|r| r.id).collect()));
            }
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
            let permit = tokio::select! {
                biased;
                () = stop.wait() => None,
                permit = permits.clone().acquire_owned() => permit.ok(),
            };
            let Some(permit) = permit else {
                return Ok((tasks, std::iter::once(item).chain(rows).map(|r| r.id).collect()));
            };
            let worker = self.clone();
            let stop = stop.clone();
            // The outcome is committed before the permit is given back: at any moment at most
            // `concurrency` e-mails are sent but not yet recorded, which bounds what a crash can repeat.
            tasks.spawn(async move {
                let attempt = match worker.deliver(&item, &stop).await {
                    Some(outcome) => worker.finish(item.id, outcome).await.map(|()| Attempt::Recorded),
                    None => Ok(Attempt::NotStarted(item.id)),
                };
                drop(permit);
                attempt
            });
        }
        Ok((tasks, Vec::new()))
    }

    /// Waits for the delivery tasks: for all of them, or once the stop is requested, for at most the
    /// grace period, after which the ones still sending are abandoned (their rows stay leased). Returns
    /// the rows whose e-mail was never handed to the server, how many were abandoned, and the first
    /// outcome the store failed to record.
    async fn settle(
        &self,
        mut tasks: JoinSet<Result<Attempt, StoreError>>,
        stop: &StopSignal,
    ) -> (Vec<i64>, usize, Option<StoreError>) {
        let (mut not_started, mut error) = (Vec::new(), None);
        let mut deadline = None;
        loop {
            let done = match deadline {
                None => tokio::select! {
                    done = tasks.join_next() => done,
                    () = stop.wait() => {
                        deadline = Some(tokio::time::Instant::now() + self.config.stop_grace);
                        continue;
                    }
                },
                Some(at) => match tokio::time::timeout_at(at, tasks.join_next()).await {
                    Ok(done) => done,
                    Err(_) => {
                        let abandoned = tasks.len();
                        tracing::warn!(
                            in_flight = abandoned,
                            grace_seconds = self.config.stop_grace.as_secs(),
                            "delivery: e-mails were still being sent when the grace period ran out; they stay \
                             leased, and another worker retries them once the lease runs out"
                        );
                        tasks.abort_all();
                        return (not_started, abandoned, error);
                    }
                },
            };
            match done {
                None => return (not_started, 0, error),
                Some(Ok(Ok(Attempt::Recorded))) => {}
                Some(Ok(Ok(Attempt::NotStarted(id)))) => not_started.push(id),
                Some(Ok(Err(e))) => {
                    error.get_or_insert(e);
                }
                Some(Err(e)) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
    }

    /// Gives back rows never handed to the server; returns how many went back. A failure is only
    /// logged: the rows then come back when their lease runs out.
    async fn release(&self, ids: &[i64]) -> u64 {
        if ids.is_empty() {
            return 0;
        }
        match self.store.release(&self.config.name, ids).await {
            Ok(n) => {
                tracing::info!(released = n, "delivery: gave back the claimed e-mails not sent yet");
                n
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    rows = ids.len(),
                    "delivery: could not give back the claimed e-mails not sent yet; they come back when \
                     their lease runs out"
                );
                0
            }
        }
    }

    async fn finish(&self, id: i64, outcome: Delivered) -> Result<(), StoreError> {
        count(&outcome);
        if !self.store.finish(id, &self.config.name, outcome, Utc::now()).await? {
            tracing::warn!(outbox = id, "delivery: the lease ran out before the outcome was recorded");
        }
        Ok(())
    }

    /// Builds and sends one e-mail; the outcome says what to record, `None` that the stop came before
    /// the e-mail was handed to the server.
    async fn deliver(&self, item: &Claimed, stop: &StopSignal) -> Option<Delivered> {
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
            tokio::select! {
                biased;
                () = stop.wait() => return None,
                () = rate.acquire(domain(&item.email)) => {}
            }
        }
        let bytes = match rally_mail::build(&mail, self.config.dkim.as_deref()) {
            Ok((_, bytes)) => bytes,
            Err(e) => return Some(Delivered::Bounced(format!("the e-mail could not be built: {e}"))),
        };
        if stop.requested() {
            return None;
        }
        Some(match self.transport.send(&from.1, &item.email, &bytes).await {
            Ok(reply) => {
                tracing::debug!(outbox = item.id, domain = domain(&item.email), "sent");
                Delivered::Sent(reply)
            }
            Err(SendError::Transient(reply)) => Delivered::Retry { at: Utc::now() + backoff(item.attempts), reply },
            Err(SendError::Permanent(reply)) => Delivered::Bounced(reply),
        })
    }
}

/// Counts an outcome for the metrics.
fn count(outcome: &Delivered) {
    let name = match outcome {
        Delivered::Sent(_) => "rally_outbox_sends_total",
        Delivered::Retry { .. } => "rally_outbox_retries_total",
        Delivered::Bounced(_) => "rally_outbox_bounces_total",
        Delivered::Deferred { .. } => "rally_outbox_deferrals_total",
        Delivered::Expired(_) => "rally_outbox_expirations_total",
    };
    metrics::counter!(name).increment(1);
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

//! What monitoring reads from the store on both backends: the outbox by status and the age of its
//! longest-waiting e-mail, and the connection pool with the waits of write transactions.

use chrono::{Duration, Utc};
use futures_util::future::join_all;
use rally_domain::Category;
use rally_domain::comms::{OutboxStatus, Segment};
use rally_store::operations::OutboxGauges;
use rally_store::{Actor, Delivered, Store};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::{ok, partner};

/// The count of one status.
fn count(gauges: &OutboxGauges, status: OutboxStatus) -> i64 {
    gauges.by_status.iter().find(|(s, _)| *s == status).map_or(-1, |(_, n)| *n)
}

/// The age in whole seconds.
fn age(gauges: &OutboxGauges) -> u64 {
    gauges.oldest_due_age.as_secs()
}

pub async fn outbox_gauges_count_every_status_and_the_longest_wait(store: &dyn Store) {
    let now = Utc::now();
    let empty = ok(store.outbox_gauges(now).await);
    assert_eq!(empty.by_status.len(), OutboxStatus::ALL.len(), "every status, zero included");
    assert!(empty.by_status.iter().all(|(_, n)| *n == 0), "{empty:?}");
    assert_eq!(age(&empty), 0);

    let (c, contacts) = campaign_with_contacts(store, "gauges", 4).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    // Due ten and one minutes ago, due in an hour, and deferred by the cadence rules to twenty
    // minutes ago: the deferred one has waited longest.
    let mut rows = vec![
        delivery(&contacts[0], -600),
        delivery(&contacts[1], -60),
        delivery(&contacts[2], 3600),
        delivery(&contacts[3], -1200),
    ];
    rows[3].reason = "at most one e-mail a day".into();
    ok(store.enqueue(Actor::System, m.id, rows).await);
    let now = Utc::now();
    let queued = ok(store.outbox_gauges(now).await);
    assert_eq!((count(&queued, OutboxStatus::Planned), count(&queued, OutboxStatus::Deferred)), (3, 1), "{queued:?}");
    assert_eq!(queued.by_status.iter().map(|(_, n)| n).sum::<i64>(), 4);
    assert!((1199..=1210).contains(&age(&queued)), "{queued:?}");

    // The three due e-mails are claimed: what is being sent has not waited, the one due in an hour
    // not yet.
    let claimed = ok(store.claim("worker", now, now + Duration::seconds(30), 10).await);
    assert_eq!(claimed.len(), 3);
    ok(store.finish(claimed[0].id, "worker", Delivered::Sent("250 ok".into()), now).await);
    let sending = ok(store.outbox_gauges(now).await);
    assert_eq!(
        [OutboxStatus::Planned, OutboxStatus::Sending, OutboxStatus::Sent].map(|s| count(&sending, s)),
        [1, 2, 1],
        "{sending:?}"
    );
    assert_eq!(age(&sending), 0, "{sending:?}");

    // Two hours on, the worker never answered: its e-mails are due again since its lease ran out,
    // 30 seconds after the claim, and the one planned for an hour after the enqueue is due too.
    let later = now + Duration::hours(2);
    let abandoned = ok(store.outbox_gauges(later).await);
    assert_eq!(age(&abandoned), 2 * 3600 - 30, "{abandoned:?}");
}

pub async fn the_pool_counts_connections_and_waiting_writes(store: &dyn Store) {
    let before = store.pool_stats();
    assert!(before.max >= 1 && before.idle + before.in_use <= before.max, "{before:?}");
    let c = ok(store.create_campaign(Actor::System, super::campaign_fields("pool")).await);
    // More writes at once than there are idle connections: some of them wait.
    let writes =
        (0..12).map(|i| store.create_partner(Actor::System, c.id, partner(&format!("P{i}"), Category::Media, 1)));
    assert!(join_all(writes).await.iter().all(Result::is_ok));
    let after = store.pool_stats();
    assert!(after.acquire_waits > before.acquire_waits, "{before:?} then {after:?}");
    assert!(after.acquire_wait > before.acquire_wait, "{before:?} then {after:?}");
    assert!(
        after.idle >= 1 && after.idle + after.in_use <= after.max,
        "every write gave its connection back: {after:?}"
    );
}

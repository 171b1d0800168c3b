//! Queueing a message in chunks on both backends: a segment read page by page, chunks staged out of
//! everyone's sight, then moved into the outbox all at once — or discarded, leaving nothing.

use rally_domain::comms::{OutboxStatus, Segment};
use rally_domain::{Category, ContactId, Role};
use rally_store::{Actor, Store, StoreError};

use super::comms::{campaign_with_contacts, delivery, message, template};
use super::{ok, partner, user};

/// Rows in the staging tables: (batches, staged e-mails).
async fn staged_rows(store: &dyn Store) -> (i64, i64) {
    let counts = ok(store.table_counts().await);
    let n = |t: &str| counts.get(t).copied().unwrap_or_else(|| panic!("no table {t}"));
    (n("outbox_batches"), n("outbox_staged"))
}

async fn outbox_total(store: &dyn Store, message: i64) -> i64 {
    ok(store.outbox_counts(Actor::System, message).await).iter().map(|(_, n)| n).sum()
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict { field: "message", .. }))
}

/// The pages of a segment, followed from the first to the last, are the whole segment in contact
/// order, each contact once — including pages whose contacts are all outside the segment.
pub async fn recipient_pages_cover_the_segment_once(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "pages", 7).await;
    // Two schools among the media partners: a segment of schools skips most contacts.
    for i in 0..2 {
        let p =
            ok(store.create_partner(Actor::System, c, partner(&format!("OŠ {i}"), Category::SchoolNetwork, 1)).await);
        let k = ok(rally_domain::ContactDraft {
            name: Some(format!("Iva {i}")),
            email: Some(format!("iva{i}@pages.example.org")),
            ..Default::default()
        }
        .validate());
        ok(store.create_contact(Actor::System, p.id, k).await);
    }
    let all = ok(store
        .create_message(Actor::System, c, message("All", Segment::default()), vec![template("hr", None)])
        .await);
    let schools = Segment { categories: vec![Category::SchoolNetwork], ..Segment::default() };
    let some =
        ok(store.create_message(Actor::System, c, message("Schools", schools), vec![template("hr", None)]).await);
    for (m, size) in [(all.id, 9), (some.id, 2)] {
        let whole = ok(store.recipients(Actor::System, m).await);
        assert_eq!(whole.len(), size);
        for limit in [1, 2, 4, 9, 10] {
            let (mut paged, mut after, mut pages) = (Vec::new(), None, 0);
            loop {
                let page = ok(store.recipients_page(Actor::System, m, after, limit).await);
                pages += 1;
                paged.extend(page.recipients);
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            assert_eq!(paged, whole, "limit {limit}");
            assert!(pages >= 9_usize.div_ceil(limit as usize), "limit {limit}: {pages} pages");
        }
    }
    // The consent of an unknown contact excludes it from marketing, on a page as in the whole list.
    let page = ok(store.recipients_page(Actor::System, some.id, None, 100).await);
    assert!(page.recipients.iter().all(|r| r.excluded.is_some()), "{:?}", page.recipients);
    assert_eq!(page.next, None);
    let first = ok(store.recipients_page(Actor::System, all.id, Some(ContactId(contacts[2].id.0 - 1)), 1).await);
    assert_eq!(first.recipients.iter().map(|r| r.contact.id).collect::<Vec<_>>(), vec![contacts[2].id]);
    for limit in [0, 10_001] {
        let refused = store.recipients_page(Actor::System, all.id, None, limit).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    }
}

/// Staged chunks are nobody's business until the commit: the outbox, the message's statistics, the
/// calendar and the partners' timelines do not see them, and the message is still a draft. The commit
/// moves every one at once, marks the message planned and empties the batch.
pub async fn staged_chunks_are_invisible_until_committed(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "staged", 9).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let batch = ok(store.begin_staging(Actor::System, m.id).await);
    for chunk in contacts.chunks(4) {
        let rows = chunk.iter().map(|k| delivery(k, -1)).collect();
        assert_eq!(ok(store.stage_deliveries(Actor::System, batch, rows).await), chunk.len());
    }
    // A contact staged again keeps its first e-mail.
    assert_eq!(ok(store.stage_deliveries(Actor::System, batch, vec![delivery(&contacts[0], -1)]).await), 0);
    assert_eq!(staged_rows(store).await, (1, 9));
    assert_eq!(outbox_total(store, m.id).await, 0);
    assert!(ok(store.message(Actor::System, m.id).await).0.planned_at.is_none());
    assert!(ok(store.waiting(Actor::System, c, 100).await).is_empty());
    assert!(ok(store.partner_mail(Actor::System, contacts[0].partner_id).await).is_empty());
    let ids: Vec<ContactId> = contacts.iter().map(|k| k.id).collect();
    assert!(ok(store.mail_history(&ids).await).is_empty(), "staged e-mails count for no cadence cap yet");
    assert!(ok(store.claim("w", chrono::Utc::now(), chrono::Utc::now(), 100).await).is_empty());

    assert_eq!(ok(store.commit_staged(Actor::System, batch).await), 9);
    assert_eq!(ok(store.outbox_counts(Actor::System, m.id).await), vec![(OutboxStatus::Planned, 9)]);
    assert!(ok(store.message(Actor::System, m.id).await).0.planned_at.is_some());
    assert_eq!(staged_rows(store).await, (0, 0), "the batch is emptied");
    assert_eq!(ok(store.mail_history(&ids).await).len(), 9);
    let mail = ok(store.partner_mail(Actor::System, contacts[3].partner_id).await);
    assert_eq!((mail.len(), mail[0].email.as_str()), (1, contacts[3].fields.email.as_str()));
    // Once committed, the batch is gone and the message planned: nothing more goes in.
    assert!(conflict(store.stage_deliveries(Actor::System, batch, vec![delivery(&contacts[0], -1)]).await));
    assert!(conflict(store.commit_staged(Actor::System, batch).await));
    assert!(conflict(store.begin_staging(Actor::System, m.id).await), "a planned message is not queued again");
    assert_eq!(outbox_total(store, m.id).await, 9);
}

/// A queue that fails discards its batch: nothing stays, the message is still a draft and can be
/// queued afresh. A contact deleted after it was staged is left out of the commit.
pub async fn a_discarded_batch_leaves_nothing(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "discard", 6).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let batch = ok(store.begin_staging(Actor::System, m.id).await);
    let rows = contacts.iter().map(|k| delivery(k, -1)).collect();
    assert_eq!(ok(store.stage_deliveries(Actor::System, batch, rows).await), 6);
    ok(store.discard_staged(Actor::System, batch).await);
    assert_eq!(staged_rows(store).await, (0, 0));
    assert_eq!(outbox_total(store, m.id).await, 0);
    assert!(ok(store.message(Actor::System, m.id).await).0.planned_at.is_none());
    // A discarded batch takes nothing more and commits nothing; discarding it again is fine.
    assert!(conflict(store.stage_deliveries(Actor::System, batch, vec![delivery(&contacts[0], -1)]).await));
    assert!(conflict(store.commit_staged(Actor::System, batch).await));
    ok(store.discard_staged(Actor::System, batch).await);
    assert!(ok(store.message(Actor::System, m.id).await).0.planned_at.is_none());

    let again = ok(store.begin_staging(Actor::System, m.id).await);
    assert_ne!(again, batch);
    let rows = contacts.iter().map(|k| delivery(k, -1)).collect();
    assert_eq!(ok(store.stage_deliveries(Actor::System, again, rows).await), 6);
    ok(store.delete_contact(Actor::System, contacts[5].id).await);
    assert_eq!(ok(store.commit_staged(Actor::System, again).await), 5, "the deleted contact is left out");
    assert_eq!(outbox_total(store, m.id).await, 5);
    assert_eq!(staged_rows(store).await, (0, 0));
}

/// Two queues of one message at once: the first commit wins, the second adds nothing and is refused.
/// A message edited while it was being queued is refused too: its e-mails were rendered from the old
/// text. Only the campaign's editors queue; deleting the message deletes its batches.
pub async fn a_message_is_committed_once_and_as_it_was_rendered(store: &dyn Store) {
    let (c, contacts) = campaign_with_contacts(store, "twice", 4).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let (first, second) =
        (ok(store.begin_staging(Actor::System, m.id).await), ok(store.begin_staging(Actor::System, m.id).await));
    for batch in [first, second] {
        let rows = contacts.iter().map(|k| delivery(k, -1)).collect();
        assert_eq!(ok(store.stage_deliveries(Actor::System, batch, rows).await), 4);
    }
    assert_eq!(ok(store.commit_staged(Actor::System, second).await), 4);
    assert!(conflict(store.commit_staged(Actor::System, first).await));
    ok(store.discard_staged(Actor::System, first).await);
    assert_eq!(outbox_total(store, m.id).await, 4);
    assert_eq!(staged_rows(store).await, (0, 0));

    // Edited between the first chunk and the commit.
    let edited = ok(store
        .create_message(Actor::System, c, message("Later", Segment::default()), vec![template("hr", None)])
        .await);
    let batch = ok(store.begin_staging(Actor::System, edited.id).await);
    let rows = contacts.iter().map(|k| delivery(k, -1)).collect();
    ok(store.stage_deliveries(Actor::System, batch, rows).await);
    ok(store.update_message(Actor::System, edited.id, message("Later, edited", Segment::default()), None).await);
    let refused = store.commit_staged(Actor::System, batch).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { message, .. }) if message.contains("changed")),
        "{refused:?}"
    );
    assert_eq!(outbox_total(store, edited.id).await, 0);
    assert!(ok(store.message(Actor::System, edited.id).await).0.planned_at.is_none());
    ok(store.discard_staged(Actor::System, batch).await);

    // Roles: a viewer neither begins, stages, commits nor discards.
    let owner = user(store, "Owner").await;
    let viewer = user(store, "Viewer").await;
    let own = ok(store.create_campaign(Actor::User(owner.id), super::campaign_fields("roles-staging")).await);
    ok(store.set_role(Actor::User(owner.id), own.id, viewer.id, Role::Viewer).await);
    let p = ok(store.create_partner(Actor::User(owner.id), own.id, partner("Radio", Category::Media, 1)).await);
    let k = ok(rally_domain::ContactDraft {
        name: Some("Ana".into()),
        email: Some("ana@roles.example.org".into()),
        ..Default::default()
    }
    .validate());
    let k = ok(store.create_contact(Actor::User(owner.id), p.id, k).await);
    let news = ok(store
        .create_message(Actor::User(owner.id), own.id, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let (o, v) = (Actor::User(owner.id), Actor::User(viewer.id));
    let forbidden = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Forbidden));
    assert!(forbidden(store.begin_staging(v, news.id).await.map(|_| ())));
    assert!(ok(store.recipients_page(v, news.id, None, 10).await).recipients.len() == 1, "viewers read");
    let batch = ok(store.begin_staging(o, news.id).await);
    assert!(forbidden(store.stage_deliveries(v, batch, vec![delivery(&k, -1)]).await.map(|_| ())));
    ok(store.stage_deliveries(o, batch, vec![delivery(&k, -1)]).await);
    assert!(forbidden(store.commit_staged(v, batch).await.map(|_| ())));
    assert!(forbidden(store.discard_staged(v, batch).await));
    assert_eq!(staged_rows(store).await, (1, 1), "refused requests change nothing");
    let outsider = Actor::User(user(store, "Outsider").await.id);
    assert!(matches!(store.begin_staging(outsider, news.id).await, Err(StoreError::NotFound(_))));
    ok(store.delete_message(o, news.id).await);
    assert_eq!(staged_rows(store).await, (0, 0), "a deleted message takes its batches along");
    assert!(conflict(store.commit_staged(o, batch).await));
}

/// A batch left by a process that died while queueing is deleted by the next queue, once it is a day
/// old. (SQLite only: the test backdates the batch with SQL.)
#[tokio::test]
async fn a_stale_batch_is_deleted_by_the_next_queue() {
    let db = rally_store::testing::sqlite().await;
    let (store, sqlite) = (&*db.store, db.sqlite.clone().unwrap_or_else(|| panic!("a SQLite test database")));
    let (c, contacts) = campaign_with_contacts(store, "stale", 3).await;
    let m = ok(store
        .create_message(Actor::System, c, message("News", Segment::default()), vec![template("hr", None)])
        .await);
    let left = ok(store.begin_staging(Actor::System, m.id).await);
    ok(store.stage_deliveries(Actor::System, left, contacts.iter().map(|k| delivery(k, -1)).collect()).await);
    // A fresh batch stays: its queue may still be running.
    let fresh = ok(store.begin_staging(Actor::System, m.id).await);
    assert_eq!(staged_rows(store).await, (2, 3));
    ok(sqlite
        .execute_for_tests(&format!(
            "UPDATE outbox_batches SET created_at = created_at - 86400000001 WHERE id = {}",
            left.0
        ))
        .await);
    let next = ok(store.begin_staging(Actor::System, m.id).await);
    assert_eq!(staged_rows(store).await, (2, 0));
    assert!(conflict(store.stage_deliveries(Actor::System, left, vec![delivery(&contacts[0], -1)]).await));
    for batch in [fresh, next] {
        ok(store.discard_staged(Actor::System, batch).await);
    }
    assert_eq!(staged_rows(store).await, (0, 0));
}

//! Changing and removing what the team planned, on both backends: milestones (whose day stays while a
//! queued message goes on it), follow-up tasks, and the asset library's details.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::comms::{MilestoneKind, SendTime};
use rally_domain::followup::TaskFields;
use rally_domain::{AssetDraft, AssetKind, Audience, MediaType, Role, StoredFile};
use rally_store::{Actor, Store, StoreError};

use super::comms::{message, template};
use super::{campaign_fields, ok, user};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The field an invalid input names.
fn refused_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(e)) => e.0[0].field.clone(),
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

pub async fn milestones_tasks_and_assets_are_edited_and_deleted(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let vic = user(store, "Vic").await;
    let (a, m, v) = (Actor::User(ana.id), Actor::User(mia.id), Actor::User(vic.id));
    let c = ok(store.create_campaign(a, campaign_fields("edits")).await);
    ok(store.set_role(a, c.id, mia.id, Role::Member).await);
    ok(store.set_role(a, c.id, vic.id, Role::Viewer).await);

    // Milestones: kind, title and day change; a blank title is refused; only owners and coordinators.
    let day = today() + Duration::days(10);
    let launch = ok(store.create_milestone(a, c.id, MilestoneKind::Announcement, "Launch", day).await);
    let moved =
        ok(store.update_milestone(a, launch.id, MilestoneKind::Reminder, " Reminder ", day + Duration::days(1)).await);
    assert_eq!(
        (moved.kind, moved.title.as_str(), moved.on),
        (MilestoneKind::Reminder, "Reminder", day + Duration::days(1))
    );
    assert_eq!(ok(store.milestones(a, c.id).await), vec![moved.clone()]);
    assert_eq!(refused_field(store.update_milestone(a, launch.id, MilestoneKind::Reminder, " ", day).await), "title");
    for who in [m, v] {
        let r = store.update_milestone(who, launch.id, MilestoneKind::Other, "Mine", day).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        assert!(matches!(store.delete_milestone(who, launch.id).await, Err(StoreError::Forbidden)));
    }
    assert!(matches!(
        store.update_milestone(a, launch.id + 1000, MilestoneKind::Other, "Gone", day).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(ok(store.milestones(a, c.id).await), vec![moved.clone()], "refusals change nothing");
    // A draft on the milestone follows its day; a queued one keeps the day where it is.
    let mut fields = message("Reminder to everyone", Default::default());
    fields.send = SendTime::Milestone {
        milestone_id: launch.id,
        at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    };
    let draft = ok(store.create_message(a, c.id, fields, vec![template("hr", None)]).await);
    ok(store.update_milestone(a, launch.id, MilestoneKind::Reminder, "Reminder", day).await);
    ok(store.enqueue(a, draft.id, vec![]).await);
    let held = store.update_milestone(a, launch.id, MilestoneKind::Reminder, "Reminder", day + Duration::days(3)).await;
    assert!(matches!(held, Err(StoreError::Conflict { field: "on", .. })), "{held:?}");
    let renamed = ok(store.update_milestone(a, launch.id, MilestoneKind::Reminder, "Last reminder", day).await);
    assert_eq!((renamed.title.as_str(), renamed.on), ("Last reminder", day), "its title may still change");
    let spare = ok(store.create_milestone(a, c.id, MilestoneKind::Other, "Spare", day).await);
    ok(store.delete_milestone(a, spare.id).await);
    assert_eq!(ok(store.milestones(a, c.id).await).len(), 1);

    // Tasks: whoever may change a task may delete it — members their own, viewers nothing.
    let task = |title: &str| TaskFields {
        title: title.into(),
        due_on: today() + Duration::days(2),
        owner_id: None,
        partner_id: None,
        commitment_id: None,
        done: false,
    };
    let hers = ok(store.create_task(m, c.id, task("Call the school network")).await);
    let mine = ok(store.create_task(a, c.id, task("Print posters")).await);
    assert!(matches!(store.delete_task(m, mine.id).await, Err(StoreError::Forbidden)));
    assert!(matches!(store.delete_task(v, hers.id).await, Err(StoreError::Forbidden)));
    ok(store.delete_task(m, hers.id).await);
    assert!(matches!(store.task(a, hers.id).await, Err(StoreError::NotFound(_))));
    ok(store.delete_task(a, mine.id).await);
    assert!(matches!(store.delete_task(a, mine.id).await, Err(StoreError::NotFound(_))));

    // Assets: details change, the file stays; a file takes no link, a link keeps its address.
    let details = |title: &str, url: Option<&str>, has_file: bool| {
        ok(AssetDraft {
            title: Some(title.into()),
            kind: Some(AssetKind::Poster),
            url: url.map(str::to_owned),
            ..Default::default()
        }
        .validate(has_file))
    };
    let file = StoredFile {
        sha256: "ab".repeat(32),
        media_type: MediaType::Png,
        size: 1024,
        filename: "poster.png".into(),
        width: Some(600),
        height: Some(800),
    };
    let poster = ok(store.create_asset(a, c.id, details("Poster", None, true), Some(file.clone())).await);
    let link = ok(store.create_asset(a, c.id, details("Tutorial", Some("example.org/learn"), false), None).await);
    let mut changed = details("Poster (A3)", None, true);
    changed.kind = AssetKind::Banner;
    changed.audience = Some(Audience::Teachers);
    changed.language = Some(ok(rally_domain::LanguageTag::parse("hr")));
    changed.description = "For school corridors".into();
    let saved = ok(store.update_asset(a, poster.id, changed.clone()).await);
    assert_eq!((saved.fields, saved.file), (changed, Some(file)));
    let with_link = details("Poster", Some("example.org/x"), false);
    assert_eq!(refused_field(store.update_asset(a, poster.id, with_link).await), "url");
    let no_link = details("Tutorial", None, true);
    assert_eq!(refused_field(store.update_asset(a, link.id, no_link).await), "url");
    let moved_link = details("Tutorial", Some("example.org/learn-more"), false);
    assert_eq!(
        ok(store.update_asset(a, link.id, moved_link).await).fields.url.as_deref(),
        Some("https://example.org/learn-more")
    );
    for who in [m, v] {
        let r = store.update_asset(who, poster.id, details("Mine", None, true)).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
    }
    assert_eq!(ok(store.asset(a, poster.id).await).fields.title, "Poster (A3)", "refusals change nothing");
}

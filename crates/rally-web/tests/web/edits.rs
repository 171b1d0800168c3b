//! Changing and removing what the team planned, through the pages: standard asks, milestones, draft
//! messages, tasks (on the task list and on the partner page) and the asset library. Each edit form
//! that fails answers 422 and opens at itself with its errors by label; each deletion asks once and
//! says what goes; viewers are refused.

use chrono::{Duration, NaiveTime, Utc};
use rally_domain::comms::{MessageDraft, MessageKind, MilestoneKind, SendTime};
use rally_domain::followup::TaskFields;
use rally_domain::{AskDraft, AssetDraft, AssetKind, Audience, Category, MediaType, Role, StoredFile};
use rally_store::{Actor, MessageTemplate, StoreError};
use reqwest::StatusCode;

use crate::support::{Site, day};

both_backends!(
    Site;
    standard_asks_are_edited_and_deleted,
    milestones_and_draft_messages_are_edited_and_deleted,
    tasks_are_edited_and_deleted_on_the_task_list_and_the_partner_page,
    assets_are_edited_and_deleted_in_the_library,
);

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

async fn standard_asks_are_edited_and_deleted(site: Site) {
    let ana = site.user("ana").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(vic, Role::Viewer)]).await;
    let today = Utc::now().date_naive();
    let draft = AskDraft {
        title: Some("Announce the campaign in your newsletter".into()),
        due_on: Some(Some(today + Duration::days(5))),
        categories: Some(vec![Category::Media]),
        ..Default::default()
    };
    let ask = ok(site.store.create_ask(Actor::System, c, None, ok(draft.validate(today, None))).await);
    let path = format!("/campaigns/hr/asks/{}", ask.id.0);
    let b = site.signed_in("ana").await;
    let page = b.get("/campaigns/hr/asks").await;
    assert!(page.body.contains(&format!("action=\"{path}#ask-{}\"", ask.id.0)), "an edit form, opening at its row");
    assert!(page.body.contains("This removes the ask “Announce the campaign in your newsletter” and every partner"));

    // An emptied title and a date that is no date: refused by label, what was typed kept, nothing saved.
    let bad = b
        .submit(&path, &[("title", " "), ("due_on", "next week"), ("categories_sent", "1"), ("tiers_sent", "1")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = format!("a{}", ask.id.0);
    assert!(bad.body.contains(&format!("href=\"#{form}-title\">What you ask: ")), "the summary names the label");
    assert!(bad.body.contains(&format!("href=\"#{form}-due_on\">Due: ")));
    assert!(bad.body.contains("value=\"next week\""), "what was typed stays");
    assert!(bad.body.contains("<details open><summary>Edit"), "the failed form is open");
    assert_eq!(ok(site.store.ask(Actor::System, ask.id).await).fields, ask.fields);

    let saved = b
        .submit(
            &path,
            &[
                ("title", "Post about the campaign"),
                ("description", ""),
                ("due_on", &day(9)),
                ("milestone", "Campaign week"),
                ("unit", "posts"),
                ("categories_sent", "1"),
                ("categories", "it_company"),
                ("categories", "nonprofit"),
                ("tiers_sent", "1"),
                ("tiers", "low"),
            ],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/campaigns/hr/asks#ask-{}", ask.id.0).as_str())
    );
    let f = ok(site.store.ask(Actor::System, ask.id).await).fields;
    assert_eq!(
        (f.title.as_str(), f.milestone.as_str(), f.unit.as_str()),
        ("Post about the campaign", "Campaign week", "posts")
    );
    assert_eq!(f.due_on.map(|d| d.to_string()), Some(day(9)));
    assert_eq!(f.categories, vec![Category::ItCompany, Category::Nonprofit]);
    assert_eq!(f.tiers, vec![rally_domain::Tier::Low]);
    // Unticking every category makes it an ask for all of them.
    b.submit(&path, &[("title", "Post about the campaign"), ("categories_sent", "1"), ("tiers_sent", "1")]).await;
    assert!(ok(site.store.ask(Actor::System, ask.id).await).fields.categories.is_empty());

    let viewer = site.signed_in("vic").await;
    assert!(!viewer.get("/campaigns/hr/asks").await.body.contains("This removes"), "a viewer is offered nothing");
    assert_eq!(viewer.submit(&path, &[("title", "Mine")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(viewer.submit(&format!("{path}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    let gone = b.submit(&format!("{path}/delete"), &[]).await;
    assert_eq!((gone.status, gone.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/asks"));
    assert!(ok(site.store.standard_asks(Actor::System, c).await).is_empty());
    assert_eq!(b.submit(&path, &[("title", "Back")]).await.status, StatusCode::NOT_FOUND);
}

async fn milestones_and_draft_messages_are_edited_and_deleted(site: Site) {
    let ana = site.user("ana").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(vic, Role::Viewer)]).await;
    let today = Utc::now().date_naive();
    let launch = ok(site
        .store
        .create_milestone(Actor::System, c, MilestoneKind::Announcement, "Launch", today + Duration::days(10))
        .await);
    let path = format!("/campaigns/hr/comms/milestones/{}", launch.id);
    let b = site.signed_in("ana").await;
    let page = b.get("/campaigns/hr/comms").await;
    assert!(page.body.contains(&format!("action=\"{path}#milestone-{}\"", launch.id)));
    assert!(page.body.contains("This removes the milestone “Launch”"));

    let bad = b.submit(&path, &[("kind", "reminder"), ("title", "Last call"), ("on", "31.12.")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&format!("href=\"#m{}-on\">Day: ", launch.id)), "the summary names the label");
    assert!(bad.body.contains("value=\"Last call\""));
    assert_eq!(ok(site.store.milestones(Actor::System, c).await), vec![launch.clone()], "nothing saved");
    let saved = b.submit(&path, &[("kind", "reminder"), ("title", "Last call"), ("on", &day(12))]).await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/campaigns/hr/comms#milestone-{}", launch.id).as_str())
    );
    let stored = ok(site.store.milestones(Actor::System, c).await);
    assert_eq!(
        (stored[0].kind, stored[0].title.as_str(), stored[0].on.to_string()),
        (MilestoneKind::Reminder, "Last call", day(12))
    );

    // A draft on the milestone: the milestone cannot go while it does; the draft is deleted, once asked.
    let draft = |title: &str| MessageDraft {
        title: Some(title.into()),
        kind: Some(MessageKind::Marketing),
        segment: Some(Default::default()),
        send: Some(SendTime::Milestone {
            milestone_id: launch.id,
            at: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        }),
        fallback_language: Some("hr".into()),
    };
    let text = MessageTemplate {
        language: ok(rally_domain::LanguageTag::parse("hr")),
        category: None,
        set: rally_domain::template::TemplateSet {
            subject: "Sat kodiranja".into(),
            text: "Bok".into(),
            html: String::new(),
        },
    };
    let m = ok(site.store.create_message(Actor::System, c, ok(draft("Reminder").validate()), vec![text.clone()]).await);
    assert!(b.get("/campaigns/hr/comms").await.body.contains("1 message goes on this day"));
    let held = b.submit(&format!("{path}/delete"), &[]).await;
    assert_eq!(held.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(held.body.contains("messages are attached to this milestone"), "said beside the milestone");
    let message = format!("/campaigns/hr/comms/messages/{}", m.id);
    assert!(b.get(&message).await.body.contains("This removes the draft “Reminder” with its texts in every language"));
    let viewer = site.signed_in("vic").await;
    assert_eq!(viewer.submit(&format!("{message}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(viewer.submit(&path, &[("kind", "other"), ("on", &day(3))]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(viewer.submit(&format!("{path}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    let gone = b.submit(&format!("{message}/delete"), &[]).await;
    assert_eq!((gone.status, gone.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/comms#messages"));
    assert!(ok(site.store.messages(Actor::System, c).await).is_empty());
    // A queued message is not a draft: it stays, and the page says why.
    let queued = ok(site.store.create_message(Actor::System, c, ok(draft("Queued").validate()), vec![text]).await);
    ok(site.store.enqueue(Actor::System, queued.id, vec![]).await);
    let kept = b.submit(&format!("/campaigns/hr/comms/messages/{}/delete", queued.id), &[]).await;
    assert_eq!(kept.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(kept.body.contains("cancel the rest of it instead"));
    assert_eq!(ok(site.store.messages(Actor::System, c).await).len(), 1);
    // Its milestone keeps its day while it is queued, and says so next to the day.
    let moved = b.submit(&path, &[("kind", "reminder"), ("title", "Last call"), ("on", &day(14))]).await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(moved.body.contains("a queued message goes on this day"));

    let spare = ok(site.store.create_milestone(Actor::System, c, MilestoneKind::Other, "Spare", today).await);
    let removed = b.submit(&format!("/campaigns/hr/comms/milestones/{}/delete", spare.id), &[]).await;
    assert_eq!((removed.status, removed.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/comms#milestones"));
    assert_eq!(ok(site.store.milestones(Actor::System, c).await).len(), 1);
}

async fn tasks_are_edited_and_deleted_on_the_task_list_and_the_partner_page(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(mia, Role::Member), (vic, Role::Viewer)]).await;
    let p = site.partner(mia, c, "Radio Zagreb").await;
    let fields = TaskFields {
        title: "Follow up".into(),
        due_on: Utc::now().date_naive() + Duration::days(2),
        owner_id: None,
        partner_id: Some(p),
        commitment_id: None,
        done: false,
    };
    let task = ok(site.store.create_task(Actor::User(mia), c, fields).await).id;
    let edit = format!("/campaigns/hr/tasks/{}/edit", task.0);
    let member = site.signed_in("mia").await;
    let list = member.get("/campaigns/hr/tasks").await;
    assert!(list.body.contains(&format!("action=\"{edit}#task-{}\"", task.0)));
    assert!(list.body.contains("This removes the task “Follow up” about Radio Zagreb"));
    assert!(!list.body.contains(&format!("id=\"t{}-owner_id\"", task.0)), "members do not hand tasks on");

    let bad = member.submit(&edit, &[("title", ""), ("due_on", &day(-3))]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&format!("href=\"#t{}-title\">Task: ", task.0)), "by its label");
    assert!(bad.body.contains(&format!("href=\"#t{}-due_on\">Due: ", task.0)), "a date in the past");
    assert!(bad.body.contains("<h1>My tasks</h1>"), "the task list again");
    let saved = member.submit(&edit, &[("title", "Call the editor"), ("due_on", &day(4))]).await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/campaigns/hr/tasks#task-{}", task.0).as_str())
    );
    let t = ok(site.store.task(Actor::System, task).await);
    assert_eq!(
        (t.fields.title.as_str(), t.fields.due_on.to_string(), t.fields.owner_id),
        ("Call the editor", day(4), Some(mia))
    );

    // On the partner page: the coordinator's form offers the team, and a failure comes back there.
    let owner = site.signed_in("ana").await;
    let partner_page = format!("/campaigns/hr/partners/{}", p.0);
    let shown = owner.get(&partner_page).await;
    assert!(shown.body.contains(&format!("id=\"t{}-owner_id\"", task.0)), "owners and coordinators hand tasks on");
    let failed = owner.submit(&edit, &[("back", "partner"), ("title", " ")]).await;
    assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(failed.body.contains("<h1>Radio Zagreb</h1>") && failed.body.contains("<details open><summary>Edit"));
    let handed = owner
        .submit(&edit, &[("back", "partner"), ("title", "Call the editor"), ("owner_id", &ana.0.to_string())])
        .await;
    assert_eq!(
        (handed.status, handed.location.as_str()),
        (StatusCode::SEE_OTHER, format!("{partner_page}#task-{}", task.0).as_str())
    );
    assert_eq!(ok(site.store.task(Actor::System, task).await).fields.owner_id, Some(ana));

    // Now it is Ana's: the member may neither change nor delete it, the viewer nothing at all.
    assert_eq!(member.submit(&edit, &[("title", "Mine again")]).await.status, StatusCode::FORBIDDEN);
    let delete = format!("/campaigns/hr/tasks/{}/delete", task.0);
    assert_eq!(member.submit(&delete, &[]).await.status, StatusCode::FORBIDDEN);
    let viewer = site.signed_in("vic").await;
    assert!(!viewer.get(&partner_page).await.body.contains("This removes the task"));
    assert_eq!(viewer.submit(&delete, &[]).await.status, StatusCode::FORBIDDEN);
    assert!(owner.get(&partner_page).await.body.contains("This removes the task “Call the editor”"));
    let gone = owner.submit(&delete, &[("back", "partner")]).await;
    assert_eq!(
        (gone.status, gone.location.as_str()),
        (StatusCode::SEE_OTHER, format!("{partner_page}#tasks").as_str())
    );
    assert!(matches!(site.store.task(Actor::System, task).await, Err(StoreError::NotFound(_))));
    assert_eq!(
        owner.submit(&format!("/campaigns/hr/tasks/{}/delete", task.0 + 1000), &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn assets_are_edited_and_deleted_in_the_library(site: Site) {
    let ana = site.user("ana").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(vic, Role::Viewer)]).await;
    let details = |title: &str, url: Option<&str>| AssetDraft {
        title: Some(title.into()),
        kind: Some(AssetKind::Poster),
        url: url.map(str::to_owned),
        ..Default::default()
    };
    let file = StoredFile {
        sha256: "cd".repeat(32),
        media_type: MediaType::Png,
        size: 2048,
        filename: "poster.png".into(),
        width: Some(600),
        height: Some(800),
    };
    let poster = ok(site
        .store
        .create_asset(Actor::System, c, ok(details("Poster", None).validate(true)), Some(file.clone()))
        .await);
    let tutorial = ok(site
        .store
        .create_asset(Actor::System, c, ok(details("Tutorial", Some("example.org/learn")).validate(false)), None)
        .await);
    let b = site.signed_in("ana").await;
    let library = b.get("/campaigns/hr/assets").await;
    assert!(library.body.contains("This removes “Poster” from the library with its file"));
    let path = format!("/campaigns/hr/assets/{}", poster.id.0);
    assert!(library.body.contains(&format!("action=\"{path}#asset-{}\"", poster.id.0)));

    let bad = b.submit(&path, &[("title", "Poster A3"), ("kind", "banner"), ("language", "not a language")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&format!("href=\"#s{}-language\">Language: ", poster.id.0)), "by its label");
    assert!(bad.body.contains("value=\"Poster A3\""));
    let saved = b
        .submit(
            &path,
            &[
                ("title", "Poster A3"),
                ("kind", "banner"),
                ("language", "hr"),
                ("audience", "teachers"),
                ("description", "For school corridors"),
            ],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/campaigns/hr/assets#asset-{}", poster.id.0).as_str())
    );
    let stored = ok(site.store.asset(Actor::System, poster.id).await);
    assert_eq!(
        (stored.fields.title.as_str(), stored.fields.kind, stored.fields.audience),
        ("Poster A3", AssetKind::Banner, Some(Audience::Teachers))
    );
    assert_eq!((stored.fields.description.as_str(), stored.file), ("For school corridors", Some(file)));
    assert_eq!(stored.fields.language.map(|l| l.to_string()), Some("hr".into()));

    // A link keeps an address: emptied, it is refused next to the link.
    let link = format!("/campaigns/hr/assets/{}", tutorial.id.0);
    let emptied = b.submit(&link, &[("title", "Tutorial"), ("kind", "tutorial"), ("url", "")]).await;
    assert_eq!(emptied.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(emptied.body.contains(&format!("href=\"#s{}-url\">Link: ", tutorial.id.0)));
    b.submit(&link, &[("title", "Tutorial"), ("kind", "tutorial"), ("url", "example.org/learn-more")]).await;
    let moved = ok(site.store.asset(Actor::System, tutorial.id).await);
    assert_eq!(
        (moved.fields.kind, moved.fields.url.as_deref()),
        (AssetKind::Tutorial, Some("https://example.org/learn-more"))
    );

    let viewer = site.signed_in("vic").await;
    assert_eq!(viewer.submit(&path, &[("title", "Mine"), ("kind", "logo")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(viewer.submit(&format!("{path}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    let gone = b.submit(&format!("{path}/delete"), &[]).await;
    assert_eq!((gone.status, gone.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/assets"));
    assert_eq!(ok(site.store.assets(Actor::System, c).await).len(), 1);
}

//! A new campaign guiding its team: two languages, the dashboard's checklist ticking itself, the
//! public site a draft (the team's preview) until an owner publishes it, archiving and deleting.

use rally_domain::Role;
use reqwest::StatusCode;

use crate::support::Site;

both_backends!(
    Site;
    a_new_campaign_goes_through_its_checklist_and_is_published,
);

async fn a_new_campaign_goes_through_its_checklist_and_is_published(site: Site) {
    site.user("ana").await;
    let eva = site.user("eva").await;
    let b = site.signed_in("ana").await;
    let made = b
        .submit(
            "/campaigns/new",
            &[
                ("name", "Sat kodiranja Zadar"),
                ("slug", "zadar"),
                ("languages", "hr, en"),
                ("goal_students", "2 000"),
                ("message", "Svatko može programirati."),
                ("starts_on", "2026-12-07"),
                ("ends_on", "2026-12-13"),
            ],
        )
        .await;
    assert_eq!((made.status, made.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/zadar"), "{}", made.body);
    let dash = b.get("/campaigns/zadar").await;
    assert!(dash.body.contains("Getting ready: 1 of 7 done"), "only the goal and dates: {}", dash.body.len());
    assert!(dash.body.contains("still to write: en"));
    assert!(dash.body.contains("Publish the public site"));

    // The draft site: the team previews it, everyone else finds nothing.
    let anonymous = site.browser().get("/c/zadar/").await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    let preview = b.get("/c/zadar/").await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("class=\"draft-note\""));
    let outsider = site.signed_in("eva").await;
    assert_eq!(outsider.get("/c/zadar/").await.status, StatusCode::NOT_FOUND, "signed in, but not on the team");

    // The English message, a partner, an invitation: the checklist follows the data.
    let plan = b
        .submit(
            "/campaigns/zadar/plan",
            &[
                ("name", "Sat kodiranja Zadar"),
                ("languages", "hr, en"),
                ("message.hr", "Svatko može programirati."),
                ("message.en", "Anyone can code."),
                ("high_reach_threshold", "5000"),
                ("parent_id", ""),
                ("goal_students", "2000"),
                ("starts_on", "2026-12-07"),
                ("ends_on", "2026-12-13"),
            ],
        )
        .await;
    assert_eq!(plan.status, StatusCode::SEE_OTHER, "{}", plan.body);
    let bad = b.submit("/campaigns/zadar/plan", &[("languages", "hr, not a tag!"), ("goal_students", "2000")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    b.submit("/campaigns/zadar/partners", &[("name", "Radio Zadar"), ("category", "media"), ("reach", "900")]).await;
    b.submit("/campaigns/zadar/team", &[("email", "eva@example.org"), ("role", "member")]).await;
    let dash = b.get("/campaigns/zadar").await;
    assert!(dash.body.contains("Getting ready: 4 of 7 done"), "message, goal, partners, team");
    assert!(!dash.body.contains("still to write"));

    // Only owners publish; once published, the site is everyone's.
    let member = site.signed_in("eva").await;
    assert_eq!(member.submit("/campaigns/zadar/publish", &[("action", "publish")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.submit("/campaigns/zadar/publish", &[("action", "publish")]).await.status, StatusCode::SEE_OTHER);
    let public = site.browser().get("/c/zadar/").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains("draft-note"));
    assert!(b.get("/campaigns/zadar").await.body.contains("Take the site back to a draft"));

    // Archived: out of the switcher, listed apart; deleted only with its web name typed.
    assert_eq!(b.submit("/campaigns/zadar/archive", &[("action", "archive")]).await.status, StatusCode::SEE_OTHER);
    let list = b.get("/campaigns").await;
    assert!(list.body.contains("Archived campaigns"));
    assert!(!list.body.contains("<option value=\"zadar\""), "not in the switcher");
    let refused = b.submit("/campaigns/zadar/delete", &[("confirm_slug", "zadr")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("type the campaign"));
    assert_eq!(
        member.submit("/campaigns/zadar/delete", &[("confirm_slug", "zadar")]).await.status,
        StatusCode::FORBIDDEN
    );
    let deleted = b.submit("/campaigns/zadar/delete", &[("confirm_slug", "zadar")]).await;
    assert_eq!((deleted.status, deleted.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns"));
    assert_eq!(b.get("/campaigns/zadar").await.status, StatusCode::NOT_FOUND);
    let _ = (eva, Role::Member);
}

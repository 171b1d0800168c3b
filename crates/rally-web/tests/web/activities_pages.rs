//! The team's activity catalogue pages: adding and editing with errors beside the fields and nothing
//! lost, filters with counts, the review queue (listing needs the whole checklist; a rejection's
//! reason is e-mailed to the submitter in their language), "hide now", a viewer who only reads, and a
//! member campaign hiding an activity its umbrella offers.

use chrono::{Duration, Utc};
use rally_domain::activity::{ActivityDraft, ActivityStatus, ActivityTextDraft, Facet, Submitter};
use rally_domain::{ActivityId, CampaignDraft, CampaignId, Role, Strategy};
use rally_store::Actor;
use reqwest::StatusCode;

use crate::support::{Site, hidden};

both_backends!(Site;
    activities_are_added_edited_filtered_and_deleted,
    the_review_queue_lists_and_rejects_with_a_reason_by_email,
    a_listed_activity_is_hidden_now_and_listed_again,
    a_member_campaign_hides_what_its_umbrella_offers,
);

/// A valid activity draft titled `title` in Croatian, with `equipment` values.
fn draft(title: &str, equipment: &[&str]) -> ActivityDraft {
    ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("hr".into()),
            title: Some(title.into()),
            summary: Some("Kratki opis.".into()),
            description: None,
        }]),
        url: Some("https://example.org/activity".into()),
        provider_name: Some("Udruga".into()),
        duration_minutes: Some(45),
        facets: Some([(Facet::Equipment, equipment.iter().map(|e| (*e).to_owned()).collect())].into()),
        ..ActivityDraft::default()
    }
}

async fn create(site: &Site, campaign: CampaignId, title: &str, equipment: &[&str]) -> ActivityId {
    let fields = draft(title, equipment).validate().unwrap_or_else(|e| panic!("{e}"));
    site.store.create_activity(Actor::System, campaign, fields, Utc::now()).await.unwrap_or_else(|e| panic!("{e}")).id
}

/// The id in an activity page's address: `/campaigns/hr/activities/12?saved=1`.
fn id_in(location: &str) -> i64 {
    let tail = location.rsplit('/').next().unwrap_or_default();
    tail.split('?').next().and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("no id in {location}"))
}

async fn activities_are_added_edited_filtered_and_deleted(site: Site) {
    let ana = site.user("ana").await;
    let vera = site.user("vera").await;
    let campaign = site.campaign(ana, &[(vera, Role::Viewer)]).await;
    let partner = site.partner(ana, campaign, "Tehnička udruga").await;
    let b = site.signed_in("ana").await;

    let page = b.get("/campaigns/hr/activities").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Add an activity"), "{}", page.body);
    assert!(
        page.body.contains("href=\"/campaigns/hr/activities\" aria-current=\"page\""),
        "the navigation names the page"
    );
    let form = b.get("/campaigns/hr/activities/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("No computers"), "facet values in people's words: {}", form.body);
    assert!(form.body.contains("Tehnička udruga"), "the campaign's partners as providers");

    // Bad input: no title, a duration that is no number, an unknown language. Nothing typed is lost.
    let refused = b
        .submit(
            "/campaigns/hr/activities",
            &[
                ("texts.0.language", "hr"),
                ("texts.0.title", ""),
                ("texts.0.summary", "Učenici nižu perle <b>binarno</b>."),
                ("url", "https://example.org/beads"),
                ("duration_minutes", "pola sata"),
                ("print_per_student", "Jedan list s abecedom"),
                ("facets.equipment", "no_computers"),
                ("facets.age", "7-10"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("The activity was not saved"), "{}", refused.body);
    assert!(refused.body.contains("must be a whole number"), "{}", refused.body);
    assert!(refused.body.contains("id=\"a-texts.0.title\""), "{}", refused.body);
    assert!(
        refused.body.contains("Učenici nižu perle &#60;b&#62;binarno&#60;/b&#62;."),
        "kept and escaped: {}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Jedan list s abecedom\""), "{}", refused.body);
    assert!(refused.body.contains("value=\"no_computers\" checked"), "ticked boxes stay ticked");
    assert!(refused.body.contains("value=\"pola sata\""), "{}", refused.body);

    // Added: a text in Croatian and another in English, a partner as the provider.
    let partner_id = partner.0.to_string();
    let added = b
        .submit(
            "/campaigns/hr/activities",
            &[
                ("texts.0.language", "hr"),
                ("texts.0.title", "Binarne narukvice"),
                ("texts.0.summary", "Učenici nižu perle."),
                ("texts.1.language", "en"),
                ("texts.1.title", "Binary bracelets"),
                ("texts.2.language", ""),
                ("texts.2.title", ""),
                ("url", "example.org/beads"),
                ("provider", &partner_id),
                ("duration_minutes", "45"),
                ("has_follow_on", "on"),
                ("print_per_student", "Jedan list s abecedom"),
                ("languages", "hr, en"),
                ("facets.equipment", "no_computers"),
                ("facets.equipment", "offline"),
                ("facets.age", "7-10"),
                ("facets.format", "unplugged"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let id = ActivityId(id_in(&added.location));
    let stored = site.store.activity(Actor::System, id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.status, ActivityStatus::Listed);
    assert_eq!(stored.fields.texts.len(), 2);
    assert_eq!(stored.fields.provider, Some(partner));
    assert_eq!(stored.fields.provider_name, "Tehnička udruga");
    assert_eq!(stored.fields.url.as_deref(), Some("https://example.org/beads"));
    assert!(stored.fields.has_follow_on);
    assert_eq!(stored.fields.facets[&Facet::Equipment].len(), 2);

    // Its page shows the form filled in, and another language's empty block.
    let page = b.get(&added.location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"Binary bracelets\""), "{}", page.body);
    assert!(page.body.contains("Saved."), "{}", page.body);
    assert!(page.body.contains("name=\"texts.2.title\""), "{}", page.body);
    assert!(page.body.contains("Another language (optional)"), "{}", page.body);

    // Edited: the English title changes, the follow-on goes.
    let path = format!("/campaigns/hr/activities/{}", id.0);
    let form = [
        ("texts.0.language", "hr"),
        ("texts.0.title", "Binarne narukvice"),
        ("texts.0.summary", "Učenici nižu perle."),
        ("texts.1.language", "en"),
        ("texts.1.title", "Binary bead bracelets"),
        ("url", "https://example.org/beads"),
        ("provider", partner_id.as_str()),
        ("duration_minutes", "45"),
        ("print_per_student", "Jedan list s abecedom"),
        ("languages", "hr, en"),
        ("facets.equipment", "no_computers"),
        ("facets.equipment", "offline"),
    ];
    let saved = b.submit(&path, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = site.store.activity(Actor::System, id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.fields.text_in("en").map(|t| t.title.as_str()), Some("Binary bead bracelets"));
    assert!(!stored.fields.has_follow_on);
    assert_eq!(stored.fields.facets[&Facet::Equipment].len(), 2, "the ticked boxes were kept");

    // Filters: equipment "no computers" finds it, with its count; "computers" does not.
    create(&site, campaign, "Labirint s blokovima", &["computers"]).await;
    let all = b.get("/campaigns/hr/activities").await;
    assert!(all.body.contains("2 activities"), "{}", all.body);
    let filtered = b.get("/campaigns/hr/activities?equipment=no_computers").await;
    assert!(filtered.body.contains(">1 activity<"), "{}", filtered.body);
    // The team's pages show an activity's English title when it has one.
    assert!(filtered.body.contains("Binary bead bracelets") && !filtered.body.contains("Labirint s blokovima"));
    assert!(filtered.body.contains("value=\"no_computers\" checked"), "{}", filtered.body);
    let searched = b.get("/campaigns/hr/activities?q=labirint").await;
    assert!(searched.body.contains("Labirint s blokovima") && !searched.body.contains("Binary bead bracelets"));
    let by_status = b.get("/campaigns/hr/activities?status=hidden").await;
    assert!(by_status.body.contains(">No activities<"), "{}", by_status.body);

    // A viewer reads the catalogue but has no buttons, and the store refuses her changes.
    let v = site.signed_in("vera").await;
    let seen = v.get("/campaigns/hr/activities").await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Binary bead bracelets") && !seen.body.contains("Add an activity"), "{}", seen.body);
    let her_view = v.get(&path).await;
    assert!(!her_view.body.contains(">Save<") && !her_view.body.contains("Delete this activity"), "{}", her_view.body);
    let refused = v.submit(&format!("{path}/delete"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let refused = v.submit(&format!("{path}/hidden"), &[("hidden", "1"), ("reason", "broken")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // Deleted after asking.
    assert!(page.body.contains("Delete this activity"), "{}", page.body);
    let gone = b.submit(&format!("{path}/delete"), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND);
}

async fn the_review_queue_lists_and_rejects_with_a_reason_by_email(site: Site) {
    let ana = site.user("ana").await;
    let campaign = site.campaign(ana, &[]).await;
    let b = site.signed_in("ana").await;
    let mut ids = Vec::new();
    for (title, name, email) in
        [("Šifre u dvorištu", "Ivo Ivić", "ivo@example.org"), ("Kocke i petlje", "Mia Marić", "mia@example.org")]
    {
        let fields = draft(title, &["no_computers"]).validate().unwrap_or_else(|e| panic!("{e}"));
        let submitter = Submitter { partner: None, name: name.into(), email: email.into(), locale: "hr".into() };
        let a =
            site.store.submit_activity(campaign, fields, submitter, Utc::now()).await.unwrap_or_else(|e| panic!("{e}"));
        ids.push(a.id.0);
    }
    let list = b.get("/campaigns/hr/activities").await;
    assert!(list.body.contains("Review queue (2 waiting)"), "{}", list.body);
    let queue = b.get("/campaigns/hr/activities/review").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Šifre u dvorištu") && queue.body.contains("ivo@example.org"), "{}", queue.body);
    assert!(queue.body.contains("Works without sign-up or payment"), "{}", queue.body);

    // Listing needs every check: one missing is said beside the boxes, and what was ticked stays.
    let first = format!("/campaigns/hr/activities/{}/review", ids[0]);
    let partial = b.submit(&first, &[("decision", "list"), ("check", "no_sign_up"), ("check", "accessible")]).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", partial.body);
    assert!(partial.body.contains("tick every check"), "{}", partial.body);
    assert!(partial.body.contains("value=\"accessible\" checked"), "{}", partial.body);
    let all_checks: Vec<(&str, &str)> = [("decision", "list")]
        .into_iter()
        .chain(["no_sign_up", "age_appropriate", "accessible", "languages"].map(|c| ("check", c)))
        .collect();
    let listed = b.submit(&first, &all_checks).await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let stored = site.store.activity(Actor::System, ActivityId(ids[0])).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.status, ActivityStatus::Listed);
    assert_eq!(stored.checklist.len(), 4);

    // Rejecting needs a reason; with one, the submitter is written to in Croatian with it.
    let second = format!("/campaigns/hr/activities/{}/review", ids[1]);
    let no_reason = b.submit(&second, &[("decision", "reject"), ("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.body);
    assert!(
        no_reason.body.contains("-reason\" name=\"reason\" rows=\"2\" maxlength=\"1000\" aria-invalid=\"true\""),
        "{}",
        no_reason.body
    );
    let reason = "Stranica traži plaćenu prijavu.";
    let rejected = b.submit(&second, &[("decision", "reject"), ("reason", reason)]).await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    let stored = site.store.activity(Actor::System, ActivityId(ids[1])).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((stored.status, stored.reason.as_str()), (ActivityStatus::Rejected, reason));
    let now = Utc::now();
    let outbox = site.store.claim("t", now, now + Duration::minutes(1), 100).await.unwrap_or_else(|e| panic!("{e}"));
    let mail = outbox.iter().find(|m| m.email == "mia@example.org").unwrap_or_else(|| panic!("{outbox:?}"));
    assert!(mail.subject.contains("Kocke i petlje"), "{}", mail.subject);
    assert!(mail.text.contains(reason) && mail.text.contains("Dobar dan, Mia Marić"), "{}", mail.text);
    assert!(!outbox.iter().any(|m| m.email == "ivo@example.org"), "listing writes to nobody");
    let queue = b.get("/campaigns/hr/activities/review").await;
    assert!(queue.body.contains("Nothing is waiting for review"), "{}", queue.body);
}

async fn a_listed_activity_is_hidden_now_and_listed_again(site: Site) {
    let ana = site.user("ana").await;
    let campaign = site.campaign(ana, &[]).await;
    let id = create(&site, campaign, "Svemirski labirint", &["computers"]).await;
    let b = site.signed_in("ana").await;
    let path = format!("/campaigns/hr/activities/{}", id.0);
    let page = b.get(&path).await;
    assert!(page.body.contains("Hide now"), "{}", page.body);

    let no_reason = b.submit(&format!("{path}/hidden"), &[("hidden", "1"), ("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.body);
    assert!(no_reason.body.contains("aria-invalid=\"true\""), "{}", no_reason.body);
    let reason = "The page asks for payment now.";
    let hid = b.submit(&format!("{path}/hidden"), &[("hidden", "1"), ("reason", reason)]).await;
    assert_eq!(hid.status, StatusCode::SEE_OTHER, "{}", hid.body);
    let stored = site.store.activity(Actor::System, id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((stored.status, stored.reason.as_str()), (ActivityStatus::Hidden, reason));
    let page = b.get(&path).await;
    assert!(page.body.contains("List again") && page.body.contains(reason), "{}", page.body);
    let hidden_list = b.get("/campaigns/hr/activities?status=hidden").await;
    assert!(hidden_list.body.contains("Svemirski labirint"), "{}", hidden_list.body);

    let again = b.submit(&format!("{path}/hidden"), &[("hidden", "0")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let stored = site.store.activity(Actor::System, id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.status, ActivityStatus::Listed);
}

async fn a_member_campaign_hides_what_its_umbrella_offers(site: Site) {
    let ana = site.user("ana").await;
    let iva = site.user("iva").await;
    let umbrella = site.campaign(ana, &[(iva, Role::Member)]).await;
    let member = CampaignDraft {
        name: Some("Sat kodiranja Zagreb".into()),
        slug: Some("zagreb".into()),
        strategy: Some(Strategy::Member),
        parent_id: Some(Some(umbrella)),
        languages: Some(vec!["hr".into()]),
        goal_students: Some(100),
        starts_on: Some("2026-12-07".parse().unwrap_or_default()),
        ends_on: Some("2026-12-13".parse().unwrap_or_default()),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let member = site.store.create_campaign(Actor::User(iva), member).await.unwrap_or_else(|e| panic!("{e}"));
    site.store.set_published(Actor::User(iva), member.id, true).await.unwrap_or_else(|e| panic!("{e}"));
    let offered = create(&site, umbrella, "Ples petlji", &["no_computers"]).await;

    let a = site.signed_in("ana").await;
    let umbrella_page = a.get("/campaigns/hr/activities").await;
    assert!(
        umbrella_page.body.contains("offered to the member campaigns (Sat kodiranja Zagreb)"),
        "{}",
        umbrella_page.body
    );

    let b = site.signed_in("iva").await;
    let page = b.get("/campaigns/zagreb/activities").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Offered by Sat kodiranja") && page.body.contains("Ples petlji"), "{}", page.body);
    let switch = format!("/campaigns/zagreb/activities/umbrella/{}", offered.0);
    let hid = b.submit(&switch, &[("hidden", "1")]).await;
    assert_eq!(hid.status, StatusCode::SEE_OTHER, "{}", hid.body);
    let choices = site.store.umbrella_activities(Actor::User(iva), member.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(choices.iter().map(|(a, hidden)| (a.id, *hidden)).collect::<Vec<_>>(), [(offered, true)]);
    let page = b.get("/campaigns/zagreb/activities").await;
    assert!(page.body.contains("Hidden here"), "{}", page.body);
    assert_eq!(hidden(&page.body, "hidden"), "0", "the switch now shows it again");
    let shown = b.submit(&switch, &[("hidden", "0")]).await;
    assert_eq!(shown.status, StatusCode::SEE_OTHER, "{}", shown.body);
    let choices = site.store.umbrella_activities(Actor::User(iva), member.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(choices.iter().all(|(_, hidden)| !hidden));

    // An activity the umbrella does not offer (the member's own campaign's) cannot be switched.
    let own = create(&site, member.id, "Šetnja Gornjim gradom", &["no_computers"]).await;
    let wrong = b.submit(&format!("/campaigns/zagreb/activities/umbrella/{}", own.0), &[("hidden", "1")]).await;
    assert!(wrong.status.is_client_error(), "{}", wrong.status);
}

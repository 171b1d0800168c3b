//! The activity catalogue's API: adding, listing with facet filters and counts, changing, hiding,
//! reviewing a submission, the CSV export, removing; viewers read and change nothing; bad input is
//! named field by field; unknown ids are not found.

use rally_domain::activity::{ActivityDraft, ActivityTextDraft, Submitter};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, campaign_body};

both_backends!(
    Server;
    the_catalogue_is_kept_through_the_api,
    viewers_read_and_bad_input_is_named,
);

/// A campaign of `owner`'s with `viewer` on its team as a viewer; its id.
async fn campaign(s: &Server, owner: &str, viewer: rally_domain::UserId) -> i64 {
    let cid = s.call("POST", "/api/v1/campaigns", Some(owner), Some(campaign_body("catalogue"))).await.id();
    let r = s
        .call(
            "PUT",
            &format!("/api/v1/campaigns/{cid}/team/{}", viewer.0),
            Some(owner),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    cid
}

fn unplugged() -> Value {
    json!({
        "texts": [
            {"language": "hr", "title": "Kodiranje bez računala", "summary": "Učenici slažu upute za robota."},
            {"language": "en", "title": "Coding without computers"}
        ],
        "url": "https://example.org/unplugged",
        "provider_name": "Mladi programeri",
        "duration_minutes": 45,
        "print_per_student": "One sheet of cards",
        "languages": ["hr", "en"],
        "facets": {"age": ["7-10"], "equipment": ["no_computers", "offline"], "format": ["unplugged"]}
    })
}

async fn the_catalogue_is_kept_through_the_api(s: Server) {
    let (_, owner) = s.user("owner").await;
    let (viewer_id, _) = s.user("viewer").await;
    let cid = campaign(&s, &owner, viewer_id).await;
    let list = format!("/api/v1/campaigns/{cid}/activities");

    let created = s.call("POST", &list, Some(&owner), Some(unplugged())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "listed");
    assert_eq!(created.body["texts"][0]["title"], "Kodiranje bez računala");
    let id = created.id();
    let tablet = json!({
        "texts": [{"language": "en", "title": "Dance party"}],
        "url": "example.org/dance",
        "duration_minutes": 60,
        "facets": {"age": ["11-13"], "equipment": ["tablets"], "programming": ["blocks"]}
    });
    let other = s.call("POST", &list, Some(&owner), Some(tablet)).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    assert_eq!(other.body["url"], "https://example.org/dance", "a link without a scheme gets https://");

    // Facet filters: any value within a facet, facets together; counts beside.
    let all = s.call("GET", &list, Some(&owner), None).await;
    assert_eq!((all.status, all.body["total"].as_i64()), (StatusCode::OK, Some(2)), "{}", all.body);
    let found = s.call("GET", &format!("{list}?age=7-10,11-13&equipment=no_computers"), Some(&owner), None).await;
    assert_eq!(found.body["total"], 1, "{}", found.body);
    assert_eq!(found.body["items"][0]["id"], id);
    let counts = found.body["counts"].as_array().cloned().unwrap_or_default();
    assert!(
        counts.iter().any(|c| c["facet"] == "equipment" && c["value"] == "tablets" && c["activities"] == 1),
        "choosing tablets instead would give one: {counts:?}"
    );
    let none = s.call("GET", &format!("{list}?language=fr"), Some(&owner), None).await;
    assert_eq!(none.body["total"], 0, "{}", none.body);
    let by_length = s.call("GET", &format!("{list}?length=up_to_60&q=dance"), Some(&owner), None).await;
    assert_eq!(by_length.body["total"], 1, "{}", by_length.body);

    let one = s.call("GET", &format!("/api/v1/activities/{id}"), Some(&owner), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["print_per_student"], "One sheet of cards");

    // A change touches only what is sent.
    let changed =
        s.call("PATCH", &format!("/api/v1/activities/{id}"), Some(&owner), Some(json!({"duration_minutes": 30}))).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!((changed.body["duration_minutes"].as_i64(), &changed.body["url"]), (Some(30), &one.body["url"]));
    assert_eq!(changed.body["texts"].as_array().map(Vec::len), Some(2));

    // Hide now, and list again.
    let hidden = format!("/api/v1/activities/{id}/hidden");
    let hid = s.call("PUT", &hidden, Some(&owner), Some(json!({"hidden": true, "reason": "The site is down"}))).await;
    assert_eq!((hid.status, &hid.body["status"]), (StatusCode::OK, &json!("hidden")), "{}", hid.body);
    let twice = s.call("PUT", &hidden, Some(&owner), Some(json!({"hidden": true, "reason": "The site is down"}))).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let back = s.call("PUT", &hidden, Some(&owner), Some(json!({"hidden": false}))).await;
    assert_eq!(back.body["status"], "listed", "{}", back.body);

    // A submission waits for review: listing needs the whole checklist, a rejection its reason.
    let draft = ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("en".into()),
            title: Some("Paper robots".into()),
            ..Default::default()
        }]),
        url: Some("https://example.org/paper".into()),
        ..Default::default()
    };
    let submitter =
        Submitter::parse(None, "Ivana Teacher", "ivana@school.example", "hr").unwrap_or_else(|e| panic!("{e}"));
    let fields = draft.validate().unwrap_or_else(|e| panic!("{e}"));
    let submitted = s
        .store
        .submit_activity(rally_domain::CampaignId(cid), fields.clone(), submitter.clone(), chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let review = format!("/api/v1/activities/{}/review", submitted.id.0);
    let half =
        s.call("POST", &review, Some(&owner), Some(json!({"decision": "list", "checklist": ["no_sign_up"]}))).await;
    assert_eq!((half.status, half.field()), (StatusCode::UNPROCESSABLE_ENTITY, "checklist"), "{}", half.body);
    let all_checks =
        json!({"decision": "list", "checklist": ["no_sign_up", "age_appropriate", "accessible", "languages"]});
    let listed = s.call("POST", &review, Some(&owner), Some(all_checks.clone())).await;
    assert_eq!(listed.body["status"], "listed", "{}", listed.body);
    let again = s.call("POST", &review, Some(&owner), Some(all_checks)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "only a submission is reviewed: {}", again.body);
    let second = s
        .store
        .submit_activity(rally_domain::CampaignId(cid), fields, submitter, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let review = format!("/api/v1/activities/{}/review", second.id.0);
    let no_reason = s.call("POST", &review, Some(&owner), Some(json!({"decision": "reject"}))).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.body);
    let rejected = s
        .call("POST", &review, Some(&owner), Some(json!({"decision": "reject", "reason": "It asks for a sign-up."})))
        .await;
    assert_eq!((rejected.status, &rejected.body["status"]), (StatusCode::OK, &json!("rejected")), "{}", rejected.body);
    let waiting = s.call("GET", &format!("{list}?status=submitted"), Some(&owner), None).await;
    assert_eq!(waiting.body["total"], 0, "{}", waiting.body);

    // The export reads back in the import's columns: a row per language of the texts.
    let csv =
        s.http.get(format!("{}{list}.csv", s.base)).bearer_auth(&owner).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
    let text = csv.text().await.unwrap_or_default();
    let mut lines = text.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("title,summary,description,language,url,provider,duration_minutes")),
        "{text}"
    );
    assert!(
        text.contains("Kodiranje bez računala,Učenici slažu upute za robota.,,hr,https://example.org/unplugged"),
        "{text}"
    );
    assert!(text.contains("Coding without computers,,,en,"), "{text}");
    assert!(text.contains(",\"en, hr\",7-10,,,,unplugged,,\"offline, no_computers\","), "{text}");
    assert!(!text.contains("ivana@school.example"), "no submitter's address leaves through the catalogue");

    let gone = s.call("DELETE", &format!("/api/v1/activities/{id}"), Some(&owner), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let missing = s.call("GET", &format!("/api/v1/activities/{id}"), Some(&owner), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn viewers_read_and_bad_input_is_named(s: Server) {
    let (_, owner) = s.user("owner").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let cid = campaign(&s, &owner, viewer_id).await;
    let list = format!("/api/v1/campaigns/{cid}/activities");
    let id = s.call("POST", &list, Some(&owner), Some(unplugged())).await.id();
    let one = format!("/api/v1/activities/{id}");

    // A viewer reads, and changes nothing; an outsider learns nothing.
    assert_eq!(s.call("GET", &list, Some(&viewer), None).await.status, StatusCode::OK);
    assert_eq!(s.call("GET", &one, Some(&viewer), None).await.status, StatusCode::OK);
    assert_eq!(s.call("GET", &format!("{list}.csv"), Some(&viewer), None).await.status, StatusCode::OK);
    let refused = [
        ("POST", list.clone(), unplugged()),
        ("PATCH", one.clone(), json!({"duration_minutes": 20})),
        ("DELETE", one.clone(), Value::Null),
        ("PUT", format!("{one}/hidden"), json!({"hidden": true, "reason": "broken"})),
        ("POST", format!("{one}/review"), json!({"decision": "reject", "reason": "no"})),
    ];
    for (method, path, body) in &refused {
        let body = (!body.is_null()).then(|| body.clone());
        let r = s.call(method, path, Some(&viewer), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "viewer {method} {path}: {}", r.body);
    }
    assert_eq!(s.call("GET", &list, Some(&outsider), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", &one, Some(&outsider), None).await.status, StatusCode::NOT_FOUND);
    let unchanged = s.call("GET", &one, Some(&owner), None).await;
    assert_eq!((unchanged.body["duration_minutes"].as_i64(), &unchanged.body["status"]), (Some(45), &json!("listed")));

    // Unknown ids are not found.
    for path in ["/api/v1/activities/999999", "/api/v1/activities/nope", "/api/v1/campaigns/999999/activities"] {
        assert_eq!(s.call("GET", path, Some(&owner), None).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = s.call("PATCH", "/api/v1/activities/999999", Some(&owner), Some(json!({"duration_minutes": 5}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Bad input: every offending field named at once.
    let bad = json!({
        "texts": [{"language": "Croatian language", "title": ""}],
        "url": "ftp://example.org/x",
        "duration_minutes": 0,
        "facets": {"age": ["3-4"]}
    });
    let r = s.call("POST", &list, Some(&owner), Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<&str> =
        r.body["errors"].as_array().map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect()).unwrap_or_default();
    for field in ["texts.0.language", "texts.0.title", "url", "duration_minutes", "facets.age"] {
        assert!(fields.contains(&field), "{field} not named: {fields:?}");
    }
    let r = s.call("POST", &list, Some(&owner), Some(json!({"texts": [], "colour": "red"}))).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.to_string().contains("colour"), "{}", r.body);
    let r = s.call("POST", &list, Some(&owner), Some(json!({"texts": []}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["field"] == "texts")), "{}", r.body);
    let r = s.call("PATCH", &one, Some(&owner), Some(json!({"duration_minutes": 601}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "duration_minutes"), "{}", r.body);
    let r = s.call("PUT", &format!("{one}/hidden"), Some(&owner), Some(json!({"hidden": "yes"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "hidden"), "{}", r.body);
    let r = s.call("POST", &format!("{one}/review"), Some(&owner), Some(json!({"decision": "maybe"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "decision"), "{}", r.body);
    for (query, field) in [
        ("age=3-4", "age"),
        ("equipment=hovercraft", "equipment"),
        ("language=not a tag", "language"),
        ("status=lost", "status"),
        ("per_page=0", "per_page"),
        ("page=x", "page"),
    ] {
        let r = s.call("GET", &format!("{list}?{query}"), Some(&owner), None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }
    let long = "x".repeat(201);
    let r = s.call("GET", &format!("{list}?q={long}"), Some(&owner), None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "q"), "{}", r.body);
}

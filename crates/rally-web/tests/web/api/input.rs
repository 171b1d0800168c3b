//! Bad input to the JSON API: every error named by its field with nothing changed, and every list a
//! body carries bounded before it is read.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, campaign_body};

both_backends!(
    Server;
    bad_input_is_named_and_changes_nothing,
    every_list_is_bounded_before_it_is_read,
);

async fn bad_input_is_named_and_changes_nothing(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid =
        s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("hr"))).await.body["id"].as_i64().unwrap_or_default();
    let partners = format!("/api/v1/campaigns/{cid}/partners");
    let pid = s
        .call("POST", &partners, t, Some(json!({"name": "CARNET", "category": "school_network", "reach": 100})))
        .await
        .body["id"]
        .as_i64()
        .unwrap_or_default();
    let before = s.call("GET", &format!("/api/v1/partners/{pid}"), t, None).await.body;

    // (method, path, body, status, field)
    let cases: Vec<(&str, String, Value, StatusCode, &str)> = vec![
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "bank"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "category",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": -1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": "many"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "raech": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "raech",
        ),
        ("POST", partners.clone(), json!({"category": "media"}), StatusCode::UNPROCESSABLE_ENTITY, "name"),
        (
            "POST",
            partners.clone(),
            json!({"name": "Nul\u{0}byte", "category": "media"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "website": "https://x.hr/\u{0}"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "website",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "reach": 1e30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "audiences": "teachers"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audiences",
        ),
        (
            "POST",
            partners.clone(),
            json!({"name": "X", "category": "media", "audiences": ["aliens"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audiences[0]",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "won"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stage",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "closed_lost"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/stage"),
            json!({"stage": "lead"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stage",
        ),
        (
            "PATCH",
            format!("/api/v1/partners/{pid}"),
            json!({"reach": -5, "name": "Renamed"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reach",
        ),
        (
            "PATCH",
            format!("/api/v1/partners/{pid}"),
            json!({"owner_id": 999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "owner_id",
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/contacts"),
            json!({"name": "A", "email": "not-an-email"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        ("POST", "/api/v1/campaigns".into(), campaign_body("hr"), StatusCode::CONFLICT, "slug"),
        (
            "POST",
            "/api/v1/campaigns".into(),
            json!({"name": "X", "slug": "Bad Slug!", "goal_students": 10, "starts_on": "2026-12-07", "ends_on": "2026-12-13", "languages": ["en"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "slug",
        ),
        (
            "POST",
            "/api/v1/campaigns".into(),
            json!({"name": "X", "slug": "ok-slug", "goal_students": 10, "starts_on": "7 Dec", "ends_on": "2026-12-13"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "starts_on",
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "nobody@example.org", "role": "member"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "ana@example.org", "role": "boss"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "role",
        ),
    ];
    for (method, path, body, status, field) in cases {
        let r = s.call(method, &path, t, Some(body.clone())).await;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.body);
        assert_eq!(r.content_type, "application/problem+json", "{method} {path}");
        assert_eq!(r.field(), field, "{method} {path} {body}: {}", r.body);
        assert_eq!(r.body["status"], status.as_u16(), "{}", r.body);
    }
    let k = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/contacts"),
            t,
            Some(json!({"name": "A", "email": "a@carnet.hr"})),
        )
        .await;
    assert_eq!(k.status, StatusCode::CREATED);
    let dup = s
        .call(
            "POST",
            &format!("/api/v1/partners/{pid}/contacts"),
            t,
            Some(json!({"name": "B", "email": "A@carnet.hr"})),
        )
        .await;
    assert_eq!((dup.status, dup.field()), (StatusCode::CONFLICT, "email"));

    // Query parameters are checked the same way.
    for (query, field) in [
        ("stage=won", "stage"),
        ("category=bank", "category"),
        ("tier=mid", "tier"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("after=x", "after"),
        ("colour=red", "query"),
    ] {
        let r = s.call("GET", &format!("{partners}?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }
    // Bodies that are not JSON, too large, or of the wrong type.
    let r = s.raw(&partners, &token, "application/json", b"{\"name\": ".to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "body"));
    let r = s.raw(&partners, &token, "text/plain", b"name=x".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"name\": \"X\", \"category\": \"media\", \"notes\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = s.raw(&partners, &token, "application/json", huge.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = s.raw(&partners, &token, "application/json", b"[1, 2]".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An array is not an object with its fields in order; nothing may follow the object; JSON is UTF-8.
    let r = s.raw(&partners, &token, "application/json", br#"["Array Ltd", "media"]"#.to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    let r =
        s.raw(&partners, &token, "application/json", br#"{"name": "Trailing", "category": "media"} xx"#.to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "body"), "{}", r.body);
    let utf16 = br#"{"name": "Utf16", "category": "media"}"#.to_vec();
    let r = s.raw(&partners, &token, "application/json; charset=utf-16", utf16.clone()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let hold = format!("/api/v1/partners/{pid}/do-not-contact");
    let r = s.send("PUT", &hold, t, "application/json", b"[null]".to_vec()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    // Nor at any depth: a nested object sent as an array of its fields is refused, naming it.
    let settings = format!("/api/v1/campaigns/{cid}/mail-settings");
    let nested = json!({"from_name": "Team", "from_address": "team@carnet.hr", "policy": [2, 7, 48]});
    let r = s.call("PUT", &settings, t, Some(nested)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "policy"), "{}", r.body);
    // A query value sent empty is not sent (as a form sends a blank field); a sort names its order.
    for query in ["stage=", "owner=", "limit=", "sort=", "high_touch=", "sort=name"] {
        let r = s.call("GET", &format!("{partners}?{query}"), t, None).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    }
    let r = s
        .raw(&partners, &token, "application/json; charset=UTF-8", br#"{"name": "Fine", "category": "media"}"#.to_vec())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "a UTF-8 charset is fine: {}", r.body);
    s.call("DELETE", &format!("/api/v1/partners/{}", r.id()), t, None).await;
    let names: Vec<String> = s.call("GET", &partners, t, None).await.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["CARNET"], "none of the refused bodies made a partner");
    // Ids that cannot exist, and routes that do not.
    assert_eq!(s.call("GET", "/api/v1/partners/abc", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/partners/99999999", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/nothing-here", t, None).await.content_type, "application/problem+json");
    assert_eq!(s.call("PUT", "/api/v1/campaigns", t, Some(json!({}))).await.status, StatusCode::METHOD_NOT_ALLOWED);

    // None of it changed the partner.
    let after = s.call("GET", &format!("/api/v1/partners/{pid}"), t, None).await.body;
    assert_eq!(after, before);
    let history = s.call("GET", &format!("/api/v1/partners/{pid}/history"), t, None).await.body;
    assert_eq!(history.as_array().map(Vec::len), Some(1));
    let all = s.call("GET", &partners, t, None).await.body;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

/// Every list and map a body carries stops at its documented maximum while it is read: a body with a
/// list of 100,000 items is refused naming the list, before any per-item work and before the store
/// is asked whether the caller may touch the campaign at all (an outsider, a campaign that does not
/// exist). A list at its maximum is still read.
async fn every_list_is_bounded_before_it_is_read(s: Server) {
    let (_, token) = s.user("ana").await;
    let (_, outsider) = s.user("out").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&token), Some(campaign_body("big"))).await.id();
    let pid = s
        .call(
            "POST",
            &format!("/api/v1/campaigns/{cid}/partners"),
            Some(&token),
            Some(json!({"name": "Radio", "category": "media"})),
        )
        .await
        .id();
    let many = |item: Value| Value::Array(vec![item; 100_000]);
    let languages: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("x{:02}", i), json!("Anyone can code."))).collect();
    let segment_of = |field: &str, item: Value| json!({ field: many(item) });
    let c = format!("/api/v1/campaigns/{cid}");
    // (method, path, body, the field named)
    let cases: Vec<(&str, String, String, &str)> = vec![
        ("POST", "/api/v1/campaigns".into(), json!({"languages": many(json!("hr"))}).to_string(), "languages"),
        ("PATCH", c.clone(), json!({"languages": many(json!("hr"))}).to_string(), "languages"),
        ("PATCH", c.clone(), json!({ "message": languages }).to_string(), "message"),
        (
            "POST",
            "/api/v1/campaigns/999999/partners".into(),
            json!({"name": "X", "category": "media", "tags": many(json!("a"))}).to_string(),
            "tags",
        ),
        (
            "POST",
            format!("{c}/partners"),
            json!({"name": "X", "category": "media", "audiences": many(json!("parents"))}).to_string(),
            "audiences",
        ),
        ("PATCH", format!("/api/v1/partners/{pid}"), json!({"tags": many(json!("a"))}).to_string(), "tags"),
        (
            "POST",
            format!("{c}/asks"),
            json!({"title": "X", "categories": many(json!("media"))}).to_string(),
            "categories",
        ),
        ("POST", format!("{c}/asks"), json!({"title": "X", "tiers": many(json!("high"))}).to_string(), "tiers"),
        ("POST", format!("{c}/asks/apply"), json!({"asks": many(json!(1)), "segment": {}}).to_string(), "asks"),
        ("POST", format!("/api/v1/partners/{pid}/sends"), json!({"assets": many(json!(1))}).to_string(), "assets"),
        ("POST", format!("{c}/messages"), json!({"templates": many(json!({}))}).to_string(), "templates"),
        (
            "POST",
            format!("{c}/messages"),
            json!({"segment": segment_of("owners", json!(1))}).to_string(),
            "segment.owners",
        ),
        (
            "POST",
            format!("{c}/messages"),
            json!({"segment": segment_of("stages", json!("lead"))}).to_string(),
            "segment.stages",
        ),
        (
            "POST",
            format!("{c}/events/moderation"),
            json!({"ids": many(json!(1)), "decision": "approve"}).to_string(),
            "ids",
        ),
        (
            "PUT",
            format!("{c}/mail-settings"),
            json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"quiet_weekdays": many(json!("sun"))}})
                .to_string(),
            "policy.quiet_weekdays",
        ),
    ];
    for (method, path, body, field) in cases {
        assert!(body.len() < 1024 * 1024, "{path}: the body fits the limit, so the list is what is refused");
        for who in [&token, &outsider] {
            let r = s.send(method, &path, Some(who), "application/json", body.clone().into_bytes()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {}", r.body);
            let said = format!("{}: {}", r.field(), r.body["errors"][0]["message"]);
            assert!(said.contains("at most"), "{method} {path}: {said}");
            if field != "." {
                assert_eq!(r.field(), field, "{method} {path}");
            }
        }
    }
    // A map cannot be inflated by one key sent again and again: a name given twice is refused.
    let repeated = format!("{{{}\"lead\": 1}}", "\"lead\": 1, ".repeat(50_000));
    let r = s.send("PUT", &format!("{c}/stage-limits"), Some(&token), "application/json", repeated.into_bytes()).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "body"), "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("`lead` is given twice")));
    // At its maximum a list is read as usual: 30 tags, 20 languages.
    let tags: Vec<String> = (0..30).map(|i| format!("tag{i}")).collect();
    let r = s.call("PATCH", &format!("/api/v1/partners/{pid}"), Some(&token), Some(json!({ "tags": tags }))).await;
    assert_eq!((r.status, r.len_of("tags")), (StatusCode::OK, 30), "{}", r.body);
    let twenty = [
        "hr", "en", "de", "fr", "it", "es", "pt", "nl", "pl", "cs", "sk", "sl", "sr", "bs", "hu", "ro", "bg", "el",
        "ru", "uk",
    ];
    let r = s.call("PATCH", &c, Some(&token), Some(json!({ "languages": twenty }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

//! API tokens and campaign roles: who may read and change what.

use rally_domain::{Email, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, campaign_body};

both_backends!(
    Server;
    tokens_and_roles_are_enforced,
);

async fn tokens_and_roles_are_enforced(s: Server) {
    let (_, owner) = s.user("owner").await;
    let mut tokens = Vec::new();
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("roles"))).await.body["id"]
        .as_i64()
        .unwrap_or_default();
    for (name, role) in [("coord", "coordinator"), ("member", "member"), ("viewer", "viewer")] {
        let (id, token) = s.user(name).await;
        let r = s
            .call("PUT", &format!("/api/v1/campaigns/{cid}/team/{id}"), Some(&owner), Some(json!({"role": role})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        tokens.push(token);
    }
    let (_, outsider) = s.user("outsider").await;
    let [coord, member, viewer] = [&tokens[0], &tokens[1], &tokens[2]];
    let partners = format!("/api/v1/campaigns/{cid}/partners");
    let owned_by_coord =
        s.call("POST", &partners, Some(coord), Some(json!({"name": "Coord's", "category": "media"}))).await.body["id"]
            .as_i64()
            .unwrap_or_default();

    // Missing, malformed and unknown tokens: 401 with a challenge.
    for header in [None, Some("not-a-token"), Some("rally_0000")] {
        let mut req = s.http.get(format!("{}/api/v1/campaigns", s.base));
        if let Some(h) = header {
            req = req.header("authorization", if h == "not-a-token" { h.to_owned() } else { format!("Bearer {h}") });
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
    }

    // (who, method, path, body, expected)
    let stage = format!("/api/v1/partners/{owned_by_coord}/stage");
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", viewer, "GET", partners.clone(), Value::Null, StatusCode::OK),
        ("viewer", viewer, "POST", partners.clone(), json!({"name": "V", "category": "media"}), StatusCode::FORBIDDEN),
        ("viewer", viewer, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::FORBIDDEN),
        (
            "viewer",
            viewer,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 1}),
            StatusCode::FORBIDDEN,
        ),
        ("member", member, "POST", partners.clone(), json!({"name": "Mine", "category": "media"}), StatusCode::CREATED),
        ("member", member, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::FORBIDDEN),
        (
            "member",
            member,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 1}),
            StatusCode::FORBIDDEN,
        ),
        ("member", member, "DELETE", format!("/api/v1/partners/{owned_by_coord}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "coordinator",
            coord,
            "PATCH",
            format!("/api/v1/campaigns/{cid}"),
            json!({"goal_students": 60000}),
            StatusCode::OK,
        ),
        ("coordinator", coord, "POST", stage.clone(), json!({"stage": "contacted"}), StatusCode::OK),
        (
            "coordinator",
            coord,
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "outsider@example.org", "role": "viewer"}),
            StatusCode::FORBIDDEN,
        ),
        ("coordinator", coord, "DELETE", format!("/api/v1/campaigns/{cid}"), Value::Null, StatusCode::FORBIDDEN),
        ("outsider", &outsider, "GET", partners.clone(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{owned_by_coord}"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "POST", stage.clone(), json!({"stage": "negotiate_ask"}), StatusCode::NOT_FOUND),
        (
            "owner",
            &owner,
            "POST",
            format!("/api/v1/campaigns/{cid}/team"),
            json!({"email": "outsider@example.org", "role": "viewer"}),
            StatusCode::OK,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
    }
    // The member's own partner is theirs to move; the outsider, now a viewer, reads.
    let mine = s.call("GET", &format!("{partners}?q=mine"), Some(member), None).await.body["items"][0]["id"]
        .as_i64()
        .unwrap_or_default();
    assert_eq!(
        s.call("POST", &format!("/api/v1/partners/{mine}/stage"), Some(member), Some(json!({"stage": "contacted"})))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(s.call("GET", &partners, Some(&outsider), None).await.status, StatusCode::OK);
    let team = s.call("GET", &format!("/api/v1/campaigns/{cid}/team"), Some(viewer), None).await;
    assert_eq!(team.body.as_array().map(Vec::len), Some(5));
    let roles: Vec<Role> = serde_json::from_value(
        team.body.as_array().map(|a| a.iter().map(|m| m["role"].clone()).collect()).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert!(roles.contains(&Role::Owner) && roles.contains(&Role::Viewer));
    // The owner takes someone off the team; the last owner cannot leave.
    let owner_id = s.call("GET", "/api/v1/me", Some(&owner), None).await.body["id"].as_i64().unwrap_or_default();
    let r = s.call("DELETE", &format!("/api/v1/campaigns/{cid}/team/{owner_id}"), Some(&owner), None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "user_id"));
    let viewer_id = s
        .store
        .user_by_email(&Email::parse("viewer@example.org").unwrap_or_else(|e| panic!("{e}")))
        .await
        .ok()
        .flatten()
        .map(|u| u.id.0)
        .unwrap_or_default();
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/campaigns/{cid}/team/{viewer_id}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.call("GET", &partners, Some(viewer), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/campaigns/{cid}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
}

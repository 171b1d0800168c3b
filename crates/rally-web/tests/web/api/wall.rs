//! The public recognition wall of a campaign's partners.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PNG_1X1, Server, campaign_body};

both_backends!(
    Server;
    the_recognition_wall_is_public,
);

async fn the_recognition_wall_is_public(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("wall"))).await;
    let tech = s
        .partner(
            &token,
            "wall",
            json!({"name": "Zagreb Tech", "category": "it_company", "reach": 50_000, "website": "zagreb.tech"}),
        )
        .await;
    let beta = s.partner(&token, "wall", json!({"name": "Beta Media", "category": "media", "reach": 2_000})).await;
    let alpha = s.partner(&token, "wall", json!({"name": "Alpha Media", "category": "media", "reach": 1_000})).await;
    let hidden = s.partner(&token, "wall", json!({"name": "Hidden Co", "category": "media", "reach": 3_000})).await;
    s.partner(&token, "wall", json!({"name": "Not Yet", "category": "media", "reach": 4_000})).await;
    for id in [tech, beta, alpha, hidden] {
        let r = s.call("POST", &format!("/api/v1/partners/{id}/stage"), t, Some(json!({"stage": "closed_won"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r =
        s.upload("PUT", &format!("/api/v1/partners/{tech}/logo"), t, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("PUT", &format!("/api/v1/partners/{hidden}/recognition"), t, Some(json!({"opt_out": true}))).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"opt_out": true})));

    let wall = s.call("GET", "/api/v1/campaigns/wall/recognition", None, None).await;
    assert_eq!(wall.status, StatusCode::OK, "{}", wall.body);
    assert_eq!(wall.header("access-control-allow-origin"), "*");
    assert_eq!(
        wall.body,
        json!({
            "campaign": "wall",
            "tiers": [
                {"tier": "high", "partners": [
                    {"name": "Zagreb Tech", "website": "https://zagreb.tech", "logo_url": format!("{}/c/wall/logos/{tech}", s.base), "width": 200, "height": 100}
                ]},
                {"tier": "low", "partners": [
                    {"name": "Alpha Media", "website": null, "logo_url": null, "width": 200, "height": 100},
                    {"name": "Beta Media", "website": null, "logo_url": null, "width": 200, "height": 100}
                ]}
            ]
        })
    );
    // The logo behind the URL, for anyone; nothing for a partner that is not on the wall.
    let logo = reqwest::get(format!("{}/c/wall/logos/{tech}", s.base)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert_eq!(logo.bytes().await.unwrap_or_default().as_ref(), &PNG_1X1[..]);
    let not_won = reqwest::get(format!("{}/c/wall/logos/{hidden}", s.base)).await.map(|r| r.status()).ok();
    assert_eq!(not_won, Some(StatusCode::NOT_FOUND));
    // The campaign's id serves as well as its slug.
    let id = s.call("GET", "/api/v1/campaigns/wall", t, None).await.body["id"].as_i64().unwrap_or_default();
    let by_id = s.call("GET", &format!("/api/v1/campaigns/{id}/recognition"), None, None).await;
    assert_eq!(
        by_id.body["tiers"],
        wall.body["tiers"].clone().as_array().map_or(json!(null), |tiers| {
            let mut tiers = json!(tiers);
            tiers[0]["partners"][0]["logo_url"] = json!(format!("{}/c/{id}/logos/{tech}", s.base));
            tiers
        })
    );
    let logo = reqwest::get(format!("{}/c/{id}/logos/{tech}", s.base)).await.map(|r| r.status()).ok();
    assert_eq!(logo, Some(StatusCode::OK));
    let r = s.call("GET", "/api/v1/campaigns/nowhere/recognition", None, None).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
    assert_eq!(r.header("access-control-allow-origin"), "*");
}

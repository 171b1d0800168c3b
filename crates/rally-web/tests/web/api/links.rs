//! Partners' secret links: a link opens its own partner's commitments and files only, is no bearer
//! token (nor is a token a link), lets the partner set its logo and place on the wall, and a new one
//! revokes the old.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PDF, PNG_1X1, Reply, Server, campaign_body};

both_backends!(
    Server;
    partner_links_are_secret,
);

async fn partner_links_are_secret(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("links"))).await;
    let a = s.partner(&token, "links", json!({"name": "Tajni Partner d.o.o.", "category": "it_company"})).await;
    let b = s.partner(&token, "links", json!({"name": "Drugi Partner", "category": "media"})).await;
    let ask = s.call("POST", "/api/v1/campaigns/links/asks", t, Some(json!({"title": "Newsletter"}))).await.id();
    let applied =
        s.call("POST", "/api/v1/campaigns/links/asks/apply", t, Some(json!({"asks": [ask], "segment": {}}))).await;
    assert_eq!((&applied.body["partners"], &applied.body["created"]), (&json!(2), &json!(2)), "{}", applied.body);
    let commitment_of = |p: i64| {
        let s = &s;
        async move {
            s.call("GET", &format!("/api/v1/partners/{p}/commitments"), t, None).await.body[0]["id"]
                .as_i64()
                .unwrap_or_default()
        }
    };
    let (ca, cb) = (commitment_of(a).await, commitment_of(b).await);
    let fields = [("title", "Logo"), ("kind", "logo")];
    let for_b = s.upload("POST", "/api/v1/campaigns/links/assets", t, &fields, Some(("file", "l.png", &PNG_1X1))).await;
    let for_b = for_b.id();
    let r = s.call("POST", &format!("/api/v1/partners/{b}/sends"), t, Some(json!({"assets": [for_b]}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let link_a = s.call("POST", &format!("/api/v1/partners/{a}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let link_b = s.call("POST", &format!("/api/v1/partners/{b}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let unknown = rally_web::auth::random_token();
    let hidden = |r: &Reply| {
        assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
        let text = String::from_utf8_lossy(&r.bytes);
        assert!(!text.contains("Tajni") && !text.contains("Drugi"), "{text}");
    };
    for path in [
        format!("/api/v1/link/{unknown}"),
        format!("/api/v1/link/{}", link_a.to_uppercase()),
        format!("/api/v1/link/{}", &link_a[..63]),
        format!("/api/v1/link/{unknown}/assets/{for_b}/file"),
    ] {
        hidden(&s.call("GET", &path, None, None).await);
    }
    hidden(
        &s.call("POST", &format!("/api/v1/link/{unknown}/commitments/{ca}"), None, Some(json!({"accept": true}))).await,
    );
    // A's link answers A's commitments only, and downloads only what was sent to A.
    hidden(
        &s.call("POST", &format!("/api/v1/link/{link_a}/commitments/{cb}"), None, Some(json!({"accept": false}))).await,
    );
    hidden(
        &s.call("POST", &format!("/api/v1/link/{link_a}/commitments/abc"), None, Some(json!({"accept": false}))).await,
    );
    hidden(&s.call("GET", &format!("/api/v1/link/{link_a}/assets/{for_b}/file"), None, None).await);
    assert_eq!(
        s.call("GET", &format!("/api/v1/partners/{b}/commitments"), t, None).await.body[0]["status"],
        "proposed"
    );
    let got = s.call("GET", &format!("/api/v1/link/{link_b}/assets/{for_b}/file"), None, None).await;
    assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    let declined =
        s.call("POST", &format!("/api/v1/link/{link_a}/commitments/{ca}"), None, Some(json!({"accept": false}))).await;
    assert_eq!((declined.status, &declined.body["status"]), (StatusCode::OK, &json!("declined")), "{}", declined.body);
    // A bearer token of the team does not open a link, and a link is no bearer token.
    let r = s.call("GET", &format!("/api/v1/partners/{a}"), Some(&link_a), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The partner sets its logo and its place on the wall through the link.
    let logo = format!("/api/v1/link/{link_a}/logo");
    let r = s.upload("PUT", &logo, None, &[], Some(("file", "logo.pdf", PDF))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let r = s.upload("PUT", &logo, None, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!((r.status, &r.body["media_type"]), (StatusCode::OK, &json!("png")), "{}", r.body);
    let r = s.call("PUT", &format!("/api/v1/link/{link_a}/recognition"), None, Some(json!({"opt_out": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = s.call("GET", &format!("/api/v1/link/{link_a}"), None, None).await;
    assert_eq!((&view.body["logo"]["media_type"], &view.body["recognition_opt_out"]), (&json!("png"), &json!(true)));
    let profile = s.call("GET", &format!("/api/v1/partners/{a}/profile"), t, None).await.body;
    assert_eq!((&profile["logo"]["media_type"], &profile["recognition_opt_out"]), (&json!("png"), &json!(true)));

    // A new link revokes the old one; a revoked link opens nothing.
    let again = s.call("POST", &format!("/api/v1/partners/{a}/link"), t, None).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    hidden(&s.call("GET", &format!("/api/v1/link/{link_a}"), None, None).await);
    assert_eq!(s.call("GET", &format!("/api/v1/link/{again}"), None, None).await.status, StatusCode::OK);
    assert_eq!(s.call("DELETE", &format!("/api/v1/partners/{a}/link"), t, None).await.status, StatusCode::NO_CONTENT);
    hidden(&s.call("GET", &format!("/api/v1/link/{again}"), None, None).await);
    hidden(&s.upload("PUT", &format!("/api/v1/link/{again}/logo"), None, &[], Some(("file", "l.png", &PNG_1X1))).await);
    hidden(&s.call("PUT", &format!("/api/v1/link/{again}/recognition"), None, Some(json!({"opt_out": false}))).await);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{a}/profile"), t, None).await.body["link"], Value::Null);
    assert_eq!(s.call("DELETE", &format!("/api/v1/partners/{a}/link"), t, None).await.status, StatusCode::NO_CONTENT);
}

//! Uploads through the API, checked by their content rather than their name.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Fields, FilePart, PDF, PNG_1X1, Server, campaign_body, windows_program};

both_backends!(
    Server;
    uploads_are_checked_by_content,
);

async fn uploads_are_checked_by_content(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("uploads"))).await;
    let partner = s.partner(&token, "uploads", json!({"name": "CARNET", "category": "school_network"})).await;
    let assets = "/api/v1/campaigns/uploads/assets";
    let logo = [("title", "Logo"), ("kind", "logo")];

    // A program renamed .png is refused for what it is.
    let program = windows_program();
    let r = s.upload("POST", assets, t, &logo, Some(("file", "logo.png", &program))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    assert_eq!(r.content_type, "application/problem+json");
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("program")), "{}", r.body);

    // An SVG with a script is stored without it, and served so that nothing could run anyway.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><script>alert(document.cookie)</script><rect width="20" height="10" fill="red" onclick="alert(1)"/></svg>"#;
    let r = s
        .upload("POST", assets, t, &[("title", "Banner"), ("kind", "banner")], Some(("file", "banner.svg", svg)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["file"]["media_type"], "svg");
    let file = s.call("GET", &format!("/api/v1/assets/{}/file", r.id()), t, None).await;
    assert_eq!((file.status, file.content_type.as_str()), (StatusCode::OK, "image/svg+xml"));
    let text = String::from_utf8_lossy(&file.bytes).to_lowercase();
    assert!(!text.contains("script") && !text.contains("onclick"), "{text}");
    assert!(text.contains("<rect"), "{text}");
    assert!(file.header("content-security-policy").contains("sandbox"));
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    let stored = s.call("GET", assets, t, None).await.body;

    // A body over the upload limit: 413, and nothing stored.
    let huge = vec![0u8; 21 * 1024 * 1024];
    let r = s.upload("POST", assets, t, &logo, Some(("file", "poster.png", &huge))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!((r.content_type.as_str(), &r.body["status"]), ("application/problem+json", &json!(413)));
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("20 MB")), "{}", r.body);
    // Just under the limit reads fine, and is refused for its content.
    let zeros = vec![0u8; 19 * 1024 * 1024];
    let r = s.upload("POST", assets, t, &logo, Some(("file", "zeros.png", &zeros))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);

    // Every other refusal names its field.
    let cases: Vec<(Fields, Option<FilePart<'_>>, StatusCode, &str)> = vec![
        (logo.to_vec(), None, StatusCode::UNPROCESSABLE_ENTITY, "file"),
        (logo.to_vec(), Some(("file", "empty.png", b"")), StatusCode::UNPROCESSABLE_ENTITY, "file"),
        (
            vec![("title", "Logo"), ("kind", "sticker")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind",
        ),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("audience", "aliens")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audience",
        ),
        (vec![("kind", "logo")], Some(("file", "l.png", &PNG_1X1)), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("colour", "red")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
        (logo.to_vec(), Some(("upload", "l.png", &PNG_1X1)), StatusCode::UNPROCESSABLE_ENTITY, "upload"),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("url", "https://example.org")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "url",
        ),
        (
            vec![("title", "Logo"), ("kind", "logo"), ("language", "klingon!")],
            Some(("file", "l.png", &PNG_1X1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "language",
        ),
    ];
    for (fields, file, status, field) in cases {
        let r = s.upload("POST", assets, t, &fields, file).await;
        assert_eq!((r.status, r.field()), (status, field), "{fields:?}: {}", r.body);
        assert_eq!(r.content_type, "application/problem+json");
    }
    let r = s.send("POST", assets, t, "application/json", b"{\"title\": \"Logo\"}".to_vec()).await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json"),
        "{}",
        r.body
    );
    let r = s.send("POST", assets, t, "multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()).await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (StatusCode::BAD_REQUEST, "application/problem+json"),
        "{}",
        r.body
    );
    assert_eq!(s.call("GET", assets, t, None).await.body, stored, "a refused upload stored something");

    // A logo must be an image: a PDF is refused, a PNG taken and removed again.
    let logo_path = format!("/api/v1/partners/{partner}/logo");
    let r = s.upload("PUT", &logo_path, t, &[], Some(("file", "logo.pdf", PDF))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("a logo is a picture")), "{}", r.body);
    // A file of no accepted type: the refusal lists what a logo may be, and PDF is not among them.
    let r = s
        .upload("PUT", &logo_path, t, &[], Some(("file", "logo.txt", b"Dear partner, here is our logo".as_slice())))
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("PNG, JPEG, WebP or SVG") && !detail.contains("PDF"), "{detail}");
    let r = s.upload("PUT", &logo_path, t, &[], None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "file"), "{}", r.body);
    let profile = format!("/api/v1/partners/{partner}/profile");
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"], Value::Null);
    let r = s.upload("PUT", &logo_path, t, &[], Some(("file", "logo.png", &PNG_1X1))).await;
    assert_eq!((r.status, &r.body["media_type"]), (StatusCode::OK, &json!("png")), "{}", r.body);
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"]["media_type"], "png");
    assert_eq!(s.call("DELETE", &logo_path, t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &profile, t, None).await.body["logo"], Value::Null);
    // A PDF is a fine asset.
    let r = s
        .upload("POST", assets, t, &[("title", "Poster"), ("kind", "poster")], Some(("file", "poster.pdf", PDF)))
        .await;
    assert_eq!((r.status, &r.body["file"]["media_type"]), (StatusCode::CREATED, &json!("pdf")), "{}", r.body);
}

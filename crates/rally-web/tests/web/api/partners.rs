//! The partner workflow through the API (asks, commitments, assets, tasks, interactions) and the
//! rights each role has over it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PNG_1X1, Server, campaign_body, day};

both_backends!(
    Server;
    the_partner_workflow_runs_through_the_api,
    workflow_rights_follow_roles,
);

/// The flow: standard asks applied to a segment in one call, a custom ask for a high-touch
/// partner, an asset sent to it, and the partner answering through its link.
async fn the_partner_workflow_runs_through_the_api(s: Server) {
    let (me, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid = s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("hr-2026"))).await.id();
    let mut low_media = Vec::new();
    for (name, reach) in [("Radio Student", 500), ("Školski portal", 2_000), ("Bug.hr", 9_000)] {
        low_media.push(s.partner(&token, "hr-2026", json!({"name": name, "category": "media", "reach": reach})).await);
    }
    let hrt = s.partner(&token, "hr-2026", json!({"name": "HRT", "category": "media", "reach": 1_200_000})).await;
    let gone = s.partner(&token, "hr-2026", json!({"name": "Old Gazette", "category": "media", "reach": 100})).await;
    let lost = json!({"stage": "closed_lost", "reason": "closed down"});
    assert_eq!(s.call("POST", &format!("/api/v1/partners/{gone}/stage"), t, Some(lost)).await.status, StatusCode::OK);
    let infobip = s
        .partner(
            &token,
            "hr-2026",
            json!({"name": "Infobip", "category": "it_company", "reach": 20_000, "high_touch": true,
                   "notes": "Internal: the CEO prefers calls"}),
        )
        .await;

    // Standard asks, applied to every low-reach media partner in one call.
    let asks = "/api/v1/campaigns/hr-2026/asks";
    let newsletter = s
        .call(
            "POST",
            asks,
            t,
            Some(json!({"title": "Announce the campaign in your newsletter", "categories": ["media"],
                        "tiers": ["low"], "milestone": "promotion"})),
        )
        .await;
    assert_eq!(newsletter.status, StatusCode::CREATED, "{}", newsletter.body);
    assert_eq!(newsletter.body["partner_id"], Value::Null);
    let post = s.call("POST", asks, t, Some(json!({"title": "Share our post", "due_on": day(20)}))).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let (newsletter, post) = (newsletter.id(), post.id());
    assert_eq!(s.call("GET", asks, t, None).await.len(), 2);
    let patched =
        s.call("PATCH", &format!("/api/v1/asks/{post}"), t, Some(json!({"description": "Two posts, please"}))).await;
    assert_eq!(
        (patched.body["title"].as_str(), patched.body["description"].as_str()),
        (Some("Share our post"), Some("Two posts, please"))
    );
    assert_eq!(s.call("GET", &format!("/api/v1/asks/{post}"), t, None).await.body["due_on"], day(20));
    let apply = format!("{asks}/apply");
    let segment = json!({"asks": [newsletter, post], "segment": {"category": "media", "tier": "low"}});
    // A preview says who would get what, and writes nothing.
    let mut preview = segment.clone();
    preview["preview"] = json!(true);
    let r = s.call("POST", &apply, t, Some(preview)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["preview"], &r.body["created"]), (&json!(true), &json!(6)), "{}", r.body);
    assert_eq!(
        r.body["asks"][0],
        json!({"ask_id": newsletter, "title": "Announce the campaign in your newsletter", "reached": 3, "created": 3,
               "already": 0, "not_for": 0})
    );
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{}/commitments", low_media[0]), t, None).await.len(), 0);
    let applied = s.call("POST", &apply, t, Some(segment.clone())).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(
        (&applied.body["partners"], &applied.body["created"], &applied.body["preview"]),
        (&json!(3), &json!(6), &json!(false))
    );
    let again = s.call("POST", &apply, t, Some(segment)).await.body;
    assert_eq!(
        (&again["partners"], &again["created"], &again["asks"][1]["already"]),
        (&json!(3), &json!(0), &json!(3))
    );
    for id in &low_media {
        let commitments = s.call("GET", &format!("/api/v1/partners/{id}/commitments"), t, None).await;
        assert_eq!(commitments.len(), 2);
        assert_eq!(commitments.body[0]["status"], "proposed");
    }
    for id in [hrt, gone, infobip] {
        assert_eq!(s.call("GET", &format!("/api/v1/partners/{id}/commitments"), t, None).await.len(), 0);
    }
    let r = s.call("POST", &apply, t, Some(json!({"asks": [newsletter], "segment": {"tier": "mid"}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "segment.tier"));
    let r = s.call("POST", &apply, t, Some(json!({"asks": [], "segment": {}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "asks"));

    // A custom ask for the high-touch IT company, and a standard ask proposed to one partner.
    let infobip_commitments = format!("/api/v1/partners/{infobip}/commitments");
    let custom = s
        .call(
            "POST",
            &infobip_commitments,
            t,
            Some(json!({"ask": {"title": "Host Hour of Code events in schools", "unit": "schools", "due_on": day(10)},
                        "commitment": {"note": "Ana to call Ivo"}})),
        )
        .await;
    assert_eq!(custom.status, StatusCode::CREATED, "{}", custom.body);
    assert_eq!(
        (&custom.body["status"], &custom.body["unit"], &custom.body["due_on"], &custom.body["note"]),
        (&json!("proposed"), &json!("schools"), &json!(day(10)), &json!("Ana to call Ivo"))
    );
    let commitment = custom.id();
    let hrt_commitments = format!("/api/v1/partners/{hrt}/commitments");
    let r = s.call("POST", &hrt_commitments, t, Some(json!({"ask_id": post}))).await;
    assert_eq!((r.status, &r.body["ask_title"]), (StatusCode::CREATED, &json!("Share our post")));
    let hrt_commitment = r.id();
    for (body, status, field) in [
        (json!({"ask_id": post}), StatusCode::CONFLICT, "ask_id"),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
        (json!({"ask_id": post, "ask": {"title": "Both"}}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
        (json!({"ask": {"unit": "schools"}}), StatusCode::UNPROCESSABLE_ENTITY, "ask.title"),
        (
            json!({"ask_id": newsletter, "commitment": {"quantity": -1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "commitment.quantity",
        ),
        (
            json!({"ask_id": newsletter, "commitment": {"status": "maybe"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "commitment.status",
        ),
        (json!({"ask_id": 99_999_999}), StatusCode::UNPROCESSABLE_ENTITY, "ask_id"),
    ] {
        let r = s.call("POST", &hrt_commitments, t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (status, field), "{body}: {}", r.body);
    }
    let r = s
        .call(
            "PATCH",
            &format!("/api/v1/commitments/{hrt_commitment}"),
            t,
            Some(json!({"status": "agreed", "due_on": null})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "due_on"), "{}", r.body);
    let r = s
        .call(
            "PATCH",
            &format!("/api/v1/commitments/{hrt_commitment}"),
            t,
            Some(json!({"status": "declined", "note": "no budget"})),
        )
        .await;
    assert_eq!((r.status, &r.body["status"]), (StatusCode::OK, &json!("declined")), "{}", r.body);

    // An asset: a real PNG, and a link.
    let assets = "/api/v1/campaigns/hr-2026/assets";
    let fields = [("title", "Campaign logo"), ("kind", "logo"), ("language", "hr"), ("audience", "teachers")];
    let logo = s.upload("POST", assets, t, &fields, Some(("file", "logo final.png", &PNG_1X1))).await;
    assert_eq!(logo.status, StatusCode::CREATED, "{}", logo.body);
    assert_eq!(logo.body["file"]["media_type"], "png");
    assert_eq!((logo.body["file"]["width"].as_u64(), logo.body["file"]["height"].as_u64()), (Some(1), Some(1)));
    assert_eq!(logo.body["file"]["filename"], "logo final.png");
    let tutorial = s
        .upload(
            "POST",
            assets,
            t,
            &[("title", "Tutorial"), ("kind", "tutorial"), ("url", "hourofcode.com/learn")],
            None,
        )
        .await;
    assert_eq!(tutorial.status, StatusCode::CREATED, "{}", tutorial.body);
    assert_eq!(tutorial.body["url"], "https://hourofcode.com/learn");
    let (logo, tutorial) = (logo.id(), tutorial.id());
    assert_eq!(s.call("GET", assets, t, None).await.len(), 2);
    assert_eq!(s.call("GET", &format!("/api/v1/assets/{logo}"), t, None).await.body["title"], "Campaign logo");
    let file = s.call("GET", &format!("/api/v1/assets/{logo}/file"), t, None).await;
    assert_eq!((file.status, file.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    assert_eq!(file.content_type, "image/png");
    let r = s.call("GET", &format!("/api/v1/assets/{tutorial}/file"), t, None).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));

    // Sent to the partner.
    let sends = format!("/api/v1/partners/{infobip}/sends");
    let sent = s.call("POST", &sends, t, Some(json!({"assets": [logo, tutorial], "note": "Logo pack"}))).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent.body[0]["note"], "Logo pack");
    assert_eq!(s.call("GET", &sends, t, None).await.len(), 2);

    // The partner's link, and the partner's side without a token.
    let link = s.call("POST", &format!("/api/v1/partners/{infobip}/link"), t, None).await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let secret = link.body["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(link.body["url"], format!("{}/p/{secret}", s.base));
    let profile = s.call("GET", &format!("/api/v1/partners/{infobip}/profile"), t, None).await;
    assert!(profile.body["link"]["created_at"].is_string(), "{}", profile.body);
    assert!(!profile.body.to_string().contains(&secret));
    let view = s.call("GET", &format!("/api/v1/link/{secret}"), None, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["partner"], json!({"name": "Infobip", "website": null}));
    assert!(!view.body.to_string().contains("CEO"), "the team's notes leak: {}", view.body);
    assert_eq!(view.body["campaign"]["slug"], "hr-2026");
    assert_eq!(view.body["campaign"]["message"]["en"], "Anyone can code.");
    assert_eq!(view.body["commitments"].as_array().map(Vec::len), Some(1));
    assert_eq!(view.body["commitments"][0]["status"], "proposed");
    let assets_seen: Vec<&str> = view.body["assets"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["title"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(assets_seen.len(), 2);
    assert!(assets_seen.contains(&"Campaign logo") && assets_seen.contains(&"Tutorial"));
    assert_eq!((&view.body["logo"], &view.body["recognition_opt_out"]), (&Value::Null, &json!(false)));
    assert_eq!(view.header("cache-control"), "no-store");

    // The partner accepts with a quantity and downloads the asset.
    let answer = format!("/api/v1/link/{secret}/commitments/{commitment}");
    let r = s.call("POST", &answer, None, Some(json!({"accept": true}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "quantity"), "{}", r.body);
    let r = s.call("POST", &answer, None, Some(json!({"accept": true, "quantity": 40, "note": "Glad to"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["status"], &r.body["quantity"], &r.body["by_partner"], &r.body["due_on"]),
        (&json!("agreed"), &json!(40), &json!(true), &json!(day(10)))
    );
    let r = s.call("POST", &answer, None, Some(json!({"accept": false}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "accept"));
    let file = s.call("GET", &format!("/api/v1/link/{secret}/assets/{logo}/file"), None, None).await;
    assert_eq!((file.status, file.bytes.as_slice()), (StatusCode::OK, &PNG_1X1[..]));
    assert_eq!(file.content_type, "image/png");
    assert!(file.header("content-disposition").starts_with("attachment"), "{:?}", file.headers);
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    let r = s.call("GET", &format!("/api/v1/link/{secret}/assets/{tutorial}/file"), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // What is due: the agreed commitment within two weeks; nothing within the default week.
    let due = s.call("GET", &format!("/api/v1/campaigns/{cid}/due?until={}", day(14)), t, None).await;
    assert_eq!(due.status, StatusCode::OK, "{}", due.body);
    assert_eq!(due.body["commitments"].as_array().map(Vec::len), Some(1), "{}", due.body);
    assert_eq!(
        (due.body["commitments"][0]["id"].as_i64(), &due.body["commitments"][0]["quantity"]),
        (Some(commitment), &json!(40))
    );
    let week = s.call("GET", "/api/v1/campaigns/hr-2026/due", t, None).await;
    assert_eq!(week.body["commitments"], json!([]));
    for query in ["until=soon", "until=2026-02-30", "when=2026-12-01"] {
        let r = s.call("GET", &format!("/api/v1/campaigns/hr-2026/due?{query}"), t, None).await;
        let field = if query.starts_with("until") { "until" } else { "query" };
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}");
    }

    // Interactions and tasks.
    let interactions = format!("/api/v1/partners/{infobip}/interactions");
    let r = s.call("POST", &interactions, t, Some(json!({"kind": "call", "text": "Agreed on 40 schools"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((&r.body["on"], &r.body["author_name"]), (&json!(day(0)), &json!("ana")));
    let r = s.call("POST", &interactions, t, Some(json!({"kind": "call", "text": "x", "on": day(1)}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "on"));
    assert_eq!(s.call("GET", &interactions, t, None).await.len(), 1);
    let tasks = "/api/v1/campaigns/hr-2026/tasks";
    let task = s
        .call(
            "POST",
            tasks,
            t,
            Some(json!({"title": "Send the event kit", "due_on": day(3), "commitment_id": commitment})),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
    assert_eq!((task.body["owner_id"].as_i64(), task.body["partner_id"].as_i64()), (Some(me.0), Some(infobip)));
    let task = task.id();
    assert_eq!(s.call("GET", &format!("{tasks}?owner=me&open=true&partner={infobip}"), t, None).await.len(), 1);
    assert_eq!(s.call("GET", &format!("{tasks}?owner={}", me.0 + 1000), t, None).await.len(), 0);
    for (query, field) in
        [("owner=you", "owner"), ("partner=x", "partner"), ("open=yes", "open"), ("sort=due", "query")]
    {
        let r = s.call("GET", &format!("{tasks}?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }
    let r = s.call("POST", tasks, t, Some(json!({"title": "Too late", "due_on": "2020-01-01"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "due_on"));
    let done = s.call("PATCH", &format!("/api/v1/tasks/{task}"), t, Some(json!({"done": true}))).await;
    assert_eq!((done.status, &done.body["done"]), (StatusCode::OK, &json!(true)), "{}", done.body);
    assert_eq!(s.call("GET", &format!("{tasks}?open=true"), t, None).await.len(), 0);
    assert_eq!(s.call("GET", &format!("/api/v1/tasks/{task}"), t, None).await.body["title"], "Send the event kit");
    let spare = s.call("POST", tasks, t, Some(json!({"title": "Spare", "due_on": crate::support::day(3)}))).await.id();
    assert_eq!(s.call("DELETE", &format!("/api/v1/tasks/{spare}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/tasks/{spare}"), t, None).await.status, StatusCode::NOT_FOUND);

    // Stage limits, and the partners that deserve a follow-up.
    let limits = "/api/v1/campaigns/hr-2026/stage-limits";
    assert_eq!(s.call("GET", limits, t, None).await.body["lead"], 14);
    let r = s.call("PUT", limits, t, Some(json!({"lead": 10, "contacted": 5}))).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({"lead": 10, "contacted": 5})));
    let r = s.call("PUT", limits, t, Some(json!({"closed_won": 3}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "closed_won"));
    let r = s.call("PUT", limits, t, Some(json!({"waiting": 3}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.call("GET", limits, t, None).await.body, json!({"lead": 10, "contacted": 5}));
    let stale = rally_domain::PartnerDraft {
        name: Some("Stale Radio".into()),
        category: Some(rally_domain::Category::Media),
        owner_id: Some(Some(me)),
        ..Default::default()
    };
    let load = rally_store::PartnerLoad {
        fields: stale.validate().unwrap_or_else(|e| panic!("{e}")),
        created_at: chrono::Utc::now() - chrono::Duration::days(30),
        moves: vec![],
        contacts: vec![],
    };
    let loaded = s.store.load_partners(rally_store::Actor::System, rally_domain::CampaignId(cid), vec![load]).await;
    assert_eq!(loaded.ok(), Some(1));
    let follow_ups = s.call("GET", "/api/v1/campaigns/hr-2026/follow-ups", t, None).await;
    assert_eq!(follow_ups.len(), 1, "{}", follow_ups.body);
    assert_eq!(follow_ups.body[0]["partner"]["name"], "Stale Radio");
    let suggested = rally_domain::followup::follow_up_due(chrono::Utc::now().date_naive());
    assert_eq!(follow_ups.body[0]["due_on"], suggested.to_string());

    // A calendar feed.
    let feed = s.call("POST", "/api/v1/me/calendar", t, None).await;
    assert_eq!(feed.status, StatusCode::CREATED, "{}", feed.body);
    let url = feed.body["url"].as_str().unwrap_or_default();
    let secret = url.strip_prefix(&format!("{}/calendar/", s.base)).and_then(|u| u.strip_suffix(".ics"));
    assert!(secret.is_some_and(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())), "{url}");
    assert_eq!(s.call("DELETE", "/api/v1/me/calendar", t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("POST", "/api/v1/me/calendar", None, None).await.status, StatusCode::UNAUTHORIZED);

    // Deleting an ask takes its commitments along.
    assert_eq!(s.call("DELETE", &format!("/api/v1/asks/{newsletter}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/asks/{newsletter}"), t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{}/commitments", low_media[0]), t, None).await.len(), 1);
}

async fn workflow_rights_follow_roles(s: Server) {
    let (owner_id, owner) = s.user("owner").await;
    let (member_id, member) = s.user("member").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("rights"))).await.id();
    s.join(&owner, cid, member_id, "member").await;
    s.join(&owner, cid, viewer_id, "viewer").await;
    let theirs = s.partner(&owner, "rights", json!({"name": "Owner's", "category": "media"})).await;
    let mine = s.partner(&member, "rights", json!({"name": "Member's", "category": "media"})).await;
    let ask = s.call("POST", "/api/v1/campaigns/rights/asks", Some(&owner), Some(json!({"title": "Newsletter"}))).await;
    let ask = ask.id();
    let fields = [("title", "Logo"), ("kind", "logo")];
    let asset = s
        .upload("POST", "/api/v1/campaigns/rights/assets", Some(&owner), &fields, Some(("file", "l.png", &PNG_1X1)))
        .await;
    let asset = asset.id();
    let task = s
        .call(
            "POST",
            "/api/v1/campaigns/rights/tasks",
            Some(&owner),
            Some(json!({"title": "Owner's task", "due_on": day(2)})),
        )
        .await
        .id();

    let apply = json!({"asks": [ask], "segment": {}});
    let new_task = |owner: Option<i64>, partner: i64| json!({"title": "Call", "due_on": day(2), "owner_id": owner, "partner_id": partner});
    let call = json!({"kind": "call", "text": "Spoke to them"});
    // (who, token, method, path, body, expected)
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/asks".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/assets".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/assets/{asset}/file"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "POST", "/api/v1/campaigns/rights/asks/apply".into(), apply.clone(), StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/asks".into(),
            json!({"title": "X"}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "PATCH", format!("/api/v1/asks/{ask}"), json!({"title": "X"}), StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            format!("/api/v1/partners/{theirs}/sends"),
            json!({"assets": [asset]}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "viewer",
            &viewer,
            "PUT",
            "/api/v1/campaigns/rights/stage-limits".into(),
            json!({"lead": 3}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "DELETE", format!("/api/v1/assets/{asset}"), Value::Null, StatusCode::FORBIDDEN),
        ("member", &member, "POST", format!("/api/v1/partners/{mine}/interactions"), call.clone(), StatusCode::CREATED),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "POST", "/api/v1/campaigns/rights/tasks".into(), new_task(None, mine), StatusCode::CREATED),
        (
            "member",
            &member,
            "POST",
            "/api/v1/campaigns/rights/tasks".into(),
            new_task(Some(owner_id.0), mine),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "PATCH", format!("/api/v1/tasks/{task}"), json!({"done": true}), StatusCode::FORBIDDEN),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{mine}/commitments"),
            json!({"ask_id": ask}),
            StatusCode::CREATED,
        ),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{theirs}/commitments"),
            json!({"ask_id": ask}),
            StatusCode::FORBIDDEN,
        ),
        (
            "member",
            &member,
            "POST",
            format!("/api/v1/partners/{mine}/sends"),
            json!({"assets": [asset]}),
            StatusCode::CREATED,
        ),
        ("member", &member, "POST", format!("/api/v1/partners/{mine}/link"), Value::Null, StatusCode::CREATED),
        ("member", &member, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::FORBIDDEN),
        (
            "member",
            &member,
            "PUT",
            format!("/api/v1/partners/{theirs}/recognition"),
            json!({"opt_out": true}),
            StatusCode::FORBIDDEN,
        ),
        ("member", &member, "POST", "/api/v1/campaigns/rights/asks/apply".into(), apply.clone(), StatusCode::FORBIDDEN),
        ("member", &member, "GET", "/api/v1/campaigns/rights/follow-ups".into(), Value::Null, StatusCode::OK),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/asks".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/asks/{ask}"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "POST",
            "/api/v1/campaigns/rights/asks/apply".into(),
            apply.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{theirs}/commitments"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "POST",
            format!("/api/v1/partners/{theirs}/interactions"),
            call.clone(),
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/tasks".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/tasks/{task}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/assets/{asset}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/assets/{asset}/file"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            format!("/api/v1/partners/{theirs}/profile"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "POST", format!("/api/v1/partners/{theirs}/link"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/due".into(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/follow-ups".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/stage-limits".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
        if !r.status.is_success() {
            assert_eq!(r.content_type, "application/problem+json", "{who} {method} {path}");
        }
    }
    for (who, token, expected) in
        [("viewer", &viewer, StatusCode::FORBIDDEN), ("outsider", &outsider, StatusCode::NOT_FOUND)]
    {
        let upload = s
            .upload("POST", "/api/v1/campaigns/rights/assets", Some(token), &fields, Some(("file", "l.png", &PNG_1X1)))
            .await;
        assert_eq!(upload.status, expected, "{who}: {}", upload.body);
        let logo = s
            .upload(
                "PUT",
                &format!("/api/v1/partners/{theirs}/logo"),
                Some(token),
                &[],
                Some(("file", "l.png", &PNG_1X1)),
            )
            .await;
        assert_eq!(logo.status, expected, "{who}: {}", logo.body);
    }
    assert_eq!(s.call("GET", "/api/v1/campaigns/rights/assets", Some(&owner), None).await.len(), 1);
    assert_eq!(s.call("GET", "/api/v1/campaigns/rights/asks", None, None).await.status, StatusCode::UNAUTHORIZED);
    // The member's task is the member's; the member's own tasks are listed with `owner=me`.
    let theirs_tasks = s.call("GET", "/api/v1/campaigns/rights/tasks?owner=me", Some(&member), None).await;
    assert_eq!(theirs_tasks.len(), 1);
    assert_eq!(theirs_tasks.body[0]["owner_id"].as_i64(), Some(member_id.0));
}

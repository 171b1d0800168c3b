//! Messages through the API: written, previewed, planned and queued, and the rights each role has
//! over them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, campaign_body, contact, day, instant};

both_backends!(
    Server;
    messages_are_written_previewed_planned_and_queued,
    comms_rights_follow_roles,
);

/// The flow: sender and cadence settings, a milestone, a message in two languages with a variant
/// for IT companies, its recipients and previews, the future calendar deferring the third of three
/// messages one contact would get within a week, queueing, statistics and the partner's timeline.
async fn messages_are_written_previewed_planned_and_queued(s: Server) {
    let (_, token) = s.user("ana").await;
    let t = Some(token.as_str());
    let cid = s.call("POST", "/api/v1/campaigns", t, Some(campaign_body("comms"))).await.id();
    let c = "/api/v1/campaigns/comms";

    // Settings: two marketing e-mails per contact in any 7 days, any hour, any day.
    let defaults = s.call("GET", &format!("{c}/mail-settings"), t, None).await;
    assert_eq!(defaults.status, StatusCode::OK, "{}", defaults.body);
    assert_eq!(defaults.body["policy"]["max_per_window"], 2);
    let policy = json!({"max_per_window": 2, "window_days": 7, "min_gap_hours": 0, "quiet_weekdays": [],
                        "window_start_hour": 0, "window_end_hour": 24, "time_zone": "Europe/Zagreb",
                        "expire_after_days": 30});
    // Partners' contacts were never asked: the campaign relies on its legitimate interest (off by default).
    assert_eq!(defaults.body["legitimate_interest"], false);
    let settings = json!({"from_name": "Sat kodiranja", "from_address": "Tim@SatKodiranja.hr",
                          "reply_to": "ana@satkodiranja.hr", "policy": policy, "legitimate_interest": true});
    let r = s.call("PUT", &format!("/api/v1/campaigns/{cid}/mail-settings"), t, Some(settings)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["from_address"], "tim@satkodiranja.hr");
    assert_eq!(r.body["policy"]["time_zone"], "Europe/Zagreb");
    assert_eq!(s.call("GET", &format!("{c}/mail-settings"), t, None).await.body, r.body);
    for (body, field) in [
        (
            json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"window_start_hour": 10, "window_end_hour": 9}}),
            "policy.window_end_hour",
        ),
        (json!({"from_name": "X", "from_address": "x@x.hr", "policy": {"max_per_windw": 3}}), "policy.max_per_windw"),
        (json!({"from_name": "X", "from_address": "not mail"}), "from_address"),
        (json!({"from_name": "X"}), "from_address"),
        (json!({"from_name": " ", "from_address": "x@x.hr"}), "from_name"),
    ] {
        let r = s.call("PUT", &format!("{c}/mail-settings"), t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{body}: {}", r.body);
    }
    assert_eq!(s.call("GET", &format!("{c}/mail-settings"), t, None).await.body["from_name"], "Sat kodiranja");

    // A milestone the invitation is timed by.
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "announcement", "on": "soon"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["on"]);
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "announcement"}))).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["title", "on"]);
    // A moderation decision is read as the document's pattern says: any case, spaces around.
    let moderation = format!("{c}/events/moderation");
    let r = s.call("POST", &moderation, t, Some(json!({"ids": [], "decision": " Approve "}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("POST", &moderation, t, Some(json!({"ids": [], "decision": "maybe"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "decision"), "{}", r.body);
    let bell = json!({"kind": "other", "title": "Bell \u{7}", "on": day(40)});
    let r = s.call("POST", &format!("{c}/milestones"), t, Some(bell)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "title"), "{}", r.body);
    let announcement = json!({"kind": "announcement", "title": "Announcement", "on": day(30)});
    let milestone = s.call("POST", &format!("{c}/milestones"), t, Some(announcement)).await;
    assert_eq!(milestone.status, StatusCode::CREATED, "{}", milestone.body);
    let milestone = milestone.id();
    let spare = s
        .call("POST", &format!("{c}/milestones"), t, Some(json!({"kind": "other", "title": "Spare", "on": day(40)})))
        .await
        .id();
    let list = s.call("GET", &format!("{c}/milestones"), t, None).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list.body[0]["title"], "Announcement");

    // Partners and their contacts: a school network (Croatian, English, one opted out), an IT company
    // (Croatian) and a radio station outside the invitation's segment.
    let school =
        s.partner(&token, "comms", json!({"name": "OŠ Đakovo", "category": "school_network", "reach": 400})).await;
    let infobip =
        s.partner(&token, "comms", json!({"name": "Infobip", "category": "it_company", "reach": 2_000})).await;
    let radio = s.partner(&token, "comms", json!({"name": "Radio Student", "category": "media", "reach": 900})).await;
    let zeljka =
        contact(&s, &token, school, json!({"name": "Željka Šimić", "email": "zeljka@os-djakovo.hr", "language": "hr"}))
            .await;
    let john =
        contact(&s, &token, school, json!({"name": "John Smith", "email": "john@os-djakovo.hr", "language": "en"}))
            .await;
    contact(&s, &token, school, json!({"name": "Nobody", "email": "no@os-djakovo.hr", "consent": "opted_out"})).await;
    let ivan =
        contact(&s, &token, infobip, json!({"name": "Ivan Horvat", "email": "ivan@infobip.com", "language": "hr"}))
            .await;
    let editor =
        contact(&s, &token, radio, json!({"name": "Urednik", "email": "urednik@radio.hr", "language": "hr"})).await;

    // Templates are checked when they are saved; every field error comes back at once.
    let messages = format!("{c}/messages");
    let template = |language: &str, category: Value, subject: &str, text: &str, html: &str| json!({"language": language, "category": category, "subject": subject, "text": text, "html": html});
    let at_milestone = json!({"milestone": {"milestone_id": milestone, "at": "09:00:00"}});
    let typo = json!({"title": "Invitation", "send": at_milestone,
                      "templates": [template("hr", Value::Null, "Poziv", "Pozdrav, {{ partner.nmae }}!", "")]});
    let r = s.call("POST", &messages, t, Some(typo)).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates[0].text"), "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("partner.nmae")), "{}", r.body);
    let r = s.call("POST", &messages, t, Some(json!({"templates": [template("??", Value::Null, "S", "T", "")]}))).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().map_or(vec![], |e| e.iter().filter_map(|e| e["field"].as_str()).collect());
    assert_eq!(fields, ["title", "send", "templates[0].language"], "{}", r.body);
    let r = s.call("POST", &messages, t, Some(json!({"title": "X", "send": {"at": instant(30, "10:00:00")}}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates"), "{}", r.body);
    let r =
        s.call("POST", &messages, t, Some(json!({"title": "X", "send": {"at": "tomorrow"}, "templates": []}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "send.at"), "{}", r.body);
    assert_eq!(s.call("GET", &messages, t, None).await.len(), 0);

    // The invitation: Croatian and English for schools, other words (in Croatian) for IT companies.
    let invitation = json!({
        "title": "Invitation",
        "segment": {"categories": ["school_network", "it_company"]},
        "send": at_milestone,
        "fallback_language": "en",
        "templates": [
            template("hr", Value::Null, "Poziv: {{ campaign.name }}", "Poštovana/i {{ contact.first_name }},\npozivamo {{ partner.name }}.", "<p>Pozdrav, {{ contact.first_name }}!</p>"),
            template("en", Value::Null, "Invitation: {{ campaign.name }}", "Dear {{ contact.first_name }},\nwe invite {{ partner.name }}.", ""),
            template("hr", json!("it_company"), "Za vaše zaposlenike: {{ campaign.name }}", "Pozdrav {{ contact.first_name }}, pozovite kolege iz {{ partner.name }}.", ""),
        ],
    });
    let m1 = s.call("POST", &messages, t, Some(invitation)).await;
    assert_eq!(m1.status, StatusCode::CREATED, "{}", m1.body);
    assert_eq!(m1.body["planned_at"], Value::Null);
    assert_eq!(m1.body["kind"], "marketing");
    let m1 = m1.id();
    let got = s.call("GET", &format!("/api/v1/messages/{m1}"), t, None).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.len_of("templates"), 3);
    assert_eq!(got.body["outbox"]["planned"], 0);
    assert_eq!(got.body["send"], at_milestone);

    // Who it reaches: the school's and the company's contacts, with the opted-out one left out.
    let r = s.call("GET", &format!("/api/v1/messages/{m1}/recipients"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.len(), 4);
    assert_eq!(
        r.body[0],
        json!({"contact_id": zeljka, "email": "zeljka@os-djakovo.hr", "name": "Željka Šimić", "partner_id": school,
               "partner": "OŠ Đakovo", "category": "school_network", "language": "hr", "excluded": null})
    );
    assert!(r.body[2]["excluded"].as_str().is_some_and(|w| w.contains("opted out")), "{}", r.body);
    assert_eq!(r.body[3]["contact_id"], ivan);

    // Previews: each contact reads its language, the company its variant.
    let preview = |contact: i64| format!("/api/v1/messages/{m1}/preview?contact={contact}");
    let r = s.call("GET", &preview(ivan), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["for"], "ivan@infobip.com");
    assert_eq!(r.body["subject"], "Za vaše zaposlenike: Sat kodiranja");
    assert_eq!(r.body["text"], "Pozdrav Ivan, pozovite kolege iz Infobip.");
    assert_eq!(r.body["html"], Value::Null);
    let r = s.call("GET", &preview(john), t, None).await;
    assert_eq!(r.body["subject"], "Invitation: Sat kodiranja");
    assert_eq!(r.body["text"], "Dear John,\nwe invite OŠ Đakovo.");
    let r = s.call("GET", &preview(zeljka), t, None).await;
    assert_eq!(r.body["html"], "<p>Pozdrav, Željka!</p>");
    let r = s.call("GET", &format!("/api/v1/messages/{m1}/preview"), t, None).await;
    assert_eq!((r.status, &r.body["for"]), (StatusCode::OK, &json!("zeljka@os-djakovo.hr")));
    for (query, field) in
        [(format!("contact={editor}"), "contact"), ("contact=abc".into(), "contact"), ("colour=red".into(), "query")]
    {
        let r = s.call("GET", &format!("/api/v1/messages/{m1}/preview?{query}"), t, None).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{query}: {}", r.body);
    }

    // A reminder to everyone three hours later, whose HTML prints the partner's link, which nobody has
    // yet: fine with the sample data at save, but it renders for no real contact.
    let broken_html = "<p>Hello</p>\n<p>\n<a href=\"{{ link_url }}\">Your page</a></p>";
    let reminder = json!({"title": "Reminder", "send": {"at": instant(30, "12:00:00")},
                          "templates": [template("en", Value::Null, "Reminder", "Hello from {{ campaign.name }}!", broken_html)]});
    let m2 = s.call("POST", &messages, t, Some(reminder)).await;
    assert_eq!(m2.status, StatusCode::CREATED, "{}", m2.body);
    let m2 = m2.id();
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/preview?contact={editor}"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates.html"), "{}", r.body);
    let why = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(why.starts_with("line 3: ") && why.contains("urednik@radio.hr"), "{why}");
    // Queueing it fails the same way, and queues nothing.
    let r = s.call("POST", &format!("/api/v1/messages/{m2}/queue"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "templates.html"), "{}", r.body);
    let stats = s.call("GET", &format!("/api/v1/messages/{m2}/stats"), t, None).await;
    assert_eq!(stats.body["planned"], 0);
    assert_eq!(s.call("GET", &format!("/api/v1/messages/{m2}"), t, None).await.body["planned_at"], Value::Null);
    let fixed = "<p>Hello</p>\n<p>\n{% if link_url %}<a href=\"{{ link_url }}\">Your page</a>{% endif %}</p>";
    let patch =
        json!({"templates": [template("en", Value::Null, "Reminder", "Hello from {{ campaign.name }}!", fixed)]});
    let r = s.call("PATCH", &format!("/api/v1/messages/{m2}"), t, Some(patch)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Reminder");
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/preview?contact={editor}"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("PATCH", &format!("/api/v1/messages/{m2}"), t, Some(json!({"title": ""}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "title"), "{}", r.body);

    // A thank-you to the schools that evening: their third e-mail within a week, so it waits.
    let thanks = json!({"title": "Thanks", "segment": {"categories": ["school_network"]},
                        "send": {"at": instant(30, "15:00:00")},
                        "templates": [template("en", Value::Null, "Thank you", "Thank you, {{ partner.name }}!", "")]});
    let m3 = s.call("POST", &messages, t, Some(thanks)).await;
    assert_eq!(m3.status, StatusCode::CREATED, "{}", m3.body);
    let m3 = m3.id();
    assert_eq!(s.call("GET", &messages, t, None).await.len(), 3);

    let plan = s.call("GET", &format!("{c}/mail-plan"), t, None).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    // Invitation: 3 contacts; reminder: 4 (not the opted-out one); thanks: the school's 2; and the
    // opted-out contact left out of all three, with why.
    assert_eq!(plan.len(), 12, "{}", plan.body);
    let left_out: Vec<&Value> =
        plan.body.as_array().into_iter().flatten().filter(|l| l["left_out"] == json!(true)).collect();
    assert_eq!(left_out.len(), 3, "{}", plan.body);
    for line in &left_out {
        assert_eq!((&line["email"], &line["at"]), (&json!("no@os-djakovo.hr"), &Value::Null));
        assert!(line["reason"].as_str().is_some_and(|r| r.contains("opted out")), "{line}");
    }
    let changed = s.call("GET", &format!("{c}/mail-plan?changed=true"), t, None).await;
    assert_eq!(changed.len(), 5, "{}", changed.body);
    for line in changed.body.as_array().into_iter().flatten().filter(|l| l["left_out"] == json!(false)) {
        assert_eq!(line["message_id"], m3);
        assert_eq!(line["message"], "Thanks");
        assert_eq!(line["partner"], "OŠ Đakovo");
        assert_eq!(line["wanted"].as_str().map(|w| w.starts_with(&day(30))), Some(true), "{line}");
        assert!(line["at"].as_str() > line["wanted"].as_str(), "{line}");
        assert!(line["reason"].as_str().is_some_and(|r| !r.is_empty()), "{line}");
    }
    let r = s.call("GET", &format!("{c}/mail-plan?changed=maybe"), t, None).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "changed"), "{}", r.body);
    // The old path answers the same for one release, saying where the calendar went.
    let old = s.call("GET", &format!("{c}/plan?changed=true"), t, None).await;
    assert_eq!((old.status, &old.body), (StatusCode::OK, &changed.body));
    assert!(old.headers.get("deprecation").is_some_and(|d| d.as_bytes().starts_with(b"@")), "{:?}", old.headers);
    let link = old.headers.get("link").and_then(|l| l.to_str().ok()).unwrap_or_default();
    assert!(link.ends_with("/mail-plan>; rel=\"successor-version\""), "{link}");
    assert!(changed.headers.get("deprecation").is_none(), "the new path is not deprecated");

    // Queue the invitation: three e-mails on time, the opted-out contact left out.
    let r = s.call("POST", &format!("/api/v1/messages/{m1}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["queued"], &r.body["on_time"], &r.body["deferred"], &r.body["expired"]),
        (&json!(3), &json!(3), &json!(0), &json!(0))
    );
    assert_eq!(r.body["excluded"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["excluded"][0]["email"], "no@os-djakovo.hr");
    let stats = s.call("GET", &format!("/api/v1/messages/{m1}/stats"), t, None).await;
    assert_eq!(
        stats.body,
        json!({"planned": 3, "deferred": 0, "sending": 0, "sent": 0, "failed": 0, "bounced": 0, "suppressed": 0, "expired": 0, "paused": 0, "cancelled": 0, "unsubscribed": 0})
    );
    let got = s.call("GET", &format!("/api/v1/messages/{m1}"), t, None).await;
    assert!(got.body["planned_at"].is_string(), "{}", got.body);
    assert_eq!(got.body["outbox"], stats.body);
    // Queued once; no longer editable; its milestone stays.
    let again = s.call("POST", &format!("/api/v1/messages/{m1}/queue"), t, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let r = s.call("PATCH", &format!("/api/v1/messages/{m1}"), t, Some(json!({"title": "Late edit"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = s.call("DELETE", &format!("/api/v1/milestones/{milestone}"), t, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Paused, nothing waits to be claimed; resumed, each e-mail waits as before.
    let r = s.call("POST", &format!("/api/v1/messages/{m1}/pause"), t, None).await;
    assert_eq!((r.status, &r.body["changed"]), (StatusCode::OK, &json!(3)), "{}", r.body);
    assert!(r.body["message"]["paused_at"].is_string(), "{}", r.body);
    let stats = s.call("GET", &format!("/api/v1/messages/{m1}/stats"), t, None).await;
    assert_eq!((&stats.body["paused"], &stats.body["planned"]), (&json!(3), &json!(0)));
    let again = s.call("POST", &format!("/api/v1/messages/{m1}/pause"), t, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let r = s.call("POST", &format!("/api/v1/messages/{m1}/resume"), t, None).await;
    assert_eq!((r.status, &r.body["changed"]), (StatusCode::OK, &json!(3)), "{}", r.body);
    assert!(r.body["message"]["paused_at"].is_null());
    assert_eq!(s.call("GET", &format!("/api/v1/messages/{m1}/stats"), t, None).await.body["planned"], json!(3));
    // A milestone is replaced whole; the day of one a queued message goes on stays.
    let renamed = json!({"kind": "reminder", "title": "Reminder", "on": day(41)});
    let r = s.call("PUT", &format!("/api/v1/milestones/{spare}"), t, Some(renamed)).await;
    assert_eq!(
        (r.status, &r.body["title"], &r.body["kind"]),
        (StatusCode::OK, &json!("Reminder"), &json!("reminder")),
        "{}",
        r.body
    );
    let r = s.call("PUT", &format!("/api/v1/milestones/{spare}"), t, Some(json!({"kind": "reminder"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let moved = json!({"kind": "announcement", "title": "Announcement", "on": day(31)});
    let r = s.call("PUT", &format!("/api/v1/milestones/{milestone}"), t, Some(moved)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(s.call("DELETE", &format!("/api/v1/milestones/{spare}"), t, None).await.status, StatusCode::NO_CONTENT);

    // The calendar now counts the queued invitation: the thank-you still waits.
    let changed = s.call("GET", &format!("{c}/mail-plan?changed=true"), t, None).await;
    assert_eq!(changed.len(), 4, "the thank-you's two, and the contact left out of two drafts: {}", changed.body);
    // Beside the drafts' e-mails, the queued ones waiting in the outbox: the whole future.
    let all = s.call("GET", &format!("{c}/mail-plan"), t, None).await;
    assert_eq!(all.len(), 11, "{}", all.body);
    let queued: Vec<&Value> = all.body.as_array().into_iter().flatten().filter(|l| l["state"] == "queued").collect();
    assert_eq!(queued.len(), 3, "{}", all.body);
    assert!(queued.iter().all(|l| l["message_id"] == m1), "{}", all.body);
    s.call("POST", &format!("/api/v1/messages/{m1}/pause"), t, None).await;
    let held = s.call("GET", &format!("{c}/mail-plan"), t, None).await;
    let paused: Vec<&Value> = held.body.as_array().into_iter().flatten().filter(|l| l["state"] == "paused").collect();
    assert_eq!(paused.len(), 3, "paused e-mails stay in the calendar, marked: {}", held.body);
    s.call("POST", &format!("/api/v1/messages/{m1}/resume"), t, None).await;

    // The partners' timelines show the queued e-mails.
    let mail = s.call("GET", &format!("/api/v1/partners/{infobip}/mail"), t, None).await;
    assert_eq!(mail.status, StatusCode::OK, "{}", mail.body);
    assert_eq!(mail.len(), 1);
    assert_eq!(mail.body[0]["message_id"], m1);
    assert_eq!(mail.body[0]["message_title"], "Invitation");
    assert_eq!(mail.body[0]["email"], "ivan@infobip.com");
    assert_eq!(mail.body[0]["subject"], "Za vaše zaposlenike: Sat kodiranja");
    assert_eq!(mail.body[0]["status"], "planned");
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{school}/mail"), t, None).await.len(), 2);
    assert_eq!(s.call("GET", &format!("/api/v1/partners/{radio}/mail"), t, None).await.len(), 0);

    // A complaint suppresses the radio's editor.
    let suppressions = format!("{c}/suppressions");
    for (body, field) in [
        (json!({"email": "urednik@radio.hr", "reason": "annoyed"}), "reason"),
        (json!({"email": "nope", "reason": "manual"}), "email"),
        (json!({"reason": "manual"}), "email"),
        (json!({"email": "urednik@radio.hr", "reason": "manual", "detail": "x".repeat(501)}), "detail"),
        (json!({"email": "urednik@radio.hr", "reason": "manual", "detail": "bell \u{7}"}), "detail"),
    ] {
        let r = s.call("POST", &suppressions, t, Some(body.clone())).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{body}: {}", r.body);
    }
    let r = s
        .call(
            "POST",
            &suppressions,
            t,
            Some(json!({"email": "Urednik@Radio.hr", "reason": "complaint", "detail": "asked us to stop"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = s.call("GET", &format!("/api/v1/messages/{m2}/recipients"), t, None).await;
    let editor_line = r.body.as_array().and_then(|a| a.iter().find(|x| x["contact_id"] == editor).cloned());
    assert!(editor_line.is_some_and(|x| x["excluded"].is_string()), "{}", r.body);

    // The variables templates may use, for the editor.
    let vars = s.call("GET", "/api/v1/template-variables", t, None).await;
    assert_eq!(vars.status, StatusCode::OK);
    assert!(
        vars.body.as_array().into_iter().flatten().any(|v| v["name"] == "partner.name" && v["description"].is_string())
    );
    assert_eq!(s.call("GET", "/api/v1/template-variables", None, None).await.status, StatusCode::UNAUTHORIZED);

    // Queueing the reminder, then the thank-you: the school's third e-mail of the week waits, and the
    // message's statistics say so the same way the queue's answer does.
    let r = s.call("POST", &format!("/api/v1/messages/{m2}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("POST", &format!("/api/v1/messages/{m3}/queue"), t, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["queued"], &r.body["on_time"], &r.body["deferred"]), (&json!(2), &json!(0), &json!(2)));
    let stats = s.call("GET", &format!("/api/v1/messages/{m3}/stats"), t, None).await;
    assert_eq!((&stats.body["planned"], &stats.body["deferred"]), (&json!(0), &json!(2)), "{}", stats.body);

    // Team-written mail is marketing or service; "transactional" is Rally's own and refused by name.
    let r = s
        .call(
            "POST",
            &messages,
            t,
            Some(json!({"title": "Receipt", "kind": "transactional", "send": {"at": instant(30, "10:00:00")},
                        "templates": [template("en", Value::Null, "S", "T", "")]})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "kind"), "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("service")), "{}", r.body);

    // A draft goes; ids that cannot exist are not found.
    assert_eq!(s.call("DELETE", &format!("/api/v1/messages/{m3}"), t, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.call("GET", &format!("/api/v1/messages/{m3}"), t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/messages/abc", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("GET", "/api/v1/messages/abc/stats", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.call("DELETE", "/api/v1/milestones/x", t, None).await.status, StatusCode::NOT_FOUND);
}

/// Reading the plan is for the whole team, changing it for owners and coordinators; outsiders learn
/// nothing. Test e-mails go to the caller only, and a server without mail says so.
async fn comms_rights_follow_roles(s: Server) {
    let (_, owner) = s.user("owner").await;
    let (coord_id, coord) = s.user("coord").await;
    let (viewer_id, viewer) = s.user("viewer").await;
    let (_, outsider) = s.user("outsider").await;
    let cid = s.call("POST", "/api/v1/campaigns", Some(&owner), Some(campaign_body("rights"))).await.id();
    s.join(&owner, cid, coord_id, "coordinator").await;
    s.join(&owner, cid, viewer_id, "viewer").await;
    let partner = s.partner(&owner, "rights", json!({"name": "OŠ Đakovo", "category": "school_network"})).await;
    contact(
        &s,
        &owner,
        partner,
        json!({"name": "Željka Šimić", "email": "zeljka@os-djakovo.hr", "consent": "opted_in"}),
    )
    .await;
    let message = |title: &str| {
        json!({"title": title, "send": {"at": instant(20, "09:00:00")},
               "templates": [{"language": "en", "subject": "Hello", "text": "Hello, {{ contact.first_name }}!"}]})
    };
    let created =
        s.call("POST", "/api/v1/campaigns/rights/messages", Some(&coord), Some(message("By the coordinator"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let m = created.id();
    let milestone = s
        .call(
            "POST",
            "/api/v1/campaigns/rights/milestones",
            Some(&owner),
            Some(json!({"kind": "other", "title": "M", "on": day(9)})),
        )
        .await
        .id();
    let settings = json!({"from_name": "X", "from_address": "x@example.org"});
    let suppression = json!({"email": "zeljka@os-djakovo.hr", "reason": "manual"});

    // (who, token, method, path, body, expected)
    let cases: Vec<(&str, &str, &str, String, Value, StatusCode)> = vec![
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/messages".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/recipients"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/preview"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/messages/{m}/stats"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/mail-plan".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/mail-settings".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", "/api/v1/campaigns/rights/milestones".into(), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "GET", format!("/api/v1/partners/{partner}/mail"), Value::Null, StatusCode::OK),
        ("viewer", &viewer, "POST", "/api/v1/campaigns/rights/messages".into(), message("X"), StatusCode::FORBIDDEN),
        ("viewer", &viewer, "PATCH", format!("/api/v1/messages/{m}"), json!({"title": "X"}), StatusCode::FORBIDDEN),
        ("viewer", &viewer, "POST", format!("/api/v1/messages/{m}/queue"), Value::Null, StatusCode::FORBIDDEN),
        ("viewer", &viewer, "DELETE", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/milestones".into(),
            json!({"kind": "other", "title": "X", "on": day(3)}),
            StatusCode::FORBIDDEN,
        ),
        ("viewer", &viewer, "DELETE", format!("/api/v1/milestones/{milestone}"), Value::Null, StatusCode::FORBIDDEN),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::FORBIDDEN,
        ),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/messages".into(), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/recipients"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/preview"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", format!("/api/v1/messages/{m}/stats"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "POST", format!("/api/v1/messages/{m}/queue"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "PATCH", format!("/api/v1/messages/{m}"), json!({"title": "X"}), StatusCode::NOT_FOUND),
        ("outsider", &outsider, "DELETE", format!("/api/v1/messages/{m}"), Value::Null, StatusCode::NOT_FOUND),
        ("outsider", &outsider, "GET", "/api/v1/campaigns/rights/mail-plan".into(), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/mail-settings".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "GET",
            "/api/v1/campaigns/rights/milestones".into(),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        (
            "outsider",
            &outsider,
            "DELETE",
            format!("/api/v1/milestones/{milestone}"),
            Value::Null,
            StatusCode::NOT_FOUND,
        ),
        ("outsider", &outsider, "GET", format!("/api/v1/partners/{partner}/mail"), Value::Null, StatusCode::NOT_FOUND),
        (
            "outsider",
            &outsider,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "coordinator",
            &coord,
            "PUT",
            "/api/v1/campaigns/rights/mail-settings".into(),
            settings.clone(),
            StatusCode::OK,
        ),
        (
            "coordinator",
            &coord,
            "POST",
            "/api/v1/campaigns/rights/suppressions".into(),
            suppression.clone(),
            StatusCode::NO_CONTENT,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = s.call(method, &path, Some(token), body).await;
        assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.body);
    }
    // The viewer changed nothing.
    let got = s.call("GET", &format!("/api/v1/messages/{m}"), Some(&owner), None).await;
    assert_eq!((&got.body["title"], &got.body["planned_at"]), (&json!("By the coordinator"), &Value::Null));

    // Test e-mails: never to an address from the body; without a mail transport, a clear 503.
    let test_send = format!("/api/v1/messages/{m}/test-send");
    let r = s.call("POST", &test_send, Some(&coord), Some(json!({"to": "someone@elsewhere.org"}))).await;
    assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, "to"), "{}", r.body);
    let r = s.call("POST", &test_send, Some(&coord), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.body["detail"], "this server sends no mail");

    // The coordinator queues; the owner deletes a queued message nothing of which was sent yet.
    let r = s.call("POST", &format!("/api/v1/messages/{m}/queue"), Some(&coord), None).await;
    assert_eq!((r.status, &r.body["queued"]), (StatusCode::OK, &json!(0)), "{}", r.body);
    assert_eq!(
        s.call("DELETE", &format!("/api/v1/messages/{m}"), Some(&owner), None).await.status,
        StatusCode::NO_CONTENT
    );
}

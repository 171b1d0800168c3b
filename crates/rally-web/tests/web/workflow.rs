//! The partner workflow in the web app: asks applied in bulk, custom commitments, uploads checked by
//! content, the partner's secret link, the closed-won check, roles, and the calendar feed as a real
//! iCalendar parser reads it.

use rally_domain::{Category, PartnerDraft, PartnerId, Role, Stage};
use rally_store::Actor;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::support::{Site, calendar_url, day};

both_backends!(
    Site;
    asks_commitments_and_the_partner_link,
    uploads_are_checked_by_their_content,
    workflow_forms_follow_roles,
    the_calendar_feed_is_valid_icalendar,
);

const LOGO_PNG: &[u8] = include_bytes!("../../../rally/demo/logo.png");

async fn partner(
    site: &Site,
    campaign: rally_domain::CampaignId,
    name: &str,
    category: Category,
    reach: i64,
    owner: rally_domain::UserId,
) -> PartnerId {
    let fields = PartnerDraft {
        name: Some(name.into()),
        category: Some(category),
        reach: Some(reach),
        high_touch: Some(reach >= 100_000),
        owner_id: Some(Some(owner)),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    site.store.create_partner(Actor::System, campaign, fields).await.unwrap_or_else(|e| panic!("{e}")).id
}

/// The number after `prefix` in `body`, e.g. the id in `/assets/12/file`.
fn id_after(body: &str, prefix: &str) -> String {
    body.split(prefix).nth(1).map(|r| r.chars().take_while(char::is_ascii_digit).collect()).unwrap_or_default()
}

async fn asks_commitments_and_the_partner_link(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let radios: Vec<PartnerId> = {
        let mut v = Vec::new();
        for name in ["Radio Sljeme", "Radio Dalmacija", "Radio Istra"] {
            v.push(partner(&site, c, name, Category::Media, 500, ana).await);
        }
        v
    };
    let tv = partner(&site, c, "Nova TV", Category::Media, 2_000_000, ana).await;
    let it = partner(&site, c, "Kvarner Tech Group", Category::ItCompany, 180_000, ana).await;
    let b = site.signed_in("ana").await;

    // A standard ask, applied to every low-reach media partner in one action.
    let made = b
        .submit(
            "/campaigns/hr/asks",
            &[
                ("title", "Announce the campaign in your newsletter"),
                ("due_on", &day(10)),
                ("categories", "media"),
                ("tiers", "low"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let asks = b.get("/campaigns/hr/asks").await;
    let ask = id_after(&asks.body, "name=\"asks\" value=\"");
    // Previewed first: who would get it, nothing written yet.
    let form = [("asks", ask.as_str()), ("category", "media"), ("tier", "low")];
    let mut preview = form.to_vec();
    preview.push(("preview", "1"));
    let previewed = b.submit("/campaigns/hr/asks/apply", &preview).await;
    assert_eq!(previewed.status, StatusCode::OK);
    assert!(previewed.body.contains("Preview: nothing has been written yet"), "{}", previewed.body);
    assert!(previewed.body.contains("Applying would propose 3 new commitments"), "{}", previewed.body);
    assert!(previewed.body.contains("value=\"media\" selected"), "the form keeps the segment to apply");
    assert!(site.store.commitments(Actor::System, radios[0]).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    let applied = b.submit("/campaigns/hr/asks/apply", &form).await;
    assert_eq!(applied.status, StatusCode::OK);
    assert!(applied.body.contains("Proposed 3 new commitments"), "{}", applied.body);
    for p in &radios {
        let page = b.get(&format!("/campaigns/hr/partners/{p}")).await;
        assert!(page.body.contains("Announce the campaign in your newsletter"));
    }
    let tv_commitments = site.store.commitments(Actor::System, tv).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(tv_commitments.is_empty(), "high reach is not in the segment");

    // A custom ask for the IT company: a date in the past is flagged next to its field, nothing stored.
    let path = format!("/campaigns/hr/partners/{it}/commitments");
    let past = b
        .submit(
            &path,
            &[
                ("title", "Employees run events in schools"),
                ("unit", "schools"),
                ("quantity", "40"),
                ("due_on", &day(-3)),
                ("status", "proposed"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("is in the past"), "{}", past.body);
    assert!(past.body.contains("value=\"Employees run events in schools\""), "what was typed is kept");
    let ok = b
        .submit(
            &path,
            &[
                ("title", "Employees run events in schools"),
                ("unit", "schools"),
                ("quantity", "40"),
                ("due_on", &day(5)),
                ("status", "proposed"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);

    // The logo pack goes into the library and to the partner.
    let up = b
        .upload(
            "/campaigns/hr/assets",
            &[("title", "Logo pack"), ("kind", "logo")],
            Some(("logo.png", LOGO_PNG.to_vec())),
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let library = b.get("/campaigns/hr/assets").await;
    assert!(library.body.contains("PNG, 400×200"), "{}", library.body);
    let asset = id_after(&library.body, "/campaigns/hr/assets/");
    let sent = b
        .submit(&format!("/campaigns/hr/partners/{it}/sends"), &[("assets", &asset), ("note", "for the intranet")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);

    // The partner's link: shown once, opened without an account, answered there.
    let made = b.submit(&format!("/campaigns/hr/partners/{it}/link"), &[("action", "create")]).await;
    let url = made
        .body
        .split("id=\"new-link\" class=\"copy\" readonly value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with(&format!("{}/p/", site.base)), "{url}");
    assert!(!b.get(&format!("/campaigns/hr/partners/{it}")).await.body.contains(&url), "the link is shown only once");
    let partner_side = site.browser();
    let path = url.trim_start_matches(&site.base).to_owned();
    let view = partner_side.get(&path).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("Kvarner Tech Group") && view.body.contains("Employees run events in schools"));
    let commitment = id_after(&view.body, "/commitments/");
    let answer = partner_side
        .post(&format!("{path}/commitments/{commitment}"), &[("answer", "accept"), ("quantity", "-5")])
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "a negative quantity is refused");
    let answer = partner_side
        .post(&format!("{path}/commitments/{commitment}"), &[("answer", "accept"), ("quantity", "35")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Potvrdili ste"), "in the campaign's language, Croatian: {}", answer.body);
    let file = partner_side
        .http
        .get(format!("{}{path}/assets/{asset}", site.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert_eq!(file.bytes().await.unwrap_or_default().as_ref(), LOGO_PNG);
    let team_view = b.get(&format!("/campaigns/hr/partners/{it}")).await;
    assert!(team_view.body.contains("by the partner") && team_view.body.contains("35"), "the team sees the answer");
    let dashboard = b.get("/campaigns/hr").await;
    assert!(dashboard.body.contains("Employees run events in schools"), "due soon on the dashboard");

    // Won with an agreed commitment open: refused, then allowed with a confirmation and a note.
    let stage = format!("/campaigns/hr/partners/{it}/stage");
    let refused = b.submit(&stage, &[("stage", "closed_won")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("not fulfilled") && refused.body.contains("Move anyway"), "{}", refused.body);
    let moved = b
        .submit(&stage, &[("stage", "closed_won"), ("confirm_unfulfilled", "1"), ("note", "Events run in January")])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(site.store.partner(Actor::System, it).await.map(|p| p.stage).ok(), Some(Stage::ClosedWon));

    // Won, it is on the campaign's partner wall, for anyone; partners still in talks are not.
    let wall = site.browser().get("/c/hr/recognition").await;
    assert_eq!(wall.status, StatusCode::OK);
    assert!(wall.body.contains("Kvarner Tech Group") && !wall.body.contains("Radio Sljeme"), "{}", wall.body);
    b.submit(&format!("/campaigns/hr/partners/{it}/recognition"), &[("opt_out", "1")]).await;
    assert!(!site.browser().get("/c/hr/recognition").await.body.contains("Kvarner"), "opted out");

    // Revoked, the link is a plain "not found" that names nobody.
    b.submit(&format!("/campaigns/hr/partners/{it}/link"), &[("action", "revoke")]).await;
    let gone = partner_side.get(&path).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(!gone.body.contains("Kvarner"));
    assert_eq!(
        partner_side.get("/p/not-a-real-link").await.body,
        gone.body,
        "the same answer as a link that never was"
    );
}

async fn uploads_are_checked_by_their_content(site: Site) {
    let ana = site.user("ana").await;
    site.campaign(ana, &[]).await;
    let b = site.signed_in("ana").await;
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(4096, 0);
    let refused =
        b.upload("/campaigns/hr/assets", &[("title", "Logo"), ("kind", "logo")], Some(("logo.png", exe))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("program"), "a renamed program is named as one: {}", refused.body);

    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><image href="https://evil.example/x.png"/><rect width="10" height="10" fill="#0a5bc4"/></svg>"##;
    let cleaned = b
        .upload("/campaigns/hr/assets", &[("title", "Vector logo"), ("kind", "logo")], Some(("logo.svg", svg.to_vec())))
        .await;
    assert_eq!(cleaned.status, StatusCode::OK, "{}", cleaned.body);
    assert!(cleaned.body.contains("removed from the file"), "the user is told what was removed");
    let asset = id_after(&cleaned.body, "/campaigns/hr/assets/");
    let file = b
        .http
        .get(format!("{}/campaigns/hr/assets/{asset}/file", site.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csp =
        file.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(csp.contains("sandbox"), "{csp}");
    let text = file.text().await.unwrap_or_default();
    assert!(
        text.contains("<rect")
            && !text.contains("script")
            && !text.contains("onload")
            && !text.contains("evil.example"),
        "{text}"
    );

    let huge = vec![0u8; 21 * 1024 * 1024];
    let too_big =
        b.upload("/campaigns/hr/assets", &[("title", "Poster"), ("kind", "poster")], Some(("poster.pdf", huge))).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.body.contains("20 MB"));
    // A form without its token is refused before anything is read into the library.
    let form = Form::new()
        .text("title", "x")
        .text("kind", "logo")
        .part("file", Part::bytes(LOGO_PNG.to_vec()).file_name("x.png"));
    let forged = b
        .http
        .post(format!("{}/campaigns/hr/assets", site.base))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let library = b.get("/campaigns/hr/assets").await.body;
    assert_eq!(library.matches("/file\">Download</a>").count(), 1, "only the sanitized SVG was stored");
}

async fn workflow_forms_follow_roles(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let vic = site.user("vic").await;
    let c = site.campaign(ana, &[(mia, Role::Member), (vic, Role::Viewer)]).await;
    let mine = partner(&site, c, "Mia's radio", Category::Media, 500, mia).await;
    let anas = partner(&site, c, "Ana's radio", Category::Media, 500, ana).await;
    let viewer = site.signed_in("vic").await;
    let page = viewer.get(&format!("/campaigns/hr/partners/{mine}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for form in ["Custom ask", "Log it", "Record as sent", "Make a link", "Upload logo"] {
        assert!(!page.body.contains(form), "a viewer sees no {form} form");
    }
    let denied =
        viewer.submit(&format!("/campaigns/hr/partners/{mine}/interactions"), &[("kind", "call"), ("text", "x")]).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let denied = viewer
        .upload("/campaigns/hr/assets", &[("title", "x"), ("kind", "logo")], Some(("x.png", LOGO_PNG.to_vec())))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.submit(&format!("/campaigns/hr/partners/{mine}/link"), &[("action", "create")]).await.status,
        StatusCode::FORBIDDEN
    );

    let member = site.signed_in("mia").await;
    let logged = member
        .submit(
            &format!("/campaigns/hr/partners/{mine}/interactions"),
            &[("kind", "call"), ("text", "Spoke to the editor")],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER);
    assert!(member.get(&format!("/campaigns/hr/partners/{mine}")).await.body.contains("Spoke to the editor"));
    let other =
        member.submit(&format!("/campaigns/hr/partners/{anas}/interactions"), &[("kind", "call"), ("text", "x")]).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "members change only their own partners");
    let task = member
        .submit(
            "/campaigns/hr/tasks",
            &[("title", "Call the editor"), ("due_on", &day(2)), ("partner_id", &mine.to_string())],
        )
        .await;
    assert_eq!(task.status, StatusCode::SEE_OTHER, "{}", task.body);
    assert!(member.get("/campaigns/hr/tasks").await.body.contains("Call the editor"));
    let apply = member.submit("/campaigns/hr/asks", &[("title", "Newsletter")]).await;
    assert_eq!(apply.status, StatusCode::FORBIDDEN, "standard asks are the coordinators'");
    // Someone not on the team learns nothing.
    site.user("out").await;
    let outsider = site.signed_in("out").await;
    assert_eq!(outsider.get(&format!("/campaigns/hr/partners/{mine}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get("/campaigns/hr/assets").await.status, StatusCode::NOT_FOUND);
}

async fn the_calendar_feed_is_valid_icalendar(site: Site) {
    use icalendar::{Calendar, CalendarComponent, Component};

    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = partner(&site, c, "Škola Šibenik, \"Juraj\"", Category::SchoolNetwork, 900, ana).await;
    let b = site.signed_in("ana").await;
    let due = day(3);
    b.submit(
        &format!("/campaigns/hr/partners/{p}/commitments"),
        &[("title", "Host events; many, too"), ("due_on", &due)],
    )
    .await;
    b.submit(&format!("/campaigns/hr/partners/{p}/tasks"), &[("title", "Call the principal"), ("due_on", &day(1))])
        .await;
    let page = b.submit("/campaigns/hr/tasks/calendar", &[("action", "create")]).await;
    let url = calendar_url(&page.body);
    assert!(url.ends_with(".ics"), "{url}");
    // A calendar app fetches it without cookies.
    let app = reqwest::Client::new();
    let resp = app.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("text/calendar")
    );
    let text = resp.text().await.unwrap_or_default();
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("not iCalendar: {e}\n{text}"));
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let summaries: Vec<String> = events.iter().filter_map(|e| e.get_summary().map(str::to_owned)).collect();
    assert!(summaries.iter().any(|s| s == "Škola Šibenik, \"Juraj\": Host events; many, too"), "{summaries:?}");
    assert!(summaries.iter().any(|s| s == "Call the principal"), "{summaries:?}");
    assert!(summaries.iter().any(|s| s.starts_with("Campaign week")), "{summaries:?}");
    let commitment = events
        .iter()
        .find(|e| e.get_summary().is_some_and(|s| s.contains("Host events")))
        .unwrap_or_else(|| panic!("event"));
    assert_eq!(commitment.property_value("DTSTART"), Some(due.replace('-', "").as_str()));
    // Revoked, the feed is gone.
    b.submit("/campaigns/hr/tasks/calendar", &[("action", "revoke")]).await;
    assert_eq!(app.get(&url).send().await.map(|r| r.status()).ok(), Some(StatusCode::NOT_FOUND));
}

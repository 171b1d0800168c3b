//! The web app as a browser uses it: cookies, forms, redirects, CSRF tokens; every role's view.

use chrono::{Duration, Utc};
use rally_domain::{PartnerDraft, PartnerId, Role};
use rally_store::Actor;
use reqwest::StatusCode;

use crate::support::{PASSWORD, PNG_1X1, Site, hidden};

both_backends!(
    Site;
    signing_in_and_out,
    forms_without_the_session_token_are_refused,
    every_role_sees_and_does_what_it_may,
    user_text_is_escaped_everywhere,
    form_errors_stay_next_to_their_fields,
    a_reset_link_sets_a_password_once,
    the_account_page_changes_the_password_and_signs_out_elsewhere,
    plan_and_team_pages_follow_roles,
    bulk_actions_from_the_list,
    uploads_stream_to_disk_and_a_forged_one_stops_at_once,
);

async fn signing_in_and_out(site: Site) {
    site.user("ana").await;
    let b = site.browser();
    let first = b.get("/campaigns/hr/board").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location, "/login?next=%2Fcampaigns%2Fhr%2Fboard", "back to the page after signing in");
    let wrong = b.sign_in("ana@example.org", "wrong password", "/campaigns").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong e-mail address or password"));
    assert!(wrong.body.contains("value=\"ana@example.org\""), "the address is kept");
    let unknown = b.sign_in("nobody@example.org", PASSWORD, "/campaigns").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "unknown addresses fail the same way");
    // Where to go after signing in is a path of this site, or the campaign list: never another site.
    for next in ["/\t/evil.example", "//evil.example", "/\n", "https://evil.example"] {
        let other = site.browser();
        let form = other
            .get(&format!("/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()))
            .await;
        assert_eq!(form.status, StatusCode::OK, "{next:?}");
        let token = hidden(&form.body, "csrf");
        let signed = other
            .post("/login", &[("csrf", &token), ("next", next), ("email", "ana@example.org"), ("password", PASSWORD)])
            .await;
        assert_eq!((signed.status, signed.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns"), "{next:?}");
    }
    // Pages carry a strict content security policy and are not cached.
    let resp = b.http.get(format!("{}/login", b.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(header("content-security-policy").contains("script-src 'self'"));
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    // Every page has an icon, and the address browsers look for answers.
    assert!(b.get("/login").await.body.contains("rel=\"icon\" href=\"/favicon.svg\""));
    for (path, media, starts) in [
        ("/favicon.ico", "image/x-icon", b"\0\0\x01\0".as_slice()),
        ("/favicon.svg", "image/svg+xml", b"<svg".as_slice()),
    ] {
        let icon = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(icon.status(), StatusCode::OK, "{path}");
        assert_eq!(icon.headers().get("content-type").and_then(|v| v.to_str().ok()), Some(media));
        assert!(icon.bytes().await.unwrap_or_default().starts_with(starts), "{path}");
    }
    let ok = b.sign_in("ana@example.org", PASSWORD, "/campaigns/hr/board").await;
    assert_eq!((ok.status, ok.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/board"));
    assert_eq!(b.get("/campaigns").await.status, StatusCode::OK);
    // Only paths on this site are places to return to.
    let other = site.browser();
    let away = other.sign_in("ana@example.org", PASSWORD, "//evil.example/x").await;
    assert_eq!(away.location, "/campaigns");
    // Signing out ends the session on the server, not just in this browser.
    let out = b.submit("/logout", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(b.get("/campaigns").await.status, StatusCode::SEE_OTHER);

    // Five failures make the next attempt from here wait, even with the right password (signin.rs
    // tests the gates in full).
    site.user("ivo").await;
    let t = site.browser();
    for _ in 0..5 {
        assert_eq!(t.sign_in("ivo@example.org", "guess", "/campaigns").await.status, StatusCode::UNAUTHORIZED);
    }
    let waits = t.sign_in("ivo@example.org", PASSWORD, "/campaigns").await;
    assert_eq!(waits.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(waits.body.contains("Try again in 30 seconds"), "{}", waits.body);
}

async fn forms_without_the_session_token_are_refused(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = site.partner(ana, c, "Radio Sljeme").await;
    let b = site.signed_in("ana").await;
    let path = format!("/campaigns/hr/partners/{p}/stage");
    for form in [vec![("stage", "contacted")], vec![("csrf", "forged"), ("stage", "contacted")]] {
        let page = b.post(&path, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{form:?}");
        assert!(page.body.contains("Form expired"));
    }
    // Another session's token does not do either.
    site.user("ivo").await;
    let other_token = site.signed_in("ivo").await.csrf().await;
    assert_eq!(b.post(&path, &[("csrf", &other_token), ("stage", "contacted")]).await.status, StatusCode::FORBIDDEN);
    // A cross-site origin is refused even with the right token.
    let token = b.csrf().await;
    let forged = b
        .http
        .post(format!("{}{path}", b.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf", token.as_str()), ("stage", "contacted")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // The sign-in form checks its own token against its cookie.
    let fresh = site.browser();
    let login = fresh.post("/login", &[("email", "ana@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    // Nothing moved; with the token it does.
    let history = site.store.stage_history(Actor::System, p).await.unwrap_or_default();
    assert_eq!(history.len(), 1);
    assert_eq!(b.submit(&path, &[("stage", "contacted")]).await.status, StatusCode::SEE_OTHER);
    // Scripts send the token in a header and get JSON.
    let moved = b
        .http
        .post(format!("{}{path}", b.base))
        .header("x-csrf-token", b.csrf().await)
        .header("accept", "application/json")
        .form(&[("stage", "closed_lost")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(moved.status(), StatusCode::UNPROCESSABLE_ENTITY, "a loss needs a reason");
    let kind = moved.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(kind, "application/problem+json", "the API's problem document");
    let answer: serde_json::Value = moved.json().await.unwrap_or_default();
    assert_eq!(answer["errors"][0]["field"], "reason", "{answer}");
    // A move that works answers what the API answers: the partner and the history row.
    let moved = b
        .http
        .post(format!("{}{path}", b.base))
        .header("x-csrf-token", b.csrf().await)
        .header("accept", "application/json")
        .form(&[("stage", "closed_lost"), ("reason", "no budget")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(moved.status(), StatusCode::OK);
    let answer: serde_json::Value = moved.json().await.unwrap_or_default();
    assert_eq!(
        (answer["partner"]["stage"].as_str(), answer["change"]["to"].as_str()),
        (Some("closed_lost"), Some("closed_lost")),
        "{answer}"
    );
}

async fn every_role_sees_and_does_what_it_may(site: Site) {
    let owner = site.user("owner").await;
    let coord = site.user("coord").await;
    let member = site.user("member").await;
    let viewer = site.user("viewer").await;
    site.user("outsider").await;
    let c = site.campaign(owner, &[(coord, Role::Coordinator), (member, Role::Member), (viewer, Role::Viewer)]).await;
    let members_partner = site.partner(member, c, "Member's partner").await;
    let coords_partner = site.partner(coord, c, "Coordinator's partner").await;

    let pages = [
        "/campaigns/hr",
        "/campaigns/hr/partners",
        "/campaigns/hr/board",
        "/campaigns/hr/partners/{m}",
        "/campaigns/hr/partners/{c}",
    ];
    // (who, can see the campaign, can edit the member's partner, can edit the coordinator's, can add partners)
    let matrix = [
        ("owner", true, true, true, true),
        ("coord", true, true, true, true),
        ("member", true, true, false, true),
        ("viewer", true, false, false, false),
        ("outsider", false, false, false, false),
    ];
    for (who, sees, edits_members, edits_coords, adds) in matrix {
        let b = site.signed_in(who).await;
        for page in pages {
            let path = page.replace("{m}", &members_partner.to_string()).replace("{c}", &coords_partner.to_string());
            let got = b.get(&path).await;
            let expected = if sees { StatusCode::OK } else { StatusCode::NOT_FOUND };
            assert_eq!(got.status, expected, "{who} GET {path}");
        }
        for (partner, may) in [(members_partner, edits_members), (coords_partner, edits_coords)] {
            let page = b.get(&format!("/campaigns/hr/partners/{partner}")).await;
            assert_eq!(page.body.contains("Move to another stage"), may, "{who} sees the move form of {partner}");
            let moved = b.submit(&format!("/campaigns/hr/partners/{partner}/stage"), &[("stage", "contacted")]).await;
            let expected = match (sees, may) {
                (false, _) => StatusCode::NOT_FOUND,
                (true, true) => StatusCode::SEE_OTHER,
                (true, false) => StatusCode::FORBIDDEN,
            };
            assert_eq!(moved.status, expected, "{who} moves {partner}");
            if may {
                // Back to lead, so the next role finds it there.
                let back = b.submit(&format!("/campaigns/hr/partners/{partner}/stage"), &[("stage", "lead")]).await;
                assert_eq!(back.status, StatusCode::SEE_OTHER);
            }
            let edited = b.submit(&format!("/campaigns/hr/partners/{partner}"), &[("notes", "edited")]).await;
            assert_eq!(edited.status, expected, "{who} edits {partner}");
            let contact = b
                .submit(
                    &format!("/campaigns/hr/partners/{partner}/contacts"),
                    &[("name", "K"), ("email", &format!("{who}{partner}@x.hr"))],
                )
                .await;
            assert_eq!(contact.status, expected, "{who} adds a contact to {partner}");
        }
        let list = b.get("/campaigns/hr/partners").await;
        if sees {
            assert_eq!(list.body.contains("Add partner"), adds, "{who} sees the new-partner form");
        }
        let created = b
            .submit(
                "/campaigns/hr/partners",
                &[("name", &format!("{who}'s new partner")), ("category", "media"), ("reach", "10")],
            )
            .await;
        let expected = match (sees, adds) {
            (false, _) => StatusCode::NOT_FOUND,
            (true, true) => StatusCode::SEE_OTHER,
            (true, false) => StatusCode::FORBIDDEN,
        };
        assert_eq!(created.status, expected, "{who} creates a partner");
        let board = b.get("/campaigns/hr/board").await;
        if sees {
            assert_eq!(board.body.contains("data-movable=\"true\""), adds, "{who}'s board has movable cards");
        }
    }
}

async fn user_text_is_escaped_everywhere(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let evil = "<script>alert(1)</script>";
    let p = site.partner(ana, c, evil).await;
    site.store
        .update_partner(
            Actor::System,
            p,
            PartnerDraft { notes: Some("<img src=x onerror=alert(2)>".into()), ..Default::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = site.signed_in("ana").await;
    for path in
        ["/campaigns/hr", "/campaigns/hr/partners", "/campaigns/hr/board", &format!("/campaigns/hr/partners/{p}")]
    {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>alert(1)"), "{path} has the raw script");
        assert!(!page.body.contains("<img src=x"), "{path} has the raw image");
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.body.contains("&#60;script&#62;"),
            "{path} shows the name escaped"
        );
    }
}

async fn form_errors_stay_next_to_their_fields(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = site.partner(ana, c, "CARNET").await;
    let b = site.signed_in("ana").await;
    let page = b.submit("/campaigns/hr/partners", &[("name", ""), ("category", "media"), ("reach", "lots")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("must be a whole number"));
    assert!(page.body.contains("value=\"lots\""), "the typed value is kept");
    // A partner the campaign has already: said beside the name, and added only when confirmed.
    let twin = [("name", "Carnet d.o.o."), ("category", "media"), ("reach", "10")];
    let page = b.submit("/campaigns/hr/partners", &twin).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("“CARNET” is already a partner of this campaign"), "{}", page.body);
    assert!(page.body.contains("name=\"allow_duplicate\""), "offers to add it anyway");
    assert!(page.body.contains("value=\"Carnet d.o.o.\""), "what was typed is kept");
    let anyway = b.submit("/campaigns/hr/partners", &[&twin[..], &[("allow_duplicate", "on")]].concat()).await;
    assert_eq!(anyway.status, StatusCode::SEE_OTHER, "{}", anyway.body);
    let lost = b
        .submit(&format!("/campaigns/hr/partners/{p}/stage"), &[("stage", "closed_lost"), ("note", "tried twice")])
        .await;
    assert_eq!(lost.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lost.body.contains("say why the partner was lost"));
    assert!(lost.body.contains("value=\"tried twice\""));
    let ok = b
        .submit(&format!("/campaigns/hr/partners/{p}/stage"), &[("stage", "closed_lost"), ("reason", "no budget")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let detail = b.get(&format!("/campaigns/hr/partners/{p}")).await;
    assert!(detail.body.contains("Reason: no budget"));
    let bad_edit =
        b.submit(&format!("/campaigns/hr/partners/{p}"), &[("name", "CARNET"), ("website", "not a site")]).await;
    assert_eq!(bad_edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_edit.body.contains("must be a web address"));
    // Malformed queries and ids are pages, not crashes.
    for path in [
        "/campaigns/hr/partners?stage=won",
        "/campaigns/hr/partners?limit=x&after=y",
        "/campaigns/hr/board?tier=mid",
        "/campaigns/hr/partners/abc",
        "/campaigns/nope",
    ] {
        let page = b.get(path).await;
        assert!(page.status.is_client_error(), "{path}: {}", page.status);
        assert!(page.body.contains("<html"), "{path} answers with a page");
    }
    let created = b
        .submit(
            "/campaigns/new",
            &[("name", "X"), ("slug", "Bad Slug"), ("goal_students", "-3"), ("starts_on", "soon")],
        )
        .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(created.body.contains("use the form YYYY-MM-DD"));
    assert!(created.body.contains("value=\"Bad Slug\""));
    let made = b
        .submit(
            "/campaigns/new",
            &[
                ("name", "Zagreb"),
                ("slug", "zg"),
                ("goal_students", "5 000"),
                ("language", "hr"),
                ("message", "Svi mogu."),
                ("starts_on", "2026-12-07"),
                ("ends_on", "2026-12-13"),
            ],
        )
        .await;
    assert_eq!((made.status, made.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/zg"));
}

async fn a_reset_link_sets_a_password_once(site: Site) {
    let ana = site.user("ana").await;
    let token = rally_web::auth::random_token();
    site.store
        .create_password_reset(ana, &rally_web::auth::hash_token(&token), Utc::now() + Duration::hours(1), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = site.browser();
    let path = format!("/reset/{token}");
    let form = b.get(&path).await;
    let csrf = hidden(&form.body, "csrf");
    let differ =
        b.post(&path, &[("csrf", &csrf), ("password", "a new long password"), ("confirm", "something else")]).await;
    assert!(differ.body.contains("The two passwords differ"));
    let csrf = hidden(&differ.body, "csrf");
    let done = b
        .post(&path, &[("csrf", &csrf), ("password", "a new long password"), ("confirm", "a new long password")])
        .await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(b.sign_in("ana@example.org", "a new long password", "/campaigns").await.status, StatusCode::SEE_OTHER);
    let again = site.browser();
    let form = again.get(&path).await;
    let csrf = hidden(&form.body, "csrf");
    let reused = again
        .post(&path, &[("csrf", &csrf), ("password", "another long password"), ("confirm", "another long password")])
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert!(reused.body.contains("expired or was used"));
}

async fn plan_and_team_pages_follow_roles(site: Site) {
    let owner = site.user("owner").await;
    let coord = site.user("coord").await;
    let member = site.user("member").await;
    let viewer = site.user("viewer").await;
    site.user("outsider").await;
    site.user("extra").await;
    site.campaign(owner, &[(coord, Role::Coordinator), (member, Role::Member), (viewer, Role::Viewer)]).await;
    let plan = [
        ("name", "Sat kodiranja"),
        ("goal_students", "2000"),
        ("starts_on", "2026-12-07"),
        ("ends_on", "2026-12-13"),
        ("message.hr", "Svi mogu programirati."),
        ("plan.why_coding", "<b>Creativity</b>"),
    ];
    // (who, sees, edits the plan, changes the team)
    for (who, sees, plans, manages) in [
        ("owner", true, true, true),
        ("coord", true, true, false),
        ("member", true, false, false),
        ("viewer", true, false, false),
        ("outsider", false, false, false),
    ] {
        let b = site.signed_in(who).await;
        let expected = |may: bool| match (sees, may) {
            (false, _) => StatusCode::NOT_FOUND,
            (true, true) => StatusCode::SEE_OTHER,
            (true, false) => StatusCode::FORBIDDEN,
        };
        for path in ["/campaigns/hr/plan", "/campaigns/hr/team"] {
            let page = b.get(path).await;
            assert_eq!(page.status, if sees { StatusCode::OK } else { StatusCode::NOT_FOUND }, "{who} GET {path}");
            if path.ends_with("plan") && sees {
                assert_eq!(page.body.contains("Save the plan"), plans, "{who} sees the plan form");
            }
            if path.ends_with("team") && sees {
                assert_eq!(page.body.contains("Invite to the team"), manages, "{who} sees the team form");
            }
        }
        assert_eq!(b.submit("/campaigns/hr/plan", &plan).await.status, expected(plans), "{who} edits the plan");
        let added = b.submit("/campaigns/hr/team", &[("email", "extra@example.org"), ("role", "viewer")]).await;
        assert_eq!(added.status, expected(manages), "{who} adds to the team");
    }
    let b = site.signed_in("owner").await;
    let page = b.get("/campaigns/hr/plan").await;
    assert!(page.body.contains("Svi mogu programirati."));
    assert!(
        page.body.contains("&lt;b&gt;Creativity&lt;/b&gt;") || page.body.contains("&#60;b&#62;"),
        "answers are escaped"
    );
    // Bad dates and goals come back next to their fields, with what was typed.
    let bad = b
        .submit(
            "/campaigns/hr/plan",
            &[("name", "X"), ("goal_students", "many"), ("starts_on", "2026-12-07"), ("ends_on", "2026-12-01")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("must be a whole number"));
    let bad = b
        .submit(
            "/campaigns/hr/plan",
            &[("name", "X"), ("goal_students", "10"), ("starts_on", "2026-12-07"), ("ends_on", "2026-12-01")],
        )
        .await;
    assert!(bad.body.contains("must not be before the day campaign week starts"), "{}", bad.body.len());
    assert!(!bad.body.contains("before starts_on"), "labels, not field names");
    // The last owner stays; a coordinator can be made owner, then the first owner may step down.
    let team = site.store.team(Actor::System, rally_domain::CampaignId(1)).await.unwrap_or_default();
    assert_eq!(team.len(), 5, "extra was added once");
    let owner_id = owner.0.to_string();
    let demote = b.submit(&format!("/campaigns/hr/team/{owner_id}"), &[("role", "viewer")]).await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demote.body.contains("A campaign keeps at least one owner"), "{}", demote.body);
    assert!(!demote.body.contains("role: "), "no field names in what people read");
    assert_eq!(
        b.submit(&format!("/campaigns/hr/team/{}", coord.0), &[("role", "owner")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.submit(&format!("/campaigns/hr/team/{}", member.0), &[("remove", "1")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(site.signed_in("member").await.get("/campaigns/hr").await.status, StatusCode::NOT_FOUND);
}

async fn bulk_actions_from_the_list(site: Site) {
    let owner = site.user("owner").await;
    let member = site.user("member").await;
    let c = site.campaign(owner, &[(member, Role::Member)]).await;
    let a = site.partner(owner, c, "Alpha").await;
    let b_ = site.partner(member, c, "Beta").await;
    let (a, b_) = (a.to_string(), b_.to_string());
    let m = site.signed_in("member").await;
    let refused = m
        .submit("/campaigns/hr/partners/bulk", &[("action", "move"), ("stage", "contacted"), ("ids", &a), ("ids", &b_)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a member cannot move the owner's partner");
    let o = site.signed_in("owner").await;
    let list = o.get("/campaigns/hr/partners?category=media").await;
    assert!(list.body.contains("With the selected partners"));
    let back = "/campaigns/hr/partners?category=media";
    let moved = o
        .submit(
            "/campaigns/hr/partners/bulk",
            &[("action", "move"), ("stage", "contacted"), ("ids", &a), ("ids", &b_), ("back", back)],
        )
        .await;
    assert_eq!((moved.status, moved.location.as_str()), (StatusCode::SEE_OTHER, back));
    let lost =
        o.submit("/campaigns/hr/partners/bulk", &[("action", "move"), ("stage", "closed_lost"), ("ids", &a)]).await;
    assert_eq!(lost.status, StatusCode::BAD_REQUEST, "a loss needs a reason");
    let assigned = o
        .submit(
            "/campaigns/hr/partners/bulk",
            &[
                ("action", "assign"),
                ("owner_id", &member.0.to_string()),
                ("ids", &a),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!((assigned.status, assigned.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/partners"));
    let partner = site
        .store
        .partner(Actor::System, PartnerId(a.parse().unwrap_or_default()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((partner.stage, partner.fields.owner_id), (rally_domain::Stage::Contacted, Some(member)));
    assert_eq!(
        o.submit("/campaigns/hr/partners/bulk", &[("action", "move"), ("stage", "lead")]).await.status,
        StatusCode::BAD_REQUEST
    );
    // A form of more fields than any form of Rally sends is refused before any is looked at; the
    // partner list's 500 a page, each ticked, still goes through to the store's own limit.
    let ids = vec![("ids", a.as_str()); rally_domain::limits::FORM_FIELDS];
    let mut form = vec![("action", "move"), ("stage", "lead")];
    form.extend(ids);
    let flooded = o.submit("/campaigns/hr/partners/bulk", &form).await;
    assert_eq!(flooded.status, StatusCode::BAD_REQUEST);
    assert!(flooded.body.contains("more than 1000 fields"), "{}", flooded.body);
    let stage = || async {
        site.store.partner(Actor::System, PartnerId(a.parse().unwrap_or_default())).await.map(|p| p.stage).ok()
    };
    assert_eq!(stage().await, Some(rally_domain::Stage::Contacted), "the flooded form moved nothing");
    let fine = o.submit("/campaigns/hr/partners/bulk", &form[..500]).await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER, "{}", fine.body);
    assert_eq!(stage().await, Some(rally_domain::Stage::Lead));
}

/// A page upload is not buffered: its token is read from the form's first part, so a forged one is
/// refused while the file is still arriving, and an accepted file is written to disk as it comes.
async fn uploads_stream_to_disk_and_a_forged_one_stops_at_once(site: Site) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ana = site.user("ana").await;
    let campaign = site.campaign(ana, &[]).await;
    let session = "upload-session";
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    site.store
        .create_session(ana, &rally_web::auth::hash_token(session), "the-token", expires)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A real 1×1 PNG with 6 MB after its end: accepted, and stored without them.
    let png = PNG_1X1;
    let mut file = png.to_vec();
    file.resize(6 * 1024 * 1024, 0);
    let boundary = "stream-boundary-41";
    let body = |token: &str| {
        let mut b = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nLogo\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nlogo\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        b.extend_from_slice(&file);
        b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        b
    };
    let addr = site.base.trim_start_matches("http://").to_owned();
    let start = |body: &[u8]| {
        let head = format!(
            "POST /campaigns/hr/assets HTTP/1.1\r\nHost: {addr}\r\nCookie: rally_session={session}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let addr = addr.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            s.write_all(head.as_bytes()).await.unwrap_or_else(|e| panic!("{e}"));
            s
        }
    };
    let answer = |mut s: tokio::net::TcpStream| async move {
        let mut got = vec![0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut got))
            .await
            .unwrap_or_else(|_| panic!("no answer while the body was still coming"))
            .unwrap_or(0);
        String::from_utf8_lossy(&got[..n]).into_owned()
    };
    let temp_files = || {
        std::fs::read_dir(site.files.join("tmp"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.metadata().map(|m| m.len()).unwrap_or(0)).collect::<Vec<_>>())
            .unwrap_or_default()
    };

    // A forged token: refused after the first part, with five of the six megabytes still to come.
    let forged = body("forged");
    let mut s = start(&forged).await;
    s.write_all(&forged[..1024 * 1024]).await.unwrap_or_else(|e| panic!("{e}"));
    let said = answer(s).await;
    assert!(said.starts_with("HTTP/1.1 403"), "{said}");

    // The right token: the file is on disk, growing, before the body is complete.
    let right = body("the-token");
    let mut s = start(&right).await;
    let half = right.len() / 2;
    s.write_all(&right[..half]).await.unwrap_or_else(|e| panic!("{e}"));
    let mut waited = 0;
    while !temp_files().iter().any(|&len| len >= 2 * 1024 * 1024) {
        waited += 1;
        assert!(waited < 200, "nothing written to disk while the upload arrives: {:?}", temp_files());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    s.write_all(&right[half..]).await.unwrap_or_else(|e| panic!("{e}"));
    let said = answer(s).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    let assets = site.store.assets(Actor::System, campaign).await.unwrap_or_default();
    let stored = assets.iter().find_map(|a| a.file.as_ref()).map(|f| f.size);
    assert_eq!(stored, Some(70), "the image without what followed it");
    assert!(temp_files().is_empty(), "nothing left behind: {:?}", temp_files());
}

async fn the_account_page_changes_the_password_and_signs_out_elsewhere(site: Site) {
    site.user("ana").await;
    let here = site.signed_in("ana").await;
    let phone = site.signed_in("ana").await;
    let laptop = site.signed_in("ana").await;
    let page = here.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ana@example.org") && page.body.contains("Change your password"), "{}", page.body);
    // A new name, shown in the header from the next page on; a blank one is refused next to the field.
    let renamed = here.submit("/account/name", &[("name", "Ana Horvat")]).await;
    assert_eq!((renamed.status, renamed.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=name"));
    assert!(here.get("/campaigns").await.body.contains("Ana Horvat"));
    let blank = here.submit("/account/name", &[("name", "  ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("Your name must be 1 to 200 characters"), "{}", blank.body);
    // Signing out everywhere else: the other browsers are back at the sign-in page, this one is not.
    let ended = here.submit("/account/sessions", &[]).await;
    assert_eq!((ended.status, ended.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=sessions&ended=2"));
    assert!(here.get(&ended.location).await.body.contains("2 other browsers are signed out"));
    for gone in [&phone, &laptop] {
        let page = gone.get("/campaigns").await;
        assert!(page.status == StatusCode::SEE_OTHER && page.location.starts_with("/login"), "{}", page.location);
    }
    // A new password needs the current one, twice the same new one, and ten characters.
    let other = site.signed_in("ana").await;
    let new = "a much longer secret";
    for (current, password, confirm, says) in [
        ("wrong password!", new, new, "The current password is not right."),
        (PASSWORD, new, "something else entirely", "The two new passwords differ."),
        (PASSWORD, "short", "short", "at least 10 characters"),
    ] {
        let refused = here
            .submit("/account/password", &[("current", current), ("password", password), ("confirm", confirm)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(refused.body.contains(says), "{says}: {}", refused.body);
    }
    let changed = here.submit("/account/password", &[("current", PASSWORD), ("password", new), ("confirm", new)]).await;
    assert_eq!((changed.status, changed.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=password"));
    // This browser stays signed in; the other one is out; the new password signs in and the old one not.
    assert_eq!(here.get("/campaigns").await.status, StatusCode::OK);
    assert!(other.get("/campaigns").await.location.starts_with("/login"));
    let fresh = site.browser();
    assert_eq!(fresh.sign_in("ana@example.org", PASSWORD, "/campaigns").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(fresh.sign_in("ana@example.org", new, "/campaigns").await.status, StatusCode::SEE_OTHER);
}

//! Partner attribution through the public site: a share link marks the visit with a first-party cookie
//! and leads on (an unknown code only leads on), the registration form carries the code itself for
//! browsers without cookies, offers the catalogue and the won partners, and refuses an activity of
//! another campaign; the partner page, its link page and the recognition wall show what it brought.

use rally_domain::activity::{ActivityDraft, ActivityFields, ActivityTextDraft};
use rally_domain::{ActivityId, CampaignId, PartnerId, Stage, StageMove};
use rally_site::i18n::Lang;
use rally_store::{Actor, EventFilter, Moderation};
use reqwest::StatusCode;

use crate::site::{campaign, post, registration, visitor};
use crate::support::{Browser, Site};

both_backends!(
    Site;
    a_share_link_marks_the_visit_and_the_registration_it_leads_to,
    the_code_in_the_form_works_without_cookies,
    the_partner_pages_and_the_wall_show_what_a_partner_brought,
);

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn activity(title: &str) -> ActivityFields {
    ok(ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("hr".into()),
            title: Some(title.into()),
            summary: Some("Jedan sat".into()),
            ..Default::default()
        }]),
        url: Some("https://example.org/sat".into()),
        provider_name: Some("Code.org".into()),
        duration_minutes: Some(45),
        ..Default::default()
    }
    .validate())
}

/// A campaign `slug` with a won partner "Radio Sljeme", another partner "Telco" and one activity in
/// its catalogue; the radio's share code.
struct Setup {
    campaign: CampaignId,
    radio: PartnerId,
    telco: PartnerId,
    activity: ActivityId,
    code: String,
}

async fn setup(site: &Site, slug: &str) -> Setup {
    let owner = site.user(&format!("owner-{slug}")).await;
    let c = campaign(site, owner, slug, None).await;
    let radio = site.partner(owner, c, "Radio Sljeme").await;
    let telco = site.partner(owner, c, "Telco").await;
    let won = StageMove { stage: Stage::ClosedWon, note: None, reason: None, confirm_unfulfilled: true };
    ok(site.store.move_stage(Actor::System, radio, won).await);
    let activity =
        ok(site.store.create_activity(Actor::User(owner), c, activity("Sat s Minecraftom"), chrono::Utc::now()).await)
            .id;
    let code = ok(site.store.share_code(Actor::User(owner), radio).await);
    Setup { campaign: c, radio, telco, activity, code }
}

/// A browser without a cookie jar (cookies off).
fn cookieless(site: &Site) -> Browser {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    Browser { http, base: site.base.clone() }
}

/// The answer to a GET with its `Set-Cookie` headers.
async fn get_with_cookies(b: &Browser, path: &str) -> (StatusCode, String, Vec<String>) {
    let resp = ok(b.http.get(format!("{}{path}", b.base)).send().await);
    let cookies =
        resp.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (resp.status(), location, cookies)
}

async fn events_of(site: &Site, c: CampaignId) -> Vec<rally_domain::event::Event> {
    ok(site.store.events(Actor::System, c, &EventFilter::default()).await).0
}

async fn a_share_link_marks_the_visit_and_the_registration_it_leads_to(site: Site) {
    let s = setup(&site, "dijeli").await;
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let b = visitor(&site);
    // An unknown code, or one that cannot be a code, only leads on: no cookie, no error page.
    for path in ["/c/dijeli/r/nepoznato1", "/c/dijeli/r/%3Cscript%3E"] {
        let (status, location, cookies) = get_with_cookies(&b, path).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/c/dijeli/"), "{path}");
        assert!(cookies.iter().all(|c| !c.starts_with("rally_ref=")), "{path}: {cookies:?}");
    }
    // Only the site's own pages are targets.
    let (_, location, _) = get_with_cookies(&b, &format!("/c/dijeli/r/{}?to=https://evil.example", s.code)).await;
    assert_eq!(location, "/c/dijeli/");
    let (_, location, _) = get_with_cookies(&b, &format!("/c/dijeli/r/{}?to=activities", s.code)).await;
    assert_eq!(location, "/c/dijeli/activities");
    // A known code: a first-party cookie for the campaign's pages, for the visit's weeks, and on to the form.
    let (status, location, cookies) = get_with_cookies(&b, &format!("/c/dijeli/r/{}?to=register", s.code)).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/c/dijeli/register"));
    let cookie = cookies.iter().find(|c| c.starts_with("rally_ref=")).unwrap_or_else(|| panic!("{cookies:?}"));
    for part in [
        format!("rally_ref={}", s.code),
        "HttpOnly".into(),
        "SameSite=Lax".into(),
        "Path=/c/dijeli".into(),
        "Max-Age=2592000".into(),
    ] {
        assert!(cookie.contains(&part), "{part} in {cookie}");
    }
    // The form carries the code, preselects the activity named in its address, offers the catalogue and
    // the won partners (not the others).
    let form = b.get(&format!("/c/dijeli/register?activity={}", s.activity.0)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(crate::support::hidden(&form.body, "ref"), s.code);
    assert!(form.body.contains(&format!("name=\"activities\" value=\"{}\" checked", s.activity.0)), "{}", form.body);
    assert!(form.body.contains("Sat s Minecraftom") && form.body.contains(&hr.t("picker-heard-from")));
    assert!(form.body.contains(&format!("<option value=\"{}\">Radio Sljeme</option>", s.radio.0)));
    assert!(!form.body.contains("Telco"), "only won partners are offered");
    // The catalogue's search re-renders the form, keeping what was typed, storing nothing.
    let mut searching = registration("Ana Kos", "ana@skola.example.org", "30");
    searching.extend([("picker", "search".to_owned()), ("activity_q", "nema takvog".to_owned())]);
    let searched = post(&b, "/c/dijeli/register", &searching).await;
    assert_eq!(searched.status, StatusCode::OK);
    assert!(searched.body.contains(&hr.t("picker-none")) && searched.body.contains("ana@skola.example.org"));
    assert!(events_of(&site, s.campaign).await.is_empty());

    // Registered through the cookie, naming another partner as the source: both are kept.
    let mut form = registration("Ana Kos", "ana@skola.example.org", "30");
    form.extend([
        ("activities", s.activity.0.to_string()),
        ("own_activity", "Robotika".into()),
        ("heard_from", s.telco.0.to_string()),
    ]);
    let page = post(&b, "/c/dijeli/register", &form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let events = events_of(&site, s.campaign).await;
    let f = &events[0].fields;
    assert_eq!((f.referred_by, f.heard_from), (Some(s.radio), Some(s.telco)));
    assert_eq!((f.activities.as_slice(), f.own_activity.as_str()), ([s.activity].as_slice(), "Robotika"));

    // An activity of another campaign, or a made-up source, is refused next to its field; nothing stored.
    let other = setup(&site, "drugi").await;
    let mut foreign = registration("Iva Pavić", "iva@skola.example.org", "20");
    foreign.push(("activities", other.activity.0.to_string()));
    let refused = post(&b, "/c/dijeli/register", &foreign).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains(&hr.t("error-activities")) && refused.body.contains("iva@skola.example.org"));
    let mut made_up = registration("Iva Pavić", "iva@skola.example.org", "20");
    made_up.push(("heard_from", other.radio.0.to_string()));
    let refused = post(&b, "/c/dijeli/register", &made_up).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&hr.t("error-heard-from")));
    assert_eq!(events_of(&site, s.campaign).await.len(), 1);
}

async fn the_code_in_the_form_works_without_cookies(site: Site) {
    let s = setup(&site, "bezkolacica").await;
    let b = cookieless(&site);
    let (_, _, cookies) = get_with_cookies(&b, &format!("/c/bezkolacica/r/{}", s.code)).await;
    assert!(!cookies.is_empty(), "offered, but this browser keeps none");
    // The share link can name the code in the form's address too.
    let form = b.get(&format!("/c/bezkolacica/register?ref={}", s.code)).await;
    assert_eq!(crate::support::hidden(&form.body, "ref"), s.code);
    let mut fields = registration("Luka Babić", "luka@skola.example.org", "25");
    fields.push(("ref", s.code.clone()));
    let page = post(&b, "/c/bezkolacica/register", &fields).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // A stale code (of no partner) is no code: the registration goes on, brought by nobody.
    let mut stale = registration("Mia Jurić", "mia@skola.example.org", "25");
    stale.push(("ref", "zastarjelo1".into()));
    assert_eq!(post(&b, "/c/bezkolacica/register", &stale).await.status, StatusCode::OK);
    let mut events = events_of(&site, s.campaign).await;
    events.sort_by_key(|e| e.fields.organizer_name.clone());
    let brought: Vec<_> = events.iter().map(|e| (e.fields.organizer_name.as_str(), e.fields.referred_by)).collect();
    assert_eq!(brought, [("Luka Babić", Some(s.radio)), ("Mia Jurić", None)]);
}

async fn the_partner_pages_and_the_wall_show_what_a_partner_brought(site: Site) {
    let s = setup(&site, "doveli").await;
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let b = visitor(&site);
    get_with_cookies(&b, &format!("/c/doveli/r/{}", s.code)).await;
    for (name, email, students) in
        [("Ana Kos", "ana@skola.example.org", "30"), ("Iva Pavić", "iva@skola.example.org", "12")]
    {
        let page = post(&b, "/c/doveli/register", &registration(name, email, students)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let events = events_of(&site, s.campaign).await;
    let ana = events
        .iter()
        .find(|e| e.fields.organizer_name == "Ana Kos")
        .map(|e| e.id)
        .unwrap_or_else(|| panic!("Ana's event"));
    let mailer =
        |_: &rally_domain::event::Event, _| rally_store::OrganizerMail { subject: "s".into(), text: "t".into() };
    for e in &events {
        ok(site.store.confirm_event(e.id, 1, chrono::Utc::now(), &mailer).await);
    }
    // Only the approved event counts.
    ok(site.store.moderate(Actor::System, s.campaign, &[ana], Moderation::Approve, chrono::Utc::now(), &mailer).await);

    let team = site.signed_in("owner-doveli").await;
    let page = team.get(&format!("/campaigns/doveli/partners/{}", s.radio.0)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("{}/c/doveli/r/{}", site.base, s.code)), "the share link, absolute");
    assert!(page.body.contains("Brought 1 event, 30 students."), "{}", page.body);
    let telco = team.get(&format!("/campaigns/doveli/partners/{}", s.telco.0)).await;
    assert!(telco.body.contains("Brought 0 events, 0 students."));

    // The API says the same, to the team only.
    let owner = ok(site.store.user_by_email(&ok(rally_domain::Email::parse("owner-doveli@example.org"))).await)
        .unwrap_or_else(|| panic!("the owner"));
    let (token, hash) = rally_web::auth::new_api_token();
    ok(site.store.create_api_token(owner.id, &hash, "test").await);
    let api = |t: &str| {
        team.http
            .get(format!("{}/api/v1/partners/{}/share-link", site.base, s.radio.0))
            .bearer_auth(t.to_owned())
            .send()
    };
    let answer: serde_json::Value = ok(ok(api(&token).await).json().await);
    assert_eq!(answer["url"], format!("{}/c/doveli/r/{}", site.base, s.code));
    assert_eq!((answer["events"].as_i64(), answer["students"].as_i64()), (Some(1), Some(30)));
    let stranger = site.user("stranger").await;
    let (other, hash) = rally_web::auth::new_api_token();
    ok(site.store.create_api_token(stranger, &hash, "test").await);
    assert_eq!(ok(api(&other).await).status(), StatusCode::NOT_FOUND);

    // The partner's own link page, in its language.
    let token = rally_web::auth::random_token();
    ok(site.store.create_partner_link(Actor::System, s.radio, &rally_web::auth::hash_token(&token)).await);
    let link = b.get(&format!("/p/{token}?lang=hr")).await;
    assert_eq!(link.status, StatusCode::OK);
    assert!(link.body.contains(&format!("/c/doveli/r/{}", s.code)) && link.body.contains(&hr.t("link-share-title")));
    let brought = hr.t_with(
        "partner-brought",
        &[("events", rally_site::i18n::Arg::Num(1)), ("students", rally_site::i18n::Arg::Num(30))],
    );
    assert!(link.body.contains(&brought), "{brought} in {}", link.body);
    // The recognition wall thanks the partner with its figures.
    let wall = b.get("/c/doveli/partners").await;
    assert!(wall.body.contains("Radio Sljeme") && wall.body.contains(&brought), "{}", wall.body);
}

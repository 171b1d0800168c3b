//! The public campaign site as visitors and organizers use it: registration in Croatian with every
//! error next to its field, the honeypot, the size and rate limits, the confirmation e-mail through the
//! outbox, the organizer's signed link, moderation, the counter, certificates, embeds and the CSV export.

use chrono::{Duration, Utc};
use rally_domain::event::EventStatus;
use rally_domain::{CampaignDraft, Role, Strategy};
use rally_site::i18n::Lang;
use rally_store::{Actor, EventFilter, Store};
use reqwest::StatusCode;

use crate::support::{Browser, PASSWORD, Page, Site, calendar_url, tempfile_dir, test_files};

both_backends!(
    Site;
    registration_confirmation_moderation_and_certificate,
    bad_registrations_store_nothing,
    an_umbrella_counts_its_members,
    exports_stream_every_row,
    a_forged_host_never_reaches_a_link,
);

/// A campaign whose registration window includes today (events may be reported from their first day).
pub(crate) async fn campaign(
    site: &Site,
    owner: rally_domain::UserId,
    slug: &str,
    parent: Option<rally_domain::CampaignId>,
) -> rally_domain::CampaignId {
    let today = Utc::now().date_naive();
    let fields = CampaignDraft {
        name: Some(format!("Sat kodiranja {slug}")),
        slug: Some(slug.into()),
        country: Some("HR".into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        message: Some(
            [
                ("hr".to_owned(), "Svatko može programirati.".to_owned()),
                ("en".to_owned(), "Anyone can code.".to_owned()),
            ]
            .into(),
        ),
        goal_students: Some(1000),
        starts_on: Some(today + Duration::days(3)),
        ends_on: Some(today + Duration::days(9)),
        strategy: Some(if parent.is_some() { Strategy::Member } else { Strategy::Own }),
        parent_id: Some(parent),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let id = site.store.create_campaign(Actor::User(owner), fields).await.unwrap_or_else(|e| panic!("{e}")).id;
    site.store.set_published(Actor::User(owner), id, true).await.unwrap_or_else(|e| panic!("{e}"));
    id
}

pub(crate) fn visitor(site: &Site) -> Browser {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(
            [(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("hr-HR,hr;q=0.9,en;q=0.5"))]
                .into_iter()
                .collect(),
        )
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    Browser { http, base: site.base.clone() }
}

pub(crate) fn registration(name: &str, email: &str, students: &str) -> Vec<(&'static str, String)> {
    let today = Utc::now().date_naive().to_string();
    vec![
        ("organizer_name", name.into()),
        ("organizer_email", email.into()),
        ("organization", "OŠ Trnsko".into()),
        ("event_type", "in_school".into()),
        ("title", "Sat kodiranja u Trnskom".into()),
        ("country", "HR".into()),
        ("city", "Zagreb".into()),
        ("starts_on", today),
        ("students", students.into()),
        ("ages", "10–12".into()),
        ("language", "hr".into()),
        ("description", "Učenici pišu <b>prvi</b> program.".into()),
        ("listing", "public".into()),
        ("consent", "on".into()),
        ("website", String::new()),
    ]
}

pub(crate) async fn post(b: &Browser, path: &str, form: &[(&'static str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

/// The organizer's link from the newest queued e-mail to `email`, with its subject.
pub(crate) async fn mailed_link(store: &dyn Store, email: &str) -> (String, String) {
    let now = Utc::now();
    let claimed = store.claim("test", now, now + Duration::minutes(5), 100).await.unwrap_or_else(|e| panic!("{e}"));
    let mail =
        claimed.iter().rev().find(|c| c.email == email).unwrap_or_else(|| panic!("no e-mail to {email}: {claimed:?}"));
    for c in &claimed {
        store
            .finish(c.id, "test", rally_store::Delivered::Sent("250 ok".into()), now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let link =
        mail.text.split_whitespace().find(|w| w.contains("/e/")).unwrap_or_else(|| panic!("no link in {}", mail.text));
    let path =
        link.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned())).unwrap_or_default();
    (mail.subject.clone(), path)
}

async fn events_of(store: &dyn Store, campaign: rally_domain::CampaignId) -> Vec<rally_domain::event::Event> {
    store.events(Actor::System, campaign, &EventFilter::default()).await.unwrap_or_else(|e| panic!("{e}")).0
}

async fn registration_confirmation_moderation_and_certificate(site: Site) {
    let owner = site.user("ana").await;
    let id = campaign(&site, owner, "sk", None).await;
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let b = visitor(&site);
    // The form speaks Croatian to a Croatian browser, and the language can be switched.
    let form = b.get("/c/sk/register").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&hr.t("register-title")), "{}", &form.body[..500]);
    assert!(form.body.contains("<html lang=\"hr\">"));
    let fr = b.get("/c/sk/register?lang=fr").await;
    assert!(fr.body.contains("<html lang=\"fr\">"));
    let back = b.get("/c/sk/register?lang=hr").await;
    assert!(back.body.contains("<html lang=\"hr\">"), "the switcher's choice is remembered until changed");

    // Registered, then registered again before confirming: one event, updated.
    let page = post(&b, "/c/sk/register", &registration("Ivana Kovač", "ivana@skola.example.org", "30")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ivana@skola.example.org"));
    let again = post(&b, "/c/sk/register", &registration("Ivana Kovač", "ivana@skola.example.org", "28")).await;
    assert!(again.body.contains(&hr.t("registered-updated")));
    let events = events_of(&*site.store, id).await;
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].fields.students_expected, events[0].status), (28, EventStatus::Unconfirmed));
    assert_eq!(events[0].fields.description, "Učenici pišu prvi program.", "HTML stripped");
    assert_eq!(events[0].locale, "hr");

    // The confirmation e-mail is in Croatian and carries the organizer's link.
    let (subject, link) = mailed_link(&*site.store, "ivana@skola.example.org").await;
    assert!(subject.starts_with("Potvrdite") || subject.contains("Sat kodiranja u Trnskom"), "{subject}");
    let manage = b.get(&link).await;
    assert_eq!(manage.status, StatusCode::OK);
    let headers = b.http.get(format!("{}{link}", b.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    // Not `no-referrer`: browsers would then send `Origin: null` with the page's own forms.
    assert_eq!(headers.headers().get("referrer-policy").and_then(|v| v.to_str().ok()), Some("same-origin"));
    assert!(manage.body.contains(&hr.t("manage-confirm")));
    assert!(manage.body.contains("<circle"), "the organizer sees the event's point on the map");
    assert_eq!(b.get(&format!("{link}0")).await.status, StatusCode::NOT_FOUND, "a forged link is not found");
    campaign(&site, owner, "other", None).await;
    assert_eq!(b.get(&link.replace("/c/sk/", "/c/other/")).await.status, StatusCode::NOT_FOUND);
    let confirmed = b.post(&format!("{link}/confirm"), &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let stats = |b: &Browser| {
        let url = format!("{}/api/v1/public/campaigns/sk/stats", b.base);
        let http = b.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
            r.json::<serde_json::Value>().await.unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert_eq!(stats(&b).await["students"], 0, "pending events do not count");

    // A moderator approves it on the team's page; the counter moves (the cache is dropped on approval).
    let team = site.signed_in("ana").await;
    let queue = team.get("/campaigns/sk/events").await;
    assert!(queue.body.contains("Sat kodiranja u Trnskom"));
    let event_id = events_of(&*site.store, id).await[0].id.0.to_string();
    let approved = team
        .submit("/campaigns/sk/events/moderate", &[("status", "pending"), ("id", &event_id), ("decision", "approve")])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let s = stats(&b).await;
    assert_eq!((s["students"].as_i64(), s["events"].as_i64(), s["countries"].as_i64()), (Some(28), Some(1), Some(1)));
    let (approval_subject, _) = mailed_link(&*site.store, "ivana@skola.example.org").await;
    assert_eq!(approval_subject, hr.t_with("mail-approved-subject", &[("title", "Sat kodiranja u Trnskom".into())]));
    let home = b.get("/c/sk/").await;
    assert!(home.body.contains("data-counter=\"students\">28<"), "{}", home.body);
    let map = b.get("/c/sk/map.svg").await;
    assert!(map.body.starts_with("<svg") && map.body.contains("<circle"), "the event is on the map");
    let listed = b.get("/c/sk/events?q=trnsk").await;
    assert!(listed.body.contains("Sat kodiranja u Trnskom"));
    assert!(!listed.body.contains("ivana@skola.example.org"), "the public list shows no organizer's address");

    // After the event: 25 students reported, a certificate for a Cyrillic name.
    let none_yet = b.get(&format!("{link}/certificate?name=x")).await;
    assert_eq!(none_yet.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = b.post(&format!("{link}/report"), &[("students_actual", "-5")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-students_actual\""));
    let reported = b.post(&format!("{link}/report"), &[("students_actual", "25")]).await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER);
    assert_eq!(stats(&b).await["students"], 25, "the reported number replaces the expected one");
    let pdf = b
        .http
        .get(format!(
            "{}{link}/certificate?name={}",
            b.base,
            form_urlencoded::byte_serialize("Анна Петрова".as_bytes()).collect::<String>()
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    let bytes = pdf.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    assert!(text.contains("Анна Петрова"), "{text}");
    assert!(text.contains("25"), "{text}");

    // Embeds may be framed by any site; every other page by none.
    let embed = b.http.get(format!("{}/c/sk/embed/counter", b.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(embed.headers().get("x-frame-options").is_none());
    assert!(embed.text().await.unwrap_or_default().contains("25"));
    let page = b.http.get(format!("{}/c/sk/", b.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.headers().get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));

    // The team's CSV: every field, formulas neutralized.
    let mut edit = registration("Ivana Kovač", "ivana@skola.example.org", "28");
    edit.retain(|(k, _)| *k != "organization");
    edit.push(("organization", "=HYPERLINK(\"http://evil\")".into()));
    let saved = post(&b, &format!("{link}/edit"), &edit).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        events_of(&*site.store, id).await[0].status,
        EventStatus::Pending,
        "an approved event's edit is moderated again"
    );
    let csv = team.get("/campaigns/sk/events.csv").await;
    assert!(csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{}", csv.body);
    // A viewer may not moderate.
    let vera = site.user("vera").await;
    site.store.set_role(Actor::User(owner), id, vera, Role::Viewer).await.unwrap_or_else(|e| panic!("{e}"));
    let viewer = site.signed_in("vera").await;
    let refused = viewer
        .submit("/campaigns/sk/events/moderate", &[("status", "pending"), ("id", &event_id), ("decision", "approve")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// The text poppler reads from a PDF (the certificate font must map glyphs back to characters).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile_dir();
    let file = dir.join("c.pdf");
    std::fs::write(&file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils) is needed: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn bad_registrations_store_nothing(site: Site) {
    let owner = site.user("ana").await;
    let id = campaign(&site, owner, "sk", None).await;
    let hr = Lang::parse("hr").unwrap_or(Lang::EN);
    let b = visitor(&site);
    let mut bad = registration("Ivana Kovač", "ivana@skola", "-3");
    for (k, v) in bad.iter_mut() {
        match *k {
            "country" => *v = "XX".into(),
            "starts_on" => *v = "2026-02-30".into(),
            "consent" => v.clear(),
            _ => {}
        }
    }
    bad.push(("latitude", "91".into()));
    bad.push(("longitude", "15".into()));
    let page = post(&b, "/c/sk/register", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, id) in [
        ("organizer_email", "error-email"),
        ("students", "error-students"),
        ("country", "error-country"),
        ("starts_on", "error-date"),
        ("latitude", "error-latitude"),
        ("consent", "error-consent"),
    ] {
        let marker = format!("id=\"e-{field}\">");
        let shown = page.body.split(&marker).nth(1).and_then(|r| r.split('<').next()).unwrap_or_default();
        let want = hr.t_with(id, &[("max", 100_000.into())]);
        assert_eq!(shown, escape(&want), "{field}");
    }
    assert!(page.body.contains("value=\"Ivana Kovač\""), "input kept");
    // A 10 MB description: refused before it is read, in the visitor's language.
    let mut huge = registration("Ivana Kovač", "ivana@skola.example.org", "20");
    huge.push(("description", "x".repeat(10 * 1024 * 1024)));
    let page = post(&b, "/c/sk/register", &huge).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.body.contains(&hr.t("error-body-too-large")), "{}", page.body);
    // The honeypot: a robot is thanked and forgotten.
    let mut robot = registration("Spam Bot", "bot@spam.example.org", "20");
    robot.retain(|(k, _)| *k != "website");
    robot.push(("website", "http://spam.example.org".into()));
    assert_eq!(post(&b, "/c/sk/register", &robot).await.status, StatusCode::OK);
    assert!(events_of(&*site.store, id).await.is_empty(), "nothing stored");
    let now = Utc::now();
    assert!(
        site.store.claim("t", now, now + Duration::minutes(1), 10).await.unwrap_or_default().is_empty(),
        "nothing sent"
    );
    // One address's allowance runs out (the default: 30 an hour, 7 at once); the form keeps the input.
    let mut last = StatusCode::OK;
    let mut body = String::new();
    for i in 0..12 {
        let p = post(
            &b,
            "/c/sk/register",
            &registration(&format!("Teacher {i}"), &format!("t{i}@skola.example.org"), "10"),
        )
        .await;
        last = p.status;
        body = p.body;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(&hr.t("error-too-many")) && body.contains("value=\"Teacher 11\""));
    // Unknown campaigns and organizer links are plain 404s.
    assert_eq!(b.get("/c/nope/register").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/c/sk/e/1.1.deadbeef").await.status, StatusCode::NOT_FOUND);
}

/// Text as the templates escape it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

async fn an_umbrella_counts_its_members(site: Site) {
    let owner = site.user("ana").await;
    let umbrella = campaign(&site, owner, "eu", None).await;
    let member = campaign(&site, owner, "eu-hr", Some(umbrella)).await;
    let b = visitor(&site);
    let page = post(&b, "/c/eu-hr/register", &registration("Marko Horvat", "marko@skola.example.org", "40")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, link) = mailed_link(&*site.store, "marko@skola.example.org").await;
    assert_eq!(b.post(&format!("{link}/confirm"), &[]).await.status, StatusCode::SEE_OTHER);
    let team = site.signed_in("ana").await;
    let event_id = events_of(&*site.store, member).await[0].id.0.to_string();
    team.submit(
        "/campaigns/eu-hr/events/moderate",
        &[("status", "pending"), ("id", &event_id), ("decision", "approve")],
    )
    .await;
    let umbrella_stats: serde_json::Value = b
        .http
        .get(format!("{}/api/v1/public/campaigns/eu/stats", b.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(umbrella_stats["students"], 40, "{umbrella_stats}");
    let home = b.get("/c/eu/").await;
    assert!(home.body.contains("/c/eu-hr/"), "the umbrella lists its members");
    assert!(b.get("/c/eu/events").await.body.contains("Sat kodiranja u Trnskom"));

    // The team app says where the umbrella's events come from, and its numbers add up: none approved
    // in the umbrella itself, one from its member.
    let events = team.get("/campaigns/eu/events").await;
    assert!(
        events
            .body
            .contains("40 students in 1 events: 0 approved here and 1 from member campaigns (Sat kodiranja eu-hr 1)"),
        "{}",
        events.body
    );
    assert!(events.body.contains("Approved (0)"), "{}", events.body);
    let dashboard = team.get("/campaigns/eu").await;
    assert!(dashboard.body.contains("Of which <strong>1</strong> events from member campaigns"), "{}", dashboard.body);
    assert!(dashboard.body.contains("href=\"/campaigns/eu-hr\""), "a member the user is on the team of links to it");
    assert!(!dashboard.body.contains("against the goal"), "reach is not measured against the student goal");
    let plan = team.get("/campaigns/eu/plan").await;
    assert!(plan.body.contains("the umbrella of 1 member campaign whose events count here"), "{}", plan.body);
    assert!(plan.body.contains("Sat kodiranja eu-hr</a> <span class=\"muted\">40 students in 1 events"));
    // The member's own pages count only its events.
    assert!(team.get("/campaigns/eu-hr/events").await.body.contains("40 students in 1 events"));
}

/// More rows than one page of the store, every kind, both formats; outsiders get nothing.
async fn exports_stream_every_row(site: Site) {
    let owner = site.user("ana").await;
    let id = campaign(&site, owner, "sk", None).await;
    let now = Utc::now();
    let loads: Vec<rally_store::PartnerLoad> = (0..620)
        .map(|i| {
            let name = if i == 0 { "=HYPERLINK(\"http://evil\")".to_owned() } else { format!("Partner {i:03}") };
            let fields = rally_domain::PartnerDraft {
                name: Some(name),
                category: Some(rally_domain::Category::Media),
                reach: Some(100 + i),
                ..Default::default()
            }
            .validate()
            .unwrap_or_else(|e| panic!("{e}"));
            let contact = rally_domain::ContactDraft {
                name: Some(format!("Contact {i}")),
                email: Some(format!("c{i}@media.example.org")),
                ..Default::default()
            }
            .validate()
            .unwrap_or_else(|e| panic!("{e}"));
            rally_store::PartnerLoad {
                fields,
                created_at: now - Duration::days(3),
                moves: vec![rally_store::MoveLoad {
                    to: rally_domain::Stage::Contacted,
                    at: now - Duration::days(1),
                    actor: None,
                    note: "called".into(),
                    reason: None,
                }],
                contacts: vec![contact],
            }
        })
        .collect();
    site.store.load_partners(Actor::System, id, loads).await.unwrap_or_else(|e| panic!("{e}"));
    let team = site.signed_in("ana").await;
    // Downloads are for Excel (a byte-order mark first) unless the box is unticked.
    let csv = team.get("/campaigns/sk/export?file=partners.csv&excel=0&excel=1").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("\u{feff}id,name,category,"), "{}", &csv.body[..40]);
    let csv = team.get("/campaigns/sk/export?file=partners.csv&excel=0").await;
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 621, "a header and every partner, across pages");
    assert!(lines[0].starts_with("id,name,category,"));
    assert!(csv.body.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","), "formulas neutralized");
    let jsonl = team.get("/campaigns/sk/export/contacts.jsonl").await;
    let rows: Vec<serde_json::Value> =
        jsonl.body.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(rows.len(), 620);
    assert!(rows.iter().any(|r| r["email"] == "c7@media.example.org" && r["partner"] == "Partner 007"));
    let history = team.get("/campaigns/sk/export/history.csv?excel=0").await;
    assert!(team.get("/campaigns/sk/export/history.csv").await.body.starts_with('\u{feff}'));
    assert!(team.get("/campaigns/sk/partners").await.body.contains("name=\"excel\" value=\"1\" checked"));
    assert_eq!(history.body.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + 2 * 620, "creation and one move each");
    assert_eq!(team.get("/campaigns/sk/export/secrets.csv").await.status, StatusCode::NOT_FOUND);
    // The action plan as a document: a DOCX (a zip) and Markdown.
    let docx = team
        .http
        .get(format!("{}/campaigns/sk/documents/plan.docx", team.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docx.status(), StatusCode::OK);
    assert!(docx.bytes().await.unwrap_or_default().starts_with(b"PK\x03\x04"));
    let md = team.get("/campaigns/sk/documents/plan.md").await;
    assert!(
        md.body.starts_with("# Action plan: Sat kodiranja sk")
            && md.body.contains("## Other partners, by priority\n\n| Partner | Category |")
            && md.body.contains("| Partner 619 |")
            && md.body.contains("The first 50 are shown"),
        "{}",
        md.body
    );
    // Someone not on the team learns nothing.
    site.user("eve").await;
    let eve = site.signed_in("eve").await;
    assert_eq!(eve.get("/campaigns/sk/export/partners.csv").await.status, StatusCode::NOT_FOUND);
    assert_eq!(eve.get("/campaigns/sk/documents/plan.docx").await.status, StatusCode::NOT_FOUND);
}

/// A full database (SQLite's page limit standing in for a full disk): registrations come back as the
/// form with everything typed and a Croatian "try again", the API answers 503 `storage-full` with
/// `Retry-After`, pages keep being read, and saving works again by itself once there is space.
#[tokio::test]
async fn a_full_database_loses_nothing_and_recovers() {
    let db = rally_store::testing::sqlite().await;
    let sqlite = db.sqlite.clone().unwrap_or_else(|| panic!("a SQLite test database"));
    let site = Site::start(db.store.clone()).await;
    let owner = site.user("ana").await;
    let id = campaign(&site, owner, "puno", None).await;
    let b = visitor(&site);
    assert_eq!(post(&b, "/c/puno/register", &registration("Ana", "ana@skola.hr", "20")).await.status, StatusCode::OK);

    sqlite.limit_pages(Some(0)).await.unwrap_or_else(|e| panic!("{e}"));
    let mut refused = None;
    for i in 0..200 {
        let mut form = registration(&format!("Učiteljica {i}"), &format!("u{i}@skola.hr"), "25");
        form.retain(|(k, _)| *k != "description");
        form.push(("description", "Programiramo. ".repeat(140)));
        let page = post(&b, "/c/puno/register", &form).await;
        if page.status != StatusCode::OK {
            refused = Some((i, page));
            break;
        }
    }
    let Some((i, page)) = refused else { panic!("the database never filled up") };
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("pohrana puna"), "the visitor is told in Croatian: {}", page.body);
    assert!(page.body.contains(&format!("Učiteljica {i}")), "what was typed stays in the form");
    let events = events_of(&*site.store, id).await.len();

    // The API says the same in a problem document, and when to try again.
    let (token, hash) = rally_web::auth::new_api_token();
    site.store.create_api_token(owner, &hash, "test").await.unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let notes = "x".repeat(20_000);
    let r = http
        .post(format!("{}/api/v1/campaigns/puno/partners", site.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Radio", "category": "media", "notes": notes}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
    let problem: serde_json::Value = r.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(problem["type"], "urn:rally:problem:storage-full", "{problem}");

    // Reading goes on; an organizer's page in another language says it in that language.
    assert_eq!(b.get("/c/puno/").await.status, StatusCode::OK);
    assert_eq!(events_of(&*site.store, id).await.len(), events, "nothing half-written");

    // Space again: the next registration is saved, without a restart.
    sqlite.limit_pages(None).await.unwrap_or_else(|e| panic!("{e}"));
    let page = post(&b, "/c/puno/register", &registration("Marko", "marko@skola.hr", "30")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(events_of(&*site.store, id).await.len(), events + 1);
}

/// The public site's error pages speak the visitor's language.
#[tokio::test]
async fn error_pages_speak_the_visitors_language() {
    let db = rally_store::testing::sqlite().await;
    let site = Site::start(db.store.clone()).await;
    let owner = site.user("ana").await;
    campaign(&site, owner, "jezik", None).await;
    let b = visitor(&site);
    let page = b.get("/c/jezik/e/1.1.forged").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Nije pronađeno") && page.body.contains("lang=\"hr\""), "{}", page.body);
    let page = b.get("/c/jezik/e/1.1.forged?lang=fr").await;
    assert!(page.body.contains("Introuvable"), "{}", page.body);
    let page = b.get("/c/nema-je/").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Nije pronađeno"), "{}", page.body);
}

/// A browser whose every request claims another host, as an attacker's script does.
fn forger(site: &Site) -> Browser {
    let headers = [
        (reqwest::header::HOST, "evil.example"),
        (reqwest::header::HeaderName::from_static("x-forwarded-host"), "evil.example"),
        (reqwest::header::HeaderName::from_static("x-forwarded-proto"), "https"),
        (reqwest::header::HeaderName::from_static("x-forwarded-for"), "203.0.113.66"),
    ];
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers.into_iter().map(|(k, v)| (k, reqwest::header::HeaderValue::from_static(v))).collect())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    Browser { http, base: site.base.clone() }
}

/// Links Rally writes come from its public URL, never from the request: a forged `Host` (or
/// `X-Forwarded-*`) never reaches an e-mail, a partner link, a calendar feed or a page.
async fn a_forged_host_never_reaches_a_link(site: Site) {
    let owner = site.user("ana").await;
    let id = campaign(&site, owner, "host", None).await;
    let evil = forger(&site);
    // The forger really sends the forged Host (else this test would prove nothing).
    let raw = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let raw_addr = raw.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let seen = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut conn, _) = raw.accept().await.unwrap_or_else(|e| panic!("{e}"));
        let mut buf = vec![0u8; 4096];
        let n = conn.read(&mut buf).await.unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).to_lowercase()
    });
    let _ = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        evil.http.get(format!("http://{raw_addr}/")).send(),
    )
    .await;
    let request = seen.await.unwrap_or_default();
    assert!(request.contains("host: evil.example"), "{request}");

    // The confirmation e-mail of a registration sent with a forged Host.
    let page = post(&evil, "/c/host/register", &registration("Ana", "victim@example.org", "20")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("evil.example"));
    let now = Utc::now();
    let outbox = site.store.claim("t", now, now + Duration::minutes(1), 100).await.unwrap_or_else(|e| panic!("{e}"));
    let mail = outbox.iter().find(|m| m.email == "victim@example.org").unwrap_or_else(|| panic!("{outbox:?}"));
    assert!(mail.text.contains(&format!("{}/c/host/e/", site.base)), "{}", mail.text);
    assert!(!mail.text.contains("evil.example"), "{}", mail.text);

    // Signed in through the forger: the partner link, the calendar feed and the feed's contents.
    let b = Browser { http: evil.http.clone(), base: site.base.clone() };
    assert_eq!(b.sign_in("ana@example.org", PASSWORD, "/campaigns").await.status, StatusCode::SEE_OTHER);
    let p = site.partner(owner, id, "Radio").await;
    let made = b.submit(&format!("/campaigns/host/partners/{p}/link"), &[("action", "create")]).await;
    assert!(made.body.contains(&format!("{}/p/", site.base)), "{}", made.body);
    let cal = b.submit("/campaigns/host/tasks/calendar", &[("action", "create")]).await;
    let url = calendar_url(&cal.body);
    assert!(url.starts_with(&format!("{}/calendar/", site.base)), "{url}");
    let path = url.trim_start_matches(&site.base).to_owned();
    let feed = evil.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    for page in [&made, &cal, &feed, &evil.get("/c/host/").await, &evil.get("/c/host/register").await] {
        assert!(!page.body.contains("evil.example"), "{}", page.body);
    }
    // Session cookies are not made Secure by a request that merely claims HTTPS.
    let resp = evil.http.get(format!("{}/login", site.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(!cookie.is_empty() && !cookie.contains("Secure"), "{cookie}");
}

/// Per-address registration allowances see the client behind a trusted proxy, and only there: a
/// client that is not a proxy cannot escape its allowance by naming other addresses.
#[tokio::test]
async fn allowances_see_the_client_only_behind_trusted_proxies() {
    for trusted in [false, true] {
        let db = rally_store::testing::sqlite().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let mut state =
            rally_web::AppState::new(db.store.clone(), test_files(), rally_web::PublicUrl::for_listener(addr))
                .with_registrations_per_hour(4);
        if trusted {
            state = state.with_trusted_proxies(
                rally_web::TrustedProxies::parse(&["127.0.0.0/8"]).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        tokio::spawn(rally_web::serve(listener, state, std::future::pending()));
        let site = Site { base: format!("http://{addr}"), store: db.store.clone(), files: std::env::temp_dir() };
        let owner = site.user("ana").await;
        campaign(&site, owner, "proxy", None).await;
        let mut statuses = Vec::new();
        for i in 0..4 {
            let http = reqwest::Client::new();
            let form = registration(&format!("Ana {i}"), &format!("ana{i}@skola.hr"), "20");
            let resp = http
                .post(format!("{}/c/proxy/register", site.base))
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .form(&form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            statuses.push(resp.status().as_u16());
        }
        let expected = if trusted { vec![200, 200, 200, 200] } else { vec![200, 200, 200, 429] };
        assert_eq!(statuses, expected, "trusted proxy: {trusted}");
    }
}

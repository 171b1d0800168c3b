//! The Reports page as the team sees it: charts drawn as SVG with their numbers in tables, each chart
//! as CSV with formula cells neutralized, an empty campaign without errors, and nothing for outsiders.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus, Gazetteer};
use rally_domain::{AskDraft, Category, CommitmentDraft, CommitmentStatus, ContactDraft, PartnerDraft, Role, Stage};
use rally_store::{Actor, Delivered, MoveLoad, NewDelivery, PartnerLoad};
use reqwest::StatusCode;

use crate::support::Site;

both_backends!(
    Site;
    reports_draw_count_and_download,
    an_empty_campaign_has_empty_reports,
);

const CHARTS: [&str; 5] = ["funnel", "forecast", "messages", "countries", "weeks"];

struct Places;
impl Gazetteer for Places {
    fn is_country(&self, code: &str) -> bool {
        matches!(code, "HR" | "FR")
    }
    fn find_place(&self, _: &str, _: &str) -> Option<(f64, f64)> {
        None
    }
    fn country_centre(&self, _: &str) -> Option<(f64, f64)> {
        Some((45.0, 16.0))
    }
}

fn event(name: &str, country: &str, students: i64) -> rally_domain::event::EventFields {
    let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
    EventForm {
        organizer_name: name.into(),
        organizer_email: format!("{}@skola.example.org", name.to_lowercase()),
        organization: format!("School of {name}"),
        event_type: "in_school".into(),
        country: country.into(),
        city: "Somewhere".into(),
        starts_on: "2026-12-08".into(),
        students: students.to_string(),
        language: "hr".into(),
        consent: "on".into(),
        ..EventForm::default()
    }
    .validate(DateWindow { from: day("2026-10-01"), to: day("2027-01-31") }, &Places)
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The CSV's lines without their line endings.
fn lines(body: &str) -> Vec<&str> {
    body.split("\r\n").filter(|l| !l.is_empty()).collect()
}

async fn reports_draw_count_and_download(site: Site) {
    let owner = site.user("ana").await;
    let vera = site.user("vera").await;
    site.user("eve").await;
    let c = site.campaign(owner, &[(vera, Role::Viewer)]).await;
    let start = Utc::now() - Duration::days(20);
    let mv = |to, days| MoveLoad {
        to,
        at: start + Duration::days(days),
        actor: None,
        note: String::new(),
        reason: (to == Stage::ClosedLost).then(|| "no budget".to_owned()),
    };
    let load = |name: &str, reach: i64, moves: Vec<MoveLoad>| PartnerLoad {
        fields: PartnerDraft {
            name: Some(name.into()),
            category: Some(Category::Media),
            reach: Some(reach),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}")),
        created_at: start,
        moves,
        contacts: vec![],
    };
    let loads = vec![
        load("=cmd", 400, vec![mv(Stage::Contacted, 2)]),
        load("Won Ltd", 300, vec![mv(Stage::Contacted, 1), mv(Stage::ClosedWon, 5)]),
        load("Lost Ltd", 100, vec![mv(Stage::ClosedLost, 3)]),
    ];
    site.store.load_partners(Actor::User(owner), c, loads).await.unwrap_or_else(|e| panic!("{e}"));

    // One message, sent to one contact.
    let all = rally_store::PartnerFilter { limit: 10, ..Default::default() };
    let partners = site.store.partners(Actor::System, c, &all).await.unwrap_or_else(|e| panic!("{e}")).items;
    let cmd = partners.iter().find(|p| p.fields.name == "=cmd").unwrap_or_else(|| panic!("=cmd not found"));
    let contact = ContactDraft {
        name: Some("Ivo".into()),
        email: Some("ivo@cmd.example.org".into()),
        consent: Some(rally_domain::Consent::OptedIn),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let k = site.store.create_contact(Actor::System, cmd.id, contact).await.unwrap_or_else(|e| panic!("{e}"));
    let fields = rally_domain::comms::MessageDraft {
        title: Some("<b>News</b>".into()),
        kind: Some(rally_domain::comms::MessageKind::Marketing),
        segment: Some(rally_domain::comms::Segment::default()),
        send: Some(rally_domain::comms::SendTime::At(Utc::now())),
        fallback_language: Some("hr".into()),
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let template = rally_store::MessageTemplate {
        language: rally_domain::LanguageTag::parse("hr").unwrap_or_else(|e| panic!("{e}")),
        category: None,
        set: rally_domain::template::TemplateSet { subject: "Bok".into(), text: "Bok".into(), html: String::new() },
    };
    let m = site.store.create_message(Actor::System, c, fields, vec![template]).await.unwrap_or_else(|e| panic!("{e}"));
    let now = Utc::now();
    let delivery = NewDelivery {
        contact_id: k.id,
        partner_id: k.partner_id,
        email: k.fields.email.clone(),
        to_name: k.fields.name.clone(),
        subject: "Bok".into(),
        text: "Bok".into(),
        html: None,
        unsubscribe_url: "https://rally.example/u/x".into(),
        wanted_at: now - Duration::minutes(1),
        due_at: Some(now - Duration::minutes(1)),
        reason: String::new(),
    };
    site.store.enqueue(Actor::System, m.id, vec![delivery]).await.unwrap_or_else(|e| panic!("{e}"));
    for x in site.store.claim("w", now, now + Duration::minutes(1), 10).await.unwrap_or_else(|e| panic!("{e}")) {
        site.store.finish(x.id, "w", Delivered::Sent("250 ok".into()), now).await.unwrap_or_else(|e| panic!("{e}"));
    }

    // Two approved events, one brought by Won Ltd's share link.
    let won = partners.iter().find(|p| p.fields.name == "Won Ltd").unwrap_or_else(|| panic!("Won Ltd not found"));
    let mut brought = event("Ana", "HR", 30);
    brought.referred_by = Some(won.id);
    let events = vec![(brought, EventStatus::Approved), (event("Luc", "FR", 20), EventStatus::Approved)];
    site.store.load_events(Actor::User(owner), c, events, now).await.unwrap_or_else(|e| panic!("{e}"));
    // =cmd agreed to four schools.
    let today = now.date_naive();
    let due = Some(Some(today + Duration::days(7)));
    let ask =
        AskDraft { title: Some("Host events".into()), unit: Some("schools".into()), due_on: due, ..Default::default() }
            .validate(today, None)
            .unwrap_or_else(|e| panic!("{e}"));
    let agreed = CommitmentDraft {
        status: Some(CommitmentStatus::Agreed),
        quantity: Some(Some(4)),
        due_on: due,
        ..Default::default()
    };
    site.store.propose_custom(Actor::User(owner), cmd.id, ask, agreed, today).await.unwrap_or_else(|e| panic!("{e}"));

    let team = site.signed_in("ana").await;
    let page = team.get("/campaigns/hr/reports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains(r#"aria-current="page">Reports</a>"#), "the navigation links the page");
    assert_eq!(body.matches(r#"role="img" aria-labelledby="chart-"#).count(), 5, "five charts");
    for id in CHARTS {
        assert!(body.contains(&format!(r#"<title id="chart-{id}-title">"#)), "{id}");
        assert!(body.contains(&format!("/campaigns/hr/reports/{id}.csv")), "{id}");
    }
    // =cmd has been in Contacted 18 days, past its 7: half a loss. Lead: 1 won of 2 closed, 1 past its
    // limit → (1 + 5 × 5%) ÷ 7.5; Contacted: 1 won of 1 → (1 + 5 × 10%) ÷ 6.5.
    // Forecast: Luc's 20 registered directly, Won Ltd's 30 brought, plus =cmd's 4 schools × 25 students
    // per event at 23.1%.
    assert!(
        body.contains(
            "73 students expected (10th–90th percentile: 50–150) against the goal of 1\u{202f}000: 7% of it."
        ),
        "{body}"
    );
    assert!(body.contains("16.7%") && body.contains("23.1%"));
    assert!(body.contains("25 students per event (the average of the campaign’s 2 approved events)"), "{body}");
    // Media learned from Won Ltd (30 of 300 reached): (0.1 + 5 × 0.0005) ÷ 6.
    assert!(body.contains("0.0171") && body.contains("Media 0.0005"));
    assert!(body.contains("<th scope=\"row\">=cmd</th>"), "the largest contributions");
    assert!(body.contains("Croatia") && body.contains("France"));
    assert!(body.contains("&lt;b&gt;News&lt;/b&gt;") && !body.contains("<b>News</b>"), "titles escaped, in SVG too");
    assert!(!body.contains("No partners yet") && !body.contains("No partners and no events yet"));
    assert!(body.contains("<th scope=\"row\">No partner (registered directly)</th>"));

    // Each chart as CSV: a header and its rows, formulas neutralized.
    let csv = |name: &'static str| {
        let team = &team;
        async move {
            let got = team.get(&format!("/campaigns/hr/reports/{name}.csv")).await;
            assert_eq!(got.status, StatusCode::OK, "{name}: {}", got.body);
            // For Excel: a byte-order mark first.
            got.body.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("{name}: no byte-order mark")).to_owned()
        }
    };
    let funnel = csv("funnel").await;
    let funnel = lines(&funnel);
    assert_eq!(funnel[0], "stage,partners,reach,reached,conversion_to_next,median_days_in_stage,finished_stays");
    // Stays in Lead: 2, 1 and 3 days; 2 of the 3 got past it.
    assert_eq!(funnel[1], "lead,0,0,3,0.6667,2,3");
    assert_eq!(funnel[2], "contacted,1,400,2,0.5,4,1");
    assert_eq!(funnel.len(), 8);
    let forecast = csv("forecast").await;
    let forecast = lines(&forecast);
    assert_eq!(
        forecast,
        vec![
            "partner,category,stage,past_time_limit,chance,source,brought_events,brought_students,\
             agreed_schools_or_events,reach,conversion,students_if_won,expected_students",
            "Won Ltd,media,closed_won,no,1,brought,1,30,0,300,,30,30",
            "'=cmd,media,contacted,yes,0.2308,agreed,0,0,4,400,,100,23.1",
            "Lost Ltd,media,closed_lost,no,0,reach,0,0,0,100,0.017083,1.7,0",
        ]
    );
    let messages = csv("messages").await;
    assert_eq!(
        lines(&messages),
        vec!["message,emails,sent,waiting,failed,skipped,deferred,unsubscribed", "<b>News</b>,1,1,0,0,0,0,0"]
    );
    let countries = csv("countries").await;
    assert_eq!(lines(&countries), vec!["country,country_name,events,students", "HR,Croatia,1,30", "FR,France,1,20"]);
    let weeks = csv("weeks").await;
    let weeks = lines(&weeks);
    assert_eq!(weeks[0], "week_of,events,students");
    assert!(weeks[1..].iter().any(|l| l.ends_with(",2,50")), "{weeks:?}");
    assert_eq!(team.get("/campaigns/hr/reports/secrets.csv").await.status, StatusCode::NOT_FOUND);
    assert_eq!(team.get("/campaigns/hr/reports/funnel.json").await.status, StatusCode::NOT_FOUND);

    // A viewer reads reports; someone not on the team learns nothing.
    let viewer = site.signed_in("vera").await;
    assert_eq!(viewer.get("/campaigns/hr/reports").await.status, StatusCode::OK);
    let eve = site.signed_in("eve").await;
    assert_eq!(eve.get("/campaigns/hr/reports").await.status, StatusCode::NOT_FOUND);
    for id in CHARTS {
        assert_eq!(eve.get(&format!("/campaigns/hr/reports/{id}.csv")).await.status, StatusCode::NOT_FOUND, "{id}");
    }
    let anonymous = site.browser().get("/campaigns/hr/reports").await;
    assert_ne!(anonymous.status, StatusCode::OK);
}

async fn an_empty_campaign_has_empty_reports(site: Site) {
    let owner = site.user("ana").await;
    site.campaign(owner, &[]).await;
    let team = site.signed_in("ana").await;
    let page = team.get("/campaigns/hr/reports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No partners yet"));
    assert!(page.body.contains("No partners and no events yet: nothing to forecast."));
    assert!(page.body.contains("No approved events yet."));
    assert!(!page.body.contains("NaN"));
    for id in CHARTS {
        let got = team.get(&format!("/campaigns/hr/reports/{id}.csv")).await;
        assert_eq!(got.status, StatusCode::OK);
        let rows = lines(&got.body).len();
        match id {
            // Every stage has its row, with zeros.
            "funnel" => assert_eq!(rows, 8),
            _ => assert_eq!(rows, 1, "{id}: only the header"),
        }
    }
}

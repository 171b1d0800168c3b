//! The Reports page as the team sees it: charts drawn as SVG with their numbers in tables, each chart
//! as CSV with formula cells neutralized, an empty campaign without errors, and nothing for outsiders.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus, Gazetteer};
use rally_domain::{Category, ContactDraft, PartnerDraft, Role, Stage};
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

    // Two approved events.
    let events = vec![(event("Ana", "HR", 30), EventStatus::Approved), (event("Luc", "FR", 20), EventStatus::Approved)];
    site.store.load_events(Actor::User(owner), c, events, now).await.unwrap_or_else(|e| panic!("{e}"));

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
    // Lead: 1 won of 2 closed → (1 + 5 × 5%) ÷ 7; Contacted: 1 of 1 → (1 + 5 × 10%) ÷ 6.
    // Forecast: 300 won + 400 × 25% = 400, of a goal of 1 000.
    assert!(body.contains("400 students expected: 40% of the goal of 1\u{202f}000."), "{body}");
    assert!(body.contains("17.9%") && body.contains("25.0%"));
    assert!(body.contains("(won + 5 × default) ÷ (closed + 5)"));
    assert!(body.contains("<th scope=\"row\">=cmd</th>"), "the largest contribution");
    assert!(body.contains("Croatia") && body.contains("France"));
    assert!(body.contains("&lt;b&gt;News&lt;/b&gt;") && !body.contains("<b>News</b>"), "titles escaped, in SVG too");
    assert!(!body.contains("No partners yet"));

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
        forecast[0],
        "partner,stage,reach,stage_closed_after_reaching,stage_won_after_reaching,default_chance,chance,expected_students"
    );
    assert!(forecast.contains(&"'=cmd,contacted,400,1,1,0.1,0.25,100"), "{forecast:?}");
    assert!(forecast.contains(&"Won Ltd,closed_won,300,,,,1,300"), "{forecast:?}");
    assert_eq!(forecast.len(), 3, "the lost partner adds nothing");
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

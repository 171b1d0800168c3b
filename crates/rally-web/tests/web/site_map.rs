//! The public map as a visitor finds events with it: circles and clusters are links with names, a
//! cluster opens exactly its events, a country and a box zoom the picture, "near Split" lists events
//! by distance, a bad box is a 400 (never a 500), and an event's page shows only approved public
//! events of the campaign.

use chrono::Duration;
use rally_domain::event::{DateWindow, EventForm, EventStatus};
use rally_store::{Actor, MapFilter};
use reqwest::StatusCode;

use crate::site::{campaign, visitor};
use crate::support::Site;

both_backends!(Site; the_map_finds_events, bad_zooms_are_refused_and_event_pages_are_public_only);

/// An event in `city` (`country`), titled `title`, running `activities`.
fn event(
    window: DateWindow,
    (country, city): (&str, &str),
    title: &str,
    students: i64,
    public: bool,
    activities: Vec<String>,
) -> EventForm {
    EventForm {
        organizer_name: "Učiteljica Ana".into(),
        // Each its own organizer: the same organizer, name and day would be one registration.
        organizer_email: format!("ana.organizer+{}@skole.example.org", title.len() * 100 + students as usize),
        organization: format!("OŠ {city}"),
        event_type: "in_school".into(),
        title: title.into(),
        country: country.into(),
        city: city.into(),
        starts_on: (window.from + Duration::days(1)).to_string(),
        students: students.to_string(),
        ages: "7–10".into(),
        language: "hr".into(),
        description: "Učenici pišu prvi program.".into(),
        listing: if public { "public".into() } else { "private".into() },
        consent: "on".into(),
        activities,
        ..EventForm::default()
    }
}

/// A campaign in Croatia with events in Split (two, plus a pending and a private one), Šibenik,
/// Zagreb and Mostar, the last two running the catalogue's "Robotski izazov"; returns the ids by
/// title, and the activity's under its title.
async fn seed(site: &Site, slug: &str) -> std::collections::HashMap<String, i64> {
    let owner = site.user(&format!("owner-{slug}")).await;
    let id = campaign(site, owner, slug, None).await;
    let c = site.store.site(slug).await.unwrap_or_else(|e| panic!("{e}")).campaign;
    let window = DateWindow { from: c.fields.promotion_starts_on(), to: c.fields.follow_up_ends_on() };
    let activity = rally_domain::activity::ActivityDraft {
        texts: Some(vec![rally_domain::activity::ActivityTextDraft {
            language: Some("hr".into()),
            title: Some("Robotski izazov".into()),
            summary: Some("Roboti od papira.".into()),
            description: None,
        }]),
        url: Some("https://example.org/robot".into()),
        provider_name: Some("Udruga".into()),
        duration_minutes: Some(45),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    let activity = site
        .store
        .create_activity(Actor::User(owner), id, activity, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
        .0;
    let rows = [
        ("HR", "Split", "Split \"one\" & co", 30, true, EventStatus::Approved),
        ("HR", "Split", "Split two", 20, true, EventStatus::Approved),
        ("HR", "Split", "Split pending", 25, true, EventStatus::Pending),
        ("HR", "Split", "Split private", 15, false, EventStatus::Approved),
        ("HR", "Šibenik", "Šibenik", 12, true, EventStatus::Approved),
        ("HR", "Zagreb", "Zagreb", 40, true, EventStatus::Approved),
        ("BA", "Mostar", "Mostar", 18, true, EventStatus::Approved),
    ];
    let events = rows
        .iter()
        .map(|&(country, city, title, students, public, status)| {
            let runs = if matches!(city, "Zagreb" | "Mostar") { vec![activity.to_string()] } else { Vec::new() };
            let fields = event(window, (country, city), title, students, public, runs)
                .validate(window, &rally_site::geo::ShippedGazetteer)
                .unwrap_or_else(|e| panic!("{title}: {e:?}"));
            (fields, status)
        })
        .collect();
    site.store.load_events(Actor::User(owner), id, events, chrono::Utc::now()).await.unwrap_or_else(|e| panic!("{e}"));
    let (all, _) = site
        .store
        .events(Actor::User(owner), id, &rally_store::EventFilter::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut ids: std::collections::HashMap<String, i64> =
        all.into_iter().map(|e| (e.fields.title.clone(), e.id.0)).collect();
    ids.insert("Robotski izazov".into(), activity);
    ids
}

/// The `href`s of the links in `html` that start with `prefix`, unescaped.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .filter(|h| h.starts_with(prefix))
        .collect()
}

async fn the_map_finds_events(site: Site) {
    let ids = seed(&site, "mapa").await;
    let v = visitor(&site);
    let map = v.get("/c/mapa/map").await;
    assert_eq!(map.status, StatusCode::OK);
    let body = &map.body;
    // Croatia's map (the campaign's country): Split's two events are one cluster, Šibenik and Zagreb
    // one point each; every one is a link with a name.
    assert!(body.contains(r#"role="group""#), "the picture holds links");
    let svg = &body[body.find("<svg").unwrap_or(0)..body.find("</svg>").unwrap_or(0)];
    assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
    let zagreb = format!("/c/mapa/events/{}", ids["Zagreb"]);
    let sibenik = format!("/c/mapa/events/{}", ids["Šibenik"]);
    assert!(svg.contains(&format!(r#"<a href="{zagreb}" aria-label="Zagreb — Zagreb, Hrvatska, 40 učenika">"#)));
    assert!(svg.contains(&format!(r#"<a href="{sibenik}" aria-label="Šibenik — Šibenik, Hrvatska, 12 učenika">"#)));
    let clusters = links(svg, "/c/mapa/map?country=HR&bbox=");
    assert_eq!(clusters.len(), 1, "{svg}");
    assert!(svg.contains(r#"aria-label="Split, Hrvatska: 2 događaja, 50 učenika""#), "{svg}");
    // Only approved public events, nothing about organizers, user text escaped.
    for hidden in ["Split pending", "Split private", "ana.organizer", "Učiteljica"] {
        assert!(!body.contains(hidden), "{hidden}");
    }
    assert!(!body.contains("Mostar —"), "another country's events are not on Croatia's map");
    // Beside the map, the same events as a list of links, and a summary for screen readers.
    assert!(body.contains("<h2 id=\"map-list-heading\">Događaji na karti</h2>"));
    assert!(body.contains(&format!(r#"<a href="{zagreb}">Zagreb</a>"#)));
    assert!(body.contains("Split &#34;one&#34; &#38; co") && !body.contains("\"one\" &"), "escaped");
    assert!(body.contains("Karta prikazuje 4 događaja na 3 mjesta."), "{body}");

    // The cluster opens exactly its events, in a view of their surroundings.
    let split = v.get(&clusters[0]).await;
    assert_eq!(split.status, StatusCode::OK);
    let list = &split.body[split.body.find("map-list-heading").unwrap_or(0)..];
    let listed = links(list, "/c/mapa/events/");
    let mut want =
        vec![format!("/c/mapa/events/{}", ids["Split \"one\" & co"]), format!("/c/mapa/events/{}", ids["Split two"])];
    want.sort();
    let mut got = listed.clone();
    got.sort();
    got.dedup();
    assert_eq!(got, want, "{list}");
    assert!(split.body.contains("Karta događaja — Hrvatska: odabrano područje"));
    assert!(split.body.contains(r#"href="/c/mapa/map?country=HR" class="zoom-out">Udalji</a>"#));
    let view_box = |body: &str| body.split("viewBox=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_owned);
    assert_ne!(view_box(&split.body), view_box(body), "the picture follows the zoom");
    // The list of events links each to its page too.
    assert!(v.get("/c/mapa/events").await.body.contains(&format!(r#"<h2><a href="{zagreb}">Zagreb</a></h2>"#)));
    // An event's page from the list.
    let page = v.get(&want[0]).await;
    assert_eq!(page.status, StatusCode::OK);

    // Another country, and the world.
    let ba = v.get("/c/mapa/map?country=BA").await;
    assert!(ba.body.contains(&format!("/c/mapa/events/{}", ids["Mostar"])) && !ba.body.contains(&zagreb));
    assert_ne!(view_box(&ba.body), view_box(body));
    let world = v.get("/c/mapa/map?country=world").await;
    assert!(world.body.contains(r#"<a href="/c/mapa/map?country=HR" aria-label="Hrvatska: "#));

    // Near Split: Split's events (in town), then Šibenik's (about 50 km); Zagreb is too far.
    let near = v.get("/c/mapa/map?near=split&radius=100").await;
    assert_eq!(near.status, StatusCode::OK);
    let nb = &near.body;
    assert!(nb.contains("<h1>Događaji do 100 km od mjesta Split, Hrvatska</h1>"), "{nb}");
    let order = links(&nb[nb.find("map-list-heading").unwrap_or(0)..], "/c/mapa/events/");
    assert_eq!(order.len(), 3, "{order:?}");
    assert_eq!(order[2], sibenik, "nearest first");
    assert!(nb.contains("udaljeno manje od 1 km"), "{nb}");
    let km =
        nb.split("udaljeno ").skip(1).filter_map(|r| r.split(" km").next()?.parse::<i64>().ok()).collect::<Vec<_>>();
    assert!(matches!(km.as_slice(), [45..=55]), "Šibenik, about 50 km: {km:?}");
    assert!(!nb.contains(&zagreb));
    let wider = v.get("/c/mapa/map?near=Split&radius=500").await;
    let order = links(&wider.body[wider.body.find("map-list-heading").unwrap_or(0)..], "/c/mapa/events/");
    assert_eq!(order.len(), 5, "Mostar across the border and Zagreb too");
    assert_eq!(order.last(), Some(&zagreb), "the farthest last");
    // In Cyrillic, a town chosen among namesakes, an unknown town.
    let cyrillic = v.get("/c/mapa/map?near=%D0%A1%D0%BF%D0%BB%D0%B8%D1%82").await;
    assert!(cyrillic.body.contains(&sibenik));
    let springfield = v.get("/c/mapa/map?near=Springfield").await;
    assert!(springfield.body.contains("Koje mjesto „Springfield” mislite?"));
    let choices = links(&springfield.body, "/c/mapa/map?near=Springfield&place=");
    assert!(choices.len() > 3, "{choices:?}");
    let chosen = v.get(&choices[0]).await;
    assert!(chosen.body.contains("<h1>Događaji do 100 km od mjesta Springfield, "), "{}", chosen.body);
    let unknown = v.get("/c/mapa/map?near=Xyzzyville").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(unknown.body.contains("Ne poznajemo mjesto „Xyzzyville”"));
    // Only the events running one activity, in every view; its links keep the filter.
    let robots = ids["Robotski izazov"];
    let world = v.get(&format!("/c/mapa/map?country=world&activity={robots}")).await;
    assert!(world.body.contains("Samo događaji s aktivnošću „Robotski izazov”."), "{}", world.body);
    let listed = links(&world.body[world.body.find("map-list-heading").unwrap_or(0)..], "/c/mapa/events/");
    let mut want = vec![zagreb.clone(), format!("/c/mapa/events/{}", ids["Mostar"])];
    want.sort();
    let mut got = listed;
    got.sort();
    assert_eq!(got, want);
    let near_robots = v.get(&format!("/c/mapa/map?near=Split&radius=500&activity={robots}")).await;
    let listed = links(&near_robots.body[near_robots.body.find("map-list-heading").unwrap_or(0)..], "/c/mapa/events/");
    assert_eq!(listed.len(), 2, "Mostar and Zagreb, within 500 km of Split");
    assert!(near_robots.body.contains(&format!(r#"name="activity" value="{robots}""#)), "the forms keep the filter");
    // An activity no event runs: an empty map, with the way back to all events.
    let activity = v.get("/c/mapa/map?activity=999999").await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(activity.body.contains("Na ovom dijelu karte nema događaja."));
    assert!(activity.body.contains("Prikaži sve događaje"));
    // The store's read: the box and the country filter together.
    let c = site.store.site("mapa").await.unwrap_or_else(|e| panic!("{e}")).campaign.id;
    let filter = MapFilter { country: Some("hr".into()), bbox: Some((15.0, 43.0, 17.0, 44.0)), activity: None };
    let found = site.store.map_events(c, &filter, 100).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 3, "Split's two and Šibenik");
    assert!(found.windows(2).all(|w| w[0].id.0 < w[1].id.0));
}

async fn bad_zooms_are_refused_and_event_pages_are_public_only(site: Site) {
    let ids = seed(&site, "mapb").await;
    let other = seed(&site, "mapc").await;
    let v = visitor(&site);
    for bad in ["abc", "1,2,3", "10,0,5,1", "0,0,0,91", "-181,0,0,0", "1e999,0,1,1", "NaN,0,1,1", "1,2,3,4,5"] {
        for path in ["/c/mapb/map", "/c/mapb/map.svg"] {
            let page = v.get(&format!("{path}?bbox={bad}")).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path} {bad}");
            assert!(page.body.contains("<html"), "a page in the visitor's language: {bad}");
        }
    }
    let svg = v.get("/c/mapb/map.svg?country=HR&bbox=15.8,43.4,16.6,43.8").await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.body.starts_with("<svg") && svg.body.contains(&format!("/c/mapb/events/{}", ids["Šibenik"])));

    // An approved public event has a page; nothing about its organizer.
    let page = v.get(&format!("/c/mapb/events/{}", ids["Split \"one\" & co"])).await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(b.contains("<h1>Split &#34;one&#34; &#38; co</h1>"), "{b}");
    for fact in
        ["OŠ Split", "U školi", "Split, Hrvatska", "7–10", "Hrvatski", "30 učenika", "Učenici pišu prvi program."]
    {
        assert!(b.contains(fact), "{fact}: {b}");
    }
    assert!(!b.contains("ana.organizer") && !b.contains("Učiteljica"));
    assert!(links(b, "/c/mapb/map?country=HR&bbox=").len() == 1, "a link to it on the map");
    // Pending, private, another campaign's, unknown: not found.
    for id in [ids["Split pending"].to_string(), ids["Split private"].to_string(), other["Zagreb"].to_string()] {
        assert_eq!(v.get(&format!("/c/mapb/events/{id}")).await.status, StatusCode::NOT_FOUND, "{id}");
    }
    for id in ["0", "abc", "99999999", "-1", "1e3"] {
        assert_eq!(v.get(&format!("/c/mapb/events/{id}")).await.status, StatusCode::NOT_FOUND, "{id}");
    }
}

//! The demo's events: what schools registered on the public site, so the counter and the map have
//! something to show.

use chrono::{Duration, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus};
use rally_store::{Actor, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Events schools registered on the public site: approved ones across Croatia and its neighbours (the
/// counter and the map), some waiting for approval, and the Zagreb member campaign's own events, which
/// count in the national counter too.
pub(super) async fn events(
    store: &dyn Store,
    national: &rally_domain::Campaign,
    member: &rally_domain::Campaign,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(2026);
    let window = DateWindow { from: national.fields.promotion_starts_on(), to: national.fields.follow_up_ends_on() };
    let towns = [
        ("HR", "Zagreb"),
        ("HR", "Split"),
        ("HR", "Rijeka"),
        ("HR", "Osijek"),
        ("HR", "Zadar"),
        ("HR", "Pula"),
        ("HR", "Slavonski Brod"),
        ("HR", "Karlovac"),
        ("HR", "Varaždin"),
        ("HR", "Šibenik"),
        ("HR", "Sisak"),
        ("HR", "Dubrovnik"),
        ("HR", "Bjelovar"),
        ("HR", "Vinkovci"),
        ("HR", "Koprivnica"),
        ("HR", "Čakovec"),
        ("HR", "Vukovar"),
        ("HR", "Požega"),
        ("BA", "Mostar"),
        ("SI", "Ljubljana"),
        ("RS", "Novi Sad"),
        ("ME", "Podgorica"),
    ];
    let types = ["in_school", "in_school", "in_school", "after_school", "online", "other"];
    let schools = ["OŠ", "Gimnazija", "Tehnička škola", "Knjižnica", "Udruga mladih", "OŠ Ivana Gorana Kovačića"];
    let form = |i: usize, rng: &mut StdRng, member: bool| {
        let (country, city) = if member { ("HR", "Zagreb") } else { towns[i % towns.len()] };
        let kind = types[rng.random_range(0..types.len())];
        let day = national.fields.starts_on + Duration::days(rng.random_range(0..5));
        EventForm {
            organizer_name: format!("Učitelj{} {}", if i.is_multiple_of(2) { "ica" } else { "" }, i + 1),
            organizer_email: format!("ucitelj{}@skole.example.org", i + 1),
            organization: format!("{} {}", schools[i % schools.len()], city),
            event_type: kind.into(),
            title: format!("Sat kodiranja u {}", city),
            country: country.into(),
            city: city.into(),
            url: if kind == "online" { format!("https://meet.example.org/sat-{}", i + 1) } else { String::new() },
            starts_on: day.to_string(),
            students: rng.random_range(12..=140).to_string(),
            ages: ["7–10", "10–14", "14–18"][i % 3].into(),
            language: if country == "SI" { "sl".into() } else { "hr".into() },
            description: "Učenici rješavaju zagonetke s blokovima i pišu svoj prvi program.".into(),
            listing: if i.is_multiple_of(11) { "private".into() } else { "public".into() },
            consent: "on".into(),
            ..EventForm::default()
        }
        .validate(window, &rally_site::geo::ShippedGazetteer)
        .map_err(|e| anyhow::anyhow!("demo event {i}: {e:?}"))
    };
    let mut approved = Vec::new();
    for i in 0..180 {
        let status = if i % 15 == 7 { EventStatus::Pending } else { EventStatus::Approved };
        approved.push((form(i, &mut rng, false)?, status));
    }
    store.load_events(Actor::System, national.id, approved, Utc::now()).await?;
    let mut local = Vec::new();
    for i in 200..230 {
        local.push((form(i, &mut rng, true)?, EventStatus::Approved));
    }
    store.load_events(Actor::System, member.id, local, Utc::now()).await?;
    Ok(())
}

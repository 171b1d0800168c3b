//! Fills a database with one campaign and N approved events for `bench/site.sh`, and prints the
//! campaign's slug as the last line of standard output.
//!
//!     cargo run --release --example site_seed -- DATABASE_URL [EVENTS]

use chrono::{Duration, Utc};
use rally_domain::event::{DateWindow, EventForm, EventStatus};
use rally_store::Actor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PLACES: [(&str, &str); 12] = [
    ("HR", "Zagreb"),
    ("HR", "Split"),
    ("HR", "Rijeka"),
    ("HR", "Osijek"),
    ("FR", "Lyon"),
    ("FR", "Paris"),
    ("RS", "Beograd"),
    ("SI", "Ljubljana"),
    ("BA", "Sarajevo"),
    ("DE", "Berlin"),
    ("PL", "Kraków"),
    ("GE", "Tbilisi"),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or_else(|| anyhow::anyhow!("usage: site_seed DATABASE_URL [EVENTS]"))?;
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let store = rally_store::open(&url).await?;
    let today = Utc::now().date_naive();
    let campaign = rally_domain::CampaignDraft {
        name: Some("Site benchmark".into()),
        slug: Some("bench-site".into()),
        country: Some("HR".into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        goal_students: Some(5_000_000),
        starts_on: Some(today + Duration::days(7)),
        ends_on: Some(today + Duration::days(13)),
        ..Default::default()
    }
    .validate()?;
    let campaign = store.create_campaign(Actor::System, campaign).await?;
    // A new campaign's site is a draft only its team sees: the benchmark's visitors need it published.
    store.set_published(Actor::System, campaign.id, true).await?;
    let window = DateWindow { from: campaign.fields.promotion_starts_on(), to: campaign.fields.follow_up_ends_on() };
    let mut rng = StdRng::seed_from_u64(100_000);
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..count {
        let (country, city) = PLACES[i % PLACES.len()];
        let fields = EventForm {
            organizer_name: format!("Teacher {i}"),
            organizer_email: format!("teacher{i}@school.example.org"),
            organization: format!("School {}", i % 5000),
            event_type: ["in_school", "after_school", "online", "other"][i % 4].into(),
            url: if i % 4 == 2 { format!("https://meet.example.org/{i}") } else { String::new() },
            country: country.into(),
            city: city.into(),
            latitude: format!("{:.4}", rng.random_range(-60.0..70.0)),
            longitude: format!("{:.4}", rng.random_range(-170.0..170.0)),
            starts_on: (today + Duration::days(rng.random_range(0..14))).to_string(),
            students: rng.random_range(5..200).to_string(),
            language: "hr".into(),
            consent: "on".into(),
            ..EventForm::default()
        }
        .validate(window, &rally_site::geo::ShippedGazetteer)
        .map_err(|e| anyhow::anyhow!("event {i}: {e:?}"))?;
        batch.push((fields, EventStatus::Approved));
        if batch.len() == 10_000 {
            store.load_events(Actor::System, campaign.id, std::mem::take(&mut batch), Utc::now()).await?;
        }
    }
    store.load_events(Actor::System, campaign.id, batch, Utc::now()).await?;
    println!("bench-site");
    Ok(())
}

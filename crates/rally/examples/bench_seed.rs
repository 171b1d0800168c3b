//! Fills a database with one campaign of N synthetic partners for `bench/api.sh`, and prints an API
//! token for its owner as the last line of standard output.
//!
//!     cargo run --release --example bench_seed -- DATABASE_URL [PARTNERS]

use chrono::{Duration, Utc};
use rally_domain::{Category, Email, PartnerDraft, Role, Stage};
use rally_store::{Actor, MoveLoad, PartnerLoad};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The bench user's password (bench@example.org), for the page measurements.
const BENCH_PASSWORD: &str = "bench-password-1";

const CITIES: [&str; 12] = [
    "Zagreb",
    "Split",
    "Rijeka",
    "Osijek",
    "Zadar",
    "Pula",
    "Karlovac",
    "Varaždin",
    "Šibenik",
    "Sisak",
    "Dubrovnik",
    "Vukovar",
];
const WORDS: [&str; 20] = [
    "Radio",
    "Digital",
    "Škola",
    "Klub",
    "Media",
    "Soft",
    "Grad",
    "Udruga",
    "Mreža",
    "Portal",
    "Centar",
    "Zaklada",
    "Institut",
    "Fakultet",
    "Studio",
    "Lab",
    "Agencija",
    "Savez",
    "Novine",
    "Televizija",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or_else(|| anyhow::anyhow!("usage: bench_seed DATABASE_URL [PARTNERS]"))?;
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let store = rally_store::open(&url).await?;
    let email = Email::parse("bench@example.org").map_err(anyhow::Error::msg)?;
    let user = match store.user_by_email(&email).await? {
        Some(u) => u,
        None => store.create_user(&email, "Bench", None).await?,
    };
    let campaign = rally_domain::CampaignDraft {
        name: Some("Benchmark campaign".into()),
        slug: Some("bench".into()),
        languages: Some(vec!["hr".into()]),
        goal_students: Some(1_000_000),
        starts_on: Some("2026-12-07".parse()?),
        ends_on: Some("2026-12-13".parse()?),
        ..Default::default()
    }
    .validate()?;
    let campaign = store.create_campaign(Actor::System, campaign).await?;
    store.set_role(Actor::System, campaign.id, user.id, Role::Owner).await?;

    // A deterministic spread: every category, reach over five orders of magnitude, names of two or three
    // words from a small vocabulary (so a search word matches a few percent of partners, as a city or
    // "radio" does in a real campaign), a fifth of the partners moved along the pipeline.
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(100_000);
    let mut loaded = 0;
    let mut batch = Vec::new();
    for i in 0..count {
        let category = Category::ALL[i % 5];
        let name = format!(
            "{} {} {} {i}",
            WORDS[(i * 7) % WORDS.len()],
            WORDS[(i * 13 + 3) % WORDS.len()],
            CITIES[(i * 11) % CITIES.len()]
        );
        let fields = PartnerDraft {
            name: Some(name),
            category: Some(category),
            reach: Some(10_i64.pow(rng.random_range(0..6)) * rng.random_range(1..10)),
            owner_id: Some(Some(user.id)),
            ..Default::default()
        }
        .validate()?;
        let moves = match rng.random_range(0..5) {
            0 => vec![MoveLoad {
                to: Stage::Contacted,
                at: now - Duration::days(3),
                actor: Some(user.id),
                note: String::new(),
                reason: None,
            }],
            _ => vec![],
        };
        batch.push(PartnerLoad { fields, created_at: now - Duration::days(10), moves, contacts: vec![] });
        if batch.len() == 10_000 || i + 1 == count {
            loaded += store.load_partners(Actor::System, campaign.id, std::mem::take(&mut batch)).await?;
            eprintln!("loaded {loaded} partners");
        }
    }
    // The web pages are measured too: a password to sign in with.
    let password = rally_web::auth::hash_password(BENCH_PASSWORD).map_err(anyhow::Error::msg)?;
    store.set_password(user.id, &password).await?;
    let (token, hash) = rally_web::auth::new_api_token();
    store.create_api_token(user.id, &hash, "bench").await?;
    println!("{token}");
    Ok(())
}

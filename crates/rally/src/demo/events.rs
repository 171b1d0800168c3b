//! The demo's events: what schools registered on the public site, so the counter and the map have
//! something to show — with the catalogue activities they run and the partners that brought them, so
//! the activity pages, the partner pages and the recognition wall have figures too.

use chrono::{Duration, Utc};
use rally_domain::event::{DateWindow, EventFields, EventForm, EventStatus};
use rally_domain::{ActivityId, CampaignId, PartnerId};
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
    let national_choices = Choices::of(store, national.id).await?;
    let mut approved = Vec::new();
    for i in 0..180 {
        let status = if i % 15 == 7 { EventStatus::Pending } else { EventStatus::Approved };
        let f = form(i, &mut rng, false)?;
        approved.push((national_choices.apply(f, i, &mut rng), status));
    }
    store.load_events(Actor::System, national.id, approved, Utc::now()).await?;
    let member_choices = Choices::of(store, member.id).await?;
    let mut local = Vec::new();
    for i in 200..230 {
        let f = form(i, &mut rng, true)?;
        local.push((member_choices.apply(f, i, &mut rng), EventStatus::Approved));
    }
    store.load_events(Actor::System, member.id, local, Utc::now()).await?;
    Ok(())
}

/// What a campaign's demo events choose from: its catalogue and its won partners.
struct Choices {
    activities: Vec<ActivityId>,
    partners: Vec<PartnerId>,
}

impl Choices {
    async fn of(store: &dyn Store, campaign: CampaignId) -> anyhow::Result<Choices> {
        let activities = store.activity_options(campaign, "", "hr", 200).await?.into_iter().map(|o| o.id).collect();
        let partners = store.won_partners(campaign).await?.into_iter().map(|(id, _)| id).collect();
        Ok(Choices { activities, partners })
    }

    /// Most events run one or two catalogue activities (a few, their own); about a third came through a
    /// partner's share link and a fifth named a partner when asked how they heard of the campaign —
    /// a few won partners bring most of them, as in life.
    fn apply(&self, f: EventFields, i: usize, rng: &mut StdRng) -> EventFields {
        let mut f = f;
        if !self.activities.is_empty() {
            if i % 9 == 4 {
                f.own_activity = "Vlastita radionica s micro:bitom".into();
            } else {
                let first = self.activities[rng.random_range(0..self.activities.len().min(12))];
                f.activities.push(first);
                let second = self.activities[rng.random_range(0..self.activities.len())];
                if i.is_multiple_of(4) && second != first {
                    f.activities.push(second);
                }
            }
        }
        if !self.partners.is_empty() {
            // Squared: the first partners of the list are picked far more often than the last.
            let pick = |rng: &mut StdRng| {
                let x: f64 = rng.random_range(0.0..1.0);
                self.partners[((x * x) * self.partners.len() as f64) as usize % self.partners.len()]
            };
            match rng.random_range(0..10) {
                0..=2 => f.referred_by = Some(pick(rng)),
                3..=4 => f.heard_from = Some(pick(rng)),
                _ => {}
            }
        }
        f
    }
}

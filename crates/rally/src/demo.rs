//! The demo: a national campaign a newcomer can explore at once. About 200 partners across the five
//! categories and every stage, contacts, a team of five, names in several languages and scripts, and
//! stage histories spread over the past weeks. Made once per database; later runs reuse it.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rally_domain::{
    ActionPlan, CampaignDraft, Category, ContactDraft, ContactFields, Email, PartnerDraft, Role, Stage, Strategy,
    UserId,
};
use rally_store::{Actor, MoveLoad, PartnerLoad, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const SLUG: &str = "sat-kodiranja";
const MEMBER_SLUG: &str = "sat-kodiranja-zagreb";

/// What the demo prints so the newcomer can sign in and call the API.
#[derive(Debug)]
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub token: String,
    pub slug: String,
    pub campaign_name: String,
    pub partners: usize,
}

const TEAM: [(&str, &str, Role); 5] = [
    ("ana.horvat@example.org", "Ana Horvat", Role::Owner),
    ("marko.kovacevic@example.org", "Marko Kovačević", Role::Coordinator),
    ("ivana.babic@example.org", "Ivana Babić", Role::Member),
    ("tamara.jovanovic@example.org", "Тамара Јовановић", Role::Member),
    ("petra.novak@example.org", "Petra Novak", Role::Viewer),
];

const CITIES: [&str; 18] = [
    "Zagreb",
    "Split",
    "Rijeka",
    "Osijek",
    "Zadar",
    "Pula",
    "Slavonski Brod",
    "Karlovac",
    "Varaždin",
    "Šibenik",
    "Sisak",
    "Dubrovnik",
    "Vukovar",
    "Čakovec",
    "Koprivnica",
    "Bjelovar",
    "Požega",
    "Gospić",
];

const CONTACT_NAMES: [(&str, &str, &str); 16] = [
    ("Ana Kovač", "ana.kovac", "hr"),
    ("Ivan Horvat", "ivan.horvat", "hr"),
    ("Maja Šimić", "maja.simic", "hr"),
    ("Željko Babić", "zeljko.babic", "hr"),
    ("Lucija Jurić", "lucija.juric", "hr"),
    ("Tomislav Đurić", "tomislav.duric", "hr"),
    ("Marina Vuković", "marina.vukovic", "hr"),
    ("Davor Knežević", "davor.knezevic", "hr"),
    ("Марко Петровић", "marko.petrovic", "sr-Cyrl"),
    ("Јелена Милошевић", "jelena.milosevic", "sr-Cyrl"),
    ("Lucia Bevilacqua", "lucia.bevilacqua", "it"),
    ("Katalin Szabó", "katalin.szabo", "hu"),
    ("Γιώργος Παπαδόπουλος", "giorgos.papadopoulos", "el"),
    ("ნინო ბერიძე", "nino.beridze", "ka"),
    ("Petra Nováková", "petra.novakova", "cs"),
    ("John Smith", "john.smith", "en"),
];

const LOST_REASONS: [&str; 6] = [
    "No budget for sponsorship this year",
    "Already committed to another campaign in December",
    "No answer after three follow-ups",
    "Their communications team is fully booked for campaign week",
    "Legal review of the logo use took too long",
    "Prefers to join next year",
];

const NOTES: [&str; 8] = [
    "Sent the partner deck",
    "Call scheduled with head of communications",
    "Pitched newsletter + banner ask",
    "They confirmed in writing: newsletter on 1 Dec, social posts in campaign week",
    "Sent logo pack, banners and the press kit",
    "Newsletter went out; screenshot received",
    "Follow-up call: agreed to host events in 5 schools",
    "",
];

/// Campaign week: the second week of December, this year's if it is still ahead, otherwise next year's.
fn campaign_week(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let week = |year| {
        let start = NaiveDate::from_ymd_opt(year, 12, 7).unwrap_or(today);
        (start, start + Duration::days(6))
    };
    let (start, end) = week(today.year());
    if today <= end { (start, end) } else { week(today.year() + 1) }
}

fn partner_names(rng: &mut StdRng) -> Vec<(String, Category)> {
    let mut names = Vec::new();
    let it_first =
        ["Adriatic", "Velebit", "Kvarner", "Panonija", "Učka", "Biokovo", "Jadran", "Sava", "Drava", "Mosor"];
    let it_second = ["Soft", "Code", "Digital", "Labs", "Cloud", "Data"];
    for (i, a) in it_first.iter().enumerate() {
        for (_, b) in it_second.iter().enumerate().filter(|(j, _)| (i + j) % 3 != 0) {
            names.push((format!("{a} {b} d.o.o."), Category::ItCompany));
        }
    }
    names.truncate(38);
    names.push(("Tesla Robotics Hrvatska".into(), Category::ItCompany));
    names.push(("Nordic Games Studio Zagreb".into(), Category::ItCompany));

    names.push(("Ministarstvo znanosti, obrazovanja i mladih".into(), Category::Authority));
    names.push(("Agencija za odgoj i obrazovanje".into(), Category::Authority));
    names.push(("Grad Vukovar / Град Вуковар".into(), Category::Authority));
    names.push(("Istarska županija / Regione Istriana".into(), Category::Authority));
    for city in CITIES.iter().take(12) {
        names.push((format!("Grad {city} — Upravni odjel za obrazovanje"), Category::Authority));
    }
    for county in [
        "Zagrebačka",
        "Splitsko-dalmatinska",
        "Osječko-baranjska",
        "Primorsko-goranska",
        "Zadarska",
        "Varaždinska",
        "Međimurska",
        "Dubrovačko-neretvanska",
        "Sisačko-moslavačka",
    ] {
        names.push((format!("{county} županija"), Category::Authority));
    }

    let patrons = [
        "Ivana Gorana Kovačića",
        "Augusta Šenoe",
        "Marije Jurić Zagorke",
        "Frana Galovića",
        "Nikole Tesle",
        "Ruđera Boškovića",
        "Antuna Gustava Matoša",
        "Vladimira Nazora",
        "Petra Preradovića",
        "Ivane Brlić-Mažuranić",
        "Dragutina Tadijanovića",
        "Silvija Strahimira Kranjčevića",
    ];
    for (i, patron) in patrons.iter().enumerate() {
        for city in (0..4).map(|k| CITIES[(i * 3 + k * 5) % CITIES.len()]) {
            names.push((format!("Osnovna škola {patron}, {city}"), Category::SchoolNetwork));
        }
    }
    for extra in [
        "Srpska pravoslavna opća gimnazija / Српска православна општа гимназија",
        "Scuola elementare italiana „Gelsi” Fiume",
        "Magyar Tannyelvű Általános Iskola Eszék",
        "Česká základní škola J. A. Komenského Daruvar",
        "Hrvatska udruga nastavnika informatike",
        "Mreža učitelja STEM-a",
        "eTwinning Hrvatska",
        "Klub mladih tehničara Zadar",
        "Udruga Informatičara Božo Težak",
        "Gimnazija Požega — informatički razred",
        "Tehnička škola Ruđera Boškovića",
        "Prva gimnazija Varaždin",
        "Elektrotehnička škola Split",
        "XV. gimnazija Zagreb",
        "Mreža školskih knjižnica",
        "Udruga ravnatelja osnovnih škola",
        "Hrvatsko društvo učitelja matematike",
    ] {
        names.push((extra.into(), Category::SchoolNetwork));
    }

    for name in [
        "Fakultet elektrotehnike i računarstva, Sveučilište u Zagrebu",
        "Fakultet elektrotehnike, računarstva i informacijskih tehnologija Osijek",
        "Prirodoslovno-matematički fakultet Split",
        "Tehnički fakultet Rijeka",
        "Institut Ruđer Bošković",
        "Πανεπιστήμιο Κρήτης — Τμήμα Επιστήμης Υπολογιστών",
        "საქართველოს ტექნიკური უნივერსიტეტი",
        "Универзитет у Београду — Електротехнички факултет",
        "Udruga Suradnici u učenju",
        "Zaklada za razvoj digitalnih vještina",
    ] {
        names.push((name.into(), Category::Nonprofit));
    }
    for city in CITIES {
        names.push((format!("CoderDojo {city}"), Category::Nonprofit));
    }
    for city in CITIES.iter().take(7) {
        names.push((format!("Udruga Mladi informatičari {city}"), Category::Nonprofit));
    }

    for media in [
        "HRT — Hrvatski radio",
        "HRT — Hrvatska televizija",
        "Školske novine",
        "Radio Sljeme",
        "La Voce del Popolo",
        "Радио Вуковар",
        "Tehnološki portal Bajt",
        "Roditeljski magazin Mali i veliki",
        "Obiteljski radio Mir",
        "Portal Digitalna škola",
    ] {
        names.push((media.into(), Category::Media));
    }
    for city in CITIES {
        names.push((format!("Lokalni portal {city}"), Category::Media));
    }
    for city in CITIES.iter().take(7) {
        names.push((format!("Radio {city}"), Category::Media));
    }
    // A stable shuffle so categories interleave in the partner list, as they do in real imports.
    for i in (1..names.len()).rev() {
        let j = rng.random_range(0..=i);
        names.swap(i, j);
    }
    names
}

/// People reached, drawn log-uniformly from a range typical for the category.
fn reach(rng: &mut StdRng, category: Category) -> i64 {
    let (low, high): (f64, f64) = match category {
        Category::ItCompany => (50.0, 20_000.0),
        Category::Authority => (2_000.0, 400_000.0),
        Category::SchoolNetwork => (60.0, 30_000.0),
        Category::Nonprofit => (100.0, 60_000.0),
        Category::Media => (3_000.0, 1_500_000.0),
    };
    let x = rng.random_range(low.ln()..high.ln()).exp();
    // Round to two significant figures, as people estimate reach.
    let magnitude = 10f64.powi(x.log10().floor() as i32 - 1);
    ((x / magnitude).round() * magnitude) as i64
}

fn pick_stage(rng: &mut StdRng) -> Stage {
    let roll = rng.random_range(0..100);
    match roll {
        0..30 => Stage::Lead,
        30..50 => Stage::Contacted,
        50..64 => Stage::NegotiateAsk,
        64..74 => Stage::FinalizeDetails,
        74..82 => Stage::FinalizeFulfillment,
        82..93 => Stage::ClosedWon,
        _ => Stage::ClosedLost,
    }
}

/// A history that reaches `target`, with moves a few days apart, ending before `now`.
fn history(
    rng: &mut StdRng,
    target: Stage,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    owner: UserId,
    reopen: bool,
) -> Vec<MoveLoad> {
    let open =
        [Stage::Contacted, Stage::NegotiateAsk, Stage::FinalizeDetails, Stage::FinalizeFulfillment, Stage::ClosedWon];
    let path: Vec<Stage> = match target {
        Stage::Lead => vec![],
        Stage::ClosedLost => {
            let reached = rng.random_range(0..3);
            let mut p: Vec<Stage> = open[..reached].to_vec();
            p.push(Stage::ClosedLost);
            if reopen {
                p.push(Stage::Contacted);
            }
            p
        }
        t => open.iter().copied().take_while(|s| *s != t).chain(std::iter::once(t)).collect(),
    };
    let span = (now - created).num_minutes().max(1);
    let step = span / (path.len() as i64 + 1);
    let mut at = created;
    path.into_iter()
        .enumerate()
        .map(|(i, to)| {
            at += Duration::minutes(step.max(60) - rng.random_range(0..step.max(60) / 3));
            let reason =
                (to == Stage::ClosedLost).then(|| LOST_REASONS[rng.random_range(0..LOST_REASONS.len())].to_owned());
            let note = if reason.is_some() {
                String::new()
            } else {
                NOTES[(i + rng.random_range(0..3)) % NOTES.len()].to_owned()
            };
            MoveLoad { to, at: at.min(now - Duration::hours(1)), actor: Some(owner), note, reason }
        })
        .collect()
}

fn ascii_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let mapped = match c {
            'č' | 'ć' | 'Č' | 'Ć' => 'c',
            'š' | 'Š' => 's',
            'ž' | 'Ž' => 'z',
            'đ' | 'Đ' => 'd',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '-',
        };
        if mapped != '-' || !out.ends_with('-') {
            out.push(mapped);
        }
    }
    out.trim_matches('-').chars().take(24).collect::<String>().trim_end_matches('-').to_owned()
}

fn contacts_for(rng: &mut StdRng, index: usize, partner: &str) -> anyhow::Result<Vec<ContactFields>> {
    let domain = match ascii_slug(partner) {
        // The index keeps two schools named after the same person apart.
        s if s.len() >= 3 => format!("{s}-{index}.example.org"),
        _ => format!("partner{index}.example.org"),
    };
    let count = rng.random_range(1..=2);
    let first = rng.random_range(0..CONTACT_NAMES.len());
    (0..count)
        .map(|k| {
            let (name, local, language) = CONTACT_NAMES[(first + k * 7) % CONTACT_NAMES.len()];
            let role =
                ["Head of communications", "Principal", "CSR manager", "Editor", "Project lead"][(index + k) % 5];
            ContactDraft {
                name: Some(name.into()),
                email: Some(format!("{local}@{domain}")),
                role: Some(role.into()),
                language: Some(language.into()),
                consent: Some(if k == 0 { rally_domain::Consent::OptedIn } else { rally_domain::Consent::Unknown }),
                ..Default::default()
            }
            .validate()
            .with_context(|| format!("demo contact for {partner}"))
        })
        .collect()
}

async fn ensure_user(store: &dyn Store, email: &str, name: &str) -> anyhow::Result<rally_store::User> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    if let Some(user) = store.user_by_email(&email).await? {
        return Ok(user);
    }
    Ok(store.create_user(&email, name, None).await?)
}

/// Creates the demo campaign if this database does not have it yet, and a fresh login and API token
/// for its owner either way.
pub async fn seed(store: &dyn Store, files: &rally_files::FileStore, base_url: &str) -> anyhow::Result<DemoLogin> {
    let mut team = Vec::new();
    for (email, name, role) in TEAM {
        team.push((ensure_user(store, email, name).await?, role));
    }
    let owner = team[0].0.clone();
    let campaign = match store.campaign_by_slug(Actor::System, SLUG).await {
        Ok(existing) => existing.campaign,
        Err(StoreError::NotFound(_)) => {
            let campaign = create(store, files, &team).await?;
            comms(store, &campaign, base_url).await.context("demo e-mail plan")?;
            campaign
        }
        Err(e) => return Err(e.into()),
    };
    let partners = store
        .partners(
            Actor::System,
            campaign.id,
            &rally_store::PartnerFilter { limit: rally_store::MAX_PAGE, ..Default::default() },
        )
        .await?;
    let password = rally_web::auth::random_password();
    let hash = rally_web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
    store.set_password(owner.id, &hash).await?;
    let (token, token_hash) = rally_web::auth::new_api_token();
    store.create_api_token(owner.id, &token_hash, "demo").await?;
    Ok(DemoLogin {
        email: owner.email.to_string(),
        password,
        token,
        slug: SLUG.into(),
        campaign_name: campaign.fields.name,
        partners: partners.items.len(),
    })
}

async fn create(
    store: &dyn Store,
    files: &rally_files::FileStore,
    team: &[(rally_store::User, Role)],
) -> anyhow::Result<rally_domain::Campaign> {
    let now = Utc::now();
    let (starts_on, ends_on) = campaign_week(now.date_naive());
    let draft = CampaignDraft {
        name: Some(format!("Sat kodiranja {}", starts_on.year())),
        slug: Some(SLUG.into()),
        country: Some("HR".into()),
        languages: Some(vec!["hr".into(), "en".into(), "it".into(), "sr-Cyrl".into()]),
        message: Some(
            [
                ("hr", "Svako dijete u svakoj školi može naučiti osnove programiranja — dovoljan je jedan sat."),
                ("en", "Every child in every school can learn the basics of coding — one hour is enough to start."),
                ("it", "Ogni bambino in ogni scuola può imparare le basi della programmazione: basta un'ora."),
                ("sr-Cyrl", "Свако дете у свакој школи може научити основе програмирања — довољан је један сат."),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ),
        goal_students: Some(120_000),
        target_audience: Some("primary and secondary school students, ages 7 to 18".into()),
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        high_reach_threshold: Some(10_000),
        plan: Some(ActionPlan {
            cs_in_schools: "Informatics is compulsory in grades 5 and 6 and elective elsewhere; many schools lack trained teachers.".into(),
            authorities_view: "The ministry names digital skills a priority of the curricular reform and backs teacher training.".into(),
            it_companies_view: "IT companies report thousands of open positions and fund school robotics and coding clubs.".into(),
            students_view: "Students like coding when it is creative (games, animations) and find it hard when it is only theory.".into(),
            why_coding: "Coding teaches creativity, problem solving and critical thinking, and opens careers in a growing sector.".into(),
        }),
        ..Default::default()
    };
    let owner = Actor::User(team[0].0.id);
    let campaign = store.create_campaign(owner, draft.validate()?).await?;
    for (user, role) in &team[1..] {
        store.set_role(owner, campaign.id, user.id, *role).await?;
    }

    let mut rng = StdRng::seed_from_u64(2013);
    let owners: Vec<UserId> = team.iter().filter(|(_, r)| *r != Role::Viewer).map(|(u, _)| u.id).collect();
    let mut loads = Vec::new();
    for (i, (name, category)) in partner_names(&mut rng).into_iter().enumerate() {
        let reach = reach(&mut rng, category);
        let owner_id = owners[i % owners.len()];
        let draft = PartnerDraft {
            name: Some(name.clone()),
            category: Some(category),
            audiences: Some(audiences(category)),
            reach: Some(reach),
            high_touch: Some(reach >= 100_000),
            owner_id: Some(Some(owner_id)),
            country: Some("HR".into()),
            region: Some(CITIES[i % CITIES.len()].into()),
            tags: Some(if i % 9 == 0 { vec!["returning partner".into()] } else { vec![] }),
            ..Default::default()
        };
        let created = now - Duration::days(rng.random_range(14..80)) - Duration::minutes(rng.random_range(0..600));
        let stage = pick_stage(&mut rng);
        let moves = history(&mut rng, stage, created, now, owner_id, stage == Stage::ClosedLost && i % 4 == 0);
        loads.push(PartnerLoad {
            fields: draft.validate().with_context(|| format!("demo partner {name}"))?,
            created_at: created,
            moves,
            contacts: contacts_for(&mut rng, i, &name)?,
        });
    }
    store.load_partners(owner, campaign.id, loads).await?;
    workflow(store, files, &campaign, team).await.context("demo asks, assets and tasks")?;

    // A local campaign that runs inside the national one: its organizer is on the national team.
    let local = &team[2].0;
    let member = CampaignDraft {
        name: Some(format!("Sat kodiranja Zagreb {}", starts_on.year())),
        slug: Some(MEMBER_SLUG.into()),
        strategy: Some(Strategy::Member),
        parent_id: Some(Some(campaign.id)),
        country: Some("HR".into()),
        region: Some("Grad Zagreb".into()),
        languages: Some(vec!["hr".into()]),
        message: Some([("hr".to_owned(), "Svako dijete u Zagrebu može naučiti programirati.".to_owned())].into()),
        goal_students: Some(20_000),
        target_audience: Some("Zagreb primary school students".into()),
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        ..Default::default()
    };
    let member = store.create_campaign(Actor::User(local.id), member.validate()?).await?;
    events(store, &campaign, &member).await.context("demo events")?;
    Ok(campaign)
}

/// Events schools registered on the public site: approved ones across Croatia and its neighbours (the
/// counter and the map), some waiting for approval, and the Zagreb member campaign's own events, which
/// count in the national counter too.
async fn events(
    store: &dyn Store,
    national: &rally_domain::Campaign,
    member: &rally_domain::Campaign,
) -> anyhow::Result<()> {
    use rally_domain::event::{DateWindow, EventForm, EventStatus};
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

fn audiences(category: Category) -> Vec<rally_domain::Audience> {
    use rally_domain::Audience::*;
    match category {
        Category::ItCompany => vec![Employees, Parents],
        Category::Authority => vec![Principals, Teachers],
        Category::SchoolNetwork => vec![Teachers, Students, Principals],
        Category::Nonprofit => vec![Students, Teachers],
        Category::Media => vec![GeneralPublic, Parents],
    }
}

/// The campaign's standard asks, its asset library, a high-touch IT company in negotiation, a few
/// agreed custom commitments due this week, logged calls and open tasks.
async fn workflow(
    store: &dyn Store,
    files: &rally_files::FileStore,
    campaign: &rally_domain::Campaign,
    team: &[(rally_store::User, Role)],
) -> anyhow::Result<()> {
    use rally_domain::followup::{InteractionFields, InteractionKind, TaskFields, follow_up_due};
    use rally_domain::{AskDraft, AssetDraft, AssetKind, CommitmentDraft, CommitmentStatus, Tier};

    let owner = Actor::User(team[0].0.id);
    let coordinator = &team[1].0;
    let today = Utc::now().date_naive();
    let f = &campaign.fields;
    let days = |n: i64| today + Duration::days(n);
    let before_week = |n: i64| (f.starts_on - Duration::days(n)).max(days(1));
    let standard = [
        (
            "Announce the campaign in your newsletter",
            before_week(14),
            "Registration opens",
            vec![Category::Media, Category::Nonprofit, Category::SchoolNetwork],
            "",
        ),
        ("Put the campaign banner on your website", before_week(7), "Promotion", vec![], ""),
        (
            "Post about the campaign on social media during campaign week",
            f.ends_on.max(days(1)),
            "Campaign week",
            vec![],
            "",
        ),
        (
            "Invite your schools to host an Hour of Code event",
            before_week(3),
            "Registration opens",
            vec![Category::SchoolNetwork, Category::Authority],
            "schools",
        ),
    ];
    for (title, due, milestone, categories, unit) in standard {
        let ask = AskDraft {
            title: Some(title.into()),
            due_on: Some(Some(due)),
            milestone: Some(milestone.into()),
            categories: Some(categories),
            tiers: Some(vec![Tier::Low]),
            unit: Some(unit.into()),
            ..Default::default()
        }
        .validate(today, None)?;
        store.create_ask(owner, campaign.id, None, ask).await?;
    }

    type DemoFile = (&'static str, AssetKind, Option<&'static str>, &'static [u8], &'static str);
    let uploads: [DemoFile; 4] = [
        ("Campaign logo (PNG)", AssetKind::Logo, None, include_bytes!("../demo/logo.png"), "logo.png"),
        ("Campaign logo (SVG)", AssetKind::Logo, None, include_bytes!("../demo/logo.svg"), "logo.svg"),
        ("Web banner 728×90", AssetKind::Banner, Some("hr"), include_bytes!("../demo/banner.png"), "banner.png"),
        (
            "Fact sheet for partners",
            AssetKind::PressKit,
            Some("en"),
            include_bytes!("../demo/fact-sheet.pdf"),
            "fact-sheet.pdf",
        ),
    ];
    for (title, kind, language, bytes, name) in uploads {
        let checked = rally_domain::upload::check_upload(bytes, rally_files::MAX_UPLOAD_BYTES)?;
        let sha256 = files.put(checked.bytes.clone()).await?;
        let file = rally_domain::StoredFile {
            sha256,
            media_type: checked.media_type,
            size: checked.bytes.len() as i64,
            filename: name.into(),
            width: checked.dimensions.map(|d| d.0),
            height: checked.dimensions.map(|d| d.1),
        };
        let fields = AssetDraft {
            title: Some(title.into()),
            kind: Some(kind),
            language: language.map(Into::into),
            ..Default::default()
        }
        .validate(true)?;
        store.create_asset(owner, campaign.id, fields, Some(file)).await?;
    }
    let tutorials = AssetDraft {
        title: Some("Hour of Code tutorials for every age".into()),
        kind: Some(AssetKind::Tutorial),
        url: Some("https://hourofcode.com/learn".into()),
        description: Some("One-hour activities in many languages, no experience needed.".into()),
        ..Default::default()
    }
    .validate(false)?;
    store.create_asset(owner, campaign.id, tutorials, None).await?;

    // A high-touch IT company in negotiation, ready for a custom ask.
    let marko = Actor::User(coordinator.id);
    let kvarner = PartnerDraft {
        name: Some("Kvarner Tech Group d.d.".into()),
        category: Some(Category::ItCompany),
        audiences: Some(audiences(Category::ItCompany)),
        reach: Some(180_000),
        high_touch: Some(true),
        owner_id: Some(Some(coordinator.id)),
        website: Some("kvarner-tech.example.org".into()),
        country: Some("HR".into()),
        region: Some("Rijeka".into()),
        notes: Some("4,000 employees; CSR team runs a schools programme in Primorje-Gorski Kotar.".into()),
        ..Default::default()
    }
    .validate()?;
    let kvarner = store.create_partner(marko, campaign.id, kvarner).await?;
    let mv = |stage, note: &str| rally_domain::StageMove {
        stage,
        note: Some(note.into()),
        reason: None,
        confirm_unfulfilled: false,
    };
    store.move_stage(marko, kvarner.id, mv(Stage::Contacted, "CSR manager answered within a day")).await?;
    store.move_stage(marko, kvarner.id, mv(Stage::NegotiateAsk, "Pitched employee volunteers in schools")).await?;
    let lucija = ContactDraft {
        name: Some("Lucija Marić".into()),
        email: Some("lucija.maric@kvarner-tech.example.org".into()),
        role: Some("CSR manager".into()),
        language: Some("hr".into()),
        ..Default::default()
    }
    .validate()?;
    let lucija = store.create_contact(marko, kvarner.id, lucija).await?;
    let call = InteractionFields {
        kind: InteractionKind::Call,
        on: today,
        text: "Interested in sending employee volunteers to run events in schools around Rijeka. Wants a number by Friday.".into(),
        contact_id: Some(lucija.id),
    };
    store.add_interaction(marko, kvarner.id, call).await?;
    let prizes = AskDraft {
        title: Some("Sponsor prizes for the best student projects".into()),
        description: Some("Ten small prizes, handed over at the closing event.".into()),
        due_on: Some(Some(before_week(3))),
        ..Default::default()
    }
    .validate(today, None)?;
    store.propose_custom(marko, kvarner.id, prizes, CommitmentDraft::default(), today).await?;
    let task = TaskFields {
        title: "Send Kvarner Tech the custom ask".into(),
        due_on: follow_up_due(today),
        owner_id: Some(coordinator.id),
        partner_id: Some(kvarner.id),
        commitment_id: None,
        done: false,
    };
    store.create_task(marko, campaign.id, task).await?;

    // High-touch partners further along: agreed custom commitments, due this week and next.
    for (stage, n) in [(Stage::FinalizeDetails, 2), (Stage::FinalizeFulfillment, 2)] {
        let filter =
            rally_store::PartnerFilter { stage: Some(stage), high_touch: Some(true), limit: n, ..Default::default() };
        for (i, p) in store.partners(owner, campaign.id, &filter).await?.items.into_iter().enumerate() {
            let ask = AskDraft {
                title: Some(
                    if p.fields.category == Category::Media {
                        "Run a feature on the campaign"
                    } else {
                        "Host Hour of Code events in schools"
                    }
                    .into(),
                ),
                due_on: Some(Some(days(2 + 3 * i as i64))),
                unit: Some(if p.fields.category == Category::Media { "" } else { "schools" }.into()),
                ..Default::default()
            }
            .validate(today, None)?;
            let quantity = (!ask.unit.is_empty()).then_some(10 + 15 * i as i64);
            let draft = CommitmentDraft {
                status: Some(CommitmentStatus::Agreed),
                quantity: Some(quantity),
                ..Default::default()
            };
            let c = store.propose_custom(owner, p.id, ask, draft, today).await?;
            if stage == Stage::FinalizeFulfillment && i == 0 {
                let done = CommitmentDraft {
                    status: Some(CommitmentStatus::Fulfilled),
                    evidence: Some("https://example.org/news/hour-of-code".into()),
                    ..Default::default()
                };
                store.update_commitment(owner, c.id, done, today).await?;
            }
        }
    }
    let ana = team[0].0.id;
    let ministry = store
        .partners(
            owner,
            campaign.id,
            &rally_store::PartnerFilter { q: Some("Ministarstvo".into()), limit: 1, ..Default::default() },
        )
        .await?;
    if let Some(m) = ministry.items.first() {
        let task = TaskFields {
            title: "Agree the ministry's letter to schools".into(),
            due_on: days(1),
            owner_id: Some(ana),
            partner_id: Some(m.id),
            commitment_id: None,
            done: false,
        };
        store.create_task(owner, campaign.id, task).await?;
    }
    Ok(())
}

/// The communication plan: sender and a 2-per-7-days cadence, the milestones, two messages to school
/// networks already queued for the coming days, and a thank-you draft.
async fn comms(store: &dyn Store, campaign: &rally_domain::Campaign, base_url: &str) -> anyhow::Result<()> {
    use rally_domain::cadence::CadencePolicy;
    use rally_domain::comms::{MessageDraft, MessageKind, MilestoneKind, Segment, SendTime};
    use rally_domain::template::TemplateSet;
    use rally_store::{MailSettings, MessageTemplate};

    let a = Actor::System;
    let today = Utc::now().date_naive();
    let f = &campaign.fields;
    let policy = CadencePolicy {
        max_per_window: 2,
        window_days: 7,
        min_gap_hours: 24,
        quiet_weekdays: vec![chrono::Weekday::Sun],
        window_start_hour: 8,
        window_end_hour: 18,
        time_zone: "Europe/Zagreb".into(),
        expire_after_days: 14,
    };
    let settings = MailSettings {
        from_name: f.name.clone(),
        from_address: Email::parse("info@satkodiranja.example.org").map_err(anyhow::Error::msg)?,
        reply_to: Some(Email::parse("tim@satkodiranja.example.org").map_err(anyhow::Error::msg)?),
        policy,
        // Partners are organizations the campaign works with: their contacts get campaign news unless they
        // object (GDPR art. 6(1)(f)), and the planner shows who opted out.
        legitimate_interest: true,
    };
    store.set_mail_settings(a, campaign.id, settings).await?;
    let later = |n: i64| (today + Duration::days(n)).max(today);
    let milestones = [
        (MilestoneKind::Announcement, "Announcement", later(3)),
        (MilestoneKind::RegistrationOpens, "Registration opens", later(1)),
        (MilestoneKind::Reminder, "Reminder before campaign week", later(4)),
        (MilestoneKind::CampaignWeek, "Campaign week", f.starts_on.max(today)),
        (MilestoneKind::ThankYou, "Thank-you", f.ends_on + Duration::days(3)),
        (MilestoneKind::ReportBack, "Report back", f.ends_on + Duration::days(14)),
    ];
    let mut ids = Vec::new();
    for (kind, title, on) in milestones {
        ids.push(store.create_milestone(a, campaign.id, kind, title, on).await?.id);
    }
    let template = |language: &str, subject: &str, text: &str| -> anyhow::Result<MessageTemplate> {
        Ok(MessageTemplate {
            language: rally_domain::LanguageTag::parse(language).map_err(anyhow::Error::msg)?,
            category: None,
            set: TemplateSet { subject: subject.into(), text: text.into(), html: String::new() },
        })
    };
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    let schools = Segment { categories: vec![Category::SchoolNetwork], ..Default::default() };
    let messages = [
        (
            "Registration is open",
            ids[1],
            schools.clone(),
            vec![
                template(
                    "hr",
                    "{{ campaign.name }}: prijave su otvorene",
                    "Poštovana/i {{ contact.first_name }},\n\nprijave za {{ campaign.name }} su otvorene. {{ campaign.message }}\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "{{ campaign.name }}: registration is open",
                    "Dear {{ contact.first_name }},\n\nregistration for {{ campaign.name }} is open. {{ campaign.message }}\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            true,
        ),
        (
            "Reminder: campaign week is coming",
            ids[2],
            schools,
            vec![
                template(
                    "hr",
                    "Još nekoliko dana do {{ campaign.name }}",
                    "Poštovana/i {{ contact.first_name }},\n\ntjedan kampanje počinje {{ campaign.starts_on }}. Jeste li prijavili svoje radionice?\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "A few days to {{ campaign.name }}",
                    "Dear {{ contact.first_name }},\n\ncampaign week starts on {{ campaign.starts_on }}. Have you registered your events?\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            true,
        ),
        (
            "Thank you",
            ids[4],
            Segment { stages: vec![Stage::ClosedWon], ..Default::default() },
            vec![
                template(
                    "hr",
                    "Hvala, {{ partner.name }}!",
                    "Poštovana/i {{ contact.first_name }},\n\nhvala što ste bili dio kampanje {{ campaign.name }}.\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "Thank you, {{ partner.name }}!",
                    "Dear {{ contact.first_name }},\n\nthank you for being part of {{ campaign.name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            false,
        ),
    ];
    for (title, milestone_id, segment, templates, queue) in messages {
        let fields = MessageDraft {
            title: Some(title.into()),
            kind: Some(MessageKind::Marketing),
            segment: Some(segment),
            send: Some(SendTime::Milestone { milestone_id, at: nine }),
            fallback_language: Some("en".into()),
        }
        .validate()?;
        let m = store.create_message(a, campaign.id, fields, templates).await?;
        if queue {
            rally_comms::plan::queue_message(store, a, m.id, base_url, Utc::now()).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_week_is_ahead_or_current() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(campaign_week(d("2026-11-28")), (d("2026-12-07"), d("2026-12-13")));
        assert_eq!(campaign_week(d("2026-12-13")), (d("2026-12-07"), d("2026-12-13")));
        assert_eq!(campaign_week(d("2026-12-14")), (d("2027-12-07"), d("2027-12-13")));
    }

    #[test]
    fn about_two_hundred_partners_in_every_category() {
        let names = partner_names(&mut StdRng::seed_from_u64(2013));
        assert!((190..=230).contains(&names.len()), "{}", names.len());
        for category in Category::ALL {
            assert!(names.iter().filter(|(_, c)| *c == category).count() >= 20, "{category:?}");
        }
    }

    #[test]
    fn ascii_slugs_for_email_domains() {
        assert_eq!(ascii_slug("Grad Čakovec — Ured"), "grad-cakovec-ured");
        assert_eq!(ascii_slug("Радио Вуковар"), "");
    }
}

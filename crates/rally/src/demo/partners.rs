//! The demo's partner pipeline: about 200 partners across the five categories, with names in several
//! languages and scripts, a reach typical for their category, contacts, and stage histories spread
//! over the past weeks. Drawn from a seeded generator, so every demo database gets the same partners.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use rally_domain::{Category, ContactDraft, ContactFields, PartnerDraft, Role, Stage, UserId};
use rally_store::{MoveLoad, PartnerLoad};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub(super) const CITIES: [&str; 18] = [
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

/// The partners to load, each with its contacts and its history up to `now`, spread over the team
/// members who may own partners.
pub(super) fn partner_loads(
    team: &[(rally_store::User, Role)],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<PartnerLoad>> {
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
    Ok(loads)
}

/// Every partner's name and category, shuffled.
fn partner_names(rng: &mut StdRng) -> Vec<(String, Category)> {
    let mut names = it_companies();
    names.extend(authorities());
    names.extend(school_networks());
    names.extend(nonprofits());
    names.extend(media());
    // A stable shuffle so categories interleave in the partner list, as they do in real imports.
    for i in (1..names.len()).rev() {
        let j = rng.random_range(0..=i);
        names.swap(i, j);
    }
    names
}

/// IT companies: 38 made-up combinations of a regional name and a tech word, and two more.
fn it_companies() -> Vec<(String, Category)> {
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
    names
}

/// The ministry, its agency, cities' education offices and counties; bilingual where the place is.
fn authorities() -> Vec<(String, Category)> {
    let mut names = vec![
        ("Ministarstvo znanosti, obrazovanja i mladih".into(), Category::Authority),
        ("Agencija za odgoj i obrazovanje".into(), Category::Authority),
        ("Grad Vukovar / Град Вуковар".into(), Category::Authority),
        ("Istarska županija / Regione Istriana".into(), Category::Authority),
    ];
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
    names
}

/// Primary schools named after writers and scientists, minority-language schools, teachers' networks.
fn school_networks() -> Vec<(String, Category)> {
    let mut names = Vec::new();
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
    names
}

/// Faculties and an institute (some abroad, in their own scripts), associations, CoderDojos and clubs.
fn nonprofits() -> Vec<(String, Category)> {
    let mut names = Vec::new();
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
    names
}

/// National and local radio, television, papers and portals.
fn media() -> Vec<(String, Category)> {
    let mut names = Vec::new();
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

/// A stage, weighted like a real pipeline: most partners early on, about one in ten won, fewer lost.
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

/// A name as an e-mail domain label: Croatian letters lose their marks, anything else becomes a dash
/// (so names in other scripts give nothing), at most 24 characters.
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

/// One or two contacts at a made-up domain of the partner's own; the first has opted in to e-mail.
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

/// Whom a partner of the category reaches.
pub(super) fn audiences(category: Category) -> Vec<rally_domain::Audience> {
    use rally_domain::Audience::*;
    match category {
        Category::ItCompany => vec![Employees, Parents],
        Category::Authority => vec![Principals, Teachers],
        Category::SchoolNetwork => vec![Teachers, Students, Principals],
        Category::Nonprofit => vec![Students, Teachers],
        Category::Media => vec![GeneralPublic, Parents],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

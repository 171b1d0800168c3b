//! The contact list and the empty campaign `bench/import.sh` imports into.
//!
//!     cargo run --release --example import_seed -- csv FILE ROWS        # writes a contact list
//!     cargo run --release --example import_seed -- campaign DATABASE_URL # creates `bench-import`
//!
//! The list is the same for the same ROWS (no randomness but a hash of the row number), and the first
//! rows of a longer list are the rows of a shorter one. Columns: Name, Email, Organization, Role,
//! Language, Phone, Category — headers Rally's import maps without help. Every e-mail address is
//! unique once normalized, but written as people paste them: mixed case, every seventh with spaces
//! around it. 10,000 organizations (a fixed category each, so partners are created on first sight;
//! every 50th name has a comma and is quoted), Croatian and English names with diacritics, a role on
//! four rows of five, a language on most, phone numbers in the national format.

use std::io::Write;

use rally_domain::CampaignDraft;
use rally_store::Actor;

const ORGANIZATIONS: u64 = 10_000;

const FIRST: [&str; 16] = [
    "Ana",
    "Ivan",
    "Marija",
    "Luka",
    "Petra",
    "Josip",
    "Ivana",
    "Marko",
    "Katarina",
    "Tomislav",
    "Đurđica",
    "Željko",
    "Šime",
    "Mateja",
    "John",
    "Sarah",
];
const LAST: [&str; 16] = [
    "Horvat",
    "Kovačević",
    "Babić",
    "Marić",
    "Jurić",
    "Novak",
    "Knežević",
    "Vuković",
    "Šarić",
    "Petrović",
    "Čačić",
    "Župan",
    "Smith",
    "Brown",
    "Ćosić",
    "Đukić",
];
const ORG_WORDS: [&str; 12] = [
    "Osnovna škola",
    "Gimnazija",
    "Udruga",
    "Radio",
    "Digital",
    "Informatički klub",
    "Zaklada",
    "Agencija",
    "Tehnička škola",
    "Media",
    "Soft",
    "Savez",
];
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
/// Categories as people write them: the keys and some of the names Rally also understands.
const CATEGORIES: [&str; 8] =
    ["school_network", "nonprofit", "it_company", "media", "authority", "NGO", "IT company", "Media"];
const ROLES: [&str; 8] = [
    "Ravnatelj",
    "Nastavnica informatike",
    "Nastavnik matematike",
    "PR manager",
    "Voditeljica projekta",
    "CEO",
    "Urednica",
    "Koordinator",
];
const LANGUAGES: [&str; 5] = ["hr", "hr", "en", "HR", ""];
const DOMAINS: [&str; 6] = ["skole.hr", "Gmail.com", "example.ORG", "carnet.hr", "Firma.hr", "t-com.hr"];

/// A well-mixed hash of the row number (splitmix64): the generator's only source of variety.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

/// An ASCII, lower-case form of a name for the e-mail's local part.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'č' | 'ć' | 'Č' | 'Ć' => 'c',
            'š' | 'Š' => 's',
            'ž' | 'Ž' => 'z',
            'đ' | 'Đ' => 'd',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn organization(o: u64) -> String {
    let h = mix(o ^ 0x0_7a11);
    let name = format!("{} {} {}", pick(&ORG_WORDS, h), pick(&CITIES, h >> 8), o + 1);
    if o % 50 == 7 { format!("\"{name}, d.o.o.\"") } else { name }
}

fn write_csv(path: &str, rows: u64) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    writeln!(out, "Name,Email,Organization,Role,Language,Phone,Category")?;
    for i in 0..rows {
        let h = mix(i);
        let (first, last) = (pick(&FIRST, h), pick(&LAST, h >> 4));
        let o = (h >> 16) % ORGANIZATIONS;
        // The address: unique by the row number; the case of the first letters and the domain vary.
        let local = format!("{}.{}.{}", ascii(first), ascii(last), i + 1);
        let local = if (h >> 40).is_multiple_of(3) {
            let mut chars = local.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        } else {
            local
        };
        let domain = pick(&DOMAINS, h >> 24);
        let email = if i % 7 == 3 { format!("  {local}@{domain} ") } else { format!("{local}@{domain}") };
        let role = if (h >> 32).is_multiple_of(5) { "" } else { pick(&ROLES, h >> 35) };
        let phone = format!("+385 {} {:03} {:04}", 1 + (h >> 44) % 98, (h >> 20) % 1000, (h >> 50) % 10_000);
        let category = pick(&CATEGORIES, mix(o));
        writeln!(
            out,
            "{first} {last},{email},{},{role},{},{phone},{category}",
            organization(o),
            pick(&LANGUAGES, h >> 12)
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn create_campaign(url: &str) -> anyhow::Result<()> {
    let store = rally_store::open(url).await?;
    let campaign = CampaignDraft {
        name: Some("Import benchmark".into()),
        slug: Some("bench-import".into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        goal_students: Some(1_000_000),
        starts_on: Some("2026-12-07".parse()?),
        ends_on: Some("2026-12-13".parse()?),
        ..Default::default()
    }
    .validate()?;
    let campaign = store.create_campaign(Actor::System, campaign).await?;
    println!("{}", campaign.fields.slug);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["csv", path, rows] => write_csv(path, rows.parse()?),
        ["campaign", url] => create_campaign(url).await,
        _ => anyhow::bail!("usage: import_seed csv FILE ROWS | import_seed campaign DATABASE_URL"),
    }
}

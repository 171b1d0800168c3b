//! Partners: the organizations a campaign recruits to spread the word, their tier and priority.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::parse_country;
use crate::limits;
use crate::pipeline::Stage;
use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{CampaignId, PartnerId, UserId};

/// The five kinds of partner a campaign recruits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// IT companies and corporations, national and local.
    ItCompany,
    /// State and local authorities.
    Authority,
    /// Schools, CS teachers and their networks.
    SchoolNetwork,
    /// Nonprofits, NGOs and universities.
    Nonprofit,
    /// Mass media.
    Media,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::ItCompany, Category::Authority, Category::SchoolNetwork, Category::Nonprofit, Category::Media];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ItCompany => "it_company",
            Category::Authority => "authority",
            Category::SchoolNetwork => "school_network",
            Category::Nonprofit => "nonprofit",
            Category::Media => "media",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::ItCompany => "IT company",
            Category::Authority => "Authority",
            Category::SchoolNetwork => "School network",
            Category::Nonprofit => "Nonprofit / university",
            Category::Media => "Media",
        }
    }

    pub fn parse(s: &str) -> Result<Category, String> {
        Category::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            format!("unknown category `{s}`; expected one of it_company, authority, school_network, nonprofit, media")
        })
    }

    /// How directly this kind of partner reaches classrooms, in tenths. Authorities and school networks
    /// speak to principals and teachers, who decide whether a class takes part; the others reach
    /// classrooms through them.
    fn weight_tenths(self) -> i64 {
        match self {
            Category::Authority => 13,
            Category::SchoolNetwork => 12,
            Category::Media => 11,
            Category::ItCompany | Category::Nonprofit => 10,
        }
    }
}

/// Who a partner's channels reach; messages are written for the audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Principals,
    Teachers,
    Students,
    Parents,
    Employees,
    GeneralPublic,
}

impl Audience {
    pub const ALL: [Audience; 6] = [
        Audience::Principals,
        Audience::Teachers,
        Audience::Students,
        Audience::Parents,
        Audience::Employees,
        Audience::GeneralPublic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Principals => "principals",
            Audience::Teachers => "teachers",
            Audience::Students => "students",
            Audience::Parents => "parents",
            Audience::Employees => "employees",
            Audience::GeneralPublic => "general_public",
        }
    }

    pub fn parse(s: &str) -> Result<Audience, String> {
        Audience::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| format!("unknown audience `{s}`"))
    }
}

/// The most people a partner can reach: more than the world's population, so a typo (or a hostile
/// number) cannot overflow sums of reach.
pub const MAX_REACH: i64 = 10_000_000_000;

/// How many people a partner reaches: zero to [`MAX_REACH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "i64", into = "i64")]
pub struct Reach(i64);

impl Reach {
    pub fn new(people: i64) -> Result<Reach, String> {
        if people < 0 {
            Err("must be zero or more people".into())
        } else if people > MAX_REACH {
            Err(format!("must be at most {MAX_REACH} people"))
        } else {
            Ok(Reach(people))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Reach {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        Reach::new(v)
    }
}

impl From<Reach> for i64 {
    fn from(r: Reach) -> i64 {
        r.0
    }
}

/// High-reach partners get custom asks and high-touch support; low-reach partners the standard list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    High,
    Low,
}

impl Tier {
    /// A partner is high-reach when its reach is at least the campaign's threshold.
    pub fn of(reach: Reach, threshold: i64) -> Tier {
        if reach.get() >= threshold { Tier::High } else { Tier::Low }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::High => "high",
            Tier::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Result<Tier, String> {
        match s {
            "high" => Ok(Tier::High),
            "low" => Ok(Tier::Low),
            _ => Err(format!("unknown tier `{s}`; expected high or low")),
        }
    }
}

/// The manual priority boost a coordinator may add, in points.
pub const BOOST_RANGE: std::ops::RangeInclusive<i32> = -50..=50;

/// Orders the partner list: who to talk to first.
///
/// `priority = round(10 × log10(reach + 1) × category weight) + boost`
///
/// * Reach counts on a log scale: a partner reaching 1,000,000 people scores 60 points, one reaching
///   1,000 scores 30. A linear scale would let one national broadcaster drown out every school network.
/// * The category weight is how directly the partner reaches classrooms: authority ×1.3, school
///   network ×1.2, media ×1.1, IT company and nonprofit ×1.0.
/// * The boost (−50 to +50) is the team's judgement: a warm relationship, a minister's interest.
///
/// So a ministry reaching 100,000 teachers and parents scores 65, a newspaper with the same reach 55,
/// and a local club of 200 people 23.
pub fn priority(reach: Reach, category: Category, boost: i32) -> i64 {
    // Integer arithmetic on the rounded log keeps the score identical on every platform.
    let log_tenths = ((reach.get() as f64 + 1.0).log10() * 100.0).round() as i64; // 10 × log10 × 10
    (log_tenths * category.weight_tenths() + 50) / 100 + i64::from(boost)
}

/// The validated, stored fields of a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerFields {
    pub name: String,
    pub category: Category,
    pub audiences: Vec<Audience>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 0))]
    pub reach: Reach,
    /// Manual priority points, −50 to +50.
    pub priority_boost: i32,
    /// Gets custom asks and direct support from the team.
    pub high_touch: bool,
    /// The team member responsible for this partner.
    pub owner_id: Option<UserId>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub tags: Vec<String>,
    pub notes: String,
}

impl PartnerFields {
    pub fn priority(&self) -> i64 {
        priority(self.reach, self.category, self.priority_boost)
    }

    /// See [`sort_key`].
    pub fn sort_key(&self) -> String {
        sort_key(&self.name)
    }

    /// What the store indexes for search: every prefix of every word of the name (see [`search_keys`]).
    /// The keys a search finds the partner by: the words of its name, its town or region, its tags.
    pub fn search_keys(&self) -> Vec<String> {
        let region = self.region.as_deref().unwrap_or_default();
        search_keys(&format!("{} {region} {}", self.name, self.tags.join(" ")))
    }

    pub fn to_draft(&self) -> PartnerDraft {
        PartnerDraft {
            name: Some(self.name.clone()),
            category: Some(self.category),
            audiences: Some(self.audiences.clone()),
            reach: Some(self.reach.get()),
            priority_boost: Some(self.priority_boost),
            high_touch: Some(self.high_touch),
            owner_id: Some(self.owner_id),
            website: Some(self.website.clone().unwrap_or_default()),
            country: Some(self.country.clone().unwrap_or_default()),
            region: Some(self.region.clone().unwrap_or_default()),
            tags: Some(self.tags.clone()),
            notes: Some(self.notes.clone()),
        }
    }
}

/// A name's key for alphabetical order, the same on every database: lower case, and a Latin letter
/// with a diacritic sorted as its own letter right after its base letter, as Croatian, Czech or Polish
/// alphabets have it (c, č, ć, d, đ, … s, š, … z, ž): "Škola" files after the S names rather than after
/// Z. Other scripts sort by code point, which for Cyrillic and Greek is their alphabet's order.
pub fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 8);
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        match fold_latin(c) {
            // The base letter, then a rank above every letter, so every "s…" < every "š…" < "t…".
            Some((base, rank)) => {
                key.push(base);
                key.push(rank);
            }
            None => key.push(c),
        }
    }
    key
}

/// (base letter, rank) for Latin letters with diacritics; ranks are private-use characters that sort
/// above anything a name holds, and order the variants of one letter among themselves.
fn fold_latin(c: char) -> Option<(char, char)> {
    const TABLE: &[(char, &str)] = &[
        ('a', "àáâãäåāăą"),
        ('c', "čćçĉċ"),
        ('d', "đď"),
        ('e', "èéêëēĕėęě"),
        ('g', "ĝğġģ"),
        ('i', "ìíîïĩīĭįı"),
        ('l', "ĺļľŀł"),
        ('n', "ñńņňŉ"),
        ('o', "òóôõöøōŏő"),
        ('r', "ŕŗř"),
        ('s', "šśŝşș"),
        ('t', "ţťŧț"),
        ('u', "ùúûüũūŭůűų"),
        ('y', "ýÿŷ"),
        ('z', "žźż"),
    ];
    TABLE.iter().find_map(|(base, variants)| {
        let position = variants.chars().position(|v| v == c)?;
        char::from_u32(0x10_FFF0 + position as u32).map(|rank| (*base, rank))
    })
}

/// Search keys are word prefixes up to this many characters; a longer query word is cut to this length.
pub const MAX_SEARCH_PREFIX: usize = 12;

/// Splits text into words for prefix search: letters and digits of any script, lowercased, Latin
/// letters without their diacritics ("Škola" and "skola" are one word; see [`crate::text::fold`]).
pub fn search_words(text: &str) -> Vec<String> {
    let mut words = crate::text::folded_words(text);
    words.sort();
    words.dedup();
    words
}

/// Legal forms, as [`name_key`] sees them (folded, dots dropped): they say nothing about which
/// organization a name means, and lists write them in every way ("d.o.o.", "doo", "D.O.O").
const LEGAL_FORMS: &[&str] = &[
    // Croatian, Serbian, Bosnian, Slovenian, Macedonian
    "doo",
    "jdoo",
    "dd",
    "ad",
    "od",
    "sp",
    "обрт",
    "доо",
    "ад",
    // English
    "ltd",
    "limited",
    "llc",
    "llp",
    "inc",
    "incorporated",
    "plc",
    "corp",
    "corporation",
    // German, Dutch, Nordic, Baltic
    "gmbh",
    "mbh",
    "ag",
    "ev",
    "eg",
    "kg",
    "ug",
    "bv",
    "nv",
    "vzw",
    "asbl",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "ou",
    "uab",
    // French, Spanish, Italian, Portuguese
    "sa",
    "sas",
    "sarl",
    "eurl",
    "srl",
    "spa",
    "sl",
    "ltda",
    // Central and Eastern Europe
    "sro",
    "spzoo",
    "kft",
    "zrt",
    "nyrt",
    "ood",
    "eood",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "ип",
    "ано",
    "нко",
    "тов",
    "пп",
];

/// The key partners' names are matched on (imports, "this partner exists already"): words folded
/// ([`crate::text::fold`]), punctuation and legal forms ignored, so "Infobip d.o.o.", "INFOBIP DOO" and
/// "Infobip" are one partner, and "OŠ Đakovo" is "os dakovo".
pub fn name_key(name: &str) -> String {
    let without_dots: String = name.chars().filter(|c| *c != '.').collect();
    // A run of one-letter words is one word: "d o o" (from "d. o. o.") is "doo".
    let mut words: Vec<(String, bool)> = Vec::new();
    for w in crate::text::folded_words(&without_dots) {
        let single = w.chars().count() == 1;
        match words.last_mut() {
            Some((last, true)) if single => last.push_str(&w),
            _ => words.push((w, single)),
        }
    }
    let mut words: Vec<String> = words.into_iter().map(|(w, _)| w).collect();
    let is_legal = |w: &String| LEGAL_FORMS.contains(&w.as_str());
    while words.len() > 1 && words.last().is_some_and(is_legal) {
        words.pop();
    }
    while words.len() > 1 && words.first().is_some_and(is_legal) {
        words.remove(0);
    }
    words.join(" ")
}

/// Every prefix (1 to [`MAX_SEARCH_PREFIX`] characters) of every word of `text`, deduplicated.
///
/// Storing prefixes ("edge n-grams") makes "partners whose name has a word starting with `zag`" an
/// exact-key lookup that an index returns already in partner order, so the first page of a search
/// costs the same whether the word matches ten partners or ten thousand.
pub fn search_keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = search_words(text)
        .iter()
        .flat_map(|word| {
            let ends: Vec<usize> = word.char_indices().map(|(i, c)| i + c.len_utf8()).take(MAX_SEARCH_PREFIX).collect();
            ends.into_iter().map(move |end| word[..end].to_owned())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The keys a search finds a partner by through one of its contacts: the words of the contact's name
/// and of the address (`ana.horvat@skola.hr` → ana, horvat, skola, hr).
pub fn contact_search_keys(name: &str, email: &str) -> Vec<String> {
    search_keys(&format!("{name} {}", email.replace(['@', '.', '_', '-', '+'], " ")))
}

/// A search looks up at most this many words; more add nothing a person types and cost a lookup each.
pub const MAX_SEARCH_WORDS: usize = 8;

/// The keys a search query looks up: its words, each cut to [`MAX_SEARCH_PREFIX`] characters, longest
/// (most selective) first, at most [`MAX_SEARCH_WORDS`]. A partner matches when it has every key.
pub fn search_query(q: &str) -> Vec<String> {
    let mut keys: Vec<String> =
        search_words(q).into_iter().map(|w| w.chars().take(MAX_SEARCH_PREFIX).collect()).collect();
    keys.sort_by_key(|k: &String| std::cmp::Reverse(k.chars().count()));
    keys.dedup();
    keys.truncate(MAX_SEARCH_WORDS);
    keys
}

/// A stored partner with where it stands in the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Partner {
    pub id: PartnerId,
    pub campaign_id: CampaignId,
    #[serde(flatten)]
    pub fields: PartnerFields,
    pub stage: Stage,
    /// When the partner entered its current stage.
    pub stage_since: DateTime<Utc>,
    /// Why the partner was lost, while it is in `closed_lost`.
    pub lost_reason: Option<String>,
    /// Derived from reach and the campaign's high-reach threshold.
    pub tier: Tier,
    /// Derived; see [`priority`].
    pub priority: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Partner input as a client sends it: a new partner, or a patch of an existing one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PartnerDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub name: Option<String>,
    pub category: Option<Category>,
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub audiences: Option<Vec<Audience>>,
    /// People reached; zero or more.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10_000_000_000_i64))]
    pub reach: Option<i64>,
    /// Moves the partner up or down the priority list.
    #[cfg_attr(feature = "openapi", schema(minimum = -50, maximum = 50))]
    pub priority_boost: Option<i32>,
    pub high_touch: Option<bool>,
    /// The owning team member; `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<Option<UserId>>,
    /// A web address; `https://` is added when no scheme is given. Empty for none.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "@web-address"))]
    pub website: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::campaign::CountryCode>))]
    pub country: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = "@text"))]
    pub region: Option<String>,
    /// At most 30, each at most 40 characters; kept in lower case, each once.
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::TAGS }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 30, value_type = Option<Vec<PartnerTag>>))]
    pub tags: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20_000, pattern = "@text"))]
    pub notes: Option<String>,
}

/// One tag of a partner. (The API document's name for it.)
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(min_length = 1, max_length = 40, pattern = "@required-text")]
#[allow(dead_code)]
pub struct PartnerTag(String);

merge_drafts!(PartnerDraft {
    name,
    category,
    audiences,
    reach,
    priority_boost,
    high_touch,
    owner_id,
    website,
    country,
    region,
    tags,
    notes
});

/// Accepts `https://example.org`, `http://…` or a bare `example.org` (taken as https).
pub fn parse_website(raw: &str) -> Result<String, String> {
    if raw.chars().count() > 2000 {
        return Err("must be at most 2000 characters".into());
    }
    let v = raw.trim();
    let url = if v.starts_with("https://") || v.starts_with("http://") { v.to_owned() } else { format!("https://{v}") };
    let host = url.split("://").nth(1).unwrap_or_default().split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !host_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be a web address such as https://example.org".into());
    }
    Ok(url)
}

impl PartnerDraft {
    pub fn validate(self) -> Result<PartnerFields, Invalid> {
        let mut c = Check::default();
        let name = c.take("name", required_text(self.name.as_deref().unwrap_or_default(), 200));
        if self.category.is_none() {
            c.fail(
                "category",
                format!("choose a category: {}", crate::validation::labels(Category::ALL.iter().map(|c| c.label()))),
            );
        }
        let mut audiences = self.audiences.unwrap_or_default();
        if audiences.len() > limits::CHOICES {
            c.fail("audiences", limits::too_many(limits::CHOICES));
            audiences.clear();
        }
        audiences.sort();
        audiences.dedup();
        let reach = c.take("reach", Reach::new(self.reach.unwrap_or(0)));
        let priority_boost = self.priority_boost.unwrap_or(0);
        if !BOOST_RANGE.contains(&priority_boost) {
            c.fail("priority_boost", "must be between -50 and 50");
        }
        let website = match self.website.as_deref() {
            None => None,
            Some(raw) if raw.trim().is_empty() => None,
            Some(raw) => c.take("website", parse_website(raw)),
        };
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => c.take("country", parse_country(raw)),
        };
        let region = c.take("region", optional_text(self.region.as_deref().unwrap_or_default(), 200));
        // Counted before any tag is looked at: forms reach here with lists serde never bounded.
        let raw_tags = self.tags.unwrap_or_default();
        let tags = if raw_tags.len() > limits::TAGS {
            c.fail("tags", format!("at most {} tags", limits::TAGS));
            Vec::new()
        } else {
            let tags =
                raw_tags.iter().filter_map(|raw| c.take("tags", required_text(raw, 40)).map(|t| t.to_lowercase()));
            limits::without_repeats(tags.collect::<Vec<_>>())
        };
        let notes = c.take("notes", optional_text(self.notes.as_deref().unwrap_or_default(), 20_000));
        let fields = (|| {
            Some(PartnerFields {
                name: name?,
                category: self.category?,
                audiences,
                reach: reach?,
                priority_boost,
                high_touch: self.high_touch.unwrap_or(false),
                owner_id: self.owner_id.flatten(),
                website,
                country,
                region: region.filter(|r| !r.is_empty()),
                tags,
                notes: notes?,
            })
        })();
        c.finish(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_table() {
        for (reach, category, boost, expected) in [
            (0, Category::ItCompany, 0, 0),
            (1_000_000, Category::ItCompany, 0, 60),
            (999, Category::Nonprofit, 0, 30),
            (100_000, Category::Authority, 0, 65),
            (100_000, Category::Media, 0, 55),
            (200, Category::SchoolNetwork, 0, 28),
            (200, Category::SchoolNetwork, -50, -22),
            (10_000_000, Category::Authority, 50, 141),
        ] {
            let got = priority(Reach(reach), category, boost);
            assert_eq!(got, expected, "reach {reach} {category:?} boost {boost}");
        }
    }

    #[test]
    fn tier_is_reach_against_threshold() {
        assert_eq!(Tier::of(Reach(10_000), 10_000), Tier::High);
        assert_eq!(Tier::of(Reach(9_999), 10_000), Tier::Low);
        assert_eq!(Tier::of(Reach(0), 0), Tier::High);
    }

    #[test]
    fn bad_partner_fields_are_named() {
        let d = PartnerDraft {
            name: Some("".into()),
            reach: Some(-1),
            priority_boost: Some(99),
            website: Some("not a site".into()),
            country: Some("HRV".into()),
            ..Default::default()
        };
        let Err(Invalid(errors)) = d.validate() else { panic!("accepted") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "category", "reach", "priority_boost", "website", "country"]);
    }

    #[test]
    fn unknown_category_is_a_named_error() {
        let err = serde_json::from_str::<PartnerDraft>(r#"{"name":"X","category":"bank"}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown variant `bank`"), "{err}");
    }

    #[test]
    fn search_words_fold_case_in_every_script() {
        assert_eq!(search_words("Министерство Просвещения — RU"), ["ru", "министерство", "просвещения"]);
        assert_eq!(search_words("Škola Šibenik-Knin"), ["knin", "sibenik", "skola"]);
    }

    #[test]
    fn names_sort_as_people_expect() {
        let mut names =
            vec!["Zadar", "Škola", "Sisak", "sveučilište", "Čakovec", "Centar", "Đakovo", "Dubrovnik", "Sb", "Šb"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["Centar", "Čakovec", "Dubrovnik", "Đakovo", "Sb", "Sisak", "sveučilište", "Šb", "Škola", "Zadar"]
        );
        let mut cyrillic = vec!["Вуковар", "Београд", "Ђаково", "Ада"];
        cyrillic.sort_by_key(|n| sort_key(n));
        assert_eq!(cyrillic, ["Ада", "Београд", "Вуковар", "Ђаково"]);
    }

    #[test]
    fn names_match_without_case_accents_punctuation_or_legal_forms() {
        for (a, b) in [
            ("Infobip d.o.o.", "INFOBIP DOO"),
            ("Infobip d. o. o.", "Infobip"),
            ("Kvarner Tech Group d.d.", "kvarner tech group"),
            ("Udruga Mladi programeri", "udruga   mladi programeri"),
            ("Čakovečka IT tvrtka", "Cakovecka IT tvrtka"),
            ("ООО «Ромашка»", "Ромашка"),
            ("Code e.V.", "CODE"),
            ("Digital Skills Ltd.", "Digital Skills"),
            ("OŠ Đakovo", "OS Dakovo"),
        ] {
            assert_eq!(name_key(a), name_key(b), "{a} / {b}");
        }
        assert_eq!(name_key("OŠ Đakovo"), "os dakovo");
        assert_ne!(name_key("Radio Split"), name_key("Radio Zagreb"));
        // A name that is only a legal form keeps it.
        assert_eq!(name_key("S.A."), "sa");
    }

    #[test]
    fn search_folds_case_and_diacritics() {
        assert_eq!(search_query("skola"), search_query("Škola"));
        assert!(search_keys("Osnovna škola Đakovo").contains(&"skol".to_owned()));
        assert_eq!(search_query("osnovna skola"), ["osnovna", "skola"]);
        assert_eq!(search_query("Straße"), ["strasse"]);
        assert_eq!(search_query("Загреб"), ["загреб"], "Cyrillic as it is");
    }

    #[test]
    fn search_keys_are_word_prefixes() {
        assert_eq!(search_keys("Grad Žuta"), ["g", "gr", "gra", "grad", "z", "zu", "zut", "zuta"]);
        let long = search_keys("Informatičara");
        assert_eq!(long.len(), MAX_SEARCH_PREFIX);
        assert_eq!(long.last().map(String::as_str), Some("informaticar"));
        assert_eq!(search_query("zagreb GRAD g"), ["zagreb", "grad", "g"]);
        assert_eq!(search_query("Informatičarima"), ["informaticar"]);
        assert!(search_query(" — ").is_empty());
        assert_eq!(search_query(&"ab ".repeat(100)).len(), 1);
        let many: String = (0..50).map(|i| format!("w{i} ")).collect();
        assert_eq!(search_query(&many).len(), MAX_SEARCH_WORDS);
    }

    #[test]
    fn websites_are_normalized() {
        assert_eq!(parse_website("example.org"), Ok("https://example.org".into()));
        assert_eq!(parse_website("http://a.hr/x?y"), Ok("http://a.hr/x?y".into()));
        assert!(parse_website("javascript:alert(1)").is_err());
        assert!(parse_website("https://a.hr/\u{0}").is_err());
    }
}

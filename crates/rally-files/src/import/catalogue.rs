//! The activity catalogue's cells as imports read them: facet values in Rally's words or code.org's
//! (`online-tutorial`, `no-computers`, `la`…), code.org's grade bands (`pre`, `2-5`, `6-8`, `9+`) as
//! grades and ages, lengths (`1hour-follow`, `few-hours`, `45 min`) as minutes and a follow-on, and
//! language lists (`en,hr-HR`) as the catalogue's language tags. The mapping is documented in
//! docs/activities.md.

use rally_domain::activity::Facet;
use rally_domain::campaign::LanguageTag;

/// A cell's value as compared: lower case, dashes and spaces as underscores (`7–10` → `7_10`,
/// `Lesson plan` → `lesson_plan`).
fn folded(raw: &str) -> String {
    raw.trim().to_lowercase().chars().map(|c| if matches!(c, ' ' | '-' | '–' | '—' | '/') { '_' } else { c }).collect()
}

/// Other words (code.org's, and plain English) for a facet's values.
fn synonym(facet: Facet, word: &str) -> Option<&'static str> {
    Some(match (facet, word) {
        (Facet::Age, "adult" | "college" | "university" | "18+" | "grownups") => "adults",
        (Facet::Grade, "kindergarten" | "kg") => "k",
        (Facet::Grade, "prek" | "pre_k" | "preschool" | "pre_school" | "pre_reader" | "prereader") => "pre",
        (Facet::StudentExperience, "new" | "novice" | "no_experience") => "beginner",
        (Facet::StudentExperience, "experienced" | "some" | "intermediate") => "comfortable",
        (Facet::TeacherExperience, "beginner" | "none_needed" | "no_experience" | "novice") => "none",
        (Facet::TeacherExperience, "comfortable" | "experienced" | "some_needed") => "some",
        (Facet::Format, "online_tutorial" | "self_led" | "self_led_tutorial" | "tutorials") => "tutorial",
        (Facet::Format, "lesson" | "lessons" | "lesson_plans") => "lesson_plan",
        (Facet::Format, "unplugged_activity" | "offline_activity") => "unplugged",
        (Facet::Format, "hardware" | "robots" | "robotics_hardware" | "physical_computing") => "robotics",
        (Facet::Programming, "block" | "block_based" | "blockly" | "scratch" | "visual") => "blocks",
        (
            Facet::Programming,
            "typing" | "typed" | "text_based" | "code" | "javascript" | "js" | "typescript" | "python" | "java" | "c"
            | "c++" | "c#" | "csharp" | "html" | "css" | "html_css" | "ruby" | "swift" | "lua" | "sql" | "kotlin"
            | "php" | "go" | "rust" | "r",
        ) => "text",
        (Facet::Programming, "no_programming" | "unplugged" | "no_code") => "none",
        (
            Facet::Equipment,
            "computer" | "browser" | "web" | "mac" | "pc" | "windows" | "linux" | "chromebook" | "laptop" | "laptops"
            | "desktop",
        ) => "computers",
        (
            Facet::Equipment,
            "android" | "ios" | "ipad" | "iphone" | "tablet" | "phone" | "phones" | "mobile" | "tablets_phones"
            | "tablets_and_phones",
        ) => "tablets",
        (Facet::Equipment, "no_internet" | "poor_internet" | "works_offline" | "without_internet") => "offline",
        (Facet::Equipment, "unplugged" | "no_devices" | "none" | "no_computer" | "without_computers") => "no_computers",
        (Facet::Accessibility, "screenreader" | "screen_readers") => "screen_reader",
        (Facet::Accessibility, "keyboard" | "keyboard_accessible") => "keyboard_only",
        (Facet::Accessibility, "no_reading_required" | "pre_readers" | "prereaders") => "no_reading",
        (Facet::Accessibility, "low_motor_demand" | "motor") => "low_motor",
        (Facet::Subject, "cs" | "cs_only" | "computing" | "informatics" | "informatika" | "coding" | "programming") => {
            "computer_science"
        }
        (Facet::Subject, "math" | "mathematics" | "matematika") => "maths",
        (Facet::Subject, "la" | "english" | "language" | "literacy" | "reading" | "writing") => "language_arts",
        (Facet::Subject, "history" | "social" | "geography" | "civics") => "social_studies",
        (Facet::Subject, "arts" | "art_media" | "media" | "design") => "art",
        _ => return None,
    })
}

/// A facet's value from a cell's word: one of [`Facet::values`] (dashes, spaces and case aside), or a
/// synonym of one; `None` for a word the facet does not know.
pub fn facet_value(facet: Facet, raw: &str) -> Option<&'static str> {
    let word = folded(raw);
    let values = facet.values()?;
    values.iter().copied().find(|v| folded(v) == word).or_else(|| synonym(facet, &word))
}

/// The grades in order, as [`Facet::Grade`] names them.
const GRADES: [&str; 14] = ["pre", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];

/// A grade or a range of them: `k`, `3`, `2-5`, `k-5`, `9+`, `9-12`. `None` when it is not one.
pub fn grades_in(raw: &str) -> Option<Vec<&'static str>> {
    let word = raw.trim().to_lowercase().replace(['–', '—'], "-");
    let index = |w: &str| {
        let w = w.trim();
        let w = facet_value(Facet::Grade, w).unwrap_or(w);
        GRADES.iter().position(|g| *g == w)
    };
    let (from, to) = if let Some(from) = word.strip_suffix('+') {
        (index(from)?, GRADES.len() - 1)
    } else if let Some((from, to)) = word.split_once('-').filter(|_| index(&word).is_none()) {
        (index(from)?, index(to)?)
    } else {
        let i = index(&word)?;
        (i, i)
    };
    (from <= to).then(|| GRADES[from..=to].to_vec())
}

/// The age band of a grade's children (as code.org's bands: pre-readers, 2–5, 6–8, 9+).
fn age_of(grade: &str) -> &'static str {
    match grade {
        "pre" | "k" | "1" => "4-6",
        "2" | "3" | "4" | "5" => "7-10",
        "6" | "7" | "8" => "11-13",
        _ => "14-18",
    }
}

/// A value of code.org's `tags_grade` as grades and ages: `pre` (pre-readers: pre-school to grade 1),
/// `2-5`, `6-8`, `9+`, `all`, `college`; other grades and ranges as [`grades_in`] reads them.
pub fn code_org_grade(raw: &str) -> Option<(Vec<&'static str>, Vec<&'static str>)> {
    let word = folded(raw);
    let grades = match word.as_str() {
        "pre" | "pre_reader" | "prereader" => GRADES[..3].to_vec(),
        "all" => GRADES.to_vec(),
        "college" | "university" | "adult" | "adults" => return Some((Vec::new(), vec!["adults"])),
        _ => grades_in(raw)?,
    };
    let mut ages: Vec<&'static str> = grades.iter().map(|g| age_of(g)).collect();
    ages.dedup();
    Some((grades, ages))
}

/// A length as minutes and whether it has a follow-on: `45`, `45 min`, `1hour`, `2 hours`, `1.5h`,
/// `1hour-follow`, `few-hours` (three hours).
pub fn length(raw: &str) -> Option<(i64, bool)> {
    let word: String = raw.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let (word, follow) = match word.strip_suffix("follow").or_else(|| word.strip_suffix("followon")) {
        Some(rest) => (rest.trim_end_matches(['-', '_', '+', ',']).to_owned(), true),
        None => (word, false),
    };
    if matches!(word.as_str(), "few-hours" | "fewhours" | "few_hours" | "afewhours") {
        return Some((180, follow));
    }
    let number_end = word.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(word.len());
    let (number, unit) = word.split_at(number_end);
    let number: f64 = number.parse().ok()?;
    let minutes = match unit {
        "" | "m" | "min" | "mins" | "minute" | "minutes" | "мин" | "minuta" => number,
        "h" | "hr" | "hrs" | "hour" | "hours" | "sat" | "sata" | "ч" | "час" | "heure" | "heures" => number * 60.0,
        _ => return None,
    };
    let minutes = minutes.round();
    (1.0..=100_000.0).contains(&minutes).then_some((minutes as i64, follow))
}

/// A language the catalogue filters by, from a tag such as `hr-HR`: the language with its script
/// (`sr-Latn`), without the region, since a teacher looks for activities in a language.
pub fn catalogue_language(raw: &str) -> Result<String, String> {
    let tag = LanguageTag::parse(raw)?;
    let mut parts = tag.as_str().split('-');
    let mut out = parts.next().unwrap_or_default().to_owned();
    if let Some(script) = parts.find(|p| p.len() == 4) {
        out.push('-');
        out.push_str(script);
    }
    Ok(out)
}

/// Yes or no, in Rally's languages.
pub fn yes_no(raw: &str) -> Option<bool> {
    match folded(raw).as_str() {
        "yes" | "y" | "true" | "1" | "x" | "da" | "да" | "oui" => Some(true),
        "no" | "n" | "false" | "0" | "ne" | "нет" | "non" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn facet_values_in_rallys_words_and_code_orgs() {
        let table = [
            (Facet::Format, "online-tutorial", Some("tutorial")),
            (Facet::Format, "Lesson plan", Some("lesson_plan")),
            (Facet::Format, "robotics", Some("robotics")),
            (Facet::Equipment, "no-computers", Some("no_computers")),
            (Facet::Equipment, "no-internet", Some("offline")),
            (Facet::Equipment, "ios", Some("tablets")),
            (Facet::Equipment, "android", Some("tablets")),
            (Facet::Equipment, "computers", Some("computers")),
            (Facet::Programming, "typing", Some("text")),
            (Facet::Programming, "Python", Some("text")),
            (Facet::Programming, "blocks", Some("blocks")),
            (Facet::Programming, "other", None),
            (Facet::Subject, "la", Some("language_arts")),
            (Facet::Subject, "math", Some("maths")),
            (Facet::Subject, "history", Some("social_studies")),
            (Facet::Subject, "cs-only", Some("computer_science")),
            (Facet::Subject, "music", Some("music")),
            (Facet::Subject, "cooking", None),
            (Facet::TeacherExperience, "beginner", Some("none")),
            (Facet::TeacherExperience, "comfortable", Some("some")),
            (Facet::StudentExperience, "beginner", Some("beginner")),
            (Facet::Age, "7–10", Some("7-10")),
            (Facet::Age, "Adults", Some("adults")),
            (Facet::Age, "3-4", None),
        ];
        for (facet, raw, expected) in table {
            assert_eq!(facet_value(facet, raw), expected, "{facet:?} {raw}");
        }
    }

    #[test]
    fn grades_and_code_org_bands() {
        assert_eq!(grades_in("2-5"), Some(vec!["2", "3", "4", "5"]));
        assert_eq!(grades_in("K-1"), Some(vec!["k", "1"]));
        assert_eq!(grades_in("9+"), Some(vec!["9", "10", "11", "12"]));
        assert_eq!(grades_in("pre"), Some(vec!["pre"]));
        assert_eq!(grades_in("5-2"), None);
        assert_eq!(grades_in("13"), None);
        assert_eq!(code_org_grade("pre"), Some((vec!["pre", "k", "1"], vec!["4-6"])));
        assert_eq!(code_org_grade("2-5"), Some((vec!["2", "3", "4", "5"], vec!["7-10"])));
        assert_eq!(code_org_grade("6-8"), Some((vec!["6", "7", "8"], vec!["11-13"])));
        assert_eq!(code_org_grade("9+"), Some((vec!["9", "10", "11", "12"], vec!["14-18"])));
        assert_eq!(code_org_grade("college"), Some((vec![], vec!["adults"])));
        assert_eq!(code_org_grade("teachers"), None);
    }

    #[test]
    fn lengths() {
        let table = [
            ("1hour", Some((60, false))),
            ("1hour-follow", Some((60, true))),
            ("few-hours", Some((180, false))),
            ("30min", Some((30, false))),
            ("45 min", Some((45, false))),
            ("2 hours", Some((120, false))),
            ("1.5h", Some((90, false))),
            ("90", Some((90, false))),
            ("an afternoon", None),
            ("0", None),
        ];
        for (raw, expected) in table {
            assert_eq!(length(raw), expected, "{raw}");
        }
    }

    #[test]
    fn languages_keep_their_script_not_their_region() {
        assert_eq!(catalogue_language("hr-HR").as_deref(), Ok("hr"));
        assert_eq!(catalogue_language("sr_Latn_RS").as_deref(), Ok("sr-Latn"));
        assert_eq!(catalogue_language("EN").as_deref(), Ok("en"));
        assert!(catalogue_language("english!").is_err());
    }
}

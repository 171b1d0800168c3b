//! The activity catalogue: what a host can run in the hour, described per language and by facets
//! (ages, grades, experience, format, length, languages, programming style, equipment, accessibility,
//! subject) a teacher filters by. Listed activities are the campaign's own and those its umbrella
//! offers; submissions from partners and visitors wait for the team's review.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
use crate::contact::Email;
use crate::limits;
use crate::partner::parse_website;
use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{ActivityId, AssetId, CampaignId, PartnerId};

named_enum!(
    /// Where an activity stands in the catalogue.
    ActivityStatus {
        Submitted = "submitted" / "Waiting for review",
        Listed = "listed" / "Listed",
        Rejected = "rejected" / "Rejected",
        Hidden = "hidden" / "Hidden",
    }
);

named_enum!(
    /// The ways a teacher narrows the catalogue. Within a facet any chosen value matches; facets
    /// combine with "and".
    Facet {
        Age = "age" / "Age",
        Grade = "grade" / "School grade",
        StudentExperience = "student_experience" / "Student experience",
        TeacherExperience = "teacher_experience" / "Teacher experience",
        Format = "format" / "Format",
        Length = "length" / "Length",
        Language = "language" / "Language",
        Programming = "programming" / "Programming",
        Equipment = "equipment" / "Equipment",
        Accessibility = "accessibility" / "Accessibility",
        Subject = "subject" / "Subject",
    }
);

impl Facet {
    /// The values a facet may take, in the order the filters show them; `None` for the language facet,
    /// whose values are language tags.
    pub fn values(self) -> Option<&'static [&'static str]> {
        Some(match self {
            Facet::Age => &["4-6", "7-10", "11-13", "14-18", "adults"],
            Facet::Grade => &["pre", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"],
            Facet::StudentExperience => &["beginner", "comfortable"],
            Facet::TeacherExperience => &["none", "some"],
            Facet::Format => &["tutorial", "lesson_plan", "unplugged", "robotics"],
            Facet::Length => &["up_to_30", "up_to_60", "over_60", "follow_on"],
            Facet::Language => return None,
            Facet::Programming => &["blocks", "text", "none"],
            Facet::Equipment => &["computers", "tablets", "offline", "no_computers"],
            Facet::Accessibility => &["screen_reader", "keyboard_only", "no_reading", "low_motor"],
            Facet::Subject => {
                &["computer_science", "maths", "science", "language_arts", "art", "music", "social_studies"]
            }
        })
    }

    /// Facets the team sets by hand; the length and language facets are derived from the duration and
    /// the activity's languages.
    pub fn chosen(self) -> bool {
        !matches!(self, Facet::Length | Facet::Language)
    }
}

/// The length facet's values an activity of this duration has.
pub fn length_values(duration_minutes: i64, has_follow_on: bool) -> Vec<&'static str> {
    let mut values = vec![match duration_minutes {
        ..=30 => "up_to_30",
        31..=60 => "up_to_60",
        _ => "over_60",
    }];
    if has_follow_on {
        values.push("follow_on");
    }
    values
}

/// Title and descriptions in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityText {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: LanguageTag,
    pub title: String,
    /// One or two sentences for the catalogue's list.
    pub summary: String,
    /// The activity page's text (plain text, paragraphs separated by blank lines).
    pub description: String,
}

/// An activity's checked fields, ready to store (team input, an import row or a submission).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityFields {
    /// At least one; at most one per language.
    pub texts: Vec<ActivityText>,
    /// Where the activity lives; an unplugged activity may instead (or as well) have an asset to download.
    pub url: Option<String>,
    pub asset: Option<AssetId>,
    pub image_url: Option<String>,
    /// The partner that made it, when it is one of the campaign's.
    pub provider: Option<PartnerId>,
    /// The maker's name as shown (the partner's name when `provider` is set).
    pub provider_name: String,
    pub duration_minutes: i64,
    pub has_follow_on: bool,
    /// For unplugged material: what to print per student.
    pub print_per_student: String,
    /// The languages it is available in (not only those its texts are written in).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub languages: Vec<LanguageTag>,
    /// Values of the facets the team chooses ([`Facet::chosen`]); each value one of [`Facet::values`].
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Vec<String>>))]
    pub facets: BTreeMap<Facet, BTreeSet<String>>,
}

impl ActivityFields {
    /// The text to show in `language`, else the first one.
    pub fn text_in(&self, language: &str) -> Option<&ActivityText> {
        self.texts.iter().find(|t| t.language.as_str() == language).or_else(|| self.texts.first())
    }

    /// Every facet value to store and filter by, derived ones included, as (facet, value) pairs.
    pub fn facet_rows(&self) -> Vec<(Facet, String)> {
        let mut rows: Vec<(Facet, String)> = self
            .facets
            .iter()
            .filter(|(facet, _)| facet.chosen())
            .flat_map(|(facet, values)| values.iter().map(move |v| (*facet, v.clone())))
            .collect();
        rows.extend(
            length_values(self.duration_minutes, self.has_follow_on).into_iter().map(|v| (Facet::Length, v.into())),
        );
        let languages: BTreeSet<&str> = self.languages.iter().map(LanguageTag::as_str).collect();
        rows.extend(languages.into_iter().map(|l| (Facet::Language, l.to_string())));
        rows
    }
}

named_enum!(
    /// What the team checks before listing a submitted activity.
    ReviewCheck {
        NoSignUp = "no_sign_up" / "Works without sign-up or payment",
        AgeAppropriate = "age_appropriate" / "Age-appropriate",
        Accessible = "accessible" / "Accessible as described",
        Languages = "languages" / "Available in the stated languages",
    }
);

/// Who proposed an activity that the team did not add itself (personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submitter {
    /// The partner whose link it came through.
    pub partner: Option<PartnerId>,
    pub name: String,
    pub email: String,
    /// The site language they used; the review's outcome is written to them in it.
    pub locale: String,
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: ActivityId,
    /// The campaign whose catalogue it belongs to (an umbrella's for activities it offers its members).
    pub campaign_id: CampaignId,
    pub status: ActivityStatus,
    #[serde(flatten)]
    pub fields: ActivityFields,
    pub submitter: Option<Submitter>,
    /// The review checks ticked when it was listed.
    pub checklist: Vec<ReviewCheck>,
    /// Why it was rejected or hidden.
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    /// The stored fields as a draft, to merge an edit into.
    pub fn to_draft(&self) -> ActivityDraft {
        self.fields.to_draft()
    }
}

impl ActivityFields {
    /// These fields as a draft (every field set), to merge an edit into.
    pub fn to_draft(&self) -> ActivityDraft {
        ActivityDraft {
            texts: Some(
                self.texts
                    .iter()
                    .map(|t| ActivityTextDraft {
                        language: Some(t.language.to_string()),
                        title: Some(t.title.clone()),
                        summary: Some(t.summary.clone()),
                        description: Some(t.description.clone()),
                    })
                    .collect(),
            ),
            url: Some(self.url.clone().unwrap_or_default()),
            asset: Some(self.asset),
            image_url: Some(self.image_url.clone().unwrap_or_default()),
            provider: Some(self.provider),
            provider_name: Some(self.provider_name.clone()),
            duration_minutes: Some(self.duration_minutes),
            has_follow_on: Some(self.has_follow_on),
            print_per_student: Some(self.print_per_student.clone()),
            languages: Some(self.languages.iter().map(ToString::to_string).collect()),
            facets: Some(
                self.facets
                    .iter()
                    .filter(|(facet, _)| facet.chosen())
                    .map(|(facet, values)| (*facet, values.iter().cloned().collect()))
                    .collect(),
            ),
        }
    }
}

/// The longest title, summary and description of an activity, in characters.
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const DESCRIPTION_MAX: usize = 10_000;
/// The longest activity, in minutes (a day's workshop).
pub const DURATION_MAX: i64 = 600;

/// Title and descriptions in one language as a client sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ActivityTextDraft {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 40))]
    pub language: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 500, pattern = "@text"))]
    pub summary: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 10_000, pattern = "@text"))]
    pub description: Option<String>,
}

/// Activity input as a client sends it: a new activity, a submission, or a patch of an existing one
/// (`stored.to_draft().merge(patch).validate()`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ActivityDraft {
    /// Title and descriptions, one per language; at least one.
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::LANGUAGES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub texts: Option<Vec<ActivityTextDraft>>,
    /// Where the activity lives (http or https); `https://` is added when no scheme is given. Empty for
    /// none: then an asset to download is required.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "@web-address"))]
    pub url: Option<String>,
    /// An asset of the campaign's library to download (unplugged material); `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub asset: Option<Option<AssetId>>,
    /// A picture's address; empty for none.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "@web-address"))]
    pub image_url: Option<String>,
    /// The partner that made it; `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub provider: Option<Option<PartnerId>>,
    /// The maker's name as shown.
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = "@text"))]
    pub provider_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 600))]
    pub duration_minutes: Option<i64>,
    /// Lessons that continue it exist.
    pub has_follow_on: Option<bool>,
    /// For unplugged material: what to print per student.
    #[cfg_attr(feature = "openapi", schema(max_length = 500, pattern = "@text"))]
    pub print_per_student: Option<String>,
    /// Language tags it is available in; those of its texts when empty.
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::LANGUAGES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub languages: Option<Vec<String>>,
    /// Values per facet the team chooses (`age`, `grade`, `student_experience`, `teacher_experience`,
    /// `format`, `programming`, `equipment`, `accessibility`, `subject`).
    #[serde(deserialize_with = "bounded_facets")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<BTreeMap<String, Vec<String>>>))]
    pub facets: Option<BTreeMap<Facet, Vec<String>>>,
}

merge_drafts!(ActivityDraft {
    texts,
    url,
    asset,
    image_url,
    provider,
    provider_name,
    duration_minutes,
    has_follow_on,
    print_per_student,
    languages,
    facets
});

/// An optional web address: empty is none.
fn optional_address(c: &mut Check, field: &str, raw: Option<&str>) -> Option<String> {
    match raw {
        None => None,
        Some(raw) if raw.trim().is_empty() => None,
        Some(raw) => c.take(field, parse_website(raw)),
    }
}

impl ActivityDraft {
    /// Checks every field; errors name the field (`texts.0.title`, `facets.age`, `url`).
    pub fn validate(self) -> Result<ActivityFields, Invalid> {
        let mut c = Check::default();
        let texts = check_texts(&mut c, self.texts.unwrap_or_default());
        let url_given = self.url.as_deref().is_some_and(|u| !u.trim().is_empty());
        let url = optional_address(&mut c, "url", self.url.as_deref());
        let asset = self.asset.flatten();
        if !url_given && asset.is_none() {
            c.fail("url", "give the activity's web address, or a file to download");
        }
        let image_url = optional_address(&mut c, "image_url", self.image_url.as_deref());
        let provider_name =
            c.take("provider_name", optional_text(self.provider_name.as_deref().unwrap_or_default(), 200));
        let duration_minutes = self.duration_minutes.unwrap_or(60);
        if !(1..=DURATION_MAX).contains(&duration_minutes) {
            c.fail("duration_minutes", format!("must be between 1 and {DURATION_MAX} minutes"));
        }
        let print_per_student =
            c.take("print_per_student", optional_text(self.print_per_student.as_deref().unwrap_or_default(), 500));
        let languages = check_languages(&mut c, self.languages.unwrap_or_default(), &texts);
        let facets = check_facets(&mut c, self.facets.unwrap_or_default());
        let fields = (|| {
            Some(ActivityFields {
                texts,
                url,
                asset,
                image_url,
                provider: self.provider.flatten(),
                provider_name: provider_name?,
                duration_minutes,
                has_follow_on: self.has_follow_on.unwrap_or(false),
                print_per_student: print_per_student?,
                languages,
                facets,
            })
        })();
        c.finish(fields)
    }
}

/// The texts, one per language, each with a title; errors name `texts.{i}.{field}`.
fn check_texts(c: &mut Check, raw_texts: Vec<ActivityTextDraft>) -> Vec<ActivityText> {
    let mut texts = Vec::new();
    if raw_texts.is_empty() {
        c.fail("texts", "give a title in at least one language");
        return texts;
    }
    if raw_texts.len() > limits::LANGUAGES {
        c.fail("texts", format!("at most {} languages", limits::LANGUAGES));
        return texts;
    }
    let mut seen = BTreeSet::new();
    for (i, raw) in raw_texts.iter().enumerate() {
        let field = |name: &str| format!("texts.{i}.{name}");
        let language = c.take(&field("language"), LanguageTag::parse(raw.language.as_deref().unwrap_or_default()));
        if let Some(language) = &language
            && !seen.insert(language.clone())
        {
            c.fail(&field("language"), format!("`{language}` is given twice"));
        }
        let title = c.take(&field("title"), required_text(raw.title.as_deref().unwrap_or_default(), TITLE_MAX));
        let summary = c.take(&field("summary"), optional_text(raw.summary.as_deref().unwrap_or_default(), SUMMARY_MAX));
        let description = c.take(
            &field("description"),
            optional_text(raw.description.as_deref().unwrap_or_default(), DESCRIPTION_MAX),
        );
        if let (Some(language), Some(title), Some(summary), Some(description)) = (language, title, summary, description)
        {
            texts.push(ActivityText { language, title, summary, description });
        }
    }
    texts
}

/// The languages it is available in, sorted and each once (the store keeps them as a set of facet
/// values); those of its texts when none are given.
fn check_languages(c: &mut Check, raw_languages: Vec<String>, texts: &[ActivityText]) -> Vec<LanguageTag> {
    let mut languages = Vec::new();
    if raw_languages.len() > limits::LANGUAGES {
        c.fail("languages", format!("at most {} languages", limits::LANGUAGES));
    } else {
        for raw in &raw_languages {
            if let Some(tag) = c.take("languages", LanguageTag::parse(raw)) {
                languages.push(tag);
            }
        }
    }
    if raw_languages.is_empty() {
        languages = texts.iter().map(|t| t.language.clone()).collect();
    }
    languages.sort();
    languages.dedup();
    languages
}

/// The chosen facets' values, each one of [`Facet::values`]; errors name `facets.{facet}`.
fn check_facets(c: &mut Check, raw: BTreeMap<Facet, Vec<String>>) -> BTreeMap<Facet, BTreeSet<String>> {
    let mut facets = BTreeMap::new();
    for (facet, raw_values) in raw {
        let field = format!("facets.{}", facet.as_str());
        let Some(allowed) = facet.values().filter(|_| facet.chosen()) else {
            c.fail(&field, "is set from the duration and the languages");
            continue;
        };
        if raw_values.len() > limits::CHOICES {
            c.fail(&field, limits::too_many(limits::CHOICES));
            continue;
        }
        let mut values = BTreeSet::new();
        for raw in raw_values {
            let value = raw.trim();
            if allowed.contains(&value) {
                values.insert(value.to_owned());
            } else {
                let shown: String = value.chars().take(40).collect();
                c.fail(&field, format!("unknown value `{shown}`; expected one of {}", allowed.join(", ")));
            }
        }
        if !values.is_empty() {
            facets.insert(facet, values);
        }
    }
    facets
}

/// The values of one facet as a client sends them: at most [`limits::CHOICES`], counted while read.
#[derive(Deserialize)]
struct FacetValues(#[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { limits::CHOICES }>")] Vec<String>);

/// `facets`: at most [`limits::CHOICES`] facets of at most as many values each, bounded while read.
fn bounded_facets<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<Facet, Vec<String>>>, D::Error> {
    let map = crate::limits::bounded::option_map::<_, Facet, FacetValues, { limits::CHOICES }>(d)?;
    Ok(map.map(|m| m.into_iter().map(|(facet, values)| (facet, values.0)).collect()))
}

impl Submitter {
    /// Checks who proposes an activity: a name (at most 200 characters) and an e-mail address to
    /// write the review's outcome to.
    pub fn parse(partner: Option<PartnerId>, name: &str, email: &str, locale: &str) -> Result<Submitter, Invalid> {
        let mut c = Check::default();
        let name = c.take("submitter_name", required_text(name, 200));
        let email = c.take("submitter_email", Email::parse(email));
        let locale = match locale.trim() {
            "" => Some(String::new()),
            raw => c.take("locale", LanguageTag::parse(raw).map(String::from)),
        };
        let submitter = (|| Some(Submitter { partner, name: name?, email: email?.into(), locale: locale? }))();
        c.finish(submitter)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn text(language: &str, title: &str) -> ActivityTextDraft {
        ActivityTextDraft { language: Some(language.into()), title: Some(title.into()), ..Default::default() }
    }

    fn draft() -> ActivityDraft {
        ActivityDraft {
            texts: Some(vec![text("hr", "Kodiranje bez računala"), text("en", "Coding without computers")]),
            url: Some("example.org/unplugged".into()),
            duration_minutes: Some(45),
            facets: Some(BTreeMap::from([
                (Facet::Age, vec!["7-10".into(), "11-13".into()]),
                (Facet::Equipment, vec!["no_computers".into()]),
            ])),
            ..Default::default()
        }
    }

    fn fields_in_error(draft: ActivityDraft) -> Vec<String> {
        draft.validate().unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_valid_draft_derives_languages_and_rows() {
        let fields = draft().validate().unwrap();
        assert_eq!(fields.url.as_deref(), Some("https://example.org/unplugged"));
        let languages: Vec<&str> = fields.languages.iter().map(LanguageTag::as_str).collect();
        assert_eq!(languages, ["en", "hr"]);
        let rows = fields.facet_rows();
        for expected in [
            (Facet::Age, "7-10"),
            (Facet::Age, "11-13"),
            (Facet::Equipment, "no_computers"),
            (Facet::Length, "up_to_60"),
            (Facet::Language, "hr"),
            (Facet::Language, "en"),
        ] {
            assert!(rows.contains(&(expected.0, expected.1.to_string())), "{expected:?} in {rows:?}");
        }
        assert_eq!(fields.to_draft().validate().unwrap(), fields, "a stored activity edits back to itself");
    }

    #[test]
    fn every_error_at_once_named_by_field() {
        let long = "x".repeat(TITLE_MAX + 1);
        let bad = ActivityDraft {
            texts: Some(vec![
                text("hr", &long),
                text("hr", "Dvaput"),
                ActivityTextDraft { summary: Some("s".repeat(SUMMARY_MAX + 1)), ..text("not a tag", "T") },
                ActivityTextDraft { description: Some("d".repeat(DESCRIPTION_MAX + 1)), ..text("en", "T") },
            ]),
            url: Some("ftp://example.org/x".into()),
            image_url: Some("javascript:alert(1)".into()),
            duration_minutes: Some(601),
            languages: Some(vec!["hr".into(), "??".into()]),
            facets: Some(BTreeMap::from([(Facet::Age, vec!["99".into()]), (Facet::Length, vec!["up_to_30".into()])])),
            ..Default::default()
        };
        assert_eq!(
            fields_in_error(bad),
            [
                "texts.0.title",
                "texts.1.language",
                "texts.2.language",
                "texts.2.summary",
                "texts.3.description",
                "url",
                "image_url",
                "duration_minutes",
                "languages",
                "facets.age",
                "facets.length",
            ]
        );
    }

    #[test]
    fn a_text_and_a_link_or_file_are_required() {
        assert_eq!(fields_in_error(ActivityDraft::default()), ["texts", "url"]);
        let with_file = ActivityDraft { url: Some(String::new()), asset: Some(Some(AssetId(7))), ..draft() };
        assert_eq!(with_file.validate().unwrap().asset, Some(AssetId(7)));
        let zero = ActivityDraft { duration_minutes: Some(0), ..draft() };
        assert_eq!(fields_in_error(zero), ["duration_minutes"]);
        let too_many = ActivityDraft { texts: Some(vec![text("en", "T"); limits::LANGUAGES + 1]), ..draft() };
        assert_eq!(fields_in_error(too_many), ["texts"]);
    }

    #[test]
    fn a_patch_merges_into_the_stored_fields() {
        let stored = draft().validate().unwrap();
        let patch = ActivityDraft { duration_minutes: Some(90), has_follow_on: Some(true), ..Default::default() };
        let edited = stored.to_draft().merge(patch).validate().unwrap();
        assert_eq!(edited.duration_minutes, 90);
        assert_eq!(edited.texts, stored.texts);
        assert!(edited.facet_rows().contains(&(Facet::Length, "follow_on".into())));
    }

    #[test]
    fn json_names_facets_and_refuses_unknown_fields() {
        let d: ActivityDraft = serde_json::from_str(
            r#"{"facets":{"equipment":["offline"]},"asset":null,"texts":[{"language":"fr","title":"Jeu"}]}"#,
        )
        .unwrap();
        assert_eq!(d.asset, Some(None));
        assert!(d.facets.unwrap().contains_key(&Facet::Equipment));
        assert!(serde_json::from_str::<ActivityDraft>(r#"{"colour":"red"}"#).is_err());
        let many: Vec<String> = (0..=limits::CHOICES).map(|i| format!("\"v{i}\"")).collect();
        let too_many = format!(r#"{{"facets":{{"age":[{}]}}}}"#, many.join(","));
        assert!(serde_json::from_str::<ActivityDraft>(&too_many).is_err(), "values are bounded while read");
    }

    #[test]
    fn submitters_need_a_name_and_an_address() {
        let s = Submitter::parse(None, "Ana", "Ana@Example.org", "hr").unwrap();
        assert_eq!(s.email, "ana@example.org");
        let err = Submitter::parse(None, " ", "nope", "hr").unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["submitter_name", "submitter_email"]);
    }
}

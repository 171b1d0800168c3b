//! The activity catalogue: what a host can run in the hour, described per language and by facets
//! (ages, grades, experience, format, length, languages, programming style, equipment, accessibility,
//! subject) a teacher filters by. Listed activities are the campaign's own and those its umbrella
//! offers; submissions from partners and visitors wait for the team's review.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
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

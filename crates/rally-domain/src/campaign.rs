//! A campaign: the strategy, the universal message, the goal, the dates and the action plan.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{CampaignId, limits};

/// The reach (people) from which a partner counts as high-reach unless the campaign says otherwise.
pub const DEFAULT_HIGH_REACH_THRESHOLD: i64 = 10_000;
/// Promotion starts this many days before campaign week unless the campaign sets its own date.
pub const DEFAULT_PROMOTION_DAYS: u64 = 56;
/// Follow-up (reports, thanks, certificates) lasts this many days after campaign week by default.
pub const DEFAULT_FOLLOW_UP_DAYS: u64 = 28;

/// A campaign's URL name: lowercase ASCII letters, digits and inner hyphens, 2–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(pattern = r"^\s*(?=[a-z0-9-]{2,64}\s*$)[a-z0-9]+(-[a-z0-9]+)*\s*$"))]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Slug, String> {
        let s = raw.trim();
        let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(2..=64).contains(&s.len()) {
            return Err("must be 2 to 64 characters".into());
        }
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err("may hold only lowercase letters a-z, digits and single inner hyphens".into());
        }
        Ok(Slug(s.to_owned()))
    }
}

string_type!(Slug);

/// A BCP 47 language tag in its canonical case (`en`, `hr`, `sr-Latn`, `pt-BR`); any case and `_` for
/// `-` are read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(pattern = r"^\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\s*$"))]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<LanguageTag, String> {
        let raw = raw.trim().replace('_', "-");
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("`{raw}` is not a language tag like `en`, `hr` or `sr-Latn`"));
        }
        let mut tag = primary.to_ascii_lowercase();
        for sub in parts {
            if !(2..=8).contains(&sub.len()) || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!("`{raw}` is not a language tag like `en`, `hr` or `sr-Latn`"));
            }
            tag.push('-');
            match sub.len() {
                // Region (`BR`) upper case, script (`Latn`) title case, as BCP 47 recommends.
                2 => tag.push_str(&sub.to_ascii_uppercase()),
                4 => {
                    let lower = sub.to_ascii_lowercase();
                    tag.push_str(&lower[..1].to_ascii_uppercase());
                    tag.push_str(&lower[1..]);
                }
                _ => tag.push_str(&sub.to_ascii_lowercase()),
            }
        }
        Ok(LanguageTag(tag))
    }
}

string_type!(LanguageTag);

/// Checks an ISO 3166-1 alpha-2 country code's form and returns it upper-cased.
pub fn parse_country(raw: &str) -> Result<String, String> {
    let c = raw.trim();
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(c.to_ascii_uppercase())
    } else {
        Err("must be a two-letter ISO 3166-1 country code such as HR or FR".into())
    }
}

/// Run your own campaign, or be a member of someone else's (an umbrella campaign).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Own,
    Member,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Own => "own",
            Strategy::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        match s {
            "own" => Some(Strategy::Own),
            "member" => Some(Strategy::Member),
            _ => None,
        }
    }
}

/// Where a campaign stands in its year, derived from its dates and today's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Planning,
    Promotion,
    CampaignWeek,
    FollowUp,
    Closed,
}

/// The action-plan questions every campaign answers before it recruits partners.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ActionPlan {
    /// Is computer science or coding taught in the country's schools, and how?
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub cs_in_schools: String,
    /// What government authorities say about CS education, coding and the IT job market.
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub authorities_view: String,
    /// What local IT companies say about it.
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub it_companies_view: String,
    /// What most school students say about CS and coding.
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub students_view: String,
    /// Why coding skills matter, in this campaign's words.
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub why_coding: String,
}

impl ActionPlan {
    /// The questions with their stored answers, in the order a plan document shows them.
    pub fn answers(&self) -> [(&'static str, &'static str, &str); 5] {
        [
            ("cs_in_schools", "Is computer science taught in schools, and how?", &self.cs_in_schools),
            ("authorities_view", "What do the authorities say about CS education?", &self.authorities_view),
            ("it_companies_view", "What do IT companies say about CS education and jobs?", &self.it_companies_view),
            ("students_view", "What do students say about CS and coding?", &self.students_view),
            ("why_coding", "Why are coding skills important?", &self.why_coding),
        ]
    }
}

/// The validated, stored fields of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignFields {
    pub name: String,
    pub slug: Slug,
    pub country: Option<String>,
    pub region: Option<String>,
    pub languages: Vec<LanguageTag>,
    pub strategy: Strategy,
    /// The umbrella campaign of a `member` campaign.
    pub parent_id: Option<CampaignId>,
    /// The universal message, one text per language of the campaign.
    pub message: BTreeMap<LanguageTag, String>,
    pub goal_students: i64,
    pub target_audience: String,
    /// First day of campaign week.
    pub starts_on: NaiveDate,
    /// Last day of campaign week.
    pub ends_on: NaiveDate,
    /// When promotion starts; `starts_on` minus eight weeks when not set.
    pub promotion_starts_on: Option<NaiveDate>,
    /// When follow-up ends and the campaign closes; `ends_on` plus four weeks when not set.
    pub follow_up_ends_on: Option<NaiveDate>,
    /// Partners whose reach is at least this many people are high-reach.
    pub high_reach_threshold: i64,
    pub plan: ActionPlan,
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    pub id: CampaignId,
    #[serde(flatten)]
    pub fields: CampaignFields,
    /// When an owner published its public site; `None` while the site is a draft only the team sees.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was archived: kept, shown apart, out of the campaign switcher.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CampaignFields {
    pub fn promotion_starts_on(&self) -> NaiveDate {
        self.promotion_starts_on.unwrap_or_else(|| {
            self.starts_on.checked_sub_days(Days::new(DEFAULT_PROMOTION_DAYS)).unwrap_or(self.starts_on)
        })
    }

    pub fn follow_up_ends_on(&self) -> NaiveDate {
        self.follow_up_ends_on
            .unwrap_or_else(|| self.ends_on.checked_add_days(Days::new(DEFAULT_FOLLOW_UP_DAYS)).unwrap_or(self.ends_on))
    }

    /// The phase on `today`: planning until promotion starts, promotion until campaign week, then
    /// campaign week, follow-up, and closed.
    pub fn phase(&self, today: NaiveDate) -> Phase {
        if today < self.promotion_starts_on() {
            Phase::Planning
        } else if today < self.starts_on {
            Phase::Promotion
        } else if today <= self.ends_on {
            Phase::CampaignWeek
        } else if today <= self.follow_up_ends_on() {
            Phase::FollowUp
        } else {
            Phase::Closed
        }
    }

    /// A member campaign is bound by its umbrella's dates: campaign week must lie inside the umbrella's.
    pub fn check_within_umbrella(&self, umbrella: &CampaignFields) -> Result<(), Invalid> {
        if umbrella.strategy != Strategy::Own {
            return Err(Invalid::field("parent_id", "an umbrella campaign must run its own campaign, not be a member"));
        }
        if self.starts_on < umbrella.starts_on || self.ends_on > umbrella.ends_on {
            return Err(Invalid::field(
                "starts_on",
                format!(
                    "a member campaign's week must lie within its umbrella's ({} to {})",
                    umbrella.starts_on, umbrella.ends_on
                ),
            ));
        }
        Ok(())
    }

    /// The draft that reproduces these fields; a patch merged onto it gives the updated campaign.
    pub fn to_draft(&self) -> CampaignDraft {
        CampaignDraft {
            name: Some(self.name.clone()),
            slug: Some(self.slug.to_string()),
            country: Some(self.country.clone().unwrap_or_default()),
            region: Some(self.region.clone().unwrap_or_default()),
            languages: Some(self.languages.iter().map(|l| l.to_string()).collect()),
            strategy: Some(self.strategy),
            parent_id: Some(self.parent_id),
            message: Some(self.message.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
            goal_students: Some(self.goal_students),
            target_audience: Some(self.target_audience.clone()),
            starts_on: Some(self.starts_on),
            ends_on: Some(self.ends_on),
            promotion_starts_on: Some(self.promotion_starts_on),
            follow_up_ends_on: Some(self.follow_up_ends_on),
            high_reach_threshold: Some(self.high_reach_threshold),
            plan: Some(self.plan.clone()),
        }
    }
}

/// Campaign input as a client sends it, for a new campaign or as a patch of an existing one: every
/// field is optional here, and `validate` says which are required.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CampaignDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Slug>))]
    pub slug: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `HR`; empty for none.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CountryCode>))]
    pub country: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = "@text"))]
    pub region: Option<String>,
    /// Language tags; the first is the campaign's main language. Defaults to the message's languages.
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::LANGUAGES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20, value_type = Option<Vec<LanguageTag>>))]
    pub languages: Option<Vec<String>>,
    pub strategy: Option<Strategy>,
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<Option<CampaignId>>,
    /// The universal message: language tag → text, in at most 20 languages.
    #[serde(deserialize_with = "crate::limits::bounded::option_map::<_, _, _, { crate::limits::LANGUAGES }>")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<BTreeMap<LanguageTag, MessageText>>))]
    pub message: Option<BTreeMap<String, String>>,
    /// Students the campaign wants to reach.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub goal_students: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 500, pattern = "@text"))]
    pub target_audience: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub promotion_starts_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub follow_up_ends_on: Option<Option<NaiveDate>>,
    /// Partners reaching at least this many people are high-reach.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub high_reach_threshold: Option<i64>,
    pub plan: Option<ActionPlan>,
}

/// A two-letter ISO 3166-1 country code such as `HR` (any case), or nothing. (The API document's
/// name for what the country fields read.)
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(pattern = r"^\s*([A-Za-z]{2})?\s*$")]
#[allow(dead_code)]
pub struct CountryCode(String);

/// The text of the universal message in one language. (The API document's name for it.)
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(min_length = 1, max_length = 2000, pattern = "@required-text")]
#[allow(dead_code)]
pub struct MessageText(String);

merge_drafts!(CampaignDraft {
    name,
    slug,
    country,
    region,
    languages,
    strategy,
    parent_id,
    message,
    goal_students,
    target_audience,
    starts_on,
    ends_on,
    promotion_starts_on,
    follow_up_ends_on,
    high_reach_threshold,
    plan
});

impl CampaignDraft {
    /// Checks every field and returns the campaign's fields, or every problem found.
    pub fn validate(self) -> Result<CampaignFields, Invalid> {
        let mut c = Check::default();
        let name = c.take("name", required_text(self.name.as_deref().unwrap_or_default(), 200));
        let slug = c.take("slug", Slug::parse(self.slug.as_deref().unwrap_or_default()));
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => c.take("country", parse_country(raw)),
        };
        let region = c.take("region", optional_text(self.region.as_deref().unwrap_or_default(), 200));
        let message = universal_message(&mut c, self.message.unwrap_or_default());
        let languages = campaign_languages(&mut c, self.languages, &message);
        let strategy = self.strategy.unwrap_or(Strategy::Own);
        let parent_id = self.parent_id.flatten();
        match (strategy, parent_id) {
            (Strategy::Member, None) => c.fail("parent_id", "a member campaign names its umbrella campaign"),
            (Strategy::Own, Some(_)) => c.fail("parent_id", "only a member campaign has an umbrella campaign"),
            _ => {}
        }
        let goal_students = self.goal_students.unwrap_or(0);
        if self.goal_students.is_none() {
            c.fail("goal_students", "set the goal: how many students the campaign wants to reach");
        } else if goal_students <= 0 {
            c.fail("goal_students", "must be a positive number of students");
        }
        let target_audience =
            c.take("target_audience", optional_text(self.target_audience.as_deref().unwrap_or_default(), 500));
        let promotion_starts_on = self.promotion_starts_on.flatten();
        let follow_up_ends_on = self.follow_up_ends_on.flatten();
        check_dates(&mut c, self.starts_on, self.ends_on, promotion_starts_on, follow_up_ends_on);
        let high_reach_threshold = self.high_reach_threshold.unwrap_or(DEFAULT_HIGH_REACH_THRESHOLD);
        if high_reach_threshold < 0 {
            c.fail("high_reach_threshold", "must not be negative");
        }
        let plan = action_plan(&mut c, self.plan.unwrap_or_default());
        let fields = (|| {
            Some(CampaignFields {
                name: name?,
                slug: slug?,
                country,
                region: region.filter(|r| !r.is_empty()),
                languages,
                strategy,
                parent_id,
                message,
                goal_students,
                target_audience: target_audience?,
                starts_on: self.starts_on?,
                ends_on: self.ends_on?,
                promotion_starts_on,
                follow_up_ends_on,
                high_reach_threshold,
                plan,
            })
        })();
        c.finish(fields)
    }
}

/// The universal message's texts under their language tags, each checked under `message.<tag>`.
fn universal_message(c: &mut Check, raw: BTreeMap<String, String>) -> BTreeMap<LanguageTag, String> {
    // Counted before any language is looked at: forms reach here with lists serde never bounded.
    if raw.len() > limits::LANGUAGES {
        c.fail("message", format!("at most {} languages", limits::LANGUAGES));
    }
    let mut message = BTreeMap::new();
    for (lang, text) in raw.into_iter().take(limits::LANGUAGES) {
        let field = format!("message.{lang}");
        let tag = c.take(&field, LanguageTag::parse(&lang));
        let text = c.take(&field, required_text(&text, 2000));
        if let (Some(tag), Some(text)) = (tag, text) {
            message.insert(tag, text);
        }
    }
    message
}

/// The campaign's languages as listed, or else the message's; at least one, and every language the
/// message is written in must be among them.
fn campaign_languages(
    c: &mut Check,
    listed: Option<Vec<String>>,
    message: &BTreeMap<LanguageTag, String>,
) -> Vec<LanguageTag> {
    let raw_languages = listed.unwrap_or_else(|| message.keys().map(|l| l.to_string()).collect());
    let languages = if raw_languages.len() > limits::LANGUAGES {
        c.fail("languages", format!("at most {} languages", limits::LANGUAGES));
        Vec::new()
    } else {
        let tags = raw_languages.iter().filter_map(|raw| c.take("languages", LanguageTag::parse(raw)));
        limits::without_repeats(tags.collect::<Vec<_>>())
    };
    if languages.is_empty() {
        c.fail("languages", "name at least one language, e.g. [\"en\"]");
    }
    for lang in message.keys() {
        if !languages.contains(lang) {
            c.fail(&format!("message.{lang}"), format!("{lang} is not one of the campaign's languages"));
        }
    }
    languages
}

/// Campaign week's first and last day must be given and in order; promotion may not start after it
/// starts, nor follow-up end before it ends.
fn check_dates(
    c: &mut Check,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    promotion_starts_on: Option<NaiveDate>,
    follow_up_ends_on: Option<NaiveDate>,
) {
    if starts_on.is_none() {
        c.fail("starts_on", "set the first day of campaign week (YYYY-MM-DD)");
    }
    if ends_on.is_none() {
        c.fail("ends_on", "set the last day of campaign week (YYYY-MM-DD)");
    }
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        if e < s {
            c.fail("ends_on", "must not be before the day campaign week starts");
        }
        if promotion_starts_on.is_some_and(|p| p > s) {
            c.fail("promotion_starts_on", "must not be after the day campaign week starts");
        }
        if follow_up_ends_on.is_some_and(|f| f < e) {
            c.fail("follow_up_ends_on", "must not be before the day campaign week ends");
        }
    }
}

/// The action plan with its answers trimmed, each checked under `plan.<question>`.
fn action_plan(c: &mut Check, plan: ActionPlan) -> ActionPlan {
    for (key, _, answer) in plan.answers() {
        c.take(&format!("plan.{key}"), optional_text(answer, 5000));
    }
    ActionPlan {
        cs_in_schools: plan.cs_in_schools.trim().to_owned(),
        authorities_view: plan.authorities_view.trim().to_owned(),
        it_companies_view: plan.it_companies_view.trim().to_owned(),
        students_view: plan.students_view.trim().to_owned(),
        why_coding: plan.why_coding.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn draft() -> CampaignDraft {
        CampaignDraft {
            name: Some("Sat kodiranja".into()),
            slug: Some("hr-2026".into()),
            message: Some([("hr".to_owned(), "Svatko može naučiti programirati.".to_owned())].into()),
            goal_students: Some(50_000),
            starts_on: Some(date("2026-12-07")),
            ends_on: Some(date("2026-12-13")),
            ..Default::default()
        }
    }

    #[test]
    fn phases_follow_the_dates() {
        let c = draft().validate().unwrap_or_else(|e| panic!("{e}"));
        for (today, phase) in [
            ("2026-10-11", Phase::Planning),
            ("2026-10-12", Phase::Promotion),
            ("2026-12-06", Phase::Promotion),
            ("2026-12-07", Phase::CampaignWeek),
            ("2026-12-13", Phase::CampaignWeek),
            ("2026-12-14", Phase::FollowUp),
            ("2027-01-10", Phase::FollowUp),
            ("2027-01-11", Phase::Closed),
        ] {
            assert_eq!(c.phase(date(today)), phase, "on {today}");
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = CampaignDraft {
            name: Some("  ".into()),
            slug: Some("Bad Slug".into()),
            country: Some("Croatia".into()),
            languages: Some(vec!["english".into()]),
            strategy: Some(Strategy::Member),
            goal_students: Some(-5),
            starts_on: Some(date("2026-12-07")),
            ends_on: Some(date("2026-12-01")),
            ..Default::default()
        };
        let Err(Invalid(errors)) = bad.validate() else { panic!("accepted a bad campaign") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "slug", "country", "languages", "languages", "parent_id", "goal_students", "ends_on"]
        );
    }

    #[test]
    fn message_languages_must_be_campaign_languages() {
        let mut d = draft();
        d.languages = Some(vec!["en".into()]);
        let Err(Invalid(errors)) = d.validate() else { panic!("accepted") };
        assert_eq!(errors[0].field, "message.hr");
    }

    #[test]
    fn language_tags_are_canonical() {
        for (raw, canon) in [("EN", "en"), ("sr_latn", "sr-Latn"), ("pt-br", "pt-BR")] {
            assert_eq!(LanguageTag::parse(raw).map(|t| t.to_string()), Ok(canon.to_owned()));
        }
        for bad in ["", "e", "english", "en-", "en-x"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let c = draft().validate().unwrap_or_else(|e| panic!("{e}"));
        let patch = CampaignDraft { goal_students: Some(80_000), ..Default::default() };
        let updated = c.to_draft().merge(patch).validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(updated.goal_students, 80_000);
        assert_eq!(updated.name, c.name);
        assert_eq!(updated.message, c.message);
    }

    #[test]
    fn member_campaigns_stay_within_the_umbrella_week() {
        let umbrella = draft().validate().unwrap_or_else(|e| panic!("{e}"));
        let mut m = draft();
        m.strategy = Some(Strategy::Member);
        m.parent_id = Some(Some(CampaignId(1)));
        m.ends_on = Some(date("2026-12-20"));
        let member = m.validate().unwrap_or_else(|e| panic!("{e}"));
        assert!(member.check_within_umbrella(&umbrella).is_err());
    }
}

//! `GET /api/v1/campaigns/{campaign}/activities`

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_domain::activity::{Activity, ActivityStatus, Facet};
use rally_domain::campaign::LanguageTag;
use rally_domain::{FieldError, limits};
use rally_store::activities::CatalogueQuery;
use serde::{Deserialize, Serialize};

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The most activities on one page, and the page size when none is asked for.
const MAX_PER_PAGE: i64 = 500;
const PER_PAGE: i64 = 50;
/// The longest search, in characters.
const Q_MAX: usize = 200;

/// Filters of the team's catalogue list. Each facet takes a comma-separated list of its values
/// (`age=7-10,11-13`): any of them matches, and facets combine with "and".
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ActivityListQuery {
    /// Only activities in this status.
    #[param(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// Words of the title, summary or provider.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `4-6`, `7-10`, `11-13`, `14-18`, `adults`
    #[param(pattern = r"^(\s*(4-6|7-10|11-13|14-18|adults)?\s*)(,\s*(4-6|7-10|11-13|14-18|adults)?\s*)*$")]
    pub age: Option<String>,
    /// `pre`, `k`, `1` … `12`
    #[param(pattern = r"^(\s*(pre|k|1|2|3|4|5|6|7|8|9|10|11|12)?\s*)(,\s*(pre|k|1|2|3|4|5|6|7|8|9|10|11|12)?\s*)*$")]
    pub grade: Option<String>,
    /// `beginner`, `comfortable`
    #[param(pattern = r"^(\s*(beginner|comfortable)?\s*)(,\s*(beginner|comfortable)?\s*)*$")]
    pub student_experience: Option<String>,
    /// `none`, `some`
    #[param(pattern = r"^(\s*(none|some)?\s*)(,\s*(none|some)?\s*)*$")]
    pub teacher_experience: Option<String>,
    /// `tutorial`, `lesson_plan`, `unplugged`, `robotics`
    #[param(
        pattern = r"^(\s*(tutorial|lesson_plan|unplugged|robotics)?\s*)(,\s*(tutorial|lesson_plan|unplugged|robotics)?\s*)*$"
    )]
    pub format: Option<String>,
    /// `up_to_30`, `up_to_60`, `over_60`, `follow_on`
    #[param(
        pattern = r"^(\s*(up_to_30|up_to_60|over_60|follow_on)?\s*)(,\s*(up_to_30|up_to_60|over_60|follow_on)?\s*)*$"
    )]
    pub length: Option<String>,
    /// Language tags it is available in, such as `hr` or `sr-Latn`.
    #[param(
        pattern = r"^(\s*([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?\s*)(,\s*([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?\s*)*$"
    )]
    pub language: Option<String>,
    /// `blocks`, `text`, `none`
    #[param(pattern = r"^(\s*(blocks|text|none)?\s*)(,\s*(blocks|text|none)?\s*)*$")]
    pub programming: Option<String>,
    /// `computers`, `tablets`, `offline`, `no_computers`
    #[param(
        pattern = r"^(\s*(computers|tablets|offline|no_computers)?\s*)(,\s*(computers|tablets|offline|no_computers)?\s*)*$"
    )]
    pub equipment: Option<String>,
    /// `screen_reader`, `keyboard_only`, `no_reading`, `low_motor`
    #[param(
        pattern = r"^(\s*(screen_reader|keyboard_only|no_reading|low_motor)?\s*)(,\s*(screen_reader|keyboard_only|no_reading|low_motor)?\s*)*$"
    )]
    pub accessibility: Option<String>,
    /// `computer_science`, `maths`, `science`, `language_arts`, `art`, `music`, `social_studies`
    #[param(
        pattern = r"^(\s*(computer_science|maths|science|language_arts|art|music|social_studies)?\s*)(,\s*(computer_science|maths|science|language_arts|art|music|social_studies)?\s*)*$"
    )]
    pub subject: Option<String>,
    /// From 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// 1 to 500; 50 when not given.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

impl ActivityListQuery {
    fn facet(&self, facet: Facet) -> Option<&str> {
        match facet {
            Facet::Age => self.age.as_deref(),
            Facet::Grade => self.grade.as_deref(),
            Facet::StudentExperience => self.student_experience.as_deref(),
            Facet::TeacherExperience => self.teacher_experience.as_deref(),
            Facet::Format => self.format.as_deref(),
            Facet::Length => self.length.as_deref(),
            Facet::Language => self.language.as_deref(),
            Facet::Programming => self.programming.as_deref(),
            Facet::Equipment => self.equipment.as_deref(),
            Facet::Accessibility => self.accessibility.as_deref(),
            Facet::Subject => self.subject.as_deref(),
        }
    }

    /// The store's query, or every offending parameter.
    fn into_query(self) -> Result<CatalogueQuery, ApiError> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let mut facets = BTreeMap::new();
        for facet in Facet::ALL.iter().copied() {
            let Some(raw) = self.facet(facet) else { continue };
            // Repeats count once: `age=7-10,7-10` asks for one value.
            let words: BTreeSet<&str> = raw.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
            if words.len() > limits::CHOICES {
                fail(facet.as_str(), limits::too_many(limits::CHOICES));
                continue;
            }
            let mut values = BTreeSet::new();
            for word in words {
                let value = match facet.values() {
                    Some(allowed) if allowed.contains(&word) => Ok(word.to_owned()),
                    Some(allowed) => Err(format!("unknown value `{word}`; expected one of {}", allowed.join(", "))),
                    None => LanguageTag::parse(word).map(String::from),
                };
                match value {
                    Ok(v) => {
                        values.insert(v);
                    }
                    Err(message) => fail(facet.as_str(), message),
                }
            }
            if !values.is_empty() {
                facets.insert(facet, values);
            }
        }
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => ActivityStatus::parse(s).map_err(|e| fail("status", e)).ok(),
        };
        let q = self.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        if q.as_ref().is_some_and(|q| q.chars().count() > Q_MAX) {
            fail("q", format!("at most {Q_MAX} characters"));
        }
        let mut number = |field: &str, raw: Option<String>, default: i64, max: i64| -> i64 {
            match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => default,
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if (1..=max).contains(&n) => n,
                    _ => {
                        fail(field, format!("a whole number from 1 to {max}"));
                        default
                    }
                },
            }
        };
        let page = number("page", self.page, 1, 1_000_000);
        let per_page = number("per_page", self.per_page, PER_PAGE, MAX_PER_PAGE);
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
        Ok(CatalogueQuery { facets, q, status, language: None, page, per_page })
    }
}

/// How many activities of the filtered list have a facet's value (counted as if that facet's own
/// filter were not applied: what choosing the value would give).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacetValueCount {
    pub facet: Facet,
    pub value: String,
    pub activities: i64,
}

/// A page of the catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityPage {
    pub items: Vec<Activity>,
    /// How many match the filters in all.
    pub total: i64,
    pub counts: Vec<FacetValueCount>,
}

/// The campaign's own activities in every status (its umbrella's are not included), by title, with
/// counts per facet value, one page at a time.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/activities", tag = "activities",
    params(("campaign" = String, Path, description = "Campaign id or slug"), ActivityListQuery),
    responses((status = 200, body = ActivityPage, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid filter; names the parameter")))]
pub async fn list_activities(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<ActivityListQuery>, QueryRejection>,
) -> Result<Json<ActivityPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let query = query.into_query()?;
    let id = app.campaign_id(&campaign).await?;
    let catalogue = app.store.activities(auth.actor(), id, &query).await?;
    let counts = catalogue
        .counts
        .into_iter()
        .map(|c| FacetValueCount { facet: c.facet, value: c.value, activities: c.activities })
        .collect();
    let mut items = catalogue.in_language;
    items.extend(catalogue.other_languages);
    Ok(Json(ActivityPage { items, total: catalogue.total, counts }))
}

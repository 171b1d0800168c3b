//! The form that proposes an activity for the catalogue, shared by the public site's "Suggest an
//! activity" page and a partner's link page: its values as typed ([`ActivityForm`]), read into the
//! API's [`ActivityDraft`] and a [`Submitter`], its errors in the reader's language beside their
//! fields, and what the template `site/activity_fields.html` shows ([`ActivityFormView`]). Also the
//! words for facets and their values, which the catalogue's pages use too.

use std::collections::BTreeMap;

use rally_domain::activity::{
    ActivityDraft, ActivityFields, ActivityTextDraft, DESCRIPTION_MAX, DURATION_MAX, Facet, SUMMARY_MAX, Submitter,
    TITLE_MAX,
};
use rally_domain::{FieldError, PartnerId, limits};
use rally_site::i18n::{Arg, Lang};

use super::{EVENT_LANGUAGES, FormData, language_name};

/// The longest provider's and submitter's name, and what to print per student, in characters (the
/// domain's limits, named in the errors).
const NAME_MAX: i64 = 200;
const PRINT_MAX: i64 = 500;

/// The form's values as typed, kept when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct ActivityForm {
    /// The language the title and descriptions are written in.
    pub language: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub provider_name: String,
    pub duration_minutes: String,
    pub has_follow_on: bool,
    pub print_per_student: String,
    /// The languages it is available in (checkbox values).
    pub languages: Vec<String>,
    /// Values of the facets a submitter chooses, by facet.
    pub facets: BTreeMap<Facet, Vec<String>>,
    pub submitter_name: String,
    pub submitter_email: String,
}

impl ActivityForm {
    /// A new form: written in the reader's language, of an hour, made by `provider_name`.
    pub fn blank(language: &str, provider_name: &str) -> ActivityForm {
        ActivityForm {
            language: language.to_owned(),
            provider_name: provider_name.to_owned(),
            duration_minutes: "60".into(),
            languages: vec![language.to_owned()],
            ..ActivityForm::default()
        }
    }

    /// The form as posted (fields it does not know are ignored).
    pub fn read(data: &FormData) -> ActivityForm {
        let g = |k: &str| data.get(k).to_owned();
        let all = |k: &str| data.0.iter().filter(|(name, _)| name == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        ActivityForm {
            language: g("language"),
            title: g("title"),
            summary: g("summary"),
            description: g("description"),
            url: g("url"),
            provider_name: g("provider_name"),
            duration_minutes: g("duration_minutes"),
            has_follow_on: data.get("has_follow_on") == "on",
            print_per_student: g("print_per_student"),
            languages: all("languages"),
            facets: Facet::ALL
                .iter()
                .filter(|f| f.chosen())
                .map(|f| (*f, all(f.as_str())))
                .filter(|(_, values)| !values.is_empty())
                .collect(),
            submitter_name: g("submitter_name"),
            submitter_email: g("submitter_email"),
        }
    }

    /// The activity and who proposes it, checked by the domain's rules; else every problem, each under
    /// the form's own field name.
    pub fn check(
        &self,
        partner: Option<PartnerId>,
        locale: &str,
    ) -> Result<(ActivityFields, Submitter), Vec<FieldError>> {
        let mut errors = Vec::new();
        let duration = match self.duration_minutes.trim() {
            "" => None,
            raw => raw
                .parse::<i64>()
                .map_err(|_| {
                    errors.push(FieldError { field: "duration_minutes".into(), message: "not a number".into() })
                })
                .ok(),
        };
        let draft = ActivityDraft {
            texts: Some(vec![ActivityTextDraft {
                language: Some(self.language.clone()),
                title: Some(self.title.clone()),
                summary: Some(self.summary.clone()),
                description: Some(self.description.clone()),
            }]),
            url: Some(self.url.clone()),
            provider_name: Some(self.provider_name.clone()),
            duration_minutes: duration,
            has_follow_on: Some(self.has_follow_on),
            print_per_student: Some(self.print_per_student.clone()),
            languages: Some(self.languages.clone()),
            facets: Some(self.facets.clone()),
            ..ActivityDraft::default()
        };
        let fields = draft.validate().map_err(|e| errors.extend(e.0.into_iter().map(form_field))).ok();
        let submitter = Submitter::parse(partner, &self.submitter_name, &self.submitter_email, locale)
            .map_err(|e| errors.extend(e.0))
            .ok();
        match (fields, submitter) {
            (Some(fields), Some(submitter)) if errors.is_empty() => Ok((fields, submitter)),
            _ => Err(errors),
        }
    }

    /// A domain error's field said in `l`, knowing what was typed.
    fn message(&self, l: Lang, field: &str) -> String {
        let text = |value: &str, max: i64| {
            if value.trim().is_empty() {
                l.t("error-required")
            } else {
                l.t_with("error-too-long", &[("max", Arg::Num(max))])
            }
        };
        let long = |max: usize| text("x", i64::try_from(max).unwrap_or(i64::MAX));
        match field {
            "language" => l.t("error-language"),
            "title" => text(&self.title, i64::try_from(TITLE_MAX).unwrap_or(i64::MAX)),
            "summary" => long(SUMMARY_MAX),
            "description" => long(DESCRIPTION_MAX),
            "url" if self.url.trim().is_empty() => l.t("activity-error-url-missing"),
            "url" => l.t("error-url"),
            "provider_name" => text(&self.provider_name, NAME_MAX),
            "duration_minutes" => l.t_with("activity-error-duration", &[("max", Arg::Num(DURATION_MAX))]),
            "print_per_student" => text(&self.print_per_student, PRINT_MAX),
            "languages" => l.t_with("activity-error-languages", &[("max", Arg::Num(limits::LANGUAGES as i64))]),
            "submitter_name" => text(&self.submitter_name, NAME_MAX),
            "submitter_email" => l.t("error-email"),
            _ => l.t("activity-error-choice"),
        }
    }

    /// Every problem in `l`, by form field, once per field.
    pub fn messages(&self, l: Lang, errors: &[FieldError]) -> Vec<(String, String)> {
        let mut said: Vec<(String, String)> = Vec::new();
        for e in errors {
            if !said.iter().any(|(field, _)| *field == e.field) {
                said.push((e.field.clone(), self.message(l, &e.field)));
            }
        }
        said
    }
}

/// A domain error named by the form's field: `texts.0.title` is `title`, `facets.age` is `age`.
fn form_field(mut e: FieldError) -> FieldError {
    let field = e.field.strip_prefix("texts.0.").or_else(|| e.field.strip_prefix("facets.")).map(str::to_owned);
    if let Some(field) = field {
        e.field = field;
    } else if e.field == "texts" {
        e.field = "title".into();
    }
    e
}

/// A facet's name in `l`.
pub fn facet_name(l: Lang, facet: Facet) -> String {
    l.t(&format!("facet-{}", facet.as_str()))
}

/// A facet value in `l`: a language by its own name, a school grade by its number, the rest by their
/// message (`facet-equipment-no_computers`).
pub fn value_label(l: Lang, facet: Facet, value: &str) -> String {
    match facet {
        Facet::Language => language_name(value),
        Facet::Grade if value.bytes().all(|b| b.is_ascii_digit()) => {
            l.t_with("facet-grade-n", &[("grade", Arg::Num(value.parse().unwrap_or_default()))])
        }
        _ => l.t(&format!("facet-{}-{value}", facet.as_str())),
    }
}

/// One facet of the form: its field name, legend and values (value, words, checked).
#[derive(Debug)]
pub struct FacetChoice {
    pub name: &'static str,
    pub legend: String,
    pub values: Vec<(&'static str, String, bool)>,
}

/// What `site/activity_fields.html` shows: the values, errors by field and the lists to choose from.
#[derive(Debug)]
pub struct ActivityFormView {
    pub lang: Lang,
    pub f: ActivityForm,
    pub errors: Vec<(String, String)>,
    pub languages: &'static [(&'static str, &'static str)],
    pub facets: Vec<FacetChoice>,
}

impl ActivityFormView {
    pub fn new(lang: Lang, f: ActivityForm, errors: &[FieldError]) -> ActivityFormView {
        let facets = Facet::ALL
            .iter()
            .filter(|facet| facet.chosen())
            .filter_map(|&facet| {
                let chosen = f.facets.get(&facet);
                let values = facet
                    .values()?
                    .iter()
                    .map(|&v| (v, value_label(lang, facet, v), chosen.is_some_and(|c| c.iter().any(|x| x == v))))
                    .collect();
                Some(FacetChoice { name: facet.as_str(), legend: facet_name(lang, facet), values })
            })
            .collect();
        ActivityFormView { errors: f.messages(lang, errors), lang, f, languages: EVENT_LANGUAGES, facets }
    }

    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Whether the activity is said to be available in `code`.
    pub fn offered_in(&self, code: &str) -> bool {
        self.f.languages.iter().any(|l| l == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_facet_and_value_has_words_in_every_language() {
        for l in Lang::all() {
            for &facet in Facet::ALL {
                assert!(!facet_name(l, facet).starts_with("facet-"), "{} {facet:?}", l.code());
                for value in facet.values().unwrap_or_default() {
                    let words = value_label(l, facet, value);
                    assert!(!words.starts_with("facet-") && !words.is_empty(), "{} {facet:?} {value}", l.code());
                }
            }
        }
        assert_eq!(value_label(Lang::EN, Facet::Grade, "3"), "Grade 3");
        assert_eq!(value_label(Lang::EN, Facet::Language, "sr-Latn"), "Srpski");
    }

    #[test]
    fn domain_errors_come_back_under_the_forms_fields_in_the_readers_language() {
        let typed = ActivityForm {
            language: "hr".into(),
            title: " ".into(),
            url: String::new(),
            duration_minutes: "sat".into(),
            facets: BTreeMap::from([(Facet::Age, vec!["99".into()])]),
            submitter_email: "nobody".into(),
            ..ActivityForm::blank("hr", "")
        };
        let Err(errors) = typed.check(None, "hr") else { panic!("accepted") };
        let hr = Lang::parse("hr").unwrap_or(Lang::EN);
        let said = typed.messages(hr, &errors);
        let fields: Vec<&str> = said.iter().map(|(f, _)| f.as_str()).collect();
        for field in ["duration_minutes", "title", "url", "age", "submitter_name", "submitter_email"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        let say = |field: &str| said.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()).unwrap_or_default();
        assert_eq!(say("title"), hr.t("error-required"));
        assert_eq!(say("url"), hr.t("activity-error-url-missing"));
        assert_eq!(say("age"), hr.t("activity-error-choice"));
    }
}

//! Adding and editing an activity: the form (texts per language, where it lives, who made it, how long
//! it takes, what to print, its languages and facet values) read into the API's `ActivityDraft`, shown
//! again with every error beside its field and nothing lost; deleting one after asking.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::activity::{Activity, ActivityDraft, ActivityStatus, Facet};
use rally_domain::limits::LANGUAGES;
use rally_domain::{CampaignId, FieldError};
use rally_store::PartnerFilter;
use serde_json::{Map, Value, json};

use super::{activity_in, may_change, value_label};
use crate::AppState;
use crate::kit::{FormState, field_errors};
use crate::pages::{FormData, Layout, PageError, SignedIn, render};

/// The name the form that failed goes by in its [`FormState`].
const FORM: &str = "activity";

/// The form's fields and their labels, for the error summary (texts' fields are named per block).
const LABELS: &[(&str, &str)] = &[
    ("texts", "Texts"),
    ("url", "Web address"),
    ("asset", "File to download"),
    ("image_url", "Picture"),
    ("provider", "Made by"),
    ("provider_name", "Maker's name"),
    ("duration_minutes", "Duration"),
    ("print_per_student", "To print per student"),
    ("languages", "Available in"),
];

/// A facet's checkboxes on the form.
pub struct FacetChoice {
    /// The form field: `facets.age`.
    pub field: String,
    pub label: &'static str,
    pub values: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "activities_form.html")]
struct FormPage {
    layout: Layout,
    slug: String,
    /// `None` while adding.
    activity: Option<Stored>,
    can_edit: bool,
    /// How many text blocks the form shows (the stored or typed ones, and one more for another language).
    blocks: Vec<usize>,
    partners: Vec<(i64, String)>,
    assets: Vec<(i64, String)>,
    facets: Vec<FacetChoice>,
    /// What the form shows (the stored activity's values, or what was typed) and its errors.
    state: FormState,
    /// A failed "hide now": its reason and error.
    hide: FormState,
    /// Just saved: say so.
    saved: bool,
}

/// What the edit page says about the stored activity beyond its fields.
pub struct Stored {
    pub id: i64,
    pub title: String,
    pub status: ActivityStatus,
    pub reason: String,
    pub submitter: Option<String>,
}

impl FormPage {
    /// The error summary: each error with the id of its field and its label.
    fn summary(&self) -> Vec<(String, String)> {
        self.state
            .errors
            .iter()
            .map(|e| (format!("a-{}", e.field), format!("{}: {}", field_label(&e.field), e.message)))
            .collect()
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.state.error(FORM, field)
    }

    fn value(&self, field: &str) -> &str {
        self.state.value(FORM, field, "")
    }

    fn checked(&self, field: &str, value: &str) -> bool {
        self.state.checked(FORM, field, value)
    }

    fn text_field(&self, block: &usize, name: &str) -> String {
        format!("texts.{block}.{name}")
    }
}

/// A field's label in the error summary: "Title (language 2)".
fn field_label(field: &str) -> String {
    let mut parts = field.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("texts"), Some(i), Some(name)) => {
            let n = i.parse::<usize>().map_or(0, |i| i + 1);
            let name = match name {
                "language" => "Language",
                "title" => "Title",
                "summary" => "Summary",
                _ => "Description",
            };
            format!("{name} (text {n})")
        }
        (Some("facets"), Some(facet), _) => Facet::parse(facet).map_or("Facets", Facet::label).to_owned(),
        _ => LABELS.iter().find(|(f, _)| *f == field).map_or(field, |(_, l)| l).to_owned(),
    }
}

/// The stored activity as the form sends it, so one template shows a stored activity and a typed one.
fn as_form(a: &Activity) -> FormData {
    let f = &a.fields;
    let mut pairs = Vec::new();
    let mut put = |k: String, v: String| pairs.push((k, v));
    for (i, t) in f.texts.iter().enumerate() {
        put(format!("texts.{i}.language"), t.language.to_string());
        put(format!("texts.{i}.title"), t.title.clone());
        put(format!("texts.{i}.summary"), t.summary.clone());
        put(format!("texts.{i}.description"), t.description.clone());
    }
    put("url".into(), f.url.clone().unwrap_or_default());
    put("asset".into(), f.asset.map(|a| a.0.to_string()).unwrap_or_default());
    put("image_url".into(), f.image_url.clone().unwrap_or_default());
    put("provider".into(), f.provider.map(|p| p.0.to_string()).unwrap_or_default());
    put("provider_name".into(), if f.provider.is_some() { String::new() } else { f.provider_name.clone() });
    put("duration_minutes".into(), f.duration_minutes.to_string());
    if f.has_follow_on {
        put("has_follow_on".into(), "on".into());
    }
    put("print_per_student".into(), f.print_per_student.clone());
    put("languages".into(), f.languages.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
    for (facet, values) in &f.facets {
        for v in values {
            put(format!("facets.{}", facet.as_str()), v.clone());
        }
    }
    FormData(pairs)
}

/// The highest text block index the form sent, if any.
fn last_block(form: &FormData) -> Option<usize> {
    form.0
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("texts.")?.split('.').next()?.parse::<usize>().ok())
        .filter(|i| *i < LANGUAGES)
        .max()
}

/// The form read into an [`ActivityDraft`] as the API would read its JSON (blank text blocks left
/// out), with errors renamed to the form's fields. `partners` names the provider when one is chosen.
fn read_draft(form: &FormData, partners: &[(i64, String)]) -> (ActivityDraft, Vec<FieldError>) {
    let mut errors = Vec::new();
    let sent = sent_blocks(form);
    let texts: Vec<Value> = sent
        .iter()
        .map(|i| {
            let get = |name: &str| form.get(&format!("texts.{i}.{name}")).trim().to_owned();
            json!({"language": get("language"), "title": get("title"), "summary": get("summary"), "description": get("description")})
        })
        .collect();
    let mut body = Map::new();
    body.insert("texts".into(), Value::Array(texts));
    for name in ["url", "image_url", "print_per_student"] {
        body.insert(name.into(), Value::String(form.get(name).trim().to_owned()));
    }
    let id_of = |name: &str, errors: &mut Vec<FieldError>| form.number(name, errors).map_or(Value::Null, Value::from);
    body.insert("asset".into(), id_of("asset", &mut errors));
    let provider = form.number("provider", &mut errors);
    body.insert("provider".into(), provider.map_or(Value::Null, Value::from));
    // A partner's name is the maker's name shown; otherwise what was typed.
    let provider_name = provider
        .and_then(|p| partners.iter().find(|(id, _)| *id == p).map(|(_, name)| name.clone()))
        .unwrap_or_else(|| form.get("provider_name").trim().to_owned());
    body.insert("provider_name".into(), Value::String(provider_name));
    if let Some(minutes) = form.number("duration_minutes", &mut errors) {
        body.insert("duration_minutes".into(), Value::from(minutes));
    } else if form.some("duration_minutes").is_none() {
        errors.push(FieldError { field: "duration_minutes".into(), message: "give the duration in minutes".into() });
    }
    body.insert("has_follow_on".into(), Value::Bool(form.get("has_follow_on") == "on"));
    let languages: Vec<Value> = form
        .get("languages")
        .split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Value::String(l.to_owned()))
        .collect();
    body.insert("languages".into(), Value::Array(languages));
    let facets: Map<String, Value> = Facet::ALL
        .iter()
        .filter(|f| f.chosen())
        .map(|f| {
            let field = format!("facets.{}", f.as_str());
            let values = form.0.iter().filter(|(k, _)| *k == field).map(|(_, v)| Value::String(v.clone())).collect();
            (f.as_str().to_owned(), Value::Array(values))
        })
        .collect();
    body.insert("facets".into(), Value::Object(facets));
    let draft = match crate::extract::from_value::<ActivityDraft>(Value::Object(body)) {
        Ok(draft) => draft,
        Err(crate::ApiError::Invalid(read)) => {
            errors.extend(read);
            ActivityDraft::default()
        }
        Err(other) => {
            errors.push(FieldError { field: "texts".into(), message: other.problem().detail });
            ActivityDraft::default()
        }
    };
    (draft, errors.into_iter().map(|e| on_form(e, &sent)).collect())
}

/// An error on the n-th text sent, renamed to its block on the form; others as they are.
fn on_form(mut e: FieldError, sent: &[usize]) -> FieldError {
    let mut parts = e.field.splitn(3, '.');
    if let (Some("texts"), Some(n), Some(rest)) = (parts.next(), parts.next(), parts.next())
        && let Some(block) = n.parse::<usize>().ok().and_then(|n| sent.get(n))
    {
        e.field = format!("texts.{block}.{rest}");
    } else if e.field == "texts" && sent.is_empty() {
        e.field = "texts.0.title".into();
    }
    e
}

/// The campaign's partners and assets for the form's pickers.
async fn pickers(
    app: &AppState,
    me: &SignedIn,
    campaign: CampaignId,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), PageError> {
    let filter =
        PartnerFilter { limit: rally_store::MAX_PAGE, sort: rally_store::PartnerSort::Name, ..Default::default() };
    let partners = app.store.partners(me.actor(), campaign, &filter).await?;
    let partners = partners.items.into_iter().map(|p| (p.id.0, p.fields.name)).collect();
    let assets = app.store.assets(me.actor(), campaign).await?;
    let assets = assets.into_iter().map(|a| (a.id.0, a.fields.title)).collect();
    Ok((partners, assets))
}

/// Shows the form: adding (`activity` is `None`) or editing, with `state` holding what to show.
async fn form_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    activity: Option<&Activity>,
    state: FormState,
    hide: FormState,
    saved: bool,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let (partners, assets) = pickers(app, me, found.campaign.id).await?;
    let filled = last_block(&state.form).map_or(0, |i| i + 1);
    let stored_texts = activity.map_or(0, |a| a.fields.texts.len());
    let blocks = (filled.max(stored_texts + 1)).clamp(1, LANGUAGES);
    let title = activity.and_then(|a| a.fields.text_in("en")).map(|t| t.title.clone());
    let heading = title.clone().unwrap_or_else(|| "Add an activity".into());
    let layout =
        Layout::new(app, me, Some(slug), "activities", format!("{heading} · {}", found.campaign.fields.name)).await?;
    let status = if state.errors.is_empty() && hide.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&FormPage {
        layout,
        slug: slug.to_owned(),
        activity: activity.map(|a| Stored {
            id: a.id.0,
            title: title.unwrap_or_default(),
            status: a.status,
            reason: a.reason.clone(),
            submitter: a.submitter.as_ref().map(|s| format!("{} <{}>", s.name, s.email)),
        }),
        can_edit: may_change(me, found.role),
        blocks: (0..blocks).collect(),
        partners,
        assets,
        facets: Facet::ALL
            .iter()
            .filter(|f| f.chosen())
            .map(|f| FacetChoice {
                field: format!("facets.{}", f.as_str()),
                label: f.label(),
                values: f.values().unwrap_or_default().iter().map(|v| (*v, value_label(*f, v))).collect(),
            })
            .collect(),
        state,
        hide,
        saved,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The empty form (an hour-long activity until the team says otherwise).
pub async fn new_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let blank = FormData(vec![("duration_minutes".into(), "60".into())]);
    form_page(&app, &me, &slug, None, FormState::new(FORM, blank, Vec::new()), FormState::default(), false).await
}

/// An activity's page: its form filled in, its status and what can be done with it.
pub async fn edit_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let activity = activity_in(&app, &me, &slug, &id).await?;
    let state = FormState::new(FORM, as_form(&activity), Vec::new());
    let saved = query.as_deref() == Some("saved=1");
    form_page(&app, &me, &slug, Some(&activity), state, FormState::default(), saved).await
}

/// Adds an activity to the catalogue, listed.
pub async fn create(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = crate::pages::campaign_id(&app, &slug).await?;
    let (partners, _) = pickers(&app, &me, campaign).await?;
    let (draft, mut errors) = read_draft(&form, &partners);
    let sent = sent_blocks(&form);
    match draft.validate() {
        Ok(fields) if errors.is_empty() => {
            match app.store.create_activity(me.actor(), campaign, fields, Utc::now()).await {
                Ok(a) => {
                    return Ok(
                        Redirect::to(&format!("/campaigns/{slug}/activities/{}?saved=1", a.id.0)).into_response()
                    );
                }
                Err(e) => errors.extend(field_errors(e)?.into_iter().map(|e| on_form(e, &sent))),
            }
        }
        Ok(_) => {}
        Err(invalid) => errors.extend(invalid.0.into_iter().map(|e| on_form(e, &sent))),
    }
    form_page(&app, &me, &slug, None, FormState::new(FORM, form, errors), FormState::default(), false).await
}

/// The blocks of the form that carry a text, in order (the n-th text sent is block `sent[n]`).
fn sent_blocks(form: &FormData) -> Vec<usize> {
    (0..=last_block(form).unwrap_or(0))
        .filter(|i| {
            ["language", "title", "summary", "description"]
                .iter()
                .any(|name| !form.get(&format!("texts.{i}.{name}")).trim().is_empty())
        })
        .collect()
}

/// Saves an activity's form: every field as shown.
pub async fn update(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let activity = activity_in(&app, &me, &slug, &id).await?;
    let (partners, _) = pickers(&app, &me, activity.campaign_id).await?;
    let (draft, mut errors) = read_draft(&form, &partners);
    let sent = sent_blocks(&form);
    match draft.validate() {
        Ok(fields) if errors.is_empty() => {
            match app.store.update_activity(me.actor(), activity.id, fields, Utc::now()).await {
                Ok(_) => {
                    let to = format!("/campaigns/{slug}/activities/{}?saved=1", activity.id.0);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => errors.extend(field_errors(e)?.into_iter().map(|e| on_form(e, &sent))),
            }
        }
        Ok(_) => {}
        Err(invalid) => errors.extend(invalid.0.into_iter().map(|e| on_form(e, &sent))),
    }
    let state = FormState::new(FORM, form, errors);
    form_page(&app, &me, &slug, Some(&activity), state, FormState::default(), false).await
}

/// Deletes an activity (events that chose it no longer name it).
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let activity = activity_in(&app, &me, &slug, &id).await?;
    app.store.delete_activity(me.actor(), activity.id).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}/activities")).into_response())
}

/// The edit page again after a failed "hide now", with its error.
pub(super) async fn refused_hide(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    activity: &Activity,
    hide: FormState,
) -> Result<Response, PageError> {
    let state = FormState::new(FORM, as_form(activity), Vec::new());
    form_page(app, me, slug, Some(activity), state, hide, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn errors_land_on_the_block_that_was_typed_in() {
        let typed = form(&[
            ("texts.0.language", ""),
            ("texts.0.title", ""),
            ("texts.1.language", "hr"),
            ("texts.1.title", ""),
            ("texts.1.summary", "Kratko."),
            ("url", "https://example.org"),
            ("duration_minutes", "45"),
        ]);
        assert_eq!(sent_blocks(&typed), [1]);
        let (draft, errors) = read_draft(&typed, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        let invalid = draft.validate().err().map(|i| i.0).unwrap_or_default();
        let fields: Vec<String> = invalid.into_iter().map(|e| on_form(e, &[1]).field).collect();
        assert_eq!(fields, ["texts.1.title"]);
        assert_eq!(field_label("texts.1.title"), "Title (text 2)");
        assert_eq!(field_label("facets.equipment"), "Equipment");
        assert_eq!(field_label("duration_minutes"), "Duration");
    }

    #[test]
    fn a_partner_names_the_maker_and_a_blank_form_names_its_title() {
        let typed = form(&[("provider", "7"), ("provider_name", "ignored"), ("duration_minutes", "")]);
        let (draft, errors) = read_draft(&typed, &[(7, "Tesla Robotics".into())]);
        assert_eq!(draft.provider_name.as_deref(), Some("Tesla Robotics"));
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["duration_minutes"]);
        let invalid = draft.validate().err().map(|i| i.0).unwrap_or_default();
        let fields: Vec<String> = invalid.into_iter().map(|e| on_form(e, &[]).field).collect();
        assert!(fields.contains(&"texts.0.title".to_owned()), "{fields:?}");
    }
}

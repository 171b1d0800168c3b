//! The public catalogue (`/c/{slug}/activities`) with its filters and counts, an activity's page
//! (`/c/{slug}/activities/{id}`) and its material to download.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rally_domain::ActivityId;
use rally_domain::activity::{Activity, Facet};
use rally_site::i18n::{Arg, Lang};
use rally_store::activities::CatalogueQuery;
use rally_store::{Actor, StoreError};

use super::query::{Filters, facet_order};
use crate::AppState;
use crate::kit::activity_form::{facet_name, value_label};
use crate::kit::{PageError, language_name, render};
use crate::site::{Ctx, SiteView};

/// Activities on one page of the catalogue.
const PER_PAGE: i64 = 20;

/// The facets a card shows beside its title and provider.
const CARD_FACETS: [Facet; 3] = [Facet::Age, Facet::Format, Facet::Equipment];

/// The facets whose values the filters show without a click (the rest open on demand, which keeps the
/// filters short on a phone).
const OPEN_FACETS: [Facet; 3] = [Facet::Age, Facet::Equipment, Facet::Language];

/// An activity as the catalogue lists it.
#[derive(Debug)]
pub struct Card {
    pub href: String,
    pub title: String,
    /// The language of its title and summary when it is not the page's (for the `lang` attribute).
    pub lang: Option<String>,
    pub summary: String,
    pub provider: String,
    /// "By …", or empty without a provider.
    pub by: String,
    pub duration: String,
    /// Facet name and the activity's values of it, in words.
    pub facts: Vec<(String, String)>,
    pub url: Option<String>,
}

/// The language of an activity's text in `l`, when it is another one.
fn other_language(tag: &str, l: Lang) -> Option<String> {
    (tag.split('-').next() != Some(l.code())).then(|| tag.to_owned())
}

/// How long it takes, in words, with "has follow-on lessons".
fn duration(l: Lang, a: &Activity) -> String {
    let minutes = l.t_with("activity-minutes", &[("minutes", Arg::Num(a.fields.duration_minutes))]);
    if a.fields.has_follow_on { format!("{minutes}, {}", l.t("activity-follow-on")) } else { minutes }
}

/// The activity's values of `facet` in words, in the facet's order.
fn values_of(l: Lang, a: &Activity, facet: Facet) -> Vec<(String, String)> {
    let Some(chosen) = a.fields.facets.get(&facet) else { return Vec::new() };
    let mut values: Vec<&String> = chosen.iter().collect();
    if let Some(order) = facet.values() {
        values.sort_by_key(|v| order.iter().position(|o| o == v));
    }
    values.into_iter().map(|v| (v.clone(), value_label(l, facet, v))).collect()
}

impl Card {
    fn new(l: Lang, slug: &str, a: &Activity) -> Card {
        let text = a.fields.text_in(l.code());
        Card {
            href: format!("/c/{slug}/activities/{}", a.id.0),
            title: text.map(|t| t.title.clone()).unwrap_or_default(),
            lang: text.and_then(|t| other_language(t.language.as_str(), l)),
            summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
            provider: a.fields.provider_name.clone(),
            by: Some(a.fields.provider_name.as_str())
                .filter(|p| !p.is_empty())
                .map(|p| l.t_with("activity-by", &[("provider", Arg::Str(p))]))
                .unwrap_or_default(),
            duration: duration(l, a),
            facts: CARD_FACETS
                .iter()
                .filter_map(|&facet| {
                    let words: Vec<String> = values_of(l, a, facet).into_iter().map(|(_, w)| w).collect();
                    (!words.is_empty()).then(|| (facet_name(l, facet), words.join(", ")))
                })
                .collect(),
            url: a.fields.url.clone(),
        }
    }
}

/// One value of a facet among the filters.
#[derive(Debug)]
pub struct ValueView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub count: String,
    pub checked: bool,
}

/// One facet among the filters.
#[derive(Debug)]
pub struct FacetView {
    pub name: &'static str,
    pub legend: String,
    pub values: Vec<ValueView>,
    /// Shown open: the facets teachers reach for first, and any with a value chosen.
    pub open: bool,
}

#[derive(Template)]
#[template(path = "site/activities.html")]
struct CataloguePage {
    v: SiteView,
    q: String,
    facets: Vec<FacetView>,
    /// A chosen value's words and the address without it.
    chosen: Vec<(String, String)>,
    clear: String,
    count: String,
    in_language: Vec<Card>,
    other: Vec<Card>,
    previous: Option<String>,
    next: Option<String>,
}

/// The filters' facets with the values worth offering: those some activity has, and those chosen.
fn facet_views(l: Lang, filters: &Filters, counts: &HashMap<(Facet, String), i64>) -> Vec<FacetView> {
    let mut languages: Vec<String> =
        counts.keys().filter(|(f, _)| *f == Facet::Language).map(|(_, v)| v.clone()).collect();
    languages.extend(filters.facets.get(&Facet::Language).into_iter().flatten().cloned());
    languages.sort();
    languages.dedup();
    facet_order()
        .map(|facet| {
            let values: Vec<String> = match facet.values() {
                Some(values) => values.iter().map(|v| (*v).to_owned()).collect(),
                None => languages.clone(),
            };
            let values: Vec<ValueView> = values
                .into_iter()
                .filter_map(|value| {
                    let n = counts.get(&(facet, value.clone())).copied().unwrap_or(0);
                    let checked = filters.has(facet, &value);
                    (n > 0 || checked).then(|| ValueView {
                        id: format!("f-{}-{}", facet.as_str(), value),
                        label: value_label(l, facet, &value),
                        count: l.number(n),
                        checked,
                        value,
                    })
                })
                .collect();
            FacetView {
                name: facet.as_str(),
                legend: facet_name(l, facet),
                open: OPEN_FACETS.contains(&facet) || values.iter().any(|v| v.checked),
                values,
            }
        })
        .filter(|f| !f.values.is_empty())
        .collect()
}

/// `GET /c/{slug}/activities`: the listed activities (the umbrella's too) that match the filters, in the
/// visitor's language first; an address not in canonical order is sent to the one that is.
pub async fn catalogue(State(app): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let raw = raw.unwrap_or_default();
    let filters = Filters::parse(&raw);
    let slug = ctx.slug().to_owned();
    if !filters.is_canonical(&raw) {
        let to = HeaderValue::from_str(&filters.href(&slug)).map_err(|_| PageError::NotFound)?;
        return Ok(ctx.respond((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response()));
    }
    let l = ctx.lang;
    let query = CatalogueQuery {
        facets: filters.facets.clone(),
        q: Some(filters.q.clone()).filter(|q| !q.is_empty()),
        status: None,
        language: Some(l.code().to_owned()),
        page: filters.page,
        per_page: PER_PAGE,
    };
    let found = app.store.catalogue(ctx.site.campaign.id, &query).await?;
    let counts: HashMap<(Facet, String), i64> =
        found.counts.iter().map(|c| ((c.facet, c.value.clone()), c.activities)).collect();
    let page_at = |p: i64| Filters { page: p, ..filters.clone() }.href(&slug);
    let unfiltered = Filters { lang: filters.lang.clone(), page: 1, ..Filters::default() };
    let chosen = filters
        .chosen()
        .into_iter()
        .map(|(facet, v)| {
            let words = l.t_with("activities-remove", &[("value", Arg::Str(&value_label(l, facet, v)))]);
            (words, filters.toggled(facet, v).href(&slug))
        })
        .collect();
    let mut v = ctx.view("activities", &format!("/c/{slug}/activities"));
    // The language switcher keeps the filters.
    let kept = Filters { lang: None, ..filters.clone() };
    for (code, _, href, _) in &mut v.languages {
        *href = Filters { lang: Some((*code).to_owned()), ..kept.clone() }.href(&slug);
    }
    let page = CataloguePage {
        v,
        q: filters.q.clone(),
        facets: facet_views(l, &filters, &counts),
        chosen,
        clear: unfiltered.href(&slug),
        count: l.t_with("activities-count", &[("count", Arg::Num(found.total))]),
        in_language: found.in_language.iter().map(|a| Card::new(l, &slug, a)).collect(),
        other: found.other_languages.iter().map(|a| Card::new(l, &slug, a)).collect(),
        previous: (filters.page > 1).then(|| page_at(filters.page - 1)),
        next: (filters.page * PER_PAGE < found.total).then(|| page_at(filters.page + 1)),
    };
    Ok(ctx.respond(render(&page)?))
}

#[derive(Template)]
#[template(path = "site/activity.html")]
struct ActivityPage {
    v: SiteView,
    card: Card,
    description: String,
    /// Facet name and its values: words and the catalogue filtered by the value.
    facts: Vec<(String, Vec<(String, String)>)>,
    /// Name, the catalogue in that language, tag.
    languages: Vec<(String, String, String)>,
    print_per_student: String,
    usage: String,
    host: String,
    download: Option<String>,
}

/// An activity id from the address; anything else is not found.
fn activity_id(raw: &str) -> Result<ActivityId, PageError> {
    raw.parse().map(ActivityId).map_err(|_| PageError::NotFound)
}

/// `GET /c/{slug}/activities/{id}`: everything about one activity, how many events and students chose
/// it, and the way to host an event with it.
pub async fn activity(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (a, usage) = app.store.public_activity(ctx.site.campaign.id, activity_id(&id)?).await?;
    let l = ctx.lang;
    let filter_by =
        |facet: Facet, value: &str| Filters { page: 1, ..Filters::default() }.toggled(facet, value).href(&slug);
    let facts = facet_order()
        .filter(|f| f.chosen())
        .filter_map(|facet| {
            let values: Vec<(String, String)> =
                values_of(l, &a, facet).into_iter().map(|(v, words)| (words, filter_by(facet, &v))).collect();
            (!values.is_empty()).then(|| (facet_name(l, facet), values))
        })
        .collect();
    let text = a.fields.text_in(l.code());
    let page = ActivityPage {
        v: ctx.view("activities", &format!("/c/{slug}/activities/{}", a.id.0)),
        description: text.map(|t| t.description.clone()).unwrap_or_default(),
        facts,
        languages: a
            .fields
            .languages
            .iter()
            .map(|tag| (language_name(tag.as_str()), filter_by(Facet::Language, tag.as_str()), tag.to_string()))
            .collect(),
        print_per_student: a.fields.print_per_student.clone(),
        usage: l
            .t_with("activity-usage", &[("events", Arg::Num(usage.events)), ("students", Arg::Num(usage.students))]),
        host: format!("/c/{slug}/register?activity={}", a.id.0),
        download: a.fields.asset.map(|_| format!("/c/{slug}/activities/{}/material", a.id.0)),
        card: Card::new(l, &slug, &a),
    };
    Ok(ctx.respond(render(&page)?))
}

/// `GET /c/{slug}/activities/{id}/material`: the file of an unplugged activity, to print. Anyone may
/// have it once the activity is in the public catalogue.
pub async fn material(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (a, _) = app.store.public_activity(ctx.site.campaign.id, activity_id(&id)?).await?;
    let asset_id = a.fields.asset.ok_or(PageError::NotFound)?;
    // The activity being listed here is the visitor's right to its file; the store is asked as the
    // system, and the asset must be the activity's own campaign's.
    let asset = match app.store.asset(Actor::System, asset_id).await {
        Ok(asset) if asset.campaign_id == a.campaign_id => asset,
        Ok(_) | Err(StoreError::NotFound(_)) => return Err(PageError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let file = asset.file.ok_or(PageError::NotFound)?;
    Ok(crate::kit::uploads::serve_file(&app.files, &file, true).await)
}

//! `/campaigns/{slug}/activities`: the team's activity catalogue — the list with the public catalogue's
//! facet filters (and the status), counts and search; adding, editing and deleting activities
//! (`form.rs`); the review queue of submissions, "hide now" and the umbrella's offer (`review.rs`).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use rally_domain::activity::{Activity, ActivityStatus, Facet};
use rally_domain::{Action, ActivityId, CampaignId, Role};
use rally_store::activities::{CatalogueQuery, FacetCount};

use super::{Layout, PageError, SignedIn, number, render};
use crate::AppState;

mod form;
mod labels;
mod review;

pub use labels::{language_name, value_label};

/// The catalogue's routes, merged into the team app's.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{slug}/activities", get(list).post(form::create))
        .route("/campaigns/{slug}/activities/new", get(form::new_form))
        .route("/campaigns/{slug}/activities/review", get(review::queue))
        .route("/campaigns/{slug}/activities/umbrella/{id}", post(review::umbrella_choice))
        .route("/campaigns/{slug}/activities/{id}", get(form::edit_form).post(form::update))
        .route("/campaigns/{slug}/activities/{id}/delete", post(form::delete))
        .route("/campaigns/{slug}/activities/{id}/review", post(review::decide))
        .route("/campaigns/{slug}/activities/{id}/hidden", post(review::set_hidden))
}

/// The longest search a list takes, in characters.
const QUERY_CHARS: usize = 200;

/// How many activities a page of the list shows.
const PER_PAGE: i64 = 50;

/// Whether the signed-in user may change the catalogue, as the store will decide (viewers only read it).
fn may_change(me: &SignedIn, role: Option<Role>) -> bool {
    role.is_some_and(|r| r.allows(me.user.id, Action::EditCatalogue))
}

/// The activity `id` (as the path names it) if it belongs to the campaign `slug`.
async fn activity_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<Activity, PageError> {
    let id = id.parse().map(ActivityId).map_err(|_| PageError::NotFound)?;
    let campaign = super::campaign_id(app, slug).await?;
    let activity = app.store.activity(me.actor(), id).await?;
    if activity.campaign_id != campaign {
        return Err(PageError::NotFound);
    }
    Ok(activity)
}

/// One activity in a list.
pub struct ActivityRow {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub provider: String,
    pub minutes: i64,
    pub languages: String,
    /// "Unplugged activity, Lesson plan · Ages 7–10".
    pub facets: String,
    pub reason: String,
}

impl ActivityRow {
    pub fn of(a: &Activity) -> ActivityRow {
        let text = a.fields.text_in("en");
        let shown = |facet: Facet| {
            a.fields.facets.get(&facet).into_iter().flatten().map(move |v| value_label(facet, v).to_owned())
        };
        let facets: Vec<String> =
            shown(Facet::Format).chain(shown(Facet::Age)).chain(shown(Facet::Equipment)).collect();
        ActivityRow {
            id: a.id.0,
            title: text.map(|t| t.title.clone()).unwrap_or_default(),
            summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
            status: a.status.as_str(),
            status_label: a.status.label(),
            provider: a.fields.provider_name.clone(),
            minutes: a.fields.duration_minutes,
            languages: a.fields.languages.iter().map(|l| language_name(l.as_str())).collect::<Vec<_>>().join(", "),
            facets: facets.join(", "),
            reason: a.reason.clone(),
        }
    }
}

/// A facet's filter: its values with their counts, those chosen ticked.
pub struct FacetFilter {
    pub name: &'static str,
    pub label: &'static str,
    pub values: Vec<FilterValue>,
    /// Some value is chosen: the filter opens.
    pub active: bool,
}

pub struct FilterValue {
    pub value: String,
    pub label: String,
    pub count: i64,
    pub checked: bool,
}

/// The list's query: facet values by the facet's name, `q`, `status`, `page` (1 and up).
#[derive(Debug, Default)]
struct ListQuery {
    facets: BTreeMap<Facet, BTreeSet<String>>,
    q: String,
    status: Option<ActivityStatus>,
    page: i64,
}

impl ListQuery {
    /// Reads a query string; unknown names and values are ignored (an old bookmark still opens).
    fn read(raw: Option<&str>) -> ListQuery {
        let mut query = ListQuery { page: 1, ..ListQuery::default() };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => query.q = value.chars().take(QUERY_CHARS).collect(),
                "status" => query.status = ActivityStatus::parse(value).ok(),
                "page" => query.page = value.parse().unwrap_or(1).clamp(1, 10_000),
                name => {
                    let Ok(facet) = Facet::parse(name) else { continue };
                    let known = facet.values().is_none_or(|values| values.contains(&value));
                    let set = query.facets.entry(facet).or_default();
                    if known && !value.is_empty() && value.len() <= 64 && set.len() < rally_domain::limits::CHOICES {
                        set.insert(value.to_owned());
                    }
                }
            }
        }
        query.facets.retain(|_, values| !values.is_empty());
        query
    }

    fn store_query(&self) -> CatalogueQuery {
        CatalogueQuery {
            facets: self.facets.clone(),
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            status: self.status,
            language: None,
            page: self.page,
            per_page: PER_PAGE,
        }
    }

    /// The query string of this query on another page.
    fn on_page(&self, page: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        if let Some(status) = self.status {
            s.append_pair("status", status.as_str());
        }
        for (facet, values) in &self.facets {
            for v in values {
                s.append_pair(facet.as_str(), v);
            }
        }
        s.append_pair("page", &page.to_string());
        s.finish()
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    layout: Layout,
    slug: String,
    can_edit: bool,
    q: String,
    status: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    filters: Vec<FacetFilter>,
    rows: Vec<ActivityRow>,
    /// "12 activities".
    total: String,
    waiting: i64,
    previous: Option<String>,
    next: Option<String>,
    /// A member campaign: its umbrella's name and the activities it offers, with whether they are hidden here.
    umbrella: Option<(String, Vec<(ActivityRow, bool)>)>,
    /// An umbrella campaign: the names of the member campaigns its catalogue is offered to.
    members: Vec<String>,
}

/// The catalogue list with its filters.
pub async fn list(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = found.campaign.id;
    let query = ListQuery::read(raw.as_deref());
    let catalogue = app.store.activities(me.actor(), campaign, &query.store_query()).await?;
    let waiting_query =
        CatalogueQuery { status: Some(ActivityStatus::Submitted), page: 1, per_page: 1, ..Default::default() };
    let waiting = app.store.activities(me.actor(), campaign, &waiting_query).await?.total;
    let filters = filters(&query, &catalogue.counts);
    let rows: Vec<ActivityRow> =
        catalogue.in_language.iter().chain(&catalogue.other_languages).map(ActivityRow::of).collect();
    let shown_to = (query.page - 1) * PER_PAGE + i64::try_from(rows.len()).unwrap_or(0);
    let site = app.store.site(&slug).await.ok();
    let umbrella = umbrella_offer(&app, &me, campaign, site.as_ref()).await?;
    let layout =
        Layout::new(&app, &me, Some(&slug), "activities", format!("Activities · {}", found.campaign.fields.name))
            .await?;
    render(&ListPage {
        layout,
        slug,
        can_edit: may_change(&me, found.role),
        q: query.q.clone(),
        status: query.status.map_or("", ActivityStatus::as_str),
        statuses: ActivityStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        filters,
        rows,
        total: match catalogue.total {
            0 => "No activities".into(),
            1 => "1 activity".into(),
            n => format!("{} activities", number(n)),
        },
        waiting,
        previous: (query.page > 1).then(|| query.on_page(query.page - 1)),
        next: (shown_to < catalogue.total).then(|| query.on_page(query.page + 1)),
        umbrella,
        members: site.map(|s| s.members.into_iter().map(|(_, name)| name).collect()).unwrap_or_default(),
    })
}

/// The filters of every facet, with the counts the store gave (values it did not count show 0; the
/// language facet shows the languages that occur).
fn filters(query: &ListQuery, counts: &[FacetCount]) -> Vec<FacetFilter> {
    Facet::ALL
        .iter()
        .map(|&facet| {
            let count_of =
                |value: &str| counts.iter().find(|c| c.facet == facet && c.value == value).map_or(0, |c| c.activities);
            let values: Vec<String> = match facet.values() {
                Some(values) => values.iter().map(|v| (*v).to_owned()).collect(),
                None => counts.iter().filter(|c| c.facet == facet).map(|c| c.value.clone()).collect(),
            };
            let chosen = query.facets.get(&facet);
            let values: Vec<FilterValue> = values
                .into_iter()
                .map(|value| FilterValue {
                    label: value_label(facet, &value).to_owned(),
                    count: count_of(&value),
                    checked: chosen.is_some_and(|c| c.contains(&value)),
                    value,
                })
                .collect();
            FacetFilter { name: facet.as_str(), label: facet.label(), active: values.iter().any(|v| v.checked), values }
        })
        .collect()
}

/// What a member campaign's umbrella offers it (`None` for a campaign that is no member).
async fn umbrella_offer(
    app: &AppState,
    me: &SignedIn,
    campaign: CampaignId,
    site: Option<&rally_store::Site>,
) -> Result<Option<(String, Vec<(ActivityRow, bool)>)>, PageError> {
    let Some((_, name)) = site.and_then(|s| s.umbrella.clone()) else { return Ok(None) };
    let offered = app.store.umbrella_activities(me.actor(), campaign).await?;
    Ok(Some((name, offered.iter().map(|(a, hidden)| (ActivityRow::of(a), *hidden)).collect())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_address_is_read_bounded_and_written_back() {
        let raw = "q=+labirint+&status=hidden&equipment=no_computers&equipment=bogus&age=7-10&language=hr\
                   &page=0&unknown=1&format=";
        let query = ListQuery::read(Some(raw));
        assert_eq!(query.q, "labirint");
        assert_eq!(query.status, Some(ActivityStatus::Hidden));
        assert_eq!(query.page, 1);
        let facets: Vec<(Facet, Vec<&str>)> =
            query.facets.iter().map(|(f, v)| (*f, v.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            facets,
            [(Facet::Age, vec!["7-10"]), (Facet::Language, vec!["hr"]), (Facet::Equipment, vec!["no_computers"])]
        );
        let again = ListQuery::read(Some(&query.on_page(3)));
        assert_eq!((again.facets, again.q, again.status, again.page), (query.facets, query.q, query.status, 3));
        assert_eq!(ListQuery::read(Some(&format!("q={}", "x".repeat(500)))).q.len(), QUERY_CHARS);
        assert_eq!(ListQuery::read(None).page, 1);
    }
}

//! `/campaigns/{slug}/partners`: the partner list, one partner's page, and the forms that change them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use rally_domain::pipeline::StageMove;
use rally_domain::{ContactDraft, FieldError, Partner, PartnerDraft, PartnerId, Stage, UserId};

use super::campaign_partner::CampaignPartner;
use super::partner_page::{owner_name, partner_page};
use super::{
    FormData, Layout, PageError, SignedIn, campaign_id, category_options, days_since, number, render, stage_options,
    team_names,
};
use crate::ApiError;
use crate::AppState;
use crate::kit::{FormField, Moved, PartnerListQuery, field_errors};

/// A partner as a row of the list or a card of the board.
pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub reach: String,
    pub tier: String,
    pub stage: String,
    pub stage_id: String,
    pub since: String,
    pub owner: String,
    pub high_touch: bool,
    pub can_edit: bool,
    /// "2 open · 1 fulfilled" when the partner has commitments.
    pub commitments: String,
    pub overdue: bool,
    /// Past its stage's time limit.
    pub stale: bool,
}

impl PartnerRow {
    pub fn new(p: &Partner, team: &[(i64, String)], layout: &Layout, me: UserId) -> PartnerRow {
        PartnerRow {
            id: p.id.0,
            name: p.fields.name.clone(),
            category: p.fields.category.label().to_owned(),
            reach: number(p.fields.reach.get()),
            tier: p.tier.as_str().to_owned(),
            stage: p.stage.label().to_owned(),
            stage_id: p.stage.as_str().to_owned(),
            since: days_since(p.stage_since),
            owner: owner_name(team, p.fields.owner_id),
            high_touch: p.fields.high_touch,
            can_edit: layout.can_edit_partner(me, p.fields.owner_id),
            commitments: String::new(),
            overdue: false,
            stale: false,
        }
    }

    /// Adds the partner's commitments and whether it is past its stage's limit.
    pub fn with_work(mut self, summary: Option<&rally_domain::CommitmentSummary>, stale: bool) -> PartnerRow {
        if let Some(s) = summary {
            let mut parts = Vec::new();
            if s.open > 0 {
                parts.push(format!("{} open", s.open));
            }
            if s.fulfilled > 0 {
                parts.push(format!("{} fulfilled", s.fulfilled));
            }
            if let Some(d) = s.next_due {
                parts.push(format!("next due {}", d.format("%d %b")));
            }
            self.commitments = parts.join(" · ");
            self.overdue = s.overdue > 0;
        }
        self.stale = stale;
        self
    }
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    layout: Layout,
    slug: String,
    rows: Vec<PartnerRow>,
    /// The filter as sent, to keep the form filled in and build the next page's link.
    filter: Vec<(String, String)>,
    next: Option<String>,
    previous: Option<String>,
    /// Partners the filter selects, and the positions of the first and last shown.
    total: i64,
    shown: (usize, usize),
    /// This page's address, to come back to after a bulk action.
    back: String,
    team: Vec<(i64, String)>,
    stages: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    form: FormData,
    errors: Vec<FieldError>,
}

impl PartnersPage {
    fn value(&self, name: &str) -> &str {
        self.filter.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

fn query_string(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty())).finish()
}

async fn list_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    raw: Vec<(String, String)>,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), slug).await?.campaign;
    let layout = Layout::new(app, me, Some(slug), "partners", format!("Partners · {}", campaign.fields.name)).await?;
    let query = PartnerListQuery {
        stage: get(&raw, "stage"),
        category: get(&raw, "category"),
        tier: get(&raw, "tier"),
        owner: get(&raw, "owner"),
        high_touch: get(&raw, "high_touch"),
        q: get(&raw, "q"),
        sort: get(&raw, "sort"),
        limit: Some("50".into()),
        after: get(&raw, "after"),
    };
    let filter = query.into_filter().map_err(|e| PageError::BadRequest(e.problem().detail))?;
    let page = app.store.partners(me.actor(), campaign.id, &filter).await?;
    let team = team_names(app, me.actor(), campaign.id).await?;
    let ids: Vec<PartnerId> = page.items.iter().map(|p| p.id).collect();
    let today = chrono::Utc::now().date_naive();
    let summaries = app.store.commitment_summaries(me.actor(), campaign.id, &ids, today).await?;
    let limits = app.store.stage_limits(me.actor(), campaign.id).await?;
    let now = chrono::Utc::now();
    let rows_len = page.items.len();
    let rows = page
        .items
        .iter()
        .map(|p| {
            PartnerRow::new(p, &team, &layout, me.user.id)
                .with_work(summaries.get(&p.id), limits.is_stale(p.stage, p.stage_since, now))
        })
        .collect();
    let total = app.store.count_partners(me.actor(), campaign.id, &filter).await?;
    let kept: Vec<(String, String)> = raw.iter().filter(|(k, _)| k != "after" && k != "trail").cloned().collect();
    let pager = Pager::of(&raw, &kept, page.next_after);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let back = format!("/campaigns/{slug}/partners?{}", query_string(&kept));
    let mut response = render(&PartnersPage {
        layout,
        slug: slug.to_owned(),
        rows,
        filter: kept,
        next: pager.next,
        previous: pager.previous,
        total,
        shown: (pager.first_shown, pager.first_shown + rows_len.saturating_sub(1)),
        back,
        team,
        stages: stage_options(),
        categories: category_options(),
        sorts: rally_store::PartnerSort::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        form,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The links to the pages around this one. Keyset pages have no page numbers: the cursors of the
/// pages before this one travel along in `trail` (at most 100; "0" is the first page), so "Previous
/// page" can go back.
struct Pager {
    previous: Option<String>,
    next: Option<String>,
    /// The position of this page's first partner.
    first_shown: usize,
}

impl Pager {
    fn of(raw: &[(String, String)], kept: &[(String, String)], next_after: Option<i64>) -> Pager {
        let mut trail: Vec<String> = get(raw, "trail")
            .unwrap_or_default()
            .split(',')
            .filter(|t| !t.is_empty())
            .take(100)
            .map(str::to_owned)
            .collect();
        let here = get(raw, "after").unwrap_or_default();
        let at = |after: Option<String>, trail: &[String]| {
            let mut pairs = kept.to_vec();
            if let Some(after) = after.filter(|a| !a.is_empty()) {
                pairs.push(("after".into(), after));
            }
            if !trail.is_empty() {
                pairs.push(("trail".into(), trail.join(",")));
            }
            query_string(&pairs)
        };
        let first_shown = trail.len() * 50 + 1;
        let mut forward = trail.clone();
        forward.push(if here.is_empty() { "0".into() } else { here.clone() });
        // Back one page, or to the first page from a page reached directly.
        let previous = match trail.pop() {
            Some(back) => Some(at(Some(back).filter(|b| b != "0"), &trail)),
            None => (!here.is_empty()).then(|| at(None, &[])),
        };
        let next = next_after.map(|after| at(Some(after.to_string()), &forward));
        Pager { previous, next, first_shown }
    }
}

fn get(raw: &[(String, String)], name: &str) -> Option<String> {
    raw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

pub async fn list(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(raw): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    list_page(&app, &me, &slug, raw, FormData::default(), vec![]).await
}

/// The "new partner" form on the list page.
pub async fn create(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = campaign_id(&app, &slug).await?;
    let (draft, mut errors) = partner_draft(&form);
    let fields = match draft.validate() {
        Ok(f) if errors.is_empty() => f,
        Ok(_) => return list_page(&app, &me, &slug, vec![], form, errors).await,
        Err(invalid) => {
            errors.extend(invalid.0);
            return list_page(&app, &me, &slug, vec![], form, errors).await;
        }
    };
    let allow_same_name = form.get("allow_duplicate") == "on";
    match app.store.add_partner(me.actor(), campaign, fields, allow_same_name).await {
        Ok(p) => Ok(Redirect::to(&format!("/campaigns/{slug}/partners/{}", p.id)).into_response()),
        Err(rally_store::StoreError::Invalid(i)) => list_page(&app, &me, &slug, vec![], form, i.0).await,
        // A partner of this name exists: say so beside the name, and offer to add it anyway.
        Err(rally_store::StoreError::Conflict { field: "name", message }) => {
            let errors = vec![
                FieldError { field: "name".into(), message },
                FieldError { field: "allow_duplicate".into(), message: String::new() },
            ];
            list_page(&app, &me, &slug, vec![], form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The bulk form under the list: move the selected partners, or give them to an owner. All or none.
pub async fn bulk(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = campaign_id(&app, &slug).await?;
    let ids: Vec<PartnerId> = form
        .0
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.parse().map(PartnerId).map_err(|_| PageError::BadRequest("ids: not partner ids".into())))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(PageError::BadRequest("Select at least one partner first.".into()));
    }
    match form.get("action") {
        "move" => {
            let stage = Stage::parse(form.get("stage")).map_err(PageError::BadRequest)?;
            let mv = StageMove { stage, note: None, reason: form.some("reason"), confirm_unfulfilled: false };
            app.store.bulk_move(me.actor(), campaign, &ids, mv).await?;
        }
        "assign" => {
            let owner = form.some("owner_id").map(|o| o.parse().map(UserId)).transpose();
            let owner = owner.map_err(|_| PageError::BadRequest("owner_id: not a user".into()))?;
            app.store.bulk_assign(me.actor(), campaign, &ids, owner).await?;
        }
        other => return Err(PageError::BadRequest(format!("Unknown action `{other}`."))),
    }
    let back = form.get("back");
    let back = if back.starts_with(&format!("/campaigns/{slug}/partners")) {
        back.to_owned()
    } else {
        format!("/campaigns/{slug}/partners")
    };
    Ok(Redirect::to(&back).into_response())
}

/// A partner draft from form fields; blank fields are left unset, and numbers that are not numbers
/// become field errors here (the domain checks everything else).
/// How the partner forms (new partner, edit) send a [`PartnerDraft`]: read as the API reads it.
const PARTNER_FORM: &[(&str, FormField)] = &[
    ("name", FormField::Text),
    ("category", FormField::Text),
    ("audiences", FormField::Checkboxes),
    ("reach", FormField::Number),
    ("priority_boost", FormField::Number),
    ("high_touch", FormField::Checkbox),
    ("owner_id", FormField::NullableNumber),
    ("website", FormField::ClearableText),
    ("country", FormField::ClearableText),
    ("region", FormField::ClearableText),
    ("tags", FormField::CommaList),
    ("notes", FormField::ClearableText),
];

fn partner_draft(form: &FormData) -> (PartnerDraft, Vec<FieldError>) {
    form.draft(PARTNER_FORM)
}

pub async fn detail(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    partner_page(&app, &me, &slug, id, "", FormData::default(), vec![]).await
}

/// The partner's edit form.
pub async fn update(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    let (draft, errors) = partner_draft(&form);
    if !errors.is_empty() {
        return partner_page(&app, &me, &slug, id, "edit", form, errors).await;
    }
    match app.store.update_partner(me.actor(), id, draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/partners/{id}")).into_response()),
        Err(rally_store::StoreError::Invalid(i)) => partner_page(&app, &me, &slug, id, "edit", form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// How the stage forms (the partner page's, the board's keyboard form and its script) send a
/// [`StageMove`].
const STAGE_FORM: &[(&str, FormField)] = &[
    ("stage", FormField::Text),
    ("note", FormField::Text),
    ("reason", FormField::Text),
    ("confirm_unfulfilled", FormField::Flag),
];

/// Moves a partner: from the partner page's form, the board's keyboard form, or the board's script,
/// which asks for JSON and gets what the API answers — the moved partner and its history row, or a
/// problem document naming the field to fix.
pub async fn move_stage(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let json = wants_json(&headers);
    let result = match form.read_as::<StageMove>(STAGE_FORM) {
        Ok(mv) => app.store.move_stage(me.actor(), partner.id, mv).await.map_err(StageRefusal::Store),
        Err(errors) => Err(StageRefusal::Form(errors)),
    };
    match (result, json) {
        (Ok((partner, change)), true) => Ok(Json(Moved { partner, change }).into_response()),
        (Ok(_), false) => {
            let back = match form.get("back") {
                "board" => format!("/campaigns/{slug}/board"),
                _ => format!("/campaigns/{slug}/partners/{}", partner.id),
            };
            Ok(Redirect::to(&back).into_response())
        }
        (Err(StageRefusal::Form(errors)), true) => Ok(ApiError::Invalid(errors).into_response()),
        (Err(StageRefusal::Store(e)), true) => Ok(ApiError::from(e).into_response()),
        (Err(StageRefusal::Form(errors)), false) => {
            partner_page(&app, &me, &slug, partner.id, "stage", form, errors).await
        }
        (Err(StageRefusal::Store(e)), false) => match field_errors(e) {
            Ok(errors) => partner_page(&app, &me, &slug, partner.id, "stage", form, errors).await,
            Err(e) => Err(e),
        },
    }
}

/// Why a stage move did not happen: the form did not read, or the store refused it.
enum StageRefusal {
    Form(Vec<FieldError>),
    Store(rally_store::StoreError),
}

/// How the "add contact" form sends a [`ContactDraft`].
const CONTACT_FORM: &[(&str, FormField)] = &[
    ("name", FormField::Text),
    ("email", FormField::Text),
    ("role", FormField::Text),
    ("language", FormField::Text),
    ("phone", FormField::Text),
];

/// The "add contact" form on the partner page.
pub async fn add_contact(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    let (draft, errors) = form.draft::<ContactDraft>(CONTACT_FORM);
    if !errors.is_empty() {
        return partner_page(&app, &me, &slug, id, "contact", form, errors).await;
    }
    let result = match draft.validate() {
        Ok(fields) => app.store.create_contact(me.actor(), id, fields).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/partners/{id}#contacts")).into_response()),
        Err(rally_store::StoreError::Invalid(i)) => partner_page(&app, &me, &slug, id, "contact", form, i.0).await,
        Err(rally_store::StoreError::Conflict { field, message }) => {
            let errors = vec![FieldError { field: field.into(), message }];
            partner_page(&app, &me, &slug, id, "contact", form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

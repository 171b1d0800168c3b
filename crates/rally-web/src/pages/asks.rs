//! `/campaigns/{slug}/asks`: the campaign's standard asks — written, changed and deleted — and applying
//! them in bulk to a segment of low-reach partners.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::{Ask, AskDraft, AskId, Category, FieldError, Role, Tier};
use rally_store::{Applied, PartnerFilter, StoreError};

use super::{FormData, Layout, PageError, SignedIn, category_options, render};
use crate::AppState;
use crate::kit::{FormField, FormState, field_errors};

pub struct AskRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub due: String,
    pub milestone: String,
    pub targets: String,
    pub unit: String,
    /// The categories and tiers it is meant for, as the edit form's checkboxes send them.
    pub categories: Vec<&'static str>,
    pub tiers: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "asks.html")]
struct AsksPage {
    layout: Layout,
    slug: String,
    asks: Vec<AskRow>,
    can_edit: bool,
    today: String,
    categories: Vec<(&'static str, &'static str)>,
    /// What the last "apply" did (or, in a preview, would do), to confirm it.
    applied: Option<Applied>,
    /// Who the segment was, in words.
    segment: String,
    /// The form that failed ("create", "apply", or an ask's edit form `a{id}`), with what was typed and
    /// every error.
    state: FormState,
}

impl AsksPage {
    /// Whether the checkbox `field` = `value` of ask `a`'s edit form is ticked: as sent, if that form
    /// failed, else as stored.
    fn ticked(&self, a: &AskRow, field: &str, value: &str) -> bool {
        let form = format!("a{}", a.id);
        if self.state.failed == form {
            return self.state.checked(&form, field, value);
        }
        let stored = if field == "tiers" { &a.tiers } else { &a.categories };
        stored.contains(&value)
    }
}

/// The ask forms' fields and labels, for the error summary.
const ASK_LABELS: &[(&str, &str)] = &[
    ("title", "What you ask"),
    ("description", "Details"),
    ("due_on", "Due"),
    ("milestone", "Milestone"),
    ("unit", "Counted in"),
    ("categories", "Meant for"),
    ("tiers", "Reach"),
];

#[allow(clippy::too_many_arguments)]
async fn asks_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    applied: Option<Applied>,
    segment: String,
    failed: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let asks = app
        .store
        .standard_asks(me.actor(), found.campaign.id)
        .await?
        .into_iter()
        .map(|a| {
            let f = a.fields;
            let mut targets: Vec<String> = f.categories.iter().map(|c| c.label().to_owned()).collect();
            if targets.is_empty() {
                targets.push("All categories".into());
            }
            if !f.tiers.is_empty() {
                targets.push(f.tiers.iter().map(|t| format!("{} reach", t.as_str())).collect::<Vec<_>>().join(", "));
            }
            AskRow {
                id: a.id.0,
                title: f.title,
                description: f.description,
                due: f.due_on.map(|d| d.to_string()).unwrap_or_default(),
                milestone: f.milestone,
                targets: targets.join(" · "),
                unit: f.unit,
                categories: f.categories.iter().map(|c| c.as_str()).collect(),
                tiers: f.tiers.iter().map(|t| t.as_str()).collect(),
            }
        })
        .collect();
    let layout = Layout::new(app, me, Some(slug), "asks", format!("Asks · {}", found.campaign.fields.name)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&AsksPage {
        layout,
        slug: slug.to_owned(),
        asks,
        can_edit: matches!(found.role, Some(Role::Owner | Role::Coordinator)),
        today: Utc::now().date_naive().to_string(),
        categories: category_options(),
        applied,
        segment,
        state: FormState::new(failed, form, errors),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    asks_page(&app, &me, &slug, None, String::new(), "", FormData::default(), vec![]).await
}

fn parse_list<T>(
    form: &FormData,
    name: &str,
    parse: fn(&str) -> Result<T, String>,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (_, v) in form.0.iter().filter(|(k, _)| k == name) {
        match parse(v) {
            Ok(x) => out.push(x),
            Err(message) => errors.push(FieldError { field: name.into(), message }),
        }
    }
    out
}

/// How the "new standard ask" form sends an [`AskDraft`].
const ASK_FORM: &[(&str, FormField)] = &[
    ("title", FormField::Text),
    ("description", FormField::Text),
    ("due_on", FormField::NullableDate),
    ("milestone", FormField::Text),
    ("categories", FormField::Choices),
    ("tiers", FormField::Choices),
    ("unit", FormField::Text),
];

/// Writes a new standard ask.
pub async fn create(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let (draft, errors) = form.draft::<AskDraft>(ASK_FORM);
    if !errors.is_empty() {
        return asks_page(&app, &me, &slug, None, String::new(), "create", form, errors).await;
    }
    let result = match draft.validate(Utc::now().date_naive(), None) {
        Ok(fields) => app.store.create_ask(me.actor(), campaign, None, fields).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/asks")).into_response()),
        Err(StoreError::Invalid(i)) => asks_page(&app, &me, &slug, None, String::new(), "create", form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

/// How an ask's edit form sends an [`AskDraft`] patch: every field is sent, so what was emptied is
/// cleared (and an emptied title refused); the checkboxes mark themselves as sent.
const ASK_EDIT: &[(&str, FormField)] = &[
    ("title", FormField::ClearableText),
    ("description", FormField::ClearableText),
    ("due_on", FormField::NullableDate),
    ("milestone", FormField::ClearableText),
    ("categories", FormField::Checkboxes),
    ("tiers", FormField::Checkboxes),
    ("unit", FormField::ClearableText),
];

/// Saves a standard ask's edit form.
pub async fn update(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let ask = ask_in(&app, &me, &slug, &id).await?;
    let (id, today) = (ask.id, Utc::now().date_naive());
    let failed = format!("a{}", id.0);
    let (patch, mut errors) = form.draft::<AskDraft>(ASK_EDIT);
    if !errors.is_empty() {
        // Every problem at once: the rest of the form checked as the store would check it.
        if let Err(more) = ask.fields.to_draft().merge(patch).validate(today, ask.fields.due_on) {
            let more: Vec<_> = more.0.into_iter().filter(|e| !errors.iter().any(|x| x.field == e.field)).collect();
            errors.extend(more);
        }
        return asks_page(&app, &me, &slug, None, String::new(), &failed, form, errors).await;
    }
    match app.store.update_ask(me.actor(), id, patch, today).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/asks#ask-{}", id.0)).into_response()),
        Err(e) => asks_page(&app, &me, &slug, None, String::new(), &failed, form, field_errors(e)?).await,
    }
}

/// The standard ask `id` (as the path names it) if it belongs to the campaign `slug`.
async fn ask_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<Ask, PageError> {
    let id = id.parse().map(AskId).map_err(|_| PageError::NotFound)?;
    let campaign = super::campaign_id(app, slug).await?;
    let ask = app.store.ask(me.actor(), id).await?;
    if ask.campaign_id != campaign || ask.partner_id.is_some() {
        return Err(PageError::NotFound);
    }
    Ok(ask)
}

/// Applies the chosen standard asks to every open partner of a segment that each ask is meant for, in
/// one action; with the "Preview" button, says who would get what without writing anything.
pub async fn apply(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let asks: Vec<AskId> =
        parse_list(&form, "asks", |v| v.parse().map(AskId).map_err(|_| "no such ask".into()), &mut errors);
    let category = form.some("category").map(|c| Category::parse(&c)).transpose().unwrap_or_else(|message| {
        errors.push(FieldError { field: "category".into(), message });
        None
    });
    let tier = form.some("tier").map(|t| Tier::parse(&t)).transpose().unwrap_or_else(|message| {
        errors.push(FieldError { field: "tier".into(), message });
        None
    });
    if !errors.is_empty() {
        return asks_page(&app, &me, &slug, None, String::new(), "apply", form, errors).await;
    }
    let preview = form.get("preview") == "1";
    let segment = PartnerFilter { category, tier, ..Default::default() };
    match app.store.apply_asks(me.actor(), campaign, &asks, &segment, preview).await {
        Ok(applied) => {
            let who = match (category, tier) {
                (Some(c), Some(t)) => format!("open {} partners with {} reach", c.label().to_lowercase(), t.as_str()),
                (Some(c), None) => format!("open {} partners", c.label().to_lowercase()),
                (None, Some(t)) => format!("open partners with {} reach", t.as_str()),
                (None, None) => "every open partner".into(),
            };
            // A preview keeps the form as it was, ready to apply; an application starts afresh.
            let (kept, form) = if preview { ("apply", form) } else { ("", FormData::default()) };
            asks_page(&app, &me, &slug, Some(applied), who, kept, form, vec![]).await
        }
        Err(StoreError::Invalid(i)) => asks_page(&app, &me, &slug, None, String::new(), "apply", form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

/// Deletes a standard ask with its commitments.
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = ask_in(&app, &me, &slug, &id).await?.id;
    app.store.delete_ask(me.actor(), id).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}/asks")).into_response())
}

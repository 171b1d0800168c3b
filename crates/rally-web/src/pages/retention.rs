//! `/campaigns/{slug}/retention`: how long the campaign keeps each kind of personal data, which its
//! owners change within bounds (a blank field is the default); and `/campaigns/{slug}/register`, the
//! data-processing register — what Rally stores for the campaign, why, on which basis and for how
//! long — made from the same rules, for the whole team.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::retention::{PER_CAMPAIGN, PeriodUnit, RegisterEntry, RetentionPeriods, RetentionRule, register};
use rally_domain::{FieldError, Role};
use rally_store::StoreError;

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::kit::FormState;

/// One rule as the page shows it.
pub struct RuleRow {
    pub field: &'static str,
    pub label: &'static str,
    /// "days" or "years".
    pub unit: &'static str,
    pub covers: &'static str,
    pub counted_from: &'static str,
    pub outcome: &'static str,
    pub why: &'static str,
    /// "14 days".
    pub default: String,
    pub min: u32,
    pub max: u32,
    /// The campaign's own period, blank when it keeps the default.
    pub value: String,
    /// "21 days", the period in force.
    pub current: String,
}

/// A Rally-wide rule: the same for every campaign.
pub struct FixedRow {
    pub label: &'static str,
    pub covers: &'static str,
    pub kept: String,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    layout: Layout,
    slug: String,
    rules: Vec<RuleRow>,
    fixed: Vec<FixedRow>,
    saved: bool,
    state: FormState,
    summary: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    slug: String,
    campaign: String,
    entries: Vec<RegisterEntry>,
    is_owner: bool,
}

fn unit(rule: RetentionRule) -> &'static str {
    match rule.unit() {
        PeriodUnit::Days => "days",
        PeriodUnit::Years => "years",
    }
}

/// The field labels, for the error summary ("Unconfirmed registrations: must be …").
fn labels() -> Vec<(&'static str, &'static str)> {
    PER_CAMPAIGN.iter().map(|r| (r.as_str(), r.label())).collect()
}

async fn retention_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    form: FormData,
    errors: Vec<FieldError>,
    saved: bool,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    // Only owners decide how long the campaign keeps personal data; the register shows the rest of
    // the team what they decided.
    if found.role != Some(Role::Owner) {
        return Err(PageError::Forbidden);
    }
    let periods = app.store.retention_periods(me.actor(), found.campaign.id).await?;
    let rules = PER_CAMPAIGN
        .iter()
        .map(|&rule| {
            let (min, max) = rule.bounds();
            RuleRow {
                field: rule.as_str(),
                label: rule.label(),
                unit: unit(rule),
                covers: rule.covers(),
                counted_from: rule.counted_from(),
                outcome: rule.outcome(),
                why: rule.why(),
                default: rule.describe(rule.default_period()),
                min,
                max,
                value: periods.0.get(&rule).map(ToString::to_string).unwrap_or_default(),
                current: rule.describe(periods.period(rule)),
            }
        })
        .collect();
    let fixed = RetentionRule::ALL
        .iter()
        .filter(|r| !r.per_campaign())
        .map(|&rule| FixedRow {
            label: rule.label(),
            covers: rule.covers(),
            kept: format!("{} {}, then {}", rule.describe(rule.default_period()), rule.counted_from(), rule.outcome()),
        })
        .collect();
    let title = format!("Keeping personal data · {}", found.campaign.fields.name);
    let layout = Layout::new(app, me, Some(slug), "team", title).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let state = FormState::new(if errors.is_empty() { "" } else { "retention" }, form, errors);
    let summary = state.summary("retention", "rule", &labels());
    let mut response = render(&RetentionPage { layout, slug: slug.to_owned(), rules, fixed, saved, state, summary })?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Result<Response, PageError> {
    retention_page(&app, &me, &slug, FormData::default(), vec![], shown.saved.is_some()).await
}

/// Saves the campaign's periods: a number per rule, blank for the default.
pub async fn save(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let mut periods = BTreeMap::new();
    for rule in PER_CAMPAIGN {
        let (min, max) = rule.bounds();
        let number = form.number(rule.as_str(), &mut errors);
        match number.map(u32::try_from) {
            None => {}
            Some(Ok(n)) => {
                periods.insert(rule, n);
            }
            Some(Err(_)) => errors.push(FieldError {
                field: rule.as_str().into(),
                message: format!("must be a whole number between {min} and {max} {}", unit(rule)),
            }),
        }
    }
    // Every problem at once: the numbers that read are checked against their bounds too.
    let periods = RetentionPeriods(periods);
    if let Err(invalid) = periods.clone().validate() {
        errors.extend(invalid.0);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| PER_CAMPAIGN.iter().position(|r| r.as_str() == e.field));
        return retention_page(&app, &me, &slug, form, errors, false).await;
    }
    match app.store.set_retention_periods(me.actor(), campaign, periods).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/retention?saved=1")).into_response()),
        Err(StoreError::Invalid(i)) => retention_page(&app, &me, &slug, form, i.0, false).await,
        Err(e) => Err(e.into()),
    }
}

/// The data-processing register, for anyone on the team.
pub async fn register_page(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let id = found.campaign.id;
    let periods = app.store.retention_periods(me.actor(), id).await?;
    let legitimate_interest = app.store.mail_settings(me.actor(), id).await?.legitimate_interest;
    let name = found.campaign.fields.name;
    let layout = Layout::new(&app, &me, Some(&slug), "team", format!("Data-processing register · {name}")).await?;
    render(&RegisterPage {
        layout,
        slug,
        campaign: name,
        entries: register(&periods, legitimate_interest),
        is_owner: found.role == Some(Role::Owner),
    })
}

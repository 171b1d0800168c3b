//! `/campaigns`: the campaign switcher and the page that creates a campaign.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{CampaignDraft, FieldError, Phase};
use serde::Deserialize;

use super::{FormData, Layout, PageError, SignedIn, number, render};
use crate::AppState;

pub struct CampaignRow {
    pub slug: String,
    pub name: String,
    pub role: String,
    pub phase: String,
    pub goal: String,
    pub dates: String,
    pub archived: bool,
    /// The public site is not published yet.
    pub draft: bool,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    rows: Vec<CampaignRow>,
}

impl CampaignsPage {
    fn has_archived(&self) -> bool {
        self.rows.iter().any(|r| r.archived)
    }
}

fn phase_label(p: Phase) -> &'static str {
    match p {
        Phase::Planning => "Planning",
        Phase::Promotion => "Promotion",
        Phase::CampaignWeek => "Campaign week",
        Phase::FollowUp => "Follow-up",
        Phase::Closed => "Closed",
    }
}

pub async fn list(State(app): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    let rows = app
        .store
        .campaigns(me.actor())
        .await?
        .into_iter()
        .map(|c| {
            let f = &c.campaign.fields;
            CampaignRow {
                slug: f.slug.to_string(),
                name: f.name.clone(),
                role: c.role.map_or("", |r| r.as_str()).to_owned(),
                phase: phase_label(f.phase(today)).to_owned(),
                goal: number(f.goal_students),
                dates: format!("{} – {}", f.starts_on, f.ends_on),
                archived: c.campaign.archived_at.is_some(),
                draft: c.campaign.published_at.is_none(),
            }
        })
        .collect();
    let layout = Layout::new(&app, &me, None, "campaigns", "Your campaigns").await?;
    render(&CampaignsPage { layout, rows })
}

#[derive(Debug, Deserialize)]
pub struct Switch {
    slug: Option<String>,
}

/// The switcher's form: go to the chosen campaign.
pub async fn switch(Query(q): Query<Switch>) -> Redirect {
    match q.slug.filter(|s| rally_domain::Slug::parse(s).is_ok()) {
        Some(slug) => Redirect::to(&format!("/campaigns/{slug}")),
        None => Redirect::to("/campaigns"),
    }
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct NewCampaignPage {
    layout: Layout,
    form: FormData,
    errors: Vec<FieldError>,
}

impl NewCampaignPage {
    /// (field, label, input type, hint) of the simple fields, in order.
    fn fields(&self) -> [(&'static str, &'static str, &'static str, &'static str); 8] {
        [
            ("name", "Name", "text", "e.g. Hour of Code Croatia 2026"),
            ("slug", "Web name (slug)", "text", "lowercase letters, digits and hyphens, e.g. hoc-hr-2026"),
            ("country", "Country (ISO code)", "text", "e.g. HR"),
            ("languages", "Languages", "text", "language tags, comma-separated, the main one first: hr, en"),
            ("goal_students", "Goal: how many students", "text", "e.g. 50000"),
            ("target_audience", "Target audience", "text", "e.g. primary school students"),
            ("starts_on", "Campaign week starts", "date", ""),
            ("ends_on", "Campaign week ends", "date", ""),
        ]
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
            .map(|e| e.message.as_str())
    }
}

pub async fn new_form(State(app): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let layout = Layout::new(&app, &me, None, "campaigns", "New campaign").await?;
    render(&NewCampaignPage { layout, form: FormData::default(), errors: vec![] })
}

pub async fn create(State(app): State<AppState>, me: SignedIn, form: FormData) -> Result<Response, PageError> {
    // "hr, en": the first is the main language, whose message this form takes; the others are
    // written on the plan page (the dashboard's checklist says which are missing).
    let listed = form.some("languages").or_else(|| form.some("language")).unwrap_or_else(|| "en".into());
    let languages: Vec<String> =
        listed.split([',', ' ']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let language = languages.first().cloned().unwrap_or_else(|| "en".into());
    let mut errors = Vec::new();
    let starts_on = form.date("starts_on", &mut errors);
    let ends_on = form.date("ends_on", &mut errors);
    let goal_students = form.number("goal_students", &mut errors);
    let draft = CampaignDraft {
        name: form.some("name"),
        slug: form.some("slug"),
        country: form.some("country"),
        languages: Some(languages),
        message: form.some("message").map(|m| [(language.clone(), m)].into()),
        goal_students,
        target_audience: form.some("target_audience"),
        starts_on,
        ends_on,
        ..Default::default()
    };
    let result = match draft.validate() {
        Ok(fields) if errors.is_empty() => app.store.create_campaign(me.actor(), fields).await.map_err(Some),
        Ok(_) => Err(None),
        Err(invalid) => {
            let fresh: Vec<FieldError> =
                invalid.0.into_iter().filter(|e| !errors.iter().any(|x| x.field == e.field)).collect();
            errors.extend(fresh);
            Err(None)
        }
    };
    match result {
        Ok(campaign) => Ok(Redirect::to(&format!("/campaigns/{}", campaign.fields.slug)).into_response()),
        Err(Some(rally_store::StoreError::Conflict { field, message })) => {
            errors.push(FieldError { field: field.into(), message });
            again(&app, &me, form, errors).await
        }
        Err(Some(other)) => Err(other.into()),
        Err(None) => again(&app, &me, form, errors).await,
    }
}

async fn again(app: &AppState, me: &SignedIn, form: FormData, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, None, "campaigns", "New campaign").await?;
    let mut response = render(&NewCampaignPage { layout, form, errors })?;
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

//! `/campaigns/{slug}/plan`: the campaign's plan — strategy, the universal message in every language,
//! goal and audience, dates, and the action-plan questions with their answers.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{ActionPlan, Campaign, CampaignDraft, FieldError, Role, Strategy};

use super::{FormData, Layout, PageError, SignedIn, number, render};
use crate::AppState;

/// One question of the action plan with the campaign's answer.
pub struct PlanAnswer {
    pub key: &'static str,
    pub question: &'static str,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    slug: String,
    c: Campaign,
    umbrella: Option<String>,
    /// The member campaigns of an umbrella: (link, name, what their events add).
    members: Vec<(String, String, String)>,
    phase: &'static str,
    goal: String,
    messages: Vec<(String, String)>,
    answers: Vec<PlanAnswer>,
    can_edit: bool,
    /// Umbrella campaigns this one may join: (id, name) of own campaigns the user is on the team of.
    umbrellas: Vec<(i64, String)>,
    form: FormData,
    errors: Vec<FieldError>,
}

impl PlanPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn is_umbrella(&self, id: &i64) -> bool {
        self.c.fields.parent_id.is_some_and(|p| p.0 == *id)
    }

    /// The campaign's languages as the form shows them: "hr, en".
    fn language_list(&self) -> String {
        self.c.fields.languages.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }

    fn value<'a>(&'a self, field: &str, stored: &'a str) -> &'a str {
        if self.errors.is_empty() { stored } else { self.form.get(field) }
    }

    /// (field, label, value to show) of the date fields.
    fn dates(&self) -> Vec<(&'static str, &'static str, String)> {
        let f = &self.c.fields;
        [
            ("starts_on", "Campaign week starts", Some(f.starts_on)),
            ("ends_on", "Campaign week ends", Some(f.ends_on)),
            ("promotion_starts_on", "Promotion starts (blank: eight weeks before)", f.promotion_starts_on),
            ("follow_up_ends_on", "Follow-up ends (blank: four weeks after)", f.follow_up_ends_on),
        ]
        .into_iter()
        .map(|(field, label, stored)| {
            let value = if self.errors.is_empty() {
                stored.map(|d| d.to_string()).unwrap_or_default()
            } else {
                self.form.get(field).to_owned()
            };
            (field, label, value)
        })
        .collect()
    }
}

fn phase_label(p: rally_domain::Phase) -> &'static str {
    use rally_domain::Phase::*;
    match p {
        Planning => "Planning",
        Promotion => "Promotion",
        CampaignWeek => "Campaign week",
        FollowUp => "Follow-up",
        Closed => "Closed",
    }
}

async fn plan_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let c = found.campaign;
    let umbrella = match c.fields.parent_id {
        Some(parent) => app.store.campaign(me.actor(), parent).await.ok().map(|u| u.campaign.fields.name),
        None => None,
    };
    let layout = Layout::new(app, me, Some(slug), "plan", format!("Plan · {}", c.fields.name)).await?;
    let counted = super::umbrella::Counted::of(app, c.id, slug).await?;
    let members = counted
        .member_links(&layout)
        .into_iter()
        .map(|(link, m)| {
            let adds = format!("{} students in {} events", number(m.students), number(m.events));
            (link, m.name.clone(), adds)
        })
        .collect();
    let messages = c
        .fields
        .languages
        .iter()
        .map(|l| (l.to_string(), c.fields.message.get(l).cloned().unwrap_or_default()))
        .collect();
    let umbrellas = app
        .store
        .campaigns(me.actor())
        .await?
        .into_iter()
        .filter(|u| u.campaign.id != c.id && u.campaign.fields.strategy == Strategy::Own)
        .map(|u| (u.campaign.id.0, u.campaign.fields.name))
        .collect();
    let answers = c
        .fields
        .plan
        .answers()
        .iter()
        .map(|(key, question, answer)| PlanAnswer { key, question, answer: (*answer).to_owned() })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&PlanPage {
        layout,
        slug: slug.to_owned(),
        umbrella,
        members,
        phase: phase_label(c.fields.phase(chrono::Utc::now().date_naive())),
        goal: number(c.fields.goal_students),
        messages,
        answers,
        can_edit: matches!(found.role, Some(Role::Owner | Role::Coordinator)),
        umbrellas,
        c,
        form,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    plan_page(&app, &me, &slug, FormData::default(), vec![]).await
}

pub async fn update(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let current = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let mut errors = Vec::new();
    let starts_on = form.date("starts_on", &mut errors);
    let ends_on = form.date("ends_on", &mut errors);
    // Blank optional dates go back to their defaults.
    let promotion_starts_on = Some(form.date("promotion_starts_on", &mut errors));
    let follow_up_ends_on = Some(form.date("follow_up_ends_on", &mut errors));
    let goal_students = form.number("goal_students", &mut errors);
    // The languages as listed (a language added gets its message field once saved; one removed takes
    // its message with it).
    let languages: Vec<String> = match form.some("languages") {
        Some(list) => list.split([',', ' ']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        None => current.fields.languages.iter().map(ToString::to_string).collect(),
    };
    if languages.len() > rally_domain::limits::LANGUAGES {
        let message = format!("at most {} languages", rally_domain::limits::LANGUAGES);
        errors.push(FieldError { field: "languages".into(), message });
    }
    let message: BTreeMap<String, String> = languages
        .iter()
        .take(rally_domain::limits::LANGUAGES)
        .filter_map(|l| form.some(&format!("message.{l}")).map(|m| (l.clone(), m)))
        .collect();
    let high_reach_threshold = form.number("high_reach_threshold", &mut errors);
    let (strategy, parent_id) = match form.get("parent_id") {
        "" => (Strategy::Own, None),
        id => match id.parse::<i64>() {
            Ok(id) => (Strategy::Member, Some(rally_domain::CampaignId(id))),
            Err(_) => return Err(PageError::BadRequest("choose an umbrella campaign from the list".into())),
        },
    };
    let patch = CampaignDraft {
        name: form.some("name"),
        languages: Some(languages),
        message: Some(message),
        high_reach_threshold,
        strategy: Some(strategy),
        parent_id: Some(parent_id),
        goal_students,
        target_audience: Some(form.get("target_audience").to_owned()),
        starts_on,
        ends_on,
        promotion_starts_on,
        follow_up_ends_on,
        plan: Some(ActionPlan {
            cs_in_schools: form.get("plan.cs_in_schools").to_owned(),
            authorities_view: form.get("plan.authorities_view").to_owned(),
            it_companies_view: form.get("plan.it_companies_view").to_owned(),
            students_view: form.get("plan.students_view").to_owned(),
            why_coding: form.get("plan.why_coding").to_owned(),
        }),
        ..Default::default()
    };
    if !errors.is_empty() {
        return plan_page(&app, &me, &slug, form, errors).await;
    }
    match app.store.update_campaign(me.actor(), current.id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/plan")).into_response()),
        Err(rally_store::StoreError::Invalid(i)) => plan_page(&app, &me, &slug, form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

/// "Own campaign" or "Member of …" for the page.
pub fn strategy_label(strategy: Strategy, umbrella: Option<&str>) -> String {
    match (strategy, umbrella) {
        (Strategy::Own, _) => "Own campaign".into(),
        (Strategy::Member, Some(u)) => format!("Member of the umbrella campaign “{u}”"),
        (Strategy::Member, None) => "Member of an umbrella campaign".into(),
    }
}

impl PlanPage {
    fn strategy(&self) -> String {
        strategy_label(self.c.fields.strategy, self.umbrella.as_deref())
    }
}

//! `/campaigns/{slug}/tasks`: my follow-up tasks (added, edited, deleted — the partner page's task forms
//! come here too), the follow-ups Rally proposes for partners past their stage's time limit, the limits
//! themselves, and the calendar feed to subscribe to.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::followup::{MAX_STAGE_LIMIT_DAYS, follow_up_due};
use rally_domain::{FieldError, PartnerId, Role, Stage, StageLimits};
use rally_store::{StoreError, TaskFilter};

use super::partner_page::{TaskRow, partner_page};
use super::partner_work::{TASK_LABELS, from_partner_page, save_task, task_draft, task_in};
use super::{FormData, Layout, PageError, SignedIn, days_since, render, team_names};
use crate::AppState;
use crate::auth::{hash_token, random_token};
use crate::kit::FormState;

pub struct Proposal {
    pub partner_id: i64,
    pub name: String,
    pub stage: String,
    pub waiting: String,
}

pub struct LimitRow {
    pub stage: &'static str,
    pub label: &'static str,
    pub days: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    slug: String,
    open: Vec<TaskRow>,
    done: Vec<TaskRow>,
    proposals: Vec<Proposal>,
    follow_up_due: String,
    today: String,
    limits: Vec<LimitRow>,
    can_set_limits: bool,
    can_add: bool,
    /// Whether tasks may be handed to someone else (owners and coordinators), and to whom: (id, name).
    can_reassign: bool,
    team: Vec<(i64, String)>,
    /// When the user's calendar feed was made, if they have one.
    calendar: Option<String>,
    /// A feed address made by this request: its only showing.
    new_calendar: Option<String>,
    /// The form that failed ("add", "limits", or a task's edit form `t{id}`), with what was typed and
    /// every error.
    state: FormState,
}

#[allow(clippy::too_many_arguments)]
async fn tasks_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    new_calendar: Option<String>,
    failed: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let id = found.campaign.id;
    let today = Utc::now().date_naive();
    let role = found.role;
    let can_edit = |owner| role.is_some_and(|r| r.allows(me.user.id, rally_domain::Action::EditTask { owner }));
    let mine = app.store.tasks(me.actor(), id, TaskFilter { owner: Some(me.user.id), ..Default::default() }).await?;
    let (open, done): (Vec<_>, Vec<_>) = mine.iter().partition(|t| !t.fields.done);
    let open = open.iter().map(|t| TaskRow::new(t, today, can_edit(t.fields.owner_id))).collect();
    let done = done.iter().take(20).map(|t| TaskRow::new(t, today, can_edit(t.fields.owner_id))).collect();
    let proposals = app
        .store
        .follow_up_proposals(me.actor(), id, me.user.id, Utc::now())
        .await?
        .into_iter()
        .map(|p| Proposal {
            partner_id: p.id.0,
            name: p.fields.name,
            stage: p.stage.label().to_owned(),
            waiting: days_since(p.stage_since),
        })
        .collect();
    let stored = app.store.stage_limits(me.actor(), id).await?;
    let limits = Stage::ALL
        .into_iter()
        .filter(|s| !s.is_closed())
        .map(|s| LimitRow {
            stage: s.as_str(),
            label: s.label(),
            days: stored.days(s).map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let calendar = app.store.calendar_token_created(me.user.id).await?.map(|t| t.format("%Y-%m-%d").to_string());
    let can_reassign = matches!(role, Some(Role::Owner | Role::Coordinator));
    let team = if can_reassign { team_names(app, me.actor(), id).await? } else { vec![] };
    let layout =
        Layout::new(app, me, Some(slug), "tasks", format!("My tasks · {}", found.campaign.fields.name)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&TasksPage {
        layout,
        slug: slug.to_owned(),
        open,
        done,
        proposals,
        follow_up_due: follow_up_due(today).to_string(),
        today: today.to_string(),
        limits,
        can_set_limits: can_reassign,
        can_add: role.is_some_and(|r| r != Role::Viewer),
        can_reassign,
        team,
        calendar,
        new_calendar,
        state: FormState::new(failed, form, errors),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    tasks_page(&app, &me, &slug, None, "", FormData::default(), vec![]).await
}

/// Adds a task for myself: a free one, or the follow-up Rally proposed for a partner.
pub async fn add(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let partner = form.number("partner_id", &mut errors).map(PartnerId);
    let (draft, more) = task_draft(&form, partner);
    errors.extend(more);
    let result = match draft.validate(Utc::now().date_naive(), None) {
        Ok(fields) if errors.is_empty() => app.store.create_task(me.actor(), campaign, fields).await.map(|_| ()),
        Ok(_) => Ok(()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) if errors.is_empty() => Ok(Redirect::to(&format!("/campaigns/{slug}/tasks")).into_response()),
        Ok(()) => tasks_page(&app, &me, &slug, None, "add", form, errors).await,
        Err(StoreError::Invalid(i)) => {
            errors.extend(i.0);
            tasks_page(&app, &me, &slug, None, "add", form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves a task's edit form, sent from the task list or (`back=partner`) the partner page; a form that
/// fails shows that page again, the task's form open with its errors.
pub async fn edit(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let task = task_in(&app, &me, &slug, &id).await?;
    let errors = save_task(&app, &me, &task, &form).await?;
    let failed = format!("t{}", task.id.0);
    match (from_partner_page(&form, &task), errors.is_empty()) {
        (Some(p), true) => {
            Ok(Redirect::to(&format!("/campaigns/{slug}/partners/{p}#task-{}", task.id.0)).into_response())
        }
        (None, true) => Ok(Redirect::to(&format!("/campaigns/{slug}/tasks#task-{}", task.id.0)).into_response()),
        (Some(p), false) => partner_page(&app, &me, &slug, p, &failed, form, errors).await,
        (None, false) => tasks_page(&app, &me, &slug, None, &failed, form, errors).await,
    }
}

/// Deletes a task, from the task list or (`back=partner`) the partner page.
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let task = task_in(&app, &me, &slug, &id).await?;
    app.store.delete_task(me.actor(), task.id).await?;
    let back = match from_partner_page(&form, &task) {
        Some(p) => format!("/campaigns/{slug}/partners/{p}#tasks"),
        None => format!("/campaigns/{slug}/tasks"),
    };
    Ok(Redirect::to(&back).into_response())
}

/// Sets the days a partner may stay in each stage before it needs a follow-up.
pub async fn set_limits(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = super::campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let mut limits = std::collections::BTreeMap::new();
    for stage in Stage::ALL.into_iter().filter(|s| !s.is_closed()) {
        if let Some(days) = form.number(stage.as_str(), &mut errors) {
            match u32::try_from(days) {
                Ok(d) if (1..=MAX_STAGE_LIMIT_DAYS).contains(&d) => {
                    limits.insert(stage, d);
                }
                _ => errors.push(FieldError {
                    field: stage.as_str().into(),
                    message: format!("must be between 1 and {MAX_STAGE_LIMIT_DAYS} days, or empty for no limit"),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return tasks_page(&app, &me, &slug, None, "limits", form, errors).await;
    }
    match app.store.set_stage_limits(me.actor(), campaign, StageLimits(limits)).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/tasks#limits")).into_response()),
        Err(StoreError::Invalid(i)) => tasks_page(&app, &me, &slug, None, "limits", form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

/// Makes (or ends) my calendar feed: a secret address any calendar app can subscribe to.
pub async fn calendar(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    super::campaign_id(&app, &slug).await?;
    if form.get("action") == "revoke" {
        app.store.revoke_calendar_tokens(me.user.id).await?;
        return Ok(Redirect::to(&format!("/campaigns/{slug}/tasks#calendar")).into_response());
    }
    let token = random_token();
    app.store.create_calendar_token(me.user.id, &hash_token(&token)).await?;
    let url = format!("{}/calendar/{token}.ics", app.public_url.as_str());
    tasks_page(&app, &me, &slug, Some(url), "", FormData::default(), vec![]).await
}

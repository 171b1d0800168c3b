//! The review queue of submitted activities (the checklist, listing, rejecting with a reason the
//! submitter reads in their language), "hide now" and "list again", and a member campaign's switch to
//! hide or show an activity its umbrella offers.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::ActivityId;
use rally_domain::activity::{ActivityStatus, ReviewCheck};
use rally_store::StoreError;
use rally_store::activities::{CatalogueQuery, Review};

use super::{ActivityRow, activity_in, may_change};
use crate::AppState;
use crate::kit::{FormState, field_errors};
use crate::pages::{FormData, Layout, PageError, SignedIn, render};

/// The most submissions the queue shows at once (the store bounds how many may wait).
const QUEUE: i64 = 100;

/// A submitted activity as the queue shows it.
pub struct Submission {
    pub row: ActivityRow,
    pub url: String,
    pub asset: Option<i64>,
    pub submitter: String,
    pub email: String,
    /// The partner whose link it came through.
    pub partner: Option<(i64, String)>,
    pub submitted: String,
    pub print_per_student: String,
}

#[derive(Template)]
#[template(path = "activities_review.html")]
struct QueuePage {
    layout: Layout,
    slug: String,
    can_edit: bool,
    submissions: Vec<Submission>,
    total: i64,
    checks: Vec<(&'static str, &'static str)>,
    /// The review form that failed (`r{id}`), with what was ticked and typed.
    state: FormState,
}

async fn queue_page(app: &AppState, me: &SignedIn, slug: &str, state: FormState) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let query =
        CatalogueQuery { status: Some(ActivityStatus::Submitted), page: 1, per_page: QUEUE, ..Default::default() };
    let waiting = app.store.activities(me.actor(), found.campaign.id, &query).await?;
    let mut submissions = Vec::new();
    for a in waiting.in_language.iter().chain(&waiting.other_languages) {
        let partner = match a.submitter.as_ref().and_then(|s| s.partner) {
            Some(p) => app.store.partner(me.actor(), p).await.ok().map(|p| (p.id.0, p.fields.name)),
            None => None,
        };
        submissions.push(Submission {
            row: ActivityRow::of(a),
            url: a.fields.url.clone().unwrap_or_default(),
            asset: a.fields.asset.map(|x| x.0),
            submitter: a.submitter.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            email: a.submitter.as_ref().map(|s| s.email.clone()).unwrap_or_default(),
            partner,
            submitted: a.created_at.format("%-d %b %Y").to_string(),
            print_per_student: a.fields.print_per_student.clone(),
        });
    }
    let layout =
        Layout::new(app, me, Some(slug), "activities", format!("Review activities · {}", found.campaign.fields.name))
            .await?;
    let status = if state.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&QueuePage {
        layout,
        slug: slug.to_owned(),
        can_edit: may_change(me, found.role),
        submissions,
        total: waiting.total,
        checks: ReviewCheck::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        state,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The activities waiting for review.
pub async fn queue(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    queue_page(&app, &me, &slug, FormState::default()).await
}

/// Lists a submitted activity (every check ticked) or rejects it with a reason, which is e-mailed to
/// the submitter.
pub async fn decide(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let activity = activity_in(&app, &me, &slug, &id).await?;
    let failed = format!("r{}", activity.id.0);
    let (review, mail) = match form.get("decision") {
        "list" => {
            let ticked = form.0.iter().filter(|(k, _)| k == "check").map(|(_, v)| v.as_str());
            let checks: Vec<ReviewCheck> = ticked.filter_map(|c| ReviewCheck::parse(c).ok()).collect();
            (Review::List { checks }, None)
        }
        "reject" => {
            let reason = form.get("reason").trim().to_owned();
            let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign.fields.name;
            let mail = crate::kit::activity_mail::rejection_mail(&activity, &campaign, &reason);
            (Review::Reject { reason }, mail)
        }
        _ => return Err(PageError::BadRequest("Choose List or Reject.".into())),
    };
    match app.store.review_activity(me.actor(), activity.id, review, mail, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/activities/review")).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            queue_page(&app, &me, &slug, FormState::new(failed, form, errors)).await
        }
    }
}

/// "Hide now" (with a reason) for a listed activity that broke, or "List again".
pub async fn set_hidden(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let activity = activity_in(&app, &me, &slug, &id).await?;
    let hidden = form.get("hidden") == "1";
    let reason = form.get("reason").trim().to_owned();
    match app.store.set_activity_hidden(me.actor(), activity.id, hidden, &reason, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/activities/{}", activity.id.0)).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            super::form::refused_hide(&app, &me, &slug, &activity, FormState::new("hide", form, errors)).await
        }
    }
}

/// A member campaign hides (or shows again) an activity its umbrella offers. The store checks that the
/// activity is one the umbrella offers this campaign.
pub async fn umbrella_choice(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(ActivityId).map_err(|_| PageError::NotFound)?;
    let campaign = crate::pages::campaign_id(&app, &slug).await?;
    let hidden = form.get("hidden") == "1";
    match app.store.hide_umbrella_activity(me.actor(), campaign, id, hidden).await {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/activities#umbrella")).into_response()),
        Err(StoreError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

//! The forms of the e-mail page: `POST /campaigns/{slug}/comms/settings` (the sender and the cadence
//! policy), `POST /campaigns/{slug}/comms/milestones` (a new milestone) and
//! `POST /campaigns/{slug}/comms/milestones/{id}` (`…/delete`): a milestone changed or deleted. Each
//! goes back to its part of the page when saved, and shows the page again with its errors (422) when
//! not.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use rally_domain::cadence::{CadencePolicy, parse_weekday};
use rally_domain::comms::MilestoneKind;
use rally_domain::{Email, FieldError};
use rally_store::MailSettings;

use super::field_errors;
use super::overview::comms_page;
use crate::AppState;
use crate::pages::{FormData, PageError, SignedIn, campaign_id};

/// The whole number in field `name`, zero or more; a problem goes to `errors`.
fn number_u32(form: &FormData, name: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    form.number(name, errors).and_then(|n| match u32::try_from(n) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError { field: name.into(), message: "must be zero or more".into() });
            None
        }
    })
}

/// Saves the sender and the cadence policy.
pub async fn save_settings(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = campaign_id(&app, &slug).await?;
    let stored = app.store.mail_settings(me.actor(), campaign).await?;
    let mut errors = Vec::new();
    let from_address = match Email::parse(form.get("from_address")) {
        Ok(e) => Some(e),
        Err(message) => {
            errors.push(FieldError { field: "from_address".into(), message });
            None
        }
    };
    let reply_to = match form.some("reply_to").map(|r| Email::parse(&r)).transpose() {
        Ok(r) => r,
        Err(message) => {
            errors.push(FieldError { field: "reply_to".into(), message });
            None
        }
    };
    let get = |name: &str, errors: &mut Vec<FieldError>| number_u32(&form, name, errors);
    let policy = CadencePolicy {
        max_per_window: get("max_per_window", &mut errors).unwrap_or(stored.policy.max_per_window),
        window_days: get("window_days", &mut errors).unwrap_or(stored.policy.window_days),
        min_gap_hours: get("min_gap_hours", &mut errors).unwrap_or(stored.policy.min_gap_hours),
        quiet_weekdays: form
            .0
            .iter()
            .filter(|(k, _)| k == "quiet")
            .filter_map(|(_, v)| parse_weekday(v).ok())
            .collect(),
        window_start_hour: get("window_start_hour", &mut errors)
            .map_or(stored.policy.window_start_hour, |h| h.min(255) as u8),
        window_end_hour: get("window_end_hour", &mut errors)
            .map_or(stored.policy.window_end_hour, |h| h.min(255) as u8),
        time_zone: form.some("time_zone").unwrap_or(stored.policy.time_zone.clone()),
        expire_after_days: get("expire_after_days", &mut errors).unwrap_or(stored.policy.expire_after_days),
    };
    let Some(from_address) = from_address.filter(|_| errors.is_empty()) else {
        return comms_page(&app, &me, &slug, "settings", form, errors).await;
    };
    let settings = MailSettings {
        from_name: form.get("from_name").to_owned(),
        from_address,
        reply_to,
        policy,
        legitimate_interest: form.get("legitimate_interest") == "on",
    };
    match app.store.set_mail_settings(me.actor(), campaign, settings).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#settings")).into_response()),
        Err(e) => {
            // Policy errors are named `max_per_window` etc.; the form's fields carry the same names.
            comms_page(&app, &me, &slug, "settings", form, field_errors(e)?).await
        }
    }
}

/// A milestone form read: its kind, title (the kind's name when left blank) and day, or every problem.
fn read_milestone(form: &FormData) -> Result<(MilestoneKind, String, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = MilestoneKind::parse(form.get("kind"))
        .map_err(|message| errors.push(FieldError { field: "kind".into(), message }))
        .ok();
    let on = form.date("on", &mut errors);
    if on.is_none() && !errors.iter().any(|e| e.field == "on") {
        errors.push(FieldError { field: "on".into(), message: "required: the day".into() });
    }
    match (kind, on) {
        (Some(kind), Some(on)) => Ok((kind, form.some("title").unwrap_or_else(|| kind.label().to_owned()), on)),
        _ => Err(errors),
    }
}

/// Adds a milestone to the plan.
pub async fn add_milestone(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = campaign_id(&app, &slug).await?;
    let (kind, title, on) = match read_milestone(&form) {
        Ok(read) => read,
        Err(errors) => return comms_page(&app, &me, &slug, "milestone", form, errors).await,
    };
    match app.store.create_milestone(me.actor(), campaign, kind, &title, on).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#milestones")).into_response()),
        Err(e) => comms_page(&app, &me, &slug, "milestone", form, field_errors(e)?).await,
    }
}

/// The milestone `id` (as the path names it) if it belongs to the campaign `slug`.
async fn milestone_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<i64, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let campaign = campaign_id(app, slug).await?;
    let found = app.store.milestones(me.actor(), campaign).await?.iter().any(|m| m.id == id);
    if found { Ok(id) } else { Err(PageError::NotFound) }
}

/// Saves a milestone's edit form.
pub async fn update_milestone(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = milestone_in(&app, &me, &slug, &id).await?;
    let failed = format!("m{id}");
    let (kind, title, on) = match read_milestone(&form) {
        Ok(read) => read,
        Err(errors) => return comms_page(&app, &me, &slug, &failed, form, errors).await,
    };
    match app.store.update_milestone(me.actor(), id, kind, &title, on).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#milestone-{id}")).into_response()),
        Err(e) => comms_page(&app, &me, &slug, &failed, form, field_errors(e)?).await,
    }
}

/// Deletes a milestone no message goes on; while one does, says so beside it.
pub async fn delete_milestone(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = milestone_in(&app, &me, &slug, &id).await?;
    match app.store.delete_milestone(me.actor(), id).await {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#milestones")).into_response()),
        Err(e) => comms_page(&app, &me, &slug, &format!("m{id}"), FormData::default(), field_errors(e)?).await,
    }
}

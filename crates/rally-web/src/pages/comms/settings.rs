//! The forms of the e-mail page: `POST /campaigns/{slug}/comms/settings` (the sender and the cadence
//! policy) and `POST /campaigns/{slug}/comms/milestones` (a new milestone). Each goes back to its part
//! of the page when saved, and shows the page again with its errors (422) when not.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
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

/// Adds a milestone to the plan.
pub async fn add_milestone(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = campaign_id(&app, &slug).await?;
    let mut errors = Vec::new();
    let kind = MilestoneKind::parse(form.get("kind"))
        .map_err(|message| errors.push(FieldError { field: "kind".into(), message }))
        .ok();
    let on = form.date("on", &mut errors);
    if on.is_none() && !errors.iter().any(|e| e.field == "on") {
        errors.push(FieldError { field: "on".into(), message: "required: the day".into() });
    }
    let (Some(kind), Some(on)) = (kind, on) else {
        return comms_page(&app, &me, &slug, "milestone", form, errors).await;
    };
    let title = form.some("title").unwrap_or_else(|| kind.label().to_owned());
    match app.store.create_milestone(me.actor(), campaign, kind, &title, on).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/comms#milestones")).into_response()),
        Err(e) => comms_page(&app, &me, &slug, "milestone", form, field_errors(e)?).await,
    }
}

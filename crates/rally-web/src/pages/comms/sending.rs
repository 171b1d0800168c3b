//! "Check and send" on a message's page: `GET …/messages/{id}/preview` (the message as one contact of
//! its segment would get it), `POST …/test` (that e-mail, sent to the signed-in user) and `POST …/queue`
//! (the message rendered for its whole segment and put in the outbox), and `POST …/sending` (pause,
//! resume or cancel what is still waiting). Each shows the message's page again with what it did or
//! what went wrong.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use rally_comms::plan::{self, PlanError};
use rally_domain::FieldError;
use rally_store::StoreError;

use super::editor::message_page;
use super::plan_problem;
use crate::AppState;
use crate::pages::{FormData, PageError, SignedIn};
use rally_domain::comms::SendControl;

/// `?contact=`: whom to preview the message for (else the first contact it goes to).
#[derive(Debug, serde::Deserialize)]
pub struct PreviewQuery {
    contact: Option<String>,
}

/// Renders the message for one contact of its segment.
pub async fn preview(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let contact = q.contact.as_deref().and_then(|c| c.parse().ok()).map(rally_domain::ContactId);
    match plan::preview(&*app.store, me.actor(), id, contact, app.public_url.as_str()).await {
        Ok((who, r)) => {
            let shown = (who, r.subject, r.text, r.html.unwrap_or_default());
            message_page(&app, &me, &slug, Some(id), None, Some(shown), None, vec![]).await
        }
        Err(e) => {
            let message = plan_problem(e)?;
            let errors = vec![FieldError { field: "preview".into(), message }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

/// Sends the message, as one contact would get it, to the signed-in user.
pub async fn test_send(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let Some(transport) = app.mail.clone() else {
        let errors = vec![FieldError {
            field: "preview".into(),
            message: "this server sends no mail (start it with --mail)".into(),
        }];
        return message_page(&app, &me, &slug, Some(id), None, None, None, errors).await;
    };
    let result =
        plan::send_test(&*app.store, &transport, me.actor(), id, None, &me.user.email, app.public_url.as_str()).await;
    match result {
        Ok(who) => {
            let notice = format!("Sent to {}, as {who} would get it.", me.user.email);
            message_page(&app, &me, &slug, Some(id), None, None, Some(notice), vec![]).await
        }
        Err(e) => {
            let errors = vec![FieldError { field: "preview".into(), message: plan_problem(e)? }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

/// Renders the message for its whole segment and puts it in the outbox.
pub async fn queue(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    match plan::queue_message(&*app.store, me.actor(), id, app.public_url.as_str(), Utc::now()).await {
        Ok((planned, added)) => {
            // Who got nothing, by reason: "2 opted out of campaign e-mail, 1 unsubscribed from all e-mail".
            let left_out = if planned.left_out.is_empty() {
                "no contact left out".to_owned()
            } else {
                let each: Vec<String> = planned.left_out.iter().map(|(why, n)| format!("{n} {why}")).collect();
                format!("{} contacts left out: {}", planned.left_out_count(), each.join(", "))
            };
            let notice = format!(
                "Queued {added} e-mails: {} on time, {} deferred by the cadence rules, {} expired; {left_out}.",
                planned.on_time(),
                planned.deferred(),
                planned.expired(),
            );
            message_page(&app, &me, &slug, Some(id), None, None, Some(notice), vec![]).await
        }
        Err(PlanError::Store(StoreError::Forbidden)) => Err(PageError::Forbidden),
        Err(PlanError::Store(StoreError::NotFound(_))) => Err(PageError::NotFound),
        Err(e) => {
            let errors = vec![FieldError { field: "preview".into(), message: plan_problem(e)? }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
    }
}

/// Pauses, resumes or cancels the message's waiting e-mails (`action` = pause, resume or cancel).
pub async fn control(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let Ok(control) = SendControl::parse(form.get("action")) else {
        return Err(PageError::BadRequest("choose pause, resume or cancel".into()));
    };
    match app.store.control_message(me.actor(), id, control).await {
        Ok((_, changed)) => {
            let notice = match control {
                SendControl::Pause => format!("Paused: {changed} e-mails wait until you resume."),
                SendControl::Resume => format!("Resumed: {changed} e-mails go out as planned."),
                SendControl::Cancel => format!("Cancelled: {changed} e-mails not sent were dropped."),
            };
            message_page(&app, &me, &slug, Some(id), None, None, Some(notice), vec![]).await
        }
        Err(StoreError::Conflict { message, .. }) => {
            let errors = vec![FieldError { field: "preview".into(), message: format!("Nothing changed: {message}.") }];
            message_page(&app, &me, &slug, Some(id), None, None, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

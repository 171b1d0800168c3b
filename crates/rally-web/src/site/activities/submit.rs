//! `/c/{slug}/activities/submit`: anyone suggests an activity for the catalogue. The form is read,
//! limited and guarded as the registration form is (its body reader, its per-address allowance, its
//! honeypot field); errors come back in the visitor's language beside their fields with the input
//! kept; a suggestion is stored waiting for the team's review.

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rally_site::i18n::Arg;
use rally_store::StoreError;

use crate::AppState;
use crate::client::ClientIp;
use crate::kit::activity_form::{ActivityForm, ActivityFormView};
use crate::kit::{FormData, PageError, render};
use crate::site::register::read_form;
use crate::site::{Ctx, SiteView};

#[derive(Template)]
#[template(path = "site/activity_submit.html")]
struct SubmitPage {
    v: SiteView,
    af: ActivityFormView,
    /// A problem with the whole form (too large, too many, not saved).
    general: Option<String>,
}

#[derive(Template)]
#[template(path = "site/activity_submitted.html")]
struct Submitted {
    v: SiteView,
    body: String,
}

fn form_page(ctx: &Ctx, f: ActivityForm, errors: &[rally_domain::FieldError], general: Option<String>) -> SubmitPage {
    SubmitPage {
        v: ctx.view("activities", &format!("/c/{}/activities/submit", ctx.slug())),
        af: ActivityFormView::new(ctx.lang, f, errors),
        general,
    }
}

/// The form again with a problem of the whole form, answered with `status`.
fn refused(ctx: &Ctx, f: ActivityForm, status: StatusCode, message: &str) -> Result<Response, PageError> {
    let page = form_page(ctx, f, &[], Some(ctx.t(message)));
    Ok(ctx.respond((status, render(&page)?).into_response()))
}

fn thanks(ctx: &Ctx, email: &str) -> Result<Response, PageError> {
    let page = Submitted {
        v: ctx.view("activities", &format!("/c/{}/activities/submit", ctx.slug())),
        body: ctx.lang.t_with("activity-submitted", &[("email", Arg::Str(email))]),
    };
    Ok(ctx.respond(render(&page)?))
}

/// Whether a robot filled the honeypot field the registration form has too.
fn is_robot(data: &FormData) -> bool {
    !data.get("website").trim().is_empty()
}

/// `GET /c/{slug}/activities/submit`.
pub async fn form(ctx: Ctx) -> Result<Response, PageError> {
    let page = form_page(&ctx, ActivityForm::blank(ctx.lang.code(), ""), &[], None);
    Ok(ctx.respond(render(&page)?))
}

/// `POST /c/{slug}/activities/submit`: checks everything and stores the suggestion for review.
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    body: Body,
) -> Result<Response, PageError> {
    let Some(data) = read_form(body).await else {
        let blank = ActivityForm::blank(ctx.lang.code(), "");
        return refused(&ctx, blank, StatusCode::PAYLOAD_TOO_LARGE, "error-body-too-large");
    };
    let f = ActivityForm::read(&data);
    // One allowance per address for registrations and suggestions alike.
    if let Some(ip) = ip
        && !app.site.registrations.allow(ip, std::time::Instant::now())
    {
        let mut response = refused(&ctx, f, StatusCode::TOO_MANY_REQUESTS, "activity-error-too-many")?;
        response.headers_mut().insert("retry-after", HeaderValue::from_static("600"));
        return Ok(response);
    }
    if is_robot(&data) {
        // Robots are told what people are told, and nothing is stored.
        tracing::info!(campaign = ctx.slug(), "activity suggestion: honeypot filled, dropped");
        return thanks(&ctx, f.submitter_email.trim());
    }
    let (fields, submitter) = match f.check(None, ctx.lang.code()) {
        Ok(checked) => checked,
        Err(errors) => {
            let page = form_page(&ctx, f, &errors, None);
            return Ok(ctx.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()));
        }
    };
    match app.store.submit_activity(ctx.site.campaign.id, fields, submitter, Utc::now()).await {
        Ok(stored) => thanks(&ctx, stored.submitter.as_ref().map_or("", |s| s.email.as_str())),
        // Nothing was saved: the form comes back with everything the visitor typed.
        Err(e @ (StoreError::StorageFull(_) | StoreError::Unavailable(_))) => {
            tracing::error!(error = %e, campaign = ctx.slug(), "activity suggestion not saved");
            let mut response = refused(&ctx, f, StatusCode::SERVICE_UNAVAILABLE, "activity-error-unavailable")?;
            response.headers_mut().insert("retry-after", HeaderValue::from_static("2"));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

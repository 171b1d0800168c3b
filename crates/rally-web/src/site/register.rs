//! Event registration: the form, its errors next to their fields in the visitor's language (input
//! kept), the honeypot and the per-address allowance, and the "check your e-mail" answer.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rally_domain::event::{EventError, EventForm, EventType};
use rally_site::i18n::{Arg, Lang};
use rally_store::StoreError;

use super::{Ctx, EVENT_LANGUAGES, SiteView, link_secret, window};
use crate::AppState;
use crate::client::ClientIp;
use crate::kit::{FormData, PageError, render};

/// The largest registration form Rally reads: the longest description many times over.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// What the event form shows: the values, errors by field, and the lists to choose from.
#[derive(Debug)]
pub struct EventFormView {
    pub f: EventForm,
    pub errors: Vec<(String, String)>,
    pub types: Vec<(&'static str, String)>,
    pub languages: &'static [(&'static str, &'static str)],
    pub countries: Vec<(&'static str, &'static str)>,
    pub places: Vec<&'static str>,
    pub min_date: String,
    pub max_date: String,
    pub lock_email: bool,
}

impl EventFormView {
    pub fn new(ctx: &Ctx, f: EventForm, errors: &[EventError], lock_email: bool) -> EventFormView {
        let l = ctx.lang;
        let w = window(&ctx.site);
        let country = if f.country.is_empty() {
            ctx.site.campaign.fields.country.clone().unwrap_or_default()
        } else {
            f.country.clone()
        };
        EventFormView {
            errors: errors.iter().map(|e| (e.field.to_owned(), message(l, e))).collect(),
            types: EventType::ALL.iter().map(|t| (t.as_str(), l.t(&format!("event-type-{}", t.as_str())))).collect(),
            languages: EVENT_LANGUAGES,
            countries: rally_site::geo::countries_by_name(l.code())
                .into_iter()
                .map(|c| (c.code, c.name(l.code())))
                .collect(),
            places: rally_site::geo::search_places(Some(&country), "", 400).into_iter().map(|p| p.name).collect(),
            min_date: w.from.to_string(),
            max_date: w.to.to_string(),
            lock_email,
            f,
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// A field error in the visitor's language.
pub fn message(l: Lang, e: &EventError) -> String {
    let dates: Vec<(&str, String)> = e
        .args
        .iter()
        .map(|(k, v)| match v.parse::<chrono::NaiveDate>() {
            Ok(d) => (*k, l.date(d)),
            Err(_) => (*k, v.clone()),
        })
        .collect();
    let args: Vec<(&str, Arg)> = dates
        .iter()
        .map(|(k, v)| match v.parse::<i64>() {
            Ok(n) => (*k, Arg::Num(n)),
            Err(_) => (*k, Arg::Str(v.as_str())),
        })
        .collect();
    l.t_with(e.message_id, &args)
}

#[derive(Template)]
#[template(path = "site/register.html")]
struct Register {
    v: SiteView,
    ev: EventFormView,
    errors: Vec<(String, String)>,
    general: Option<String>,
    action: String,
    submit: String,
    with_consent: bool,
}

/// The "check your e-mail" answer, and any other short message page of the site.
#[derive(Template)]
#[template(path = "site/registered.html")]
pub struct Registered {
    pub v: SiteView,
    pub body: String,
    pub updated: bool,
}

/// A new form: the campaign's country and language chosen, nothing else.
fn blank(ctx: &Ctx) -> EventForm {
    EventForm {
        country: ctx.site.campaign.fields.country.clone().unwrap_or_default(),
        language: ctx.lang.code().to_owned(),
        event_type: EventType::InSchool.as_str().to_owned(),
        listing: "public".into(),
        ..EventForm::default()
    }
}

fn form_page(ctx: &Ctx, f: EventForm, errors: &[EventError], general: Option<String>) -> Register {
    let ev = EventFormView::new(ctx, f, errors, false);
    Register {
        v: ctx.view("register", &format!("/c/{}/register", ctx.slug())),
        errors: ev.errors.clone(),
        ev,
        general,
        action: format!("/c/{}/register", ctx.slug()),
        submit: ctx.t("register-submit"),
        with_consent: true,
    }
}

/// `GET /c/{slug}/register`.
pub async fn form(State(_app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = form_page(&ctx, blank(&ctx), &[], None);
    Ok(ctx.respond(render(&page)?))
}

/// Reads a form into the event form's fields.
pub fn event_form(data: &FormData) -> EventForm {
    let g = |k: &str| data.get(k).to_owned();
    EventForm {
        organizer_name: g("organizer_name"),
        organizer_email: g("organizer_email"),
        organization: g("organization"),
        event_type: g("event_type"),
        title: g("title"),
        country: g("country"),
        city: g("city"),
        latitude: g("latitude"),
        longitude: g("longitude"),
        url: g("url"),
        starts_on: g("starts_on"),
        ends_on: g("ends_on"),
        students: g("students"),
        ages: g("ages"),
        language: g("language"),
        description: g("description"),
        listing: g("listing"),
        consent: g("consent"),
        news: g("news"),
        website: g("website"),
    }
}

/// How much of a too large form is read (and dropped) so the browser, still sending, gets the answer
/// instead of a broken connection; past this the connection is closed.
const DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// Reads a form body of at most [`MAX_FORM_BYTES`]; `None` when it is larger, has too many fields or
/// is broken.
pub async fn read_form(body: Body) -> Option<FormData> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return None };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen <= MAX_FORM_BYTES {
                kept.extend_from_slice(&data);
            } else if seen > DRAIN_BYTES {
                break;
            }
        }
    }
    if seen > MAX_FORM_BYTES {
        return None;
    }
    FormData::read(&kept).ok()
}

/// `POST /c/{slug}/register`: checks everything, stores the event (or updates the unconfirmed
/// registration of the same event) and queues the confirmation e-mail in the same transaction.
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    body: Body,
) -> Result<Response, PageError> {
    let Some(data) = read_form(body).await else {
        let page = form_page(&ctx, blank(&ctx), &[], Some(ctx.t("error-body-too-large")));
        let mut page = page;
        page.errors.push(("form".into(), ctx.t("error-body-too-large")));
        return Ok(ctx.respond((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response()));
    };
    let f = event_form(&data);
    if let Some(ip) = ip
        && !app.site.registrations.allow(ip, std::time::Instant::now())
    {
        let mut page = form_page(&ctx, f, &[], Some(ctx.t("error-too-many")));
        page.errors.push(("form".into(), ctx.t("error-too-many")));
        let mut response = (StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response();
        response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static("600"));
        return Ok(ctx.respond(response));
    }
    let email = f.organizer_email.trim().to_owned();
    if f.is_robot() {
        // Robots are told what people are told, and nothing is stored.
        tracing::info!(campaign = slug, "registration: honeypot filled, dropped");
        let page = Registered {
            v: ctx.view("register", &format!("/c/{slug}/register")),
            body: ctx.lang.t_with("registered-body", &[("email", Arg::Str(&email))]),
            updated: false,
        };
        return Ok(ctx.respond(render(&page)?));
    }
    let fields = match f.validate(window(&ctx.site), &rally_site::geo::ShippedGazetteer) {
        Ok(fields) => fields,
        Err(errors) => {
            let page = form_page(&ctx, f, &errors, None);
            return Ok(ctx.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()));
        }
    };
    let secret = link_secret(&app).await?;
    let mailer = ctx.mailer(secret);
    let stored =
        match app.store.register_event(ctx.site.campaign.id, fields, ctx.lang.code(), Utc::now(), &mailer).await {
            Ok(stored) => stored,
            // Nothing was saved: the form comes back with everything the visitor typed, and says when to
            // try again, rather than an error page that loses it.
            Err(e @ (StoreError::StorageFull(_) | StoreError::Unavailable(_))) => {
                let (message, retry) = match e {
                    StoreError::StorageFull(_) => ("error-storage-full", crate::STORAGE_FULL_RETRY_SECONDS),
                    _ => ("error-unavailable", "2"),
                };
                tracing::error!(error = %e, campaign = slug, "registration not saved");
                let mut page = form_page(&ctx, f, &[], Some(ctx.t(message)));
                page.errors.push(("form".into(), ctx.t(message)));
                let mut response = (StatusCode::SERVICE_UNAVAILABLE, render(&page)?).into_response();
                response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static(retry));
                return Ok(ctx.respond(response));
            }
            Err(e) => return Err(e.into()),
        };
    crate::telemetry::metrics::event_registered();
    let page = Registered {
        v: ctx.view("register", &format!("/c/{slug}/register")),
        body: ctx.lang.t_with("registered-body", &[("email", Arg::Str(stored.event.fields.organizer_email.as_str()))]),
        updated: stored.updated,
    };
    Ok(ctx.respond(render(&page)?))
}

//! The organizer's page behind the signed link `/c/{slug}/e/{id}.{version}.{signature}`: confirm,
//! change, cancel, report the number of students, and download certificates. An unknown, forged or
//! revoked link answers like any missing page.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::EventId;
use rally_domain::event::{Event, EventStatus, LocationSource, parse_actual_students};
use rally_site::certificate::{self, CertificateTemplate, CertificateValues};
use rally_site::i18n::Arg;
use rally_store::StoreError;

use super::register::{EventFormView, Registered, event_form, message, read_form};
use super::{Ctx, SiteView, link_secret, window};
use crate::AppState;
use crate::kit::{PageError, render};

/// What the page says after an action (`?done=`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ManageQuery {
    lang: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "site/manage.html")]
struct Manage {
    v: SiteView,
    /// A newer privacy notice the organizer must agree to (they agreed to an earlier version).
    reconsent: Option<rally_domain::consent::PrivacyNotice>,
    ev: EventFormView,
    base_path: String,
    title: String,
    status: String,
    status_code: &'static str,
    reason: String,
    students: String,
    location_note: Option<String>,
    done: Option<String>,
    problem: Option<String>,
    unconfirmed: bool,
    cancelled: bool,
    may_report: bool,
    report_not_yet: String,
    actual: String,
    report_error: Option<String>,
    certificates: bool,
    cert_name: String,
    cert_error: Option<String>,
    /// The event's point on a map of its country, so the organizer sees a wrong pin and corrects it.
    pin: Option<String>,
}

/// A map of the event's country with the event's point.
fn pin_map(ctx: &Ctx, event: &Event) -> Option<String> {
    let f = &event.fields;
    let (lat, lon) = (f.latitude?, f.longitude?);
    let l = ctx.lang;
    let point = rally_site::map::Point {
        at: rally_site::geo::LatLon { lat, lon },
        weight: event.students_actual.unwrap_or(f.students_expected),
        label: f.display_title().to_owned(),
        href: None,
    };
    let label = |code: &str, _: i64| super::country_name(code, l);
    Some(rally_site::map::render(&rally_site::map::MapSpec {
        country: Some(&f.country),
        shading: &[],
        points: std::slice::from_ref(&point),
        title: &ctx.t("manage-map"),
        country_label: &label,
        country_href: None,
        bbox: None,
        cluster: None,
    }))
}

/// The event a token names, if the token is genuine and current.
pub(super) async fn event_of(app: &AppState, ctx: &Ctx, token: &str) -> Result<Event, PageError> {
    let secret = link_secret(app).await?;
    let (id, version) = rally_comms::organizer::verify_event_token(&secret, token).ok_or(PageError::NotFound)?;
    let event = app.store.organizer_event(EventId(id), version).await?;
    // A link of one campaign's event does not open under another campaign's address.
    if event.campaign_id != ctx.site.campaign.id {
        return Err(PageError::NotFound);
    }
    Ok(event)
}

#[derive(Default)]
struct Problems {
    form: Vec<rally_domain::event::EventError>,
    report: Option<String>,
    certificate: Option<String>,
    general: Option<String>,
}

fn page(
    ctx: &Ctx,
    token: &str,
    event: &Event,
    form: Option<rally_domain::event::EventForm>,
    p: Problems,
    done: Option<String>,
) -> Manage {
    let l = ctx.lang;
    let f = &event.fields;
    let status_code = event.status.as_str();
    let students = match event.students_actual {
        Some(n) => l.t_with("report-saved", &[("students", Arg::Num(n))]),
        None => l.number(f.students_expected),
    };
    let location_note = (f.location_source == LocationSource::Country).then(|| ctx.t("manage-location-country"));
    Manage {
        reconsent: None,
        v: ctx.view("register", &format!("/c/{}/e/{token}", ctx.slug())),
        ev: EventFormView::new(ctx, form.unwrap_or_else(|| f.to_form()), &p.form, true),
        base_path: format!("/c/{}/e/{token}", ctx.slug()),
        title: f.display_title().to_owned(),
        status: ctx.t(&format!("status-{status_code}")),
        status_code,
        reason: if event.status == EventStatus::Rejected {
            l.t_with("manage-rejected-reason", &[("reason", Arg::Str(&event.reason))])
        } else {
            String::new()
        },
        students,
        location_note,
        done,
        problem: p.general,
        unconfirmed: event.status == EventStatus::Unconfirmed,
        cancelled: event.status == EventStatus::Cancelled,
        may_report: event.may_report(Utc::now()),
        report_not_yet: l.t_with("report-not-yet", &[("date", Arg::Str(&l.date(f.starts_on)))]),
        actual: event.students_actual.map(|n| n.to_string()).unwrap_or_default(),
        report_error: p.report,
        certificates: event.students_actual.is_some_and(|n| n > 0) && event.status == EventStatus::Approved,
        cert_name: f.organizer_name.clone(),
        cert_error: p.certificate,
        pin: pin_map(ctx, event),
    }
}

fn done_message(ctx: &Ctx, event: &Event, done: Option<&str>) -> Option<String> {
    Some(match done? {
        "confirmed" if event.status == EventStatus::Approved => {
            format!("{} {}", ctx.t("confirmed-title"), ctx.t("confirmed-approved"))
        }
        "confirmed" => format!("{} {}", ctx.t("confirmed-title"), ctx.t("confirmed-pending")),
        "saved" if event.status == EventStatus::Pending => ctx.t("manage-saved-pending"),
        "saved" => ctx.t("manage-saved"),
        "cancelled" => ctx.t("manage-cancelled"),
        "agreed" => ctx.t("reconsent-done"),
        "reported" => ctx.lang.t_with("report-saved", &[("students", Arg::Num(event.students_actual.unwrap_or(0)))]),
        _ => return None,
    })
}

/// `GET /c/{slug}/e/{token}`.
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Query(q): Query<ManageQuery>,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let done = done_message(&ctx, &event, q.done.as_deref());
    let mut view = page(&ctx, &token, &event, None, Problems::default(), done);
    view.reconsent = app.store.organizer_notice_due(event.id, event.link_version).await?;
    Ok(private(ctx.respond(render(&view)?)))
}

/// The organizer's page again, with what went wrong next to it, answered with `status`.
fn refused(
    ctx: &Ctx,
    token: &str,
    event: &Event,
    form: Option<rally_domain::event::EventForm>,
    problems: Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let view = page(ctx, token, event, form, problems, None);
    Ok(private(ctx.respond((status, render(&view)?).into_response())))
}

/// Link pages are nobody else's business: not indexed, not cached (every page), and like every page
/// `Referrer-Policy: same-origin`, so no other site learns the secret. (`no-referrer` would also make
/// the browser send `Origin: null` with the page's own forms, which the cross-site check refuses.)
fn private(mut response: Response) -> Response {
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

pub(super) fn back(slug: &str, token: &str, done: &str) -> Response {
    Redirect::to(&format!("/c/{slug}/e/{token}?done={done}")).into_response()
}

/// `POST /c/{slug}/e/{token}/confirm`: the organizer confirms; the event waits for approval (or counts
/// at once when the campaign approves automatically).
pub async fn confirm(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let mailer = ctx.mailer(link_secret(&app).await?);
    let confirmed = app.store.confirm_event(event.id, event.link_version, Utc::now(), &mailer).await?;
    // A second click on the link confirms nothing new.
    if event.status == EventStatus::Unconfirmed && confirmed.status != EventStatus::Unconfirmed {
        crate::telemetry::metrics::event_confirmed();
    }
    app.site.forget(&slug);
    Ok(back(&slug, &token, "confirmed"))
}

/// `POST /c/{slug}/e/{token}/edit`: the organizer changes the event (not the address).
pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
    body: Body,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let Some(data) = read_form(body).await else {
        let p = Problems { general: Some(ctx.t("error-body-too-large")), ..Problems::default() };
        return refused(&ctx, &token, &event, None, p, StatusCode::PAYLOAD_TOO_LARGE);
    };
    let mut form = event_form(&data);
    form.organizer_email = event.fields.organizer_email.to_string();
    form.consent = "on".into();
    // The news opt-in is not on this form: an edit keeps it (only a consent change may change it).
    form.news = if event.fields.news_opt_in { "on".into() } else { String::new() };
    form.website.clear();
    match form.validate(window(&ctx.site), &rally_site::geo::ShippedGazetteer) {
        Ok(fields) => match app.store.organizer_edit(event.id, event.link_version, fields, Utc::now()).await {
            Ok(_) => {
                app.site.forget(&slug);
                Ok(back(&slug, &token, "saved"))
            }
            Err(StoreError::Conflict { field, message: m }) => {
                let p = Problems { general: Some(format!("{field}: {m}")), ..Problems::default() };
                refused(&ctx, &token, &event, Some(form), p, StatusCode::CONFLICT)
            }
            Err(e) => Err(e.into()),
        },
        Err(errors) => {
            let p = Problems { form: errors, general: Some(ctx.t("form-has-errors")), ..Problems::default() };
            refused(&ctx, &token, &event, Some(form), p, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// The organizer's event for a form that must be confirmed (`confirm=yes`); without it, the page again
/// asking for the confirmation (`ask`, a message id).
async fn confirmed(
    app: &AppState,
    ctx: Ctx,
    token: &str,
    body: Body,
    ask: &str,
) -> Result<Result<(Ctx, Event), Response>, PageError> {
    let event = event_of(app, &ctx, token).await?;
    if read_form(body).await.unwrap_or_default().get("confirm") != "yes" {
        let p = Problems { general: Some(ctx.t(ask)), ..Problems::default() };
        return Ok(Err(refused(&ctx, token, &event, None, p, StatusCode::UNPROCESSABLE_ENTITY)?));
    }
    Ok(Ok((ctx, event)))
}

/// `POST /c/{slug}/e/{token}/cancel`.
pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
    body: Body,
) -> Result<Response, PageError> {
    let (_, event) = match confirmed(&app, ctx, &token, body, "manage-cancel-confirm").await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    app.store.cancel_event(event.id, event.link_version, Utc::now()).await?;
    app.site.forget(&slug);
    Ok(back(&slug, &token, "cancelled"))
}

/// `POST /c/{slug}/e/{token}/delete`: the registration and everything about its organizer are deleted
/// (the privacy notice promises it); the link stops working.
pub async fn delete(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
    body: Body,
) -> Result<Response, PageError> {
    let (ctx, event) = match confirmed(&app, ctx, &token, body, "manage-delete-confirm").await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    app.store.delete_event(event.id, event.link_version).await?;
    app.site.forget(&slug);
    let view =
        Registered { v: ctx.view("register", &format!("/c/{slug}/")), body: ctx.t("manage-deleted"), updated: false };
    Ok(private(ctx.respond(render(&view)?)))
}

/// `POST /c/{slug}/e/{token}/data`: everything the campaign holds about the organizer, as a JSON file
/// (recorded in the audit log).
pub async fn data(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let document = app.store.export_organizer(event.id, event.link_version).await?;
    let response =
        crate::kit::json_attachment(&document, &format!("{slug}-my-data.json")).map_err(|_| PageError::Internal)?;
    Ok(private(response))
}

/// `POST /c/{slug}/e/{token}/erase`: the organizer's data is erased from the campaign (confirmed with
/// `confirm=yes`); their events still count, without them, and the link stops working.
pub async fn erase(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
    body: Body,
) -> Result<Response, PageError> {
    let (ctx, event) = match confirmed(&app, ctx, &token, body, "manage-erase-confirm").await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    app.store.erase_organizer(event.id, event.link_version).await?;
    app.site.forget(&slug);
    let view =
        Registered { v: ctx.view("register", &format!("/c/{slug}/")), body: ctx.t("manage-erased"), updated: false };
    Ok(private(ctx.respond(render(&view)?)))
}

/// `POST /c/{slug}/e/{token}/report`: how many students took part (from the first day on).
pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
    body: Body,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let data = read_form(body).await.unwrap_or_default();
    let problem = |text: String| Problems { report: Some(text), ..Problems::default() };
    let students = match parse_actual_students(data.get("students_actual")) {
        Ok(n) => n,
        Err(e) => {
            return refused(
                &ctx,
                &token,
                &event,
                None,
                problem(message(ctx.lang, &e)),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match app.store.report_students(event.id, event.link_version, students, Utc::now()).await {
        Ok(_) => {
            app.site.forget(&slug);
            Ok(back(&slug, &token, "reported"))
        }
        Err(StoreError::Conflict { .. }) => {
            let l = ctx.lang;
            let text = l.t_with("report-not-yet", &[("date", Arg::Str(&l.date(event.fields.starts_on)))]);
            refused(&ctx, &token, &event, None, problem(text), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CertificateQuery {
    name: String,
    lang: Option<String>,
}

/// `GET /c/{slug}/e/{token}/certificate?name=…`: a PDF certificate of participation, once the number
/// of students is reported, for the organizer or any name they give (a student, a teacher).
pub async fn certificate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Query(q): Query<CertificateQuery>,
) -> Result<Response, PageError> {
    let event = event_of(&app, &ctx, &token).await?;
    let l = ctx.lang;
    let name: String = q.name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
    let refuse = |text: String| {
        let p = Problems { certificate: Some(text), ..Problems::default() };
        refused(&ctx, &token, &event, None, p, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(students) = event.students_actual.filter(|n| *n > 0 && event.status == EventStatus::Approved) else {
        return refuse(ctx.t("certificate-needs-report"));
    };
    if name.is_empty() {
        return refuse(ctx.t("error-required"));
    }
    if name.chars().count() > 200 {
        return refuse(l.t_with("error-too-long", &[("max", Arg::Num(200))]));
    }
    let settings = &ctx.site.settings;
    let campaign = ctx.site.campaign.fields.name.clone();
    let date = l.date(event.fields.starts_on);
    let values = CertificateValues {
        name: &name,
        students,
        event: event.fields.display_title(),
        date: &date,
        campaign: &campaign,
        organization: &event.fields.organization,
    };
    let title = if settings.certificate_title.is_empty() {
        ctx.t("certificate-title")
    } else {
        settings.certificate_title.clone()
    };
    let body = if settings.certificate_body.is_empty() {
        l.t_with(
            "certificate-default-body",
            &[
                ("event", Arg::Str(values.event)),
                ("organization", Arg::Str(values.organization)),
                ("campaign", Arg::Str(&campaign)),
                ("students", Arg::Num(students)),
                ("date", Arg::Str(&date)),
            ],
        )
    } else {
        settings.certificate_body.clone()
    };
    let mut template = CertificateTemplate::standard(&title, &body);
    template.signer = settings.certificate_signer.clone();
    // Drawing the PDF is CPU work: off the async workers, with its own copies of the values.
    let owned = [name.clone(), values.event.to_owned(), date.clone(), campaign.clone(), values.organization.to_owned()];
    let drawn = crate::blocking::run(move || {
        let [name, event, date, campaign, organization] = &owned;
        certificate::render(&template, &CertificateValues { name, students, event, date, campaign, organization })
    });
    match drawn.await? {
        Ok(pdf) => {
            let mut response = pdf.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"certificate.pdf\""));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(private(response))
        }
        Err(certificate::CertificateError::UnsupportedCharacters { characters, .. }) => {
            refuse(l.t_with("certificate-unsupported", &[("characters", Arg::Str(&characters))]))
        }
        Err(e) => {
            tracing::error!(error = %e, "certificate failed");
            Err(PageError::Internal)
        }
    }
}

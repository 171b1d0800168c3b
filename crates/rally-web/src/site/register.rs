//! Event registration: the form, its errors next to their fields in the visitor's language (input
//! kept), the honeypot and the per-address allowance, and the "check your e-mail" answer.
//!
//! The form also asks what the event runs (activities of the campaign's catalogue, found by a search
//! that re-renders the form without JavaScript, or "our own activity") and how the organizer heard of
//! the campaign; the share code a visit came with ([`super::referral`]) rides along as a hidden field.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rally_domain::event::{EventError, EventForm, EventType};
use rally_site::i18n::{Arg, Lang};
use rally_store::StoreError;
use serde::Deserialize;

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

/// How many catalogue entries the form lists at once.
const PICKER_OPTIONS: i64 = 60;

/// One catalogue entry the form offers.
#[derive(Debug)]
pub struct PickerOption {
    pub id: String,
    pub title: String,
    pub provider: String,
    pub checked: bool,
}

/// The form's "what will you run?" and "how did you hear about us?" parts.
#[derive(Debug, Default)]
pub struct Picker {
    /// The search typed into the catalogue's box.
    pub q: String,
    /// Entries matching the search, chosen ones first.
    pub options: Vec<PickerOption>,
    /// The campaign's won partners: id and name.
    pub sources: Vec<(String, String)>,
    /// The share code the visit came with.
    pub referral: String,
}

impl Picker {
    /// The catalogue entries matching `q` in the visitor's language, and the chosen ones whatever the
    /// search; the won partners for "how did you hear about us?".
    async fn load(app: &AppState, ctx: &Ctx, f: &EventForm, q: &str, referral: String) -> Result<Picker, PageError> {
        let campaign = ctx.site.campaign.id;
        let lang = ctx.lang.code();
        let chosen: Vec<&str> = f.activities.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect();
        let mut found = app.store.activity_options(campaign, q.trim(), lang, PICKER_OPTIONS).await?;
        if !chosen.is_empty() && !q.trim().is_empty() {
            // Chosen entries stay on the form (checked) whatever the visitor searches for next.
            let all = app.store.activity_options(campaign, "", lang, 500).await?;
            let missing: Vec<_> = all
                .into_iter()
                .filter(|o| chosen.contains(&o.id.to_string().as_str()) && !found.iter().any(|f| f.id == o.id))
                .collect();
            found.splice(0..0, missing);
        }
        let mut options: Vec<PickerOption> = found
            .into_iter()
            .map(|o| PickerOption {
                checked: chosen.contains(&o.id.to_string().as_str()),
                id: o.id.to_string(),
                title: o.title,
                provider: o.provider_name,
            })
            .collect();
        options.sort_by_key(|o| !o.checked);
        let sources =
            app.store.won_partners(campaign).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
        Ok(Picker { q: q.trim().chars().take(100).collect(), options, sources, referral })
    }
}

#[derive(Template)]
#[template(path = "site/register.html")]
struct Register {
    v: SiteView,
    ev: EventFormView,
    picker: Picker,
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

fn form_page(ctx: &Ctx, f: EventForm, errors: &[EventError], general: Option<String>, picker: Picker) -> Register {
    let ev = EventFormView::new(ctx, f, errors, false);
    Register {
        v: ctx.view("register", &format!("/c/{}/register", ctx.slug())),
        errors: ev.errors.clone(),
        ev,
        picker,
        general,
        action: format!("/c/{}/register", ctx.slug()),
        submit: ctx.t("register-submit"),
        with_consent: true,
    }
}

/// What the registration form's address may carry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormQuery {
    /// An activity to preselect ("Host an event with this activity").
    activity: String,
    /// A search of the catalogue.
    activity_q: String,
    /// A share code, for a link that names it and a browser without cookies.
    #[serde(rename = "ref")]
    referral: String,
}

/// `GET /c/{slug}/register`.
pub async fn form(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(query): Query<FormQuery>,
) -> Result<Response, PageError> {
    let mut f = blank(&ctx);
    if query.activity.trim().parse::<i64>().is_ok() {
        f.activities = vec![query.activity.trim().to_owned()];
    }
    let referral = super::referral::visit_code(&headers, &query.referral).unwrap_or_default();
    let picker = Picker::load(&app, &ctx, &f, &query.activity_q, referral).await?;
    let page = form_page(&ctx, f, &[], None, picker);
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
        // Checkboxes: one pair per chosen activity, bounded so a forged form cannot grow the list.
        activities: data
            .0
            .iter()
            .filter(|(k, _)| k == "activities")
            .map(|(_, v)| v.clone())
            .take(rally_domain::event::MAX_ACTIVITIES + 1)
            .collect(),
        own_activity: g("own_activity"),
        heard_from: g("heard_from"),
        referral: g("ref"),
    }
}

/// A store refusal of what the event runs or who sent it, as the form's field errors; `None` for any
/// other error.
fn choice_errors(e: &StoreError) -> Option<Vec<EventError>> {
    let StoreError::Invalid(invalid) = e else { return None };
    invalid
        .0
        .iter()
        .map(|fe| {
            let (field, message_id) = match fe.field.as_str() {
                "activities" => ("activities", "error-activities"),
                "heard_from" => ("heard_from", "error-heard-from"),
                "own_activity" => ("own_activity", "error-too-long"),
                _ => return None,
            };
            let args = if field == "own_activity" {
                vec![("max", rally_domain::event::MAX_OWN_ACTIVITY.to_string())]
            } else {
                Vec::new()
            };
            Some(EventError { field, message_id, args })
        })
        .collect()
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
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let Some(data) = read_form(body).await else {
        let referral = super::referral::visit_code(&headers, "").unwrap_or_default();
        let picker = Picker::load(&app, &ctx, &blank(&ctx), "", referral).await?;
        let page = form_page(&ctx, blank(&ctx), &[], Some(ctx.t("error-body-too-large")), picker);
        let mut page = page;
        page.errors.push(("form".into(), ctx.t("error-body-too-large")));
        return Ok(ctx.respond((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response()));
    };
    let mut f = event_form(&data);
    let referral = super::referral::visit_code(&headers, &f.referral).unwrap_or_default();
    f.referral = referral.clone();
    // The catalogue's search button: the same form again with all that was typed, the catalogue's
    // entries narrowed; nothing is stored and no allowance is spent.
    if data.get("picker") == "search" {
        let picker = Picker::load(&app, &ctx, &f, data.get("activity_q"), referral).await?;
        let page = form_page(&ctx, f, &[], None, picker);
        return Ok(ctx.respond(render(&page)?));
    }
    let picker = Picker::load(&app, &ctx, &f, "", referral.clone()).await?;
    if let Some(ip) = ip
        && !app.site.registrations.allow(ip, std::time::Instant::now())
    {
        let mut page = form_page(&ctx, f, &[], Some(ctx.t("error-too-many")), picker);
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
    let mut fields = match f.validate(window(&ctx.site), &rally_site::geo::ShippedGazetteer) {
        Ok(fields) => fields,
        Err(errors) => {
            let page = form_page(&ctx, f, &errors, None, picker);
            return Ok(ctx.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()));
        }
    };
    // A code that names no partner (revoked, mistyped) is no code: the registration goes on.
    if !referral.is_empty() {
        fields.referred_by = app.store.partner_for_code(ctx.site.campaign.id, &referral).await?;
    }
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
                let mut page = form_page(&ctx, f, &[], Some(ctx.t(message)), picker);
                page.errors.push(("form".into(), ctx.t(message)));
                let mut response = (StatusCode::SERVICE_UNAVAILABLE, render(&page)?).into_response();
                response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static(retry));
                return Ok(ctx.respond(response));
            }
            Err(e) => match choice_errors(&e) {
                Some(errors) => {
                    let page = form_page(&ctx, f, &errors, None, picker);
                    return Ok(ctx.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()));
                }
                None => return Err(e.into()),
            },
        };
    crate::telemetry::metrics::event_registered();
    let page = Registered {
        v: ctx.view("register", &format!("/c/{slug}/register")),
        body: ctx.lang.t_with("registered-body", &[("email", Arg::Str(stored.event.fields.organizer_email.as_str()))]),
        updated: stored.updated,
    };
    Ok(ctx.respond(render(&page)?))
}

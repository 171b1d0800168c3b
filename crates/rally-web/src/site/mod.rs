//! The public campaign site under `/c/{slug}/`: the message and the counter, event registration,
//! organizers' pages behind their signed links, the list of events, the map, the partners and the
//! statistics, in the visitor's language (English, Croatian, Russian, French), all without JavaScript.
//!
//! The counter and statistics come from a small in-process cache: fresh for a second, and when the
//! database does not answer the last good value is served — never a zero that is not true.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rally_domain::CampaignId;
use rally_domain::event::{DateWindow, Event};
use rally_site::geo;
use rally_site::i18n::{Arg, Lang, negotiate};
use rally_store::{EventMailKind, EventStats, OrganizerMail, Site};

use crate::AppState;
use crate::kit::PageError;

mod activities;
mod embed;
mod event_page;
mod home;
mod manage;
mod map;
mod privacy;
mod referral;
mod register;
mod wall;

/// The public site's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}", get(home::home))
        .route("/c/{slug}/", get(home::home))
        .route("/c/{slug}/register", get(register::form).post(register::submit))
        .route("/c/{slug}/r/{code}", get(referral::follow))
        .route("/c/{slug}/events", get(home::events))
        .route("/c/{slug}/events/{id}", get(event_page::show))
        .route("/c/{slug}/activities", get(activities::catalogue))
        .route("/c/{slug}/activities/submit", get(activities::form).post(activities::submit))
        .route("/c/{slug}/activities/{id}", get(activities::activity))
        .route("/c/{slug}/activities/{id}/material", get(activities::material))
        .route("/c/{slug}/partners", get(wall::partners))
        .route("/c/{slug}/recognition", get(wall::recognition))
        .route("/c/{slug}/stats", get(home::stats_page))
        .route("/c/{slug}/privacy", get(privacy::show))
        .route("/c/{slug}/map", get(map::page))
        .route("/c/{slug}/map.svg", get(map::svg))
        .route("/c/{slug}/e/{token}", get(manage::show))
        .route("/c/{slug}/e/{token}/confirm", axum::routing::post(manage::confirm))
        .route("/c/{slug}/e/{token}/edit", axum::routing::post(manage::edit))
        .route("/c/{slug}/e/{token}/cancel", axum::routing::post(manage::cancel))
        .route("/c/{slug}/e/{token}/delete", axum::routing::post(manage::delete))
        .route("/c/{slug}/e/{token}/report", axum::routing::post(manage::report))
        .route("/c/{slug}/e/{token}/data", axum::routing::post(manage::data))
        .route("/c/{slug}/e/{token}/erase", axum::routing::post(manage::erase))
        .route("/c/{slug}/e/{token}/privacy", axum::routing::post(privacy::agree))
        .route("/c/{slug}/e/{token}/certificate", get(manage::certificate))
        .route("/c/{slug}/embed/counter", get(embed::counter))
        .route("/c/{slug}/embed/partners", get(embed::partners))
        .route("/c/{slug}/embed/recognition", get(wall::fragment))
        .route("/static/site.css", get(site_css))
        .layer(axum::middleware::from_fn(localize_errors))
}

#[derive(askama::Template)]
#[template(path = "site/error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    title: String,
    message: String,
    back: String,
    slug: Option<&'a str>,
}

/// The public site's error pages say what went wrong in the visitor's language (the team app's are in
/// English): an answer that carries a page error's [`ErrorKind`] is written again, keeping its status
/// and headers (`Retry-After`).
async fn localize_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use crate::kit::ErrorKind;
    let explicit = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
    let cookie = cookie_lang(request.headers());
    let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let slug = request.uri().path().strip_prefix("/c/").and_then(|rest| rest.split('/').next()).map(str::to_owned);
    let mut response = next.run(request).await;
    let Some(kind) = response.extensions().get::<ErrorKind>().copied() else { return response };
    let lang = negotiate(explicit.as_deref().or(cookie.as_deref()), accept.as_deref(), &[], "en");
    let id = match kind {
        ErrorKind::NotFound => "error-page-not-found",
        ErrorKind::Forbidden => "error-page-forbidden",
        ErrorKind::CsrfRejected => "error-page-expired",
        ErrorKind::TooLarge | ErrorKind::FileTooLarge => "error-page-too-large",
        ErrorKind::BadRequest => "error-page-bad-request",
        ErrorKind::TooManyAttempts => "error-page-too-many",
        ErrorKind::Unavailable => "error-page-unavailable",
        ErrorKind::StorageFull => "error-page-storage-full",
        ErrorKind::Internal => "error-page-internal",
    };
    // Only a campaign slug as it can be written links back; anything else is left out.
    let slug = slug.filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let page = ErrorPage {
        lang,
        title: lang.t(&format!("{id}-title")),
        message: lang.t(id),
        back: lang.t("error-page-back"),
        slug: slug.as_deref(),
    };
    if let Ok(html) = askama::Template::render(&page) {
        *response.body_mut() = axum::body::Body::from(html);
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        response.headers_mut().remove(header::CONTENT_LENGTH);
        if let Ok(v) = HeaderValue::from_str(lang.code()) {
            response.headers_mut().insert(header::CONTENT_LANGUAGE, v);
        }
    }
    response
}

async fn site_css() -> impl IntoResponse {
    (
        [("content-type", "text/css; charset=utf-8"), ("cache-control", "public, max-age=3600")],
        include_str!("../../static/site.css"),
    )
}

/// How long counter figures are served from memory before the database is asked again.
use crate::counter::FRESH;
/// How long a rendered world map is kept.
const MAP_FRESH: Duration = Duration::from_secs(10);

/// A rendered map: campaign slug, zoomed country, language.
type MapKey = (String, Option<String>, Lang);

/// What the public site keeps between requests.
#[derive(Debug)]
pub struct SiteState {
    sites: Mutex<HashMap<String, (Instant, Arc<Site>)>>,
    /// The counter's figures (the public API serves them too).
    pub counter: crate::counter::CounterCache,
    maps: Mutex<HashMap<MapKey, (Instant, Arc<str>)>>,
    /// Registrations one client address may send per hour (a burst of a quarter of it at once).
    pub registrations: crate::client::Allowance,
    secret: tokio::sync::OnceCell<String>,
}

impl SiteState {
    pub fn new(registrations_per_hour: u32) -> SiteState {
        SiteState {
            sites: Mutex::new(HashMap::new()),
            counter: crate::counter::CounterCache::default(),
            maps: Mutex::new(HashMap::new()),
            registrations: crate::client::Allowance::new(
                registrations_per_hour,
                (f64::from(registrations_per_hour) / 4.0).max(3.0),
            ),
            secret: tokio::sync::OnceCell::new(),
        }
    }

    /// Drops a campaign's cached figures and settings, after a change this process made.
    pub fn forget(&self, slug: &str) {
        self.counter.mark_stale(slug);
        if let Ok(mut m) = self.sites.lock() {
            m.remove(slug);
        }
        if let Ok(mut m) = self.maps.lock() {
            m.retain(|(s, _, _), _| s != slug);
        }
    }

    /// The campaign behind a public site: from memory while fresh (a second), else from the database.
    async fn site(&self, app: &AppState, slug: &str) -> Result<Arc<Site>, PageError> {
        if let Some((at, site)) = self.sites.lock().ok().and_then(|m| m.get(slug).cloned())
            && at.elapsed() < FRESH
        {
            return Ok(site);
        }
        let site = Arc::new(app.store.site(slug).await?);
        if let Ok(mut m) = self.sites.lock() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(slug.to_owned(), (Instant::now(), site.clone()));
        }
        Ok(site)
    }
}

impl Default for SiteState {
    fn default() -> Self {
        SiteState::new(30)
    }
}

/// The secret organizers' links are signed with (the database's; read once).
async fn link_secret(app: &AppState) -> Result<String, PageError> {
    let secret = app
        .site
        .secret
        .get_or_try_init(|| async { app.store.link_secret(&rally_comms::unsubscribe::new_secret()).await })
        .await?;
    Ok(secret.clone())
}

/// The counter's figures for a public page (see [`crate::counter::stats`]).
async fn stats(app: &AppState, slug: &str) -> Result<(CampaignId, Arc<EventStats>, Bytes), PageError> {
    crate::counter::stats(&app.site.counter, app.store.as_ref(), slug).await
}

/// The counter as the home page and the embed show it.
#[derive(Debug)]
pub struct CounterView {
    /// Students, formatted for the visitor.
    pub students: String,
    /// For the progress bar: students (at most the goal) against the goal.
    pub students_raw: i64,
    pub goal_raw: i64,
    /// "12% of the goal".
    pub progress: String,
}

impl CounterView {
    pub fn new(ctx: &Ctx, s: &EventStats) -> CounterView {
        let percent = if s.goal > 0 { (s.students * 100 / s.goal).min(999) } else { 0 };
        CounterView {
            students: ctx.lang.number(s.students),
            students_raw: s.students.min(s.goal.max(1)),
            goal_raw: s.goal.max(1),
            progress: ctx.t_num("counter-progress", "percent", percent),
        }
    }
}

/// The days events of a campaign may fall on.
pub fn window(site: &Site) -> DateWindow {
    DateWindow { from: site.campaign.fields.promotion_starts_on(), to: site.campaign.fields.follow_up_ends_on() }
}

/// The visitor's language and the campaign, for one request.
#[derive(Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub site: Arc<Site>,
    pub base: String,
    /// The visitor chose a language with `?lang=`: remembered in a cookie.
    remember: bool,
}

fn cookie_lang(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == "rally_lang").then(|| v.to_owned())
    })
}

/// The public handlers' context from the request itself: the campaign of the `{slug}` in the path and
/// the visitor's language (a `lang` in the query, then the cookie, then `Accept-Language`).
impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Ctx, Response> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, app)
            .await
            .map_err(|_| PageError::NotFound.into_response())?;
        let slug = params.get("slug").ok_or_else(|| PageError::NotFound.into_response())?;
        let lang = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
        Ctx::load(app, slug, &parts.headers, lang.as_deref()).await.map_err(IntoResponse::into_response)
    }
}

impl Ctx {
    pub async fn load(
        app: &AppState,
        slug: &str,
        headers: &HeaderMap,
        explicit: Option<&str>,
    ) -> Result<Ctx, PageError> {
        let site = app.site.site(app, slug).await?;
        // A draft site is the team's preview: to anyone else it does not exist.
        let draft = site.campaign.published_at.is_none();
        if draft && !crate::kit::cookies::on_team(app.store.as_ref(), headers, site.campaign.id).await {
            return Err(PageError::NotFound);
        }
        let chosen = explicit.and_then(Lang::parse);
        let cookie = cookie_lang(headers);
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let fallback = site.campaign.fields.languages.first().map(|l| l.to_string()).unwrap_or_else(|| "en".into());
        let lang = negotiate(chosen.map(Lang::code).or(cookie.as_deref()), accept, &[], &fallback);
        Ok(Ctx { lang, site, base: app.public_url.to_string(), remember: chosen.is_some() })
    }

    pub fn slug(&self) -> &str {
        self.site.campaign.fields.slug.as_str()
    }

    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    pub fn t_num(&self, id: &str, name: &str, n: i64) -> String {
        self.lang.t_with(id, &[(name, Arg::Num(n))])
    }

    /// The campaign's universal message in the visitor's language, or in the campaign's first one.
    pub fn message(&self) -> String {
        let m = &self.site.campaign.fields.message;
        m.iter()
            .find(|(l, _)| l.as_str().split('-').next() == Some(self.lang.code()))
            .or_else(|| m.iter().next())
            .map(|(_, text)| text.clone())
            .unwrap_or_default()
    }

    /// The layout's view of this request.
    pub fn view(&self, section: &'static str, path: &str) -> SiteView {
        let c = &self.site.campaign.fields;
        SiteView {
            lang: self.lang,
            slug: c.slug.to_string(),
            name: c.name.clone(),
            section,
            languages: Lang::all()
                .map(|l| (l.code(), l.name(), format!("{path}?lang={}", l.code()), l == self.lang))
                .collect(),
            umbrella: self.site.umbrella.clone(),
            draft: self.site.campaign.published_at.is_none(),
        }
    }

    /// A page answer, remembering an explicitly chosen language.
    pub fn respond(&self, mut response: Response) -> Response {
        if self.remember
            && let Ok(v) = HeaderValue::from_str(&format!(
                "rally_lang={}; Path=/c/; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            ))
        {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
        response.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(self.lang.code()));
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-language, cookie"));
        response
    }

    /// Writes e-mails to this campaign's event organizers.
    pub fn mailer(&self, secret: String) -> impl Fn(&Event, EventMailKind) -> OrganizerMail + Send + Sync + use<> {
        rally_comms::organizer::mailer(
            self.base.clone(),
            self.slug().to_owned(),
            self.site.campaign.fields.name.clone(),
            secret,
        )
    }
}

/// What the public layout shows around every page.
#[derive(Debug, Clone)]
pub struct SiteView {
    pub lang: Lang,
    pub slug: String,
    pub name: String,
    pub section: &'static str,
    /// Code, own name, link, current.
    pub languages: Vec<(&'static str, &'static str, String, bool)>,
    pub umbrella: Option<(String, String)>,
    /// The site is not published: only the team sees it, as a preview.
    pub draft: bool,
}

impl SiteView {
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { " aria-current=\"page\"" } else { "" }
    }

    pub fn umbrella_line(&self) -> Option<String> {
        self.umbrella.as_ref().map(|(_, name)| self.lang.t_with("home-umbrella", &[("umbrella", Arg::Str(name))]))
    }
}

/// A country's name in the visitor's language (its code if unknown).
pub fn country_name(code: &str, lang: Lang) -> String {
    geo::country(code).map_or_else(|| code.to_owned(), |c| c.name(lang.code()).to_owned())
}

/// Languages an event may be held in (see [`crate::kit::EVENT_LANGUAGES`]).
pub use crate::kit::EVENT_LANGUAGES;

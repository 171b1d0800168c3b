//! `/p/{token}`: what a partner sees through its secret link, without an account — its asks, the
//! commitments it confirms or declines, the material sent to it, its logo for the partner wall, whom
//! at the campaign to write to, and whether each of its contacts gets campaign e-mail (a consent
//! recorded as given through the partner link). Contacts are shown by name and role only.
//!
//! The page speaks the partner's language: a language chosen on the page (`?lang=`, kept in the page's
//! own links and forms), else that of the partner's first contact with a language, else the browser's
//! `Accept-Language`, else the campaign's first language, else English — in the site's translations
//! (`rally-site`'s `locales/`). What the team wrote (asks, units, titles) stays as written.
//!
//! The token in the path is the credential; it is stored hashed. An unknown or revoked link gets the
//! same "not found" page as any other missing page, so a link reveals nothing about whose it was.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rally_domain::{AssetId, CommitmentId, CommitmentStatus, Consent, ContactId, FieldError, PartnerResponse};
use rally_site::i18n::{Arg, Lang, negotiate};
use rally_store::{CampaignContact, LinkView, StoreError};

use super::{FormData, PageError, render, upload_limit};
use crate::AppState;
use crate::auth::hash_token;
use crate::kit::activity_form::{ActivityForm, ActivityFormView};
use crate::kit::uploads::{Accept, UploadForm, UploadProblem};

/// The notes a partner writes are at most this long (the domain's limit, named in the error).
const NOTE_MAX: i64 = 2000;

/// The link page's routes: the page, its forms and its files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{token}", get(show))
        .route("/p/{token}/commitments/{id}", post(respond))
        .route("/p/{token}/logo", get(logo).post(upload_logo).layer(upload_limit()))
        .route("/p/{token}/recognition", post(set_recognition))
        .route("/p/{token}/contacts/{id}/consent", post(set_consent))
        .route("/p/{token}/assets/{id}", get(asset))
        .route("/p/{token}/activities", post(suggest_activity))
}

/// The reader's side of the language: a language chosen on the page and the browser's languages.
pub struct Reader {
    chosen: Option<Lang>,
    accept: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Reader, Self::Rejection> {
        let chosen = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
        });
        let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Reader { chosen, accept })
    }
}

impl Reader {
    /// The page's language for this partner (see the module's documentation).
    fn language(&self, view: &LinkView) -> Lang {
        let contact = view.contact_language.as_deref().and_then(Lang::parse);
        let campaign = view.campaign.fields.languages.first().map_or_else(|| "en".to_owned(), ToString::to_string);
        negotiate(self.chosen.or(contact).map(Lang::code), self.accept.as_deref(), &[], &campaign)
    }

    /// `?lang=…` when the reader chose a language on the page, for the page's own addresses.
    fn query(&self) -> String {
        self.chosen.map(|l| format!("?lang={}", l.code())).unwrap_or_default()
    }
}

/// What the page thanks the partner for, said in the page's language.
enum Notice {
    Answered {
        ask: String,
        accepted: bool,
    },
    LogoUploaded,
    /// A contact's campaign e-mail choice is saved (named on the page by the contact's name).
    ConsentSaved {
        contact: ContactId,
    },
    /// An activity the partner suggested waits for the team's review.
    ActivitySuggested,
}

/// A form of the page that failed, said in the page's language.
enum Problem {
    /// The answer to a commitment.
    Answer { id: i64, error: AnswerError },
    /// The logo: no file, or a file refused (with the checker's own words, in English).
    Logo { detail: Option<String> },
    /// A contact's campaign e-mail choice was neither answer.
    Consent { id: i64 },
    /// The suggested activity, as typed, and what is wrong with it.
    Activity { form: Box<ActivityForm>, errors: Vec<FieldError> },
}

enum AnswerError {
    NotANumber,
    QuantityOutOfRange,
    QuantityMissing,
    AlreadyAnswered,
    NoteTooLong,
    /// Anything else, in the domain's words.
    Other(String),
}

impl AnswerError {
    /// The domain's error on a field, knowing whether the partner gave a quantity.
    fn of(e: &FieldError, gave_quantity: bool) -> AnswerError {
        match e.field.as_str() {
            "quantity" if gave_quantity => AnswerError::QuantityOutOfRange,
            "quantity" => AnswerError::QuantityMissing,
            "accept" => AnswerError::AlreadyAnswered,
            "note" => AnswerError::NoteTooLong,
            _ => AnswerError::Other(e.message.clone()),
        }
    }

    fn say(&self, l: Lang, unit: &str) -> String {
        match self {
            AnswerError::NotANumber => l.t("link-error-number"),
            AnswerError::QuantityOutOfRange => {
                l.t_with("link-error-quantity", &[("max", Arg::Num(rally_domain::ask::MAX_QUANTITY))])
            }
            AnswerError::QuantityMissing => l.t_with("link-error-quantity-missing", &[("unit", Arg::Str(unit))]),
            AnswerError::AlreadyAnswered => l.t("link-error-answered"),
            AnswerError::NoteTooLong => l.t_with("error-too-long", &[("max", Arg::Num(NOTE_MAX))]),
            AnswerError::Other(message) => message.clone(),
        }
    }
}

/// A commitment as the partner sees it.
pub struct LinkCommitment {
    pub id: i64,
    pub ask: String,
    pub unit: String,
    /// "How many schools?"
    pub quantity_label: String,
    pub status: &'static str,
    pub status_label: String,
    pub quantity: String,
    /// The quantity as the form's field holds it: digits only.
    pub quantity_input: String,
    /// "due 3 December 2026", or empty.
    pub due: String,
    pub open: bool,
}

pub struct LinkAsset {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub url: Option<String>,
    pub has_file: bool,
}

/// One of the partner's contacts and its campaign e-mail choice.
pub struct LinkContactRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    /// `opted_in`, `opted_out`, or empty when not chosen yet.
    pub choice: &'static str,
}

/// A failed form's message: the form (`c{id}`, `k{id}` or `logo`), what to say, and the checker's words.
struct Failed {
    form: String,
    message: String,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    l: Lang,
    token: String,
    /// `?lang=…` for the page's own links and forms, when the reader chose a language.
    query: String,
    /// Code, own name, current.
    languages: Vec<(&'static str, &'static str, bool)>,
    partner: String,
    campaign: String,
    message: String,
    dates: String,
    contact: Option<CampaignContact>,
    commitments: Vec<LinkCommitment>,
    assets: Vec<LinkAsset>,
    has_logo: bool,
    logo_alt: String,
    opt_out: bool,
    contacts: Vec<LinkContactRow>,
    notice: Option<String>,
    failed: Option<Failed>,
    /// The form to suggest an activity (`site/activity_fields.html`), and whether one was just sent.
    af: ActivityFormView,
    suggested: bool,
    /// The partner's share link (absolute), and what came through it in words.
    share_link: String,
    brought: String,
}

impl LinkPage {
    fn t(&self, id: &str) -> String {
        self.l.t(id)
    }

    fn cerror(&self, id: &i64) -> Option<&str> {
        self.failed.as_ref().filter(|f| f.form == format!("c{id}")).map(|f| f.message.as_str())
    }

    fn kerror(&self, id: &i64) -> Option<&str> {
        self.failed.as_ref().filter(|f| f.form == format!("k{id}")).map(|f| f.message.as_str())
    }

    fn logo_error(&self) -> Option<&Failed> {
        self.failed.as_ref().filter(|f| f.form == "logo")
    }
}

/// Store answers on a link page: a dead link is simply "not found".
fn link_error(e: StoreError) -> PageError {
    match e {
        StoreError::NotFound(_) => PageError::NotFound,
        e => e.into(),
    }
}

/// The campaign's message in the page's language, else in the campaign's first language.
fn message(view: &LinkView, l: Lang) -> String {
    let f = &view.campaign.fields;
    f.message
        .iter()
        .find(|(tag, _)| tag.as_str().split('-').next() == Some(l.code()))
        .map(|(_, text)| text)
        .or_else(|| f.languages.first().and_then(|tag| f.message.get(tag)))
        .or_else(|| f.message.values().next())
        .cloned()
        .unwrap_or_default()
}

fn commitments(view: &LinkView, l: Lang) -> Vec<LinkCommitment> {
    view.commitments
        .iter()
        .map(|c| LinkCommitment {
            id: c.id.0,
            ask: c.ask_title.clone(),
            unit: c.unit.clone(),
            quantity_label: l.t_with("link-quantity", &[("unit", Arg::Str(&c.unit))]),
            status: c.status.as_str(),
            status_label: l.t(&format!("link-status-{}", c.status.as_str())),
            quantity: c.quantity.map(|q| l.number(q)).unwrap_or_default(),
            quantity_input: c.quantity.map(|q| q.to_string()).unwrap_or_default(),
            due: c.due_on.map(|d| l.t_with("link-due", &[("date", Arg::Str(&l.date(d)))])).unwrap_or_default(),
            open: c.status == CommitmentStatus::Proposed,
        })
        .collect()
}

fn assets(view: LinkView, l: Lang) -> Vec<LinkAsset> {
    view.assets
        .into_iter()
        .map(|a| LinkAsset {
            id: a.id.0,
            kind: l.t(&format!("link-asset-{}", a.fields.kind.as_str())),
            url: a.fields.url,
            has_file: a.file.is_some(),
            title: a.fields.title,
        })
        .collect()
}

fn contacts(view: &LinkView) -> Vec<LinkContactRow> {
    view.contacts
        .iter()
        .map(|k| LinkContactRow {
            id: k.id.0,
            name: k.name.clone(),
            role: k.role.clone(),
            choice: match k.consent {
                Consent::Unknown => "",
                c => c.as_str(),
            },
        })
        .collect()
}

fn say_notice(notice: Notice, view: &LinkView, l: Lang) -> String {
    match notice {
        Notice::Answered { ask, accepted } => {
            let id = if accepted { "link-confirmed" } else { "link-declined" };
            l.t_with(id, &[("ask", Arg::Str(&ask))])
        }
        Notice::LogoUploaded => l.t("link-logo-uploaded"),
        Notice::ActivitySuggested => l.t("link-activity-submitted"),
        Notice::ConsentSaved { contact } => {
            let name = view.contacts.iter().find(|k| k.id == contact).map_or("", |k| k.name.as_str());
            l.t_with("link-consent-saved", &[("name", Arg::Str(name))])
        }
    }
}

fn say_problem(problem: Problem, view: &LinkView, l: Lang) -> Failed {
    match problem {
        Problem::Answer { id, error } => {
            let unit = view.commitments.iter().find(|c| c.id.0 == id).map(|c| c.unit.as_str()).unwrap_or_default();
            Failed { form: format!("c{id}"), message: error.say(l, unit), detail: None }
        }
        Problem::Logo { detail: None } => {
            Failed { form: "logo".into(), message: l.t("link-error-logo-missing"), detail: None }
        }
        Problem::Logo { detail } => Failed { form: "logo".into(), message: l.t("link-error-logo"), detail },
        Problem::Consent { id } => Failed { form: format!("k{id}"), message: l.t("link-error-consent"), detail: None },
        Problem::Activity { .. } => Failed { form: "activity".into(), message: l.t("form-has-errors"), detail: None },
    }
}

/// The partner's share link (made the first time it is asked for) and what it brought, in the page's
/// language.
async fn share_and_brought(app: &AppState, view: &LinkView, l: Lang) -> Result<(String, String), PageError> {
    let partner = view.partner.id;
    let code = app.store.partner_share_code(partner).await.map_err(link_error)?;
    let slug = view.campaign.fields.slug.as_str();
    let link = format!("{}/c/{slug}/r/{code}", app.public_url.as_str().trim_end_matches('/'));
    let brought = match app.store.brought(view.campaign.id, Some(partner)).await?.into_iter().next() {
        Some(b) => l.t_with("partner-brought", &[("events", Arg::Num(b.events)), ("students", Arg::Num(b.students))]),
        None => l.t("link-brought-none"),
    };
    Ok((link, brought))
}

async fn link_page(
    app: &AppState,
    token: &str,
    reader: &Reader,
    notice: Option<Notice>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let view = app.store.link_view(&hash_token(token)).await.map_err(link_error)?;
    // A choice for a contact that is not on this page is for no contact the link knows of.
    if let Some(Problem::Consent { id }) = &problem
        && !view.contacts.iter().any(|k| k.id.0 == *id)
    {
        return Err(PageError::NotFound);
    }
    let l = reader.language(&view);
    let f = &view.campaign.fields;
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let af = activity_form(l, &view, problem.as_ref());
    let suggested = matches!(notice, Some(Notice::ActivitySuggested));
    let (share_link, brought) = share_and_brought(app, &view, l).await?;
    let page = LinkPage {
        l,
        token: token.to_owned(),
        query: reader.query(),
        languages: Lang::all().map(|x| (x.code(), x.name(), x == l)).collect(),
        partner: view.partner.fields.name.clone(),
        campaign: f.name.clone(),
        message: message(&view, l),
        dates: l
            .t_with("home-dates", &[("from", Arg::Str(&l.date(f.starts_on))), ("to", Arg::Str(&l.date(f.ends_on)))]),
        contact: view.campaign_contact.clone(),
        commitments: commitments(&view, l),
        has_logo: view.profile.logo.is_some(),
        logo_alt: l.t_with("link-logo-alt", &[("partner", Arg::Str(&view.partner.fields.name))]),
        opt_out: view.profile.recognition_opt_out,
        contacts: contacts(&view),
        notice: notice.map(|n| say_notice(n, &view, l)),
        failed: problem.map(|p| say_problem(p, &view, l)),
        af,
        suggested,
        share_link,
        brought,
        assets: assets(view, l),
    };
    let mut response = render(&page)?;
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(l.code()));
    h.insert(header::VARY, HeaderValue::from_static("accept-language"));
    // The secret is in the address: like every page, this one sends `Referrer-Policy: same-origin`, so
    // no other site learns it. (`no-referrer` would also make the browser send `Origin: null` with the
    // page's own forms, which the CSRF guard rightly refuses.)
    Ok(response)
}

pub async fn show(
    State(app): State<AppState>,
    reader: Reader,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    link_page(&app, &token, &reader, None, None).await
}

/// The partner confirms (with a quantity) or declines a proposed commitment.
pub async fn respond(
    State(app): State<AppState>,
    reader: Reader,
    Path((token, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(CommitmentId).map_err(|_| PageError::NotFound)?;
    let mut errors = Vec::new();
    let quantity = form.number("quantity", &mut errors);
    if !errors.is_empty() {
        let problem = Problem::Answer { id: id.0, error: AnswerError::NotANumber };
        return link_page(&app, &token, &reader, None, Some(problem)).await;
    }
    let response = PartnerResponse { accept: form.get("answer") == "accept", quantity, note: form.some("note") };
    match app.store.link_respond(&hash_token(&token), id, response, chrono::Utc::now().date_naive()).await {
        Ok(c) => {
            let notice = Notice::Answered { ask: c.ask_title, accepted: c.status == CommitmentStatus::Agreed };
            link_page(&app, &token, &reader, Some(notice), None).await
        }
        Err(StoreError::Invalid(i)) => {
            let error =
                i.0.first().map_or(AnswerError::Other(String::new()), |e| AnswerError::of(e, quantity.is_some()));
            link_page(&app, &token, &reader, None, Some(Problem::Answer { id: id.0, error })).await
        }
        Err(e) => Err(link_error(e)),
    }
}

/// The partner uploads its logo for the campaign's partner wall.
pub async fn upload_logo(
    State(app): State<AppState>,
    reader: Reader,
    Path(token): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // A dead link learns nothing, not even whether the upload would have been accepted.
    app.store.link_view(&hash_token(&token)).await.map_err(link_error)?;
    let form = match UploadForm::read(multipart, Accept::Images, &app.files).await {
        Ok(f) => f,
        Err(UploadProblem::TooLarge) => return Err(PageError::FileTooLarge),
        Err(UploadProblem::Unavailable) => return Err(PageError::Unavailable),
        Err(p) => {
            let problem = Problem::Logo { detail: Some(p.message()) };
            return link_page(&app, &token, &reader, None, Some(problem)).await;
        }
    };
    let stored = form.store_file(&app.files).await.map_err(|e| {
        tracing::error!(error = %e, "storing an upload");
        PageError::Unavailable
    })?;
    let Some(stored) = stored else {
        return link_page(&app, &token, &reader, None, Some(Problem::Logo { detail: None })).await;
    };
    app.store.link_set_logo(&hash_token(&token), stored).await.map_err(link_error)?;
    link_page(&app, &token, &reader, Some(Notice::LogoUploaded), None).await
}

/// The partner's choice to be shown (or not) among the campaign's partners.
pub async fn set_recognition(
    State(app): State<AppState>,
    reader: Reader,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    app.store.link_set_opt_out(&hash_token(&token), form.get("opt_out") == "1").await.map_err(link_error)?;
    Ok(Redirect::to(&format!("/p/{token}{}#recognition", reader.query())).into_response())
}

/// The partner says whether one of its contacts gets campaign e-mail; the store records a change as a
/// consent given through the partner link, with this request's address and user agent.
pub async fn set_consent(
    State(app): State<AppState>,
    reader: Reader,
    Path((token, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(ContactId).map_err(|_| PageError::NotFound)?;
    let consent = match Consent::parse(form.get("consent")) {
        Ok(c @ (Consent::OptedIn | Consent::OptedOut)) => c,
        _ => return link_page(&app, &token, &reader, None, Some(Problem::Consent { id: id.0 })).await,
    };
    match app.store.link_set_contact_consent(&hash_token(&token), id, consent).await {
        Ok(_) => link_page(&app, &token, &reader, Some(Notice::ConsentSaved { contact: id }), None).await,
        Err(StoreError::Invalid(_)) => {
            link_page(&app, &token, &reader, None, Some(Problem::Consent { id: id.0 })).await
        }
        Err(e) => Err(link_error(e)),
    }
}

/// A file sent to the partner.
pub async fn asset(
    State(app): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse().map(AssetId).map_err(|_| PageError::NotFound)?;
    let asset = app.store.link_asset(&hash_token(&token), id).await.map_err(link_error)?;
    let file = asset.file.ok_or(PageError::NotFound)?;
    Ok(crate::kit::uploads::serve_file(&app.files, &file, true).await)
}

/// The partner's current logo.
pub async fn logo(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let view = app.store.link_view(&hash_token(&token)).await.map_err(link_error)?;
    let logo = view.profile.logo.ok_or(PageError::NotFound)?;
    Ok(crate::kit::uploads::serve_file(&app.files, &logo, false).await)
}

// ——— Suggesting an activity for the campaign's catalogue ———

/// The activity form of the page: what was typed when it failed, else a blank one naming the partner
/// as the maker.
fn activity_form(l: Lang, view: &LinkView, problem: Option<&Problem>) -> ActivityFormView {
    match problem {
        Some(Problem::Activity { form, errors }) => ActivityFormView::new(l, (**form).clone(), errors),
        _ => ActivityFormView::new(l, ActivityForm::blank(l.code(), &view.partner.fields.name), &[]),
    }
}

/// The partner suggests an activity; it is stored as submitted through this partner's link and waits
/// for the team's review (which decides whether the partner is its maker).
pub async fn suggest_activity(
    State(app): State<AppState>,
    reader: Reader,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let view = app.store.link_view(&hash_token(&token)).await.map_err(link_error)?;
    let l = reader.language(&view);
    let typed = ActivityForm::read(&form);
    let (fields, submitter) = match typed.check(Some(view.partner.id), l.code()) {
        Ok(checked) => checked,
        Err(errors) => {
            let problem = Problem::Activity { form: Box::new(typed), errors };
            return link_page(&app, &token, &reader, None, Some(problem)).await;
        }
    };
    app.store.submit_activity(view.campaign.id, fields, submitter, chrono::Utc::now()).await.map_err(link_error)?;
    link_page(&app, &token, &reader, Some(Notice::ActivitySuggested), None).await
}

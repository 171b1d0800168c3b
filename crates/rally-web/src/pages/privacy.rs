//! `/campaigns/{slug}/privacy`: one person's data in the campaign, for its owners. An address is looked
//! up (a POST: addresses stay out of URLs and logs) and the page says what the campaign holds about
//! it, table by table; from there the owner downloads it as JSON, or erases it with a reason after
//! confirming. Both are recorded in the audit log by the store.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rally_domain::{Email, Role};
use rally_store::{ErasureReport, StoreError};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;

/// The longest reason kept (the API's bound).
const MAX_REASON_CHARS: usize = rally_domain::limits::ERASURE_REASON;

/// How a dry run is described when the page only looks: nothing is written, so it is never recorded.
const LOOKING: &str = "looking up what the campaign holds";

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    slug: String,
    /// The address as typed, to fill the form again.
    email: String,
    /// What the campaign holds about the address found: (what, rows).
    found: Option<Vec<(String, u64)>>,
    reason: String,
    errors: Vec<(&'static str, String)>,
    /// After an erasure: how many rows, and how the audit log names the person now.
    erased: Option<(u64, String)>,
}

impl PrivacyPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// People's words for the tables an erasure reaches.
fn described(table: &str) -> String {
    match table {
        "contacts" => "Contact records".into(),
        "events" => "Events they registered".into(),
        "event_log" => "Event history entries".into(),
        "outbox" => "E-mails sent or planned to them".into(),
        "outbox_staged" => "E-mails being prepared".into(),
        "suppressions" => "Unsubscribes and bounces".into(),
        "consents" => "Consent records".into(),
        "interactions" => "Interactions that mention them".into(),
        "tasks" => "Tasks that mention them".into(),
        "partners" => "Partner notes that mention them".into(),
        "commitments" => "Commitments that mention them".into(),
        "stage_changes" => "Pipeline notes that mention them".into(),
        "asset_sends" => "Asset notes that mention them".into(),
        "import_undo" => "Import undo data".into(),
        "invitations" => "Invitations to the team".into(),
        "audit_log" => "Audit log entries".into(),
        other => other.replace('_', " "),
    }
}

fn rows(report: &ErasureReport) -> Vec<(String, u64)> {
    report.tables.iter().filter(|(t, _)| t.as_str() != "audit_log").map(|(t, n)| (described(t), *n)).collect()
}

async fn owned(app: &AppState, me: &SignedIn, slug: &str) -> Result<rally_domain::CampaignId, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    if found.role != Some(Role::Owner) {
        return Err(PageError::Forbidden);
    }
    Ok(found.campaign.id)
}

async fn page(app: &AppState, me: &SignedIn, slug: &str, mut view: PrivacyPageParts) -> Result<Response, PageError> {
    let layout = Layout::new(app, me, Some(slug), "privacy", "Personal data").await?;
    let status = if view.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&PrivacyPage {
        layout,
        slug: slug.to_owned(),
        email: std::mem::take(&mut view.email),
        found: view.found.take(),
        reason: std::mem::take(&mut view.reason),
        errors: std::mem::take(&mut view.errors),
        erased: view.erased.take(),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// What a page shows besides its layout.
#[derive(Default)]
struct PrivacyPageParts {
    email: String,
    found: Option<Vec<(String, u64)>>,
    reason: String,
    errors: Vec<(&'static str, String)>,
    erased: Option<(u64, String)>,
}

/// `GET /campaigns/{slug}/privacy`.
pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    owned(&app, &me, &slug).await?;
    page(&app, &me, &slug, PrivacyPageParts::default()).await
}

fn address(form: &FormData, errors: &mut Vec<(&'static str, String)>) -> Option<Email> {
    match form.some("email") {
        None => {
            errors.push(("email", "Enter the person's e-mail address".into()));
            None
        }
        Some(raw) => Email::parse(&raw).map_err(|e| errors.push(("email", e))).ok(),
    }
}

/// `POST /campaigns/{slug}/privacy`: what the campaign holds about an address (a dry run of erasure,
/// which changes and records nothing).
pub async fn find(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = owned(&app, &me, &slug).await?;
    let mut parts = PrivacyPageParts { email: form.get("email").trim().to_owned(), ..Default::default() };
    let Some(email) = address(&form, &mut parts.errors) else { return page(&app, &me, &slug, parts).await };
    let report = app.store.erase_person(me.actor(), &email, Some(campaign), LOOKING, true).await?;
    parts.found = Some(rows(&report));
    page(&app, &me, &slug, parts).await
}

/// `POST /campaigns/{slug}/privacy/export`: the address's data as a JSON file.
pub async fn export(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = owned(&app, &me, &slug).await?;
    let mut errors = Vec::new();
    let Some(email) = address(&form, &mut errors) else {
        let parts = PrivacyPageParts { email: form.get("email").trim().to_owned(), errors, ..Default::default() };
        return page(&app, &me, &slug, parts).await;
    };
    let document = app.store.export_person(me.actor(), &email, Some(campaign)).await?;
    crate::kit::json_attachment(&document, &format!("{slug}-personal-data.json")).map_err(|_| PageError::Internal)
}

/// `POST /campaigns/{slug}/privacy/erase`: erases the address from the campaign, with a reason and a
/// confirmation.
pub async fn erase(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = owned(&app, &me, &slug).await?;
    let mut parts = PrivacyPageParts {
        email: form.get("email").trim().to_owned(),
        reason: form.get("reason").to_owned(),
        ..Default::default()
    };
    let email = address(&form, &mut parts.errors);
    let reason = parts.reason.trim().to_owned();
    if reason.is_empty() {
        parts.errors.push(("reason", "Say why the data is erased (for the audit log)".into()));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        parts.errors.push(("reason", format!("Use at most {MAX_REASON_CHARS} characters")));
    }
    if form.get("confirm") != "yes" {
        parts.errors.push(("confirm", "Tick the box to confirm: erasure cannot be undone".into()));
    }
    let Some(email) = email.filter(|_| parts.errors.is_empty()) else {
        // Show again what would be erased, so the owner sees what they are confirming.
        if let Ok(email) = Email::parse(&parts.email) {
            let report = app.store.erase_person(me.actor(), &email, Some(campaign), LOOKING, true).await?;
            parts.found = Some(rows(&report));
        }
        return page(&app, &me, &slug, parts).await;
    };
    match app.store.erase_person(me.actor(), &email, Some(campaign), &reason, false).await {
        Ok(report) => {
            let erased = PrivacyPageParts { erased: Some((report.total(), report.pseudonym)), ..Default::default() };
            page(&app, &me, &slug, erased).await
        }
        Err(StoreError::Conflict { message, .. }) => {
            parts.errors.push(("email", message));
            page(&app, &me, &slug, parts).await
        }
        Err(e) => Err(e.into()),
    }
}

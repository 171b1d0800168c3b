//! `/campaigns/{slug}/privacy-notice`: the campaign's privacy notice per language — the text in force,
//! a form to publish a new version (optionally one that everyone who agreed to an earlier version must
//! agree to again before receiving campaign news), and every version published.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::consent::{NoticeDraft, PrivacyNotice};
use rally_domain::{ContactId, FieldError, Role};
use rally_store::{Actor, ConsentRecord};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "privacy_notices.html")]
struct NoticesPage {
    layout: Layout,
    slug: String,
    /// The newest version of each language, the campaign's languages first.
    current: Vec<PrivacyNotice>,
    /// Every version, newest first.
    versions: Vec<PrivacyNotice>,
    /// The campaign's languages, offered in the form.
    languages: Vec<String>,
    can_edit: bool,
    published: bool,
    form: FormData,
    errors: Vec<FieldError>,
}

impl NoticesPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// The language the form starts with: the one just tried, else the campaign's first.
    fn language(&self) -> &str {
        match self.form.get("language") {
            "" => self.languages.first().map(String::as_str).unwrap_or_default(),
            tried => tried,
        }
    }

    /// The body the form starts with: the one just tried, else the chosen language's text in force
    /// (a new version usually edits the last one).
    fn body(&self) -> &str {
        if !self.errors.is_empty() {
            return self.form.get("body");
        }
        let language = self.language();
        self.current.iter().find(|n| n.language.as_str() == language).map(|n| n.body.as_str()).unwrap_or_default()
    }
}

async fn notices_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    form: FormData,
    errors: Vec<FieldError>,
    published: bool,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let c = found.campaign;
    let versions = app.store.privacy_notices(me.actor(), c.id).await?;
    let languages: Vec<String> = c.fields.languages.iter().map(ToString::to_string).collect();
    let mut current: Vec<PrivacyNotice> = Vec::new();
    for n in &versions {
        if !current.iter().any(|m| m.language == n.language) {
            current.push(n.clone());
        }
    }
    let rank = |n: &PrivacyNotice| languages.iter().position(|l| *l == n.language.as_str()).unwrap_or(usize::MAX);
    current.sort_by_key(|n| (rank(n), n.language.clone()));
    let title = format!("Privacy notice · {}", c.fields.name);
    let layout = Layout::new(app, me, Some(slug), "plan", title).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&NoticesPage {
        layout,
        slug: slug.to_owned(),
        current,
        versions,
        languages,
        can_edit: matches!(found.role, Some(Role::Owner | Role::Coordinator)),
        published,
        form,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct Shown {
    #[serde(default)]
    published: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Result<Response, PageError> {
    notices_page(&app, &me, &slug, FormData::default(), vec![], shown.published.is_some()).await
}

pub async fn publish(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let draft = NoticeDraft {
        language: form.get("language").to_owned(),
        body: form.get("body").to_owned(),
        needs_reconsent: form.get("needs_reconsent") == "on",
    };
    let fields = match draft.validate() {
        Ok(fields) => fields,
        Err(invalid) => return notices_page(&app, &me, &slug, form, invalid.0, false).await,
    };
    match app.store.publish_privacy_notice(me.actor(), campaign.id, fields).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/privacy-notice?published=1")).into_response()),
        Err(rally_store::StoreError::Invalid(i)) => notices_page(&app, &me, &slug, form, i.0, false).await,
        Err(e) => Err(e.into()),
    }
}

/// One change of a contact's consent as the partner page lists it.
pub struct ConsentLine {
    pub when: String,
    /// "Campaign e-mail", "Privacy notice".
    pub what: &'static str,
    pub granted: bool,
    /// "Set by the team (Ana)", "Import 12", "E-mail preferences page (from 192.0.2.7)".
    pub how: String,
    /// The privacy notice's version agreed to (`hr-3`), if any.
    pub version: String,
    /// The address the consent applied to.
    pub email: String,
}

impl ConsentLine {
    fn of(r: ConsentRecord) -> ConsentLine {
        let mut how = r.method.label().to_owned();
        let mut extra = Vec::new();
        if let Some(batch) = r.import_batch {
            extra.push(format!("batch {batch}"));
        }
        if let Some(name) = r.user_name {
            extra.push(name);
        }
        if let Some(address) = r.client_address {
            extra.push(format!("from {address}"));
        }
        if !extra.is_empty() {
            how = format!("{how} ({})", extra.join(", "));
        }
        ConsentLine {
            when: r.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            what: r.purpose.label(),
            granted: r.granted,
            how,
            version: r.notice.unwrap_or_default(),
            email: r.email,
        }
    }
}

/// A contact's consent history for the partner page, newest first.
pub(super) async fn consent_history(
    app: &AppState,
    actor: Actor,
    contact: ContactId,
) -> Result<Vec<ConsentLine>, PageError> {
    Ok(app.store.contact_consents(actor, contact).await?.into_iter().map(ConsentLine::of).collect())
}

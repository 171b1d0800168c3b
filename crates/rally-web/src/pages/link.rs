//! `/p/{token}`: what a partner sees through its secret link, without an account — its asks, the
//! commitments it confirms or declines, the material sent to it, and its logo for the partner wall.
//!
//! The token in the path is the credential; it is stored hashed. An unknown or revoked link gets the
//! same "not found" page as any other missing page, so a link reveals nothing about whose it was.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::{AssetId, CommitmentId, FieldError, PartnerResponse};
use rally_store::StoreError;

use super::partner_page::CommitmentRow;
use super::{FormData, PageError, render};
use crate::AppState;
use crate::auth::hash_token;
use crate::kit::uploads::{UploadForm, UploadProblem};

pub struct LinkAsset {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub url: Option<String>,
    pub has_file: bool,
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    token: String,
    partner: String,
    campaign: String,
    message: String,
    dates: String,
    commitments: Vec<CommitmentRow>,
    assets: Vec<LinkAsset>,
    has_logo: bool,
    opt_out: bool,
    notice: Option<String>,
    /// The commitment (or "logo") whose form failed, and why.
    failed: String,
    errors: Vec<FieldError>,
}

impl LinkPage {
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        if self.failed != form {
            return None;
        }
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn cerror(&self, id: &i64) -> Option<&str> {
        if self.failed != format!("c{id}") {
            return None;
        }
        self.errors.first().map(|e| e.message.as_str())
    }
}

/// Store answers on a link page: a dead link is simply "not found".
fn link_error(e: StoreError) -> PageError {
    match e {
        StoreError::NotFound(_) => PageError::NotFound,
        e => e.into(),
    }
}

async fn link_page(
    app: &AppState,
    token: &str,
    notice: Option<String>,
    failed: String,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let view = app.store.link_view(&hash_token(token)).await.map_err(link_error)?;
    let today = Utc::now().date_naive();
    let f = &view.campaign.fields;
    let message = f.languages.first().and_then(|l| f.message.get(l)).cloned().unwrap_or_default();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&LinkPage {
        token: token.to_owned(),
        partner: view.partner.fields.name.clone(),
        campaign: f.name.clone(),
        message,
        dates: format!("{} – {}", f.starts_on, f.ends_on),
        commitments: view.commitments.iter().map(|c| CommitmentRow::new(c, today)).collect(),
        assets: view
            .assets
            .into_iter()
            .map(|a| LinkAsset {
                id: a.id.0,
                kind: a.fields.kind.label(),
                url: a.fields.url,
                has_file: a.file.is_some(),
                title: a.fields.title,
            })
            .collect(),
        has_logo: view.profile.logo.is_some(),
        opt_out: view.profile.recognition_opt_out,
        notice,
        failed,
        errors,
    })?;
    *response.status_mut() = status;
    // The secret is in the address: like every page, this one sends `Referrer-Policy: same-origin`, so
    // no other site learns it. (`no-referrer` would also make the browser send `Origin: null` with the
    // page's own forms, which the CSRF guard rightly refuses.)
    Ok(response)
}

pub async fn show(State(app): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    link_page(&app, &token, None, String::new(), vec![]).await
}

/// The partner confirms (with a quantity) or declines a proposed commitment.
pub async fn respond(
    State(app): State<AppState>,
    Path((token, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(CommitmentId).map_err(|_| PageError::NotFound)?;
    let mut errors = Vec::new();
    let quantity = form.number("quantity", &mut errors);
    let failed = format!("c{}", id.0);
    if !errors.is_empty() {
        return link_page(&app, &token, None, failed, errors).await;
    }
    let response = PartnerResponse { accept: form.get("answer") == "accept", quantity, note: form.some("note") };
    match app.store.link_respond(&hash_token(&token), id, response, Utc::now().date_naive()).await {
        Ok(c) => {
            let done = if c.status == rally_domain::CommitmentStatus::Agreed { "confirmed" } else { "declined" };
            let notice = format!("Thank you: “{}” is {done}. The campaign team sees it now.", c.ask_title);
            link_page(&app, &token, Some(notice), String::new(), vec![]).await
        }
        Err(StoreError::Invalid(i)) => link_page(&app, &token, None, failed, i.0).await,
        Err(e) => Err(link_error(e)),
    }
}

/// The partner uploads its logo for the campaign's partner wall.
pub async fn upload_logo(
    State(app): State<AppState>,
    Path(token): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // A dead link learns nothing, not even whether the upload would have been accepted.
    app.store.link_view(&hash_token(&token)).await.map_err(link_error)?;
    let failed = |message: String| vec![FieldError { field: "logo".into(), message }];
    let form = match UploadForm::read(multipart, crate::kit::uploads::Accept::Images, &app.files).await {
        Ok(f) => f,
        Err(UploadProblem::TooLarge) => return Err(PageError::FileTooLarge),
        Err(UploadProblem::Unavailable) => return Err(PageError::Unavailable),
        Err(p) => return link_page(&app, &token, None, "logo".into(), failed(p.message())).await,
    };
    let stored = form.store_file(&app.files).await.map_err(|e| {
        tracing::error!(error = %e, "storing an upload");
        PageError::Unavailable
    })?;
    let Some(stored) = stored else {
        let message = format!("choose a {} file", crate::kit::uploads::Accept::Images.types());
        return link_page(&app, &token, None, "logo".into(), failed(message)).await;
    };
    app.store.link_set_logo(&hash_token(&token), stored).await.map_err(link_error)?;
    link_page(&app, &token, Some("Thank you: your logo is uploaded.".into()), String::new(), vec![]).await
}

/// The partner's choice to be shown (or not) among the campaign's partners.
pub async fn set_recognition(
    State(app): State<AppState>,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    app.store.link_set_opt_out(&hash_token(&token), form.get("opt_out") == "1").await.map_err(link_error)?;
    Ok(Redirect::to(&format!("/p/{token}#recognition")).into_response())
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

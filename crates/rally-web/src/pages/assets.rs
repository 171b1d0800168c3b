//! `/campaigns/{slug}/assets`: the library of promotional material — logos, banners, posters, press
//! kits, tutorial links — with uploads checked by their content, details that can be changed, and
//! deletion that asks first.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{Asset, AssetDraft, AssetId, AssetKind, Audience, FieldError, Role};
use rally_store::StoreError;

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::kit::uploads::{UploadForm, UploadProblem};
use crate::kit::{FormField, FormState, field_errors};

pub struct AssetRow {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    /// The kind and audience as the edit form sends them.
    pub kind_value: &'static str,
    pub audience_value: &'static str,
    pub language: String,
    pub audience: String,
    pub description: String,
    pub url: Option<String>,
    /// "PNG, 1200×600, 84 KB" for files.
    pub file: Option<String>,
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    layout: Layout,
    slug: String,
    assets: Vec<AssetRow>,
    can_edit: bool,
    kinds: Vec<(&'static str, &'static str)>,
    audiences: Vec<&'static str>,
    /// What sanitizing removed from the last upload, to say so.
    notice: Option<String>,
    /// The form that failed ("upload", or an asset's edit form `s{id}`), with what was typed and every
    /// error.
    state: FormState,
}

/// The asset forms' fields and labels, for the error summary.
const ASSET_LABELS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("kind", "Kind"),
    ("language", "Language"),
    ("audience", "Audience"),
    ("url", "Link"),
    ("description", "Description"),
];

/// "84 KB", "3.2 MB".
pub fn size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

async fn assets_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    notice: Option<String>,
    state: FormState,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let assets = app
        .store
        .assets(me.actor(), found.campaign.id)
        .await?
        .into_iter()
        .map(|a| AssetRow {
            id: a.id.0,
            kind: a.fields.kind.label(),
            kind_value: a.fields.kind.as_str(),
            audience_value: a.fields.audience.map_or("", Audience::as_str),
            language: a.fields.language.map(|l| l.to_string()).unwrap_or_default(),
            audience: a.fields.audience.map(|x| x.as_str().replace('_', " ")).unwrap_or_default(),
            description: a.fields.description,
            url: a.fields.url,
            file: a.file.map(|f| {
                let dims = match (f.width, f.height) {
                    (Some(w), Some(h)) => format!(", {w}×{h}"),
                    _ => String::new(),
                };
                format!("{}{dims}, {}", f.media_type.label(), size(f.size))
            }),
            title: a.fields.title,
        })
        .collect();
    let layout = Layout::new(app, me, Some(slug), "assets", format!("Assets · {}", found.campaign.fields.name)).await?;
    let status = if state.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&AssetsPage {
        layout,
        slug: slug.to_owned(),
        assets,
        can_edit: matches!(found.role, Some(Role::Owner | Role::Coordinator)),
        kinds: AssetKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        audiences: Audience::ALL.iter().map(|a| a.as_str()).collect(),
        notice,
        state,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    assets_page(&app, &me, &slug, None, FormState::default()).await
}

/// The upload form shown again with its errors.
async fn refused_upload(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    assets_page(app, me, slug, None, FormState::new("upload", form, errors)).await
}

/// Adds an asset: a file checked by its content, or a link.
pub async fn upload(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = found.campaign.id;
    // The role is checked before the upload is read, so no file is stored for someone who may not add it.
    if !matches!(found.role, Some(Role::Owner | Role::Coordinator)) {
        return Err(PageError::Forbidden);
    }
    let upload = match UploadForm::read(multipart, crate::kit::uploads::Accept::Assets, &app.files).await {
        Ok(u) => u,
        Err(UploadProblem::TooLarge) => return Err(PageError::FileTooLarge),
        Err(UploadProblem::Unavailable) => return Err(PageError::Unavailable),
        Err(UploadProblem::Refused { message, .. }) => {
            let errors = vec![FieldError { field: "file".into(), message }];
            return refused_upload(&app, &me, &slug, FormData::default(), errors).await;
        }
        Err(p) => return Err(PageError::BadRequest(p.message())),
    };
    let form = FormData(upload.fields.clone());
    let mut errors = Vec::new();
    let kind = match form.some("kind").map(|k| AssetKind::parse(&k)).transpose() {
        Ok(k) => k,
        Err(message) => {
            errors.push(FieldError { field: "kind".into(), message });
            None
        }
    };
    let audience = match form.some("audience").map(|a| Audience::parse(&a)).transpose() {
        Ok(a) => a,
        Err(message) => {
            errors.push(FieldError { field: "audience".into(), message });
            None
        }
    };
    let draft = AssetDraft {
        title: form.some("title"),
        kind,
        language: form.some("language"),
        audience,
        url: form.some("url"),
        description: form.some("description"),
    };
    let fields = match draft.validate(upload.file.is_some()) {
        Ok(f) if errors.is_empty() => f,
        Ok(_) => return refused_upload(&app, &me, &slug, form, errors).await,
        Err(invalid) => {
            errors.extend(invalid.0);
            return refused_upload(&app, &me, &slug, form, errors).await;
        }
    };
    let removed = upload.file.as_ref().map(|(_, f, _)| f.removed.clone()).unwrap_or_default();
    let file = upload.store_file(&app.files).await.map_err(|e| {
        tracing::error!(error = %e, "storing an upload");
        PageError::Unavailable
    })?;
    match app.store.create_asset(me.actor(), campaign, fields, file).await {
        Ok(_) if removed.is_empty() => Ok(Redirect::to(&format!("/campaigns/{slug}/assets")).into_response()),
        Ok(_) => {
            let notice = format!("Added. For safety, Rally removed from the file: {}.", removed.join("; "));
            assets_page(&app, &me, &slug, Some(notice), FormState::default()).await
        }
        Err(StoreError::Invalid(i)) => refused_upload(&app, &me, &slug, form, i.0).await,
        Err(e) => Err(e.into()),
    }
}

/// The asset `id` (as the path names it) if it belongs to the campaign `slug`.
async fn asset_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<Asset, PageError> {
    let id = id.parse().map(AssetId).map_err(|_| PageError::NotFound)?;
    let campaign = super::campaign_id(app, slug).await?;
    let asset = app.store.asset(me.actor(), id).await?;
    if asset.campaign_id != campaign {
        return Err(PageError::NotFound);
    }
    Ok(asset)
}

/// How an asset's edit form sends an [`AssetDraft`]: its details whole, as when it was added (a blank
/// field is no language, no audience, no description; a blank title is refused).
const ASSET_EDIT: &[(&str, FormField)] = &[
    ("title", FormField::Text),
    ("kind", FormField::Text),
    ("language", FormField::Text),
    ("audience", FormField::Text),
    ("url", FormField::Text),
    ("description", FormField::Text),
];

/// Saves an asset's edit form: its details change, its file (or link) stays what it is.
pub async fn update(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let asset = asset_in(&app, &me, &slug, &id).await?;
    let failed = format!("s{}", asset.id.0);
    let (draft, mut errors) = form.draft::<AssetDraft>(ASSET_EDIT);
    let result = match draft.validate(asset.file.is_some()) {
        Ok(fields) if errors.is_empty() => app.store.update_asset(me.actor(), asset.id, fields).await.map(|_| ()),
        Ok(_) => Ok(()),
        Err(invalid) => Err(invalid.into()),
    };
    if let Err(e) = result {
        errors.extend(field_errors(e)?);
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/campaigns/{slug}/assets#asset-{}", asset.id.0)).into_response());
    }
    // The edit form has no file field: a link asset's missing address is the link's error.
    for e in &mut errors {
        if e.field == "file" {
            e.field = "url".into();
        }
    }
    assets_page(&app, &me, &slug, None, FormState::new(failed, form, errors)).await
}

/// Downloads an asset's file.
pub async fn file(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let asset = asset_in(&app, &me, &slug, &id).await?;
    let file = asset.file.ok_or(PageError::NotFound)?;
    Ok(crate::kit::uploads::serve_file(&app.files, &file, true).await)
}

/// Deletes an asset from the library (what was sent stays recorded until then).
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let asset = asset_in(&app, &me, &slug, &id).await?;
    app.store.delete_asset(me.actor(), asset.id).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}/assets")).into_response())
}

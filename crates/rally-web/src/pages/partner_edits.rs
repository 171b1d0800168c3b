//! Changing and removing what a partner page shows: a contact edited or deleted, the partner deleted,
//! and a duplicate partner merged into this one (a preview of what moves, then the merge). Each
//! destructive action asks once, saying what it removes.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{ContactDraft, ContactId, FieldError, Partner, PartnerId};
use rally_store::{Merged, PartnerFilter, StoreError};
use serde::Deserialize;

use super::partner_page::partner_page;
use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::kit::FormField;

/// How a contact's edit form sends a [`ContactDraft`]: what may be emptied is sent even blank.
const CONTACT_EDIT: &[(&str, FormField)] = &[
    ("name", FormField::Text),
    ("email", FormField::Text),
    ("role", FormField::ClearableText),
    ("language", FormField::ClearableText),
    ("phone", FormField::ClearableText),
    ("consent", FormField::Text),
];

fn ids(partner: &str, contact: &str) -> Result<(PartnerId, ContactId), PageError> {
    let p = partner.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    let k = contact.parse().map(ContactId).map_err(|_| PageError::NotFound)?;
    Ok((p, k))
}

/// Saves a contact's edit form (`action=save`) or deletes the contact (`action=delete`).
pub async fn contact(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id, contact)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let (id, contact) = ids(&id, &contact)?;
    app.store.partner_in(me.actor(), &slug, id).await?;
    if app.store.contact(me.actor(), contact).await?.partner_id != id {
        return Err(PageError::NotFound);
    }
    let back = Redirect::to(&format!("/campaigns/{slug}/partners/{id}#contacts")).into_response();
    if form.get("action") == "delete" {
        app.store.delete_contact(me.actor(), contact).await?;
        return Ok(back);
    }
    let failed = format!("k{}", contact.0);
    let (draft, errors) = form.draft::<ContactDraft>(CONTACT_EDIT);
    if !errors.is_empty() {
        return partner_page(&app, &me, &slug, id, &failed, form, errors).await;
    }
    match app.store.update_contact(me.actor(), contact, draft).await {
        Ok(_) => Ok(back),
        Err(StoreError::Invalid(i)) => partner_page(&app, &me, &slug, id, &failed, form, i.0).await,
        Err(StoreError::Conflict { field, message }) => {
            let errors = vec![FieldError { field: field.into(), message }];
            partner_page(&app, &me, &slug, id, &failed, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes the partner, with everything recorded about it.
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    app.store.partner_in(me.actor(), &slug, id).await?;
    app.store.delete_partner(me.actor(), id).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}/partners")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct MergeQuery {
    q: Option<String>,
    other: Option<String>,
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    layout: Layout,
    slug: String,
    survivor: Partner,
    q: String,
    /// Partners whose name matches `q`: (id, name, stage).
    candidates: Vec<(i64, String, &'static str)>,
    /// The chosen duplicate and what merging it would move.
    chosen: Option<(Partner, Merged)>,
}

/// The merge page: find the duplicate by name, then see what merging it would move.
pub async fn merge_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<MergeQuery>,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    let survivor = app.store.partner_in(me.actor(), &slug, id).await?;
    let q: String = query.q.unwrap_or_default().trim().chars().take(200).collect();
    let mut candidates = Vec::new();
    if !q.is_empty() {
        let filter = PartnerFilter { q: Some(q.clone()), limit: 20, ..Default::default() };
        let page = app.store.partners(me.actor(), survivor.campaign_id, &filter).await?;
        candidates =
            page.items.into_iter().filter(|p| p.id != id).map(|p| (p.id.0, p.fields.name, p.stage.label())).collect();
    }
    let chosen = match query.other.as_deref().map(str::parse::<i64>) {
        Some(Ok(other)) => {
            let other = app.store.partner_in(me.actor(), &slug, PartnerId(other)).await?;
            let merged = app.store.merge_partners(me.actor(), id, other.id, true).await?;
            Some((other, merged))
        }
        Some(Err(_)) => return Err(PageError::NotFound),
        None => None,
    };
    let layout =
        Layout::new(&app, &me, Some(&slug), "partners", format!("Merge into {}", survivor.fields.name)).await?;
    render(&MergePage { layout, slug, survivor, q, candidates, chosen })
}

/// Merges the chosen duplicate into this partner, then shows this partner's timeline.
pub async fn merge(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id = id.parse().map(PartnerId).map_err(|_| PageError::NotFound)?;
    let other =
        form.get("other").parse().map(PartnerId).map_err(|_| PageError::BadRequest("choose the duplicate".into()))?;
    app.store.partner_in(me.actor(), &slug, id).await?;
    app.store.partner_in(me.actor(), &slug, other).await?;
    match app.store.merge_partners(me.actor(), id, other, false).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{slug}/partners/{id}#timeline")).into_response()),
        Err(StoreError::Invalid(i)) => Err(PageError::BadRequest(i.sentences())),
        Err(e) => Err(e.into()),
    }
}

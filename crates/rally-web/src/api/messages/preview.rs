//! `GET /api/v1/messages/{id}/preview`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use rally_comms::PlanError;
use rally_domain::ContactId;
use serde::{Deserialize, Serialize};

use crate::api::query_param;
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The contact (its id) to render the message for; left out: the first contact of its segment
    /// that gets it.
    #[param(value_type = Option<i64>)]
    pub(crate) contact: Option<String>,
}

/// A message as one contact would read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    /// The contact's address.
    #[serde(rename = "for")]
    pub for_email: String,
    pub subject: String,
    pub text: String,
    /// `null` when the e-mail is plain text.
    pub html: Option<String>,
}

/// Render a message for one contact of its segment, with that contact's partner, commitments and
/// assets, exactly as it would be sent. A template that does not render for the contact is a 422 naming
/// the template part and line (`templates.html`, "line 3: …").
#[utoipa::path(get, path = "/api/v1/messages/{id}/preview", tag = "comms",
    params(("id" = i64, Path, description = "Message id"), PreviewQuery),
    responses((status = 200, body = PreviewView, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "The contact is not in the segment, or a template does not render for it; `errors` names the template part and line")))]
pub async fn preview(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    query: Result<Query<PreviewQuery>, QueryRejection>,
) -> Result<Json<PreviewView>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let contact = query_param("contact", query.contact, |v| {
        v.parse::<i64>().map(ContactId).map_err(|_| format!("`{v}` is not a contact id"))
    })?;
    let base = app.public_url.as_str();
    let (email, rendered) = rally_comms::plan::preview(&*app.store, auth.actor(), id, contact, base)
        .await
        .map_err(|e| not_in_segment(e, contact))?;
    Ok(Json(PreviewView { for_email: email, subject: rendered.subject, text: rendered.text, html: rendered.html }))
}

/// A preview (or test send) finds nobody to render for: name the contact asked for, or the segment.
pub(super) fn not_in_segment(e: PlanError, contact: Option<ContactId>) -> ApiError {
    match (e, contact) {
        (PlanError::Invalid(_), Some(_)) => ApiError::invalid("contact", "not in this message's segment"),
        (PlanError::Invalid(message), None) => ApiError::invalid("segment", message),
        (e, _) => e.into(),
    }
}

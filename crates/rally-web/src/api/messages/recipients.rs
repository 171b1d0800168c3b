//! `GET /api/v1/messages/{id}/recipients`

use axum::Json;
use axum::extract::State;
use rally_domain::{Category, ContactId, LanguageTag, PartnerId};
use serde::Serialize;

use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A contact the message's segment selects.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientView {
    pub contact_id: ContactId,
    pub email: String,
    pub name: String,
    pub partner_id: PartnerId,
    /// The partner's name.
    pub partner: String,
    pub category: Category,
    /// The contact's language, which picks the template; `null`: the message's fallback language.
    pub language: Option<LanguageTag>,
    /// Why this contact gets nothing (unsubscribed, suppressed, opted out); `null` when it gets the message.
    pub excluded: Option<String>,
}

/// The contacts the message's segment selects now, each with why it is left out, if it is.
#[utoipa::path(get, path = "/api/v1/messages/{id}/recipients", tag = "comms",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = Vec<RecipientView>, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn recipients(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<Vec<RecipientView>>, ApiError> {
    let list = app.store.recipients(auth.actor(), id).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RecipientView {
                contact_id: r.contact.id,
                email: r.contact.fields.email.to_string(),
                name: r.contact.fields.name,
                partner_id: r.partner_id,
                partner: r.partner_name,
                category: r.category,
                language: r.contact.fields.language,
                excluded: r.excluded,
            })
            .collect(),
    ))
}

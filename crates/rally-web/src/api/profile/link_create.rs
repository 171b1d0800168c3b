//! `POST /api/v1/partners/{id}/link`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rally_domain::PartnerId;
use serde::Serialize;

use crate::auth::{hash_token, random_token};
use crate::extract::{Auth, Id};
use crate::{ApiError, AppState, Problem};

/// A new partner link. The secret is shown this once; Rally keeps only its hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewLink {
    /// The page to send to the partner.
    pub url: String,
    /// The secret in the link, for `/api/v1/link/{token}`.
    pub token: String,
    pub created_at: DateTime<Utc>,
}

/// Make a secret link for the partner: through it the partner sees its commitments and the assets sent
/// to it, answers proposals and uploads its logo, without an account. Any earlier link stops working.
#[utoipa::path(post, path = "/api/v1/partners/{id}/link", tag = "partner profile",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = NewLink, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn create_link(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<(StatusCode, Json<NewLink>), ApiError> {
    let token = random_token();
    let info = app.store.create_partner_link(auth.actor(), PartnerId(id), &hash_token(&token)).await?;
    let url = format!("{}/p/{token}", app.public_url.as_str());
    Ok((StatusCode::CREATED, Json(NewLink { url, token, created_at: info.created_at })))
}

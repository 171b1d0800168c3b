//! `/api/v1/link/{token}/…`: the partner's side, through the secret link the team sent it. There is no
//! account and no bearer token: the secret in the path is the credential, and an unknown or revoked
//! secret is "not found" without a word about whose it was.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::ApiError;
use crate::auth::hash_token;

pub mod asset_file;
pub mod logo;
pub mod recognition;
pub mod respond;
pub mod view;

/// The link's secret from the path (`{token}`), hashed as the store keeps it, and the id that follows
/// it on routes that have one (`{id}`).
#[derive(Debug)]
pub struct LinkPath {
    pub token_hash: String,
    id: Option<String>,
}

impl LinkPath {
    /// The `{id}` of the route; anything but a number is "not found", as nothing can have that id.
    pub fn id(&self) -> Result<i64, ApiError> {
        self.id.as_deref().and_then(|v| v.parse().ok()).ok_or(ApiError::NotFound("resource"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LinkPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("link"))?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let token = get("token").filter(|t| !t.is_empty()).ok_or(ApiError::NotFound("link"))?;
        Ok(LinkPath { token_hash: hash_token(&token), id: get("id") })
    }
}

//! Extractors that validate at the edge: the bearer token, JSON bodies, ids in paths. Each rejects
//! with a problem document, never with a bare status or a panic.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use rally_store::{Actor, User};
use serde::de::DeserializeOwned;

use crate::strict_json::{self, Strict};
use crate::{ApiError, AppState, auth};

/// The user an API request acts for, from `Authorization: Bearer <token>`.
#[derive(Debug)]
pub struct Auth(pub User);

impl Auth {
    pub fn actor(&self) -> Actor {
        Actor::User(self.0.id)
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let user = state.store.user_by_token_hash(&auth::hash_token(token)).await?;
        user.map(Auth).ok_or(ApiError::Unauthorized)
    }
}

/// A JSON request body, deserialized with the path of any offending field in the error.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let mut parts = content_type.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        // JSON is UTF-8 (RFC 8259); a body that says it is something else is not read as UTF-8 anyway.
        let charset = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
        if charset.is_some_and(|c| c != "utf-8" && c != "utf8") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::Malformed(rejection.body_text())
            }
        })?;
        // Every body Rally reads is an object: serde would also take an array for a struct's fields in
        // order (`["x", "media"]` as a partner), which no client means.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::invalid("body", "send a JSON object, `{…}`"));
        }
        // Parsed whole first (nothing may follow the object: `{…} xx` is not JSON), then read with
        // structs from objects only, at every depth.
        let parsed = strict_json::parse(&bytes).map_err(|e| {
            if e.is_data() {
                ApiError::invalid("body", e.to_string())
            } else {
                ApiError::Malformed(format!("the body is not valid JSON: {e}"))
            }
        })?;
        serde_path_to_error::deserialize(Strict(parsed)).map(JsonBody).map_err(json_problem)
    }
}

/// A JSON value already read (part of a body) as `T`, its errors named by their path as [`JsonBody`]
/// names them.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::invalid("body", "send a JSON object, `{…}`"));
    }
    serde_path_to_error::deserialize(Strict(value)).map_err(json_problem)
}

fn json_problem(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let field = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        ApiError::Malformed(format!("the body is not valid JSON: {inner}"))
    } else {
        // A top-level error (e.g. an unknown field) is about the body as a whole.
        ApiError::invalid(if field == "." { "body".into() } else { field }, inner.to_string())
    }
}

/// A numeric id in the path; anything else is "not found", as no such thing can exist.
#[derive(Debug)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound("resource"))?;
        raw.parse().map(Id).map_err(|_| ApiError::NotFound("resource"))
    }
}

//! RFC 9457 problem documents: every error the API returns, in one shape.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rally_domain::{FieldError, Invalid};
use rally_store::StoreError;
use serde::Serialize;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:rally:problem:invalid-input`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For invalid input: every offending field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can answer instead of success.
#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound(&'static str),
    /// Well-formed input that breaks a rule; names the fields.
    Invalid(Vec<FieldError>),
    /// A body that is not JSON at all.
    Malformed(String),
    Conflict {
        field: &'static str,
        message: String,
    },
    PayloadTooLarge,
    /// An uploaded file over the upload limit, with the message for the uploader.
    UploadTooLarge(String),
    UnsupportedMediaType,
    Unavailable,
    /// The database's storage is full: nothing was written; reads still work.
    StorageFull,
    /// Uploaded files cannot be written or read right now.
    FilesUnavailable,
    /// This process has no mail transport configured.
    NoMail,
    /// The mail server did not take an e-mail; its reply, for the user.
    MailServer(String),
    Internal,
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Missing or invalid API token"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Not allowed for your role"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input"),
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed-request", "Malformed request"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Request body too large"),
            ApiError::UploadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "File too large"),
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Send JSON")
            }
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Database unavailable"),
            ApiError::StorageFull => (StatusCode::SERVICE_UNAVAILABLE, "storage-full", "Storage full"),
            ApiError::FilesUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "File store unavailable"),
            ApiError::NoMail => (StatusCode::SERVICE_UNAVAILABLE, "no-mail", "No mail"),
            ApiError::MailServer(_) => (StatusCode::BAD_GATEWAY, "mail-server", "The mail server refused"),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, kind, title) = self.parts();
        let (detail, errors) = match self {
            ApiError::Unauthorized => {
                ("send `Authorization: Bearer <token>`; `rally token create` makes one".into(), vec![])
            }
            ApiError::Forbidden => ("your role in this campaign does not allow this".into(), vec![]),
            ApiError::NotFound(what) => (format!("{what} not found"), vec![]),
            ApiError::Invalid(errors) => (Invalid(errors.clone()).to_string(), errors.clone()),
            ApiError::Malformed(detail) => {
                (detail.clone(), vec![FieldError { field: "body".into(), message: detail.clone() }])
            }
            ApiError::Conflict { field, message } => {
                (format!("{field}: {message}"), vec![FieldError { field: (*field).into(), message: message.clone() }])
            }
            ApiError::PayloadTooLarge => (format!("the body must be at most {} bytes", crate::MAX_BODY_BYTES), vec![]),
            ApiError::UploadTooLarge(message) => (message.clone(), vec![]),
            ApiError::UnsupportedMediaType => ("send the body as `Content-Type: application/json`".into(), vec![]),
            ApiError::Unavailable => ("the database does not answer; try again shortly".into(), vec![]),
            ApiError::StorageFull => (
                "the database's storage is full, so nothing was saved; reading still works. Try again later".into(),
                vec![],
            ),
            ApiError::FilesUnavailable => {
                ("uploaded files cannot be stored or read right now; try again shortly".into(), vec![])
            }
            ApiError::NoMail => ("this server sends no mail".into(), vec![]),
            ApiError::MailServer(message) => (message.clone(), vec![]),
            ApiError::Internal => ("something went wrong on our side; it has been logged".into(), vec![]),
        };
        Problem {
            kind: format!("urn:rally:problem:{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match self {
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Unavailable | ApiError::FilesUnavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            }
            ApiError::StorageFull => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(crate::STORAGE_FULL_RETRY_SECONDS));
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Forbidden => ApiError::Forbidden,
            StoreError::Invalid(invalid) => ApiError::Invalid(invalid.0),
            StoreError::Conflict { field, message } => ApiError::Conflict { field, message },
            StoreError::Unavailable(e) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::StorageFull(e) => {
                tracing::error!(error = %e, "the database's storage is full: writes are refused until there is space");
                ApiError::StorageFull
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Invalid(e.0)
    }
}

impl From<rally_comms::PlanError> for ApiError {
    /// A template that does not render names its part (`templates.html`), the line and the contact it
    /// failed for; nothing was planned or sent.
    fn from(e: rally_comms::PlanError) -> Self {
        use rally_comms::PlanError;
        match e {
            PlanError::Store(e) => e.into(),
            PlanError::Render { email, error } => {
                let at = error.line.map_or(String::new(), |line| format!("line {line}: "));
                ApiError::invalid(format!("templates.{}", error.field), format!("{at}{} (for {email})", error.reason))
            }
            PlanError::NoTemplate { email, language } => ApiError::invalid(
                "templates",
                format!("no template fits {email} (language {language}); add one in the fallback language"),
            ),
            PlanError::Invalid(message) => ApiError::invalid("message", message),
        }
    }
}

impl From<crate::kit::uploads::UploadProblem> for ApiError {
    fn from(e: crate::kit::uploads::UploadProblem) -> Self {
        use crate::kit::uploads::UploadProblem;
        match e {
            UploadProblem::TooLarge => ApiError::UploadTooLarge(e.message()),
            UploadProblem::Malformed(message) => ApiError::Malformed(message),
            UploadProblem::Refused { field, message } => ApiError::invalid(field, message),
            UploadProblem::Unavailable => ApiError::FilesUnavailable,
        }
    }
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

pub(crate) async fn method_not_allowed() -> Response {
    let problem = Problem {
        kind: "urn:rally:problem:method-not-allowed".into(),
        title: "Method not allowed".into(),
        status: 405,
        detail: "this resource does not accept that HTTP method".into(),
        errors: vec![],
    };
    let mut response = (StatusCode::METHOD_NOT_ALLOWED, Json(problem)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

pub(crate) fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal.into_response()
}

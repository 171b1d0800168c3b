//! Answers that a browser saves as a file.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `body` as a file named `file` (`Content-Disposition: attachment`) of type `media_type`. A name that
/// cannot be a header value is left out, and the browser picks one.
pub fn attachment(body: impl IntoResponse, media_type: &'static str, file: &str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A JSON document, pretty-printed, as a file named `file`.
pub fn json_attachment(document: &serde_json::Value, file: &str) -> Result<Response, serde_json::Error> {
    let body = serde_json::to_string_pretty(document)?;
    Ok(attachment(body, "application/json; charset=utf-8", file))
}

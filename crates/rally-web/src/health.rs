//! Health for whoever runs Rally: `/livez` (the process answers; no I/O), `/readyz` (the database
//! answers at the schema this binary knows, and the data directory takes writes; 503 otherwise), both
//! as `application/health+json` in the IETF health-check draft's shape; and `/healthz`, the older check
//! (the process and one database round trip), kept for the setups that use it.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;

const HEALTH_JSON: &str = "application/health+json";

fn health(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(HEALTH_JSON));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) async fn livez() -> Response {
    health(StatusCode::OK, json!({ "status": "pass", "version": env!("CARGO_PKG_VERSION") }))
}

/// One check's entry: its status and, when it failed, what the operator should know.
fn check(component: &str, ok: bool, value: Value, output: Option<String>) -> Value {
    let mut entry = json!({
        "componentType": component,
        "status": if ok { "pass" } else { "fail" },
        "observedValue": value,
        "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    if let Some(output) = output {
        entry["output"] = json!(output);
    }
    entry
}

pub(crate) async fn readyz(State(app): State<AppState>) -> Response {
    let started = Instant::now();
    let (database, schema) = match app.store.schema_version().await {
        Ok((applied, known)) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let output = (applied != known)
                .then(|| format!("the database is at schema {applied}, this Rally needs {known}: run `rally migrate`"));
            (check("datastore", true, json!(ms), None), check("datastore", applied == known, json!(applied), output))
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness: the database does not answer");
            let down = check("datastore", false, Value::Null, Some("the database does not answer".into()));
            (down.clone(), down)
        }
    };
    let probe = app.files.dir().join(format!(".ready-{}", std::process::id()));
    let writable = match tokio::fs::write(&probe, b"ok").await {
        Ok(()) => tokio::fs::remove_file(&probe).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "readiness: the data directory takes no writes");
            false
        }
    };
    let output = (!writable).then(|| "the data directory takes no writes".to_owned());
    let files = check("system", writable, json!(writable), output);
    let ready = [&database, &schema, &files].iter().all(|c| c["status"] == "pass");
    let body = json!({
        "status": if ready { "pass" } else { "fail" },
        "version": env!("CARGO_PKG_VERSION"),
        "checks": {
            format!("{}:responseTime", app.store.backend()): [database],
            "database:schema": [schema],
            "data-directory:writable": [files],
        },
    });
    health(if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, body)
}

pub(crate) async fn healthz(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "database": app.store.backend() }))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": app.store.backend() })))
        }
    }
}

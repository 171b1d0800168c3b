//! `/livez` and `/readyz` as an operator's probes see them, in the health-check draft's shape.

use reqwest::StatusCode;

use crate::support::Site;

both_backends!(
    Site;
    readiness_checks_the_database_schema_and_data_directory,
);

async fn probe(site: &Site, path: &str) -> (StatusCode, String, serde_json::Value) {
    let r = reqwest::get(format!("{}{path}", site.base)).await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = r.status();
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, r.json().await.unwrap_or_default())
}

async fn readiness_checks_the_database_schema_and_data_directory(site: Site) {
    let (status, kind, body) = probe(&site, "/livez").await;
    assert_eq!(
        (status, kind.as_str(), &body["status"]),
        (StatusCode::OK, "application/health+json", &serde_json::json!("pass"))
    );
    let (status, kind, body) = probe(&site, "/readyz").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/health+json"), "{body}");
    assert_eq!(body["status"], "pass", "{body}");
    let checks = body["checks"].as_object().cloned().unwrap_or_default();
    assert!(checks.contains_key(&format!("{}:responseTime", site.store.backend())), "{body}");
    assert_eq!(checks["database:schema"][0]["status"], "pass", "{body}");
    assert_eq!(checks["data-directory:writable"][0]["status"], "pass", "{body}");
    // A data directory that takes no writes: not ready (503), while the process stays live.
    std::fs::remove_dir_all(&site.files).unwrap_or_else(|e| panic!("{e}"));
    let (status, _, body) = probe(&site, "/readyz").await;
    assert_eq!((status, &body["status"]), (StatusCode::SERVICE_UNAVAILABLE, &serde_json::json!("fail")), "{body}");
    assert_eq!(body["checks"]["data-directory:writable"][0]["output"], "the data directory takes no writes");
    assert_eq!(probe(&site, "/livez").await.0, StatusCode::OK);
}

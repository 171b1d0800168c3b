//! `rally privacy export` and `rally privacy erase` as the operator runs them, on both backends: the
//! export is JSON without password hashes (to standard output or a new file), a dry run changes
//! nothing, and after the erasure the export finds nothing.

use serde_json::Value;

use super::cli::{fails, ok};

both_backends!(the_command_line_exports_and_erases_a_person);

async fn the_command_line_exports_and_erases_a_person(db: &str) {
    ok(
        &["user", "add", "--database", db, "--email", "vera@example.org", "--name", "Vera Brisanje"],
        Some("a long password\n"),
    );
    let export = |extra: &[&str]| {
        let mut args = vec!["privacy", "export", "--database", db, "--email", "Vera@Example.org"];
        args.extend_from_slice(extra);
        let out = ok(&args, None);
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    };
    let data = export(&[]);
    assert_eq!(data["email"], "vera@example.org");
    assert_eq!(data["tables"]["users"][0]["name"], "Vera Brisanje");
    assert!(data["tables"]["users"][0].get("password_hash").is_none(), "{data}");

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("vera.json").display().to_string();
    ok(&["privacy", "export", "--database", db, "--email", "vera@example.org", "--output", &file], None);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved["tables"]["users"], data["tables"]["users"]);
    fails(
        &["privacy", "export", "--database", db, "--email", "vera@example.org", "--output", &file],
        None,
        "must not exist",
    );
    fails(&["privacy", "erase", "--database", db, "--email", "not-an-address"], None, "--email");

    let dry = ok(&["privacy", "erase", "--database", db, "--email", "vera@example.org", "--dry-run"], None);
    assert!(dry.contains("users") && dry.contains("would change") && dry.contains("Dry run"), "{dry}");
    assert_eq!(export(&[])["tables"]["users"][0]["name"], "Vera Brisanje", "a dry run changes nothing");

    let done =
        ok(&["privacy", "erase", "--database", db, "--email", "vera@example.org", "--reason", "asked by letter"], None);
    assert!(done.contains("Erased vera@example.org") && done.contains("erased person #"), "{done}");
    let after = export(&[]);
    assert_eq!(after["tables"], serde_json::json!({}), "nothing is left: {after}");
    fails(&["user", "reset-link", "--database", db, "--email", "vera@example.org"], None, "no user");
}

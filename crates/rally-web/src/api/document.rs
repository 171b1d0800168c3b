//! The API document as served: what the handlers and types declare, completed with what holds for
//! every operation, so that a client generated from it (or a fuzzer reading it) meets no surprise.

use serde_json::{Map, Value, json};

/// The document as served: what the handlers declare, completed with the answers every operation can
/// give whatever its handler says — the problems the edge answers before a handler runs (a missing
/// token, a body that is not JSON, too large or of another type, a path id that names nothing), and
/// a database that does not answer — each as `application/problem+json`, naming its request.
pub fn completed(doc: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    problems_name_their_request(&mut doc);
    spell_out_text_patterns(&mut doc);
    flatten_extended_objects(&mut doc);
    require_on_create(&mut doc);
    empty_query_values_are_absent(&mut doc);
    close_upload_forms(&mut doc);
    spell_out_object_defaults(&mut doc);
    let problem = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let public = op.get("security") == Some(&json!([{}]));
            let body = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect::<Vec<_>>());
            let has_query = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p.get("in") == Some(&json!("query"))));
            let mut add = |status: &str, description: &str| {
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    responses.entry(status).or_insert_with(|| json!({"description": description}));
                }
            };
            if !public {
                add("401", "Missing, unknown or revoked API token (`WWW-Authenticate: Bearer`)");
            }
            if path.contains('{') {
                add("404", "Not found, or not visible to you");
            }
            if let Some(types) = &body {
                let kind =
                    if types.iter().any(|t| t.starts_with("multipart/")) { "multipart/form-data" } else { "JSON" };
                add(
                    "400",
                    &format!("The body is not well-formed {kind} (JSON: an object, in UTF-8, with nothing after it)"),
                );
                add("413", "The body is larger than the limit (1 MiB; uploads 20 MiB)");
                add("415", &format!("The body is not sent as {kind}"));
            }
            if body.is_some() || has_query {
                add("422", "Invalid input; `errors` names every offending field");
            }
            add("503", "The database does not answer, or its storage is full; see `Retry-After`");
            // Every answer that is not a success is a problem document.
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                for (status, response) in responses.iter_mut() {
                    if status.starts_with('4') || status.starts_with('5') {
                        response["content"] = problem.clone();
                    }
                }
            }
        }
    }
    doc
}

/// Every problem document carries `request_id`, added on its way out whoever wrote it (see
/// `telemetry`): the schema says so.
fn problems_name_their_request(doc: &mut Value) {
    let Some(problem) = doc.pointer_mut("/components/schemas/Problem").and_then(Value::as_object_mut) else { return };
    if let Some(properties) = problem.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "request_id".into(),
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": "^[!-~]+$",
                "description": "The request's id, as in the answer's `X-Request-Id` header: the client's own `X-Request-Id` \
                    when it sent 1 to 64 visible ASCII characters, otherwise one Rally made. Name it when reporting a problem."
            }),
        );
    }
    match problem.get_mut("required").and_then(Value::as_array_mut) {
        Some(required) => required.push(json!("request_id")),
        None => {
            problem.insert("required".into(), json!(["request_id"]));
        }
    }
}

/// Characters a text field refuses: control characters other than tab, line feed and carriage return
/// (`char::is_control`, as `optional_text` in rally-domain checks).
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";
/// Characters `str::trim` removes (Unicode `White_Space`), with the control characters.
const BLANK: &str = r"\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The white space `str::trim` removes: what `\s` means in the types' patterns (a regular
/// expression engine's own `\s` differs by engine).
const WHITE_SPACE: &str = r"[\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// The types mark their text fields with placeholder patterns — `@text` (free text),
/// `@required-text` (free text that is not blank) and `@web-address` (what `parse_website` in
/// rally-domain reads, or blank) — and use `\s` for white space; the regular expressions they stand
/// for are written once, here.
fn spell_out_text_patterns(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get_mut("pattern") {
                *pattern = match pattern.as_str() {
                    "@text" => format!("^[^{CONTROL}]*$"),
                    "@required-text" => format!("^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$"),
                    "@web-address" => {
                        let host = r"[A-Za-z0-9:-]+(\.[A-Za-z0-9:-]+)+";
                        format!(r"^\s*((https?://)?{host}([/?#][^{BLANK}]*)?)?\s*$")
                    }
                    other => other.to_owned(),
                }
                .replace(r"\s", WHITE_SPACE);
            }
            map.values_mut().for_each(spell_out_text_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(spell_out_text_patterns),
        _ => {}
    }
}

/// A body type that extends a closed object (`allOf: [{$ref: Closed}, {properties: extra}]`) cannot
/// be satisfied as written: the closed object refuses the extra properties. Such a schema is written
/// out as the one closed object it is read as.
fn flatten_extended_objects(doc: &mut Value) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object).cloned() else { return };
    let Some(target) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for schema in target.values_mut() {
        let Some(parts) = schema.get("allOf").and_then(Value::as_array) else { continue };
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut closed = false;
        for part in parts {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    match reference.strip_prefix("#/components/schemas/").and_then(|name| schemas.get(name)) {
                        Some(found) => found,
                        None => return,
                    }
                }
                None => part,
            };
            closed |= part.get("additionalProperties") == Some(&json!(false));
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                properties.extend(p.clone());
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                required.extend(r.iter().cloned());
            }
        }
        if !closed {
            continue;
        }
        if let Some(description) = schema.get("description") {
            merged.insert("description".into(), description.clone());
        }
        merged.insert("type".into(), json!("object"));
        merged.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        merged.insert("additionalProperties".into(), json!(false));
        *schema = Value::Object(merged);
    }
}

/// A query parameter sent empty (`?until=`, as an HTML form sends a field left blank) counts as not
/// sent, so every parameter also admits the empty string.
fn empty_query_values_are_absent(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            for parameter in parameters.iter_mut().filter(|p| p["in"] == "query") {
                let schema = &mut parameter["schema"];
                let free_text =
                    schema["type"] == "string" && schema.get("pattern").is_none() && schema.get("format").is_none();
                if !free_text {
                    *schema = json!({"anyOf": [schema.take(), {"type": "string", "maxLength": 0}]});
                }
            }
        }
    }
}

/// An upload form is read part by part and a part of another name is refused (`unknown form
/// field`), as a JSON body's unknown field is.
fn close_upload_forms(doc: &mut Value) {
    let mut names = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for op in paths.values().filter_map(Value::as_object).flat_map(|item| item.values()) {
            let schema = op.pointer("/requestBody/content/multipart~1form-data/schema/$ref").and_then(Value::as_str);
            names.extend(schema.and_then(|r| r.strip_prefix("#/components/schemas/")).map(str::to_owned));
        }
    }
    for name in names {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            schema["additionalProperties"] = json!(false);
        }
    }
}

/// A field whose type is an object of which every field has a default (the cadence policy of the mail
/// settings) has that object as its default: written out, so a reader sees what leaving it out means.
fn spell_out_object_defaults(doc: &mut Value) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object).cloned() else { return };
    let default_of = |reference: &str| -> Option<Value> {
        let target = schemas.get(reference.strip_prefix("#/components/schemas/")?)?;
        let properties = target.get("properties")?.as_object()?;
        let all = target.get("required").is_none() && properties.values().all(|p| p.get("default").is_some());
        all.then(|| properties.iter().map(|(k, p)| (k.clone(), p["default"].clone())).collect::<Map<_, _>>().into())
    };
    let Some(target) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for schema in target.values_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { continue };
        for property in properties.values_mut() {
            if property.get("default").is_none()
                && let Some(default) = property.get("$ref").and_then(Value::as_str).and_then(default_of)
            {
                property["default"] = default;
            }
        }
    }
}

/// The fields an operation that creates something needs, where its body type also serves as the
/// patch of what it creates (every field optional there, and `null` leaves a field as it is).
const REQUIRED_ON_CREATE: &[(&str, &str, &[&str])] = &[
    ("post", "/api/v1/campaigns", &["name", "slug", "goal_students", "starts_on", "ends_on"]),
    ("post", "/api/v1/campaigns/{campaign}/activities", &["texts"]),
    ("post", "/api/v1/campaigns/{campaign}/asks", &["title"]),
    ("post", "/api/v1/campaigns/{campaign}/messages", &["title", "send", "templates"]),
    ("post", "/api/v1/campaigns/{campaign}/partners", &["name", "category"]),
    ("post", "/api/v1/campaigns/{campaign}/tasks", &["title", "due_on"]),
    ("post", "/api/v1/partners/{id}/contacts", &["name", "email"]),
    ("post", "/api/v1/partners/{id}/interactions", &["kind", "text"]),
];

/// Writes [`REQUIRED_ON_CREATE`] into the operations' body schemas.
fn require_on_create(doc: &mut Value) {
    for (method, path, fields) in REQUIRED_ON_CREATE {
        let pointer =
            format!("/paths/{}/{method}/requestBody/content/application~1json/schema", path.replace('/', "~1"));
        if let Some(schema) = doc.pointer_mut(&pointer) {
            let present: Map<String, Value> =
                fields.iter().map(|f| (f.to_string(), json!({"not": {"type": "null"}}))).collect();
            *schema = json!({"allOf": [schema.take(), {"required": fields, "properties": present}]});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_named_for_required_fields_exists_with_those_fields() {
        let doc = completed(crate::api::routes().into_openapi());
        for (method, path, fields) in REQUIRED_ON_CREATE {
            let body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone();
            let extra = &body["allOf"][1];
            assert_eq!(extra["required"], json!(fields), "{method} {path}");
            let reference = body["allOf"][0]["$ref"].as_str().unwrap_or_default();
            let name = reference.trim_start_matches("#/components/schemas/");
            let properties = &doc["components"]["schemas"][name]["properties"];
            for field in *fields {
                assert!(properties.get(field).is_some(), "{method} {path}: {name} has no {field}");
            }
        }
    }

    #[test]
    fn text_patterns_are_spelled_out_and_extended_objects_flattened() {
        let text = completed(crate::api::routes().into_openapi()).to_string();
        assert!(!text.contains("\"@text\"") && !text.contains("@required-text") && !text.contains("@web-address"));
        assert!(!text.contains(r"\\s"), "every \\s is spelled out");
        let doc: Value = serde_json::from_str(&text).unwrap_or_default();
        assert!(
            doc["components"]["schemas"]["Problem"]["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("request_id")))
        );
        let partner = &doc["components"]["schemas"]["NewPartner"];
        assert_eq!(partner["additionalProperties"], json!(false));
        assert!(partner["properties"]["allow_duplicate"].is_object() && partner["properties"]["name"].is_object());
    }
}

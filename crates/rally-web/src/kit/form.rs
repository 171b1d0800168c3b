//! Page forms as the API sees its bodies: a form is turned into the JSON object the API would take
//! ([`FormData::body`], guided by a table of how each field is sent) and read into the same `*Draft`
//! type with the same strict reader, so a page and the API accept exactly the same input. Also the
//! state a page keeps of a form that failed ([`FormState`]), and [`FormData`] as an extractor.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use rally_domain::FieldError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::FormData;
use crate::ApiError;
use crate::kit::PageError;
use rally_store::StoreError;

/// How a form sends one member of a `*Draft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// Text; blank leaves the member out (no change).
    Text,
    /// Text that may be emptied: sent as typed, even blank (which clears it).
    ClearableText,
    /// A whole number as people type them ("5 000"); blank leaves it out.
    Number,
    /// A whole number; blank is `null` (clears it).
    NullableNumber,
    /// A date as `<input type="date">` sends it (YYYY-MM-DD); blank leaves it out.
    Date,
    /// A date; blank is `null` (no date).
    NullableDate,
    /// Repeated checkboxes of one name: the values checked, none checked being an empty list.
    Choices,
    /// Repeated checkboxes on a form that changes a stored list: browsers send nothing when none is
    /// checked, so the form marks the list as sent with a hidden `NAME_sent`; without either, the list
    /// is left out (no change).
    Checkboxes,
    /// One checkbox, `true` when on; `false` when only its hidden `NAME_sent` came.
    Checkbox,
    /// A comma-separated list in one text field; left out when the field was not sent.
    CommaList,
    /// A confirmation: `true` when sent with any value, left out otherwise.
    Flag,
}

impl FormData {
    fn sent(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Every value sent under `name`, as a JSON list.
    fn values(&self, name: &str) -> Value {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| Value::String(v.clone())).collect()
    }

    /// The form as the JSON object the API takes, member by member as `fields` says; numbers that do
    /// not read as numbers are left out and reported in `errors`, under their field.
    pub fn body(&self, fields: &[(&str, FormField)], errors: &mut Vec<FieldError>) -> Value {
        let mut body = Map::new();
        for &(name, kind) in fields {
            let marker = format!("{name}_sent");
            let value = match kind {
                FormField::Text => self.some(name).map(Value::String),
                FormField::ClearableText => self.sent(name).then(|| Value::String(self.get(name).to_owned())),
                FormField::Number => self.number(name, errors).map(Value::from),
                FormField::NullableNumber => {
                    self.sent(name).then(|| self.number(name, errors).map_or(Value::Null, Value::from))
                }
                FormField::Date => self.date(name, errors).map(|d| Value::String(d.to_string())),
                FormField::NullableDate => {
                    Some(self.date(name, errors).map_or(Value::Null, |d| Value::String(d.to_string())))
                }
                FormField::Choices => Some(self.values(name)),
                FormField::Checkboxes => (self.sent(name) || self.sent(&marker)).then(|| self.values(name)),
                FormField::Checkbox => self.sent(&marker).then(|| Value::Bool(self.get(name) == "on")),
                FormField::CommaList => self.sent(name).then(|| {
                    self.get(name)
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(t.to_owned()))
                        .collect()
                }),
                FormField::Flag => (!self.get(name).is_empty()).then_some(Value::Bool(true)),
            };
            if let Some(value) = value {
                body.insert(name.to_owned(), value);
            }
        }
        Value::Object(body)
    }

    /// The form read into `T` (a type the API reads from JSON) through [`FormData::body`]; every
    /// problem under its field.
    pub fn read_as<T: DeserializeOwned>(&self, fields: &[(&str, FormField)]) -> Result<T, Vec<FieldError>> {
        match self.read_body(fields) {
            (Some(read), errors) if errors.is_empty() => Ok(read),
            (_, errors) => Err(errors),
        }
    }

    /// The form read into the API's `*Draft` type `T` through [`FormData::body`], with every problem
    /// under its field; a draft that does not read at all (only a forged form gets there) is `T`'s
    /// default with the reason.
    pub fn draft<T: DeserializeOwned + Default>(&self, fields: &[(&str, FormField)]) -> (T, Vec<FieldError>) {
        let (draft, errors) = self.read_body(fields);
        (draft.unwrap_or_default(), errors)
    }

    /// `T` as the API's reader reads the form's body, if it does, and every problem on the way.
    fn read_body<T: DeserializeOwned>(&self, fields: &[(&str, FormField)]) -> (Option<T>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let body = self.body(fields, &mut errors);
        match crate::extract::from_value::<T>(body) {
            Ok(read) => (Some(read), errors),
            Err(e) => {
                errors.extend(problem_fields(e));
                (None, errors)
            }
        }
    }
}

/// The fields a refusal of the JSON reader names (the body as a whole when it names none).
fn problem_fields(e: ApiError) -> Vec<FieldError> {
    match e {
        ApiError::Invalid(errors) => errors,
        other => vec![FieldError { field: "body".into(), message: other.problem().detail }],
    }
}

/// A form body, read as [`FormData::read`] reads it; a body that cannot be read at all is refused as
/// the body extractor refuses it.
impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        FormData::read(&body).map_err(IntoResponse::into_response)
    }
}

/// A page's memory of the form that failed: which one (pages have several), what was typed, and every
/// error next to its field. Templates ask it for a field's error, value and checked state.
#[derive(Debug, Default)]
pub struct FormState {
    /// The form the errors belong to; empty when none failed.
    pub failed: String,
    pub form: FormData,
    pub errors: Vec<FieldError>,
}

impl FormState {
    pub fn new(failed: impl Into<String>, form: FormData, errors: Vec<FieldError>) -> FormState {
        FormState { failed: failed.into(), form, errors }
    }

    /// The error of `field` in `form`, if that form failed.
    pub fn error(&self, form: &str, field: &str) -> Option<&str> {
        if self.failed != form {
            return None;
        }
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// The value to show in a field of `form`: what was typed if that form failed, else `stored`.
    pub fn value<'a>(&'a self, form: &str, field: &str, stored: &'a str) -> &'a str {
        if self.failed == form { self.form.get(field) } else { stored }
    }

    /// The error summary of `form` if it failed: for each error, the id of its field (`{prefix}-{field}`,
    /// which a link focuses) and "Label: message", the label from `labels` (else the message alone).
    pub fn summary(&self, form: &str, prefix: &str, labels: &[(&str, &str)]) -> Vec<(String, String)> {
        if self.failed != form {
            return Vec::new();
        }
        self.errors
            .iter()
            .map(|e| {
                let label = labels.iter().find(|(f, _)| *f == e.field).map(|(_, l)| *l);
                let text = label.map_or_else(|| e.message.clone(), |l| format!("{l}: {}", e.message));
                (format!("{prefix}-{}", e.field), text)
            })
            .collect()
    }

    /// Whether the checkbox `field` = `value` of `form` was checked when that form failed.
    pub fn checked(&self, form: &str, field: &str, value: &str) -> bool {
        self.failed == form && self.form.0.iter().any(|(k, v)| k == field && v == value)
    }
}

/// Store errors a form can show next to its fields; everything else is an error page.
pub fn field_errors(e: StoreError) -> Result<Vec<FieldError>, PageError> {
    match e {
        StoreError::Invalid(i) => Ok(i.0),
        StoreError::Conflict { field, message } => Ok(vec![FieldError { field: field.into(), message }]),
        e => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn each_kind_of_field_becomes_what_the_api_reads() {
        use FormField::*;
        for (kind, sent, body) in [
            (Text, vec![("f", " x ")], json!({"f": "x"})),
            (Text, vec![("f", " ")], json!({})),
            (ClearableText, vec![("f", "")], json!({"f": ""})),
            (ClearableText, vec![], json!({})),
            (Number, vec![("f", "5 000")], json!({"f": 5000})),
            (Number, vec![("f", "")], json!({})),
            (NullableNumber, vec![("f", "")], json!({"f": null})),
            (NullableNumber, vec![], json!({})),
            (Date, vec![("f", "2026-12-05")], json!({"f": "2026-12-05"})),
            (NullableDate, vec![("f", "")], json!({"f": null})),
            (Choices, vec![], json!({"f": []})),
            (Choices, vec![("f", "a"), ("f", "b")], json!({"f": ["a", "b"]})),
            (Checkboxes, vec![], json!({})),
            (Checkboxes, vec![("f_sent", "1")], json!({"f": []})),
            (Checkbox, vec![("f_sent", "1")], json!({"f": false})),
            (Checkbox, vec![("f_sent", "1"), ("f", "on")], json!({"f": true})),
            (Checkbox, vec![("f", "on")], json!({})),
            (CommaList, vec![("f", "a, ,b")], json!({"f": ["a", "b"]})),
            (Flag, vec![("f", "1")], json!({"f": true})),
            (Flag, vec![("f", "")], json!({})),
        ] {
            let mut errors = Vec::new();
            assert_eq!(form(&sent).body(&[("f", kind)], &mut errors), body, "{kind:?} {sent:?}");
            assert!(errors.is_empty(), "{kind:?} {sent:?}: {errors:?}");
        }
    }

    #[test]
    fn what_does_not_read_is_named_by_its_field() {
        let mut errors = Vec::new();
        let fields = [("reach", FormField::Number), ("on", FormField::Date)];
        assert_eq!(form(&[("reach", "many"), ("on", "5 May")]).body(&fields, &mut errors), json!({}));
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["reach", "on"]);
        // A value the API's reader refuses is named too, and nothing is read.
        let refused = form(&[("stage", "nowhere")])
            .read_as::<rally_domain::pipeline::StageMove>(&[("stage", FormField::Text)])
            .err()
            .unwrap_or_default();
        assert_eq!(refused.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["stage"]);
    }
}

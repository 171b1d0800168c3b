//! Field-level validation errors. Every error names the field it is about, so the API can point the
//! user at it (`/reach`, `/contacts/0/email`).

use std::fmt;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as the client sent it, e.g. `reach` or `message.hr`.
    pub field: String,
    /// What is wrong, in words a user understands.
    pub message: String,
}

/// A rejected input: one or more field errors, never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }
}

impl Invalid {
    /// The messages as sentences for a person, without the fields' names (a form shows each next to its
    /// field; a page that cannot says what is wrong in words): "A campaign keeps at least one owner."
    pub fn sentences(&self) -> String {
        self.0.iter().map(|e| sentence(&e.message)).collect::<Vec<_>>().join(" ")
    }
}

/// `message` as a sentence: a capital first letter and a full stop.
pub fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut s: String = first.to_uppercase().chain(chars).collect();
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// "IT company, authority, school network, nonprofit or media": labels as a person reads a choice.
pub fn labels<'a>(all: impl Iterator<Item = &'a str>) -> String {
    // "Authority" reads "authority" inside a sentence; "IT company" keeps its capitals.
    let lower_first = |label: &str| {
        let mut chars = label.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if second.is_lowercase() => {
                first.to_lowercase().chain(label.chars().skip(1)).collect()
            }
            _ => label.to_owned(),
        }
    };
    let all: Vec<String> = all.map(lower_first).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod words {
    #[test]
    fn choices_and_sentences_read_as_words() {
        assert_eq!(
            super::labels(["IT company", "Authority", "School network"].into_iter()),
            "IT company, authority or school network"
        );
        assert_eq!(super::labels(["Call"].into_iter()), "call");
        assert_eq!(super::sentence("a campaign keeps at least one owner"), "A campaign keeps at least one owner.");
        assert_eq!(super::sentence("Done?"), "Done?");
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

/// Collects field errors while a draft is checked, so the user sees every problem at once rather than
/// one per round trip.
#[derive(Debug, Default)]
pub(crate) struct Check(Vec<FieldError>);

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// Records the error of `result` under `field` and returns its value, if any.
    pub fn take<T, E: fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, Invalid> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ if self.0.is_empty() => Err(Invalid::field("", "invalid input")),
            _ => Err(Invalid(self.0)),
        }
    }
}

/// A required text field: as [`optional_text`], and not blank.
pub fn required_text(value: &str, max_chars: usize) -> Result<String, String> {
    let v = optional_text(value, max_chars)?;
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(v)
}

/// An optional text field, trimmed. Its length is counted in characters as sent, spaces included (as
/// the API document's `maxLength` counts); control characters other than newlines and tabs are
/// refused because they break exports and e-mail headers.
pub fn optional_text(value: &str, max_chars: usize) -> Result<String, String> {
    if value.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err("must not contain control characters".into());
    }
    Ok(value.trim().to_owned())
}

/// Deserializes a field that may be absent (`None`: leave as is), `null` (`Some(None)`: clear it) or
/// set (`Some(Some(v))`). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

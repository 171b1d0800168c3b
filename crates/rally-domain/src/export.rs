//! Exports as CSV (RFC 4180, with text cells that a spreadsheet would run as a formula neutralized) and
//! JSON Lines: one row at a time, so callers stream any number of rows in flat memory. The columns of
//! each kind of row live here, so the command line and the download buttons write the same files.

use std::fmt;

use crate::contact::Contact;
use crate::event::Event;
use crate::partner::Partner;
use crate::pipeline::StageChange;

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from people: neutralized in CSV when it starts like a formula.
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Nothing (an optional field without a value).
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// The file formats an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            other => Err(format!("unknown format `{other}`; expected csv or jsonl")),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/jsonl; charset=utf-8",
        }
    }

    /// What starts the file: the header line of a CSV file, nothing for JSON Lines.
    pub fn header(self, columns: &[&str]) -> String {
        match self {
            Format::Csv => {
                let cells: Vec<Cell> = columns.iter().map(|c| Cell::Text((*c).to_owned())).collect();
                csv_line(&cells)
            }
            Format::JsonLines => String::new(),
        }
    }

    /// One row as a line of the file (with its line ending).
    pub fn row(self, columns: &[&str], cells: &[Cell]) -> String {
        match self {
            Format::Csv => csv_line(cells),
            Format::JsonLines => json_line(columns, cells),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return before
/// one) gets a leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV injection).
pub fn neutralize(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}").into() } else { s.into() }
}

fn csv_line(cells: &[Cell]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match c {
            Cell::Text(s) => {
                let s = neutralize(s);
                // A semicolon or tab is quoted too: spreadsheets set to a language whose list separator
                // is `;` (Croatian, French, Russian…) split on it, and a list value such as tags
                // `x;=cmd|…` would otherwise put a formula at the start of a cell of its own.
                if s.contains([',', '"', '\n', '\r', ';', '\t']) || s.starts_with(' ') || s.ends_with(' ') {
                    out.push('"');
                    out.push_str(&s.replace('"', "\"\""));
                    out.push('"');
                } else {
                    out.push_str(&s);
                }
            }
            Cell::Int(n) => out.push_str(&n.to_string()),
            Cell::Float(x) => out.push_str(&x.to_string()),
            Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Cell::Empty => {}
        }
    }
    out.push_str("\r\n");
    out
}

fn json_line(columns: &[&str], cells: &[Cell]) -> String {
    let mut map = serde_json::Map::new();
    for (name, c) in columns.iter().zip(cells) {
        let v = match c {
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Int(n) => serde_json::Value::from(*n),
            Cell::Float(x) => {
                serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Cell::Bool(b) => serde_json::Value::Bool(*b),
            Cell::Empty => serde_json::Value::Null,
        };
        map.insert((*name).to_owned(), v);
    }
    let mut line = serde_json::Value::Object(map).to_string();
    line.push('\n');
    line
}

/// The columns of a partner export.
/// The UTF-8 byte-order mark. Excel opens a CSV file as UTF-8 only when it starts with one (without it,
/// "Škola" arrives as "Å kola"); other programs skip it, and Rally's imports read it.
pub const EXCEL_BOM: &str = "\u{feff}";

pub const PARTNER_COLUMNS: &[&str] = &[
    "id",
    "name",
    "category",
    "audiences",
    "reach",
    "tier",
    "priority",
    "priority_boost",
    "high_touch",
    "stage",
    "stage_since",
    "lost_reason",
    "owner",
    "website",
    "country",
    "region",
    "tags",
    "notes",
    "created_at",
    "brought_events",
    "brought_students",
];

/// A partner's row; `brought` is what it brought (approved events and their students).
pub fn partner_row(p: &Partner, owner: Option<&str>, brought: (i64, i64)) -> Vec<Cell> {
    let f = &p.fields;
    vec![
        p.id.0.into(),
        f.name.as_str().into(),
        f.category.as_str().into(),
        f.audiences.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(";").into(),
        f.reach.get().into(),
        p.tier.as_str().into(),
        p.priority.into(),
        i64::from(f.priority_boost).into(),
        f.high_touch.into(),
        p.stage.as_str().into(),
        p.stage_since.to_rfc3339().into(),
        p.lost_reason.clone().into(),
        owner.map(str::to_owned).into(),
        f.website.clone().into(),
        f.country.clone().into(),
        f.region.clone().into(),
        f.tags.join(";").into(),
        f.notes.as_str().into(),
        p.created_at.to_rfc3339().into(),
        brought.0.into(),
        brought.1.into(),
    ]
}

/// The columns of a contact export.
pub const CONTACT_COLUMNS: &[&str] =
    &["id", "partner_id", "partner", "name", "email", "role", "language", "phone", "consent", "created_at"];

pub fn contact_row(c: &Contact, partner: &str) -> Vec<Cell> {
    let f = &c.fields;
    vec![
        c.id.0.into(),
        c.partner_id.0.into(),
        partner.into(),
        f.name.as_str().into(),
        f.email.as_str().into(),
        f.role.as_str().into(),
        f.language.as_ref().map(|l| l.to_string()).into(),
        f.phone.clone().into(),
        f.consent.as_str().into(),
        c.created_at.to_rfc3339().into(),
    ]
}

/// The columns of a stage history export.
pub const HISTORY_COLUMNS: &[&str] =
    &["id", "partner_id", "partner", "from", "to", "at", "by", "note", "reason", "reopened"];

pub fn history_row(s: &StageChange, partner: &str) -> Vec<Cell> {
    vec![
        s.id.into(),
        s.partner_id.0.into(),
        partner.into(),
        s.from.map(|f| f.as_str()).into(),
        s.to.as_str().into(),
        s.at.to_rfc3339().into(),
        s.actor_name.clone().into(),
        s.note.as_str().into(),
        s.reason.clone().into(),
        s.reopened.into(),
    ]
}

/// The columns of an event export.
pub const EVENT_COLUMNS: &[&str] = &[
    "id",
    "status",
    "title",
    "organization",
    "type",
    "country",
    "city",
    "latitude",
    "longitude",
    "location",
    "url",
    "starts_on",
    "ends_on",
    "students_expected",
    "students_actual",
    "ages",
    "language",
    "description",
    "public",
    "organizer_name",
    "organizer_email",
    "news_opt_in",
    "consent_at",
    "consent_version",
    "confirmed_at",
    "created_at",
    "activities",
    "own_activity",
    "referred_by",
    "heard_from",
    "brought_by",
];

/// An event's row; `partner_name` names the partners it refers to (its share link's and the one its
/// organizer named).
pub fn event_row(e: &Event, partner_name: &dyn Fn(crate::PartnerId) -> Option<String>) -> Vec<Cell> {
    let f = &e.fields;
    vec![
        e.id.0.into(),
        e.status.as_str().into(),
        f.title.as_str().into(),
        f.organization.as_str().into(),
        f.event_type.as_str().into(),
        f.country.as_str().into(),
        f.city.as_str().into(),
        f.latitude.map_or(Cell::Empty, Cell::Float),
        f.longitude.map_or(Cell::Empty, Cell::Float),
        f.location_source.as_str().into(),
        f.url.clone().into(),
        f.starts_on.to_string().into(),
        f.ends_on.to_string().into(),
        f.students_expected.into(),
        e.students_actual.into(),
        f.ages.as_str().into(),
        f.language.to_string().into(),
        f.description.as_str().into(),
        f.public.into(),
        f.organizer_name.as_str().into(),
        f.organizer_email.as_str().into(),
        f.news_opt_in.into(),
        e.consent_at.to_rfc3339().into(),
        e.consent_version.as_str().into(),
        e.confirmed_at.map(|t| t.to_rfc3339()).into(),
        e.created_at.to_rfc3339().into(),
        f.activities.iter().map(ToString::to_string).collect::<Vec<_>>().join(";").into(),
        f.own_activity.as_str().into(),
        f.referred_by.and_then(partner_name).into(),
        f.heard_from.and_then(partner_name).into(),
        f.brought_by().and_then(partner_name).into(),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralizes_text_but_not_numbers() {
        let row = Format::Csv.row(
            &["a", "b", "c", "d", "e", "f"],
            &[
                "=HYPERLINK(\"http://x\")".into(),
                Cell::Int(-5),
                "Škola, \"Trnsko\"\nZagreb".into(),
                "+385 1 234".into(),
                Cell::Empty,
                "@sum".into(),
            ],
        );
        assert_eq!(
            row,
            "\"'=HYPERLINK(\"\"http://x\"\")\",-5,\"Škola, \"\"Trnsko\"\"\nZagreb\",'+385 1 234,,'@sum\r\n"
        );
        assert_eq!(Format::Csv.header(&["id", "name"]), "id,name\r\n");
    }

    #[test]
    fn json_lines_keep_types_and_text_as_is() {
        let line =
            Format::JsonLines.row(&["a", "b", "c", "d"], &["=1+1".into(), Cell::Int(3), Cell::Empty, true.into()]);
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v, serde_json::json!({"a": "=1+1", "b": 3, "c": null, "d": true}));
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        assert_eq!(Format::JsonLines.header(&["a"]), "");
        assert_eq!(Format::parse("jsonl"), Ok(Format::JsonLines));
        assert!(Format::parse("xlsx").is_err());
    }

    /// A spreadsheet that splits on `;` (its list separator) or tabs never sees a cell that starts a
    /// formula, even inside a list value.
    #[test]
    fn list_values_cannot_split_into_formulas() {
        let line = csv_line(&[Cell::Int(1), Cell::Text("x;=cmd|' /c calc'!a0".into()), Cell::Text("a\t=1+1".into())]);
        for separator in [',', ';', '\t'] {
            let mut field = String::new();
            let mut quoted = false;
            for c in line.trim_end().chars() {
                match c {
                    '"' => quoted = !quoted,
                    c if c == separator && !quoted => {
                        assert!(!field.starts_with(['=', '+', '-', '@']), "{separator:?}: {field:?} in {line:?}");
                        field.clear();
                    }
                    c => field.push(c),
                }
            }
            assert!(!field.starts_with(['=', '+', '-', '@']), "{separator:?}: {field:?} in {line:?}");
        }
    }
}

//! One row of a file, checked: the cells of the mapped columns become a partner's, contact's,
//! event's or activity's validated fields, or a list of problems that name the column and say what is
//! wrong.

use std::collections::{BTreeMap, BTreeSet};

use rally_domain::activity::{ActivityDraft, ActivityFields, ActivityTextDraft, Facet};
use rally_domain::event::{DateWindow, EventFields, EventForm};
use rally_domain::{Audience, Category, Consent, ContactDraft, ContactFields, PartnerDraft, PartnerFields};
use rally_store::imports::ImportKind;

use super::catalogue;
use super::fields::{ActivityLayout, Mapping, fields};
use super::source::Row;

/// What is wrong with a row, and in which column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The column's header (or the field's name when no column feeds it).
    pub column: String,
    pub reason: String,
}

/// The contact person on a partner list's row. (Rows travel a chunk at a time, so the variants' sizes
/// do not matter.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum RowContact {
    /// No contact columns, or all of them empty.
    None,
    /// A contact to import with the partner: its fields, and the file's values alone.
    Some { fields: ContactFields, patch: ContactDraft },
    /// Contact details without an e-mail address, which a contact needs: the partner is imported, the
    /// contact is not, and the report says so.
    NoEmail,
}

/// A row's values, validated.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// The fields of a new partner, and the file's values alone (what an update changes); and its
    /// contact person, if the list has one.
    Partner {
        fields: Box<PartnerFields>,
        patch: Box<PartnerDraft>,
        contact: RowContact,
    },
    Contact {
        partner: String,
        partner_category: Option<Category>,
        fields: ContactFields,
        patch: ContactDraft,
    },
    Event(Box<EventFields>),
    /// A catalogue entry, and what the row said that the catalogue does not know (a tag or a language
    /// it has no value for): reported as notes naming the column, the row imported without them.
    Activity {
        fields: Box<ActivityFields>,
        notes: Vec<Problem>,
    },
}

/// A row's cleaned cells by field.
struct Values {
    all: &'static [super::fields::Field],
    values: Vec<String>,
}

impl Values {
    fn get(&self, key: &str) -> &str {
        self.all.iter().position(|f| f.key == key).map_or("", |i| self.values[i].as_str())
    }

    /// The value of a non-empty cell: an import never blanks what the campaign already knows.
    fn opt(&self, key: &str) -> Option<String> {
        Some(self.get(key)).filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

/// Checks rows against one mapping.
#[derive(Debug)]
pub struct RowChecker<'a> {
    mapping: &'a Mapping,
    headers: &'a [String],
    /// For events: the campaign's dates.
    window: Option<DateWindow>,
}

impl<'a> RowChecker<'a> {
    pub fn new(mapping: &'a Mapping, headers: &'a [String], window: Option<DateWindow>) -> RowChecker<'a> {
        RowChecker { mapping, headers, window }
    }

    /// The column a field's problem is reported under.
    fn column_name(&self, key: &str) -> String {
        match self.mapping.column_of(key) {
            Some(c) => self.headers.get(c).cloned().unwrap_or_default(),
            None => fields(self.mapping.kind).iter().find(|f| f.key == key).map_or(key, |f| f.label).to_owned(),
        }
    }

    pub fn check(&self, row: &Row) -> Result<Parsed, Vec<Problem>> {
        let mut problems = Vec::new();
        let all = fields(self.mapping.kind);
        let mut values: Vec<String> = vec![String::new(); all.len()];
        for (column, field) in self.mapping.columns.iter().enumerate() {
            let Some(i) = *field else { continue };
            let raw = row.cells.get(column).map_or("", String::as_str);
            match clean_cell(raw) {
                Ok(v) => values[i] = v,
                Err(reason) => problems.push(Problem { column: self.headers[column].clone(), reason }),
            }
        }
        let v = Values { all, values };
        let parsed = match self.mapping.kind {
            ImportKind::Partners => self.partner(&v, &mut problems),
            ImportKind::Contacts => self.contact(&v, &mut problems),
            ImportKind::Events => self.event(&v, &mut problems),
            ImportKind::Activities => self.activity(&v, &mut problems),
        };
        match parsed {
            Some(p) if problems.is_empty() => Ok(p),
            _ => {
                // One problem per column: a refused cell is not also reported as missing.
                let mut seen = std::collections::HashSet::new();
                problems.retain(|p| seen.insert(p.column.clone()));
                Err(problems)
            }
        }
    }

    fn invalid(&self, e: rally_domain::Invalid, problems: &mut Vec<Problem>) {
        for f in e.0 {
            problems.push(Problem { column: self.column_name(&f.field), reason: f.message });
        }
    }

    /// The value of an optional cell of field `key`: `None` when empty, or when `parse` refuses it (the
    /// refusal is the column's problem).
    fn optional<T>(
        &self,
        v: &Values,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        match v.get(key) {
            "" => None,
            raw => parse(raw).map_err(|reason| problems.push(Problem { column: self.column_name(key), reason })).ok(),
        }
    }

    /// A contact's values as a draft, the consent read; `name` is the contact's name.
    fn contact_draft(&self, v: &Values, name: Option<String>, problems: &mut Vec<Problem>) -> ContactDraft {
        ContactDraft {
            name,
            email: v.opt("email"),
            role: v.opt("role"),
            language: v.opt("language"),
            phone: v.opt("phone"),
            consent: self.optional(v, "consent", parse_consent, problems),
        }
    }

    fn partner(&self, v: &Values, problems: &mut Vec<Problem>) -> Option<Parsed> {
        let category = self.optional(v, "category", parse_category, problems);
        let reach = self.optional(
            v,
            "reach",
            |raw| parse_count(raw).ok_or_else(|| format!("`{raw}` is not a whole number of people")),
            problems,
        );
        let mut audiences = Vec::new();
        for raw in list(v.get("audiences")) {
            match parse_audience(raw) {
                Ok(a) => audiences.push(a),
                Err(reason) => problems.push(Problem { column: self.column_name("audiences"), reason }),
            }
        }
        let country = self.optional(
            v,
            "country",
            |raw| {
                rally_site::geo::country_by_code_or_name(raw)
                    .map(|c| c.code.to_owned())
                    .ok_or_else(|| format!("`{raw}` is not a country (a code such as HR, or a name)"))
            },
            problems,
        );
        let contact = self.row_contact(v, v.opt("name"), problems);
        let draft = PartnerDraft {
            name: v.opt("name"),
            category,
            audiences: Some(audiences).filter(|a| !a.is_empty()),
            reach,
            website: v.opt("website"),
            country,
            region: v.opt("region"),
            tags: v.opt("tags").map(|t| list(&t).map(str::to_owned).collect()),
            notes: v.opt("notes"),
            ..PartnerDraft::default()
        };
        match draft.clone().validate() {
            Ok(f) => Some(Parsed::Partner { fields: Box::new(f), patch: Box::new(draft), contact }),
            Err(e) => {
                self.invalid(e, problems);
                None
            }
        }
    }

    /// The contact person of a partner row, checked as a contact import checks it. A contact without a
    /// name of its own takes the partner's (an organization's shared address).
    fn row_contact(&self, v: &Values, partner_name: Option<String>, problems: &mut Vec<Problem>) -> RowContact {
        let keys = ["contact_name", "email", "phone", "role", "language", "consent"];
        if keys.iter().all(|k| v.get(k).is_empty()) {
            return RowContact::None;
        }
        if v.get("email").is_empty() {
            return RowContact::NoEmail;
        }
        let draft = self.contact_draft(v, v.opt("contact_name").or(partner_name), problems);
        match draft.clone().validate() {
            Ok(fields) => RowContact::Some { fields, patch: draft },
            Err(e) => {
                // The contact's `name` is the file's contact name column.
                for f in e.0 {
                    let key = if f.field == "name" { "contact_name" } else { f.field.as_str() };
                    problems.push(Problem { column: self.column_name(key), reason: f.message });
                }
                RowContact::None
            }
        }
    }

    fn contact(&self, v: &Values, problems: &mut Vec<Problem>) -> Option<Parsed> {
        let partner = v.get("partner").split_whitespace().collect::<Vec<_>>().join(" ");
        if partner.is_empty() {
            problems
                .push(Problem { column: self.column_name("partner"), reason: "required: the partner's name".into() });
        }
        let partner_category = self.optional(v, "partner_category", parse_category, problems);
        let draft = self.contact_draft(v, v.opt("name"), problems);
        match draft.clone().validate() {
            Ok(fields) if !partner.is_empty() => {
                Some(Parsed::Contact { partner, partner_category, fields, patch: draft })
            }
            Ok(_) => None,
            Err(e) => {
                self.invalid(e, problems);
                None
            }
        }
    }

    fn event(&self, v: &Values, problems: &mut Vec<Problem>) -> Option<Parsed> {
        let window = self.window?;
        let country = match v.get("country") {
            "" => String::new(),
            raw => rally_site::geo::country_by_code_or_name(raw).map_or_else(|| raw.to_owned(), |c| c.code.to_owned()),
        };
        let event_type = match v.get("event_type") {
            "" => "in_school".to_owned(),
            raw => raw.trim().to_lowercase().replace([' ', '-'], "_"),
        };
        let listing = match v.get("listing").trim().to_lowercase().as_str() {
            "" | "public" | "yes" | "true" | "1" | "da" | "да" | "oui" => "public",
            _ => "private",
        };
        let form = EventForm {
            organizer_name: v.get("organizer_name").to_owned(),
            organizer_email: v.get("organizer_email").to_owned(),
            organization: v.get("organization").to_owned(),
            event_type,
            title: v.get("title").to_owned(),
            country,
            city: v.get("city").to_owned(),
            latitude: v.get("latitude").to_owned(),
            longitude: v.get("longitude").to_owned(),
            url: v.get("url").to_owned(),
            starts_on: v.get("starts_on").to_owned(),
            ends_on: v.get("ends_on").to_owned(),
            students: v.get("students").to_owned(),
            ages: v.get("ages").to_owned(),
            language: match v.get("language") {
                "" => "en".to_owned(),
                l => l.to_owned(),
            },
            description: v.get("description").to_owned(),
            listing: listing.to_owned(),
            // The team imports its own list: the privacy basis is theirs, recorded as an import.
            consent: "on".to_owned(),
            news: String::new(),
            website: String::new(),
            // Imports carry no activities or attribution: they are the team's own list.
            ..EventForm::default()
        };
        match form.validate(window, &rally_site::geo::ShippedGazetteer) {
            Ok(f) => Some(Parsed::Event(Box::new(f))),
            Err(errors) => {
                for e in errors {
                    let args: Vec<String> = e.args.iter().map(|(k, v)| format!("{k} {v}")).collect();
                    let reason = if args.is_empty() {
                        event_reason(e.message_id)
                    } else {
                        format!("{} ({})", event_reason(e.message_id), args.join(", "))
                    };
                    problems.push(Problem { column: self.column_name(event_field(e.field)), reason });
                }
                None
            }
        }
    }
}

/// An activity row's facet values, and the notes about words the catalogue does not know.
#[derive(Default)]
struct Facets {
    values: BTreeMap<Facet, BTreeSet<&'static str>>,
    notes: Vec<Problem>,
}

impl Facets {
    fn add(&mut self, facet: Facet, values: impl IntoIterator<Item = &'static str>) {
        self.values.entry(facet).or_default().extend(values);
    }

    fn unknown(&mut self, column: String, raw: &str, facet: Facet) {
        let known = facet.values().unwrap_or_default().join(", ");
        let reason = format!("`{raw}` is not a value of {} ({known}); left out", facet.label().to_lowercase());
        self.notes.push(Problem { column, reason });
    }
}

/// code.org's tag columns that map one to one on a facet's values.
const CODE_ORG_TAGS: [(&str, Facet); 4] = [
    ("tags_platform", Facet::Equipment),
    ("tags_activity_type", Facet::Format),
    ("tags_programming_language", Facet::Programming),
    ("tags_subject", Facet::Subject),
];

impl RowChecker<'_> {
    /// An activity row: Rally's columns or code.org's, mapped onto the catalogue's facets (see
    /// docs/activities.md).
    fn activity(&self, v: &Values, problems: &mut Vec<Problem>) -> Option<Parsed> {
        let layout = ActivityLayout::of(self.mapping);
        let mut facets = self.activity_facets(v);
        let (duration_minutes, follow) = self.activity_length(v, &mut facets.notes, problems);
        let has_follow_on = match v.get("has_follow_on") {
            "" => follow.then_some(true),
            raw => match catalogue::yes_no(raw) {
                Some(yes) => Some(yes || follow),
                None => {
                    let reason = format!("`{raw}`: write yes or no");
                    problems.push(Problem { column: self.column_name("has_follow_on"), reason });
                    None
                }
            },
        };
        let mut languages: Vec<String> = Vec::new();
        for raw in list(v.get("languages")) {
            match catalogue::catalogue_language(raw) {
                Ok(tag) if !languages.contains(&tag) => languages.push(tag),
                Ok(_) => {}
                Err(reason) => {
                    let reason = format!("{reason}; left out");
                    facets.notes.push(Problem { column: self.column_name("languages"), reason });
                }
            }
        }
        // code.org writes its texts in English, whatever languages the tutorial is available in.
        let language = match (v.opt("language"), layout) {
            (Some(l), _) => l,
            (None, ActivityLayout::CodeOrg) => "en".to_owned(),
            (None, ActivityLayout::Rally) => languages.first().cloned().unwrap_or_else(|| "en".to_owned()),
        };
        let text = ActivityTextDraft {
            language: Some(language),
            title: v.opt("title"),
            summary: v.opt("summary"),
            description: v.opt("description"),
        };
        let draft = ActivityDraft {
            texts: Some(vec![text]),
            url: v.opt("url"),
            provider_name: v.opt("provider"),
            duration_minutes,
            has_follow_on,
            print_per_student: v.opt("print_per_student"),
            languages: Some(languages).filter(|l| !l.is_empty()),
            facets: Some(
                facets
                    .values
                    .iter()
                    .map(|(f, values)| (*f, values.iter().map(|v| (*v).to_owned()).collect()))
                    .collect(),
            ),
            ..ActivityDraft::default()
        };
        // Notes in the file's column order, as a reader goes along the row.
        facets.notes.sort_by_key(|n| self.headers.iter().position(|h| *h == n.column));
        match draft.validate() {
            Ok(fields) => Some(Parsed::Activity { fields: Box::new(fields), notes: facets.notes }),
            Err(e) => {
                for f in e.0 {
                    problems.push(Problem { column: self.column_name(activity_field(&f.field)), reason: f.message });
                }
                None
            }
        }
    }

    /// The facet values of Rally's facet columns and code.org's tag columns, with a note for each word
    /// the catalogue does not know.
    fn activity_facets(&self, v: &Values) -> Facets {
        let mut facets = Facets::default();
        for facet in Facet::ALL.iter().copied().filter(|f| f.chosen()) {
            for raw in list(v.get(facet.as_str())) {
                let found = match facet {
                    Facet::Grade => catalogue::grades_in(raw),
                    _ => catalogue::facet_value(facet, raw).map(|value| vec![value]),
                };
                match found {
                    Some(values) => facets.add(facet, values),
                    None => facets.unknown(self.column_name(facet.as_str()), raw, facet),
                }
            }
        }
        for raw in list(v.get("tags_grade")) {
            match catalogue::code_org_grade(raw) {
                Some((grades, ages)) => {
                    facets.add(Facet::Grade, grades);
                    facets.add(Facet::Age, ages);
                }
                None => facets.unknown(self.column_name("tags_grade"), raw, Facet::Grade),
            }
        }
        for (key, facet) in CODE_ORG_TAGS {
            for raw in list(v.get(key)) {
                match catalogue::facet_value(facet, raw) {
                    Some(value) => facets.add(facet, [value]),
                    None => facets.unknown(self.column_name(key), raw, facet),
                }
            }
        }
        facets
    }

    /// The duration in minutes, and whether the length said "with a follow-on": Rally's duration
    /// column (a problem when unreadable), else code.org's `tags_length` (the shortest of its
    /// lengths; an unknown one is a note, and the activity counts as an hour).
    fn activity_length(
        &self,
        v: &Values,
        notes: &mut Vec<Problem>,
        problems: &mut Vec<Problem>,
    ) -> (Option<i64>, bool) {
        match v.get("duration_minutes") {
            "" => {}
            raw => {
                return match catalogue::length(raw) {
                    Some((minutes, follow)) => (Some(minutes), follow),
                    None => {
                        let reason = format!("`{raw}` is not a number of minutes");
                        problems.push(Problem { column: self.column_name("duration_minutes"), reason });
                        (None, false)
                    }
                };
            }
        }
        let (mut minutes, mut follow) = (None, false);
        for raw in list(v.get("tags_length")) {
            match catalogue::length(raw) {
                Some((m, f)) => {
                    minutes = Some(minutes.map_or(m, |old: i64| old.min(m)));
                    follow |= f;
                }
                None => notes.push(Problem {
                    column: self.column_name("tags_length"),
                    reason: format!("`{raw}` is not a length (1hour, 1hour-follow, few-hours, 30min…); left out"),
                }),
            }
        }
        (minutes, follow)
    }
}

/// An activity's field names (from [`ActivityDraft::validate`]) as this import's field keys.
fn activity_field(field: &str) -> &str {
    match field.strip_prefix("texts.0.").unwrap_or(field) {
        "texts" => "title",
        "provider_name" => "provider",
        other => other.strip_prefix("facets.").unwrap_or(other),
    }
}

/// The event form's field names as this import's field keys.
fn event_field(field: &str) -> &str {
    match field {
        "students" => "students",
        "event_type" => "event_type",
        other => other,
    }
}

/// The English text of the public form's messages, from their ids (`error-required` → "required").
fn event_reason(message_id: &str) -> String {
    message_id.trim_start_matches("error-").trim_start_matches("field-").replace('-', " ")
}

/// A cell's text, trimmed. Cells that a spreadsheet would run as a formula (`=`, `@`, or `+`/`-`
/// followed by something that is not a number) are refused; the apostrophe Rally's exports put in
/// front of such text to neutralize it is taken off again.
pub fn clean_cell(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if let Some(rest) = v.strip_prefix('\'')
        && rest.starts_with(['=', '+', '-', '@'])
    {
        return Ok(rest.to_owned());
    }
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || " ().-/+".contains(c));
    let formula = match v.chars().next() {
        Some('=' | '@') => true,
        Some('+' | '-') => !numeric(&v[1..]),
        _ => false,
    };
    if formula {
        let shown: String = v.chars().take(40).collect();
        return Err(format!(
            "`{shown}` looks like a spreadsheet formula; Rally does not import formulas (write it as text, with an apostrophe in front)"
        ));
    }
    Ok(v.to_owned())
}

/// A list in one cell: `a, b; c`.
fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', ';', '|']).map(str::trim).filter(|t| !t.is_empty())
}

/// A whole number as spreadsheets write it: `1200`, `1 200`, `1,200`, `1.200`, `1200.0`.
fn parse_count(raw: &str) -> Option<i64> {
    let v = raw.trim().strip_suffix(".0").unwrap_or(raw.trim());
    let digits: String = v.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | ',' | '.' | '\'')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 15 {
        return None;
    }
    digits.parse().ok()
}

fn key(raw: &str) -> String {
    raw.trim().to_lowercase().replace([' ', '-', '/'], "_")
}

pub fn parse_category(raw: &str) -> Result<Category, String> {
    let k = key(raw);
    if let Ok(c) = Category::parse(&k) {
        return Ok(c);
    }
    if let Some(c) = Category::ALL.into_iter().find(|c| key(c.label()) == k) {
        return Ok(c);
    }
    let c = match k.as_str() {
        "it" | "company" | "it_company" | "it_companies" | "business" | "corporate" | "tvrtka" | "it_tvrtka"
        | "компания" | "entreprise" => Category::ItCompany,
        "authority"
        | "authorities"
        | "government"
        | "ministry"
        | "public_authority"
        | "vlast"
        | "ministarstvo"
        | "министерство"
        | "власти"
        | "ministère"
        | "autorité" => Category::Authority,
        "teachers"
        | "teacher_network"
        | "teachers_network"
        | "school_network"
        | "network"
        | "udruga_nastavnika"
        | "mreža_nastavnika"
        | "сеть_учителей"
        | "réseau_enseignants" => Category::SchoolNetwork,
        "ngo"
        | "nonprofit"
        | "non_profit"
        | "university"
        | "universities"
        | "ngo_university"
        | "udruga"
        | "sveučilište"
        | "нко"
        | "университет"
        | "association"
        | "université" => Category::Nonprofit,
        "media" | "press" | "mediji" | "сми" | "médias" | "presse" => Category::Media,
        _ => {
            return Err(format!(
                "`{}` is not a partner category; use it_company, authority, school_network, nonprofit or media",
                raw.trim()
            ));
        }
    };
    Ok(c)
}

fn parse_audience(raw: &str) -> Result<Audience, String> {
    let k = key(raw);
    let k = match k.as_str() {
        "principal" | "ravnatelji" | "директора" => "principals",
        "teacher" | "nastavnici" | "учителя" | "enseignants" => "teachers",
        "student" | "pupils" | "učenici" | "ученики" | "élèves" => "students",
        "parent" | "roditelji" | "родители" => "parents",
        "employee" | "staff" | "zaposlenici" | "сотрудники" | "employés" => "employees",
        "public" | "general" | "javnost" | "общественность" => "general_public",
        other => other,
    };
    Audience::parse(k).map_err(|_| {
        format!(
            "`{}` is not an audience; use principals, teachers, students, parents, employees or general_public",
            raw.trim()
        )
    })
}

fn parse_consent(raw: &str) -> Result<Consent, String> {
    match key(raw).as_str() {
        "yes" | "y" | "true" | "1" | "opted_in" | "opt_in" | "da" | "да" | "oui" | "x" => Ok(Consent::OptedIn),
        "no" | "n" | "false" | "0" | "opted_out" | "opt_out" | "ne" | "нет" | "non" => Ok(Consent::OptedOut),
        "unknown" | "?" => Ok(Consent::Unknown),
        _ => Err(format!("`{}`: write yes, no or unknown", raw.trim())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Row {
        Row { number: 2, cells: cells.iter().map(|s| (*s).to_owned()).collect() }
    }

    #[test]
    fn formula_cells_are_refused_and_neutralized_ones_restored() {
        assert!(clean_cell("=HYPERLINK(\"http://x\")").is_err());
        assert!(clean_cell("@SUM(A1)").is_err());
        assert!(clean_cell("-2+3+cmd|' /C calc'!A0").is_err());
        assert_eq!(clean_cell("+385 1 234 5678"), Ok("+385 1 234 5678".into()));
        assert_eq!(clean_cell("-12"), Ok("-12".into()));
        assert_eq!(clean_cell("'=not a formula"), Ok("=not a formula".into()));
        assert_eq!(clean_cell("  plain  "), Ok("plain".into()));
    }

    #[test]
    fn partner_rows() {
        let headers: Vec<String> = ["Naziv", "Vrsta", "Web", "Država", "Doseg", "Publika"].map(String::from).to_vec();
        let m = Mapping::guess(ImportKind::Partners, &headers);
        let c = RowChecker::new(&m, &headers, None);
        let Ok(Parsed::Partner { fields: p, .. }) =
            c.check(&row(&["Infobip", "IT company", "www.infobip.com", "Hrvatska", "1 200", "employees; parents"]))
        else {
            panic!("valid row refused")
        };
        assert_eq!((p.category, p.country.as_deref(), p.reach.get()), (Category::ItCompany, Some("HR"), 1200));
        assert_eq!(p.audiences, vec![Audience::Parents, Audience::Employees]);
        let problems = c.check(&row(&["", "bakery", "not a site", "Atlantis", "lots", ""])).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(
            columns.contains(&"Vrsta") && columns.contains(&"Država") && columns.contains(&"Doseg"),
            "{problems:?}"
        );
    }

    #[test]
    fn contact_rows() {
        let headers: Vec<String> = ["Email", "Name", "Organization", "Phone"].map(String::from).to_vec();
        let m = Mapping::guess(ImportKind::Contacts, &headers);
        let c = RowChecker::new(&m, &headers, None);
        let Ok(Parsed::Contact { partner, fields, .. }) =
            c.check(&row(&[" Ana@Skola.HR ", "Ana", "  OŠ   Čakovec ", "+385 40 123 456"]))
        else {
            panic!("valid row refused")
        };
        assert_eq!((partner.as_str(), fields.email.as_str()), ("OŠ Čakovec", "ana@skola.hr"));
        let problems = c.check(&row(&["not-an-email", "=cmd()", "", ""])).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.column == "Name" && p.reason.contains("formula")));
        assert!(problems.iter().any(|p| p.column == "Email"));
        assert!(problems.iter().any(|p| p.column == "Organization"));
    }

    #[test]
    fn event_rows() {
        let headers: Vec<String> =
            ["Organizer", "Email", "School", "Country", "City", "Date", "Students"].map(String::from).to_vec();
        let m = Mapping::guess(ImportKind::Events, &headers);
        assert!(m.missing().is_empty(), "{:?}", m.missing());
        let window = DateWindow { from: "2026-10-01".parse().unwrap(), to: "2027-01-31".parse().unwrap() };
        let c = RowChecker::new(&m, &headers, Some(window));
        let Ok(Parsed::Event(e)) = c.check(&row(&[
            "Ana Horvat",
            "ana@skola.example",
            "OŠ Čakovec",
            "Hrvatska",
            "Čakovec",
            "2026-12-08",
            "28",
        ])) else {
            panic!("valid row refused")
        };
        assert_eq!((e.country.as_str(), e.students_expected, e.starts_on.to_string()), ("HR", 28, "2026-12-08".into()));
        assert!(e.latitude.is_some(), "the town is found in the gazetteer");
        let problems =
            c.check(&row(&["Ana", "ana@skola.example", "", "Atlantis", "", "2030-01-01", "lots"])).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(
            columns.contains(&"Country") && columns.contains(&"Date") && columns.contains(&"Students"),
            "{problems:?}"
        );
    }

    /// The facet values of an activity row, as `facet: a, b` lines.
    fn facets(f: &ActivityFields) -> Vec<String> {
        f.facets
            .iter()
            .map(|(k, v)| format!("{}: {}", k.as_str(), v.iter().cloned().collect::<Vec<_>>().join(", ")))
            .collect()
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one file's rows, start to end")]
    fn code_org_rows_are_mapped_onto_the_catalogue() {
        let headers: Vec<String> = [
            "name",
            "orgname",
            "url",
            "languages_supported",
            "tags_grade",
            "tags_platform",
            "tags_length",
            "tags_activity_type",
            "tags_programming_language",
            "tags_subject",
        ]
        .map(String::from)
        .to_vec();
        let m = Mapping::guess(ImportKind::Activities, &headers);
        assert_eq!(
            (0..headers.len()).map(|c| m.field_of(c).map_or("", |f| f.key)).collect::<Vec<_>>(),
            vec![
                "title",
                "provider",
                "url",
                "languages",
                "tags_grade",
                "tags_platform",
                "tags_length",
                "tags_activity_type",
                "tags_programming_language",
                "tags_subject"
            ]
        );
        assert_eq!(ActivityLayout::of(&m), ActivityLayout::CodeOrg);
        let c = RowChecker::new(&m, &headers, None);
        let Ok(Parsed::Activity { fields: f, notes }) = c.check(&row(&[
            "Unplugged sorting",
            "Example Org",
            "https://example.org/sorting",
            "en,hr-HR,fr-FR",
            "pre,2-5",
            "no-computers,no-internet",
            "1hour-follow",
            "lesson-plan",
            "none",
            "math,la",
        ])) else {
            panic!("valid row refused")
        };
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(f.texts[0].language.as_str(), "en", "code.org's texts are in English");
        assert_eq!(f.texts[0].title, "Unplugged sorting");
        assert_eq!(f.provider_name, "Example Org");
        assert_eq!(f.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(), vec!["en", "fr", "hr"]);
        assert_eq!((f.duration_minutes, f.has_follow_on), (60, true));
        assert_eq!(
            facets(&f),
            vec![
                "age: 4-6, 7-10",
                "grade: 1, 2, 3, 4, 5, k, pre",
                "format: lesson_plan",
                "programming: none",
                "equipment: no_computers, offline",
                "subject: language_arts, maths",
            ]
        );
        // Unknown tags and languages are notes naming their column; the row is still imported.
        let Ok(Parsed::Activity { fields: f, notes }) = c.check(&row(&[
            "Dance party",
            "",
            "example.org/dance",
            "en,klingon!",
            "9+",
            "ios,hovercraft",
            "few-hours",
            "online-tutorial",
            "other",
            "cs",
        ])) else {
            panic!("a row with unknown tags is refused")
        };
        let noted: Vec<&str> = notes.iter().map(|n| n.column.as_str()).collect();
        assert_eq!(noted, vec!["languages_supported", "tags_platform", "tags_programming_language"], "{notes:?}");
        assert!(notes[1].reason.contains("hovercraft"));
        assert_eq!(f.duration_minutes, 180);
        assert_eq!(
            facets(&f),
            vec![
                "age: 14-18",
                "grade: 10, 11, 12, 9",
                "format: tutorial",
                "equipment: tablets",
                "subject: computer_science"
            ]
        );
        // A row without a title or a link is a problem of its columns.
        let problems = c.check(&row(&["", "", "", "en", "", "", "", "", "", ""])).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(columns.contains(&"name") && columns.contains(&"url"), "{problems:?}");
    }

    #[test]
    fn rally_rows_read_their_own_columns() {
        let headers: Vec<String> = [
            "Title",
            "Summary",
            "Language",
            "URL",
            "Provider",
            "Duration (minutes)",
            "Has follow-on",
            "Print per student",
            "Languages",
            "Age",
            "Equipment",
            "Format",
            "Accessibility",
        ]
        .map(String::from)
        .to_vec();
        let m = Mapping::guess(ImportKind::Activities, &headers);
        assert!(m.missing().is_empty());
        assert_eq!(ActivityLayout::of(&m), ActivityLayout::Rally);
        let c = RowChecker::new(&m, &headers, None);
        let Ok(Parsed::Activity { fields: f, notes }) = c.check(&row(&[
            "Kodiranje bez računala",
            "Učenici slažu upute.",
            "hr",
            "https://example.org/bez",
            "Udruga",
            "45",
            "ne",
            "Jedan list s kartama",
            "hr, en",
            "7-10, 11–13",
            "No computers",
            "unplugged",
            "no_reading",
        ])) else {
            panic!("valid row refused")
        };
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((f.texts[0].language.as_str(), f.duration_minutes, f.has_follow_on), ("hr", 45, false));
        assert_eq!(f.print_per_student, "Jedan list s kartama");
        assert_eq!(
            facets(&f),
            vec!["age: 11-13, 7-10", "format: unplugged", "equipment: no_computers", "accessibility: no_reading"]
        );
        let problems = c
            .check(&row(&[
                "Ok",
                "",
                "the Croatian language",
                "https://example.org",
                "",
                "ages",
                "maybe",
                "",
                "",
                "",
                "",
                "",
                "",
            ]))
            .unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(
            columns.contains(&"Language")
                && columns.contains(&"Duration (minutes)")
                && columns.contains(&"Has follow-on"),
            "{problems:?}"
        );
    }

    #[test]
    fn counts_and_categories() {
        assert_eq!(parse_count("1,200"), Some(1200));
        assert_eq!(parse_count("35.0"), Some(35));
        assert_eq!(parse_count("12a"), None);
        assert_eq!(parse_category("NGO"), Ok(Category::Nonprofit));
        assert_eq!(parse_category("school_network"), Ok(Category::SchoolNetwork));
    }
}

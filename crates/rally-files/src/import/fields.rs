//! What each import kind reads, how file columns are matched to it, and how duplicates are found.

use std::collections::BTreeMap;

use rally_store::imports::ImportKind;

/// One thing an import reads from a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Header names that mean this field (compared lower-case, letters and digits only), in the
    /// languages of Rally's users.
    aliases: &'static [&'static str],
}

const fn field(key: &'static str, label: &'static str, required: bool, aliases: &'static [&'static str]) -> Field {
    Field { key, label, required, aliases }
}

/// Header names shared by the contact fields of contact imports and partner imports.
const EMAIL_ALIASES: &[&str] = &[
    "email",
    "contactemail",
    "emailkontakta",
    "kontaktemail",
    "kontaktepošta",
    "mail",
    "emailaddress",
    "epošta",
    "eposta",
    "adresaepošte",
    "почта",
    "электроннаяпочта",
    "емейл",
    "courriel",
    "adresseemail",
    "adressecourriel",
];
const ROLE_ALIASES: &[&str] = &[
    "role",
    "position",
    "title",
    "jobtitle",
    "function",
    "funkcija",
    "uloga",
    "radnomjesto",
    "должность",
    "роль",
    "fonction",
    "poste",
];
const LANGUAGE_ALIASES: &[&str] = &["language", "lang", "jezik", "язык", "langue"];
const PHONE_ALIASES: &[&str] = &[
    "phone",
    "contactphone",
    "kontakttelefon",
    "telephone",
    "tel",
    "mobile",
    "telefon",
    "mobitel",
    "телефон",
    "téléphone",
    "portable",
];
const CONSENT_ALIASES: &[&str] = &["consent", "optin", "newsletter", "privola", "согласие", "consentement"];

const PARTNER_FIELDS: &[Field] = &[
    field(
        "name",
        "Name",
        true,
        &[
            "name",
            "partner",
            "partnername",
            "organization",
            "organisation",
            "company",
            "naziv",
            "ime",
            "tvrtka",
            "organizacija",
            "название",
            "наименование",
            "организация",
            "компания",
            "nom",
            "entreprise",
            "organisme",
        ],
    ),
    field(
        "category",
        "Category",
        true,
        &[
            "category",
            "type",
            "kind",
            "partnertype",
            "kategorija",
            "vrsta",
            "tip",
            "категория",
            "тип",
            "catégorie",
            "categorie",
        ],
    ),
    field(
        "website",
        "Website",
        false,
        &[
            "website",
            "web",
            "url",
            "site",
            "homepage",
            "domain",
            "webstranica",
            "mrežnastranica",
            "stranica",
            "сайт",
            "вебсайт",
            "siteweb",
        ],
    ),
    field("country", "Country", false, &["country", "država", "drzava", "zemlja", "страна", "pays"]),
    field(
        "region",
        "Region or city",
        false,
        &[
            "region",
            "city",
            "town",
            "place",
            "grad",
            "mjesto",
            "županija",
            "zupanija",
            "regija",
            "регион",
            "город",
            "область",
            "ville",
            "région",
        ],
    ),
    field(
        "reach",
        "Reach",
        false,
        &[
            "reach",
            "students",
            "audiencesize",
            "people",
            "doseg",
            "brojučenika",
            "učenika",
            "охват",
            "учеников",
            "portée",
            "élèves",
        ],
    ),
    field(
        "audiences",
        "Audiences",
        false,
        &["audiences", "audience", "publika", "ciljanaskupina", "аудитория", "public"],
    ),
    field("tags", "Tags", false, &["tags", "tag", "labels", "oznake", "теги", "метки", "étiquettes"]),
    field(
        "notes",
        "Notes",
        false,
        &[
            "notes",
            "note",
            "comment",
            "comments",
            "bilješke",
            "napomena",
            "napomene",
            "примечание",
            "комментарий",
            "remarques",
            "commentaire",
        ],
    ),
    // The partner's contact person, when the list has one: imported as the partner's contact.
    field(
        "contact_name",
        "Contact name",
        false,
        &[
            "contactname",
            "contact",
            "contactperson",
            "kontakt",
            "kontaktosoba",
            "imekontakta",
            "osoba",
            "imeiprezime",
            "контакт",
            "контактноелицо",
            "фио",
            "personnecontact",
            "nomducontact",
            "interlocuteur",
        ],
    ),
    field("email", "Contact e-mail", false, EMAIL_ALIASES),
    field("phone", "Contact phone", false, PHONE_ALIASES),
    field("role", "Contact role", false, ROLE_ALIASES),
    field("language", "Contact language", false, LANGUAGE_ALIASES),
    field("consent", "Contact consent", false, CONSENT_ALIASES),
];

const CONTACT_FIELDS: &[Field] = &[
    field("email", "E-mail", true, EMAIL_ALIASES),
    field(
        "name",
        "Name",
        true,
        &[
            "name",
            "contact",
            "fullname",
            "contactname",
            "person",
            "imeiprezime",
            "ime",
            "osoba",
            "kontakt",
            "имя",
            "фио",
            "контакт",
            "nom",
            "nomcomplet",
            "personne",
        ],
    ),
    field(
        "partner",
        "Partner",
        true,
        &[
            "partner",
            "organization",
            "organisation",
            "company",
            "school",
            "institution",
            "employer",
            "tvrtka",
            "organizacija",
            "škola",
            "ustanova",
            "partnerorganizacija",
            "организация",
            "компания",
            "школа",
            "учреждение",
            "entreprise",
            "organisme",
            "école",
            "établissement",
        ],
    ),
    field("role", "Role", false, ROLE_ALIASES),
    field("language", "Language", false, LANGUAGE_ALIASES),
    field("phone", "Phone", false, PHONE_ALIASES),
    field("consent", "Consent", false, CONSENT_ALIASES),
    field(
        "partner_category",
        "Partner category (for new partners)",
        false,
        &["category", "partnercategory", "type", "kategorija", "vrsta", "категория", "тип", "catégorie"],
    ),
];

const EVENT_FIELDS: &[Field] = &[
    field(
        "organizer_name",
        "Organizer's name",
        true,
        &[
            "organizername",
            "organizer",
            "organiser",
            "teacher",
            "contact",
            "name",
            "organizator",
            "nastavnik",
            "učitelj",
            "ime",
            "организатор",
            "учитель",
            "имя",
            "organisateur",
            "enseignant",
            "nom",
        ],
    ),
    field(
        "organizer_email",
        "Organizer's e-mail",
        true,
        &["organizeremail", "email", "mail", "epošta", "eposta", "почта", "courriel"],
    ),
    field(
        "organization",
        "School or organization",
        false,
        &[
            "organization",
            "organisation",
            "school",
            "institution",
            "škola",
            "ustanova",
            "школа",
            "организация",
            "école",
            "établissement",
        ],
    ),
    field(
        "title",
        "Event name",
        false,
        &["title", "event", "eventname", "naziv", "događaj", "название", "мероприятие", "titre", "événement"],
    ),
    field("event_type", "Type", false, &["type", "eventtype", "kind", "vrsta", "tip", "тип", "formát", "format"]),
    field("country", "Country", true, &["country", "država", "drzava", "zemlja", "страна", "pays"]),
    field("city", "Town", false, &["city", "town", "place", "grad", "mjesto", "город", "ville"]),
    field("latitude", "Latitude", false, &["latitude", "lat", "širina", "широта"]),
    field("longitude", "Longitude", false, &["longitude", "lon", "lng", "long", "dužina", "долгота"]),
    field("url", "Online link", false, &["url", "link", "poveznica", "ссылка", "lien"]),
    field(
        "starts_on",
        "First day",
        true,
        &[
            "startson",
            "start",
            "date",
            "startdate",
            "firstday",
            "from",
            "datum",
            "početak",
            "od",
            "дата",
            "начало",
            "début",
            "datedébut",
        ],
    ),
    field(
        "ends_on",
        "Last day",
        false,
        &["endson", "end", "enddate", "lastday", "to", "kraj", "do", "конец", "fin", "datefin"],
    ),
    field(
        "students",
        "Students",
        true,
        &[
            "students",
            "expectedstudents",
            "participants",
            "pupils",
            "učenika",
            "brojučenika",
            "učenici",
            "учеников",
            "ученики",
            "участников",
            "élèves",
            "participants",
        ],
    ),
    field(
        "ages",
        "Ages",
        false,
        &["ages", "age", "grade", "dob", "uzrast", "razred", "возраст", "класс", "âge", "niveau"],
    ),
    field("language", "Language", false, &["language", "lang", "jezik", "язык", "langue"]),
    field("description", "Description", false, &["description", "details", "opis", "описание", "détails"]),
    field(
        "listing",
        "Listing (public or private)",
        false,
        &["listing", "public", "visibility", "javno", "публично", "visibilité"],
    ),
];

/// The activity catalogue's fields: Rally's own columns (see docs/activities.md), then the columns of
/// code.org's tutorial list that have no Rally column of the same meaning (`name`, `orgname`,
/// `languages_supported`, `shortdescription` and `longdescription` are aliases of Rally's).
const ACTIVITY_FIELDS: &[Field] = &[
    field(
        "title",
        "Title",
        true,
        &[
            "title",
            "name",
            "activity",
            "activityname",
            "tutorial",
            "naziv",
            "aktivnost",
            "название",
            "активность",
            "titre",
            "activité",
        ],
    ),
    field(
        "summary",
        "Summary",
        false,
        &["summary", "shortdescription", "short", "sažetak", "kratkiopis", "краткоеописание", "résumé"],
    ),
    field(
        "description",
        "Description",
        false,
        &["description", "longdescription", "details", "opis", "описание", "détails"],
    ),
    field("language", "Language of the texts", false, &["language", "lang", "textlanguage", "jezik", "язык", "langue"]),
    field("url", "Link", false, &["url", "link", "website", "address", "poveznica", "ссылка", "lien"]),
    field(
        "provider",
        "Provider",
        false,
        &[
            "provider",
            "orgname",
            "organization",
            "organisation",
            "author",
            "maker",
            "publisher",
            "pružatelj",
            "autor",
            "организация",
            "автор",
            "fournisseur",
            "auteur",
        ],
    ),
    field(
        "duration_minutes",
        "Duration (minutes)",
        false,
        &["duration", "minutes", "length", "trajanje", "minuta", "длительность", "минут", "durée"],
    ),
    field("has_follow_on", "Has a follow-on", false, &["followon", "nastavak", "продолжение", "suite"]),
    field("print_per_student", "Print per student", false, &["print", "ispis", "печать", "imprimer"]),
    field(
        "languages",
        "Available in languages",
        false,
        &["languagessupported", "availablein", "jezici", "языки", "langues"],
    ),
    field("age", "Ages", false, &["ages", "dob", "uzrast", "возраст", "âge"]),
    field("grade", "School grades", false, &["grades", "razred", "razredi", "класс", "niveau"]),
    field("student_experience", "Student experience", false, &["tagsstudentexperience"]),
    field("teacher_experience", "Teacher experience", false, &["tagsteacherexperience"]),
    field("format", "Format", false, &["formát", "vrsta", "формат"]),
    field("programming", "Programming", false, &["programiranje", "программирование", "programmation"]),
    field("equipment", "Equipment", false, &["oprema", "оборудование", "équipement"]),
    field("accessibility", "Accessibility", false, &["pristupačnost", "доступность", "accessibilité"]),
    field("subject", "Subject", false, &["subjects", "topics", "predmet", "предмет", "matière"]),
    // code.org's tutorial list: values mapped as docs/activities.md says.
    field("tags_grade", "Grades (code.org: pre, 2-5, 6-8, 9+)", false, &[]),
    field("tags_platform", "Platforms (code.org)", false, &[]),
    field("tags_length", "Length (code.org: 1hour, 1hour-follow, few-hours)", false, &[]),
    field("tags_activity_type", "Activity type (code.org)", false, &[]),
    field("tags_programming_language", "Programming language (code.org)", false, &[]),
    field("tags_subject", "Topics (code.org)", false, &[]),
];

/// The code.org columns of [`ACTIVITY_FIELDS`], by which a file is recognized as code.org's list.
pub const CODE_ORG_FIELDS: [&str; 6] =
    ["tags_grade", "tags_platform", "tags_length", "tags_activity_type", "tags_programming_language", "tags_subject"];

pub fn fields(kind: ImportKind) -> &'static [Field] {
    match kind {
        ImportKind::Partners => PARTNER_FIELDS,
        ImportKind::Contacts => CONTACT_FIELDS,
        ImportKind::Events => EVENT_FIELDS,
        ImportKind::Activities => ACTIVITY_FIELDS,
    }
}

/// How an activity file is laid out, as its headers show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityLayout {
    /// Rally's own columns (the catalogue's export).
    Rally,
    /// code.org's tutorial list (`name, orgname, url, languages_supported, tags_…`): its texts are in
    /// English unless a language column says otherwise.
    CodeOrg,
}

impl ActivityLayout {
    /// code.org's when any of its `tags_…` columns is mapped.
    pub fn of(mapping: &Mapping) -> ActivityLayout {
        if CODE_ORG_FIELDS.iter().any(|k| mapping.column_of(k).is_some()) {
            ActivityLayout::CodeOrg
        } else {
            ActivityLayout::Rally
        }
    }
}

/// A header as compared with aliases: lower-case letters and digits of any script.
fn normalize(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Which field each column feeds (`None`: ignored), by column index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub kind: ImportKind,
    pub columns: Vec<Option<usize>>,
}

impl Mapping {
    /// Guesses from the headers: exact alias matches first, then headers that contain an alias (of at
    /// least four letters). A field takes the first column that matches it.
    pub fn guess(kind: ImportKind, headers: &[String]) -> Mapping {
        let all = fields(kind);
        let names: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
        let mut columns = vec![None; headers.len()];
        let mut taken = vec![false; all.len()];
        let exact = |name: &str, f: &Field| f.key.replace('_', "") == name || f.aliases.contains(&name);
        let contains = |name: &str, f: &Field| f.aliases.iter().any(|a| a.chars().count() >= 4 && name.contains(a));
        for matches in [&exact as &dyn Fn(&str, &Field) -> bool, &contains] {
            for (column, name) in names.iter().enumerate() {
                if columns[column].is_some() || name.is_empty() {
                    continue;
                }
                if let Some(i) = (0..all.len()).find(|&i| !taken[i] && matches(name, &all[i])) {
                    columns[column] = Some(i);
                    taken[i] = true;
                }
            }
        }
        Mapping { kind, columns }
    }

    /// A saved mapping (header → field key, or `""` for ignored) applied to this file's headers;
    /// headers it does not know keep the guess.
    pub fn with_saved(mut self, headers: &[String], saved: &BTreeMap<String, String>) -> Mapping {
        for (column, header) in headers.iter().enumerate() {
            if let Some(key) = saved.get(header) {
                // A field this kind no longer has leaves the column to the guess.
                let _ = self.set(column, key);
            }
        }
        self
    }

    /// Points a column at a field (`""`, `-` or `skip`: ignore the column). The field leaves any
    /// other column it was mapped from.
    pub fn set(&mut self, column: usize, key: &str) -> Result<(), String> {
        let key = key.trim();
        if column >= self.columns.len() {
            return Err(format!("the file has no column {}", column + 1));
        }
        if matches!(key, "" | "-" | "skip" | "ignore") {
            self.columns[column] = None;
            return Ok(());
        }
        let all = fields(self.kind);
        let i = all.iter().position(|f| f.key == key).ok_or_else(|| {
            let keys: Vec<&str> = all.iter().map(|f| f.key).collect();
            format!("unknown field `{key}` for {}; expected one of {}", self.kind.as_str(), keys.join(", "))
        })?;
        for c in self.columns.iter_mut() {
            if *c == Some(i) {
                *c = None;
            }
        }
        self.columns[column] = Some(i);
        Ok(())
    }

    /// `COLUMN=field` as typed at the command line; COLUMN is a header or a column letter.
    pub fn apply_override(&mut self, headers: &[String], spec: &str) -> Result<(), String> {
        let (column, key) = spec.split_once('=').ok_or_else(|| format!("`{spec}`: expected COLUMN=field"))?;
        let column = column.trim();
        let index = headers
            .iter()
            .position(|h| h == column)
            .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(column)))
            .or_else(|| (0..headers.len()).find(|&i| super::source::column_letter(i).eq_ignore_ascii_case(column)))
            .ok_or_else(|| format!("`{column}` is neither a header of the file nor a column letter"))?;
        self.set(index, key)
    }

    /// The column a field comes from.
    pub fn column_of(&self, key: &str) -> Option<usize> {
        let i = fields(self.kind).iter().position(|f| f.key == key)?;
        self.columns.iter().position(|c| *c == Some(i))
    }

    /// Required fields no column feeds.
    pub fn missing(&self) -> Vec<&'static Field> {
        fields(self.kind)
            .iter()
            .enumerate()
            .filter(|(i, f)| f.required && !self.columns.contains(&Some(*i)))
            .map(|(_, f)| f)
            .collect()
    }

    /// Header → field key for every column (`""` when ignored): what is saved and shown.
    pub fn to_saved(&self, headers: &[String]) -> BTreeMap<String, String> {
        let all = fields(self.kind);
        headers
            .iter()
            .zip(&self.columns)
            .map(|(h, c)| (h.clone(), c.map_or(String::new(), |i| all[i].key.to_owned())))
            .collect()
    }

    pub fn field_of(&self, column: usize) -> Option<&'static Field> {
        self.columns.get(column).copied().flatten().map(|i| &fields(self.kind)[i])
    }
}

/// How rows are matched with what the campaign already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupeKey {
    /// Partners: a mapped contact's e-mail, then the website's domain, then the name with the city —
    /// the first the row has that finds a partner.
    Auto,
    /// Contacts: the e-mail address. Partners: the e-mail of the row's contact.
    Email,
    /// Partners: the website's domain (`www.` and the path ignored).
    Domain,
    /// Partners: the name together with the region or city (case, accents, punctuation and legal forms
    /// such as "d.o.o." ignored; a row or partner without a city matches on the name).
    NameCity,
    /// Events: organizer's address, event name and first day, as the registration form does.
    Registration,
    /// Activities: the link, and the title in its language (the catalogue keeps either once).
    LinkOrTitle,
}

impl DedupeKey {
    pub fn as_str(self) -> &'static str {
        match self {
            DedupeKey::Auto => "auto",
            DedupeKey::Email => "email",
            DedupeKey::Domain => "domain",
            DedupeKey::NameCity => "name-city",
            DedupeKey::Registration => "registration",
            DedupeKey::LinkOrTitle => "link-title",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DedupeKey::Auto => "contact e-mail, then website domain, then name + city",
            DedupeKey::Email => "contact e-mail",
            DedupeKey::Domain => "website domain",
            DedupeKey::NameCity => "name + city",
            DedupeKey::Registration => "organizer e-mail + event name + first day",
            DedupeKey::LinkOrTitle => "link, or title in the same language",
        }
    }

    /// The keys an import of this kind can use, the default first.
    pub fn choices(kind: ImportKind) -> &'static [DedupeKey] {
        match kind {
            ImportKind::Partners => &[DedupeKey::Auto, DedupeKey::Email, DedupeKey::Domain, DedupeKey::NameCity],
            ImportKind::Contacts => &[DedupeKey::Email],
            ImportKind::Events => &[DedupeKey::Registration],
            ImportKind::Activities => &[DedupeKey::LinkOrTitle],
        }
    }

    pub fn parse(kind: ImportKind, s: &str) -> Result<DedupeKey, String> {
        let choices = DedupeKey::choices(kind);
        choices.iter().copied().find(|k| k.as_str() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|k| k.as_str()).collect();
            format!("{} are matched on {}", kind.as_str(), names.join(", "))
        })
    }
}

/// What happens to a row whose key the campaign already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Add it anyway (partners only: contacts' addresses and events' registrations are unique).
    Create,
    /// Overwrite the existing row with the file's values (undo puts the old ones back).
    Update,
    /// Leave the existing row as it is.
    #[default]
    Skip,
}

impl OnDuplicate {
    pub fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Create => "create",
            OnDuplicate::Update => "update",
            OnDuplicate::Skip => "skip",
        }
    }

    pub fn parse(s: &str) -> Result<OnDuplicate, String> {
        [OnDuplicate::Create, OnDuplicate::Update, OnDuplicate::Skip]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("unknown duplicate rule `{s}`; expected create, update or skip"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn keys(m: &Mapping) -> Vec<&str> {
        (0..m.columns.len()).map(|c| m.field_of(c).map_or("", |f| f.key)).collect()
    }

    #[test]
    fn guesses_in_several_languages() {
        let m = Mapping::guess(ImportKind::Contacts, &h(&["Ime i prezime", "E-pošta", "Škola", "Funkcija", "Telefon"]));
        assert_eq!(keys(&m), vec!["name", "email", "partner", "role", "phone"]);
        let m = Mapping::guess(ImportKind::Contacts, &h(&["ФИО", "Электронная почта", "Организация", "Должность"]));
        assert_eq!(keys(&m), vec!["name", "email", "partner", "role"]);
        let m = Mapping::guess(ImportKind::Partners, &h(&["Organisation", "Type", "Site web", "Ville", "Notes", "x"]));
        assert_eq!(keys(&m), vec!["name", "category", "website", "region", "notes", ""]);
        assert!(m.missing().is_empty());
        // A partner list's contact person is read too.
        let m = Mapping::guess(
            ImportKind::Partners,
            &h(&["Name", "Category", "Contact name", "Contact e-mail", "Contact phone", "Kontakt osoba"]),
        );
        assert_eq!(keys(&m), vec!["name", "category", "contact_name", "email", "phone", ""]);
        let m = Mapping::guess(ImportKind::Partners, &h(&["Naziv", "Vrsta", "Kontakt", "E-pošta", "Telefon"]));
        assert_eq!(keys(&m), vec!["name", "category", "contact_name", "email", "phone"]);
        // "Contact e-mail address" contains an alias.
        let m = Mapping::guess(ImportKind::Contacts, &h(&["Contact email address", "Full name", "Company"]));
        assert_eq!(keys(&m), vec!["email", "name", "partner"]);
    }

    #[test]
    fn overrides_saved_mappings_and_missing_fields() {
        let headers = h(&["Who", "Where", "Mail"]);
        let mut m = Mapping::guess(ImportKind::Contacts, &headers);
        assert_eq!(m.missing().iter().map(|f| f.key).collect::<Vec<_>>(), vec!["name", "partner"]);
        m.apply_override(&headers, "Who=name").unwrap();
        m.apply_override(&headers, "b=partner").unwrap();
        assert!(m.missing().is_empty());
        assert!(m.apply_override(&headers, "Nope=name").is_err());
        assert!(m.apply_override(&headers, "Who=shoe_size").unwrap_err().contains("unknown field"));
        let saved = m.to_saved(&headers);
        let again = Mapping::guess(ImportKind::Contacts, &headers).with_saved(&headers, &saved);
        assert_eq!(again, m);
        m.apply_override(&headers, "Mail=skip").unwrap();
        assert_eq!(m.missing()[0].key, "email");
    }

    #[test]
    fn dedupe_choices() {
        assert_eq!(DedupeKey::parse(ImportKind::Partners, "name-city"), Ok(DedupeKey::NameCity));
        assert_eq!(
            DedupeKey::choices(ImportKind::Partners)[0],
            DedupeKey::Auto,
            "partners match on everything by default"
        );
        assert!(DedupeKey::parse(ImportKind::Contacts, "domain").is_err());
        assert_eq!(OnDuplicate::parse("update"), Ok(OnDuplicate::Update));
    }
}

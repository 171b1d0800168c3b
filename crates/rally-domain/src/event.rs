//! Events: what schools and teachers register on the public site, and how they count towards the goal.
//!
//! A registration is checked here field by field; every problem is an [`EventError`] naming the field and
//! a message id of the site's translations, so the visitor reads it in their language next to the field.
//! Where an event is on the map is decided here too ([`Gazetteer`] answers what places exist).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
use crate::contact::Email;
use crate::{ActivityId, CampaignId, EventId, PartnerId, UserId};

named_enum!(
    /// Where and how an event happens.
    EventType {
        InSchool = "in_school" / "In school",
        AfterSchool = "after_school" / "After school",
        Online = "online" / "Online",
        Other = "other" / "Other",
    }
);

named_enum!(
    /// An event's way from registration to the counter.
    EventStatus {
        Unconfirmed = "unconfirmed" / "Waiting for the organizer's confirmation",
        Pending = "pending" / "Waiting for approval",
        Approved = "approved" / "Approved",
        Rejected = "rejected" / "Rejected",
        Cancelled = "cancelled" / "Cancelled",
    }
);

named_enum!(
    /// How the event's map position was found.
    LocationSource {
        Place = "place" / "Town from the gazetteer",
        Coordinates = "coordinates" / "Coordinates given by the organizer",
        Country = "country" / "Centre of the country (town not found)",
        Online = "online" / "Online event",
    }
);

/// The version of the privacy notice the registration form shows; stored with each consent.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11";
/// The most students one event may count.
pub const MAX_STUDENTS: i64 = 100_000;
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;
/// The longest event, in days.
pub const MAX_DAYS: i64 = 31;
/// The most catalogue activities one event may choose.
pub const MAX_ACTIVITIES: usize = 5;
/// The longest "our own activity", in characters.
pub const MAX_OWN_ACTIVITY: usize = 200;
/// The longest share code a form or cookie may carry (codes Rally makes are shorter).
pub const MAX_SHARE_CODE: usize = 32;

/// What the form sent, every field as text (absent fields are empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EventForm {
    pub organizer_name: String,
    pub organizer_email: String,
    pub organization: String,
    pub event_type: String,
    pub title: String,
    pub country: String,
    pub city: String,
    pub latitude: String,
    pub longitude: String,
    pub url: String,
    pub starts_on: String,
    pub ends_on: String,
    pub students: String,
    pub ages: String,
    pub language: String,
    pub description: String,
    /// `public` or `private`.
    pub listing: String,
    /// `on` (or `true`, `yes`) when the privacy notice was accepted.
    pub consent: String,
    pub news: String,
    /// The honeypot: people leave it empty, form-filling robots do not.
    pub website: String,
    /// Ids of the catalogue activities chosen (checkboxes; at most [`MAX_ACTIVITIES`]).
    pub activities: Vec<String>,
    /// "Our own activity", when none of the catalogue's.
    pub own_activity: String,
    /// The partner the organizer heard about the campaign from (its id), or empty.
    pub heard_from: String,
    /// The share code the visit came with (a hidden field, for browsers without cookies); the caller
    /// resolves it to [`EventFields::referred_by`].
    #[serde(rename = "ref")]
    pub referral: String,
}

/// A field that failed, with the translation message id that says why and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventError {
    pub field: &'static str,
    pub message_id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl EventError {
    fn new(field: &'static str, message_id: &'static str) -> Self {
        EventError { field, message_id, args: Vec::new() }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Where places are: the gazetteer the site ships. Kept behind a trait so the rules stay pure and
/// testable without the data.
pub trait Gazetteer {
    fn is_country(&self, code: &str) -> bool;
    /// A town of the country by name, as (latitude, longitude).
    fn find_place(&self, country: &str, name: &str) -> Option<(f64, f64)>;
    /// Where to show an event whose town is unknown.
    fn country_centre(&self, country: &str) -> Option<(f64, f64)>;
}

/// The validated, stored fields of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFields {
    pub organizer_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub organizer_email: Email,
    pub organization: String,
    pub event_type: EventType,
    pub title: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub city: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_source: LocationSource,
    pub url: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub students_expected: i64,
    pub ages: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub language: LanguageTag,
    pub description: String,
    pub public: bool,
    pub news_opt_in: bool,
    /// The catalogue activities it runs (at most [`MAX_ACTIVITIES`], each in the campaign's catalogue).
    #[serde(default)]
    pub activities: Vec<ActivityId>,
    /// "Our own activity": what it runs when not (only) the catalogue's.
    #[serde(default)]
    pub own_activity: String,
    /// The partner whose share link the registration followed (a partner of the campaign).
    #[serde(default)]
    pub referred_by: Option<PartnerId>,
    /// The partner the organizer said they heard about the campaign from.
    #[serde(default)]
    pub heard_from: Option<PartnerId>,
}

impl EventFields {
    /// The partner the event counts for: the share link it followed, else the one the organizer named.
    /// The one rule of attribution; the store's figures follow it in SQL (`COALESCE(referred_by,
    /// heard_from)`).
    pub fn brought_by(&self) -> Option<PartnerId> {
        self.referred_by.or(self.heard_from)
    }

    /// The name shown for the event: its title, or the organization's name.
    pub fn display_title(&self) -> &str {
        if self.title.is_empty() { &self.organization } else { &self.title }
    }

    /// The key that makes a second registration of the same event update the first: the organizer's
    /// address and name (case and spacing folded) and the first day.
    pub fn dedupe_key(&self) -> String {
        let name: Vec<String> = self.organizer_name.split_whitespace().map(str::to_lowercase).collect();
        format!("{}|{}|{}", self.organizer_email, name.join(" "), self.starts_on)
    }

    /// The form that shows these fields again (for editing).
    pub fn to_form(&self) -> EventForm {
        EventForm {
            organizer_name: self.organizer_name.clone(),
            organizer_email: self.organizer_email.to_string(),
            organization: self.organization.clone(),
            event_type: self.event_type.as_str().into(),
            title: self.title.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            latitude: if self.location_source == LocationSource::Coordinates {
                self.latitude.map(|v| v.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            longitude: if self.location_source == LocationSource::Coordinates {
                self.longitude.map(|v| v.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            url: self.url.clone().unwrap_or_default(),
            starts_on: self.starts_on.to_string(),
            ends_on: if self.ends_on == self.starts_on { String::new() } else { self.ends_on.to_string() },
            students: self.students_expected.to_string(),
            ages: self.ages.clone(),
            language: self.language.to_string(),
            description: self.description.clone(),
            listing: if self.public { "public".into() } else { "private".into() },
            consent: "on".into(),
            news: if self.news_opt_in { "on".into() } else { String::new() },
            website: String::new(),
            activities: self.activities.iter().map(ToString::to_string).collect(),
            own_activity: self.own_activity.clone(),
            heard_from: self.heard_from.map(|p| p.to_string()).unwrap_or_default(),
            referral: String::new(),
        }
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: EventId,
    pub campaign_id: CampaignId,
    #[serde(flatten)]
    pub fields: EventFields,
    pub status: EventStatus,
    /// Why a moderator rejected it.
    pub reason: String,
    /// Students who took part, once the organizer reported it.
    pub students_actual: Option<i64>,
    /// The language the organizer used the site in; their e-mails are written in it.
    pub locale: String,
    pub consent_at: DateTime<Utc>,
    pub consent_version: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Part of the organizer's signed link; raised to revoke earlier links. Never shown.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub link_version: i64,
}

impl Event {
    /// The students this event adds to the counter: none unless approved; the reported number once
    /// there is one, else the expected number.
    pub fn counted_students(&self) -> i64 {
        if self.status == EventStatus::Approved {
            self.students_actual.unwrap_or(self.fields.students_expected)
        } else {
            0
        }
    }

    /// Whether the organizer may report the number of students at `now`: once the event's first day has
    /// begun where the organizer is. Rally does not know their time zone, so the first place on Earth
    /// the day begins counts (UTC+14): an organizer is never told to wait while it is already their day.
    pub fn may_report(&self, now: DateTime<Utc>) -> bool {
        let earliest_today = (now + chrono::TimeDelta::hours(14)).date_naive();
        earliest_today >= self.fields.starts_on && matches!(self.status, EventStatus::Approved | EventStatus::Pending)
    }

    /// When the organizer is asked how many students took part: the morning after the event's last day,
    /// 08:00 UTC (morning in Europe, where most campaigns are; Rally does not know the organizer's
    /// time zone). `None` only past the end of the calendar.
    pub fn report_reminder_at(&self) -> Option<DateTime<Utc>> {
        let day = self.fields.ends_on.succ_opt()?;
        Some(day.and_hms_opt(8, 0, 0)?.and_utc())
    }
}

/// One entry of an event's moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventLogEntry {
    pub event_id: EventId,
    /// `registered`, `updated`, `confirmed`, `approved`, `rejected`, `edited`, `cancelled`, `reported`.
    pub action: String,
    /// The team member who did it; `None` for the organizer.
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// How a campaign moderates events and what its certificates say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventSettings {
    /// Confirmed events count at once, without a moderator.
    pub auto_approve: bool,
    /// An approved event the organizer changes waits for approval again.
    pub reapprove_edits: bool,
    /// The certificate's title; empty for the site's translation.
    pub certificate_title: String,
    /// The certificate's text with `{name}`, `{students}`, `{event}`, `{date}`, `{campaign}`,
    /// `{organization}`; empty for the site's translation.
    pub certificate_body: String,
    pub certificate_signer: String,
}

impl Default for EventSettings {
    fn default() -> Self {
        EventSettings {
            auto_approve: false,
            reapprove_edits: true,
            certificate_title: String::new(),
            certificate_body: String::new(),
            certificate_signer: String::new(),
        }
    }
}

/// Which days events of a campaign may fall on: from promotion until follow-up ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Removes HTML tags and collapses what is left: event texts are plain text.
pub fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' if !in_tag && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') => {
                in_tag = true
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            _ => out.push(c),
        }
    }
    out
}

fn clean_line(s: &str, max: usize, field: &'static str, errors: &mut Vec<EventError>) -> String {
    let v: String = strip_html(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() > max {
        errors.push(EventError::new(field, "error-too-long").with("max", max));
    }
    v
}

fn required_line(s: &str, max: usize, field: &'static str, errors: &mut Vec<EventError>) -> String {
    let v = clean_line(s, max, field, errors);
    if v.is_empty() {
        errors.push(EventError::new(field, "error-required"));
    }
    v
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn parse_coordinate(s: &str, limit: f64) -> Option<Result<f64, ()>> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() {
        return None;
    }
    Some(match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok((v * 1e6).round() / 1e6),
        _ => Err(()),
    })
}

fn is_on(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "on" | "true" | "yes" | "1")
}

impl EventForm {
    /// Whether a robot filled the honeypot.
    pub fn is_robot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// Checks every field and places the event; every problem at once.
    pub fn validate(&self, window: DateWindow, places: &dyn Gazetteer) -> Result<EventFields, Vec<EventError>> {
        let mut e = Vec::new();
        let organizer_name = required_line(&self.organizer_name, 200, "organizer_name", &mut e);
        let organizer_email = parse_email(&self.organizer_email, &mut e);
        let organization = required_line(&self.organization, 200, "organization", &mut e);
        let event_type = parse_event_type(&self.event_type, &mut e);
        let title = clean_line(&self.title, 200, "title", &mut e);
        let country = parse_country(&self.country, places, &mut e);
        let city = clean_line(&self.city, 200, "city", &mut e);
        let coordinates = parse_coordinates(&self.latitude, &self.longitude, &mut e);
        let url = parse_url(&self.url, &mut e);
        let (starts_on, ends_on) = parse_days(&self.starts_on, &self.ends_on, window, &mut e);
        let students = parse_students(&self.students, &mut e);
        let ages = clean_line(&self.ages, 100, "ages", &mut e);
        let language = parse_language(&self.language, &mut e);
        let description = clean_description(&self.description, &mut e);
        let public = self.listing.trim() != "private";
        let activities = parse_activities(&self.activities, &mut e);
        let own_activity = clean_line(&self.own_activity, MAX_OWN_ACTIVITY, "own_activity", &mut e);
        let heard_from = parse_heard_from(&self.heard_from, &mut e);
        if !is_on(&self.consent) {
            e.push(EventError::new("consent", "error-consent"));
        }
        let located = match (event_type, country.as_deref()) {
            (Some(t), Some(c)) => self.locate(t, c, coordinates, &city, places, &mut e),
            _ => None,
        };
        match (organizer_email, event_type, country, starts_on, ends_on, students, language, located) {
            (
                Some(organizer_email),
                Some(event_type),
                Some(country),
                Some(starts_on),
                Some(ends_on),
                Some(students),
                Some(language),
                Some((at, location_source)),
            ) if e.is_empty() => Ok(EventFields {
                organizer_name,
                organizer_email,
                organization,
                event_type,
                title,
                country,
                city,
                latitude: at.map(|a| a.0),
                longitude: at.map(|a| a.1),
                location_source,
                url,
                starts_on,
                ends_on,
                students_expected: students,
                ages,
                language,
                description,
                public,
                news_opt_in: is_on(&self.news),
                activities,
                own_activity,
                referred_by: None,
                heard_from,
            }),
            _ => {
                if e.is_empty() {
                    e.push(EventError::new("organizer_name", "error-required"));
                }
                Err(e)
            }
        }
    }

    /// Where the event is shown: an online event nowhere; otherwise the given coordinates, the town,
    /// or (visibly, so the organizer can correct it) the centre of the country. `None` when there is
    /// nothing to place it by, which is an error on the form.
    fn locate(
        &self,
        event_type: EventType,
        country: &str,
        coordinates: Option<(f64, f64)>,
        city: &str,
        places: &dyn Gazetteer,
        e: &mut Vec<EventError>,
    ) -> Option<(Option<(f64, f64)>, LocationSource)> {
        if event_type == EventType::Online {
            // A mistyped address was already reported as such; only a missing one is reported here.
            if self.url.trim().is_empty() {
                e.push(EventError::new("url", "error-online-url"));
            }
            Some((None, LocationSource::Online))
        } else if let Some(at) = coordinates {
            Some((Some(at), LocationSource::Coordinates))
        } else if city.is_empty() {
            // Coordinates that were given but cannot be used (out of range, or half a pair) were already
            // reported; asking for a town as well would be a second message about the same mistake.
            if self.latitude.trim().is_empty() && self.longitude.trim().is_empty() {
                e.push(EventError::new("city", "error-place"));
            }
            None
        } else if let Some(at) = places.find_place(country, city) {
            Some((Some(at), LocationSource::Place))
        } else {
            Some((places.country_centre(country), LocationSource::Country))
        }
    }
}

/// The chosen catalogue activities: ids, each once, at most [`MAX_ACTIVITIES`]. Whether they are in the
/// campaign's catalogue is the store's to check.
fn parse_activities(raw: &[String], e: &mut Vec<EventError>) -> Vec<ActivityId> {
    let mut ids: Vec<ActivityId> = Vec::new();
    for value in raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match value.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&ActivityId(id)) {
                    ids.push(ActivityId(id));
                }
            }
            _ => {
                e.push(EventError::new("activities", "error-activities"));
                return Vec::new();
            }
        }
    }
    if ids.len() > MAX_ACTIVITIES {
        e.push(EventError::new("activities", "error-activities-too-many").with("max", MAX_ACTIVITIES));
    }
    ids
}

/// "How did you hear about us?": a partner's id, or nothing ("other" and no answer alike).
fn parse_heard_from(raw: &str, e: &mut Vec<EventError>) -> Option<PartnerId> {
    match raw.trim() {
        "" | "other" => None,
        v => match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(PartnerId(id)),
            _ => {
                e.push(EventError::new("heard_from", "error-heard-from"));
                None
            }
        },
    }
}

/// A share code as a form or cookie carries it: URL-safe letters and digits, bounded; anything else
/// is no code (a stale or mangled one must not fail a registration).
pub fn share_code(raw: &str) -> Option<&str> {
    let code = raw.trim();
    (!code.is_empty()
        && code.len() <= MAX_SHARE_CODE
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(code)
}

fn parse_email(raw: &str, e: &mut Vec<EventError>) -> Option<Email> {
    match raw.trim() {
        "" => {
            e.push(EventError::new("organizer_email", "error-required"));
            None
        }
        raw => match Email::parse(raw) {
            Ok(m) => Some(m),
            Err(_) => {
                e.push(EventError::new("organizer_email", "error-email"));
                None
            }
        },
    }
}

fn parse_event_type(raw: &str, e: &mut Vec<EventError>) -> Option<EventType> {
    match raw.trim() {
        "" => {
            e.push(EventError::new("event_type", "error-required"));
            None
        }
        t => EventType::parse(t).map_err(|_| e.push(EventError::new("event_type", "error-event-type"))).ok(),
    }
}

/// The country's ISO code in capitals, if the gazetteer knows it.
fn parse_country(raw: &str, places: &dyn Gazetteer, e: &mut Vec<EventError>) -> Option<String> {
    match raw.trim().to_ascii_uppercase() {
        c if c.is_empty() => {
            e.push(EventError::new("country", "error-required"));
            None
        }
        c if places.is_country(&c) => Some(c),
        _ => {
            e.push(EventError::new("country", "error-country"));
            None
        }
    }
}

/// Latitude and longitude, both or neither: each is reported when it does not read as a number in
/// range, and one without the other is reported on the latitude.
fn parse_coordinates(latitude: &str, longitude: &str, e: &mut Vec<EventError>) -> Option<(f64, f64)> {
    let latitude = parse_coordinate(latitude, 90.0);
    let longitude = parse_coordinate(longitude, 180.0);
    if let Some(Err(())) = latitude {
        e.push(EventError::new("latitude", "error-latitude"));
    }
    if let Some(Err(())) = longitude {
        e.push(EventError::new("longitude", "error-longitude"));
    }
    match (latitude, longitude) {
        (Some(Ok(lat)), Some(Ok(lon))) => Some((lat, lon)),
        (None, None) => None,
        (Some(Ok(_)), None) | (None, Some(Ok(_))) => {
            e.push(EventError::new("latitude", "error-coordinates-pair"));
            None
        }
        _ => None,
    }
}

/// An optional web address: `http(s)://`, not too long, and nothing that could break out of an HTML
/// attribute or a link.
fn parse_url(raw: &str, e: &mut Vec<EventError>) -> Option<String> {
    match raw.trim() {
        "" => None,
        u => {
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() > "https://".len()
                && u.len() <= 500
                && !u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"');
            if !ok {
                e.push(EventError::new("url", "error-url"));
            }
            ok.then(|| u.to_owned())
        }
    }
}

/// The first and last day: the first is required and within the campaign's `window`; the last
/// defaults to the first, may not come before it, and may not make the event too long or end after
/// the window.
fn parse_days(
    starts: &str,
    ends: &str,
    window: DateWindow,
    e: &mut Vec<EventError>,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let starts_on = match starts.trim() {
        "" => {
            e.push(EventError::new("starts_on", "error-required"));
            None
        }
        s => parse_date(s).or_else(|| {
            e.push(EventError::new("starts_on", "error-date"));
            None
        }),
    };
    // A last day left empty is the first day; its errors are the first day's, said once.
    let ends_typed = !ends.trim().is_empty();
    let ends_on = match ends.trim() {
        "" => starts_on,
        s => parse_date(s).or_else(|| {
            e.push(EventError::new("ends_on", "error-date"));
            None
        }),
    };
    let range = |field: &'static str| {
        EventError::new(field, "error-date-range").with("from", window.from).with("to", window.to)
    };
    if let Some(s) = starts_on
        && (s < window.from || s > window.to)
    {
        e.push(range("starts_on"));
    }
    if let (Some(s), Some(end)) = (starts_on, ends_on) {
        if end < s {
            e.push(EventError::new("ends_on", "error-date-order"));
        } else if ends_typed && ((end - s).num_days() >= MAX_DAYS || end > window.to) {
            e.push(range("ends_on"));
        }
    }
    (starts_on, ends_on)
}

fn parse_students(raw: &str, e: &mut Vec<EventError>) -> Option<i64> {
    match raw.trim() {
        "" => {
            e.push(EventError::new("students", "error-required"));
            None
        }
        s => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_STUDENTS).contains(&n) => Some(n),
            _ => {
                e.push(EventError::new("students", "error-students").with("max", MAX_STUDENTS));
                None
            }
        },
    }
}

fn parse_language(raw: &str, e: &mut Vec<EventError>) -> Option<LanguageTag> {
    match raw.trim() {
        "" => {
            e.push(EventError::new("language", "error-required"));
            None
        }
        l => LanguageTag::parse(l).map_err(|_| e.push(EventError::new("language", "error-language"))).ok(),
    }
}

/// The description as plain text: tags stripped, line breaks kept (as `\n`), other control
/// characters dropped. Its length is judged before they are dropped.
fn clean_description(raw: &str, e: &mut Vec<EventError>) -> String {
    let v = strip_html(raw).trim().replace("\r\n", "\n");
    if v.chars().count() > MAX_DESCRIPTION {
        e.push(EventError::new("description", "error-too-long").with("max", MAX_DESCRIPTION));
    }
    v.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>()
}

/// Checks a reported number of students.
pub fn parse_actual_students(raw: &str) -> Result<i64, EventError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_STUDENTS).contains(&n) => Ok(n),
        _ => Err(EventError::new("students_actual", "error-students-actual").with("max", MAX_STUDENTS)),
    }
}

/// The Monday of the week `day` falls in: registrations over time are counted per week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// What one event adds to a campaign's counter and statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub students: i64,
    pub country: String,
    pub event_type: EventType,
    /// The Monday of the week it was registered.
    pub week: NaiveDate,
}

impl Event {
    /// What this event adds to the counter; `None` when it does not count.
    pub fn contribution(&self) -> Option<Contribution> {
        (self.status == EventStatus::Approved).then(|| Contribution {
            students: self.counted_students(),
            country: self.fields.country.clone(),
            event_type: self.fields.event_type,
            week: week_of(self.created_at.date_naive()),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Places;
    impl Gazetteer for Places {
        fn is_country(&self, code: &str) -> bool {
            matches!(code, "HR" | "FR" | "GE")
        }
        fn find_place(&self, country: &str, name: &str) -> Option<(f64, f64)> {
            (country == "HR" && name.eq_ignore_ascii_case("zagreb")).then_some((45.81, 15.98))
        }
        fn country_centre(&self, country: &str) -> Option<(f64, f64)> {
            (country == "HR").then_some((45.1, 15.2))
        }
    }

    fn window() -> DateWindow {
        DateWindow {
            from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
        }
    }

    fn form() -> EventForm {
        EventForm {
            organizer_name: "Ana  Horvat".into(),
            organizer_email: "Ana@Skola.hr".into(),
            organization: "OŠ <b>Trnsko</b>".into(),
            event_type: "in_school".into(),
            country: "hr".into(),
            city: "Zagreb".into(),
            starts_on: "2026-12-08".into(),
            students: "25".into(),
            language: "hr".into(),
            consent: "on".into(),
            ..EventForm::default()
        }
    }

    fn fields_of(errors: &[EventError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field, e.message_id)).collect()
    }

    #[test]
    fn a_good_registration_is_placed_at_its_town() {
        let f = form().validate(window(), &Places).unwrap();
        assert_eq!(f.organization, "OŠ Trnsko", "HTML is stripped");
        assert_eq!(f.organizer_email.as_str(), "ana@skola.hr");
        assert_eq!(f.country, "HR");
        assert_eq!((f.latitude, f.longitude, f.location_source), (Some(45.81), Some(15.98), LocationSource::Place));
        assert_eq!(f.ends_on, f.starts_on);
        assert!(f.public);
        assert_eq!(f.dedupe_key(), "ana@skola.hr|ana horvat|2026-12-08");
    }

    #[test]
    fn unknown_towns_fall_back_to_the_country_centre_and_coordinates_win() {
        let f = EventForm { city: "Atlantis".into(), ..form() }.validate(window(), &Places).unwrap();
        assert_eq!((f.latitude, f.location_source), (Some(45.1), LocationSource::Country));
        let f = EventForm { latitude: "45,33".into(), longitude: "14.44".into(), ..form() }
            .validate(window(), &Places)
            .unwrap();
        assert_eq!(
            (f.latitude, f.longitude, f.location_source),
            (Some(45.33), Some(14.44), LocationSource::Coordinates)
        );
    }

    #[test]
    fn online_events_need_a_link_and_no_place() {
        let err = EventForm { event_type: "online".into(), city: String::new(), ..form() }
            .validate(window(), &Places)
            .unwrap_err();
        assert_eq!(fields_of(&err), [("url", "error-online-url")]);
        let f = EventForm { event_type: "online".into(), url: "https://meet.example.org/x".into(), ..form() }
            .validate(window(), &Places)
            .unwrap();
        assert_eq!((f.latitude, f.location_source), (None, LocationSource::Online));
    }

    #[test]
    fn bad_input_names_every_field() {
        let bad = EventForm {
            organizer_name: " ".into(),
            organizer_email: "nope".into(),
            country: "XX".into(),
            starts_on: "2026-02-30".into(),
            students: "-3".into(),
            latitude: "91".into(),
            longitude: "10".into(),
            description: "x".repeat(MAX_DESCRIPTION + 1),
            consent: String::new(),
            url: "javascript:alert(1)".into(),
            ..form()
        };
        let err = bad.validate(window(), &Places).unwrap_err();
        let got = fields_of(&err);
        for want in [
            ("organizer_name", "error-required"),
            ("organizer_email", "error-email"),
            ("country", "error-country"),
            ("starts_on", "error-date"),
            ("students", "error-students"),
            ("latitude", "error-latitude"),
            ("description", "error-too-long"),
            ("consent", "error-consent"),
            ("url", "error-url"),
        ] {
            assert!(got.contains(&want), "{want:?} missing in {got:?}");
        }
    }

    #[test]
    fn dates_must_be_in_order_and_in_the_campaign() {
        let err = EventForm { ends_on: "2026-12-01".into(), ..form() }.validate(window(), &Places).unwrap_err();
        assert_eq!(fields_of(&err), [("ends_on", "error-date-order")]);
        let err = EventForm { starts_on: "2025-12-08".into(), ..form() }.validate(window(), &Places).unwrap_err();
        assert_eq!(fields_of(&err), [("starts_on", "error-date-range")]);
        // After the window, with the last day left empty: said once, next to the first day.
        let late = EventForm { starts_on: "2027-03-01".into(), ends_on: String::new(), ..form() };
        assert_eq!(fields_of(&late.validate(window(), &Places).unwrap_err()), [("starts_on", "error-date-range")]);
        assert_eq!(err[0].args, [("from", "2026-10-01".to_string()), ("to", "2027-01-31".to_string())]);
        let err =
            EventForm { latitude: "45".into(), city: String::new(), ..form() }.validate(window(), &Places).unwrap_err();
        assert_eq!(fields_of(&err), [("latitude", "error-coordinates-pair")]);
    }

    #[test]
    fn numbers_are_reported_from_the_first_day_wherever_it_has_begun() {
        let fields = form().validate(window(), &Places).unwrap();
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let event = Event {
            id: EventId(1),
            campaign_id: CampaignId(1),
            fields: EventFields { starts_on: "2026-12-08".parse().unwrap(), ..fields },
            status: EventStatus::Approved,
            reason: String::new(),
            students_actual: None,
            locale: "hr".into(),
            consent_at: at("2026-12-01T00:00:00Z"),
            consent_version: "1".into(),
            confirmed_at: None,
            created_at: at("2026-12-01T00:00:00Z"),
            updated_at: at("2026-12-01T00:00:00Z"),
            link_version: 1,
        };
        // Midnight in Zagreb is still the day before in UTC: the organizer may report.
        assert!(event.may_report(at("2026-12-07T23:00:00Z")));
        assert!(event.may_report(at("2026-12-07T10:00:00Z")), "the day has begun at UTC+14");
        assert!(!event.may_report(at("2026-12-07T09:59:00Z")));
        assert!(!Event { status: EventStatus::Rejected, ..event }.may_report(at("2026-12-09T12:00:00Z")));
    }

    #[test]
    fn robots_and_reports() {
        assert!(EventForm { website: "http://spam".into(), ..form() }.is_robot());
        assert!(!form().is_robot());
        assert_eq!(parse_actual_students(" 25 "), Ok(25));
        assert!(parse_actual_students("-1").is_err());
        assert!(parse_actual_students("2.5").is_err());
        assert_eq!(strip_html("a <script>x</script> b < 3"), "a x b < 3");
        assert_eq!(
            week_of(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
    }

    #[test]
    fn activities_and_who_sent_them() {
        let f = EventForm {
            activities: vec!["3".into(), " 7 ".into(), "3".into(), String::new()],
            own_activity: "  Our  robot  club ".into(),
            heard_from: "12".into(),
            ..form()
        }
        .validate(window(), &Places)
        .unwrap();
        assert_eq!(f.activities, [ActivityId(3), ActivityId(7)], "each once, in order");
        assert_eq!(f.own_activity, "Our robot club");
        assert_eq!((f.heard_from, f.referred_by, f.brought_by()), (Some(PartnerId(12)), None, Some(PartnerId(12))));
        let linked = EventFields { referred_by: Some(PartnerId(4)), ..f.clone() };
        assert_eq!(linked.brought_by(), Some(PartnerId(4)), "the share link wins");
        let back = linked.to_form();
        assert_eq!((back.activities, back.heard_from), (vec!["3".to_string(), "7".to_string()], "12".to_string()));
        assert_eq!(
            EventForm { heard_from: "other".into(), ..form() }.validate(window(), &Places).unwrap().heard_from,
            None
        );

        let many = EventForm { activities: (1..=6).map(|i| i.to_string()).collect(), ..form() };
        assert_eq!(
            fields_of(&many.validate(window(), &Places).unwrap_err()),
            [("activities", "error-activities-too-many")]
        );
        let bad = EventForm {
            activities: vec!["x".into()],
            heard_from: "-1".into(),
            own_activity: "y".repeat(MAX_OWN_ACTIVITY + 1),
            ..form()
        };
        assert_eq!(
            fields_of(&bad.validate(window(), &Places).unwrap_err()),
            [
                ("activities", "error-activities"),
                ("own_activity", "error-too-long"),
                ("heard_from", "error-heard-from")
            ]
        );
        assert_eq!(share_code(" Ab3_x-9Q "), Some("Ab3_x-9Q"));
        for bad in ["", "a b", "<x>", &"a".repeat(MAX_SHARE_CODE + 1)] {
            assert_eq!(share_code(bad), None, "{bad}");
        }
    }
}

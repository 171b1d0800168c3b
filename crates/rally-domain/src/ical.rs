//! iCalendar (RFC 5545) feeds.
//!
//! A user subscribes to a secret feed URL in their calendar app (Google Calendar, Apple Calendar,
//! Thunderbird, Outlook) and sees campaign milestones, partner commitments that fall due and
//! follow-up tasks next to the rest of their week. The app re-downloads the feed every so often and
//! replaces what it showed before, so the feed is a plain snapshot: every entry is an all-day
//! `VEVENT` whose `UID` stays the same across refreshes, which lets the app update an entry in place
//! rather than duplicate it.
//!
//! Calendar apps are strict and unforgiving readers, and most of the text here comes from users, so
//! the renderer does the escaping itself instead of trusting its input:
//!
//! * every TEXT value is escaped (backslash, semicolon, comma, newline) so punctuation in a task
//!   title can't end the value early or split a category in two;
//! * control characters are dropped, and line breaks become the escaped `\n`, so a title containing
//!   `"\r\nATTENDEE:…"` stays text inside `SUMMARY` instead of becoming a property of its own;
//! * URLs are not TEXT (their commas and semicolons mean something), so instead of escaping them
//!   the renderer leaves out any URL that is not plain `http(s)://` or that contains a line break,
//!   a control character or whitespace;
//! * lines are folded at 75 octets, as RFC 5545 asks, and only between characters: splitting a
//!   multi-byte UTF-8 sequence would leave invalid UTF-8 on both halves for any reader that decodes a
//!   physical line before unfolding it, garbling Cyrillic, Croatian and emoji text.
//!
//! Like the rest of the crate this module does no I/O and reads no clock: the caller passes the
//! `DTSTAMP` timestamp in.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// Identifies the program that wrote the feed; RFC 5545 section 3.7.3 requires it in every calendar.
pub const PRODID: &str = "-//Rally//Rally campaign calendar//EN";

/// How often calendar apps should re-download the feed. RFC 7986's `REFRESH-INTERVAL` and the older
/// `X-PUBLISHED-TTL` (read by Apple Calendar and Outlook) both carry it. Google Calendar ignores both
/// and refreshes on its own, slower schedule; nothing in the feed changes that.
pub const REFRESH: &str = "PT1H";

/// RFC 5545 section 3.1: content lines should not be longer than 75 octets, not counting the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// The prefix that marks a done task or a fulfilled commitment. It is put in the summary rather than
/// expressed through `STATUS`, because `STATUS:CANCELLED` (the only "it's over" status a `VEVENT`
/// has) makes clients hide the entry or strike it through as if it had been called off.
pub const DONE_PREFIX: &str = "✓ ";

/// One all-day entry of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// Stable across feed refreshes, globally unique, e.g. "task-42@rally" — built by the caller.
    /// Calendar apps match entries between refreshes by this value; if it changed, the entry would
    /// show up twice or lose the user's local changes (reminders, colors).
    pub uid: String,
    pub date: NaiveDate,
    /// Optional end date (inclusive, e.g. a campaign week); None = one day. An end date before
    /// `date` is ignored, which also makes the entry a single day.
    pub until: Option<NaiveDate>,
    pub summary: String,
    pub description: String,
    /// Absolute URL of the thing in Rally, if known. Note that Google Calendar does not show the
    /// `URL` property; a caller that wants a clickable link there should also put it in the description.
    pub url: Option<String>,
    /// e.g. "Milestone", "Commitment", "Task".
    pub category: String,
    /// Marks done tasks / fulfilled commitments (STATUS:CANCELLED is wrong; use a "✓ " summary prefix or TRANSP).
    pub done: bool,
}

/// Renders the whole feed: the `VCALENDAR` text with CRLF line endings and lines folded at 75 octets.
///
/// `name` is the calendar's display name (`X-WR-CALNAME` and RFC 7986 `NAME`), `stamp` the moment the
/// feed was generated (`DTSTAMP` of every entry, in UTC). Each entry becomes one all-day `VEVENT`
/// marked `TRANSP:TRANSPARENT`, because a deadline or a milestone does not make anyone busy and
/// must not block their free/busy time.
///
/// An entry whose dates can't be written as an iCalendar `DATE` (years outside 0000–9999) is left out
/// instead of making the whole feed invalid: one odd row must not break the user's subscription.
/// This function never panics.
pub fn render(name: &str, entries: &[CalendarEntry], stamp: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(1024);
    let name = escape_text(name);

    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, &format!("PRODID:{PRODID}"));
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, &format!("X-WR-CALNAME:{name}"));
    push_line(&mut out, &format!("NAME:{name}"));
    push_line(&mut out, &format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}"));
    push_line(&mut out, &format!("X-PUBLISHED-TTL:{REFRESH}"));

    let dtstamp = utc_basic(stamp);
    for entry in entries {
        push_event(&mut out, entry, &dtstamp);
    }

    push_line(&mut out, "END:VCALENDAR");
    out
}

/// Appends one entry as a `VEVENT`, or nothing if its dates can't be expressed (see [`render`]).
fn push_event(out: &mut String, entry: &CalendarEntry, dtstamp: &str) {
    // DTEND of an all-day event is exclusive (RFC 5545 section 3.6.1): an entry on the 10th ends on
    // the 11th, a week ending on Sunday ends on Monday.
    let last = entry.until.filter(|until| *until >= entry.date).unwrap_or(entry.date);
    let (Some(start), Some(end)) = (date_basic(entry.date), last.succ_opt().and_then(date_basic)) else {
        return;
    };

    let summary =
        if entry.done { escape_text(&format!("{DONE_PREFIX}{}", entry.summary)) } else { escape_text(&entry.summary) };

    push_line(out, "BEGIN:VEVENT");
    push_line(out, &format!("UID:{}", escape_text(&entry.uid)));
    push_line(out, &format!("DTSTAMP:{dtstamp}"));
    push_line(out, &format!("DTSTART;VALUE=DATE:{start}"));
    push_line(out, &format!("DTEND;VALUE=DATE:{end}"));
    push_line(out, &format!("SUMMARY:{summary}"));
    let description = escape_text(&entry.description);
    if !description.is_empty() {
        push_line(out, &format!("DESCRIPTION:{description}"));
    }
    if let Some(url) = entry.url.as_deref().filter(|url| is_safe_url(url)) {
        push_line(out, &format!("URL:{url}"));
    }
    // CATEGORIES is a comma-separated list; escaping the comma keeps the category a single item.
    let category = escape_text(&entry.category);
    if !category.is_empty() {
        push_line(out, &format!("CATEGORIES:{category}"));
    }
    push_line(out, "TRANSP:TRANSPARENT");
    push_line(out, "END:VEVENT");
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11) and drops what must not be in it.
///
/// Backslash, semicolon and comma get a backslash; a line break (LF, CRLF or a lone CR — browsers
/// submit textareas with CRLF) becomes the two characters `\n`, so the value always stays on its
/// own content line. A tab becomes a space and every other control character is dropped: none has a
/// meaning in a calendar entry, and a stray one can make a strict parser reject the whole feed.
fn escape_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            // The LF of a CRLF pair writes the line break; a lone CR is a line break of its own.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a URL can go into the feed as it is: it starts with `http://` or `https://` (so no
/// `javascript:` or `file:` links end up one click away in someone's calendar), names something after
/// the scheme, and contains no control characters (CR and LF would end the property line) and no
/// whitespace (which no valid URL contains and which clients disagree about).
fn is_safe_url(url: &str) -> bool {
    let rest = ["https://", "http://"].into_iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
            .and_then(|_| url.get(scheme.len()..))
    });
    match rest {
        Some(rest) => {
            !rest.is_empty() && !rest.starts_with('/') && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        }
        None => false,
    }
}

/// Appends one content line, folded so that no physical line exceeds 75 octets, and its CRLF.
///
/// A fold is CRLF followed by one space, which the reader removes again (RFC 5545 section 3.1). The
/// space counts towards the next line's 75 octets. The line is only ever broken between characters,
/// never inside a multi-byte UTF-8 sequence, so a line may end a few octets short of 75.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

/// A date in the iCalendar basic format `YYYYMMDD`, or `None` if the year doesn't fit in four digits.
fn date_basic(date: NaiveDate) -> Option<String> {
    (0..=9999).contains(&date.year()).then(|| format!("{:04}{:02}{:02}", date.year(), date.month(), date.day()))
}

/// A UTC timestamp in the iCalendar basic format `YYYYMMDDTHHMMSSZ`. A timestamp outside the years
/// 0000–9999 is clamped to the nearest one that fits, so the feed stays valid whatever the caller passes.
fn utc_basic(stamp: DateTime<Utc>) -> String {
    match stamp.year() {
        ..0 => "00000101T000000Z".to_owned(),
        10000.. => "99991231T235959Z".to_owned(),
        year => format!(
            "{year:04}{:02}{:02}T{:02}{:02}{:02}Z",
            stamp.month(),
            stamp.day(),
            stamp.hour(),
            stamp.minute(),
            // A leap second shows as second 59 plus a nanosecond overflow, so this stays at most 59.
            stamp.second()
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::str::FromStr;

    use chrono::TimeZone;
    use icalendar::parser::{read_calendar, unfold};
    use icalendar::{Calendar, Component, DatePerhapsTime, EventLike};

    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 7, 9, 5, 1).unwrap()
    }

    fn entry(uid: &str, day: &str, summary: &str) -> CalendarEntry {
        CalendarEntry {
            uid: uid.to_owned(),
            date: date(day),
            until: None,
            summary: summary.to_owned(),
            description: String::new(),
            url: None,
            category: "Task".to_owned(),
            done: false,
        }
    }

    /// Parses the feed with the `icalendar` crate into typed events.
    fn parse(feed: &str) -> Calendar {
        Calendar::from_str(feed).expect("the feed parses")
    }

    /// The names of the properties of every VEVENT, as the `icalendar` crate's low-level parser sees
    /// them (after unfolding), in order.
    fn event_property_names(feed: &str) -> Vec<Vec<String>> {
        let unfolded = unfold(feed);
        let calendar = read_calendar(&unfolded).expect("the feed parses");
        calendar
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .map(|c| c.properties.iter().map(|p| p.name.as_str().to_owned()).collect())
            .collect()
    }

    /// The physical lines of the feed, without their CRLF; fails if the feed has a bare CR or LF or
    /// does not end in CRLF.
    fn physical_lines(feed: &str) -> Vec<&str> {
        assert!(feed.ends_with("\r\n"), "the feed ends in CRLF");
        let lines: Vec<&str> = feed[..feed.len() - 2].split("\r\n").collect();
        for line in &lines {
            assert!(!line.contains('\r') && !line.contains('\n'), "bare CR or LF in {line:?}");
        }
        lines
    }

    fn assert_well_formed(feed: &str) {
        for line in physical_lines(feed) {
            assert!(line.len() <= MAX_LINE_OCTETS, "{} octets: {line:?}", line.len());
            assert!(!line.is_empty(), "empty physical line");
        }
    }

    fn sample_entries() -> Vec<CalendarEntry> {
        vec![
            CalendarEntry {
                uid: "milestone-1@rally".to_owned(),
                date: date("2025-03-10"),
                until: Some(date("2025-03-16")),
                summary: "Тиждень програмування: старт кампанії в усіх школах України, Хорватії та Словенії".to_owned(),
                description: "Čestitamo! Škola «Đurđevac» se pridružila; ćevapi, žganci i šljivovica za sve.\n\
                    Друга строка, з комами, крапками з комою; і зворотною косою рискою \\ тут.\n\
                    Emoji 🎉🚀👩‍💻🇭🇷 long enough to need folding: 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"
                    .to_owned(),
                url: Some("https://rally.example.org/campaigns/7/milestones/1?tab=notes;x=1,2".to_owned()),
                category: "Milestone".to_owned(),
                done: false,
            },
            CalendarEntry {
                uid: "commitment-9@rally".to_owned(),
                date: date("2025-03-31"),
                until: None,
                summary: r"Partner: Ministry of Science, Education & Youth; newsletter \ banner".to_owned(),
                description: "Line one\r\nLine two\rLine three\nA \"quoted\" word: colon kept".to_owned(),
                url: None,
                category: "Commitment, partner".to_owned(),
                done: true,
            },
            CalendarEntry {
                uid: "task-42@rally".to_owned(),
                date: date("2024-12-31"),
                until: None,
                summary: "Follow up 📞".to_owned(),
                description: String::new(),
                url: Some("http://localhost:8080/tasks/42".to_owned()),
                category: "Task".to_owned(),
                done: false,
            },
        ]
    }

    #[test]
    fn round_trip_through_an_independent_parser() {
        let entries = sample_entries();
        let feed = render("Rally — Код 2025, Hrvatska; kampanja", &entries, stamp());
        assert_well_formed(&feed);
        assert!(feed.lines().any(|l| l.starts_with(' ')), "long text was folded");

        let calendar = parse(&feed);
        assert_eq!(calendar.property_value("X-WR-CALNAME"), Some("Rally — Код 2025, Hrvatska; kampanja"));
        // NAME is TEXT too (RFC 7986 section 5.1), but the `icalendar` crate only unescapes the
        // properties whose value type it knows by name, and NAME is not among them.
        assert_eq!(calendar.property_value("NAME"), Some(r"Rally — Код 2025\, Hrvatska\; kampanja"));
        assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
        assert_eq!(calendar.property_value("PRODID"), Some(PRODID));
        assert_eq!(calendar.property_value("CALSCALE"), Some("GREGORIAN"));
        assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
        assert_eq!(calendar.property_value("X-PUBLISHED-TTL"), Some("PT1H"));
        assert_eq!(calendar.get_ttl(), Some(chrono::Duration::hours(1)));
        assert!(feed.contains("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));

        let events: Vec<_> = calendar.events().collect();
        assert_eq!(events.len(), entries.len());
        for (event, entry) in events.iter().zip(&entries) {
            assert_eq!(event.get_uid(), Some(entry.uid.as_str()));
            assert_eq!(event.get_timestamp(), Some(stamp()));
            assert_eq!(event.get_start(), Some(DatePerhapsTime::Date(entry.date)));
            let summary = if entry.done { format!("✓ {}", entry.summary) } else { entry.summary.clone() };
            assert_eq!(event.get_summary(), Some(summary.as_str()));
            assert_eq!(event.get_url(), entry.url.as_deref());
            assert_eq!(event.get_categories(), Some(vec![entry.category.clone()]));
            assert_eq!(event.property_value("TRANSP"), Some("TRANSPARENT"));
            assert_eq!(event.property_value("STATUS"), None);
        }

        assert_eq!(events[0].get_description(), Some(entries[0].description.as_str()));
        assert_eq!(events[0].get_end(), Some(DatePerhapsTime::Date(date("2025-03-17"))));
        // Line breaks of every kind come back as LF.
        assert_eq!(events[1].get_description(), Some("Line one\nLine two\nLine three\nA \"quoted\" word: colon kept"));
        assert_eq!(events[1].get_end(), Some(DatePerhapsTime::Date(date("2025-04-01"))));
        assert_eq!(events[2].get_description(), None, "an empty description is left out");
        assert_eq!(events[2].get_end(), Some(DatePerhapsTime::Date(date("2025-01-01"))));
    }

    #[test]
    fn escapes_are_written_as_rfc_5545_says() {
        let mut e = entry("a@rally", "2025-03-10", r"a,b;c\d");
        e.description = "x\ny".to_owned();
        let feed = render("n", &[e], stamp());
        assert!(feed.contains("\r\nSUMMARY:a\\,b\\;c\\\\d\r\n"), "{feed}");
        assert!(feed.contains("\r\nDESCRIPTION:x\\ny\r\n"), "{feed}");
        assert!(feed.contains("\r\nDTSTAMP:20250307T090501Z\r\n"), "{feed}");
        assert!(feed.contains("\r\nDTSTART;VALUE=DATE:20250310\r\nDTEND;VALUE=DATE:20250311\r\n"), "{feed}");
    }

    #[test]
    fn every_line_is_at_most_75_octets_and_ends_in_crlf() {
        let long = "ž".repeat(300) + &"🎉".repeat(100) + &"x".repeat(200) + "ђ";
        let mut e = entry(&format!("{long}@rally"), "2025-03-10", &long);
        e.description = format!("{long}\n{long}");
        e.category = long.clone();
        e.url = Some(format!("https://rally.example.org/{}", "a".repeat(300)));
        let feed = render(&long, &[e], stamp());
        assert_well_formed(&feed);

        // Folding is dense: a line ends early only by less than the length of the next character.
        let lines = physical_lines(&feed);
        for pair in lines.windows(2) {
            if let Some(next) = pair[1].strip_prefix(' ') {
                let next_char = next.chars().next().unwrap();
                assert!(pair[0].len() + next_char.len_utf8() > MAX_LINE_OCTETS, "folded early: {:?}", pair[0]);
            }
        }

        let calendar = parse(&feed);
        assert_eq!(calendar.property_value("X-WR-CALNAME"), Some(long.as_str()));
        let event = calendar.events().next().unwrap();
        assert_eq!(event.get_summary(), Some(long.as_str()));
        assert_eq!(event.get_description(), Some(format!("{long}\n{long}").as_str()));
        assert_eq!(event.get_categories(), Some(vec![long.clone()]));
        assert_eq!(event.get_url(), Some(format!("https://rally.example.org/{}", "a".repeat(300)).as_str()));
    }

    #[test]
    fn a_multi_byte_character_on_the_fold_moves_to_the_next_line_whole() {
        // "SUMMARY:" is 8 octets; with 66 ASCII letters the line is at 74 octets, and the
        // 2-octet "č" would straddle the 75-octet limit.
        let summary = format!("{}čevapi", "a".repeat(66));
        let feed = render("n", &[entry("a@rally", "2025-03-10", &summary)], stamp());
        let lines = physical_lines(&feed);
        let at = lines.iter().position(|l| l.starts_with("SUMMARY:")).unwrap();
        assert_eq!(lines[at], format!("SUMMARY:{}", "a".repeat(66)));
        assert_eq!(lines[at].len(), 74);
        assert_eq!(lines[at + 1], " čevapi");

        // Same for a 4-octet emoji that starts at octet 73.
        let summary = format!("{}🎉!", "a".repeat(64));
        let feed = render("n", &[entry("a@rally", "2025-03-10", &summary)], stamp());
        let lines = physical_lines(&feed);
        let at = lines.iter().position(|l| l.starts_with("SUMMARY:")).unwrap();
        assert_eq!(lines[at].len(), 72);
        assert_eq!(lines[at + 1], " 🎉!");

        // Every physical line is valid UTF-8 on its own: no sequence was cut.
        for line in feed.as_bytes().split(|b| *b == b'\n') {
            assert!(std::str::from_utf8(line).is_ok());
        }
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_not_folded() {
        let summary = "a".repeat(MAX_LINE_OCTETS - "SUMMARY:".len());
        let feed = render("n", &[entry("a@rally", "2025-03-10", &summary)], stamp());
        assert!(feed.contains(&format!("\r\nSUMMARY:{summary}\r\nCATEGORIES:")), "{feed}");
        let lines = physical_lines(&feed);
        let at = lines.iter().position(|l| l.starts_with("SUMMARY:")).unwrap();
        assert_eq!(lines[at].len(), 75);
        assert!(!lines[at + 1].starts_with(' '));

        let summary = "a".repeat(MAX_LINE_OCTETS - "SUMMARY:".len() + 1);
        let feed = render("n", &[entry("a@rally", "2025-03-10", &summary)], stamp());
        let lines = physical_lines(&feed);
        let at = lines.iter().position(|l| l.starts_with("SUMMARY:")).unwrap();
        assert_eq!(lines[at + 1], " a");
    }

    #[test]
    fn injected_properties_stay_inside_their_value() {
        let attack = "Call\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\nUID:x\rSTATUS:CANCELLED";
        let mut e = entry(attack, "2025-03-10", attack);
        e.description = attack.to_owned();
        e.category = attack.to_owned();
        e.url = Some("https://rally.example.org/x\r\nATTENDEE:mailto:evil@example.com".to_owned());
        let feed = render(attack, &[e], stamp());
        assert_well_formed(&feed);

        for line in physical_lines(&feed) {
            for forbidden in ["ATTENDEE", "STATUS", "BEGIN:VEVENT\\", "UID:x"] {
                assert!(!line.starts_with(forbidden), "injected line {line:?}");
            }
        }
        assert_eq!(
            event_property_names(&feed),
            vec![vec!["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "CATEGORIES", "TRANSP"]]
        );

        let calendar = parse(&feed);
        let events: Vec<_> = calendar.events().collect();
        assert_eq!(events.len(), 1);
        let as_text = "Call\nATTENDEE:mailto:evil@example.com\nEND:VEVENT\nBEGIN:VEVENT\nUID:x\nSTATUS:CANCELLED";
        assert_eq!(events[0].get_summary(), Some(as_text));
        assert_eq!(events[0].get_description(), Some(as_text));
        assert_eq!(events[0].get_uid(), Some(as_text));
        assert_eq!(events[0].get_categories(), Some(vec![as_text.to_owned()]));
        assert_eq!(events[0].get_url(), None);
        assert_eq!(calendar.property_value("X-WR-CALNAME"), Some(as_text));
    }

    #[test]
    fn control_characters_are_dropped() {
        let e = entry("a@rally", "2025-03-10", "a\u{0}b\u{7}c\u{1b}[31md\u{7f}e\u{85}f\tg");
        let feed = render("n\u{0}a\u{8}me", &[e], stamp());
        assert!(!feed.replace("\r\n", "").chars().any(char::is_control), "{feed:?}");
        let calendar = parse(&feed);
        assert_eq!(calendar.get_name(), Some("name"));
        assert_eq!(calendar.events().next().unwrap().get_summary(), Some("abc[31mdef g"));
    }

    #[test]
    fn the_end_date_is_exclusive() {
        let cases = [
            ("2025-03-10", None, "2025-03-11"),
            ("2025-03-10", Some("2025-03-10"), "2025-03-11"),
            ("2025-03-10", Some("2025-03-16"), "2025-03-17"),
            ("2024-02-28", None, "2024-02-29"),
            ("2024-12-25", Some("2024-12-31"), "2025-01-01"),
            // An end before the start is ignored: a single day.
            ("2025-03-10", Some("2025-03-01"), "2025-03-11"),
        ];
        for (start, until, end) in cases {
            let mut e = entry("a@rally", start, "x");
            e.until = until.map(date);
            let calendar = parse(&render("n", &[e], stamp()));
            let event = calendar.events().next().unwrap();
            assert_eq!(event.get_start(), Some(DatePerhapsTime::Date(date(start))));
            assert_eq!(event.get_end(), Some(DatePerhapsTime::Date(date(end))), "{start} until {until:?}");
        }
    }

    #[test]
    fn an_empty_feed_is_still_a_valid_calendar() {
        let feed = render("", &[], stamp());
        assert_well_formed(&feed);
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(feed.ends_with("\r\nEND:VCALENDAR\r\n"));
        let unfolded = unfold(&feed);
        let raw = read_calendar(&unfolded).unwrap();
        assert!(raw.components.is_empty());
        let calendar = parse(&feed);
        assert_eq!(calendar.events().count(), 0);
        assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
        assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
    }

    #[test]
    fn bad_urls_are_left_out() {
        let bad = [
            "",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://rally.example.org/x",
            "rally.example.org/x",
            "https://",
            "https:///path",
            " https://rally.example.org/x",
            "https://rally.example.org/a b",
            "https://rally.example.org/x\nATTENDEE:mailto:evil@example.com",
            "https://rally.example.org/x\r",
            "https://rally.example.org/\u{0}x",
            "https://rally.example.org/\u{85}x",
            "ht",
            "🎉🎉",
        ];
        for url in bad {
            let mut e = entry("a@rally", "2025-03-10", "x");
            e.url = Some(url.to_owned());
            let feed = render("n", &[e], stamp());
            assert!(!feed.contains("\r\nURL"), "{url:?} was kept");
            assert_eq!(parse(&feed).events().next().unwrap().get_url(), None);
        }

        for url in ["https://rally.example.org/p/1", "HTTP://rally.example.org/p?a=1,2;b=3", "https://räly.example/ž"]
        {
            let mut e = entry("a@rally", "2025-03-10", "x");
            e.url = Some(url.to_owned());
            let feed = render("n", &[e], stamp());
            assert_eq!(parse(&feed).events().next().unwrap().get_url(), Some(url), "{url:?} was dropped");
        }
    }

    #[test]
    fn done_entries_are_marked_in_the_summary_not_cancelled() {
        let mut e = entry("a@rally", "2025-03-10", "Send the toolkit");
        e.done = true;
        let feed = render("n", &[e], stamp());
        assert!(!feed.contains("STATUS"));
        let calendar = parse(&feed);
        let event = calendar.events().next().unwrap();
        assert_eq!(event.get_summary(), Some("✓ Send the toolkit"));
        assert_eq!(event.property_value("TRANSP"), Some("TRANSPARENT"));
    }

    #[test]
    fn dates_that_do_not_fit_are_skipped_without_panicking() {
        let entries = [
            entry("min@rally", "2025-03-10", "x"),
            CalendarEntry { date: NaiveDate::MAX, ..entry("max@rally", "2025-03-10", "x") },
            CalendarEntry { date: NaiveDate::MIN, ..entry("min@rally", "2025-03-10", "x") },
            CalendarEntry { date: date("9999-12-31"), ..entry("last@rally", "2025-03-10", "x") },
            CalendarEntry { until: Some(NaiveDate::MAX), ..entry("long@rally", "2025-03-10", "x") },
            entry("ok@rally", "0001-01-01", "x"),
        ];
        for stamp in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::UNIX_EPOCH] {
            let feed = render("n", &entries, stamp);
            assert_well_formed(&feed);
            let calendar = parse(&feed);
            let uids: Vec<_> = calendar.events().filter_map(|e| e.get_uid()).collect();
            assert_eq!(uids, ["min@rally", "ok@rally"]);
            assert!(calendar.events().all(|e| e.get_timestamp().is_some()));
        }
    }

    #[test]
    fn a_leap_second_stamp_stays_a_valid_time() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        let feed = render("n", &[entry("a@rally", "2025-03-10", "x")], leap.and_utc());
        assert!(feed.contains("\r\nDTSTAMP:20161231T235959Z\r\n"));
    }
}

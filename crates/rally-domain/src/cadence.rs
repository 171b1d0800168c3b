//! Cadence: how often Rally may e-mail one person, and when each planned e-mail may go out.
//!
//! People unsubscribe from (and report as spam) mailers that write too often, at night or on their day
//! off. A campaign therefore has one [`CadencePolicy`]: at most N marketing e-mails per contact in any
//! rolling window of D days, a minimum gap between two of them, quiet weekdays and a daily send window,
//! all judged by the recipient's own wall clock. An e-mail that would break a rule is not dropped but
//! *deferred* to the earliest instant that breaks none ([`next_slot`]); only when that instant lies too
//! far from the planned time does the e-mail expire, because a campaign message weeks late is usually
//! worse than none.
//!
//! Only marketing e-mail is capped or delayed: service e-mail (one-to-one operational mail to a partner)
//! and Rally's own system e-mail (confirmations and links the person asked for) go when they are due.
//!
//! Everything here is pure: callers pass the contact's send history and "now". The search jumps from
//! boundary to boundary (the next window opening, the end of a quiet day, the instant the oldest e-mail
//! leaves the rolling window, the end of a gap), so it costs a handful of steps per day searched, never
//! a minute-by-minute scan.

use std::fmt;

use chrono::{DateTime, Datelike, MappedLocalTime, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::validation::{Check, Invalid};

/// What an e-mail is, which decides whom it may reach and whether the cadence rules hold it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Campaign mail the person did not ask for at this moment: capped, windowed, deferred; only to
    /// contacts who consented (or, where the campaign relies on legitimate interest, did not object).
    Marketing,
    /// One-to-one operational mail to a partner with an agreed commitment ("your posters ship
    /// Monday"): not capped, but never to anyone who opted out, unsubscribed from everything or is
    /// suppressed.
    Service,
    /// Rally's own mail that a person is waiting for (an event registration's confirmation, the
    /// organizer's report reminder, a password or invitation link): never capped or delayed, and the
    /// only mail that a marketing unsubscribe does not stop. The team cannot write it.
    System,
}

impl MailKind {
    pub const ALL: [MailKind; 3] = [MailKind::Marketing, MailKind::Service, MailKind::System];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Marketing => "marketing",
            MailKind::Service => "service",
            MailKind::System => "system",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MailKind::Marketing => "Marketing",
            MailKind::Service => "Service",
            MailKind::System => "System",
        }
    }

    pub fn parse(s: &str) -> Result<MailKind, String> {
        MailKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown mail kind `{s}`; expected marketing, service or system"))
    }

    /// Whether the cadence rules (caps, gaps, quiet days, the send window) apply: to marketing only.
    pub fn is_capped(self) -> bool {
        self == MailKind::Marketing
    }
}

/// A campaign's rules for how often and when one contact may receive marketing e-mail.
///
/// Serialized with weekdays as `"mon"` … `"sun"`. Missing fields take the [`Default`] value, unknown
/// fields are refused (a typo such as `max_per_windw` must not silently fall back to the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CadencePolicy {
    /// At most this many marketing e-mails per contact …
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub max_per_window: u32,
    /// … in any rolling window of this many days.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub window_days: u32,
    /// At least this many hours between two marketing e-mails to one contact, before or after.
    #[cfg_attr(feature = "openapi", schema(maximum = 8760))]
    pub min_gap_hours: u32,
    /// No marketing e-mail on these days of the recipient's local calendar.
    #[serde(with = "weekday_list")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<WeekdayName>, max_items = 7, default = default_quiet_weekdays, example = default_quiet_weekdays)
    )]
    pub quiet_weekdays: Vec<Weekday>,
    /// First local hour of the daily send window (inclusive), 0–23.
    #[cfg_attr(feature = "openapi", schema(maximum = 23))]
    pub window_start_hour: u8,
    /// Local hour the daily send window closes (exclusive), 1–24.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 24))]
    pub window_end_hour: u8,
    /// IANA zone name: the campaign's zone for contacts that have none of their own.
    pub time_zone: String,
    /// A deferred marketing e-mail that cannot go within this many days of its planned time expires.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub expire_after_days: u32,
}

/// A day of the week as `mon` … `sun` or `monday` … `sunday`, in any case. (The API document's name
/// for it.)
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(
    pattern = r"^\s*([Mm][Oo][Nn]([Dd][Aa][Yy])?|[Tt][Uu][Ee]([Ss][Dd][Aa][Yy])?|[Ww][Ee][Dd]([Nn][Ee][Ss][Dd][Aa][Yy])?|[Tt][Hh][Uu]([Rr][Ss][Dd][Aa][Yy])?|[Ff][Rr][Ii]([Dd][Aa][Yy])?|[Ss][Aa][Tt]([Uu][Rr][Dd][Aa][Yy])?|[Ss][Uu][Nn]([Dd][Aa][Yy])?)\s*$"
)]
#[allow(dead_code)]
pub struct WeekdayName(String);

impl Default for CadencePolicy {
    /// A conservative starting point:
    /// - 2 e-mails per 7 days keeps a campaign visible without training people to ignore (or report) it;
    /// - 48 hours apart so the two of a week never land on consecutive days;
    /// - Sunday quiet, because weekend marketing mail is resented and mostly read on Monday anyway;
    /// - 08:00–18:00 local, so mail arrives when people read work mail, not at 3 a.m.;
    /// - UTC until the campaign names its own zone (contacts with a zone of their own use theirs);
    /// - expire after 14 days: two full cap windows always contain a free slot under this policy, and
    ///   campaign mail that is more than two weeks late (an event announced after it happened) is
    ///   better not sent.
    fn default() -> Self {
        CadencePolicy {
            max_per_window: 2,
            window_days: 7,
            min_gap_hours: 48,
            quiet_weekdays: vec![Weekday::Sun],
            window_start_hour: 8,
            window_end_hour: 18,
            time_zone: "UTC".to_owned(),
            expire_after_days: 14,
        }
    }
}

impl CadencePolicy {
    /// Upper bound of `max_per_window`: beyond this, a "cap" caps nothing.
    pub const MAX_PER_WINDOW: u32 = 100;
    /// Upper bound of `window_days` and `expire_after_days`: a year.
    pub const MAX_DAYS: u32 = 365;
    /// Upper bound of `min_gap_hours`: a year.
    pub const MAX_GAP_HOURS: u32 = 24 * 365;

    /// Checks every field and reports all problems at once, each under its field name. On success the
    /// policy is normalized: the zone name trimmed, quiet days sorted Monday first without repeats.
    pub fn validate(self) -> Result<CadencePolicy, Invalid> {
        let mut c = Check::default();
        if !(1..=Self::MAX_PER_WINDOW).contains(&self.max_per_window) {
            c.fail("max_per_window", format!("must be between 1 and {}", Self::MAX_PER_WINDOW));
        }
        if !(1..=Self::MAX_DAYS).contains(&self.window_days) {
            c.fail("window_days", format!("must be between 1 and {} days", Self::MAX_DAYS));
        }
        if self.min_gap_hours > Self::MAX_GAP_HOURS {
            c.fail("min_gap_hours", format!("must be at most {} hours", Self::MAX_GAP_HOURS));
        }
        let mut quiet = self.quiet_weekdays.clone();
        quiet.sort_by_key(|d| d.num_days_from_monday());
        quiet.dedup();
        if quiet.len() >= 7 {
            c.fail("quiet_weekdays", "at least one day of the week must allow e-mail");
        }
        if self.window_start_hour > 23 {
            c.fail("window_start_hour", "must be an hour from 0 to 23");
        }
        if !(1..=24).contains(&self.window_end_hour) {
            c.fail("window_end_hour", "must be an hour from 1 to 24");
        } else if self.window_start_hour <= 23 && self.window_end_hour <= self.window_start_hour {
            c.fail(
                "window_end_hour",
                format!("must be later than the window start ({:02}:00)", self.window_start_hour),
            );
        }
        if !(1..=Self::MAX_DAYS).contains(&self.expire_after_days) {
            c.fail("expire_after_days", format!("must be between 1 and {} days", Self::MAX_DAYS));
        }
        let tz = c.take("time_zone", parse_time_zone(&self.time_zone));
        let policy = tz.map(|tz| CadencePolicy { time_zone: tz.name().to_owned(), quiet_weekdays: quiet, ..self });
        c.finish(policy)
    }

    /// The zone a recipient's local clock is read in: the contact's own zone when it has a valid one,
    /// else the campaign's, else UTC (an unvalidated policy must still not stop the planner).
    pub fn recipient_zone(&self, contact_zone: Option<&str>) -> Tz {
        contact_zone
            .and_then(|z| parse_time_zone(z).ok())
            .or_else(|| parse_time_zone(&self.time_zone).ok())
            .unwrap_or(Tz::UTC)
    }
}

/// An IANA time-zone name such as `Europe/Zagreb` (exact spelling, surrounding blanks ignored).
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("must not be empty; use an IANA name such as Europe/Zagreb".into());
    }
    name.parse::<Tz>().map_err(|_| format!("unknown time zone `{name}`; use an IANA name such as Europe/Zagreb"))
}

/// Every IANA time-zone name Rally knows, for pickers.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())
}

/// The days of the week, Monday first.
const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// The short code a weekday is stored as: `"mon"` … `"sun"`.
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// The English name of a weekday, for messages: `"Sunday"`.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A weekday from its code (`"sun"`) or English name (`"Sunday"`), in any letter case.
pub fn parse_weekday(s: &str) -> Result<Weekday, String> {
    let wanted = s.trim();
    WEEK.into_iter()
        .find(|d| wanted.eq_ignore_ascii_case(weekday_code(*d)) || wanted.eq_ignore_ascii_case(weekday_name(*d)))
        .ok_or_else(|| format!("unknown weekday `{s}`; expected mon, tue, wed, thu, fri, sat or sun"))
}

/// Serde for `Vec<Weekday>` as `["mon", "sun"]` (chrono's own form is `"Mon"`).
/// The default quiet days as the API writes them: from the policy's own serializer, so the API
/// document shows `["sun"]` as requests and answers spell it.
#[cfg(feature = "openapi")]
fn default_quiet_weekdays() -> serde_json::Value {
    serde_json::to_value(CadencePolicy::default())
        .ok()
        .and_then(|policy| policy.get("quiet_weekdays").cloned())
        .unwrap_or_default()
}

mod weekday_list {
    use chrono::Weekday;
    use serde::{Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| super::weekday_code(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        crate::limits::bounded::vec::<D, String, 7>(d)?
            .iter()
            .map(|s| super::parse_weekday(s).map_err(D::Error::custom))
            .collect()
    }
}

fn serialize_weekday<S: serde::Serializer>(day: &Weekday, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(weekday_code(*day))
}

/// Why a marketing e-mail moved (or expired). `Display` words it for a coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeferReason {
    /// The rolling window already held `sent` e-mails (the cap or more) around that time.
    Cap { sent: u32, window_days: u32 },
    /// Another e-mail to the same person was less than this many hours away.
    Gap { hours: u32 },
    /// That day of the recipient's week is quiet (serialized as `"sun"`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    QuietDay(#[serde(serialize_with = "serialize_weekday")] Weekday),
    /// Outside the daily send window of the recipient's zone.
    OutsideWindow { start_hour: u8, end_hour: u8, time_zone: String },
    /// The contact asked not to be contacted before this instant.
    DoNotContact(DateTime<Utc>),
    /// By the time it was planned, the e-mail was already more than `expire_after_days` past its
    /// planned time.
    TooLate { planned: DateTime<Utc>, expire_after_days: u32 },
}

impl fmt::Display for DeferReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeferReason::Cap { sent, window_days } => {
                let mails = if *sent == 1 { "e-mail" } else { "e-mails" };
                if *window_days == 1 {
                    write!(f, "{sent} {mails} in the day before")
                } else {
                    write!(f, "{sent} {mails} in the {window_days} days before")
                }
            }
            DeferReason::Gap { hours } => write!(f, "{hours} h since the last e-mail"),
            DeferReason::QuietDay(day) => write!(f, "{} is quiet", weekday_name(*day)),
            DeferReason::OutsideWindow { start_hour, end_hour, time_zone } => {
                write!(f, "outside {start_hour:02}:00–{end_hour:02}:00 {time_zone}")
            }
            DeferReason::DoNotContact(until) => write!(f, "do not contact until {}", short_instant(*until)),
            DeferReason::TooLate { planned, expire_after_days } => {
                let days = if *expire_after_days == 1 { "day" } else { "days" };
                write!(f, "more than {expire_after_days} {days} past its planned time ({})", short_instant(*planned))
            }
        }
    }
}

/// A date alone when the instant is a UTC midnight (as do-not-contact dates usually are), else the
/// date and time in UTC.
fn short_instant(t: DateTime<Utc>) -> String {
    if t.time() == chrono::NaiveTime::MIN {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// When a planned e-mail may go, or why it never will.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Slot {
    /// It may go at `at`; `deferred_by` lists the rules that moved it (empty if it goes on time).
    At { at: DateTime<Utc>, deferred_by: Vec<DeferReason> },
    /// No instant within `expire_after_days` of the planned time was allowed; `reasons` are the rules
    /// met on the way and `last_tried` the last instant the search examined.
    Expired { reasons: Vec<DeferReason>, last_tried: DateTime<Utc> },
}

impl Slot {
    /// The send time, unless expired.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Slot::At { at, .. } => Some(*at),
            Slot::Expired { .. } => None,
        }
    }

    pub fn is_expired(&self) -> bool {
        matches!(self, Slot::Expired { .. })
    }
}

/// The earliest instant at or after `wanted` (and `now`) at which a marketing e-mail may go to a
/// contact whose other marketing e-mails go or went at `history` (any order; planned future sends
/// count too, so a new e-mail cannot crowd one already scheduled), read in the recipient's zone `tz`,
/// and not before `do_not_contact_until`. `history` must not contain the e-mail being planned.
///
/// Mail that is not capped (service and system mail) goes at `max(wanted, now)` with no reasons,
/// whatever the history, the calendar or the do-not-contact date (that date holds back campaign mail,
/// not a confirmation the person asked for).
///
/// If nothing is allowed within `expire_after_days` of `wanted`, the e-mail expires. An e-mail whose
/// planned time is already that far behind `now` expires at once with [`DeferReason::TooLate`].
pub fn next_slot(
    policy: &CadencePolicy,
    tz: Tz,
    kind: MailKind,
    history: &[DateTime<Utc>],
    wanted: DateTime<Utc>,
    do_not_contact_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Slot {
    Rules::new(policy, tz, history, do_not_contact_until).slot(kind, wanted, now)
}

/// Re-checks, when a worker claims a delivery, that it may go now: the plan may be stale (another
/// e-mail went out meanwhile, the contact asked for a pause). `Err` carries the first rule broken, in
/// the order do-not-contact, cap, gap, quiet day, send window; the caller then re-plans the delivery
/// with [`next_slot`] from its original planned time, which also applies expiry (this check does not
/// know the planned time). `history` must not contain the delivery being checked.
pub fn may_send_now(
    policy: &CadencePolicy,
    tz: Tz,
    kind: MailKind,
    history: &[DateTime<Utc>],
    now: DateTime<Utc>,
    do_not_contact_until: Option<DateTime<Utc>>,
) -> Result<(), DeferReason> {
    if !kind.is_capped() {
        return Ok(());
    }
    match Rules::new(policy, tz, history, do_not_contact_until).blocks(now).into_iter().next() {
        Some(block) => Err(block.reason),
        None => Ok(()),
    }
}

/// Plans a contact's whole future: `sends` are (message id, kind, wanted time) in any order. They are
/// planned in wanted-time order (ties in input order), each marketing e-mail's slot becoming history
/// for the ones after it, so a burst of campaign messages spreads out instead of all landing at once.
/// Returns one outcome per send, in input order.
pub fn plan_contact(
    policy: &CadencePolicy,
    tz: Tz,
    history: &[DateTime<Utc>],
    sends: &[(i64, MailKind, DateTime<Utc>)],
    do_not_contact_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<(i64, Slot)> {
    let mut rules = Rules::new(policy, tz, history, do_not_contact_until);
    let mut order: Vec<_> = sends.iter().enumerate().collect();
    order.sort_by_key(|(index, (_, _, wanted))| (*wanted, *index));
    let mut planned: Vec<(usize, i64, Slot)> = Vec::with_capacity(sends.len());
    for (index, &(id, kind, wanted)) in order {
        let slot = rules.slot(kind, wanted, now);
        if let (MailKind::Marketing, Slot::At { at, .. }) = (kind, &slot) {
            rules.insert(*at);
        }
        planned.push((index, id, slot));
    }
    planned.sort_by_key(|(index, _, _)| *index);
    planned.into_iter().map(|(_, id, slot)| (id, slot)).collect()
}

/// A safety net for the search: a valid policy needs a few steps per day searched plus a couple per
/// e-mail in the history; an absurd unvalidated one must still end.
const MAX_STEPS: usize = 50_000;

/// One rule's verdict at an instant: why not, and the first instant this rule could allow (`None`:
/// never). Every instant from the checked one up to `until` is refused by some rule, so the search may
/// jump straight there.
struct Block {
    reason: DeferReason,
    until: Option<DateTime<Utc>>,
}

/// The policy with its durations computed once and the history sorted, so each check is a binary
/// search rather than a scan.
struct Rules<'a> {
    policy: &'a CadencePolicy,
    tz: Tz,
    history: Vec<DateTime<Utc>>,
    do_not_contact_until: Option<DateTime<Utc>>,
    window: TimeDelta,
    gap: TimeDelta,
}

impl<'a> Rules<'a> {
    fn new(
        policy: &'a CadencePolicy,
        tz: Tz,
        history: &[DateTime<Utc>],
        do_not_contact_until: Option<DateTime<Utc>>,
    ) -> Rules<'a> {
        let mut history = history.to_vec();
        history.sort_unstable();
        Rules {
            policy,
            tz,
            history,
            do_not_contact_until,
            window: days(policy.window_days),
            gap: TimeDelta::try_hours(i64::from(policy.min_gap_hours)).unwrap_or(TimeDelta::MAX),
        }
    }

    fn insert(&mut self, at: DateTime<Utc>) {
        let index = self.history.partition_point(|s| *s <= at);
        self.history.insert(index, at);
    }

    fn slot(&self, kind: MailKind, wanted: DateTime<Utc>, now: DateTime<Utc>) -> Slot {
        let start = wanted.max(now);
        if !kind.is_capped() {
            return Slot::At { at: start, deferred_by: Vec::new() };
        }
        let deadline = saturating_add(wanted, days(self.policy.expire_after_days));
        if start > deadline {
            let reason = DeferReason::TooLate { planned: wanted, expire_after_days: self.policy.expire_after_days };
            return Slot::Expired { reasons: vec![reason], last_tried: start };
        }
        self.search(start, deadline)
    }

    /// Walks forward from `start`: at each candidate every broken rule is noted and the search jumps to
    /// the latest instant any of them names, which is safe because each rule refuses everything before
    /// its own `until`.
    fn search(&self, start: DateTime<Utc>, deadline: DateTime<Utc>) -> Slot {
        let mut t = start;
        let mut reasons: Vec<DeferReason> = Vec::new();
        let mut last_tried = start;
        for _ in 0..MAX_STEPS {
            if t > deadline {
                break;
            }
            last_tried = t;
            let blocks = self.blocks(t);
            if blocks.is_empty() {
                return Slot::At { at: t, deferred_by: reasons };
            }
            let mut next = Some(t);
            for block in blocks {
                next = next.zip(block.until).map(|(a, b)| a.max(b));
                if !reasons.contains(&block.reason) {
                    reasons.push(block.reason);
                }
            }
            t = match next {
                Some(next) if next > t => next,
                // Only reachable through odd time-zone data; step on rather than stall.
                Some(_) => match t.checked_add_signed(TimeDelta::seconds(60)) {
                    Some(next) => next,
                    None => break,
                },
                None => break,
            };
        }
        Slot::Expired { reasons, last_tried }
    }

    /// Every rule `t` breaks, in reporting order.
    fn blocks(&self, t: DateTime<Utc>) -> Vec<Block> {
        [self.do_not_contact(t), self.cap(t), self.gap(t), self.quiet_day(t), self.send_window(t)]
            .into_iter()
            .flatten()
            .collect()
    }

    fn do_not_contact(&self, t: DateTime<Utc>) -> Option<Block> {
        let until = self.do_not_contact_until.filter(|until| t < *until)?;
        Some(Block { reason: DeferReason::DoNotContact(until), until: Some(until) })
    }

    /// The rolling cap, checked in every window of D days that would contain `t`, not only the one
    /// ending at `t`: with planned future e-mails in the history, a send at `t` could otherwise push a
    /// later window over the cap. Only e-mails within D days of `t` matter, and `t` breaks the cap
    /// exactly when N of them fit in one span shorter than D days; it is then refused until the first
    /// e-mail of the last such group is D days old.
    fn cap(&self, t: DateTime<Utc>) -> Option<Block> {
        if self.policy.window_days == 0 {
            return None;
        }
        let near = self.around(t, self.window);
        let cap = usize::try_from(self.policy.max_per_window).unwrap_or(usize::MAX);
        let mut densest = 0;
        let mut until = None;
        let mut end = 0;
        for (i, first) in near.iter().enumerate() {
            end = end.max(i);
            while near.get(end).is_some_and(|s| s.signed_duration_since(*first) < self.window) {
                end += 1;
            }
            let in_span = end - i;
            densest = densest.max(in_span);
            if in_span >= cap && cap > 0 {
                until = Some(saturating_add(*first, self.window));
            }
        }
        if densest < cap {
            return None;
        }
        let sent = u32::try_from(densest).unwrap_or(u32::MAX);
        Some(Block { reason: DeferReason::Cap { sent, window_days: self.policy.window_days }, until })
    }

    /// Refused while any other e-mail, earlier or later, is less than the gap away; allowed again when
    /// the latest of those is a full gap behind.
    fn gap(&self, t: DateTime<Utc>) -> Option<Block> {
        if self.policy.min_gap_hours == 0 {
            return None;
        }
        let latest = self.around(t, self.gap).last()?;
        let until = Some(saturating_add(*latest, self.gap));
        Some(Block { reason: DeferReason::Gap { hours: self.policy.min_gap_hours }, until })
    }

    /// The history strictly within `span` of `t`, either side.
    fn around(&self, t: DateTime<Utc>, span: TimeDelta) -> &[DateTime<Utc>] {
        let (from, to) = (saturating_sub(t, span), saturating_add(t, span));
        let lo = self.history.partition_point(|s| *s <= from);
        let hi = self.history.partition_point(|s| *s < to);
        self.history.get(lo..hi).unwrap_or_default()
    }

    /// Quiet by the recipient's local date; refused until the send window opens on the next day.
    fn quiet_day(&self, t: DateTime<Utc>) -> Option<Block> {
        let local = t.with_timezone(&self.tz);
        let day = local.weekday();
        if !self.policy.quiet_weekdays.contains(&day) {
            return None;
        }
        let every_day_quiet = WEEK.iter().all(|d| self.policy.quiet_weekdays.contains(d));
        let until = if every_day_quiet {
            None
        } else {
            let opens = self.policy.window_start_hour.min(23);
            local
                .date_naive()
                .succ_opt()
                .and_then(|next_day| next_day.and_hms_opt(u32::from(opens), 0, 0))
                .and_then(|naive| first_instant_at(self.tz, naive, t))
        };
        Some(Block { reason: DeferReason::QuietDay(day), until })
    }

    /// The daily window `[start, end)` by the recipient's wall clock, so 08:00 means 08:00 there in
    /// winter and in summer. Refused until it opens today, or tomorrow once it has closed.
    fn send_window(&self, t: DateTime<Utc>) -> Option<Block> {
        let (start, end) = (self.policy.window_start_hour.min(24), self.policy.window_end_hour.min(24));
        let local = t.with_timezone(&self.tz);
        let hour = local.hour();
        if start < end && (u32::from(start)..u32::from(end)).contains(&hour) {
            return None;
        }
        let reason =
            DeferReason::OutsideWindow { start_hour: start, end_hour: end, time_zone: self.tz.name().to_owned() };
        let until = if start >= end {
            None
        } else {
            let day = if hour < u32::from(start) { Some(local.date_naive()) } else { local.date_naive().succ_opt() };
            day.and_then(|day| day.and_hms_opt(u32::from(start), 0, 0))
                .and_then(|naive| first_instant_at(self.tz, naive, t))
        };
        Some(Block { reason, until })
    }
}

/// The instant after `after` at which the wall clock of `tz` reads `naive`. When the clocks fall back
/// and the time occurs twice, the first occurrence after `after`; when they spring forward over it, the
/// first instant past the gap (so a window opening at 02:30 on that night opens at 03:00).
fn first_instant_at(tz: Tz, naive: NaiveDateTime, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        MappedLocalTime::Single(t) => Some(t.to_utc()),
        MappedLocalTime::Ambiguous(a, b) => {
            let (early, late) = (a.to_utc().min(b.to_utc()), a.to_utc().max(b.to_utc()));
            Some(if early > after { early } else { late })
        }
        MappedLocalTime::None => first_instant_reading(tz, naive),
    }
}

/// The first instant whose local time in `tz` is `naive` or later, for a `naive` skipped by a
/// spring-forward jump. Offsets stay within ±26 h, so the answer lies within 30 h of `naive` read as
/// UTC; a binary search to the second (transitions fall on whole seconds) takes about 18 steps.
fn first_instant_reading(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    const BRACKET: i64 = 30 * 3600;
    let guess = naive.and_utc().timestamp();
    let reads_at_least =
        |secs: i64| DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&tz).naive_local() >= naive);
    let (mut before, mut after) = (guess.checked_sub(BRACKET)?, guess.checked_add(BRACKET)?);
    if reads_at_least(before)? || !reads_at_least(after)? {
        return None;
    }
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        if reads_at_least(mid)? {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(after, 0)
}

fn days(n: u32) -> TimeDelta {
    TimeDelta::try_days(i64::from(n)).unwrap_or(TimeDelta::MAX)
}

fn saturating_add(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn saturating_sub(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")).to_utc()
    }

    fn zone(name: &str) -> Tz {
        parse_time_zone(name).unwrap()
    }

    fn window(start: u8, end: u8, tz: &str) -> DeferReason {
        DeferReason::OutsideWindow { start_hour: start, end_hour: end, time_zone: tz.to_owned() }
    }

    const CAP_2_7: DeferReason = DeferReason::Cap { sent: 2, window_days: 7 };
    const GAP_48: DeferReason = DeferReason::Gap { hours: 48 };

    /// Small, seeded, good enough to scatter test sends (SplitMix64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn calendar_used_by_the_tests() {
        // The cases below lean on these weekdays and DST dates.
        assert_eq!(utc("2026-03-02T00:00:00Z").weekday(), Weekday::Mon);
        assert_eq!(utc("2026-03-29T00:00:00Z").weekday(), Weekday::Sun);
        assert_eq!(utc("2026-03-08T00:00:00Z").weekday(), Weekday::Sun);
        assert_eq!(utc("2026-11-01T00:00:00Z").weekday(), Weekday::Sun);
    }

    struct Case {
        name: &'static str,
        policy: CadencePolicy,
        tz: &'static str,
        history: &'static [&'static str],
        wanted: &'static str,
        now: &'static str,
        dnc: Option<&'static str>,
        expect: Result<(&'static str, Vec<DeferReason>), Vec<DeferReason>>,
    }

    fn p() -> CadencePolicy {
        CadencePolicy::default()
    }

    /// Every day allowed, so DST cases are not muddled by quiet Sunday.
    fn any_day(start: u8, end: u8) -> CadencePolicy {
        CadencePolicy { quiet_weekdays: vec![], window_start_hour: start, window_end_hour: end, ..p() }
    }

    #[allow(clippy::too_many_lines, reason = "one table of cases")]
    fn cases() -> Vec<Case> {
        let early = "2026-01-01T00:00:00Z";
        vec![
            Case {
                name: "nothing in the way: on time",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-02T09:00:00Z", vec![])),
            },
            Case {
                name: "before the window opens",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T06:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-02T08:00:00Z", vec![window(8, 18, "UTC")])),
            },
            Case {
                name: "the window end is exclusive",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T18:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-03T08:00:00Z", vec![window(8, 18, "UTC")])),
            },
            Case {
                name: "quiet Sunday moves to Monday's window",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-01T10:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-02T08:00:00Z", vec![DeferReason::QuietDay(Weekday::Sun)])),
            },
            Case {
                name: "gap after the last e-mail",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-02T09:00:00Z"],
                wanted: "2026-03-03T10:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-04T09:00:00Z", vec![GAP_48])),
            },
            Case {
                name: "gap before a planned future e-mail",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-05T09:00:00Z"],
                wanted: "2026-03-03T10:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-07T09:00:00Z", vec![GAP_48])),
            },
            Case {
                name: "exactly the gap before a planned e-mail is fine",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-05T09:00:00Z"],
                wanted: "2026-03-03T09:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-03T09:00:00Z", vec![])),
            },
            Case {
                name: "cap: third in a week waits until the first is 7 days old",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-04T09:00:00Z", "2026-03-02T09:00:00Z"],
                wanted: "2026-03-05T09:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-09T09:00:00Z", vec![CAP_2_7, GAP_48])),
            },
            Case {
                name: "cap: exactly 7 days later is allowed",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-02T09:00:00Z", "2026-03-04T09:00:00Z"],
                wanted: "2026-03-09T09:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-09T09:00:00Z", vec![])),
            },
            Case {
                name: "cap counts planned future e-mails too",
                policy: CadencePolicy { min_gap_hours: 0, ..p() },
                tz: "UTC",
                history: &["2026-03-10T09:00:00Z", "2026-03-12T09:00:00Z"],
                wanted: "2026-03-06T09:00:00Z",
                now: early,
                dnc: None,
                // Any day before the 12th would put three e-mails into the 7 days ending the 12th.
                expect: Ok(("2026-03-17T09:00:00Z", vec![CAP_2_7])),
            },
            Case {
                name: "cap ends on a quiet Sunday",
                policy: p(),
                tz: "UTC",
                history: &["2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z"],
                wanted: "2026-03-05T12:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-09T08:00:00Z", vec![CAP_2_7, DeferReason::QuietDay(Weekday::Sun)])),
            },
            Case {
                name: "do not contact, then the window",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: Some("2026-03-10T00:00:00Z"),
                expect: Ok((
                    "2026-03-10T08:00:00Z",
                    vec![DeferReason::DoNotContact(utc("2026-03-10T00:00:00Z")), window(8, 18, "UTC")],
                )),
            },
            Case {
                name: "do not contact in the past changes nothing",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: Some("2026-03-01T00:00:00Z"),
                expect: Ok(("2026-03-02T09:00:00Z", vec![])),
            },
            Case {
                name: "do not contact beyond expiry",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: Some("2026-04-01T00:00:00Z"),
                expect: Err(vec![DeferReason::DoNotContact(utc("2026-04-01T00:00:00Z"))]),
            },
            Case {
                name: "expires when the cap holds past the deadline",
                policy: CadencePolicy { max_per_window: 1, window_days: 30, ..p() },
                tz: "UTC",
                history: &["2026-03-01T10:00:00Z"],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: None,
                expect: Err(vec![DeferReason::Cap { sent: 1, window_days: 30 }, GAP_48]),
            },
            Case {
                name: "a slot exactly at the deadline still goes",
                policy: CadencePolicy { max_per_window: 1, window_days: 14, min_gap_hours: 0, ..p() },
                tz: "UTC",
                history: &["2026-03-02T09:00:00Z"],
                wanted: "2026-03-02T09:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-16T09:00:00Z", vec![DeferReason::Cap { sent: 1, window_days: 14 }])),
            },
            Case {
                name: "planned too long ago",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: "2026-03-20T09:00:00Z",
                dnc: None,
                expect: Err(vec![DeferReason::TooLate { planned: utc("2026-03-02T09:00:00Z"), expire_after_days: 14 }]),
            },
            Case {
                name: "wanted in the past goes from now",
                policy: p(),
                tz: "UTC",
                history: &[],
                wanted: "2026-03-02T09:00:00Z",
                now: "2026-03-03T07:00:00Z",
                dnc: None,
                expect: Ok(("2026-03-03T08:00:00Z", vec![window(8, 18, "UTC")])),
            },
            // Europe/Zagreb: CET (+1) until 2026-03-29 02:00, then CEST (+2).
            Case {
                name: "Zagreb: 07:30 local in winter waits for 08:00 local",
                policy: p(),
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-02T06:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-02T07:00:00Z", vec![window(8, 18, "Europe/Zagreb")])),
            },
            Case {
                name: "Zagreb: Saturday 23:30 UTC is already quiet Sunday there",
                policy: CadencePolicy { window_start_hour: 0, window_end_hour: 24, ..p() },
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-07T23:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-08T23:00:00Z", vec![DeferReason::QuietDay(Weekday::Sun)])),
            },
            Case {
                name: "UTC: the same instant is still Saturday",
                policy: CadencePolicy { window_start_hour: 0, window_end_hour: 24, ..p() },
                tz: "UTC",
                history: &[],
                wanted: "2026-03-07T23:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-07T23:30:00Z", vec![])),
            },
            Case {
                name: "Zagreb: the day before the switch, 08:00 CET",
                policy: any_day(8, 18),
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-28T06:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-28T07:00:00Z", vec![window(8, 18, "Europe/Zagreb")])),
            },
            Case {
                name: "Zagreb: on the switch day 06:30 UTC is 08:30 CEST",
                policy: any_day(8, 18),
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-29T06:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-29T06:30:00Z", vec![])),
            },
            Case {
                name: "Zagreb: closing at 18:00 CEST on the switch day",
                policy: any_day(8, 18),
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-29T16:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-30T06:00:00Z", vec![window(8, 18, "Europe/Zagreb")])),
            },
            Case {
                name: "Zagreb: a window opening at the skipped 02:00 opens at 03:00 CEST",
                policy: any_day(2, 4),
                tz: "Europe/Zagreb",
                history: &[],
                wanted: "2026-03-29T00:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-29T01:00:00Z", vec![window(2, 4, "Europe/Zagreb")])),
            },
            // America/New_York: EST (−5) until 2026-03-08 02:00, EDT (−4) until 2026-11-01 02:00.
            Case {
                name: "New York: before the spring switch, 08:00 EST",
                policy: any_day(8, 18),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-03-07T11:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-07T13:00:00Z", vec![window(8, 18, "America/New_York")])),
            },
            Case {
                name: "New York: on the spring switch day, 08:00 EDT",
                policy: any_day(8, 18),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-03-08T11:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-08T12:00:00Z", vec![window(8, 18, "America/New_York")])),
            },
            Case {
                name: "New York: a 02:00–03:00 window does not exist on the spring switch day",
                policy: any_day(2, 3),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-03-08T05:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-03-09T06:00:00Z", vec![window(2, 3, "America/New_York")])),
            },
            Case {
                name: "New York: fall back, the window opens at the first 01:00",
                policy: any_day(1, 2),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-11-01T04:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-11-01T05:00:00Z", vec![window(1, 2, "America/New_York")])),
            },
            Case {
                name: "New York: fall back, the repeated 01:30 is inside the window too",
                policy: any_day(1, 2),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-11-01T06:30:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-11-01T06:30:00Z", vec![])),
            },
            Case {
                name: "New York: fall back, 02:00 EST has closed the window",
                policy: any_day(1, 2),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-11-01T07:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-11-02T06:00:00Z", vec![window(1, 2, "America/New_York")])),
            },
            Case {
                name: "New York: fall back day closes at 18:00 EST",
                policy: any_day(8, 18),
                tz: "America/New_York",
                history: &[],
                wanted: "2026-11-01T23:00:00Z",
                now: early,
                dnc: None,
                expect: Ok(("2026-11-02T13:00:00Z", vec![window(8, 18, "America/New_York")])),
            },
        ]
    }

    #[test]
    fn rule_table() {
        for case in cases() {
            let history: Vec<_> = case.history.iter().map(|s| utc(s)).collect();
            let (wanted, now, dnc) = (utc(case.wanted), utc(case.now), case.dnc.map(utc));
            let tz = zone(case.tz);
            let got = next_slot(&case.policy, tz, MailKind::Marketing, &history, wanted, dnc, now);
            match (&case.expect, &got) {
                (Ok((at, reasons)), Slot::At { at: got_at, deferred_by }) => {
                    assert_eq!((*got_at, deferred_by), (utc(at), reasons), "{}", case.name);
                    // The slot found is one may_send_now accepts.
                    assert_eq!(
                        may_send_now(&case.policy, tz, MailKind::Marketing, &history, *got_at, dnc),
                        Ok(()),
                        "{}",
                        case.name
                    );
                }
                (Err(reasons), Slot::Expired { reasons: got_reasons, .. }) => {
                    assert_eq!(got_reasons, reasons, "{}", case.name)
                }
                _ => panic!("{}: expected {:?}, got {got:?}", case.name, case.expect),
            }
            // Service and system mail ignore all of it.
            for kind in [MailKind::Service, MailKind::System] {
                let got = next_slot(&case.policy, tz, kind, &history, wanted, dnc, now);
                assert_eq!(got, Slot::At { at: wanted.max(now), deferred_by: vec![] }, "{}", case.name);
                assert_eq!(may_send_now(&case.policy, tz, kind, &history, wanted, dnc), Ok(()));
            }
        }
    }

    #[test]
    fn expired_reports_where_the_search_gave_up() {
        let policy = CadencePolicy { max_per_window: 1, window_days: 30, min_gap_hours: 0, ..p() };
        let got = next_slot(
            &policy,
            Tz::UTC,
            MailKind::Marketing,
            &[utc("2026-03-01T10:00:00Z")],
            utc("2026-03-02T09:00:00Z"),
            None,
            utc("2026-03-02T00:00:00Z"),
        );
        assert_eq!(
            got,
            Slot::Expired {
                reasons: vec![DeferReason::Cap { sent: 1, window_days: 30 }],
                last_tried: utc("2026-03-02T09:00:00Z"),
            }
        );
        assert!(got.is_expired());
        assert_eq!(got.at(), None);
    }

    #[test]
    fn plan_contact_defers_the_third_of_a_week_to_the_next_free_day() {
        let sends = [
            (3, MailKind::Marketing, utc("2026-03-05T09:00:00Z")),
            (1, MailKind::Marketing, utc("2026-03-02T09:00:00Z")),
            (9, MailKind::System, utc("2026-03-03T03:00:00Z")),
            (2, MailKind::Marketing, utc("2026-03-04T09:00:00Z")),
        ];
        let plan = plan_contact(&p(), Tz::UTC, &[], &sends, None, utc("2026-03-01T00:00:00Z"));
        assert_eq!(
            plan,
            vec![
                (3, Slot::At { at: utc("2026-03-09T09:00:00Z"), deferred_by: vec![CAP_2_7, GAP_48] }),
                (1, Slot::At { at: utc("2026-03-02T09:00:00Z"), deferred_by: vec![] }),
                (9, Slot::At { at: utc("2026-03-03T03:00:00Z"), deferred_by: vec![] }),
                (2, Slot::At { at: utc("2026-03-04T09:00:00Z"), deferred_by: vec![] }),
            ]
        );
        // Same input, same output.
        assert_eq!(plan, plan_contact(&p(), Tz::UTC, &[], &sends, None, utc("2026-03-01T00:00:00Z")));
    }

    #[test]
    fn plan_contact_respects_history_and_expires_what_cannot_fit() {
        let policy = CadencePolicy { max_per_window: 1, window_days: 7, min_gap_hours: 0, ..p() };
        let sends = [
            (1, MailKind::Marketing, utc("2026-03-02T09:00:00Z")),
            (2, MailKind::Marketing, utc("2026-03-03T09:00:00Z")),
            (3, MailKind::Marketing, utc("2026-03-04T09:00:00Z")),
        ];
        let plan = plan_contact(&policy, Tz::UTC, &[utc("2026-02-27T09:00:00Z")], &sends, None, sends[0].2);
        let one_in_seven = DeferReason::Cap { sent: 1, window_days: 7 };
        let deferred = |at: &str| Slot::At { at: utc(at), deferred_by: vec![one_in_seven.clone()] };
        assert_eq!(plan[0], (1, deferred("2026-03-06T09:00:00Z")));
        assert_eq!(plan[1], (2, deferred("2026-03-13T09:00:00Z")));
        // From the 4th the search jumps to the 13th (the 6th's window ends), then to the 20th (the
        // 13th's), which is more than 14 days after the 4th.
        assert_eq!(
            plan[2],
            (3, Slot::Expired { reasons: vec![one_in_seven], last_tried: utc("2026-03-13T09:00:00Z") })
        );
    }

    /// Checks a schedule against every rule of the policy.
    fn assert_schedule_obeys(policy: &CadencePolicy, tz: Tz, sent: &[DateTime<Utc>], label: &str) {
        let mut sorted = sent.to_vec();
        sorted.sort();
        let n = policy.max_per_window as usize;
        let window = days(policy.window_days);
        for (i, first) in sorted.iter().enumerate() {
            if let Some(over) = sorted.get(i + n) {
                assert!(*over - *first >= window, "{label}: {} e-mails within {window} from {first}", n + 1);
            }
            if let Some(next) = sorted.get(i + 1) {
                let gap = TimeDelta::hours(i64::from(policy.min_gap_hours));
                assert!(*next - *first >= gap, "{label}: {first} and {next} closer than the gap");
            }
            let local = first.with_timezone(&tz);
            assert!(!policy.quiet_weekdays.contains(&local.weekday()), "{label}: {local} is quiet");
            let hour = local.hour();
            assert!(
                u32::from(policy.window_start_hour) <= hour && hour < u32::from(policy.window_end_hour),
                "{label}: {local} is outside the window"
            );
        }
    }

    fn policies() -> Vec<CadencePolicy> {
        vec![
            p(),
            CadencePolicy { max_per_window: 3, window_days: 5, min_gap_hours: 0, ..p() },
            CadencePolicy {
                max_per_window: 1,
                window_days: 1,
                min_gap_hours: 12,
                quiet_weekdays: vec![Weekday::Sat, Weekday::Sun],
                window_start_hour: 9,
                window_end_hour: 17,
                ..p()
            },
            CadencePolicy { max_per_window: 5, window_days: 30, min_gap_hours: 24, ..any_day(0, 24) },
            CadencePolicy { max_per_window: 4, window_days: 14, min_gap_hours: 6, ..any_day(1, 3) },
        ]
    }

    /// A simulated year of random sends, planned one at a time in random order (so planned future
    /// e-mails are in the history) and all at once with `plan_contact`: the caps always hold, every
    /// slot is one `may_send_now` accepts, and every slot is the earliest (no allowed instant on a
    /// 10-minute grid before it).
    #[test]
    fn a_year_of_random_sends_never_breaks_the_caps() {
        let year = utc("2026-01-01T00:00:00Z");
        for (seed, policy) in policies().into_iter().enumerate() {
            for tz_name in ["UTC", "Europe/Zagreb", "America/New_York"] {
                let tz = zone(tz_name);
                let mut rng = Rng(seed as u64 * 7919 + tz_name.len() as u64);
                let wanted: Vec<DateTime<Utc>> =
                    (0..150).map(|_| year + TimeDelta::seconds(rng.below(365 * 86_400) as i64)).collect();
                let label = format!("policy {seed} in {tz_name}");

                let mut history: Vec<DateTime<Utc>> = Vec::new();
                for (k, w) in wanted.iter().enumerate() {
                    let now = year;
                    let slot = next_slot(&policy, tz, MailKind::Marketing, &history, *w, None, now);
                    if let Slot::At { at, deferred_by } = slot {
                        assert!(at >= *w && at <= *w + days(policy.expire_after_days), "{label}");
                        assert_eq!(deferred_by.is_empty(), at == *w, "{label}");
                        assert_eq!(may_send_now(&policy, tz, MailKind::Marketing, &history, at, None), Ok(()));
                        if k % 5 == 0 {
                            let mut probe = *w;
                            while probe < at {
                                assert!(
                                    may_send_now(&policy, tz, MailKind::Marketing, &history, probe, None).is_err(),
                                    "{label}: {probe} was free before {at}"
                                );
                                probe += TimeDelta::minutes(10);
                            }
                        }
                        history.push(at);
                    }
                }
                assert!(history.len() > 10, "{label}: only {} sent", history.len());
                assert_schedule_obeys(&policy, tz, &history, &label);

                let sends: Vec<_> =
                    wanted.iter().enumerate().map(|(i, w)| (i as i64, MailKind::Marketing, *w)).collect();
                let plan = plan_contact(&policy, tz, &[], &sends, None, year);
                assert_eq!(plan.len(), sends.len());
                assert!(plan.iter().zip(&sends).all(|((id, _), (want, _, _))| id == want));
                let planned: Vec<_> = plan.iter().filter_map(|(_, slot)| slot.at()).collect();
                assert_schedule_obeys(&policy, tz, &planned, &format!("{label}, plan_contact"));
            }
        }
    }

    /// `may_send_now` says yes exactly when `next_slot` would send on time, and its reason is the
    /// first one `next_slot` reports.
    #[test]
    fn may_send_now_agrees_with_next_slot() {
        let start = utc("2026-03-01T00:00:00Z");
        let mut rng = Rng(42);
        for policy in policies() {
            for tz_name in ["UTC", "Europe/Zagreb", "America/New_York"] {
                let tz = zone(tz_name);
                for _ in 0..300 {
                    let history: Vec<_> =
                        (0..rng.below(6)).map(|_| start + TimeDelta::minutes(rng.below(30 * 24 * 60) as i64)).collect();
                    let now = start + TimeDelta::minutes(rng.below(30 * 24 * 60) as i64);
                    let dnc = (rng.below(4) == 0).then(|| start + TimeDelta::hours(rng.below(30 * 24) as i64));
                    let verdict = may_send_now(&policy, tz, MailKind::Marketing, &history, now, dnc);
                    let slot = next_slot(&policy, tz, MailKind::Marketing, &history, now, dnc, now);
                    match (&verdict, &slot) {
                        (Ok(()), Slot::At { at, deferred_by }) => {
                            assert_eq!((*at, deferred_by.len()), (now, 0))
                        }
                        (Err(reason), Slot::At { at, deferred_by }) => {
                            assert!(*at > now);
                            assert_eq!(deferred_by.first(), Some(reason));
                        }
                        (Err(reason), Slot::Expired { reasons, .. }) => assert_eq!(reasons.first(), Some(reason)),
                        (Ok(()), Slot::Expired { .. }) => panic!("{now}: allowed now but expired"),
                    }
                }
            }
        }
    }

    #[test]
    fn absurd_input_does_not_panic() {
        let extremes = [DateTime::<Utc>::MIN_UTC, utc("2026-03-02T09:00:00Z"), DateTime::<Utc>::MAX_UTC];
        let policies = [
            CadencePolicy {
                max_per_window: u32::MAX,
                window_days: u32::MAX,
                min_gap_hours: u32::MAX,
                window_start_hour: u8::MAX,
                window_end_hour: u8::MAX,
                expire_after_days: u32::MAX,
                time_zone: "Nowhere/Else".into(),
                ..p()
            },
            CadencePolicy { max_per_window: 0, window_days: 0, expire_after_days: 0, ..p() },
            CadencePolicy { window_start_hour: 18, window_end_hour: 8, ..p() },
            CadencePolicy {
                quiet_weekdays: WEEK.to_vec(),
                window_start_hour: 0,
                window_end_hour: 24,
                expire_after_days: u32::MAX,
                ..p()
            },
            CadencePolicy { expire_after_days: u32::MAX, ..p() },
        ];
        for policy in &policies {
            let tz = policy.recipient_zone(Some("Pacific/Apia"));
            for wanted in extremes {
                for now in extremes {
                    for dnc in [None, Some(DateTime::<Utc>::MAX_UTC)] {
                        let slot = next_slot(policy, tz, MailKind::Marketing, &extremes, wanted, dnc, now);
                        if let Slot::At { at, .. } = slot {
                            assert!(at >= wanted.max(now));
                        }
                        let _ = may_send_now(policy, tz, MailKind::Marketing, &extremes, now, dnc);
                        let sends = [(1, MailKind::Marketing, wanted), (2, MailKind::Service, now)];
                        assert_eq!(plan_contact(policy, tz, &extremes, &sends, dnc, now).len(), 2);
                    }
                }
            }
        }
        // Impossible policies expire at once instead of searching.
        let never = CadencePolicy { max_per_window: 0, ..p() };
        let slot = next_slot(&never, Tz::UTC, MailKind::Marketing, &[], extremes[1], None, extremes[1]);
        assert_eq!(
            slot,
            Slot::Expired { reasons: vec![DeferReason::Cap { sent: 0, window_days: 7 }], last_tried: extremes[1] }
        );
    }

    #[test]
    fn samoa_skipped_a_whole_day() {
        // Pacific/Apia jumped from 2011-12-29 23:59:59 (−10) to 2011-12-31 00:00 (+14).
        let policy = any_day(8, 18);
        let tz = zone("Pacific/Apia");
        let slot = next_slot(
            &policy,
            tz,
            MailKind::Marketing,
            &[],
            utc("2011-12-30T05:00:00Z"), // 19:00 on the 29th there
            None,
            utc("2011-12-01T00:00:00Z"),
        );
        // 08:00 on the 31st, +14.
        assert_eq!(slot.at(), Some(utc("2011-12-30T18:00:00Z")));
    }

    #[test]
    fn reasons_read_as_sentences() {
        let cases = [
            (CAP_2_7, "2 e-mails in the 7 days before"),
            (DeferReason::Cap { sent: 1, window_days: 1 }, "1 e-mail in the day before"),
            (GAP_48, "48 h since the last e-mail"),
            (DeferReason::QuietDay(Weekday::Sun), "Sunday is quiet"),
            (window(8, 18, "Europe/Zagreb"), "outside 08:00–18:00 Europe/Zagreb"),
            (DeferReason::DoNotContact(utc("2026-12-01T00:00:00Z")), "do not contact until 2026-12-01"),
            (DeferReason::DoNotContact(utc("2026-12-01T14:30:00Z")), "do not contact until 2026-12-01 14:30 UTC"),
            (
                DeferReason::TooLate { planned: utc("2026-03-02T09:00:00Z"), expire_after_days: 14 },
                "more than 14 days past its planned time (2026-03-02 09:00 UTC)",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }

    #[test]
    fn validation_names_every_bad_field() {
        let bad = CadencePolicy {
            max_per_window: 0,
            window_days: 366,
            min_gap_hours: CadencePolicy::MAX_GAP_HOURS + 1,
            quiet_weekdays: WEEK.to_vec(),
            window_start_hour: 24,
            window_end_hour: 25,
            time_zone: "Europe/Atlantis".into(),
            expire_after_days: 0,
        };
        let fields: Vec<String> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "max_per_window",
                "window_days",
                "min_gap_hours",
                "quiet_weekdays",
                "window_start_hour",
                "window_end_hour",
                "expire_after_days",
                "time_zone"
            ]
        );

        let table: [(CadencePolicy, &str); 7] = [
            (CadencePolicy { max_per_window: 101, ..p() }, "max_per_window"),
            (CadencePolicy { window_days: 0, ..p() }, "window_days"),
            (CadencePolicy { window_start_hour: 18, window_end_hour: 18, ..p() }, "window_end_hour"),
            (CadencePolicy { window_end_hour: 0, ..p() }, "window_end_hour"),
            (CadencePolicy { time_zone: " ".into(), ..p() }, "time_zone"),
            (CadencePolicy { time_zone: "europe/zagreb".into(), ..p() }, "time_zone"),
            (CadencePolicy { expire_after_days: 400, ..p() }, "expire_after_days"),
        ];
        for (policy, field) in table {
            let err = policy.clone().validate().unwrap_err();
            assert_eq!(err.0.len(), 1, "{policy:?}: {err}");
            assert_eq!(err.0[0].field, field, "{policy:?}: {err}");
        }
        let err = CadencePolicy { time_zone: "Mars/Olympus".into(), ..p() }.validate().unwrap_err();
        assert!(err.to_string().contains("unknown time zone `Mars/Olympus`"), "{err}");

        let ok = CadencePolicy {
            time_zone: " Europe/Zagreb ".into(),
            quiet_weekdays: vec![Weekday::Sun, Weekday::Sat, Weekday::Sun],
            window_start_hour: 0,
            window_end_hour: 24,
            ..p()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.time_zone, "Europe/Zagreb");
        assert_eq!(ok.quiet_weekdays, [Weekday::Sat, Weekday::Sun]);
        assert_eq!(p().validate(), Ok(p()));
    }

    #[test]
    fn recipient_zone_falls_back() {
        let policy = CadencePolicy { time_zone: "Europe/Zagreb".into(), ..p() };
        assert_eq!(policy.recipient_zone(Some("America/New_York")), zone("America/New_York"));
        assert_eq!(policy.recipient_zone(Some("bogus")), zone("Europe/Zagreb"));
        assert_eq!(policy.recipient_zone(None), zone("Europe/Zagreb"));
        assert_eq!(CadencePolicy { time_zone: "bogus".into(), ..p() }.recipient_zone(None), Tz::UTC);
    }

    #[test]
    fn serde_round_trip() {
        let policy = CadencePolicy {
            quiet_weekdays: vec![Weekday::Sat, Weekday::Sun],
            time_zone: "Europe/Zagreb".into(),
            ..p()
        };
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "max_per_window": 2, "window_days": 7, "min_gap_hours": 48, "quiet_weekdays": ["sat", "sun"],
                "window_start_hour": 8, "window_end_hour": 18, "time_zone": "Europe/Zagreb", "expire_after_days": 14
            })
        );
        assert_eq!(serde_json::from_value::<CadencePolicy>(json).unwrap(), policy);

        let partial: CadencePolicy =
            serde_json::from_str(r#"{"max_per_window": 3, "quiet_weekdays": ["Saturday", "SUN"]}"#).unwrap();
        assert_eq!(
            partial,
            CadencePolicy { max_per_window: 3, quiet_weekdays: vec![Weekday::Sat, Weekday::Sun], ..p() }
        );
        let err = serde_json::from_str::<CadencePolicy>(r#"{"quiet_weekdays": ["funday"]}"#).unwrap_err();
        assert!(err.to_string().contains("unknown weekday `funday`"), "{err}");
        assert!(serde_json::from_str::<CadencePolicy>(r#"{"max_per_windw": 3}"#).is_err());

        assert_eq!(serde_json::to_value(MailKind::Service).unwrap(), "service");
        assert!(MailKind::parse("transactional").is_err());
        assert_eq!(MailKind::parse("marketing"), Ok(MailKind::Marketing));
        assert!(MailKind::parse("spam").is_err());
        assert_eq!(MailKind::Marketing.label(), "Marketing");

        let slot = Slot::At {
            at: utc("2026-03-09T09:00:00Z"),
            deferred_by: vec![CAP_2_7, DeferReason::QuietDay(Weekday::Sun), window(8, 18, "UTC")],
        };
        assert_eq!(
            serde_json::to_value(&slot).unwrap(),
            serde_json::json!({
                "status": "at",
                "at": "2026-03-09T09:00:00Z",
                "deferred_by": [
                    {"cap": {"sent": 2, "window_days": 7}},
                    {"quiet_day": "sun"},
                    {"outside_window": {"start_hour": 8, "end_hour": 18, "time_zone": "UTC"}}
                ]
            })
        );
    }
}

//! The communication plan: milestones, messages to segments of the campaign's contacts, and what
//! happens to each planned e-mail (the outbox statuses). The cadence rules are in [`crate::cadence`],
//! the templates in [`crate::template`].

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cadence::MailKind;
use crate::campaign::LanguageTag;
use crate::contact::Consent;
use crate::partner::{Audience, Category, Tier};
use crate::pipeline::Stage;
use crate::validation::{Check, Invalid, required_text};
use crate::{CampaignId, UserId};

named_enum!(
    /// The moments a campaign writes to its partners about.
    MilestoneKind {
        Announcement = "announcement" / "Announcement",
        RegistrationOpens = "registration_opens" / "Registration opens",
        Reminder = "reminder" / "Reminder",
        CampaignWeek = "campaign_week" / "Campaign week",
        ThankYou = "thank_you" / "Thank you",
        ReportBack = "report_back" / "Report back",
        Other = "other" / "Other",
    }
);

named_enum!(
    /// Where one planned e-mail to one contact stands.
    OutboxStatus {
        Planned = "planned" / "Planned",
        Deferred = "deferred" / "Deferred",
        Sending = "sending" / "Sending",
        Sent = "sent" / "Sent",
        Failed = "failed" / "Failed",
        Bounced = "bounced" / "Bounced",
        Suppressed = "suppressed" / "Suppressed",
        Expired = "expired" / "Expired",
        Paused = "paused" / "Paused",
        Cancelled = "cancelled" / "Cancelled",
    }
);

named_enum!(
    /// What the team can do to a queued message's e-mails that are still waiting.
    SendControl {
        Pause = "pause" / "Pause",
        Resume = "resume" / "Resume",
        Cancel = "cancel" / "Cancel",
    }
);

named_enum!(
    /// Why an address gets no (marketing) e-mail.
    SuppressionReason {
        Unsubscribed = "unsubscribed" / "Unsubscribed",
        HardBounce = "hard_bounce" / "Hard bounce",
        Complaint = "complaint" / "Complaint",
        Manual = "manual" / "Added by the team",
    }
);

named_enum!(
    /// What the team writes. Rally's own system mail (confirmations, reminders, links) is not a message
    /// the team can write.
    MessageKind {
        Marketing = "marketing" / "Marketing",
        Service = "service" / "Service",
    }
);

impl MessageKind {
    /// What the kind means, for the person choosing it.
    pub fn explain(self) -> &'static str {
        match self {
            MessageKind::Marketing => "campaign news: follows the cadence rules, only to contacts who consented",
            MessageKind::Service => {
                "one-to-one operational mail (“your posters ship Monday”): only to partners with an agreed commitment, never held back"
            }
        }
    }

    /// How the outbox and the cadence rules treat its e-mails.
    pub fn mail_kind(self) -> MailKind {
        match self {
            MessageKind::Marketing => MailKind::Marketing,
            MessageKind::Service => MailKind::Service,
        }
    }
}

named_enum!(
    /// How far the suppression list holds an address back.
    SuppressionScope {
        Marketing = "marketing" / "Marketing e-mail",
        All = "all" / "All e-mail",
    }
);

/// What the campaign knows about one contact that decides whether a team message may reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reachability {
    /// The widest suppression of the address, if it is on the list.
    pub suppressed: Option<SuppressionScope>,
    pub preference: MailPreference,
    pub consent: Consent,
    /// Whether the contact's partner has agreed to an ask (a commitment in `agreed`).
    pub agreed_commitment: bool,
    /// The contact agreed to a version of the privacy notice that a later one, marked "must agree
    /// again", replaced, and has not agreed since.
    pub needs_reconsent: bool,
}

/// Why a message of `kind` may not reach a contact, in words for the coordinator; `None` when it may.
/// `legitimate_interest`: the campaign sends marketing e-mail to contacts whose consent is unknown.
///
/// - Nobody who unsubscribed from everything, bounced, complained, was suppressed or opted out gets
///   anything the team writes.
/// - Marketing also needs the contact not to have asked for essential e-mail only, and consent (or the
///   campaign's legitimate interest for contacts never asked).
/// - Service mail goes only to partners that agreed to an ask: it is about their commitment.
pub fn exclusion(kind: MessageKind, who: &Reachability, legitimate_interest: bool) -> Option<&'static str> {
    if who.preference == MailPreference::None {
        return Some("unsubscribed from all e-mail");
    }
    if who.suppressed == Some(SuppressionScope::All) {
        return Some("on the suppression list (a bounce, a complaint, or added by the team)");
    }
    if who.consent == Consent::OptedOut {
        return Some("opted out of campaign e-mail");
    }
    match kind {
        MessageKind::Marketing => {
            if who.preference == MailPreference::Essential || who.suppressed == Some(SuppressionScope::Marketing) {
                Some("asked for essential e-mail only")
            } else if who.needs_reconsent {
                Some("must agree to the new privacy notice")
            } else if who.consent == Consent::Unknown && !legitimate_interest {
                Some("has not consented to campaign e-mail (the e-mail settings send marketing only with consent)")
            } else {
                None
            }
        }
        MessageKind::Service if !who.agreed_commitment => {
            Some("no agreed commitment: service e-mail goes only to partners that agreed to an ask")
        }
        MessageKind::Service => None,
    }
}

named_enum!(
    /// What a contact chose on the unsubscribe page.
    MailPreference {
        All = "all" / "Every campaign e-mail",
        Fewer = "fewer" / "Fewer e-mails (at most one a week)",
        Essential = "essential" / "Only essential e-mails (confirmations, changes)",
        None = "none" / "No e-mail at all",
    }
);

/// The cadence for a contact who asked for fewer e-mails: at most one marketing e-mail a week (or per
/// the campaign's window, if that is longer).
pub fn fewer(policy: &crate::cadence::CadencePolicy) -> crate::cadence::CadencePolicy {
    crate::cadence::CadencePolicy { max_per_window: 1, window_days: policy.window_days.max(7), ..policy.clone() }
}

/// A dated moment of the campaign's communication plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub id: i64,
    pub campaign_id: CampaignId,
    pub kind: MilestoneKind,
    pub title: String,
    pub on: NaiveDate,
}

/// Which contacts a message goes to. Every condition that is set must hold; an empty list or `None`
/// means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Segment {
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub categories: Vec<Category>,
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub audiences: Vec<Audience>,
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub tiers: Vec<Tier>,
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub stages: Vec<Stage>,
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::SEGMENT_VALUES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 250))]
    pub owners: Vec<UserId>,
    /// ISO 3166-1 codes of the partner's country.
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::SEGMENT_VALUES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 250, value_type = Vec<CountryOfSegment>))]
    pub countries: Vec<String>,
    /// The contact's language.
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::SEGMENT_VALUES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 250))]
    pub languages: Vec<LanguageTag>,
    /// The contact's consent; nothing the team writes goes to contacts who opted out, whatever this says.
    #[serde(deserialize_with = "crate::limits::bounded::vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub consent: Vec<Consent>,
}

impl Segment {
    /// Words for the coordinator: "media and school networks · low reach · in Lead or Contacted".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let join = |v: Vec<&str>| v.join(", ");
        if !self.categories.is_empty() {
            parts.push(join(self.categories.iter().map(|c| c.label()).collect()));
        }
        if !self.audiences.is_empty() {
            parts.push(format!("reaching {}", join(self.audiences.iter().map(|a| a.as_str()).collect())));
        }
        if !self.tiers.is_empty() {
            parts.push(format!("{} reach", join(self.tiers.iter().map(|t| t.as_str()).collect())));
        }
        if !self.stages.is_empty() {
            parts.push(format!("in {}", join(self.stages.iter().map(|s| s.label()).collect())));
        }
        if !self.countries.is_empty() {
            parts.push(format!("in {}", self.countries.join(", ")));
        }
        if !self.languages.is_empty() {
            parts.push(format!("speaking {}", join(self.languages.iter().map(|l| l.as_str()).collect())));
        }
        if !self.owners.is_empty() {
            parts.push(format!("{} owner(s)", self.owners.len()));
        }
        if !self.consent.is_empty() {
            parts.push(format!("consent {}", join(self.consent.iter().map(|c| c.as_str()).collect())));
        }
        if parts.is_empty() { "every contact".into() } else { parts.join(" · ") }
    }

    /// Whether a contact of a partner with these properties is in the segment.
    pub fn matches(&self, who: &SegmentSubject<'_>) -> bool {
        let any = |list_empty: bool, hit: bool| list_empty || hit;
        any(self.categories.is_empty(), self.categories.contains(&who.category))
            && any(self.audiences.is_empty(), self.audiences.iter().any(|a| who.audiences.contains(a)))
            && any(self.tiers.is_empty(), self.tiers.contains(&who.tier))
            && any(self.stages.is_empty(), self.stages.contains(&who.stage))
            && any(self.owners.is_empty(), who.owner.is_some_and(|o| self.owners.contains(&o)))
            && any(self.countries.is_empty(), who.country.is_some_and(|c| self.countries.iter().any(|x| x == c)))
            && any(self.languages.is_empty(), who.language.is_some_and(|l| self.languages.contains(l)))
            && any(self.consent.is_empty(), self.consent.contains(&who.consent))
    }

    fn validate(mut self, c: &mut Check) -> Segment {
        let mut countries = Vec::new();
        for raw in &self.countries {
            if let Some(code) = c.take("segment.countries", crate::campaign::parse_country(raw)) {
                countries.push(code);
            }
        }
        self.countries = countries;
        self.categories.sort();
        self.categories.dedup();
        self.audiences.sort();
        self.audiences.dedup();
        self
    }
}

/// A two-letter ISO 3166-1 code in a segment (any case). (The API document's name for it.)
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
#[allow(dead_code)]
pub struct CountryOfSegment(String);

/// What a segment looks at: a contact and its partner.
#[derive(Debug, Clone, Copy)]
pub struct SegmentSubject<'a> {
    pub category: Category,
    pub audiences: &'a [Audience],
    pub tier: Tier,
    pub stage: Stage,
    pub owner: Option<UserId>,
    pub country: Option<&'a str>,
    pub language: Option<&'a LanguageTag>,
    pub consent: Consent,
}

/// When a message goes: on a milestone's day at a local time, or at an explicit instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SendTime {
    /// On the milestone's date, at this time of day in each recipient's time zone.
    Milestone {
        milestone_id: i64,
        at: NaiveTime,
    },
    At(DateTime<Utc>),
}

/// The validated fields of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageFields {
    pub title: String,
    pub kind: MessageKind,
    pub segment: Segment,
    pub send: SendTime,
    /// The language used for contacts whose language has no template.
    pub fallback_language: LanguageTag,
}

/// A message as a client sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MessageDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub title: Option<String>,
    pub kind: Option<MessageKind>,
    pub segment: Option<Segment>,
    pub send: Option<SendTime>,
    pub fallback_language: Option<String>,
}

merge_drafts!(MessageDraft { title, kind, segment, send, fallback_language });

impl MessageDraft {
    pub fn validate(self) -> Result<MessageFields, Invalid> {
        let mut c = Check::default();
        let title = c.take("title", required_text(self.title.as_deref().unwrap_or_default(), 200));
        let segment = self.segment.unwrap_or_default().validate(&mut c);
        if self.send.is_none() {
            c.fail("send", "say when: on a milestone (with a time of day) or at a date and time");
        }
        let fallback =
            c.take("fallback_language", LanguageTag::parse(self.fallback_language.as_deref().unwrap_or("en")));
        let fields = (|| {
            Some(MessageFields {
                title: title?,
                kind: self.kind.unwrap_or(MessageKind::Marketing),
                segment,
                send: self.send?,
                fallback_language: fallback?,
            })
        })();
        c.finish(fields)
    }
}

impl MessageFields {
    pub fn to_draft(&self) -> MessageDraft {
        MessageDraft {
            title: Some(self.title.clone()),
            kind: Some(self.kind),
            segment: Some(self.segment.clone()),
            send: Some(self.send.clone()),
            fallback_language: Some(self.fallback_language.to_string()),
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub campaign_id: CampaignId,
    #[serde(flatten)]
    pub fields: MessageFields,
    /// When its e-mails were put in the outbox; `None` while it is a draft.
    pub planned_at: Option<DateTime<Utc>>,
    /// Since when its waiting e-mails are held back (none is claimed until it is resumed).
    pub paused_at: Option<DateTime<Utc>>,
    /// When its unsent e-mails were dropped; a cancelled message sends nothing more.
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Message {
    /// Where its sending stands: `None` for a draft, else "queued", "paused" or "cancelled".
    pub fn sending(&self) -> Option<&'static str> {
        match (self.planned_at, self.paused_at, self.cancelled_at) {
            (None, _, _) => None,
            (_, _, Some(_)) => Some("cancelled"),
            (_, Some(_), None) => Some("paused"),
            _ => Some("queued"),
        }
    }
}

/// Which template a contact gets: its language (else the message's fallback), and the variant for its
/// partner's category (else the message's default text). So an IT company's employees and a teachers'
/// network can read different words for the same announcement.
pub fn pick_template<'a, T>(
    templates: &'a [(LanguageTag, Option<Category>, T)],
    language: Option<&LanguageTag>,
    fallback: &LanguageTag,
    category: Category,
) -> Option<&'a T> {
    let find = |lang: &LanguageTag, cat: Option<Category>| {
        templates.iter().find(|(l, c, _)| l == lang && *c == cat).map(|(_, _, t)| t)
    };
    let mut order: Vec<(&LanguageTag, Option<Category>)> = Vec::new();
    if let Some(lang) = language {
        order.push((lang, Some(category)));
        order.push((lang, None));
    }
    order.push((fallback, Some(category)));
    order.push((fallback, None));
    order.into_iter().find_map(|(l, c)| find(l, c))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn templates_by_language_then_category_then_fallback() {
        let hr = LanguageTag::parse("hr").unwrap();
        let en = LanguageTag::parse("en").unwrap();
        let fr = LanguageTag::parse("fr").unwrap();
        let t = vec![
            (hr.clone(), None, "hr default"),
            (hr.clone(), Some(Category::ItCompany), "hr for companies"),
            (en.clone(), None, "en default"),
        ];
        assert_eq!(pick_template(&t, Some(&hr), &en, Category::ItCompany), Some(&"hr for companies"));
        assert_eq!(pick_template(&t, Some(&hr), &en, Category::SchoolNetwork), Some(&"hr default"));
        assert_eq!(pick_template(&t, Some(&fr), &en, Category::SchoolNetwork), Some(&"en default"));
        assert_eq!(pick_template(&t, None, &en, Category::Media), Some(&"en default"));
        assert_eq!(pick_template(&t[..2], Some(&fr), &en, Category::Media), None);
    }

    #[test]
    fn messages_need_a_title_and_a_time() {
        let err = MessageDraft {
            segment: Some(Segment { countries: vec!["Croatia".into()], ..Default::default() }),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "segment.countries", "send"]);
    }

    #[test]
    fn who_a_message_may_reach() {
        let fine = Reachability {
            suppressed: None,
            preference: MailPreference::All,
            consent: Consent::OptedIn,
            agreed_commitment: true,
            needs_reconsent: false,
        };
        use MessageKind::{Marketing, Service};
        let cases: &[(Reachability, bool, Option<&str>, Option<&str>)] = &[
            // (who, legitimate interest, marketing, service)
            (fine, false, None, None),
            (
                Reachability { preference: MailPreference::None, ..fine },
                true,
                Some("unsubscribed"),
                Some("unsubscribed"),
            ),
            (
                Reachability { suppressed: Some(SuppressionScope::All), ..fine },
                true,
                Some("suppression"),
                Some("suppression"),
            ),
            (Reachability { consent: Consent::OptedOut, ..fine }, true, Some("opted out"), Some("opted out")),
            (Reachability { preference: MailPreference::Essential, ..fine }, true, Some("essential"), None),
            (Reachability { suppressed: Some(SuppressionScope::Marketing), ..fine }, true, Some("essential"), None),
            (Reachability { consent: Consent::Unknown, ..fine }, false, Some("not consented"), None),
            (Reachability { consent: Consent::Unknown, ..fine }, true, None, None),
            (Reachability { agreed_commitment: false, ..fine }, false, None, Some("no agreed commitment")),
            (Reachability { preference: MailPreference::Fewer, ..fine }, false, None, None),
            (Reachability { needs_reconsent: true, ..fine }, true, Some("new privacy notice"), None),
        ];
        for (who, li, marketing, service) in cases {
            for (kind, want) in [(Marketing, marketing), (Service, service)] {
                let got = exclusion(kind, who, *li);
                match (got, want) {
                    (None, None) => {}
                    (Some(g), Some(w)) => assert!(g.contains(w), "{who:?} {kind:?}: {g}"),
                    _ => panic!("{who:?} {kind:?} (legitimate interest {li}): got {got:?}, wanted {want:?}"),
                }
            }
        }
        assert!(MessageKind::parse("transactional").is_err());
        assert_eq!(MessageKind::Service.mail_kind(), MailKind::Service);
    }

    #[test]
    fn segments_describe_themselves() {
        let s = Segment { categories: vec![Category::SchoolNetwork], tiers: vec![Tier::Low], ..Default::default() };
        assert_eq!(s.describe(), "School network · low reach");
        assert_eq!(Segment::default().describe(), "every contact");
    }
}

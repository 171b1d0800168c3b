//! Retention: how long Rally keeps each kind of personal data and what it does when the time is up.
//! Plain data and pure rules, read by the campaign's retention page, the data-processing register and
//! the purge alike, so what the register promises is what the purge does.
//!
//! Five rules are per campaign (an owner may change their periods within bounds; a campaign that did
//! not keeps the defaults); two are Rally-wide (sign-in records and the audit log belong to no one
//! campaign).

use std::collections::BTreeMap;

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::validation::Check;

named_enum!(
    /// One kind of data Rally stops keeping after a while.
    RetentionRule {
        UnconfirmedRegistrations = "unconfirmed_registrations" / "Unconfirmed registrations",
        CertificateNames = "certificate_names" / "Names for certificates",
        OutboxBodies = "outbox_bodies" / "Contents of e-mails",
        LostPartnerContacts = "lost_partner_contacts" / "Contacts of lost partners",
        ArchivedCampaign = "archived_campaign" / "Archived campaign",
        RejectedSuggestions = "rejected_suggestions" / "Senders of rejected activity suggestions",
        SignInRecords = "sign_in_records" / "Sessions and sign-in records",
        AuditLog = "audit_log" / "Audit log",
    }
);

/// What a rule's period counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    Days,
    /// Calendar years (the same day, that many years earlier).
    Years,
}

/// The rules an owner may change for their campaign, in the order the page shows them.
pub const PER_CAMPAIGN: [RetentionRule; 6] = [
    RetentionRule::UnconfirmedRegistrations,
    RetentionRule::CertificateNames,
    RetentionRule::OutboxBodies,
    RetentionRule::RejectedSuggestions,
    RetentionRule::LostPartnerContacts,
    RetentionRule::ArchivedCampaign,
];

impl RetentionRule {
    /// Whether an owner may set this rule's period for their campaign.
    pub fn per_campaign(self) -> bool {
        PER_CAMPAIGN.contains(&self)
    }

    pub fn unit(self) -> PeriodUnit {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations | CertificateNames | OutboxBodies | RejectedSuggestions | SignInRecords => {
                PeriodUnit::Days
            }
            LostPartnerContacts | ArchivedCampaign | AuditLog => PeriodUnit::Years,
        }
    }

    /// The period a campaign keeps unless its owners change it.
    pub fn default_period(self) -> u32 {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => 14,
            CertificateNames => 90,
            OutboxBodies => 30,
            RejectedSuggestions => 90,
            SignInRecords => 30,
            LostPartnerContacts => 2,
            ArchivedCampaign => 3,
            AuditLog => 2,
        }
    }

    /// The shortest and longest period an owner may set, in the rule's unit. Never zero (Rally would
    /// remove what it has just been given) and never a lifetime.
    pub fn bounds(self) -> (u32, u32) {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => (1, 90),
            // An organizer prints their certificate in the weeks after the event.
            CertificateNames => (7, 730),
            OutboxBodies => (1, 365),
            // Long enough to answer the sender's reply to the rejection.
            RejectedSuggestions => (7, 365),
            SignInRecords => (1, 365),
            LostPartnerContacts | ArchivedCampaign => (1, 10),
            AuditLog => (1, 10),
        }
    }

    /// The data the rule covers, in people's words.
    pub fn covers(self) -> &'static str {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => "Event registrations whose organizer never confirmed their address",
            CertificateNames => "The organizer's name an event keeps for its certificates of participation",
            OutboxBodies => {
                "The subject, text, recipient's name and unsubscribe link of e-mails Rally sent or gave up on"
            }
            RejectedSuggestions => "The name and e-mail address of whoever suggested an activity the team rejected",
            LostPartnerContacts => "Contacts of partners closed as lost, with no interaction, stage change or e-mail",
            ArchivedCampaign => "Everything an archived campaign holds: partners, contacts, events, e-mails, files",
            SignInRecords => {
                "Ended sessions, sign-in attempts, used or expired reset and address links, expired invitations \
                 (browsers remembered for sign-in: a year after their last use)"
            }
            AuditLog => "Entries of the audit log: who did what, when and from which address",
        }
    }

    /// From when the period counts.
    pub fn counted_from(self) -> &'static str {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => "after the registration",
            CertificateNames => "after the event's last day",
            OutboxBodies => "after the e-mail was written",
            RejectedSuggestions => "after the rejection",
            LostPartnerContacts => "after the last activity",
            ArchivedCampaign => "after the campaign was archived",
            SignInRecords => "after they ended or were last used",
            AuditLog => "after the entry was written",
        }
    }

    /// What Rally does when the period is over.
    pub fn outcome(self) -> &'static str {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => "deleted",
            CertificateNames => "the name is removed; the event, its figures and place stay",
            OutboxBodies => "emptied; the e-mail's address, status and times stay for the statistics",
            RejectedSuggestions => "the sender's name and address are removed; the rejected suggestion stays",
            LostPartnerContacts => "anonymized: name, address, phone and role removed, also from notes and tasks",
            ArchivedCampaign => "deleted with everything in it",
            SignInRecords => "deleted",
            AuditLog => "deleted",
        }
    }

    /// Why Rally keeps the data that long, and no longer.
    pub fn why(self) -> &'static str {
        use RetentionRule::*;
        match self {
            UnconfirmedRegistrations => {
                "An organizer who does not confirm within two weeks will not; the registration was never published."
            }
            CertificateNames => {
                "Organizers print certificates in the weeks after their event; the counts stay for the campaign's \
                 figures."
            }
            OutboxBodies => {
                "The team checks what went out and answers replies in the first weeks; afterwards the status and \
                 time are enough, and the address keeps a suppressed person from being e-mailed again."
            }
            RejectedSuggestions => {
                "The sender may answer the rejection or suggest the activity again in the weeks after; a rejected \
                 suggestion needs no sender after that."
            }
            LostPartnerContacts => {
                "A lost partner may come back next campaign; after two quiet years its people are no longer \
                 contacts the team needs."
            }
            ArchivedCampaign => {
                "An archived campaign is kept for the next campaigns' comparisons and funders' reports, which \
                 look back up to three yearly editions."
            }
            SignInRecords => "Enough to throttle guessing and to show a user their recent sessions.",
            AuditLog => "To account for who did what with personal data in the current and the previous campaign.",
        }
    }

    /// "14 days", "1 year", "3 years".
    pub fn describe(self, amount: u32) -> String {
        let (one, many) = match self.unit() {
            PeriodUnit::Days => ("day", "days"),
            PeriodUnit::Years => ("year", "years"),
        };
        format!("{amount} {}", if amount == 1 { one } else { many })
    }

    /// The instant before which data under this rule is past a period of `amount` at `now`.
    pub fn cutoff(self, now: DateTime<Utc>, amount: u32) -> DateTime<Utc> {
        match self.unit() {
            PeriodUnit::Days => now - chrono::Duration::days(i64::from(amount)),
            PeriodUnit::Years => {
                now.checked_sub_months(Months::new(amount.saturating_mul(12))).unwrap_or(DateTime::<Utc>::MIN_UTC)
            }
        }
    }

    /// "must be between 1 and 90 days": the error for a period outside the bounds.
    fn bounds_message(self) -> String {
        let (min, max) = self.bounds();
        let unit = match self.unit() {
            PeriodUnit::Days => "days",
            PeriodUnit::Years => "years",
        };
        format!("must be a whole number between {min} and {max} {unit}")
    }
}

/// A campaign's retention periods: the rules its owners changed, each in the rule's unit. A rule not
/// listed keeps its default; the store keeps a row only for a changed rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RetentionPeriods(
    #[serde(deserialize_with = "crate::limits::bounded::map::<_, _, _, { crate::limits::CHOICES }>")]
    pub  BTreeMap<RetentionRule, u32>,
);

/// The periods an owner sets for their campaign, each in its rule's unit (days or years); a rule left
/// out keeps its default. (The document's form of [`RetentionPeriods`], read as a map from rule to
/// period.)
#[cfg(feature = "openapi")]
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OpenRetentionPeriods {
    /// Days, 1 to 90 (default 14).
    #[schema(minimum = 1, maximum = 90, nullable = false)]
    unconfirmed_registrations: Option<u32>,
    /// Days after the event's last day, 7 to 730 (default 90).
    #[schema(minimum = 7, maximum = 730, nullable = false)]
    certificate_names: Option<u32>,
    /// Days, 1 to 365 (default 30).
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    outbox_bodies: Option<u32>,
    /// Days after the rejection, 7 to 365 (default 90).
    #[schema(minimum = 7, maximum = 365, nullable = false)]
    rejected_suggestions: Option<u32>,
    /// Years without activity, 1 to 10 (default 2).
    #[schema(minimum = 1, maximum = 10, nullable = false)]
    lost_partner_contacts: Option<u32>,
    /// Years after archiving, 1 to 10 (default 3).
    #[schema(minimum = 1, maximum = 10, nullable = false)]
    archived_campaign: Option<u32>,
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RetentionPeriods {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <OpenRetentionPeriods as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RetentionPeriods {}

impl RetentionPeriods {
    /// The period of `rule` in this campaign: the owners' choice, else the default.
    pub fn period(&self, rule: RetentionRule) -> u32 {
        self.0.get(&rule).copied().unwrap_or_else(|| rule.default_period())
    }

    /// Checks periods a client sends: per-campaign rules only, each within its bounds. A period equal
    /// to the default is dropped (the campaign follows the default, and a later change of the default).
    pub fn validate(self) -> Result<RetentionPeriods, Invalid> {
        let mut c = Check::default();
        let mut kept = BTreeMap::new();
        for (rule, amount) in self.0 {
            let (min, max) = rule.bounds();
            if !rule.per_campaign() {
                c.fail(rule.as_str(), "is the same for every campaign and cannot be changed here");
            } else if !(min..=max).contains(&amount) {
                c.fail(rule.as_str(), rule.bounds_message());
            } else if amount != rule.default_period() {
                kept.insert(rule, amount);
            }
        }
        c.finish(Some(RetentionPeriods(kept)))
    }
}

/// What one run of the rules removed (or, in a dry run, would remove): rows per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionReport {
    pub dry_run: bool,
    /// Every rule, in `RetentionRule::ALL` order, with the rows it removed, emptied or anonymized
    /// (campaigns, for the archived-campaign rule).
    pub rules: Vec<RuleCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleCount {
    pub rule: RetentionRule,
    pub rows: u64,
}

impl RetentionReport {
    pub fn new(dry_run: bool) -> RetentionReport {
        RetentionReport { dry_run, rules: RetentionRule::ALL.iter().map(|&rule| RuleCount { rule, rows: 0 }).collect() }
    }

    pub fn add(&mut self, rule: RetentionRule, rows: u64) {
        if let Some(c) = self.rules.iter_mut().find(|c| c.rule == rule) {
            c.rows += rows;
        }
    }

    pub fn count(&self, rule: RetentionRule) -> u64 {
        self.rules.iter().find(|c| c.rule == rule).map_or(0, |c| c.rows)
    }

    pub fn total(&self) -> u64 {
        self.rules.iter().map(|c| c.rows).sum()
    }
}

/// One line of the data-processing register: a kind of personal data Rally holds for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterEntry {
    /// "Event organizers".
    pub data: &'static str,
    /// What Rally holds about them.
    pub holds: &'static str,
    pub purpose: &'static str,
    /// The legal basis (GDPR art. 6) as the campaign set it.
    pub basis: String,
    /// How long it is kept, from the retention rules.
    pub kept: Vec<String>,
}

/// "14 days after the registration": one rule's period in the campaign, as the register says it.
fn kept(periods: &RetentionPeriods, rule: RetentionRule) -> String {
    format!(
        "{}: {} {}, then {}",
        rule.label(),
        rule.describe(periods.period(rule)),
        rule.counted_from(),
        rule.outcome()
    )
}

/// The campaign's data-processing register: what Rally stores, why, on which basis and for how long,
/// made from the same rules the purge applies. `legitimate_interest`: whether the campaign e-mails
/// contacts who never opted in on its legitimate interest (the mail settings).
pub fn register(periods: &RetentionPeriods, legitimate_interest: bool) -> Vec<RegisterEntry> {
    use RetentionRule::*;
    let archived = kept(periods, ArchivedCampaign);
    let marketing = if legitimate_interest {
        "Consent for contacts who gave it; legitimate interest (art. 6(1)(f)) for contacts never asked, who can \
         object with one click"
    } else {
        "Consent (art. 6(1)(a)): campaign e-mail goes only to contacts who opted in"
    };
    vec![
        RegisterEntry {
            data: "Event organizers",
            holds: "Name, e-mail address, school or organization, the event's details, consent to the privacy notice \
                    and to news",
            purpose: "Publishing the event on the map, counting the campaign's reach, sending the organizer their \
                      confirmation, reminders and certificate",
            basis: "Consent given on the registration form (art. 6(1)(a)), with the notice's version".into(),
            kept: vec![kept(periods, UnconfirmedRegistrations), kept(periods, CertificateNames), archived.clone()],
        },
        RegisterEntry {
            data: "Partner contacts",
            holds: "Name, e-mail address, role, phone, language, consent, notes of calls and meetings",
            purpose: "Recruiting and keeping partners of the campaign",
            basis: marketing.into(),
            kept: vec![kept(periods, LostPartnerContacts), archived.clone()],
        },
        RegisterEntry {
            data: "Team members",
            holds: "Name, e-mail address, password hash, time zone, sessions and remembered browsers",
            purpose: "Signing in and working on the campaign",
            basis: "Contract with the team member (art. 6(1)(b))".into(),
            kept: vec!["While the account exists".into(), kept(periods, SignInRecords)],
        },
        RegisterEntry {
            data: "E-mails",
            holds: "Recipient's address and name, subject, text, when it was sent and what the mail server answered",
            purpose: "Sending the campaign's and Rally's e-mail, and proving what was sent to whom",
            basis: marketing.into(),
            kept: vec![kept(periods, OutboxBodies), archived.clone()],
        },
        RegisterEntry {
            data: "People who suggested activities",
            holds: "Name, e-mail address and site language of whoever suggested an activity for the catalogue",
            purpose: "Reviewing the suggestion and telling the sender the outcome",
            basis: "Legitimate interest in answering the sender (art. 6(1)(f))".into(),
            kept: vec![
                "While the suggestion waits or is listed".into(),
                kept(periods, RejectedSuggestions),
                archived.clone(),
            ],
        },
        RegisterEntry {
            data: "Consent records",
            holds: "Who consented to what, when, how, from which address and to which version of the notice",
            purpose: "Proving consent and its withdrawal",
            basis: "Legal obligation to demonstrate consent (art. 7(1))".into(),
            kept: vec![archived.clone()],
        },
        RegisterEntry {
            data: "Audit log",
            holds: "Who in the team did what, when, from which address and browser",
            purpose: "Accounting for changes to personal data and detecting misuse",
            basis: "Legitimate interest in the security of the data (art. 6(1)(f), art. 32)".into(),
            kept: vec![kept(periods, AuditLog)],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_rule_has_a_default_within_its_bounds() {
        for &rule in RetentionRule::ALL {
            let (min, max) = rule.bounds();
            assert!(min >= 1 && min <= rule.default_period() && rule.default_period() <= max, "{rule:?}");
            assert!(max <= 730, "{rule:?}: no lifetimes");
        }
    }

    #[test]
    fn periods_are_checked_and_defaults_dropped() {
        use RetentionRule::*;
        for (rule, amount, ok) in [
            (UnconfirmedRegistrations, 0, false),
            (UnconfirmedRegistrations, 1, true),
            (UnconfirmedRegistrations, 91, false),
            (CertificateNames, 6, false),
            (ArchivedCampaign, 100, false),
            (ArchivedCampaign, 10, true),
            (AuditLog, 3, false),
            (SignInRecords, 30, false),
        ] {
            let got = RetentionPeriods(BTreeMap::from([(rule, amount)])).validate();
            assert_eq!(got.is_ok(), ok, "{rule:?} {amount}");
            if let Err(e) = got {
                assert_eq!(e.0[0].field, rule.as_str());
            }
        }
        let kept = RetentionPeriods(BTreeMap::from([(OutboxBodies, 30), (LostPartnerContacts, 5)]))
            .validate()
            .unwrap_or_default();
        assert_eq!(kept.0, BTreeMap::from([(LostPartnerContacts, 5)]));
        assert_eq!(kept.period(OutboxBodies), 30);
        assert_eq!(kept.period(LostPartnerContacts), 5);
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn cutoffs_count_days_and_calendar_years() {
        let now = at(2028, 2, 29);
        assert_eq!(RetentionRule::UnconfirmedRegistrations.cutoff(now, 14), at(2028, 2, 15));
        assert_eq!(RetentionRule::AuditLog.cutoff(now, 2), at(2026, 2, 28));
        assert_eq!(RetentionRule::AuditLog.describe(1), "1 year");
        assert_eq!(RetentionRule::OutboxBodies.describe(30), "30 days");
    }

    #[test]
    fn the_register_says_the_campaign_s_periods_and_basis() {
        let periods = RetentionPeriods(BTreeMap::from([(RetentionRule::UnconfirmedRegistrations, 21)]));
        let entries = register(&periods, true);
        let organizers = &entries[0];
        assert!(organizers.kept[0].contains("21 days"), "{:?}", organizers.kept);
        assert!(entries[1].basis.contains("legitimate interest"));
        assert!(register(&periods, false)[1].basis.starts_with("Consent"));
        assert!(entries.iter().any(|e| e.kept.iter().any(|k| k.contains("Audit log: 2 years"))));
    }
}

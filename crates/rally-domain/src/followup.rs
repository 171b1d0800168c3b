//! Following up: the log of what happened with a partner (calls, meetings, e-mails, notes), the tasks
//! the team sets itself, and the time limits after which a partner counts as stale.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::pipeline::Stage;
use crate::validation::{Check, Invalid, required_text};
use crate::{CampaignId, CommitmentId, ContactId, InteractionId, PartnerId, TaskId, UserId};

/// What kind of contact with a partner an interaction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    Call,
    Meeting,
    Email,
    Note,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 4] =
        [InteractionKind::Call, InteractionKind::Meeting, InteractionKind::Email, InteractionKind::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Meeting => "meeting",
            InteractionKind::Email => "email",
            InteractionKind::Note => "note",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InteractionKind::Call => "Call",
            InteractionKind::Meeting => "Meeting",
            InteractionKind::Email => "E-mail",
            InteractionKind::Note => "Note",
        }
    }

    pub fn parse(s: &str) -> Result<InteractionKind, String> {
        InteractionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind `{s}`; expected call, meeting, email or note"))
    }
}

/// An interaction as a client sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct InteractionDraft {
    pub kind: Option<InteractionKind>,
    /// When it happened; today when not given.
    pub on: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20_000, min_length = 1, pattern = "@required-text"))]
    pub text: Option<String>,
    /// The partner's contact it was with.
    pub contact_id: Option<ContactId>,
}

/// The checked fields of an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionFields {
    pub kind: InteractionKind,
    pub on: NaiveDate,
    pub text: String,
    pub contact_id: Option<ContactId>,
}

impl InteractionDraft {
    /// A log records what happened: a date after today is refused (that is a task).
    pub fn validate(self, today: NaiveDate) -> Result<InteractionFields, Invalid> {
        let mut c = Check::default();
        if self.kind.is_none() {
            c.fail(
                "kind",
                format!(
                    "choose what it was: {}",
                    crate::validation::labels(InteractionKind::ALL.iter().map(|k| k.label()))
                ),
            );
        }
        let on = self.on.unwrap_or(today);
        if on > today {
            c.fail("on", format!("{on} is in the future; plan it as a task instead"));
        }
        let text = c.take("text", required_text(self.text.as_deref().unwrap_or_default(), 20_000));
        let fields = (|| Some(InteractionFields { kind: self.kind?, on, text: text?, contact_id: self.contact_id }))();
        c.finish(fields)
    }
}

/// A stored interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interaction {
    pub id: InteractionId,
    pub partner_id: PartnerId,
    #[serde(flatten)]
    pub fields: InteractionFields,
    pub contact_name: Option<String>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A follow-up task as a client sends it: a new task or a patch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TaskDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub title: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// Who does it; the acting user when not given. `null` leaves it unassigned.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<Option<UserId>>,
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub partner_id: Option<Option<PartnerId>>,
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub commitment_id: Option<Option<CommitmentId>>,
    pub done: Option<bool>,
}

merge_drafts!(TaskDraft { title, due_on, owner_id, partner_id, commitment_id, done });

/// The checked fields of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskFields {
    pub title: String,
    pub due_on: NaiveDate,
    pub owner_id: Option<UserId>,
    pub partner_id: Option<PartnerId>,
    pub commitment_id: Option<CommitmentId>,
    pub done: bool,
}

impl TaskDraft {
    /// `stored_due` is the stored due date of an existing task: a past date is refused only when it is
    /// set or changed, so an overdue task can still be ticked off.
    pub fn validate(self, today: NaiveDate, stored_due: Option<NaiveDate>) -> Result<TaskFields, Invalid> {
        let mut c = Check::default();
        let title = c.take("title", required_text(self.title.as_deref().unwrap_or_default(), 200));
        let due_on = self.due_on;
        match due_on {
            None => c.fail("due_on", "required: the day it is due"),
            Some(d) if d < today && Some(d) != stored_due => {
                c.fail("due_on", format!("{d} is in the past (today is {today})"))
            }
            Some(_) => {}
        }
        let fields = (|| {
            Some(TaskFields {
                title: title?,
                due_on: due_on?,
                owner_id: self.owner_id.flatten(),
                partner_id: self.partner_id.flatten(),
                commitment_id: self.commitment_id.flatten(),
                done: self.done.unwrap_or(false),
            })
        })();
        c.finish(fields)
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: TaskId,
    pub campaign_id: CampaignId,
    #[serde(flatten)]
    pub fields: TaskFields,
    pub owner_name: Option<String>,
    pub partner_name: Option<String>,
    pub commitment_title: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Task {
    pub fn to_draft(&self) -> TaskDraft {
        TaskDraft {
            title: Some(self.fields.title.clone()),
            due_on: Some(self.fields.due_on),
            owner_id: Some(self.fields.owner_id),
            partner_id: Some(self.fields.partner_id),
            commitment_id: Some(self.fields.commitment_id),
            done: Some(self.fields.done),
        }
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.fields.done && self.fields.due_on < today
    }
}

/// How many days a partner may stay in each open stage before it counts as stale and its owner is
/// offered a follow-up task. Closed stages have no limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StageLimits(
    #[serde(deserialize_with = "crate::limits::bounded::map::<_, _, _, { crate::limits::CHOICES }>")]
    pub  BTreeMap<Stage, u32>,
);

/// How many days a partner may stay in each open stage before it counts as stale and its owner is
/// offered a follow-up task: 1 to 365 days each. Closed stages have no limit. (The document's form of
/// [`StageLimits`], which is read as a map from stage to days.)
#[cfg(feature = "openapi")]
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OpenStageLimits {
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    lead: Option<u32>,
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    contacted: Option<u32>,
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    negotiate_ask: Option<u32>,
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    finalize_details: Option<u32>,
    #[schema(minimum = 1, maximum = 365, nullable = false)]
    finalize_fulfillment: Option<u32>,
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for StageLimits {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <OpenStageLimits as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for StageLimits {}

/// The longest limit a campaign may set, in days.
pub const MAX_STAGE_LIMIT_DAYS: u32 = 365;

impl Default for StageLimits {
    /// A first answer within two weeks, a week to move each later step along: the rhythm PRODUCT.md's
    /// teams describe for a campaign that recruits partners over two months.
    fn default() -> Self {
        StageLimits(BTreeMap::from([
            (Stage::Lead, 14),
            (Stage::Contacted, 7),
            (Stage::NegotiateAsk, 14),
            (Stage::FinalizeDetails, 7),
            (Stage::FinalizeFulfillment, 14),
        ]))
    }
}

impl StageLimits {
    /// The limit of a stage, if it has one.
    pub fn days(&self, stage: Stage) -> Option<u32> {
        if stage.is_closed() { None } else { self.0.get(&stage).copied() }
    }

    /// Checks limits a client sends: open stages only, 1 to 365 days.
    pub fn validate(self) -> Result<StageLimits, Invalid> {
        let mut c = Check::default();
        for (stage, days) in &self.0 {
            if stage.is_closed() {
                c.fail(stage.as_str(), "closed stages have no time limit");
            } else if !(1..=MAX_STAGE_LIMIT_DAYS).contains(days) {
                c.fail(stage.as_str(), format!("must be between 1 and {MAX_STAGE_LIMIT_DAYS} days"));
            }
        }
        c.finish(Some(self))
    }

    /// Whether a partner in `stage` since `since` is past its limit at `now`.
    pub fn is_stale(&self, stage: Stage, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.days(stage).is_some_and(|d| now - since > chrono::Duration::days(i64::from(d)))
    }

    /// The instant before which entering `stage` makes a partner stale at `now`.
    pub fn cutoff(&self, stage: Stage, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.days(stage).map(|d| now - chrono::Duration::days(i64::from(d)))
    }
}

/// The day a follow-up task proposed today falls due: two working days out, so it is not born overdue
/// and does not land on a weekend.
pub fn follow_up_due(today: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let mut d = today;
    let mut left = 2;
    while left > 0 {
        d = d.checked_add_days(Days::new(1)).unwrap_or(d);
        if d.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn interactions_happened_already() {
        let today = day("2026-11-28");
        let draft = InteractionDraft {
            kind: Some(InteractionKind::Call),
            text: Some("Spoke to Ana".into()),
            ..Default::default()
        };
        assert_eq!(draft.clone().validate(today).unwrap().on, today);
        let future = InteractionDraft { on: Some(day("2026-12-01")), ..draft };
        assert_eq!(future.validate(today).unwrap_err().0[0].field, "on");
        let empty = InteractionDraft::default().validate(today).unwrap_err();
        let fields: Vec<_> = empty.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "text"]);
    }

    #[test]
    fn tasks_due_in_the_past_only_when_already_so() {
        let today = day("2026-11-28");
        let draft =
            TaskDraft { title: Some("Call back".into()), due_on: Some(day("2026-11-20")), ..Default::default() };
        assert_eq!(draft.clone().validate(today, None).unwrap_err().0[0].field, "due_on");
        assert!(draft.validate(today, Some(day("2026-11-20"))).is_ok());
    }

    #[test]
    fn stage_limits() {
        let limits = StageLimits::default();
        let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().unwrap();
        let since = now - chrono::Duration::days(8);
        assert!(limits.is_stale(Stage::Contacted, since, now));
        assert!(!limits.is_stale(Stage::Lead, since, now));
        assert!(!limits.is_stale(Stage::ClosedWon, since - chrono::Duration::days(400), now));
        let bad = StageLimits(BTreeMap::from([(Stage::ClosedWon, 3), (Stage::Lead, 0)])).validate().unwrap_err();
        assert_eq!(bad.0.len(), 2);
    }

    #[test]
    fn follow_ups_skip_weekends() {
        // Friday → Tuesday; Saturday → Tuesday; Monday → Wednesday.
        assert_eq!(follow_up_due(day("2026-11-27")), day("2026-12-01"));
        assert_eq!(follow_up_due(day("2026-11-28")), day("2026-12-01"));
        assert_eq!(follow_up_due(day("2026-11-30")), day("2026-12-02"));
    }
}

//! Asks and commitments: what the campaign asks of its partners, and what each partner agrees to do.
//!
//! A campaign keeps a short list of *standard* asks ("announce the campaign in your newsletter") that it
//! applies in bulk to low-reach partners, and writes *custom* asks for one high-touch partner ("host events
//! in 40 schools"). Applying an ask to a partner makes a [`Commitment`], which moves
//! `proposed → agreed → fulfilled | missed` (or `declined` by the partner).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::partner::{Category, Tier};
use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{AskId, CampaignId, CommitmentId, PartnerId};

/// The validated, stored fields of an ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskFields {
    pub title: String,
    pub description: String,
    /// When the partner should have done it.
    pub due_on: Option<NaiveDate>,
    /// The campaign milestone it belongs to, e.g. "campaign week".
    pub milestone: String,
    /// The categories a standard ask is meant for; empty means every category.
    pub categories: Vec<Category>,
    /// The tiers a standard ask is meant for; empty means both.
    pub tiers: Vec<Tier>,
    /// What a commitment's quantity counts ("schools", "employees"); empty when there is none.
    pub unit: String,
}

impl AskFields {
    /// Whether a standard ask is meant for partners of this category and tier.
    pub fn targets(&self, category: Category, tier: Tier) -> bool {
        (self.categories.is_empty() || self.categories.contains(&category))
            && (self.tiers.is_empty() || self.tiers.contains(&tier))
    }

    pub fn to_draft(&self) -> AskDraft {
        AskDraft {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            due_on: Some(self.due_on),
            milestone: Some(self.milestone.clone()),
            categories: Some(self.categories.clone()),
            tiers: Some(self.tiers.clone()),
            unit: Some(self.unit.clone()),
        }
    }
}

/// A stored ask: standard (campaign-wide) when `partner_id` is `None`, custom for one partner otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ask {
    pub id: AskId,
    pub campaign_id: CampaignId,
    /// The partner a custom ask was written for.
    pub partner_id: Option<PartnerId>,
    #[serde(flatten)]
    pub fields: AskFields,
    pub created_at: DateTime<Utc>,
}

impl Ask {
    pub fn is_standard(&self) -> bool {
        self.partner_id.is_none()
    }
}

/// Ask input as a client sends it: a new ask or a patch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AskDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub description: Option<String>,
    /// `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub due_on: Option<Option<NaiveDate>>,
    /// The milestone it belongs to, in words (e.g. "Campaign week").
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "@text"))]
    pub milestone: Option<String>,
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub categories: Option<Vec<Category>>,
    #[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::CHOICES }>")]
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub tiers: Option<Vec<Tier>>,
    /// What a commitment to it counts (schools, posts); empty when it counts nothing.
    #[cfg_attr(feature = "openapi", schema(max_length = 40, pattern = "@text"))]
    pub unit: Option<String>,
}

merge_drafts!(AskDraft { title, description, due_on, milestone, categories, tiers, unit });

impl AskDraft {
    /// Validates the merged draft. `stored_due` is the due date already stored (for an update): a date
    /// in the past is refused when it is set or changed, not when an old ask is edited for its title.
    pub fn validate(self, today: NaiveDate, stored_due: Option<NaiveDate>) -> Result<AskFields, Invalid> {
        let mut c = Check::default();
        let title = c.take("title", required_text(self.title.as_deref().unwrap_or_default(), 200));
        let description = c.take("description", optional_text(self.description.as_deref().unwrap_or_default(), 5000));
        let due_on = self.due_on.flatten();
        check_due("due_on", due_on, stored_due, today, &mut c);
        let milestone = c.take("milestone", optional_text(self.milestone.as_deref().unwrap_or_default(), 100));
        let unit = c.take("unit", optional_text(self.unit.as_deref().unwrap_or_default(), 40));
        let mut categories = self.categories.unwrap_or_default();
        categories.sort();
        categories.dedup();
        let mut tiers = self.tiers.unwrap_or_default();
        tiers.sort_by_key(|t| t.as_str());
        tiers.dedup();
        let fields = (|| {
            Some(AskFields {
                title: title?,
                description: description?,
                due_on,
                milestone: milestone?,
                categories,
                tiers,
                unit: unit?,
            })
        })();
        c.finish(fields)
    }
}

/// Refuses a due date in the past when it is new or changed: a deadline that has already gone by is
/// almost always a typo in the year.
fn check_due(field: &str, due: Option<NaiveDate>, stored: Option<NaiveDate>, today: NaiveDate, c: &mut Check) {
    if let Some(d) = due
        && d < today
        && Some(d) != stored
    {
        c.fail(field, format!("{d} is in the past (today is {today})"));
    }
}

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// Asked, not answered yet.
    Proposed,
    /// The partner said yes: a date and, where the ask counts something, a quantity.
    Agreed,
    /// Done, with evidence (a link or a note).
    Fulfilled,
    /// The date passed without it.
    Missed,
    /// The partner said no.
    Declined,
}

impl CommitmentStatus {
    pub const ALL: [CommitmentStatus; 5] = [
        CommitmentStatus::Proposed,
        CommitmentStatus::Agreed,
        CommitmentStatus::Fulfilled,
        CommitmentStatus::Missed,
        CommitmentStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentStatus::Proposed => "proposed",
            CommitmentStatus::Agreed => "agreed",
            CommitmentStatus::Fulfilled => "fulfilled",
            CommitmentStatus::Missed => "missed",
            CommitmentStatus::Declined => "declined",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CommitmentStatus::Proposed => "Proposed",
            CommitmentStatus::Agreed => "Agreed",
            CommitmentStatus::Fulfilled => "Fulfilled",
            CommitmentStatus::Missed => "Missed",
            CommitmentStatus::Declined => "Declined",
        }
    }

    pub fn parse(s: &str) -> Result<CommitmentStatus, String> {
        CommitmentStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown status `{s}`; expected proposed, agreed, fulfilled, missed or declined"))
    }

    /// Still expected to happen: counts toward what is due.
    pub fn is_open(self) -> bool {
        matches!(self, CommitmentStatus::Proposed | CommitmentStatus::Agreed)
    }
}

/// A partner's commitment to one ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commitment {
    pub id: CommitmentId,
    pub campaign_id: CampaignId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub ask_id: AskId,
    pub ask_title: String,
    /// What the quantity counts, from the ask.
    pub unit: String,
    pub status: CommitmentStatus,
    pub quantity: Option<i64>,
    pub due_on: Option<NaiveDate>,
    /// When the partner agreed.
    pub agreed_on: Option<NaiveDate>,
    /// A link or a note showing it was done.
    pub evidence: String,
    pub note: String,
    /// The last change came from the partner, through its link.
    pub by_partner: bool,
    pub updated_at: DateTime<Utc>,
}

impl Commitment {
    /// Open and due before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_on.is_some_and(|d| d < today)
    }

    pub fn to_draft(&self) -> CommitmentDraft {
        CommitmentDraft {
            status: Some(self.status),
            quantity: Some(self.quantity),
            due_on: Some(self.due_on),
            evidence: Some(self.evidence.clone()),
            note: Some(self.note.clone()),
        }
    }
}

/// A change to a commitment, as a team member sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CommitmentDraft {
    pub status: Option<CommitmentStatus>,
    /// How many (schools, employees, posts) — zero or more; `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000))]
    pub quantity: Option<Option<i64>>,
    /// `null` clears it.
    #[serde(deserialize_with = "crate::validation::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub due_on: Option<Option<NaiveDate>>,
    /// A link or a note showing it was done (required to fulfil it).
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "@text"))]
    pub evidence: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub note: Option<String>,
}

merge_drafts!(CommitmentDraft { status, quantity, due_on, evidence, note });

/// The checked fields of a commitment, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentFields {
    pub status: CommitmentStatus,
    pub quantity: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub evidence: String,
    pub note: String,
}

/// The largest quantity one commitment may count.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

impl CommitmentDraft {
    /// Checks the merged draft of a commitment. `stored` is the commitment as it is now (`None` for a new
    /// one); `unit` the ask's unit. An agreed commitment has a date, and a quantity when the ask counts
    /// something; a fulfilled one has evidence.
    pub fn validate(
        self,
        today: NaiveDate,
        stored: Option<&Commitment>,
        unit: &str,
    ) -> Result<CommitmentFields, Invalid> {
        let mut c = Check::default();
        let status = self.status.unwrap_or(CommitmentStatus::Proposed);
        let quantity = self.quantity.flatten();
        if let Some(q) = quantity
            && !(0..=MAX_QUANTITY).contains(&q)
        {
            c.fail("quantity", format!("must be between 0 and {MAX_QUANTITY}"));
        }
        let due_on = self.due_on.flatten();
        if status.is_open() {
            check_due("due_on", due_on, stored.and_then(|s| s.due_on), today, &mut c);
        }
        let evidence = c.take("evidence", optional_text(self.evidence.as_deref().unwrap_or_default(), 2000));
        let note = c.take("note", optional_text(self.note.as_deref().unwrap_or_default(), 5000));
        if status == CommitmentStatus::Agreed {
            if due_on.is_none() {
                c.fail("due_on", "an agreed commitment needs the date it is due");
            }
            if !unit.is_empty() && quantity.is_none() {
                c.fail("quantity", format!("say how many {unit} the partner agreed to"));
            }
        }
        if status == CommitmentStatus::Fulfilled && evidence.as_deref().is_some_and(str::is_empty) {
            c.fail("evidence", "add a link or a note showing it was done");
        }
        let fields = (|| Some(CommitmentFields { status, quantity, due_on, evidence: evidence?, note: note? }))();
        c.finish(fields)
    }
}

/// A partner's answer to a proposed commitment, through its link.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerResponse {
    pub accept: bool,
    /// How many the partner commits to, when the ask counts something.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub quantity: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "@text"))]
    pub note: Option<String>,
}

impl PartnerResponse {
    /// The commitment after the partner's answer. A partner may answer only a proposed commitment, and
    /// may not change the date the team proposed; an acceptance without a date takes the ask's.
    pub fn apply(self, stored: &Commitment, ask_due: Option<NaiveDate>) -> Result<CommitmentFields, Invalid> {
        if stored.status != CommitmentStatus::Proposed {
            return Err(Invalid::field(
                "accept",
                format!("this commitment is already {}", stored.status.label().to_lowercase()),
            ));
        }
        let note =
            optional_text(self.note.as_deref().unwrap_or_default(), 2000).map_err(|e| Invalid::field("note", e))?;
        let note = if note.is_empty() { stored.note.clone() } else { note };
        // Checked whatever the answer: a declining partner's quantity is not kept, but it is not
        // silently taken either.
        if let Some(q) = self.quantity
            && !(0..=MAX_QUANTITY).contains(&q)
        {
            return Err(Invalid::field("quantity", format!("must be between 0 and {MAX_QUANTITY}")));
        }
        if !self.accept {
            return Ok(CommitmentFields {
                status: CommitmentStatus::Declined,
                quantity: stored.quantity,
                due_on: stored.due_on,
                evidence: stored.evidence.clone(),
                note,
            });
        }
        let quantity = self.quantity.or(stored.quantity);
        if let Some(q) = quantity
            && !(0..=MAX_QUANTITY).contains(&q)
        {
            return Err(Invalid::field("quantity", format!("must be between 0 and {MAX_QUANTITY}")));
        }
        if !stored.unit.is_empty() && quantity.is_none() {
            return Err(Invalid::field("quantity", format!("say how many {} you commit to", stored.unit)));
        }
        Ok(CommitmentFields {
            status: CommitmentStatus::Agreed,
            quantity,
            due_on: stored.due_on.or(ask_due),
            evidence: stored.evidence.clone(),
            note,
        })
    }
}

/// Open, fulfilled and overdue commitments of one partner, for board cards and lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentSummary {
    /// Proposed or agreed.
    pub open: i64,
    pub fulfilled: i64,
    pub overdue: i64,
    /// The earliest due date of an open commitment.
    pub next_due: Option<NaiveDate>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn commitment(status: CommitmentStatus, unit: &str) -> Commitment {
        Commitment {
            id: CommitmentId(1),
            campaign_id: CampaignId(1),
            partner_id: PartnerId(1),
            partner_name: "Infobip".into(),
            ask_id: AskId(1),
            ask_title: "Host events".into(),
            unit: unit.into(),
            status,
            quantity: None,
            due_on: Some(day("2026-12-07")),
            agreed_on: None,
            evidence: String::new(),
            note: String::new(),
            by_partner: false,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn ask_due_in_the_past_is_refused_only_when_set() {
        let today = day("2026-11-28");
        let draft =
            AskDraft { title: Some("Newsletter".into()), due_on: Some(Some(day("2025-12-01"))), ..Default::default() };
        let err = draft.clone().validate(today, None).unwrap_err();
        assert_eq!(err.0[0].field, "due_on");
        assert!(err.0[0].message.contains("in the past"), "{err}");
        // An old ask keeps its old date when edited for something else.
        assert!(draft.validate(today, Some(day("2025-12-01"))).is_ok());
    }

    #[test]
    fn ask_targets_categories_and_tiers() {
        let draft = AskDraft {
            title: Some("Newsletter".into()),
            categories: Some(vec![Category::Media, Category::Media]),
            tiers: Some(vec![Tier::Low]),
            ..Default::default()
        };
        let ask = draft.validate(day("2026-11-28"), None).unwrap();
        assert_eq!(ask.categories, vec![Category::Media]);
        assert!(ask.targets(Category::Media, Tier::Low));
        assert!(!ask.targets(Category::Media, Tier::High));
        assert!(!ask.targets(Category::ItCompany, Tier::Low));
    }

    #[test]
    fn agreeing_needs_a_date_and_a_quantity_when_counted() {
        let today = day("2026-11-28");
        let stored = commitment(CommitmentStatus::Proposed, "schools");
        let patch =
            CommitmentDraft { status: Some(CommitmentStatus::Agreed), due_on: Some(None), ..Default::default() };
        let err = stored.to_draft().merge(patch).validate(today, Some(&stored), "schools").unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["due_on", "quantity"]);
        let ok =
            CommitmentDraft { status: Some(CommitmentStatus::Agreed), quantity: Some(Some(40)), ..Default::default() };
        let fields = stored.to_draft().merge(ok).validate(today, Some(&stored), "schools").unwrap();
        assert_eq!((fields.status, fields.quantity), (CommitmentStatus::Agreed, Some(40)));
    }

    #[test]
    fn fulfilling_needs_evidence() {
        let today = day("2026-11-28");
        let stored = commitment(CommitmentStatus::Agreed, "");
        let patch = CommitmentDraft { status: Some(CommitmentStatus::Fulfilled), ..Default::default() };
        let err = stored.to_draft().merge(patch.clone()).validate(today, Some(&stored), "").unwrap_err();
        assert_eq!(err.0[0].field, "evidence");
        let with = CommitmentDraft { evidence: Some("https://example.org/post".into()), ..patch };
        assert!(stored.to_draft().merge(with).validate(today, Some(&stored), "").is_ok());
    }

    #[test]
    fn partner_answers_only_proposed_commitments() {
        let stored = commitment(CommitmentStatus::Proposed, "schools");
        let no_quantity = PartnerResponse { accept: true, quantity: None, note: None };
        assert_eq!(no_quantity.apply(&stored, None).unwrap_err().0[0].field, "quantity");
        let negative = PartnerResponse { accept: false, quantity: Some(-1), note: None };
        assert_eq!(negative.apply(&stored, None).unwrap_err().0[0].field, "quantity", "checked when declining too");
        let yes = PartnerResponse { accept: true, quantity: Some(12), note: Some("Glad to".into()) };
        let fields = yes.apply(&stored, None).unwrap();
        assert_eq!(
            (fields.status, fields.quantity, fields.note.as_str()),
            (CommitmentStatus::Agreed, Some(12), "Glad to")
        );
        let agreed = commitment(CommitmentStatus::Agreed, "schools");
        let no = PartnerResponse { accept: false, quantity: None, note: None };
        assert!(no.clone().apply(&agreed, None).is_err());
        assert_eq!(no.apply(&stored, None).unwrap().status, CommitmentStatus::Declined);
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let c = commitment(CommitmentStatus::Agreed, "");
        assert!(c.is_overdue(day("2026-12-08")));
        assert!(!c.is_overdue(day("2026-12-07")));
        assert!(!commitment(CommitmentStatus::Fulfilled, "").is_overdue(day("2026-12-08")));
    }
}

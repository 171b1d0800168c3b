//! The partner pipeline: seven stages, and the rules for moving between them.
//!
//! A partner's stage only changes through a [`StageMove`]; every change is kept as a [`StageChange`]
//! row, so the history and the time spent in each stage can always be derived.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, optional_text, required_text};
use crate::{PartnerId, UserId};

/// Where a partner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// We e-mailed them about partnering.
    Lead,
    /// They answered; a call is scheduled.
    Contacted,
    /// We pitched the ask.
    NegotiateAsk,
    /// What they commit to is confirmed in writing.
    FinalizeDetails,
    /// We sent them the content and assets.
    FinalizeFulfillment,
    /// They did what they committed to.
    ClosedWon,
    /// They won't; a reason is recorded.
    ClosedLost,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Lead,
        Stage::Contacted,
        Stage::NegotiateAsk,
        Stage::FinalizeDetails,
        Stage::FinalizeFulfillment,
        Stage::ClosedWon,
        Stage::ClosedLost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Contacted => "contacted",
            Stage::NegotiateAsk => "negotiate_ask",
            Stage::FinalizeDetails => "finalize_details",
            Stage::FinalizeFulfillment => "finalize_fulfillment",
            Stage::ClosedWon => "closed_won",
            Stage::ClosedLost => "closed_lost",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Lead => "Lead",
            Stage::Contacted => "Contacted",
            Stage::NegotiateAsk => "Negotiate Ask",
            Stage::FinalizeDetails => "Finalize Details",
            Stage::FinalizeFulfillment => "Finalize Fulfillment",
            Stage::ClosedWon => "Closed Won",
            Stage::ClosedLost => "Closed Lost",
        }
    }

    pub fn parse(s: &str) -> Result<Stage, String> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            format!(
                "unknown stage `{s}`; expected one of lead, contacted, negotiate_ask, finalize_details, \
                 finalize_fulfillment, closed_won, closed_lost"
            )
        })
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::ClosedWon | Stage::ClosedLost)
    }
}

/// A request to move a partner to another stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StageMove {
    pub stage: Stage,
    /// What happened, for the history.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, pattern = "@text"))]
    pub note: Option<String>,
    /// Why the partner was lost: required for `closed_lost`, and only there.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500, min_length = 1, pattern = "@required-text"))]
    pub reason: Option<String>,
    /// Moving to `closed_won` while agreed commitments are not fulfilled is refused unless this is set
    /// and the note says why.
    #[serde(default)]
    pub confirm_unfulfilled: bool,
}

/// A checked stage move: what the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMove {
    pub from: Stage,
    pub to: Stage,
    pub note: String,
    pub reason: Option<String>,
    pub confirm_unfulfilled: bool,
}

impl StageMove {
    /// Checks the move of a partner currently in `from`. Any stage may follow any other — teams skip
    /// stages and reopen closed partners — but not itself, and a loss always has a reason.
    pub fn check(self, from: Stage) -> Result<ValidMove, Invalid> {
        if self.stage == from {
            return Err(Invalid::field("stage", format!("the partner is already in {}", from.as_str())));
        }
        let note =
            optional_text(self.note.as_deref().unwrap_or_default(), 5000).map_err(|e| Invalid::field("note", e))?;
        let reason = match (self.stage, self.reason.as_deref()) {
            (Stage::ClosedLost, raw) => Some(
                required_text(raw.unwrap_or_default(), 1000)
                    .map_err(|_| Invalid::field("reason", "say why the partner was lost"))?,
            ),
            (_, None) => None,
            (_, Some(r)) if r.trim().is_empty() => None,
            (_, Some(_)) => return Err(Invalid::field("reason", "a reason is recorded only for closed_lost")),
        };
        Ok(ValidMove { from, to: self.stage, note, reason, confirm_unfulfilled: self.confirm_unfulfilled })
    }
}

/// One row of a partner's stage history. The first row of a partner has no `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageChange {
    pub id: i64,
    pub partner_id: PartnerId,
    pub from: Option<Stage>,
    pub to: Stage,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    pub note: String,
    pub reason: Option<String>,
    /// The change took a closed partner back into the pipeline.
    pub reopened: bool,
}

impl StageChange {
    pub fn is_reopening(from: Option<Stage>, to: Stage) -> bool {
        from.is_some_and(Stage::is_closed) && !to.is_closed()
    }
}

/// Total time spent in each stage, from a partner's history (oldest first) up to `now`. A stage
/// entered twice (after a reopening) adds up both stays.
pub fn time_in_stage(history: &[StageChange], now: DateTime<Utc>) -> BTreeMap<Stage, Duration> {
    let mut totals = BTreeMap::new();
    for (i, change) in history.iter().enumerate() {
        let left = history.get(i + 1).map_or(now, |next| next.at);
        let stay = (left - change.at).max(Duration::zero());
        *totals.entry(change.to).or_insert_with(Duration::zero) += stay;
    }
    totals
}

/// Why a partner may not be moved to closed won yet, if it may not: agreed commitments (`unfulfilled`,
/// their titles in due order) are not fulfilled, and the move neither confirms that (`confirmed`) nor
/// says why in its note. The refusal names the form field to fix — `confirm_unfulfilled` first, then
/// `note` — and says what to do.
pub fn won_while_unfulfilled(unfulfilled: &[String], confirmed: bool, note: &str) -> Option<(&'static str, String)> {
    if unfulfilled.is_empty() || (confirmed && !note.trim().is_empty()) {
        return None;
    }
    let what = if unfulfilled.len() == 1 {
        "1 agreed commitment is".to_owned()
    } else {
        format!("{} agreed commitments are", unfulfilled.len())
    };
    let titles = unfulfilled.join(", ");
    Some(if confirmed {
        ("note", format!("{what} not fulfilled ({titles}): say in the note why the partner is won anyway"))
    } else {
        (
            "confirm_unfulfilled",
            format!("{what} not fulfilled: {titles}. Confirm to move anyway, with a note saying why"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(stage: Stage, reason: Option<&str>) -> StageMove {
        StageMove { stage, note: None, reason: reason.map(str::to_owned), confirm_unfulfilled: false }
    }

    #[test]
    fn move_rules() {
        use Stage::*;
        for (from, to, reason, ok) in [
            (Lead, Contacted, None, true),
            (Lead, FinalizeDetails, None, true), // skipping is allowed
            (Lead, Lead, None, false),
            (NegotiateAsk, ClosedLost, None, false),
            (NegotiateAsk, ClosedLost, Some("  "), false),
            (NegotiateAsk, ClosedLost, Some("no budget this year"), true),
            (Contacted, NegotiateAsk, Some("why?"), false),
            (ClosedLost, Contacted, None, true), // reopening
            (ClosedWon, ClosedLost, Some("withdrew"), true),
        ] {
            assert_eq!(mv(to, reason).check(from).is_ok(), ok, "{from:?} -> {to:?} reason {reason:?}");
        }
    }

    #[test]
    fn reopening_is_detected() {
        assert!(StageChange::is_reopening(Some(Stage::ClosedLost), Stage::Contacted));
        assert!(!StageChange::is_reopening(Some(Stage::ClosedLost), Stage::ClosedWon));
        assert!(!StageChange::is_reopening(None, Stage::Lead));
    }

    #[test]
    fn time_in_stage_adds_up_stays() {
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let row = |to, days| StageChange {
            id: 0,
            partner_id: PartnerId(1),
            from: None,
            to,
            actor_id: None,
            actor_name: None,
            at: t0 + Duration::days(days),
            note: String::new(),
            reason: None,
            reopened: false,
        };
        let history =
            [row(Stage::Lead, 0), row(Stage::Contacted, 3), row(Stage::Lead, 10), row(Stage::NegotiateAsk, 12)];
        let totals = time_in_stage(&history, t0 + Duration::days(20));
        assert_eq!(totals[&Stage::Lead], Duration::days(5));
        assert_eq!(totals[&Stage::Contacted], Duration::days(7));
        assert_eq!(totals[&Stage::NegotiateAsk], Duration::days(8));
    }

    #[test]
    fn winning_with_unfulfilled_commitments_needs_a_confirmed_reason() {
        let two = ["Posters".to_owned(), "Newsletter".to_owned()];
        let one = &two[..1];
        for (unfulfilled, confirmed, note, field) in [
            (&[][..], false, "", None),
            (one, true, "they ran it themselves", None),
            (one, false, "", Some("confirm_unfulfilled")),
            (one, false, "a reason without the confirmation", Some("confirm_unfulfilled")),
            (&two[..], true, "  ", Some("note")),
        ] {
            let refusal = won_while_unfulfilled(unfulfilled, confirmed, note);
            assert_eq!(refusal.as_ref().map(|r| r.0), field, "{unfulfilled:?} {confirmed} {note:?}");
        }
        let (_, message) = won_while_unfulfilled(&two, false, "").unwrap_or_default();
        assert_eq!(
            message,
            "2 agreed commitments are not fulfilled: Posters, Newsletter. Confirm to move anyway, with a note saying why"
        );
        let (_, message) = won_while_unfulfilled(one, true, "").unwrap_or_default();
        assert_eq!(
            message,
            "1 agreed commitment is not fulfilled (Posters): say in the note why the partner is won anyway"
        );
    }
}

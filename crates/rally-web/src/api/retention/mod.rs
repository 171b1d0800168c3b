//! `/api/v1/campaigns/{campaign}/retention`: how long the campaign keeps each kind of personal data
//! (owners change it), and `/api/v1/campaigns/{campaign}/register`, the data-processing register
//! made from the same rules.

pub mod get;
pub mod register;
pub mod set;

use rally_domain::retention::{PeriodUnit, RetentionPeriods, RetentionRule};
use serde::Serialize;

/// One retention rule of the campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub rule: RetentionRule,
    pub label: &'static str,
    /// What the rule covers.
    pub covers: &'static str,
    /// From when the period counts.
    pub counted_from: &'static str,
    /// What Rally does when the period is over.
    pub outcome: &'static str,
    pub unit: PeriodUnit,
    /// The period in force, in `unit`.
    pub period: u32,
    pub default: u32,
    pub min: u32,
    pub max: u32,
    /// Whether owners may change it for this campaign (the others are the same for every campaign).
    pub per_campaign: bool,
}

/// Every rule, the campaign's periods in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetentionView {
    pub rules: Vec<RuleView>,
}

impl RetentionView {
    pub fn new(periods: &RetentionPeriods) -> RetentionView {
        let rules = RetentionRule::ALL
            .iter()
            .map(|&rule| {
                let (min, max) = rule.bounds();
                RuleView {
                    rule,
                    label: rule.label(),
                    covers: rule.covers(),
                    counted_from: rule.counted_from(),
                    outcome: rule.outcome(),
                    unit: rule.unit(),
                    period: periods.period(rule),
                    default: rule.default_period(),
                    min,
                    max,
                    per_campaign: rule.per_campaign(),
                }
            })
            .collect();
        RetentionView { rules }
    }
}

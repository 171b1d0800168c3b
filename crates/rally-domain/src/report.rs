//! The Reports page's arithmetic: the pipeline funnel, each open stage's chance of closing won as this
//! campaign's history teaches it, and the reach-weighted forecast of students against the goal. Pure
//! functions over counts the store gathers, so every figure on the page can be checked by hand.
//!
//! A partner has *reached* a stage when its stage history shows it there or further along the way
//! Lead → Contacted → Negotiate Ask → Finalize Details → Finalize Fulfillment → Closed Won: a partner
//! moved from Lead straight to Finalize Details has passed Contacted and Negotiate Ask too (teams skip
//! stages), and Closed Lost passes nothing. So the funnel never widens and a skip is not counted as a
//! loss.

use chrono::Duration;

use crate::pipeline::Stage;

/// The way forward through the pipeline, in order; Closed Won is its end.
pub const FORWARD: [Stage; 6] = [
    Stage::Lead,
    Stage::Contacted,
    Stage::NegotiateAsk,
    Stage::FinalizeDetails,
    Stage::FinalizeFulfillment,
    Stage::ClosedWon,
];

/// The stages a partner is still in play in.
pub const OPEN: [Stage; 5] =
    [Stage::Lead, Stage::Contacted, Stage::NegotiateAsk, Stage::FinalizeDetails, Stage::FinalizeFulfillment];

/// How many partners' worth of evidence the default chances count as: with fewer closed partners than
/// this behind a stage, the default weighs more than what happened.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// The chance of closing won from each open stage before a campaign has any history of its own.
pub fn default_chance(stage: Stage) -> Option<f64> {
    match stage {
        Stage::Lead => Some(0.05),
        Stage::Contacted => Some(0.10),
        Stage::NegotiateAsk => Some(0.30),
        Stage::FinalizeDetails => Some(0.60),
        Stage::FinalizeFulfillment => Some(0.85),
        Stage::ClosedWon | Stage::ClosedLost => None,
    }
}

/// How far along the way forward a stage is: its place in [`FORWARD`]. Closed Lost is 0, like Lead: it
/// passes nothing. The store computes the furthest stage of every partner's history with this.
pub fn progress(stage: Stage) -> usize {
    FORWARD.iter().position(|s| *s == stage).unwrap_or(0)
}

/// The stage at a [`progress`] value (anything beyond the end is Closed Won).
pub fn at_progress(progress: usize) -> Stage {
    FORWARD.get(progress).copied().unwrap_or(Stage::ClosedWon)
}

/// Partners counted together: where they are now, the furthest stage their history reached, how many
/// they are and their summed reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub now: Stage,
    pub furthest: Stage,
    pub partners: i64,
    pub reach: i64,
}

/// One finished stay in a stage: from the change that entered it to the change that left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    pub stage: Stage,
    pub length: Duration,
}

/// What the store gathers for the funnel and the forecast.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineFacts {
    pub groups: Vec<Progress>,
    pub stays: Vec<Stay>,
}

/// A stage's row of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    pub stage: Stage,
    /// Partners in the stage now, and their summed reach.
    pub partners: i64,
    pub reach: i64,
    /// Partners that reached this stage (see the module's definition); `None` for Closed Lost, which is
    /// not on the way forward.
    pub reached: Option<i64>,
    /// The share of those that reached the next stage on the way forward; `None` for the closed stages
    /// and when no partner reached this one.
    pub conversion: Option<f64>,
    /// The median length of the finished stays in this stage, in days; partners still in it are left
    /// out. `None` for the closed stages and when no stay has finished.
    pub median_days: Option<f64>,
    /// How many finished stays the median is of.
    pub finished_stays: usize,
}

/// The funnel: one row per stage, in [`Stage::ALL`]'s order.
pub fn funnel(facts: &PipelineFacts) -> Vec<FunnelStage> {
    let reached_at =
        |p: usize| -> i64 { facts.groups.iter().filter(|g| progress(g.furthest) >= p).map(|g| g.partners).sum() };
    Stage::ALL
        .iter()
        .map(|&stage| {
            let now: Vec<&Progress> = facts.groups.iter().filter(|g| g.now == stage).collect();
            let on_the_way = FORWARD.contains(&stage);
            let reached = on_the_way.then(|| reached_at(progress(stage)));
            let conversion = match (stage.is_closed(), reached) {
                (false, Some(n)) if n > 0 => Some(reached_at(progress(stage) + 1) as f64 / n as f64),
                _ => None,
            };
            let mut lengths: Vec<i64> = if stage.is_closed() {
                Vec::new()
            } else {
                facts.stays.iter().filter(|s| s.stage == stage).map(|s| s.length.num_seconds()).collect()
            };
            FunnelStage {
                stage,
                partners: now.iter().map(|g| g.partners).sum(),
                reach: now.iter().map(|g| g.reach).sum(),
                reached,
                conversion,
                median_days: median(&mut lengths).map(|s| s / 86_400.0),
                finished_stays: lengths.len(),
            }
        })
        .collect()
}

/// The middle value (the mean of the two middle ones for an even count); `None` for none.
pub fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0),
    }
}

/// An open stage's chance of closing won, and what it was learned from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WinChance {
    pub stage: Stage,
    /// Partners that reached the stage and are closed now, and how many of them closed won.
    pub closed: i64,
    pub won: i64,
    /// The default chance ([`default_chance`]).
    pub default: f64,
    /// `(won + PRIOR_WEIGHT × default) / (closed + PRIOR_WEIGHT)`.
    pub chance: f64,
}

/// Each open stage's chance of closing won: among the partners that reached the stage and are closed
/// now (won or lost), the share that closed won, blended with the default chance counted as
/// [`PRIOR_WEIGHT`] partners. With no history the chance is the default; with much, what happened.
pub fn win_chances(groups: &[Progress]) -> Vec<WinChance> {
    OPEN.iter()
        .map(|&stage| {
            let behind = groups.iter().filter(|g| g.now.is_closed() && progress(g.furthest) >= progress(stage));
            let (closed, won) = behind.fold((0, 0), |(closed, won), g| {
                (closed + g.partners, won + if g.now == Stage::ClosedWon { g.partners } else { 0 })
            });
            let default = default_chance(stage).unwrap_or(0.0);
            let chance = (won as f64 + PRIOR_WEIGHT * default) / (closed as f64 + PRIOR_WEIGHT);
            WinChance { stage, closed, won, default, chance }
        })
        .collect()
}

/// What one stage adds to the forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastLine {
    pub stage: Stage,
    pub partners: i64,
    pub reach: i64,
    /// The stage's chance of closing won; 1 for Closed Won.
    pub chance: f64,
    /// `reach × chance`.
    pub students: f64,
}

/// The reach-weighted forecast of students.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub goal: i64,
    pub chances: Vec<WinChance>,
    /// Closed Won first (certain), then the open stages from the furthest along back to Lead.
    pub lines: Vec<ForecastLine>,
    /// The sum of every line's students.
    pub students: f64,
}

impl Forecast {
    /// The forecast as a share of the goal; `None` without a goal.
    pub fn share_of_goal(&self) -> Option<f64> {
        (self.goal > 0).then(|| self.students / self.goal as f64)
    }

    /// The chance used for partners now in `stage` (1 for Closed Won, 0 for Closed Lost).
    pub fn chance(&self, stage: Stage) -> f64 {
        match stage {
            Stage::ClosedWon => 1.0,
            Stage::ClosedLost => 0.0,
            open => self.chances.iter().find(|c| c.stage == open).map_or(0.0, |c| c.chance),
        }
    }
}

/// Students expected: the reach of every open partner times its stage's [`win_chances`], plus the
/// reach of the partners closed won, which counts in full. Closed Lost adds nothing.
pub fn forecast(groups: &[Progress], goal: i64) -> Forecast {
    let chances = win_chances(groups);
    let mut lines = Vec::new();
    for stage in std::iter::once(Stage::ClosedWon).chain(OPEN.iter().rev().copied()) {
        let now = groups.iter().filter(|g| g.now == stage);
        let (partners, reach) = now.fold((0, 0), |(n, r), g| (n + g.partners, r + g.reach));
        let chance = match stage {
            Stage::ClosedWon => 1.0,
            open => chances.iter().find(|c| c.stage == open).map_or(0.0, |c| c.chance),
        };
        lines.push(ForecastLine { stage, partners, reach, chance, students: reach as f64 * chance });
    }
    let students = lines.iter().map(|l| l.students).sum();
    Forecast { goal, chances, lines, students }
}

/// A partner's part of the forecast (the forecast's CSV and its largest contributions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerReach {
    pub name: String,
    pub stage: Stage,
    pub reach: i64,
}

/// What became of one message's e-mails (each counted once, by the state of its outbox row now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStats {
    pub id: i64,
    pub title: String,
    /// Accepted by the mail server.
    pub sent: i64,
    /// Not sent yet: planned, deferred or being sent.
    pub waiting: i64,
    /// Given up after retries, or refused by the server (bounced).
    pub failed: i64,
    /// Never sent: the address was suppressed or the e-mail expired.
    pub skipped: i64,
    /// Sent, or still to be sent, later than first planned (the cadence rules deferred them, or a
    /// retry did). Overlaps the counts above.
    pub deferred: i64,
    /// Contacts still unsubscribed whose last e-mail before unsubscribing was this one.
    pub unsubscribed: i64,
}

impl MessageStats {
    /// Every e-mail of the message.
    pub fn total(&self) -> i64 {
        self.sent + self.waiting + self.failed + self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    fn group(now: Stage, furthest: Stage, partners: i64, reach: i64) -> Progress {
        Progress { now, furthest, partners, reach }
    }

    fn chance_of(groups: &[Progress], stage: Stage) -> f64 {
        forecast(groups, 1).chance(stage)
    }

    #[test]
    fn progress_orders_the_way_forward() {
        assert_eq!(FORWARD.map(progress), [0, 1, 2, 3, 4, 5]);
        assert_eq!(progress(ClosedLost), 0);
        assert_eq!(at_progress(3), FinalizeDetails);
        assert_eq!(at_progress(99), ClosedWon);
        for s in OPEN {
            assert!(default_chance(s).is_some(), "{s:?}");
        }
    }

    #[test]
    fn chances_blend_history_with_the_defaults() {
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        for (name, groups, stage, want) in [
            ("no history: the default", vec![], Lead, 0.05),
            ("no history: the default", vec![], FinalizeFulfillment, 0.85),
            ("open partners teach nothing", vec![group(Contacted, Contacted, 40, 4000)], Lead, 0.05),
            // (100 + 5 × 0.05) / (100 + 5)
            ("all won: near 1", vec![group(ClosedWon, ClosedWon, 100, 0)], Lead, 100.25 / 105.0),
            ("all lost: near 0", vec![group(ClosedLost, NegotiateAsk, 100, 0)], NegotiateAsk, 1.5 / 105.0),
            // Lost at Negotiate Ask: no evidence about Finalize Details.
            ("lost earlier: the default", vec![group(ClosedLost, NegotiateAsk, 100, 0)], FinalizeDetails, 0.6),
            // 1 won, 1 lost behind Contacted: (1 + 0.5) / (2 + 5).
            (
                "half and half",
                vec![group(ClosedWon, ClosedWon, 1, 10), group(ClosedLost, Contacted, 1, 10)],
                Contacted,
                1.5 / 7.0,
            ),
            // Won, then withdrew: closed lost now, so a loss for every stage it passed.
            ("what counts is now", vec![group(ClosedLost, ClosedWon, 5, 0)], FinalizeFulfillment, 4.25 / 10.0),
        ] {
            let got = chance_of(&groups, stage);
            assert!(near(got, want), "{name}: {stage:?} got {got}, want {want}");
        }
    }

    #[test]
    fn the_forecast_weighs_open_reach_and_counts_won_reach_in_full() {
        let groups = [
            group(ClosedWon, ClosedWon, 2, 1_000),
            group(ClosedLost, Contacted, 3, 9_999),
            group(Lead, Lead, 10, 2_000),
            group(FinalizeDetails, FinalizeDetails, 1, 500),
        ];
        let f = forecast(&groups, 10_000);
        // Lead: 2 won of 5 closed → (2 + 0.25) / 10; Finalize Details: 2 of 2 → (2 + 3) / 7.
        let lead = 2.25 / 10.0;
        let details = 5.0 / 7.0;
        let want = 1_000.0 + 2_000.0 * lead + 500.0 * details;
        assert!((f.students - want).abs() < 1e-9, "{} != {want}", f.students);
        assert_eq!(f.lines[0].stage, ClosedWon);
        assert_eq!(
            f.lines.iter().map(|l| l.stage).collect::<Vec<_>>()[1..],
            OPEN.iter().rev().copied().collect::<Vec<_>>()[..]
        );
        assert!((f.share_of_goal().unwrap_or_default() - want / 10_000.0).abs() < 1e-12);
        let details_row = f.chances.iter().find(|c| c.stage == FinalizeDetails).copied();
        assert_eq!(details_row.map(|c| (c.closed, c.won)), Some((2, 2)));
    }

    #[test]
    fn an_empty_campaign_forecasts_nothing() {
        let f = forecast(&[], 50_000);
        assert_eq!(f.students, 0.0);
        assert_eq!(f.share_of_goal(), Some(0.0));
        assert_eq!(forecast(&[], 0).share_of_goal(), None);
        let rows = funnel(&PipelineFacts::default());
        assert_eq!(rows.len(), 7);
        assert!(rows.iter().all(|r| r.partners == 0 && r.conversion.is_none() && r.median_days.is_none()));
    }

    #[test]
    fn the_funnel_counts_skips_as_passing() {
        let day = |d: i64| Duration::days(d);
        let facts = PipelineFacts {
            groups: vec![
                group(Lead, Lead, 4, 400),
                group(Contacted, Contacted, 2, 200),
                // Skipped from Lead to Finalize Details.
                group(FinalizeDetails, FinalizeDetails, 1, 50),
                group(ClosedWon, ClosedWon, 1, 1_000),
                group(ClosedLost, Contacted, 2, 20),
            ],
            stays: vec![
                Stay { stage: Lead, length: day(2) },
                Stay { stage: Lead, length: day(4) },
                Stay { stage: Lead, length: day(10) },
                Stay { stage: Contacted, length: day(1) },
                Stay { stage: Contacted, length: day(3) },
                Stay { stage: ClosedLost, length: day(30) },
            ],
        };
        let rows = funnel(&facts);
        let row = |s: Stage| rows.iter().find(|r| r.stage == s).cloned();
        let lead = row(Lead);
        assert_eq!(lead.as_ref().map(|r| (r.partners, r.reach, r.reached)), Some((4, 400, Some(10))));
        // 6 of 10 got past Lead: 2 contacted, 2 lost after contact, 1 skipped ahead, 1 won.
        assert_eq!(lead.as_ref().and_then(|r| r.conversion), Some(0.6));
        assert_eq!(lead.as_ref().and_then(|r| r.median_days), Some(4.0));
        let contacted = row(Contacted);
        assert_eq!(contacted.as_ref().map(|r| r.reached), Some(Some(6)));
        assert_eq!(contacted.as_ref().and_then(|r| r.conversion), Some(2.0 / 6.0));
        assert_eq!(contacted.as_ref().and_then(|r| r.median_days), Some(2.0));
        assert_eq!(row(NegotiateAsk).map(|r| (r.reached, r.median_days)), Some((Some(2), None)));
        assert_eq!(row(FinalizeFulfillment).and_then(|r| r.conversion), Some(1.0));
        let won = row(ClosedWon);
        assert_eq!(won.as_ref().map(|r| (r.reached, r.conversion)), Some((Some(1), None)));
        let lost = row(ClosedLost);
        assert_eq!(lost.map(|r| (r.partners, r.reached, r.median_days, r.finished_stays)), Some((2, None, None, 0)));
        let reached: Vec<i64> = rows.iter().filter_map(|r| r.reached).collect();
        assert!(reached.windows(2).all(|w| w[0] >= w[1]), "a funnel never widens: {reached:?}");
    }

    #[test]
    fn medians() {
        for (values, want) in
            [(vec![], None), (vec![7], Some(7.0)), (vec![3, 1, 2], Some(2.0)), (vec![4, 1, 3, 2], Some(2.5))]
        {
            let mut v = values.clone();
            assert_eq!(median(&mut v), want, "{values:?}");
        }
    }
}

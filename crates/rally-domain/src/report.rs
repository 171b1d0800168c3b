//! The Reports page's arithmetic: the pipeline funnel, each open stage's chance of closing won, and
//! the forecast of students against the goal with its interval. Pure functions over what the store
//! gathers, so every figure on the page can be checked by hand.
//!
//! A partner has *reached* a stage when its stage history shows it there or further along the way
//! Lead → Contacted → Negotiate Ask → Finalize Details → Finalize Fulfillment → Closed Won: a partner
//! moved from Lead straight to Finalize Details has passed Contacted and Negotiate Ask too (teams skip
//! stages), and Closed Lost passes nothing. So the funnel never widens and a skip is not counted as a
//! loss.

use chrono::{DateTime, Duration, Utc};

use crate::PartnerId;
use crate::followup::StageLimits;
use crate::partner::Category;
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

// ---------------------------------------------------------------------------------------------------
// The forecast in students
//
// Each partner's students *if it closes won* come from the best evidence there is, in this order:
// 1. what it brought: the students of approved events attributed to it (its share link, or the
//    organizer's "how did you hear about us?" answer);
// 2. what it agreed to: agreed (or fulfilled) commitments whose unit counts schools or events
//    ([`counts_events`]), times the campaign's students per event ([`students_per_event`]); when it
//    agreed to more than it has brought so far, the agreement counts;
// 3. else its reach times its category's conversion (students per person reached, [`conversions`]).
// Brought students happened: they count in full whatever the stage, Closed Lost included, and so do
// the students of approved events no partner brought (registered directly). A partner
// closed won adds its whole estimate; an open partner adds what it brought plus its stage's chance
// ([`win_chances`]) of the rest. The interval comes from [`simulate`].

/// How much of a loss an open partner past its stage's time limit counts as in [`win_chances`]: the
/// pipeline's silent majority does not close lost, it stops moving, and leaving it out taught the old
/// forecast that nearly every lead closes won.
pub const STALE_LOSS: f64 = 0.5;

/// How many partners' worth of evidence the team's earlier campaigns count as at most: enough to
/// outweigh the defaults when this campaign has little history, never enough to drown its own.
pub const TEAM_WEIGHT: f64 = 10.0;

/// Students per event when the campaign has no approved event yet: a class.
pub const DEFAULT_STUDENTS_PER_EVENT: f64 = 25.0;

/// How many simulated campaigns the interval is read from.
pub const RUNS: usize = 2_000;

/// The simulation's seed: the same figures give the same interval on every reload.
pub const SEED: u64 = 2_013;

/// Students per person reached before any partner of the category has brought an event. People
/// reached are not students: most of a radio's listeners have no class to bring, while a teachers'
/// network speaks to people who do.
///
/// | Category                | Students per person reached | That is                          |
/// |-------------------------|-----------------------------|----------------------------------|
/// | IT company              | 0.005                       | a class of 25 per 5,000 reached  |
/// | Authority               | 0.02                        | a class of 25 per 1,250 reached  |
/// | School/teacher network  | 0.1                         | a class of 25 per 250 reached    |
/// | Nonprofit / university  | 0.02                        | a class of 25 per 1,250 reached  |
/// | Media                   | 0.0005                      | a class of 25 per 50,000 reached |
pub fn default_conversion(category: Category) -> f64 {
    match category {
        Category::ItCompany => 0.005,
        Category::Authority => 0.02,
        Category::SchoolNetwork => 0.1,
        Category::Nonprofit => 0.02,
        Category::Media => 0.0005,
    }
}

/// The words of a commitment's unit that count schools or events (one school hosts one event), folded
/// ([`crate::text::fold`]), in the languages of the demo and the public site: English, Croatian,
/// Serbian (both scripts), Italian, French and Russian. A unit counts events when any of its words is
/// one of these ("schools", "Hour of Code events", "škola", "школе", "scuole").
pub const EVENT_UNIT_WORDS: &[&str] = &[
    // English
    "school",
    "schools",
    "event",
    "events",
    // Croatian and Serbian (Latin)
    "skola",
    "skole",
    "skoli",
    "skolu",
    "skolama",
    "dogadaj",
    "dogadaja",
    "dogadaji",
    "dogadanje",
    "dogadanja",
    // Serbian (Cyrillic)
    "школа",
    "школе",
    "школи",
    "школу",
    "школама",
    "догађај",
    "догађаја",
    "догађаји",
    // Italian
    "scuola",
    "scuole",
    "evento",
    "eventi",
    // French
    "ecole",
    "ecoles",
    "evenement",
    "evenements",
    // Russian
    "школ",
    "школы",
    "мероприятие",
    "мероприятия",
    "мероприятий",
];

/// Whether a commitment's unit counts schools or events (see [`EVENT_UNIT_WORDS`]).
pub fn counts_events(unit: &str) -> bool {
    crate::text::folded_words(unit).iter().any(|w| EVENT_UNIT_WORDS.contains(&w.as_str()))
}

/// An agreed (or fulfilled) commitment with a quantity, as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreed {
    /// The ask's unit ("schools", "posts").
    pub unit: String,
    pub quantity: i64,
}

/// One partner as the forecast needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFacts {
    pub id: PartnerId,
    pub name: String,
    pub category: Category,
    pub stage: Stage,
    /// The furthest stage its history reached (see the module's definition).
    pub furthest: Stage,
    /// When it entered its stage.
    pub since: DateTime<Utc>,
    pub reach: i64,
    /// Approved events attributed to it, and their students (reported, else expected).
    pub brought_events: i64,
    pub brought_students: i64,
    /// Its agreed and fulfilled commitments that carry a quantity.
    pub agreed: Vec<Agreed>,
}

/// The closed partners of the team's earlier campaigns: campaigns created before this one that share
/// a team member (viewers aside) with it. Counts only, grouped like [`PipelineFacts::groups`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamHistory {
    pub campaigns: i64,
    /// Closed partners only (now Closed Won or Closed Lost); `reach` is not used.
    pub groups: Vec<Progress>,
}

/// What the store gathers for the forecast.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastFacts {
    /// Every partner of the campaign, Closed Lost included (what it brought still counts).
    pub partners: Vec<PartnerFacts>,
    pub limits: StageLimits,
    /// The approved events the campaign's counter counts (its own and its member campaigns') and
    /// their students (reported, else expected).
    pub events: i64,
    pub event_students: i64,
    /// Of them, those no partner of the campaign brought: registered directly.
    pub direct_events: i64,
    pub direct_students: i64,
    pub team: TeamHistory,
}

/// An open stage's chance of closing won, and what it was learned from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WinChance {
    pub stage: Stage,
    /// Partners of this campaign that reached the stage and are closed now, and how many closed won.
    pub closed: i64,
    pub won: i64,
    /// Open partners of this campaign that reached the stage and are past their stage's time limit
    /// now: each counts as [`STALE_LOSS`] of a loss.
    pub stale: i64,
    /// The same closed counts from the team's earlier campaigns.
    pub team_closed: i64,
    pub team_won: i64,
    /// The default chance ([`default_chance`]).
    pub default: f64,
    /// `(won + t × team_won + PRIOR_WEIGHT × default) ÷ (closed + STALE_LOSS × stale + t × team_closed
    /// + PRIOR_WEIGHT)`, where `t = min(1, TEAM_WEIGHT ÷ team_closed)` scales the team's history down
    /// to at most [`TEAM_WEIGHT`] partners.
    pub chance: f64,
}

/// Partners that reached `stage` among `groups`, and how many of them are closed won now.
fn behind(groups: &[Progress], stage: Stage) -> (i64, i64) {
    groups
        .iter()
        .filter(|g| progress(g.furthest) >= progress(stage))
        .fold((0, 0), |(n, won), g| (n + g.partners, won + if g.now == Stage::ClosedWon { g.partners } else { 0 }))
}

/// Each open stage's chance of closing won. Evidence, weighed: the partners of this campaign that
/// reached the stage and closed (won or lost); its open partners that reached the stage and are past
/// their time limit (`stale`, each [`STALE_LOSS`] of a loss); the team's earlier campaigns' closed
/// partners (`team`, scaled to at most [`TEAM_WEIGHT`] partners); and the default chance counted as
/// [`PRIOR_WEIGHT`] partners. With no history the chance is the default; with much, what happened.
pub fn win_chances(groups: &[Progress], stale: &[Progress], team: &[Progress]) -> Vec<WinChance> {
    let closed: Vec<Progress> = groups.iter().filter(|g| g.now.is_closed()).copied().collect();
    let team: Vec<Progress> = team.iter().filter(|g| g.now.is_closed()).copied().collect();
    OPEN.iter()
        .map(|&stage| {
            let (closed, won) = behind(&closed, stage);
            let (stale, _) = behind(stale, stage);
            let (team_closed, team_won) = behind(&team, stage);
            let t = if team_closed > 0 { (TEAM_WEIGHT / team_closed as f64).min(1.0) } else { 0.0 };
            let default = default_chance(stage).unwrap_or(0.0);
            let chance = (won as f64 + t * team_won as f64 + PRIOR_WEIGHT * default)
                / (closed as f64 + STALE_LOSS * stale as f64 + t * team_closed as f64 + PRIOR_WEIGHT);
            WinChance { stage, closed, won, stale, team_closed, team_won, default, chance }
        })
        .collect()
}

/// A category's students per person reached, and what it was learned from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion {
    pub category: Category,
    /// Partners of the category that brought events and have a reach, their students and their reach.
    pub partners: i64,
    pub students: i64,
    pub reach: i64,
    /// [`default_conversion`].
    pub default: f64,
    /// `(partners × students ÷ reach + PRIOR_WEIGHT × default) ÷ (partners + PRIOR_WEIGHT)`: the
    /// default counts as [`PRIOR_WEIGHT`] partners.
    pub rate: f64,
}

impl Conversion {
    /// What the partners that brought events converted, if any did.
    pub fn learned(&self) -> Option<f64> {
        (self.partners > 0 && self.reach > 0).then(|| self.students as f64 / self.reach as f64)
    }
}

/// Each category's conversion, learned from the partners of the category that brought events.
pub fn conversions(partners: &[PartnerFacts]) -> Vec<Conversion> {
    Category::ALL
        .iter()
        .map(|&category| {
            let learned_from =
                partners.iter().filter(|p| p.category == category && p.brought_students > 0 && p.reach > 0);
            let (n, students, reach) =
                learned_from.fold((0, 0, 0), |(n, s, r), p| (n + 1, s + p.brought_students, r + p.reach));
            let default = default_conversion(category);
            let mut c = Conversion { category, partners: n, students, reach, default, rate: default };
            if let Some(learned) = c.learned() {
                c.rate = (n as f64 * learned + PRIOR_WEIGHT * default) / (n as f64 + PRIOR_WEIGHT);
            }
            c
        })
        .collect()
}

/// The campaign's students per approved event, or [`DEFAULT_STUDENTS_PER_EVENT`] before it has one.
pub fn students_per_event(events: i64, students: i64) -> f64 {
    if events > 0 { students as f64 / events as f64 } else { DEFAULT_STUDENTS_PER_EVENT }
}

/// Where a partner's students-if-won come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Brought,
    Agreed,
    Reach,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Brought => "brought",
            Source::Agreed => "agreed",
            Source::Reach => "reach",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Brought => "Brought",
            Source::Agreed => "Agreed to",
            Source::Reach => "From reach",
        }
    }
}

/// One partner's part of the forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerForecast {
    pub id: PartnerId,
    pub name: String,
    pub category: Category,
    pub stage: Stage,
    /// Open and past its stage's time limit.
    pub stale: bool,
    /// Its stage's chance of closing won: 1 for Closed Won, 0 for Closed Lost.
    pub chance: f64,
    pub source: Source,
    pub reach: i64,
    pub brought_events: i64,
    pub brought_students: i64,
    /// Schools or events it agreed to.
    pub agreed_events: i64,
    /// The conversion used, when the source is its reach.
    pub conversion: Option<f64>,
    /// Its students if it closes won.
    pub if_won: f64,
    /// `brought + chance × (if_won − brought)`.
    pub expected: f64,
}

impl PartnerForecast {
    /// What is still uncertain: its students beyond what it brought.
    fn at_stake(&self) -> f64 {
        (self.if_won - self.brought_students as f64).max(0.0)
    }
}

/// The 10th, 50th and 90th percentiles of total students over [`RUNS`] simulated campaigns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub median: f64,
    pub high: f64,
    pub runs: usize,
}

/// What one stage adds to the forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastLine {
    pub stage: Stage,
    pub partners: i64,
    pub chance: f64,
    /// Students its partners brought already, and all they are expected to add up to.
    pub brought: i64,
    pub students: f64,
}

/// The forecast of students.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub goal: i64,
    pub chances: Vec<WinChance>,
    pub conversions: Vec<Conversion>,
    /// The approved events the counter counts, and the students per event used for agreements.
    pub events: i64,
    pub students_per_event: f64,
    /// Approved events no partner brought, and their students: they happened, and count in full.
    pub direct_events: i64,
    pub direct_students: i64,
    pub team_campaigns: i64,
    /// Every partner, most expected students first.
    pub partners: Vec<PartnerForecast>,
    /// Closed Won, the open stages from the furthest along back to Lead, then Closed Lost.
    pub lines: Vec<ForecastLine>,
    /// Students expected: the students registered directly plus every partner's `expected` (the
    /// simulation's mean).
    pub students: f64,
    pub interval: Interval,
}

impl Forecast {
    /// The forecast as a share of the goal; `None` without a goal.
    pub fn share_of_goal(&self) -> Option<f64> {
        (self.goal > 0).then(|| self.students / self.goal as f64)
    }

    /// The chance used for partners now in `stage` (1 for Closed Won, 0 for Closed Lost).
    pub fn chance(&self, stage: Stage) -> f64 {
        chance_at(&self.chances, stage)
    }

    /// Students expected from each source: brought (happened), agreed to and from reach (expected).
    pub fn by_source(&self) -> [(Source, f64); 3] {
        let mut sums = [(Source::Brought, 0.0), (Source::Agreed, 0.0), (Source::Reach, 0.0)];
        for p in &self.partners {
            sums[0].1 += p.brought_students as f64;
            let rest = p.expected - p.brought_students as f64;
            match p.source {
                Source::Agreed => sums[1].1 += rest,
                Source::Reach => sums[2].1 += rest,
                Source::Brought => sums[0].1 += rest,
            }
        }
        sums
    }
}

/// The chance used for partners now in `stage`: 1 for Closed Won, 0 for Closed Lost.
fn chance_at(chances: &[WinChance], stage: Stage) -> f64 {
    match stage {
        Stage::ClosedWon => 1.0,
        Stage::ClosedLost => 0.0,
        open => chances.iter().find(|c| c.stage == open).map_or(0.0, |c| c.chance),
    }
}

/// The schools or events a partner agreed to: its commitments in a unit that counts them.
fn agreed_events(p: &PartnerFacts) -> i64 {
    p.agreed.iter().filter(|a| counts_events(&a.unit)).map(|a| a.quantity.max(0)).sum()
}

/// One partner's estimate: its source, its students if won and its conversion (for reach).
fn estimate(p: &PartnerFacts, per_event: f64, conversions: &[Conversion]) -> (Source, f64, Option<f64>) {
    let agreed = agreed_events(p);
    let brought = p.brought_students as f64;
    if agreed > 0 && agreed as f64 * per_event > brought {
        (Source::Agreed, agreed as f64 * per_event, None)
    } else if agreed > 0 || p.brought_students > 0 {
        (Source::Brought, brought, None)
    } else {
        let rate = conversions.iter().find(|c| c.category == p.category).map_or(0.0, |c| c.rate);
        (Source::Reach, p.reach.max(0) as f64 * rate, Some(rate))
    }
}

/// The forecast of students at `now` (which decides who is past its stage's time limit).
pub fn forecast(facts: &ForecastFacts, goal: i64, now: DateTime<Utc>) -> Forecast {
    let is_stale = |p: &PartnerFacts| facts.limits.is_stale(p.stage, p.since, now);
    let mut groups: Vec<Progress> = Vec::new();
    let mut stale: Vec<Progress> = Vec::new();
    for p in &facts.partners {
        add_to_group(&mut groups, p);
        if is_stale(p) {
            add_to_group(&mut stale, p);
        }
    }
    let chances = win_chances(&groups, &stale, &facts.team.groups);
    let conversions = conversions(&facts.partners);
    let per_event = students_per_event(facts.events, facts.event_students);
    let chance_of = |stage: Stage| chance_at(&chances, stage);
    let mut partners: Vec<PartnerForecast> = facts
        .partners
        .iter()
        .map(|p| {
            let (source, if_won, conversion) = estimate(p, per_event, &conversions);
            let chance = chance_of(p.stage);
            let brought = p.brought_students as f64;
            PartnerForecast {
                id: p.id,
                name: p.name.clone(),
                category: p.category,
                stage: p.stage,
                stale: is_stale(p),
                chance,
                source,
                reach: p.reach,
                brought_events: p.brought_events,
                brought_students: p.brought_students,
                agreed_events: agreed_events(p),
                conversion,
                if_won,
                expected: brought + chance * (if_won - brought).max(0.0),
            }
        })
        .collect();
    partners.sort_by(|a, b| b.expected.total_cmp(&a.expected).then_with(|| a.name.cmp(&b.name)));
    let lines = lines(&partners, &chance_of);
    let direct = facts.direct_students as f64;
    let students = direct + partners.iter().map(|p| p.expected).sum::<f64>();
    let interval = simulate(&partners, RUNS, SEED);
    let interval = Interval {
        low: interval.low + direct,
        median: interval.median + direct,
        high: interval.high + direct,
        ..interval
    };
    Forecast {
        goal,
        chances,
        conversions,
        events: facts.events,
        students_per_event: per_event,
        direct_events: facts.direct_events,
        direct_students: facts.direct_students,
        team_campaigns: facts.team.campaigns,
        partners,
        lines,
        students,
        interval,
    }
}

fn add_to_group(groups: &mut Vec<Progress>, p: &PartnerFacts) {
    let furthest = at_progress(progress(p.furthest).max(progress(p.stage)));
    match groups.iter_mut().find(|g| g.now == p.stage && g.furthest == furthest) {
        Some(g) => (g.partners, g.reach) = (g.partners + 1, g.reach + p.reach),
        None => groups.push(Progress { now: p.stage, furthest, partners: 1, reach: p.reach }),
    }
}

/// The forecast's rows by stage: Closed Won, the open stages from the furthest along back, Closed Lost.
fn lines(partners: &[PartnerForecast], chance_of: &dyn Fn(Stage) -> f64) -> Vec<ForecastLine> {
    std::iter::once(Stage::ClosedWon)
        .chain(OPEN.iter().rev().copied())
        .chain(std::iter::once(Stage::ClosedLost))
        .map(|stage| {
            let now = partners.iter().filter(|p| p.stage == stage);
            let (n, brought, students) =
                now.fold((0, 0, 0.0), |(n, b, s), p| (n + 1, b + p.brought_students, s + p.expected));
            ForecastLine { stage, partners: n, chance: chance_of(stage), brought, students }
        })
        .collect()
}

/// A small, fast generator (SplitMix64): the simulation needs uniform numbers, not secrets, and the
/// domain crate takes no dependency for it.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The interval: `runs` simulated campaigns in which every open partner closes won with its chance
/// (independently) and then adds its students beyond what it brought; what was brought, and the
/// partners closed won, count in every run. The 10th, 50th and 90th percentiles of the totals
/// (nearest rank). It says how much the open partners' closing can move the total, not how wrong each
/// partner's estimate may be.
pub fn simulate(partners: &[PartnerForecast], runs: usize, seed: u64) -> Interval {
    let mut fixed = 0.0;
    let mut uncertain: Vec<(f64, f64)> = Vec::new();
    for p in partners {
        let brought = p.brought_students as f64;
        match p.stage {
            Stage::ClosedWon => fixed += brought + p.at_stake(),
            Stage::ClosedLost => fixed += brought,
            _ => {
                fixed += brought;
                if p.chance > 0.0 && p.at_stake() > 0.0 {
                    uncertain.push((p.chance, p.at_stake()));
                }
            }
        }
    }
    let mut rng = SplitMix64(seed);
    let mut totals = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let mut total = fixed;
        for &(chance, students) in &uncertain {
            if rng.unit() < chance {
                total += students;
            }
        }
        totals.push(total);
    }
    totals.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let rank = (p * totals.len() as f64).ceil() as usize;
        totals[rank.clamp(1, totals.len()) - 1]
    };
    Interval { low: at(0.1), median: at(0.5), high: at(0.9), runs: totals.len() }
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

    fn near(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn chance_in(chances: &[WinChance], stage: Stage) -> f64 {
        chances.iter().find(|c| c.stage == stage).map_or(f64::NAN, |c| c.chance)
    }

    #[test]
    fn chances_blend_history_stale_partners_and_the_team() {
        for (name, groups, stale, team, stage, want) in [
            ("no history: the default", vec![], vec![], vec![], Lead, 0.05),
            ("no history: the default", vec![], vec![], vec![], FinalizeFulfillment, 0.85),
            (
                "fresh open partners teach nothing",
                vec![group(Contacted, Contacted, 40, 4000)],
                vec![],
                vec![],
                Lead,
                0.05,
            ),
            // (100 + 5 × 0.05) / (100 + 5)
            ("all won: near 1", vec![group(ClosedWon, ClosedWon, 100, 0)], vec![], vec![], Lead, 100.25 / 105.0),
            (
                "all lost: near 0",
                vec![group(ClosedLost, NegotiateAsk, 100, 0)],
                vec![],
                vec![],
                NegotiateAsk,
                1.5 / 105.0,
            ),
            // Lost at Negotiate Ask: no evidence about Finalize Details.
            (
                "lost earlier: the default",
                vec![group(ClosedLost, NegotiateAsk, 100, 0)],
                vec![],
                vec![],
                FinalizeDetails,
                0.6,
            ),
            // 1 won, 1 lost behind Contacted: (1 + 0.5) / (2 + 5).
            (
                "half and half",
                vec![group(ClosedWon, ClosedWon, 1, 10), group(ClosedLost, Contacted, 1, 10)],
                vec![],
                vec![],
                Contacted,
                1.5 / 7.0,
            ),
            // Won, then withdrew: closed lost now, so a loss for every stage it passed.
            (
                "what counts is now",
                vec![group(ClosedLost, ClosedWon, 5, 0)],
                vec![],
                vec![],
                FinalizeFulfillment,
                4.25 / 10.0,
            ),
            // Ten leads past their limit are five losses: 0.25 / (5 + 5).
            ("stale leads", vec![group(Lead, Lead, 10, 0)], vec![group(Lead, Lead, 10, 0)], vec![], Lead, 0.025),
            // A stale partner in Negotiate Ask says nothing about Finalize Details.
            ("stale earlier", vec![], vec![group(NegotiateAsk, NegotiateAsk, 10, 0)], vec![], FinalizeDetails, 0.6),
            // 100 closed in earlier campaigns count as 10: (0.1 × 40 + 0.25) / (0.1 × 100 + 5).
            (
                "a long team history counts as ten partners",
                vec![],
                vec![],
                vec![group(ClosedWon, ClosedWon, 40, 0), group(ClosedLost, Lead, 60, 0)],
                Lead,
                4.25 / 15.0,
            ),
            // Four count as four: (4 + 0.25) / (4 + 5).
            ("a short one counts in full", vec![], vec![], vec![group(ClosedWon, ClosedWon, 4, 0)], Lead, 4.25 / 9.0),
            // Here: 1 won of 2 behind Contacted; team: 20 won, scaled by 10 / 20: (1 + 10 + 0.5) / (2 + 10 + 5).
            (
                "both",
                vec![group(ClosedWon, ClosedWon, 1, 10), group(ClosedLost, Contacted, 1, 10)],
                vec![],
                vec![group(ClosedWon, ClosedWon, 20, 0)],
                Contacted,
                11.5 / 17.0,
            ),
            ("the team's open partners teach nothing", vec![], vec![], vec![group(Lead, Lead, 50, 0)], Lead, 0.05),
        ] {
            let got = chance_in(&win_chances(&groups, &stale, &team), stage);
            assert!(near(got, want), "{name}: {stage:?} got {got}, want {want}");
        }
    }

    /// The demo's pipeline: 23 won, 15 lost early, and 209 open, most of them long past their stage's
    /// time limit. Learning only from the closed taught the old forecast that 54% of leads close won.
    #[test]
    fn lead_no_longer_learns_from_survivors() {
        let groups = vec![
            group(Lead, Lead, 63, 0),
            group(Contacted, Contacted, 42, 0),
            group(NegotiateAsk, NegotiateAsk, 29, 0),
            group(FinalizeDetails, FinalizeDetails, 21, 0),
            group(FinalizeFulfillment, FinalizeFulfillment, 17, 0),
            group(ClosedWon, ClosedWon, 23, 0),
            group(ClosedLost, Lead, 5, 0),
            group(ClosedLost, Contacted, 5, 0),
            group(ClosedLost, NegotiateAsk, 5, 0),
        ];
        let stale = vec![
            group(Lead, Lead, 63, 0),
            group(Contacted, Contacted, 35, 0),
            group(NegotiateAsk, NegotiateAsk, 15, 0),
            group(FinalizeDetails, FinalizeDetails, 15, 0),
            group(FinalizeFulfillment, FinalizeFulfillment, 3, 0),
        ];
        let survivors = chance_in(&win_chances(&groups, &[], &[]), Lead);
        assert!(near(survivors, 23.25 / 43.0) && survivors > 0.54, "{survivors}");
        let chances = win_chances(&groups, &stale, &[]);
        // 131 stale partners reached Lead: (23 + 0.25) / (38 + 65.5 + 5).
        assert!(near(chance_in(&chances, Lead), 23.25 / 108.5), "{:?}", chances[0]);
        assert!(chance_in(&chances, Lead) < 0.22);
        // Near the end the evidence is mostly wins: (23 + 4.25) / (23 + 1.5 + 5).
        assert!(near(chance_in(&chances, FinalizeFulfillment), 27.25 / 29.5));
        let rising: Vec<f64> = OPEN.iter().map(|&s| chance_in(&chances, s)).collect();
        assert!(rising.windows(2).all(|w| w[0] < w[1]), "{rising:?}");
    }

    fn partner(name: &str, category: Category, stage: Stage, reach: i64, brought: (i64, i64)) -> PartnerFacts {
        PartnerFacts {
            id: PartnerId(name.len() as i64),
            name: name.into(),
            category,
            stage,
            furthest: stage,
            since: now() - Duration::days(1),
            reach,
            brought_events: brought.0,
            brought_students: brought.1,
            agreed: vec![],
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn the_forecast_takes_brought_then_agreed_then_reach() {
        let mut agreed = partner("Agreed", Category::Authority, FinalizeDetails, 50_000, (1, 30));
        agreed.agreed =
            vec![Agreed { unit: "schools".into(), quantity: 10 }, Agreed { unit: "posts".into(), quantity: 5 }];
        let mut stale_lead = partner("Reach", Category::Media, Lead, 100_000, (0, 0));
        stale_lead.since = now() - Duration::days(30);
        let mut lost = partner("Lost", Category::ItCompany, ClosedLost, 3_000, (1, 30));
        lost.furthest = Contacted;
        let facts = ForecastFacts {
            partners: vec![
                partner("Brought", Category::SchoolNetwork, ClosedWon, 1_000, (2, 60)),
                agreed,
                stale_lead,
                lost,
            ],
            limits: StageLimits::default(),
            events: 4,
            event_students: 120,
            direct_events: 0,
            direct_students: 0,
            team: TeamHistory::default(),
        };
        let f = forecast(&facts, 1_000, now());
        // Lead: 1 won and 1 lost behind it, 1 stale lead: (1 + 0.25) / (2 + 0.5 + 5).
        assert!(near(f.chance(Lead), 1.0 / 6.0), "{}", f.chance(Lead));
        // Finalize Details: the won partner only: (1 + 3) / (1 + 5).
        assert!(near(f.chance(FinalizeDetails), 2.0 / 3.0));
        assert!(near(f.students_per_event, 30.0));
        let p = |name: &str| f.partners.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("{name}"));
        // What it brought, in full: it closed won.
        assert_eq!((p("Brought").source, p("Brought").if_won, p("Brought").expected), (Source::Brought, 60.0, 60.0));
        // 10 schools × 30 students; the posts count nothing; the 30 brought count in full, the other
        // 270 at its stage's chance.
        let a = p("Agreed");
        assert_eq!((a.source, a.agreed_events, a.if_won), (Source::Agreed, 10, 300.0));
        assert!(near(a.expected, 30.0 + 270.0 * 2.0 / 3.0));
        // No media partner brought anything: the default, 100 000 × 0.0005 = 50, at Lead's chance.
        let r = p("Reach");
        assert_eq!((r.source, r.conversion, r.if_won, r.stale), (Source::Reach, Some(0.0005), 50.0, true));
        assert!(near(r.expected, 50.0 / 6.0));
        // Lost, but its event happened.
        assert_eq!((p("Lost").chance, p("Lost").expected), (0.0, 30.0));
        assert!(near(f.students, 60.0 + 210.0 + 50.0 / 6.0 + 30.0), "{}", f.students);
        assert_eq!(
            f.partners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Agreed", "Brought", "Lost", "Reach"]
        );
        let [brought, agreed, reach] = f.by_source();
        assert!(near(brought.1, 120.0) && near(agreed.1, 180.0) && near(reach.1, 50.0 / 6.0), "{:?}", f.by_source());
        let stages: Vec<Stage> = f.lines.iter().map(|l| l.stage).collect();
        assert_eq!(
            stages,
            [ClosedWon, FinalizeFulfillment, FinalizeDetails, NegotiateAsk, Contacted, Lead, ClosedLost]
        );
        assert_eq!(f.lines.last().map(|l| (l.partners, l.brought, l.students)), Some((1, 30, 30.0)));
        // 120 happened; Agreed adds 270 with 2/3, Reach 50 with 1/6: 120 (5/18), 170 (1/18), 390
        // (10/18) or 440 (2/18).
        assert_eq!((f.interval.low, f.interval.median, f.interval.runs), (120.0, 390.0, RUNS));
        assert!(f.interval.high >= 390.0);
        // Students registered directly happened: they add to everything.
        let direct = forecast(&ForecastFacts { direct_events: 1, direct_students: 25, ..facts.clone() }, 1_000, now());
        assert!(near(direct.students, f.students + 25.0));
        assert_eq!((direct.interval.low, direct.interval.median), (145.0, 415.0));
        // Schools networks learned from "Brought" (60 of 1 000 reached): (0.06 + 5 × 0.1) / 6.
        let school = f.conversions.iter().find(|c| c.category == Category::SchoolNetwork).copied();
        assert_eq!(school.map(|c| (c.partners, c.students, c.reach)), Some((1, 60, 1_000)));
        assert!(school.is_some_and(|c| near(c.rate, 0.56 / 6.0)));
        let media = f.conversions.iter().find(|c| c.category == Category::Media).copied();
        assert_eq!(media.map(|c| (c.partners, c.learned(), c.rate)), Some((0, None, 0.0005)));
    }

    #[test]
    fn agreements_count_from_what_was_brought() {
        let mut p = partner("Network", Category::SchoolNetwork, FinalizeFulfillment, 5_000, (12, 360));
        p.agreed = vec![Agreed { unit: "Hour of Code events".into(), quantity: 10 }];
        let facts = ForecastFacts { partners: vec![p], events: 0, event_students: 0, ..ForecastFacts::default() };
        // No approved event in the campaign: 25 per event; 10 × 25 < 360 brought, so what it brought.
        let f = forecast(&facts, 1_000, now());
        assert_eq!(f.students_per_event, DEFAULT_STUDENTS_PER_EVENT);
        assert_eq!((f.partners[0].source, f.partners[0].expected), (Source::Brought, 360.0));
        assert_eq!((f.interval.low, f.interval.high), (360.0, 360.0));
    }

    #[test]
    fn units_that_count_schools_or_events() {
        for unit in
            ["schools", "School", "Hour of Code events", "škola", "ŠKOLE", "događaja", "школе", "scuole", "écoles"]
        {
            assert!(counts_events(unit), "{unit}");
        }
        for unit in ["", "posts", "employees", "schoolchildren", "newsletters", "učenika"] {
            assert!(!counts_events(unit), "{unit}");
        }
    }

    #[test]
    fn the_interval_is_read_from_a_seeded_simulation() {
        let coin = |i: i64| PartnerForecast {
            id: PartnerId(i),
            name: format!("P{i}"),
            category: Category::Media,
            stage: Contacted,
            stale: false,
            chance: 0.5,
            source: Source::Reach,
            reach: 0,
            brought_events: 0,
            brought_students: 0,
            agreed_events: 0,
            conversion: None,
            if_won: 100.0,
            expected: 50.0,
        };
        let partners: Vec<PartnerForecast> = (0..10).map(coin).collect();
        // Ten fair coins worth 100 each: P(≤ 2) = 5.5%, P(≤ 3) = 17%, P(≤ 4) = 38%, P(≤ 5) = 62%,
        // P(≤ 6) = 83%, P(≤ 7) = 95%.
        let interval = simulate(&partners, RUNS, SEED);
        assert_eq!((interval.low, interval.median, interval.high), (300.0, 500.0, 700.0));
        assert_eq!(simulate(&partners, RUNS, SEED), interval, "the same seed, the same interval");
        // Certain partners make no interval.
        let won: Vec<PartnerForecast> =
            partners.iter().map(|p| PartnerForecast { stage: ClosedWon, ..p.clone() }).collect();
        let certain = simulate(&won, RUNS, SEED);
        assert_eq!((certain.low, certain.high), (1_000.0, 1_000.0));
        assert_eq!(simulate(&[], 0, SEED).median, 0.0);
    }

    #[test]
    fn an_empty_campaign_forecasts_nothing() {
        let f = forecast(&ForecastFacts::default(), 50_000, now());
        assert_eq!(f.students, 0.0);
        assert_eq!((f.interval.low, f.interval.median, f.interval.high), (0.0, 0.0, 0.0));
        assert_eq!(f.share_of_goal(), Some(0.0));
        assert_eq!(forecast(&ForecastFacts::default(), 0, now()).share_of_goal(), None);
        assert!(f.chances.iter().all(|c| c.chance == c.default));
        assert!(f.conversions.iter().all(|c| c.rate == c.default));
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

//! The recognition wall's grouping, shown on the team's public wall page and on the campaign site.

use rally_store::Recognized;

/// The tiers of a wall, high reach first, each non-empty.
pub fn wall_tiers(wall: Vec<Recognized>) -> Vec<(&'static str, Vec<Recognized>)> {
    let (high, low): (Vec<_>, Vec<_>) = wall.into_iter().partition(|r| r.tier == rally_domain::Tier::High);
    [("Main partners", high), ("Partners", low)].into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

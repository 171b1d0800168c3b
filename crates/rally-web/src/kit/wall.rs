//! The recognition wall's grouping: the public site's partner page, its embeds and its fragment show
//! the won partners in tiers.

use rally_domain::Tier;
use rally_store::Recognized;

/// The tiers of a wall, high reach first, each non-empty; the store's order (by name) within each.
pub fn wall_tiers(wall: Vec<Recognized>) -> Vec<(Tier, Vec<Recognized>)> {
    let (high, low): (Vec<_>, Vec<_>) = wall.into_iter().partition(|r| r.tier == Tier::High);
    [(Tier::High, high), (Tier::Low, low)].into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

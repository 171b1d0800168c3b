//! Events: the public statistics (`/api/v1/public/campaigns/{slug}/stats`), and for the team the list
//! of a campaign's events and their moderation.

pub mod list;
pub mod moderate;
pub mod public_stats;

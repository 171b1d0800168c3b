//! `/api/v1/campaigns/{campaign}/activities` and `/api/v1/activities/{id}`: the campaign's activity
//! catalogue — the team's list with its facet filters and counts, one activity, adding, changing and
//! removing one, the review of submissions, "hide now", and the catalogue as CSV.

pub mod create;
pub mod delete;
pub mod export;
pub mod get;
pub mod hide;
pub mod list;
pub mod review;
pub mod update;

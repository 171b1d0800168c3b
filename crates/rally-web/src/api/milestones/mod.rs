//! `/api/v1/campaigns/{campaign}/milestones` and `/api/v1/milestones/{id}`: the dated moments of the
//! campaign's communication plan, which messages are timed by.

pub mod create;
pub mod delete;
pub mod list;
pub mod update;

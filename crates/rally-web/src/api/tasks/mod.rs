//! `/api/v1/campaigns/{campaign}/tasks` and `/api/v1/tasks/{id}`: follow-up tasks.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

//! `/api/v1/campaigns`: a campaign is addressed by its id or its slug.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

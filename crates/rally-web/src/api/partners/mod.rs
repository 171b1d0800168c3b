//! `/api/v1/campaigns/{campaign}/partners` and `/api/v1/partners/{id}`: partners and the pipeline.

pub mod create;
pub mod delete;
pub mod get;
pub mod history;
pub mod list;
pub mod merge;
pub mod share_link;
pub mod stage;
pub mod update;

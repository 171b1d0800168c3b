//! `/api/v1/campaigns/{campaign}/assets` and `/api/v1/assets/{id}`: the library of promotional material.

pub mod create;
pub mod delete;
pub mod file;
pub mod get;
pub mod list;

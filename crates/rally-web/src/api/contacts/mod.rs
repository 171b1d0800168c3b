//! `/api/v1/partners/{id}/contacts` and `/api/v1/contacts/{id}`: the people at partners.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

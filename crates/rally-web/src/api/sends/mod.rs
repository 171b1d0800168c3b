//! `/api/v1/partners/{id}/sends`: which assets went to which partner, when.

pub mod create;
pub mod list;

//! `/api/v1/campaigns/{campaign}/asks` and `/api/v1/asks/{id}`: what the campaign asks of its partners.

pub mod apply;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

//! `/api/v1/campaigns/{campaign}/privacy`: one person's data in a campaign, for its owners — exported
//! as JSON (`export.rs`) or erased with a reason (`erase.rs`). Both are recorded in the audit log.

pub mod erase;
pub mod export;

//! `/api/v1/partners/{id}/commitments`, `/api/v1/commitments/{id}` and `/api/v1/campaigns/{campaign}/due`:
//! what each partner agreed to do, and what is coming due.

pub mod create;
pub mod due;
pub mod list;
pub mod update;

//! `/api/v1/campaigns/{campaign}/mail-plan`: the campaign's future e-mail calendar. It was served at
//! `…/plan` until version 0.1, which stays for one release as a deprecated alias (`alias.rs`): "plan"
//! is the campaign's action plan everywhere else.

pub mod alias;
pub mod get;

//! `/api/v1/campaigns/{campaign}/stage-limits`: how long a partner may wait in a stage before it deserves
//! a follow-up.

pub mod get;
pub mod set;

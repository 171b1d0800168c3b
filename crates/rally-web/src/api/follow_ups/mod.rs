//! `/api/v1/campaigns/{campaign}/follow-ups`: partners waiting too long for the caller.

pub mod list;

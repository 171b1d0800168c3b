//! `/api/v1/campaigns/{campaign}/suppressions`: addresses that get no more e-mail.

pub mod create;

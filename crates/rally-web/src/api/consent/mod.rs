//! Consent and privacy notices: `/api/v1/campaigns/{campaign}/privacy-notices` (the versions of the
//! campaign's notice, and publishing a new one) and `/api/v1/contacts/{id}/consents` (a contact's
//! consent history).

pub mod contact_history;
pub mod list_notices;
pub mod publish_notice;

//! `/api/v1/partners/{id}/mail`: the e-mails to a partner's contacts, for its timeline.

pub mod list;

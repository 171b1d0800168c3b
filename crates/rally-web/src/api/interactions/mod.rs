//! `/api/v1/partners/{id}/interactions`: calls, meetings, e-mails and notes with a partner.

pub mod create;
pub mod list;

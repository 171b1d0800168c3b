//! `/api/v1/me/calendar`: the caller's calendar feed (iCalendar) for calendar apps.

pub mod create;
pub mod revoke;

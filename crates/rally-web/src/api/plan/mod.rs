//! `/api/v1/campaigns/{campaign}/plan`: the campaign's future e-mail calendar.

pub mod calendar;

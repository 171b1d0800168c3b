//! `/api/v1/campaigns/{campaign}/recognition`: the public wall of the campaign's partners.

pub mod wall;

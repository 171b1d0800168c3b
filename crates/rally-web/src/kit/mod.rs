//! The toolkit the three HTTP surfaces share — `api/` (JSON), `pages/` (the team's app) and `site/`
//! (the public campaign sites): rendering, error pages, form reading, uploads, page headers. It uses none of
//! them, and they do not use one another.

mod page;
mod partner_query;
pub mod uploads;
mod wall;

pub use page::{ErrorKind, FormData, PageError, render, security_headers};
pub use partner_query::PartnerListQuery;
pub use wall::wall_tiers;

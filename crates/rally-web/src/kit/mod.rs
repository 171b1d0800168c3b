//! The toolkit the three HTTP surfaces share — `api/` (JSON), `pages/` (the team's app) and `site/`
//! (the public campaign sites): rendering, error pages, form reading, uploads, page headers. It uses none of
//! them, and they do not use one another.

pub mod activity_form;
pub mod activity_mail;
pub mod cookies;
mod download;
mod form;
pub mod languages;
mod moved;
mod page;
mod partner_query;
pub mod uploads;
mod wall;

pub use download::{attachment, json_attachment};
pub use form::{FormField, FormState, field_errors};
pub use languages::{EVENT_LANGUAGES, language_name};
pub use moved::Moved;
pub use page::{ErrorKind, FormData, PageError, render, security_headers};
pub use partner_query::PartnerListQuery;
pub use wall::wall_tiers;

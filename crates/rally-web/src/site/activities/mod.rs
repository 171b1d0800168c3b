//! The activity catalogue on the public site: the list a teacher filters (links and checkboxes, no
//! JavaScript, one canonical address per choice — `query.rs`), an activity's page with the way to host
//! an event with it, and the form anyone uses to suggest an activity for the team's review.

mod catalogue;
pub mod query;
mod submit;

pub use catalogue::{activity, catalogue, material};
pub use submit::{form, submit};

//! `/campaigns/{slug}/comms`: the team's e-mail area — three screens (the e-mail page, a message's page,
//! the planner) and the forms posted from the first two, a file each:
//!
//! - `overview`: the e-mail page — the calendar of the coming weeks, the messages, the milestones and
//!   the sender and cadence settings;
//! - `settings`: that page's forms (sender and cadence, milestones added, changed and deleted), which
//!   show it again with their errors;
//! - `editor`: a message's page — its fields, segment and templates per language and partner
//!   category, written and saved, and a draft deleted;
//! - `sending`: that page's "Check and send" — previews, test sends, queueing;
//! - `planner`: the planner's calendar of every future e-mail the draft messages would send.
//!
//! What more than one of them needs lives here; the route table names the handlers as `comms::…`.

mod editor;
mod overview;
mod planner;
mod sending;
mod settings;

pub use editor::{create_message, delete_message, new_form, show_message, update_message};
pub use overview::show;
pub use planner::calendar;
pub use sending::{control, preview, queue, test_send};
pub use settings::{add_milestone, delete_milestone, save_settings, update_milestone};

use rally_comms::plan::PlanError;
use rally_domain::Role;
use rally_store::StoreError;

use super::PageError;
use crate::kit::field_errors;

/// Whether the role may change the e-mail plan (settings, milestones, messages).
fn can_edit(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Owner | Role::Coordinator))
}

/// A planning failure as a message on the page.
fn plan_problem(e: PlanError) -> Result<String, PageError> {
    match e {
        PlanError::Store(e) => match e {
            StoreError::Invalid(i) => Ok(i.sentences()),
            StoreError::Conflict { message, .. } => Ok(message),
            e => Err(e.into()),
        },
        other => Ok(other.to_string()),
    }
}

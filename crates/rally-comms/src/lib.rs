//! Rally's communication engine, between the store and the mail server.
//!
//! * [`plan`] turns a message into one rendered e-mail per contact of its segment, each timed by the
//!   campaign's cadence rules, and puts them in the outbox in one transaction — or shows the whole
//!   future calendar without writing anything.
//! * [`worker`] delivers the outbox: it claims due rows with a lease, checks the cadence and the
//!   suppression list again, sends, and records each outcome in its own transaction.
//! * [`organizer`] writes Rally's e-mails to event organizers in their language, with their link.
//! * [`team_mail`] writes Rally's e-mails to its users: invitations, reset and confirmation links.
//! * [`unsubscribe`] signs and checks the unforgeable token in every unsubscribe link.

pub mod organizer;
pub mod plan;
pub mod team_mail;
pub mod unsubscribe;
pub mod worker;

pub use plan::{LineState, PlanError, PlanLine, Planned};
pub use worker::{Worker, WorkerConfig};

//! The JSON API over real HTTP on loopback, on SQLite and on PostgreSQL: one file per resource or
//! concern, all through the client in `crate::support`.

mod activities;
mod comms;
mod contract;
mod input;
mod links;
mod partners;
mod roles;
mod uploads;
mod wall;

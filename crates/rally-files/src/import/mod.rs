//! Imports of partners, contacts, events and the activity catalogue from CSV and spreadsheet files, shared by the command
//! line (`rally import`) and the web app's upload pages: reading the file ([`source`]), matching its
//! columns to fields ([`fields`]), checking rows ([`rows`]) and writing them in batches that can be
//! undone ([`run`]).

pub mod catalogue;
pub mod fields;
pub mod rows;
pub mod run;
pub mod source;

pub use fields::{DedupeKey, Mapping, OnDuplicate};
pub use run::{Finished, ImportError, ImportSpec, Prepared, Progress, run, summary};
pub use source::{SourceOptions, Table};

//! The audit log of a campaign, for its owners: who did what, when and from where, filtered and paged
//! (`list.rs`), or as a CSV file (`csv.rs`).

pub mod csv;
pub mod list;

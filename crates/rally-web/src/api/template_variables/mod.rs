//! `/api/v1/template-variables`: what a message template may use.

pub mod list;

//! What Rally reads from and writes to files, apart from HTTP and SQL: imports of partners, contacts
//! and events from CSV and spreadsheets ([`import`]), the exports ([`export`]), the action-plan document
//! ([`plan_doc`]) and the content-addressed store of uploaded files ([`file_store`]). The web app and the
//! command line both use it; it knows nothing of axum or of a database driver (the store's traits only).

pub mod export;
pub mod file_store;
pub mod import;
pub mod plan_doc;

#[cfg(test)]
mod properties;

pub use file_store::{CheckedFile, FileStore, MAX_UPLOAD_BYTES, TempFile};

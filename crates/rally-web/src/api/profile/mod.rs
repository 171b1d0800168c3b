//! `/api/v1/partners/{id}/profile`, `…/logo`, `…/recognition` and `…/link`: a partner's logo, its place
//! on the recognition wall, and the secret link through which it answers.

pub mod get;
pub mod link_create;
pub mod link_revoke;
pub mod logo_delete;
pub mod logo_set;
pub mod recognition;

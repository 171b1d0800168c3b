//! A stage move's answer in JSON, the same from the API (`POST /api/v1/partners/{id}/stage`) and from
//! the board's script (which posts the page form and asks for JSON).

use rally_domain::{Partner, StageChange};
use serde::Serialize;

/// The partner after the move and the history row the move wrote.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Moved {
    pub partner: Partner,
    pub change: StageChange,
}

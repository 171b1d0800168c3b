//! `/api/v1/campaigns/{campaign}/team`: members and their roles. Only owners change the team.

pub mod add;
pub mod list;
pub mod remove;
pub mod set_role;

use rally_domain::Role;
use serde::Deserialize;

/// The role to give, checked at the edge.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub role: Role,
}

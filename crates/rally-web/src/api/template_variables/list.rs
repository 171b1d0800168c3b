//! `GET /api/v1/template-variables`

use axum::Json;
use serde::Serialize;

use crate::ApiError;
use crate::extract::Auth;

/// A variable a template may use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateVariable {
    /// As written in a template: `{{ partner.name }}`.
    pub name: &'static str,
    pub description: &'static str,
}

/// The variables message templates may use, each with what it holds. Anything else is refused when a
/// template is saved.
#[utoipa::path(get, path = "/api/v1/template-variables", tag = "comms",
    responses((status = 200, body = Vec<TemplateVariable>, description = "OK"), (status = 401, body = crate::Problem, description = "Missing or invalid API token")))]
pub async fn template_variables(_auth: Auth) -> Result<Json<Vec<TemplateVariable>>, ApiError> {
    Ok(Json(
        rally_domain::template::VARIABLES
            .iter()
            .map(|&(name, description)| TemplateVariable { name, description })
            .collect(),
    ))
}

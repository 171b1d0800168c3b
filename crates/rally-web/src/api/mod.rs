//! The JSON API under `/api/v1`, one endpoint per file, grouped by resource. The route table below
//! is also the OpenAPI document: `utoipa` reads each handler's `#[utoipa::path]`.

use std::sync::Arc;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub mod campaigns;
pub mod contacts;
pub mod me;
pub mod partners;
pub mod team;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rally API",
        description = "Campaigns, partners, contacts, the partner pipeline and the team of an Hour of Code style \
                       outreach campaign. Authenticate with `Authorization: Bearer <token>` (`rally token create`). \
                       Errors are RFC 9457 problem documents naming the offending field."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "campaigns", description = "Strategy, message, goal, dates and action plan"),
        (name = "team", description = "Who works on a campaign, in which role"),
        (name = "partners", description = "Partners and their place in the pipeline"),
        (name = "contacts", description = "People at partners"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(campaigns::create::create_campaign, campaigns::list::list_campaigns))
        .routes(routes!(
            campaigns::get::get_campaign,
            campaigns::update::update_campaign,
            campaigns::delete::delete_campaign
        ))
        .routes(routes!(team::list::list_team, team::add::add_member))
        .routes(routes!(team::set_role::set_role, team::remove::remove_member))
        .routes(routes!(partners::create::create_partner, partners::list::list_partners))
        .routes(routes!(partners::get::get_partner, partners::update::update_partner, partners::delete::delete_partner))
        .routes(routes!(partners::stage::move_stage))
        .routes(routes!(partners::history::stage_history))
        .routes(routes!(contacts::create::create_contact, contacts::list::list_contacts))
        .routes(routes!(contacts::get::get_contact, contacts::update::update_contact, contacts::delete::delete_contact))
}

pub(crate) async fn openapi_json(doc: Arc<str>) -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], doc.to_string())
}

//! The JSON API under `/api/v1`, one endpoint per file, grouped by resource. The route table below
//! is also the OpenAPI document: `utoipa` reads each handler's `#[utoipa::path]`.

use std::sync::Arc;

use chrono::NaiveDate;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::{ApiError, AppState};

pub mod activities;
pub mod asks;
pub mod assets;
pub mod audit;
pub mod calendar;
pub mod campaigns;
pub mod commitments;
pub mod consent;
pub mod contacts;
mod document;
pub mod events;
pub mod follow_ups;
pub mod interactions;
pub mod link;
pub mod mail_plan;
pub mod mail_settings;
pub mod me;
pub mod messages;
pub mod milestones;
pub mod partner_mail;
pub mod partners;
pub mod privacy;

pub mod profile;
pub mod recognition;
pub mod retention;
pub mod sends;
pub mod stage_limits;
pub mod suppressions;
pub mod tasks;
pub mod team;
pub mod template_variables;
pub mod uploads;

pub use document::completed;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rally API",
        description = "Campaigns, partners, contacts, the partner pipeline and the team of an Hour of Code style \
                       outreach campaign. Authenticate with `Authorization: Bearer <token>` (`rally token create`). \
                       Errors are RFC 9457 problem documents naming the offending field; a database whose storage \
                       is full answers 503 `storage-full` with `Retry-After`.\n\n\
                       Absolute links in answers and e-mails (partner links, calendar feeds, unsubscribe links, \
                       organizers' links) start with the server's configured public URL (`--public-url`, \
                       `RALLY_PUBLIC_URL`, `public_url` in rally.toml), never with the request's `Host` or \
                       `X-Forwarded-*` headers; a forwarded client address is believed only from configured \
                       trusted proxies (`--trusted-proxy`).\n\n\
                       Messages the team writes are `marketing` (campaign news: capped by the cadence rules, only \
                       to contacts who consented, or whose consent is unknown when the campaign states legitimate \
                       interest) or `service` (one-to-one operational mail to partners with an agreed commitment: \
                       not capped). Neither reaches a contact who opted out, unsubscribed from everything or is \
                       suppressed. Rally's own system mail (event confirmations, reminders, password links) is \
                       not written through this API."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "campaigns", description = "Strategy, message, goal, dates and action plan"),
        (name = "team", description = "Who works on a campaign, in which role"),
        (name = "partners", description = "Partners and their place in the pipeline"),
        (name = "contacts", description = "People at partners"),
        (name = "asks", description = "Standard asks, applied in bulk to a segment of partners"),
        (name = "commitments", description = "What each partner agreed to do, and what is coming due"),
        (name = "interactions", description = "Calls, meetings, e-mails and notes with partners"),
        (name = "tasks", description = "Follow-up tasks, stage time limits and the partners waiting too long"),
        (name = "assets", description = "The library of promotional material and what was sent to whom"),
        (name = "partner profile", description = "A partner's logo, its place on the recognition wall and its link"),
        (name = "partner link", description = "The partner's side, through its secret link: no token needed"),
        (name = "recognition", description = "The public wall of the campaign's partners"),
        (name = "events", description = "Events registered on the public site: the public counter and statistics, \
                                         the team's list and moderation"),
        (name = "activities", description = "The activity catalogue: what hosts can run, filtered by facets; \
                                             submissions and their review; the catalogue as CSV"),
        (name = "calendar", description = "The caller's calendar feed"),
        (name = "audit", description = "Who in the team did what, when and from where: owners only"),
        (name = "privacy", description = "Personal data: how long the campaign keeps it, and its data-processing \
                                          register; the campaign's privacy notices and each contact's consent history"),
        (name = "comms", description = "E-mail to partners' contacts: sender and cadence settings, milestones, messages \
                                        with their templates, previews, the outbox and the future calendar"),
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
    layered_routes().merge(public_routes())
}

/// The public, read-only hot paths: served without the middleware the rest of the API passes through
/// (only a panic guard), as campaign week sends every visitor's counter here.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events::public_stats::public_stats))
}

/// Every other API route.
pub fn layered_routes() -> OpenApiRouter<AppState> {
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
        .routes(routes!(partners::merge::merge_partner))
        .routes(routes!(partners::share_link::share_link))
        .routes(routes!(contacts::create::create_contact, contacts::list::list_contacts))
        .routes(routes!(contacts::get::get_contact, contacts::update::update_contact, contacts::delete::delete_contact))
        .routes(routes!(consent::contact_history::contact_consents))
        .routes(routes!(consent::list_notices::list_privacy_notices, consent::publish_notice::publish_privacy_notice))
        .routes(routes!(asks::list::list_asks, asks::create::create_ask))
        .routes(routes!(asks::get::get_ask, asks::update::update_ask, asks::delete::delete_ask))
        .routes(routes!(asks::apply::apply_asks))
        .routes(routes!(commitments::list::list_commitments, commitments::create::create_commitment))
        .routes(routes!(commitments::update::update_commitment))
        .routes(routes!(commitments::due::due))
        .routes(routes!(interactions::list::list_interactions, interactions::create::create_interaction))
        .routes(routes!(tasks::list::list_tasks, tasks::create::create_task))
        .routes(routes!(tasks::get::get_task, tasks::update::update_task, tasks::delete::delete_task))
        .routes(routes!(stage_limits::get::get_stage_limits, stage_limits::set::set_stage_limits))
        .routes(routes!(retention::get::get_retention, retention::set::set_retention))
        .routes(routes!(retention::register::get_register))
        .routes(routes!(follow_ups::list::follow_ups))
        .routes(routes!(assets::list::list_assets))
        .routes(upload(routes!(assets::create::create_asset)))
        .routes(routes!(assets::get::get_asset, assets::delete::delete_asset))
        .routes(routes!(assets::file::asset_file))
        .routes(routes!(sends::list::list_sends, sends::create::create_sends))
        .routes(routes!(profile::get::get_profile))
        .routes(upload(routes!(profile::logo_set::set_logo)))
        .routes(routes!(profile::logo_delete::delete_logo))
        .routes(routes!(profile::recognition::set_recognition))
        .routes(routes!(profile::link_create::create_link, profile::link_revoke::revoke_link))
        .routes(routes!(link::view::link_view))
        .routes(routes!(link::respond::link_respond))
        .routes(upload(routes!(link::logo::link_logo)))
        .routes(routes!(link::recognition::link_recognition))
        .routes(routes!(link::asset_file::link_asset_file))
        .routes(routes!(recognition::wall::recognition))
        .routes(routes!(events::list::list_events))
        .routes(routes!(events::moderate::moderate_events))
        .merge(activity_routes())
        .routes(routes!(calendar::create::create_feed, calendar::revoke::revoke_feed))
        .routes(routes!(mail_settings::get::get_mail_settings, mail_settings::set::set_mail_settings))
        .routes(routes!(milestones::list::list_milestones, milestones::create::create_milestone))
        .routes(routes!(milestones::delete::delete_milestone, milestones::update::update_milestone))
        .routes(routes!(messages::list::list_messages, messages::create::create_message))
        .routes(routes!(messages::get::get_message, messages::update::update_message, messages::delete::delete_message))
        .routes(routes!(messages::recipients::recipients))
        .routes(routes!(messages::preview::preview))
        .routes(routes!(messages::test_send::test_send))
        .routes(routes!(messages::queue::queue))
        .routes(routes!(messages::control::pause))
        .routes(routes!(messages::control::resume))
        .routes(routes!(messages::control::cancel))
        .routes(routes!(messages::stats::stats))
        .routes(routes!(mail_plan::get::mail_plan))
        .routes(old_plan_alias())
        .routes(routes!(partner_mail::list::partner_mail))
        .routes(routes!(
            partner_mail::do_not_contact::get_do_not_contact,
            partner_mail::do_not_contact::set_do_not_contact
        ))
        .routes(routes!(suppressions::create::suppress))
        .routes(routes!(template_variables::list::template_variables))
        .routes(routes!(audit::list::list_audit))
        .routes(routes!(audit::csv::audit_csv))
        .routes(routes!(privacy::export::export_person))
        .routes(routes!(privacy::erase::erase_person))
}

/// The activity catalogue.
fn activity_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activities::list::list_activities, activities::create::create_activity))
        .routes(routes!(
            activities::get::get_activity,
            activities::update::update_activity,
            activities::delete::delete_activity
        ))
        .routes(routes!(activities::review::review_activity))
        .routes(routes!(activities::hide::set_hidden))
        .routes(routes!(activities::export::export_activities))
}

/// The e-mail calendar's old path, deprecated (see `mail_plan/alias.rs`).
#[allow(deprecated)]
fn old_plan_alias() -> UtoipaMethodRouter<AppState> {
    routes!(mail_plan::alias::old_plan)
}

/// Lets the routes that take an upload read a body the size of the largest file Rally accepts (the
/// rest of the API stops at [`crate::MAX_BODY_BYTES`]); the upload itself is checked again by size.
fn upload((schemas, paths, method_router): UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let limit = axum::extract::DefaultBodyLimit::max(rally_files::MAX_UPLOAD_BYTES + 64 * 1024);
    (schemas, paths, method_router.layer(limit))
}

/// Today's date (UTC), for the rules about dates in the past.
pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Parses an optional query parameter, naming it in the error; an empty value counts as absent.
pub(crate) fn query_param<T>(
    field: &str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    value.filter(|v| !v.is_empty()).map(|v| parse(&v).map_err(|e| ApiError::invalid(field, e))).transpose()
}

/// A field the body must have: its value, or an error naming it.
pub(crate) fn required<T>(errors: &mut Vec<rally_domain::FieldError>, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        errors.push(rally_domain::FieldError { field: field.into(), message: "required".into() });
    }
    value
}

pub(crate) async fn openapi_json(doc: Arc<str>) -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], doc.to_string())
}

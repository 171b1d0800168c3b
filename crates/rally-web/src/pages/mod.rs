//! The team's web app: server-rendered pages (askama templates, checked at compile time) that work
//! without JavaScript; `static/app.js` adds drag-and-drop and in-place updates on top.

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use rally_domain::{Category, Role, Stage, UserId};
use rally_store::Actor;

use crate::AppState;

mod account;
mod activities;
mod asks;
mod assets;
mod audit;
mod board;
mod campaign_partner;
mod campaigns;
mod checklist;
mod comms;
mod dashboard;
mod events;
mod export;
mod forgot;
mod imports;
mod invitation;
mod link;
mod login;
mod partner_edits;
mod partner_page;
mod partner_work;
mod partners;
mod plan;
mod privacy;
mod privacy_notices;
mod public;
mod reports;
mod retention;
mod second_factor;
pub mod session;
mod tasks;
mod team;
mod umbrella;
mod unsubscribe;

pub use second_factor::campaign_gate;
pub use session::SignedIn;

pub use crate::kit::{ErrorKind, FormData, PageError, render};

/// Every route of the team's app (the router puts them, with the public site's, behind the CSRF guard
/// and the page headers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(account::routes())
        .merge(people_routes())
        .merge(partner_routes())
        .merge(activities::routes())
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/new", get(campaigns::new_form).post(campaigns::create))
        .route("/campaigns/switch", get(campaigns::switch))
        .route("/campaigns/{slug}", get(dashboard::dashboard))
        .route("/campaigns/{slug}/publish", post(checklist::publish))
        .route("/campaigns/{slug}/archive", post(checklist::archive))
        .route("/campaigns/{slug}/delete", post(checklist::delete))
        .route("/campaigns/{slug}/partners", get(partners::list).post(partners::create))
        .route("/campaigns/{slug}/partners/bulk", post(partners::bulk))
        .route("/campaigns/{slug}/commitments/{id}", post(partner_work::update_commitment))
        .route("/campaigns/{slug}/tasks", get(tasks::show).post(tasks::add))
        .route("/campaigns/{slug}/tasks/limits", post(tasks::set_limits))
        .route("/campaigns/{slug}/tasks/calendar", post(tasks::calendar))
        .route("/campaigns/{slug}/tasks/{id}", post(partner_work::toggle_task))
        .route("/campaigns/{slug}/tasks/{id}/edit", post(tasks::edit))
        .route("/campaigns/{slug}/tasks/{id}/delete", post(tasks::delete))
        .route("/campaigns/{slug}/board", get(board::board))
        .route("/campaigns/{slug}/comms", get(comms::show))
        .route("/campaigns/{slug}/comms/settings", post(comms::save_settings))
        .route("/campaigns/{slug}/comms/milestones", post(comms::add_milestone))
        .route("/campaigns/{slug}/comms/milestones/{id}", post(comms::update_milestone))
        .route("/campaigns/{slug}/comms/milestones/{id}/delete", post(comms::delete_milestone))
        .route("/campaigns/{slug}/comms/plan", get(comms::calendar))
        .route("/campaigns/{slug}/comms/messages", post(comms::create_message))
        .route("/campaigns/{slug}/comms/messages/new", get(comms::new_form))
        .route("/campaigns/{slug}/comms/messages/{id}", get(comms::show_message).post(comms::update_message))
        .route("/campaigns/{slug}/comms/messages/{id}/delete", post(comms::delete_message))
        .route("/campaigns/{slug}/comms/messages/{id}/preview", get(comms::preview))
        .route("/campaigns/{slug}/comms/messages/{id}/test", post(comms::test_send))
        .route("/campaigns/{slug}/comms/messages/{id}/queue", post(comms::queue))
        .route("/campaigns/{slug}/comms/messages/{id}/sending", post(comms::control))
        .route("/campaigns/{slug}/asks", get(asks::show).post(asks::create))
        .route("/campaigns/{slug}/assets", get(assets::show).post(assets::upload).layer(upload_limit()))
        .route("/campaigns/{slug}/assets/{id}", post(assets::update))
        .route("/campaigns/{slug}/assets/{id}/file", get(assets::file))
        .route("/campaigns/{slug}/assets/{id}/delete", post(assets::delete))
        .route("/campaigns/{slug}/asks/apply", post(asks::apply))
        .route("/campaigns/{slug}/asks/{id}", post(asks::update))
        .route("/campaigns/{slug}/asks/{id}/delete", post(asks::delete))
        .route("/campaigns/{slug}/plan", get(plan::show).post(plan::update))
        .route("/campaigns/{slug}/privacy-notice", get(privacy_notices::show).post(privacy_notices::publish))
        .route("/campaigns/{slug}/retention", get(retention::show).post(retention::save))
        .route("/campaigns/{slug}/register", get(retention::register_page))
        .route("/campaigns/{slug}/events", get(events::show))
        .route("/campaigns/{slug}/events/moderate", post(events::moderate))
        .route("/campaigns/{slug}/events/settings", post(events::settings))
        .route("/campaigns/{slug}/events.csv", get(export::events_csv))
        .route("/campaigns/{slug}/export", get(export::download_form))
        .route("/campaigns/{slug}/export/{file}", get(export::download))
        .route("/campaigns/{slug}/documents/{file}", get(export::plan_document))
        .route("/campaigns/{slug}/imports", get(imports::show).post(imports::upload).layer(upload_limit()))
        .route("/campaigns/{slug}/imports/new", get(imports::preview))
        .route("/campaigns/{slug}/imports/run", post(imports::run))
        .route("/campaigns/{slug}/imports/{id}", get(imports::batch))
        .route("/campaigns/{slug}/imports/{id}/report.csv", get(imports::report))
        .route("/campaigns/{slug}/imports/{id}/undo", post(imports::undo))
        .route("/campaigns/{slug}/reports", get(reports::show))
        .route("/campaigns/{slug}/audit", get(audit::show))
        .route("/campaigns/{slug}/privacy", get(privacy::show).post(privacy::find))
        .route("/campaigns/{slug}/privacy/export", post(privacy::export))
        .route("/campaigns/{slug}/privacy/erase", post(privacy::erase))
        .route("/campaigns/{slug}/audit.csv", get(audit::csv))
        .route("/campaigns/{slug}/reports/{file}", get(reports::csv))
        .route("/calendar/{file}", get(public::feed))
        .route("/c/{slug}/logos/{id}", get(public::logo))
        .route("/u/{token}", get(unsubscribe::show).post(unsubscribe::submit))
        .route("/u/{token}/erase/{confirm}", get(unsubscribe::erase_form).post(unsubscribe::erase))
        .merge(link::routes())
        .route("/static/app.css", get(static_css))
        .route("/favicon.ico", get(favicon_ico))
        .route("/favicon.svg", get(favicon_svg))
        .route("/static/app.js", get(static_js))
}

/// Signing in and out, passwords, and who is on a campaign's team.
fn people_routes() -> Router<AppState> {
    Router::new()
        .merge(second_factor::routes())
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/reset/{token}", get(login::reset_form).post(login::reset_submit))
        .route("/forgot", get(forgot::form).post(forgot::submit))
        .route("/campaigns/{slug}/team", get(team::show).post(team::add))
        .route("/campaigns/{slug}/team/{user}", post(team::change))
        .route("/campaigns/{slug}/team/{user}/reset", post(team::send_reset))
        .route("/campaigns/{slug}/invitations/{id}", post(team::invitation))
        .route("/invitation/{token}", get(invitation::form).post(invitation::accept))
}

/// One partner's page and its forms.
fn partner_routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{slug}/partners/{id}", get(partners::detail).post(partners::update))
        .route("/campaigns/{slug}/partners/{id}/stage", post(partners::move_stage))
        .route("/campaigns/{slug}/partners/{id}/contacts", post(partners::add_contact))
        .route("/campaigns/{slug}/partners/{id}/contacts/{contact}", post(partner_edits::contact))
        .route("/campaigns/{slug}/partners/{id}/delete", post(partner_edits::delete))
        .route("/campaigns/{slug}/partners/{id}/merge", get(partner_edits::merge_form).post(partner_edits::merge))
        .route("/campaigns/{slug}/partners/{id}/commitments", post(partner_work::propose))
        .route("/campaigns/{slug}/partners/{id}/interactions", post(partner_work::log_interaction))
        .route("/campaigns/{slug}/partners/{id}/tasks", post(partner_work::add_task))
        .route("/campaigns/{slug}/partners/{id}/sends", post(partner_work::send_assets))
        .route("/campaigns/{slug}/partners/{id}/recognition", post(partner_work::set_recognition))
        .route("/campaigns/{slug}/partners/{id}/do-not-contact", post(partner_work::set_do_not_contact))
        .route("/campaigns/{slug}/partners/{id}/link", post(partner_work::link))
        .route(
            "/campaigns/{slug}/partners/{id}/logo",
            get(partner_work::logo).post(partner_work::set_logo).layer(upload_limit()),
        )
}

/// Routes that take a file: the upload limit instead of the page body limit.
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(rally_files::MAX_UPLOAD_BYTES + 64 * 1024)
}

async fn static_css() -> impl IntoResponse {
    (
        [("content-type", "text/css; charset=utf-8"), ("cache-control", "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// Rally's icon, for browsers' tabs (every page links the SVG; `/favicon.ico` is where others look).
async fn favicon_svg() -> impl IntoResponse {
    (
        [("content-type", "image/svg+xml"), ("cache-control", "public, max-age=86400")],
        include_str!("../../static/favicon.svg"),
    )
}

async fn favicon_ico() -> impl IntoResponse {
    (
        [("content-type", "image/x-icon"), ("cache-control", "public, max-age=86400")],
        include_bytes!("../../static/favicon.ico").as_slice(),
    )
}

async fn static_js() -> impl IntoResponse {
    (
        [("content-type", "text/javascript; charset=utf-8"), ("cache-control", "public, max-age=3600")],
        include_str!("../../static/app.js"),
    )
}

/// A campaign in the navigation.
#[derive(Debug, Clone)]
pub struct CampaignNav {
    pub slug: String,
    pub name: String,
    pub role: Option<Role>,
}

impl CampaignNav {
    /// Whether the signed-in user owns the campaign (and so sees its audit log).
    pub fn is_owner(&self) -> bool {
        self.role == Some(Role::Owner)
    }
}

/// What the layout around every signed-in page shows.
#[derive(Debug)]
pub struct Layout {
    pub title: String,
    pub user: String,
    pub csrf: String,
    pub section: &'static str,
    pub campaign: Option<CampaignNav>,
    pub campaigns: Vec<CampaignNav>,
}

impl Layout {
    /// The layout for a page of `signed_in`, inside the campaign `current` if any.
    pub async fn new(
        app: &AppState,
        signed_in: &SignedIn,
        current: Option<&str>,
        section: &'static str,
        title: impl Into<String>,
    ) -> Result<Layout, PageError> {
        let all: Vec<(CampaignNav, bool)> = app
            .store
            .campaigns(signed_in.actor())
            .await?
            .into_iter()
            .map(|c| {
                let archived = c.campaign.archived_at.is_some();
                let nav = CampaignNav {
                    slug: c.campaign.fields.slug.to_string(),
                    name: c.campaign.fields.name,
                    role: c.role,
                };
                (nav, archived)
            })
            .collect();
        let campaign = current.and_then(|slug| all.iter().find(|(c, _)| c.slug == slug).map(|(c, _)| c.clone()));
        // Archived campaigns stay out of the switcher, unless one is open.
        let campaigns = all
            .into_iter()
            .filter(|(c, archived)| !archived || Some(&c.slug) == campaign.as_ref().map(|x| &x.slug))
            .map(|(c, _)| c)
            .collect();
        Ok(Layout {
            title: title.into(),
            user: signed_in.user.name.clone(),
            csrf: signed_in.csrf.clone(),
            section,
            campaign,
            campaigns,
        })
    }

    /// Whether the signed-in user may change the campaign's partners at all (members: their own).
    pub fn can_edit(&self) -> bool {
        self.campaign.as_ref().and_then(|c| c.role).is_some_and(|r| r != Role::Viewer)
    }

    /// Whether the signed-in user may edit this partner, as the store will decide.
    pub fn can_edit_partner(&self, me: UserId, owner: Option<UserId>) -> bool {
        let role = self.campaign.as_ref().and_then(|c| c.role);
        role.is_some_and(|r| r.allows(me, rally_domain::Action::EditPartner { owner }))
    }
}

/// Thousands separated by thin spaces: 1 200 000.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "today", "1 day", "12 days" since an instant.
pub fn days_since(t: chrono::DateTime<chrono::Utc>) -> String {
    match (chrono::Utc::now() - t).num_days() {
        d if d <= 0 => "today".into(),
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

pub fn stage_options() -> Vec<(&'static str, &'static str)> {
    Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

pub fn category_options() -> Vec<(&'static str, &'static str)> {
    Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
}

/// The id of the campaign a page's path names, in one lookup. It reveals nothing by itself: the store
/// call that uses the id checks the user's role, and someone not on the team gets "not found" there.
pub async fn campaign_id(app: &AppState, slug: &str) -> Result<rally_domain::CampaignId, PageError> {
    app.store.campaign_id(slug).await?.ok_or(PageError::NotFound)
}

/// The team as (id, name) for owner pickers and labels.
pub async fn team_names(
    app: &AppState,
    actor: Actor,
    campaign: rally_domain::CampaignId,
) -> Result<Vec<(i64, String)>, PageError> {
    Ok(app.store.team(actor, campaign).await?.into_iter().map(|m| (m.user_id.0, m.name)).collect())
}

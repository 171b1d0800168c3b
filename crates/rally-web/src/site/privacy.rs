//! `/c/{slug}/privacy`: the campaign's privacy notice, the newest version in the visitor's language (or
//! the nearest one the campaign published); Rally's built-in wording when the campaign published none.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use rally_domain::consent::PrivacyNotice;
use rally_site::i18n::Arg;

use super::{Ctx, SiteView};
use crate::AppState;
use crate::kit::{PageError, render};

#[derive(Template)]
#[template(path = "site/privacy.html")]
struct PrivacyPage {
    v: SiteView,
    notice: Option<PrivacyNotice>,
    /// "Version 3, published on 5 December 2026." in the visitor's language.
    version: String,
}

/// The notice a visitor of `ctx` reads, if the campaign published one.
pub async fn notice_for(app: &AppState, ctx: &Ctx) -> Result<Option<PrivacyNotice>, PageError> {
    Ok(app.store.current_privacy_notice(ctx.site.campaign.id, &[ctx.lang.code()]).await?)
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let notice = notice_for(&app, &ctx).await?;
    let version = notice
        .as_ref()
        .map(|n| {
            let date = ctx.lang.date(n.published_at.date_naive());
            ctx.lang.t_with("privacy-version", &[("version", Arg::Num(n.version)), ("date", Arg::Str(&date))])
        })
        .unwrap_or_default();
    let page = PrivacyPage { v: ctx.view("privacy", &format!("/c/{}/privacy", ctx.slug())), notice, version };
    Ok(ctx.respond(render(&page)?))
}

/// `POST /c/{slug}/e/{token}/privacy`: the organizer agrees to the privacy notice now in force.
pub async fn agree(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let event = super::manage::event_of(&app, &ctx, &token).await?;
    app.store.organizer_agrees(event.id, event.link_version).await?;
    Ok(super::manage::back(&slug, &token, "agreed"))
}

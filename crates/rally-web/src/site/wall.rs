//! The campaign's partners — the recognition wall: won partners who did not opt out, logos in a
//! standard box, grouped by tier. A page of the site (`/c/{slug}/partners`, and `/c/{slug}/recognition`,
//! the wall's own address), and an HTML fragment other sites place in their pages
//! (`/c/{slug}/embed/recognition`); the version for a frame is `embed.rs`'s.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use rally_domain::Tier;
use rally_store::Recognized;

use super::{Ctx, SiteView};
use crate::AppState;
use crate::kit::{PageError, render};

/// One tier of the wall, with its heading in the visitor's language.
pub struct WallTier {
    /// For the heading's id: `main` or `more`.
    pub id: &'static str,
    pub title: String,
    pub partners: Vec<Recognized>,
}

/// The wall as `recognition.html` shows it, alone or inside a page.
pub struct Wall {
    pub lang: &'static str,
    pub tiers: Vec<WallTier>,
    /// Where the logos are, up to the partner's id: `/c/{slug}/logos/`, absolute for other sites.
    pub logos: String,
    /// The partners' links open a new tab (from inside another site's frame).
    pub new_tab: bool,
    /// What each partner brought, said in the visitor's language (partners that brought nothing are
    /// left out).
    pub brought: std::collections::BTreeMap<rally_domain::PartnerId, String>,
}

impl Wall {
    /// "Brought 3 events, 75 students", when the partner brought any.
    pub fn brought_line(&self, partner: &rally_domain::PartnerId) -> Option<&str> {
        self.brought.get(partner).map(String::as_str)
    }
}

impl Wall {
    /// The campaign's wall in the visitor's language; `elsewhere` for what other sites show, whose
    /// addresses must be absolute.
    pub async fn load(app: &AppState, ctx: &Ctx, elsewhere: bool) -> Result<Wall, PageError> {
        let partners = app.store.recognition(ctx.site.campaign.id).await?;
        let tiers = crate::kit::wall_tiers(partners)
            .into_iter()
            .map(|(tier, partners)| {
                let (id, title) = match tier {
                    Tier::High => ("main", "partners-main"),
                    Tier::Low => ("more", "partners-other"),
                };
                WallTier { id, title: ctx.t(title), partners }
            })
            .collect();
        let base = if elsewhere { ctx.base.trim_end_matches('/') } else { "" };
        let brought = app
            .store
            .brought(ctx.site.campaign.id, None)
            .await?
            .into_iter()
            .map(|b| {
                let line = ctx.lang.t_with(
                    "partner-brought",
                    &[
                        ("events", rally_site::i18n::Arg::Num(b.events)),
                        ("students", rally_site::i18n::Arg::Num(b.students)),
                    ],
                );
                (b.partner, line)
            })
            .collect();
        Ok(Wall {
            lang: ctx.lang.code(),
            tiers,
            logos: format!("{base}/c/{}/logos/", ctx.slug()),
            new_tab: elsewhere,
            brought,
        })
    }
}

#[derive(Template)]
#[template(path = "site/partners.html")]
struct Page {
    v: SiteView,
    wall: Wall,
}

/// The wall as a page of the site, its language switcher pointing back at `page`.
async fn page(app: &AppState, ctx: &Ctx, page: &str) -> Result<Response, PageError> {
    let wall = Wall::load(app, ctx, false).await?;
    let page = Page { v: ctx.view("partners", &format!("/c/{}/{page}", ctx.slug())), wall };
    Ok(ctx.respond(render(&page)?))
}

/// `GET /c/{slug}/partners`: the site's partner page.
pub async fn partners(State(app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    page(&app, &ctx, "partners").await
}

/// `GET /c/{slug}/recognition`: the recognition wall — the same page as the partners'.
pub async fn recognition(State(app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    page(&app, &ctx, "recognition").await
}

#[derive(Template)]
#[template(path = "recognition.html")]
struct Fragment {
    wall: Wall,
}

/// `GET /c/{slug}/embed/recognition`: the wall as an HTML fragment (no `<html>` around it) for another
/// site to place in its own page, on its server or with a script: absolute addresses, and any site may
/// read it. It holds only what the partner page shows anyway.
pub async fn fragment(State(app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let wall = Wall::load(&app, &ctx, true).await?;
    let mut response = ctx.respond(render(&Fragment { wall })?);
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=30"));
    Ok(response)
}

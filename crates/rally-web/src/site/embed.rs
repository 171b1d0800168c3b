//! What other sites embed: the counter and the partner wall, as small pages for an `<iframe>` (the
//! only pages Rally lets others frame). Figures as data: `GET /api/v1/public/campaigns/{slug}/stats`;
//! the wall as an HTML fragment: `wall.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::Response;

use super::wall::Wall;
use super::{CounterView, Ctx, stats};
use crate::AppState;
use crate::kit::{PageError, render};

/// Any site may frame these pages; they hold only what the public site shows anyway.
fn frameable(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors *; \
             base-uri 'none'; form-action 'none'",
        ),
    );
    h.insert("cache-control", HeaderValue::from_static("public, max-age=30"));
    response
}

#[derive(Template)]
#[template(path = "site/embed_counter.html")]
struct Counter {
    lang: &'static str,
    name: String,
    base: String,
    slug: String,
    counter: CounterView,
    line: String,
    cta: String,
}

/// `GET /c/{slug}/embed/counter`.
pub async fn counter(State(app): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Result<Response, PageError> {
    let (_, s, _) = stats(&app, &slug).await?;
    let l = ctx.lang;
    let page = Counter {
        lang: l.code(),
        name: ctx.site.campaign.fields.name.clone(),
        base: ctx.base.clone(),
        slug: slug.clone(),
        counter: CounterView::new(&ctx, &s),
        line: ctx.t_num("embed-counter", "students", s.students),
        cta: ctx.t("embed-register"),
    };
    Ok(frameable(ctx.respond(render(&page)?)))
}

#[derive(Template)]
#[template(path = "site/embed_partners.html")]
struct Partners {
    name: String,
    wall: Wall,
}

/// `GET /c/{slug}/embed/partners`.
pub async fn partners(State(app): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = Partners { name: ctx.site.campaign.fields.name.clone(), wall: Wall::load(&app, &ctx, true).await? };
    Ok(frameable(ctx.respond(render(&page)?)))
}

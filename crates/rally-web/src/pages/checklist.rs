//! The dashboard's "getting ready" checklist for a campaign that is not ready yet — each item ticks
//! itself from the data — and the owner's switches for the campaign as a whole: publish the public
//! site (or take it back to a draft), archive, delete with the slug typed to confirm.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{Campaign, Role};
use rally_store::Actor;

use super::{FormData, PageError, SignedIn};
use crate::AppState;

/// One item: what to do, whether it is done, and where to do it.
pub struct Item {
    pub label: &'static str,
    pub done: bool,
    pub href: String,
    pub hint: String,
}

/// The checklist of `campaign` as `actor` sees it.
pub async fn items(app: &AppState, actor: Actor, campaign: &Campaign) -> Result<Vec<Item>, PageError> {
    let id = campaign.id;
    let slug = campaign.fields.slug.as_str();
    let f = &campaign.fields;
    let missing: Vec<String> = f
        .languages
        .iter()
        .filter(|l| f.message.get(*l).is_none_or(|m| m.trim().is_empty()))
        .map(ToString::to_string)
        .collect();
    let partners: i64 = app.store.pipeline_tally(actor, id).await?.iter().map(|t| t.partners).sum();
    let asks = app.store.standard_asks(actor, id).await?.len();
    let milestones = app.store.milestones(actor, id).await?.len();
    let messages = app.store.messages(actor, id).await?.len();
    let team = app.store.team(actor, id).await?.len();
    // Pending invitations count too; only owners may list them.
    let invited = app.store.invitations(actor, id).await.map(|i| i.len()).unwrap_or(0);
    Ok(vec![
        Item {
            label: "The universal message in every language",
            done: missing.is_empty(),
            href: format!("/campaigns/{slug}/plan#plan-edit"),
            hint: if missing.is_empty() { String::new() } else { format!("still to write: {}", missing.join(", ")) },
        },
        Item {
            label: "A goal and the campaign week",
            done: f.goal_students > 0 && f.starts_on <= f.ends_on,
            href: format!("/campaigns/{slug}/plan#plan-edit"),
            hint: format!("{} students, {} to {}", super::number(f.goal_students), f.starts_on, f.ends_on),
        },
        Item {
            label: "First partners (or an import of your list)",
            done: partners > 0,
            href: format!("/campaigns/{slug}/imports"),
            hint: format!("{partners} partners"),
        },
        Item {
            label: "Standard asks for most partners",
            done: asks > 0,
            href: format!("/campaigns/{slug}/asks"),
            hint: format!("{asks} asks"),
        },
        Item {
            label: "Milestones and a first message",
            done: milestones > 0 && messages > 0,
            href: format!("/campaigns/{slug}/comms"),
            hint: format!("{milestones} milestones, {messages} messages"),
        },
        Item {
            label: "The public site published",
            done: campaign.published_at.is_some(),
            href: format!("/campaigns/{slug}#campaign-h"),
            hint: format!("preview it at /c/{slug}/"),
        },
        Item {
            label: "A second team member invited",
            done: team + invited >= 2,
            href: format!("/campaigns/{slug}/team"),
            hint: format!("{team} on the team, {invited} invited"),
        },
    ])
}

/// Publishes the public site or takes it back to a draft (`action` = publish or unpublish).
pub async fn publish(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let c = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let publish = match form.get("action") {
        "publish" => true,
        "unpublish" => false,
        _ => return Err(PageError::BadRequest("choose publish or unpublish".into())),
    };
    app.store.set_published(me.actor(), c.id, publish).await?;
    app.site.forget(&slug);
    Ok(Redirect::to(&format!("/campaigns/{slug}#campaign-h")).into_response())
}

/// Archives the campaign or brings it back (`action` = archive or restore).
pub async fn archive(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let c = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let archive = match form.get("action") {
        "archive" => true,
        "restore" => false,
        _ => return Err(PageError::BadRequest("choose archive or restore".into())),
    };
    app.store.set_archived(me.actor(), c.id, archive).await?;
    Ok(Redirect::to(&format!("/campaigns/{slug}#campaign-h")).into_response())
}

/// Deletes the campaign once its slug is typed to confirm.
pub async fn delete(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    if found.role != Some(Role::Owner) {
        return Err(PageError::Forbidden);
    }
    if form.get("confirm_slug").trim() != slug {
        return Err(PageError::BadRequest(format!(
            "Nothing was deleted: type the campaign's web name, {slug}, to confirm."
        )));
    }
    app.store.delete_campaign(me.actor(), found.campaign.id).await?;
    app.site.forget(&slug);
    Ok(Redirect::to("/campaigns").into_response())
}

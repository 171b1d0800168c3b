//! `/campaigns/{slug}/team`: who works on the campaign, in which role. Owners change the team.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rally_domain::{Email, Role, UserId};
use rally_store::{Member, StoreError};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    slug: String,
    members: Vec<Member>,
    is_owner: bool,
    me: i64,
    error: Option<String>,
    email: String,
}

const ROLES: [(&str, &str); 4] = [
    ("owner", "Owner — team and settings"),
    ("coordinator", "Coordinator — edits everything"),
    ("member", "Member — edits own partners"),
    ("viewer", "Viewer — reads"),
];

impl TeamPage {
    fn roles(&self) -> &'static [(&'static str, &'static str)] {
        &ROLES
    }
}

async fn team_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    error: Option<String>,
    email: String,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let members = app.store.team(me.actor(), found.campaign.id).await?;
    let layout = Layout::new(app, me, Some(slug), "team", format!("Team · {}", found.campaign.fields.name)).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&TeamPage {
        layout,
        slug: slug.to_owned(),
        members,
        is_owner: found.role == Some(Role::Owner),
        me: me.user.id.0,
        error,
        email,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(State(app): State<AppState>, me: SignedIn, Path(slug): Path<String>) -> Result<Response, PageError> {
    team_page(&app, &me, &slug, None, String::new()).await
}

/// Turns the store's answer into the page: rule violations shown on the team page, the rest as errors.
async fn done(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    result: Result<(), StoreError>,
    email: String,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/team")).into_response()),
        Err(StoreError::Invalid(i)) => team_page(app, me, slug, Some(i.sentences()), email).await,
        Err(e) => Err(e.into()),
    }
}

/// Adds a Rally user to the team by e-mail address.
pub async fn add(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let email_raw = form.get("email").to_owned();
    let Ok(role) = Role::parse(form.get("role")) else {
        return team_page(&app, &me, &slug, Some("Choose a role.".into()), email_raw).await;
    };
    let Ok(email) = Email::parse(&email_raw) else {
        return team_page(&app, &me, &slug, Some(format!("`{email_raw}` is not an e-mail address.")), email_raw).await;
    };
    let Some(user) = app.store.user_by_email(&email).await? else {
        let message = format!("No Rally user has the address {email}. Add them with `rally user add` first.");
        return team_page(&app, &me, &slug, Some(message), email_raw).await;
    };
    let result = app.store.set_role(me.actor(), campaign.id, user.id, role).await.map(|_| ());
    done(&app, &me, &slug, result, email_raw).await
}

/// Changes a member's role, or (with `remove`) takes them off the team.
pub async fn change(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, user)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let user = user.parse().map(UserId).map_err(|_| PageError::NotFound)?;
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let result = if form.get("remove") == "1" {
        app.store.remove_member(me.actor(), campaign.id, user).await
    } else {
        let role = Role::parse(form.get("role")).map_err(PageError::BadRequest)?;
        app.store.set_role(me.actor(), campaign.id, user, role).await.map(|_| ())
    };
    done(&app, &me, &slug, result, String::new()).await
}

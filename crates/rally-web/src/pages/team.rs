//! `/campaigns/{slug}/team`: who works on the campaign, in which role. Owners invite people by e-mail
//! (resend, revoke), change roles, remove members and send them a link to set a new password.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use rally_domain::{Email, Role, UserId};
use rally_store::{Invitation, Invited, Member, StoreError};

use super::{FormData, Layout, PageError, SignedIn, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    slug: String,
    members: Vec<Member>,
    /// Pending invitations (owners only): the invitation and whether its link has expired.
    invitations: Vec<(Invitation, bool)>,
    is_owner: bool,
    me: i64,
    error: Option<String>,
    notice: Option<String>,
    email: String,
    /// Whether everyone on the team must sign in with a second factor.
    require_second_factor: bool,
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

/// How long an invitation's link works.
const INVITATION_DAYS: i64 = 7;

/// What the page says after a change, by the `?done=` the change redirects with.
#[derive(Debug, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn team_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    error: Option<String>,
    notice: Option<String>,
    email: String,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), slug).await?;
    let members = app.store.team(me.actor(), found.campaign.id).await?;
    let is_owner = found.role == Some(Role::Owner);
    let now = Utc::now();
    let invitations = if is_owner {
        app.store
            .invitations(me.actor(), found.campaign.id)
            .await?
            .into_iter()
            .map(|i| {
                let expired = i.expires_at <= now;
                (i, expired)
            })
            .collect()
    } else {
        Vec::new()
    };
    let require_second_factor = app.store.second_factor_required(me.actor(), found.campaign.id).await?;
    let layout = Layout::new(app, me, Some(slug), "team", format!("Team · {}", found.campaign.fields.name)).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&TeamPage {
        layout,
        slug: slug.to_owned(),
        members,
        invitations,
        is_owner,
        me: me.user.id.0,
        error,
        notice,
        email,
        require_second_factor,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("invited") => {
            Some("Invitation sent. It works for 7 days; it is listed below until it is accepted.".into())
        }
        Some("added") => Some("They already have a Rally account: they are on the team now.".into()),
        Some("resent") => Some("Invitation sent again with a new link; the old link no longer works.".into()),
        Some("revoked") => Some("Invitation revoked: its link no longer works.".into()),
        Some("reset") => Some("A link to set a new password is on its way to them. It works once, for an hour.".into()),
        Some("second-factor-on") => Some(
            "Two-factor sign-in is required: members without it are asked to set it up before this campaign's pages."
                .into(),
        ),
        Some("second-factor-off") => Some("Two-factor sign-in is no longer required on this campaign.".into()),
        _ => None,
    };
    team_page(&app, &me, &slug, None, notice, String::new()).await
}

/// Turns the store's answer into the page: rule violations shown on the team page, the rest as errors.
async fn done(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    result: Result<(), StoreError>,
    email: String,
) -> Result<Response, PageError> {
    done_as(app, me, slug, result, email, "").await
}

/// As [`done`], the page then saying what `what` (a `?done=` value) did.
async fn done_as(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    result: Result<(), StoreError>,
    email: String,
    what: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) if what.is_empty() => Ok(Redirect::to(&format!("/campaigns/{slug}/team")).into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{slug}/team?done={what}")).into_response()),
        Err(StoreError::Invalid(i)) => team_page(app, me, slug, Some(i.sentences()), None, email).await,
        Err(e) => Err(e.into()),
    }
}

/// Invites an address with a role: a Rally user joins at once, anyone else gets an e-mail with a link.
pub async fn add(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = found.campaign;
    let email_raw = form.get("email").trim().to_owned();
    let Ok(role) = Role::parse(form.get("role")) else {
        return team_page(&app, &me, &slug, Some("Choose a role.".into()), None, email_raw).await;
    };
    let Ok(email) = Email::parse(&email_raw) else {
        let message = format!("E-mail address: “{email_raw}” is not an e-mail address, such as ana@example.org.");
        return team_page(&app, &me, &slug, Some(message), None, email_raw).await;
    };
    let (token_hash, expires, mail) = invitation_mail(&app, &me, &email, &campaign.fields.name, role);
    let result = app.store.invite(me.actor(), campaign.id, &email, role, &token_hash, expires, &mail).await;
    let what = match &result {
        Ok(Invited::Member(_)) => "added",
        _ => "invited",
    };
    done_as(&app, &me, &slug, result.map(|_| ()), email_raw, what).await
}

/// A new invitation link for `email`: its token's hash, when it expires, and the e-mail that carries it.
fn invitation_mail(
    app: &AppState,
    me: &SignedIn,
    email: &Email,
    campaign: &str,
    role: Role,
) -> (String, chrono::DateTime<Utc>, rally_store::SystemMail) {
    let token = super::session::new_token();
    let link = format!("{}/invitation/{token}", app.public_url.as_str());
    let mail =
        rally_comms::team_mail::invitation(email, campaign, role_label(role), &me.user.name, &link, INVITATION_DAYS);
    (crate::auth::hash_token(&token), Utc::now() + Duration::days(INVITATION_DAYS), mail)
}

/// "Member — edits own partners" → "Member".
fn role_label(role: Role) -> &'static str {
    ROLES.iter().find(|(v, _)| *v == role.as_str()).and_then(|(_, l)| l.split(" — ").next()).unwrap_or("member")
}

/// Resends (`action=resend`) or revokes (`action=revoke`) a pending invitation.
pub async fn invitation(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    if form.get("action") == "revoke" {
        let result = app.store.revoke_invitation(me.actor(), campaign.id, id).await;
        return done_as(&app, &me, &slug, result, String::new(), "revoked").await;
    }
    let pending = app.store.invitations(me.actor(), campaign.id).await?;
    let Some(invitation) = pending.into_iter().find(|i| i.id == id) else {
        return Err(PageError::NotFound);
    };
    let (token_hash, expires, mail) =
        invitation_mail(&app, &me, &invitation.email, &campaign.fields.name, invitation.role);
    let result =
        app.store.resend_invitation(me.actor(), campaign.id, id, &token_hash, expires, &mail).await.map(|_| ());
    done_as(&app, &me, &slug, result, String::new(), "resent").await
}

/// Sends a member a link to set a new password.
pub async fn send_reset(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let user = user.parse().map(UserId).map_err(|_| PageError::NotFound)?;
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let team = app.store.team(me.actor(), campaign.id).await?;
    let Some(member) = team.into_iter().find(|m| m.user_id == user) else {
        return Err(PageError::NotFound);
    };
    let token = super::session::new_token();
    let link = format!("{}/reset/{token}", app.public_url.as_str());
    let mail = rally_comms::team_mail::password_reset(&member.email, &member.name, &link, Some(&me.user.name));
    let expires = Utc::now() + Duration::hours(super::forgot::RESET_LINK_HOURS);
    let result = app
        .store
        .send_member_reset(me.actor(), campaign.id, user, &crate::auth::hash_token(&token), expires, &mail)
        .await;
    done_as(&app, &me, &slug, result, String::new(), "reset").await
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

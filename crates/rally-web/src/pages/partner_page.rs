//! One partner's page: its details, contacts and timeline, and the workflow beside them (commitments,
//! tasks, assets to send, the link) — assembled here for `partners.rs` (the page itself) and
//! `partner_work.rs` (the forms on it, which show it again with their errors).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use rally_domain::followup::{InteractionKind, follow_up_due};
use rally_domain::{AssetId, AssetSend, Audience, FieldError, Partner, PartnerId, Role, UserId};
use rally_store::{Actor, TaskFilter};

use super::{
    FormData, Layout, PageError, SignedIn, category_options, days_since, number, render, stage_options, team_names,
};
use crate::AppState;
use crate::kit::FormState;

pub fn owner_name(team: &[(i64, String)], owner: Option<UserId>) -> String {
    owner.and_then(|o| team.iter().find(|(id, _)| *id == o.0)).map_or("—".to_owned(), |(_, n)| n.clone())
}

/// A commitment as a row of the partner page (and the dashboard).
pub struct CommitmentRow {
    pub id: i64,
    pub partner_id: i64,
    pub partner: String,
    pub ask: String,
    pub unit: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub quantity: String,
    pub due: String,
    pub overdue: bool,
    pub evidence: String,
    pub note: String,
    pub by_partner: bool,
}

impl CommitmentRow {
    pub fn new(c: &rally_domain::Commitment, today: chrono::NaiveDate) -> CommitmentRow {
        CommitmentRow {
            id: c.id.0,
            partner_id: c.partner_id.0,
            partner: c.partner_name.clone(),
            ask: c.ask_title.clone(),
            unit: c.unit.clone(),
            status: c.status.as_str(),
            status_label: c.status.label(),
            quantity: c.quantity.map(number).unwrap_or_default(),
            due: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
            overdue: c.is_overdue(today),
            evidence: c.evidence.clone(),
            note: c.note.clone(),
            by_partner: c.by_partner,
        }
    }

    /// Evidence that is a web address, to show as a link.
    pub fn evidence_link(&self) -> Option<&str> {
        let e = self.evidence.trim();
        (e.starts_with("https://") || e.starts_with("http://")).then_some(e)
    }
}

/// A task as a row of a list.
pub struct TaskRow {
    pub id: i64,
    pub title: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
    pub owner: String,
    pub partner_id: i64,
    pub partner: String,
    pub can_edit: bool,
}

impl TaskRow {
    pub fn new(t: &rally_domain::Task, today: chrono::NaiveDate, can_edit: bool) -> TaskRow {
        TaskRow {
            id: t.id.0,
            title: t.fields.title.clone(),
            due: t.fields.due_on.to_string(),
            overdue: t.is_overdue(today),
            done: t.fields.done,
            owner: t.owner_name.clone().unwrap_or_else(|| "—".into()),
            partner_id: t.fields.partner_id.map_or(0, |p| p.0),
            partner: t.partner_name.clone().unwrap_or_default(),
            can_edit,
        }
    }
}

pub struct AssetOption {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub sent: bool,
}

/// Everything of the workflow the partner page shows.
pub struct PartnerWork {
    pub today: String,
    pub commitments: Vec<CommitmentRow>,
    /// Standard asks not yet proposed to this partner: (id, title).
    pub ask_options: Vec<(i64, String)>,
    pub tasks: Vec<TaskRow>,
    pub follow_up_due: String,
    pub assets: Vec<AssetOption>,
    pub contacts: Vec<(i64, String)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub has_logo: bool,
    pub opt_out: bool,
    /// When the active link was made (and last used), if there is one.
    pub link: Option<String>,
    /// A link made by this very request: its only showing.
    pub new_link: Option<String>,
    /// "12 days in Contacted (limit 7)" when the partner is past its stage's limit.
    pub stale: Option<String>,
    pub can_edit_tasks: bool,
    /// Marketing e-mail to the partner is held back until this day.
    pub do_not_contact: String,
    /// E-mails to the partner's contacts: (when, subject, to, status, reason).
    pub mail: Vec<(String, String, String, &'static str, String)>,
}

impl PartnerWork {
    /// Loads the workflow of partner `p`, adding its interactions and sends to `timeline`.
    pub async fn load(
        app: &AppState,
        me: &SignedIn,
        p: &Partner,
        new_link: Option<String>,
        timeline: &mut Vec<TimelineRow>,
    ) -> Result<PartnerWork, PageError> {
        let actor = me.actor();
        let today = Utc::now().date_naive();
        let commitments = app.store.commitments(actor, p.id).await?;
        let ask_options = unproposed_asks(app, actor, p, &commitments).await?;
        add_interactions(app, actor, p, timeline).await?;
        let sends = app.store.asset_sends(actor, p.id).await?;
        add_sends(&sends, timeline);
        let assets = asset_options(app, actor, p, &sends).await?;
        let role = app.store.campaign(actor, p.campaign_id).await?.role;
        let tasks = task_rows(app, me, p, role, today).await?;
        let contacts = app.store.contacts(actor, p.id).await?.into_iter().map(|k| (k.id.0, k.fields.name)).collect();
        let profile = app.store.partner_profile(actor, p.id).await?;
        let link = profile.link.map(|l| {
            let used =
                l.last_used_at.map_or("never opened".to_owned(), |u| format!("last opened {}", u.format("%Y-%m-%d")));
            format!("made {}, {used}", l.created_at.format("%Y-%m-%d"))
        });
        let stale = stale_note(app, actor, p).await?;
        let mail = mail_rows(app, actor, p).await?;
        let do_not_contact = app.store.do_not_contact(actor, p.id).await?.map(|d| d.to_string()).unwrap_or_default();
        Ok(PartnerWork {
            do_not_contact,
            mail,
            today: today.to_string(),
            commitments: commitments.iter().map(|c| CommitmentRow::new(c, today)).collect(),
            ask_options,
            tasks,
            follow_up_due: follow_up_due(today).to_string(),
            assets,
            contacts,
            kinds: InteractionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
            has_logo: profile.logo.is_some(),
            opt_out: profile.recognition_opt_out,
            link,
            new_link,
            stale,
            can_edit_tasks: role.is_some_and(|r| r != Role::Viewer),
        })
    }
}

/// The campaign's standard asks not yet proposed to partner `p`: (id, title).
async fn unproposed_asks(
    app: &AppState,
    actor: Actor,
    p: &Partner,
    commitments: &[rally_domain::Commitment],
) -> Result<Vec<(i64, String)>, PageError> {
    let proposed: Vec<_> = commitments.iter().map(|c| c.ask_id).collect();
    Ok(app
        .store
        .standard_asks(actor, p.campaign_id)
        .await?
        .into_iter()
        .filter(|a| !proposed.contains(&a.id))
        .map(|a| (a.id.0, a.fields.title))
        .collect())
}

/// Adds the interactions with partner `p` (calls, meetings, notes) to its timeline.
async fn add_interactions(
    app: &AppState,
    actor: Actor,
    p: &Partner,
    timeline: &mut Vec<TimelineRow>,
) -> Result<(), PageError> {
    for i in app.store.interactions(actor, p.id).await? {
        let with = i.contact_name.map(|n| format!("with {n}")).unwrap_or_default();
        timeline.push(TimelineRow {
            title: i.fields.kind.label().to_owned(),
            sub: with,
            reopened: false,
            who: i.author_name.unwrap_or_else(|| "Rally".into()),
            when: i.fields.on.to_string(),
            reason: String::new(),
            note: i.fields.text,
            sort: format!("{} {}", i.fields.on, i.created_at.format("%H:%M:%S%.6f")),
        });
    }
    Ok(())
}

/// Adds the assets sent to the partner to its timeline.
fn add_sends(sends: &[AssetSend], timeline: &mut Vec<TimelineRow>) {
    for s in sends {
        timeline.push(TimelineRow {
            title: "Sent".into(),
            sub: format!("{} ({})", s.asset_title, s.asset_kind.label()),
            reopened: false,
            who: s.sent_by_name.clone().unwrap_or_else(|| "Rally".into()),
            when: s.sent_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            reason: String::new(),
            note: s.note.clone(),
            sort: s.sent_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        });
    }
}

/// The campaign's assets to send to partner `p`, each marked if it was sent already.
async fn asset_options(
    app: &AppState,
    actor: Actor,
    p: &Partner,
    sends: &[AssetSend],
) -> Result<Vec<AssetOption>, PageError> {
    let sent: Vec<AssetId> = sends.iter().map(|s| s.asset_id).collect();
    Ok(app
        .store
        .assets(actor, p.campaign_id)
        .await?
        .into_iter()
        .map(|a| AssetOption {
            id: a.id.0,
            sent: sent.contains(&a.id),
            title: a.fields.title,
            kind: a.fields.kind.label(),
        })
        .collect())
}

/// Partner `p`'s tasks, each editable or not by the signed-in user with `role`.
async fn task_rows(
    app: &AppState,
    me: &SignedIn,
    p: &Partner,
    role: Option<Role>,
    today: NaiveDate,
) -> Result<Vec<TaskRow>, PageError> {
    let filter = TaskFilter { partner: Some(p.id), ..Default::default() };
    Ok(app
        .store
        .tasks(me.actor(), p.campaign_id, filter)
        .await?
        .iter()
        .map(|t| {
            let can =
                role.is_some_and(|r| r.allows(me.user.id, rally_domain::Action::EditTask { owner: t.fields.owner_id }));
            TaskRow::new(t, today, can)
        })
        .collect())
}

/// "12 days in Contacted (the limit is 7 days)" when partner `p` is past its stage's limit.
async fn stale_note(app: &AppState, actor: Actor, p: &Partner) -> Result<Option<String>, PageError> {
    let limits = app.store.stage_limits(actor, p.campaign_id).await?;
    Ok(limits
        .days(p.stage)
        .filter(|_| limits.is_stale(p.stage, p.stage_since, Utc::now()))
        .map(|limit| format!("{} in {} (the limit is {limit} days)", days_since(p.stage_since), p.stage.label())))
}

/// The e-mails to partner `p`'s contacts: (when, subject, to, status, reason).
async fn mail_rows(
    app: &AppState,
    actor: Actor,
    p: &Partner,
) -> Result<Vec<(String, String, String, &'static str, String)>, PageError> {
    Ok(app
        .store
        .partner_mail(actor, p.id)
        .await?
        .into_iter()
        .map(|m| {
            let when = m.sent_at.unwrap_or(m.due_at).format("%Y-%m-%d %H:%M UTC").to_string();
            (when, m.subject, m.email, m.status.label(), m.reason)
        })
        .collect())
}

/// One entry of a partner's timeline: a stage change, an interaction or assets sent.
pub struct TimelineRow {
    /// What happened, e.g. "Contacted", "Call", "Assets sent".
    pub title: String,
    /// The smaller line after the title, e.g. "from Lead".
    pub sub: String,
    pub reopened: bool,
    pub who: String,
    pub when: String,
    pub reason: String,
    pub note: String,
    /// Orders the timeline, newest first.
    pub sort: String,
}

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    pub language: String,
    /// Consent as people read it, and as the form sends it.
    pub consent: &'static str,
    pub consent_value: &'static str,
    /// Every change of the contact's consent, newest first.
    pub history: Vec<super::privacy_notices::ConsentLine>,
}

impl ContactRow {
    /// The stored value of an edit form's field.
    pub fn field(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "email" => &self.email,
            "phone" => &self.phone,
            "role" => &self.role,
            "language" => &self.language,
            _ => "",
        }
    }
}

/// The contact forms' fields and labels, for the fields and their error summary.
const CONTACT_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("role", "Role"),
    ("language", "Language"),
    ("consent", "Consent"),
];

/// Consent as the contact form offers it: (value, label).
const CONSENTS: &[(&str, &str)] = &[
    ("unknown", "Not asked yet"),
    ("opted_in", "Agreed to campaign e-mail"),
    ("opted_out", "Declined campaign e-mail"),
];

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    layout: Layout,
    slug: String,
    p: Partner,
    owner: String,
    /// The owner's user id, 0 for none (for the owner picker).
    owner_id: i64,
    can_edit: bool,
    can_reassign: bool,
    timeline: Vec<TimelineRow>,
    contacts: Vec<ContactRow>,
    team: Vec<(i64, String)>,
    stages: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, bool)>,
    /// The form that failed, if one did ("edit", "stage", "contact", or one of the workflow forms; a
    /// commitment's is `c{id}`), with what was typed and every error.
    state: FormState,
    /// Asks, commitments, tasks, assets, the logo and the link.
    work: PartnerWork,
    /// The partner's share link (absolute) and what it brought, in words.
    share_link: String,
    brought: String,
}

impl PartnerPage {
    /// An error of the form of commitment `id`.
    fn cerror(&self, id: &i64, field: &str) -> Option<&str> {
        self.state.error(&format!("c{id}"), field)
    }

    /// The value of a field of the form of commitment `id`.
    fn cvalue<'a>(&'a self, id: &i64, field: &str, stored: &'a str) -> &'a str {
        self.state.value(&format!("c{id}"), field, stored)
    }

    fn tags(&self) -> String {
        self.p.fields.tags.join(", ")
    }
}

pub(super) async fn partner_page(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    id: PartnerId,
    failed: &str,
    form: FormData,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    partner_page_with(app, me, slug, id, failed, form, errors, None).await
}

/// The partner page; `new_link` is a partner link made by this request, shown once.
#[allow(clippy::too_many_arguments)]
pub(super) async fn partner_page_with(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    id: PartnerId,
    failed: &str,
    form: FormData,
    errors: Vec<FieldError>,
    new_link: Option<String>,
) -> Result<Response, PageError> {
    let p = app.store.partner_in(me.actor(), slug, id).await?;
    let campaign = p.campaign_id;
    let layout = Layout::new(app, me, Some(slug), "partners", p.fields.name.clone()).await?;
    let team = team_names(app, me.actor(), campaign).await?;
    let history = app.store.stage_history(me.actor(), id).await?;
    let mut timeline: Vec<TimelineRow> = history
        .into_iter()
        .map(|h| TimelineRow {
            title: h.to.label().to_owned(),
            sub: h.from.map_or(String::new(), |s| format!("from {}", s.label())),
            who: h.actor_name.unwrap_or_else(|| "Rally".into()),
            when: h.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            sort: h.at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            note: h.note,
            reason: h.reason.unwrap_or_default(),
            reopened: h.reopened,
        })
        .collect();
    let mut contacts: Vec<ContactRow> = app
        .store
        .contacts(me.actor(), id)
        .await?
        .into_iter()
        .map(|k| {
            let consent_value = k.fields.consent.as_str();
            ContactRow {
                id: k.id.0,
                name: k.fields.name,
                email: k.fields.email.to_string(),
                phone: k.fields.phone.unwrap_or_default(),
                role: k.fields.role,
                language: k.fields.language.map(|l| l.to_string()).unwrap_or_default(),
                consent: CONSENTS.iter().find(|(v, _)| *v == consent_value).map_or("not asked yet", |(_, l)| l),
                consent_value,
                history: Vec::new(),
            }
        })
        .collect();
    for k in &mut contacts {
        k.history = super::privacy_notices::consent_history(app, me.actor(), rally_domain::ContactId(k.id)).await?;
    }
    let can_edit = layout.can_edit_partner(me.user.id, p.fields.owner_id);
    let work = PartnerWork::load(app, me, &p, new_link, &mut timeline).await?;
    let (share_link, brought) = share_and_brought(app, me, slug, &p).await?;
    timeline.sort_by(|a, b| b.sort.cmp(&a.sort));
    let can_reassign = layout
        .campaign
        .as_ref()
        .and_then(|c| c.role)
        .is_some_and(|r| matches!(r, rally_domain::Role::Owner | rally_domain::Role::Coordinator));
    let audiences = Audience::ALL.iter().map(|a| (a.as_str(), p.fields.audiences.contains(a))).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&PartnerPage {
        layout,
        slug: slug.to_owned(),
        owner: owner_name(&team, p.fields.owner_id),
        owner_id: p.fields.owner_id.map_or(0, |o| o.0),
        p,
        can_edit,
        can_reassign,
        timeline,
        contacts,
        team,
        stages: stage_options(),
        categories: category_options(),
        audiences,
        state: FormState::new(failed, form, errors),
        work,
        share_link,
        brought,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The partner's share link (its code made the first time the page is shown) and what the events that
/// came through it, or named the partner, add up to.
async fn share_and_brought(
    app: &AppState,
    me: &SignedIn,
    slug: &str,
    p: &Partner,
) -> Result<(String, String), PageError> {
    let code = app.store.share_code(me.actor(), p.id).await?;
    let link = format!("{}/c/{slug}/r/{code}", app.public_url.as_str().trim_end_matches('/'));
    let brought = app.store.brought(p.campaign_id, Some(p.id)).await?.into_iter().next();
    let (events, students) = brought.map_or((0, 0), |b| (b.events, b.students));
    let plural = |n: i64, one: &str, many: &str| format!("{} {}", number(n), if n == 1 { one } else { many });
    Ok((link, format!("Brought {}, {}.", plural(events, "event", "events"), plural(students, "student", "students"))))
}

//! The partner workflow on the partner page: commitments to asks, the interaction log, follow-up
//! tasks (added, ticked off, edited), assets sent, the partner's logo and place on the recognition
//! wall, and its secret link.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rally_domain::{
    AskDraft, AssetId, CommitmentDraft, CommitmentId, CommitmentStatus, FieldError, InteractionDraft, PartnerId, Task,
    TaskDraft, TaskId,
};
use rally_store::StoreError;

use super::campaign_partner::{CampaignPartner, partner_in};
use super::partner_page::{partner_page, partner_page_with};
use super::{FormData, PageError, SignedIn, campaign_id};
use crate::AppState;
use crate::auth::{hash_token, random_token};
use crate::kit::uploads::{UploadForm, UploadProblem};
use crate::kit::{FormField, field_errors};

fn back_to(slug: &str, id: PartnerId, anchor: &str) -> Response {
    Redirect::to(&format!("/campaigns/{slug}/partners/{id}#{anchor}")).into_response()
}

/// A partner-page form being answered.
struct PartnerForm<'a> {
    app: &'a AppState,
    me: &'a SignedIn,
    slug: &'a str,
    id: PartnerId,
}

impl PartnerForm<'_> {
    /// Back to the form's section of the partner page when it worked; the page again, with every error next
    /// to its field and the input kept, when it did not.
    async fn with(
        &self,
        section: &str,
        failed: &str,
        form: FormData,
        mut errors: Vec<FieldError>,
        result: Result<(), StoreError>,
    ) -> Result<Response, PageError> {
        if let Err(e) = result {
            errors.extend(field_errors(e)?);
        }
        if errors.is_empty() {
            Ok(back_to(self.slug, self.id, section))
        } else {
            partner_page(self.app, self.me, self.slug, self.id, failed, form, errors).await
        }
    }
}

/// Proposes a standard ask (`ask_id`) or writes a custom ask with its commitment (`title`, …).
pub async fn propose(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    let today = Utc::now().date_naive();
    let mut errors = Vec::new();
    let (failed, result) = if let Some(ask) = form.some("ask_id") {
        let ask = ask.parse().map(rally_domain::AskId).map_err(|_| PageError::BadRequest("no such ask".into()))?;
        ("propose", app.store.propose(me.actor(), id, ask, CommitmentDraft::default(), today).await)
    } else {
        let due_on = form.date("due_on", &mut errors);
        let quantity = form.number("quantity", &mut errors);
        let status = match form.get("status") {
            "agreed" => CommitmentStatus::Agreed,
            _ => CommitmentStatus::Proposed,
        };
        let ask = AskDraft {
            title: form.some("title"),
            description: form.some("description"),
            due_on: Some(due_on),
            unit: form.some("unit"),
            ..Default::default()
        };
        let draft = CommitmentDraft { status: Some(status), quantity: Some(quantity), ..Default::default() };
        if !errors.is_empty() {
            return partner_page(&app, &me, &slug, id, "custom", form, errors).await;
        }
        let result = match ask.validate(today, None) {
            Ok(ask) => app.store.propose_custom(me.actor(), id, ask, draft, today).await,
            Err(e) => Err(e.into()),
        };
        ("custom", result)
    };
    let answer = PartnerForm { app: &app, me: &me, slug: &slug, id };
    answer.with("commitments", failed, form, vec![], result.map(|_| ())).await
}

/// How a commitment's form sends a [`CommitmentDraft`]: what is left blank stays as it is.
const COMMITMENT_FORM: &[(&str, FormField)] = &[
    ("status", FormField::Text),
    ("quantity", FormField::Number),
    ("due_on", FormField::Date),
    ("evidence", FormField::Text),
    ("note", FormField::Text),
];

/// Changes a commitment: agree (date, quantity), fulfil (evidence), mark missed, reopen.
pub async fn update_commitment(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, cid)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let cid = cid.parse().map(CommitmentId).map_err(|_| PageError::NotFound)?;
    let id = partner_in(&app, &me, &slug, form.get("partner")).await?.id;
    let (patch, errors) = form.draft::<CommitmentDraft>(COMMITMENT_FORM);
    let failed = format!("c{}", cid.0);
    if !errors.is_empty() {
        return partner_page(&app, &me, &slug, id, &failed, form, errors).await;
    }
    let result = app.store.update_commitment(me.actor(), cid, patch, Utc::now().date_naive()).await;
    PartnerForm { app: &app, me: &me, slug: &slug, id }
        .with("commitments", &failed, form, vec![], result.map(|_| ()))
        .await
}

/// How the timeline's "log" form sends an [`InteractionDraft`].
const INTERACTION_FORM: &[(&str, FormField)] =
    &[("kind", FormField::Text), ("on", FormField::Date), ("text", FormField::Text), ("contact_id", FormField::Number)];

/// Logs a call, meeting, e-mail or note.
pub async fn log_interaction(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    let (draft, errors) = form.draft::<InteractionDraft>(INTERACTION_FORM);
    let result = match draft.validate(Utc::now().date_naive()) {
        Ok(fields) if errors.is_empty() => app.store.add_interaction(me.actor(), id, fields).await.map(|_| ()),
        Ok(_) => Ok(()),
        Err(invalid) => Err(invalid.into()),
    };
    PartnerForm { app: &app, me: &me, slug: &slug, id }.with("timeline", "log", form, errors, result).await
}

/// How a task form (title, due date, owner, commitment) sends a [`TaskDraft`].
const TASK_FORM: &[(&str, FormField)] = &[
    ("title", FormField::Text),
    ("due_on", FormField::Date),
    ("owner_id", FormField::Number),
    ("commitment_id", FormField::Number),
];

/// Reads a task form into a draft, as the API reads one; `partner` links it.
pub(super) fn task_draft(form: &FormData, partner: Option<PartnerId>) -> (TaskDraft, Vec<FieldError>) {
    let (draft, errors) = form.draft::<TaskDraft>(TASK_FORM);
    (TaskDraft { partner_id: partner.map(Some), ..draft }, errors)
}

/// Adds a follow-up task for this partner.
pub async fn add_task(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner: p }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = p.id;
    let (draft, errors) = task_draft(&form, Some(id));
    let result = match draft.validate(Utc::now().date_naive(), None) {
        Ok(fields) if errors.is_empty() => app.store.create_task(me.actor(), p.campaign_id, fields).await.map(|_| ()),
        Ok(_) => Ok(()),
        Err(invalid) => Err(invalid.into()),
    };
    PartnerForm { app: &app, me: &me, slug: &slug, id }.with("tasks", "task", form, errors, result).await
}

/// The task `id` (as the path names it) if it belongs to the campaign `slug`.
pub(super) async fn task_in(app: &AppState, me: &SignedIn, slug: &str, id: &str) -> Result<Task, PageError> {
    let id = id.parse().map(TaskId).map_err(|_| PageError::NotFound)?;
    let campaign = campaign_id(app, slug).await?;
    let task = app.store.task(me.actor(), id).await?;
    if task.campaign_id != campaign {
        return Err(PageError::NotFound);
    }
    Ok(task)
}

/// The partner whose page a task form was sent from (`back=partner`), if it was.
pub(super) fn from_partner_page(form: &FormData, task: &Task) -> Option<PartnerId> {
    task.fields.partner_id.filter(|_| form.get("back") == "partner")
}

/// Ticks a task off (or on again), from the partner page or the task list.
pub async fn toggle_task(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, tid)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let task = task_in(&app, &me, &slug, &tid).await?;
    let patch = TaskDraft { done: Some(form.get("done") == "1"), ..Default::default() };
    app.store.update_task(me.actor(), task.id, patch, Utc::now().date_naive()).await?;
    let back = match from_partner_page(&form, &task) {
        Some(p) => format!("/campaigns/{slug}/partners/{p}#tasks"),
        None => format!("/campaigns/{slug}/tasks"),
    };
    Ok(Redirect::to(&back).into_response())
}

/// How a task's edit form sends a [`TaskDraft`] patch: the title always (an emptied one is refused),
/// the due date when given, the owner only when one is chosen.
const TASK_EDIT: &[(&str, FormField)] =
    &[("title", FormField::ClearableText), ("due_on", FormField::Date), ("owner_id", FormField::Number)];

/// The task forms' fields and labels, for the error summary.
pub(super) const TASK_LABELS: &[(&str, &str)] = &[("title", "Task"), ("due_on", "Due"), ("owner_id", "For")];

/// Saves a task's edit form, as the API would take it; the errors to show next to its fields, if any.
pub(super) async fn save_task(
    app: &AppState,
    me: &SignedIn,
    task: &Task,
    form: &FormData,
) -> Result<Vec<FieldError>, PageError> {
    let today = Utc::now().date_naive();
    let (patch, mut errors) = form.draft::<TaskDraft>(TASK_EDIT);
    if !errors.is_empty() {
        // Every problem at once: the rest of the form checked as the store would check it.
        if let Err(more) = task.to_draft().merge(patch).validate(today, Some(task.fields.due_on)) {
            let more: Vec<_> = more.0.into_iter().filter(|e| !errors.iter().any(|x| x.field == e.field)).collect();
            errors.extend(more);
        }
        return Ok(errors);
    }
    match app.store.update_task(me.actor(), task.id, patch, today).await {
        Ok(_) => Ok(vec![]),
        Err(e) => field_errors(e),
    }
}

/// Records assets sent to the partner: "Finalize Fulfillment".
pub async fn send_assets(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    let assets: Vec<AssetId> =
        form.0.iter().filter(|(k, _)| k == "assets").filter_map(|(_, v)| v.parse().ok().map(AssetId)).collect();
    let result = app.store.send_assets(me.actor(), id, &assets, form.get("note")).await;
    PartnerForm { app: &app, me: &me, slug: &slug, id }.with("assets", "send", form, vec![], result.map(|_| ())).await
}

/// Uploads (or removes) the partner's logo.
pub async fn set_logo(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner: p }: CampaignPartner,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let id = p.id;
    // The right is checked before the upload is read, so no file is stored for someone who may not add it.
    let role = app.store.campaign(me.actor(), p.campaign_id).await?.role;
    if !role.is_some_and(|r| r.allows(me.user.id, rally_domain::Action::EditPartner { owner: p.fields.owner_id })) {
        return Err(PageError::Forbidden);
    }
    let failed = |message: String| vec![FieldError { field: "logo".into(), message }];
    let form = match UploadForm::read(multipart, crate::kit::uploads::Accept::Images, &app.files).await {
        Ok(f) => f,
        Err(UploadProblem::TooLarge) => return Err(PageError::FileTooLarge),
        Err(UploadProblem::Unavailable) => return Err(PageError::Unavailable),
        Err(p) => return partner_page(&app, &me, &slug, id, "logo", FormData::default(), failed(p.message())).await,
    };
    if form.get("remove") == Some("1") {
        app.store.set_partner_logo(me.actor(), id, None).await?;
        return Ok(back_to(&slug, id, "recognition"));
    }
    let stored = form.store_file(&app.files).await.map_err(|e| {
        tracing::error!(error = %e, "storing an upload");
        PageError::Unavailable
    })?;
    let Some(stored) = stored else {
        let message = format!("choose a {} file", crate::kit::uploads::Accept::Images.types());
        return partner_page(&app, &me, &slug, id, "logo", FormData::default(), failed(message)).await;
    };
    let result = app.store.set_partner_logo(me.actor(), id, Some(stored)).await;
    PartnerForm { app: &app, me: &me, slug: &slug, id }
        .with("recognition", "logo", FormData::default(), vec![], result)
        .await
}

/// The partner's logo, for the team.
pub async fn logo(
    State(app): State<AppState>,
    CampaignPartner { me, partner, .. }: CampaignPartner,
) -> Result<Response, PageError> {
    let id = partner.id;
    let logo = app.store.partner_profile(me.actor(), id).await?.logo.ok_or(PageError::NotFound)?;
    Ok(crate::kit::uploads::serve_file(&app.files, &logo, false).await)
}

/// Holds back (or releases) marketing e-mail to the partner's contacts.
pub async fn set_do_not_contact(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    let mut errors = Vec::new();
    let until = form.date("until", &mut errors);
    if !errors.is_empty() {
        return partner_page(&app, &me, &slug, id, "dnc", form, errors).await;
    }
    app.store.set_do_not_contact(me.actor(), id, until).await?;
    Ok(back_to(&slug, id, "mail"))
}

/// Shows or hides the partner on the campaign's recognition wall.
pub async fn set_recognition(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    app.store.set_recognition_opt_out(me.actor(), id, form.get("opt_out") == "1").await?;
    Ok(back_to(&slug, id, "recognition"))
}

/// Makes a new partner link (revoking the old one) and shows it once, or revokes it.
pub async fn link(
    State(app): State<AppState>,
    CampaignPartner { me, slug, partner }: CampaignPartner,
    form: FormData,
) -> Result<Response, PageError> {
    let id = partner.id;
    if form.get("action") == "revoke" {
        app.store.revoke_partner_link(me.actor(), id).await?;
        return Ok(back_to(&slug, id, "link"));
    }
    let token = random_token();
    app.store.create_partner_link(me.actor(), id, &hash_token(&token)).await?;
    let url = format!("{}/p/{token}", app.public_url.as_str());
    partner_page_with(&app, &me, &slug, id, "", FormData::default(), vec![], Some(url)).await
}

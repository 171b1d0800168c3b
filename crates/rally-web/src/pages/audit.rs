//! `/campaigns/{slug}/audit`: the campaign's audit log for its owners — who did what, when and from
//! where — filtered by a GET form (action, person, days, text in the target), newest first a page at a
//! time, and downloaded as CSV with the same filters (`/campaigns/{slug}/audit.csv`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rally_domain::{AuditAction, Invalid};
use rally_store::{AuditEntry, AuditFilter, AuditPage};

use super::{Layout, PageError, SignedIn, render};
use crate::AppState;
use crate::audit::{AuditQuery, action_label, detail_text};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditView {
    layout: Layout,
    slug: String,
    /// The filters as given, to fill the form again.
    action: String,
    user: String,
    from: String,
    to: String,
    target: String,
    actions: Vec<(&'static str, &'static str)>,
    people: Vec<(String, String)>,
    errors: Vec<String>,
    rows: Vec<Row>,
    /// The query string of the filters (no cursor), for the next page's link and the CSV link.
    filters: String,
    next: Option<i64>,
    paged: bool,
}

/// One entry as the table shows it.
struct Row {
    at: String,
    who: String,
    what: &'static str,
    target: String,
    detail: String,
    from: String,
}

impl Row {
    fn of(e: &AuditEntry) -> Row {
        let target = match (&e.target_kind, &e.target) {
            (Some(kind), Some(name)) => format!("{kind}: {name}"),
            (None, Some(name)) => name.clone(),
            (Some(kind), None) => kind.clone(),
            (None, None) => String::new(),
        };
        let from = match &e.client_address {
            Some(address) => format!("{address} ({})", e.via),
            None => e.via.clone(),
        };
        Row {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            who: e.actor.clone(),
            what: action_label(e.action),
            target,
            detail: detail_text(&e.detail),
            from,
        }
    }
}

/// `GET /campaigns/{slug}/audit`.
pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let campaign = &found.campaign;
    // Owners only; the store says so too, but a member should not see an empty form first.
    let (page, errors) = match query.filter() {
        Ok(filter) => (app.store.audit_entries(me.actor(), Some(campaign.id), &filter).await?, Vec::new()),
        Err(invalid) => {
            app.store
                .audit_entries(me.actor(), Some(campaign.id), &AuditFilter { limit: Some(1), ..AuditFilter::default() })
                .await?;
            (AuditPage { entries: Vec::new(), next: None }, messages(&invalid))
        }
    };
    let people = app
        .store
        .team(me.actor(), campaign.id)
        .await?
        .into_iter()
        .map(|m| (m.user_id.0.to_string(), format!("{} ({})", m.name, m.email)))
        .collect();
    let given = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = AuditView {
        layout: Layout::new(&app, &me, Some(&slug), "audit", format!("Audit log · {}", campaign.fields.name)).await?,
        action: given(&query.action),
        user: given(&query.user),
        from: given(&query.from),
        to: given(&query.to),
        target: given(&query.target),
        actions: AuditAction::ALL.iter().map(|a| (a.as_str(), action_label(*a))).collect(),
        people,
        errors,
        rows: page.entries.iter().map(Row::of).collect(),
        filters: filters(&query),
        next: page.next,
        paged: query.before.as_deref().is_some_and(|b| !b.trim().is_empty()),
        slug,
    };
    let mut response = render(&view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /campaigns/{slug}/audit.csv`: the entries the same filters select, all of them.
pub async fn csv(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let id = super::campaign_id(&app, &slug).await?;
    let filter = query.filter().map_err(|invalid| PageError::BadRequest(messages(&invalid).join(" ")))?;
    Ok(crate::audit::csv(&app, me.actor(), id, filter, &format!("{slug}-audit.csv")).await?)
}

fn messages(invalid: &Invalid) -> Vec<String> {
    let label = |field: &str| match field {
        "action" => "What",
        "user" => "Who",
        "from" => "From",
        "to" => "To",
        "target" => "About",
        "limit" => "Entries per page",
        _ => "Page",
    };
    invalid.0.iter().map(|e| format!("{}: {}.", label(&e.field), e.message)).collect()
}

/// The query string of the filters given (no cursor), each value encoded.
fn filters(q: &AuditQuery) -> String {
    let pairs = [("action", &q.action), ("user", &q.user), ("from", &q.from), ("to", &q.to), ("target", &q.target)];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

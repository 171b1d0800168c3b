//! The audit log as owners read it, shared by the Audit page and the API (which do not import each
//! other): the query both take (the same filters, the same cursor), the actions in people's words, and
//! the CSV download, streamed a page at a time.

use axum::body::{Body, Bytes};
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime};
use rally_domain::export::{Cell, Format};
use rally_domain::limits::AUDIT_PAGE;
use rally_domain::{AuditAction, CampaignId, FieldError, Invalid, UserId};
use rally_store::{Actor, AuditEntry, AuditFilter};
use serde::Deserialize;

use crate::AppState;

/// The filters of the audit log, as a query string. Every value is text so that a form's empty fields
/// mean "any" and a wrong value is named rather than refused wholesale.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action (`sign_in_failed`, `role_changed`, …).
    #[param(value_type = Option<AuditAction>)]
    pub action: Option<String>,
    /// Only what this user did (their id).
    #[param(value_type = Option<i64>)]
    pub user: Option<String>,
    /// From this day on (YYYY-MM-DD, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// Text in the name of what the entry is about (any case).
    #[param(max_length = 200)]
    pub target: Option<String>,
    /// The `next` of the previous page: the entries older than it.
    #[param(value_type = Option<i64>)]
    pub before: Option<String>,
    /// Entries per page, 1 to 200 (50 when not given).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

impl AuditQuery {
    /// The store's filter, or every wrong value named by its parameter.
    pub fn filter(&self) -> Result<AuditFilter, Invalid> {
        let mut errors = Vec::new();
        let mut field = |name: &str, value: &Option<String>, parse: &dyn Fn(&str) -> Option<()>| {
            let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            if parse(v).is_none() {
                errors.push(FieldError { field: name.into(), message: message(name).into() });
            }
            Some(v.to_owned())
        };
        let action = field("action", &self.action, &|v| AuditAction::parse(v).ok().map(drop));
        let user = field("user", &self.user, &|v| v.parse::<i64>().ok().map(drop));
        let from = field("from", &self.from, &|v| v.parse::<NaiveDate>().ok().map(drop));
        let to = field("to", &self.to, &|v| v.parse::<NaiveDate>().ok().map(drop));
        let before = field("before", &self.before, &|v| v.parse::<i64>().ok().map(drop));
        let limit = field("limit", &self.limit, &|v| {
            v.parse::<usize>().ok().filter(|n| (1..=AUDIT_PAGE).contains(n)).map(drop)
        });
        let target = field("target", &self.target, &|v| (v.chars().count() <= 200).then_some(()));
        let day = |v: &Option<String>| v.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
        let (from, to) = (day(&from), day(&to));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(FieldError { field: "to".into(), message: "the last day comes before the first".into() });
        }
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        Ok(AuditFilter {
            action: action.and_then(|a| AuditAction::parse(&a).ok()),
            user: user.and_then(|u| u.parse().ok()).map(UserId),
            from: from.map(start),
            until: to.and_then(|d| d.succ_opt()).map(start),
            target,
            before: before.and_then(|b| b.parse().ok()),
            limit: limit.and_then(|l| l.parse().ok()),
        })
    }
}

fn message(field: &str) -> &'static str {
    match field {
        "action" => "choose one of the actions listed",
        "user" => "choose a person of the team",
        "from" | "to" => "give a day as YYYY-MM-DD",
        "limit" => "give a number from 1 to 200",
        "target" => "at most 200 characters",
        _ => "not a page of this log; start from the first page",
    }
}

/// An action in the words the team uses.
pub fn action_label(action: AuditAction) -> &'static str {
    use AuditAction::*;
    match action {
        SignIn => "Signed in",
        SignInFailed => "Failed to sign in",
        SecondFactorFailed => "Wrong two-factor code",
        SecondFactorEnabled => "Turned on two-factor sign-in",
        SecondFactorDisabled => "Turned off two-factor sign-in",
        RecoveryCodeUsed => "Signed in with a recovery code",
        SignedOutEverywhere => "Signed out everywhere",
        PasswordChanged => "Changed their password",
        InvitationSent => "Invited someone to the team",
        InvitationRevoked => "Withdrew an invitation",
        InvitationAccepted => "Joined the team",
        RoleChanged => "Changed a role",
        MemberRemoved => "Removed someone from the team",
        TokenCreated => "Made an API token",
        TokenRevoked => "Revoked an API token",
        CampaignSettingsChanged => "Changed the campaign's settings",
        MailSettingsChanged => "Changed the e-mail settings",
        CadenceChanged => "Changed how often e-mail goes out",
        RetentionChanged => "Changed how long data is kept",
        PrivacyNoticePublished => "Published a privacy notice",
        ImportRun => "Imported a file",
        ImportUndone => "Undid an import",
        PersonalDataExported => "Downloaded personal data",
        PrivacyExport => "Exported a person's data",
        PrivacyErasure => "Erased a person's data",
        RetentionApplied => "Deleted data past its keeping time",
        EventApproved => "Approved an event",
        EventRejected => "Rejected an event",
        MessageQueued => "Queued a message",
        MessagePaused => "Paused a message",
        MessageResumed => "Resumed a message",
        MessageCancelled => "Cancelled a message",
        PartnerDeleted => "Deleted a partner",
        PartnersMerged => "Merged two partners",
        ContactDeleted => "Deleted a contact",
        ResetLinkSent => "Sent a member a password reset link",
        CampaignDeleted => "Deleted the campaign",
        ConsentChanged => "Changed a consent",
        SessionEnded => "Signed out a browser",
        ActivityListed => "Listed an activity in the catalogue",
        ActivityRejected => "Turned down a proposed activity",
        ActivityHidden => "Hid an activity of the catalogue",
    }
}

/// An entry's detail in a line: `changed: goal_students, name; emails: 120`.
pub fn detail_text(detail: &serde_json::Value) -> String {
    let serde_json::Value::Object(map) = detail else { return String::new() };
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(", ")
        }
        serde_json::Value::Null => "none".into(),
        other => other.to_string(),
    };
    map.iter().map(|(k, v)| format!("{}: {}", k.replace('_', " "), value(v))).collect::<Vec<_>>().join("; ")
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "at",
    "action",
    "what",
    "actor",
    "user_id",
    "campaign_id",
    "target_kind",
    "target_id",
    "target",
    "detail",
    "client_address",
    "user_agent",
    "via",
    "request_id",
];

fn csv_row(e: &AuditEntry) -> Vec<Cell> {
    vec![
        Cell::Int(e.id),
        Cell::Text(e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        Cell::Text(e.action.as_str().into()),
        Cell::Text(action_label(e.action).into()),
        Cell::Text(e.actor.clone()),
        e.user_id.map(|u| u.0).into(),
        e.campaign_id.map(|c| c.0).into(),
        e.target_kind.clone().into(),
        e.target_id.into(),
        e.target.clone().into(),
        Cell::Text(e.detail.to_string()),
        e.client_address.clone().into(),
        e.user_agent.clone().into(),
        Cell::Text(e.via.clone()),
        e.request_id.clone().into(),
    ]
}

/// The entries `filter` selects (its cursor and page size aside: all of them, newest first) as a CSV
/// download named `name`. The first page is read before answering, so a refusal is an error answer and
/// not a broken file; the download itself is an audited download of personal data.
pub async fn csv(
    app: &AppState,
    actor: Actor,
    campaign: CampaignId,
    mut filter: AuditFilter,
    name: &str,
) -> Result<Response, rally_store::StoreError> {
    filter.limit = Some(AUDIT_PAGE);
    filter.before = None;
    let first = app.store.audit_entries(actor, Some(campaign), &filter).await?;
    let what = serde_json::json!({ "format": "csv", "filters": filter_detail(&filter) });
    app.store.record_download(actor, campaign, "audit log", what).await?;
    let head = Format::Csv.header(CSV_COLUMNS);
    let store = app.store.clone();
    // Each step writes one page and reads the next, so memory stays flat however long the log.
    let pages = futures_util::stream::unfold(Some((first, head)), move |state| {
        let (store, filter) = (store.clone(), filter.clone());
        async move {
            let (page, mut chunk) = state?;
            for e in &page.entries {
                chunk.push_str(&Format::Csv.row(CSV_COLUMNS, &csv_row(e)));
            }
            let next = match page.next {
                None => None,
                Some(before) => {
                    let older = AuditFilter { before: Some(before), ..filter };
                    match store.audit_entries(actor, Some(campaign), &older).await {
                        Ok(p) => Some((p, String::new())),
                        Err(e) => {
                            tracing::error!(error = %e, "the audit log download failed part way");
                            return Some((Err(std::io::Error::other("the download failed; try again")), None));
                        }
                    }
                }
            };
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next))
        }
    });
    Ok(crate::kit::attachment(Body::from_stream(pages), Format::Csv.media_type(), name))
}

/// The filters of a download, for its own audit entry.
fn filter_detail(f: &AuditFilter) -> serde_json::Value {
    serde_json::json!({
        "action": f.action.map(AuditAction::as_str),
        "user": f.user.map(|u| u.0),
        "from": f.from.map(|t| t.date_naive().to_string()),
        "until": f.until.map(|t| t.date_naive().to_string()),
        "target": f.target.is_some(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> AuditQuery {
        let text = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let uri: axum::http::Uri = format!("/?{text}").parse().unwrap();
        axum::extract::Query::<AuditQuery>::try_from_uri(&uri).unwrap().0
    }

    #[test]
    fn empty_fields_mean_any_and_wrong_ones_are_named() {
        let f = query(&[("action", ""), ("user", ""), ("from", ""), ("to", ""), ("target", "%20")]).filter().unwrap();
        assert_eq!(f, AuditFilter::default());
        let f = query(&[("action", "role_changed"), ("from", "2026-12-01"), ("to", "2026-12-01"), ("limit", "10")])
            .filter()
            .unwrap();
        assert_eq!(f.action, Some(AuditAction::RoleChanged));
        assert_eq!(f.until.unwrap() - f.from.unwrap(), chrono::Duration::days(1), "the last day is included");
        assert_eq!(f.limit, Some(10));
        let bad = query(&[("action", "drop"), ("user", "ana"), ("from", "2026-13-01"), ("limit", "0")]).filter();
        let fields: Vec<String> = bad.unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["action", "user", "from", "limit"]);
        let backwards = query(&[("from", "2026-12-02"), ("to", "2026-12-01")]).filter();
        assert_eq!(backwards.unwrap_err().0[0].field, "to");
    }

    #[test]
    fn every_action_has_words_and_details_read_as_a_line() {
        for a in AuditAction::ALL {
            assert!(!action_label(a).is_empty());
        }
        let d = serde_json::json!({ "changed": ["goal_students", "name"], "emails": 3, "from": null });
        assert_eq!(detail_text(&d), "changed: goal_students, name; emails: 3; from: none");
    }
}

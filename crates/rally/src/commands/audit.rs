//! `rally audit`: the audit log read by the operator — one campaign's (its entries and its team's
//! sign-ins and tokens) or, without `--campaign`, everything, failed sign-ins of unknown addresses
//! included. Newest first, one entry a line, or JSON Lines.

use anyhow::anyhow;
use chrono::{NaiveDate, NaiveTime};
use clap::Args;
use rally_domain::AuditAction;
use rally_domain::limits::AUDIT_PAGE;
use rally_store::{Actor, AuditEntry, AuditFilter};

use super::{campaign_id, find_user, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this campaign's log (its slug).
    #[arg(long)]
    campaign: Option<String>,
    /// Only this action, e.g. `sign_in_failed`, `role_changed`, `partner_deleted`.
    #[arg(long)]
    action: Option<String>,
    /// Only what the user with this address did.
    #[arg(long)]
    email: Option<String>,
    /// From this day on (YYYY-MM-DD, UTC).
    #[arg(long)]
    since: Option<NaiveDate>,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    until: Option<NaiveDate>,
    /// Only entries about something whose name holds this text (any case).
    #[arg(long)]
    target: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// JSON Lines, one entry an object, instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: AuditArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open(&settings.database_url()?).await?;
    let campaign = match &args.campaign {
        Some(slug) => Some(campaign_id(&*store, slug).await?),
        None => None,
    };
    let user = match &args.email {
        Some(email) => Some(find_user(&*store, email).await?.id),
        None => None,
    };
    let action = args.action.as_deref().map(AuditAction::parse).transpose().map_err(|e| anyhow!("--action: {e}"))?;
    let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let mut filter = AuditFilter {
        action,
        user,
        from: args.since.map(start),
        until: args.until.and_then(|d| d.succ_opt()).map(start),
        target: args.target.clone(),
        before: None,
        limit: None,
    };
    let mut left = args.limit;
    while left > 0 {
        filter.limit = Some(left.min(AUDIT_PAGE));
        let page = store.audit_entries(Actor::System, campaign, &filter).await?;
        left = left.saturating_sub(page.entries.len());
        for e in &page.entries {
            println!("{}", if args.json { serde_json::to_string(e)? } else { line(e) });
        }
        match page.next {
            Some(next) => filter.before = Some(next),
            None => break,
        }
    }
    Ok(())
}

/// An entry as a line: when, who, what, about what, the detail, from where.
fn line(e: &AuditEntry) -> String {
    let target = match (&e.target_kind, &e.target) {
        (Some(kind), Some(name)) => format!("{kind} {name}"),
        (Some(kind), None) => kind.clone(),
        (None, name) => name.clone().unwrap_or_default(),
    };
    let from = e.client_address.as_deref().map_or_else(|| e.via.clone(), |a| format!("{a} ({})", e.via));
    format!(
        "{}  {}  {}  {}  {}  {}",
        e.at.format("%Y-%m-%d %H:%M:%S"),
        e.actor,
        e.action.as_str(),
        target,
        e.detail,
        from
    )
}

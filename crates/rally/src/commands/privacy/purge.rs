//! `rally privacy purge [--dry-run] [--campaign SLUG]`: applies the retention rules by hand, or shows
//! what they would remove; and [`Daily`], the same run that `rally serve` makes at start-up and then
//! every `[server] retention_hours`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use rally_domain::retention::{RetentionReport, RetentionRule};
use rally_store::{RETENTION_BATCH, Store};

use super::super::{LOG_TARGET, campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Count what each rule would remove, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Only this campaign's rules (its slug); Rally-wide rules (sign-in records, the audit log) are
    /// left for a run without it.
    #[arg(long)]
    campaign: Option<String>,
}

pub async fn purge(args: PurgeArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open(&settings.database_url()?).await?;
    let campaign = match &args.campaign {
        Some(slug) => Some(campaign_id(&*store, slug).await?),
        None => None,
    };
    let report = store.apply_retention(Utc::now(), campaign, RETENTION_BATCH, args.dry_run).await?;
    print!("{}", table(&report));
    if report.dry_run {
        println!("Dry run: nothing was changed. Run again without --dry-run to apply the rules.");
    }
    Ok(())
}

/// The report as the operator reads it: a heading, then one line per rule.
fn table(report: &RetentionReport) -> String {
    let mut out = String::from(if report.dry_run {
        "What the retention rules would change now:\n"
    } else {
        "What the retention rules changed:\n"
    });
    for c in &report.rules {
        // Whole campaigns for that rule; rows for the others.
        let what = if c.rule == RetentionRule::ArchivedCampaign { "campaigns" } else { "rows" };
        out.push_str(&format!("{:<30} {:>8} {what} ({})\n", c.rule.label(), c.rows, c.rule.outcome()));
    }
    out
}

/// The daily purge of a running server: at start-up, then every `every`, until told to stop. A run
/// that fails (the database away) is logged and tried again at the next turn.
pub struct Daily {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Daily {
    /// Starts the job; `None` when `every` is zero (the operator runs `rally privacy purge` from cron).
    pub fn start(store: Arc<dyn Store>, every: Duration) -> Option<Daily> {
        if every.is_zero() {
            return None;
        }
        let (stop, mut stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                // A stop in the middle of a batch drops its transaction: it rolls back, and the next
                // run does it again.
                tokio::select! {
                    _ = stopping.wait_for(|s| *s) => return,
                    () = run_once(&*store) => {}
                }
                tokio::select! {
                    _ = stopping.wait_for(|s| *s) => return,
                    () = tokio::time::sleep(every) => {}
                }
            }
        });
        Some(Daily { stop, task })
    }

    /// Stops the job and waits for it.
    pub async fn stop(self) {
        self.stop.send_replace(true);
        if let Err(e) = self.task.await {
            tracing::error!(target: LOG_TARGET, error = %e, "the retention job failed");
        }
    }
}

async fn run_once(store: &dyn Store) {
    match store.apply_retention(Utc::now(), None, RETENTION_BATCH, false).await {
        Ok(report) => {
            let counts: Vec<String> =
                report.rules.iter().filter(|c| c.rows > 0).map(|c| format!("{}={}", c.rule.as_str(), c.rows)).collect();
            tracing::info!(target: LOG_TARGET, removed = report.total(), rules = %counts.join(" "), "retention applied");
        }
        Err(e) => tracing::warn!(target: LOG_TARGET, error = %e, "retention could not be applied; trying again later"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_rule_in_words() {
        let mut report = RetentionReport::new(true);
        report.add(RetentionRule::UnconfirmedRegistrations, 3);
        let text = table(&report);
        assert_eq!(text.lines().count(), RetentionRule::ALL.len() + 1);
        let first = text.lines().nth(1).unwrap_or_default();
        assert!(first.starts_with("Unconfirmed registrations") && first.contains(" 3 rows (deleted)"), "{text}");
    }
}

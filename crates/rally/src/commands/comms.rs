//! `rally comms`: the communication plan from the command line — print the calendar the cadence
//! rules give (`plan`), or put a draft message in the outbox (`queue`).

use anyhow::bail;
use clap::Subcommand;
use rally_store::Actor;

use super::{campaign_id, open};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum CommsCommand {
    /// Print the campaign's future e-mail calendar: who gets which draft message when, which sends the
    /// cadence rules defer or expire, and why. Writes nothing.
    Plan {
        #[arg(long)]
        campaign: String,
        /// Every e-mail, not only the ones that moved or expired.
        #[arg(long)]
        all: bool,
    },
    /// Render a draft message for its whole segment and put it in the outbox (the worker sends it).
    Queue {
        #[arg(long)]
        campaign: String,
        /// The message's id.
        #[arg(long)]
        message: i64,
    },
}

pub async fn run(command: CommsCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        CommsCommand::Plan { campaign, all } => plan(&settings.database_url()?, &campaign, all).await,
        CommsCommand::Queue { campaign, message } => queue(settings, &campaign, message).await,
    }
}

/// Prints the e-mails the cadence rules moved or expired (every one with `all`), then the totals.
async fn plan(database: &str, campaign: &str, all: bool) -> anyhow::Result<()> {
    let store = open(database).await?;
    let id = campaign_id(&*store, campaign).await?;
    let lines = rally_comms::plan::plan_campaign(&*store, Actor::System, id, chrono::Utc::now()).await?;
    let (mut on_time, mut deferred, mut expired, mut left_out) = (0, 0, 0, 0);
    for l in &lines {
        match (l.left_out, l.at, l.reason.is_empty()) {
            (true, _, _) => left_out += 1,
            (false, None, _) => expired += 1,
            (false, Some(_), true) => on_time += 1,
            (false, Some(_), false) => deferred += 1,
        }
        if all || !l.reason.is_empty() {
            println!("{}", plan_line(l));
        }
    }
    println!(
        "{} e-mails: {on_time} on time, {deferred} deferred, {expired} expire; {left_out} contacts left out",
        lines.len() - left_out
    );
    Ok(())
}

fn plan_line(l: &rally_comms::plan::PlanLine) -> String {
    let at = match (l.left_out, l.at) {
        (true, _) => "left out".to_owned(),
        (false, None) => "expires".to_owned(),
        (false, Some(t)) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    format!(
        "{at:<20}  {:<6}  {}  {} <{}>  (wanted {})  {}",
        l.state.as_str(),
        l.message,
        l.partner,
        l.email,
        l.wanted.format("%Y-%m-%d %H:%M"),
        l.reason
    )
}

/// Queues message `message` of `campaign` for its whole segment.
async fn queue(settings: &Settings, campaign: &str, message: i64) -> anyhow::Result<()> {
    let store = open(&settings.database_url()?).await?;
    let id = campaign_id(&*store, campaign).await?;
    let (m, _) = store.message(Actor::System, message).await?;
    if m.campaign_id != id {
        bail!("--message: message {message} is not in campaign {campaign}");
    }
    let base = settings.public_url(settings.listen()?)?;
    let (planned, added) =
        rally_comms::plan::queue_message(&*store, Actor::System, message, base.as_str(), chrono::Utc::now()).await?;
    println!(
        "queued {added} e-mails: {} on time, {} deferred, {} expired; {} contacts left out",
        planned.on_time(),
        planned.deferred(),
        planned.expired(),
        planned.left_out_count()
    );
    Ok(())
}

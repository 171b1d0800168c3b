//! `rally campaign`: campaigns from the command line; `grant` gives a user a role on a campaign's
//! team.

use anyhow::{Context, anyhow};
use clap::Subcommand;
use rally_domain::Role;
use rally_store::Actor;

use super::{find_user, open};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Give a user a role on a campaign's team (owner, coordinator, member, viewer).
    Grant {
        /// The campaign's slug.
        #[arg(long)]
        campaign: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

pub async fn run(command: CampaignCommand, settings: &Settings) -> anyhow::Result<()> {
    let CampaignCommand::Grant { campaign, email, role } = command;
    let role = Role::parse(&role).map_err(|e| anyhow!("--role: {e}"))?;
    let store = open(&settings.database_url()?).await?;
    let user = find_user(&*store, &email).await?;
    let campaign =
        store.campaign_by_slug(Actor::System, &campaign).await.with_context(|| format!("--campaign {campaign}"))?;
    let member = store.set_role(Actor::System, campaign.campaign.id, user.id, role).await?;
    println!("{} is {} of {}", member.email, member.role.as_str(), campaign.campaign.fields.slug);
    Ok(())
}

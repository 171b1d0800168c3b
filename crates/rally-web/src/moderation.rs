//! Moderation of registered events, for the team's Events page and the API alike: the decision is
//! stored, each organizer is written to in the language they registered in, and the public counter
//! shows the change at once.

use rally_domain::CampaignId;
use rally_domain::event::Event;

use crate::AppState;

/// Approves or rejects events for a team member (pages and API), writing to their organizers.
pub async fn moderate(
    app: &AppState,
    actor: rally_store::Actor,
    campaign: CampaignId,
    ids: &[rally_domain::EventId],
    decision: rally_store::Moderation,
) -> Result<Vec<Event>, rally_store::StoreError> {
    let c = app.store.campaign(actor, campaign).await?;
    let secret = app.store.link_secret(&rally_comms::unsubscribe::new_secret()).await?;
    let write = rally_comms::organizer::mailer(
        app.public_url.to_string(),
        c.campaign.fields.slug.to_string(),
        c.campaign.fields.name.clone(),
        secret,
    );
    let changed = app.store.moderate(actor, campaign, ids, decision, chrono::Utc::now(), &write).await?;
    // The counter shows the change at once in this process.
    app.site.forget(c.campaign.fields.slug.as_str());
    Ok(changed)
}

//! An umbrella campaign's members as the team app shows them: who they are, and how much of the
//! umbrella's counter their events make, so that every page's numbers add up to the same total.

use rally_domain::CampaignId;

use super::{PageError, number};
use crate::AppState;

/// A member campaign of an umbrella and what its approved events add to the umbrella's counter.
#[derive(Debug, Clone)]
pub struct Member {
    pub slug: String,
    pub name: String,
    pub students: i64,
    pub events: i64,
}

/// A campaign's counter, split into its own events and its members'.
#[derive(Debug, Clone)]
pub struct Counted {
    pub students: i64,
    pub events: i64,
    pub countries: i64,
    pub own_events: i64,
    pub members: Vec<Member>,
}

impl Counted {
    pub async fn of(app: &AppState, campaign: CampaignId, slug: &str) -> Result<Counted, PageError> {
        let total = app.store.event_stats(campaign).await?;
        let site = app.store.site(slug).await?;
        let mut members = Vec::with_capacity(site.members.len());
        for (member_slug, name) in site.members {
            let Some(id) = app.store.campaign_id(&member_slug).await? else { continue };
            let stats = app.store.event_stats(id).await?;
            members.push(Member { slug: member_slug, name, students: stats.students, events: stats.events });
        }
        let from_members: i64 = members.iter().map(|m| m.events).sum();
        Ok(Counted {
            students: total.students,
            events: total.events,
            countries: total.countries,
            own_events: total.events - from_members,
            members,
        })
    }

    /// Each member with where to go to see it: its dashboard for a member campaign the user is on the
    /// team of, its public site otherwise.
    pub fn member_links<'a>(&'a self, layout: &super::Layout) -> Vec<(String, &'a Member)> {
        self.members
            .iter()
            .map(|m| {
                let link = if layout.campaigns.iter().any(|c| c.slug == m.slug) {
                    format!("/campaigns/{}", m.slug)
                } else {
                    format!("/c/{}/", m.slug)
                };
                (link, m)
            })
            .collect()
    }

    pub fn member_events(&self) -> i64 {
        self.events - self.own_events
    }

    /// "16 323 students in 198 events: 168 approved here and 30 from member campaigns (Sat kodiranja
    /// Zagreb 30)", or without the split for a campaign that has no members.
    pub fn summary(&self) -> String {
        let head = format!("{} students in {} events", number(self.students), number(self.events));
        if self.members.is_empty() {
            return head;
        }
        let each: Vec<String> = self.members.iter().map(|m| format!("{} {}", m.name, number(m.events))).collect();
        format!(
            "{head}: {} approved here and {} from member campaigns ({})",
            number(self.own_events),
            number(self.member_events()),
            each.join(", ")
        )
    }
}

//! `/campaigns/{slug}`: the campaign at a glance.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use rally_domain::Stage;
use rally_store::PartnerFilter;

use super::{Layout, PageError, SignedIn, days_since, number, render, team_names};
use crate::AppState;

pub struct Bar {
    pub label: String,
    pub partners: String,
    pub reach: String,
    /// Width of the bar, percent of the largest.
    pub width: i64,
}

pub struct PartnerLine {
    pub id: i64,
    pub name: String,
    pub stage: String,
    pub since: String,
    pub owner: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    slug: String,
    name: String,
    message: String,
    goal: String,
    audience: String,
    counted: String,
    counted_percent: i64,
    events: String,
    /// The member campaigns whose events count here: (link, name, events).
    members: Vec<(String, String, String)>,
    member_events: String,
    pending: i64,
    won_reach: String,
    funnel: Vec<Bar>,
    categories: Vec<Bar>,
    stale: Vec<PartnerLine>,
    mine: Vec<PartnerLine>,
    week_end: String,
    due: Vec<super::partner_page::CommitmentRow>,
    tasks_due: Vec<super::partner_page::TaskRow>,
    /// The getting-ready checklist; shown while an item is left.
    checklist: Vec<super::checklist::Item>,
    is_owner: bool,
    published: bool,
    archived: bool,
}

impl DashboardPage {
    fn ready(&self) -> bool {
        self.checklist.iter().all(|i| i.done)
    }

    fn done_count(&self) -> usize {
        self.checklist.iter().filter(|i| i.done).count()
    }
}

fn bars<K>(tallies: &[rally_store::Tally<K>], label: impl Fn(&K) -> String) -> Vec<Bar> {
    let max = tallies.iter().map(|t| t.partners).max().unwrap_or(0).max(1);
    tallies
        .iter()
        .map(|t| Bar {
            label: label(&t.key),
            partners: number(t.partners),
            reach: number(t.reach),
            width: t.partners * 100 / max,
        })
        .collect()
}

pub async fn dashboard(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let is_owner = found.role == Some(rally_domain::Role::Owner);
    let campaign = found.campaign;
    let id = campaign.id;
    let checklist = super::checklist::items(&app, me.actor(), &campaign).await?;
    let funnel = app.store.pipeline_tally(me.actor(), id).await?;
    let categories = app.store.category_tally(me.actor(), id).await?;
    let team = team_names(&app, me.actor(), id).await?;
    let owner = |o: Option<rally_domain::UserId>| {
        o.and_then(|o| team.iter().find(|(id, _)| *id == o.0)).map_or("—".to_owned(), |(_, n)| n.clone())
    };
    let line = |p: rally_domain::Partner| PartnerLine {
        id: p.id.0,
        name: p.fields.name.clone(),
        stage: p.stage.label().to_owned(),
        since: days_since(p.stage_since),
        owner: owner(p.fields.owner_id),
    };
    let stale = app.store.stale_partners(me.actor(), id, 10).await?.into_iter().map(line).collect();
    let mine_filter = PartnerFilter { owner: Some(me.user.id), limit: 10, ..Default::default() };
    let mine = app.store.partners(me.actor(), id, &mine_filter).await?.items.into_iter().map(line).collect();
    let today = chrono::Utc::now().date_naive();
    // "This week" as the next seven days, so a Friday or Saturday still sees the days ahead.
    let week_end = today.checked_add_days(chrono::Days::new(7)).unwrap_or(today);
    let due = app.store.due(me.actor(), id, week_end).await?;
    let events = super::umbrella::Counted::of(&app, id, &slug).await?;
    let pending_filter =
        rally_store::EventFilter { status: Some("pending".into()), per_page: Some(1), ..Default::default() };
    let (_, pending) = app.store.events(me.actor(), id, &pending_filter).await?;
    let f = &campaign.fields;
    let won = funnel.iter().find(|t| t.key == Stage::ClosedWon).map_or(0, |t| t.reach);
    let message = f.languages.first().and_then(|l| f.message.get(l)).cloned().unwrap_or_default();
    let layout = Layout::new(&app, &me, Some(&slug), "dashboard", f.name.clone()).await?;
    let members =
        events.member_links(&layout).into_iter().map(|(link, m)| (link, m.name.clone(), number(m.events))).collect();
    render(&DashboardPage {
        layout,
        slug: slug.clone(),
        name: f.name.clone(),
        message,
        goal: number(f.goal_students),
        audience: f.target_audience.clone(),
        // Students of approved events (reported, else expected), member campaigns included.
        counted: number(events.students),
        counted_percent: (events.students.saturating_mul(100) / f.goal_students.max(1)).min(100),
        events: format!(
            "{} events in {} {}",
            number(events.events),
            number(events.countries),
            if events.countries == 1 { "country" } else { "countries" }
        ),
        members,
        member_events: number(events.member_events()),
        pending,
        won_reach: number(won),
        funnel: bars(&funnel, |s| s.label().to_owned()),
        categories: bars(&categories, |c| c.label().to_owned()),
        stale,
        mine,
        week_end: week_end.to_string(),
        due: due.commitments.iter().map(|c| super::partner_page::CommitmentRow::new(c, today)).collect(),
        tasks_due: due.tasks.iter().map(|t| super::partner_page::TaskRow::new(t, today, false)).collect(),
        checklist,
        is_owner,
        published: campaign.published_at.is_some(),
        archived: campaign.archived_at.is_some(),
    })
}

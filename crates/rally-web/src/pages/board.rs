//! `/campaigns/{slug}/board`: the pipeline as a kanban board. Each column pages on its own ("load
//! more"), so the board stays fast with 100,000 partners; `?column=STAGE&after=ID` renders one column's
//! next cards, as a page without JavaScript and as a fragment the script appends.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use rally_domain::{Category, Stage, Tier, UserId};
use rally_store::PartnerFilter;
use serde::Deserialize;

use super::partners::PartnerRow;
use super::{Layout, PageError, SignedIn, category_options, number, render, stage_options, team_names};
use crate::AppState;

/// Cards per column per page.
pub const COLUMN_PAGE: u32 = 20;

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    owner: Option<String>,
    category: Option<String>,
    tier: Option<String>,
    column: Option<String>,
    after: Option<String>,
}

pub struct Column {
    pub stage: String,
    pub label: String,
    pub count: String,
    pub reach: String,
    pub cards: Vec<PartnerRow>,
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    layout: Layout,
    slug: String,
    columns: Vec<Column>,
    owner: String,
    category: String,
    tier: String,
    team: Vec<(i64, String)>,
    categories: Vec<(&'static str, &'static str)>,
    stages: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "board_cards.html")]
struct CardsFragment {
    slug: String,
    column: Column,
    stages: Vec<(&'static str, &'static str)>,
    csrf: String,
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// The board's filters as asked, checked: the partner filter every column shares, the values to keep
/// in the form, and the query string a column's "load more" link carries.
struct Filters {
    base: PartnerFilter,
    owner: Option<String>,
    category: Option<String>,
    tier: Option<String>,
    query: String,
}

fn bad(field: &str, e: String) -> PageError {
    PageError::BadRequest(format!("{field}: {e}"))
}

impl Filters {
    fn read(q: &BoardQuery) -> Result<Filters, PageError> {
        let owner = blank_to_none(q.owner.clone());
        let category = blank_to_none(q.category.clone());
        let tier = blank_to_none(q.tier.clone());
        let base = PartnerFilter {
            owner: owner
                .as_deref()
                .map(|o| o.parse().map(UserId).map_err(|_| bad("owner", "not a user".into())))
                .transpose()?,
            category: category.as_deref().map(Category::parse).transpose().map_err(|e| bad("category", e))?,
            tier: tier.as_deref().map(Tier::parse).transpose().map_err(|e| bad("tier", e))?,
            limit: COLUMN_PAGE,
            ..Default::default()
        };
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                [("owner", &owner), ("category", &category), ("tier", &tier)]
                    .iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| (*k, v.as_str()))),
            )
            .finish();
        Ok(Filters { base, owner, category, tier, query })
    }

    /// The link to a column's next cards.
    fn more(&self, stage: Stage, after: i64) -> String {
        let sep = if self.query.is_empty() { "" } else { "&" };
        format!("{}{sep}column={}&after={after}", self.query, stage.as_str())
    }
}

/// The cards asked for: the whole board in one query, or one column's next page ("load more").
async fn column_pages(
    app: &AppState,
    me: &SignedIn,
    campaign: rally_domain::CampaignId,
    q: &BoardQuery,
    base: &PartnerFilter,
) -> Result<Vec<(Stage, rally_store::Page<rally_domain::Partner>)>, PageError> {
    let stages: Vec<Stage> = match blank_to_none(q.column.clone()) {
        Some(s) => vec![Stage::parse(&s).map_err(|e| bad("column", e))?],
        None => Stage::ALL.to_vec(),
    };
    let after = blank_to_none(q.after.clone())
        .map(|a| a.parse().map(rally_domain::PartnerId).map_err(|_| bad("after", "not a partner id".into())))
        .transpose()?;
    Ok(match stages.as_slice() {
        [stage] => {
            let filter = PartnerFilter { stage: Some(*stage), after, ..base.clone() };
            vec![(*stage, app.store.partners(me.actor(), campaign, &filter).await?)]
        }
        _ => app.store.board(me.actor(), campaign, base).await?,
    })
}

pub async fn board(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign;
    let filters = Filters::read(&q)?;
    let layout = Layout::new(&app, &me, Some(&slug), "board", format!("Board · {}", campaign.fields.name)).await?;
    let team = team_names(&app, me.actor(), campaign.id).await?;
    let tallies = app.store.pipeline_tally(me.actor(), campaign.id).await?;
    let pages = column_pages(&app, &me, campaign.id, &q, &filters.base).await?;
    // Commitments and staleness for every card of the board, in one query each.
    let ids: Vec<rally_domain::PartnerId> = pages.iter().flat_map(|(_, p)| p.items.iter().map(|x| x.id)).collect();
    let today = chrono::Utc::now().date_naive();
    let summaries = app.store.commitment_summaries(me.actor(), campaign.id, &ids, today).await?;
    let limits = app.store.stage_limits(me.actor(), campaign.id).await?;
    let now = chrono::Utc::now();
    let mut columns = Vec::new();
    for (stage, page) in pages {
        let tally = tallies.iter().find(|t| t.key == stage);
        columns.push(Column {
            stage: stage.as_str().to_owned(),
            label: stage.label().to_owned(),
            count: number(tally.map_or(0, |t| t.partners)),
            reach: number(tally.map_or(0, |t| t.reach)),
            cards: page
                .items
                .iter()
                .map(|p| {
                    PartnerRow::new(p, &team, &layout, me.user.id)
                        .with_work(summaries.get(&p.id), limits.is_stale(p.stage, p.stage_since, now))
                })
                .collect(),
            more: page.next_after.map(|a| filters.more(stage, a)),
        });
    }
    if q.column.is_some()
        && q.after.is_some()
        && let Some(column) = columns.pop()
    {
        return render(&CardsFragment { slug, column, stages: stage_options(), csrf: me.csrf });
    }
    render(&BoardPage {
        layout,
        slug,
        columns,
        owner: filters.owner.unwrap_or_default(),
        category: filters.category.unwrap_or_default(),
        tier: filters.tier.unwrap_or_default(),
        team,
        categories: category_options(),
        stages: stage_options(),
    })
}

//! Exports of a campaign's partners, contacts, stage history, events and activity catalogue, as CSV
//! or JSON Lines
//! (`rally_domain::export` writes the rows): one page of rows at a time, so a download or the command
//! line's file grows while memory stays flat.

use std::collections::HashMap;

use rally_domain::CampaignId;
use rally_domain::activity::{Activity, Facet};
use rally_domain::export::{
    CONTACT_COLUMNS, Cell, EVENT_COLUMNS, Format, HISTORY_COLUMNS, PARTNER_COLUMNS, contact_row, event_row,
    history_row, partner_row,
};
use rally_store::activities::CatalogueQuery;
use rally_store::{Actor, EventFilter, PartnerFilter, Store, StoreError};

/// Rows read from the store at a time (the store's largest page).
const PAGE: i64 = rally_store::MAX_PAGE as i64;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Partners,
    Contacts,
    History,
    Events,
    /// The campaign's own activity catalogue, in Rally's import columns (docs/activities.md).
    Activities,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind, String> {
        match s {
            "partners" => Ok(Kind::Partners),
            "contacts" => Ok(Kind::Contacts),
            "history" => Ok(Kind::History),
            "events" => Ok(Kind::Events),
            "activities" => Ok(Kind::Activities),
            other => {
                Err(format!("unknown export `{other}`; expected partners, contacts, history, events or activities"))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Partners => "partners",
            Kind::Contacts => "contacts",
            Kind::History => "history",
            Kind::Events => "events",
            Kind::Activities => "activities",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Partners => PARTNER_COLUMNS,
            Kind::Contacts => CONTACT_COLUMNS,
            Kind::History => HISTORY_COLUMNS,
            Kind::Events => EVENT_COLUMNS,
            Kind::Activities => ACTIVITY_COLUMNS,
        }
    }
}

/// The catalogue export's columns: the activity import's own (so a file exported from one campaign
/// imports into another), then its status and id.
pub const ACTIVITY_COLUMNS: &[&str] = &[
    "title",
    "summary",
    "description",
    "language",
    "url",
    "provider",
    "duration_minutes",
    "has_follow_on",
    "print_per_student",
    "languages",
    "age",
    "grade",
    "student_experience",
    "teacher_experience",
    "format",
    "programming",
    "equipment",
    "accessibility",
    "subject",
    "status",
    "id",
];

/// The facets with a column of their own in [`ACTIVITY_COLUMNS`], in its order.
const EXPORTED_FACETS: [Facet; 9] = [
    Facet::Age,
    Facet::Grade,
    Facet::StudentExperience,
    Facet::TeacherExperience,
    Facet::Format,
    Facet::Programming,
    Facet::Equipment,
    Facet::Accessibility,
    Facet::Subject,
];

/// An activity's rows: one per language of its texts, each with every other column.
pub fn activity_rows(a: &Activity) -> Vec<Vec<Cell>> {
    let f = &a.fields;
    let text = |s: &str| Cell::Text(s.to_owned());
    let list = |values: Vec<&str>| Cell::Text(values.join(", "));
    f.texts
        .iter()
        .map(|t| {
            let mut cells = vec![
                text(&t.title),
                text(&t.summary),
                text(&t.description),
                text(t.language.as_str()),
                f.url.as_deref().map_or(Cell::Empty, text),
                text(&f.provider_name),
                Cell::Int(f.duration_minutes),
                Cell::Bool(f.has_follow_on),
                text(&f.print_per_student),
                list(f.languages.iter().map(|l| l.as_str()).collect()),
            ];
            for facet in EXPORTED_FACETS {
                let values = f.facets.get(&facet);
                // In the facet's own order, as the filters show them.
                let ordered = facet.values().unwrap_or_default().iter().copied();
                cells.push(list(ordered.filter(|v| values.is_some_and(|set| set.contains(*v))).collect()));
            }
            cells.push(text(a.status.as_str()));
            cells.push(Cell::Int(a.id.0));
            cells
        })
        .collect()
}

/// Where an export's text goes: a download's channel, a file.
pub trait Sink: Send {
    /// Takes a chunk; `false` when nobody wants more (the download was abandoned, the disk is full).
    fn take(&mut self, chunk: String) -> impl std::future::Future<Output = bool> + Send;
}

/// Writes every row of `kind` of a campaign, a page at a time, to `sink`; stops early when the sink
/// says so. Returns the number of rows written.
pub async fn write_all(
    store: &dyn Store,
    actor: Actor,
    campaign: CampaignId,
    kind: Kind,
    format: Format,
    sink: &mut impl Sink,
) -> Result<usize, StoreError> {
    let columns = kind.columns();
    let mut rows = 0;
    if !sink.take(format.header(columns)).await {
        return Ok(0);
    }
    match kind {
        Kind::Partners => {
            let owners: HashMap<i64, String> =
                store.team(actor, campaign).await?.into_iter().map(|m| (m.user_id.0, m.name)).collect();
            // Checks the actor may read the campaign before its figures are read without one.
            store.campaign(actor, campaign).await?;
            let brought: HashMap<rally_domain::PartnerId, (i64, i64)> =
                store.brought(campaign, None).await?.into_iter().map(|b| (b.partner, (b.events, b.students))).collect();
            let mut after = None;
            loop {
                let filter = PartnerFilter { after, limit: rally_store::MAX_PAGE, ..Default::default() };
                let page = store.partners(actor, campaign, &filter).await?;
                let mut chunk = String::new();
                for p in &page.items {
                    let owner = p.fields.owner_id.and_then(|o| owners.get(&o.0)).map(String::as_str);
                    let figures = brought.get(&p.id).copied().unwrap_or((0, 0));
                    chunk.push_str(&format.row(columns, &partner_row(p, owner, figures)));
                }
                rows += page.items.len();
                if !sink.take(chunk).await || page.next_after.is_none() {
                    break;
                }
                after = page.next_after.map(rally_domain::PartnerId);
            }
        }
        Kind::Contacts => {
            let mut after = 0;
            loop {
                let page = store.export_contacts(actor, campaign, after, PAGE).await?;
                let Some((last, _)) = page.last() else { break };
                after = last.id.0;
                let chunk: String =
                    page.iter().map(|(c, partner)| format.row(columns, &contact_row(c, partner))).collect();
                rows += page.len();
                if !sink.take(chunk).await {
                    break;
                }
            }
        }
        Kind::History => {
            let mut after = 0;
            loop {
                let page = store.export_history(actor, campaign, after, PAGE).await?;
                let Some((last, _)) = page.last() else { break };
                after = last.id;
                let chunk: String =
                    page.iter().map(|(s, partner)| format.row(columns, &history_row(s, partner))).collect();
                rows += page.len();
                if !sink.take(chunk).await {
                    break;
                }
            }
        }
        Kind::Events => rows += write_events(store, actor, campaign, format, sink).await?,
        Kind::Activities => {
            let mut page = 1;
            loop {
                let query = CatalogueQuery { page, per_page: PAGE, ..CatalogueQuery::default() };
                let catalogue = store.activities(actor, campaign, &query).await?;
                let items: Vec<&Activity> = catalogue.in_language.iter().chain(&catalogue.other_languages).collect();
                let chunk: String =
                    items.iter().flat_map(|a| activity_rows(a)).map(|cells| format.row(columns, &cells)).collect();
                rows += items.len();
                if !sink.take(chunk).await || items.is_empty() || page * PAGE >= catalogue.total {
                    break;
                }
                page += 1;
            }
        }
    }
    Ok(rows)
}

/// Writes every event of a campaign, a page at a time, with the names of the partners they name.
async fn write_events(
    store: &dyn Store,
    actor: Actor,
    campaign: CampaignId,
    format: Format,
    sink: &mut impl Sink,
) -> Result<usize, StoreError> {
    let columns = Kind::Events.columns();
    let mut rows = 0;
    let mut page_no = 1;
    let mut names: HashMap<rally_domain::PartnerId, Option<String>> = HashMap::new();
    loop {
        let filter = EventFilter { page: Some(page_no), per_page: Some(PAGE), ..Default::default() };
        let (events, total) = store.events(actor, campaign, &filter).await?;
        // The partners the page's events name, read once each. (Plain loops: a closure held across the
        // awaits would make the future not `Send` for every lifetime.)
        let mut wanted: Vec<rally_domain::PartnerId> = Vec::new();
        for e in &events {
            for id in [e.fields.referred_by, e.fields.heard_from].into_iter().flatten() {
                if !names.contains_key(&id) && !wanted.contains(&id) {
                    wanted.push(id);
                }
            }
        }
        for id in wanted {
            let name = store.partner(actor, id).await.ok().map(|p| p.fields.name);
            names.insert(id, name);
        }
        let name = |id| names.get(&id).cloned().flatten();
        let chunk: String = events.iter().map(|e| format.row(columns, &event_row(e, &name))).collect();
        rows += events.len();
        if !sink.take(chunk).await || events.is_empty() || page_no * PAGE >= total {
            return Ok(rows);
        }
        page_no += 1;
    }
}

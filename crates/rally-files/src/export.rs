//! Exports of a campaign's partners, contacts, stage history and events, as CSV or JSON Lines
//! (`rally_domain::export` writes the rows): one page of rows at a time, so a download or the command
//! line's file grows while memory stays flat.

use std::collections::HashMap;

use rally_domain::CampaignId;
use rally_domain::export::{
    CONTACT_COLUMNS, EVENT_COLUMNS, Format, HISTORY_COLUMNS, PARTNER_COLUMNS, contact_row, event_row, history_row,
    partner_row,
};
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
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind, String> {
        match s {
            "partners" => Ok(Kind::Partners),
            "contacts" => Ok(Kind::Contacts),
            "history" => Ok(Kind::History),
            "events" => Ok(Kind::Events),
            other => Err(format!("unknown export `{other}`; expected partners, contacts, history or events")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Partners => "partners",
            Kind::Contacts => "contacts",
            Kind::History => "history",
            Kind::Events => "events",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Partners => PARTNER_COLUMNS,
            Kind::Contacts => CONTACT_COLUMNS,
            Kind::History => HISTORY_COLUMNS,
            Kind::Events => EVENT_COLUMNS,
        }
    }
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
            let mut after = None;
            loop {
                let filter = PartnerFilter { after, limit: rally_store::MAX_PAGE, ..Default::default() };
                let page = store.partners(actor, campaign, &filter).await?;
                let mut chunk = String::new();
                for p in &page.items {
                    let owner = p.fields.owner_id.and_then(|o| owners.get(&o.0)).map(String::as_str);
                    chunk.push_str(&format.row(columns, &partner_row(p, owner)));
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
        Kind::Events => {
            let mut page_no = 1;
            loop {
                let filter = EventFilter { page: Some(page_no), per_page: Some(PAGE), ..Default::default() };
                let (events, total) = store.events(actor, campaign, &filter).await?;
                let chunk: String = events.iter().map(|e| format.row(columns, &event_row(e))).collect();
                rows += events.len();
                if !sink.take(chunk).await || events.is_empty() || page_no * PAGE >= total {
                    break;
                }
                page_no += 1;
            }
        }
    }
    Ok(rows)
}

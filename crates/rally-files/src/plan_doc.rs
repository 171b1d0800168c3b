//! The campaign's action plan as a document — strategy, message, goal and audience, the plan's answers,
//! partners by priority and tier, the standard and custom asks, the communication calendar, the team,
//! the milestones — gathered once into sections and written as Markdown or as a Word document (DOCX).

use chrono::NaiveDate;
use rally_domain::comms::{Message, Milestone, SendTime};
use rally_domain::{Ask, CampaignFields, CampaignId, Commitment, Tier};
use rally_store::{Actor, Member, PartnerFilter, PartnerSort, Store, StoreError};

/// One piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// A heading row, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// The whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDoc {
    pub title: String,
    pub sections: Vec<Section>,
}

/// Partners listed per tier (the rest are counted).
const PARTNERS_SHOWN: u32 = 50;

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// Reads what the plan shows, as `actor` may see it.
pub async fn gather(
    store: &dyn Store,
    actor: Actor,
    campaign: CampaignId,
    today: NaiveDate,
) -> Result<PlanDoc, StoreError> {
    let c = store.campaign(actor, campaign).await?.campaign;
    let f = &c.fields;
    let mut sections = vec![overview_section(f), message_section(f), plan_section(f)];
    let team = store.team(actor, campaign).await?;
    for (tier, heading) in
        [(Tier::High, "High-reach partners, by priority"), (Tier::Low, "Other partners, by priority")]
    {
        sections.push(partner_section(store, actor, campaign, tier, heading, &team).await?);
    }
    let asks = store.standard_asks(actor, campaign).await?;
    sections.push(asks_section(&asks));
    let due = store.due(actor, campaign, f.follow_up_ends_on().max(today)).await?;
    sections.push(commitments_section(&due.commitments));
    let milestones = store.milestones(actor, campaign).await?;
    let messages = store.messages(actor, campaign).await?;
    sections.push(calendar_section(&messages, &milestones));
    sections.push(team_section(&team));
    sections.push(milestones_section(&milestones));
    Ok(PlanDoc { title: format!("Action plan: {}", f.name), sections })
}

/// A section that is one table: its heading row, then `rows`.
fn table_section(heading: &str, head: &[&str], rows: Vec<Vec<String>>) -> Section {
    Section {
        heading: heading.into(),
        blocks: vec![Block::Table(head.iter().copied().map(String::from).collect(), rows)],
    }
}

fn overview_section(f: &CampaignFields) -> Section {
    let mut overview = vec![
        Block::Paragraph(format!(
            "Strategy: {}.",
            match f.strategy {
                rally_domain::Strategy::Own => "our own campaign",
                rally_domain::Strategy::Member => "a member of an umbrella campaign",
            }
        )),
        Block::Paragraph(if f.target_audience.trim().is_empty() {
            format!("Goal: {} students.", f.goal_students)
        } else {
            format!("Goal: {} students. Audience: {}.", f.goal_students, f.target_audience)
        }),
        Block::Paragraph(format!(
            "Promotion from {}; campaign week {} to {}; follow-up until {}.",
            f.promotion_starts_on(),
            f.starts_on,
            f.ends_on,
            f.follow_up_ends_on()
        )),
    ];
    if let Some(country) = &f.country {
        overview.push(Block::Paragraph(format!(
            "Country: {country}{}.",
            f.region.as_ref().map(|r| format!(", {r}")).unwrap_or_default()
        )));
    }
    Section { heading: "Strategy, goal and audience".into(), blocks: overview }
}

fn message_section(f: &CampaignFields) -> Section {
    Section {
        heading: "The message".into(),
        blocks: f.message.iter().map(|(lang, text)| Block::Paragraph(format!("{lang}: {text}"))).collect(),
    }
}

fn plan_section(f: &CampaignFields) -> Section {
    Section {
        heading: "Action plan".into(),
        blocks: f
            .plan
            .answers()
            .iter()
            .flat_map(|(_, question, answer)| {
                [
                    Block::Paragraph(question.to_string()),
                    Block::Paragraph(if answer.is_empty() { "(not answered yet)".into() } else { answer.to_string() }),
                ]
            })
            .collect(),
    }
}

/// The first [`PARTNERS_SHOWN`] partners of a tier by priority, with their owner's name from `team`.
async fn partner_section(
    store: &dyn Store,
    actor: Actor,
    campaign: CampaignId,
    tier: Tier,
    heading: &str,
    team: &[Member],
) -> Result<Section, StoreError> {
    let owner_name = |id: Option<rally_domain::UserId>| {
        id.and_then(|id| team.iter().find(|m| m.user_id == id)).map_or("—".to_owned(), |m| m.name.clone())
    };
    let filter =
        PartnerFilter { tier: Some(tier), sort: PartnerSort::Priority, limit: PARTNERS_SHOWN, ..Default::default() };
    let page = store.partners(actor, campaign, &filter).await?;
    let rows = page
        .items
        .iter()
        .map(|p| {
            vec![
                p.fields.name.clone(),
                p.fields.category.label().to_owned(),
                p.fields.reach.get().to_string(),
                p.priority.to_string(),
                p.stage.label().to_owned(),
                owner_name(p.fields.owner_id),
            ]
        })
        .collect();
    let mut section = table_section(heading, &["Partner", "Category", "Reach", "Priority", "Stage", "Owner"], rows);
    if page.next_after.is_some() {
        section
            .blocks
            .push(Block::Paragraph(format!("The first {PARTNERS_SHOWN} are shown; the partner list has them all.")));
    }
    Ok(section)
}

fn asks_section(asks: &[Ask]) -> Section {
    let rows = asks
        .iter()
        .map(|a| {
            let cats: Vec<&str> = a.fields.categories.iter().map(|c| c.label()).collect();
            vec![
                a.fields.title.clone(),
                if cats.is_empty() { "every partner".into() } else { cats.join(", ") },
                a.fields.milestone.clone(),
                date(a.fields.due_on),
            ]
        })
        .collect();
    table_section("Standard asks", &["Ask", "For", "Milestone", "Due"], rows)
}

fn commitments_section(commitments: &[Commitment]) -> Section {
    let rows = commitments
        .iter()
        .map(|m| {
            vec![
                m.partner_name.clone(),
                m.ask_title.clone(),
                m.quantity.map(|q| format!("{q} {}", m.unit)).unwrap_or_else(|| "—".into()),
                m.status.as_str().replace('_', " "),
                date(m.due_on),
            ]
        })
        .collect();
    table_section("Custom asks and commitments", &["Partner", "Ask", "Quantity", "Status", "Due"], rows)
}

/// The messages and when each goes: at its time, or at its time on its milestone's day.
fn calendar_section(messages: &[Message], milestones: &[Milestone]) -> Section {
    let rows = messages
        .iter()
        .map(|m| {
            let when = match &m.fields.send {
                SendTime::At(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
                SendTime::Milestone { milestone_id, at } => {
                    milestones.iter().find(|x| x.id == *milestone_id).map_or_else(
                        || format!("a milestone, {at}"),
                        |x| format!("{} {} ({})", x.on, at.format("%H:%M"), x.title),
                    )
                }
            };
            vec![when, m.fields.title.clone(), m.fields.kind.as_str().to_owned()]
        })
        .collect();
    table_section("Communication calendar", &["When", "Message", "Kind"], rows)
}

fn team_section(team: &[Member]) -> Section {
    let rows = team.iter().map(|m| vec![m.name.clone(), m.role.as_str().to_owned(), m.email.to_string()]).collect();
    table_section("Team and responsibilities", &["Name", "Role", "E-mail"], rows)
}

fn milestones_section(milestones: &[Milestone]) -> Section {
    let rows = milestones.iter().map(|m| vec![m.on.to_string(), m.title.clone()]).collect();
    table_section("Milestones", &["Date", "Milestone"], rows)
}

/// Text as Markdown shows it literally.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>') {
            out.push('\\');
        }
        out.push(if ch == '\n' { ' ' } else { ch });
    }
    out
}

impl PlanDoc {
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n", md_escape(&self.title));
        for s in &self.sections {
            out.push_str(&format!("\n## {}\n\n", md_escape(&s.heading)));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => out.push_str(&format!("{}\n\n", md_escape(p))),
                    Block::Table(head, rows) if rows.is_empty() => {
                        let _ = head;
                        out.push_str("(none yet)\n\n");
                    }
                    Block::Table(head, rows) => {
                        let line = |cells: &[String]| {
                            format!("| {} |\n", cells.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | "))
                        };
                        out.push_str(&line(head));
                        out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                        for r in rows {
                            out.push_str(&line(r));
                        }
                        out.push('\n');
                    }
                }
            }
        }
        out
    }

    /// The document as DOCX bytes (headings as Word's Heading 1 and 2, tables with a header row).
    pub fn docx(&self) -> Result<Vec<u8>, String> {
        use docx_rs::{Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};
        let heading = |text: &str, style: &str| Paragraph::new().add_run(Run::new().add_text(text)).style(style);
        let mut doc = Docx::new()
            .add_style(Style::new("Heading1", StyleType::Paragraph).name("Heading 1").bold().size(36))
            .add_style(Style::new("Heading2", StyleType::Paragraph).name("Heading 2").bold().size(28))
            .add_paragraph(heading(&self.title, "Heading1"));
        for s in &self.sections {
            doc = doc.add_paragraph(heading(&s.heading, "Heading2"));
            for b in &s.blocks {
                doc = match b {
                    Block::Paragraph(p) => doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(p))),
                    Block::Table(_, rows) if rows.is_empty() => {
                        doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text("(none yet)")))
                    }
                    Block::Table(head, rows) => {
                        let cell = |text: &str, bold: bool| {
                            let run = Run::new().add_text(text);
                            TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
                                run.bold()
                            } else {
                                run
                            }))
                        };
                        let mut table_rows = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
                        table_rows
                            .extend(rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())));
                        doc.add_table(Table::new(table_rows))
                    }
                };
            }
        }
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out).map_err(|e| e.to_string())?;
        Ok(out.into_inner())
    }
}

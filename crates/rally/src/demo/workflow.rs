//! The demo's work in progress: the campaign's standard asks and asset library, a high-touch IT company
//! in negotiation, agreed custom commitments due in the coming days, authorities and school networks
//! that agreed to bring their schools, a logged call and open tasks — so the dashboard, the asks, the
//! task list and the Reports page's forecast have something to show on the first visit.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::followup::{InteractionFields, InteractionKind, TaskFields, follow_up_due};
use rally_domain::{
    AskDraft, AssetDraft, AssetKind, Category, CommitmentDraft, CommitmentStatus, ContactDraft, PartnerDraft, Role,
    Stage, Tier,
};
use rally_store::{Actor, Store};

use super::partners::audiences;

/// The campaign's standard asks, its asset library, a high-touch IT company in negotiation, a few
/// agreed custom commitments due this week, logged calls and open tasks.
pub(super) async fn workflow(
    store: &dyn Store,
    files: &rally_files::FileStore,
    campaign: &rally_domain::Campaign,
    team: &[(rally_store::User, Role)],
) -> anyhow::Result<()> {
    let owner = Actor::User(team[0].0.id);
    let today = Utc::now().date_naive();
    standard_asks(store, owner, campaign, today).await?;
    asset_library(store, files, owner, campaign).await?;
    negotiation(store, campaign, &team[1].0, today).await?;
    agreed_commitments(store, owner, campaign, today).await?;
    school_agreements(store, owner, campaign, today).await?;
    ministry_task(store, owner, campaign, team[0].0.id, today).await
}

/// `n` days before campaign week, but never before tomorrow: a demo made during or just before
/// campaign week still gets due dates ahead.
fn before_week(campaign: &rally_domain::Campaign, today: NaiveDate, n: i64) -> NaiveDate {
    (campaign.fields.starts_on - Duration::days(n)).max(today + Duration::days(1))
}

/// The low-tier asks every partner gets, some only for the categories they suit.
async fn standard_asks(
    store: &dyn Store,
    owner: Actor,
    campaign: &rally_domain::Campaign,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let before = |n| before_week(campaign, today, n);
    let standard = [
        (
            "Announce the campaign in your newsletter",
            before(14),
            "Registration opens",
            vec![Category::Media, Category::Nonprofit, Category::SchoolNetwork],
            "",
        ),
        ("Put the campaign banner on your website", before(7), "Promotion", vec![], ""),
        (
            "Post about the campaign on social media during campaign week",
            campaign.fields.ends_on.max(today + Duration::days(1)),
            "Campaign week",
            vec![],
            "",
        ),
        (
            "Invite your schools to host an Hour of Code event",
            before(3),
            "Registration opens",
            vec![Category::SchoolNetwork, Category::Authority],
            "schools",
        ),
    ];
    for (title, due, milestone, categories, unit) in standard {
        let ask = AskDraft {
            title: Some(title.into()),
            due_on: Some(Some(due)),
            milestone: Some(milestone.into()),
            categories: Some(categories),
            tiers: Some(vec![Tier::Low]),
            unit: Some(unit.into()),
            ..Default::default()
        }
        .validate(today, None)?;
        store.create_ask(owner, campaign.id, None, ask).await?;
    }
    Ok(())
}

/// Logos, a banner and a fact sheet (stored files, checked like uploads), and a link to the tutorials.
async fn asset_library(
    store: &dyn Store,
    files: &rally_files::FileStore,
    owner: Actor,
    campaign: &rally_domain::Campaign,
) -> anyhow::Result<()> {
    type DemoFile = (&'static str, AssetKind, Option<&'static str>, &'static [u8], &'static str);
    let uploads: [DemoFile; 4] = [
        ("Campaign logo (PNG)", AssetKind::Logo, None, include_bytes!("../../demo/logo.png"), "logo.png"),
        ("Campaign logo (SVG)", AssetKind::Logo, None, include_bytes!("../../demo/logo.svg"), "logo.svg"),
        ("Web banner 728×90", AssetKind::Banner, Some("hr"), include_bytes!("../../demo/banner.png"), "banner.png"),
        (
            "Fact sheet for partners",
            AssetKind::PressKit,
            Some("en"),
            include_bytes!("../../demo/fact-sheet.pdf"),
            "fact-sheet.pdf",
        ),
    ];
    for (title, kind, language, bytes, name) in uploads {
        let checked = rally_domain::upload::check_upload(bytes, rally_files::MAX_UPLOAD_BYTES)?;
        let sha256 = files.put(checked.bytes.clone()).await?;
        let file = rally_domain::StoredFile {
            sha256,
            media_type: checked.media_type,
            size: checked.bytes.len() as i64,
            filename: name.into(),
            width: checked.dimensions.map(|d| d.0),
            height: checked.dimensions.map(|d| d.1),
        };
        let fields = AssetDraft {
            title: Some(title.into()),
            kind: Some(kind),
            language: language.map(Into::into),
            ..Default::default()
        }
        .validate(true)?;
        store.create_asset(owner, campaign.id, fields, Some(file)).await?;
    }
    let tutorials = AssetDraft {
        title: Some("Hour of Code tutorials for every age".into()),
        kind: Some(AssetKind::Tutorial),
        url: Some("https://hourofcode.com/learn".into()),
        description: Some("One-hour activities in many languages, no experience needed.".into()),
        ..Default::default()
    }
    .validate(false)?;
    store.create_asset(owner, campaign.id, tutorials, None).await?;
    Ok(())
}

/// A high-touch IT company in negotiation, ready for a custom ask: its history, its CSR manager, a
/// logged call, a proposed custom ask and the coordinator's task to send it.
async fn negotiation(
    store: &dyn Store,
    campaign: &rally_domain::Campaign,
    coordinator: &rally_store::User,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let marko = Actor::User(coordinator.id);
    let kvarner = PartnerDraft {
        name: Some("Kvarner Tech Group d.d.".into()),
        category: Some(Category::ItCompany),
        audiences: Some(audiences(Category::ItCompany)),
        reach: Some(180_000),
        high_touch: Some(true),
        owner_id: Some(Some(coordinator.id)),
        website: Some("kvarner-tech.example.org".into()),
        country: Some("HR".into()),
        region: Some("Rijeka".into()),
        notes: Some("4,000 employees; CSR team runs a schools programme in Primorje-Gorski Kotar.".into()),
        ..Default::default()
    }
    .validate()?;
    let kvarner = store.create_partner(marko, campaign.id, kvarner).await?;
    let mv = |stage, note: &str| rally_domain::StageMove {
        stage,
        note: Some(note.into()),
        reason: None,
        confirm_unfulfilled: false,
    };
    store.move_stage(marko, kvarner.id, mv(Stage::Contacted, "CSR manager answered within a day")).await?;
    store.move_stage(marko, kvarner.id, mv(Stage::NegotiateAsk, "Pitched employee volunteers in schools")).await?;
    let lucija = ContactDraft {
        name: Some("Lucija Marić".into()),
        email: Some("lucija.maric@kvarner-tech.example.org".into()),
        role: Some("CSR manager".into()),
        language: Some("hr".into()),
        ..Default::default()
    }
    .validate()?;
    let lucija = store.create_contact(marko, kvarner.id, lucija).await?;
    let call = InteractionFields {
        kind: InteractionKind::Call,
        on: today,
        text: "Interested in sending employee volunteers to run events in schools around Rijeka. Wants a number by Friday.".into(),
        contact_id: Some(lucija.id),
    };
    store.add_interaction(marko, kvarner.id, call).await?;
    let prizes = AskDraft {
        title: Some("Sponsor prizes for the best student projects".into()),
        description: Some("Ten small prizes, handed over at the closing event.".into()),
        due_on: Some(Some(before_week(campaign, today, 3))),
        ..Default::default()
    }
    .validate(today, None)?;
    store.propose_custom(marko, kvarner.id, prizes, CommitmentDraft::default(), today).await?;
    let task = TaskFields {
        title: "Send Kvarner Tech the custom ask".into(),
        due_on: follow_up_due(today),
        owner_id: Some(coordinator.id),
        partner_id: Some(kvarner.id),
        commitment_id: None,
        done: false,
    };
    store.create_task(marko, campaign.id, task).await?;
    Ok(())
}

/// High-touch partners further along: agreed custom commitments, due this week and next, one of them
/// already fulfilled with evidence.
async fn agreed_commitments(
    store: &dyn Store,
    owner: Actor,
    campaign: &rally_domain::Campaign,
    today: NaiveDate,
) -> anyhow::Result<()> {
    for (stage, n) in [(Stage::FinalizeDetails, 2), (Stage::FinalizeFulfillment, 2)] {
        let filter =
            rally_store::PartnerFilter { stage: Some(stage), high_touch: Some(true), limit: n, ..Default::default() };
        for (i, p) in store.partners(owner, campaign.id, &filter).await?.items.into_iter().enumerate() {
            let ask = AskDraft {
                title: Some(
                    if p.fields.category == Category::Media {
                        "Run a feature on the campaign"
                    } else {
                        "Host Hour of Code events in schools"
                    }
                    .into(),
                ),
                due_on: Some(Some(today + Duration::days(2 + 3 * i as i64))),
                unit: Some(if p.fields.category == Category::Media { "" } else { "schools" }.into()),
                ..Default::default()
            }
            .validate(today, None)?;
            let quantity = (!ask.unit.is_empty()).then_some(10 + 15 * i as i64);
            let draft = CommitmentDraft {
                status: Some(CommitmentStatus::Agreed),
                quantity: Some(quantity),
                ..Default::default()
            };
            let c = store.propose_custom(owner, p.id, ask, draft, today).await?;
            if stage == Stage::FinalizeFulfillment && i == 0 {
                let done = CommitmentDraft {
                    status: Some(CommitmentStatus::Fulfilled),
                    evidence: Some("https://example.org/news/hour-of-code".into()),
                    ..Default::default()
                };
                store.update_commitment(owner, c.id, done, today).await?;
            }
        }
    }
    Ok(())
}

/// Authorities and school networks further along (not the high-touch ones: they have custom asks)
/// agreed to the standard ask "Invite your schools to host an Hour of Code event": a city or county
/// office a few dozen schools, a school or teachers' network a handful. The Reports page's forecast
/// counts these schools.
async fn school_agreements(
    store: &dyn Store,
    owner: Actor,
    campaign: &rally_domain::Campaign,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let asks = store.standard_asks(owner, campaign.id).await?;
    let Some(invite) = asks.iter().find(|a| a.fields.unit == "schools") else { return Ok(()) };
    for stage in [Stage::FinalizeDetails, Stage::FinalizeFulfillment, Stage::ClosedWon] {
        for category in [Category::Authority, Category::SchoolNetwork] {
            let filter = rally_store::PartnerFilter {
                stage: Some(stage),
                category: Some(category),
                high_touch: Some(false),
                limit: 100,
                ..Default::default()
            };
            for (i, p) in store.partners(owner, campaign.id, &filter).await?.items.into_iter().enumerate() {
                let i = i as i64;
                let schools = if category == Category::Authority { 12 + (i * 7) % 30 } else { 2 + (i * 3) % 8 };
                let draft = CommitmentDraft {
                    status: Some(CommitmentStatus::Agreed),
                    quantity: Some(Some(schools)),
                    due_on: Some(invite.fields.due_on),
                    ..Default::default()
                };
                store.propose(owner, p.id, invite.id, draft, today).await?;
            }
        }
    }
    Ok(())
}

/// The owner's task for tomorrow: agree the ministry's letter to schools.
async fn ministry_task(
    store: &dyn Store,
    owner: Actor,
    campaign: &rally_domain::Campaign,
    ana: rally_domain::UserId,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let ministry = store
        .partners(
            owner,
            campaign.id,
            &rally_store::PartnerFilter { q: Some("Ministarstvo".into()), limit: 1, ..Default::default() },
        )
        .await?;
    if let Some(m) = ministry.items.first() {
        let task = TaskFields {
            title: "Agree the ministry's letter to schools".into(),
            due_on: today + Duration::days(1),
            owner_id: Some(ana),
            partner_id: Some(m.id),
            commitment_id: None,
            done: false,
        };
        store.create_task(owner, campaign.id, task).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rally_domain::report;

    use super::*;

    /// The demo's forecast, run through the Reports page's arithmetic, is of the order of its goal
    /// (120 000) with a sensible interval, and Lead's chance is no longer learned from survivors.
    #[tokio::test]
    async fn the_demo_forecasts_students_of_the_order_of_its_goal() {
        let db = rally_store::testing::sqlite().await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = rally_files::FileStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        super::super::seed(&*db.store, &files, "http://127.0.0.1:8080").await.unwrap_or_else(|e| panic!("{e:#}"));
        let found =
            db.store.campaign_by_slug(Actor::System, super::super::SLUG).await.unwrap_or_else(|e| panic!("{e}"));
        let campaign = found.campaign;
        let facts = db.store.forecast_facts(Actor::System, campaign.id).await.unwrap_or_else(|e| panic!("{e}"));
        let f = report::forecast(&facts, campaign.fields.goal_students, Utc::now());
        let i = f.interval;
        let by_source = f.by_source();
        let summary = format!(
            "expected {:.0} (10th {:.0}, median {:.0}, 90th {:.0}) of {}; by source {by_source:?}; chances {:?}; \
             conversions {:?}; per event {:.1}",
            f.students,
            i.low,
            i.median,
            i.high,
            f.goal,
            f.chances.iter().map(|c| (c.stage, (c.chance * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
            f.conversions.iter().map(|c| (c.category, c.partners, c.rate)).collect::<Vec<_>>(),
            f.students_per_event,
        );
        eprintln!("{summary}");
        assert!((40_000.0..=300_000.0).contains(&i.median), "{summary}");
        assert!(i.low < i.median && i.median < i.high, "an interval, not one number: {summary}");
        assert!(i.high < 2.0 * i.low, "a sensible interval: {summary}");
        assert!(f.chance(Stage::Lead) < 0.3, "{summary}");
        // Every source has its part.
        assert!(by_source.iter().all(|(_, x)| *x > 1_000.0), "{summary}");
    }
}

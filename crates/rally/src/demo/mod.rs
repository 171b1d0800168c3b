//! The demo: a national campaign a newcomer can explore at once. About 200 partners across the five
//! categories and every stage, contacts, a team of five, names in several languages and scripts, and
//! stage histories spread over the past weeks. Made once per database; later runs reuse it.
//!
//! This module makes the team and the two campaigns; `partners`, `workflow`, `events` and `comms` fill
//! them. `rally demo` (`commands/demo.rs`) seeds and serves it.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rally_domain::{ActionPlan, CampaignDraft, Email, Role, Strategy};
use rally_store::{Actor, Store, StoreError};

mod activities;
mod comms;
mod events;
mod partners;
mod workflow;

pub const SLUG: &str = "sat-kodiranja";
const MEMBER_SLUG: &str = "sat-kodiranja-zagreb";

/// What the demo prints so the newcomer can sign in and call the API.
#[derive(Debug)]
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub token: String,
    pub slug: String,
    pub campaign_name: String,
    pub partners: usize,
}

const TEAM: [(&str, &str, Role); 5] = [
    ("ana.horvat@example.org", "Ana Horvat", Role::Owner),
    ("marko.kovacevic@example.org", "Marko Kovačević", Role::Coordinator),
    ("ivana.babic@example.org", "Ivana Babić", Role::Member),
    ("tamara.jovanovic@example.org", "Тамара Јовановић", Role::Member),
    ("petra.novak@example.org", "Petra Novak", Role::Viewer),
];

/// Campaign week: the second week of December, this year's if it is still ahead, otherwise next year's.
fn campaign_week(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let week = |year| {
        let start = NaiveDate::from_ymd_opt(year, 12, 7).unwrap_or(today);
        (start, start + Duration::days(6))
    };
    let (start, end) = week(today.year());
    if today <= end { (start, end) } else { week(today.year() + 1) }
}

async fn ensure_user(store: &dyn Store, email: &str, name: &str) -> anyhow::Result<rally_store::User> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    if let Some(user) = store.user_by_email(&email).await? {
        return Ok(user);
    }
    Ok(store.create_user(&email, name, None).await?)
}

/// Creates the demo campaign if this database does not have it yet, and a fresh login and API token
/// for its owner either way.
pub async fn seed(store: &dyn Store, files: &rally_files::FileStore, base_url: &str) -> anyhow::Result<DemoLogin> {
    let mut team = Vec::new();
    for (email, name, role) in TEAM {
        team.push((ensure_user(store, email, name).await?, role));
    }
    let owner = team[0].0.clone();
    let campaign = match store.campaign_by_slug(Actor::System, SLUG).await {
        Ok(existing) => existing.campaign,
        Err(StoreError::NotFound(_)) => {
            let campaign = create(store, files, &team).await?;
            comms::comms(store, &campaign, base_url).await.context("demo e-mail plan")?;
            campaign
        }
        Err(e) => return Err(e.into()),
    };
    let partners = store
        .partners(
            Actor::System,
            campaign.id,
            &rally_store::PartnerFilter { limit: rally_store::MAX_PAGE, ..Default::default() },
        )
        .await?;
    let password = rally_web::auth::random_password();
    let hash = rally_web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
    store.set_password(owner.id, &hash).await?;
    let (token, token_hash) = rally_web::auth::new_api_token();
    store.create_api_token(owner.id, &token_hash, "demo").await?;
    Ok(DemoLogin {
        email: owner.email.to_string(),
        password,
        token,
        slug: SLUG.into(),
        campaign_name: campaign.fields.name,
        partners: partners.items.len(),
    })
}

/// The national campaign with its team, partners and work in progress, and the Zagreb campaign that
/// runs inside it.
async fn create(
    store: &dyn Store,
    files: &rally_files::FileStore,
    team: &[(rally_store::User, Role)],
) -> anyhow::Result<rally_domain::Campaign> {
    let now = Utc::now();
    let (starts_on, ends_on) = campaign_week(now.date_naive());
    let owner = Actor::User(team[0].0.id);
    let campaign = store.create_campaign(owner, national(starts_on, ends_on).validate()?).await?;
    store.set_published(owner, campaign.id, true).await?;
    for (user, role) in &team[1..] {
        store.set_role(owner, campaign.id, user.id, *role).await?;
    }
    store.load_partners(owner, campaign.id, partners::partner_loads(team, now)?).await?;
    workflow::workflow(store, files, &campaign, team).await.context("demo asks, assets and tasks")?;

    // A local campaign that runs inside the national one: its organizer is on the national team.
    let local = &team[2].0;
    let member = member(&campaign, starts_on, ends_on).validate()?;
    let member = store.create_campaign(Actor::User(local.id), member).await?;
    store.set_published(Actor::User(local.id), member.id, true).await?;
    activities::activities(store, &campaign, &member).await.context("demo activity catalogue")?;
    events::events(store, &campaign, &member).await.context("demo events")?;
    Ok(campaign)
}

/// The national campaign: its message in four languages, its goal, and the plan's answers.
fn national(starts_on: NaiveDate, ends_on: NaiveDate) -> CampaignDraft {
    CampaignDraft {
        name: Some(format!("Sat kodiranja {}", starts_on.year())),
        slug: Some(SLUG.into()),
        country: Some("HR".into()),
        languages: Some(vec!["hr".into(), "en".into(), "it".into(), "sr-Cyrl".into()]),
        message: Some(
            [
                ("hr", "Svako dijete u svakoj školi može naučiti osnove programiranja — dovoljan je jedan sat."),
                ("en", "Every child in every school can learn the basics of coding — one hour is enough to start."),
                ("it", "Ogni bambino in ogni scuola può imparare le basi della programmazione: basta un'ora."),
                ("sr-Cyrl", "Свако дете у свакој школи може научити основе програмирања — довољан је један сат."),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ),
        goal_students: Some(120_000),
        target_audience: Some("primary and secondary school students, ages 7 to 18".into()),
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        high_reach_threshold: Some(10_000),
        plan: Some(ActionPlan {
            cs_in_schools: "Informatics is compulsory in grades 5 and 6 and elective elsewhere; many schools lack trained teachers.".into(),
            authorities_view: "The ministry names digital skills a priority of the curricular reform and backs teacher training.".into(),
            it_companies_view: "IT companies report thousands of open positions and fund school robotics and coding clubs.".into(),
            students_view: "Students like coding when it is creative (games, animations) and find it hard when it is only theory.".into(),
            why_coding: "Coding teaches creativity, problem solving and critical thinking, and opens careers in a growing sector.".into(),
        }),
        ..Default::default()
    }
}

/// The Zagreb campaign, a member of `national` with the same campaign week.
fn member(national: &rally_domain::Campaign, starts_on: NaiveDate, ends_on: NaiveDate) -> CampaignDraft {
    CampaignDraft {
        name: Some(format!("Sat kodiranja Zagreb {}", starts_on.year())),
        slug: Some(MEMBER_SLUG.into()),
        strategy: Some(Strategy::Member),
        parent_id: Some(Some(national.id)),
        country: Some("HR".into()),
        region: Some("Grad Zagreb".into()),
        languages: Some(vec!["hr".into()]),
        message: Some([("hr".to_owned(), "Svako dijete u Zagrebu može naučiti programirati.".to_owned())].into()),
        goal_students: Some(20_000),
        target_audience: Some("Zagreb primary school students".into()),
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_week_is_ahead_or_current() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(campaign_week(d("2026-11-28")), (d("2026-12-07"), d("2026-12-13")));
        assert_eq!(campaign_week(d("2026-12-13")), (d("2026-12-07"), d("2026-12-13")));
        assert_eq!(campaign_week(d("2026-12-14")), (d("2027-12-07"), d("2027-12-13")));
    }
}

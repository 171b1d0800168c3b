//! The SQL both backends share, written once and compiled once per backend: `sqlite.rs` and
//! `postgres.rs` each declare this tree as their module `sql`. What a backend supplies is imported
//! from `super` below: `Db` (the sqlx database), `Backend` (its store type, with `pool`, `begin_write`
//! and `read_schema`), `BACKEND` (its name), `CLAIM_LOCK` (how an outbox claim locks rows),
//! `MIGRATIONS` and `contacts_by_email`. The SQL is written in the dialect both engines accept: `$n`
//! placeholders, `ON CONFLICT`, `RETURNING`; dynamic queries go through `QueryBuilder<Db>`, which
//! writes each engine's own placeholders.
//!
//! This file implements `Store` (accounts, campaigns, partners, contacts, the pipeline) and holds the
//! row helpers and access rules its children use: `workflow`, `comms`, `events`, `imports` and
//! `reports` implement the traits of the same names.

use std::collections::BTreeMap;

use rally_domain::{
    Action, ActionPlan, Audience, Campaign, CampaignFields, CampaignId, Category, Consent, Contact, ContactFields,
    ContactId, Email, Invalid, LanguageTag, Partner, PartnerFields, PartnerId, Reach, Role, Slug, Stage, StageChange,
    Strategy, Tier, UserId,
};
use sqlx::{QueryBuilder, Row};

use super::{BACKEND, Backend, CLAIM_LOCK, Db, MIGRATIONS, contacts_by_email};

use crate::{Actor, Member, PartnerFilter, Result, StoreError, User, corrupt, from_micros, now_micros};

macro_rules! ask_columns {
    () => {
        "a.id, a.campaign_id, a.partner_id, a.title, a.description, a.due_on, a.milestone, a.categories, a.tiers, \
         a.unit, a.created_at"
    };
}

macro_rules! commitment_columns {
    () => {
        "m.id, m.campaign_id, m.partner_id, p.name AS partner_name, m.ask_id, a.title AS ask_title, a.unit, m.status, \
         m.quantity, m.due_on, m.agreed_on, m.evidence, m.note, m.by_partner, m.updated_at"
    };
}

/// Joins for `commitment_columns!`.
macro_rules! commitment_from {
    () => {
        " FROM commitments m JOIN asks a ON a.id = m.ask_id JOIN partners p ON p.id = m.partner_id"
    };
}

macro_rules! task_columns {
    () => {
        "t.id, t.campaign_id, t.title, t.due_on, t.owner_id, t.partner_id, t.commitment_id, t.done_at, t.created_at, \
         u.name AS owner_name, p.name AS partner_name, a.title AS commitment_title"
    };
}

macro_rules! task_from {
    () => {
        " FROM tasks t LEFT JOIN users u ON u.id = t.owner_id LEFT JOIN partners p ON p.id = t.partner_id \
         LEFT JOIN commitments m ON m.id = t.commitment_id LEFT JOIN asks a ON a.id = m.ask_id"
    };
}

macro_rules! asset_columns {
    () => {
        "s.id, s.campaign_id, s.title, s.kind, s.language, s.audience, s.url, s.description, s.sha256, s.media_type, \
         s.size, s.filename, s.width, s.height, s.created_at"
    };
}

pub(super) type Conn = <Db as sqlx::Database>::Connection;
pub(super) type DbRow = <Db as sqlx::Database>::Row;

macro_rules! campaign_columns {
    () => {
        "id, slug, name, country, region, languages, strategy, parent_id, message, goal_students, \
         target_audience, starts_on, ends_on, promotion_starts_on, follow_up_ends_on, high_reach_threshold, \
         plan_cs_in_schools, plan_authorities_view, plan_it_companies_view, plan_students_view, plan_why_coding, \
         published_at, archived_at, created_at, updated_at"
    };
}

macro_rules! partner_columns {
    () => {
        "p.id, p.campaign_id, p.name, p.category, p.audiences, p.reach, p.priority_boost, p.high_touch, \
         p.owner_id, p.website, p.country, p.region, p.tags, p.notes, p.stage, p.stage_since, p.lost_reason, \
         p.created_at, p.updated_at, c.high_reach_threshold"
    };
}

macro_rules! contact_columns {
    () => {
        "k.id, k.partner_id, k.name, k.email, k.role, k.language, k.phone, k.consent, k.created_at"
    };
}

macro_rules! change_columns {
    () => {
        "s.id, s.partner_id, s.from_stage, s.to_stage, s.actor_id, u.name AS actor_name, s.at, s.note, s.reason"
    };
}

// ---------------------------------------------------------------------------------------------------
// Row decoding

fn text<T>(row: &DbRow, col: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T> {
    let raw: String = row.try_get(col)?;
    parse(&raw).map_err(|e| corrupt(col, e))
}

fn json<T: serde::de::DeserializeOwned>(row: &DbRow, col: &str) -> Result<T> {
    let raw: String = row.try_get(col)?;
    serde_json::from_str(&raw).map_err(|e| corrupt(col, e))
}

fn to_json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| corrupt("json", e))
}

fn date(row: &DbRow, col: &str) -> Result<Option<chrono::NaiveDate>> {
    let raw: Option<String> = row.try_get(col)?;
    raw.map(|s| s.parse().map_err(|e| corrupt(col, e))).transpose()
}

fn required_date(row: &DbRow, col: &str) -> Result<chrono::NaiveDate> {
    date(row, col)?.ok_or_else(|| corrupt(col, "missing"))
}

fn time(row: &DbRow, col: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    from_micros(row.try_get(col)?)
}

fn campaign_from_row(row: &DbRow) -> Result<Campaign> {
    let fields = CampaignFields {
        name: row.try_get("name")?,
        slug: text(row, "slug", Slug::parse)?,
        country: row.try_get("country")?,
        region: row.try_get("region")?,
        languages: json::<Vec<LanguageTag>>(row, "languages")?,
        strategy: text(row, "strategy", |s| Strategy::parse(s).ok_or_else(|| s.to_owned()))?,
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(CampaignId),
        message: json::<BTreeMap<LanguageTag, String>>(row, "message")?,
        goal_students: row.try_get("goal_students")?,
        target_audience: row.try_get("target_audience")?,
        starts_on: required_date(row, "starts_on")?,
        ends_on: required_date(row, "ends_on")?,
        promotion_starts_on: date(row, "promotion_starts_on")?,
        follow_up_ends_on: date(row, "follow_up_ends_on")?,
        high_reach_threshold: row.try_get("high_reach_threshold")?,
        plan: ActionPlan {
            cs_in_schools: row.try_get("plan_cs_in_schools")?,
            authorities_view: row.try_get("plan_authorities_view")?,
            it_companies_view: row.try_get("plan_it_companies_view")?,
            students_view: row.try_get("plan_students_view")?,
            why_coding: row.try_get("plan_why_coding")?,
        },
    };
    Ok(Campaign {
        id: CampaignId(row.try_get("id")?),
        fields,
        published_at: row.try_get::<Option<i64>, _>("published_at")?.map(crate::from_micros).transpose()?,
        archived_at: row.try_get::<Option<i64>, _>("archived_at")?.map(crate::from_micros).transpose()?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

fn partner_from_row(row: &DbRow) -> Result<Partner> {
    let reach = Reach::new(row.try_get("reach")?).map_err(|e| corrupt("reach", e))?;
    let fields = PartnerFields {
        name: row.try_get("name")?,
        category: text(row, "category", Category::parse)?,
        audiences: json::<Vec<Audience>>(row, "audiences")?,
        reach,
        priority_boost: row.try_get("priority_boost")?,
        high_touch: row.try_get("high_touch")?,
        owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        website: row.try_get("website")?,
        country: row.try_get("country")?,
        region: row.try_get("region")?,
        tags: json(row, "tags")?,
        notes: row.try_get("notes")?,
    };
    let threshold: i64 = row.try_get("high_reach_threshold")?;
    Ok(Partner {
        id: PartnerId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        tier: Tier::of(reach, threshold),
        priority: fields.priority(),
        fields,
        stage: text(row, "stage", Stage::parse)?,
        stage_since: time(row, "stage_since")?,
        lost_reason: row.try_get("lost_reason")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

fn contact_from_row(row: &DbRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(row.try_get("id")?),
        partner_id: PartnerId(row.try_get("partner_id")?),
        fields: ContactFields {
            name: row.try_get("name")?,
            email: text(row, "email", Email::parse)?,
            role: row.try_get("role")?,
            language: row
                .try_get::<Option<String>, _>("language")?
                .map(|l| LanguageTag::parse(&l).map_err(|e| corrupt("language", e)))
                .transpose()?,
            phone: row.try_get("phone")?,
            consent: text(row, "consent", Consent::parse)?,
        },
        created_at: time(row, "created_at")?,
    })
}

fn change_from_row(row: &DbRow) -> Result<StageChange> {
    let from = row.try_get::<Option<String>, _>("from_stage")?.map(|s| Stage::parse(&s)).transpose();
    let from = from.map_err(|e| corrupt("from_stage", e))?;
    let to = text(row, "to_stage", Stage::parse)?;
    Ok(StageChange {
        id: row.try_get("id")?,
        partner_id: PartnerId(row.try_get("partner_id")?),
        from,
        to,
        actor_id: row.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        actor_name: row.try_get("actor_name")?,
        at: time(row, "at")?,
        note: row.try_get("note")?,
        reason: row.try_get("reason")?,
        reopened: StageChange::is_reopening(from, to),
    })
}

fn member_from_row(row: &DbRow) -> Result<Member> {
    Ok(Member {
        user_id: UserId(row.try_get("user_id")?),
        email: text(row, "email", Email::parse)?,
        name: row.try_get("name")?,
        role: text(row, "role", Role::parse)?,
    })
}

fn user_from_row(row: &DbRow) -> Result<User> {
    Ok(User { id: UserId(row.try_get("id")?), email: text(row, "email", Email::parse)?, name: row.try_get("name")? })
}

pub(super) fn schema_map(rows: &[DbRow]) -> Result<BTreeMap<String, Vec<String>>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        map.entry(row.try_get("t")?).or_default().push(row.try_get("c")?);
    }
    Ok(map)
}

/// The migration that added `partners.name_key`; [`reindex_names`] fills it.
const NAME_KEYS_MIGRATION: i64 = 11;

/// Recomputes what Rust derives from names for every row: partners' name keys and search terms, and
/// events' search texts (after the rules for them changed: diacritics folded, legal forms ignored).
async fn reindex_names(conn: &mut Conn) -> Result<()> {
    let partners = sqlx::query("SELECT id, campaign_id, name FROM partners ORDER BY id").fetch_all(&mut *conn).await?;
    sqlx::query("DELETE FROM partner_terms").execute(&mut *conn).await?;
    for chunk in partners.chunks(500) {
        let mut terms: Vec<(i64, String, i64)> = Vec::new();
        for row in chunk {
            let (id, campaign): (i64, i64) = (row.try_get("id")?, row.try_get("campaign_id")?);
            let name: String = row.try_get("name")?;
            sqlx::query("UPDATE partners SET name_key = $1 WHERE id = $2")
                .bind(rally_domain::partner::name_key(&name))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            terms.extend(rally_domain::partner::search_keys(&name).into_iter().map(|t| (campaign, t, id)));
        }
        for part in terms.chunks(1000) {
            let mut q = QueryBuilder::<Db>::new("INSERT INTO partner_terms (campaign_id, term, partner_id) ");
            q.push_values(part, |mut b, (campaign, term, id)| {
                b.push_bind(*campaign).push_bind(term.clone()).push_bind(*id);
            });
            q.build().execute(&mut *conn).await?;
        }
    }
    let events = sqlx::query("SELECT id, title, organization, city FROM events").fetch_all(&mut *conn).await?;
    for row in &events {
        let text = format!(
            "{} {} {}",
            row.try_get::<String, _>("title")?,
            row.try_get::<String, _>("organization")?,
            row.try_get::<String, _>("city")?
        );
        sqlx::query("UPDATE events SET search = $1 WHERE id = $2")
            .bind(rally_domain::text::fold(&text))
            .bind(row.try_get::<i64, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `column IN (ids…)`, or a condition no row meets when `ids` is empty (`IN ()` is not SQL).
pub(super) fn push_in(q: &mut QueryBuilder<Db>, column: &str, ids: &[i64]) {
    if ids.is_empty() {
        q.push(" 1 = 0 ");
        return;
    }
    q.push(format!(" {column} IN ("));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(") ");
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

// ---------------------------------------------------------------------------------------------------
// Access rules, checked inside the caller's transaction

/// The actor's role in a campaign: `None` when they are not on its team. The operator acts as owner.
async fn role_of(conn: &mut Conn, actor: Actor, campaign: CampaignId) -> Result<Option<Role>> {
    let Actor::User(user) = actor else { return Ok(Some(Role::Owner)) };
    let row = sqlx::query("SELECT role FROM memberships WHERE campaign_id = $1 AND user_id = $2")
        .bind(campaign.0)
        .bind(user.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| text(&r, "role", Role::parse)).transpose()
}

/// Checks that the actor may do `action` in `campaign`. Someone not on the team learns nothing, not
/// even that `what` exists; a team member without the right is told so.
async fn authorize(
    conn: &mut Conn,
    actor: Actor,
    campaign: CampaignId,
    action: Action,
    what: &'static str,
) -> Result<Option<Role>> {
    let role = role_of(conn, actor, campaign).await?.ok_or(StoreError::NotFound(what))?;
    match actor {
        Actor::System => Ok(None),
        Actor::User(user) if role.allows(user, action) => Ok(Some(role)),
        Actor::User(_) => Err(StoreError::Forbidden),
    }
}

async fn fetch_campaign(conn: &mut Conn, id: CampaignId) -> Result<Campaign> {
    let row = sqlx::query(concat!("SELECT ", campaign_columns!(), " FROM campaigns WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("campaign"))?;
    campaign_from_row(&row)
}

async fn fetch_partner(conn: &mut Conn, id: PartnerId) -> Result<Partner> {
    let row = sqlx::query(concat!(
        "SELECT ",
        partner_columns!(),
        " FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("partner"))?;
    partner_from_row(&row)
}

/// Loads a partner the actor may act on in the way `action` (given the partner's owner) describes.
async fn partner_for(
    conn: &mut Conn,
    actor: Actor,
    id: PartnerId,
    action: fn(Option<UserId>) -> Action,
) -> Result<Partner> {
    let partner = fetch_partner(conn, id).await?;
    authorize(conn, actor, partner.campaign_id, action(partner.fields.owner_id), "partner").await?;
    Ok(partner)
}

/// The filters a partner list and a board column share, as `AND …` conditions on `p` (and `c`).
fn push_filters(q: &mut QueryBuilder<Db>, f: &PartnerFilter) {
    if let Some(stage) = f.stage {
        q.push(" AND p.stage = ").push_bind(stage.as_str());
    }
    if let Some(category) = f.category {
        q.push(" AND p.category = ").push_bind(category.as_str());
    }
    match f.tier {
        Some(Tier::High) => q.push(" AND p.reach >= c.high_reach_threshold"),
        Some(Tier::Low) => q.push(" AND p.reach < c.high_reach_threshold"),
        None => q,
    };
    if let Some(owner) = f.owner {
        q.push(" AND p.owner_id = ").push_bind(owner.0);
    }
    if let Some(high_touch) = f.high_touch {
        q.push(" AND p.high_touch = ").push_bind(high_touch);
    }
}

/// The right to look at a partner (whoever owns it): for [`partner_for`].
fn can_read(_: Option<UserId>) -> Action {
    Action::Read
}

/// The right to change a partner owned by `owner`: for [`partner_for`].
fn can_edit(owner: Option<UserId>) -> Action {
    Action::EditPartner { owner }
}

async fn check_on_team(conn: &mut Conn, campaign: CampaignId, owner: Option<UserId>) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let found = sqlx::query("SELECT 1 AS one FROM memberships WHERE campaign_id = $1 AND user_id = $2")
        .bind(campaign.0)
        .bind(owner.0)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(Invalid::field("owner_id", format!("user {owner} is not on this campaign's team")).into());
    }
    Ok(())
}

async fn check_umbrella(conn: &mut Conn, actor: Actor, id: Option<CampaignId>, fields: &CampaignFields) -> Result<()> {
    let Some(parent) = fields.parent_id else { return Ok(()) };
    if Some(parent) == id {
        return Err(Invalid::field("parent_id", "a campaign cannot be its own umbrella").into());
    }
    // Joining an umbrella takes a place on its team: the umbrella's organizers decide who joins.
    if role_of(conn, actor, parent).await?.is_none() {
        return Err(
            Invalid::field("parent_id", format!("no umbrella campaign {parent} that you are on the team of")).into()
        );
    }
    let umbrella = fetch_campaign(conn, parent)
        .await
        .map_err(|_| StoreError::from(Invalid::field("parent_id", format!("no umbrella campaign {parent}"))))?;
    fields.check_within_umbrella(&umbrella.fields)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Writes shared by several methods

async fn write_campaign(conn: &mut Conn, id: Option<CampaignId>, f: &CampaignFields) -> Result<CampaignId> {
    let now = now_micros();
    let sql = if id.is_some() {
        "UPDATE campaigns SET slug = $1, name = $2, country = $3, region = $4, languages = $5, strategy = $6, \
         parent_id = $7, message = $8, goal_students = $9, target_audience = $10, starts_on = $11, ends_on = $12, \
         promotion_starts_on = $13, follow_up_ends_on = $14, high_reach_threshold = $15, plan_cs_in_schools = $16, \
         plan_authorities_view = $17, plan_it_companies_view = $18, plan_students_view = $19, plan_why_coding = $20, \
         updated_at = $21 WHERE id = $22 RETURNING id"
    } else {
        "INSERT INTO campaigns (slug, name, country, region, languages, strategy, parent_id, message, goal_students, \
         target_audience, starts_on, ends_on, promotion_starts_on, follow_up_ends_on, high_reach_threshold, \
         plan_cs_in_schools, plan_authorities_view, plan_it_companies_view, plan_students_view, plan_why_coding, \
         updated_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21) \
         RETURNING id"
    };
    let mut q = sqlx::query(sql)
        .bind(f.slug.as_str())
        .bind(&f.name)
        .bind(&f.country)
        .bind(&f.region)
        .bind(to_json(&f.languages)?)
        .bind(f.strategy.as_str())
        .bind(f.parent_id.map(|p| p.0))
        .bind(to_json(&f.message)?)
        .bind(f.goal_students)
        .bind(&f.target_audience)
        .bind(f.starts_on.to_string())
        .bind(f.ends_on.to_string())
        .bind(f.promotion_starts_on.map(|d| d.to_string()))
        .bind(f.follow_up_ends_on.map(|d| d.to_string()))
        .bind(f.high_reach_threshold)
        .bind(&f.plan.cs_in_schools)
        .bind(&f.plan.authorities_view)
        .bind(&f.plan.it_companies_view)
        .bind(&f.plan.students_view)
        .bind(&f.plan.why_coding)
        .bind(now);
    if let Some(id) = id {
        q = q.bind(id.0);
    }
    match q.fetch_one(&mut *conn).await {
        Ok(row) => Ok(CampaignId(row.try_get("id")?)),
        Err(e) if is_unique_violation(&e) => {
            Err(StoreError::Conflict { field: "slug", message: format!("`{}` is taken by another campaign", f.slug) })
        }
        Err(e) => Err(e.into()),
    }
}

type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Binds a partner's stored fields as `$1` to `$14`, in the order of the INSERT and UPDATE below.
fn bind_partner<'q>(q: Query<'q>, f: &PartnerFields) -> Result<Query<'q>> {
    Ok(q.bind(f.name.clone())
        .bind(f.category.as_str())
        .bind(to_json(&f.audiences)?)
        .bind(f.reach.get())
        .bind(f.priority_boost)
        .bind(f.priority())
        .bind(f.high_touch)
        .bind(f.owner_id.map(|u| u.0))
        .bind(f.website.clone())
        .bind(f.country.clone())
        .bind(f.region.clone())
        .bind(to_json(&f.tags)?)
        .bind(f.notes.clone())
        .bind(f.sort_key())
        .bind(rally_domain::partner::name_key(&f.name)))
}

/// Adds a partner as a lead; `batch` is the import that adds it, if one does.
async fn insert_partner(
    conn: &mut Conn,
    campaign: CampaignId,
    f: &PartnerFields,
    created_at: i64,
    batch: Option<i64>,
) -> Result<PartnerId> {
    let q = sqlx::query(
        "INSERT INTO partners (name, category, audiences, reach, priority_boost, priority, high_touch, owner_id, \
         website, country, region, tags, notes, sort_name, name_key, campaign_id, stage, stage_since, created_at, \
         updated_at, import_batch) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'lead', $17, $17, $17, $18) \
         RETURNING id",
    );
    let row = bind_partner(q, f)?.bind(campaign.0).bind(created_at).bind(batch).fetch_one(&mut *conn).await?;
    let id = PartnerId(row.try_get("id")?);
    insert_terms(conn, campaign, id, f).await?;
    tally(conn, campaign, Stage::Lead, f.category, 1, f.reach.get()).await?;
    Ok(id)
}

/// Adds `partners` partners and `reach` people to a (stage, category) tally; negative to take away.
async fn tally(
    conn: &mut Conn,
    campaign: CampaignId,
    stage: Stage,
    category: Category,
    partners: i64,
    reach: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO partner_tallies (campaign_id, stage, category, partners, reach) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (campaign_id, stage, category) \
         DO UPDATE SET partners = partner_tallies.partners + excluded.partners, reach = partner_tallies.reach + excluded.reach",
    )
    .bind(campaign.0)
    .bind(stage.as_str())
    .bind(category.as_str())
    .bind(partners)
    .bind(reach)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_terms(conn: &mut Conn, campaign: CampaignId, id: PartnerId, f: &PartnerFields) -> Result<()> {
    let terms = f.search_keys();
    if terms.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Db>::new("INSERT INTO partner_terms (campaign_id, term, partner_id) ");
    q.push_values(terms, |mut b, term| {
        b.push_bind(campaign.0).push_bind(term).push_bind(id.0);
    });
    q.build().execute(&mut *conn).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record_change(
    conn: &mut Conn,
    partner: PartnerId,
    from: Option<Stage>,
    to: Stage,
    actor: Option<UserId>,
    at: i64,
    note: &str,
    reason: Option<&str>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO stage_changes (partner_id, from_stage, to_stage, actor_id, at, note, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(partner.0)
    .bind(from.map(Stage::as_str))
    .bind(to.as_str())
    .bind(actor.map(|u| u.0))
    .bind(at)
    .bind(note)
    .bind(reason)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(from) = from {
        let moved = sqlx::query(
            "UPDATE partners SET stage = $1, stage_since = $2, lost_reason = $3, updated_at = $2 WHERE id = $4 \
             RETURNING campaign_id, category, reach",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(if to == Stage::ClosedLost { reason } else { None })
        .bind(partner.0)
        .fetch_one(&mut *conn)
        .await?;
        let campaign = CampaignId(moved.try_get("campaign_id")?);
        let category = text(&moved, "category", Category::parse)?;
        let reach: i64 = moved.try_get("reach")?;
        tally(conn, campaign, from, category, -1, -reach).await?;
        tally(conn, campaign, to, category, 1, reach).await?;
    }
    Ok(row.try_get("id")?)
}

async fn fetch_change(conn: &mut Conn, id: i64) -> Result<StageChange> {
    let row = sqlx::query(concat!(
        "SELECT ",
        change_columns!(),
        " FROM stage_changes s LEFT JOIN users u ON u.id = s.actor_id WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    change_from_row(&row)
}

/// A contact's fields as the first six parameters: name, email, role, language, phone, consent.
fn bind_contact<'q>(q: Query<'q>, f: &ContactFields) -> Query<'q> {
    q.bind(f.name.clone())
        .bind(f.email.as_str().to_owned())
        .bind(f.role.clone())
        .bind(f.language.as_ref().map(|l| l.as_str().to_owned()))
        .bind(f.phone.clone())
        .bind(f.consent.as_str())
}

/// What a contact's insert or update answers when the address is taken.
fn contact_written(result: std::result::Result<DbRow, sqlx::Error>, email: &Email) -> Result<DbRow> {
    match result {
        Ok(row) => Ok(row),
        Err(e) if is_unique_violation(&e) => Err(duplicate_contact(email)),
        Err(e) => Err(e.into()),
    }
}

async fn insert_contact(
    conn: &mut Conn,
    campaign: CampaignId,
    partner: PartnerId,
    f: &ContactFields,
) -> Result<ContactId> {
    let q = sqlx::query(
        "INSERT INTO contacts (name, email, role, language, phone, consent, partner_id, campaign_id, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    );
    let result = bind_contact(q, f).bind(partner.0).bind(campaign.0).bind(now_micros()).fetch_one(&mut *conn).await;
    let id = ContactId(contact_written(result, &f.email)?.try_get("id")?);
    insert_contact_terms(conn, campaign, partner, &[(f.name.clone(), f.email.to_string())]).await?;
    Ok(id)
}

/// Adds the search keys of contacts (name, address) to their partner's.
async fn insert_contact_terms(
    conn: &mut Conn,
    campaign: CampaignId,
    partner: PartnerId,
    contacts: &[(String, String)],
) -> Result<()> {
    let mut terms: Vec<String> =
        contacts.iter().flat_map(|(name, email)| rally_domain::partner::contact_search_keys(name, email)).collect();
    terms.sort();
    terms.dedup();
    for part in terms.chunks(1000) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO partner_terms (campaign_id, term, partner_id) ");
        q.push_values(part, |mut b, term| {
            b.push_bind(campaign.0).push_bind(term.clone()).push_bind(partner.0);
        });
        q.push(" ON CONFLICT (campaign_id, term, partner_id) DO NOTHING");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rewrites a partner's search keys from `fields` and its stored contacts.
async fn refresh_terms(
    conn: &mut Conn,
    campaign: CampaignId,
    partner: PartnerId,
    fields: &PartnerFields,
) -> Result<()> {
    sqlx::query("DELETE FROM partner_terms WHERE partner_id = $1").bind(partner.0).execute(&mut *conn).await?;
    insert_terms(conn, campaign, partner, fields).await?;
    let contacts: Vec<(String, String)> = sqlx::query("SELECT name, email FROM contacts WHERE partner_id = $1")
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
        .collect::<Result<_>>()?;
    insert_contact_terms(conn, campaign, partner, &contacts).await
}

/// The migration from which a partner's search keys include its town, tags and contacts; rebuilt for
/// every partner when it is applied.
const SEARCH_TERMS_MIGRATION: i64 = 14;

async fn reindex_terms(conn: &mut Conn) -> Result<()> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        partner_columns!(),
        " FROM partners p JOIN campaigns c ON c.id = p.campaign_id ORDER BY p.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let p = partner_from_row(row)?;
        refresh_terms(conn, p.campaign_id, p.id, &p.fields).await?;
    }
    Ok(())
}

/// Writes a partner's fields over the stored ones, keeping tallies and search terms in step.
async fn overwrite_partner(conn: &mut Conn, current: &Partner, fields: &PartnerFields, updated_at: i64) -> Result<()> {
    let q = sqlx::query(
        "UPDATE partners SET name = $1, category = $2, audiences = $3, reach = $4, priority_boost = $5, \
         priority = $6, high_touch = $7, owner_id = $8, website = $9, country = $10, region = $11, tags = $12, \
         notes = $13, sort_name = $14, name_key = $15, updated_at = $16 WHERE id = $17",
    );
    bind_partner(q, fields)?.bind(updated_at).bind(current.id.0).execute(&mut *conn).await?;
    if (fields.category, fields.reach) != (current.fields.category, current.fields.reach) {
        let (campaign, stage) = (current.campaign_id, current.stage);
        tally(conn, campaign, stage, current.fields.category, -1, -current.fields.reach.get()).await?;
        tally(conn, campaign, stage, fields.category, 1, fields.reach.get()).await?;
    }
    let searched = |f: &PartnerFields| (f.name.clone(), f.region.clone(), f.tags.clone());
    if searched(fields) != searched(&current.fields) {
        refresh_terms(conn, current.campaign_id, current.id, fields).await?;
    }
    Ok(())
}

async fn overwrite_contact(conn: &mut Conn, id: i64, partner: i64, f: &ContactFields, updated_at: i64) -> Result<()> {
    let q = sqlx::query(
        "UPDATE contacts SET name = $1, email = $2, role = $3, language = $4, phone = $5, consent = $6, \
         partner_id = $7, updated_at = $8 WHERE id = $9 RETURNING id",
    );
    let before: Option<i64> = sqlx::query("SELECT partner_id FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("partner_id"))
        .transpose()?;
    let result = bind_contact(q, f).bind(partner).bind(updated_at).bind(id).fetch_one(&mut *conn).await;
    contact_written(result, &f.email)?;
    for p in before.into_iter().filter(|b| *b != partner).chain([partner]) {
        refresh_partner_terms(conn, PartnerId(p)).await?;
    }
    Ok(())
}

/// [`refresh_terms`] for a stored partner.
async fn refresh_partner_terms(conn: &mut Conn, partner: PartnerId) -> Result<()> {
    let p = fetch_partner(conn, partner).await?;
    refresh_terms(conn, p.campaign_id, p.id, &p.fields).await
}

fn duplicate_contact(email: &Email) -> StoreError {
    StoreError::Conflict { field: "email", message: format!("{email} is already a contact in this campaign") }
}

async fn fetch_contact(conn: &mut Conn, id: ContactId) -> Result<(Contact, Partner)> {
    let row = sqlx::query(concat!("SELECT ", contact_columns!(), " FROM contacts k WHERE k.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
    let contact = contact_from_row(&row)?;
    let partner = fetch_partner(conn, contact.partner_id).await?;
    Ok((contact, partner))
}

async fn count_owners(conn: &mut Conn, campaign: CampaignId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE campaign_id = $1 AND role = 'owner'")
        .bind(campaign.0)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

// ---------------------------------------------------------------------------------------------------

impl Backend {
    pub(super) async fn apply_migrations(&self, tx: &mut sqlx::Transaction<'static, Db>) -> Result<()> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS rally_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut **tx)
        .await?;
        let rows = sqlx::query("SELECT version FROM rally_migrations").fetch_all(&mut **tx).await?;
        let done: Vec<i64> = rows.iter().map(|r| r.try_get("version")).collect::<Result<_, _>>()?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if let Some(newest) = done.iter().max().filter(|v| **v > known) {
            return Err(StoreError::Config(format!(
                "the database has schema version {newest}, newer than this Rally knows ({known}): upgrade Rally"
            )));
        }
        for &(version, name, sql) in MIGRATIONS {
            if done.contains(&version) {
                continue;
            }
            tracing::info!(backend = BACKEND, version, name, "applying migration");
            sqlx::raw_sql(sql).execute(&mut **tx).await?;
            // Data that SQL alone cannot compute, in the same transaction as the schema change.
            if version == NAME_KEYS_MIGRATION {
                reindex_names(tx).await?;
            }
            if version == SEARCH_TERMS_MIGRATION {
                reindex_terms(tx).await?;
            }
            sqlx::query("INSERT INTO rally_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(version)
                .bind(name)
                .bind(now_micros())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

// Loaded once under each backend (see `mod sql` there).
#[allow(clippy::duplicate_mod)]
mod accounts;
#[allow(clippy::duplicate_mod)]
mod activities;
#[allow(clippy::duplicate_mod)]
mod assets;
#[allow(clippy::duplicate_mod)]
mod attribution;
#[allow(clippy::duplicate_mod)]
mod audit;
#[allow(clippy::duplicate_mod)]
mod calendars;
#[allow(clippy::duplicate_mod)]
mod campaigns;
#[allow(clippy::duplicate_mod)]
mod comms;
#[allow(clippy::duplicate_mod)]
mod consent;
#[allow(clippy::duplicate_mod)]
mod erased;
#[allow(clippy::duplicate_mod)]
mod event_map;
#[allow(clippy::duplicate_mod)]
mod events;
#[allow(clippy::duplicate_mod)]
mod imports;
#[allow(clippy::duplicate_mod)]
mod invitations;
#[allow(clippy::duplicate_mod)]
mod links;
#[allow(clippy::duplicate_mod)]
mod merge;
#[allow(clippy::duplicate_mod)]
mod operations;
#[allow(clippy::duplicate_mod)]
mod outbox;
#[allow(clippy::duplicate_mod)]
mod partners;
#[allow(clippy::duplicate_mod)]
mod privacy;
#[allow(clippy::duplicate_mod)]
mod reports;
#[allow(clippy::duplicate_mod)]
mod retention;
#[allow(clippy::duplicate_mod)]
mod second_factor;
#[allow(clippy::duplicate_mod)]
mod workflow;

use workflow::check_fulfilled;

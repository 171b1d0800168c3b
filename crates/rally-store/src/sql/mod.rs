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

use async_trait::async_trait;
use rally_domain::pipeline::StageMove;
use rally_domain::{
    Action, ActionPlan, Audience, Campaign, CampaignDraft, CampaignFields, CampaignId, Category, Consent, Contact,
    ContactDraft, ContactFields, ContactId, Email, Invalid, LanguageTag, Partner, PartnerDraft, PartnerFields,
    PartnerId, Reach, Role, Slug, Stage, StageChange, Strategy, Tier, UserId,
};
use sqlx::{QueryBuilder, Row};

use super::{BACKEND, Backend, CLAIM_LOCK, Db, MIGRATIONS, contacts_by_email};

use crate::{
    Actor, ApiToken, CampaignWithRole, DEFAULT_PAGE, MAX_BULK, MAX_PAGE, Member, MoveLoad, Page, PartnerFilter,
    PartnerLoad, PartnerSort, Result, Session, Store, StoreError, Tally, User, corrupt, from_micros, now_micros,
    to_micros,
};

pub(super) type Conn = <Db as sqlx::Database>::Connection;
pub(super) type DbRow = <Db as sqlx::Database>::Row;

macro_rules! campaign_columns {
    () => {
        "id, slug, name, country, region, languages, strategy, parent_id, message, goal_students, \
         target_audience, starts_on, ends_on, promotion_starts_on, follow_up_ends_on, high_reach_threshold, \
         plan_cs_in_schools, plan_authorities_view, plan_it_companies_view, plan_students_view, plan_why_coding, \
         created_at, updated_at"
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

fn read(_: Option<UserId>) -> Action {
    Action::Read
}

fn edit(owner: Option<UserId>) -> Action {
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
    Ok(ContactId(contact_written(result, &f.email)?.try_get("id")?))
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
    if fields.name != current.fields.name {
        sqlx::query("DELETE FROM partner_terms WHERE partner_id = $1").bind(current.id.0).execute(&mut *conn).await?;
        insert_terms(conn, current.campaign_id, current.id, fields).await?;
    }
    Ok(())
}

async fn overwrite_contact(conn: &mut Conn, id: i64, partner: i64, f: &ContactFields, updated_at: i64) -> Result<()> {
    let q = sqlx::query(
        "UPDATE contacts SET name = $1, email = $2, role = $3, language = $4, phone = $5, consent = $6, \
         partner_id = $7, updated_at = $8 WHERE id = $9 RETURNING id",
    );
    let result = bind_contact(q, f).bind(partner).bind(updated_at).bind(id).fetch_one(&mut *conn).await;
    contact_written(result, &f.email)?;
    Ok(())
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

#[async_trait]
impl Store for Backend {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn create_user(&self, email: &Email, name: &str, password_hash: Option<&str>) -> Result<User> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Invalid::field("name", "must be 1 to 200 characters, without control characters").into());
        }
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id, email, name",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await;
        let user = match result {
            Ok(row) => user_from_row(&row)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict { field: "email", message: format!("a user with {email} exists") });
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, email, name FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_api_token(&self, user: UserId, token_hash: &str, label: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user.0)
            .bind(token_hash)
            .bind(label)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows =
            sqlx::query("SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: time(r, "created_at")?,
                    revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros).transpose()?,
                })
            })
            .collect()
    }

    async fn revoke_api_token(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
            .bind(now_micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("API token"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn login_lookup(&self, email: &Email) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query("SELECT id, email, name, password_hash FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?))).transpose()
    }

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        // Expired sessions are swept here, where sessions are made, rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(now)
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: user_from_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: time(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pass_gates(
        &self,
        gates: &[(&str, rally_domain::throttle::Backoff)],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::result::Result<(), chrono::Duration>> {
        use rally_domain::throttle::GateState;
        // Times are stored to the microsecond: so is `now`, or a wait would come out a hair short.
        let now = chrono::DateTime::from_timestamp_micros(to_micros(now)).unwrap_or(now);
        let mut tx = self.begin_write().await?;
        let forgotten = gates.iter().map(|(_, b)| b.forget_after).max().unwrap_or_default();
        sqlx::query("DELETE FROM sign_in_gates WHERE updated_at < $1")
            .bind(to_micros(now - forgotten))
            .execute(&mut *tx)
            .await?;
        let mut passed = Vec::with_capacity(gates.len());
        let mut wait = chrono::Duration::zero();
        for (gate, backoff) in gates {
            sqlx::query(
                "INSERT INTO sign_in_gates (gate, attempts, open_at, updated_at) VALUES ($1, 0, 0, 0) \
                 ON CONFLICT (gate) DO NOTHING",
            )
            .bind(*gate)
            .execute(&mut *tx)
            .await?;
            // An update that changes nothing takes the row's lock before it is read: a parallel
            // attempt waits here and then reads this one's count.
            let row = sqlx::query(
                "UPDATE sign_in_gates SET attempts = attempts WHERE gate = $1 RETURNING attempts, open_at, updated_at",
            )
            .bind(*gate)
            .fetch_one(&mut *tx)
            .await?;
            let state = GateState {
                attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                open_at: time(&row, "open_at")?,
                updated_at: time(&row, "updated_at")?,
            };
            match backoff.attempt(state, now) {
                Ok(next) => passed.push((*gate, next)),
                Err(w) => wait = wait.max(w),
            }
        }
        if wait > chrono::Duration::zero() {
            tx.rollback().await?;
            return Ok(Err(wait));
        }
        for (gate, next) in passed {
            sqlx::query("UPDATE sign_in_gates SET attempts = $1, open_at = $2, updated_at = $3 WHERE gate = $4")
                .bind(i64::from(next.attempts))
                .bind(to_micros(next.open_at))
                .bind(to_micros(next.updated_at))
                .bind(gate)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn open_gates(&self, gates: &[&str]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for gate in gates {
            sqlx::query("DELETE FROM sign_in_gates WHERE gate = $1").bind(*gate).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn remember_device(&self, user: UserId, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM known_devices WHERE last_used_at < $1")
            .bind(to_micros(now - chrono::Duration::days(365)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn known_device(&self, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<UserId>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE known_devices SET last_used_at = $1 WHERE token_hash = $2 AND last_used_at >= $3 RETURNING user_id",
        )
        .bind(to_micros(now))
        .bind(token_hash)
        .bind(to_micros(now - chrono::Duration::days(365)))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
    }

    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now_micros())
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reset_password(&self, token_hash: &str, password_hash: &str) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("password reset link"))?;
        let user: i64 = row.try_get("user_id")?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        let row = sqlx::query("SELECT id, email, name FROM users WHERE id = $1").bind(user).fetch_one(&mut *tx).await?;
        let user = user_from_row(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn create_campaign(&self, actor: Actor, fields: CampaignFields) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        check_umbrella(&mut tx, actor, None, &fields).await?;
        let id = write_campaign(&mut tx, None, &fields).await?;
        if let Actor::User(user) = actor {
            sqlx::query(
                "INSERT INTO memberships (campaign_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)",
            )
            .bind(id.0)
            .bind(user.0)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        }
        let campaign = fetch_campaign(&mut tx, id).await?;
        tx.commit().await?;
        Ok(campaign)
    }

    async fn campaign(&self, actor: Actor, id: CampaignId) -> Result<CampaignWithRole> {
        let mut conn = self.pool.acquire().await?;
        let role = authorize(&mut conn, actor, id, Action::Read, "campaign").await?;
        Ok(CampaignWithRole { campaign: fetch_campaign(&mut conn, id).await?, role })
    }

    async fn campaign_by_slug(&self, actor: Actor, slug: &str) -> Result<CampaignWithRole> {
        let id = self.campaign_id(slug).await?.ok_or(StoreError::NotFound("campaign"))?;
        self.campaign(actor, id).await
    }

    async fn campaign_id(&self, slug: &str) -> Result<Option<CampaignId>> {
        let row = sqlx::query("SELECT id FROM campaigns WHERE slug = $1").bind(slug).fetch_optional(&self.pool).await?;
        row.map(|r| Ok(CampaignId(r.try_get("id")?))).transpose()
    }

    async fn campaigns(&self, actor: Actor) -> Result<Vec<CampaignWithRole>> {
        let rows = match actor {
            Actor::System => {
                sqlx::query(concat!("SELECT ", campaign_columns!(), ", NULL AS role FROM campaigns ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
            Actor::User(user) => {
                sqlx::query(concat!(
                    "SELECT ",
                    campaign_columns!(),
                    ", m.role FROM campaigns \
                     JOIN (SELECT campaign_id, role FROM memberships WHERE user_id = $1) m ON m.campaign_id = id ORDER BY id"
                ))
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|row| {
                let role = row.try_get::<Option<String>, _>("role")?.map(|r| Role::parse(&r)).transpose();
                Ok(CampaignWithRole { campaign: campaign_from_row(row)?, role: role.map_err(|e| corrupt("role", e))? })
            })
            .collect()
    }

    async fn update_campaign(&self, actor: Actor, id: CampaignId, patch: CampaignDraft) -> Result<CampaignWithRole> {
        let mut tx = self.begin_write().await?;
        let role = authorize(&mut tx, actor, id, Action::EditCampaign, "campaign").await?;
        let current = fetch_campaign(&mut tx, id).await?;
        let fields = current.fields.to_draft().merge(patch).validate()?;
        if fields.parent_id != current.fields.parent_id
            || fields.starts_on != current.fields.starts_on
            || fields.ends_on != current.fields.ends_on
        {
            check_umbrella(&mut tx, actor, Some(id), &fields).await?;
        }
        if fields.strategy == Strategy::Member {
            let members = sqlx::query("SELECT COUNT(*) AS n FROM campaigns WHERE parent_id = $1")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
            if members.try_get::<i64, _>("n")? > 0 {
                return Err(Invalid::field(
                    "strategy",
                    "this campaign is an umbrella of others; it cannot also be a member",
                )
                .into());
            }
        }
        write_campaign(&mut tx, Some(id), &fields).await?;
        let campaign = fetch_campaign(&mut tx, id).await?;
        tx.commit().await?;
        Ok(CampaignWithRole { campaign, role })
    }

    async fn delete_campaign(&self, actor: Actor, id: CampaignId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, id, Action::DeleteCampaign, "campaign").await?;
        fetch_campaign(&mut tx, id).await?;
        let members = sqlx::query("SELECT COUNT(*) AS n FROM campaigns WHERE parent_id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        if members.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict {
                field: "id",
                message: "member campaigns still belong to this umbrella; delete or move them first".into(),
            });
        }
        sqlx::query("DELETE FROM campaigns WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn team(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Member>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.campaign_id = $1 ORDER BY u.name, u.id",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(member_from_row).collect()
    }

    async fn set_role(&self, actor: Actor, campaign: CampaignId, user: UserId, role: Role) -> Result<Member> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        let current = role_of(&mut tx, Actor::User(user), campaign).await?;
        if current == Some(Role::Owner) && role != Role::Owner && count_owners(&mut tx, campaign).await? <= 1 {
            return Err(
                Invalid::field("role", "a campaign keeps at least one owner; make someone else owner first").into()
            );
        }
        let result = sqlx::query(
            "INSERT INTO memberships (campaign_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (campaign_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(campaign.0)
        .bind(user.0)
        .bind(role.as_str())
        .bind(now_micros())
        .execute(&mut *tx)
        .await;
        if let Err(e) = result {
            return Err(match e.as_database_error() {
                Some(d) if d.is_foreign_key_violation() => StoreError::NotFound("user"),
                _ => e.into(),
            });
        }
        let row = sqlx::query(
            "SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.campaign_id = $1 AND m.user_id = $2",
        )
        .bind(campaign.0)
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
        let member = member_from_row(&row)?;
        tx.commit().await?;
        Ok(member)
    }

    async fn remove_member(&self, actor: Actor, campaign: CampaignId, user: UserId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::ManageTeam, "campaign").await?;
        match role_of(&mut tx, Actor::User(user), campaign).await? {
            None => return Err(StoreError::NotFound("team member")),
            Some(Role::Owner) if count_owners(&mut tx, campaign).await? <= 1 => {
                return Err(Invalid::field("user_id", "a campaign keeps at least one owner").into());
            }
            Some(_) => {}
        }
        sqlx::query("DELETE FROM memberships WHERE campaign_id = $1 AND user_id = $2")
            .bind(campaign.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        // Their partners go back to the team: an owner who left can't follow up.
        sqlx::query("UPDATE partners SET owner_id = NULL, updated_at = $3 WHERE campaign_id = $1 AND owner_id = $2")
            .bind(campaign.0)
            .bind(user.0)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_partner(
        &self,
        actor: Actor,
        campaign: CampaignId,
        mut fields: PartnerFields,
        allow_same_name: bool,
    ) -> Result<Partner> {
        let mut tx = self.begin_write().await?;
        if fields.owner_id.is_none() {
            fields.owner_id = actor.user_id();
        }
        authorize(&mut tx, actor, campaign, Action::CreatePartner { owner: fields.owner_id }, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        check_on_team(&mut tx, campaign, fields.owner_id).await?;
        if !allow_same_name {
            let same =
                sqlx::query("SELECT name FROM partners WHERE campaign_id = $1 AND name_key = $2 ORDER BY id LIMIT 1")
                    .bind(campaign.0)
                    .bind(rally_domain::partner::name_key(&fields.name))
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = same {
                let existing: String = row.try_get("name")?;
                return Err(StoreError::Conflict {
                    field: "name",
                    message: format!(
                        "“{existing}” is already a partner of this campaign; add it anyway only if it is another organization"
                    ),
                });
            }
        }
        let now = now_micros();
        let id = insert_partner(&mut tx, campaign, &fields, now, None).await?;
        record_change(&mut tx, id, None, Stage::Lead, actor.user_id(), now, "", None).await?;
        let partner = fetch_partner(&mut tx, id).await?;
        tx.commit().await?;
        Ok(partner)
    }

    async fn partner(&self, actor: Actor, id: PartnerId) -> Result<Partner> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, id, read).await
    }

    async fn partners(&self, actor: Actor, campaign: CampaignId, f: &PartnerFilter) -> Result<Page<Partner>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let limit = if f.limit == 0 { DEFAULT_PAGE } else { f.limit.min(MAX_PAGE) };
        let keys = rally_domain::partner::search_query(f.q.as_deref().unwrap_or_default());
        // With a search, the most selective key drives: its index entries come in partner order, so
        // the scan stops at the page's end. Without one, the partners' own (campaign, id) index does.
        let (mut q, order) = match keys.split_first() {
            Some((first, rest)) => {
                let mut q = QueryBuilder::<Db>::new(concat!(
                    "SELECT ",
                    partner_columns!(),
                    " FROM partner_terms t JOIN partners p ON p.id = t.partner_id \
                     JOIN campaigns c ON c.id = p.campaign_id WHERE t.campaign_id = "
                ));
                q.push_bind(campaign.0).push(" AND t.term = ").push_bind(first.clone());
                for key in rest {
                    q.push(" AND EXISTS (SELECT 1 FROM partner_terms t2 WHERE t2.campaign_id = ")
                        .push_bind(campaign.0)
                        .push(" AND t2.term = ")
                        .push_bind(key.clone())
                        .push(" AND t2.partner_id = t.partner_id)");
                }
                (q, "t.partner_id")
            }
            None => {
                let mut q = QueryBuilder::<Db>::new(concat!(
                    "SELECT ",
                    partner_columns!(),
                    " FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.campaign_id = "
                ));
                q.push_bind(campaign.0);
                (q, "p.id")
            }
        };
        push_filters(&mut q, f);
        // Sorted lists page by (sort key, id) compared as a row with the previous page's last partner,
        // which the (campaign, key, id) indexes serve in order; the id breaks ties in the same direction.
        let sorted = match f.sort {
            PartnerSort::Added => None,
            PartnerSort::Name => Some(("sort_name", "ASC", ">")),
            PartnerSort::Priority => Some(("priority", "DESC", "<")),
            PartnerSort::Reach => Some(("reach", "DESC", "<")),
            PartnerSort::Stale => Some(("stage_since", "ASC", ">")),
        };
        match (sorted, f.after) {
            (None, Some(after)) => {
                q.push(format_args!(" AND {order} > ")).push_bind(after.0);
            }
            (Some((key, _, cmp)), Some(after)) => {
                q.push(format_args!(" AND (p.{key}, p.id) {cmp} (SELECT s.{key}, s.id FROM partners s WHERE s.id = "))
                    .push_bind(after.0)
                    .push(")");
            }
            (_, None) => {}
        }
        match sorted {
            None => q.push(format_args!(" ORDER BY {order} LIMIT ")),
            Some((key, dir, _)) => q.push(format_args!(" ORDER BY p.{key} {dir}, p.id {dir} LIMIT ")),
        };
        q.push_bind(i64::from(limit) + 1);
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut items = rows.iter().map(partner_from_row).collect::<Result<Vec<_>>>()?;
        let next_after = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|p| p.id.0)
        } else {
            None
        };
        Ok(Page { items, next_after })
    }

    async fn update_partner(&self, actor: Actor, id: PartnerId, patch: PartnerDraft) -> Result<Partner> {
        let mut tx = self.begin_write().await?;
        let current = partner_for(&mut tx, actor, id, edit).await?;
        let fields = current.fields.to_draft().merge(patch).validate()?;
        if fields.owner_id != current.fields.owner_id {
            // Handing a partner to someone else is the coordinators' call.
            authorize(&mut tx, actor, current.campaign_id, edit(fields.owner_id), "partner").await?;
            check_on_team(&mut tx, current.campaign_id, fields.owner_id).await?;
        }
        overwrite_partner(&mut tx, &current, &fields, now_micros()).await?;
        let partner = fetch_partner(&mut tx, id).await?;
        tx.commit().await?;
        Ok(partner)
    }

    async fn delete_partner(&self, actor: Actor, id: PartnerId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let partner = fetch_partner(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, Action::DeletePartner, "partner").await?;
        sqlx::query("DELETE FROM partners WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        let (campaign, stage, category) = (partner.campaign_id, partner.stage, partner.fields.category);
        tally(&mut tx, campaign, stage, category, -1, -partner.fields.reach.get()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn move_stage(&self, actor: Actor, id: PartnerId, to: StageMove) -> Result<(Partner, StageChange)> {
        let mut tx = self.begin_write().await?;
        let current = partner_for(&mut tx, actor, id, edit).await?;
        let m = to.check(current.stage)?;
        check_fulfilled(&mut tx, id, m.to, m.confirm_unfulfilled, &m.note).await?;
        let change_id =
            record_change(&mut tx, id, Some(m.from), m.to, actor.user_id(), now_micros(), &m.note, m.reason.as_deref())
                .await?;
        let partner = fetch_partner(&mut tx, id).await?;
        let change = fetch_change(&mut tx, change_id).await?;
        tx.commit().await?;
        Ok((partner, change))
    }

    async fn stage_history(&self, actor: Actor, id: PartnerId) -> Result<Vec<StageChange>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, id, read).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            change_columns!(),
            " FROM stage_changes s LEFT JOIN users u ON u.id = s.actor_id WHERE s.partner_id = $1 ORDER BY s.at, s.id"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    async fn export_contacts(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(Contact, String)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            contact_columns!(),
            ", p.name AS partner_name FROM contacts k JOIN partners p ON p.id = k.partner_id \
             WHERE p.campaign_id = $1 AND k.id > $2 ORDER BY k.id LIMIT $3"
        ))
        .bind(campaign.0)
        .bind(after)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(|r| Ok((contact_from_row(r)?, r.try_get("partner_name")?))).collect()
    }

    async fn export_history(
        &self,
        actor: Actor,
        campaign: CampaignId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(StageChange, String)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            change_columns!(),
            ", p.name AS partner_name FROM stage_changes s JOIN partners p ON p.id = s.partner_id \
             LEFT JOIN users u ON u.id = s.actor_id WHERE p.campaign_id = $1 AND s.id > $2 ORDER BY s.id LIMIT $3"
        ))
        .bind(campaign.0)
        .bind(after)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(|r| Ok((change_from_row(r)?, r.try_get("partner_name")?))).collect()
    }

    async fn bulk_move(&self, actor: Actor, campaign: CampaignId, ids: &[PartnerId], to: StageMove) -> Result<usize> {
        if ids.len() > MAX_BULK {
            return Err(Invalid::field("ids", format!("at most {MAX_BULK} partners at once")).into());
        }
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        let mut moved = 0;
        for id in ids {
            let p = partner_for(&mut tx, actor, *id, edit).await?;
            if p.campaign_id != campaign {
                return Err(StoreError::NotFound("partner"));
            }
            if p.stage == to.stage {
                continue;
            }
            let m = to.clone().check(p.stage)?;
            check_fulfilled(&mut tx, *id, m.to, m.confirm_unfulfilled, &m.note).await?;
            record_change(&mut tx, *id, Some(m.from), m.to, actor.user_id(), now, &m.note, m.reason.as_deref()).await?;
            moved += 1;
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn bulk_assign(
        &self,
        actor: Actor,
        campaign: CampaignId,
        ids: &[PartnerId],
        owner: Option<UserId>,
    ) -> Result<usize> {
        if ids.len() > MAX_BULK {
            return Err(Invalid::field("ids", format!("at most {MAX_BULK} partners at once")).into());
        }
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, edit(owner), "campaign").await?;
        check_on_team(&mut tx, campaign, owner).await?;
        let now = now_micros();
        for id in ids {
            let p = partner_for(&mut tx, actor, *id, edit).await?;
            if p.campaign_id != campaign {
                return Err(StoreError::NotFound("partner"));
            }
            sqlx::query("UPDATE partners SET owner_id = $1, updated_at = $2 WHERE id = $3")
                .bind(owner.map(|u| u.0))
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    async fn board(
        &self,
        actor: Actor,
        campaign: CampaignId,
        f: &PartnerFilter,
    ) -> Result<Vec<(Stage, Page<Partner>)>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let limit = if f.limit == 0 { DEFAULT_PAGE } else { f.limit.min(MAX_PAGE) };
        // One round trip for the whole board: each column's first page, glued with UNION ALL.
        let mut q = QueryBuilder::<Db>::new("");
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push(concat!(
                "SELECT * FROM (SELECT ",
                partner_columns!(),
                " FROM partners p JOIN campaigns c ON c.id = p.campaign_id WHERE p.campaign_id = "
            ));
            q.push_bind(campaign.0);
            push_filters(&mut q, &PartnerFilter { stage: Some(stage), ..f.clone() });
            q.push(" ORDER BY p.id LIMIT ").push_bind(i64::from(limit) + 1).push(format_args!(") AS column_{i}"));
        }
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut partners = rows.iter().map(partner_from_row).collect::<Result<Vec<_>>>()?;
        Ok(Stage::ALL
            .into_iter()
            .map(|stage| {
                let mut items: Vec<Partner> = Vec::new();
                partners.retain(|p| {
                    if p.stage == stage {
                        items.push(p.clone());
                        false
                    } else {
                        true
                    }
                });
                let next_after = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|p| p.id.0)
                } else {
                    None
                };
                (stage, Page { items, next_after })
            })
            .collect())
    }

    async fn pipeline_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Stage>>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT stage AS k, CAST(SUM(partners) AS BIGINT) AS n, CAST(SUM(reach) AS BIGINT) AS r FROM partner_tallies \
             WHERE campaign_id = $1 GROUP BY stage",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        let counted = rows
            .iter()
            .map(|r| Ok((text(r, "k", Stage::parse)?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("r")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Stage::ALL
            .into_iter()
            .map(|key| {
                let (partners, reach) = counted.iter().find(|(k, _, _)| *k == key).map_or((0, 0), |(_, n, r)| (*n, *r));
                Tally { key, partners, reach }
            })
            .collect())
    }

    async fn category_tally(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<Tally<Category>>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT category AS k, CAST(SUM(partners) AS BIGINT) AS n, CAST(SUM(reach) AS BIGINT) AS r FROM partner_tallies \
             WHERE campaign_id = $1 GROUP BY category",
        )
        .bind(campaign.0)
        .fetch_all(&mut *conn)
        .await?;
        let counted = rows
            .iter()
            .map(|r| Ok((text(r, "k", Category::parse)?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("r")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Category::ALL
            .into_iter()
            .map(|key| {
                let (partners, reach) = counted.iter().find(|(k, _, _)| *k == key).map_or((0, 0), |(_, n, r)| (*n, *r));
                Tally { key, partners, reach }
            })
            .collect())
    }

    async fn stale_partners(&self, actor: Actor, campaign: CampaignId, limit: u32) -> Result<Vec<Partner>> {
        let mut conn = self.pool.acquire().await?;
        authorize(&mut conn, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            partner_columns!(),
            " FROM partners p JOIN campaigns c ON c.id = p.campaign_id \
             WHERE p.campaign_id = $1 AND p.stage NOT IN ('closed_won', 'closed_lost') \
             ORDER BY p.stage_since, p.id LIMIT $2"
        ))
        .bind(campaign.0)
        .bind(i64::from(limit.min(MAX_PAGE)))
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(partner_from_row).collect()
    }

    async fn load_partners(&self, actor: Actor, campaign: CampaignId, partners: Vec<PartnerLoad>) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCampaign, "campaign").await?;
        fetch_campaign(&mut tx, campaign).await?;
        let team: Vec<i64> = sqlx::query("SELECT user_id FROM memberships WHERE campaign_id = $1")
            .bind(campaign.0)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("user_id"))
            .collect::<Result<_, _>>()?;
        let count = partners.len();
        for (n, load) in partners.into_iter().enumerate() {
            if let Some(owner) = load.fields.owner_id.filter(|o| !team.contains(&o.0)) {
                return Err(Invalid::field(
                    format!("partners.{n}.owner_id"),
                    format!("user {owner} is not on the team"),
                )
                .into());
            }
            let created = to_micros(load.created_at);
            let id = insert_partner(&mut tx, campaign, &load.fields, created, None).await?;
            record_change(&mut tx, id, None, Stage::Lead, load.moves.first().and_then(|m| m.actor), created, "", None)
                .await?;
            let mut from = Stage::Lead;
            for MoveLoad { to, at, actor, note, reason } in load.moves {
                let m = StageMove { stage: to, note: Some(note), reason, confirm_unfulfilled: false }
                    .check(from)
                    .map_err(|e| Invalid::field(format!("partners.{n}.moves"), e.to_string()))?;
                record_change(&mut tx, id, Some(from), to, actor, to_micros(at), &m.note, m.reason.as_deref()).await?;
                from = to;
            }
            for contact in &load.contacts {
                insert_contact(&mut tx, campaign, id, contact).await?;
            }
        }
        tx.commit().await?;
        self.after_bulk_load(count).await?;
        Ok(count)
    }

    async fn create_contact(&self, actor: Actor, partner: PartnerId, fields: ContactFields) -> Result<Contact> {
        let mut tx = self.begin_write().await?;
        let p = partner_for(&mut tx, actor, partner, edit).await?;
        let id = insert_contact(&mut tx, p.campaign_id, partner, &fields).await?;
        let (contact, _) = fetch_contact(&mut tx, id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn contacts(&self, actor: Actor, partner: PartnerId) -> Result<Vec<Contact>> {
        let mut conn = self.pool.acquire().await?;
        partner_for(&mut conn, actor, partner, read).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            contact_columns!(),
            " FROM contacts k WHERE k.partner_id = $1 ORDER BY k.id"
        ))
        .bind(partner.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    async fn contact(&self, actor: Actor, id: ContactId) -> Result<Contact> {
        let mut conn = self.pool.acquire().await?;
        let (contact, partner) = fetch_contact(&mut conn, id).await?;
        authorize(&mut conn, actor, partner.campaign_id, Action::Read, "contact").await?;
        Ok(contact)
    }

    async fn update_contact(&self, actor: Actor, id: ContactId, patch: ContactDraft) -> Result<Contact> {
        let mut tx = self.begin_write().await?;
        let (current, partner) = fetch_contact(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, edit(partner.fields.owner_id), "contact").await?;
        let f = current.fields.to_draft().merge(patch).validate()?;
        overwrite_contact(&mut tx, id.0, current.partner_id.0, &f, now_micros()).await?;
        let (contact, _) = fetch_contact(&mut tx, id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn delete_contact(&self, actor: Actor, id: ContactId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (_, partner) = fetch_contact(&mut tx, id).await?;
        authorize(&mut tx, actor, partner.campaign_id, edit(partner.fields.owner_id), "contact").await?;
        sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1 AS one").fetch_one(&self.pool).await?;
        Ok(())
    }

    async fn schema(&self) -> Result<BTreeMap<String, Vec<String>>> {
        self.read_schema().await
    }

    async fn table_counts(&self) -> Result<BTreeMap<String, i64>> {
        let mut counts = BTreeMap::new();
        for table in self.read_schema().await?.into_keys() {
            // Table names come from the database's own catalogue, never from input.
            let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM \"{table}\""));
            let n: i64 = sqlx::query(sql).fetch_one(&self.pool).await?.try_get("n")?;
            counts.insert(table, n);
        }
        Ok(counts)
    }

    async fn snapshot(&self, path: &std::path::Path) -> Result<()> {
        self.write_snapshot(path).await
    }
}

// Loaded once under each backend (see `mod sql` there).
#[allow(clippy::duplicate_mod)]
mod comms;
#[allow(clippy::duplicate_mod)]
mod events;
#[allow(clippy::duplicate_mod)]
mod imports;
#[allow(clippy::duplicate_mod)]
mod reports;
#[allow(clippy::duplicate_mod)]
mod workflow;

use workflow::check_fulfilled;

//! [`crate::Activities`] in SQL: the activity catalogue, submissions and review, facet counts, and how
//! many approved events chose an activity. `insert_activity` is shared with catalogue imports
//! (`imports.rs`), `catalogue_contains` with the registration form (`events.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rally_domain::activity::{Activity, ActivityFields, ActivityStatus, ActivityText, Facet, ReviewCheck, Submitter};
use rally_domain::text::folded_words;
use rally_domain::{
    Action, ActivityId, AssetId, AuditAction, CampaignId, Email, Invalid, LanguageTag, PartnerId, limits,
};
use sqlx::{QueryBuilder, Row};

use super::audit::{Target, record};
use super::outbox::enqueue_system;
use super::{Backend, Conn, Db, DbRow, authorize, push_in, text, time};
use crate::activities::{ActivityOption, ActivityUsage, Catalogue, CatalogueQuery, FacetCount, Review};
use crate::events::OrganizerMail;
use crate::partners::{DEFAULT_PAGE, MAX_PAGE};
use crate::{Activities, Actor, Result, StoreError, SystemMail, corrupt, to_micros};

const ACTIVITY_COLUMNS: &str = "a.id, a.campaign_id, a.status, a.url, a.asset_id, a.image_url, a.provider_id, \
     a.provider_name, a.duration_minutes, a.has_follow_on, a.print_per_student, a.submitted_by_partner, \
     a.submitter_name, a.submitter_email, a.submitter_locale, a.checklist, a.reason, a.created_at, a.updated_at";

/// Words of a search, at most: each is one `LIKE` over the campaign's catalogue.
const SEARCH_WORDS: usize = 8;
/// Values of one facet a catalogue query filters by, at most, once unknown ones are dropped (the
/// longest facet, grades, has 14; languages are bounded like a campaign's).
const FILTER_VALUES: usize = limits::LANGUAGES;
/// The longest language tag a filter looks for.
const LANGUAGE_TAG_MAX: usize = 40;

// ---------------------------------------------------------------------------------------------------
// Writing

/// Writes a new activity with its texts and facet rows (derived ones included) and returns its id.
/// Imports call it with their batch, so that undo finds what they made.
pub(super) async fn insert_activity(
    conn: &mut Conn,
    campaign: CampaignId,
    status: ActivityStatus,
    fields: &ActivityFields,
    submitter: Option<&Submitter>,
    import_batch: Option<i64>,
    now: i64,
) -> Result<ActivityId> {
    let row = sqlx::query(
        "INSERT INTO activities (campaign_id, status, url, asset_id, image_url, provider_id, provider_name, \
         duration_minutes, has_follow_on, print_per_student, submitted_by_partner, submitter_name, submitter_email, \
         submitter_locale, checklist, reason, search, import_batch, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', '', $15, $16, $17, $17) RETURNING id",
    )
    .bind(campaign.0)
    .bind(status.as_str())
    .bind(&fields.url)
    .bind(fields.asset.map(|a| a.0))
    .bind(&fields.image_url)
    .bind(fields.provider.map(|p| p.0))
    .bind(&fields.provider_name)
    .bind(fields.duration_minutes)
    .bind(fields.has_follow_on)
    .bind(&fields.print_per_student)
    .bind(submitter.and_then(|s| s.partner).map(|p| p.0))
    .bind(submitter.map_or("", |s| s.name.as_str()))
    .bind(submitter.map_or("", |s| s.email.as_str()))
    .bind(submitter.map_or("", |s| s.locale.as_str()))
    .bind(search_text(fields))
    .bind(import_batch)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id = ActivityId(row.try_get("id")?);
    write_details(conn, id, fields).await?;
    Ok(id)
}

/// Rewrites an activity's fields, texts and facet rows.
async fn update_fields(conn: &mut Conn, id: ActivityId, fields: &ActivityFields, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE activities SET url = $1, asset_id = $2, image_url = $3, provider_id = $4, provider_name = $5, \
         duration_minutes = $6, has_follow_on = $7, print_per_student = $8, search = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&fields.url)
    .bind(fields.asset.map(|a| a.0))
    .bind(&fields.image_url)
    .bind(fields.provider.map(|p| p.0))
    .bind(&fields.provider_name)
    .bind(fields.duration_minutes)
    .bind(fields.has_follow_on)
    .bind(&fields.print_per_student)
    .bind(search_text(fields))
    .bind(now)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM activity_texts WHERE activity_id = $1").bind(id.0).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM activity_facets WHERE activity_id = $1").bind(id.0).execute(&mut *conn).await?;
    write_details(conn, id, fields).await
}

async fn write_details(conn: &mut Conn, id: ActivityId, fields: &ActivityFields) -> Result<()> {
    if !fields.texts.is_empty() {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO activity_texts (activity_id, language, position, title, sort_title, search, summary, description) ",
        );
        q.push_values(fields.texts.iter().enumerate(), |mut b, (i, t)| {
            b.push_bind(id.0)
                .push_bind(t.language.as_str())
                .push_bind(i as i64)
                .push_bind(&t.title)
                .push_bind(rally_domain::partner::sort_key(&t.title))
                .push_bind(format!(" {} ", folded_words(&t.title).join(" ")))
                .push_bind(&t.summary)
                .push_bind(&t.description);
        });
        q.build().execute(&mut *conn).await?;
    }
    let rows: BTreeSet<(Facet, String)> = fields.facet_rows().into_iter().collect();
    if !rows.is_empty() {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO activity_facets (activity_id, facet, value) ");
        q.push_values(rows.iter(), |mut b, (facet, value)| {
            b.push_bind(id.0).push_bind(facet.as_str()).push_bind(value);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// What the catalogue's search looks in: titles and summaries in every language and the provider,
/// folded, one space around every word (so a word is found wherever it starts or sits).
fn search_text(fields: &ActivityFields) -> String {
    let mut words: Vec<String> = Vec::new();
    for t in &fields.texts {
        words.extend(folded_words(&t.title));
        words.extend(folded_words(&t.summary));
    }
    words.extend(folded_words(&fields.provider_name));
    format!(" {} ", limits::without_repeats(words).join(" "))
}

// ---------------------------------------------------------------------------------------------------
// Reading

fn activity_from_row(row: &DbRow) -> Result<Activity> {
    let email: String = row.try_get("submitter_email")?;
    let name: String = row.try_get("submitter_name")?;
    let by_partner = row.try_get::<Option<i64>, _>("submitted_by_partner")?.map(PartnerId);
    // Erasure blanks the submitter's name and address: a submission it leaves behind has no submitter
    // (unless it came through a partner's link, which stays known).
    let locale: String = row.try_get("submitter_locale")?;
    let submitter = (!email.is_empty() || !name.is_empty() || by_partner.is_some()).then_some(Submitter {
        partner: by_partner,
        name,
        email,
        locale,
    });
    let checklist: String = row.try_get("checklist")?;
    let checklist = checklist
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| ReviewCheck::parse(c).map_err(|e| corrupt("checklist", e)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Activity {
        id: ActivityId(row.try_get("id")?),
        campaign_id: CampaignId(row.try_get("campaign_id")?),
        status: text(row, "status", ActivityStatus::parse)?,
        fields: ActivityFields {
            texts: Vec::new(),
            url: row.try_get("url")?,
            asset: row.try_get::<Option<i64>, _>("asset_id")?.map(AssetId),
            image_url: row.try_get("image_url")?,
            provider: row.try_get::<Option<i64>, _>("provider_id")?.map(PartnerId),
            provider_name: row.try_get("provider_name")?,
            duration_minutes: row.try_get("duration_minutes")?,
            has_follow_on: row.try_get("has_follow_on")?,
            print_per_student: row.try_get("print_per_student")?,
            languages: Vec::new(),
            facets: BTreeMap::new(),
        },
        submitter,
        checklist,
        reason: row.try_get("reason")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

/// The activities with these ids, whole (texts, languages, facets), in the order of `ids`; ids not
/// found are left out.
async fn load_activities(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Activity>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Db>::new(format!("SELECT {ACTIVITY_COLUMNS} FROM activities a WHERE "));
    push_in(&mut q, "a.id", ids);
    let rows = q.build().fetch_all(&mut *conn).await?;
    let mut found: HashMap<i64, Activity> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let a = activity_from_row(row)?;
        found.insert(a.id.0, a);
    }
    let mut q = QueryBuilder::<Db>::new(
        "SELECT t.activity_id, t.language, t.title, t.summary, t.description FROM activity_texts t WHERE ",
    );
    push_in(&mut q, "t.activity_id", ids);
    q.push(" ORDER BY t.activity_id, t.position");
    for row in q.build().fetch_all(&mut *conn).await? {
        if let Some(a) = found.get_mut(&row.try_get::<i64, _>("activity_id")?) {
            a.fields.texts.push(ActivityText {
                language: text(&row, "language", LanguageTag::parse)?,
                title: row.try_get("title")?,
                summary: row.try_get("summary")?,
                description: row.try_get("description")?,
            });
        }
    }
    let mut q = QueryBuilder::<Db>::new("SELECT f.activity_id, f.facet, f.value FROM activity_facets f WHERE ");
    push_in(&mut q, "f.activity_id", ids);
    q.push(" ORDER BY f.activity_id, f.facet, f.value");
    for row in q.build().fetch_all(&mut *conn).await? {
        if let Some(a) = found.get_mut(&row.try_get::<i64, _>("activity_id")?) {
            let facet = text(&row, "facet", Facet::parse)?;
            let value: String = row.try_get("value")?;
            match facet {
                Facet::Language => {
                    a.fields.languages.push(LanguageTag::parse(&value).map_err(|e| corrupt("value", e))?)
                }
                Facet::Length => {}
                _ => {
                    a.fields.facets.entry(facet).or_default().insert(value);
                }
            }
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// One activity, whole.
pub(super) async fn fetch_activity(conn: &mut Conn, id: ActivityId) -> Result<Activity> {
    load_activities(conn, &[id.0]).await?.pop().ok_or(StoreError::NotFound("activity"))
}

/// Loads an activity the actor may act on in the way `action` describes, in its campaign.
async fn activity_for(conn: &mut Conn, actor: Actor, id: ActivityId, action: Action) -> Result<Activity> {
    let activity = fetch_activity(conn, id).await?;
    authorize(conn, actor, activity.campaign_id, action, "activity").await?;
    Ok(activity)
}

/// Whether every one of `ids` is in the campaign's public catalogue (its listed activities and its
/// umbrella's it does not hide): what an event may choose.
pub(super) async fn catalogue_contains(conn: &mut Conn, campaign: CampaignId, ids: &[ActivityId]) -> Result<bool> {
    let wanted: BTreeSet<i64> = ids.iter().map(|id| id.0).collect();
    if wanted.is_empty() {
        return Ok(true);
    }
    let wanted: Vec<i64> = wanted.into_iter().collect();
    let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM activities a WHERE ");
    push_public(&mut q, campaign);
    q.push(" AND ");
    push_in(&mut q, "a.id", &wanted);
    let n: i64 = q.build().fetch_one(&mut *conn).await?.try_get("n")?;
    Ok(n == wanted.len() as i64)
}

// ---------------------------------------------------------------------------------------------------
// The catalogue's query

/// Which activities a list is drawn from.
#[derive(Clone, Copy)]
enum Scope {
    /// The campaign's public catalogue.
    Public(CampaignId),
    /// The campaign's own activities, in one status or all.
    Team(CampaignId, Option<ActivityStatus>),
}

/// The public catalogue of `campaign` as a condition on `a`: its listed activities, and its umbrella's
/// listed ones it does not hide.
fn push_public(q: &mut QueryBuilder<Db>, campaign: CampaignId) {
    q.push(" (a.status = 'listed' AND (a.campaign_id = ")
        .push_bind(campaign.0)
        .push(" OR (a.campaign_id IN (SELECT parent_id FROM campaigns WHERE id = ")
        .push_bind(campaign.0)
        .push(") AND NOT EXISTS (SELECT 1 FROM activity_choices h WHERE h.activity_id = a.id AND h.hidden = TRUE AND h.campaign_id = ")
        .push_bind(campaign.0)
        .push(")))) ");
}

fn push_scope(q: &mut QueryBuilder<Db>, scope: Scope) {
    match scope {
        Scope::Public(campaign) => push_public(q, campaign),
        Scope::Team(campaign, status) => {
            q.push(" a.campaign_id = ").push_bind(campaign.0);
            if let Some(status) = status {
                q.push(" AND a.status = ").push_bind(status.as_str());
            }
        }
    }
}

/// The query's facet selections, bounded, without empty ones.
/// A facet whose values are all unknown keeps an empty list, which matches nothing.
fn selections(query: &CatalogueQuery) -> Vec<(Facet, Vec<String>)> {
    query
        .facets
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(facet, values)| {
            let kept = values.iter().filter(|v| match facet.values() {
                Some(allowed) => allowed.contains(&v.as_str()),
                None => v.len() <= LANGUAGE_TAG_MAX,
            });
            (*facet, kept.take(FILTER_VALUES).cloned().collect())
        })
        .collect()
}

/// The search's words, folded, bounded.
fn search_words(query: &CatalogueQuery) -> Vec<String> {
    let words = folded_words(query.q.as_deref().unwrap_or_default());
    limits::without_repeats(words).into_iter().take(SEARCH_WORDS).collect()
}

/// `AND` conditions on `a` for every selected facet but `except` (any value within a facet, every
/// facet together) and for every word searched.
fn push_filters(q: &mut QueryBuilder<Db>, selected: &[(Facet, Vec<String>)], words: &[String], except: Option<Facet>) {
    for (facet, values) in selected.iter().filter(|(f, _)| Some(*f) != except) {
        if values.is_empty() {
            q.push(" AND 1 = 0 ");
            continue;
        }
        q.push(" AND EXISTS (SELECT 1 FROM activity_facets ff WHERE ff.activity_id = a.id AND ff.facet = ")
            .push_bind(facet.as_str())
            .push(" AND ff.value IN (");
        let mut list = q.separated(", ");
        for value in values {
            list.push_bind(value.clone());
        }
        q.push(")) ");
    }
    for word in words {
        // Folded words are letters and digits only: nothing in them is a LIKE wildcard.
        q.push(" AND a.search LIKE ").push_bind(format!("% {word}%"));
    }
}

/// The catalogue page `query` asks for, drawn from `scope`.
async fn catalogue_page(conn: &mut Conn, scope: Scope, query: &CatalogueQuery) -> Result<Catalogue> {
    let selected = selections(query);
    let words = search_words(query);
    let language = query.language.as_deref().map(str::trim).filter(|l| !l.is_empty() && l.len() <= LANGUAGE_TAG_MAX);

    let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM activities a WHERE ");
    push_scope(&mut q, scope);
    push_filters(&mut q, &selected, &words, None);
    let total: i64 = q.build().fetch_one(&mut *conn).await?.try_get("n")?;

    let per_page = if query.per_page > 0 { query.per_page } else { i64::from(DEFAULT_PAGE) }.min(i64::from(MAX_PAGE));
    let page = query.page.clamp(1, 100_000);
    let mut q = QueryBuilder::<Db>::new("SELECT a.id, ");
    match language {
        Some(language) => {
            q.push(
                "CAST(CASE WHEN EXISTS (SELECT 1 FROM activity_facets l WHERE l.activity_id = a.id AND l.facet = 'language' \
                 AND (l.value = ",
            )
            .push_bind(language.to_owned())
            .push(" OR l.value LIKE ")
            .push_bind(format!("{}-%", language.replace(['%', '_', '\\'], "")))
            .push(")) THEN 1 ELSE 0 END AS BIGINT) AS in_language, COALESCE((SELECT t.sort_title FROM activity_texts t WHERE t.activity_id = a.id AND t.language = ")
            .push_bind(language.to_owned())
            .push("), ");
        }
        None => {
            q.push("CAST(1 AS BIGINT) AS in_language, ");
        }
    }
    q.push("(SELECT t.sort_title FROM activity_texts t WHERE t.activity_id = a.id ORDER BY t.position LIMIT 1)");
    if language.is_some() {
        q.push(")");
    }
    q.push(" AS sort_title FROM activities a WHERE ");
    push_scope(&mut q, scope);
    push_filters(&mut q, &selected, &words, None);
    q.push(" ORDER BY in_language DESC, sort_title, a.id LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind((page - 1) * per_page);
    let rows = q.build().fetch_all(&mut *conn).await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut in_language_ids = BTreeSet::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        if row.try_get::<i64, _>("in_language")? == 1 {
            in_language_ids.insert(id);
        }
        ids.push(id);
    }
    let (in_language, other_languages) =
        load_activities(conn, &ids).await?.into_iter().partition(|a| in_language_ids.contains(&a.id.0));

    let counts = facet_counts(conn, scope, &selected, &words).await?;
    Ok(Catalogue { in_language, other_languages, total, counts })
}

/// How many activities have each facet value, counted with every other facet's selection applied but
/// not the facet's own (so a teacher sees what adding a value would give): one statement, one
/// `GROUP BY` over the facet index for the facets without a selection and one per selected facet.
async fn facet_counts(
    conn: &mut Conn,
    scope: Scope,
    selected: &[(Facet, Vec<String>)],
    words: &[String],
) -> Result<Vec<FacetCount>> {
    let unselected: Vec<Facet> = Facet::ALL.iter().copied().filter(|f| !selected.iter().any(|(s, _)| s == f)).collect();
    let mut q = QueryBuilder::<Db>::new("");
    let mut first = true;
    let mut part = |q: &mut QueryBuilder<Db>, facets: &[Facet], except: Option<Facet>| {
        if !first {
            q.push(" UNION ALL ");
        }
        first = false;
        q.push(
            "SELECT f.facet, f.value, COUNT(*) AS n FROM activity_facets f JOIN activities a ON a.id = f.activity_id \
             WHERE f.facet IN (",
        );
        let mut list = q.separated(", ");
        for facet in facets {
            list.push_bind(facet.as_str());
        }
        q.push(") AND ");
        push_scope(q, scope);
        push_filters(q, selected, words, except);
        q.push(" GROUP BY f.facet, f.value");
    };
    if !unselected.is_empty() {
        part(&mut q, &unselected, None);
    }
    for (facet, _) in selected {
        part(&mut q, &[*facet], Some(*facet));
    }
    let mut found: BTreeMap<(Facet, String), i64> = BTreeMap::new();
    for row in q.build().fetch_all(&mut *conn).await? {
        let facet = text(&row, "facet", Facet::parse)?;
        found.insert((facet, row.try_get("value")?), row.try_get("n")?);
    }
    // A chosen language none has stays in the list (at zero), so that it can be unchosen.
    for (facet, values) in selected.iter().filter(|(f, _)| f.values().is_none()) {
        for value in values {
            found.entry((*facet, value.clone())).or_insert(0);
        }
    }
    // Every value of a facet with a fixed list, in the filters' order, zero when none has it; the
    // languages found or chosen, in tag order.
    let mut counts = Vec::new();
    for facet in Facet::ALL.iter().copied() {
        match facet.values() {
            Some(values) => counts.extend(values.iter().map(|v| FacetCount {
                facet,
                value: (*v).to_owned(),
                activities: found.get(&(facet, (*v).to_owned())).copied().unwrap_or(0),
            })),
            None => counts.extend(
                found
                    .range((facet, String::new())..)
                    .take_while(|((f, _), _)| *f == facet)
                    .map(|((_, value), n)| FacetCount { facet, value: value.clone(), activities: *n }),
            ),
        }
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------------------------------
// The trait

#[async_trait]
impl Activities for Backend {
    async fn create_activity(
        &self,
        actor: Actor,
        campaign: CampaignId,
        fields: ActivityFields,
        now: DateTime<Utc>,
    ) -> Result<Activity> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCatalogue, "campaign").await?;
        let fields = check_references(&mut tx, campaign, fields).await?;
        let id =
            insert_activity(&mut tx, campaign, ActivityStatus::Listed, &fields, None, None, to_micros(now)).await?;
        let activity = fetch_activity(&mut tx, id).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn update_activity(
        &self,
        actor: Actor,
        id: ActivityId,
        fields: ActivityFields,
        now: DateTime<Utc>,
    ) -> Result<Activity> {
        let mut tx = self.begin_write().await?;
        let stored = activity_for(&mut tx, actor, id, Action::EditCatalogue).await?;
        let fields = check_references(&mut tx, stored.campaign_id, fields).await?;
        update_fields(&mut tx, id, &fields, to_micros(now)).await?;
        let activity = fetch_activity(&mut tx, id).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn delete_activity(&self, actor: Actor, id: ActivityId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        activity_for(&mut tx, actor, id, Action::EditCatalogue).await?;
        // Events that ran it keep saying so (and the activity page its usage): such an activity is
        // hidden, not deleted.
        let chosen = sqlx::query("SELECT 1 AS one FROM event_activities WHERE activity_id = $1 LIMIT 1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if chosen.is_some() {
            return Err(StoreError::Conflict {
                field: "activity",
                message: "events have chosen this activity: hide it instead of deleting it".into(),
            });
        }
        sqlx::query("DELETE FROM activities WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn activity(&self, actor: Actor, id: ActivityId) -> Result<Activity> {
        let mut conn = self.pool.acquire().await?;
        activity_for(&mut conn, actor, id, Action::Read).await
    }

    async fn activities(&self, actor: Actor, campaign: CampaignId, query: &CatalogueQuery) -> Result<Catalogue> {
        let mut tx = self.pool.begin().await?;
        authorize(&mut tx, actor, campaign, Action::Read, "campaign").await?;
        let catalogue = catalogue_page(&mut tx, Scope::Team(campaign, query.status), query).await?;
        tx.commit().await?;
        Ok(catalogue)
    }

    async fn umbrella_activities(&self, actor: Actor, campaign: CampaignId) -> Result<Vec<(Activity, bool)>> {
        let mut tx = self.pool.begin().await?;
        authorize(&mut tx, actor, campaign, Action::Read, "campaign").await?;
        let rows = sqlx::query(
            "SELECT a.id, COALESCE(h.hidden, FALSE) AS hidden, \
             (SELECT t.sort_title FROM activity_texts t WHERE t.activity_id = a.id ORDER BY t.position LIMIT 1) AS sort_title \
             FROM activities a LEFT JOIN activity_choices h ON h.activity_id = a.id AND h.campaign_id = $1 \
             WHERE a.status = 'listed' AND a.campaign_id IN (SELECT parent_id FROM campaigns WHERE id = $1) \
             ORDER BY sort_title, a.id LIMIT $2",
        )
        .bind(campaign.0)
        .bind(UMBRELLA_LIST)
        .fetch_all(&mut *tx)
        .await?;
        let mut hidden = HashMap::with_capacity(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            hidden.insert(id, row.try_get::<bool, _>("hidden")?);
            ids.push(id);
        }
        let activities = load_activities(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(activities
            .into_iter()
            .map(|a| {
                let hidden = hidden.get(&a.id.0).copied().unwrap_or(false);
                (a, hidden)
            })
            .collect())
    }

    async fn hide_umbrella_activity(
        &self,
        actor: Actor,
        campaign: CampaignId,
        activity: ActivityId,
        hidden: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        authorize(&mut tx, actor, campaign, Action::EditCatalogue, "campaign").await?;
        let offered = sqlx::query(
            "SELECT 1 AS one FROM activities a WHERE a.id = $1 \
             AND a.campaign_id IN (SELECT parent_id FROM campaigns WHERE id = $2)",
        )
        .bind(activity.0)
        .bind(campaign.0)
        .fetch_optional(&mut *tx)
        .await?;
        if offered.is_none() {
            return Err(StoreError::NotFound("activity"));
        }
        sqlx::query(
            "INSERT INTO activity_choices (campaign_id, activity_id, hidden) VALUES ($1, $2, $3) \
             ON CONFLICT (campaign_id, activity_id) DO UPDATE SET hidden = excluded.hidden",
        )
        .bind(campaign.0)
        .bind(activity.0)
        .bind(hidden)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn review_activity(
        &self,
        actor: Actor,
        id: ActivityId,
        review: Review,
        mail: Option<OrganizerMail>,
        now: DateTime<Utc>,
    ) -> Result<Activity> {
        let mut tx = self.begin_write().await?;
        let stored = activity_for(&mut tx, actor, id, Action::EditCatalogue).await?;
        if stored.status != ActivityStatus::Submitted {
            return Err(StoreError::Conflict {
                field: "status",
                message: format!(
                    "only an activity waiting for review can be reviewed; this one is {}",
                    stored.status.label().to_lowercase()
                ),
            });
        }
        let title = stored.fields.texts.first().map(|t| t.title.clone()).unwrap_or_default();
        let target = Target { kind: "activity", id: Some(id.0), label: &title };
        match review {
            Review::List { checks } => {
                let missing: Vec<&str> =
                    ReviewCheck::ALL.iter().filter(|c| !checks.contains(c)).map(|c| c.label()).collect();
                if !missing.is_empty() {
                    return Err(Invalid::field(
                        "checklist",
                        format!("tick every check before listing; not yet: {}", missing.join(", ")),
                    )
                    .into());
                }
                let checklist: Vec<&str> = ReviewCheck::ALL.iter().map(|c| c.as_str()).collect();
                sqlx::query(
                    "UPDATE activities SET status = 'listed', checklist = $1, reason = '', updated_at = $2 WHERE id = $3",
                )
                .bind(checklist.join(","))
                .bind(to_micros(now))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                record(
                    &mut tx,
                    actor,
                    Some(stored.campaign_id),
                    AuditAction::ActivityListed,
                    Some(target),
                    serde_json::json!({}),
                )
                .await?;
            }
            Review::Reject { reason } => {
                let reason = checked_reason(&reason)?;
                sqlx::query("UPDATE activities SET status = 'rejected', reason = $1, updated_at = $2 WHERE id = $3")
                    .bind(&reason)
                    .bind(to_micros(now))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                if let (Some(mail), Some(submitter)) = (mail, &stored.submitter)
                    && let Ok(to) = Email::parse(&submitter.email)
                {
                    let mail =
                        SystemMail { to, to_name: submitter.name.clone(), subject: mail.subject, text: mail.text };
                    enqueue_system(&mut tx, Some(stored.campaign_id), &mail, to_micros(now)).await?;
                }
                record(
                    &mut tx,
                    actor,
                    Some(stored.campaign_id),
                    AuditAction::ActivityRejected,
                    Some(target),
                    serde_json::json!({ "reason": reason }),
                )
                .await?;
            }
        }
        let activity = fetch_activity(&mut tx, id).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn set_activity_hidden(
        &self,
        actor: Actor,
        id: ActivityId,
        hidden: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Activity> {
        let mut tx = self.begin_write().await?;
        let stored = activity_for(&mut tx, actor, id, Action::EditCatalogue).await?;
        let (from, to) = if hidden {
            (ActivityStatus::Listed, ActivityStatus::Hidden)
        } else {
            (ActivityStatus::Hidden, ActivityStatus::Listed)
        };
        if stored.status != from {
            return Err(StoreError::Conflict {
                field: "status",
                message: if hidden {
                    "only a listed activity can be hidden".into()
                } else {
                    "only a hidden activity can be listed again".into()
                },
            });
        }
        let reason = if hidden { checked_reason(reason)? } else { String::new() };
        sqlx::query("UPDATE activities SET status = $1, reason = $2, updated_at = $3 WHERE id = $4")
            .bind(to.as_str())
            .bind(&reason)
            .bind(to_micros(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let title = stored.fields.texts.first().map(|t| t.title.clone()).unwrap_or_default();
        let (action, detail) = if hidden {
            (AuditAction::ActivityHidden, serde_json::json!({ "reason": reason }))
        } else {
            (AuditAction::ActivityListed, serde_json::json!({ "again": true }))
        };
        let target = Target { kind: "activity", id: Some(id.0), label: &title };
        record(&mut tx, actor, Some(stored.campaign_id), action, Some(target), detail).await?;
        let activity = fetch_activity(&mut tx, id).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn submit_activity(
        &self,
        campaign: CampaignId,
        fields: ActivityFields,
        submitter: Submitter,
        now: DateTime<Utc>,
    ) -> Result<Activity> {
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 AS one FROM campaigns WHERE id = $1")
            .bind(campaign.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound("campaign"));
        }
        if let Some(partner) = submitter.partner {
            let ours = sqlx::query("SELECT 1 AS one FROM partners WHERE id = $1 AND campaign_id = $2")
                .bind(partner.0)
                .bind(campaign.0)
                .fetch_optional(&mut *tx)
                .await?;
            if ours.is_none() {
                return Err(StoreError::NotFound("partner"));
            }
        }
        let waiting: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM activities WHERE campaign_id = $1 AND status = 'submitted'")
                .bind(campaign.0)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if waiting >= limits::ACTIVITIES_WAITING {
            return Err(StoreError::Conflict {
                field: "activity",
                message: "the team has many activities to review already; please propose yours again in a few days"
                    .into(),
            });
        }
        // A submission names no partner or asset of the campaign's: those are the team's to set.
        let fields = ActivityFields { provider: None, asset: None, ..fields };
        if fields.url.is_none() {
            return Err(Invalid::field("url", "give the activity's web address").into());
        }
        let id = insert_activity(
            &mut tx,
            campaign,
            ActivityStatus::Submitted,
            &fields,
            Some(&submitter),
            None,
            to_micros(now),
        )
        .await?;
        let activity = fetch_activity(&mut tx, id).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn catalogue(&self, campaign: CampaignId, query: &CatalogueQuery) -> Result<Catalogue> {
        let mut tx = self.pool.begin().await?;
        let catalogue = catalogue_page(&mut tx, Scope::Public(campaign), query).await?;
        tx.commit().await?;
        Ok(catalogue)
    }

    async fn public_activity(&self, campaign: CampaignId, id: ActivityId) -> Result<(Activity, ActivityUsage)> {
        let mut tx = self.pool.begin().await?;
        if !catalogue_contains(&mut tx, campaign, &[id]).await? {
            return Err(StoreError::NotFound("activity"));
        }
        let activity = fetch_activity(&mut tx, id).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS events, CAST(COALESCE(SUM(COALESCE(e.students_actual, e.students_expected)), 0) AS BIGINT) AS students \
             FROM event_activities x JOIN events e ON e.id = x.event_id \
             WHERE x.activity_id = $1 AND e.status = 'approved' \
             AND e.campaign_id IN (SELECT id FROM campaigns WHERE id = $2 OR parent_id = $2)",
        )
        .bind(id.0)
        .bind(campaign.0)
        .fetch_one(&mut *tx)
        .await?;
        let usage = ActivityUsage { events: row.try_get("events")?, students: row.try_get("students")? };
        tx.commit().await?;
        Ok((activity, usage))
    }

    async fn activity_options(
        &self,
        campaign: CampaignId,
        q: &str,
        language: &str,
        limit: i64,
    ) -> Result<Vec<ActivityOption>> {
        let mut conn = self.pool.acquire().await?;
        let words: Vec<String> = limits::without_repeats(folded_words(q)).into_iter().take(SEARCH_WORDS).collect();
        let mut b = QueryBuilder::<Db>::new(
            "SELECT a.id, a.provider_name, COALESCE((SELECT t.title FROM activity_texts t WHERE t.activity_id = a.id AND t.language = ",
        );
        b.push_bind(language.to_owned())
            .push("), (SELECT t.title FROM activity_texts t WHERE t.activity_id = a.id ORDER BY t.position LIMIT 1)) AS title, ")
            .push("COALESCE((SELECT t.sort_title FROM activity_texts t WHERE t.activity_id = a.id AND t.language = ")
            .push_bind(language.to_owned())
            .push("), (SELECT t.sort_title FROM activity_texts t WHERE t.activity_id = a.id ORDER BY t.position LIMIT 1)) AS sort_title ")
            .push("FROM activities a WHERE ");
        push_public(&mut b, campaign);
        if !words.is_empty() {
            // Every word in one of its titles (any language's).
            b.push(" AND EXISTS (SELECT 1 FROM activity_texts w WHERE w.activity_id = a.id");
            for word in &words {
                b.push(" AND w.search LIKE ").push_bind(format!("% {word}%"));
            }
            b.push(")");
        }
        b.push(" ORDER BY sort_title, a.id LIMIT ").push_bind(limit.clamp(1, i64::from(MAX_PAGE)));
        let rows = b.build().fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                Ok(ActivityOption {
                    id: ActivityId(r.try_get("id")?),
                    title: r.try_get::<Option<String>, _>("title")?.unwrap_or_default(),
                    provider_name: r.try_get("provider_name")?,
                })
            })
            .collect()
    }
}

/// The most activities an umbrella offers that one member's list shows.
const UMBRELLA_LIST: i64 = 2000;

/// A reason for a rejection or hiding: required, at most [`limits::ACTIVITY_REASON`] characters.
fn checked_reason(reason: &str) -> Result<String> {
    rally_domain::validation::required_text(reason, limits::ACTIVITY_REASON)
        .map_err(|e| Invalid::field("reason", e).into())
}

/// The provider and asset an activity names must be the campaign's own; a provider without a name
/// shown is shown by the partner's name.
async fn check_references(conn: &mut Conn, campaign: CampaignId, mut fields: ActivityFields) -> Result<ActivityFields> {
    let mut problems = Vec::new();
    if let Some(provider) = fields.provider {
        let ours = sqlx::query("SELECT name FROM partners WHERE id = $1 AND campaign_id = $2")
            .bind(provider.0)
            .bind(campaign.0)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(partner) = &ours
            && fields.provider_name.is_empty()
        {
            fields.provider_name = partner.try_get("name")?;
        }
        if ours.is_none() {
            problems.push(rally_domain::FieldError {
                field: "provider".into(),
                message: "is not a partner of this campaign".into(),
            });
        }
    }
    if let Some(asset) = fields.asset {
        let ours = sqlx::query("SELECT 1 AS one FROM assets WHERE id = $1 AND campaign_id = $2")
            .bind(asset.0)
            .bind(campaign.0)
            .fetch_optional(&mut *conn)
            .await?;
        if ours.is_none() {
            problems.push(rally_domain::FieldError {
                field: "asset".into(),
                message: "is not in this campaign's asset library".into(),
            });
        }
    }
    if problems.is_empty() { Ok(fields) } else { Err(Invalid(problems).into()) }
}

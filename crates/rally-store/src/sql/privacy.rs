//! [`crate::Privacy`] in SQL: finding one person by address in every table that can name them,
//! exporting those rows as JSON, and erasing them (what is deleted and what anonymized, and why, is
//! in `privacy.rs`). The keyed hash that stands for an erased address afterwards is `erased.rs`'s.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use rally_domain::{Action, AuditAction, CampaignId, ContactId, Email, EventId};
use sqlx::{Column, QueryBuilder, Row, TypeInfo, ValueRef};

use super::audit::{Target, record, record_as};
use super::erased::{erased_among, keyed_hash, secret};
use super::{Backend, Conn, Db, DbRow, authorize, push_in, refresh_partner_terms};
use crate::privacy::{EXPORT_ROWS_PER_TABLE, ErasureReport};
use crate::{Actor, Privacy, Result, StoreError, from_micros, now_micros};

/// What replaces a name or an address inside free text.
const ERASED: &str = "[erased]";

/// Everything that identifies one person in the tables, found once per export or erasure.
#[derive(Debug)]
struct Person {
    /// The normalized address.
    email: String,
    scope: Option<CampaignId>,
    /// Their user account, when erasing or exporting everywhere.
    users: Vec<i64>,
    /// Their contacts, with each one's partner.
    contacts: Vec<(i64, i64)>,
    events: Vec<i64>,
    /// Activities they proposed for the catalogue (as submitter).
    activities: Vec<i64>,
    /// The address and the names the person goes by (as contact, organizer, user), the words to find
    /// in free text.
    terms: Vec<String>,
}

/// Names shorter than this are not looked for in free text: "Al" would match half the notes.
pub(super) const MIN_NAME_CHARS: usize = 3;

async fn find_person(conn: &mut Conn, email: &Email, scope: Option<CampaignId>) -> Result<Person> {
    let email = email.as_str().to_owned();
    let mut names = BTreeSet::new();
    let mut users = Vec::new();
    if scope.is_none() {
        for r in
            sqlx::query("SELECT id, name FROM users WHERE lower(email) = $1").bind(&email).fetch_all(&mut *conn).await?
        {
            users.push(r.try_get::<i64, _>("id")?);
            names.insert(r.try_get::<String, _>("name")?);
        }
    }
    let mut q = QueryBuilder::<Db>::new("SELECT id, partner_id, name FROM contacts WHERE lower(email) = ");
    q.push_bind(email.clone());
    in_scope(&mut q, "campaign_id", scope);
    let mut contacts = Vec::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        contacts.push((r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("partner_id")?));
        names.insert(r.try_get::<String, _>("name")?);
    }
    let mut q = QueryBuilder::<Db>::new("SELECT id, organizer_name FROM events WHERE lower(organizer_email) = ");
    q.push_bind(email.clone());
    in_scope(&mut q, "campaign_id", scope);
    let mut events = Vec::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        events.push(r.try_get::<i64, _>("id")?);
        names.insert(r.try_get::<String, _>("organizer_name")?);
    }
    let mut q = QueryBuilder::<Db>::new("SELECT id, submitter_name FROM activities WHERE lower(submitter_email) = ");
    q.push_bind(email.clone());
    in_scope(&mut q, "campaign_id", scope);
    let mut activities = Vec::new();
    for r in q.build().fetch_all(&mut *conn).await? {
        activities.push(r.try_get::<i64, _>("id")?);
        names.insert(r.try_get::<String, _>("submitter_name")?);
    }
    let mut terms = vec![email.clone()];
    terms.extend(
        names.into_iter().map(|n| n.trim().to_owned()).filter(|n| n.chars().count() >= MIN_NAME_CHARS && *n != email),
    );
    terms.dedup();
    Ok(Person { email, scope, users, contacts, events, activities, terms })
}

impl Person {
    fn contact_ids(&self) -> Vec<i64> {
        self.contacts.iter().map(|(id, _)| *id).collect()
    }

    fn is_empty(&self) -> bool {
        self.users.is_empty() && self.contacts.is_empty() && self.events.is_empty() && self.activities.is_empty()
    }
}

fn in_scope(q: &mut QueryBuilder<Db>, column: &str, scope: Option<CampaignId>) {
    if let Some(c) = scope {
        q.push(format!(" AND {column} = ")).push_bind(c.0);
    }
}

fn like_pattern(term: &str) -> String {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Whether any of `columns` contains any of the person's terms: compared lower-cased (PostgreSQL
/// folds every letter, SQLite only ASCII ones) and as written, so "Čedo" is found both as typed and
/// in lower case on either engine.
fn push_mentions(q: &mut QueryBuilder<Db>, columns: &[&str], terms: &[String]) {
    q.push(" (1 = 0");
    for column in columns {
        for term in terms {
            q.push(format!(" OR lower({column}) LIKE "))
                .push_bind(like_pattern(&term.to_lowercase()))
                .push(" ESCAPE '\\'");
            q.push(format!(" OR {column} LIKE ")).push_bind(like_pattern(term)).push(" ESCAPE '\\'");
        }
    }
    q.push(") ");
}

/// `text` with every occurrence of the terms (in any case) replaced by [`ERASED`]. When lower-casing
/// changes the text's length (a few letters outside Latin scripts), positions cannot be mapped back
/// and the whole text goes instead: erasing too much beats leaving a name behind.
fn redact(text: &str, terms: &[String]) -> String {
    let mut out = text.to_owned();
    for term in terms {
        let needle = term.to_lowercase();
        if needle.is_empty() {
            continue;
        }
        loop {
            let lower = out.to_lowercase();
            if lower.len() != out.len() {
                if lower.contains(&needle) {
                    return ERASED.to_owned();
                }
                break;
            }
            let Some(at) = lower.find(&needle) else { break };
            let end = at + needle.len();
            if !out.is_char_boundary(at) || !out.is_char_boundary(end) {
                return ERASED.to_owned();
            }
            out.replace_range(at..end, ERASED);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------
// Export

/// Columns never exported: credentials and what could be turned into one.
fn is_secret(column: &str) -> bool {
    ["hash", "token", "secret", "recovery", "csrf"].iter().any(|w| column.contains(w))
}

fn column_json(row: &DbRow, i: usize, name: &str) -> Result<serde_json::Value> {
    use serde_json::Value;
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let ty = row.columns()[i].type_info().name().to_uppercase();
    if ty.contains("BOOL") {
        return Ok(Value::Bool(row.try_get::<bool, _>(i)?));
    }
    if ty.contains("INT") {
        let n = match row.try_get::<i64, _>(i) {
            Ok(n) => n,
            Err(_) => i64::from(row.try_get::<i32, _>(i)?),
        };
        // Instants are stored as microseconds: shown as dates a person can read.
        if name == "at" || name.ends_with("_at") {
            return Ok(Value::String(from_micros(n)?.to_rfc3339()));
        }
        return Ok(Value::from(n));
    }
    if ty.contains("REAL") || ty.contains("FLOAT") || ty.contains("DOUBLE") || ty.contains("NUMERIC") {
        return Ok(Value::from(row.try_get::<f64, _>(i)?));
    }
    match row.try_get::<String, _>(i) {
        Ok(s) => Ok(Value::String(s)),
        Err(_) => Ok(Value::String(format!("({ty} value not shown)"))),
    }
}

fn row_json(row: &DbRow) -> Result<serde_json::Value> {
    let mut object = serde_json::Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if is_secret(name) {
            continue;
        }
        object.insert(name.to_owned(), column_json(row, i, name)?);
    }
    Ok(serde_json::Value::Object(object))
}

/// The query selecting the person's rows of `table`, or `None` for a table that cannot name anyone
/// (or that this scope does not reach). `columns` are the table's, to cover tables other parts of
/// Rally add (consent records) by the columns they have.
#[allow(clippy::too_many_lines, reason = "one arm per table: the list reads best whole")]
fn select_person(table: &str, columns: &[String], p: &Person) -> Option<QueryBuilder<Db>> {
    let has = |c: &str| columns.iter().any(|x| x == c);
    let everywhere = p.scope.is_none();
    let mut q = QueryBuilder::<Db>::new(format!("SELECT * FROM {table} WHERE "));
    let email = p.email.clone();
    match table {
        "users" if everywhere => push_in(&mut q, "id", &p.users),
        "memberships" | "sessions" | "known_devices" | "api_tokens" | "calendar_tokens" | "password_resets"
            if everywhere =>
        {
            push_in(&mut q, "user_id", &p.users)
        }
        "email_changes" if everywhere => {
            q.push("(lower(new_email) = ").push_bind(email).push(" OR ");
            push_in(&mut q, "user_id", &p.users);
            q.push(")");
        }
        "sign_in_gates" if everywhere => {
            q.push("lower(gate) LIKE ").push_bind(like_pattern(&email)).push(" ESCAPE '\\'");
        }
        // An account is not any one campaign's: a campaign's export or erasure leaves it alone.
        "users" | "memberships" | "sessions" | "known_devices" | "api_tokens" | "calendar_tokens"
        | "password_resets" | "email_changes" | "sign_in_gates" => return None,
        "invitations" => {
            q.push("lower(email) = ").push_bind(email);
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "contacts" => push_in(&mut q, "id", &p.contact_ids()),
        "events" => push_in(&mut q, "id", &p.events),
        "activities" => push_in(&mut q, "id", &p.activities),
        "event_log" => {
            q.push("(");
            push_in(&mut q, "event_id", &p.events);
            q.push(" OR ");
            push_mentions(&mut q, &["detail"], &p.terms);
            q.push(")");
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "outbox" => {
            q.push("(lower(email) = ").push_bind(email).push(" OR ");
            push_in(&mut q, "contact_id", &p.contact_ids());
            q.push(" OR ");
            push_in(&mut q, "event_id", &p.events);
            q.push(")");
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "outbox_staged" => {
            q.push("(lower(email) = ").push_bind(email).push(" OR ");
            push_in(&mut q, "contact_id", &p.contact_ids());
            q.push(")");
            if let Some(c) = p.scope {
                q.push(" AND batch_id IN (SELECT b.id FROM outbox_batches b JOIN messages m ON m.id = b.message_id WHERE m.campaign_id = ")
                    .push_bind(c.0)
                    .push(")");
            }
        }
        "suppressions" => {
            q.push("lower(email) = ").push_bind(email);
        }
        "interactions" => {
            q.push("(");
            push_in(&mut q, "contact_id", &p.contact_ids());
            q.push(" OR ");
            push_mentions(&mut q, &["body"], &p.terms);
            q.push(")");
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "tasks" => {
            push_mentions(&mut q, &["title"], &p.terms);
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "partners" => {
            push_mentions(&mut q, &["notes", "lost_reason"], &p.terms);
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "commitments" => {
            push_mentions(&mut q, &["note", "evidence"], &p.terms);
            in_scope(&mut q, "campaign_id", p.scope);
        }
        "stage_changes" | "asset_sends" => {
            let text: &[&str] = if table == "stage_changes" { &["note", "reason"] } else { &["note"] };
            push_mentions(&mut q, text, &p.terms);
            if let Some(c) = p.scope {
                q.push(" AND partner_id IN (SELECT id FROM partners WHERE campaign_id = ").push_bind(c.0).push(")");
            }
        }
        "import_undo" => {
            q.push("((entity = 'contact' AND ");
            push_in(&mut q, "entity_id", &p.contact_ids());
            q.push(") OR (entity = 'event' AND ");
            push_in(&mut q, "entity_id", &p.events);
            q.push(") OR ");
            push_mentions(&mut q, &["before"], &p.terms);
            q.push(")");
            if let Some(c) = p.scope {
                q.push(" AND batch_id IN (SELECT id FROM import_batches WHERE campaign_id = ").push_bind(c.0).push(")");
            }
        }
        "audit_log" => {
            q.push("(");
            push_in(&mut q, "user_id", &p.users);
            q.push(" OR (target_kind = 'contact' AND ");
            push_in(&mut q, "target_id", &p.contact_ids());
            q.push(") OR (target_kind = 'event' AND ");
            push_in(&mut q, "target_id", &p.events);
            q.push(") OR (target_kind = 'user' AND ");
            push_in(&mut q, "target_id", &p.users);
            q.push(") OR ");
            push_mentions(&mut q, &["actor", "target", "detail"], &p.terms);
            q.push(")");
            in_scope(&mut q, "campaign_id", p.scope);
        }
        // Tables added by other parts of Rally that name a person by address, contact or event
        // (consent records): found by their columns.
        _ if has("email") || has("contact_id") || has("event_id") => push_generic(&mut q, columns, p),
        _ => return None,
    }
    Some(q)
}

async fn export(conn: &mut Conn, schema: &BTreeMap<String, Vec<String>>, p: &Person) -> Result<serde_json::Value> {
    let mut tables = serde_json::Map::new();
    let mut truncated = Vec::new();
    for (table, columns) in schema {
        let Some(mut q) = select_person(table, columns, p) else { continue };
        q.push(" ORDER BY 1 LIMIT ").push_bind(EXPORT_ROWS_PER_TABLE as i64 + 1);
        let rows = q.build().fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            continue;
        }
        if rows.len() > EXPORT_ROWS_PER_TABLE {
            truncated.push(table.clone());
        }
        let list = rows.iter().take(EXPORT_ROWS_PER_TABLE).map(row_json).collect::<Result<Vec<_>>>()?;
        tables.insert(table.clone(), serde_json::Value::Array(list));
    }
    Ok(serde_json::json!({
        "email": p.email,
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "campaign": p.scope.map(|c| c.0),
        "tables": tables,
        "truncated": truncated,
    }))
}

// ---------------------------------------------------------------------------------------------------
// Erasure

/// Adds `n` rows of `table` to the report.
fn count(report: &mut BTreeMap<String, u64>, table: &str, n: u64) {
    if n > 0 {
        *report.entry(table.to_owned()).or_default() += n;
    }
}

/// Replaces the person's terms in the text `columns` of the rows `select` finds (it selects `id`
/// and those columns). Returns how many rows changed.
pub(super) async fn redact_rows(
    conn: &mut Conn,
    table: &str,
    columns: &[&str],
    mut select: QueryBuilder<Db>,
    terms: &[String],
) -> Result<u64> {
    let rows = select.build().fetch_all(&mut *conn).await?;
    let mut changed = 0;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let mut update = QueryBuilder::<Db>::new(format!("UPDATE {table} SET "));
        let mut any = false;
        {
            let mut sets = update.separated(", ");
            for column in columns {
                let Some(before) = r.try_get::<Option<String>, _>(*column)? else { continue };
                let after = redact(&before, terms);
                if after != before {
                    sets.push(format!("{column} = ")).push_bind_unseparated(after);
                    any = true;
                }
            }
        }
        if any {
            update.push(" WHERE id = ").push_bind(id);
            update.build().execute(&mut *conn).await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The selection for [`redact_rows`]: `id` and `columns` of the rows of `table` mentioning the person,
/// within the scope (`scope_sql` restricts to the campaign, given its id).
fn mentioning(table: &str, columns: &[&str], p: &Person, scope_sql: &str) -> QueryBuilder<Db> {
    let mut q = QueryBuilder::<Db>::new(format!("SELECT id, {} FROM {table} WHERE ", columns.join(", ")));
    push_mentions(&mut q, columns, &p.terms);
    if let Some(c) = p.scope {
        q.push(format!(" AND {scope_sql}")).push_bind(c.0);
        // A subquery's condition (`partner_id IN (SELECT …`) is closed after the campaign's id.
        if scope_sql.contains('(') {
            q.push(")");
        }
    }
    q
}

async fn erase(
    conn: &mut Conn,
    schema: &BTreeMap<String, Vec<String>>,
    p: &Person,
) -> Result<(BTreeMap<String, u64>, String)> {
    let mut report = BTreeMap::new();
    refuse_last_owner(conn, p).await?;
    let (hash, pseudonym) = key_the_address(conn, p, &mut report).await?;
    purge_mail(conn, p, &hash, &mut report).await?;
    anonymize_contacts(conn, p, &mut report).await?;
    anonymize_events(conn, p, &mut report).await?;
    anonymize_activities(conn, p, &mut report).await?;
    redact_free_text(conn, p, &mut report).await?;
    delete_traces(conn, schema, p, &mut report).await?;
    close_accounts(conn, schema, p, &mut report).await?;
    count(&mut report, "audit_log", pseudonymize(conn, p, &pseudonym).await?);
    Ok((report, pseudonym))
}

/// The last owner of a campaign cannot be erased (the campaign would have nobody left to run it);
/// checked before anything changes.
async fn refuse_last_owner(conn: &mut Conn, p: &Person) -> Result<()> {
    for user in &p.users {
        let last = sqlx::query(
            "SELECT c.slug FROM memberships m JOIN campaigns c ON c.id = m.campaign_id \
             WHERE m.user_id = $1 AND m.role = 'owner' AND \
             (SELECT COUNT(*) FROM memberships o WHERE o.campaign_id = m.campaign_id AND o.role = 'owner') = 1",
        )
        .bind(*user)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = last {
            let slug: String = r.try_get("slug")?;
            return Err(StoreError::Conflict {
                field: "email",
                message: format!(
                    "this person is the only owner of campaign `{slug}`: make someone else an owner first"
                ),
            });
        }
    }
    Ok(())
}

/// The hash that stands for the address from now on (on the suppression list, so nothing is sent to
/// it again), and the pseudonym the audit log uses.
async fn key_the_address(conn: &mut Conn, p: &Person, report: &mut BTreeMap<String, u64>) -> Result<(String, String)> {
    let now = now_micros();
    let secret = secret(conn).await?;
    let hash = keyed_hash(&secret, &p.email);
    let row = sqlx::query(
        "INSERT INTO suppressions (email, reason, scope, detail, created_at) VALUES ($1, 'erased', 'all', '', $2) \
         ON CONFLICT (email, reason) DO UPDATE SET scope = 'all' RETURNING id",
    )
    .bind(&hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let pseudonym = format!("erased person #{}", row.try_get::<i64, _>("id")?);
    // The person's own suppressions are re-keyed to the hash (an unsubscribe still counts against the
    // e-mail it followed, whose address becomes the same hash below), or dropped where the hash has
    // the same reason already.
    let rekeyed = sqlx::query(
        "UPDATE suppressions SET email = $1, detail = '' WHERE lower(email) = $2 AND NOT EXISTS \
         (SELECT 1 FROM suppressions s WHERE s.email = $1 AND s.reason = suppressions.reason)",
    )
    .bind(&hash)
    .bind(&p.email)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let dropped =
        sqlx::query("DELETE FROM suppressions WHERE lower(email) = $1").bind(&p.email).execute(&mut *conn).await?;
    count(report, "suppressions", rekeyed + dropped.rows_affected());
    Ok((hash, pseudonym))
}

/// Mail: the rows stay with their status and times; what names the person goes. Mail not sent yet
/// never will be.
async fn purge_mail(conn: &mut Conn, p: &Person, hash: &str, report: &mut BTreeMap<String, u64>) -> Result<()> {
    let contact_ids = p.contact_ids();
    let mut q = QueryBuilder::<Db>::new("UPDATE outbox SET email = ");
    q.push_bind(hash.to_owned()).push(
        ", to_name = '', subject = '', body_text = '', body_html = NULL, unsubscribe_url = '', last_reply = NULL, \
         status = CASE WHEN status IN ('planned', 'deferred', 'sending') THEN 'suppressed' ELSE status END, \
         reason = CASE WHEN status IN ('planned', 'deferred', 'sending') THEN 'erased' ELSE reason END, \
         leased_by = NULL, lease_until = NULL WHERE (lower(email) = ",
    );
    q.push_bind(p.email.clone()).push(" OR ");
    push_in(&mut q, "contact_id", &contact_ids);
    q.push(" OR ");
    push_in(&mut q, "event_id", &p.events);
    q.push(")");
    in_scope(&mut q, "campaign_id", p.scope);
    count(report, "outbox", q.build().execute(&mut *conn).await?.rows_affected());
    let mut q = QueryBuilder::<Db>::new("DELETE FROM outbox_staged WHERE (lower(email) = ");
    q.push_bind(p.email.clone()).push(" OR ");
    push_in(&mut q, "contact_id", &contact_ids);
    q.push(")");
    count(report, "outbox_staged", q.build().execute(&mut *conn).await?.rows_affected());
    Ok(())
}

/// Contacts: anonymized in place (their outbox rows hang off them), and their partners' search keys
/// rebuilt without the name and address.
async fn anonymize_contacts(conn: &mut Conn, p: &Person, report: &mut BTreeMap<String, u64>) -> Result<()> {
    let now = now_micros();
    for (id, _) in &p.contacts {
        sqlx::query(
            "UPDATE contacts SET name = 'Erased contact', email = $1, role = '', language = NULL, phone = NULL, \
             consent = 'opted_out', mail_preference = 'none', time_zone = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(format!("erased-contact-{id}@erased.invalid"))
        .bind(now)
        .bind(*id)
        .execute(&mut *conn)
        .await?;
    }
    count(report, "contacts", p.contacts.len() as u64);
    let partners: BTreeSet<i64> = p.contacts.iter().map(|(_, partner)| *partner).collect();
    for partner in partners {
        refresh_partner_terms(conn, rally_domain::PartnerId(partner)).await?;
    }
    Ok(())
}

/// Events: what the counter, the tallies and the public list count stays; who ran it goes.
async fn anonymize_events(conn: &mut Conn, p: &Person, report: &mut BTreeMap<String, u64>) -> Result<()> {
    let now = now_micros();
    for id in &p.events {
        let r = sqlx::query("SELECT title, organization, organizer_name, city, reason FROM events WHERE id = $1")
            .bind(*id)
            .fetch_one(&mut *conn)
            .await?;
        let title: String = r.try_get("title")?;
        let organization: String = r.try_get("organization")?;
        let city: String = r.try_get("city")?;
        let reason: String = r.try_get("reason")?;
        let mut names = p.terms.clone();
        if organization.trim().chars().count() >= MIN_NAME_CHARS {
            names.push(organization.trim().to_owned());
        }
        let title = if redact(&title, &names) == title { title } else { String::new() };
        // The same text the public list searches (`events::search_text`), without the organization.
        let search = rally_domain::text::fold(&format!("{title}  {city}"));
        sqlx::query(
            "UPDATE events SET organizer_name = '', organizer_email = $1, organization = '', title = $2, \
             description = '', own_activity = '', url = NULL, news_opt_in = FALSE, dedupe_key = $3, search = $4, reason = $5, \
             link_version = link_version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(format!("erased-event-{id}@erased.invalid"))
        .bind(&title)
        .bind(format!("erased:{id}"))
        .bind(search)
        .bind(redact(&reason, &names))
        .bind(now)
        .bind(*id)
        .execute(&mut *conn)
        .await?;
    }
    count(report, "events", p.events.len() as u64);
    Ok(())
}

/// Activities they proposed: the activity stays in the catalogue (or the review list); who proposed it
/// goes (a partner's link it came through stays: that is the partner's, not the person's).
async fn anonymize_activities(conn: &mut Conn, p: &Person, report: &mut BTreeMap<String, u64>) -> Result<()> {
    let mut q = QueryBuilder::<Db>::new(
        "UPDATE activities SET submitter_name = '', submitter_email = '', submitter_locale = '' WHERE ",
    );
    push_in(&mut q, "id", &p.activities);
    count(report, "activities", q.build().execute(&mut *conn).await?.rows_affected());
    Ok(())
}

/// Free text that may name the person, and the log of their own events.
async fn redact_free_text(conn: &mut Conn, p: &Person, report: &mut BTreeMap<String, u64>) -> Result<()> {
    let campaign = "campaign_id = ";
    let by_partner = "partner_id IN (SELECT id FROM partners WHERE campaign_id = ";
    for (table, columns, scope_sql) in [
        ("interactions", &["body"][..], campaign),
        ("tasks", &["title"][..], campaign),
        ("partners", &["notes", "lost_reason"][..], campaign),
        ("commitments", &["note", "evidence"][..], campaign),
        ("stage_changes", &["note", "reason"][..], by_partner),
        ("asset_sends", &["note"][..], by_partner),
        ("event_log", &["detail"][..], campaign),
        ("activities", &["reason"][..], campaign),
    ] {
        let n = redact_rows(conn, table, columns, mentioning(table, columns, p, scope_sql), &p.terms).await?;
        count(report, table, n);
    }
    // The log of the person's own events: its details may hold what they wrote (a changed title).
    let mut q = QueryBuilder::<Db>::new("UPDATE event_log SET detail = '' WHERE detail <> '' AND ");
    push_in(&mut q, "event_id", &p.events);
    count(report, "event_log", q.build().execute(&mut *conn).await?.rows_affected());
    Ok(())
}

/// Undo data, invitations, sign-in gates, address changes, and the rows of tables other parts of
/// Rally add that name the person.
async fn delete_traces(
    conn: &mut Conn,
    schema: &BTreeMap<String, Vec<String>>,
    p: &Person,
    report: &mut BTreeMap<String, u64>,
) -> Result<()> {
    let contact_ids = p.contact_ids();
    // Undo data: the before-images of the person's rows, and any that name them.
    let mut q = QueryBuilder::<Db>::new("DELETE FROM import_undo WHERE ((entity = 'contact' AND ");
    push_in(&mut q, "entity_id", &contact_ids);
    q.push(") OR (entity = 'event' AND ");
    push_in(&mut q, "entity_id", &p.events);
    q.push(") OR ");
    push_mentions(&mut q, &["before"], &p.terms);
    q.push(")");
    if let Some(c) = p.scope {
        q.push(" AND batch_id IN (SELECT id FROM import_batches WHERE campaign_id = ").push_bind(c.0).push(")");
    }
    count(report, "import_undo", q.build().execute(&mut *conn).await?.rows_affected());

    let mut q = QueryBuilder::<Db>::new("DELETE FROM invitations WHERE lower(email) = ");
    q.push_bind(p.email.clone());
    in_scope(&mut q, "campaign_id", p.scope);
    count(report, "invitations", q.build().execute(&mut *conn).await?.rows_affected());

    if p.scope.is_none() {
        let gates = sqlx::query("DELETE FROM sign_in_gates WHERE lower(gate) LIKE $1 ESCAPE '\\'")
            .bind(like_pattern(&p.email))
            .execute(&mut *conn)
            .await?;
        count(report, "sign_in_gates", gates.rows_affected());
        let mut q = QueryBuilder::<Db>::new("DELETE FROM email_changes WHERE lower(new_email) = ");
        q.push_bind(p.email.clone()).push(" OR ");
        push_in(&mut q, "user_id", &p.users);
        count(report, "email_changes", q.build().execute(&mut *conn).await?.rows_affected());
    }

    // Tables other parts of Rally add that name the person by address, contact or event (consent
    // records): the person's rows go.
    for (table, columns) in schema {
        if HANDLED.contains(&table.as_str()) {
            continue;
        }
        let has = |c: &str| columns.iter().any(|x| x == c);
        if !(has("email") || has("contact_id") || has("event_id")) {
            continue;
        }
        let mut q = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE "));
        push_generic(&mut q, columns, p);
        count(report, table, q.build().execute(&mut *conn).await?.rows_affected());
    }
    Ok(())
}

/// The account: anonymized and closed, unless it is someone's only way to run a campaign (checked
/// first, by [`refuse_last_owner`]).
async fn close_accounts(
    conn: &mut Conn,
    schema: &BTreeMap<String, Vec<String>>,
    p: &Person,
    report: &mut BTreeMap<String, u64>,
) -> Result<()> {
    for user in &p.users {
        for table in credential_tables(schema) {
            let n = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE user_id = $1")))
                .bind(*user)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            count(report, &table, n);
        }
        let n = sqlx::query("DELETE FROM memberships WHERE user_id = $1").bind(*user).execute(&mut *conn).await?;
        count(report, "memberships", n.rows_affected());
        sqlx::query("UPDATE users SET name = 'Erased user', email = $1, password_hash = NULL WHERE id = $2")
            .bind(format!("erased-user-{user}@erased.invalid"))
            .bind(*user)
            .execute(&mut *conn)
            .await?;
        count(report, "users", 1);
    }
    Ok(())
}

/// Tables [`erase`] treats by name; any other table with an `email`, `contact_id` or `event_id`
/// column loses the person's rows.
const HANDLED: &[&str] = &[
    "users",
    "contacts",
    "events",
    "event_log",
    "outbox",
    "outbox_staged",
    "suppressions",
    "interactions",
    "tasks",
    "import_undo",
    "invitations",
    "email_changes",
    "audit_log",
    "sign_in_gates",
    "activities",
    // Which catalogue activities an event ran: not about the organizer, and the activity's usage
    // counts keep counting the (anonymized) event.
    "event_activities",
];

/// The conditions of [`select_person`]'s catch-all arm, for a DELETE.
fn push_generic(q: &mut QueryBuilder<Db>, columns: &[String], p: &Person) {
    let has = |c: &str| columns.iter().any(|x| x == c);
    q.push("(1 = 0");
    if has("email") {
        q.push(" OR lower(email) = ").push_bind(p.email.clone());
    }
    if has("contact_id") {
        q.push(" OR ");
        push_in(q, "contact_id", &p.contact_ids());
    }
    if has("event_id") {
        q.push(" OR ");
        push_in(q, "event_id", &p.events);
    }
    q.push(")");
    if has("campaign_id") {
        in_scope(q, "campaign_id", p.scope);
    }
}

/// The tables holding a user's credentials: a `user_id` and a secret column (sessions, API tokens,
/// remembered browsers, calendar feeds, reset links, second factors).
fn credential_tables(schema: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    schema
        .iter()
        .filter(|(t, columns)| {
            t.as_str() != "users" && columns.iter().any(|c| c == "user_id") && columns.iter().any(|c| is_secret(c))
        })
        .map(|(t, _)| t.clone())
        .collect()
}

/// The audit log names the person by pseudonym only: as actor, as target, and in the details; the
/// client's address and user agent of what they did go too.
///
/// Erasing everywhere also runs the audit log's own [`super::audit::pseudonymize`] (every campaign's
/// entries, and the address as JSON escapes it); an erasure in one campaign touches that campaign's
/// entries only, matched here without regard to case.
async fn pseudonymize(conn: &mut Conn, p: &Person, pseudonym: &str) -> Result<u64> {
    if p.scope.is_none() {
        if p.users.is_empty() {
            super::audit::pseudonymize(conn, None, &p.email, pseudonym).await?;
        }
        for user in &p.users {
            super::audit::pseudonymize(conn, Some(rally_domain::UserId(*user)), &p.email, pseudonym).await?;
        }
        for name in p.terms.iter().skip(1) {
            super::audit::pseudonymize_text(conn, name, pseudonym).await?;
        }
    }
    let mut changed = 0;
    let mut q = QueryBuilder::<Db>::new("UPDATE audit_log SET actor = ");
    q.push_bind(pseudonym.to_owned()).push(", client_address = NULL, user_agent = NULL WHERE (");
    push_in(&mut q, "user_id", &p.users);
    q.push(" OR ");
    push_mentions(&mut q, &["actor"], &p.terms);
    q.push(")");
    in_scope(&mut q, "campaign_id", p.scope);
    changed += q.build().execute(&mut *conn).await?.rows_affected();
    let mut q = QueryBuilder::<Db>::new("UPDATE audit_log SET target = ");
    q.push_bind(pseudonym.to_owned()).push(" WHERE ((target_kind = 'contact' AND ");
    push_in(&mut q, "target_id", &p.contact_ids());
    q.push(") OR (target_kind = 'event' AND ");
    push_in(&mut q, "target_id", &p.events);
    q.push(") OR (target_kind = 'user' AND ");
    push_in(&mut q, "target_id", &p.users);
    q.push(") OR ");
    push_mentions(&mut q, &["target"], &p.terms);
    q.push(")");
    in_scope(&mut q, "campaign_id", p.scope);
    changed += q.build().execute(&mut *conn).await?.rows_affected();
    let mut terms = p.terms.clone();
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    changed +=
        redact_rows(conn, "audit_log", &["detail"], mentioning("audit_log", &["detail"], p, "campaign_id = "), &terms)
            .await?;
    Ok(changed)
}

// ---------------------------------------------------------------------------------------------------

/// The campaign of the event a signed link names, and its organizer's address.
async fn linked_organizer(conn: &mut Conn, event: EventId, link_version: i64) -> Result<(CampaignId, Email)> {
    let row = sqlx::query("SELECT campaign_id, organizer_email, link_version FROM events WHERE id = $1")
        .bind(event.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("event"))?;
    if row.try_get::<i64, _>("link_version")? != link_version {
        return Err(StoreError::NotFound("event"));
    }
    let email: String = row.try_get("organizer_email")?;
    let email = Email::parse(&email).map_err(|e| StoreError::Corrupt(format!("organizer_email: {e}")))?;
    Ok((CampaignId(row.try_get("campaign_id")?), email))
}

/// Users act in one campaign they own; the operator anywhere.
async fn check(conn: &mut Conn, actor: Actor, scope: Option<CampaignId>) -> Result<()> {
    match (actor, scope) {
        (Actor::System, None) => Ok(()),
        (_, Some(c)) => authorize(conn, actor, c, Action::PersonalData, "campaign").await.map(|_| ()),
        (Actor::User(_), None) => Err(StoreError::Forbidden),
    }
}

/// Who an erasure or export is recorded as when a contact asked from their unsubscribe page.
const CONTACT: &str = "the contact, through their unsubscribe link";

/// A contact's campaign, address and name; an erased contact (their address is no longer theirs) is
/// as unknown as a missing one.
async fn contact_of(conn: &mut Conn, contact: ContactId) -> Result<(CampaignId, Email, String)> {
    let row = sqlx::query("SELECT campaign_id, email, name FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
    let email: String = row.try_get("email")?;
    if email.ends_with("@erased.invalid") {
        return Err(StoreError::NotFound("contact"));
    }
    let email = Email::parse(&email).map_err(|e| StoreError::Corrupt(format!("contacts.email: {e}")))?;
    Ok((CampaignId(row.try_get("campaign_id")?), email, row.try_get("name")?))
}

/// Who an erasure or export is recorded as when the organizer asked through their link.
const ORGANIZER: &str = "the organizer, through their event link";

#[async_trait]
impl Privacy for Backend {
    async fn export_person(
        &self,
        actor: Actor,
        email: &Email,
        campaign: Option<CampaignId>,
    ) -> Result<serde_json::Value> {
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        check(&mut tx, actor, campaign).await?;
        let person = find_person(&mut tx, email, campaign).await?;
        let document = export(&mut tx, &schema, &person).await?;
        let rows: usize =
            document["tables"].as_object().map_or(0, |t| t.values().filter_map(|v| v.as_array()).map(Vec::len).sum());
        record(
            &mut tx,
            actor,
            campaign,
            AuditAction::PrivacyExport,
            Some(Target { kind: "person", id: None, label: email.as_str() }),
            serde_json::json!({ "rows": rows }),
        )
        .await?;
        tx.commit().await?;
        Ok(document)
    }

    async fn erase_person(
        &self,
        actor: Actor,
        email: &Email,
        campaign: Option<CampaignId>,
        reason: &str,
        dry_run: bool,
    ) -> Result<ErasureReport> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(rally_domain::Invalid::field("reason", "say why, in at most 500 characters").into());
        }
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        check(&mut tx, actor, campaign).await?;
        let person = find_person(&mut tx, email, campaign).await?;
        let (tables, pseudonym) = erase(&mut tx, &schema, &person).await?;
        let report = ErasureReport { pseudonym, dry_run, tables };
        if dry_run {
            tx.rollback().await?;
            return Ok(report);
        }
        record(
            &mut tx,
            actor,
            campaign,
            AuditAction::PrivacyErasure,
            Some(Target { kind: "person", id: None, label: &report.pseudonym }),
            // The reason is the team's words: it may name the person too.
            serde_json::json!({
                "reason": redact(reason, &person.terms),
                "rows": report.total(),
                "tables": report.tables,
                "found": !person.is_empty(),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn export_organizer(&self, event: EventId, link_version: i64) -> Result<serde_json::Value> {
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        let (campaign, email) = linked_organizer(&mut tx, event, link_version).await?;
        let target = Target { kind: "event", id: Some(event.0), label: "their own data" };
        let document = export_own(&mut tx, &schema, campaign, &email, ORGANIZER, target).await?;
        tx.commit().await?;
        Ok(document)
    }

    async fn erase_organizer(&self, event: EventId, link_version: i64) -> Result<ErasureReport> {
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        let (campaign, email) = linked_organizer(&mut tx, event, link_version).await?;
        let report = erase_own(&mut tx, &schema, campaign, &email, ORGANIZER, "asked by the organizer").await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn mail_contact_export(
        &self,
        contact: ContactId,
        compose: &(dyn for<'a> Fn(&'a str) -> (String, String) + Send + Sync),
    ) -> Result<()> {
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        let (campaign, email, name) = contact_of(&mut tx, contact).await?;
        let target = Target { kind: "contact", id: Some(contact.0), label: "their own data, sent to their address" };
        let document = export_own(&mut tx, &schema, campaign, &email, CONTACT, target).await?;
        let json = serde_json::to_string_pretty(&document).map_err(|e| StoreError::Corrupt(format!("export: {e}")))?;
        let (subject, text) = compose(&json);
        let mail = crate::SystemMail { to: email, to_name: name, subject, text };
        super::outbox::enqueue_system(&mut tx, Some(campaign), &mail, now_micros()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mail_contact(&self, contact: ContactId, subject: &str, text: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (campaign, email, name) = contact_of(&mut tx, contact).await?;
        let mail = crate::SystemMail { to: email, to_name: name, subject: subject.to_owned(), text: text.to_owned() };
        super::outbox::enqueue_system(&mut tx, Some(campaign), &mail, now_micros()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase_contact(&self, contact: ContactId) -> Result<ErasureReport> {
        let schema = self.read_schema().await?;
        let mut tx = self.begin_write().await?;
        let (campaign, email, _) = contact_of(&mut tx, contact).await?;
        let reason = "asked by the contact, confirmed by e-mail";
        let report = erase_own(&mut tx, &schema, campaign, &email, CONTACT, reason).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn erased_addresses(&self, emails: &[&str]) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        Ok(erased_among(&mut conn, emails.iter().copied()).await?.into_iter().collect())
    }
}

/// A person's own export (from their event link, or mailed to their address), recorded as theirs (`who`).
async fn export_own(
    conn: &mut Conn,
    schema: &BTreeMap<String, Vec<String>>,
    campaign: CampaignId,
    email: &Email,
    who: &str,
    target: Target<'_>,
) -> Result<serde_json::Value> {
    let person = find_person(conn, email, Some(campaign)).await?;
    let document = export(conn, schema, &person).await?;
    let detail = serde_json::json!({});
    record_as(conn, Actor::System, who, Some(campaign), AuditAction::PrivacyExport, Some(target), detail).await?;
    Ok(document)
}

/// A person's erasure at their own request (`who`: the organizer, the contact), recorded with `reason`.
async fn erase_own(
    conn: &mut Conn,
    schema: &BTreeMap<String, Vec<String>>,
    campaign: CampaignId,
    email: &Email,
    who: &str,
    reason: &str,
) -> Result<ErasureReport> {
    let person = find_person(conn, email, Some(campaign)).await?;
    let (tables, pseudonym) = erase(conn, schema, &person).await?;
    let report = ErasureReport { pseudonym, dry_run: false, tables };
    let target = Target { kind: "person", id: None, label: &report.pseudonym };
    let detail = serde_json::json!({ "reason": reason, "rows": report.total(), "tables": report.tables });
    record_as(conn, Actor::System, who, Some(campaign), AuditAction::PrivacyErasure, Some(target), detail).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_finds_names_in_any_case_and_keeps_the_rest() {
        let terms = vec!["ivana@skola.example".to_owned(), "Ivana Kovač".to_owned()];
        assert_eq!(
            redact("Called IVANA KOVAČ (ivana@skola.example) today", &terms),
            "Called [erased] ([erased]) today"
        );
        assert_eq!(redact("nothing here", &terms), "nothing here");
        assert_eq!(like_pattern("a_b%c"), "%a\\_b\\%c%");
        assert_ne!(keyed_hash("k", "A@b.example"), keyed_hash("other", "a@b.example"));
        assert_eq!(keyed_hash("k", "A@b.example"), keyed_hash("k", "a@b.example"));
    }
}

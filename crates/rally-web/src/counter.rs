//! The public counter's document: a campaign's approved events and their students, as the campaign
//! site and the public API (`/api/v1/public/campaigns/{slug}/stats`) both serve it.
//!
//! The cache is each process's own. With several `rally serve` behind a proxy, each reads a campaign's
//! figures from the database at most once per [`FRESH`], and a change shows on every one of them within
//! it: the process that made the change marks its own entry stale at once, the others' entries age out.
//! Two instances may therefore answer with figures up to [`FRESH`] apart. The public API's answer says
//! how long others may keep it (`Cache-Control: public, max-age=5`), so a visitor behind a shared cache
//! sees a change within [`FRESH`] and those five seconds, whichever instance answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use rally_domain::CampaignId;
use rally_store::{EventStats, Store};
use serde::Serialize;

use crate::kit::PageError;

/// How long figures (and a public site's settings) are served from memory.
pub const FRESH: Duration = Duration::from_secs(1);

/// The counter's figures per campaign, as last read: served while fresh, and kept as the fallback
/// while the database fails.
#[derive(Debug, Default)]
pub struct CounterCache {
    entries: Mutex<HashMap<String, CachedStats>>,
}

impl CounterCache {
    /// Marks a campaign's figures stale after a change this process made. They are not dropped: they
    /// stay the fallback if the database fails.
    pub fn mark_stale(&self, slug: &str) {
        if let Ok(mut m) = self.entries.lock()
            && let Some(c) = m.get_mut(slug)
        {
            c.at = Instant::now().checked_sub(FRESH * 2).unwrap_or(c.at);
        }
    }
}

/// A campaign's counter and statistics: approved events and their students (reported, else expected),
/// the campaign's member campaigns included.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicStats {
    /// The campaign's slug.
    pub campaign: String,
    pub students: i64,
    pub events: i64,
    pub countries: i64,
    pub goal: i64,
    /// `students / goal`, to three decimals.
    pub progress: f64,
    pub by_country: Vec<CountryRow>,
    pub by_type: Vec<TypeRow>,
    /// Registrations per week (the week's Monday), oldest first.
    pub by_week: Vec<WeekRow>,
}

impl PublicStats {
    pub fn new(slug: &str, s: &rally_store::EventStats) -> PublicStats {
        PublicStats {
            campaign: slug.to_owned(),
            students: s.students,
            events: s.events,
            countries: s.countries,
            goal: s.goal,
            progress: if s.goal > 0 { (s.students as f64 / s.goal as f64 * 1000.0).round() / 1000.0 } else { 0.0 },
            by_country: s
                .by_country
                .iter()
                .map(|r| CountryRow { country: r.key.clone(), events: r.events, students: r.students })
                .collect(),
            by_type: s
                .by_type
                .iter()
                .map(|r| TypeRow { event_type: r.key.clone(), events: r.events, students: r.students })
                .collect(),
            by_week: s
                .by_week
                .iter()
                .map(|r| WeekRow { week: r.key.clone(), events: r.events, students: r.students })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub events: i64,
    pub students: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TypeRow {
    /// `in_school`, `after_school`, `online` or `other`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub events: i64,
    pub students: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeekRow {
    pub week: String,
    pub events: i64,
    pub students: i64,
}

#[derive(Debug, Clone)]
struct CachedStats {
    at: Instant,
    campaign: CampaignId,
    stats: Arc<EventStats>,
    json: Bytes,
}

/// The counter and statistics of a campaign (and its members): from memory while fresh, else from the
/// database; when the database fails, the last good figures.
pub async fn stats(
    cache: &CounterCache,
    store: &dyn Store,
    slug: &str,
) -> Result<(CampaignId, Arc<EventStats>, Bytes), PageError> {
    let cached = cache.entries.lock().ok().and_then(|m| m.get(slug).cloned());
    let known = cached.as_ref().map(|c| c.campaign);
    let answer = fresh_or_last_good(cached.map(|c| (c.at, c)), || async {
        let campaign = match known {
            Some(c) => c,
            None => store.campaign_id(slug).await?.ok_or(rally_store::StoreError::NotFound("campaign"))?,
        };
        let stats = store.event_stats(campaign).await?;
        let document = crate::counter::PublicStats::new(slug, &stats);
        let json = Bytes::from(serde_json::to_vec(&document).unwrap_or_default());
        Ok(CachedStats { at: Instant::now(), campaign, stats: Arc::new(stats), json })
    })
    .await;
    match answer {
        Ok(Lookup::Fetched(c)) => {
            if let Ok(mut m) = cache.entries.lock() {
                if m.len() > 10_000 {
                    m.clear();
                }
                m.insert(slug.to_owned(), c.clone());
            }
            Ok((c.campaign, c.stats, c.json))
        }
        Ok(Lookup::Cached(c)) => Ok((c.campaign, c.stats, c.json)),
        Err(rally_store::StoreError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Where a cached answer came from.
#[derive(Debug, PartialEq)]
enum Lookup<T> {
    /// Just read from the database: worth keeping.
    Fetched(T),
    /// From memory: still fresh, or the last good value while the database fails.
    Cached(T),
}

/// A cached value while it is fresh; else a fresh one from `fetch`; and when `fetch` fails (anything but
/// "not found"), the last good value if there is one — so a counter never falls to a zero that is not true.
async fn fresh_or_last_good<T, F, Fut>(
    cached: Option<(Instant, T)>,
    fetch: F,
) -> Result<Lookup<T>, rally_store::StoreError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, rally_store::StoreError>>,
{
    let cached = match cached {
        Some((at, v)) if at.elapsed() < FRESH => return Ok(Lookup::Cached(v)),
        other => other,
    };
    match fetch().await {
        Ok(v) => Ok(Lookup::Fetched(v)),
        Err(rally_store::StoreError::NotFound(what)) => Err(rally_store::StoreError::NotFound(what)),
        Err(e) => match cached {
            Some((_, v)) => {
                tracing::warn!(error = %e, "serving the last good figures: the database failed");
                Ok(Lookup::Cached(v))
            }
            None => Err(e),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rally_store::StoreError;

    /// A failing database, as the store reports one it cannot read.
    fn down() -> StoreError {
        StoreError::Corrupt("disk I/O error".into())
    }

    #[tokio::test]
    async fn fresh_values_are_served_without_asking() {
        let got = fresh_or_last_good(Some((Instant::now(), 7)), || async { panic!("not asked") }).await;
        assert_eq!(got.unwrap(), Lookup::Cached(7));
    }

    #[tokio::test]
    async fn stale_values_are_refreshed_and_kept_when_the_database_fails() {
        let old = Instant::now().checked_sub(Duration::from_secs(5)).unwrap();
        let got = fresh_or_last_good(Some((old, 7)), || async { Ok(9) }).await;
        assert_eq!(got.unwrap(), Lookup::Fetched(9));
        let got = fresh_or_last_good(Some((old, 7)), || async { Err(down()) }).await;
        assert_eq!(got.unwrap(), Lookup::Cached(7), "the last good value, not an error and not zero");
        let got = fresh_or_last_good::<i64, _, _>(None, || async { Err(down()) }).await;
        assert!(matches!(got, Err(StoreError::Corrupt(_))), "nothing to fall back on: the error");
        let got = fresh_or_last_good(Some((old, 7)), || async { Err(StoreError::NotFound("campaign")) }).await;
        assert!(matches!(got, Err(StoreError::NotFound(_))), "a deleted campaign is gone, not stale");
    }
}

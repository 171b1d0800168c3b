//! The public counter's document: a campaign's approved events and their students, as the campaign
//! site and the public API (`/api/v1/public/campaigns/{slug}/stats`) both serve it.

use serde::Serialize;

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

//! `GET /campaigns/{slug}/comms/plan`: the planner — the whole future calendar, day by day: every
//! e-mail the draft messages would send (what the cadence rules moved and why, what would expire, which
//! contacts are left out) beside the queued e-mails still waiting in the outbox, deferred or paused.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use rally_comms::PlanLine;
use rally_comms::plan;
use rally_domain::cadence::{CadencePolicy, weekday_name};

use super::plan_problem;
use crate::AppState;
use crate::pages::{Layout, PageError, SignedIn, render};

/// One day of the planner: a row per message with e-mails that day.
pub struct PlanDay {
    pub day: String,
    pub rows: Vec<PlanRow>,
}

/// One message's e-mails of a day: how many go on time, and those moved, expired or left out.
pub struct PlanRow {
    pub message: String,
    /// "draft", "queued" or "paused".
    pub state: &'static str,
    pub on_time: usize,
    /// E-mails held while the message is paused.
    pub paused: usize,
    pub deferred: Vec<(String, String)>,
    pub expired: Vec<(String, String)>,
    /// Contacts of the segment that get nothing, and why.
    pub left_out: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "comms_plan.html")]
struct PlanPage {
    layout: Layout,
    slug: String,
    days: Vec<PlanDay>,
    total: usize,
    paused: usize,
    deferred: usize,
    expired: usize,
    left_out: usize,
    policy: String,
}

/// Every draft message's future e-mails, day by day, with what the cadence rules moved and why.
pub async fn calendar(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let found = app.store.campaign_by_slug(me.actor(), &slug).await?;
    let settings = app.store.mail_settings(me.actor(), found.campaign.id).await?;
    let lines = match plan::plan_campaign(&*app.store, me.actor(), found.campaign.id, Utc::now()).await {
        Ok(l) => l,
        Err(e) => return Err(PageError::BadRequest(plan_problem(e)?)),
    };
    let plan = Plan::of(&lines, &settings.policy);
    let policy = describe_policy(&settings.policy);
    let layout =
        Layout::new(&app, &me, Some(&slug), "comms", format!("E-mail plan · {}", found.campaign.fields.name)).await?;
    render(&PlanPage {
        layout,
        slug,
        total: lines.len() - plan.left_out,
        deferred: plan.deferred,
        paused: plan.paused,
        expired: plan.expired,
        left_out: plan.left_out,
        days: plan.days,
        policy,
    })
}

/// The planned e-mails by day (in the campaign's time zone) and message, and the totals.
struct Plan {
    days: Vec<PlanDay>,
    paused: usize,
    deferred: usize,
    expired: usize,
    left_out: usize,
}

impl Plan {
    /// Groups `lines` by day and, within a day, by message, counting what moved, expired or is left out.
    fn of(lines: &[PlanLine], policy: &CadencePolicy) -> Plan {
        let tz = policy.recipient_zone(None);
        let mut plan = Plan { days: Vec::new(), paused: 0, deferred: 0, expired: 0, left_out: 0 };
        for l in lines {
            let when = l.at.unwrap_or(l.wanted).with_timezone(&tz);
            let day = when.format("%a %Y-%m-%d").to_string();
            if plan.days.last().is_none_or(|d| d.day != day) {
                plan.days.push(PlanDay { day: day.clone(), rows: vec![] });
            }
            let Some(d) = plan.days.last_mut() else { continue };
            let state = l.state.as_str();
            let row = match d.rows.iter_mut().find(|r| r.message == l.message && r.state == state) {
                Some(r) => r,
                None => {
                    d.rows.push(PlanRow {
                        message: l.message.clone(),
                        state,
                        on_time: 0,
                        paused: 0,
                        deferred: vec![],
                        expired: vec![],
                        left_out: vec![],
                    });
                    let last = d.rows.len() - 1;
                    &mut d.rows[last]
                }
            };
            match (l.at, l.reason.is_empty()) {
                _ if l.state == rally_comms::LineState::Paused => {
                    plan.paused += 1;
                    row.paused += 1;
                }
                _ if l.left_out => {
                    plan.left_out += 1;
                    row.left_out.push((l.email.clone(), l.reason.clone()));
                }
                (None, _) => {
                    plan.expired += 1;
                    row.expired.push((l.email.clone(), l.reason.clone()));
                }
                (Some(at), false) => {
                    plan.deferred += 1;
                    let moved = format!(
                        "{} (wanted {}): {}",
                        at.with_timezone(&tz).format("%H:%M"),
                        l.wanted.with_timezone(&tz).format("%a %d %b %H:%M"),
                        l.reason
                    );
                    row.deferred.push((l.email.clone(), moved));
                }
                (Some(_), true) => row.on_time += 1,
            }
        }
        plan
    }
}

/// The cadence rules in a sentence: "At most 2 marketing e-mails per contact in 7 days, …".
fn describe_policy(p: &CadencePolicy) -> String {
    format!(
        "At most {} marketing e-mails per contact in {} days, {} h apart, between {:02}:00 and {:02}:00 ({}){}",
        p.max_per_window,
        p.window_days,
        p.min_gap_hours,
        p.window_start_hour,
        p.window_end_hour,
        p.time_zone,
        if p.quiet_weekdays.is_empty() {
            String::new()
        } else {
            format!(", never on {}", p.quiet_weekdays.iter().map(|d| weekday_name(*d)).collect::<Vec<_>>().join(", "))
        }
    )
}

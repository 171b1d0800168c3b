//! The demo's communication plan: sender and cadence, the campaign's milestones, and marketing
//! messages in Croatian and English — two queued for the coming days, so the outbox and the worker
//! have e-mail to deliver, and a thank-you draft.

use chrono::{Duration, NaiveDate, Utc};
use rally_domain::cadence::CadencePolicy;
use rally_domain::comms::{MessageDraft, MessageKind, MilestoneKind, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{Category, Email, Stage};
use rally_store::{Actor, MailSettings, MessageTemplate, Store};

/// A message of the demo: title, the milestone (by id) it is sent at, its segment, its language
/// variants, and whether it is queued at once.
type DemoMessage = (&'static str, i64, Segment, Vec<MessageTemplate>, bool);

/// The communication plan: sender and a 2-per-7-days cadence, the milestones, two messages to school
/// networks already queued for the coming days, and a thank-you draft.
pub(super) async fn comms(store: &dyn Store, campaign: &rally_domain::Campaign, base_url: &str) -> anyhow::Result<()> {
    let a = Actor::System;
    let today = Utc::now().date_naive();
    store.set_mail_settings(a, campaign.id, mail_settings(campaign)?).await?;
    let mut ids = Vec::new();
    for (kind, title, on) in milestones(campaign, today) {
        ids.push(store.create_milestone(a, campaign.id, kind, title, on).await?.id);
    }
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    for (title, milestone_id, segment, templates, queue) in messages(&ids)? {
        let fields = MessageDraft {
            title: Some(title.into()),
            kind: Some(MessageKind::Marketing),
            segment: Some(segment),
            send: Some(SendTime::Milestone { milestone_id, at: nine }),
            fallback_language: Some("en".into()),
        }
        .validate()?;
        let m = store.create_message(a, campaign.id, fields, templates).await?;
        if queue {
            rally_comms::plan::queue_message(store, a, m.id, base_url, Utc::now()).await?;
        }
    }
    Ok(())
}

/// The campaign as sender; at most two e-mails a week to a contact, a day apart, between 8:00 and
/// 18:00 Zagreb time and never on a Sunday.
fn mail_settings(campaign: &rally_domain::Campaign) -> anyhow::Result<MailSettings> {
    let policy = CadencePolicy {
        max_per_window: 2,
        window_days: 7,
        min_gap_hours: 24,
        quiet_weekdays: vec![chrono::Weekday::Sun],
        window_start_hour: 8,
        window_end_hour: 18,
        time_zone: "Europe/Zagreb".into(),
        expire_after_days: 14,
    };
    Ok(MailSettings {
        from_name: campaign.fields.name.clone(),
        from_address: Email::parse("info@satkodiranja.example.org").map_err(anyhow::Error::msg)?,
        reply_to: Some(Email::parse("tim@satkodiranja.example.org").map_err(anyhow::Error::msg)?),
        policy,
        // Partners are organizations the campaign works with: their contacts get campaign news unless they
        // object (GDPR art. 6(1)(f)), and the planner shows who opted out.
        legitimate_interest: true,
    })
}

/// The milestones, in the order `messages` refers to them; none in the past, whenever the demo is made.
fn milestones(campaign: &rally_domain::Campaign, today: NaiveDate) -> [(MilestoneKind, &'static str, NaiveDate); 6] {
    let f = &campaign.fields;
    let later = |n: i64| (today + Duration::days(n)).max(today);
    [
        (MilestoneKind::Announcement, "Announcement", later(3)),
        (MilestoneKind::RegistrationOpens, "Registration opens", later(1)),
        (MilestoneKind::Reminder, "Reminder before campaign week", later(4)),
        (MilestoneKind::CampaignWeek, "Campaign week", f.starts_on.max(today)),
        (MilestoneKind::ThankYou, "Thank-you", f.ends_on + Duration::days(3)),
        (MilestoneKind::ReportBack, "Report back", f.ends_on + Duration::days(14)),
    ]
}

fn template(language: &str, subject: &str, text: &str) -> anyhow::Result<MessageTemplate> {
    Ok(MessageTemplate {
        language: rally_domain::LanguageTag::parse(language).map_err(anyhow::Error::msg)?,
        category: None,
        set: TemplateSet { subject: subject.into(), text: text.into(), html: String::new() },
    })
}

/// The messages, sent at the milestones `ids` (from `milestones`) name.
fn messages(ids: &[i64]) -> anyhow::Result<[DemoMessage; 3]> {
    let schools = Segment { categories: vec![Category::SchoolNetwork], ..Default::default() };
    Ok([
        (
            "Registration is open",
            ids[1],
            schools.clone(),
            vec![
                template(
                    "hr",
                    "{{ campaign.name }}: prijave su otvorene",
                    "Poštovana/i {{ contact.first_name }},\n\nprijave za {{ campaign.name }} su otvorene. {{ campaign.message }}\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "{{ campaign.name }}: registration is open",
                    "Dear {{ contact.first_name }},\n\nregistration for {{ campaign.name }} is open. {{ campaign.message }}\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            true,
        ),
        (
            "Reminder: campaign week is coming",
            ids[2],
            schools,
            vec![
                template(
                    "hr",
                    "Još nekoliko dana do {{ campaign.name }}",
                    "Poštovana/i {{ contact.first_name }},\n\ntjedan kampanje počinje {{ campaign.starts_on }}. Jeste li prijavili svoje radionice?\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "A few days to {{ campaign.name }}",
                    "Dear {{ contact.first_name }},\n\ncampaign week starts on {{ campaign.starts_on }}. Have you registered your events?\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            true,
        ),
        (
            "Thank you",
            ids[4],
            Segment { stages: vec![Stage::ClosedWon], ..Default::default() },
            vec![
                template(
                    "hr",
                    "Hvala, {{ partner.name }}!",
                    "Poštovana/i {{ contact.first_name }},\n\nhvala što ste bili dio kampanje {{ campaign.name }}.\n\nOdjava: {{ unsubscribe_url }}",
                )?,
                template(
                    "en",
                    "Thank you, {{ partner.name }}!",
                    "Dear {{ contact.first_name }},\n\nthank you for being part of {{ campaign.name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
                )?,
            ],
            false,
        ),
    ])
}

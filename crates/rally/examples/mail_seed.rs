//! Fills a database with one campaign of N opted-in contacts (four per partner) and one marketing
//! message to all of them, for `bench/mail.sh`; prints the message's id as the last line of standard
//! output. The campaign's slug is `mailbench`.
//!
//!     cargo run --release --example mail_seed -- DATABASE_URL [CONTACTS]
//!
//! With `--send-only` it measures the delivery path without the database instead: it builds COUNT
//! e-mails shaped like the seeded ones (MIME, unsubscribe headers) and sends them through rally-mail's
//! transport with POOL tasks and connections, as the worker does, and prints the rate.
//!
//!     cargo run --release --example mail_seed -- --send-only smtp://127.0.0.1:2525?tls=none COUNT POOL

use std::sync::Arc;

use chrono::Utc;
use rally_domain::cadence::CadencePolicy;
use rally_domain::comms::{MessageDraft, MessageKind, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{Category, Consent, ContactDraft, Email, LanguageTag, PartnerDraft};
use rally_store::{Actor, MailSettings, MessageTemplate, PartnerLoad};

const CONTACTS_PER_PARTNER: usize = 4;
const FIRST_NAMES: [&str; 8] = ["Ana", "Ivan", "Marija", "Luka", "Petra", "Josip", "Željka", "Đuro"];
const LAST_NAMES: [&str; 6] = ["Horvat", "Kovačević", "Babić", "Marić", "Šimić", "Jurić"];

#[allow(clippy::too_many_lines, reason = "a benchmark's seed script, read top to bottom")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--send-only") {
        args.next();
        return send_only(args).await;
    }
    let url = args.next().ok_or_else(|| anyhow::anyhow!("usage: mail_seed DATABASE_URL [CONTACTS]"))?;
    let contacts: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let store = rally_store::open(&url).await?;

    let campaign = rally_domain::CampaignDraft {
        name: Some("Sat kodiranja 2026.".into()),
        slug: Some("mailbench".into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        message: Some(
            [
                (
                    "hr".to_owned(),
                    "Svako dijete zaslužuje priliku naučiti programirati — već jedan sat mijenja pogled na računala."
                        .to_owned(),
                ),
                (
                    "en".to_owned(),
                    "Every child deserves a chance to learn to code — a single hour changes how they see computers."
                        .to_owned(),
                ),
            ]
            .into(),
        ),
        goal_students: Some(1_000_000),
        starts_on: Some("2026-12-07".parse()?),
        ends_on: Some("2026-12-13".parse()?),
        ..Default::default()
    }
    .validate()?;
    let campaign = store.create_campaign(Actor::System, campaign).await?;

    // Sending now must be allowed whatever the hour and weekday of the run: no quiet days, a 0–24 window,
    // no gap; the cap is still checked for every e-mail (5 per 7 days, one e-mail each here).
    let policy = CadencePolicy {
        max_per_window: 5,
        window_days: 7,
        min_gap_hours: 0,
        quiet_weekdays: vec![],
        window_start_hour: 0,
        window_end_hour: 24,
        ..CadencePolicy::default()
    }
    .validate()?;
    let settings = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: Email::parse("info@satkodiranja.example.org").map_err(anyhow::Error::msg)?,
        reply_to: Some(Email::parse("pomoc@satkodiranja.example.org").map_err(anyhow::Error::msg)?),
        policy,
        legitimate_interest: false,
    };
    store.set_mail_settings(Actor::System, campaign.id, settings).await?;

    let partners = contacts.div_ceil(CONTACTS_PER_PARTNER);
    let mut loaded = 0;
    let mut batch = Vec::new();
    for i in 0..partners {
        let fields = PartnerDraft {
            name: Some(format!("Osnovna škola {i}")),
            category: Some(Category::ALL[i % Category::ALL.len()]),
            reach: Some(100),
            ..Default::default()
        }
        .validate()?;
        let mut people = Vec::new();
        for k in 0..CONTACTS_PER_PARTNER.min(contacts - i * CONTACTS_PER_PARTNER) {
            let n = i * CONTACTS_PER_PARTNER + k;
            people.push(
                ContactDraft {
                    name: Some(format!(
                        "{} {}",
                        FIRST_NAMES[n % FIRST_NAMES.len()],
                        LAST_NAMES[(n / FIRST_NAMES.len()) % LAST_NAMES.len()]
                    )),
                    email: Some(format!("c{k}.p{i}@skola{}.example.org", i % 100)),
                    language: Some(if n.is_multiple_of(2) { "hr" } else { "en" }.into()),
                    consent: Some(Consent::OptedIn),
                    ..Default::default()
                }
                .validate()?,
            );
        }
        batch.push(PartnerLoad { fields, created_at: Utc::now(), moves: vec![], contacts: people });
        if batch.len() == 2_500 || i + 1 == partners {
            loaded += store.load_partners(Actor::System, campaign.id, std::mem::take(&mut batch)).await?;
            eprintln!("loaded {loaded} partners");
        }
    }

    let template = |language: &str, subject: &str, text: &str, html: &str| -> anyhow::Result<MessageTemplate> {
        Ok(MessageTemplate {
            language: LanguageTag::parse(language).map_err(anyhow::Error::msg)?,
            category: None,
            set: TemplateSet { subject: subject.into(), text: text.into(), html: html.into() },
        })
    };
    let templates = vec![
        template(
            "hr",
            "{{ campaign.name }}: pozivamo vašu školu",
            "Poštovana/i {{ contact.first_name }},\n\n{{ campaign.message }}\n\nOd 7. do 13. prosinca škole diljem \
             Hrvatske održat će Sat kodiranja. Prijavite svoju školu i pridružite se.\n\nSrdačan pozdrav,\nTim Sata \
             kodiranja\n\nOdjava: {{ unsubscribe_url }}\n",
            "<p>Poštovana/i {{ contact.first_name }},</p>\n<p>{{ campaign.message }}</p>\n<p>Od 7. do 13. prosinca \
             škole diljem Hrvatske održat će Sat kodiranja. Prijavite svoju školu i pridružite se.</p>\n<p>Srdačan \
             pozdrav,<br>Tim Sata kodiranja</p>\n<p><a href=\"{{ unsubscribe_url }}\">Odjava</a></p>\n",
        )?,
        template(
            "en",
            "{{ campaign.name }}: an invitation to your school",
            "Dear {{ contact.first_name }},\n\n{{ campaign.message }}\n\nFrom 7 to 13 December schools across \
             Croatia will hold an Hour of Code. Register your school and join in.\n\nKind regards,\nThe Hour of Code \
             team\n\nUnsubscribe: {{ unsubscribe_url }}\n",
            "<p>Dear {{ contact.first_name }},</p>\n<p>{{ campaign.message }}</p>\n<p>From 7 to 13 December schools \
             across Croatia will hold an Hour of Code. Register your school and join in.</p>\n<p>Kind \
             regards,<br>The Hour of Code team</p>\n<p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>\n",
        )?,
    ];
    let fields = MessageDraft {
        title: Some("Invitation".into()),
        kind: Some(MessageKind::Marketing),
        segment: Some(Segment::default()),
        send: Some(SendTime::At(Utc::now() - chrono::Duration::minutes(1))),
        fallback_language: Some("en".into()),
    }
    .validate()?;
    let message = store.create_message(Actor::System, campaign.id, fields, templates).await?;
    println!("{}", message.id);
    Ok(())
}

/// Builds and sends COUNT e-mails straight through the transport, POOL at a time; no database.
async fn send_only(mut args: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let usage = || anyhow::anyhow!("usage: mail_seed --send-only SMTP_URL COUNT POOL");
    let url = args.next().ok_or_else(usage)?;
    let count: usize = args.next().ok_or_else(usage)?.parse()?;
    let pool: usize = args.next().ok_or_else(usage)?.parse()?;
    let transport = Arc::new(rally_mail::Transport::from_url(&url, u32::try_from(pool)?)?);
    let permits = Arc::new(tokio::sync::Semaphore::new(pool.max(1)));
    let bytes_sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await?;
        while let Some(done) = tasks.try_join_next() {
            done??;
        }
        let (transport, bytes_sent) = (transport.clone(), bytes_sent.clone());
        tasks.spawn(async move {
            let unsubscribe = format!("https://rally.example.org/u/{i}.0021490c9cdf84bc44698aa36c28d8d9");
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let mail = rally_mail::OutgoingMail {
                from: ("Sat kodiranja".into(), "info@satkodiranja.example.org".into()),
                reply_to: Some("pomoc@satkodiranja.example.org".into()),
                to: (format!("{first} Horvat"), format!("c0.p{i}@skola{}.example.org", i % 100)),
                subject: "Sat kodiranja 2026.: pozivamo vašu školu".into(),
                text: format!(
                    "Poštovana/i {first},\n\nSvako dijete zaslužuje priliku naučiti programirati — već jedan sat \
                     mijenja pogled na računala.\n\nOd 7. do 13. prosinca škole diljem Hrvatske održat će Sat \
                     kodiranja. Prijavite svoju školu i pridružite se.\n\nSrdačan pozdrav,\nTim Sata kodiranja\n\n\
                     Odjava: {unsubscribe}\n"
                ),
                html: Some(format!(
                    "<p>Poštovana/i {first},</p>\n<p>Svako dijete zaslužuje priliku naučiti programirati — već jedan \
                     sat mijenja pogled na računala.</p>\n<p>Od 7. do 13. prosinca škole diljem Hrvatske održat će \
                     Sat kodiranja. Prijavite svoju školu i pridružite se.</p>\n<p>Srdačan pozdrav,<br>Tim Sata \
                     kodiranja</p>\n<p><a href=\"{unsubscribe}\">Odjava</a></p>\n"
                )),
                unsubscribe: Some((unsubscribe.clone(), true)),
                message_id: format!("outbox-{i}-1"),
                extra_headers: vec![("X-Rally-Message".into(), "1".into())],
            };
            let result = match rally_mail::build(&mail, None) {
                Ok((envelope, bytes)) => {
                    bytes_sent.fetch_add(bytes.len(), std::sync::atomic::Ordering::Relaxed);
                    transport.send(&envelope.from, &envelope.to, &bytes).await.map_err(anyhow::Error::from)
                }
                Err(e) => Err(e.into()),
            };
            drop(permit);
            result
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let seconds = started.elapsed().as_secs_f64();
    transport.shutdown().await;
    let average = bytes_sent.load(std::sync::atomic::Ordering::Relaxed) / count.max(1);
    println!("sent {count} e-mails of {average} bytes on average in {seconds:.2} s");
    println!("{:.0}", count as f64 / seconds);
    Ok(())
}

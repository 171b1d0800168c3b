//! Campaign e-mail end to end, with the real binary and Postfix's `smtp-sink` on loopback: a message
//! queued with `rally comms queue`, delivered by `rally worker`, unsubscribed with one click from its
//! own header; and the crash test — a worker killed with SIGKILL in the middle of 10,000 e-mails loses
//! none and repeats at most the ones in flight.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use rally_domain::cadence::CadencePolicy;
use rally_domain::comms::{MailPreference, MessageDraft, MessageKind, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{Category, ContactDraft, Email, LanguageTag, PartnerDraft};
use rally_store::{Actor, MailSettings, MessageTemplate, PartnerLoad, Store};

use super::cli::{RALLY, Running, free_port, ok, wait_healthy};

const SINK: &str = "/usr/sbin/smtp-sink";

/// Postfix's smtp-sink on a free loopback port, dumping every message into its own file.
struct Sink {
    _process: Running,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// `None` (after saying why) when smtp-sink is not installed, unless RALLY_REQUIRE_SMTP_SINK is set.
    fn start() -> Option<Sink> {
        if !Path::new(SINK).exists() {
            assert!(
                std::env::var_os("RALLY_REQUIRE_SMTP_SINK").is_none(),
                "{SINK} is missing: install the postfix package"
            );
            eprintln!("skipped: {SINK} is not installed (Debian package postfix)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // smtp-sink drops its privileges to the postfix user; the dump directory must be its to write.
        let mut perms = std::fs::metadata(dir.path()).unwrap_or_else(|e| panic!("{e}")).permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o777);
        std::fs::set_permissions(dir.path(), perms).unwrap_or_else(|e| panic!("{e}"));
        let port = free_port();
        let template = format!("{}/%Y%m%d%H%M%S.", dir.path().display());
        let child = Command::new(SINK)
            .args(["-u", "postfix", "-d", &template, &format!("127.0.0.1:{port}"), "256"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{SINK}: {e}"));
        let process = Running(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "smtp-sink did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Sink { _process: process, port, dir })
    }

    fn url(&self) -> String {
        // smtp-sink speaks plain SMTP; Rally requires STARTTLS unless told otherwise.
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    fn files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path()).into_iter().flatten().flatten().map(|e| e.path()).collect()
    }

    /// Messages received per recipient (from each dump's `To:` header).
    fn by_recipient(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for path in self.files() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let to = header(&text, "To").unwrap_or_default();
            let address = to.rsplit('<').next().unwrap_or(&to).trim_end_matches('>').trim().to_lowercase();
            *out.entry(address).or_insert(0) += 1;
        }
        out
    }
}

/// A header's (unfolded) value.
fn header(message: &str, name: &str) -> Option<String> {
    let unfolded = message.replace("\r\n ", " ").replace("\r\n\t", " ").replace("\n ", " ");
    let prefix = format!("{}:", name.to_lowercase());
    unfolded.lines().find(|l| l.to_lowercase().starts_with(&prefix)).map(|l| l[prefix.len()..].trim().to_owned())
}

async fn open(url: &str) -> std::sync::Arc<dyn Store> {
    rally_store::open(url).await.unwrap_or_else(|e| panic!("{e}"))
}

fn campaign(slug: &str) -> rally_domain::CampaignFields {
    rally_domain::CampaignDraft {
        name: Some("Sat kodiranja".into()),
        slug: Some(slug.into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        message: Some(
            [
                ("hr".to_owned(), "Svatko može programirati.".to_owned()),
                ("en".to_owned(), "Anyone can code.".to_owned()),
            ]
            .into(),
        ),
        goal_students: Some(10_000),
        starts_on: Some("2026-12-07".parse().unwrap_or_default()),
        ends_on: Some("2026-12-13".parse().unwrap_or_default()),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `partners` partners of `category`, each with `per` contacts (language `language`).
fn loads(prefix: &str, category: Category, language: &str, partners: usize, per: usize) -> Vec<PartnerLoad> {
    (0..partners)
        .map(|i| PartnerLoad {
            fields: PartnerDraft {
                name: Some(format!("{prefix} {i}")),
                category: Some(category),
                reach: Some(100),
                ..Default::default()
            }
            .validate()
            .unwrap_or_else(|e| panic!("{e}")),
            created_at: Utc::now(),
            moves: vec![],
            contacts: (0..per)
                .map(|k| {
                    ContactDraft {
                        name: Some(format!("Ana {prefix} {i}-{k}")),
                        email: Some(format!("c{k}.{i}@{}.example.org", prefix.to_lowercase())),
                        language: Some(language.into()),
                        consent: Some(rally_domain::Consent::OptedIn),
                        ..Default::default()
                    }
                    .validate()
                    .unwrap_or_else(|e| panic!("{e}"))
                })
                .collect(),
        })
        .collect()
}

fn set(subject: &str, text: &str, html: &str) -> TemplateSet {
    TemplateSet { subject: subject.into(), text: text.into(), html: html.into() }
}

async fn message(
    store: &dyn Store,
    campaign: rally_domain::CampaignId,
    title: &str,
    segment: Segment,
    templates: Vec<MessageTemplate>,
) -> i64 {
    let fields = MessageDraft {
        title: Some(title.into()),
        kind: Some(MessageKind::Marketing),
        segment: Some(segment),
        send: Some(SendTime::At(Utc::now() - chrono::Duration::minutes(1))),
        fallback_language: Some("en".into()),
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    store.create_message(Actor::System, campaign, fields, templates).await.unwrap_or_else(|e| panic!("{e}")).id
}

/// A policy that lets the tests send at any hour of any day.
fn open_policy(max: u32) -> CadencePolicy {
    CadencePolicy {
        max_per_window: max,
        window_days: 7,
        min_gap_hours: 0,
        quiet_weekdays: vec![],
        window_start_hour: 0,
        window_end_hour: 24,
        ..CadencePolicy::default()
    }
}

async fn settings(store: &dyn Store, campaign: rally_domain::CampaignId, policy: CadencePolicy) {
    let s = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: Email::parse("info@satkodiranja.example.org").unwrap_or_else(|e| panic!("{e}")),
        reply_to: None,
        policy,
        legitimate_interest: false,
    };
    store.set_mail_settings(Actor::System, campaign, s).await.unwrap_or_else(|e| panic!("{e}"));
}

pub async fn campaign_mail_reaches_a_real_smtp_server(db: &str) {
    let Some(sink) = Sink::start() else { return };
    let store = open(db).await;
    let c = store.create_campaign(Actor::System, campaign("mail")).await.unwrap_or_else(|e| panic!("{e}"));
    settings(&*store, c.id, open_policy(2)).await;
    let mut all = loads("Skola", Category::SchoolNetwork, "hr", 5, 2);
    all.extend(loads("Tvrtka", Category::ItCompany, "en", 5, 2));
    store.load_partners(Actor::System, c.id, all).await.unwrap_or_else(|e| panic!("{e}"));
    let hr = |category| MessageTemplate {
        language: LanguageTag::parse("hr").unwrap_or_else(|e| panic!("{e}")),
        category,
        set: set(
            "{{ campaign.name }}: poziv školama",
            "Poštovana/i {{ contact.first_name }},\n{{ campaign.message }}\nOdjava: {{ unsubscribe_url }}",
            "<p>Poštovana/i {{ contact.first_name }},</p><p>{{ campaign.message }}</p>",
        ),
    };
    let en_companies = MessageTemplate {
        language: LanguageTag::parse("en").unwrap_or_else(|e| panic!("{e}")),
        category: Some(Category::ItCompany),
        set: set(
            "{{ campaign.name }}: your employees as volunteers",
            "Dear {{ contact.first_name }},\nVolunteer with us.",
            "",
        ),
    };
    let en = MessageTemplate { category: None, ..en_companies.clone() };
    let first = message(&*store, c.id, "Announcement", Segment::default(), vec![hr(None), en_companies, en]).await;

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let queued = ok(
        &[
            "comms",
            "queue",
            "--database",
            db,
            "--campaign",
            "mail",
            "--message",
            &first.to_string(),
            "--base-url",
            &base,
        ],
        None,
    );
    assert!(queued.contains("queued 20 e-mails: 20 on time"), "{queued}");
    let delivered = ok(&["worker", "--database", db, "--mail", &sink.url(), "--drain"], None);
    assert!(delivered.contains("delivered or settled 20"), "{delivered}");
    let received = sink.by_recipient();
    assert_eq!(received.len(), 20, "{received:?}");
    assert!(received.values().all(|n| *n == 1));

    // What a school read, and what a company read.
    let dumps: Vec<String> = sink.files().iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect();
    let school = dumps.iter().find(|d| d.contains("c0.0@skola.example.org")).cloned().unwrap_or_default();
    let company = dumps.iter().find(|d| d.contains("c0.0@tvrtka.example.org")).cloned().unwrap_or_default();
    assert!(header(&school, "Content-Type").is_some_and(|t| t.starts_with("multipart/alternative")), "{school}");
    assert!(header(&company, "Subject").is_some_and(|s| s.contains("volunteers")), "{company}");
    assert_eq!(header(&school, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let unsubscribe = header(&school, "List-Unsubscribe").unwrap_or_default();
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    assert!(url.starts_with(&format!("{base}/u/")), "{unsubscribe}");

    // One click, as a mail provider does it: a POST without cookies, twice.
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = Command::new(RALLY)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
            "--data-dir",
            &files.path().display().to_string(),
            "--no-worker",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = Running(server);
    wait_healthy(&base).await;
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let r = client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await;
        assert_eq!(r.map(|r| r.status().as_u16()).ok(), Some(200));
    }
    let last = if url.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &url[..url.len() - 1]);
    let r = client.post(&forged).body("List-Unsubscribe=One-Click").send().await.map(|r| r.status().as_u16()).ok();
    assert_eq!(r, Some(404), "a token changed by one character is refused");
    assert_eq!(store.unsubscribed(Actor::System, first).await.ok(), Some(1), "the message's unsubscribe count");
    let page = reqwest::get(&url).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(page.contains("value=\"essential\" checked"), "the page shows the choice: {page}");

    // The next message skips the unsubscribed contact; the cap (2 in 7 days) defers a third one.
    let second = message(
        &*store,
        c.id,
        "Registration opens",
        Segment::default(),
        vec![
            hr(None),
            MessageTemplate {
                category: None,
                language: LanguageTag::parse("en").unwrap_or_else(|e| panic!("{e}")),
                set: set("Registration", "Register now.", ""),
            },
        ],
    )
    .await;
    let queued = ok(
        &[
            "comms",
            "queue",
            "--database",
            db,
            "--campaign",
            "mail",
            "--message",
            &second.to_string(),
            "--base-url",
            &base,
        ],
        None,
    );
    assert!(queued.contains("queued 19 e-mails") && queued.contains("1 contacts left out"), "{queued}");
    ok(&["worker", "--database", db, "--mail", &sink.url(), "--drain"], None);
    assert_eq!(sink.files().len(), 39);
    let third = message(
        &*store,
        c.id,
        "Reminder",
        Segment::default(),
        vec![
            hr(None),
            MessageTemplate {
                category: None,
                language: LanguageTag::parse("en").unwrap_or_else(|e| panic!("{e}")),
                set: set("Reminder", "Do not forget.", ""),
            },
        ],
    )
    .await;
    let plan = ok(&["comms", "plan", "--database", db, "--campaign", "mail"], None);
    assert!(plan.contains("19 deferred") && plan.contains("2 e-mails in the 7 days before"), "{plan}");
    let queued = ok(
        &[
            "comms",
            "queue",
            "--database",
            db,
            "--campaign",
            "mail",
            "--message",
            &third.to_string(),
            "--base-url",
            &base,
        ],
        None,
    );
    assert!(queued.contains("19 deferred"), "{queued}");
    ok(&["worker", "--database", db, "--mail", &sink.url(), "--drain"], None);
    assert_eq!(sink.files().len(), 39, "nobody gets a third e-mail within 7 days");
    let (_, school_contact) = store
        .recipients(Actor::System, third)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| (r.preference, r))
        .find(|(p, _)| *p == MailPreference::Essential)
        .unwrap_or_else(|| panic!("the unsubscribed contact"));
    assert!(school_contact.excluded.is_some());
}

/// A campaign `slug` with `n` school contacts (4 per school) who may get mail at any hour, and a draft
/// announcement to all of them; returns the message's id.
pub(super) async fn school_announcement(db: &str, slug: &str, n: usize) -> i64 {
    let store = open(db).await;
    let c = store.create_campaign(Actor::System, campaign(slug)).await.unwrap_or_else(|e| panic!("{e}"));
    settings(&*store, c.id, open_policy(5)).await;
    store
        .load_partners(Actor::System, c.id, loads("Skola", Category::SchoolNetwork, "hr", n / 4, 4))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let templates = vec![MessageTemplate {
        language: LanguageTag::parse("hr").unwrap_or_else(|e| panic!("{e}")),
        category: None,
        set: set("Sat kodiranja", "Bok {{ contact.first_name }}, {{ campaign.message }}", ""),
    }];
    message(&*store, c.id, "Announcement", Segment::default(), templates).await
}

pub async fn a_killed_worker_loses_nothing(db: &str) {
    let Some(sink) = Sink::start() else { return };
    const N: usize = 10_000;
    const CONCURRENCY: usize = 4;
    let id = school_announcement(db, "crash", N).await;
    let started = Instant::now();
    let queued = ok(&["comms", "queue", "--database", db, "--campaign", "crash", "--message", &id.to_string()], None);
    eprintln!("crash test: queued {N} in {:?}", started.elapsed());
    let started = Instant::now();
    assert!(queued.contains(&format!("queued {N} e-mails")), "{queued}");

    let worker = |drain: bool| {
        let mut args = vec!["worker", "--database", db, "--mail"];
        let url = sink.url();
        let concurrency = CONCURRENCY.to_string();
        args.extend([url.as_str(), "--concurrency", concurrency.as_str(), "--lease-seconds", "2"]);
        if drain {
            args.push("--drain");
        }
        Command::new(RALLY)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut first = worker(false);
    let deadline = Instant::now() + Duration::from_secs(120);
    while sink.files().len() < N / 3 {
        assert!(Instant::now() < deadline, "the worker is too slow: {} sent", sink.files().len());
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap_or_else(|e| panic!("SIGKILL: {e}"));
    first.wait().unwrap_or_else(|e| panic!("{e}"));
    let at_crash = sink.files().len();
    assert!(at_crash < N, "killed in the middle, not after the end");
    // Its leases run out; a new worker takes over.
    std::thread::sleep(Duration::from_millis(2500));
    let status = worker(true).wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    let received = sink.by_recipient();
    assert_eq!(received.len(), N, "every recipient got the message");
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= CONCURRENCY,
        "{duplicates} duplicates, more than the {CONCURRENCY} e-mails in flight at the crash"
    );
    eprintln!(
        "crash test: {at_crash} of {N} sent before SIGKILL, {duplicates} sent twice; delivery took {:?}",
        started.elapsed()
    );
}

pub async fn several_workers_send_each_email_once(db: &str) {
    let Some(sink) = Sink::start() else { return };
    const N: usize = 2_000;
    let id = school_announcement(db, "workers", N).await;
    ok(&["comms", "queue", "--database", db, "--campaign", "workers", "--message", &id.to_string()], None);
    // Three worker processes drain the same outbox at once.
    let url = sink.url();
    let workers: Vec<Running> = (0..3)
        .map(|_| {
            let child = Command::new(RALLY)
                .args(["worker", "--database", db, "--mail", &url, "--concurrency", "4", "--drain"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"));
            Running(child)
        })
        .collect();
    for mut w in workers {
        let status = w.0.wait().unwrap_or_else(|e| panic!("{e}"));
        assert!(status.success());
    }
    let received = sink.by_recipient();
    assert_eq!(received.len(), N);
    let twice: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
}

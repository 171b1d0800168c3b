//! A clean stop in the middle of a send, with the real binary and Postfix's `smtp-sink` on loopback:
//! SIGTERM to a `rally worker` delivering 10,000 e-mails. It exits 0 within its grace period, having
//! recorded every e-mail the server took, given back every claimed one it had not started (a second
//! worker takes them at once, not when the 10-minute lease would run out) and ended each SMTP session
//! with QUIT; between them the two workers deliver every e-mail exactly once. And when the grace
//! period runs out on e-mails the server has not answered, those stay leased and the rest go back.
//! `rally serve` stops its in-process worker the same way.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rally_domain::comms::OutboxStatus;
use rally_store::{Actor, Store};

use super::cli::{RALLY, Running, free_port, ok, wait_healthy};
use super::mail::school_announcement;

const SINK: &str = "/usr/sbin/smtp-sink";

both_backends!(
    a_stopped_worker_finishes_its_sends_and_gives_back_the_rest,
    a_stopped_server_stops_its_worker_cleanly,
    sends_unanswered_after_the_grace_stay_leased
);

/// Postfix's smtp-sink on a free loopback port: every message dumped into a file of its own, its
/// running counters of ended sessions, QUIT commands and messages (`-c`) in one log and what it
/// logs itself (with `-v`, every command) in another.
struct Sink {
    _process: Running,
    port: u16,
    dumps: tempfile::TempDir,
    logs: tempfile::TempDir,
}

impl Sink {
    /// `None` (after saying why) when smtp-sink is not installed, unless RALLY_REQUIRE_SMTP_SINK is set.
    fn start(options: &[&str]) -> Option<Sink> {
        if !Path::new(SINK).exists() {
            assert!(
                std::env::var_os("RALLY_REQUIRE_SMTP_SINK").is_none(),
                "{SINK} is missing: install the postfix package"
            );
            eprintln!("skipped: {SINK} is not installed (Debian package postfix)");
            return None;
        }
        let dumps = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // smtp-sink drops its privileges to the postfix user; the dump directory must be its to write.
        let mut perms = std::fs::metadata(dumps.path()).unwrap_or_else(|e| panic!("{e}")).permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o777);
        std::fs::set_permissions(dumps.path(), perms).unwrap_or_else(|e| panic!("{e}"));
        let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let log = |name: &str| std::fs::File::create(logs.path().join(name)).unwrap_or_else(|e| panic!("{e}"));
        let port = free_port();
        let template = format!("{}/%Y%m%d%H%M%S.", dumps.path().display());
        let child = Command::new(SINK)
            .args(["-u", "postfix", "-c", "-d", &template])
            .args(options)
            .args([&format!("127.0.0.1:{port}"), "256"])
            .stdout(log("counters"))
            .stderr(log("log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{SINK}: {e}"));
        let sink = Sink { _process: Running(child), port, dumps, logs };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sink.answers() {
            assert!(Instant::now() < deadline, "smtp-sink did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(sink)
    }

    /// Whether it greets; the probe's session ends with QUIT, as every session should, so the
    /// counters still compare.
    fn answers(&self) -> bool {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
        let mut line = String::new();
        let greeted = reader.read_line(&mut line).is_ok_and(|_| line.starts_with("220"));
        let _ = stream.write_all(b"QUIT\r\n");
        line.clear();
        let _ = reader.read_line(&mut line);
        greeted
    }

    fn url(&self) -> String {
        // smtp-sink speaks plain SMTP; Rally requires STARTTLS unless told otherwise.
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    fn files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dumps.path()).into_iter().flatten().flatten().map(|e| e.path()).collect()
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.logs.path().join(name)).unwrap_or_default()
    }

    /// The last counters: (sessions ended, QUIT commands, messages).
    fn counters(&self) -> (u64, u64, u64) {
        let log = self.log("counters");
        let last = log.split(['\r', '\n']).rfind(|l| l.starts_with("sess=")).unwrap_or_default().to_owned();
        let value = |key: &str| {
            last.split_whitespace().find_map(|field| field.strip_prefix(key)).and_then(|v| v.parse().ok()).unwrap_or(0)
        };
        (value("sess="), value("quit="), value("mesg="))
    }

    /// The counters once they no longer change: the sink has seen every session of a process that
    /// has exited end.
    fn settled_counters(&self) -> (u64, u64, u64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = self.counters();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.counters();
            if now == last || Instant::now() > deadline {
                return now;
            }
            last = now;
        }
    }
}

/// How many times each e-mail arrived, by its Message-ID (one per outbox row), over all the sinks.
fn arrivals(sinks: &[&Sink]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for path in sinks.iter().flat_map(|s| s.files()) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let id = text
            .lines()
            .find_map(|l| l.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("message-id")))
            .map_or_else(|| format!("no Message-ID in {}", path.display()), |(_, id)| id.trim().to_owned());
        *out.entry(id).or_insert(0) += 1;
    }
    out
}

/// `rally worker` delivering to `sink`, its log in `log`.
fn worker(db: &str, sink: &Sink, options: &[&str], log: &Path) -> Running {
    let child = Command::new(RALLY)
        .args(["worker", "--database", db, "--mail", &sink.url()])
        .args(options)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap_or_else(|e| panic!("{e}")))
        .spawn()
        .unwrap_or_else(|e| panic!("{RALLY}: {e}"));
    Running(child)
}

/// SIGTERM, as a service manager stops Rally.
fn terminate(child: &Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()), "kill -TERM {}", child.id());
}

/// The process's exit status, once it exits within `limit`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

async fn counts(store: &dyn Store, message: i64) -> BTreeMap<OutboxStatus, usize> {
    let counts = store.outbox_counts(Actor::System, message).await.unwrap_or_else(|e| panic!("{e}"));
    counts.into_iter().map(|(status, n)| (status, usize::try_from(n).unwrap_or(usize::MAX))).collect()
}

fn queue(db: &str, slug: &str, message: i64, n: usize) {
    let queued = ok(&["comms", "queue", "--database", db, "--campaign", slug, "--message", &message.to_string()], None);
    assert!(queued.contains(&format!("queued {n} e-mails")), "{queued}");
}

async fn a_stopped_worker_finishes_its_sends_and_gives_back_the_rest(db: &str) {
    const N: usize = 10_000;
    let Some(first_sink) = Sink::start(&[]) else { return };
    let Some(second_sink) = Sink::start(&[]) else { return };
    let store = rally_store::open(db).await.unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let message = school_announcement(db, "stop", N).await;
    queue(db, "stop", message, N);
    eprintln!("shutdown test: {N} e-mails seeded and queued in {:?}", started.elapsed());

    // A lease far longer than the test: a row the first worker kept would never reach the second.
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = logs.path().join("first.log");
    let mut first = worker(db, &first_sink, &["--concurrency", "4", "--lease-seconds", "600"], &log);
    let stop = stop_cleanly(&mut first, &log, &first_sink, 500).await;
    check_the_stop(&*store, message, N, &first_sink, &stop).await;
    let second_took = drain_the_rest(db, &*store, message, N, &[&first_sink, &second_sink]).await;
    eprintln!(
        "shutdown test: {} of {N} sent before SIGTERM; the worker stopped in {:?} over {} SMTP sessions (the \
         sink's probe included), each ended with QUIT; the second worker sent the other {} in {second_took:?}",
        stop.sent,
        stop.took,
        stop.sessions,
        N - stop.sent
    );
}

/// `rally serve` stops its in-process worker on the same signal, the same way.
async fn a_stopped_server_stops_its_worker_cleanly(db: &str) {
    const N: usize = 2_000;
    let Some(first_sink) = Sink::start(&[]) else { return };
    let Some(second_sink) = Sink::start(&[]) else { return };
    let store = rally_store::open(db).await.unwrap_or_else(|e| panic!("{e}"));
    let message = school_announcement(db, "serve", N).await;
    queue(db, "serve", message, N);

    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = files.path().join("serve.log");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(RALLY)
        .args(["serve", "--listen", &listen, "--database", db, "--data-dir", &files.path().display().to_string()])
        .args(["--mail", &first_sink.url(), "--lease-seconds", "600"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}")))
        .spawn()
        .unwrap_or_else(|e| panic!("{RALLY}: {e}"));
    let mut server = Running(child);
    wait_healthy(&format!("http://{listen}")).await;
    let stop = stop_cleanly(&mut server, &log, &first_sink, 200).await;
    assert!(std::net::TcpStream::connect(&listen).is_err(), "the server stopped listening");
    check_the_stop(&*store, message, N, &first_sink, &stop).await;
    drain_the_rest(db, &*store, message, N, &[&first_sink, &second_sink]).await;
}

/// How a delivering process stopped.
struct Stop {
    /// E-mails the server took before the process exited.
    sent: usize,
    took: Duration,
    /// SMTP sessions the sink saw end, its own start-up probe included.
    sessions: u64,
}

/// Sends SIGTERM to `process` once `sink` has `after` e-mails, and requires exit code 0 well within
/// the 30-second grace period, and a QUIT at the end of every SMTP session.
async fn stop_cleanly(process: &mut Running, log: &Path, sink: &Sink, after: usize) -> Stop {
    let deadline = Instant::now() + Duration::from_secs(60);
    while sink.files().len() < after {
        assert!(Instant::now() < deadline, "delivery is too slow: {} sent", sink.files().len());
        let exited = process.0.try_wait().ok().flatten();
        assert!(exited.is_none(), "exited early: {}", std::fs::read_to_string(log).unwrap_or_default());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    terminate(&process.0);
    let signalled = Instant::now();
    let status = exit_within(&mut process.0, Duration::from_secs(40));
    let took = signalled.elapsed();
    let log = std::fs::read_to_string(log).unwrap_or_default();
    assert!(status.is_some_and(|s| s.code() == Some(0)), "exit {status:?} after {took:?}: {log}");
    assert!(took < Duration::from_secs(30), "stopped after {took:?}, past the grace period: {log}");
    let sent = sink.files().len();
    let (sessions, quits, messages) = sink.settled_counters();
    assert_eq!(messages, sent as u64);
    assert!(sessions >= 2, "{sessions} sessions");
    assert_eq!(quits, sessions, "{} of {sessions} SMTP sessions ended without QUIT", sessions - quits);
    Stop { sent, took, sessions }
}

/// What the database says right after the stop: nothing left leased, each e-mail the server took
/// recorded as sent, every other one waiting again.
async fn check_the_stop(store: &dyn Store, message: i64, n: usize, sink: &Sink, stop: &Stop) {
    assert!(stop.sent < n, "stopped in the middle, not after the end");
    assert_eq!(sink.files().len(), stop.sent);
    assert_eq!(
        counts(store, message).await,
        BTreeMap::from([(OutboxStatus::Planned, n - stop.sent), (OutboxStatus::Sent, stop.sent)]),
        "no row may stay leased"
    );
}

/// A second worker delivers the rest at once (the stopped one's 10-minute leases would hold them
/// otherwise); between the two, each e-mail arrived exactly once. Returns how long it took.
async fn drain_the_rest(db: &str, store: &dyn Store, message: i64, n: usize, sinks: &[&Sink; 2]) -> Duration {
    let started = Instant::now();
    let rest = n - sinks[0].files().len();
    let drained =
        ok(&["worker", "--database", db, "--mail", &sinks[1].url(), "--lease-seconds", "600", "--drain"], None);
    assert!(drained.contains(&format!("delivered or settled {rest} e-mails")), "{drained}");
    let took = started.elapsed();
    assert_eq!(counts(store, message).await, BTreeMap::from([(OutboxStatus::Sent, n)]));
    let received = arrivals(sinks);
    assert_eq!(received.len(), n, "every e-mail arrived");
    let twice: Vec<_> = received.iter().filter(|(_, k)| **k > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    took
}

async fn sends_unanswered_after_the_grace_stay_leased(db: &str) {
    const N: usize = 40;
    // This server takes 30 s to answer DATA, and logs each command (-v): the worker's first e-mails
    // are in flight when it is told to stop, and still unanswered when its 1-second grace runs out.
    let Some(slow) = Sink::start(&["-v", "-w", "30"]) else { return };
    let Some(sink) = Sink::start(&[]) else { return };
    let store = rally_store::open(db).await.unwrap_or_else(|e| panic!("{e}"));
    let message = school_announcement(db, "grace", N).await;
    queue(db, "grace", message, N);

    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = logs.path().join("worker.log");
    let options = ["--concurrency", "2", "--lease-seconds", "600", "--shutdown-grace-seconds", "1"];
    let mut stopped = worker(db, &slow, &options, &log);
    let deadline = Instant::now() + Duration::from_secs(30);
    while slow.log("log").lines().filter(|l| l.ends_with(": DATA")).count() < 2 {
        assert!(Instant::now() < deadline, "no DATA: {}", slow.log("log"));
        std::thread::sleep(Duration::from_millis(10));
    }
    terminate(&stopped.0);
    let signalled = Instant::now();
    let status = exit_within(&mut stopped.0, Duration::from_secs(20));
    let stop_took = signalled.elapsed();
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.is_some_and(|s| s.code() == Some(0)), "exit {status:?} after {stop_took:?}: {log}");
    assert!(stop_took < Duration::from_secs(10), "stopped after {stop_took:?}: {log}");
    // The two e-mails in flight stay leased (the server may yet take them); the other claimed ones
    // (a batch is 8 per connection) went back with the 24 never claimed.
    assert_eq!(
        counts(&*store, message).await,
        BTreeMap::from([(OutboxStatus::Planned, N - 2), (OutboxStatus::Sending, 2)]),
        "{log}"
    );
    let drained = ok(&["worker", "--database", db, "--mail", &sink.url(), "--drain"], None);
    assert!(drained.contains(&format!("delivered or settled {} e-mails", N - 2)), "{drained}");
    assert_eq!(
        counts(&*store, message).await,
        BTreeMap::from([(OutboxStatus::Sending, 2), (OutboxStatus::Sent, N - 2)]),
        "the two in flight wait for their lease to run out"
    );
    assert_eq!(arrivals(&[&sink]).len(), N - 2);
}

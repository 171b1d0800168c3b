//! The CLI contract, run as a user runs it: the real binary, a real database (SQLite file and
//! PostgreSQL), a real server on loopback, and HTTP calls like the README's curl examples.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(super) const RALLY: &str = env!("CARGO_BIN_EXE_rally");

both_backends!(
    the_cli_contract_works_with_http,
    the_demo_serves_a_populated_campaign,
    campaign_mail_reaches_a_real_smtp_server,
    a_killed_worker_loses_nothing,
    several_workers_send_each_email_once
);

use super::mail::{
    a_killed_worker_loses_nothing, campaign_mail_reaches_a_real_smtp_server, several_workers_send_each_email_once,
};

pub(super) fn rally(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(RALLY)
        .args(args)
        .env_remove("RALLY_DATABASE_URL")
        .env_remove("RALLY_LISTEN")
        .env_remove("RALLY_PUBLIC_URL")
        .env_remove("RALLY_TRUSTED_PROXIES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("rally {args:?}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        // A command that fails before it reads its input closes the pipe early; that is not an error here.
        let _ = input.write_all(stdin.unwrap_or_default().as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("rally {args:?}: {e}"))
}

pub(super) fn ok(args: &[&str], stdin: Option<&str>) -> String {
    let out = rally(args, stdin);
    assert!(out.status.success(), "rally {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(super) fn fails(args: &[&str], stdin: Option<&str>, says: &str) {
    let out = rally(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "rally {args:?} should fail");
    assert!(stderr.contains(says), "rally {args:?}: expected {says:?} in: {stderr}");
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// A server process of ours, ended when the test ends.
pub(super) struct Running(pub(super) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("rally did not become healthy at {base}");
}

async fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET), url)
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn the_cli_contract_works_with_http(db: &str) {
    let migrated = ok(&["migrate", "--database", db], None);
    assert!(migrated.contains("up to date"), "{migrated}");
    ok(&["migrate", "--database", db], None);
    let added = ok(
        &["user", "add", "--database", db, "--email", "Ana@Example.org", "--name", "Ana Horvat"],
        Some("a long password\n"),
    );
    assert!(added.contains("ana@example.org"), "{added}");
    ok(
        &["user", "add", "--database", db, "--email", "ivo@example.org", "--name", "Ivo"],
        Some("another long password\n"),
    );
    let token = ok(&["token", "create", "--database", db, "--email", "ana@example.org"], None);
    let token = token.lines().last().unwrap_or_default().to_owned();
    assert!(token.starts_with("rally_"), "{token}");
    let ivo = ok(&["token", "create", "--database", db, "--email", "ivo@example.org"], None)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let listen = format!("127.0.0.1:{port}");
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data_dir = files.path().display().to_string();
    let server = Command::new(RALLY)
        .args(["serve", "--listen", &listen, "--database", db, "--data-dir", &data_dir])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("rally serve: {e}"));
    let _server = Running(server);
    wait_healthy(&base).await;

    let (status, campaign) = call(
        "POST",
        &format!("{base}/api/v1/campaigns"),
        &token,
        Some(json!({
            "name": "Sat kodiranja", "slug": "hr-2026", "goal_students": 50000, "languages": ["hr"],
            "message": {"hr": "Svatko može programirati."}, "starts_on": "2026-12-07", "ends_on": "2026-12-13"
        })),
    )
    .await;
    assert_eq!(status, 201, "{campaign}");
    let cid = campaign["id"].as_i64().unwrap_or_default();
    let (status, partner) = call(
        "POST",
        &format!("{base}/api/v1/campaigns/{cid}/partners"),
        &token,
        Some(json!({"name": "Infobip", "category": "it_company", "reach": 25000})),
    )
    .await;
    assert_eq!((status, partner["tier"].as_str()), (201, Some("high")));
    let pid = partner["id"].as_i64().unwrap_or_default();
    let (status, _) = call(
        "POST",
        &format!("{base}/api/v1/partners/{pid}/stage"),
        &token,
        Some(json!({"stage": "negotiate_ask", "note": "pitched"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, history) = call("GET", &format!("{base}/api/v1/partners/{pid}/history"), &token, None).await;
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let (_, list) = call(
        "GET",
        &format!(
            "{base}/api/v1/campaigns/{cid}/partners?stage=negotiate_ask&category=it_company&tier=high&q=info&limit=10"
        ),
        &token,
        None,
    )
    .await;
    assert_eq!(list["items"][0]["id"].as_i64(), Some(pid));

    // Ivo is on no team yet; the CLI grants him viewer; a viewer's write is 403.
    assert_eq!(call("GET", &format!("{base}/api/v1/partners/{pid}"), &ivo, None).await.0, 404);
    let granted = ok(
        &[
            "campaign",
            "grant",
            "--database",
            db,
            "--campaign",
            "hr-2026",
            "--email",
            "ivo@example.org",
            "--role",
            "viewer",
        ],
        None,
    );
    assert!(granted.contains("viewer"), "{granted}");
    assert_eq!(call("GET", &format!("{base}/api/v1/partners/{pid}"), &ivo, None).await.0, 200);
    assert_eq!(
        call("POST", &format!("{base}/api/v1/partners/{pid}/stage"), &ivo, Some(json!({"stage": "lead"}))).await.0,
        403
    );
    assert_eq!(call("GET", &format!("{base}/api/v1/campaigns"), "rally_wrong", None).await.0, 401);
    // Tokens are listed without their secret and can be revoked; a revoked token is refused at once.
    let listed = ok(&["token", "list", "--database", db, "--email", "ivo@example.org"], None);
    assert!(listed.contains("active") && !listed.contains(&ivo), "{listed}");
    let id = listed.split_whitespace().next().unwrap_or_default().to_owned();
    assert!(ok(&["token", "revoke", "--database", db, "--id", &id], None).contains("revoked"));
    assert_eq!(call("GET", &format!("{base}/api/v1/campaigns"), &ivo, None).await.0, 401);
    assert!(ok(&["token", "list", "--database", db, "--email", "ivo@example.org"], None).contains("revoked"));
    fails(&["token", "revoke", "--database", db, "--id", "999999"], None, "not found");

    // Bad input at the command line: a clear message, nothing written.
    fails(
        &["user", "add", "--database", db, "--email", "not-an-email", "--name", "X"],
        Some("a long password\n"),
        "--email",
    );
    fails(
        &["user", "add", "--database", db, "--email", "x@example.org", "--name", "X"],
        Some("short\n"),
        "at least 10 characters",
    );
    fails(&["user", "add", "--database", db, "--email", "x@example.org", "--name", "X"], Some(""), "standard input");
    fails(
        &["user", "add", "--database", db, "--email", "ana@example.org", "--name", "X"],
        Some("a long password\n"),
        "exists",
    );
    fails(
        &[
            "campaign",
            "grant",
            "--database",
            db,
            "--campaign",
            "hr-2026",
            "--email",
            "ivo@example.org",
            "--role",
            "boss",
        ],
        None,
        "--role",
    );
    fails(
        &[
            "campaign",
            "grant",
            "--database",
            db,
            "--campaign",
            "nope",
            "--email",
            "ivo@example.org",
            "--role",
            "member",
        ],
        None,
        "not found",
    );
    fails(&["token", "create", "--database", db, "--email", "nobody@example.org"], None, "no user");
    assert_eq!(
        call("GET", &format!("{base}/api/v1/campaigns/{cid}/team"), &token, None).await.1.as_array().map(Vec::len),
        Some(2)
    );
}

async fn the_demo_serves_a_populated_campaign(db: &str) {
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data_dir = files.path().display().to_string();
    for round in 0..2 {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = Command::new(RALLY)
            .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--database", db, "--data-dir", &data_dir])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("rally demo: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let _demo = Running(child);
        let lines: Vec<String> = BufReader::new(stdout).lines().take(6).map_while(Result::ok).collect();
        let token =
            lines.iter().find_map(|l| l.trim().strip_prefix("API token")).map(str::trim).unwrap_or_default().to_owned();
        assert!(token.starts_with("rally_"), "demo printed: {lines:?}");
        assert!(lines.iter().any(|l| l.contains("login") && l.contains("@")), "{lines:?}");
        wait_healthy(&base).await;

        let mut partners = Vec::new();
        let mut after = String::new();
        loop {
            let (status, page) =
                call("GET", &format!("{base}/api/v1/campaigns/sat-kodiranja/partners?limit=100{after}"), &token, None)
                    .await;
            assert_eq!(status, 200, "{page}");
            partners.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_after"].as_i64() {
                Some(next) => after = format!("&after={next}"),
                None => break,
            }
        }
        assert!((190..=230).contains(&partners.len()), "round {round}: {} partners", partners.len());
        for field in ["category", "stage"] {
            let distinct: std::collections::BTreeSet<&str> =
                partners.iter().filter_map(|p| p[field].as_str()).collect();
            assert_eq!(distinct.len(), if field == "stage" { 7 } else { 5 }, "{field}: {distinct:?}");
        }
        let owners: std::collections::BTreeSet<i64> = partners.iter().filter_map(|p| p["owner_id"].as_i64()).collect();
        assert!(owners.len() >= 3, "{owners:?}");
        assert!(partners.iter().any(|p| p["name"].as_str().is_some_and(|n| n.contains("Вуковар"))), "Cyrillic names");
        assert!(partners.iter().any(|p| p["name"].as_str().is_some_and(|n| n.contains("Κρήτης"))), "Greek names");
        let won =
            partners.iter().find(|p| p["stage"] == "closed_won").and_then(|p| p["id"].as_i64()).unwrap_or_default();
        let (_, history) = call("GET", &format!("{base}/api/v1/partners/{won}/history"), &token, None).await;
        let history = history.as_array().cloned().unwrap_or_default();
        assert!(history.len() >= 3, "{history:?}");
        let first = history.first().and_then(|h| h["at"].as_str()).unwrap_or_default();
        let last = history.last().and_then(|h| h["at"].as_str()).unwrap_or_default();
        assert!(first < last, "history spread over time: {first} .. {last}");
        let (_, team) = call("GET", &format!("{base}/api/v1/campaigns/sat-kodiranja/team"), &token, None).await;
        assert_eq!(team.as_array().map(Vec::len), Some(5));
        let (_, campaigns) = call("GET", &format!("{base}/api/v1/campaigns"), &token, None).await;
        assert_eq!(campaigns.as_array().map(Vec::len), Some(1), "the owner sees the national campaign");
        if round == 0 {
            the_partner_workflow_on_the_demo(&base, &token).await;
            unused_files_are_collected(&base, &token, db, &data_dir).await;
            exports_from_the_command_line(db, partners.len());
            super::import::a_messy_partner_list_imports_and_undoes(db);
            super::import::partner_lists_match_and_bring_their_contacts(db);
            backup_and_restore(db).await;
            the_plan_opens_in_a_docx_reader(db);
        }
    }
}

/// `rally backup` while the demo serves, `rally restore` into another database: every table holds the
/// same number of rows and the exports are byte for byte the same; a database with data is not
/// overwritten without --force.
async fn backup_and_restore(db: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("rally.backup").display().to_string();
    let out = rally(&["backup", "--database", db, &file], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = rally(&["backup", "--database", db, &file], None);
    assert!(!again.status.success(), "an existing file is not overwritten");
    let target = if db.starts_with("postgres") {
        rally_store::testing::postgres_database().await.unwrap_or_else(|| panic!("a second PostgreSQL database"))
    } else {
        dir.path().join("restored.db").display().to_string()
    };
    let out = rally(&["restore", "--database", &target, &file], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = rally_store::open(db).await.unwrap_or_else(|e| panic!("{e}")).table_counts().await;
    let after = rally_store::open(&target).await.unwrap_or_else(|e| panic!("{e}")).table_counts().await;
    let (before, after) = (before.unwrap_or_else(|e| panic!("{e}")), after.unwrap_or_else(|e| panic!("{e}")));
    assert!(before.get("partners").is_some_and(|n| *n > 100), "{before:?}");
    assert_eq!(before, after, "every table holds the same rows");
    for kind in ["partners", "contacts", "history", "events"] {
        let a = rally(&["export", kind, "--database", db, "--campaign", "sat-kodiranja"], None);
        let b = rally(&["export", kind, "--database", &target, "--campaign", "sat-kodiranja"], None);
        assert!(a.status.success() && !a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "{kind} differ after the round trip");
    }
    let refused = rally(&["restore", "--database", &target, &file], None);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--force"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let forced = rally(&["restore", "--database", &target, "--force", &file], None);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
}

/// `rally plan`: the demo's action plan as DOCX, read back with python-docx (a real DOCX reader), and
/// as Markdown.
fn the_plan_opens_in_a_docx_reader(db: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("plan.docx").display().to_string();
    let out = rally(&["plan", "--database", db, "--campaign", "sat-kodiranja", "-o", &file], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let script = "import docx, json, sys\n\
                  d = docx.Document(sys.argv[1])\n\
                  print(json.dumps({'headings': [p.text for p in d.paragraphs if p.style is not None and p.style.name.startswith('Heading')],\n\
                  'paragraphs': [p.text for p in d.paragraphs],\n\
                  'tables': [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]}))";
    let read = Command::new("python3")
        .args(["-c", script, &file])
        .output()
        .unwrap_or_else(|e| panic!("python3 with python-docx is needed (pip install python-docx): {e}"));
    assert!(read.status.success(), "python-docx could not open the plan: {}", String::from_utf8_lossy(&read.stderr));
    let doc: Value = serde_json::from_slice(&read.stdout).unwrap_or_else(|e| panic!("{e}"));
    let headings: Vec<&str> = doc["headings"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(headings[0].starts_with("Action plan: Sat kodiranja"), "{headings:?}");
    for h in [
        "The message",
        "Action plan",
        "High-reach partners, by priority",
        "Standard asks",
        "Communication calendar",
        "Team and responsibilities",
        "Milestones",
    ] {
        assert!(headings.contains(&h), "{h} missing in {headings:?}");
    }
    let tables = doc["tables"].as_array().cloned().unwrap_or_default();
    let partners = &tables[0];
    assert_eq!(partners[0][0], "Partner");
    assert!(partners.as_array().is_some_and(|rows| rows.len() > 10), "high-reach partners listed");
    assert!(tables.iter().any(|t| t[0][0] == "Name" && t.as_array().is_some_and(|r| r.len() == 6)), "the team of five");
    let md = rally(&["plan", "--database", db, "--campaign", "sat-kodiranja", "--format", "md"], None);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("# Action plan: Sat kodiranja") && md.contains("\n## Communication calendar\n"), "{md}");
}

/// `rally export`: every partner of the demo as CSV to a file, its events as JSON Lines on standard
/// output, and a clear error for an unknown kind.
fn exports_from_the_command_line(db: &str, partners: usize) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("partners.csv");
    let file_arg = file.display().to_string();
    let out = rally(&["export", "partners", "--database", db, "--campaign", "sat-kodiranja", "-o", &file_arg], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), partners + 1, "a header and every partner");
    assert!(lines[0].starts_with("id,name,category,audiences,reach,tier,"), "no byte-order mark unless asked");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{partners} partners written")));
    let out = rally(&["export", "partners", "--database", db, "--campaign", "sat-kodiranja", "--bom"], None);
    assert!(out.stdout.starts_with("\u{feff}id,name,".as_bytes()), "--bom: for Excel");
    let out = rally(&["export", "events", "--database", db, "--campaign", "sat-kodiranja", "--format", "jsonl"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(events.len() >= 180, "the demo's events: {}", events.len());
    assert!(events.iter().all(|e| e["organizer_email"].as_str().is_some_and(|m| m.contains('@'))));
    let out = rally(&["export", "secrets", "--database", db, "--campaign", "sat-kodiranja"], None);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expected partners, contacts, history, events or activities")
    );
}

/// The story through the API, on the demo: standard asks to every low-reach media partner in one
/// call, a custom ask agreed with the high-touch IT company, the logo pack sent, the partner confirming
/// through its link, and what is due on the dashboard's endpoint and in the calendar feed.
async fn the_partner_workflow_on_the_demo(base: &str, token: &str) {
    let api = format!("{base}/api/v1");
    let (_, asks) = call("GET", &format!("{api}/campaigns/sat-kodiranja/asks"), token, None).await;
    let ids: Vec<i64> = asks.as_array().into_iter().flatten().filter_map(|a| a["id"].as_i64()).collect();
    assert!(ids.len() >= 3, "{asks}");
    let body = json!({ "asks": ids, "segment": { "category": "media", "tier": "low" } });
    let (status, applied) = call("POST", &format!("{api}/campaigns/sat-kodiranja/asks/apply"), token, Some(body)).await;
    assert_eq!(status, 200, "{applied}");
    assert!(applied["partners"].as_i64().unwrap_or(0) > 5 && applied["created"].as_i64().unwrap_or(0) > 5, "{applied}");

    let (_, found) =
        call("GET", &format!("{api}/campaigns/sat-kodiranja/partners?q=Kvarner%20Tech"), token, None).await;
    let kvarner = found["items"][0].clone();
    assert_eq!((kvarner["high_touch"].as_bool(), kvarner["tier"].as_str()), (Some(true), Some("high")), "{found}");
    let id = kvarner["id"].as_i64().unwrap_or_default();
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
    let body = json!({ "ask": { "title": "Employee volunteers run events", "unit": "schools", "due_on": due },
                       "commitment": { "quantity": 40 } });
    let (status, commitment) = call("POST", &format!("{api}/partners/{id}/commitments"), token, Some(body)).await;
    assert_eq!((status, commitment["status"].as_str()), (201, Some("proposed")), "{commitment}");

    let (_, assets) = call("GET", &format!("{api}/campaigns/sat-kodiranja/assets"), token, None).await;
    let logos: Vec<i64> = assets
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["kind"] == "logo")
        .filter_map(|a| a["id"].as_i64())
        .collect();
    assert_eq!(logos.len(), 2, "the logo pack: PNG and SVG");
    let (status, _) = call(
        "POST",
        &format!("{api}/partners/{id}/sends"),
        token,
        Some(json!({ "assets": logos, "note": "logo pack" })),
    )
    .await;
    assert_eq!(status, 201);
    let (status, link) = call("POST", &format!("{api}/partners/{id}/link"), token, None).await;
    assert_eq!(status, 201, "{link}");
    let secret = link["token"].as_str().unwrap_or_default().to_owned();

    // The partner, with no account: its view, its answer, its logo pack.
    let client = reqwest::Client::new();
    let view: Value = client
        .get(format!("{api}/link/{secret}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or(Value::Null);
    assert_eq!(view["partner"]["name"], "Kvarner Tech Group d.d.", "{view}");
    assert!(view.get("notes").is_none() && view["partner"].get("notes").is_none(), "the team's notes stay inside");
    assert_eq!(view["assets"].as_array().map(Vec::len), Some(2));
    let cid = commitment["id"].as_i64().unwrap_or_default();
    let answer = client
        .post(format!("{api}/link/{secret}/commitments/{cid}"))
        .json(&json!({ "accept": true, "quantity": 40 }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status().as_u16(), 200);
    let answer: Value = answer.json().await.unwrap_or(Value::Null);
    assert_eq!((answer["status"].as_str(), answer["by_partner"].as_bool()), (Some("agreed"), Some(true)), "{answer}");

    let (_, due_list) = call("GET", &format!("{api}/campaigns/sat-kodiranja/due"), token, None).await;
    assert!(
        due_list["commitments"].as_array().into_iter().flatten().any(|c| c["id"].as_i64() == Some(cid)),
        "due within the week: {due_list}"
    );
    let (status, feed) = call("POST", &format!("{api}/me/calendar"), token, None).await;
    assert_eq!(status, 201, "{feed}");
    let ics = reqwest::get(feed["url"].as_str().unwrap_or_default()).await.unwrap_or_else(|e| panic!("{e}"));
    let ics = ics.text().await.unwrap_or_default().replace("\r\n ", "");
    assert!(ics.contains("SUMMARY:Kvarner Tech Group d.d.: Employee volunteers run events (40 schools)"), "{ics}");
}

/// `rally files gc` deletes files nothing uses any more (here: a deleted asset's), and only those.
async fn unused_files_are_collected(base: &str, token: &str, db: &str, data_dir: &str) {
    let (_, assets) = call("GET", &format!("{base}/api/v1/campaigns/sat-kodiranja/assets"), token, None).await;
    let banner = assets.as_array().into_iter().flatten().find(|a| a["kind"] == "banner").cloned().unwrap_or_default();
    let (status, _) = call("DELETE", &format!("{base}/api/v1/assets/{}", banner["id"]), token, None).await;
    assert_eq!(status, 204);
    let stored = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(data_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|d| d.file_name() != "tmp")
            .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten().map(|f| f.path()))
            .collect()
    };
    let before = stored();
    assert_eq!(before.len(), 4, "{before:?}");
    let fresh = ok(&["files", "gc", "--database", db, "--data-dir", data_dir], None);
    assert!(fresh.contains("deleted 0 unused files"), "files younger than an hour are kept: {fresh}");
    let old = std::time::SystemTime::now() - Duration::from_secs(7200);
    for path in &before {
        let file = std::fs::File::options().write(true).open(path).unwrap_or_else(|e| panic!("{e}"));
        file.set_modified(old).unwrap_or_else(|e| panic!("{e}"));
    }
    let dry = ok(&["files", "gc", "--database", db, "--data-dir", data_dir, "--dry-run"], None);
    assert!(dry.contains("would delete 1 unused files"), "{dry}");
    assert_eq!(stored().len(), 4);
    let done = ok(&["files", "gc", "--database", db, "--data-dir", data_dir], None);
    assert!(done.contains("deleted 1 unused files"), "{done}");
    let sha = banner["file"]["sha256"].as_str().unwrap_or_default();
    assert!(!stored().iter().any(|p| p.ends_with(sha)), "the banner's file is gone");
    assert_eq!(stored().len(), 3, "logos and fact sheet stay");

    // An upload checked on the Imports page but never imported goes after a week; a report stays.
    let imports = std::path::Path::new(data_dir).join("imports");
    std::fs::create_dir_all(&imports).unwrap_or_else(|e| panic!("{e}"));
    let (upload, report, recent) = (
        imports.join("0123456789abcdef0123456789abcdef.upload"),
        imports.join("report-1.csv"),
        imports.join("fedcba9876543210fedcba9876543210.upload"),
    );
    for path in [&upload, &report, &recent] {
        std::fs::write(path, "Name,Category\n").unwrap_or_else(|e| panic!("{e}"));
    }
    let weeks_ago = std::time::SystemTime::now() - Duration::from_secs(8 * 24 * 3600);
    for path in [&upload, &report] {
        let file = std::fs::File::options().write(true).open(path).unwrap_or_else(|e| panic!("{e}"));
        file.set_modified(weeks_ago).unwrap_or_else(|e| panic!("{e}"));
    }
    let done = ok(&["files", "gc", "--database", db, "--data-dir", data_dir], None);
    assert!(done.contains("deleted 1 import uploads older than a week"), "{done}");
    assert!(!upload.exists() && report.exists() && recent.exists());
}

#[test]
fn unknown_database_schemes_are_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(RALLY)
        .args(["migrate", "--database", "mysql://localhost/rally"])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    assert_eq!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(1), 0, "nothing created");
}

/// A server others can reach does not start without the address people use: links in e-mails are built
/// from it. Bad settings are refused before a database is created.
#[test]
fn serve_needs_a_public_url_unless_it_listens_on_loopback() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("rally.db").display().to_string();
    fails(&["serve", "--listen", "0.0.0.0:0", "--database", &db], None, "--public-url https://rally.example.org");
    let bad_url = ["serve", "--listen", "0.0.0.0:0", "--database", &db, "--public-url", "rally.example.org"];
    fails(&bad_url, None, "is not a URL like https://rally.example.org");
    let with_path = ["serve", "--database", &db, "--public-url", "https://rally.example.org/rally"];
    fails(&with_path, None, "give only the scheme, host and port");
    let proxy = ["serve", "--database", &db, "--trusted-proxy", "proxy.internal"];
    fails(&proxy, None, "is not an address or a range like 10.0.0.0/8");
    assert!(!dir.path().join("rally.db").exists(), "nothing is created for a server that does not start");
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["campaign", "grant", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["demo", "--help"],
        vec!["openapi", "--help"],
    ] {
        let out = ok(&args, None);
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
}

#[test]
fn openapi_prints_the_document() {
    let doc: Value = serde_json::from_str(&ok(&["openapi"], None)).unwrap_or(Value::Null);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{doc}");
    assert!(doc["paths"]["/api/v1/partners/{id}/stage"]["post"].is_object());
}

#[test]
fn rally_toml_names_the_database_and_flags_win() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("rally.toml"), "database_url = \"from-toml.db\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        Command::new(RALLY)
            .args(args)
            .env_remove("RALLY_DATABASE_URL")
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let out = run(&["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("from-toml.db").exists());
    assert!(run(&["migrate", "--database", "flag.db"]).status.success());
    assert!(dir.path().join("flag.db").exists());
    std::fs::write(dir.path().join("rally.toml"), "databse_url = \"typo.db\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = run(&["migrate"]);
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(
        errors.contains("rally.toml line 1: unknown key \"databse_url\"; did you mean \"database_url\"?"),
        "{errors}"
    );
}

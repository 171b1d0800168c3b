//! `rally`: the one binary. A clap command per task; each wires the library crates together.

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use rally_domain::{Email, Role};
use rally_store::{Actor, Store};

mod config;
mod demo;
mod import;

#[derive(Debug, Parser)]
#[command(name = "rally", version, about = "Run Hour of Code style outreach campaigns: partners, pipeline, team.")]
struct Cli {
    /// Settings file; `rally.toml` in the working directory is read when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DatabaseArg {
    /// `postgres://…` for PostgreSQL, or a SQLite file path (default: rally.db in the working directory).
    #[arg(long, env = "RALLY_DATABASE_URL", value_name = "URL")]
    database: Option<String>,
}

#[derive(Debug, Args)]
struct MailArg {
    /// Where e-mail goes: `smtp://[user:pass@]host[:port][?tls=starttls|implicit|none]` (STARTTLS is
    /// required unless `tls=none`), `smtps://…` (implicit TLS), or `file:///dir` (one .eml file per
    /// e-mail; the default is the data directory's `mail/` folder).
    #[arg(long = "mail", env = "RALLY_MAIL_URL", value_name = "URL")]
    mail: Option<String>,
    /// E-mails in flight at once (and SMTP connections).
    #[arg(long, env = "RALLY_MAIL_CONCURRENCY", default_value_t = 4)]
    concurrency: usize,
    /// Seconds a claimed e-mail stays this worker's before another may take it over.
    #[arg(long, default_value_t = 300)]
    lease_seconds: u64,
    /// At most this many e-mails a second, in all (0: no limit).
    #[arg(long, env = "RALLY_MAIL_RATE", default_value_t = 0)]
    rate_per_second: u32,
    /// At most this many e-mails a minute to one recipient domain (0: no limit); large providers
    /// throttle senders that go faster.
    #[arg(long, env = "RALLY_MAIL_DOMAIN_RATE", default_value_t = 0)]
    rate_per_domain_per_minute: u32,
    /// Sign e-mail with DKIM: `domain:selector:path/to/private-key.pem`.
    #[arg(long, env = "RALLY_DKIM", value_name = "DOMAIN:SELECTOR:PEM")]
    dkim: Option<String>,
}

#[derive(Debug, Subcommand)]
enum CommsCommand {
    /// Print the campaign's future e-mail calendar: who gets which draft message when, which sends the
    /// cadence rules defer or expire, and why. Writes nothing.
    Plan {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        campaign: String,
        /// Every e-mail, not only the ones that moved or expired.
        #[arg(long)]
        all: bool,
    },
    /// Render a draft message for its whole segment and put it in the outbox (the worker sends it).
    Queue {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        campaign: String,
        /// The message's id.
        #[arg(long)]
        message: i64,
        #[command(flatten)]
        public: PublicUrlArg,
    },
}

#[derive(Debug, Args)]
struct PublicUrlArg {
    /// Where people reach Rally, e.g. https://rally.example.org: every link in e-mails, partner links and
    /// calendar feeds starts with it (never with what a request says). May be left out when Rally
    /// listens on loopback: then http:// and the listen address.
    #[arg(long, alias = "base-url", env = "RALLY_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "RALLY_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
        #[command(flatten)]
        db: DatabaseArg,
        /// Directory for uploaded files (default: rally-data in the working directory).
        #[arg(long, env = "RALLY_DATA_DIR", value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        mail: MailArg,
        /// Serve only; leave delivery to `rally worker` processes.
        #[arg(long)]
        no_worker: bool,
        /// Event registrations one address may send per hour on the public site.
        #[arg(long, env = "RALLY_REGISTRATIONS_PER_HOUR", value_name = "N", default_value_t = 30)]
        registrations_per_hour: u32,
        #[command(flatten)]
        public: PublicUrlArg,
        /// A reverse proxy in front of Rally (an address or a CIDR range such as 10.0.0.0/8); only its
        /// X-Forwarded-For is believed, and names the client for per-address limits. Repeat for several
        /// (env RALLY_TRUSTED_PROXIES, comma-separated).
        #[arg(long = "trusted-proxy", env = "RALLY_TRUSTED_PROXIES", value_name = "CIDR", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
        /// Connections open at once (default 4096, and always fewer than the process may open files);
        /// more wait until one closes.
        #[arg(long, env = "RALLY_MAX_CONNECTIONS", value_name = "N")]
        max_connections: Option<usize>,
    },
    /// Deliver the outbox (alone; `rally serve` delivers in-process too). Several workers may share a
    /// PostgreSQL database.
    Worker {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long, env = "RALLY_DATA_DIR", value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        mail: MailArg,
        /// Deliver what is due now, then exit.
        #[arg(long)]
        drain: bool,
    },
    /// The communication plan.
    Comms {
        #[command(subcommand)]
        command: CommsCommand,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage campaigns.
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Uploaded files in the data directory.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// Read partners, contacts or events from a CSV or spreadsheet file (dry runs, mappings, undo).
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Write a campaign's partners, contacts, stage history or events as CSV (formula cells neutralized) or
    /// JSON Lines, to a file or standard output.
    Export {
        /// partners, contacts, history or events
        #[arg(value_name = "KIND")]
        kind: String,
        #[command(flatten)]
        db: DatabaseArg,
        /// The campaign's slug.
        #[arg(long)]
        campaign: String,
        /// csv or jsonl
        #[arg(long, default_value = "csv")]
        format: String,
        /// Where to write (default: standard output).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Start a CSV file with a byte-order mark, so Excel reads it as UTF-8 ("Škola", not "Å kola").
        #[arg(long)]
        bom: bool,
    },
    /// Write the campaign's action plan (strategy, message, goal, plan answers, partners by priority and
    /// tier, asks, communication calendar, team, milestones) as a Word document or Markdown.
    Plan {
        #[command(flatten)]
        db: DatabaseArg,
        /// The campaign's slug.
        #[arg(long)]
        campaign: String,
        /// docx or md
        #[arg(long, default_value = "docx")]
        format: String,
        /// Where to write (default: standard output).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Write a consistent copy of the database to FILE while Rally keeps running: SQLite's `VACUUM INTO`,
    /// or `pg_dump --format=custom` for PostgreSQL (which must be on the PATH).
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Restore a backup made by `rally backup` into the database (stop Rally first). A database that
    /// holds data is only replaced with --force.
    Restore {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Print the API's OpenAPI 3.1 document (JSON), e.g. to generate a client.
    Openapi,
    /// Create a realistic demo campaign (once) and serve it; prints a login and an API token.
    Demo {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "RALLY_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Database for the demo (default: rally-demo.db in the working directory).
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Directory for the demo's files (default: rally-demo-data in the working directory).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        mail: MailArg,
        /// Where people reach the demo (default: http:// and the listen address).
        #[arg(long, env = "RALLY_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Print a one-time link that sets a new password (valid 24 hours).
    ResetLink {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        public: PublicUrlArg,
    },
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum CampaignCommand {
    /// Give a user a role on a campaign's team (owner, coordinator, member, viewer).
    Grant {
        #[command(flatten)]
        db: DatabaseArg,
        /// The campaign's slug.
        #[arg(long)]
        campaign: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
enum FilesCommand {
    /// Delete stored files that no asset or logo uses any more (deleted assets, replaced logos, uploads
    /// refused after they were stored). Files younger than an hour are kept: an upload may be on its way.
    Gc {
        #[command(flatten)]
        db: DatabaseArg,
        /// Directory for uploaded files (default: rally-data in the working directory).
        #[arg(long, env = "RALLY_DATA_DIR", value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
        /// Only say what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// List a user's API tokens (ids, labels, dates; never the tokens).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token by id (from `rally token list`); requests with it are refused from then on.
    Revoke {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        id: i64,
    },
    /// Create an API token for a user; the token is the last line of standard output, shown only once.
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "import script".
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = config::Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            listen,
            db,
            data_dir,
            mail,
            no_worker,
            registrations_per_hour,
            public,
            trusted_proxies,
            max_connections,
        } => {
            let addr = settings.listen(listen)?;
            let limits = settings.server_limits(max_connections)?;
            // Checked before anything is opened: a server that would mail wrong links does not start.
            let public_url = settings.public_url(public.public_url, addr)?;
            let proxies = settings.trusted_proxies(trusted_proxies)?;
            let store = open(&settings.database(db.database)).await?;
            let data_dir = settings.data_dir(data_dir);
            let files = open_files(&data_dir)?;
            let (worker, transport) = worker(store.clone(), &mail, &data_dir)?;
            tracing::info!(%public_url, trusted_proxies = ?proxies, "links are built from the public URL");
            let app = rally_web::AppState::new(store.clone(), files, public_url)
                .with_trusted_proxies(proxies)
                .with_mail(transport)
                .with_registrations_per_hour(registrations_per_hour);
            serve(app, addr, limits, (!no_worker).then_some(worker)).await
        }
        Command::Worker { db, data_dir, mail, drain } => {
            let store = open(&settings.database(db.database)).await?;
            let (worker, _) = worker(store, &mail, &settings.data_dir(data_dir))?;
            if drain {
                let n = worker.drain().await?;
                println!("delivered or settled {n} e-mails");
                return Ok(());
            }
            tracing::info!("delivering the outbox");
            worker.run(shutdown_signal()).await;
            Ok(())
        }
        Command::Comms { command: CommsCommand::Plan { db, campaign, all } } => {
            let store = open(&settings.database(db.database)).await?;
            let id =
                store.campaign_id(&campaign).await?.ok_or_else(|| anyhow!("--campaign: no campaign `{campaign}`"))?;
            let lines = rally_comms::plan::plan_campaign(&*store, Actor::System, id, chrono::Utc::now()).await?;
            let (mut on_time, mut deferred, mut expired, mut left_out) = (0, 0, 0, 0);
            for l in &lines {
                match (l.left_out, l.at, l.reason.is_empty()) {
                    (true, _, _) => left_out += 1,
                    (false, None, _) => expired += 1,
                    (false, Some(_), true) => on_time += 1,
                    (false, Some(_), false) => deferred += 1,
                }
                if all || !l.reason.is_empty() {
                    let at = match (l.left_out, l.at) {
                        (true, _) => "left out".to_owned(),
                        (false, None) => "expires".to_owned(),
                        (false, Some(t)) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
                    };
                    println!(
                        "{at:<20}  {}  {} <{}>  (wanted {})  {}",
                        l.message,
                        l.partner,
                        l.email,
                        l.wanted.format("%Y-%m-%d %H:%M"),
                        l.reason
                    );
                }
            }
            println!(
                "{} e-mails: {on_time} on time, {deferred} deferred, {expired} expire; {left_out} contacts left out",
                lines.len() - left_out
            );
            Ok(())
        }
        Command::Comms { command: CommsCommand::Queue { db, campaign, message, public } } => {
            let store = open(&settings.database(db.database)).await?;
            let id =
                store.campaign_id(&campaign).await?.ok_or_else(|| anyhow!("--campaign: no campaign `{campaign}`"))?;
            let (m, _) = store.message(Actor::System, message).await?;
            if m.campaign_id != id {
                bail!("--message: message {message} is not in campaign {campaign}");
            }
            let base = settings.public_url(public.public_url, settings.listen(None)?)?;
            let (planned, added) =
                rally_comms::plan::queue_message(&*store, Actor::System, message, base.as_str(), chrono::Utc::now())
                    .await?;
            println!(
                "queued {added} e-mails: {} on time, {} deferred, {} expired; {} contacts left out",
                planned.on_time(),
                planned.deferred(),
                planned.expired(),
                planned.excluded.len()
            );
            Ok(())
        }
        Command::Migrate { db } => {
            let url = settings.database(db.database);
            let store = open(&url).await?;
            println!("{} database at {} is up to date", store.backend(), rally_store::redact(&url));
            Ok(())
        }
        Command::User { command: UserCommand::Add { db, email, name } } => {
            let email = Email::parse(&email).map_err(|e| anyhow!("--email: {e}"))?;
            let password = read_password()?;
            let hash = rally_web::auth::hash_password(&password).map_err(|e| anyhow!("password: {e}"))?;
            let store = open(&settings.database(db.database)).await?;
            let user = store.create_user(&email, &name, Some(&hash)).await?;
            println!("added user {} <{}> (id {})", user.name, user.email, user.id);
            Ok(())
        }
        Command::User { command: UserCommand::ResetLink { db, email, public } } => {
            let base = settings.public_url(public.public_url, settings.listen(None)?)?;
            let store = open(&settings.database(db.database)).await?;
            let user = find_user(&*store, &email).await?;
            let token = rally_web::auth::random_token();
            let expires = chrono::Utc::now() + chrono::Duration::hours(24);
            store.create_password_reset(user.id, &rally_web::auth::hash_token(&token), expires).await?;
            eprintln!("One-time link for {} to set a new password (valid 24 hours):", user.email);
            println!("{base}/reset/{token}");
            Ok(())
        }
        Command::Campaign { command: CampaignCommand::Grant { db, campaign, email, role } } => {
            let role = Role::parse(&role).map_err(|e| anyhow!("--role: {e}"))?;
            let store = open(&settings.database(db.database)).await?;
            let user = find_user(&*store, &email).await?;
            let campaign = store
                .campaign_by_slug(Actor::System, &campaign)
                .await
                .with_context(|| format!("--campaign {campaign}"))?;
            let member = store.set_role(Actor::System, campaign.campaign.id, user.id, role).await?;
            println!("{} is {} of {}", member.email, member.role.as_str(), campaign.campaign.fields.slug);
            Ok(())
        }
        Command::Token { command: TokenCommand::List { db, email } } => {
            let store = open(&settings.database(db.database)).await?;
            let user = find_user(&*store, &email).await?;
            for t in store.api_tokens(user.id).await? {
                let state =
                    t.revoked_at.map_or("active".to_owned(), |r| format!("revoked {}", r.format("%Y-%m-%d %H:%M")));
                println!("{:>6}  {}  {:<8}  {}", t.id, t.created_at.format("%Y-%m-%d %H:%M"), state, t.label);
            }
            Ok(())
        }
        Command::Token { command: TokenCommand::Revoke { db, id } } => {
            let store = open(&settings.database(db.database)).await?;
            store.revoke_api_token(id).await.with_context(|| format!("--id {id}"))?;
            println!("token {id} is revoked");
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { db, email, label } } => {
            let store = open(&settings.database(db.database)).await?;
            let user = find_user(&*store, &email).await?;
            let (token, hash) = rally_web::auth::new_api_token();
            store.create_api_token(user.id, &hash, &label).await?;
            eprintln!("API token for {} (shown once; send it as `Authorization: Bearer <token>`):", user.email);
            println!("{token}");
            Ok(())
        }
        Command::Import { command } => import::run(command, |db| settings.database(db)).await,
        Command::Export { kind, db, campaign, format, output, bom } => {
            let kind = rally_files::export::Kind::parse(&kind).map_err(|e| anyhow!("{e}"))?;
            let format = rally_domain::export::Format::parse(&format).map_err(|e| anyhow!("--format: {e}"))?;
            let store = open(&settings.database(db.database)).await?;
            let id =
                store.campaign_id(&campaign).await?.ok_or_else(|| anyhow!("--campaign: no campaign `{campaign}`"))?;
            let out: Box<dyn std::io::Write + Send> = match &output {
                Some(path) => {
                    Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)
                }
                None => Box::new(std::io::stdout()),
            };
            let mut sink = FileSink { out: std::io::BufWriter::new(out), error: None };
            if bom && format == rally_domain::export::Format::Csv {
                rally_files::export::Sink::take(&mut sink, rally_domain::export::EXCEL_BOM.to_owned()).await;
            }
            let rows = rally_files::export::write_all(&*store, Actor::System, id, kind, format, &mut sink).await?;
            if let Some(e) = sink.error {
                return Err(anyhow::Error::new(e).context("writing the export"));
            }
            std::io::Write::flush(&mut sink.out).context("writing the export")?;
            eprintln!("{rows} {} written", kind.as_str());
            Ok(())
        }
        Command::Plan { db, campaign, format, output } => {
            let store = open(&settings.database(db.database)).await?;
            let id =
                store.campaign_id(&campaign).await?.ok_or_else(|| anyhow!("--campaign: no campaign `{campaign}`"))?;
            let doc =
                rally_files::plan_doc::gather(&*store, Actor::System, id, chrono::Utc::now().date_naive()).await?;
            let bytes = match format.as_str() {
                "docx" => doc.docx().map_err(|e| anyhow!("writing the document: {e}"))?,
                "md" | "markdown" => doc.markdown().into_bytes(),
                other => bail!("--format: `{other}`; expected docx or md"),
            };
            match output {
                Some(path) => std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes).context("writing the document")?,
            }
            Ok(())
        }
        Command::Backup { db, file } => {
            let url = settings.database(db.database);
            if file.exists() {
                bail!("{} exists already; choose a new file", file.display());
            }
            if is_postgres(&url) {
                pg_tool(
                    "pg_dump",
                    &["--format=custom", "--no-owner", "--file", &path_arg(&file)?, &format!("--dbname={url}")],
                )?;
            } else {
                open(&url).await?.snapshot(&file).await?;
            }
            eprintln!("backed up {} to {}", rally_store::redact(&url), file.display());
            Ok(())
        }
        Command::Restore { db, file, force } => {
            let url = settings.database(db.database);
            let mut magic = [0u8; 16];
            std::io::Read::read_exact(
                &mut std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?,
                &mut magic,
            )
            .with_context(|| format!("{} is not a Rally backup", file.display()))?;
            let holds_data = |counts: &std::collections::BTreeMap<String, i64>| {
                counts.iter().any(|(t, n)| *n > 0 && t != "rally_migrations" && t != "secrets")
            };
            if magic.starts_with(b"SQLite format 3\0") {
                if is_postgres(&url) {
                    bail!("{} is a SQLite backup; restore it into a SQLite database", file.display());
                }
                let target =
                    std::path::PathBuf::from(url.trim_start_matches("sqlite://").trim_start_matches("sqlite:"));
                if target.exists() && !force && holds_data(&open(&url).await?.table_counts().await?) {
                    bail!("{} holds data; give --force to replace it", target.display());
                }
                // Copied beside the target and renamed over it: the database is whole or untouched.
                let part = target.with_extension("restoring");
                std::fs::copy(&file, &part).with_context(|| format!("copying to {}", part.display()))?;
                for stale in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{stale}", target.display()));
                }
                std::fs::rename(&part, &target).with_context(|| format!("replacing {}", target.display()))?;
            } else if magic.starts_with(b"PGDMP") {
                if !is_postgres(&url) {
                    bail!("{} is a PostgreSQL backup (pg_dump); restore it into a PostgreSQL database", file.display());
                }
                if !force && holds_data(&open(&url).await?.table_counts().await?) {
                    bail!("the database holds data; give --force to replace it");
                }
                pg_tool(
                    "pg_restore",
                    &[
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--single-transaction",
                        &format!("--dbname={url}"),
                        &path_arg(&file)?,
                    ],
                )?;
            } else {
                bail!("{} is neither a SQLite nor a pg_dump backup", file.display());
            }
            let counts = open(&url).await?.table_counts().await?;
            let rows: i64 = counts.values().sum();
            eprintln!("restored {} rows in {} tables into {}", rows, counts.len(), rally_store::redact(&url));
            Ok(())
        }
        Command::Files { command: FilesCommand::Gc { db, data_dir, dry_run } } => {
            let store = open(&settings.database(db.database)).await?;
            let files = open_files(&settings.data_dir(data_dir))?;
            let cutoff = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
            let (mut kept, mut deleted, mut bytes) = (0, 0, 0u64);
            for (sha256, size, modified) in files.list()? {
                if modified > cutoff || store.file_in_use(&sha256).await? {
                    kept += 1;
                    continue;
                }
                if !dry_run {
                    files.remove(&sha256)?;
                }
                deleted += 1;
                bytes += size;
            }
            let verb = if dry_run { "would delete" } else { "deleted" };
            println!("{verb} {deleted} unused files ({} KB), kept {kept}", bytes.div_ceil(1024));
            // Uploads checked but never imported, and reports of imports that stopped, after a week.
            let week = std::time::SystemTime::now() - std::time::Duration::from_secs(7 * 24 * 3600);
            let stale = files.stale_imports(week)?;
            if !dry_run {
                for path in &stale {
                    std::fs::remove_file(path).with_context(|| format!("deleting {}", path.display()))?;
                }
            }
            println!("{verb} {} import uploads older than a week", stale.len());
            Ok(())
        }
        Command::Openapi => {
            println!("{}", rally_web::openapi_json());
            Ok(())
        }
        Command::Demo { listen, database, data_dir, mail, public_url } => {
            let url = database.unwrap_or_else(|| "rally-demo.db".into());
            let addr = settings.listen(listen)?;
            let public_url = match public_url {
                Some(raw) => rally_web::PublicUrl::parse(&raw).map_err(|e| anyhow!("--public-url: {e}"))?,
                None => rally_web::PublicUrl::for_listener(addr),
            };
            let base = public_url.to_string();
            let store = open(&url).await?;
            let files = open_files(&data_dir.unwrap_or_else(|| "rally-demo-data".into()))?;
            let login = demo::seed(&*store, &files, &base).await?;
            let (worker, transport) = worker(store.clone(), &mail, &data_dir_of(&files))?;
            println!(
                "Rally demo: campaign \"{}\" with {} partners ({} database {})",
                login.campaign_name,
                login.partners,
                store.backend(),
                rally_store::redact(&url)
            );
            println!("  open       {base}/");
            println!(
                "  public     {base}/c/{}/  (the campaign site: register an event, the counter, the map)",
                login.slug
            );
            println!("  login      {} / {}", login.email, login.password);
            println!("  API token  {}", login.token);
            println!(
                "  try        curl -H 'Authorization: Bearer {}' '{base}/api/v1/campaigns/{}/partners?stage=negotiate_ask&limit=5'",
                login.token, login.slug
            );
            let app = rally_web::AppState::new(store, files, public_url).with_mail(transport);
            serve(app, addr, settings.server_limits(None)?, Some(worker)).await
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn path_arg(path: &std::path::Path) -> anyhow::Result<String> {
    path.to_str().map(str::to_owned).ok_or_else(|| anyhow!("{} is not a UTF-8 path", path.display()))
}

/// Runs one of PostgreSQL's client tools (`pg_dump`, `pg_restore`) from the PATH; the database URL
/// (with its password) goes in its arguments and is never printed.
fn pg_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .with_context(|| format!("running {tool} (install PostgreSQL's client tools)"))?;
    if !out.status.success() {
        bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// An export written to a file or standard output; the first write error stops it.
struct FileSink {
    out: std::io::BufWriter<Box<dyn std::io::Write + Send>>,
    error: Option<std::io::Error>,
}

impl rally_files::export::Sink for FileSink {
    async fn take(&mut self, chunk: String) -> bool {
        match std::io::Write::write_all(&mut self.out, chunk.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

fn data_dir_of(files: &rally_files::FileStore) -> std::path::PathBuf {
    files.dir().to_path_buf()
}

/// The delivery worker for `--mail` (default: .eml files in the data directory's `mail/` folder).
fn worker(
    store: Arc<dyn Store>,
    mail: &MailArg,
    data_dir: &std::path::Path,
) -> anyhow::Result<(rally_comms::Worker, Arc<rally_mail::Transport>)> {
    let url = match &mail.mail {
        Some(u) => u.clone(),
        None => {
            let dir = data_dir.join("mail");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let dir = std::fs::canonicalize(&dir).with_context(|| format!("finding {}", dir.display()))?;
            format!("file://{}", dir.display())
        }
    };
    let concurrency = mail.concurrency.clamp(1, 64);
    let transport = Arc::new(
        rally_mail::Transport::from_url(&url, concurrency as u32)
            .with_context(|| format!("--mail {}", rally_mail::redact(&url)))?,
    );
    let mut config = rally_comms::WorkerConfig::new(format!("{}-{}", hostname(), std::process::id()));
    config.concurrency = concurrency;
    config.lease = std::time::Duration::from_secs(mail.lease_seconds.max(1));
    if mail.rate_per_second > 0 || mail.rate_per_domain_per_minute > 0 {
        config.rate =
            Some(Arc::new(rally_mail::RateLimiter::new(mail.rate_per_second, mail.rate_per_domain_per_minute)));
    }
    if let Some(spec) = &mail.dkim {
        let mut parts = spec.splitn(3, ':');
        let (Some(domain), Some(selector), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("--dkim: give domain:selector:path/to/key.pem");
        };
        let pem = std::fs::read_to_string(path).with_context(|| format!("--dkim: reading {path}"))?;
        let key = rally_mail::DkimKey::from_pem(domain, selector, &pem).map_err(|e| anyhow!("--dkim: {e}"))?;
        config.dkim = Some(Arc::new(key));
    }
    tracing::info!(mail = %rally_mail::redact(&url), concurrency, "e-mail delivery");
    Ok((rally_comms::Worker::new(store, transport.clone(), config), transport))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "rally".into())
}

fn open_files(dir: &std::path::Path) -> anyhow::Result<rally_files::FileStore> {
    rally_files::FileStore::open(dir).with_context(|| format!("opening the data directory {}", dir.display()))
}

async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    rally_store::open(url).await.with_context(|| format!("opening the database {}", rally_store::redact(url)))
}

async fn find_user(store: &dyn Store, email: &str) -> anyhow::Result<rally_store::User> {
    let email = Email::parse(email).map_err(|e| anyhow!("--email: {e}"))?;
    store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| anyhow!("no user with the e-mail address {email}; add one with `rally user add`"))
}

/// Reads the password from standard input: the first line, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin().take(4096).read_to_string(&mut input).context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        bail!("give the password on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | rally user add …`");
    }
    Ok(password)
}

async fn serve(
    app: rally_web::AppState,
    addr: SocketAddr,
    limits: rally_web::ServerLimits,
    worker: Option<rally_comms::Worker>,
) -> anyhow::Result<()> {
    if let Some(worker) = worker {
        tokio::spawn(async move { worker.run(std::future::pending()).await });
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
    tracing::info!(
        %addr,
        backend = app.store.backend(),
        max_connections = limits.max_connections,
        "Rally is serving"
    );
    rally_web::serve_with(listener, app, limits, shutdown_signal()).await.context("serving HTTP")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

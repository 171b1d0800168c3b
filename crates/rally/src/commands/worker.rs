//! `rally worker`: delivers the outbox in a process of its own. The `--mail` arguments and the
//! delivery worker they configure are here too, since `rally serve` and `rally demo` run the same
//! worker in-process.

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use clap::Args;
use rally_store::Store;

use super::shutdown_signal;
use super::{DatabaseArg, LOG_TARGET, open};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct MailArg {
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
    /// The sender of Rally's own mail to its users (password reset links), which belongs to no
    /// campaign: an address, optionally with a name, as in `Rally <rally@example.org>`.
    #[arg(long, env = "RALLY_MAIL_FROM", value_name = "ADDRESS")]
    mail_from: Option<String>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    db: DatabaseArg,
    #[arg(long, env = "RALLY_DATA_DIR", value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    mail: MailArg,
    /// Deliver what is due now, then exit.
    #[arg(long)]
    drain: bool,
}

pub async fn run(args: WorkerArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = open(&settings.database(args.db.database)).await?;
    let (worker, _) = delivery(store, &args.mail, &settings.data_dir(args.data_dir))?;
    if args.drain {
        let n = worker.drain().await?;
        println!("delivered or settled {n} e-mails");
        return Ok(());
    }
    tracing::info!(target: LOG_TARGET, "delivering the outbox");
    worker.run(shutdown_signal()).await;
    Ok(())
}

/// The delivery worker for `--mail` (default: .eml files in the data directory's `mail/` folder).
pub fn delivery(
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
    // Host and process name the worker in its leases, so workers sharing a database tell theirs apart.
    let mut config = rally_comms::WorkerConfig::new(format!("{}-{}", hostname(), std::process::id()));
    config.concurrency = concurrency;
    config.lease = std::time::Duration::from_secs(mail.lease_seconds.max(1));
    if mail.rate_per_second > 0 || mail.rate_per_domain_per_minute > 0 {
        config.rate =
            Some(Arc::new(rally_mail::RateLimiter::new(mail.rate_per_second, mail.rate_per_domain_per_minute)));
    }
    if let Some(spec) = &mail.dkim {
        config.dkim = Some(Arc::new(dkim_key(spec)?));
    }
    if let Some(from) = &mail.mail_from {
        config.system_sender = Some(sender(from)?);
    }
    tracing::info!(target: LOG_TARGET, mail = %rally_mail::redact(&url), concurrency, "e-mail delivery");
    Ok((rally_comms::Worker::new(store, transport.clone(), config), transport))
}

/// `Name <address>` or a bare address, checked.
fn sender(spec: &str) -> anyhow::Result<(String, String)> {
    let spec = spec.trim();
    let (name, address) = match spec.rsplit_once('<') {
        Some((name, rest)) => (name.trim().trim_matches('"').to_owned(), rest.trim_end_matches('>').trim()),
        None => ("Rally".to_owned(), spec),
    };
    let address = rally_domain::Email::parse(address).map_err(|e| anyhow!("--mail-from: {e}"))?;
    let name = if name.is_empty() { "Rally".to_owned() } else { name };
    if name.chars().any(char::is_control) || name.chars().count() > 100 {
        bail!("--mail-from: give a sender name of at most 100 characters on one line");
    }
    Ok((name, address.to_string()))
}

/// The DKIM key `--dkim domain:selector:path/to/key.pem` names.
fn dkim_key(spec: &str) -> anyhow::Result<rally_mail::DkimKey> {
    let mut parts = spec.splitn(3, ':');
    let (Some(domain), Some(selector), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("--dkim: give domain:selector:path/to/key.pem");
    };
    let pem = std::fs::read_to_string(path).with_context(|| format!("--dkim: reading {path}"))?;
    rally_mail::DkimKey::from_pem(domain, selector, &pem).map_err(|e| anyhow!("--dkim: {e}"))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "rally".into())
}

#[cfg(test)]
mod tests {
    use super::sender;

    #[test]
    fn the_system_sender_is_a_checked_address_with_a_name() {
        assert_eq!(
            sender("Rally Hrvatska <rally@example.org>").ok(),
            Some(("Rally Hrvatska".into(), "rally@example.org".into()))
        );
        assert_eq!(
            sender("\"Sat kodiranja\" <info@example.org>").ok(),
            Some(("Sat kodiranja".into(), "info@example.org".into()))
        );
        assert_eq!(sender("rally@example.org").ok(), Some(("Rally".into(), "rally@example.org".into())));
        assert!(sender("Rally <not an address>").is_err());
        assert!(sender("Evil\r\nBcc: x@example.org <a@example.org>").is_err(), "no header injection through the name");
    }
}

//! `rally worker`: delivers the outbox in a process of its own. The `[mail]` settings and the
//! delivery worker they configure are here too, since `rally serve` and `rally demo` run the same
//! worker in-process.

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use clap::Args;
use rally_store::Store;

use super::shutdown_signal;
use super::{LOG_TARGET, open};
use crate::config::{Dkim, Settings, keys};

/// The `[mail]` settings (`--mail`, `--concurrency`, …), checked: what `delivery` needs.
pub struct MailSettings {
    /// Where e-mail goes (`None`: .eml files in the data directory's `mail/` folder), its password in it.
    mail: Option<String>,
    concurrency: usize,
    lease_seconds: u64,
    rate_per_second: u32,
    rate_per_domain_per_minute: u32,
    dkim: Option<Dkim>,
    mail_from: Option<String>,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold the SMTP password.
        f.debug_struct("MailSettings")
            .field("mail", &self.mail.as_deref().map(rally_mail::redact))
            .field("concurrency", &self.concurrency)
            .field("dkim", &self.dkim)
            .finish_non_exhaustive()
    }
}

impl MailSettings {
    /// Reads and checks them: a DKIM key that does not load or a sender that is not an address stops
    /// Rally at start (and `rally config check`), not at the first e-mail.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<MailSettings> {
        let mail = MailSettings {
            mail: settings.mail_url()?,
            concurrency: usize::try_from(settings.number(&keys::MAIL_CONCURRENCY)).unwrap_or(1),
            lease_seconds: settings.number(&keys::MAIL_LEASE),
            rate_per_second: settings.count(&keys::MAIL_RATE),
            rate_per_domain_per_minute: settings.count(&keys::MAIL_DOMAIN_RATE),
            dkim: settings.dkim()?,
            mail_from: settings.text(&keys::MAIL_FROM)?,
        };
        if let Some(spec) = &mail.dkim {
            dkim_key(spec)?;
        }
        if let Some(from) = &mail.mail_from {
            sender(from)?;
        }
        Ok(mail)
    }

    /// Checks the mail URL as `delivery` will read it (it connects to nothing).
    pub fn check_url(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.mail {
            rally_mail::Transport::from_url(url, 1)
                .with_context(|| format!("[mail] url {}", rally_mail::redact(url)))?;
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Deliver what is due now, then exit.
    #[arg(long)]
    drain: bool,
}

pub async fn run(args: WorkerArgs, settings: &Settings) -> anyhow::Result<()> {
    // Caught from the start, so a stop during start-up is a clean one too; a drain keeps the default
    // (a caught signal cannot be given back), and stops at once.
    let shutdown = (!args.drain).then(shutdown_signal);
    let mail = MailSettings::from_settings(settings)?;
    let store = open(&settings.database_url()?).await?;
    let (worker, transport) = delivery(store, &mail, &settings.data_dir())?;
    let Some(shutdown) = shutdown else {
        let n = worker.drain().await?;
        transport.shutdown().await;
        println!("delivered or settled {n} e-mails");
        return Ok(());
    };
    tracing::info!(target: LOG_TARGET, "delivering the outbox");
    worker.with_stop_grace(settings.shutdown_grace()).run(shutdown).await;
    // Only now, with every e-mail in flight finished or abandoned: `QUIT` on each connection.
    transport.shutdown().await;
    Ok(())
}

/// The delivery worker for `--mail` (default: .eml files in the data directory's `mail/` folder).
pub fn delivery(
    store: Arc<dyn Store>,
    mail: &MailSettings,
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
    let address = rally_domain::Email::parse(address).map_err(|e| anyhow!("[mail] from: {e}"))?;
    let name = if name.is_empty() { "Rally".to_owned() } else { name };
    if name.chars().any(char::is_control) || name.chars().count() > 100 {
        bail!("[mail] from: give a sender name of at most 100 characters on one line");
    }
    Ok((name, address.to_string()))
}

/// The DKIM key of `[mail] dkim` (`--dkim`), loaded.
fn dkim_key(spec: &Dkim) -> anyhow::Result<rally_mail::DkimKey> {
    rally_mail::DkimKey::from_pem(&spec.domain, &spec.selector, &spec.pem).map_err(|e| anyhow!("[mail] dkim: {e}"))
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

//! Settings: command-line flags win, then environment variables (clap reads both), then `rally.toml`,
//! then defaults.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_DATABASE: &str = "rally.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "rally-data";

/// The contents of `rally.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Same as `--database`.
    database_url: Option<String>,
    /// Same as `--listen`.
    listen: Option<String>,
    /// Same as `--data-dir`.
    data_dir: Option<std::path::PathBuf>,
    /// Same as `--public-url`: where people reach Rally, e.g. `https://rally.example.org`.
    public_url: Option<String>,
    /// Same as `--trusted-proxy` (each an address or a CIDR range).
    trusted_proxies: Option<Vec<String>>,
    /// Same as `--max-connections`.
    max_connections: Option<usize>,
}

impl Settings {
    /// Reads `path`, or `rally.toml` in the working directory if it exists.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Settings> {
        let (path, required) = match path {
            Some(p) => (p, true),
            None => (Path::new("rally.toml"), false),
        };
        if !required && !path.exists() {
            return Ok(Settings::default());
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not a valid Rally settings file", path.display()))
    }

    pub fn database(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.database_url.clone()).unwrap_or_else(|| DEFAULT_DATABASE.into())
    }

    pub fn data_dir(&self, flag: Option<std::path::PathBuf>) -> std::path::PathBuf {
        flag.or_else(|| self.data_dir.clone()).unwrap_or_else(|| DEFAULT_DATA_DIR.into())
    }

    /// Where people reach Rally: the flag (or `RALLY_PUBLIC_URL`), then `public_url` in the file; without
    /// either, `http://` and the listen address — but only when that is loopback, which nobody else
    /// reaches. Every absolute link Rally writes (e-mails, partner links, calendar feeds) starts with it.
    pub fn public_url(&self, flag: Option<String>, listen: SocketAddr) -> anyhow::Result<rally_web::PublicUrl> {
        match flag.or_else(|| self.public_url.clone()) {
            Some(raw) => rally_web::PublicUrl::parse(&raw).map_err(|e| anyhow::anyhow!("--public-url: {e}")),
            None if listen.ip().is_loopback() => Ok(rally_web::PublicUrl::for_listener(listen)),
            None => anyhow::bail!(
                "Rally listens on {listen}, which others can reach, but does not know the address people use: set \
                 it with --public-url https://rally.example.org (or RALLY_PUBLIC_URL, or public_url in rally.toml). \
                 Links in e-mails, partner links and calendar feeds are built from it, never from a request"
            ),
        }
    }

    /// The reverse proxies in front of Rally: the flags (or `RALLY_TRUSTED_PROXIES`), else the file's.
    pub fn trusted_proxies(&self, flags: Vec<String>) -> anyhow::Result<rally_web::TrustedProxies> {
        let list = if flags.is_empty() { self.trusted_proxies.clone().unwrap_or_default() } else { flags };
        rally_web::TrustedProxies::parse(&list).map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))
    }

    /// The HTTP server's limits: the connection cap from the flag or the file, lowered to what the
    /// process's limit of open files allows once it is raised as far as the system lets it.
    pub fn server_limits(&self, flag: Option<usize>) -> anyhow::Result<rally_web::ServerLimits> {
        let mut limits = rally_web::ServerLimits::default();
        if let Some(n) = flag.or(self.max_connections) {
            anyhow::ensure!(n > 0, "--max-connections must be at least 1");
            limits.max_connections = n;
        }
        if let Err(e) = rally_web::raise_open_files_limit() {
            tracing::warn!(error = %e, "cannot raise the limit of open files");
        }
        let allowed = limits.within_open_files_limit();
        if allowed.max_connections < limits.max_connections {
            tracing::warn!(
                asked = limits.max_connections,
                allowed = allowed.max_connections,
                "fewer connections than asked for: the limit of open files is too low (raise it with ulimit -n)"
            );
        }
        Ok(allowed)
    }

    pub fn listen(&self, flag: Option<SocketAddr>) -> anyhow::Result<SocketAddr> {
        match flag {
            Some(addr) => Ok(addr),
            None => {
                let raw = self.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
                raw.parse()
                    .with_context(|| format!("listen = {raw:?} in rally.toml is not an address like 127.0.0.1:8080"))
            }
        }
    }
}

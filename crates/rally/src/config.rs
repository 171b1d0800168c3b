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

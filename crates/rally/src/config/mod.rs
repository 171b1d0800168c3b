//! Settings: a command-line flag wins, then an environment variable (`RALLY_SECTION__KEY`), then
//! `rally.toml` (or the file `--config` names), then the default. `keys.rs` lists every setting;
//! `sources.rs` reads each source into checked values that remember where they came from; `Settings`
//! merges them and turns them into what the commands need.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;

pub mod docs;
pub mod flags;
pub mod keys;
mod secrets;
pub mod sources;

use keys::Key;
use sources::{Layer, Notes, Origin, Value};

/// The file read when `--config` names none, if it exists.
pub const DEFAULT_FILE: &str = "rally.toml";

/// The merged settings.
#[derive(Debug)]
pub struct Settings {
    values: Layer,
    file: Option<PathBuf>,
    warnings: Vec<String>,
}

/// Settings that cannot be used: every problem found, so one run shows them all.
#[derive(Debug)]
pub struct Invalid(pub Vec<String>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for Invalid {}

/// A DKIM signing key as the settings give it: the domain, the selector and the PEM text.
pub struct Dkim {
    pub domain: String,
    pub selector: String,
    pub pem: String,
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dkim").field("domain", &self.domain).field("selector", &self.selector).finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the file (`file`, else `rally.toml` if there is one), the process's environment and the
    /// flags `given` on the command line.
    pub fn load(file: Option<&Path>, given: &[(&'static Key, Vec<String>)]) -> Result<Settings, Invalid> {
        let mut errors = Vec::new();
        let mut env = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().filter(|n| n.starts_with("RALLY_")).map(str::to_owned) else { continue };
            match value.into_string() {
                Ok(value) => env.push((name, value)),
                Err(_) => errors.push(format!("{name} is not UTF-8 text")),
            }
        }
        let (path, required) = match file {
            Some(path) => (path, true),
            None => (Path::new(DEFAULT_FILE), false),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => {
                errors.push(format!("cannot read {}: {e}", path.display()));
                None
            }
            Err(_) => None,
        };
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        Settings::from_sources(text.as_deref().map(|t| (path, t)), &env, given)
    }

    /// The settings of a file's text, environment variables and flags, merged.
    pub fn from_sources(
        file: Option<(&Path, &str)>,
        env: &[(String, String)],
        given: &[(&'static Key, Vec<String>)],
    ) -> Result<Settings, Invalid> {
        let mut notes = Notes::default();
        let mut values = file.map(|(path, text)| sources::file_layer(path, text, &mut notes)).unwrap_or_default();
        values.extend(sources::env_layer(env, &mut notes));
        values.extend(sources::flag_layer(given, &mut notes));
        if !notes.errors.is_empty() {
            return Err(Invalid(notes.errors));
        }
        Ok(Settings { values, file: file.map(|(path, _)| path.to_owned()), warnings: notes.warnings })
    }

    /// The file that was read, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Old names still in use, to be logged.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// How to name the key in a message: as it was given (the flag, the variable, the file's line).
    pub fn name(&self, key: &Key) -> String {
        let setting = self.values.get(key.id);
        let in_file = if setting.is_some_and(|s| s.in_file) { "_file" } else { "" };
        match setting.map(|s| &s.origin) {
            Some(Origin::Flag(long)) => format!("--{long}"),
            Some(Origin::Env(name)) => name.clone(),
            Some(Origin::File { path, line }) => {
                format!("[{}] {}{in_file} ({} line {line})", key.section(), key.name(), path.display())
            }
            Some(Origin::Default) | None => format!("[{}] {}", key.section(), key.name()),
        }
    }

    /// The key's text (its default if unset), a secret read from its file if it names one.
    pub fn text(&self, key: &Key) -> anyhow::Result<Option<String>> {
        match self.values.get(key.id) {
            Some(setting) if setting.in_file => {
                let Value::Text(path) = &setting.value else { return Ok(None) };
                secrets::read(Path::new(path)).map(Some).map_err(|e| anyhow!("{}: {e}", self.name(key)))
            }
            Some(setting) => Ok(match &setting.value {
                // A password may begin or end with a space; anything else is trimmed.
                Value::Text(text) if key.is_secret() => Some(text.clone()),
                Value::Text(text) => Some(text.trim().to_owned()),
                _ => None,
            }),
            None => Ok(match key.default {
                keys::Default::Text(text) => Some(text.to_owned()),
                _ => None,
            }),
        }
    }

    /// The value given on the command line, if it was: for `rally demo`, whose database and data
    /// directory are its own unless a flag names them.
    pub fn flag_value(&self, key: &Key) -> Option<String> {
        match self.values.get(key.id) {
            Some(sources::Setting { value: Value::Text(text), origin: Origin::Flag(_), .. }) => Some(text.clone()),
            _ => None,
        }
    }

    pub fn number(&self, key: &Key) -> u64 {
        match (self.values.get(key.id).map(|s| &s.value), key.default) {
            (Some(Value::Number(n)), _) => *n,
            (None, keys::Default::Number(n)) => n,
            _ => 0,
        }
    }

    /// A number of a key whose bounds fit in 32 bits.
    pub fn count(&self, key: &Key) -> u32 {
        u32::try_from(self.number(key)).unwrap_or(u32::MAX)
    }

    pub fn switch(&self, key: &Key) -> bool {
        match (self.values.get(key.id).map(|s| &s.value), key.default) {
            (Some(Value::Switch(b)), _) => *b,
            (None, keys::Default::Switch(b)) => b,
            _ => false,
        }
    }

    pub fn list(&self, key: &Key) -> Vec<String> {
        match (self.values.get(key.id).map(|s| &s.value), key.default) {
            (Some(Value::List(list)), _) => list.clone(),
            (None, keys::Default::List(list)) => list.iter().map(|s| (*s).to_owned()).collect(),
            _ => Vec::new(),
        }
    }

    /// The database URL, with `[database] password` put into it.
    pub fn database_url(&self) -> anyhow::Result<String> {
        let url = self.text(&keys::DATABASE_URL)?.unwrap_or_default();
        match self.text(&keys::DATABASE_PASSWORD)? {
            None => Ok(url),
            Some(_) if !url.contains("://") => Err(anyhow!(
                "{} is set, but the database is the SQLite file {url}, which takes no password",
                self.name(&keys::DATABASE_PASSWORD)
            )),
            Some(password) => secrets::with_password(&url, &password).map_err(|e| {
                anyhow!("{} is set, but {}: {e}", self.name(&keys::DATABASE_PASSWORD), self.name(&keys::DATABASE_URL))
            }),
        }
    }

    /// The directory of uploaded files.
    pub fn data_dir(&self) -> PathBuf {
        self.text(&keys::DATA_DIR).ok().flatten().unwrap_or_default().into()
    }

    /// Where e-mail goes (`None`: files in the data directory), with `[mail] password` put into it.
    pub fn mail_url(&self) -> anyhow::Result<Option<String>> {
        let url = self.text(&keys::MAIL_URL)?;
        match (url, self.text(&keys::MAIL_PASSWORD)?) {
            (url, None) => Ok(url),
            (None, Some(_)) => {
                Err(anyhow!("{} is set, but no mail server is: set [mail] url too", self.name(&keys::MAIL_PASSWORD)))
            }
            (Some(url), Some(password)) => secrets::with_password(&url, &password).map(Some).map_err(|e| {
                anyhow!("{} is set, but {}: {e}", self.name(&keys::MAIL_PASSWORD), self.name(&keys::MAIL_URL))
            }),
        }
    }

    /// The DKIM key, from `dkim = "domain:selector"` and `dkim_key`, or `dkim = "domain:selector:path"`.
    pub fn dkim(&self) -> anyhow::Result<Option<Dkim>> {
        let spec = self.text(&keys::MAIL_DKIM)?;
        let key = self.text(&keys::MAIL_DKIM_KEY)?;
        let Some(spec) = spec else {
            if key.is_some() {
                anyhow::bail!(
                    "{} is set, but not [mail] dkim, the domain:selector to sign with",
                    self.name(&keys::MAIL_DKIM_KEY)
                );
            }
            return Ok(None);
        };
        let name = self.name(&keys::MAIL_DKIM);
        let mut parts = spec.splitn(3, ':');
        let (Some(domain), Some(selector)) = (parts.next(), parts.next()) else {
            anyhow::bail!("{name}: give domain:selector (with dkim_key) or domain:selector:path/to/key.pem");
        };
        let pem = match (parts.next(), key) {
            (Some(path), None) => std::fs::read_to_string(path).map_err(|e| anyhow!("{name}: reading {path}: {e}"))?,
            (None, Some(pem)) => pem,
            (Some(_), Some(_)) => anyhow::bail!(
                "{name} names a key file and {} is set too; give the key once",
                self.name(&keys::MAIL_DKIM_KEY)
            ),
            (None, None) => anyhow::bail!("{name}: no key; set [mail] dkim_key_file, or write domain:selector:path"),
        };
        Ok(Some(Dkim { domain: domain.to_owned(), selector: selector.to_owned(), pem }))
    }

    /// The address to listen on.
    pub fn listen(&self) -> anyhow::Result<SocketAddr> {
        let raw = self.text(&keys::LISTEN)?.unwrap_or_default();
        raw.parse().map_err(|_| anyhow!("{}: {raw:?} is not an address like 127.0.0.1:8080", self.name(&keys::LISTEN)))
    }

    /// Where people reach Rally; without it, `http://` and the listen address — but only when that
    /// is loopback, which nobody else reaches. Every absolute link Rally writes (e-mails, partner
    /// links, calendar feeds) starts with it.
    pub fn public_url(&self, listen: SocketAddr) -> anyhow::Result<rally_web::PublicUrl> {
        match self.text(&keys::PUBLIC_URL)? {
            Some(raw) => {
                rally_web::PublicUrl::parse(&raw).map_err(|e| anyhow!("{}: {e}", self.name(&keys::PUBLIC_URL)))
            }
            None if listen.ip().is_loopback() => Ok(rally_web::PublicUrl::for_listener(listen)),
            None => anyhow::bail!(
                "Rally listens on {listen}, which others can reach, but does not know the address people use: set \
                 it with --public-url https://rally.example.org (or RALLY_SERVER__PUBLIC_URL, or public_url under \
                 [server] in rally.toml). Links in e-mails, partner links and calendar feeds are built from it, \
                 never from a request"
            ),
        }
    }

    /// The reverse proxies in front of Rally.
    pub fn trusted_proxies(&self) -> anyhow::Result<rally_web::TrustedProxies> {
        rally_web::TrustedProxies::parse(&self.list(&keys::TRUSTED_PROXIES))
            .map_err(|e| anyhow!("{}: {e}", self.name(&keys::TRUSTED_PROXIES)))
    }

    /// How long a stop waits for requests and e-mails in flight.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.number(&keys::SHUTDOWN_GRACE))
    }

    /// The bearer token `/metrics` asks for (`None`: it answers anyone).
    pub fn metrics_token(&self) -> anyhow::Result<Option<String>> {
        self.text(&keys::METRICS_TOKEN)
    }

    /// Whether log lines are JSON objects rather than readable text.
    pub fn log_json(&self) -> bool {
        self.text(&keys::LOG_FORMAT).ok().flatten().is_some_and(|f| f == "json")
    }

    /// Which log lines are written (`RUST_LOG` wins over it).
    pub fn log_level(&self) -> String {
        self.text(&keys::LOG_LEVEL).ok().flatten().unwrap_or_default()
    }

    /// The key's value as `rally config check` shows it: secrets and URL passwords hidden.
    pub fn shown(&self, key: &Key) -> String {
        let Some(setting) = self.values.get(key.id) else {
            return match key.default {
                keys::Default::Unset(meaning) => format!("(not set: {meaning})"),
                default => docs::default_value(default),
            };
        };
        match &setting.value {
            _ if key.is_secret() => "(set, redacted)".to_owned(),
            Value::Text(text) if key.kind == keys::Kind::Url => docs::toml_string(&rally_store::redact(text)),
            value => docs::toml_value(value),
        }
    }

    /// Where the key's value came from, as `rally config check` says it.
    pub fn source(&self, key: &Key) -> String {
        match self.values.get(key.id) {
            Some(setting) if setting.in_file => {
                let path = match &setting.value {
                    Value::Text(path) => path.as_str(),
                    _ => "",
                };
                format!("read from {path}, named by {}", setting.origin)
            }
            Some(setting) => setting.origin.to_string(),
            None => Origin::Default.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn a_flag_wins_over_the_environment_which_wins_over_the_file() {
        let file = "[server]\nlisten = \"127.0.0.1:1\"\nmax_connections = 10\nsign_ins_per_hour = 5\n";
        let vars = env(&[("RALLY_SERVER__LISTEN", "127.0.0.1:2"), ("RALLY_SERVER__MAX_CONNECTIONS", "20")]);
        let given = vec![(&keys::LISTEN, vec!["127.0.0.1:3".to_owned()])];
        let s = Settings::from_sources(Some((Path::new("rally.toml"), file)), &vars, &given)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.listen().ok(), "127.0.0.1:3".parse().ok());
        assert_eq!(s.source(&keys::LISTEN), "flag --listen");
        assert_eq!(s.number(&keys::MAX_CONNECTIONS), 20);
        assert_eq!(s.source(&keys::MAX_CONNECTIONS), "environment variable RALLY_SERVER__MAX_CONNECTIONS");
        assert_eq!(s.count(&keys::SIGN_INS_PER_HOUR), 5);
        assert_eq!(s.source(&keys::SIGN_INS_PER_HOUR), "rally.toml line 4");
        assert_eq!(s.count(&keys::REGISTRATIONS_PER_HOUR), 30);
        assert_eq!(s.source(&keys::REGISTRATIONS_PER_HOUR), "default");
        assert!(s.switch(&keys::WORKER));
        assert_eq!(s.shutdown_grace(), Duration::from_secs(30));
    }

    #[test]
    fn every_default_is_of_its_keys_kind() {
        let s = Settings::from_sources(None, &[], &[]).unwrap_or_else(|e| panic!("{e}"));
        for key in keys::KEYS {
            let default_ok = match (key.kind, key.default) {
                (_, keys::Default::Unset(_)) => true,
                (keys::Kind::Number { min, max }, keys::Default::Number(n)) => (min..=max).contains(&n),
                (keys::Kind::Switch, keys::Default::Switch(_)) | (keys::Kind::List, keys::Default::List(_)) => true,
                (kind, keys::Default::Text(text)) => sources::from_text(kind, text).is_ok(),
                _ => false,
            };
            assert!(default_ok, "{}: the default is not {}", key.id, key.kind.expected());
        }
        assert_eq!(s.database_url().ok().as_deref(), Some("rally.db"));
        assert_eq!(s.data_dir(), PathBuf::from("rally-data"));
        assert_eq!(s.mail_url().ok(), Some(None));
        assert!(s.dkim().is_ok_and(|d| d.is_none()));
        assert!(!s.log_json());
    }

    #[test]
    fn passwords_join_their_urls_and_stay_hidden() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let secret = dir.path().join("db-password");
        std::fs::write(&secret, "s3cr:t\n").unwrap_or_else(|e| panic!("{e}"));
        let file = format!(
            "[database]\nurl = \"postgres://rally@db/rally\"\npassword_file = {}\n[mail]\nurl = \"smtp://rally@mail\"\n",
            docs::toml_string(&secret.display().to_string())
        );
        let vars = env(&[("RALLY_MAIL__PASSWORD", "m@il")]);
        let s = Settings::from_sources(Some((Path::new("rally.toml"), &file)), &vars, &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.database_url().ok().as_deref(), Some("postgres://rally:s3cr%3At@db/rally"));
        assert_eq!(s.mail_url().ok().flatten().as_deref(), Some("smtp://rally:m%40il@mail"));
        assert_eq!(s.shown(&keys::DATABASE_PASSWORD), "(set, redacted)");
        assert_eq!(
            s.source(&keys::DATABASE_PASSWORD),
            format!("read from {}, named by rally.toml line 3", secret.display())
        );

        let s = Settings::from_sources(None, &env(&[("RALLY_DATABASE__PASSWORD", "x")]), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            s.database_url().is_err_and(|e| e.to_string().contains("SQLite file rally.db, which takes no password"))
        );
        let s = Settings::from_sources(None, &env(&[("RALLY_DATABASE__URL", "postgres://rally:pw@db/rally")]), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.shown(&keys::DATABASE_URL), "\"postgres://rally:***@db/rally\"");
    }

    #[test]
    fn the_dkim_key_comes_from_a_path_or_its_own_setting() {
        let s = Settings::from_sources(None, &env(&[("RALLY_MAIL__DKIM", "example.org:rally")]), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.dkim().is_err_and(|e| e.to_string().contains("no key")));
        let vars = env(&[("RALLY_MAIL__DKIM", "example.org:rally"), ("RALLY_MAIL__DKIM_KEY", "PEM")]);
        let s = Settings::from_sources(None, &vars, &[]).unwrap_or_else(|e| panic!("{e}"));
        let dkim = s.dkim().ok().flatten();
        assert_eq!(
            dkim.map(|d| (d.domain, d.selector, d.pem)),
            Some(("example.org".into(), "rally".into(), "PEM".into()))
        );
        let s = Settings::from_sources(None, &env(&[("RALLY_MAIL__DKIM_KEY", "PEM")]), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.dkim().is_err());
    }
}

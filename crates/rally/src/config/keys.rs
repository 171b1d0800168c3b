//! Every setting Rally has, in one table: its section and name in `rally.toml`, its type, default,
//! documentation, command-line flag and older names. The file reader, the environment reader, the
//! flags, `rally config check`, `rally config example` and docs/configuration.md are all made from it,
//! so a setting documented is a setting read.

/// One setting.
#[derive(Debug)]
pub struct Key {
    /// `section.name`, e.g. `server.listen`: `[server] listen` in the file, `RALLY_SERVER__LISTEN` in
    /// the environment. Also the flag's id in clap.
    pub id: &'static str,
    pub kind: Kind,
    pub default: Default,
    /// For the example file and the reference; the first sentence is also the flag's help.
    pub doc: &'static str,
    /// A value (TOML) to show in the example file when the key has no default; for a secret, the
    /// path of the file to read it from.
    pub example: Option<&'static str>,
    pub flag: Option<Flag>,
    /// The environment variable that set this before settings had sections; still read, with a warning.
    pub old_env: Option<&'static str>,
    /// The top-level key of `rally.toml` before settings had sections; still read, with a warning.
    pub old_key: Option<&'static str>,
}

/// What a key's value is, which decides how it is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An address and port, e.g. `127.0.0.1:8080`.
    Address,
    /// A URL whose password (if any) is hidden wherever it is shown.
    Url,
    /// A file or directory; relative paths are taken from the working directory.
    Path,
    /// Shown only as "(set, redacted)"; may be read from a file (`<name>_file`, `…_FILE`).
    Secret,
    Switch,
    /// A whole number within bounds.
    Number {
        min: u64,
        max: u64,
    },
    /// A list of strings; comma-separated in the environment, repeated (or comma-separated) as a flag.
    List,
    /// One of a few words.
    Choice(&'static [&'static str]),
    /// A `tracing` filter, e.g. `info,sqlx=warn`.
    LogFilter,
}

impl Kind {
    /// What a value of this kind is, in words, for error messages and the reference.
    pub fn expected(self) -> String {
        match self {
            Kind::Text | Kind::Url | Kind::Path | Kind::Secret => "a string".into(),
            Kind::Address => "an address and port such as \"127.0.0.1:8080\"".into(),
            Kind::Switch => "true or false".into(),
            Kind::Number { min, max } => format!("a whole number from {min} to {max}"),
            Kind::List => "a list of strings such as [\"10.0.0.0/8\"]".into(),
            Kind::Choice(words) => {
                format!("one of {}", words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "))
            }
            Kind::LogFilter => "a log filter such as \"info,sqlx=warn\"".into(),
        }
    }
}

/// A key's value when nothing sets it.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    Text(&'static str),
    Number(u64),
    Switch(bool),
    List(&'static [&'static str]),
    /// Not set; says what happens then.
    Unset(&'static str),
}

/// The command-line flag that sets a key.
#[derive(Debug)]
pub struct Flag {
    pub long: &'static str,
    pub alias: Option<&'static str>,
    pub value_name: &'static str,
    /// A flag without a value that sets a switch to this (`--no-worker` sets `worker = false`).
    pub sets: Option<bool>,
    /// The flag's help, when the doc's first sentence does not read as one.
    pub help: Option<&'static str>,
    pub on: On,
}

/// Which commands take a flag. `rally config check` takes every flag, to show what it would change.
#[derive(Debug, Clone, Copy)]
pub enum On {
    /// Every command (a global flag).
    Every,
    /// These commands, named as typed (`user reset-link`).
    Commands(&'static [&'static str]),
}

impl Key {
    pub fn section(&self) -> &'static str {
        self.id.split_once('.').map_or(self.id, |(s, _)| s)
    }

    pub fn name(&self) -> &'static str {
        self.id.split_once('.').map_or(self.id, |(_, n)| n)
    }

    /// `RALLY_SERVER__LISTEN`.
    pub fn env(&self) -> String {
        format!("RALLY_{}__{}", self.section().to_uppercase(), self.name().to_uppercase())
    }

    pub fn is_secret(&self) -> bool {
        self.kind == Kind::Secret
    }

    /// The flag's help: its own, or the doc's first sentence (which ends at a full stop followed by
    /// a capital, so "e.g. https://…" does not end it).
    pub fn summary(&self) -> &'static str {
        if let Some(help) = self.flag.as_ref().and_then(|f| f.help) {
            return help;
        }
        let end = self
            .doc
            .match_indices(". ")
            .map(|(i, _)| i)
            .find(|i| self.doc[i + 2..].starts_with(|c: char| c.is_uppercase()));
        end.map_or(self.doc, |i| &self.doc[..=i])
    }

    /// Whether `command` (as typed, e.g. `user reset-link`) takes this key's flag.
    pub fn flag_on(&self, command: &str) -> bool {
        match self.flag.as_ref().map(|f| f.on) {
            None | Some(On::Every) => false,
            Some(On::Commands(list)) => command == "config check" || list.contains(&command),
        }
    }
}

/// The key with this id.
pub fn find(id: &str) -> Option<&'static Key> {
    KEYS.iter().copied().find(|k| k.id == id)
}

/// The sections, in the order of the table.
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KEYS {
        if !out.contains(&k.section()) {
            out.push(k.section());
        }
    }
    out
}

/// Every command that opens the database, and so takes `--database`.
const DATABASE_COMMANDS: &[&str] = &[
    "serve",
    "worker",
    "demo",
    "migrate",
    "backup",
    "restore",
    "user add",
    "user reset-link",
    "user turn-off-second-factor",
    "campaign grant",
    "token list",
    "token revoke",
    "token create",
    "comms plan",
    "comms queue",
    "files gc",
    "import partners",
    "import contacts",
    "import events",
    "import undo",
    "import list",
    "export",
    "audit",
    "plan",
    "privacy purge",
    "privacy export",
    "privacy erase",
];
/// The commands that deliver e-mail: `serve` and `demo` in-process, `worker` alone.
const DELIVERY: &[&str] = &["serve", "worker", "demo"];
/// The commands that serve HTTP.
const SERVING: &[&str] = &["serve", "demo"];

const fn flag(long: &'static str, value_name: &'static str, on: &'static [&'static str]) -> Option<Flag> {
    Some(Flag { long, alias: None, value_name, sets: None, help: None, on: On::Commands(on) })
}

pub const LISTEN: Key = Key {
    id: "server.listen",
    kind: Kind::Address,
    default: Default::Text("127.0.0.1:8080"),
    doc: "The address and port Rally listens on. Use 0.0.0.0:8080 (or [::]:8080) to be reachable from \
          other machines; then public_url must be set.",
    example: None,
    flag: flag("listen", "ADDR", SERVING),
    old_env: Some("RALLY_LISTEN"),
    old_key: Some("listen"),
};

pub const PUBLIC_URL: Key = Key {
    id: "server.public_url",
    kind: Kind::Url,
    default: Default::Unset("http:// and the listen address, allowed only when that is loopback"),
    doc: "Where people reach Rally, e.g. https://rally.example.org. Every link Rally writes (e-mails, \
          partner links, calendar feeds) starts with it, never with what a request says about itself; \
          session cookies are Secure when it is https://.",
    example: Some("\"https://rally.example.org\""),
    flag: Some(Flag {
        long: "public-url",
        alias: Some("base-url"),
        value_name: "URL",
        sets: None,
        help: None,
        on: On::Commands(&["serve", "demo", "comms queue", "user reset-link"]),
    }),
    old_env: Some("RALLY_PUBLIC_URL"),
    old_key: Some("public_url"),
};

pub const TRUSTED_PROXIES: Key = Key {
    id: "server.trusted_proxies",
    kind: Kind::List,
    default: Default::List(&[]),
    doc: "The reverse proxies in front of Rally, each an address or a range such as 10.0.0.0/8. Only their \
          X-Forwarded-For is believed, and names the client for the per-address limits.",
    example: None,
    flag: Some(Flag {
        long: "trusted-proxy",
        alias: None,
        value_name: "CIDR",
        sets: None,
        help: None,
        on: On::Commands(&["serve"]),
    }),
    old_env: Some("RALLY_TRUSTED_PROXIES"),
    old_key: Some("trusted_proxies"),
};

pub const MAX_CONNECTIONS: Key = Key {
    id: "server.max_connections",
    kind: Kind::Number { min: 1, max: 1_000_000 },
    default: Default::Number(4096),
    doc: "Connections open at once; more wait until one closes. Always kept below the number of files \
          the process may open.",
    example: None,
    flag: flag("max-connections", "N", &["serve"]),
    old_env: Some("RALLY_MAX_CONNECTIONS"),
    old_key: Some("max_connections"),
};

pub const WORKER: Key = Key {
    id: "server.worker",
    kind: Kind::Switch,
    default: Default::Switch(true),
    doc: "Whether rally serve delivers the outbox in-process. Set false (or give --no-worker) when \
          separate rally worker processes deliver it.",
    example: None,
    flag: Some(Flag {
        long: "no-worker",
        alias: None,
        value_name: "",
        sets: Some(false),
        help: Some("Serve only; leave delivery to rally worker processes (worker = false)."),
        on: On::Commands(&["serve"]),
    }),
    old_env: None,
    old_key: None,
};

pub const SHUTDOWN_GRACE: Key = Key {
    id: "server.shutdown_grace_seconds",
    kind: Kind::Number { min: 0, max: 3600 },
    default: Default::Number(30),
    doc: "Seconds Rally waits, once asked to stop, for requests and e-mails in flight to finish. A \
          service manager should wait a little longer before it kills the process.",
    example: None,
    flag: flag("shutdown-grace-seconds", "SECONDS", DELIVERY),
    old_env: None,
    old_key: None,
};

pub const RETENTION_HOURS: Key = Key {
    id: "server.retention_hours",
    kind: Kind::Number { min: 0, max: 8760 },
    default: Default::Number(24),
    doc: "Hours between the runs of the retention rules in rally serve (the first at start-up), which remove \
          personal data past its period in small batches. 0: never in the server; run rally privacy purge \
          from cron instead.",
    example: None,
    flag: None,
    old_env: None,
    old_key: None,
};

pub const SIGN_INS_PER_HOUR: Key = Key {
    id: "server.sign_ins_per_hour",
    kind: Kind::Number { min: 1, max: 1_000_000 },
    default: Default::Number(60),
    doc: "Sign-ins (and forgotten-password requests) one client address may make per hour. An office whose \
          whole team comes from one address may need more.",
    example: None,
    flag: flag("sign-ins-per-hour", "N", SERVING),
    old_env: Some("RALLY_SIGN_INS_PER_HOUR"),
    old_key: None,
};

pub const REGISTRATIONS_PER_HOUR: Key = Key {
    id: "site.registrations_per_hour",
    kind: Kind::Number { min: 1, max: 1_000_000 },
    default: Default::Number(30),
    doc: "Event registrations one address may send per hour on a campaign's public site.",
    example: None,
    flag: flag("registrations-per-hour", "N", SERVING),
    old_env: Some("RALLY_REGISTRATIONS_PER_HOUR"),
    old_key: None,
};

pub const DATABASE_URL: Key = Key {
    id: "database.url",
    kind: Kind::Url,
    default: Default::Text("rally.db"),
    doc: "postgres://user@host/database for PostgreSQL, or the path of a SQLite file. The demo (rally \
          demo) uses rally-demo.db unless --database is given.",
    example: None,
    flag: flag("database", "URL", DATABASE_COMMANDS),
    old_env: Some("RALLY_DATABASE_URL"),
    old_key: Some("database_url"),
};

pub const DATABASE_PASSWORD: Key = Key {
    id: "database.password",
    kind: Kind::Secret,
    default: Default::Unset("the URL's password, if it has one"),
    doc: "The PostgreSQL password, put into the URL (which must then have none). Better read from a \
          file: password_file, or RALLY_DATABASE__PASSWORD_FILE.",
    example: Some("\"/etc/rally/database-password\""),
    flag: None,
    old_env: None,
    old_key: None,
};

pub const DATA_DIR: Key = Key {
    id: "data.dir",
    kind: Kind::Path,
    default: Default::Text("rally-data"),
    doc: "The directory of uploaded files (named by their SHA-256) and, unless mail.url says otherwise, of \
          e-mails written as files. Back it up with the database. The demo (rally demo) uses \
          rally-demo-data unless --data-dir is given.",
    example: None,
    flag: flag("data-dir", "DIR", &["serve", "worker", "demo", "files gc"]),
    old_env: Some("RALLY_DATA_DIR"),
    old_key: Some("data_dir"),
};

pub const MAIL_URL: Key = Key {
    id: "mail.url",
    kind: Kind::Url,
    default: Default::Unset("one .eml file per e-mail in the data directory's mail/ folder"),
    doc: "Where e-mail goes: smtp://[user@]host[:port][?tls=starttls|implicit|none] (STARTTLS is required \
          unless tls=none), smtps://… (implicit TLS), or file:///directory (one .eml file per e-mail).",
    example: Some("\"smtp://rally@mail.example.org:587\""),
    flag: flag("mail", "URL", DELIVERY),
    old_env: Some("RALLY_MAIL_URL"),
    old_key: None,
};

pub const MAIL_PASSWORD: Key = Key {
    id: "mail.password",
    kind: Kind::Secret,
    default: Default::Unset("the URL's password, if it has one"),
    doc: "The SMTP password, put into mail.url (which must name the user and have no password). Better \
          read from a file: password_file, or RALLY_MAIL__PASSWORD_FILE.",
    example: Some("\"/etc/rally/smtp-password\""),
    flag: None,
    old_env: None,
    old_key: None,
};

pub const MAIL_FROM: Key = Key {
    id: "mail.from",
    kind: Kind::Text,
    default: Default::Unset("Rally's mail that belongs to no campaign (password links) cannot be sent"),
    doc: "The sender of Rally's own mail to its users that belongs to no campaign (password links): an \
          address, optionally with a name.",
    example: Some("\"Rally <rally@example.org>\""),
    flag: flag("mail-from", "ADDRESS", DELIVERY),
    old_env: Some("RALLY_MAIL_FROM"),
    old_key: None,
};

pub const MAIL_CONCURRENCY: Key = Key {
    id: "mail.concurrency",
    kind: Kind::Number { min: 1, max: 64 },
    default: Default::Number(4),
    doc: "E-mails in flight at once, and SMTP connections.",
    example: None,
    flag: flag("concurrency", "N", DELIVERY),
    old_env: Some("RALLY_MAIL_CONCURRENCY"),
    old_key: None,
};

pub const MAIL_LEASE: Key = Key {
    id: "mail.lease_seconds",
    kind: Kind::Number { min: 1, max: 86_400 },
    default: Default::Number(300),
    doc: "Seconds a claimed e-mail stays this worker's before another worker may take it over.",
    example: None,
    flag: flag("lease-seconds", "SECONDS", DELIVERY),
    old_env: None,
    old_key: None,
};

pub const MAIL_RATE: Key = Key {
    id: "mail.rate_per_second",
    kind: Kind::Number { min: 0, max: 1_000_000 },
    default: Default::Number(0),
    doc: "At most this many e-mails a second, in all (0: no limit).",
    example: None,
    flag: flag("rate-per-second", "N", DELIVERY),
    old_env: Some("RALLY_MAIL_RATE"),
    old_key: None,
};

pub const MAIL_DOMAIN_RATE: Key = Key {
    id: "mail.rate_per_domain_per_minute",
    kind: Kind::Number { min: 0, max: 1_000_000 },
    default: Default::Number(0),
    doc: "At most this many e-mails a minute to one recipient domain (0: no limit). Large providers throttle \
          senders that go faster.",
    example: None,
    flag: flag("rate-per-domain-per-minute", "N", DELIVERY),
    old_env: Some("RALLY_MAIL_DOMAIN_RATE"),
    old_key: None,
};

pub const MAIL_DKIM: Key = Key {
    id: "mail.dkim",
    kind: Kind::Text,
    default: Default::Unset("e-mail is not signed"),
    doc: "Sign e-mail with DKIM: domain:selector, with the private key in dkim_key (or dkim_key_file), or \
          domain:selector:path/to/key.pem.",
    example: Some("\"example.org:rally\""),
    flag: flag("dkim", "DOMAIN:SELECTOR[:PEM]", DELIVERY),
    old_env: Some("RALLY_DKIM"),
    old_key: None,
};

pub const MAIL_DKIM_KEY: Key = Key {
    id: "mail.dkim_key",
    kind: Kind::Secret,
    default: Default::Unset("the key file named in dkim"),
    doc: "The DKIM private key (PEM) for mail.dkim's domain:selector. Better read from a file: \
          dkim_key_file, or RALLY_MAIL__DKIM_KEY_FILE.",
    example: Some("\"/etc/rally/dkim.pem\""),
    flag: None,
    old_env: None,
    old_key: None,
};

pub const METRICS_TOKEN: Key = Key {
    id: "metrics.token",
    kind: Kind::Secret,
    default: Default::Unset("/metrics answers anyone; let only the monitoring network reach it"),
    doc: "The bearer token /metrics asks for. Better read from a file: token_file, or \
          RALLY_METRICS__TOKEN_FILE.",
    example: Some("\"/etc/rally/metrics-token\""),
    flag: None,
    old_env: None,
    old_key: None,
};

pub const LOG_FORMAT: Key = Key {
    id: "log.format",
    kind: Kind::Choice(&["human", "json"]),
    default: Default::Text("human"),
    doc: "human: one readable line per event; json: one JSON object per line, for a log collector.",
    example: None,
    flag: Some(Flag { long: "log-format", alias: None, value_name: "FORMAT", sets: None, help: None, on: On::Every }),
    old_env: None,
    old_key: None,
};

pub const LOG_LEVEL: Key = Key {
    id: "log.level",
    kind: Kind::LogFilter,
    default: Default::Text("info,sqlx=warn,tower_http=warn"),
    doc: "Which log lines are written: a level (error, warn, info, debug, trace), optionally per module. \
          RUST_LOG, when set, wins.",
    example: None,
    flag: None,
    old_env: None,
    old_key: None,
};

/// Every key, in the order of the example file.
pub const KEYS: &[&Key] = &[
    &LISTEN,
    &PUBLIC_URL,
    &TRUSTED_PROXIES,
    &MAX_CONNECTIONS,
    &WORKER,
    &SHUTDOWN_GRACE,
    &RETENTION_HOURS,
    &SIGN_INS_PER_HOUR,
    &REGISTRATIONS_PER_HOUR,
    &DATABASE_URL,
    &DATABASE_PASSWORD,
    &DATA_DIR,
    &MAIL_URL,
    &MAIL_PASSWORD,
    &MAIL_FROM,
    &MAIL_CONCURRENCY,
    &MAIL_LEASE,
    &MAIL_RATE,
    &MAIL_DOMAIN_RATE,
    &MAIL_DKIM,
    &MAIL_DKIM_KEY,
    &METRICS_TOKEN,
    &LOG_FORMAT,
    &LOG_LEVEL,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for k in KEYS {
            assert!(seen.insert(k.id), "{} twice", k.id);
            assert!(k.id.split('.').count() == 2, "{}: section.name", k.id);
            assert!(k.id.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'), "{}", k.id);
            assert!(!k.name().ends_with("_file"), "{}: _file is how secrets are read from files", k.id);
            assert!(k.doc.ends_with('.'), "{}: the doc is sentences", k.id);
            let needs_example = matches!(k.default, Default::Unset(_));
            assert_eq!(needs_example, k.example.is_some(), "{}: an example exactly when there is no default", k.id);
        }
        let flags: Vec<_> = KEYS.iter().filter_map(|k| k.flag.as_ref().map(|f| f.long)).collect();
        let unique: std::collections::BTreeSet<_> = flags.iter().collect();
        assert_eq!(flags.len(), unique.len(), "each flag sets one key");
    }
}

//! Where settings come from: `rally.toml`, `RALLY_SECTION__KEY` environment variables and command-line
//! flags, each read into a `Layer` of checked values that remember their origin (the file's line, the
//! variable's name, the flag). A key nobody knows is an error naming it, never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::keys::{self, KEYS, Key, Kind};

/// A setting's value, checked against its key's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(u64),
    Switch(bool),
    List(Vec<String>),
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, e.g. `--listen`.
    Flag(&'static str),
    /// An environment variable, by name.
    Env(String),
    File {
        path: PathBuf,
        line: usize,
    },
    Default,
}

/// A value and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: Value,
    pub origin: Origin,
    /// The value is the path of a file that holds the secret (`password_file`, `…_FILE`); it is read
    /// when the secret is used.
    pub in_file: bool,
}

/// The settings one source gives, by key id.
pub type Layer = BTreeMap<&'static str, Setting>;

/// What reading found besides values: errors stop Rally; warnings (old names) are logged.
#[derive(Debug, Default)]
pub struct Notes {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(long) => write!(f, "flag --{long}"),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::File { path, line } => write!(f, "{} line {line}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// Reads `rally.toml`'s text: sections of known keys, and the flat keys of older files (with a warning).
pub fn file_layer(path: &Path, text: &str, notes: &mut Notes) -> Layer {
    let mut layer = Layer::new();
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            notes.errors.push(format!("{} line {line}: {}", path.display(), e.message().trim()));
            return layer;
        }
    };
    let sections = keys::sections();
    for (name, value) in root.get_ref() {
        let at = |span: std::ops::Range<usize>| Origin::File { path: path.to_owned(), line: line_of(text, span.start) };
        let origin = at(name.span());
        match (value.get_ref(), sections.contains(&name.get_ref().as_ref())) {
            (DeValue::Table(table), true) => {
                for (key_name, value) in table {
                    let origin = at(key_name.span());
                    section_key(&mut layer, notes, name.get_ref(), key_name.get_ref(), value.get_ref(), origin);
                }
            }
            (_, true) => notes.errors.push(format!("{origin}: {name} must be a section, written [{name}]")),
            (value, false) => top_level_key(&mut layer, notes, name.get_ref(), value, origin),
        }
    }
    layer
}

/// A key of `[section]`: a known one, or a secret's `<name>_file`.
fn section_key(layer: &mut Layer, notes: &mut Notes, section: &str, name: &str, value: &DeValue<'_>, origin: Origin) {
    let (key, in_file) = match keys::find(&format!("{section}.{name}")) {
        Some(key) => (key, false),
        None => match secret_of_file_key(section, name) {
            Some(key) => (key, true),
            None => {
                let names = KEYS.iter().filter(|k| k.section() == section).flat_map(|k| names_in_file(k));
                let hint = suggest(name, names).map_or(String::new(), |n| format!("; did you mean \"{n}\"?"));
                notes.errors.push(format!("{origin}: unknown key \"{name}\" in [{section}]{hint}"));
                return;
            }
        },
    };
    let read = from_toml(if in_file { Kind::Path } else { key.kind }, value);
    match read {
        Ok(value) => put(layer, notes, key, Setting { value, origin, in_file }),
        Err(why) => notes.errors.push(format!("{origin}: [{section}] {name} {why}")),
    }
}

/// A key outside any section: one of the old flat names, or an error.
fn top_level_key(layer: &mut Layer, notes: &mut Notes, name: &str, value: &DeValue<'_>, origin: Origin) {
    let Some(key) = KEYS.iter().copied().find(|k| k.old_key == Some(name)) else {
        let known = keys::sections()
            .into_iter()
            .map(|s| s.to_owned())
            .chain(KEYS.iter().filter_map(|k| k.old_key.map(str::to_owned)));
        let hint = match suggest(name, known) {
            Some(s) if keys::sections().contains(&s.as_str()) => format!("; did you mean the section [{s}]?"),
            Some(s) => format!("; did you mean \"{s}\"?"),
            None => String::new(),
        };
        notes.errors.push(format!("{origin}: unknown key \"{name}\"{hint}"));
        return;
    };
    match from_toml(key.kind, value) {
        Ok(value) => {
            notes.warnings.push(format!(
                "{origin}: `{name}` is the old spelling; write `{}` under [{}]",
                key.name(),
                key.section()
            ));
            put(layer, notes, key, Setting { value, origin, in_file: false });
        }
        Err(why) => notes.errors.push(format!("{origin}: {name} {why}")),
    }
}

/// Reads the `RALLY_SECTION__KEY` variables (and `…_FILE` for secrets) and the old names; any other
/// `RALLY_…__…` variable is an error, so a misspelt one is not quietly ignored.
pub fn env_layer(vars: &[(String, String)], notes: &mut Notes) -> Layer {
    let mut layer = Layer::new();
    let mut old = Layer::new();
    for (name, raw) in vars {
        let Some(rest) = name.strip_prefix("RALLY_") else { continue };
        if raw.is_empty() {
            continue; // An empty variable is taken as not set, as container tools write them.
        }
        let origin = Origin::Env(name.clone());
        if let Some(key) = KEYS.iter().copied().find(|k| k.old_env == Some(name.as_str())) {
            match from_text(key.kind, raw) {
                Ok(value) => put(&mut old, notes, key, Setting { value, origin, in_file: false }),
                Err(why) => notes.errors.push(format!("{name} {why}")),
            }
            continue;
        }
        let Some((section, key_name)) = rest.split_once("__") else { continue };
        let (section, key_name) = (section.to_lowercase(), key_name.to_lowercase());
        let (key, in_file) = match keys::find(&format!("{section}.{key_name}")) {
            Some(key) => (key, false),
            None => match secret_of_file_key(&section, &key_name) {
                Some(key) => (key, true),
                None => {
                    let names = KEYS.iter().flat_map(|k| env_names(k));
                    let hint = suggest(name, names).map_or(String::new(), |n| format!("; did you mean {n}?"));
                    notes.errors.push(format!("unknown environment variable {name}{hint}"));
                    continue;
                }
            },
        };
        let read = from_text(if in_file { Kind::Path } else { key.kind }, raw);
        match read {
            Ok(value) => put(&mut layer, notes, key, Setting { value, origin, in_file }),
            Err(why) => notes.errors.push(format!("{name} {why}")),
        }
    }
    for (id, setting) in old {
        let Origin::Env(old_name) = &setting.origin else { continue };
        let new_name = keys::find(id).map_or_else(String::new, Key::env);
        if layer.contains_key(id) {
            notes.warnings.push(format!("{old_name} is ignored: {new_name} is set too"));
        } else {
            notes.warnings.push(format!("{old_name} is the old name of {new_name}; rename it"));
            layer.insert(id, setting);
        }
    }
    layer
}

/// Reads the flags given on the command line: each key with the values typed after its flag.
pub fn flag_layer(given: &[(&'static Key, Vec<String>)], notes: &mut Notes) -> Layer {
    let mut layer = Layer::new();
    for (key, values) in given {
        let Some(flag) = &key.flag else { continue };
        let value = match (flag.sets, key.kind) {
            (Some(on), _) => Ok(Value::Switch(on)),
            (None, Kind::List) => Ok(Value::List(values.iter().map(|v| v.trim().to_owned()).collect())),
            (None, kind) => from_text(kind, values.last().map_or("", String::as_str)),
        };
        match value {
            Ok(value) => {
                layer.insert(key.id, Setting { value, origin: Origin::Flag(flag.long), in_file: false });
            }
            Err(why) => notes.errors.push(format!("--{} {why}", flag.long)),
        }
    }
    layer
}

/// Adds a setting, refusing a second value for the same key from the same source (`password` and
/// `password_file`, an old name and a new one, a variable and its `_FILE`).
fn put(layer: &mut Layer, notes: &mut Notes, key: &'static Key, setting: Setting) {
    if let Some(first) = layer.get(key.id) {
        let what = if key.is_secret() { format!("{0} or {0}_file", key.name()) } else { key.name().to_owned() };
        notes.errors.push(format!(
            "[{}] {} is set twice ({} and {}); give {what} once",
            key.section(),
            key.name(),
            first.origin,
            setting.origin
        ));
        return;
    }
    layer.insert(key.id, setting);
}

/// The secret `name` without its `_file` ending names, if any.
fn secret_of_file_key(section: &str, name: &str) -> Option<&'static Key> {
    let base = name.strip_suffix("_file")?;
    keys::find(&format!("{section}.{base}")).filter(|k| k.is_secret())
}

/// The names a key may have in its section of the file.
fn names_in_file(key: &Key) -> Vec<String> {
    let mut out = vec![key.name().to_owned()];
    if key.is_secret() {
        out.push(format!("{}_file", key.name()));
    }
    out
}

/// The environment variables that set a key.
fn env_names(key: &Key) -> Vec<String> {
    let mut out = vec![key.env()];
    if key.is_secret() {
        out.push(format!("{}_FILE", key.env()));
    }
    out
}

/// A TOML value read as a value of `kind`; the error says what was expected and what was found.
fn from_toml(kind: Kind, value: &DeValue<'_>) -> Result<Value, String> {
    let wrong = || format!("must be {}, not {}", kind.expected(), a(value.type_str()));
    let read = match (kind, value) {
        (Kind::Switch, DeValue::Boolean(b)) => Value::Switch(*b),
        (Kind::Number { .. }, DeValue::Integer(n)) => {
            let n = i64::from_str_radix(n.as_str(), n.radix()).map_err(|_| wrong())?;
            Value::Number(u64::try_from(n).map_err(|_| format!("must be {}, not {n}", kind.expected()))?)
        }
        (Kind::List, DeValue::Array(items)) => {
            let mut list = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(s) => list.push(s.to_string()),
                    other => {
                        return Err(format!("must be {}, not a list with {}", kind.expected(), a(other.type_str())));
                    }
                }
            }
            Value::List(list)
        }
        (Kind::Switch | Kind::Number { .. } | Kind::List, _) => return Err(wrong()),
        (_, DeValue::String(s)) => Value::Text(s.to_string()),
        _ => return Err(wrong()),
    };
    check(kind, read)
}

/// A string (from the environment or a flag) read as a value of `kind`.
pub fn from_text(kind: Kind, raw: &str) -> Result<Value, String> {
    let read = match kind {
        Kind::Switch => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Switch(true),
            "false" | "0" | "no" => Value::Switch(false),
            _ => return Err(format!("must be {}, not {raw:?}", kind.expected())),
        },
        Kind::Number { .. } => {
            Value::Number(raw.trim().parse().map_err(|_| format!("must be {}, not {raw:?}", kind.expected()))?)
        }
        Kind::List => Value::List(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()),
        _ => Value::Text(raw.to_owned()),
    };
    check(kind, read)
}

/// What every value of a kind must be, whatever its source.
fn check(kind: Kind, value: Value) -> Result<Value, String> {
    match (kind, &value) {
        (_, Value::Text(text)) if text.trim().is_empty() => {
            Err("must not be empty (leave it out to use the default)".to_owned())
        }
        (Kind::Number { min, max }, Value::Number(n)) if *n < min || *n > max => {
            Err(format!("must be {}, not {n}", kind.expected()))
        }
        (Kind::Address, Value::Text(text)) if text.trim().parse::<std::net::SocketAddr>().is_err() => {
            Err(format!("must be {}, not {text:?}", kind.expected()))
        }
        (Kind::Choice(words), Value::Text(text)) if !words.contains(&text.trim()) => {
            Err(format!("must be {}, not {text:?}", kind.expected()))
        }
        (Kind::LogFilter, Value::Text(text)) => match tracing_subscriber::EnvFilter::try_new(text) {
            Ok(_) => Ok(value),
            Err(e) => Err(format!("must be {}, not {text:?} ({e})", kind.expected())),
        },
        _ => Ok(value),
    }
}

/// "a string", "an integer".
fn a(what: &str) -> String {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {what}") } else { format!("a {what}") }
}

/// The line (from 1) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
}

/// The candidate closest to `word`, if it is close enough to be a typo of it.
pub fn suggest<S: AsRef<str>>(word: &str, candidates: impl IntoIterator<Item = S>) -> Option<String> {
    let word = word.to_lowercase();
    let (distance, best) = candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.as_ref().to_lowercase()), c.as_ref().to_owned()))
        .min_by_key(|(d, _)| *d)?;
    (distance <= (word.chars().count() / 3).max(1)).then_some(best)
}

/// Levenshtein distance: insertions, deletions and substitutions of characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (Layer, Notes) {
        let mut notes = Notes::default();
        let layer = file_layer(Path::new("rally.toml"), text, &mut notes);
        (layer, notes)
    }

    #[test]
    fn a_file_gives_values_with_their_lines() {
        let (layer, notes) = file(
            "# Rally\n[server]\nlisten = \"0.0.0.0:8080\"\ntrusted_proxies = [\"10.0.0.0/8\"]\nworker = false\n\n\
             [mail]\nconcurrency = 0x10\n[database]\npassword_file = \"/run/secrets/db\"\n",
        );
        assert!(notes.errors.is_empty(), "{:?}", notes.errors);
        let listen = &layer["server.listen"];
        assert_eq!(listen.value, Value::Text("0.0.0.0:8080".into()));
        assert_eq!(listen.origin.to_string(), "rally.toml line 3");
        assert_eq!(layer["server.trusted_proxies"].value, Value::List(vec!["10.0.0.0/8".into()]));
        assert_eq!(layer["server.worker"].value, Value::Switch(false));
        assert_eq!(layer["mail.concurrency"].value, Value::Number(16));
        let password = &layer["database.password"];
        assert!(password.in_file);
        assert_eq!(password.value, Value::Text("/run/secrets/db".into()));
    }

    #[test]
    fn mistakes_in_a_file_name_the_key_and_line() {
        for (text, says) in [
            (
                "[server]\nlistn = \"x\"\n",
                "rally.toml line 2: unknown key \"listn\" in [server]; did you mean \"listen\"?",
            ),
            (
                "[servr]\nlisten = \"x\"\n",
                "rally.toml line 1: unknown key \"servr\"; did you mean the section [server]?",
            ),
            (
                "\n\ndatabse_url = \"x\"\n",
                "rally.toml line 3: unknown key \"databse_url\"; did you mean \"database_url\"?",
            ),
            (
                "[server]\nmax_connections = \"many\"\n",
                "rally.toml line 2: [server] max_connections must be a whole number from 1 to 1000000, not a string",
            ),
            ("[server]\nmax_connections = 0\n", "must be a whole number from 1 to 1000000, not 0"),
            ("[server]\nworker = \"no\"\n", "[server] worker must be true or false, not a string"),
            (
                "[server]\ntrusted_proxies = \"10.0.0.0/8\"\n",
                "must be a list of strings such as [\"10.0.0.0/8\"], not a string",
            ),
            (
                "[server]\nlisten = \"localhost\"\n",
                "must be an address and port such as \"127.0.0.1:8080\", not \"localhost\"",
            ),
            ("[log]\nformat = \"xml\"\n", "must be one of \"human\", \"json\", not \"xml\""),
            ("[database]\npassword = \"a\"\npassword_file = \"b\"\n", "give password or password_file once"),
            ("server = 1\n", "rally.toml line 1: server must be a section, written [server]"),
            ("[server\n", "rally.toml line 1:"),
        ] {
            let (_, notes) = file(text);
            assert!(notes.errors.iter().any(|e| e.contains(says)), "{text:?}: expected {says:?} in {:?}", notes.errors);
        }
    }

    #[test]
    fn old_flat_files_still_work_with_a_warning() {
        let (layer, notes) = file("database_url = \"old.db\"\n");
        assert!(notes.errors.is_empty(), "{:?}", notes.errors);
        assert_eq!(layer["database.url"].value, Value::Text("old.db".into()));
        assert!(notes.warnings.iter().any(|w| w.contains("write `url` under [database]")), "{:?}", notes.warnings);
    }

    #[test]
    fn the_environment_gives_values_and_refuses_unknown_variables() {
        let vars =
            |list: &[(&str, &str)]| list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect::<Vec<_>>();
        let mut notes = Notes::default();
        let layer = env_layer(
            &vars(&[
                ("RALLY_SERVER__LISTEN", "0.0.0.0:1"),
                ("RALLY_DATABASE_URL", "old.db"),
                ("RALLY_MAIL__PASSWORD_FILE", "/run/secrets/smtp"),
                ("RALLY_SERVER__TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.1"),
                ("RALLY_TEST_POSTGRES_URL", "not a setting"),
                ("RALLY_SERVER__PUBLIC_URL", ""),
                ("PATH", "/bin"),
            ]),
            &mut notes,
        );
        assert!(notes.errors.is_empty(), "{:?}", notes.errors);
        assert_eq!(layer["server.listen"].origin, Origin::Env("RALLY_SERVER__LISTEN".into()));
        assert_eq!(layer["database.url"].value, Value::Text("old.db".into()));
        assert!(layer["mail.password"].in_file);
        assert_eq!(layer["server.trusted_proxies"].value, Value::List(vec!["10.0.0.0/8".into(), "192.168.0.1".into()]));
        assert!(!layer.contains_key("server.public_url"), "empty is not set");
        assert!(notes.warnings.iter().any(|w| w.contains("RALLY_DATABASE_URL is the old name of RALLY_DATABASE__URL")));

        let mut notes = Notes::default();
        env_layer(
            &vars(&[("RALLY_SERVER__LISTN", "x"), ("RALLY_X__Y", "1"), ("RALLY_MAIL__CONCURRENCY", "99")]),
            &mut notes,
        );
        assert!(
            notes
                .errors
                .iter()
                .any(|e| e == "unknown environment variable RALLY_SERVER__LISTN; did you mean RALLY_SERVER__LISTEN?"),
            "{:?}",
            notes.errors
        );
        assert!(notes.errors.iter().any(|e| e == "unknown environment variable RALLY_X__Y"), "{:?}", notes.errors);
        assert!(
            notes
                .errors
                .iter()
                .any(|e| e.contains("RALLY_MAIL__CONCURRENCY must be a whole number from 1 to 64, not 99"))
        );

        let mut notes = Notes::default();
        let layer =
            env_layer(&vars(&[("RALLY_LISTEN", "0.0.0.0:1"), ("RALLY_SERVER__LISTEN", "0.0.0.0:2")]), &mut notes);
        assert_eq!(layer["server.listen"].value, Value::Text("0.0.0.0:2".into()), "the new name wins");
        assert!(notes.warnings.iter().any(|w| w.contains("RALLY_LISTEN is ignored")));
    }

    #[test]
    fn suggestions_are_near_misses_only() {
        assert_eq!(suggest("listn", ["listen", "public_url"]), Some("listen".into()));
        assert_eq!(suggest("colour", ["listen", "public_url"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

//! The example settings file (`rally config example`) and the reference in docs/configuration.md
//! (`rally config example --markdown`), both written from the key table.

use std::fmt::Write;

use super::keys::{self, Default, KEYS, Key, Kind, On};
use super::sources::Value;

/// How wide the example file's comments are.
const WIDTH: usize = 100;

const PREAMBLE: &str = "Rally's settings, as written by `rally config example`. Rally reads rally.toml in its working \
    directory, or the file --config FILE (or RALLY_CONFIG) names. Every key may be left out: the values below are the \
    defaults, and keys without a default are commented out. Each key may also be set by an environment variable \
    RALLY_<SECTION>__<KEY> (RALLY_SERVER__LISTEN), and many by a command-line flag: a flag wins over the \
    environment, the environment over this file. A secret (a password, dkim_key, the metrics token) may instead be \
    read from a file: password_file = \"/path\" here, or RALLY_DATABASE__PASSWORD_FILE=/path; the file's text is \
    used without its final line ending. Relative paths are taken from the working directory. `rally config check` \
    shows what Rally will use and where each value comes from.";

/// The commented example file: every key, its default (or an example, commented out) and its doc.
pub fn example() -> String {
    let mut out = String::new();
    for line in wrap(PREAMBLE, WIDTH - 2) {
        let _ = writeln!(out, "# {line}");
    }
    for section in keys::sections() {
        let _ = writeln!(out, "\n[{section}]");
        for key in KEYS.iter().filter(|k| k.section() == section) {
            out.push('\n');
            let mut doc = key.doc.to_owned();
            if let Default::Unset(meaning) = key.default {
                let _ = write!(doc, " Not set: {meaning}.");
            }
            let _ = write!(doc, " {}.", ways_to_set(key, false));
            for line in wrap(&doc, WIDTH - 2) {
                let _ = writeln!(out, "# {line}");
            }
            let _ = writeln!(out, "{}", assignment(key));
        }
    }
    out
}

/// The key as a line of the example: its default, or a commented-out example.
fn assignment(key: &Key) -> String {
    match (key.default, key.example) {
        (Default::Unset(_), Some(example)) if key.is_secret() => format!("# {}_file = {example}", key.name()),
        (Default::Unset(_), example) => format!("# {} = {}", key.name(), example.unwrap_or("\"\"")),
        (default, _) => format!("{} = {}", key.name(), default_value(default)),
    }
}

/// "Flag --listen; environment RALLY_SERVER__LISTEN", with code marks for Markdown.
fn ways_to_set(key: &Key, markdown: bool) -> String {
    let code = |s: &str| if markdown { format!("`{s}`") } else { s.to_owned() };
    let mut ways = Vec::new();
    if let Some(flag) = &key.flag {
        ways.push(format!("flag {}", code(&format!("--{}", flag.long))));
    }
    let mut env = format!("environment {}", code(&key.env()));
    if key.is_secret() {
        let _ = write!(env, " or {}", code(&format!("{}_FILE", key.env())));
    }
    ways.push(env);
    let mut text = ways.join("; ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text
}

/// The reference for docs/configuration.md: a table per section, the older names, the example file.
pub fn markdown() -> String {
    let mut out = String::new();
    for section in keys::sections() {
        let _ = writeln!(out, "### `[{section}]`\n");
        let _ = writeln!(out, "| key | default | environment | flag | meaning |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for key in KEYS.iter().filter(|k| k.section() == section) {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                key.name(),
                cell(&match key.default {
                    Default::Unset(meaning) => format!("not set: {meaning}"),
                    default => format!("`{}`", default_value(default)),
                }),
                env_cell(key),
                flag_cell(key),
                cell(&match key.kind {
                    Kind::Text | Kind::Url | Kind::Path | Kind::Secret => key.doc.to_owned(),
                    kind => format!("{} Must be {}.", key.doc, kind.expected()),
                }),
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Older names\n");
    let _ = writeln!(out, "Still read, with a warning in the log and in `rally config check`:\n");
    let _ = writeln!(out, "| older name | now |");
    let _ = writeln!(out, "|---|---|");
    for key in KEYS {
        if let Some(old) = key.old_env {
            let _ = writeln!(out, "| `{old}` | `{}` |", key.env());
        }
    }
    for key in KEYS {
        if let Some(old) = key.old_key {
            let _ =
                writeln!(out, "| `{old}` at the top of rally.toml | `{}` under `[{}]` |", key.name(), key.section());
        }
    }
    let _ = writeln!(out, "\n### The example file\n\n`rally config example` prints it:\n\n```toml\n{}```", example());
    out
}

fn env_cell(key: &Key) -> String {
    if key.is_secret() { format!("`{0}`, `{0}_FILE`", key.env()) } else { format!("`{}`", key.env()) }
}

fn flag_cell(key: &Key) -> String {
    let Some(flag) = &key.flag else { return String::new() };
    let commands = match flag.on {
        On::Every => "every command".to_owned(),
        On::Commands(list) if list.len() > 6 => "every command that opens the database".to_owned(),
        On::Commands(list) => list.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
    };
    let value =
        if flag.sets.is_some() || flag.value_name.is_empty() { String::new() } else { format!(" {}", flag.value_name) };
    format!("`--{}{value}` ({commands})", flag.long)
}

/// Text made safe for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A default written as TOML.
pub fn default_value(default: Default) -> String {
    match default {
        Default::Text(text) => toml_string(text),
        Default::Number(n) => n.to_string(),
        Default::Switch(b) => b.to_string(),
        Default::List(list) => toml_value(&Value::List(list.iter().map(|s| (*s).to_owned()).collect())),
        Default::Unset(_) => String::new(),
    }
}

/// A value written as TOML.
pub fn toml_value(value: &Value) -> String {
    match value {
        Value::Text(text) => toml_string(text),
        Value::Number(n) => n.to_string(),
        Value::Switch(b) => b.to_string(),
        Value::List(list) => format!("[{}]", list.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// A string written as TOML, quoted and escaped.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::sources::{Notes, file_layer};

    #[test]
    fn the_example_reads_back_with_every_key_at_its_default() {
        let text = example();
        let mut notes = Notes::default();
        let layer = file_layer(Path::new("example.toml"), &text, &mut notes);
        assert!(notes.errors.is_empty() && notes.warnings.is_empty(), "{notes:?}");
        for key in KEYS {
            assert_eq!(layer.contains_key(key.id), !matches!(key.default, Default::Unset(_)), "{}", key.id);
            assert!(text.contains(&key.env()), "{}: its variable is named", key.id);
        }
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "lines fit in {WIDTH} columns");
    }

    #[test]
    fn the_examples_of_keys_without_defaults_are_valid_too() {
        let is_assignment = |line: &&str| {
            line.split_once(" = ")
                .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        };
        let uncommented: String = example()
            .lines()
            .map(|l| l.strip_prefix("# ").filter(is_assignment).unwrap_or(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut notes = Notes::default();
        let layer = file_layer(Path::new("example.toml"), &uncommented, &mut notes);
        assert!(notes.errors.is_empty(), "{:?}", notes.errors);
        for key in KEYS {
            assert!(layer.contains_key(key.id), "{} has an example", key.id);
            if key.is_secret() {
                assert!(layer[key.id].in_file, "{}: the example reads it from a file", key.id);
            }
        }
    }

    #[test]
    fn the_reference_names_every_key_and_variable() {
        let text = markdown();
        for key in KEYS {
            assert!(text.contains(&format!("| `{}` |", key.name())), "{}", key.id);
            assert!(text.contains(&key.env()), "{}", key.id);
        }
        assert!(text.contains("| `RALLY_DATABASE_URL` | `RALLY_DATABASE__URL` |"));
    }

    #[test]
    fn words_wrap_at_the_width() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("averyveryverylongword x", 4), vec!["averyveryverylongword", "x"]);
    }
}

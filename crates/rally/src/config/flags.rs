//! The settings' command-line flags, made from the key table: `add` puts each key's flag on the
//! commands that take it (and every flag on `rally config check`), `given` reads back the ones typed.
//! Clap never reads the environment for them: the settings layer does, for flags and file alike.

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches};

use super::keys::{self, KEYS, Key, Kind, On};

/// `command` with the settings' flags added to it and to its subcommands, by the path typed to reach
/// each (`user reset-link`).
pub fn add(command: clap::Command) -> clap::Command {
    let global = KEYS.iter().copied().filter(|k| matches!(k.flag.as_ref().map(|f| f.on), Some(On::Every)));
    let command = global.fold(command, |c, k| c.arg(arg(k).global(true)));
    add_below(command, "")
}

fn add_below(command: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let command = names.iter().fold(command, |c, name| {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        c.mut_subcommand(name, |sub| add_below(sub, &sub_path))
    });
    KEYS.iter().copied().filter(|k| k.flag_on(path)).fold(command, |c, k| c.arg(arg(k)))
}

/// The flag of `key`, with its help from the table.
fn arg(key: &'static Key) -> Arg {
    let Some(flag) = &key.flag else { return Arg::new(key.id) };
    let default = match key.default {
        keys::Default::Text(d) => format!(" [default: {d}]"),
        keys::Default::Number(n) => format!(" [default: {n}]"),
        _ => String::new(),
    };
    let help = format!("{}{default} [env: {}]", key.summary(), key.env());
    let mut arg = Arg::new(key.id).long(flag.long).help(help);
    if let Some(alias) = flag.alias {
        arg = arg.alias(alias);
    }
    match (flag.sets, key.kind) {
        (Some(_), _) => arg.action(ArgAction::SetTrue),
        (None, Kind::List) => arg.value_name(flag.value_name).action(ArgAction::Append).value_delimiter(','),
        (None, _) => arg.value_name(flag.value_name).action(ArgAction::Set),
    }
}

/// The settings' flags typed on the command line (of the innermost subcommand, which global flags
/// reach too), each with its values as typed.
pub fn given(matches: &ArgMatches) -> Vec<(&'static Key, Vec<String>)> {
    let mut matches = matches;
    while let Some((_, sub)) = matches.subcommand() {
        matches = sub;
    }
    let mut out = Vec::new();
    for id in matches.ids() {
        let Some(key) = keys::find(id.as_str()) else { continue };
        if matches.value_source(id.as_str()) != Some(ValueSource::CommandLine) {
            continue;
        }
        let values = match matches.try_get_raw(id.as_str()) {
            Ok(Some(raw)) => raw.map(|v| v.to_string_lossy().into_owned()).collect(),
            _ => Vec::new(),
        };
        out.push((key, values));
    }
    out
}

//! Settings as an operator meets them: `rally.toml`, `RALLY_SECTION__KEY` variables and flags, in
//! that order of strength, secrets from files, mistakes named with their line, `rally config check`
//! and `rally config example`, and docs/configuration.md kept equal to what the binary prints.

use std::path::Path;
use std::process::{Command, Output};

use super::cli::RALLY;

/// Runs rally in `dir` with only the `RALLY_…` variables given (the test's own are left out).
fn rally_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(RALLY);
    command.args(args).current_dir(dir).env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("RALLY_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied()).output().unwrap_or_else(|e| panic!("rally {args:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The line of `rally config check`'s listing for `key`, split into the value and its origin.
fn shown<'a>(listing: &'a str, key: &str) -> (&'a str, &'a str) {
    let line = listing
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in:\n{listing}"));
    let (value, origin) = line.split_once("  # ").unwrap_or_else(|| panic!("no origin: {line}"));
    (value.trim_start_matches(&format!("{key} = ")).trim(), origin)
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn a_flag_wins_over_the_environment_which_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        &dir.path().join("rally.toml"),
        "[server]\nlisten = \"127.0.0.1:1111\"\nmax_connections = 100\nsign_ins_per_hour = 7\n\n[mail]\nconcurrency = 2\n",
    );
    let env = [
        ("RALLY_SERVER__LISTEN", "127.0.0.1:2222"),
        ("RALLY_SERVER__MAX_CONNECTIONS", "200"),
        ("RALLY_DATABASE_URL", "old-name.db"),
    ];
    let out = rally_in(dir.path(), &["config", "check", "--listen", "127.0.0.1:3333", "--concurrency", "3"], &env);
    let listing = text(&out.stdout);
    assert!(out.status.success(), "{listing}{}", text(&out.stderr));
    assert!(listing.starts_with("# Settings file: rally.toml"), "{listing}");
    assert_eq!(shown(&listing, "listen"), ("\"127.0.0.1:3333\"", "flag --listen"));
    assert_eq!(shown(&listing, "concurrency"), ("3", "flag --concurrency"));
    assert_eq!(shown(&listing, "max_connections"), ("200", "environment variable RALLY_SERVER__MAX_CONNECTIONS"));
    assert_eq!(shown(&listing, "sign_ins_per_hour"), ("7", "rally.toml line 4"));
    assert_eq!(shown(&listing, "registrations_per_hour"), ("30", "default"));
    assert_eq!(shown(&listing, "url").1, "environment variable RALLY_DATABASE_URL", "the old name still works");
    assert!(
        text(&out.stderr).contains("RALLY_DATABASE_URL is the old name of RALLY_DATABASE__URL"),
        "and says so: {}",
        text(&out.stderr)
    );
    assert!(listing.contains("The settings are valid"), "{listing}");
}

#[test]
fn the_settings_reach_the_commands() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(&dir.path().join("rally.toml"), "[database]\nurl = \"from-file.db\"\n");
    let migrate = |env: &[(&str, &str)], args: &[&str]| {
        let out = rally_in(dir.path(), &[&["migrate"], args].concat(), env);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    migrate(&[], &[]);
    migrate(&[("RALLY_DATABASE__URL", "from-env.db")], &[]);
    migrate(&[("RALLY_DATABASE__URL", "from-env2.db")], &["--database", "from-flag.db"]);
    migrate(&[("RALLY_DATABASE_URL", "old-env.db")], &[]);
    for db in ["from-file.db", "from-env.db", "from-flag.db", "old-env.db"] {
        assert!(dir.path().join(db).exists(), "{db}");
    }
    assert!(!dir.path().join("from-env2.db").exists(), "the flag wins");
}

#[test]
fn secrets_come_from_files_and_are_never_shown() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret = dir.path().join("db-password");
    write(&secret, "s3cret:pa/ss\n");
    let token = dir.path().join("metrics-token");
    write(&token, "metrics-t0ken\n");
    // Port 1 on loopback refuses at once: the error shows the URL the password was put into.
    write(
        &dir.path().join("rally.toml"),
        "[database]\nurl = \"postgres://rally@127.0.0.1:1/rally\"\n\n[metrics]\ntoken_file = \"metrics-token\"\n",
    );
    let secret_path = secret.display().to_string();
    let env = [("RALLY_DATABASE__PASSWORD_FILE", secret_path.as_str())];
    let out = rally_in(dir.path(), &["config", "check"], &env);
    let (listing, errors) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{listing}{errors}");
    assert_eq!(
        shown(&listing, "password"),
        (
            "(set, redacted)",
            format!("read from {secret_path}, named by environment variable RALLY_DATABASE__PASSWORD_FILE").as_str()
        )
    );
    assert_eq!(shown(&listing, "token"), ("(set, redacted)", "read from metrics-token, named by rally.toml line 5"));
    assert!(!listing.contains("s3cret") && !listing.contains("t0ken"), "{listing}");

    let out = rally_in(dir.path(), &["migrate"], &env);
    let errors = text(&out.stderr);
    assert!(!out.status.success());
    assert!(errors.contains("postgres://rally:***@127.0.0.1:1/rally"), "the password is in the URL: {errors}");
    assert!(!errors.contains("s3cret"), "{errors}");

    let out = rally_in(dir.path(), &["config", "check"], &[("RALLY_DATABASE__PASSWORD_FILE", "/nonexistent/password")]);
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("RALLY_DATABASE__PASSWORD_FILE: cannot read /nonexistent/password"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mistakes_are_refused_with_the_key_and_its_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("rally.toml");
    let refused = |content: &str, env: &[(&str, &str)], says: &str| {
        write(&file, content);
        for args in [&["config", "check"][..], &["migrate"]] {
            let out = rally_in(dir.path(), args, env);
            let errors = text(&out.stderr);
            assert_eq!(out.status.code(), Some(78), "rally {args:?} with {content:?}: {errors}");
            assert!(errors.contains(says), "rally {args:?}: expected {says:?} in: {errors}");
        }
        assert!(!dir.path().join("rally.db").exists(), "nothing is created with settings that are refused");
    };
    refused(
        "# Rally\n\n[server]\n# where\nlisten = \"127.0.0.1:8080\"\n\nlistn = \"0.0.0.0:8080\"\n",
        &[],
        "rally.toml line 7: unknown key \"listn\" in [server]; did you mean \"listen\"?",
    );
    refused(
        "[server]\nmax_connections = \"many\"\n",
        &[],
        "rally.toml line 2: [server] max_connections must be a whole number from 1 to 1000000, not a string",
    );
    refused(
        "[mail]\nconcurrency = 8\n[maill]\n",
        &[],
        "rally.toml line 3: unknown key \"maill\"; did you mean the section [mail]?",
    );
    refused("", &[("RALLY_X__Y", "1")], "unknown environment variable RALLY_X__Y");
    refused(
        "",
        &[("RALLY_SERVER__LISTN", "1")],
        "unknown environment variable RALLY_SERVER__LISTN; did you mean RALLY_SERVER__LISTEN?",
    );
    refused("", &[("RALLY_SERVER__WORKER", "maybe")], "RALLY_SERVER__WORKER must be true or false, not \"maybe\"");
    // What parses but cannot work is refused by the check, as `rally serve` would refuse it.
    write(&file, "[server]\nlisten = \"0.0.0.0:8080\"\n");
    let out = rally_in(dir.path(), &["config", "check"], &[]);
    assert_eq!(out.status.code(), Some(78));
    assert!(text(&out.stderr).contains("--public-url https://rally.example.org"), "{}", text(&out.stderr));
    let out = rally_in(dir.path(), &["config", "check", "--config", "missing.toml"], &[]);
    assert_eq!(out.status.code(), Some(78));
    assert!(text(&out.stderr).contains("cannot read missing.toml"), "{}", text(&out.stderr));
}

#[test]
fn the_example_file_is_valid_and_names_every_default() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = rally_in(dir.path(), &["config", "example"], &[]);
    assert!(out.status.success());
    let example = text(&out.stdout);
    write(&dir.path().join("example.toml"), &example);
    let out = rally_in(dir.path(), &["config", "check", "--config", "example.toml"], &[]);
    let (listing, errors) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{listing}{errors}");
    assert!(errors.is_empty(), "no unknown or old keys: {errors}");
    let from_file = listing.lines().filter(|l| l.contains("# example.toml line ")).count();
    let defaults = listing.lines().filter(|l| l.ends_with("# default")).count();
    let unset = listing.lines().filter(|l| l.contains("(not set: ")).count();
    assert_eq!(defaults, unset, "every key with a default is in the file: {listing}");
    assert!(from_file >= 15, "{listing}");
    for section in ["[server]", "[site]", "[database]", "[data]", "[mail]", "[metrics]", "[log]"] {
        assert!(example.contains(&format!("\n{section}\n")), "{section}");
    }
}

#[test]
fn the_log_format_comes_from_the_settings() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // An old variable name is logged as a warning: a line to look at.
    let env = [("RALLY_DATABASE_URL", "rally.db")];
    write(&dir.path().join("rally.toml"), "[log]\nformat = \"json\"\n");
    let out = rally_in(dir.path(), &["migrate"], &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stderr).lines().find(|l| l.contains("RALLY_DATABASE_URL")).map(str::to_owned);
    let json: serde_json::Value = serde_json::from_str(line.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
    assert_eq!(json["level"], "WARN", "{json}");
    let out = rally_in(dir.path(), &["migrate", "--log-format", "human"], &env);
    let errors = text(&out.stderr);
    assert!(errors.contains(" WARN ") && !errors.contains("{\""), "the flag wins: {errors}");
    write(&dir.path().join("rally.toml"), "[log]\nlevel = \"error\"\n");
    let out = rally_in(dir.path(), &["migrate"], &env);
    assert!(text(&out.stderr).is_empty(), "warnings are below the level: {}", text(&out.stderr));
}

/// docs/configuration.md holds, between its markers, what `rally config example --markdown` prints.
#[test]
fn the_configuration_reference_is_up_to_date() {
    const BEGIN: &str = "<!-- generated by `rally config example --markdown`: begin -->\n";
    const END: &str = "<!-- generated: end -->\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (before, rest) = doc.split_once(BEGIN).unwrap_or_else(|| panic!("docs/configuration.md lacks {BEGIN:?}"));
    let (_, after) = rest.split_once(END).unwrap_or_else(|| panic!("docs/configuration.md lacks {END:?}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let generated = text(&rally_in(dir.path(), &["config", "example", "--markdown"], &[]).stdout);
    let expected = format!("{before}{BEGIN}{generated}{END}{after}");
    if doc == expected {
        return;
    }
    if std::env::var_os("RALLY_UPDATE_DOCS").is_some() {
        write(&path, &expected);
        return;
    }
    panic!(
        "docs/configuration.md is not what `rally config example --markdown` prints; regenerate it with\n  \
         RALLY_UPDATE_DOCS=1 cargo test -p rally --test rally config::the_configuration_reference_is_up_to_date"
    );
}

//! User-written e-mail templates: a subject, a plain-text body and an HTML body per message and
//! language, filled in with the campaign, the partner, the contact and their commitments.
//!
//! Templates are written by campaign coordinators, not by developers, so they are treated as untrusted
//! input and rendered in a sandbox ([MiniJinja](https://docs.rs/minijinja), Jinja2 syntax):
//!
//! * no loader, so a template cannot include, import or extend anything (those tags do not even parse);
//! * a fuel budget and a recursion limit, so `{% for i in range(100000) %}{% for j in … %}` stops with an
//!   error instead of hanging a worker or filling its memory;
//! * size limits on the templates and on what they render;
//! * strict variables: a misspelt or missing variable is an error, and so is printing an empty (`none`)
//!   value. A mail merge sent to thousands of partners must fail loudly rather than greet them with
//!   "Dear none,";
//! * HTML escaping in the HTML body only; the subject is folded onto one line, so a value with a line
//!   break cannot add mail headers.
//!
//! [`check`] runs when a template is saved and reports problems with a line number; [`render`] runs for
//! every mail. Both are pure: the caller builds the context (see [`VARIABLES`] and [`sample_context`]).

use std::fmt::{self, Write as _};

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, Invalid};

/// The longest subject, in characters, both as written and after rendering. Mail clients cut subjects
/// much shorter; the limit only keeps a runaway variable out of the header.
pub const MAX_SUBJECT_CHARS: usize = 300;
/// The largest body template, in bytes. A hand-written e-mail is a few kilobytes.
pub const MAX_BODY_BYTES: usize = 100 * 1024;
/// The largest rendered body, in bytes: far above any real mail (Gmail already clips past ~100 KB), low
/// enough that a runaway loop cannot produce a huge mail.
pub const MAX_RENDERED_BYTES: usize = 1024 * 1024;

/// The work one template may do per render. A normal mail needs a few thousand units; one unit is about
/// one instruction or 64 bytes of data, so this also caps what a render can allocate (~13 MB).
const FUEL: u64 = 200_000;
/// How deeply loops may nest at run time (including recursive loops). Real templates nest two or three.
const RECURSION_LIMIT: usize = 50;
/// The most code one `{{ … }}` or `{% … %}` tag may hold: characters other than whitespace, a string
/// literal counting as one. Real tags hold a few dozen. MiniJinja limits the nesting of brackets and
/// blocks but not the length of a chain (`1 + 1 + …`, `x.a.a…`, `- - - 1`), which it turns into a tree
/// as deep as the chain is long and then walks recursively: a 20 000-link chain overflowed the stack
/// and aborted the process, and a chain of 4 000 concatenations took half a second to render.
const MAX_TAG_CODE: usize = 1000;

/// The three parts of a message as the coordinator writes them, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateSet {
    /// The subject line; rendered without escaping and folded onto one line.
    pub subject: String,
    /// The plain-text body, which every mail has; rendered without escaping.
    pub text: String,
    /// The HTML body, rendered with HTML escaping. Empty (or only whitespace): the mail is text only.
    #[serde(default)]
    pub html: String,
}

/// One mail, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rendered {
    /// One line, trimmed, no control characters, at most [`MAX_SUBJECT_CHARS`] characters.
    pub subject: String,
    pub text: String,
    /// `None` when the HTML template is empty or renders to nothing but whitespace.
    pub html: Option<String>,
}

/// Why a template could not be rendered: which part, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RenderError {
    /// `subject`, `text` or `html`.
    pub field: &'static str,
    /// The line in that template, when the problem is at a place in it.
    pub line: Option<usize>,
    /// What is wrong, e.g. ``undefined variable `partner.nmae` ``.
    pub reason: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.field, self.reason),
            None => write!(f, "{}: {}", self.field, self.reason),
        }
    }
}

/// The variables a template may use, with a one-line description each, for the editor's help box and the
/// API docs. The caller's context must provide every one of them (optional ones as `null`, never absent):
/// [`check`] refuses templates that use anything else, and [`sample_context`] fills them all in.
pub const VARIABLES: &[(&str, &str)] = &[
    ("campaign.name", "The campaign's name"),
    ("campaign.message", "The campaign's universal message, in the language of this e-mail"),
    ("campaign.goal_students", "How many students the campaign aims to reach"),
    ("campaign.starts_on", "The campaign's first day, as 2025-12-08; format it with |date(\"%d. %m. %Y.\")"),
    ("campaign.ends_on", "The campaign's last day, as 2025-12-14; format it with |date(\"%d. %m. %Y.\")"),
    ("partner.name", "The partner organisation's name"),
    ("contact.name", "The contact's full name"),
    ("contact.first_name", "The contact's first name, for the greeting"),
    (
        "commitments",
        "The partner's commitments: each has ask, status, due_on, quantity, unit; due_on and quantity may be \
         empty, so print them inside {% if … %}",
    ),
    ("assets", "Assets sent to the partner: each has title, url"),
    ("link_url", "The partner's own page, when it has a link; empty otherwise, so use {% if link_url %}"),
    ("unsubscribe_url", "The link that unsubscribes the contact from campaign e-mails"),
    (
        "share_link",
        "The partner's share link for its newsletter or website: events registered after following it count \
         as brought by the partner",
    ),
];

/// An example context with every documented variable filled in (Croatian names, one commitment, one
/// asset): the editor's preview shows it, [`check`] test-renders every template with it, and the tests
/// use it.
pub fn sample_context() -> serde_json::Value {
    serde_json::json!({
        "campaign": {
            "name": "Sat kodiranja 2025.",
            "message": "Svako dijete zaslužuje priliku naučiti programirati — već jedan sat mijenja pogled na računala.",
            "goal_students": 50000,
            "starts_on": "2025-12-08",
            "ends_on": "2025-12-14",
        },
        "partner": { "name": "Osnovna škola Ivana Gorana Kovačića, Đakovo" },
        "contact": { "name": "Željka Šimić", "first_name": "Željka" },
        "commitments": [{
            "ask": "Održati Sat kodiranja u svim razredima",
            "status": "agreed",
            "due_on": "2025-12-10",
            "quantity": 120,
            "unit": "učenika",
        }],
        "assets": [{ "title": "Plakat Sata kodiranja (A3)", "url": "https://example.org/assets/plakat-a3.pdf" }],
        "link_url": "https://example.org/p/os-igk-dakovo",
        "unsubscribe_url": "https://example.org/odjava/3f9c2a7d",
        "share_link": "https://example.org/c/sat-kodiranja/r/Xq3vT9kPzA",
    })
}

/// Parses all three templates and checks them, so a broken template is refused when it is saved rather
/// than when it is sent. Per part, the first problem found is reported (as a [`FieldError`] on `subject`,
/// `text` or `html`):
///
/// * the subject and the text body must not be empty (the HTML body may be);
/// * the subject may have at most [`MAX_SUBJECT_CHARS`] characters and each body [`MAX_BODY_BYTES`];
/// * it must parse: "line 3: unexpected end of input, expected end of block";
/// * it may only use the variables in [`VARIABLES`] — this also covers branches the sample does not take;
/// * it must render with [`sample_context`], which catches unknown filters, misspelt attributes of
///   loop items and runaway loops.
pub fn check(set: &TemplateSet) -> Result<(), Invalid> {
    let env = environment();
    let sample = Value::from(Serde(sample_context()));
    let mut errors = Vec::new();
    for part in Part::ALL {
        if let Err(message) = check_part(&env, part, part.source(set), &sample) {
            errors.push(FieldError { field: part.name().to_owned(), message });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Invalid(errors)) }
}

/// Renders one mail from `set` with `context` (anything `Serialize`; the caller builds it with the
/// variables in [`VARIABLES`]).
///
/// Undefined variables, attribute lookups on undefined values and printing an empty (`none`) value are
/// errors. The HTML body is auto-escaped; the text body and the subject are not (they are not HTML). The
/// subject has every run of line breaks, control characters and other whitespace folded into one space
/// and is trimmed, so no value can inject a mail header; it must not come out empty or longer than
/// [`MAX_SUBJECT_CHARS`]. Each rendered body may be at most [`MAX_RENDERED_BYTES`], and the text body must
/// not come out empty. The limits of [`check`] are enforced again, since stored templates may predate
/// them.
pub fn render(set: &TemplateSet, context: &impl Serialize) -> Result<Rendered, RenderError> {
    let env = environment();
    let context = Value::from(Serde(context));
    let subject = render_part(&env, Part::Subject, &set.subject, &context)?.unwrap_or_default();
    let text = render_part(&env, Part::Text, &set.text, &context)?.unwrap_or_default();
    let html = render_part(&env, Part::Html, &set.html, &context)?;
    Ok(Rendered { subject, text, html })
}

/// One of the three templates of a [`TemplateSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Subject,
    Text,
    Html,
}

impl Part {
    const ALL: [Part; 3] = [Part::Subject, Part::Text, Part::Html];

    /// The field name in errors and in the API.
    fn name(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "html",
        }
    }

    /// The name the template gets inside MiniJinja; the auto-escape callback keys on it.
    fn template_name(self) -> &'static str {
        match self {
            Part::Subject => "subject.txt",
            Part::Text => "text.txt",
            Part::Html => HTML_TEMPLATE,
        }
    }

    fn source(self, set: &TemplateSet) -> &str {
        match self {
            Part::Subject => &set.subject,
            Part::Text => &set.text,
            Part::Html => &set.html,
        }
    }

    fn error(self, line: Option<usize>, reason: impl Into<String>) -> RenderError {
        RenderError { field: self.name(), line, reason: reason.into() }
    }
}

const HTML_TEMPLATE: &str = "html.html";

/// The sandbox. Built per call: it is cheap (the builtins are shared) and borrows the template sources.
fn environment<'s>() -> Environment<'s> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    // Debug mode makes errors carry the failing expression, which names the undefined variable; it is
    // only paid for when an error happens (and the default would differ between debug and release).
    env.set_debug(true);
    env.set_auto_escape_callback(|name| if name == HTML_TEMPLATE { AutoEscape::Html } else { AutoEscape::None });
    // A block tag on a line of its own leaves no blank line behind: plain-text mails stay tidy.
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build() {
        env.set_syntax(syntax);
    }
    // `debug()` would dump the whole context into a mail.
    env.remove_global("debug");
    env.add_filter("date", date);
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Err(Error::new(ErrorKind::InvalidOperation, NONE_PRINTED));
        }
        minijinja::escape_formatter(out, state, value)
    });
    env
}

const NONE_PRINTED: &str = "prints an empty value (none)";

/// `{{ campaign.starts_on|date("%-d. %-m. %Y.") }}`: formats a `2025-12-08` date with a
/// [chrono format](https://docs.rs/chrono/latest/chrono/format/strftime/index.html). Month and day names
/// (`%B`, `%A`) come out in English, so numeric formats suit other languages better.
fn date(value: &str, format: &str) -> Result<String, Error> {
    let day = chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        let shown: String = value.chars().take(40).collect();
        Error::new(ErrorKind::InvalidOperation, format!("date: `{shown}` is not a date like 2025-12-08"))
    })?;
    let mut out = String::new();
    // Writing (not `to_string`) because chrono reports a bad format as a formatting error, which
    // `to_string` would turn into a panic.
    write!(out, "{}", day.format(format)).map_err(|_| {
        let shown: String = format.chars().take(40).collect();
        Error::new(ErrorKind::InvalidOperation, format!("date: `{shown}` is not a date format like \"%d. %m. %Y.\""))
    })?;
    Ok(out)
}

/// The limits on the template as written; `Err` holds the message.
fn check_size(part: Part, source: &str) -> Result<(), String> {
    match part {
        Part::Subject if source.chars().count() > MAX_SUBJECT_CHARS => {
            Err(format!("must be at most {MAX_SUBJECT_CHARS} characters"))
        }
        Part::Text | Part::Html if source.len() > MAX_BODY_BYTES => {
            Err(format!("must be at most {} KB (it is {} KB)", MAX_BODY_BYTES / 1024, source.len().div_ceil(1024)))
        }
        _ => Ok(()),
    }
}

fn check_part(env: &Environment<'_>, part: Part, source: &str, sample: &Value) -> Result<(), String> {
    let with_line = |line: Option<usize>, reason: String| match line {
        Some(line) => format!("line {line}: {reason}"),
        None => reason,
    };
    if source.trim().is_empty() {
        return match part {
            Part::Html => Ok(()),
            Part::Subject | Part::Text => Err("must not be empty".to_owned()),
        };
    }
    check_size(part, source)?;
    let template = compile(env, part, source).map_err(|(line, reason)| with_line(line, reason))?;
    let known_globals: Vec<&str> = env.globals().map(|(name, _)| name).collect();
    let mut unknown: Vec<String> = template
        .undeclared_variables(true)
        .into_iter()
        .filter(|path| !is_known_variable(path, &known_globals))
        .collect();
    unknown.sort();
    if let Some(path) = unknown.first() {
        let line = source.find(path.as_str()).map(|at| line_of(source, at));
        let hint = "see the list of variables";
        return Err(with_line(line, format!("unknown variable `{path}` ({hint})")));
    }
    render_part(env, part, source, sample).map(|_| ()).map_err(|e| with_line(e.line, e.reason))
}

/// Whether a dotted path a template reads is documented: a variable itself (`partner.name`), an object
/// holding variables (`partner`), a path below a variable (rendering with the sample checks that one), or
/// a global function such as `range`.
fn is_known_variable(path: &str, globals: &[&str]) -> bool {
    let root = path.split('.').next().unwrap_or(path);
    globals.contains(&root)
        || VARIABLES.iter().any(|(var, _)| {
            var == &path
                || var.strip_prefix(path).is_some_and(|rest| rest.starts_with('.'))
                || path.strip_prefix(var).is_some_and(|rest| rest.starts_with('.'))
        })
}

/// The 1-based line of byte offset `at`.
fn line_of(source: &str, at: usize) -> usize {
    source.as_bytes().iter().take(at).filter(|&&b| b == b'\n').count() + 1
}

/// Parses one part; `Err` holds the line and the reason.
///
/// MiniJinja (3.1) counts columns in a `u16` and adds one to it when it reports a syntax error, which
/// overflows for an error past column 65 535 of a line. Release builds wrap it silently, but builds
/// with overflow checks (debug builds, the tests) panic: that panic is caught and reported as the
/// syntax error it stands for. Compiling only reads the environment, so nothing is left half-changed.
fn compile<'e, 's>(
    env: &'e Environment<'s>,
    part: Part,
    source: &'s str,
) -> Result<minijinja::Template<'e, 's>, (Option<usize>, String)> {
    if let Some(line) = overlong_tag(source) {
        return Err((Some(line), format!("a tag holds more than {MAX_TAG_CODE} characters of code; split it up")));
    }
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        env.template_from_named_str(part.template_name(), source)
    }));
    match compiled {
        Ok(template) => template.map_err(|e| (e.line(), reason(&e, source))),
        Err(_) => {
            let long = source.lines().position(|line| line.chars().count() > usize::from(u16::MAX));
            Err((long.map(|i| i + 1), "syntax error in a line longer than 65 535 characters; break the line up".into()))
        }
    }
}

/// The line of the first `{{ … }}` or `{% … %}` tag holding more than [`MAX_TAG_CODE`] characters of
/// code, read the way MiniJinja's lexer reads tags: string literals passed over, a tag's end only
/// counting outside brackets, an unclosed tag running to the end; comments and raw blocks are skipped.
fn overlong_tag(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let find = |from: usize, what: &[u8]| bytes.get(from..)?.windows(what.len()).position(|w| w == what);
    let mut i = 0;
    while let Some(open) = bytes.get(i..i + 2) {
        let close: &[u8] = match open {
            b"{{" => b"}}",
            b"{%" => b"%}",
            b"{#" => {
                i = find(i + 2, b"#}").map_or(bytes.len(), |at| i + 2 + at + 2);
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i;
        i += 2;
        let (mut code, mut balance) = (0usize, 0isize);
        while i < bytes.len() {
            if balance == 0 && bytes[i..].starts_with(close) {
                break;
            }
            let c = bytes[i];
            match c {
                // A string literal, escapes and all, counts as one character.
                b'\'' | b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != c {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'(' | b'[' | b'{' => balance += 1,
                b')' | b']' | b'}' => balance -= 1,
                _ => {}
            }
            code += usize::from(!c.is_ascii_whitespace());
            if code > MAX_TAG_CODE {
                return Some(line_of(source, start));
            }
            i += 1;
        }
        let tag = source.get(start + 2..i.min(bytes.len())).unwrap_or_default();
        i += 2;
        if close == b"%}" && tag.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace()) == "raw" {
            i = find(i, b"endraw").map_or(bytes.len(), |at| i + at);
        }
    }
    None
}

/// Parses and renders one part, applying its limits and clean-up. `Ok(None)` only for an HTML body that
/// is empty or renders to whitespace: that mail goes out as text only.
fn render_part(
    env: &Environment<'_>,
    part: Part,
    source: &str,
    context: &Value,
) -> Result<Option<String>, RenderError> {
    if part == Part::Html && source.trim().is_empty() {
        return Ok(None);
    }
    check_size(part, source).map_err(|reason| part.error(None, reason))?;
    let template = compile(env, part, source).map_err(|(line, reason)| part.error(line, reason))?;
    let out = template.render(context).map_err(|e| part.error(e.line(), reason(&e, source)))?;
    match part {
        Part::Subject => {
            let subject = one_line(&out);
            if subject.is_empty() {
                Err(part.error(None, "the subject is empty once filled in"))
            } else if subject.chars().count() > MAX_SUBJECT_CHARS {
                Err(part
                    .error(None, format!("the subject is longer than {MAX_SUBJECT_CHARS} characters once filled in")))
            } else {
                Ok(Some(subject))
            }
        }
        Part::Text | Part::Html if out.len() > MAX_RENDERED_BYTES => {
            Err(part.error(None, format!("the mail is larger than {} KB once filled in", MAX_RENDERED_BYTES / 1024)))
        }
        Part::Text if out.trim().is_empty() => Err(part.error(None, "the plain-text body is empty once filled in")),
        Part::Html if out.trim().is_empty() => Ok(None),
        Part::Text | Part::Html => Ok(Some(out)),
    }
}

/// Folds every run of whitespace and control characters (CR, LF, tabs, NEL, the Unicode line and
/// paragraph separators) into one space and trims the ends: a subject is one header line, and a line
/// break in a value must not start a new header.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// A MiniJinja error in words for the coordinator, without the engine's "(in html.html:4)" suffix (the
/// field and line are reported separately).
fn reason(err: &Error, source: &str) -> String {
    let expression = err.range().and_then(|range| source.get(range)).map(str::trim).filter(|s| !s.is_empty());
    let detail = err.detail().unwrap_or_default();
    match err.kind() {
        ErrorKind::UndefinedError => {
            let name = detail.strip_prefix('`').and_then(|d| d.strip_suffix("` is undefined")).or(expression);
            match name {
                Some(name) => format!("undefined variable `{name}`"),
                None => "undefined variable".to_owned(),
            }
        }
        ErrorKind::OutOfFuel => {
            "the template does too much work and was stopped (are its loops too long or nested too deep?)".to_owned()
        }
        ErrorKind::InvalidOperation if detail == NONE_PRINTED => match expression {
            Some(expr) => format!("`{expr}` is empty here; print it inside {{% if {expr} %}}…{{% endif %}}"),
            None => "a value printed here is empty; print it inside {% if … %}…{% endif %}".to_owned(),
        },
        ErrorKind::SyntaxError if !detail.is_empty() => detail.to_owned(),
        kind if detail.is_empty() => kind.to_string(),
        kind => format!("{kind}: {detail}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn set(subject: &str, text: &str, html: &str) -> TemplateSet {
        TemplateSet { subject: subject.into(), text: text.into(), html: html.into() }
    }

    fn sample_with(pointer: &str, value: serde_json::Value) -> serde_json::Value {
        let mut ctx = sample_context();
        *ctx.pointer_mut(pointer).unwrap() = value;
        ctx
    }

    #[test]
    fn renders_the_sample_in_croatian_and_english() {
        let hr = set(
            "{{ campaign.name }}: poziv za {{ partner.name }}",
            "Poštovana {{ contact.first_name }},\n\n{{ campaign.message }}\n\
             {% for c in commitments %}\n- {{ c.ask }}: {{ c.quantity }} {{ c.unit }} do {{ c.due_on|date(\"%-d. %-m. %Y.\") }}\n{% endfor %}\n\
             Здраво из Ђакова! Čćžšđ ČĆŽŠĐ\nOdjava: {{ unsubscribe_url }}",
            "<p>Poštovana {{ contact.first_name }},</p>\n<ul>\n{% for a in assets %}\n  <li><a href=\"{{ a.url }}\">{{ a.title }}</a></li>\n{% endfor %}\n</ul>",
        );
        check(&hr).unwrap();
        let mail = render(&hr, &sample_context()).unwrap();
        assert_eq!(mail.subject, "Sat kodiranja 2025.: poziv za Osnovna škola Ivana Gorana Kovačića, Đakovo");
        assert!(mail.text.starts_with("Poštovana Željka,\n\nSvako dijete zaslužuje"), "{}", mail.text);
        assert!(
            mail.text.contains("\n- Održati Sat kodiranja u svim razredima: 120 učenika do 10. 12. 2025.\n"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("Здраво из Ђакова! Čćžšđ ČĆŽŠĐ\nOdjava: https://example.org/odjava/3f9c2a7d"));
        let html = mail.html.unwrap();
        assert!(html.contains("<li><a href=\"https:&#x2f;&#x2f;example.org&#x2f;assets&#x2f;plakat-a3.pdf\">Plakat Sata kodiranja (A3)</a></li>"), "{html}");

        let en = set(
            "Join {{ campaign.name }}, {{ contact.first_name }}!",
            "Dear {{ contact.name }},\nthe campaign runs {{ campaign.starts_on|date(\"%B %-d\") }} to {{ campaign.ends_on|date(\"%B %-d, %Y\") }} \
             and aims for {{ campaign.goal_students }} students.\n{% if link_url %}Your page: {{ link_url }}{% endif %}",
            "",
        );
        check(&en).unwrap();
        let mail = render(&en, &sample_context()).unwrap();
        assert_eq!(mail.subject, "Join Sat kodiranja 2025., Željka!");
        assert_eq!(
            mail.text,
            "Dear Željka Šimić,\nthe campaign runs December 8 to December 14, 2025 and aims for 50000 students.\n\
             Your page: https://example.org/p/os-igk-dakovo"
        );
        assert_eq!(mail.html, None, "an empty HTML template means a text-only mail");
    }

    #[test]
    fn html_is_escaped_but_text_and_subject_are_not() {
        let ctx = sample_with("/partner/name", "<script>alert(1)</script> & Co".into());
        let mail = render(&set("Za {{ partner.name }}", "Za {{ partner.name }}", "<p>Za {{ partner.name }}</p>"), &ctx)
            .unwrap();
        assert_eq!(mail.html.as_deref(), Some("<p>Za &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Co</p>"));
        assert_eq!(mail.text, "Za <script>alert(1)</script> & Co");
        assert_eq!(mail.subject, "Za <script>alert(1)</script> & Co");
    }

    #[test]
    fn a_line_break_in_a_value_cannot_add_a_header() {
        let ctx = sample_with("/partner/name", "ACME\r\nBcc: everyone@example.org\n\t ".into());
        let mail = render(&set("  Hello {{ partner.name }}\u{2028}!\n", "x", ""), &ctx).unwrap();
        assert_eq!(mail.subject, "Hello ACME Bcc: everyone@example.org !");
        assert!(!mail.subject.chars().any(char::is_control));
    }

    #[test]
    fn an_unknown_variable_names_the_field_and_line() {
        let html = "<p>\nHello\n</p>\n<p>{{ partner.nmae }}</p>";
        let err = render(&set("Hi", "Hi", html), &sample_context()).unwrap_err();
        assert_eq!(
            err,
            RenderError { field: "html", line: Some(4), reason: "undefined variable `partner.nmae`".into() }
        );
        assert_eq!(err.to_string(), "html, line 4: undefined variable `partner.nmae`");

        // Attribute lookups on something undefined fail too, as do misspelt attributes of loop items.
        let err = render(&set("Hi", "{{ partnr.name.first }}", ""), &sample_context()).unwrap_err();
        assert_eq!((err.field, err.line), ("text", Some(1)));
        assert!(err.reason.contains("partnr"), "{}", err.reason);
        let err = render(&set("Hi", "{% for a in assets %}\n{{ a.titel }}\n{% endfor %}", ""), &sample_context())
            .unwrap_err();
        assert_eq!((err.field, err.line), ("text", Some(2)));
        assert!(err.reason.contains("a.titel"), "{}", err.reason);

        // A variable the caller left out of the context is just as fatal.
        let mut ctx = sample_context();
        ctx.as_object_mut().unwrap().remove("link_url");
        let err = render(&set("{{ link_url }}", "x", ""), &ctx).unwrap_err();
        assert_eq!(err.to_string(), "subject, line 1: undefined variable `link_url`");
    }

    #[test]
    fn printing_an_empty_value_is_an_error_but_testing_it_is_fine() {
        let ctx = sample_with("/commitments/0/due_on", serde_json::Value::Null);
        let err = render(&set("Hi", "Rok:\n{{ commitments[0].due_on }}", ""), &ctx).unwrap_err();
        assert_eq!((err.field, err.line), ("text", Some(2)));
        assert_eq!(
            err.reason,
            "`commitments[0].due_on` is empty here; print it inside {% if commitments[0].due_on %}…{% endif %}"
        );
        let guarded = "{% for c in commitments %}{{ c.ask }}{% if c.due_on %} do {{ c.due_on }}{% endif %}{% endfor %}";
        assert_eq!(render(&set("Hi", guarded, ""), &ctx).unwrap().text, "Održati Sat kodiranja u svim razredima");
    }

    #[test]
    fn a_syntax_error_is_refused_at_save_with_field_and_line() {
        let bad = set("Hi {{ partner.name }", "a\nb\n{% if link_url %}\nc", "<p>{{ campaign.name }}</p>");
        let err = check(&bad).unwrap_err();
        let fields: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(fields.len(), 2, "{fields:?}");
        assert_eq!(fields[0].0, "subject");
        assert!(fields[0].1.starts_with("line 1: "), "{}", fields[0].1);
        assert_eq!(fields[1], ("text", "line 4: unexpected end of input, expected end of block"));

        // The same template at send time fails the same way rather than sending anything.
        let err = render(&bad, &sample_context()).unwrap_err();
        assert_eq!((err.field, err.line), ("subject", Some(1)));
    }

    #[test]
    fn check_refuses_unknown_variables_even_in_branches_the_sample_skips() {
        let err = check(&set("Hi", "x\n{% if not link_url %}\n{{ partner.nmae }}\n{% endif %}", "")).unwrap_err();
        assert_eq!(err.0[0].field, "text");
        assert_eq!(err.0[0].message, "line 3: unknown variable `partner.nmae` (see the list of variables)");
        // Unknown filters and misspelt loop attributes surface through the sample render.
        let err =
            check(&set("Hi", "{{ partner.name|shout }}", "{% for c in commitments %}{{ c.ask_title }}{% endfor %}"))
                .unwrap_err();
        assert_eq!(err.0.len(), 2);
        assert!(err.0[0].message.starts_with("line 1: unknown filter"), "{}", err.0[0].message);
        assert_eq!(err.0[1].message, "line 1: undefined variable `c.ask_title`");
        // Builtins, locals, methods and whole objects are fine; so is the empty HTML body.
        let fine = "{% set n = commitments|length %}{% for i in range(n) %}{{ loop.index }}{% endfor %} \
                    {{ campaign.name|title }} {{ partner|length }}";
        check(&set("{{ campaign.name|upper }}", fine, "  ")).unwrap();
    }

    #[test]
    fn required_parts_and_empty_results() {
        let err = check(&set(" ", "", "")).unwrap_err();
        assert_eq!(err.to_string(), "subject: must not be empty; text: must not be empty");
        let ctx = sample_with("/link_url", "".into());
        let err = render(&set("{{ link_url }}", "x", ""), &ctx).unwrap_err();
        assert_eq!(err.to_string(), "subject: the subject is empty once filled in");
        let err = render(&set("x", "{% if link_url %}{{ link_url }}{% endif %}\n", ""), &ctx).unwrap_err();
        assert_eq!(err.field, "text");
        let mail = render(&set("x", "y", "{% if link_url %}<a>{% endif %}"), &ctx).unwrap();
        assert_eq!(mail.html, None, "an HTML body that renders to nothing leaves a text-only mail");
    }

    #[test]
    fn loop_bombs_run_out_of_fuel() {
        let bombs = [
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "{% for i in range(10**6) %}{% for j in range(10**6) %}x{% endfor %}{% endfor %}",
            "{{ 'x' * 10**9 }}",
            "{% set s = namespace(v='x') %}{% for i in range(60) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}",
        ];
        for bomb in bombs {
            let err = render(&set("Hi", bomb, ""), &sample_context()).unwrap_err();
            assert_eq!((err.field, err.line), ("text", Some(1)), "{bomb}: {err}");
            assert!(check(&set("Hi", bomb, "")).is_err(), "{bomb}");
        }
        let err = render(
            &set("Hi", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", ""),
            &sample_context(),
        )
        .unwrap_err();
        assert!(err.reason.contains("too much work"), "{}", err.reason);
    }

    #[test]
    fn deep_nesting_hits_the_recursion_limit() {
        let deep = format!(
            "{}x{}",
            "{% for a in [1] %}".repeat(RECURSION_LIMIT + 5),
            "{% endfor %}".repeat(RECURSION_LIMIT + 5)
        );
        let err = render(&set("Hi", &deep, ""), &sample_context()).unwrap_err();
        assert!(err.reason.contains("recursion limit"), "{}", err.reason);
        let shallow = format!("{}x{}", "{% for a in [1] %}".repeat(10), "{% endfor %}".repeat(10));
        assert_eq!(render(&set("Hi", &shallow, ""), &sample_context()).unwrap().text, "x");
    }

    #[test]
    fn oversize_templates_and_results_are_refused() {
        let big = set(&"a".repeat(MAX_SUBJECT_CHARS + 1), "ok", &"<p>x</p>".repeat(MAX_BODY_BYTES / 8 + 1));
        let err = check(&big).unwrap_err();
        assert_eq!(err.0.len(), 2);
        assert_eq!((err.0[0].field.as_str(), err.0[0].message.as_str()), ("subject", "must be at most 300 characters"));
        assert_eq!(
            (err.0[1].field.as_str(), err.0[1].message.as_str()),
            ("html", "must be at most 100 KB (it is 101 KB)")
        );
        assert_eq!(render(&big, &sample_context()).unwrap_err().field, "subject");
        // 300 characters of Croatian letters are fine: the limit counts characters, not bytes.
        check(&set(&"ž".repeat(MAX_SUBJECT_CHARS), "ok", "")).unwrap();

        let long_name = sample_with("/partner/name", "Š".repeat(MAX_SUBJECT_CHARS).into());
        let err = render(&set("Za {{ partner.name }}", "x", ""), &long_name).unwrap_err();
        assert_eq!(err.to_string(), "subject: the subject is longer than 300 characters once filled in");

        let err = render(&set("Hi", "{% for i in range(1100) %}{{ 'x' * 1000 }}{% endfor %}", ""), &sample_context())
            .unwrap_err();
        assert_eq!(err.to_string(), "text: the mail is larger than 1024 KB once filled in");
    }

    #[test]
    fn includes_and_imports_do_not_exist() {
        for tag in ["{% include 'x.html' %}", "{% import 'x.html' as x %}", "{% extends 'x.html' %}"] {
            let err = check(&set("Hi", tag, "")).unwrap_err();
            assert!(err.0[0].message.starts_with("line 1: "), "{tag}: {err}");
        }
        assert!(render(&set("Hi", "{{ debug() }}", ""), &sample_context()).is_err());
    }

    #[test]
    fn the_date_filter_refuses_bad_input_without_panicking() {
        let err = render(&set("Hi", "{{ campaign.name|date('%d.%m.') }}", ""), &sample_context()).unwrap_err();
        assert!(err.reason.contains("is not a date like"), "{}", err.reason);
        for format in ["%H:%M", "%Q", "%", "%Ez"] {
            let text = format!("{{{{ campaign.starts_on|date('{format}') }}}}");
            let err = render(&set("Hi", &text, ""), &sample_context()).unwrap_err();
            assert!(err.reason.contains("is not a date format"), "{format}: {}", err.reason);
        }
        let ok = render(&set("Hi", "{{ campaign.ends_on|date('%d.%m.%Y.') }}", ""), &sample_context()).unwrap();
        assert_eq!(ok.text, "14.12.2025.");
    }

    #[test]
    fn every_documented_variable_resolves_against_the_sample() {
        let ctx = sample_context();
        for (name, description) in VARIABLES {
            let text = match description.split_once("each has ") {
                // A list: every item must have every documented field.
                Some((_, fields)) => {
                    let fields = fields.split(';').next().unwrap();
                    let prints: String = fields.split(", ").map(|f| format!("[{{{{ item.{} }}}}]", f.trim())).collect();
                    format!("{{% for item in {name} %}}{prints}{{% endfor %}}")
                }
                None => format!("{{{{ {name} }}}}"),
            };
            let mail = render(&set("Hi", &text, ""), &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!mail.text.is_empty() && !mail.text.contains("[]"), "{name}: {}", mail.text);
            check(&set("Hi", &text, "")).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        // And the sample holds nothing undocumented, so previews show what real mails can show.
        for (root, value) in ctx.as_object().unwrap() {
            match value.as_object() {
                Some(fields) => {
                    for key in fields.keys() {
                        let path = format!("{root}.{key}");
                        assert!(VARIABLES.iter().any(|(v, _)| *v == path), "{path} is not documented");
                    }
                }
                None => assert!(VARIABLES.iter().any(|(v, _)| v == root), "{root} is not documented"),
            }
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let inputs = [
            "{{",
            "{%",
            "}}",
            "{#",
            "{{ }}",
            "{% %}",
            "{% endfor %}",
            "{{ 1 +* 2 }}",
            "{{ '\\u{0}' }}",
            "\u{0}{{ x",
            "{{ ((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))) }}",
            "{% for %}",
            "{{ partner.name|date }}",
            "{{ range(-1, 10, 0) }}",
            "{{ 1 // 0 }}",
            "{{ [1][5] }}",
        ];
        for input in inputs {
            let _ = check(&set("Hi", input, input));
            let _ = render(&set(input, input, input), &sample_context());
        }
        let deep = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(check(&set("Hi", &deep, "")).is_err());
        assert!(render(&set("Hi", "x", ""), &"not a map").is_ok());
        assert!(render(&set("Hi", "{{ partner.name }}", ""), &"not a map").is_err());
    }

    #[test]
    fn one_line_folds_whitespace_and_control_characters() {
        assert_eq!(one_line("  a\r\n\r\nb\tc\u{0}d\u{85}e\u{2029}f  "), "a b c d e f");
        assert_eq!(one_line("\n\n"), "");
    }

    #[test]
    fn template_sets_round_trip_through_json() {
        let set: TemplateSet = serde_json::from_str(r#"{"subject":"S","text":"T"}"#).unwrap();
        assert_eq!(set.html, "");
        assert_eq!(serde_json::to_value(&set).unwrap()["subject"], "S");
    }
}

/// Properties over generated templates (proptest): no template text makes checking or rendering
/// panic, what renders keeps the promises of [`render`], a template built from the documented
/// variables always passes, and the work grows linearly with the size of the template.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod properties {

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Checks and renders `set`: what [`render`] returns keeps its promises, and a set that passes
    /// [`check`] renders with the sample.
    fn check_and_render(set: &TemplateSet) {
        let checked = check(set);
        let rendered = render(set, &sample_context());
        if let Err(invalid) = &checked {
            assert!(invalid.0.iter().all(|e| ["subject", "text", "html"].contains(&e.field.as_str())), "{invalid:?}");
        }
        match rendered {
            Ok(mail) => {
                let subject = &mail.subject;
                assert!(!subject.is_empty() && subject.chars().count() <= MAX_SUBJECT_CHARS, "{subject:?}");
                assert!(!subject.chars().any(|c| c.is_control() || c == '\u{2028}'), "{subject:?}");
                assert_eq!(subject.trim(), subject);
                assert!(!mail.text.trim().is_empty() && mail.text.len() <= MAX_RENDERED_BYTES);
                assert!(mail.html.as_ref().is_none_or(|h| !h.trim().is_empty() && h.len() <= MAX_RENDERED_BYTES));
            }
            Err(e) => {
                assert!(["subject", "text", "html"].contains(&e.field));
                assert!(checked.is_err(), "passed the check but does not render with the sample: {e}");
            }
        }
    }

    /// Pieces of template syntax, so generated text reaches the parser and the renderer, not only the
    /// lexer.
    fn jinja_soup() -> impl Strategy<Value = String> {
        let words = "{{ }} {% %} {# #} {%- -%} x ' \" ( ) [ ] , . | ~ * ** + - // = for if else endfor endif in not \
                     set raw endraw macro call filter include partner.name partner campaign.starts_on campaign.name \
                     commitments c.due_on assets link_url loop.index range( 10 1e308 |date( \"%d\" '%Q' |length \
                     |upper |title |join none namespace( \0 ž";
        let piece = select(words.split_whitespace().chain([" ", "\n"]).collect::<Vec<_>>());
        vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    /// A template made of up to `pieces` uses of what the documentation allows: it must pass and render
    /// (a subject gets few, so it stays within [`MAX_SUBJECT_CHARS`] once filled in).
    fn valid_template(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
        let piece = select(vec![
            "Hello ",
            "{{ partner.name }}",
            "{{ contact.first_name|upper }}",
            "{{ campaign.starts_on|date(\"%d. %m. %Y.\") }}",
            "{{ campaign.goal_students }}",
            "{% if link_url %}{{ link_url }}{% endif %}",
            "{% for c in commitments %}{{ c.ask }}{% if c.due_on %} {{ c.due_on }}{% endif %}{% endfor %}",
            "{% for a in assets %}<a href=\"{{ a.url }}\">{{ a.title }}</a>{% endfor %}",
            "{# a note #}",
            "\n",
            " & < > ",
        ]);
        vec(piece, pieces).prop_map(|pieces| format!("Hi {}", pieces.concat()))
    }

    proptest! {
        #![proptest_config(config(128))]

        #[test]
        fn any_template_text_is_an_answer_not_a_panic(
            subject in ".{0,80}",
            text in ".{0,300}",
            html in ".{0,300}",
        ) {
            check_and_render(&TemplateSet { subject, text, html });
        }

        #[test]
        fn template_syntax_soup_is_an_answer_not_a_panic(
            subject in jinja_soup(),
            text in jinja_soup(),
            html in jinja_soup(),
        ) {
            check_and_render(&TemplateSet { subject, text, html });
        }

        #[test]
        fn documented_variables_always_pass_and_render(
            subject in valid_template(0..4),
            text in valid_template(0..12),
            html in valid_template(0..12),
        ) {
            let set = TemplateSet { subject, text, html };
            prop_assert_eq!(check(&set), Ok(()));
            let mail = render(&set, &sample_context());
            prop_assert!(mail.is_ok(), "{:?}", mail);
            prop_assert!(mail.unwrap().text.starts_with("Hi "));
        }
    }

    /// MiniJinja counts columns in a `u16` and overflows it when a syntax error lies past column
    /// 65 535 of a line (a panic in builds with overflow checks); such a template must be an error.
    #[test]
    fn a_syntax_error_far_along_a_long_line_is_an_error_not_a_panic() {
        for tail in ["{#", "{{ 'x", "{{ x", "{% if", "{{ \u{1}"] {
            let text = format!("{}{tail}", "x".repeat(70_000));
            let set = TemplateSet { subject: "Hi".into(), text: text.clone(), html: text };
            let err = render(&set, &sample_context()).unwrap_err();
            assert_eq!((err.field, err.line), ("text", Some(1)), "{tail}: {err}");
            assert_eq!(check(&set).unwrap_err().0.len(), 2, "{tail}");
        }
    }

    /// MiniJinja builds a tree as deep as a chain of operators is long and walks it recursively: the
    /// deepest chain a tag may hold renders and checks without overflowing the stack, a longer one is
    /// refused before it is parsed.
    #[test]
    fn long_chains_are_refused_before_they_overflow_the_stack() {
        let chains =
            [("{{ 1", " + 1", " }}"), ("{{ ", "-", "1 }}"), ("{{ partner", ".name", " }}"), ("{{ ", "not ", "1")];
        let more = [("{{ range", "(1)", " }}"), ("{{ ''", " ~ 'a'", " }}"), ("{% if 1", " and 1", " %}x{% endif %}")];
        for (start, link, end) in chains.into_iter().chain(more) {
            let code_per_link = link.chars().filter(|c| !c.is_whitespace()).count();
            for (links, fits) in [(MAX_TAG_CODE / code_per_link - 2, true), (MAX_TAG_CODE + 1, false)] {
                let text = format!("Hi\n{start}{}{end}", link.repeat(links));
                let set = TemplateSet { subject: "Hi".into(), text: text.clone(), html: String::new() };
                let refused = |reason: &str| reason.contains("characters of code");
                match render(&set, &sample_context()) {
                    Ok(_) => assert!(fits, "{start}{link}… ×{links} rendered"),
                    Err(e) => assert_eq!(refused(&e.reason), !fits, "{start}{link}… ×{links}: {e}"),
                }
                let checked = check(&set).err().map(|e| e.0[0].message.clone()).unwrap_or_default();
                assert_eq!(refused(&checked), !fits, "{start}{link}… ×{links}: {checked}");
                assert!(fits || checked.starts_with("line 2: "), "{checked}");
            }
        }
    }

    /// Fails when the work grows much faster than the template: on 16 times the size (6 KB to 96 KB,
    /// within [`MAX_BODY_BYTES`]) it must take less than 64 times as long, plus slack for the timer,
    /// which linear work meets and quadratic work (256 times) does not.
    fn assert_linear(what: &str, unit: impl Fn(usize) -> String, run: impl Fn(&TemplateSet)) {
        let make = |size: usize| {
            let mut text = String::from("Hi ");
            while text.len() < size {
                text.push_str(&unit(text.len()));
            }
            TemplateSet { subject: "Hi".into(), text: text.clone(), html: text }
        };
        crate::growth::assert_linear(what, 6 << 10, make, run);
    }

    #[test]
    fn the_work_grows_linearly() {
        let render = |set: &TemplateSet| {
            let _ = render(set, &sample_context());
        };
        let check = |set: &TemplateSet| {
            let _ = check(set);
        };
        let long_sum = format!("{{{{ 1{} }}}}\n", " + 1".repeat(300));
        let long_concat = format!("{{{{ ''{} }}}}\n", " ~ 'a'".repeat(200));
        for run in [&render as &dyn Fn(&TemplateSet), &check] {
            assert_linear("lone braces", |_| "{a}b{ c}} %} #} ".into(), run);
            assert_linear("unclosed comment", |at| if at == 3 { "{#".into() } else { "x #\n".into() }, run);
            assert_linear("unclosed string", |at| if at == 3 { "{{ '".into() } else { "x\n".into() }, run);
            assert_linear("comments", |_| "{# x #}".into(), run);
            assert_linear("variables", |_| "{{ partner.name }} ".into(), run);
            assert_linear("unknown variables", |at| format!("{{{{ v{at} }}}} "), run);
            assert_linear("blocks", |_| "{% if link_url %}x{% endif %}\n".into(), run);
            assert_linear("long sums", |_| long_sum.clone(), run);
            assert_linear("long concatenations", |_| long_concat.clone(), run);
        }
    }
}

//! The site's translations: which language a visitor gets (`negotiate`), and its messages, numbers and
//! dates (`Lang`). Messages are Project Fluent files in `locales/`, compiled into the binary; English
//! (`en.ftl`) is the reference and every other locale has the same message ids and variables.
//!
//! Arguments: counts (`$students`, `$events`, `$countries`, `$count`, `$goal`, `$max`, `$percent`) are
//! passed as `Arg::Num`. A number both selects the plural variant (CLDR rules of the bundle's language)
//! and prints with the language's digit grouping, exactly as `Lang::number` does: each bundle's formatter
//! hook (`FluentBundle::set_formatter`) prints whole numbers through the same grouping code. Everything
//! else, dates included, is passed as `Arg::Str`; a date is passed already formatted by `Lang::date`.
//!
//! Unicode isolation marks are off: the output is escaped by the HTML templates or goes into plain-text
//! e-mails, where the marks would only be noise.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use fluent_bundle::types::{FluentNumber, FluentNumberStyle};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

/// Languages the site speaks, in switcher order: code and the language's own name.
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("hr", "Hrvatski"), ("ru", "Русский"), ("fr", "Français")];

/// The Fluent source of a language, by code.
fn source(code: &str) -> &'static str {
    match code {
        "hr" => include_str!("../locales/hr.ftl"),
        "ru" => include_str!("../locales/ru.ftl"),
        "fr" => include_str!("../locales/fr.ftl"),
        _ => include_str!("../locales/en.ftl"),
    }
}

/// Picks the language: an explicit choice (`?lang=` or a cookie) if supported, else the best match of an
/// `Accept-Language` header (q-values honoured, ties in header order, `hr-HR` matches `hr`, `*` and `q=0`
/// ignored), else `fallback` if supported, else English.
///
/// `allowed` narrows every step to the campaign's languages; codes it names that the site does not speak
/// are ignored, and if none is left it does not narrow at all. When it narrows and neither `fallback`
/// nor English is allowed, the first allowed language is the last resort, so a campaign is never shown
/// in a language it did not choose.
pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>, allowed: &[&str], fallback: &str) -> Lang {
    let allowed: Vec<Lang> = allowed.iter().filter_map(|code| Lang::parse(code)).collect();
    let is_allowed = |lang: &Lang| allowed.is_empty() || allowed.contains(lang);

    explicit
        .and_then(Lang::parse)
        .filter(is_allowed)
        .or_else(|| accept_language.map(accepted_languages).unwrap_or_default().into_iter().find(is_allowed))
        .or_else(|| Lang::parse(fallback).filter(is_allowed))
        .or_else(|| Some(Lang::EN).filter(is_allowed))
        .or_else(|| allowed.first().copied())
        .unwrap_or(Lang::EN)
}

/// The supported languages of an `Accept-Language` header, most preferred first. Malformed entries are
/// skipped rather than failing the whole header.
fn accepted_languages(header: &str) -> Vec<Lang> {
    let mut weighted: Vec<(Lang, f32)> = header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let mut quality = 1.0_f32;
            for parameter in parts {
                let (name, value) = parameter.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = value.trim().parse().ok()?;
                }
            }
            if !(quality > 0.0 && quality <= 1.0) {
                return None;
            }
            Some((Lang::parse(tag)?, quality))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    weighted.into_iter().map(|(lang, _)| lang).collect()
}

/// One of the site's languages (an index into `LANGUAGES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lang(u8);

impl Default for Lang {
    fn default() -> Self {
        Lang::EN
    }
}

impl Lang {
    /// English, the reference language and the last fallback.
    pub const EN: Lang = Lang(0);

    /// A language from a code or a language tag: `hr`, `HR`, `hr-HR` and `hr_HR` are all Croatian.
    /// Only the primary subtag counts; `*` and unsupported languages give `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?;
        LANGUAGES
            .iter()
            .position(|(known, _)| known.eq_ignore_ascii_case(primary))
            .and_then(|index| u8::try_from(index).ok())
            .map(Lang)
    }

    /// Every language, in switcher order.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LANGUAGES.len()).filter_map(|index| u8::try_from(index).ok().map(Lang))
    }

    /// The language's code: `en`, `hr`, `ru`, `fr`.
    pub fn code(self) -> &'static str {
        LANGUAGES[usize::from(self.0)].0
    }

    /// The language's name in itself, for the language switcher.
    pub fn name(self) -> &'static str {
        LANGUAGES[usize::from(self.0)].1
    }

    /// A message without arguments.
    pub fn t(self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with arguments. A message missing in this language falls back to English, one missing
    /// everywhere gives its id; a missing argument shows as `{$name}`. Never panics.
    pub fn t_with(self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for &(name, arg) in args {
            fluent_args.set(name, FluentValue::from(arg));
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(self, id: &str, args: Option<&FluentArgs>) -> String {
        [self, Lang::EN]
            .into_iter()
            .find_map(|lang| {
                let bundle = &BUNDLES[usize::from(lang.0)];
                let pattern = bundle.get_message(id)?.value()?;
                // Errors (a missing argument) still give the best text Fluent can make.
                let mut errors = Vec::new();
                Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
            })
            .unwrap_or_else(|| id.to_owned())
    }

    /// A whole number with the language's digit grouping: `12,345` (en), `12.345` (hr), `12 345` with a
    /// no-break space (ru) or a narrow no-break space (fr).
    pub fn number(self, n: i64) -> String {
        group_digits(n, self.group_separator())
    }

    fn group_separator(self) -> char {
        match self.code() {
            "hr" => '.',
            "ru" => '\u{A0}',
            "fr" => '\u{202F}',
            _ => ',',
        }
    }

    /// A date written out the way the language writes it in running text, month names in the genitive
    /// where the language needs it: `December 3, 2026`, `3. prosinca 2026.`, `3 декабря 2026 г.`,
    /// `3 décembre 2026` (`1er décembre 2026` on the first of a month).
    pub fn date(self, date: NaiveDate) -> String {
        let (day, year) = (date.day(), date.year());
        let month = |names: &[&'static str; 12]| names[date.month0() as usize];
        match self.code() {
            "hr" => format!("{day}. {} {year}.", month(&HR_MONTHS)),
            "ru" => format!("{day} {} {year} г.", month(&RU_MONTHS)),
            "fr" if day == 1 => format!("1er {} {year}", month(&FR_MONTHS)),
            "fr" => format!("{day} {} {year}", month(&FR_MONTHS)),
            _ => format!("{} {day}, {year}", month(&EN_MONTHS)),
        }
    }
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Genitive: "3. prosinca".
const HR_MONTHS: [&str; 12] = [
    "siječnja",
    "veljače",
    "ožujka",
    "travnja",
    "svibnja",
    "lipnja",
    "srpnja",
    "kolovoza",
    "rujna",
    "listopada",
    "studenoga",
    "prosinca",
];
/// Genitive: "3 декабря".
const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// An argument of a message: text, or a number that selects plurals and prints with digit grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<i32> for Arg<'_> {
    fn from(n: i32) -> Self {
        Arg::Num(n.into())
    }
}

impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Num(n.into())
    }
}

impl<'a> From<Arg<'a>> for FluentValue<'a> {
    fn from(arg: Arg<'a>) -> Self {
        match arg {
            Arg::Str(s) => FluentValue::from(s),
            Arg::Num(n) => FluentValue::from(n),
        }
    }
}

/// One bundle per language, in `LANGUAGES` order, built on first use.
static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| Lang::all().map(bundle).collect());

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    // The codes in LANGUAGES are valid language identifiers (a test formats plurals in each).
    let langid: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang.group_separator() {
        '.' => format_grouped::<'.', _>,
        '\u{A0}' => format_grouped::<'\u{A0}', _>,
        '\u{202F}' => format_grouped::<'\u{202F}', _>,
        _ => format_grouped::<',', _>,
    }));
    // A syntax error loses only the entries it touches (they fall back to English), and a duplicate id
    // keeps its first definition; the tests keep every file free of both.
    let resource =
        FluentResource::try_new(source(lang.code()).to_owned()).unwrap_or_else(|(resource, _errors)| resource);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The bundles' number formatter: a whole number without formatting options prints like
/// `Lang::number`; anything else (fractions, `NUMBER()` options) is left to Fluent.
fn format_grouped<const SEPARATOR: char, M>(value: &FluentValue, _: &M) -> Option<String> {
    let FluentValue::Number(FluentNumber { value, options }) = value else {
        return None;
    };
    // Integers up to 2^53 are exact in an f64.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let plain = options.style == FluentNumberStyle::Decimal
        && options.use_grouping
        && options.minimum_integer_digits.is_none()
        && options.minimum_fraction_digits.unwrap_or(0) == 0
        && options.minimum_significant_digits.is_none()
        && options.maximum_significant_digits.is_none();
    if !plain || value.fract() != 0.0 || value.abs() > EXACT {
        return None;
    }
    // Whole and within ±2^53 (checked above), so the cast is exact.
    Some(group_digits(*value as i64, SEPARATOR))
}

fn group_digits(n: i64, separator: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() * 2 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    /// Arguments that are counts, passed as `Arg::Num`; every other argument is text.
    const NUMERIC: &[&str] = &["students", "events", "countries", "count", "goal", "max", "percent"];

    /// The plural categories each language has (CLDR cardinals for whole numbers, plus `other`).
    fn plural_categories(code: &str) -> &'static [&'static str] {
        match code {
            "ru" => &["one", "few", "many", "other"],
            "hr" => &["one", "few", "other"],
            "fr" => &["one", "many", "other"],
            _ => &["one", "other"],
        }
    }

    /// What a message is made of: its variables, and for every select expression its keys and default.
    #[derive(Debug, Default)]
    struct Shape<'s> {
        variables: BTreeSet<&'s str>,
        selects: Vec<(Vec<&'s str>, &'s str)>,
    }

    fn messages(code: &str) -> BTreeMap<&'static str, Shape<'static>> {
        let resource = match fluent_syntax::parser::parse(source(code)) {
            Ok(resource) => resource,
            Err((_, errors)) => panic!("{code}.ftl does not parse: {errors:?}"),
        };
        let mut messages = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(message) => {
                    assert!(message.attributes.is_empty(), "{code}: attributes unused");
                    let mut shape = Shape::default();
                    let value = message.value.as_ref();
                    let value = value.unwrap_or_else(|| panic!("{code}: no value"));
                    pattern(value, &mut shape);
                    let previous = messages.insert(message.id.name, shape);
                    assert!(previous.is_none(), "{code}: {} twice", message.id.name);
                }
                ast::Entry::Term(term) => panic!("{code}: unexpected term -{}", term.id.name),
                ast::Entry::Junk { content } => panic!("{code}: junk {content:?}"),
                _ => {}
            }
        }
        messages
    }

    fn pattern<'s>(pattern: &ast::Pattern<&'s str>, shape: &mut Shape<'s>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_shape(expression, shape);
            }
        }
    }

    fn expression_shape<'s>(expression: &ast::Expression<&'s str>, shape: &mut Shape<'s>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline(selector, shape);
                let mut keys = Vec::new();
                let mut default = "";
                for variant in variants {
                    let key = match &variant.key {
                        ast::VariantKey::Identifier { name } => *name,
                        ast::VariantKey::NumberLiteral { value } => *value,
                    };
                    keys.push(key);
                    if variant.default {
                        default = key;
                    }
                    pattern(&variant.value, shape);
                }
                shape.selects.push((keys, default));
            }
            ast::Expression::Inline(expression) => inline(expression, shape),
        }
    }

    fn inline<'s>(expression: &ast::InlineExpression<&'s str>, shape: &mut Shape<'s>) {
        match expression {
            ast::InlineExpression::VariableReference { id } => {
                shape.variables.insert(id.name);
            }
            ast::InlineExpression::Placeable { expression } => expression_shape(expression, shape),
            ast::InlineExpression::FunctionReference { arguments, .. }
            | ast::InlineExpression::TermReference { arguments: Some(arguments), .. } => {
                for argument in &arguments.positional {
                    inline(argument, shape);
                }
                for argument in &arguments.named {
                    inline(&argument.value, shape);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_locale_has_the_messages_and_variables_of_english() {
        let english = messages("en");
        assert!(english.len() > 100, "en.ftl has {} messages", english.len());
        for lang in Lang::all() {
            let code = lang.code();
            let translated = messages(code);
            let missing: Vec<_> = english.keys().filter(|id| !translated.contains_key(*id)).collect();
            let extra: Vec<_> = translated.keys().filter(|id| !english.contains_key(*id)).collect();
            assert!(missing.is_empty(), "{code}.ftl lacks {missing:?}");
            assert!(extra.is_empty(), "{code}.ftl has extra messages {extra:?}");
            for (id, shape) in &translated {
                assert_eq!(shape.variables, english[id].variables, "{code}: {id}");
                for (keys, default) in &shape.selects {
                    assert_eq!(*default, "other", "{code}: {id} must default to *[other]");
                    for key in keys {
                        assert!(
                            plural_categories(code).contains(key),
                            "{code}: {id} has [{key}], not a plural category of {code}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_message_formats_without_errors() {
        let english = messages("en");
        for lang in Lang::all() {
            let bundle = &BUNDLES[usize::from(lang.0)];
            for (id, shape) in &english {
                for n in [0, 1, 2, 3, 5, 11, 21, 22, 25, 1234, 1_000_000] {
                    let mut args = FluentArgs::new();
                    for variable in &shape.variables {
                        if NUMERIC.contains(variable) {
                            args.set(*variable, n);
                        } else {
                            args.set(*variable, format!("<{variable}>"));
                        }
                    }
                    let message = bundle.get_message(id);
                    let message = message.unwrap_or_else(|| panic!("{}: no {id}", lang.code()));
                    let value = message.value();
                    let value = value.unwrap_or_else(|| panic!("{}: {id} has no value", lang.code()));
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(value, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{}: {id}: {errors:?}", lang.code());
                    assert!(!text.contains(['{', '}', '\u{2068}', '\u{2069}']), "{text}");
                    assert!(!text.trim().is_empty(), "{}: {id} is empty", lang.code());
                }
            }
        }
    }

    #[test]
    fn counts_select_the_right_plural() {
        let students = |code: &str, n: i64| {
            Lang::parse(code).unwrap_or_else(|| panic!("{code}")).t_with("counter-students", &[("students", n.into())])
        };
        let cases: &[(&str, i64, &str)] = &[
            ("en", 1, "1 student"),
            ("en", 2, "2 students"),
            ("ru", 1, "1 ученик"),
            ("ru", 3, "3 ученика"),
            ("ru", 5, "5 учеников"),
            ("ru", 11, "11 учеников"),
            ("ru", 21, "21 ученик"),
            ("ru", 24, "24 ученика"),
            ("hr", 1, "1 učenik"),
            ("hr", 3, "3 učenika"),
            ("hr", 5, "5 učenika"),
            ("hr", 21, "21 učenik"),
            ("fr", 0, "0 élève"),
            ("fr", 1, "1 élève"),
            ("fr", 2, "2 élèves"),
        ];
        for &(code, n, expected) in cases {
            assert_eq!(students(code, n), expected, "{code} {n}");
        }
        let countries = |code: &str, n: i64| {
            Lang::parse(code)
                .unwrap_or_else(|| panic!("{code}"))
                .t_with("counter-countries", &[("countries", n.into())])
        };
        assert_eq!(countries("hr", 2), "2 države");
        assert_eq!(countries("hr", 5), "5 država");
        assert_eq!(countries("ru", 5), "5 стран");
        assert_eq!(
            Lang::parse("hr").map(|hr| hr.t_with("report-saved", &[("students", 3.into())])),
            Some("Hvala! Uračunata su 3 učenika.".to_owned())
        );
    }

    #[test]
    fn numbers_in_messages_print_like_number() {
        for lang in Lang::all() {
            let text = lang.t_with("counter-students", &[("students", 12_345.into())]);
            assert!(text.starts_with(&lang.number(12_345)), "{}: {text}", lang.code());
        }
        let fr = Lang::parse("fr");
        let goal = fr.map(|fr| fr.t_with("home-goal", &[("goal", 1_000_000.into())]));
        assert_eq!(goal.as_deref().map(|g| g.contains("1\u{202F}000\u{202F}000")), Some(true));
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        let number = |code: &str, n: i64| Lang::parse(code).map(|lang| lang.number(n));
        assert_eq!(number("en", 12_345).as_deref(), Some("12,345"));
        assert_eq!(number("en", 999).as_deref(), Some("999"));
        assert_eq!(number("en", 1_000).as_deref(), Some("1,000"));
        assert_eq!(number("en", 1_234_567).as_deref(), Some("1,234,567"));
        assert_eq!(number("en", -1_234).as_deref(), Some("-1,234"));
        assert_eq!(number("en", 0).as_deref(), Some("0"));
        assert_eq!(number("hr", 12_345).as_deref(), Some("12.345"));
        assert_eq!(number("ru", 12_345).as_deref(), Some("12\u{A0}345"));
        assert_eq!(number("fr", 12_345).as_deref(), Some("12\u{202F}345"));
        assert_eq!(number("en", i64::MIN).as_deref(), Some("-9,223,372,036,854,775,808"));
    }

    #[test]
    fn dates_are_written_per_language() {
        let date = |code: &str, y, m, d| {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"));
            Lang::parse(code).map(|lang| lang.date(day))
        };
        assert_eq!(date("en", 2026, 12, 3).as_deref(), Some("December 3, 2026"));
        assert_eq!(date("hr", 2026, 12, 3).as_deref(), Some("3. prosinca 2026."));
        assert_eq!(date("hr", 2026, 11, 14).as_deref(), Some("14. studenoga 2026."));
        assert_eq!(date("ru", 2026, 12, 3).as_deref(), Some("3 декабря 2026 г."));
        assert_eq!(date("ru", 2026, 3, 8).as_deref(), Some("8 марта 2026 г."));
        assert_eq!(date("fr", 2026, 12, 3).as_deref(), Some("3 décembre 2026"));
        assert_eq!(date("fr", 2026, 8, 1).as_deref(), Some("1er août 2026"));
    }

    #[test]
    fn languages_parse_from_codes_and_tags() {
        let code = |s: &str| Lang::parse(s).map(Lang::code);
        assert_eq!(code("hr"), Some("hr"));
        assert_eq!(code("HR"), Some("hr"));
        assert_eq!(code("hr-HR"), Some("hr"));
        assert_eq!(code(" fr_CA "), Some("fr"));
        assert_eq!(code("de"), None);
        assert_eq!(code("*"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("hrx"), None);
        let switcher: Vec<_> = Lang::all().map(|lang| (lang.code(), lang.name())).collect();
        assert_eq!(switcher, LANGUAGES);
    }

    #[test]
    fn negotiation() {
        let pick = |explicit, header, allowed: &[&str], fallback| negotiate(explicit, header, allowed, fallback).code();
        assert_eq!(pick(None, Some("hr-HR,hr;q=0.9,en;q=0.8"), &[], "en"), "hr");
        assert_eq!(pick(None, Some("de-DE,fr;q=0.5"), &[], "en"), "fr");
        assert_eq!(pick(None, Some("en;q=0.5, ru;q=0.8"), &[], "en"), "ru");
        assert_eq!(pick(None, Some("fr;q=0.5, ru;q=0.5"), &[], "en"), "fr");
        assert_eq!(pick(None, Some("ru;q=0, fr"), &[], "en"), "fr");
        assert_eq!(pick(None, Some("*, ru;q=0.1"), &[], "en"), "ru");
        assert_eq!(pick(Some("ru"), Some("hr-HR,hr;q=0.9"), &[], "en"), "ru");
        assert_eq!(pick(Some("de"), Some("hr-HR,hr;q=0.9"), &[], "en"), "hr");
        assert_eq!(pick(Some("RU-ru"), None, &[], "en"), "ru");
        // The campaign's languages narrow every step.
        let campaign = &["hr", "en"];
        assert_eq!(pick(Some("ru"), Some("fr,hr;q=0.3"), campaign, "en"), "hr");
        assert_eq!(pick(None, Some("fr"), campaign, "hr"), "hr");
        assert_eq!(pick(None, None, &["ru", "fr"], "en"), "ru");
        assert_eq!(pick(None, None, &["de", "it"], "fr"), "fr");
        // Garbage falls through to the fallback, an unsupported fallback to English.
        for garbage in ["", ";;;", "q=1", "fr;q=abc", "fr;q=2", "ru;x", ",,,", "\u{1F600}"] {
            assert_eq!(pick(None, Some(garbage), &[], "hr"), "hr", "{garbage:?}");
        }
        assert_eq!(pick(None, None, &[], "de"), "en");
        assert_eq!(pick(None, None, &[], "fr"), "fr");
    }

    #[test]
    fn missing_messages_fall_back() {
        let hr = Lang::parse("hr").unwrap_or_default();
        assert_eq!(hr.t("nav-map"), "Karta");
        assert_eq!(hr.t("no-such-message"), "no-such-message");
        assert_eq!(hr.t_with("no-such-message", &[("x", 1.into())]), "no-such-message");
        // A missing argument shows its name instead of failing.
        assert_eq!(Lang::EN.t("manage-rejected-reason"), "Reason: {$reason}");
        assert_eq!(
            Lang::EN.t_with("registered-body", &[("email", "a@example.org".into())]),
            "We have sent a link to a@example.org. Open it to confirm your event; until then it does not count."
        );
    }

    #[test]
    fn mail_bodies_keep_their_lines() {
        let body = |lang: Lang| {
            lang.t_with(
                "mail-confirm-body",
                &[
                    ("name", "Ana".into()),
                    ("title", "Hour".into()),
                    ("campaign", "Code Week".into()),
                    ("confirm_url", "https://example.org/c".into()),
                ],
            )
        };
        let lines = |text: &str| text.lines().map(str::is_empty).collect::<Vec<_>>();
        let english = body(Lang::EN);
        assert!(english.starts_with("Hello Ana,\n\nthank you"), "{english}");
        for lang in Lang::all() {
            let text = body(lang);
            assert_eq!(lines(&text), lines(&english), "{}: {text}", lang.code());
            assert!(text.contains("\nhttps://example.org/c\n"), "{text}");
        }
    }

    /// A sentence that ends with a date does not end with two full stops (Croatian and Russian dates
    /// end with one of their own: "31. siječnja 2027.", "31 января 2027 г.").
    #[test]
    fn dates_end_sentences_once() {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap_or_default();
        for lang in Lang::all() {
            let date = lang.date(day);
            for (id, args) in [
                ("error-date-range", vec![("from", date.as_str()), ("to", date.as_str())]),
                ("report-not-yet", vec![("date", date.as_str())]),
                ("home-dates", vec![("from", date.as_str()), ("to", date.as_str())]),
            ] {
                let args: Vec<(&str, Arg<'_>)> = args.into_iter().map(|(k, v)| (k, Arg::Str(v))).collect();
                let text = lang.t_with(id, &args);
                assert!(!text.replace(['\u{2068}', '\u{2069}'], "").contains(".."), "{}: {id}: {text}", lang.code());
            }
        }
    }
}

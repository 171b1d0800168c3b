//! The catalogue's address: its filters read from a query string (what is unknown is dropped, what is
//! known is bounded) and written back in one canonical order — facets in the filters' order
//! ([`facet_order`]: [`Facet::ALL`]'s with languages last, `?age=7-10&equipment=no_computers&language=hr`),
//! values in [`Facet::values`]'s (language tags alphabetically), then the search words, the page and the
//! site language chosen — so that a shared address is always the same address.

use std::collections::{BTreeMap, BTreeSet};

use rally_domain::activity::Facet;
use rally_domain::campaign::LanguageTag;

/// At most this many facet values are read from one address; the rest are dropped.
pub const MAX_VALUES: usize = 100;
/// The longest search, in characters.
pub const MAX_Q: usize = 200;
/// Query parameters read at most (any more cannot all be values or known names).
const MAX_PAIRS: usize = 300;
/// The last page anyone may ask for.
const MAX_PAGE: i64 = 10_000;

/// The catalogue's filters as an address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Chosen values per facet, each known to the facet and at most once.
    pub facets: BTreeMap<Facet, BTreeSet<String>>,
    pub q: String,
    /// 1 for the first page.
    pub page: i64,
    /// A language the visitor chose with `?lang=` (the site's switcher), kept in the address.
    pub lang: Option<String>,
}

/// The facets in the order the filters show them and the address names them: [`Facet::ALL`]'s, with
/// the languages (whose values are many and open-ended) last.
pub fn facet_order() -> impl Iterator<Item = Facet> {
    let (languages, rest): (Vec<Facet>, Vec<Facet>) = Facet::ALL.iter().partition(|f| **f == Facet::Language);
    rest.into_iter().chain(languages)
}

/// Where a value sorts within its facet: its place in the facet's list, or after them by name.
fn rank(facet: Facet, value: &str) -> (usize, String) {
    match facet.values() {
        Some(values) => (values.iter().position(|v| *v == value).unwrap_or(usize::MAX), String::new()),
        None => (0, value.to_owned()),
    }
}

/// A value as a facet knows it: one of its values, or a language tag (normalized) for languages.
fn known(facet: Facet, raw: &str) -> Option<String> {
    match facet.values() {
        Some(values) => values.iter().find(|v| **v == raw).map(|v| (*v).to_owned()),
        None => LanguageTag::parse(raw).ok().map(String::from),
    }
}

impl Filters {
    /// Reads a query string, dropping unknown names and values, values past [`MAX_VALUES`], a search
    /// past [`MAX_Q`] characters and a page out of range.
    pub fn parse(raw: &str) -> Filters {
        let mut f = Filters { page: 1, ..Filters::default() };
        let mut values = 0;
        for (k, v) in form_urlencoded::parse(raw.as_bytes()).take(MAX_PAIRS) {
            match k.as_ref() {
                "q" => f.q = v.trim().chars().take(MAX_Q).collect::<String>().trim().to_owned(),
                "page" => f.page = v.parse::<i64>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).unwrap_or(1),
                "lang" => f.lang = rally_site::i18n::Lang::parse(&v).map(|l| l.code().to_owned()),
                name => {
                    let Ok(facet) = Facet::parse(name) else { continue };
                    if values < MAX_VALUES
                        && let Some(value) = known(facet, &v)
                        && f.facets.entry(facet).or_default().insert(value)
                    {
                        values += 1;
                    }
                }
            }
        }
        f.facets.retain(|_, v| !v.is_empty());
        f
    }

    /// Every chosen value with its facet, in canonical order.
    pub fn chosen(&self) -> Vec<(Facet, &str)> {
        let mut chosen = Vec::new();
        for facet in facet_order() {
            let Some(values) = self.facets.get(&facet) else { continue };
            let mut sorted: Vec<&str> = values.iter().map(String::as_str).collect();
            sorted.sort_by_key(|v| rank(facet, v));
            chosen.extend(sorted.into_iter().map(|v| (facet, v)));
        }
        chosen
    }

    /// The address's parameters in canonical order.
    pub fn pairs(&self) -> Vec<(&str, String)> {
        let mut pairs: Vec<(&str, String)> =
            self.chosen().into_iter().map(|(facet, v)| (facet.as_str(), v.to_owned())).collect();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if let Some(lang) = &self.lang {
            pairs.push(("lang", lang.clone()));
        }
        pairs
    }

    /// The canonical query string, without the `?` (empty for the whole catalogue).
    pub fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            s.append_pair(k, &v);
        }
        s.finish()
    }

    /// Whether `raw` says exactly what the canonical address says, in the same order (compared decoded,
    /// so a browser's way of escaping a character never sends it round a redirect).
    pub fn is_canonical(&self, raw: &str) -> bool {
        let sent: Vec<(String, String)> =
            form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let canonical: Vec<(String, String)> = self.pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        sent == canonical
    }

    /// The catalogue's address with these filters.
    pub fn href(&self, slug: &str) -> String {
        let query = self.query();
        if query.is_empty() { format!("/c/{slug}/activities") } else { format!("/c/{slug}/activities?{query}") }
    }

    /// These filters with one value added or taken away, on the first page.
    pub fn toggled(&self, facet: Facet, value: &str) -> Filters {
        let mut f = Filters { page: 1, ..self.clone() };
        let values = f.facets.entry(facet).or_default();
        if !values.remove(value) {
            values.insert(value.to_owned());
        }
        f.facets.retain(|_, v| !v.is_empty());
        f
    }

    /// Whether `value` of `facet` is chosen.
    pub fn has(&self, facet: Facet, value: &str) -> bool {
        self.facets.get(&facet).is_some_and(|v| v.contains(value))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_and_written_in_one_order() {
        for (raw, canonical) in [
            ("", ""),
            ("age=7-10&equipment=no_computers&language=hr", "age=7-10&equipment=no_computers&language=hr"),
            ("language=hr&equipment=no_computers&age=7-10", "age=7-10&equipment=no_computers&language=hr"),
            ("age=11-13&age=7-10&age=7-10", "age=7-10&age=11-13"),
            ("age=99&colour=red&equipment=none&page=0&q=", ""),
            ("language=sr_latn&language=EN&language=%3F%3F", "language=en&language=sr-Latn"),
            ("page=2&q=+robot++&lang=HR&format=unplugged", "format=unplugged&q=robot&page=2&lang=hr"),
            ("page=99999999999999999999", ""),
        ] {
            let f = Filters::parse(raw);
            assert_eq!(f.query(), canonical, "{raw}");
            assert_eq!(f.is_canonical(raw), raw == canonical, "{raw}");
            assert!(Filters::parse(&f.query()).is_canonical(&f.query()), "canonical stays canonical: {raw}");
        }
    }

    #[test]
    fn addresses_are_bounded() {
        let letter = |n: usize| char::from(b'a' + u8::try_from(n % 26).unwrap());
        let many: Vec<String> =
            (0..500).map(|i| format!("language={}{}{}", letter(i / 676), letter(i / 26), letter(i))).collect();
        let f = Filters::parse(&many.join("&"));
        assert!(f.facets[&Facet::Language].len() <= MAX_VALUES);
        let f = Filters::parse(&format!("q={}", "é".repeat(1000)));
        assert_eq!(f.q.chars().count(), MAX_Q);
    }

    #[test]
    fn toggling_adds_and_removes_and_goes_back_to_the_first_page() {
        let f = Filters::parse("age=7-10&page=3");
        assert_eq!(f.toggled(Facet::Equipment, "no_computers").query(), "age=7-10&equipment=no_computers");
        assert_eq!(f.toggled(Facet::Age, "7-10").query(), "");
    }
}

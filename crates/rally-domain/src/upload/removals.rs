//! Words for what the SVG check did: the list of what sanitizing removed, and quoting pieces of the
//! upload in messages. The list is shown to the uploader, so it must stay short and readable however
//! much a hostile file repeats itself.

use std::collections::HashMap;

/// What sanitizing removed, each kind of thing listed once with a count, in the order first seen.
#[derive(Debug, Default)]
pub(super) struct Removals {
    order: Vec<String>,
    counts: HashMap<String, usize>,
}

impl Removals {
    /// More than this many different entries would bury the useful ones; the rest become "and N more".
    const LISTED: usize = 20;

    pub(super) fn add(&mut self, what: impl Into<String>) {
        let what = what.into();
        match self.counts.get_mut(&what) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(what.clone(), 1);
                self.order.push(what);
            }
        }
    }

    pub(super) fn into_vec(self) -> Vec<String> {
        let count = |what: &String| self.counts.get(what).copied().unwrap_or(1);
        let mut listed: Vec<String> = self
            .order
            .iter()
            .take(Self::LISTED)
            .map(|what| match count(what) {
                1 => what.clone(),
                n => format!("{what} ({n} times)"),
            })
            .collect();
        let rest: usize = self.order.iter().skip(Self::LISTED).map(count).sum();
        if rest > 0 {
            listed.push(format!("and {rest} more"));
        }
        listed
    }
}

/// "a" or "an" for a word, by its first letter; good enough for element and attribute names.
pub(super) fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A piece of the upload quoted in a message: control characters blanked and long values cut, so a
/// 2 MB `data:` URI does not become a 2 MB error message.
pub(super) fn quote(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s.trim().chars().take(MAX).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.trim().chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::upload::fixtures::*;

    #[test]
    fn repeated_removals_are_counted_and_long_lists_cut() {
        let many: String =
            (0..30).map(|i| format!("<image href='https://evil.example/{i}.png'/><g onclick='x()'/>")).collect();
        let (_, removed) = sanitized(&svg(&many));
        assert_eq!(removed.len(), 21);
        assert_eq!(removed[1], "an onclick attribute (30 times)");
        assert_eq!(removed[20], "and 11 more");
    }
}

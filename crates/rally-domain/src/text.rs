//! Text as people search and match it: case and the diacritics of Latin letters do not matter
//! ("skola" finds "Škola", "Lodz" finds "Łódź", "strasse" finds "Straße"), other scripts are compared
//! as they are, lowercased (Cyrillic "Загреб", Greek "Αθήνα").
//!
//! The table of Latin letters and their plain spelling is generated from Unicode (NFKD, plus the
//! letters NFKD leaves alone such as `ł`, `đ`, `ø`, `ß`) by `scripts/gen-geo-data` into
//! `data/fold.tsv`, and parsed once on first use.

use std::sync::LazyLock;

const FOLD_TSV: &str = include_str!("../data/fold.tsv");

/// Combining diacritical marks, left over when text arrives decomposed (NFD).
const COMBINING: std::ops::RangeInclusive<char> = '\u{300}'..='\u{36f}';

static FOLD: LazyLock<Vec<(char, &'static str)>> = LazyLock::new(|| {
    let mut table: Vec<(char, &'static str)> = FOLD_TSV
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (letter, plain) = line.split_once('\t')?;
            let mut chars = letter.chars();
            let ch = chars.next()?;
            chars.next().is_none().then_some((ch, plain))
        })
        .collect();
    table.sort_by_key(|&(c, _)| c);
    table
});

fn plain_letter(ch: char) -> Option<&'static str> {
    FOLD.binary_search_by_key(&ch, |&(c, _)| c).ok().map(|i| FOLD[i].1)
}

/// Appends `ch` folded: lowercase, a Latin letter without its diacritics, a stray combining mark
/// dropped.
fn push_folded(out: &mut String, ch: char) {
    if ch.is_ascii() {
        out.push(ch.to_ascii_lowercase());
    } else if let Some(plain) = plain_letter(ch) {
        out.push_str(plain);
    } else if !COMBINING.contains(&ch) {
        for lower in ch.to_lowercase() {
            match plain_letter(lower) {
                Some(plain) => out.push_str(plain),
                None if COMBINING.contains(&lower) => {}
                None => out.push(lower),
            }
        }
    }
}

/// `s` lowercased, without the diacritics of Latin letters ("Šibenik" → "sibenik", "Łódź" → "lodz"),
/// with runs of white space made one space: the form names and words are compared in.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for ch in word.chars() {
            push_folded(&mut out, ch);
        }
    }
    out
}

/// The words of `text` folded (letters and digits of any script; everything else separates words),
/// in order, repeats kept.
pub fn folded_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && !COMBINING.contains(&c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut out = String::with_capacity(w.len());
            for ch in w.chars() {
                push_folded(&mut out, ch);
            }
            out
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_spaces() {
        for (input, folded) in [
            ("Šibenik", "sibenik"),
            ("Łódź", "lodz"),
            ("Straße", "strasse"),
            ("Ærøskøbing", "aeroskobing"),
            ("İstanbul", "istanbul"),
            ("Hà Nội", "ha noi"),
            ("Đakovo", "dakovo"),
            ("  New   York ", "new york"),
            ("Москва", "москва"),
            ("Αθήνα", "αθήνα"),
            // Decomposed input: the marks go, the letters stay.
            ("S\u{30c}kola", "skola"),
        ] {
            assert_eq!(fold(input), folded, "{input}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(
            folded_words("Osnovna škola „Ivan Goran Kovačić“, Đakovo"),
            ["osnovna", "skola", "ivan", "goran", "kovacic", "dakovo"]
        );
        assert_eq!(folded_words("Школа №5 — Минск"), ["школа", "5", "минск"]);
        assert!(folded_words("  ,;  ").is_empty());
    }
}

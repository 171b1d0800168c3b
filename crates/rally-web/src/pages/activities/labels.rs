//! The catalogue's facet values and language names in words for the team's pages: the same messages
//! as the public site's, in English until the team app is translated.

use rally_domain::activity::Facet;
use rally_site::i18n::Lang;

pub use crate::kit::languages::language_name;

/// A facet value as people say it ("Ages 7–10", "No computers").
pub fn value_label(facet: Facet, value: &str) -> String {
    crate::kit::activity_form::value_label(Lang::EN, facet, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_of_every_facet_has_words() {
        for facet in Facet::ALL {
            for value in facet.values().unwrap_or_default() {
                let label = value_label(*facet, value);
                assert_ne!(label, *value, "{facet:?} {value}");
                assert!(!label.starts_with("facet-"), "{facet:?} {value}: {label}");
                assert!(label.chars().next().is_some_and(|c| !c.is_lowercase()), "{label}");
            }
        }
    }
}

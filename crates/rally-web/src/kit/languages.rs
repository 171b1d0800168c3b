//! The languages events and activities are held in, each by its code and its own name, for the public
//! site's forms and filters and a partner's link page.

/// Languages an event may be held in (and an activity offered in): code and own name.
pub const EVENT_LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("hr", "Hrvatski"),
    ("ru", "Русский"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("cs", "Čeština"),
    ("sk", "Slovenčina"),
    ("sl", "Slovenščina"),
    ("sr", "Српски / Srpski"),
    ("bs", "Bosanski"),
    ("mk", "Македонски"),
    ("bg", "Български"),
    ("uk", "Українська"),
    ("ro", "Română"),
    ("hu", "Magyar"),
    ("el", "Ελληνικά"),
    ("ka", "ქართული"),
    ("tr", "Türkçe"),
    ("sq", "Shqip"),
    ("lt", "Lietuvių"),
    ("lv", "Latviešu"),
    ("et", "Eesti"),
    ("fi", "Suomi"),
    ("sv", "Svenska"),
    ("da", "Dansk"),
    ("no", "Norsk"),
    ("ar", "العربية"),
    ("he", "עברית"),
];

/// A language's own name from its tag (`hr`, `sr-Latn`), else the tag itself. A language written in two
/// scripts ("Српски / Srpski") is named in the script its tag asks for.
pub fn language_name(tag: &str) -> String {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    let script = parts.find(|p| p.len() == 4).map(str::to_ascii_lowercase);
    let Some((_, name)) = EVENT_LANGUAGES.iter().find(|(code, _)| code.eq_ignore_ascii_case(primary)) else {
        return tag.to_owned();
    };
    let latin = |part: &&str| part.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let mut scripts = name.split(" / ");
    let named = match script.as_deref() {
        Some("latn") => scripts.find(latin),
        Some("cyrl") => scripts.find(|part| !latin(part)),
        _ => None,
    };
    named.unwrap_or(name).to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn languages_are_named_in_themselves_and_their_script() {
        for (tag, name) in [
            ("hr", "Hrvatski"),
            ("HR-hr", "Hrvatski"),
            ("sr", "Српски / Srpski"),
            ("sr-Cyrl", "Српски"),
            ("sr-Latn", "Srpski"),
            ("xx", "xx"),
        ] {
            assert_eq!(super::language_name(tag), name, "{tag}");
        }
    }
}

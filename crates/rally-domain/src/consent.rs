//! Consent with provenance and versioned privacy notices: what a consent is for, how it was given, a
//! notice as the team writes it, and which notice a visitor reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
use crate::validation::{Check, required_text};
use crate::{CampaignId, Invalid};

/// The longest privacy notice, in characters.
pub const MAX_NOTICE: usize = 50_000;

/// The longest language tag a notice may name, in characters.
pub const MAX_LANGUAGE_TAG: usize = 35;

named_enum!(
    /// What a person consented to (or withdrew from).
    ConsentPurpose {
        CampaignEmail = "campaign_email" / "Campaign e-mail",
        News = "news" / "Campaign news",
        PrivacyNotice = "privacy_notice" / "Privacy notice",
    }
);

named_enum!(
    /// How a consent was given or withdrawn.
    ConsentMethod {
        Form = "form" / "Registration form",
        Import = "import" / "Import",
        Api = "api" / "API",
        Team = "team" / "Set by the team",
        PartnerLink = "partner_link" / "Partner link",
        OneClick = "one_click" / "One-click unsubscribe",
        UnsubscribePage = "unsubscribe_page" / "E-mail preferences page",
    }
);

/// A published version of a campaign's privacy notice in one language. Never changed once published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyNotice {
    pub id: i64,
    pub campaign_id: CampaignId,
    pub language: LanguageTag,
    /// 1 for a language's first notice, one more for each later one.
    pub version: i64,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
    /// Whoever agreed to an earlier version of this language must agree again before receiving news.
    pub needs_reconsent: bool,
    pub published_at: DateTime<Utc>,
    /// The team member who published it (their name), if they still have an account.
    pub published_by: Option<String>,
}

impl PrivacyNotice {
    /// How a consent names the version agreed to: `hr-3`.
    pub fn label(&self) -> String {
        notice_label(&self.language, self.version)
    }

    /// The body's paragraphs (split at blank lines), for showing as `<p>` elements.
    pub fn paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.body)
    }
}

/// `hr-3`: a notice's language and version, as events and consents record it.
pub fn notice_label(language: &LanguageTag, version: i64) -> String {
    format!("{}-{version}", language.as_str())
}

/// Text split at blank lines, each paragraph trimmed, empty ones dropped.
pub fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n").flat_map(|p| p.split("\r\n\r\n")).map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// A new version of a notice as the team submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeDraft {
    /// The notice's language, a tag like `hr` or `sr-Latn`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 35, pattern = r"^\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\s*$")
    )]
    pub language: String,
    /// Plain text; blank lines separate paragraphs.
    #[cfg_attr(feature = "openapi", schema(max_length = 50000, min_length = 1, pattern = "@required-text"))]
    pub body: String,
    /// Whoever agreed to an earlier version must agree again before receiving campaign news.
    #[serde(default)]
    pub needs_reconsent: bool,
}

/// A [`NoticeDraft`] checked: a language tag and a body that is not empty and not too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFields {
    pub language: LanguageTag,
    pub body: String,
    pub needs_reconsent: bool,
}

impl NoticeDraft {
    pub fn validate(self) -> Result<NoticeFields, Invalid> {
        let mut c = Check::default();
        let language = match self.language.chars().count() {
            0..=MAX_LANGUAGE_TAG => c.take("language", LanguageTag::parse(&self.language)),
            _ => c.take::<LanguageTag, _>("language", Err(format!("must be at most {MAX_LANGUAGE_TAG} characters"))),
        };
        let body = c.take("body", required_text(&self.body, MAX_NOTICE));
        c.finish(language.zip(body).map(|(language, body)| NoticeFields {
            language,
            body,
            needs_reconsent: self.needs_reconsent,
        }))
    }
}

/// Which of the languages that have a notice a visitor reads: the first of `wanted` (their languages,
/// best first) that has one, by exact tag and then by primary language (`sr-Latn` reads `sr`), else the
/// first of `fallback` (the campaign's languages) that has one. A notice in some other language only is
/// nobody's: a visitor is not shown, and an organizer is not recorded as agreeing to, a text in a
/// language they were never offered.
pub fn notice_language<'a>(
    available: &'a [LanguageTag],
    wanted: &[&str],
    fallback: &[LanguageTag],
) -> Option<&'a LanguageTag> {
    let primary = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    let exact = |tag: &str| available.iter().find(|a| a.as_str().eq_ignore_ascii_case(tag));
    let near = |tag: &str| available.iter().find(|a| primary(a.as_str()) == primary(tag));
    wanted
        .iter()
        .find_map(|w| exact(w))
        .or_else(|| wanted.iter().find_map(|w| near(w)))
        .or_else(|| fallback.iter().find_map(|f| exact(f.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<LanguageTag> {
        list.iter().map(|t| LanguageTag::parse(t).unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    #[test]
    fn a_visitor_reads_their_language_then_its_family_then_the_campaign_s() {
        let available = tags(&["hr", "en", "sr"]);
        let campaign = tags(&["en", "hr"]);
        for (wanted, expected) in [
            (&["hr"][..], Some("hr")),
            (&["fr", "en"][..], Some("en")),
            (&["sr-Latn"][..], Some("sr")),
            (&["fr"][..], Some("en")),
            (&[][..], Some("en")),
        ] {
            assert_eq!(notice_language(&available, wanted, &campaign).map(|t| t.as_str()), expected, "{wanted:?}");
        }
        assert_eq!(notice_language(&[], &["hr"], &campaign), None);
        assert_eq!(notice_language(&tags(&["de"]), &["hr"], &campaign), None, "no language of theirs");
        assert_eq!(notice_language(&tags(&["de"]), &["de-AT"], &campaign).map(|t| t.as_str()), Some("de"));
    }

    #[test]
    fn a_draft_needs_a_language_and_a_body() {
        let bad = NoticeDraft { language: "x".into(), body: " ".into(), needs_reconsent: false }.validate();
        let fields: Vec<String> = bad.err().map(|e| e.0.into_iter().map(|f| f.field).collect()).unwrap_or_default();
        assert_eq!(fields, ["language", "body"]);
        let ok = NoticeDraft { language: "hr".into(), body: "Mi.\n\nVi.".into(), needs_reconsent: true }.validate();
        assert!(ok.is_ok_and(|f| f.needs_reconsent && f.language.as_str() == "hr"));
        assert_eq!(paragraphs("One\nline.\n\n\n\nTwo.\r\n\r\nThree"), ["One\nline.", "Two.", "Three"]);
    }
}

//! The library of promotional material — logos, banners, posters, press kits, tutorial links — and the
//! record of which partner got what, when: "Finalize Fulfillment" in the pipeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
use crate::partner::{Audience, parse_website};
use crate::upload::MediaType;
use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{AssetId, CampaignId, PartnerId, UserId};

/// What an asset is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Logo,
    Banner,
    Poster,
    PressKit,
    Tutorial,
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::Logo,
        AssetKind::Banner,
        AssetKind::Poster,
        AssetKind::PressKit,
        AssetKind::Tutorial,
        AssetKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Logo => "logo",
            AssetKind::Banner => "banner",
            AssetKind::Poster => "poster",
            AssetKind::PressKit => "press_kit",
            AssetKind::Tutorial => "tutorial",
            AssetKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AssetKind::Logo => "Logo",
            AssetKind::Banner => "Banner",
            AssetKind::Poster => "Poster",
            AssetKind::PressKit => "Press kit",
            AssetKind::Tutorial => "Tutorial",
            AssetKind::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Result<AssetKind, String> {
        AssetKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind `{s}`; expected logo, banner, poster, press_kit, tutorial or other"))
    }
}

/// A checked file in the content-addressed store: its SHA-256 (hex) names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredFile {
    pub sha256: String,
    pub media_type: MediaType,
    pub size: i64,
    /// The name it was uploaded under, for downloads; never used to find the file.
    pub filename: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Makes an uploaded file name safe to show and to send back in `Content-Disposition`: no path, no
/// quotes or control characters, at most 100 characters, and the extension of what the file really is.
pub fn safe_filename(raw: &str, media_type: MediaType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let clean: String = stem
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '.') { c } else { '_' })
        .take(100)
        .collect();
    let clean = clean.trim().trim_matches('.');
    let stem = if clean.is_empty() { "file" } else { clean };
    format!("{stem}.{}", media_type.extension())
}

/// Asset details as a client sends them (the file comes separately, as an upload).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AssetDraft {
    pub title: Option<String>,
    pub kind: Option<AssetKind>,
    pub language: Option<String>,
    pub audience: Option<Audience>,
    /// For links (tutorials, videos): the address. An asset is a file or a link, never both.
    pub url: Option<String>,
    pub description: Option<String>,
}

/// The checked details of an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetFields {
    pub title: String,
    pub kind: AssetKind,
    pub language: Option<LanguageTag>,
    pub audience: Option<Audience>,
    pub url: Option<String>,
    pub description: String,
}

impl AssetDraft {
    /// `has_file` says whether a file comes with it: an asset without a file must be a link.
    pub fn validate(self, has_file: bool) -> Result<AssetFields, Invalid> {
        let mut c = Check::default();
        let title = c.take("title", required_text(self.title.as_deref().unwrap_or_default(), 200));
        if self.kind.is_none() {
            c.fail(
                "kind",
                format!("choose a kind: {}", crate::validation::labels(AssetKind::ALL.iter().map(|k| k.label()))),
            );
        }
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => c.take("language", LanguageTag::parse(raw)),
        };
        let url = match self.url.as_deref() {
            None => None,
            Some(raw) if raw.trim().is_empty() => None,
            Some(raw) => c.take("url", parse_website(raw)),
        };
        match (has_file, url.is_some()) {
            (true, true) => c.fail("url", "an asset is a file or a link, not both"),
            (false, false) => c.fail("file", "choose a file to upload, or give a link"),
            _ => {}
        }
        let description = c.take("description", optional_text(self.description.as_deref().unwrap_or_default(), 2000));
        let fields = (|| {
            Some(AssetFields {
                title: title?,
                kind: self.kind?,
                language,
                audience: self.audience,
                url,
                description: description?,
            })
        })();
        c.finish(fields)
    }
}

/// A stored asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: AssetId,
    pub campaign_id: CampaignId,
    #[serde(flatten)]
    pub fields: AssetFields,
    pub file: Option<StoredFile>,
    pub created_at: DateTime<Utc>,
}

/// One asset sent to one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetSend {
    pub id: i64,
    pub partner_id: PartnerId,
    pub asset_id: AssetId,
    pub asset_title: String,
    pub asset_kind: AssetKind,
    pub sent_at: DateTime<Utc>,
    pub sent_by: Option<UserId>,
    pub sent_by_name: Option<String>,
    pub note: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_or_link() {
        let draft = AssetDraft { title: Some("Logo pack".into()), kind: Some(AssetKind::Logo), ..Default::default() };
        assert!(draft.clone().validate(true).is_ok());
        assert_eq!(draft.clone().validate(false).unwrap_err().0[0].field, "file");
        let link = AssetDraft { url: Some("hourofcode.com/learn".into()), ..draft };
        assert_eq!(link.clone().validate(false).unwrap().url.as_deref(), Some("https://hourofcode.com/learn"));
        assert_eq!(link.validate(true).unwrap_err().0[0].field, "url");
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(safe_filename("../../etc/passwd", MediaType::Png), "passwd.png");
        assert_eq!(safe_filename("C:\\Users\\x\\logo \"final\".exe", MediaType::Png), "logo _final_.png");
        assert_eq!(safe_filename("", MediaType::Pdf), "file.pdf");
        assert_eq!(safe_filename("Šibenik logo.svg", MediaType::Svg), "Šibenik logo.svg");
    }
}

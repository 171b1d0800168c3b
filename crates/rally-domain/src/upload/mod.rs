//! Checking uploaded files by their content.
//!
//! Rally keeps a library of promotional assets (logos, banners, posters, press kits) and partners'
//! logos. Those files end up in browsers and in partners' hands, so an upload is judged by what its
//! bytes are, never by its file name or the type the browser declared: the uploader chooses both, and
//! a program renamed `logo.png` must not slip through.
//!
//! [`check_upload`] accepts PNG, JPEG, WebP and PDF files whose structure holds up, and SVG documents
//! after rewriting them without anything that could run code or fetch something from elsewhere. An
//! SVG is an XML document a browser treats much like a web page, so a "logo" could otherwise carry a
//! script, steal a session or track who looked at it.
//!
//! The shared types ([`MediaType`], [`CheckedUpload`], [`UploadError`]) and the dispatch by first bytes
//! live here; each format family is checked in a module of its own: `raster` (PNG, JPEG, WebP), `pdf`,
//! `svg` (with `css` for its styles and `removals` for reporting what was taken out), and `refused`,
//! which names the files that are turned away.

mod css;
mod pdf;
mod raster;
mod refused;
mod removals;
mod svg;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod fixtures;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod properties;

pub use raster::MAX_PIXELS;
pub use svg::MAX_SVG_DEPTH;

/// The file types the library accepts, named for the database and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Png,
    Jpeg,
    Webp,
    Pdf,
    /// Stored only in the sanitized form [`check_upload`] produces.
    Svg,
}

impl MediaType {
    pub const ALL: [MediaType; 5] = [MediaType::Png, MediaType::Jpeg, MediaType::Webp, MediaType::Pdf, MediaType::Svg];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Png => "png",
            MediaType::Jpeg => "jpeg",
            MediaType::Webp => "webp",
            MediaType::Pdf => "pdf",
            MediaType::Svg => "svg",
        }
    }

    pub fn parse(s: &str) -> Result<MediaType, String> {
        MediaType::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown media type `{s}`; expected png, jpeg, webp, pdf or svg"))
    }

    /// The `Content-Type` to serve the stored bytes with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Webp => "image/webp",
            MediaType::Pdf => "application/pdf",
            MediaType::Svg => "image/svg+xml",
        }
    }

    /// The extension for download file names; `jpg` because that is what people expect to see.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Png => "png",
            MediaType::Jpeg => "jpg",
            MediaType::Webp => "webp",
            MediaType::Pdf => "pdf",
            MediaType::Svg => "svg",
        }
    }

    /// Whether a browser can show the file as a picture (everything but PDF).
    pub fn is_image(self) -> bool {
        self != MediaType::Pdf
    }

    /// The name people know the format by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Png => "PNG",
            MediaType::Jpeg => "JPEG",
            MediaType::Webp => "WebP",
            MediaType::Pdf => "PDF",
            MediaType::Svg => "SVG",
        }
    }
}

/// An upload that passed [`check_upload`]: what it is and the bytes to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUpload {
    pub media_type: MediaType,
    /// The bytes to store: the upload itself, or for SVG the sanitized document.
    pub bytes: Vec<u8>,
    /// Pixel size when known (PNG, JPEG, WebP; SVG from width/height or viewBox when parseable).
    pub dimensions: Option<(u32, u32)>,
    /// What sanitizing removed, in words a user understands (e.g. `a <script> element`, `an onload
    /// attribute`, `a link to https://evil.example/x.png`); empty when nothing was removed. Repeats are
    /// listed once with a count (`an onclick attribute (3 times)`), and a long list ends with `and N more`.
    pub removed: Vec<String>,
}

/// Why an upload was refused. The messages are shown to the uploader as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large ({}); the limit is {}", megabytes_up(.size), megabytes(.limit))]
    TooLarge { size: usize, limit: usize },
    /// `looks_like` names what the file seems to be when that is recognizable, e.g. "a Windows program".
    #[error("unsupported file type{}; accepted types are PNG, JPEG, WebP, PDF and SVG", looks_like_suffix(.looks_like))]
    Unsupported { looks_like: Option<String> },
    /// The file starts like an accepted format, but its structure does not hold up: cut off, corrupted,
    /// or something else wearing that format's first bytes.
    #[error("the file starts like a {} file but is damaged or incomplete: {reason}", .media_type.label())]
    Damaged { media_type: MediaType, reason: String },
    #[error("the image is {width}×{height} pixels, more than the limit of {} megapixels", MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error("the SVG is not UTF-8 text; save it as UTF-8 and upload it again")]
    SvgNotUtf8,
    #[error("the SVG is not well-formed XML: {0}")]
    SvgMalformed(String),
    #[error(
        "the SVG contains a DOCTYPE declaration, which is refused because it can define entities that \
         expand enormously or read other files; export the SVG again without it"
    )]
    SvgDoctype,
    #[error("the SVG nests elements more than {limit} levels deep")]
    SvgTooDeep { limit: usize },
    /// The document is an SVG but cannot be made safe, e.g. its root is not an SVG element.
    #[error("the SVG was refused: {0}")]
    SvgRefused(String),
}

fn megabytes(bytes: &usize) -> String {
    let mb = format!("{:.1}", *bytes as f64 / 1_048_576.0);
    format!("{} MB", mb.strip_suffix(".0").unwrap_or(&mb))
}

/// Like [`megabytes`] but rounded up, so a file just over a round limit never reads as equal to it.
fn megabytes_up(bytes: &usize) -> String {
    let tenths = (*bytes as f64 / 104_857.6).ceil() / 10.0;
    let mb = format!("{tenths:.1}");
    format!("{} MB", mb.strip_suffix(".0").unwrap_or(&mb))
}

fn looks_like_suffix(looks_like: &Option<String>) -> String {
    looks_like.as_ref().map(|l| format!(": it looks like {l}")).unwrap_or_default()
}

/// Decides what an upload is from its bytes and returns what to store, or why it was refused.
///
/// `max_bytes` is the size limit. Callers also limit the HTTP body; this is the second line, so a
/// caller that forgot the first cannot store an oversized file.
pub fn check_upload(bytes: &[u8], max_bytes: usize) -> Result<CheckedUpload, UploadError> {
    Ok(check(bytes, max_bytes)?.finish(|keep| match keep {
        Keep::Prefix(n) => bytes[..n].to_vec(),
        Keep::New(new) => new,
    }))
}

/// [`check_upload`] of bytes the caller hands over: what is stored is the same allocation, cut to
/// the image's end, unless the check made new bytes (a sanitized SVG) — no copy of a large file.
pub fn check_upload_owned(mut bytes: Vec<u8>, max_bytes: usize) -> Result<CheckedUpload, UploadError> {
    let checked = check(&bytes, max_bytes)?;
    Ok(checked.finish(|keep| match keep {
        Keep::Prefix(n) => {
            bytes.truncate(n);
            bytes
        }
        Keep::New(new) => new,
    }))
}

/// What to store of an upload that passed: its first bytes as they are, or new bytes.
enum Keep {
    Prefix(usize),
    New(Vec<u8>),
}

/// A passed check, before the bytes to store are taken.
struct Checked {
    media_type: MediaType,
    keep: Keep,
    dimensions: Option<(u32, u32)>,
    removed: Vec<String>,
}

impl Checked {
    fn finish(self, stored: impl FnOnce(Keep) -> Vec<u8>) -> CheckedUpload {
        let Checked { media_type, keep, dimensions, removed } = self;
        CheckedUpload { media_type, bytes: stored(keep), dimensions, removed }
    }
}

fn check(bytes: &[u8], max_bytes: usize) -> Result<Checked, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(UploadError::TooLarge { size: bytes.len(), limit: max_bytes });
    }
    if bytes.starts_with(b"\x89PNG") {
        return raster::check_png(bytes);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return raster::check_jpeg(bytes);
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]) {
        return raster::check_webp(bytes);
    }
    if bytes.starts_with(b"%PDF-") {
        return pdf::check(bytes);
    }
    if let Some(kind) = refused::describe_binary(bytes) {
        return Err(unsupported(kind));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        let svg = svg::check(body)?;
        return Ok(Checked {
            media_type: svg.media_type,
            keep: Keep::New(svg.bytes),
            dimensions: svg.dimensions,
            removed: svg.removed,
        });
    }
    if let Some(text) = refused::utf16_prefix(bytes) {
        return Err(if text.contains("<svg") { UploadError::SvgNotUtf8 } else { unsupported("UTF-16 text") });
    }
    if refused::is_plain_text(body) {
        return Err(unsupported("plain text"));
    }
    Err(UploadError::Unsupported { looks_like: None })
}

fn unsupported(looks_like: impl Into<String>) -> UploadError {
    UploadError::Unsupported { looks_like: Some(looks_like.into()) }
}

fn damaged(media_type: MediaType, reason: &str) -> UploadError {
    UploadError::Damaged { media_type, reason: reason.to_owned() }
}
/// Whether `needle` occurs in `haystack`; a plain scan is enough for the short markers looked for.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn media_types_round_trip_through_their_names() {
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Ok(m));
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.as_str()));
        }
        assert!(MediaType::parse("gif").is_err());
        assert_eq!(MediaType::Jpeg.extension(), "jpg");
        assert_eq!(MediaType::Svg.mime(), "image/svg+xml");
        assert!(!MediaType::Pdf.is_image());
        assert!(MediaType::Svg.is_image());
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check_upload(&[], LIMIT), Err(UploadError::Empty));
        assert_eq!(refusal(&[]), "the file is empty");
        let big = png(1, 1);
        let err = check_upload(&big, 10).unwrap_err();
        assert_eq!(err, UploadError::TooLarge { size: big.len(), limit: 10 });
        let message = UploadError::TooLarge { size: 10 * 1024 * 1024 + 1, limit: 10 * 1024 * 1024 }.to_string();
        assert_eq!(message, "the file is too large (10.1 MB); the limit is 10 MB");
        assert!(check_upload(&big, big.len()).is_ok());
    }

    #[test]
    fn no_input_makes_it_panic() {
        let samples = [
            PNG_1X1.to_vec(),
            png(7, 9),
            jpeg(5, 5),
            webp_lossless(4, 4),
            webp_lossy(8, 8),
            exe(),
            b"%PDF-1.4\n%%EOF".to_vec(),
            b"<svg xmlns='http://www.w3.org/2000/svg' style='fill:url(#a)'><style>a{b:c}</style><g/></svg>".to_vec(),
        ];
        for sample in &samples {
            for len in 0..=sample.len() {
                let _ = check_upload(&sample[..len], LIMIT);
            }
            for i in 0..sample.len() {
                for flip in [0x01, 0x80, 0xFF] {
                    let mut mutated = sample.clone();
                    mutated[i] ^= flip;
                    let _ = check_upload(&mutated, LIMIT);
                }
            }
        }
    }
}

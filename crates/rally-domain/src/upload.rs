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

use std::collections::HashMap;

/// The deepest element nesting an SVG may have. Real artwork stays far below it; a document nested
/// thousands of levels deep exists only to exhaust the stack of whatever renders it.
pub const MAX_SVG_DEPTH: usize = 256;

/// The most pixels a PNG, JPEG or WebP may have (250 megapixels, about an A0 poster at 350 dpi).
/// Browsers and thumbnailers allocate memory for every pixel, so a tiny file claiming to be a
/// 100 000 × 100 000 image is an attack on them rather than a picture.
pub const MAX_PIXELS: u64 = 250_000_000;

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
        return check_pdf(bytes);
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

/// A PDF is stored as it is and offered as a download, never rendered by Rally, so the check only
/// makes sure it is a complete PDF: the header a reader looks for at the very start (no leading junk,
/// which is how polyglot files hide) and the end-of-file marker that a cut-off upload lacks.
fn check_pdf(bytes: &[u8]) -> Result<Checked, UploadError> {
    let known_version = bytes.starts_with(b"%PDF-1.") || bytes.starts_with(b"%PDF-2.");
    if !known_version || !bytes.get(7).is_some_and(u8::is_ascii_digit) {
        return Err(damaged(MediaType::Pdf, "its header does not name a known PDF version"));
    }
    let tail = bytes.get(bytes.len().saturating_sub(1024)..).unwrap_or(bytes);
    if !contains(tail, b"%%EOF") {
        return Err(damaged(MediaType::Pdf, "it is cut off (the end-of-file marker is missing)"));
    }
    Ok(Checked { media_type: MediaType::Pdf, keep: Keep::Prefix(bytes.len()), dimensions: None, removed: Vec::new() })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// PNG, JPEG and WebP: the magic bytes only say what a file claims to be, so each check also walks
/// enough of the structure to tell a real image from a renamed or cut-off file. Dimensions come from
/// the `imagesize` crate, which reads headers without decoding pixels.
mod raster {
    use super::{Checked, Keep, MAX_PIXELS, MediaType, UploadError, damaged};

    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    pub(super) fn check_png(bytes: &[u8]) -> Result<Checked, UploadError> {
        let fail = |reason: &str| damaged(MediaType::Png, reason);
        if !bytes.starts_with(PNG_SIGNATURE) {
            return Err(fail("its signature is incomplete"));
        }
        let Some((header, mut pos)) = png_chunk(bytes, PNG_SIGNATURE.len()) else {
            return Err(fail("it is cut off before the end of its header"));
        };
        if &header.kind != b"IHDR" || header.data.len() != 13 {
            return Err(fail("it does not start with an image header"));
        }
        if crc32(&[&header.kind, header.data]) != header.crc {
            return Err(fail("its image header is corrupted"));
        }
        let width = be_u32(header.data, 0).unwrap_or(0);
        let height = be_u32(header.data, 4).unwrap_or(0);
        let valid = |side: u32| (1..=0x7FFF_FFFF).contains(&side);
        if !valid(width) || !valid(height) {
            return Err(fail("its header gives an impossible size"));
        }
        let depth_and_colour = (header.data.get(8).copied(), header.data.get(9).copied());
        let known_format = matches!(
            depth_and_colour,
            (Some(1 | 2 | 4 | 8 | 16), Some(0)) | (Some(1 | 2 | 4 | 8), Some(3)) | (Some(8 | 16), Some(2 | 4 | 6))
        );
        if !known_format || header.data.get(10..12) != Some(&[0, 0][..]) || header.data.get(12).is_none_or(|&i| i > 1) {
            return Err(fail("its header describes an unknown pixel format"));
        }
        // Walk the chunks to the end marker: a file cut off in transit, or garbage after a copied
        // header, shows up here rather than as a broken image on the partner page.
        let mut has_data = false;
        let end = loop {
            let Some((chunk, next)) = png_chunk(bytes, pos) else {
                return Err(fail("it is cut off before its end"));
            };
            match &chunk.kind {
                b"IDAT" => has_data = true,
                b"IEND" => break next,
                _ => {}
            }
            pos = next;
        };
        if !has_data {
            return Err(fail("it contains no image data"));
        }
        let dimensions = checked_dimensions(MediaType::Png, bytes)?;
        Ok(up_to_end(MediaType::Png, bytes, end, dimensions))
    }

    /// The image up to its end marker. Whatever follows it (a program or an archive appended to make
    /// a file that is two things at once) is no part of the image and is not stored.
    fn up_to_end(media_type: MediaType, bytes: &[u8], end: usize, dimensions: (u32, u32)) -> Checked {
        let end = end.min(bytes.len());
        let after = &bytes[end..];
        let removed = match after.len() {
            0 => vec![],
            1 => vec!["1 byte after the end of the image".to_owned()],
            n => vec![format!("{n} bytes after the end of the image")],
        };
        Checked { media_type, keep: Keep::Prefix(end), dimensions: Some(dimensions), removed }
    }

    pub(super) fn check_jpeg(bytes: &[u8]) -> Result<Checked, UploadError> {
        // JPEG has no fixed header beyond its first marker; finding the frame header (which holds the
        // size) by walking the marker segments is what separates a JPEG from three lucky bytes.
        let dimensions = checked_dimensions(MediaType::Jpeg, bytes)?;
        let Some(end) = jpeg_end(bytes) else {
            return Err(damaged(MediaType::Jpeg, "it is cut off before its end"));
        };
        Ok(up_to_end(MediaType::Jpeg, bytes, end, dimensions))
    }

    /// The position after a JPEG's end-of-image marker, found by walking its marker segments (their
    /// lengths skip embedded thumbnails, which carry end markers of their own) and the entropy-coded
    /// data after each start of scan; `None` when the file ends first. One pass: linear in the size.
    fn jpeg_end(bytes: &[u8]) -> Option<usize> {
        let mut pos = 2; // after the start-of-image marker
        loop {
            if *bytes.get(pos)? != 0xFF {
                return None;
            }
            // Any number of 0xFF fill bytes may come before a marker.
            while *bytes.get(pos + 1)? == 0xFF {
                pos += 1;
            }
            let marker = *bytes.get(pos + 1)?;
            pos += 2;
            match marker {
                0xD9 => return Some(pos),
                // Markers without a length: restart markers and TEM.
                0x01 | 0xD0..=0xD7 => continue,
                _ => {}
            }
            let length = usize::from(u16::from_be_bytes([*bytes.get(pos)?, *bytes.get(pos + 1)?]));
            if length < 2 {
                return None;
            }
            pos += length;
            if marker == 0xDA {
                // Scan data runs to the next marker that is neither a stuffed 0xFF00 nor a restart.
                loop {
                    let at = pos + bytes.get(pos..)?.iter().position(|&b| b == 0xFF)?;
                    match *bytes.get(at + 1)? {
                        0x00 | 0xD0..=0xD7 | 0xFF => pos = at + 1,
                        _ => {
                            pos = at;
                            break;
                        }
                    }
                }
            }
        }
    }

    pub(super) fn check_webp(bytes: &[u8]) -> Result<Checked, UploadError> {
        let fail = |reason: &str| damaged(MediaType::Webp, reason);
        let riff_size = le_u32(bytes, 4).unwrap_or(0) as usize;
        if riff_size.checked_add(8).is_none_or(|end| end > bytes.len()) {
            return Err(fail("it is cut off before its end"));
        }
        let chunk_size = le_u32(bytes, 16).unwrap_or(0) as usize;
        let well_formed = match bytes.get(12..16) {
            // Lossy: the VP8 frame tag is followed by a fixed start code.
            Some(b"VP8 ") => bytes.get(23..26) == Some(&[0x9D, 0x01, 0x2A][..]),
            // Lossless: the bitstream starts with a fixed signature byte.
            Some(b"VP8L") => bytes.get(20) == Some(&0x2F),
            // Extended: a 10-byte header with flags and the canvas size.
            Some(b"VP8X") => chunk_size >= 10 && bytes.len() >= 30,
            _ => return Err(fail("it contains no VP8, VP8L or VP8X image data")),
        };
        if !well_formed {
            return Err(fail("its image data header is corrupted"));
        }
        let (mut width, mut height) = checked_dimensions(MediaType::Webp, bytes)?;
        if bytes.get(12..16) == Some(b"VP8 ") {
            // The top two bits of each lossy dimension are an upscaling hint, not part of the size.
            (width, height) = (width & 0x3FFF, height & 0x3FFF);
            if width == 0 || height == 0 {
                return Err(fail("its header gives an impossible size"));
            }
        }
        // The RIFF header's size says where the image ends.
        Ok(up_to_end(MediaType::Webp, bytes, riff_size + 8, (width, height)))
    }

    /// The size `imagesize` reads from the header, refused when absent, zero or beyond [`MAX_PIXELS`].
    fn checked_dimensions(media_type: MediaType, bytes: &[u8]) -> Result<(u32, u32), UploadError> {
        let size = imagesize::blob_size(bytes).map_err(|_| damaged(media_type, "its header cannot be read"))?;
        let (Ok(width), Ok(height)) = (u32::try_from(size.width), u32::try_from(size.height)) else {
            return Err(damaged(media_type, "its header gives an impossible size"));
        };
        if width == 0 || height == 0 {
            return Err(damaged(media_type, "its header gives an impossible size"));
        }
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(UploadError::TooManyPixels { width, height });
        }
        Ok((width, height))
    }

    struct PngChunk<'a> {
        kind: [u8; 4],
        data: &'a [u8],
        crc: u32,
    }

    /// The chunk at `pos` and the position after it, or `None` when the file ends inside it.
    fn png_chunk(bytes: &[u8], pos: usize) -> Option<(PngChunk<'_>, usize)> {
        let len = be_u32(bytes, pos)?;
        if len > 0x7FFF_FFFF {
            return None;
        }
        let kind: [u8; 4] = bytes.get(pos.checked_add(4)?..pos.checked_add(8)?)?.try_into().ok()?;
        let data_start = pos.checked_add(8)?;
        let data_end = data_start.checked_add(len as usize)?;
        let data = bytes.get(data_start..data_end)?;
        let crc = be_u32(bytes, data_end)?;
        Some((PngChunk { kind, data, crc }, data_end.checked_add(4)?))
    }

    fn be_u32(bytes: &[u8], pos: usize) -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(pos..pos.checked_add(4)?)?.try_into().ok()?))
    }

    fn le_u32(bytes: &[u8], pos: usize) -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(pos..pos.checked_add(4)?)?.try_into().ok()?))
    }

    /// The CRC-32 PNG uses, over the concatenation of `parts`.
    pub(super) fn crc32(parts: &[&[u8]]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for &byte in parts.iter().flat_map(|p| p.iter()) {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}

/// Naming what a refused file is, so the message says "this is a Windows program" rather than only
/// "unsupported": the uploader usually picked the wrong file and needs to know which one they picked.
mod refused {
    /// What a binary file is, recognized by its first bytes.
    pub(super) fn describe_binary(bytes: &[u8]) -> Option<&'static str> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        let kind = if starts(b"MZ") && !is_plain_text(bytes) {
            "a Windows program (.exe or .dll)"
        } else if starts(b"\x7FELF") {
            "a Linux program (ELF)"
        } else if starts(&[0xFE, 0xED, 0xFA, 0xCE])
            || starts(&[0xFE, 0xED, 0xFA, 0xCF])
            || starts(&[0xCE, 0xFA, 0xED, 0xFE])
            || starts(&[0xCF, 0xFA, 0xED, 0xFE])
        {
            "a macOS program"
        } else if starts(&[0xCA, 0xFE, 0xBA, 0xBE]) {
            "a macOS program or a Java class file"
        } else if starts(b"\0asm") {
            "a WebAssembly program"
        } else if starts(b"#!") {
            "a script (a program)"
        } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
            "a ZIP archive or an Office document (.docx, .xlsx, .pptx)"
        } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            "an older Office document (.doc, .xls, .ppt)"
        } else if starts(b"Rar!\x1A\x07") {
            "a RAR archive"
        } else if starts(b"7z\xBC\xAF\x27\x1C") {
            "a 7-Zip archive"
        } else if starts(&[0x1F, 0x8B]) {
            "a gzip archive"
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            "a GIF image"
        } else if starts(b"BM") && !is_plain_text(bytes) {
            "a BMP image"
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            "a TIFF image"
        } else if starts(b"8BPS") {
            "a Photoshop document (.psd)"
        } else if starts(b"%!PS") || starts(&[0xC5, 0xD0, 0xD3, 0xC6]) {
            "a PostScript or EPS file"
        } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0CJXL ") {
            "a JPEG XL image"
        } else if starts(&[0, 0, 1, 0]) {
            "an icon file (.ico)"
        } else if starts(b"{\\rtf") {
            "an RTF document"
        } else if starts(b"RIFF") {
            "an audio or video file"
        } else if starts(b"ID3") || starts(b"OggS") || starts(b"fLaC") {
            "an audio file"
        } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
            "a video (WebM or MKV)"
        } else if bytes.get(4..8) == Some(b"ftyp") {
            match bytes.get(8..12) {
                Some(b"avif" | b"avis") => "an AVIF image",
                Some(b"heic" | b"heix" | b"hevc" | b"mif1" | b"msf1") => "a HEIC image",
                _ => "a video (MP4 or MOV)",
            }
        } else {
            return None;
        };
        Some(kind)
    }

    /// Whether the bytes are UTF-8 text without control characters other than the usual whitespace.
    pub(super) fn is_plain_text(bytes: &[u8]) -> bool {
        std::str::from_utf8(bytes)
            .is_ok_and(|text| text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0C')))
    }

    /// The first few thousand characters of a file that starts with a UTF-16 byte order mark.
    pub(super) fn utf16_prefix(bytes: &[u8]) -> Option<String> {
        let big_endian = match bytes.get(..2)? {
            [0xFE, 0xFF] => true,
            [0xFF, 0xFE] => false,
            _ => return None,
        };
        let units = bytes.get(2..)?.chunks_exact(2).take(4096).map(|pair| match pair {
            [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
            [a, b] => u16::from_le_bytes([*a, *b]),
            _ => 0,
        });
        Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
    }

    /// Whether markup that is not an SVG looks like a web page.
    pub(super) fn looks_like_html(text: &str) -> bool {
        let start: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
        ["<!doctype html", "<html", "<head", "<body"].iter().any(|tag| start.contains(tag))
    }
}

/// What sanitizing removed, each kind of thing listed once with a count, in the order first seen.
#[derive(Debug, Default)]
struct Removals {
    order: Vec<String>,
    counts: HashMap<String, usize>,
}

impl Removals {
    /// More than this many different entries would bury the useful ones; the rest become "and N more".
    const LISTED: usize = 20;

    fn add(&mut self, what: impl Into<String>) {
        let what = what.into();
        match self.counts.get_mut(&what) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(what.clone(), 1);
                self.order.push(what);
            }
        }
    }

    fn into_vec(self) -> Vec<String> {
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
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A piece of the upload quoted in a message: control characters blanked and long values cut, so a
/// 2 MB `data:` URI does not become a 2 MB error message.
fn quote(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s.trim().chars().take(MAX).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.trim().chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// SVG: parsed with `quick-xml` and written back event by event, without everything that can run code
/// or fetch from elsewhere. Rewriting rather than merely inspecting means the stored document is
/// exactly what was checked: every name is validated, every attribute value and text is decoded and
/// re-escaped, and nothing a browser might read differently from this parser (entities, comments,
/// CDATA sections, a DOCTYPE) survives.
mod svg {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    use quick_xml::name::{NamespaceResolver, QName, ResolveResult};
    use quick_xml::{NsReader, Writer, XmlVersion};

    use super::{CheckedUpload, MAX_SVG_DEPTH, MediaType, Removals, UploadError, article, css, quote, refused};

    const SVG_NS: &str = "http://www.w3.org/2000/svg";
    const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
    const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";

    /// Elements dropped with everything inside them, compared case-insensitively by local name so no
    /// prefix or namespace trick keeps one. Scripts and their event-handler cousins run code;
    /// `foreignObject`, `iframe`, `embed`, `object`, `audio` and `video` pull in HTML or other
    /// documents; the animation elements can rewrite an `href` or an `on…` attribute into something
    /// this check never saw.
    const DROPPED_ELEMENTS: [&str; 14] = [
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "audio",
        "video",
        "handler",
        "listener",
        "set",
        "animate",
        "animatetransform",
        "animatemotion",
        "animatecolor",
    ];

    /// Why the markup was not turned into a stored SVG.
    enum Failure {
        /// It is not an SVG at all; the root element's name when one was found.
        NotSvg(Option<String>),
        Refused(UploadError),
    }

    impl From<UploadError> for Failure {
        fn from(e: UploadError) -> Self {
            Failure::Refused(e)
        }
    }

    /// Checks markup (bytes starting with `<`, byte order mark removed): an SVG comes back sanitized,
    /// anything else as an error that says what it looks like.
    pub(super) fn check(body: &[u8]) -> Result<CheckedUpload, UploadError> {
        let Ok(text) = std::str::from_utf8(body) else {
            return Err(if super::contains(body, b"<svg") {
                UploadError::SvgNotUtf8
            } else {
                UploadError::Unsupported { looks_like: None }
            });
        };
        let first = match sanitize(text) {
            Ok(done) => done,
            Err(Failure::Refused(e)) => return Err(e),
            Err(Failure::NotSvg(root)) => return Err(super::unsupported(describe_markup(root.as_deref(), text))),
        };
        // The output must itself pass, unchanged: proof that it is well-formed, still an SVG, and that
        // removing one thing did not assemble another (CSS fragments joining into a `url(` and such).
        let stored = String::from_utf8_lossy(&first.bytes);
        match sanitize(&stored) {
            Ok(second) if second.removed.is_empty() => Ok(first),
            _ => Err(UploadError::SvgRefused("it could not be cleaned reliably".into())),
        }
    }

    fn describe_markup(root: Option<&str>, text: &str) -> String {
        match root {
            Some(name) if name.eq_ignore_ascii_case("html") => "an HTML page".into(),
            Some(name) => format!("an XML document whose root element is <{}>", quote(name)),
            None if refused::looks_like_html(text) => "an HTML page".into(),
            None => "an XML or HTML document".into(),
        }
    }

    /// Where the walk through the document is relative to its one root element.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Root {
        NotYet,
        Open,
        Closed,
    }

    /// The namespace of an element, owned so the reader can move on.
    enum Ns {
        None,
        Svg,
        Html,
        MathMl,
        Other,
    }

    /// The state of one rewrite.
    struct Sanitizer<'t> {
        source: &'t str,
        out: Writer<Vec<u8>>,
        removed: Removals,
        /// Character data read but not yet written, decoded; written escaped in one piece.
        text: String,
        /// Open elements in the input, dropped ones included, so the depth limit cannot be dodged.
        depth: usize,
        /// The depth of the dropped element whose subtree is being skipped.
        skip_from: Option<usize>,
        /// The depth of an open `<style>` whose text is being collected for the CSS check.
        style_at: Option<usize>,
        root: Root,
        doctype: bool,
        /// Only whitespace has been read, so an XML declaration is still in place.
        at_start: bool,
        dimensions: Option<(u32, u32)>,
    }

    fn sanitize(source: &str) -> Result<CheckedUpload, Failure> {
        let mut reader = NsReader::from_str(source);
        // A comment containing `--` is not XML, and browsers refuse it.
        reader.config_mut().check_comments = true;
        let mut s = Sanitizer {
            source,
            out: Writer::new(Vec::with_capacity(source.len())),
            removed: Removals::default(),
            text: String::new(),
            depth: 0,
            skip_from: None,
            style_at: None,
            root: Root::NotYet,
            doctype: false,
            at_start: true,
            dimensions: None,
        };
        loop {
            let (ns, event) = match reader.read_resolved_event() {
                Ok((ns, event)) => (resolved(ns), event),
                Err(e) => return Err(s.malformed(&e.to_string())),
            };
            let ns = match ns {
                Ok(ns) => ns,
                Err(prefix) => {
                    return Err(s.malformed(&format!("the namespace prefix `{}` is not declared", quote(&prefix))));
                }
            };
            let was_at_start = s.at_start;
            s.at_start = false;
            match event {
                Event::Decl(decl) => {
                    if !was_at_start {
                        return Err(s.malformed("the XML declaration must come first"));
                    }
                    if let Some(encoding) = decl.encoding() {
                        let encoding = encoding.map_err(|e| s.malformed(&e.to_string()))?;
                        if !encoding.eq_ignore_ascii_case("utf-8") && !encoding.eq_ignore_ascii_case("utf8") {
                            return Err(UploadError::SvgNotUtf8.into());
                        }
                    }
                    s.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
                    s.emit(Event::Text(BytesText::new("\n")))?;
                }
                Event::DocType(_) => {
                    if s.root != Root::NotYet {
                        return Err(s.malformed("a DOCTYPE must come before the root element"));
                    }
                    // Refused once the root turns out to be `svg`; until then this may be a web page.
                    s.doctype = true;
                }
                Event::PI(pi) => {
                    if s.skip_from.is_none() {
                        s.removed.add(format!("a <?{}?> processing instruction", quote(pi.target())));
                    }
                }
                // Comments are never shown, and dropping them leaves nothing for a confused parser.
                Event::Comment(_) => {}
                Event::Text(t) => {
                    let content = t.xml10_content();
                    s.character_data(&content, was_at_start)?;
                }
                Event::CData(c) => {
                    let content = c.xml10_content();
                    s.character_data(&content, false)?;
                }
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c,
                        Ok(Some(_)) | Err(_) => {
                            return Err(s.malformed(&format!("`&{};` is not a valid character", quote(&r))));
                        }
                        Ok(None) => match predefined_entity(&r) {
                            Some(c) => c,
                            None => return Err(s.malformed(&format!("the entity `&{};` is not defined", quote(&r)))),
                        },
                    };
                    s.character_data(c.encode_utf8(&mut [0; 4]), false)?;
                }
                Event::Start(e) => s.start(&e, ns, reader.resolver(), false)?,
                Event::Empty(e) => s.start(&e, ns, reader.resolver(), true)?,
                Event::End(e) => s.end(e.name())?,
                Event::Eof => break,
            }
        }
        s.finish()
    }

    /// The namespace an element resolved to, or the undeclared prefix it uses.
    fn resolved(ns: ResolveResult<'_>) -> Result<Ns, String> {
        match ns {
            ResolveResult::Unbound => Ok(Ns::None),
            ResolveResult::Bound(ns) => Ok(match ns.into_inner() {
                SVG_NS => Ns::Svg,
                XHTML_NS => Ns::Html,
                MATHML_NS => Ns::MathMl,
                _ => Ns::Other,
            }),
            ResolveResult::Unknown(prefix) => Err(prefix),
        }
    }

    impl Sanitizer<'_> {
        /// A well-formedness error. Before the root element is known, markup that never mentions
        /// `<svg` (or reads like a web page) is reported as "not an SVG" rather than as a broken one.
        fn malformed(&self, what: &str) -> Failure {
            if self.root == Root::NotYet && (!self.source.contains("<svg") || refused::looks_like_html(self.source)) {
                return Failure::NotSvg(None);
            }
            Failure::Refused(UploadError::SvgMalformed(what.to_owned()))
        }

        fn emit(&mut self, event: Event<'_>) -> Result<(), Failure> {
            self.out
                .write_event(event)
                .map_err(|e| Failure::Refused(UploadError::SvgRefused(format!("it could not be rewritten ({e})"))))
        }

        fn character_data(&mut self, content: &str, leading: bool) -> Result<(), Failure> {
            if let Some(bad) = content.chars().find(|&c| !is_xml_char(c)) {
                return Err(
                    self.malformed(&format!("it contains the character U+{:04X}, which XML forbids", u32::from(bad)))
                );
            }
            if self.depth == 0 {
                // Between the prolog, the root and the end, only whitespace is allowed.
                if content.chars().all(is_xml_space) {
                    self.at_start = leading;
                    return Ok(());
                }
                return Err(match self.root {
                    Root::NotYet => self.malformed("there is text before the root element"),
                    _ => self.malformed("there is text after the closing </svg> tag"),
                });
            }
            if self.skip_from.is_none() {
                self.text.push_str(content);
            }
            Ok(())
        }

        fn flush_text(&mut self) -> Result<(), Failure> {
            if self.text.is_empty() {
                return Ok(());
            }
            let text = std::mem::take(&mut self.text);
            self.emit(Event::Text(BytesText::new(&text)))
        }

        fn start(
            &mut self,
            e: &BytesStart<'_>,
            ns: Ns,
            resolver: &NamespaceResolver,
            empty: bool,
        ) -> Result<(), Failure> {
            let name = e.name().into_inner();
            if !is_qname(name) {
                return Err(self.malformed(&format!("`<{}` is not a valid element name", quote(name))));
            }
            let local = e.local_name().into_inner();
            let is_root = self.root == Root::NotYet;
            if is_root {
                if local != "svg" {
                    return Err(Failure::NotSvg(Some(name.to_owned())));
                }
                if self.doctype {
                    return Err(UploadError::SvgDoctype.into());
                }
            } else if self.root == Root::Closed {
                return Err(self.malformed("there is a second root element after </svg>"));
            }
            if !empty {
                self.depth += 1;
                if self.depth > MAX_SVG_DEPTH {
                    return Err(UploadError::SvgTooDeep { limit: MAX_SVG_DEPTH }.into());
                }
            }
            if self.skip_from.is_some() {
                return Ok(());
            }
            let shown = quote(name);
            let drop_as = if self.style_at.is_some() {
                Some(format!("{} <{shown}> element inside <style>", article(name)))
            } else if DROPPED_ELEMENTS.iter().any(|d| local.eq_ignore_ascii_case(d)) {
                Some(format!("{} <{shown}> element", article(name)))
            } else {
                match ns {
                    Ns::Html => Some(format!("an HTML <{shown}> element")),
                    Ns::MathMl => Some(format!("a MathML <{shown}> element")),
                    Ns::None | Ns::Svg | Ns::Other => None,
                }
            };
            if let Some(what) = drop_as {
                if is_root {
                    return Err(UploadError::SvgRefused("its root element is not an SVG element".into()).into());
                }
                self.removed.add(what);
                if !empty {
                    self.skip_from = Some(self.depth);
                }
                return Ok(());
            }
            let mut attributes = self.clean_attributes(e, resolver)?;
            if is_root {
                match ns {
                    Ns::Svg => {}
                    // Without the SVG namespace a browser shows nothing; adding it is what the author
                    // meant, and every check above is by local name, so it changes no verdict.
                    Ns::None => {
                        attributes.retain(|(key, _)| key != "xmlns");
                        attributes.insert(0, ("xmlns".to_owned(), SVG_NS.to_owned()));
                    }
                    Ns::Html | Ns::MathMl | Ns::Other => {
                        return Err(UploadError::SvgRefused(
                            "its root <svg> element is not in the SVG namespace".into(),
                        )
                        .into());
                    }
                }
                self.dimensions = dimensions(&attributes);
                self.root = if empty { Root::Closed } else { Root::Open };
            }
            self.flush_text()?;
            let mut start = BytesStart::new(name);
            for (key, value) in &attributes {
                start.push_attribute((key.as_str(), value.as_str()));
            }
            if empty {
                self.emit(Event::Empty(start))
            } else {
                if local.eq_ignore_ascii_case("style") {
                    self.style_at = Some(self.depth);
                }
                self.emit(Event::Start(start))
            }
        }

        fn end(&mut self, name: QName<'_>) -> Result<(), Failure> {
            let depth = self.depth;
            self.depth = depth.saturating_sub(1);
            if self.depth == 0 && self.root == Root::Open {
                self.root = Root::Closed;
            }
            if let Some(from) = self.skip_from {
                if from == depth {
                    self.skip_from = None;
                }
                return Ok(());
            }
            if self.style_at == Some(depth) {
                self.style_at = None;
                self.text = css::sanitize(&self.text, &mut self.removed);
            }
            self.flush_text()?;
            self.emit(Event::End(BytesEnd::new(name.into_inner())))
        }

        fn finish(mut self) -> Result<CheckedUpload, Failure> {
            if self.root == Root::NotYet {
                return Err(self.malformed("there is no root element"));
            }
            if self.depth > 0 || self.root != Root::Closed {
                return Err(self.malformed("it ends before all its elements are closed"));
            }
            self.flush_text()?;
            Ok(CheckedUpload {
                media_type: MediaType::Svg,
                bytes: self.out.into_inner(),
                dimensions: self.dimensions,
                removed: self.removed.into_vec(),
            })
        }

        /// The attributes of a kept element, decoded, minus everything that runs code or fetches from
        /// elsewhere.
        fn clean_attributes(
            &mut self,
            e: &BytesStart<'_>,
            resolver: &NamespaceResolver,
        ) -> Result<Vec<(String, String)>, Failure> {
            let mut kept = Vec::new();
            for attribute in e.attributes() {
                let attribute = attribute.map_err(|err| self.malformed(&err.to_string()))?;
                let key = attribute.key.into_inner();
                if !is_qname(key) {
                    return Err(self.malformed(&format!("`{}` is not a valid attribute name", quote(key))));
                }
                if let ResolveResult::Unknown(prefix) = resolver.resolve_attribute(attribute.key).0 {
                    return Err(self.malformed(&format!("the namespace prefix `{}` is not declared", quote(&prefix))));
                }
                let value = attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|err| self.malformed(&format!("the value of `{}` is invalid: {err}", quote(key))))?;
                if let Some(bad) = value.chars().find(|&c| !is_xml_char(c)) {
                    return Err(self.malformed(&format!(
                        "an attribute contains the character U+{:04X}, which XML forbids",
                        u32::from(bad)
                    )));
                }
                if attribute.key.as_namespace_binding().is_some() {
                    // A namespace is compared as written, but a browser decodes character references
                    // first: `…/1999/&#x78;html` would be HTML to the browser and unknown to this
                    // check. Nobody writes namespaces that way except to hide something.
                    if attribute.value.contains('&') {
                        return Err(UploadError::SvgRefused(
                            "a namespace declaration is written with character references".into(),
                        )
                        .into());
                    }
                    kept.push((key.to_owned(), value.into_owned()));
                    continue;
                }
                if let Some(value) = self.clean_attribute(key, attribute.key.local_name().into_inner(), &value) {
                    kept.push((key.to_owned(), value));
                }
            }
            Ok(kept)
        }

        /// The value to keep for one ordinary attribute, or `None` (recorded) when it goes.
        fn clean_attribute(&mut self, key: &str, local: &str, value: &str) -> Option<String> {
            if local.get(..2).is_some_and(|on| on.eq_ignore_ascii_case("on")) {
                self.removed.add(format!("{} {} attribute", article(key), quote(key)));
                return None;
            }
            // Could turn the fragment links below into links elsewhere; browsers dropped it anyway.
            if key == "xml:base" {
                self.removed.add("an xml:base attribute");
                return None;
            }
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(scheme) = ["javascript:", "vbscript:"].into_iter().find(|s| squeezed.contains(s)) {
                self.removed.add(if local == "href" {
                    format!("{} {scheme} link", article(scheme))
                } else {
                    format!("{} {} attribute containing {scheme}", article(key), quote(key))
                });
                return None;
            }
            if local == "href" {
                let target = value.trim();
                let image_data = ["data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"]
                    .iter()
                    .any(|prefix| target.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix)));
                if target.starts_with('#') || image_data {
                    return Some(value.to_owned());
                }
                self.removed.add(if target.is_empty() {
                    "an empty link".to_owned()
                } else {
                    format!("a link to {}", quote(target))
                });
                return None;
            }
            if local == "style" {
                let cleaned = css::sanitize(value, &mut self.removed);
                return (!cleaned.trim().is_empty()).then_some(cleaned);
            }
            // Presentation attributes take `url(…)` too (`fill="url(https://…)"`), and load it.
            if let Some(threat) = css::threat(value) {
                self.removed.add(format!("{} {} attribute: {threat}", article(key), quote(key)));
                return None;
            }
            Some(value.to_owned())
        }
    }

    /// The pixel size of the root `<svg>`: `width` and `height` in absolute units, with `viewBox`
    /// supplying whatever they leave out.
    fn dimensions(attributes: &[(String, String)]) -> Option<(u32, u32)> {
        let get = |name: &str| attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        let width = get("width").and_then(length_in_px);
        let height = get("height").and_then(length_in_px);
        let view_box = get("viewBox").and_then(|v| {
            let numbers: Vec<f64> =
                v.split(|c: char| c.is_whitespace() || c == ',').filter(|n| !n.is_empty()).map_while(number).collect();
            match numbers[..] {
                [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
                _ => None,
            }
        });
        let (w, h) = match (width, height, view_box) {
            (Some(w), Some(h), _) => (w, h),
            (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
            (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
            (None, None, Some(view_box)) => view_box,
            _ => return None,
        };
        let px = |v: f64| {
            let v = v.round();
            (1.0..=f64::from(u32::MAX)).contains(&v).then_some(v as u32)
        };
        Some((px(w)?, px(h)?))
    }

    /// A length in CSS pixels, for the absolute units; `None` for percentages and font-relative units.
    fn length_in_px(value: &str) -> Option<f64> {
        let value = value.trim();
        let units =
            [("px", 1.0), ("pt", 4.0 / 3.0), ("pc", 16.0), ("mm", 96.0 / 25.4), ("cm", 96.0 / 2.54), ("in", 96.0)];
        let (digits, scale) = units
            .iter()
            .find_map(|&(unit, scale)| value.strip_suffix(unit).map(|digits| (digits, scale)))
            .unwrap_or((value, 1.0));
        let px = number(digits.trim_end())? * scale;
        (px > 0.0).then_some(px)
    }

    /// A plain decimal number; `f64::from_str` alone would also take `inf` and `NaN`.
    fn number(s: &str) -> Option<f64> {
        let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
        plain.then(|| s.parse::<f64>().ok()).flatten().filter(|n| n.is_finite())
    }

    fn predefined_entity(name: &str) -> Option<char> {
        match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => None,
        }
    }

    fn is_xml_space(c: char) -> bool {
        matches!(c, ' ' | '\t' | '\n' | '\r')
    }

    /// The characters XML 1.0 allows in a document.
    fn is_xml_char(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }

    /// A name with at most one colon, both sides valid XML names: anything else is a document no
    /// browser parses, and written back it could be read as a name plus attributes.
    fn is_qname(name: &str) -> bool {
        let mut parts = name.split(':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(local), None, None) => is_ncname(local),
            (Some(prefix), Some(local), None) => is_ncname(prefix) && is_ncname(local),
            _ => false,
        }
    }

    fn is_ncname(name: &str) -> bool {
        let mut chars = name.chars();
        chars.next().is_some_and(is_name_start_char)
            && chars.all(|c| {
                is_name_start_char(c)
                    || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
            })
    }

    fn is_name_start_char(c: char) -> bool {
        matches!(c,
            'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    }
}

/// CSS in `style` attributes and `<style>` elements. Styling a logo is fine; fetching from elsewhere
/// is not (it tells a third party who looked at the logo, and `@import` brings in CSS nobody checked),
/// nor are the old ways of running script from CSS. Rather than parse CSS, the text is cut at its
/// top-level `;`, `{` and `}`, and a piece that mentions anything dangerous is dropped whole.
mod css {
    use super::{Removals, quote};

    /// The CSS without its dangerous declarations and rules, recording each removal.
    pub(super) fn sanitize(css: &str, removed: &mut Removals) -> String {
        let mut out = String::with_capacity(css.len());
        let mut piece_start = 0;
        // While > 0, the block of a refused rule is being skipped, nested blocks included.
        let mut skip_depth = 0usize;
        let mut in_string: Option<char> = None;
        let mut in_comment = false;
        let mut chars = css.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if in_comment {
                if c == '*' && chars.next_if(|&(_, n)| n == '/').is_some() {
                    in_comment = false;
                }
                continue;
            }
            if let Some(quote_char) = in_string {
                if c == '\\' {
                    chars.next();
                } else if c == quote_char {
                    in_string = None;
                }
                continue;
            }
            match c {
                '\\' => {
                    chars.next();
                }
                '"' | '\'' => in_string = Some(c),
                '/' if chars.next_if(|&(_, n)| n == '*').is_some() => in_comment = true,
                ';' | '{' | '}' => {
                    let piece = css.get(piece_start..i).unwrap_or_default();
                    piece_start = i + c.len_utf8();
                    if skip_depth > 0 {
                        match c {
                            '{' => skip_depth += 1,
                            '}' => skip_depth -= 1,
                            _ => {}
                        }
                        continue;
                    }
                    match threat(piece) {
                        None => {
                            out.push_str(piece);
                            out.push(c);
                        }
                        Some(threat) => {
                            removed.add(threat);
                            match c {
                                '{' => skip_depth = 1,
                                '}' => out.push('}'),
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if skip_depth == 0 {
            let rest = css.get(piece_start..).unwrap_or_default();
            match threat(rest) {
                None => out.push_str(rest),
                Some(threat) => removed.add(threat),
            }
        }
        // Pieces only ever meet at a delimiter, so nothing dangerous can form across a removal; if it
        // somehow did, no CSS is better than unchecked CSS.
        if let Some(threat) = threat(&out) {
            removed.add(threat);
            return String::new();
        }
        out
    }

    /// What is dangerous in a piece of CSS (or an attribute value read as CSS), described for the
    /// user, or `None`. Escapes are decoded and whitespace ignored first, since `u\72l(` and
    /// `@im\port` mean the same to a browser.
    pub(super) fn threat(text: &str) -> Option<String> {
        let decoded = decode_escapes(text);
        let lower = decoded.to_ascii_lowercase();
        let squeezed: String = lower.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
        if squeezed.contains("@import") {
            return Some("an @import rule".into());
        }
        if squeezed.contains("expression(") {
            return Some("a CSS expression()".into());
        }
        if let Some(scheme) = ["javascript:", "vbscript:"].into_iter().find(|s| squeezed.contains(s)) {
            return Some(format!("a style containing {scheme}"));
        }
        if squeezed.contains("-moz-binding") || squeezed.contains("behavior:") {
            return Some("a style that attaches a script binding".into());
        }
        if squeezed.contains("image-set(") || squeezed.contains("src(") {
            return Some("a style that loads an image from elsewhere".into());
        }
        let external_url = squeezed
            .match_indices("url(")
            .any(|(i, _)| !squeezed.get(i + 4..).unwrap_or_default().trim_start_matches(['"', '\'']).starts_with('#'));
        if !external_url {
            return None;
        }
        // Quote the address as written (same byte offsets: only ASCII letters changed case).
        let address = lower.match_indices("url(").find_map(|(i, _)| {
            let target = decoded.get(i + 4..)?.trim_start().trim_start_matches(['"', '\'']);
            let end = target.find(['"', '\'', ')']).unwrap_or(target.len());
            let target = target.get(..end)?.trim();
            (!target.starts_with('#')).then(|| quote(target))
        });
        Some(match address {
            Some(address) if !address.is_empty() => format!("a style loading {address}"),
            _ => "a style loading something from elsewhere".into(),
        })
    }

    /// CSS text with its backslash escapes replaced by the characters they stand for.
    fn decode_escapes(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.peek().copied() {
                None => {}
                Some('\n' | '\r' | '\x0C') => {
                    chars.next();
                }
                Some(h) if h.is_ascii_hexdigit() => {
                    let mut value = 0u32;
                    for _ in 0..6 {
                        match chars.next_if(char::is_ascii_hexdigit).and_then(|d| d.to_digit(16)) {
                            Some(digit) => value = value * 16 + digit,
                            None => break,
                        }
                    }
                    chars.next_if(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C'));
                    out.push(char::from_u32(value).filter(|&c| c != '\0').unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Some(other) => {
                    out.push(other);
                    chars.next();
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LIMIT: usize = 10 * 1024 * 1024;

    /// A real 1×1 PNG, as an encoder wrote it.
    const PNG_1X1: [u8; 70] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80,
        0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&raster::crc32(&[kind, data]).to_be_bytes());
        out
    }

    /// A structurally valid PNG of the given size (the pixel data is not real, which the check
    /// does not look at).
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(chunk(b"IHDR", &header));
        out.extend(chunk(b"IDAT", &[0x78, 0xda, 0x63, 0x00, 0x00]));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    /// A JPEG with an APP0 segment and a baseline frame header of the given size.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        out.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9]);
        out
    }

    fn riff_webp(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(kind);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    /// A lossless WebP header of the given size.
    fn webp_lossless(width: u32, height: u32) -> Vec<u8> {
        let bits = (width - 1) | ((height - 1) << 14);
        let mut data = vec![0x2F];
        data.extend_from_slice(&bits.to_le_bytes());
        data.extend_from_slice(&[0x00, 0x00, 0x00]);
        riff_webp(b"VP8L", &data)
    }

    /// A lossy WebP header of the given size.
    fn webp_lossy(width: u16, height: u16) -> Vec<u8> {
        let mut data = vec![0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A];
        data.extend_from_slice(&width.to_le_bytes());
        data.extend_from_slice(&height.to_le_bytes());
        data.extend_from_slice(&[0; 8]);
        riff_webp(b"VP8 ", &data)
    }

    fn exe() -> Vec<u8> {
        let mut out = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
        out.resize(0x3C, 0);
        out.extend_from_slice(&0x40u32.to_le_bytes());
        out.extend_from_slice(b"PE\0\0\x4c\x01");
        out.resize(512, 0);
        out
    }

    fn refusal(bytes: &[u8]) -> String {
        check_upload(bytes, LIMIT).unwrap_err().to_string()
    }

    // ---- Media types ----

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

    // ---- Size ----

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

    // ---- Raster images and PDF ----

    #[test]
    fn crc_matches_the_png_reference_value() {
        assert_eq!(raster::crc32(&[b"IEND"]), 0xAE42_6082);
    }

    #[test]
    fn png_is_accepted_with_its_size() {
        let upload = check_upload(&PNG_1X1, LIMIT).unwrap();
        assert_eq!(upload.media_type, MediaType::Png);
        assert_eq!(upload.dimensions, Some((1, 1)));
        assert_eq!(upload.bytes, PNG_1X1);
        assert!(upload.removed.is_empty());
        assert_eq!(check_upload(&png(640, 480), LIMIT).unwrap().dimensions, Some((640, 480)));
    }

    #[test]
    fn truncated_or_corrupted_png_is_refused() {
        for len in 4..PNG_1X1.len() {
            let err = check_upload(&PNG_1X1[..len], LIMIT).unwrap_err();
            assert!(matches!(err, UploadError::Damaged { media_type: MediaType::Png, .. }), "{len}: {err}");
        }
        assert!(refusal(&PNG_1X1[..50]).contains("cut off"));
        let mut corrupted = PNG_1X1;
        corrupted[20] ^= 0x40;
        assert!(refusal(&corrupted).contains("corrupted"));
        assert!(refusal(&png(0, 10)).contains("impossible size"));
        // A PNG signature glued onto something else.
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend(exe());
        assert!(matches!(check_upload(&fake, LIMIT), Err(UploadError::Damaged { .. })));
        // Header and end marker but no pixels.
        let mut empty = PNG_1X1[..33].to_vec();
        empty.extend(chunk(b"IEND", &[]));
        assert!(refusal(&empty).contains("no image data"));
    }

    #[test]
    fn enormous_images_are_refused() {
        let err = check_upload(&png(100_000, 100_000), LIMIT).unwrap_err();
        assert_eq!(err, UploadError::TooManyPixels { width: 100_000, height: 100_000 });
        assert!(err.to_string().contains("250 megapixels"));
    }

    #[test]
    fn jpeg_is_accepted_with_its_size() {
        let upload = check_upload(&jpeg(3, 2), LIMIT).unwrap();
        assert_eq!(upload.media_type, MediaType::Jpeg);
        assert_eq!(upload.dimensions, Some((3, 2)));
        let mut garbage = vec![0xFF, 0xD8, 0xFF];
        garbage.extend_from_slice(b"this is not a jpeg at all");
        assert!(matches!(check_upload(&garbage, LIMIT), Err(UploadError::Damaged { media_type: MediaType::Jpeg, .. })));
        assert!(check_upload(&jpeg(3, 2)[..20], LIMIT).is_err());
        assert!(check_upload(&jpeg(0, 2), LIMIT).is_err());
    }

    #[test]
    fn webp_is_accepted_with_its_size() {
        let lossless = check_upload(&webp_lossless(2, 3), LIMIT).unwrap();
        assert_eq!((lossless.media_type, lossless.dimensions), (MediaType::Webp, Some((2, 3))));
        let lossy = check_upload(&webp_lossy(300, 200), LIMIT).unwrap();
        assert_eq!(lossy.dimensions, Some((300, 200)));
        let mut extended = vec![0x10, 0, 0, 0];
        extended.extend_from_slice(&[99, 0, 0, 49, 0, 0]);
        assert_eq!(check_upload(&riff_webp(b"VP8X", &extended), LIMIT).unwrap().dimensions, Some((100, 50)));
    }

    #[test]
    fn broken_webp_is_refused() {
        let good = webp_lossless(2, 3);
        assert!(refusal(&good[..good.len() - 2]).contains("cut off"));
        let mut wrong_signature = good.clone();
        wrong_signature[20] = 0;
        assert!(refusal(&wrong_signature).contains("corrupted"));
        let mut wave = good.clone();
        wave[12..16].copy_from_slice(b"fmt ");
        assert!(refusal(&wave).contains("no VP8"));
    }

    /// Real files as an encoder wrote them: a progressive JPEG (ten scans), a baseline JPEG with
    /// restart markers, a lossy WebP.
    const PROGRESSIVE_JPEG: &[u8] = include_bytes!("../testdata/progressive.jpg");
    const RESTARTS_JPEG: &[u8] = include_bytes!("../testdata/restarts.jpg");
    const LOSSY_WEBP: &[u8] = include_bytes!("../testdata/lossy.webp");

    #[test]
    fn real_images_are_stored_as_they_are() {
        for image in [&PNG_1X1[..], PROGRESSIVE_JPEG, RESTARTS_JPEG, LOSSY_WEBP] {
            let upload = check_upload(image, LIMIT).unwrap();
            assert_eq!(upload.bytes, image, "{:?}", upload.media_type);
            assert!(upload.removed.is_empty(), "{:?}", upload.removed);
        }
        assert_eq!(check_upload(PROGRESSIVE_JPEG, LIMIT).unwrap().dimensions, Some((24, 16)));
    }

    /// A program appended after an image's end marker (a file that is an image and an archive or a
    /// program at once) is cut off; the image is stored and the uploader told what was removed.
    #[test]
    fn anything_after_the_end_of_an_image_is_not_stored() {
        let webp = webp_lossy(300, 200);
        for image in [&PNG_1X1[..], &png(640, 480), &jpeg(3, 2), PROGRESSIVE_JPEG, RESTARTS_JPEG, LOSSY_WEBP, &webp] {
            let mut polyglot = image.to_vec();
            polyglot.extend(exe());
            let upload = check_upload(&polyglot, LIMIT).unwrap();
            assert_eq!(upload.bytes, image, "{:?}", upload.media_type);
            assert_eq!(upload.removed, ["512 bytes after the end of the image"]);
            assert_eq!(check_upload_owned(polyglot, LIMIT).unwrap(), upload, "handed over, the same answer");
        }
        // A thumbnail inside a JPEG (an APP1 segment, as cameras write) has an end marker of its own:
        // the image goes on after it.
        let thumbnail = jpeg(1, 1);
        let mut with_thumbnail = jpeg(3, 2)[..2].to_vec();
        with_thumbnail.extend_from_slice(&[0xFF, 0xE1]);
        with_thumbnail.extend_from_slice(&(thumbnail.len() as u16 + 2).to_be_bytes());
        with_thumbnail.extend(&thumbnail);
        with_thumbnail.extend_from_slice(&jpeg(3, 2)[2..]);
        let upload = check_upload(&with_thumbnail, LIMIT).unwrap();
        assert_eq!((upload.bytes.len(), upload.dimensions), (with_thumbnail.len(), Some((3, 2))));
        // A JPEG without its end marker is cut off.
        let cut = &PROGRESSIVE_JPEG[..PROGRESSIVE_JPEG.len() - 2];
        assert!(refusal(cut).contains("cut off"), "{}", refusal(cut));
    }

    #[test]
    fn pdf_is_accepted_when_complete() {
        let pdf =
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
        let upload = check_upload(pdf, LIMIT).unwrap();
        assert_eq!((upload.media_type, upload.dimensions), (MediaType::Pdf, None));
        assert!(refusal(&pdf[..pdf.len() - 8]).contains("cut off"));
        assert!(refusal(b"%PDF-9.1\n%%EOF").contains("PDF version"));
        let mut padded = pdf.to_vec();
        padded.extend(vec![b' '; 2000]);
        assert!(check_upload(&padded, LIMIT).is_err());
        // The header must be at the very start.
        let mut prefixed = b"junk".to_vec();
        prefixed.extend_from_slice(pdf);
        assert!(matches!(check_upload(&prefixed, LIMIT), Err(UploadError::Unsupported { .. })));
    }

    // ---- Refused types ----

    #[test]
    fn programs_and_other_files_are_refused_by_content() {
        let cases: [(Vec<u8>, &str); 8] = [
            (exe(), "Windows program"),
            (b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3E\0".to_vec(), "Linux program"),
            (b"PK\x03\x04\x14\0\0\0\x08\0".to_vec(), "ZIP archive"),
            (b"GIF89a\x01\0\x01\0\x80\0\0\xFF\xFF\xFF\0\0\0!\xF9\x04".to_vec(), "GIF image"),
            (
                b"<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><p>Hello</body></html>".to_vec(),
                "HTML page",
            ),
            (b"<html>\n<body onload='x()'><svg></svg></body></html>".to_vec(), "HTML page"),
            (b"Dear partner,\nplease find our logo attached.\n".to_vec(), "plain text"),
            (b"#!/bin/sh\nrm -rf /\n".to_vec(), "program"),
        ];
        for (bytes, expected) in cases {
            let err = check_upload(&bytes, LIMIT).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, UploadError::Unsupported { .. }), "{message}");
            assert!(message.contains(expected), "{message} should mention {expected}");
            assert!(message.contains("PNG, JPEG, WebP, PDF and SVG"), "{message}");
        }
        assert!(refusal(&exe()).contains("program"));
        assert_eq!(
            refusal(&[0x00, 0x13, 0x37, 0x42, 0x99]),
            "unsupported file type; accepted types are PNG, JPEG, WebP, PDF and SVG"
        );
        assert!(refusal(b"<?xml version=\"1.0\"?><rss><channel/></rss>").contains("root element is <rss>"));
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

    // ---- SVG ----

    const SVG_OPEN: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60">"#;

    fn svg(inner: &str) -> Vec<u8> {
        format!("{SVG_OPEN}{inner}</svg>").into_bytes()
    }

    fn sanitized(bytes: &[u8]) -> (String, Vec<String>) {
        let upload = check_upload(bytes, LIMIT).unwrap();
        assert_eq!(upload.media_type, MediaType::Svg);
        let out = String::from_utf8(upload.bytes).unwrap();
        assert_well_formed_svg(&out);
        // Sanitizing is idempotent: the stored document passes again, unchanged.
        let again = check_upload(out.as_bytes(), LIMIT).unwrap();
        assert_eq!(String::from_utf8(again.bytes).unwrap(), out);
        assert!(again.removed.is_empty(), "{:?}", again.removed);
        (out, upload.removed)
    }

    /// The document parses as XML, start to end, with a single `svg` root in the SVG namespace.
    fn assert_well_formed_svg(doc: &str) {
        use quick_xml::events::Event;
        use quick_xml::name::{Namespace, ResolveResult};
        let mut reader = quick_xml::NsReader::from_str(doc);
        let (mut depth, mut roots) = (0, 0);
        loop {
            let (ns, event) = reader.read_resolved_event().unwrap();
            if let (0, Event::Start(e) | Event::Empty(e)) = (depth, &event) {
                roots += 1;
                assert_eq!(e.local_name().into_inner(), "svg");
                assert_eq!(ns, ResolveResult::Bound(Namespace("http://www.w3.org/2000/svg")));
            }
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::DocType(_) => panic!("DOCTYPE in {doc}"),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!((depth, roots), (0, 1), "{doc}");
    }

    #[test]
    fn clean_svg_passes_unchanged_in_meaning() {
        let doc = format!(
            r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- Generator: a drawing program -->
{SVG_OPEN}
  <defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>
  <style>.brand {{ fill: url(#g); }} @media print {{ .brand {{ fill: black }} }}</style>
  <g class="brand" transform="translate(10 10)"><path d="M0 0 L100 0 L50 40 Z"/></g>
  <use xlink:href="#g" href="#g"/>
  <text x="5" y="55" style="font-family: sans-serif; fill: url('#g')">Rally &amp; friends &lt;3 &#x263A;</text>
</svg>
"##
        );
        let (out, removed) = sanitized(doc.as_bytes());
        assert!(removed.is_empty(), "{removed:?}");
        for kept in [
            r#"<path d="M0 0 L100 0 L50 40 Z"/>"#,
            r##"<stop offset="0" stop-color="#f00"/>"##,
            "fill: url(#g);",
            "@media print",
            r##"xlink:href="#g""##,
            "Rally &amp; friends &lt;3 \u{263A}",
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
        assert_eq!(check_upload(doc.as_bytes(), LIMIT).unwrap().dimensions, Some((120, 60)));
    }

    #[test]
    fn scripts_are_removed() {
        let (out, removed) = sanitized(&svg(
            r#"<script>alert(document.cookie)</script><script type="text/javascript"><![CDATA[ steal() ]]></script><path d="M1 1"/>"#,
        ));
        assert_eq!(removed, ["a <script> element (2 times)"]);
        assert!(!out.contains("script") && !out.contains("alert") && !out.contains("steal"), "{out}");
        assert!(out.contains(r#"<path d="M1 1"/>"#));
    }

    #[test]
    fn event_handlers_are_removed() {
        let doc = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" ONclick="x()"><rect onmouseover="y()" width="5"/></svg>"#;
        let (out, removed) = sanitized(doc.as_bytes());
        assert_eq!(removed, ["an onload attribute", "an ONclick attribute", "an onmouseover attribute"]);
        for gone in ["onload", "onclick", "onmouseover", "alert", "x()", "y()"] {
            assert!(!out.to_lowercase().contains(gone), "{gone} left in {out}");
        }
        assert!(out.contains(r#"<rect width="5"/>"#), "{out}");
    }

    #[test]
    fn external_and_script_links_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<image href="https://evil.example/x.png" width="10" height="10"/>"#,
            r#"<a xlink:href=" jav&#x61;script:alert(1)"><text>click</text></a>"#,
            r#"<a href="JAVA&#9;SCRIPT:alert(2)"><text>me</text></a>"#,
            r#"<use xlink:href="other.svg#icon"/>"#,
            r#"<image href="data:text/html;base64,PHNjcmlwdD4="/>"#,
            r#"<image href="data:image/png;base64,iVBORw0KGgo="/>"#,
            r##"<use href="#local"/>"##,
        )));
        assert_eq!(
            removed,
            [
                "a link to https://evil.example/x.png",
                "a javascript: link (2 times)",
                "a link to other.svg#icon",
                "a link to data:text/html;base64,PHNjcmlwdD4=",
            ]
        );
        assert!(!out.contains("evil.example") && !out.to_lowercase().contains("script") && !out.contains("other.svg"));
        assert!(out.contains(r#"href="data:image/png;base64,iVBORw0KGgo=""#));
        assert!(out.contains(r##"<use href="#local"/>"##));
        assert!(out.contains("<text>click</text>"), "{out}");
    }

    #[test]
    fn external_urls_in_css_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<rect style="fill:red; background:url(http://evil.example/t.png)" width="1"/>"#,
            r#"<rect style="background-image: u\72l('//evil.example/escaped.png')"/>"#,
            r#"<rect fill="url(https://evil.example/paint.svg#p)" stroke="url(#ok)"/>"#,
            "<style><![CDATA[ @import url(https://evil.example/more.css); ",
            ".a { fill: blue; cursor: url(https://evil.example/c.cur), auto } ",
            "@font-face { font-family: x; src: url(https://evil.example/f.woff) } ",
            ".b > .c { fill: url(#ok); behavior: url(x.htc) } .d { width: expression(alert(1)) }]]></style>",
        )));
        assert_eq!(
            removed,
            [
                "a style loading http://evil.example/t.png",
                "a style loading //evil.example/escaped.png",
                "a fill attribute: a style loading https://evil.example/paint.svg#p",
                "an @import rule",
                "a style loading https://evil.example/c.cur",
                "a style loading https://evil.example/f.woff",
                "a style that attaches a script binding",
                "a CSS expression()",
            ]
        );
        assert!(!out.contains("evil.example") && !out.contains("@import") && !out.contains("expression"), "{out}");
        assert!(out.contains(r#"<rect style="fill:red;" width="1"/>"#), "{out}");
        assert!(out.contains(r##"stroke="url(#ok)""##), "{out}");
        assert!(out.contains(".a { fill: blue;}") && out.contains(".b &gt; .c { fill: url(#ok);}"), "{out}");
    }

    #[test]
    fn embedded_documents_and_animations_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/></body></foreignObject>"#,
            r#"<a><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="onclick" values="x"/><text>t</text></a>"#,
            r#"<h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:img src="x" /></h:div>"#,
            r#"<iframe/><embed src="x.swf"/><object data="x"/><audio/><video/><handler/><listener/>"#,
        )));
        assert_eq!(
            removed,
            [
                "a <foreignObject> element",
                "a <set> element",
                "an <animate> element",
                "an HTML <h:div> element",
                "an <iframe> element",
                "an <embed> element",
                "an <object> element",
                "an <audio> element",
                "a <video> element",
                "a <handler> element",
                "a <listener> element",
            ]
        );
        for gone in ["foreignObject", "xhtml", "iframe", "javascript", "set", "animate", "embed", "x.swf"] {
            assert!(!out.contains(gone), "{gone} left in {out}");
        }
        assert!(out.contains("<a><text>t</text></a>"), "{out}");
    }

    #[test]
    fn processing_instructions_are_removed() {
        let doc = b"<?xml version='1.0'?><?xml-stylesheet href='https://evil.example/s.xsl' type='text/xsl'?><svg xmlns='http://www.w3.org/2000/svg'><?php echo 1 ?></svg>";
        let (out, removed) = sanitized(doc);
        assert_eq!(removed, ["a <?xml-stylesheet?> processing instruction", "a <?php?> processing instruction"]);
        assert!(!out.contains("evil") && !out.contains("php"), "{out}");
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>"#;
        assert_eq!(check_upload(laughs, LIMIT), Err(UploadError::SvgDoctype));
        let xxe = br#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#;
        assert_eq!(check_upload(xxe, LIMIT), Err(UploadError::SvgDoctype));
        let public = br#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>"#;
        assert!(refusal(public).contains("DOCTYPE"));
        // Without a DOCTYPE an entity is simply undefined.
        assert!(matches!(check_upload(&svg("<text>&lol;</text>"), LIMIT), Err(UploadError::SvgMalformed(_))));
    }

    #[test]
    fn deeply_nested_svg_is_refused() {
        let deep = svg(&format!("{}{}", "<g>".repeat(MAX_SVG_DEPTH), "</g>".repeat(MAX_SVG_DEPTH)));
        assert_eq!(check_upload(&deep, LIMIT), Err(UploadError::SvgTooDeep { limit: MAX_SVG_DEPTH }));
        // Dropped elements count too.
        let hidden = svg(&format!("<script>{}{}</script>", "<g>".repeat(300), "</g>".repeat(300)));
        assert!(matches!(check_upload(&hidden, LIMIT), Err(UploadError::SvgTooDeep { .. })));
        let fine = svg(&format!("{}{}", "<g>".repeat(200), "</g>".repeat(200)));
        assert!(check_upload(&fine, LIMIT).is_ok());
    }

    #[test]
    fn malformed_or_wrongly_encoded_svg_is_refused() {
        for doc in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'><g>",
            b"<svg/onload=alert(1)>",
            b"<svg xmlns='http://www.w3.org/2000/svg' a=1/>",
            b"<svg xmlns='http://www.w3.org/2000/svg' a='1' a='2'/>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>a & b</svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'><x:y/></svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'/><svg xmlns='http://www.w3.org/2000/svg'/>",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>trailing",
            b"<svg xmlns='http://www.w3.org/2000/svg'><!-- a -- b --></svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>&#0;</svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>\x01</svg>",
        ] {
            let err = check_upload(doc, LIMIT).unwrap_err();
            assert!(matches!(err, UploadError::SvgMalformed(_)), "{}: {err}", String::from_utf8_lossy(doc));
            assert!(err.to_string().starts_with("the SVG is not well-formed XML: "));
        }
        assert_eq!(check_upload(b"<svg>\xFF\xFE</svg>", LIMIT), Err(UploadError::SvgNotUtf8));
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><svg xmlns='http://www.w3.org/2000/svg'/>";
        assert_eq!(check_upload(latin1, LIMIT), Err(UploadError::SvgNotUtf8));
        let utf16: Vec<u8> =
            "\u{FEFF}<svg xmlns='http://www.w3.org/2000/svg'/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(check_upload(&utf16, LIMIT), Err(UploadError::SvgNotUtf8));
    }

    #[test]
    fn namespace_tricks_are_handled() {
        // Without a namespace a browser would not draw it; the SVG namespace is added.
        let (out, removed) = sanitized(b"\xEF\xBB\xBF  <svg viewBox='0 0 30 20'><circle r='4'/></svg>");
        assert!(removed.is_empty());
        assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20">"#), "{out}");
        // A prefixed root and prefixed scripts.
        let (out, removed) =
            sanitized(b"<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:script>alert(1)</s:script><s:rect/></s:svg>");
        assert_eq!(removed, ["a <s:script> element"]);
        assert!(out.contains("<s:rect/>") && !out.contains("alert"), "{out}");
        // An HTML root dressed as svg, and a namespace hidden behind a character reference.
        assert!(matches!(
            check_upload(b"<svg xmlns='http://www.w3.org/1999/xhtml'><p/></svg>", LIMIT),
            Err(UploadError::SvgRefused(_))
        ));
        let hidden = svg(r#"<a xmlns="http://www.w3.org/1999/&#x78;html"><b/></a>"#);
        assert!(matches!(check_upload(&hidden, LIMIT), Err(UploadError::SvgRefused(_))));
        // xml:base could redirect fragment links.
        let (_, removed) = sanitized(&svg(r##"<a xml:base="javascript:alert(1)//" href="#x"/>"##));
        assert_eq!(removed, ["an xml:base attribute"]);
    }

    #[test]
    fn dimensions_come_from_width_height_or_viewbox() {
        let size = |root: &str| {
            check_upload(format!("<svg xmlns='http://www.w3.org/2000/svg' {root}/>").as_bytes(), LIMIT)
                .unwrap()
                .dimensions
        };
        assert_eq!(size("width='100' height='50.4'"), Some((100, 50)));
        assert_eq!(size("width='100px' height='1in'"), Some((100, 96)));
        assert_eq!(size("viewBox='0 0 300 150'"), Some((300, 150)));
        assert_eq!(size("width='600' viewBox='0,0,300,150'"), Some((600, 300)));
        assert_eq!(size("width='100%' height='100%' viewBox='-10 -10 40 20'"), Some((40, 20)));
        assert_eq!(size("width='inf' height='NaN'"), None);
        assert_eq!(size("width='2em' height='3em'"), None);
        assert_eq!(size(""), None);
    }

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

/// Properties over generated uploads (proptest): no input makes the check panic, an image is judged by
/// its first bytes and stored as a prefix of the upload, a sanitized SVG passes again unchanged and
/// keeps nothing that runs code, and the work grows linearly with the size of the file.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod properties {
    use crate::growth::assert_linear;
    use std::cell::Cell;

    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use proptest::sample::select;
    use proptest::test_runner::TestRunner;

    use super::*;

    const LIMIT: usize = 4 << 20;

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// The check, with what must hold of every answer: both entry points agree, an accepted image is
    /// what its first bytes say, is stored as the start of the upload and is within the pixel limit.
    fn checked(bytes: &[u8]) -> Result<CheckedUpload, UploadError> {
        let result = check_upload(bytes, LIMIT);
        assert_eq!(check_upload_owned(bytes.to_vec(), LIMIT), result, "the two entry points differ");
        if let Ok(upload) = &result {
            let claimed = if bytes.starts_with(b"\x89PNG") {
                MediaType::Png
            } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
                MediaType::Jpeg
            } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
                MediaType::Webp
            } else if bytes.starts_with(b"%PDF-") {
                MediaType::Pdf
            } else {
                MediaType::Svg
            };
            assert_eq!(upload.media_type, claimed);
            assert!(!upload.bytes.is_empty());
            if claimed != MediaType::Svg {
                assert!(bytes.starts_with(&upload.bytes), "stored bytes are not the start of the upload");
                let (width, height) = upload.dimensions.unwrap_or((1, 1));
                assert!(width > 0 && height > 0 && u64::from(width) * u64::from(height) <= MAX_PIXELS);
            }
        }
        result
    }

    /// Bytes rich in the values markers are made of, so the sniffers' walks meet markers often.
    fn marker_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        vec(prop_oneof![Just(0xFF), Just(0x00), Just(0xD9), Just(0xDA), Just(0xD0), any::<u8>()], len)
    }

    fn png_chunk(kind: [u8; 4], data: &[u8], crc_ok: bool) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&kind);
        out.extend_from_slice(data);
        let crc = raster::crc32(&[&kind, data]);
        out.extend_from_slice(&if crc_ok { crc } else { !crc }.to_be_bytes());
        out
    }

    /// A PNG signature, a header (a known pixel format, or 13 random bytes), chunks with right or wrong
    /// checksums, then anything.
    fn png_like() -> impl Strategy<Value = Vec<u8>> {
        let size = prop_oneof![1u32..3000, any::<u32>()];
        let format = (select(vec![1u8, 2, 4, 8, 16]), select(vec![0u8, 2, 3, 4, 6]), 0u8..2);
        let header = (size.clone(), size, format, prop::option::weighted(0.2, any::<[u8; 13]>())).prop_map(
            |(w, h, (depth, colour, interlace), random)| {
                random.map_or_else(
                    || [&w.to_be_bytes()[..], &h.to_be_bytes(), &[depth, colour, 0, 0, interlace]].concat(),
                    |r| r.to_vec(),
                )
            },
        );
        let kind = prop_oneof![Just(*b"IDAT"), Just(*b"IEND"), Just(*b"tEXt"), any::<[u8; 4]>()];
        let chunk = (kind, vec(any::<u8>(), 0..24), prop::bool::weighted(0.9))
            .prop_map(|(kind, data, crc_ok)| png_chunk(kind, &data, crc_ok));
        (header, vec(chunk, 0..6), vec(any::<u8>(), 0..64)).prop_map(|(header, chunks, tail)| {
            [&b"\x89PNG\r\n\x1a\n"[..], &png_chunk(*b"IHDR", &header, true), &chunks.concat(), &tail].concat()
        })
    }

    /// A JPEG start-of-image marker and segments (lengths right or wrong, frame headers, scans).
    fn jpeg_like() -> impl Strategy<Value = Vec<u8>> {
        let marker =
            prop_oneof![select(vec![0xC0u8, 0xC2, 0xC4, 0xDA, 0xD9, 0xDB, 0xE0, 0xE1, 0xD0, 0x01, 0xFF]), any::<u8>()];
        let segment = (marker, marker_bytes(0..24), prop::option::weighted(0.2, any::<u16>())).prop_map(
            |(marker, data, length)| {
                let length = length.unwrap_or(data.len() as u16 + 2);
                [&[0xFF, marker][..], &length.to_be_bytes(), &data].concat()
            },
        );
        // A baseline frame header with a real size, so the walk to the end marker is reached.
        let frame = (1u16..2000, 1u16..2000).prop_map(|(width, height)| {
            [&[0xFF, 0xC0, 0, 11, 8][..], &height.to_be_bytes(), &width.to_be_bytes(), &[1, 1, 0x11, 0]].concat()
        });
        let scan = marker_bytes(0..32).prop_map(|data| [&[0xFF, 0xDA, 0, 2][..], &data].concat());
        (vec(prop_oneof![3 => segment, 1 => frame, 1 => scan], 0..6), marker_bytes(0..64))
            .prop_map(|(segments, tail)| [&[0xFF, 0xD8][..], &segments.concat(), &tail].concat())
    }

    /// A RIFF container saying WEBP, its size right or wrong, with a VP8, VP8L, VP8X or other chunk.
    fn webp_like() -> impl Strategy<Value = Vec<u8>> {
        let kind = prop_oneof![Just(*b"VP8 "), Just(*b"VP8L"), Just(*b"VP8X"), any::<[u8; 4]>()];
        (kind, any::<bool>(), vec(any::<u8>(), 0..40), prop::option::weighted(0.2, any::<u32>())).prop_map(
            |(kind, fixed, data, riff_size)| {
                let start: &[u8] = match (&kind, fixed) {
                    (b"VP8 ", true) => &[0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A],
                    (b"VP8L", true) => &[0x2F],
                    _ => &[],
                };
                let data = [start, &data].concat();
                let body = [&b"WEBP"[..], &kind, &(data.len() as u32).to_le_bytes(), &data].concat();
                let riff_size = riff_size.unwrap_or(body.len() as u32);
                [&b"RIFF"[..], &riff_size.to_le_bytes(), &body].concat()
            },
        )
    }

    fn pdf_like() -> impl Strategy<Value = Vec<u8>> {
        let version = select(vec!["1.7", "2.0", "1.", "9.9", "", "1.x"]);
        (version, vec(any::<u8>(), 0..128), any::<bool>(), vec(any::<u8>(), 0..1100)).prop_map(
            |(version, body, eof, tail)| {
                let eof: &[u8] = if eof { b"\n%%EOF\n" } else { b"" };
                [&b"%PDF-"[..], version.as_bytes(), &body, eof, &tail[..tail.len() % 64]].concat()
            },
        )
    }

    /// Each accepted type's first bytes (and a UTF-16 SVG's), followed by anything.
    fn magic_then_anything() -> impl Strategy<Value = Vec<u8>> {
        let magic = select(vec![
            &b"\x89PNG\r\n\x1a\n"[..],
            b"\x89PNG",
            b"\xFF\xD8\xFF",
            b"RIFF\0\0\0\0WEBP",
            b"RIFF",
            b"%PDF-",
            b"%PDF-1.4",
            b"<svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'",
            b"<?xml",
            b"\xEF\xBB\xBF<svg",
            b"\xFF\xFE<\0s\0v\0g\0",
            b"MZ",
        ]);
        (magic, prop_oneof![vec(any::<u8>(), 0..2048), any::<String>().prop_map(String::into_bytes)])
            .prop_map(|(magic, tail)| [magic, &tail].concat())
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_bytes_are_judged_without_panicking(bytes in vec(any::<u8>(), 0..4096)) {
            let _ = checked(&bytes);
        }

        #[test]
        fn magic_numbers_followed_by_anything_do_not_panic(
            bytes in prop_oneof![magic_then_anything(), png_like(), jpeg_like(), webp_like(), pdf_like()]
        ) {
            let _ = checked(&bytes);
        }

        /// A complete PNG followed by anything is stored up to its end marker, the rest reported.
        #[test]
        fn a_png_is_stored_up_to_its_end(width in 1u32..5000, height in 1u32..5000, tail in vec(any::<u8>(), 0..300)) {
            let header = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
            let image = [
                &b"\x89PNG\r\n\x1a\n"[..],
                &png_chunk(*b"IHDR", &header, true),
                &png_chunk(*b"IDAT", &[0x78, 0xDA, 0x63, 0, 0], true),
                &png_chunk(*b"IEND", &[], true),
            ]
            .concat();
            let upload = checked(&[&image[..], &tail].concat()).unwrap();
            prop_assert_eq!(&upload.bytes, &image);
            prop_assert_eq!(upload.dimensions, Some((width, height)));
            prop_assert_eq!(upload.removed.is_empty(), tail.is_empty());
        }
    }

    // ---- SVG: generated documents from a small vocabulary, dangerous words included ----

    #[derive(Debug, Clone)]
    enum Node {
        Element(&'static str, Vec<(&'static str, String)>, Vec<Node>),
        Text(String),
    }

    const SVG_ROOT: &str = concat!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#,
        r#" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:s="http://www.w3.org/2000/svg""#,
    );

    /// Words of `list`, for the strategies below (repeats make a word likelier).
    fn words(list: &'static str) -> impl Strategy<Value = &'static str> {
        select(list.split_whitespace().collect::<Vec<_>>())
    }

    fn element_name() -> impl Strategy<Value = &'static str> {
        words(
            "g g rect path circle text tspan a use image defs title style style script SCRIPT foreignObject set \
             animate iframe h:div s:rect s:script stop",
        )
    }

    fn attribute_value() -> impl Strategy<Value = String> {
        let known = select(vec![
            "red",
            "url(#g)",
            "url(https://evil.example/x.png)",
            "url( 'https://evil.example/q' )",
            "javascript:alert(1)",
            " jav&#x61;script:alert(1)",
            "JAVA&#9;SCRIPT:x",
            "vbscript:x",
            "#frag",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:text/html;base64,PHNjcmlwdD4=",
            "https://evil.example/",
            "fill:red; background:url(http://evil.example/t.png)",
            "fill:blue;stroke:url(#g)",
            "a;b{c}d",
            "u\\72l(//evil.example/e.png)",
            "expression(alert(1))",
            "@import 'x.css'",
            "@im\\port 'x.css'",
            "-moz-binding:url(x.xml#b)",
            "behavior: url(x.htc)",
            "image-set('x.png' 1x)",
            "10",
            "100px",
            "2in",
            "0 0 30 20",
            "",
            "&amp;&lt;&gt;&quot;",
            "&#x263A;",
            "&#0;",
            "&bogus;",
            "a & b",
            "<",
            "M0 0 L10 10 Z",
        ]);
        prop_oneof![3 => known.prop_map(str::to_owned), 1 => "[a-zA-Z0-9 #:;(){}/.,'\\\\@-]{0,16}"]
    }

    fn attributes() -> impl Strategy<Value = Vec<(&'static str, String)>> {
        let name = words(
            "id fill stroke style style onload onclick ONmouseover href href xlink:href width height transform \
             class xml:base viewBox d x offset",
        );
        btree_map(name, attribute_value(), 0..4).prop_map(|map| map.into_iter().collect())
    }

    fn text() -> impl Strategy<Value = String> {
        let known = select(vec![
            "hello",
            "a &amp; b",
            "<![CDATA[ x < y ]]>",
            "<!-- note -->",
            "<!-- a -- b -->",
            "&#x263A;",
            "&#1;",
            "<?php echo 1 ?>",
            ".a { fill: url(https://evil.example/x) } .b { fill: red }",
            "@import url(x.css); .c { fill: url(#g) }",
            "x { behavior: url(x.htc) } y { width: expression(1) }",
            "/* a */ .d { fill: blue; cursor: url(https://evil.example/c.cur), auto }",
            "u\\72l(https://evil.example/z)",
            "  \n  ",
            "javascript:alert(1)",
            "]]>",
            "{",
            "}",
            ";",
            "\"",
            "'",
            "&",
        ]);
        prop_oneof![3 => known.prop_map(str::to_owned), 1 => "[a-zA-Z0-9 .;:{}()#'/*\\\\-]{0,20}"]
    }

    fn render(node: &Node, out: &mut String) {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(name, attributes, children) => {
                out.push('<');
                out.push_str(name);
                for (key, value) in attributes {
                    out.push_str(&format!(" {key}=\"{value}\""));
                }
                if children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    children.iter().for_each(|child| render(child, out));
                    out.push_str(&format!("</{name}>"));
                }
            }
        }
    }

    fn svg_document() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            text().prop_map(Node::Text),
            (element_name(), attributes()).prop_map(|(name, attributes)| Node::Element(name, attributes, Vec::new())),
        ];
        let tree = leaf.prop_recursive(4, 48, 5, |inner| {
            (element_name(), attributes(), vec(inner, 1..5))
                .prop_map(|(name, attributes, children)| Node::Element(name, attributes, children))
        });
        let prolog = select(vec![
            "",
            "\u{FEFF}",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<!-- made -->",
            "<?xml-stylesheet href=\"x.xsl\"?>",
        ]);
        (prolog, attributes(), vec(tree, 0..6)).prop_map(|(prolog, root_attributes, children)| {
            let mut out = format!("{prolog}{SVG_ROOT}");
            for (key, value) in &root_attributes {
                out.push_str(&format!(" {key}=\"{value}\""));
            }
            out.push('>');
            children.iter().for_each(|child| render(child, &mut out));
            out.push_str("</svg>\n");
            out
        })
    }

    /// The stored SVG holds no element or attribute that runs code, no link elsewhere, and no style
    /// that loads or runs something.
    fn assert_inert(svg: &[u8]) {
        use quick_xml::events::Event;
        let squeeze = |s: &str| {
            s.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase()
        };
        let loads =
            |css: &str| ["url(http", "url('http", "url(\"http", "url(//", "url('//"].iter().any(|u| css.contains(u));
        let mut reader = quick_xml::Reader::from_str(std::str::from_utf8(svg).unwrap());
        let mut in_style = false;
        loop {
            let event = reader.read_event().unwrap();
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.name().into_inner().to_ascii_lowercase();
                    let local = name.rsplit(':').next().unwrap_or_default();
                    assert!(!["script", "foreignobject", "iframe", "set", "animate"].contains(&local), "<{name}> kept");
                    assert!(!name.starts_with("h:"), "<{name}> kept");
                    // Only the text right inside a `<style>` is CSS; after `<style/>` it is plain text.
                    in_style = local == "style" && matches!(event, Event::Start(_));
                    for attribute in e.attributes() {
                        let attribute = attribute.unwrap();
                        let key = attribute.key.into_inner().to_ascii_lowercase();
                        let key_local = key.rsplit(':').next().unwrap_or_default();
                        let value = squeeze(&attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap());
                        assert!(!key_local.starts_with("on") && key != "xml:base", "{key} kept");
                        assert!(!value.contains("javascript:") && !value.contains("vbscript:"), "{key}={value} kept");
                        assert!(!loads(&value) && !value.contains("@import"), "{key}={value} kept");
                        if key_local == "href" {
                            assert!(
                                value.starts_with('#') || value.starts_with("data:image/png"),
                                "{key}={value} kept"
                            );
                        }
                    }
                }
                Event::End(_) => in_style = false,
                Event::Text(t) if in_style => {
                    let css = squeeze(&t.xml10_content());
                    assert!(!loads(&css), "style loading something kept: {css}");
                    for word in ["@import", "expression(", "behavior:", "javascript:"] {
                        assert!(!css.contains(word), "{word} kept in a style: {css}");
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }

    /// Accepted documents pass again byte for byte (with nothing left to remove) and keep nothing that
    /// runs code; a fair share of the generated documents must be accepted for this to mean anything.
    #[test]
    fn sanitized_svg_is_stable_and_inert() {
        let accepted = Cell::new(0u32);
        let mut runner = TestRunner::new(config(256));
        let result = runner.run(&svg_document(), |doc| {
            let Ok(first) = checked(doc.as_bytes()) else { return Ok(()) };
            accepted.set(accepted.get() + 1);
            let again = checked(&first.bytes);
            prop_assert!(
                again.is_ok(),
                "the sanitized document is refused: {:?}\n{}",
                again,
                String::from_utf8_lossy(&first.bytes)
            );
            let again = again.unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&again.bytes), String::from_utf8_lossy(&first.bytes));
            prop_assert!(again.removed.is_empty(), "{:?}", again.removed);
            prop_assert_eq!(again.dimensions, first.dimensions);
            assert_inert(&first.bytes);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        assert!(accepted.get() >= 40, "only {} generated documents were accepted", accepted.get());
    }

    // ---- Linear time ----

    /// `unit(i)` repeated until the text has `size` bytes, between `start` and `end`.
    fn repeated(start: &str, unit: impl Fn(usize) -> String, end: &str, size: usize) -> Vec<u8> {
        let mut out = start.to_owned();
        let mut i = 0;
        while out.len() < size {
            out.push_str(&unit(i));
            i += 1;
        }
        out.push_str(end);
        out.into_bytes()
    }

    #[test]
    fn the_work_grows_linearly() {
        let run = |bytes: &Vec<u8>| {
            let _ = check_upload(bytes, LIMIT);
        };
        let root = r#"<svg xmlns="http://www.w3.org/2000/svg">"#;
        let svg = |start: &str, unit: fn(usize) -> String, end: &'static str| {
            let start = format!("{root}{start}");
            move |size| repeated(&start, unit, end, size)
        };
        assert_linear("many attributes", 16 << 10, svg("<g", |i| format!(" a{i}=\"1\""), "/></svg>"), run);
        assert_linear(
            "handlers and links",
            16 << 10,
            svg("", |i| format!("<a onclick='x' href='https://e/{i}'/>"), "</svg>"),
            run,
        );
        assert_linear("nesting", 16 << 10, svg("", |_| "<a><a><a><a></a></a></a></a>".into(), "</svg>"), run);
        assert_linear(
            "style",
            16 << 10,
            svg("<style>", |i| format!(".c{i}{{fill:url(http://e/{i});b:c}}"), "</style></svg>"),
            run,
        );
        assert_linear("references", 16 << 10, svg("<text>", |_| "&amp;&#x263A;".into(), "</text></svg>"), run);
        assert_linear("comments", 16 << 10, svg("", |_| "<!-- c --><![CDATA[x]]>".into(), "</svg>"), run);
        assert_linear(
            "jpeg scan",
            16 << 10,
            |size| {
                let mut jpeg =
                    vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 0x11, 8, 0, 1, 0, 1, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
                jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
                jpeg.extend((0..size).map(|i| if i % 2 == 0 { 0xFF } else { 0x00 }));
                jpeg
            },
            run,
        );
        assert_linear(
            "png chunks",
            16 << 10,
            |size| {
                let header = png_chunk(*b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0], true);
                let text = png_chunk(*b"tEXt", b"a", true);
                [&b"\x89PNG\r\n\x1a\n"[..], &header, &text.repeat(size / text.len())].concat()
            },
            run,
        );
    }
}

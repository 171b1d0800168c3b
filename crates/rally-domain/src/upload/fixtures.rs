//! Files for the upload tests: minimal but structurally valid images built byte by byte, a Windows
//! program to refuse, and SVG helpers that check what the sanitizer stores. Shared because the
//! format modules' tests and the dispatch tests use the same samples.

use super::{MediaType, check_upload, raster};

pub(super) const LIMIT: usize = 10 * 1024 * 1024;

/// A real 1×1 PNG, as an encoder wrote it.
pub(super) const PNG_1X1: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba,
    0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(super) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&raster::crc32(&[kind, data]).to_be_bytes());
    out
}

/// A structurally valid PNG of the given size (the pixel data is not real, which the check
/// does not look at).
pub(super) fn png(width: u32, height: u32) -> Vec<u8> {
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
pub(super) fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    out.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9]);
    out
}

pub(super) fn riff_webp(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
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
pub(super) fn webp_lossless(width: u32, height: u32) -> Vec<u8> {
    let bits = (width - 1) | ((height - 1) << 14);
    let mut data = vec![0x2F];
    data.extend_from_slice(&bits.to_le_bytes());
    data.extend_from_slice(&[0x00, 0x00, 0x00]);
    riff_webp(b"VP8L", &data)
}

/// A lossy WebP header of the given size.
pub(super) fn webp_lossy(width: u16, height: u16) -> Vec<u8> {
    let mut data = vec![0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A];
    data.extend_from_slice(&width.to_le_bytes());
    data.extend_from_slice(&height.to_le_bytes());
    data.extend_from_slice(&[0; 8]);
    riff_webp(b"VP8 ", &data)
}

pub(super) fn exe() -> Vec<u8> {
    let mut out = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    out.resize(0x3C, 0);
    out.extend_from_slice(&0x40u32.to_le_bytes());
    out.extend_from_slice(b"PE\0\0\x4c\x01");
    out.resize(512, 0);
    out
}

pub(super) fn refusal(bytes: &[u8]) -> String {
    check_upload(bytes, LIMIT).unwrap_err().to_string()
}

pub(super) const SVG_OPEN: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60">"#;

pub(super) fn svg(inner: &str) -> Vec<u8> {
    format!("{SVG_OPEN}{inner}</svg>").into_bytes()
}

pub(super) fn sanitized(bytes: &[u8]) -> (String, Vec<String>) {
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

//! PNG, JPEG and WebP: the magic bytes only say what a file claims to be, so each check also walks
//! enough of the structure to tell a real image from a renamed or cut-off file. Dimensions come from
//! the `imagesize` crate, which reads headers without decoding pixels.

use super::{Checked, Keep, MediaType, UploadError, damaged};

/// The most pixels a PNG, JPEG or WebP may have (250 megapixels, about an A0 poster at 350 dpi).
/// Browsers and thumbnailers allocate memory for every pixel, so a tiny file claiming to be a
/// 100 000 × 100 000 image is an attack on them rather than a picture.
pub const MAX_PIXELS: u64 = 250_000_000;

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::upload::fixtures::*;
    use crate::upload::{MediaType, UploadError, check_upload, check_upload_owned};

    #[test]
    fn crc_matches_the_png_reference_value() {
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
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
    const PROGRESSIVE_JPEG: &[u8] = include_bytes!("../../testdata/progressive.jpg");
    const RESTARTS_JPEG: &[u8] = include_bytes!("../../testdata/restarts.jpg");
    const LOSSY_WEBP: &[u8] = include_bytes!("../../testdata/lossy.webp");

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
}

//! Naming what a refused file is, so the message says "this is a Windows program" rather than only
//! "unsupported": the uploader usually picked the wrong file and needs to know which one they picked.

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::upload::fixtures::*;
    use crate::upload::{UploadError, check_upload};

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
}

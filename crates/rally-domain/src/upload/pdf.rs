//! A PDF is stored as it is and offered as a download, never rendered by Rally, so the check only
//! makes sure it is a complete PDF: the header a reader looks for at the very start (no leading junk,
//! which is how polyglot files hide) and the end-of-file marker that a cut-off upload lacks.

use super::{Checked, Keep, MediaType, UploadError, contains, damaged};

/// Accepts a complete PDF whole; refuses one with a damaged header or a missing end.
pub(super) fn check(bytes: &[u8]) -> Result<Checked, UploadError> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::upload::fixtures::*;
    use crate::upload::{MediaType, UploadError, check_upload};

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
}

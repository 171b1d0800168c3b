//! Secrets kept apart from the settings: read from a file (`password_file`, `…_FILE`, as systemd
//! credentials and container secrets provide them), and a password put into the URL it belongs to.

use std::path::Path;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but what RFC 3986 lets a URL's userinfo hold unescaped.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The secret in `path`: its text without the line ending editors and `echo` leave.
pub fn read(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let secret = text.strip_suffix('\n').map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
    if secret.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(secret.to_owned())
}

/// `url` with `password` as its password (percent-encoded), which it must not have already; the
/// error says what is missing, without the password.
pub fn with_password(url: &str, password: &str) -> Result<String, String> {
    let Some(scheme_end) = url.find("://") else {
        return Err("the URL names no server (it has no ://)".to_owned());
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_len].rfind('@') else {
        return Err("the URL names no user (write user@host)".to_owned());
    };
    let user = &rest[..at];
    if user.contains(':') {
        return Err("the URL has a password already; give it in one place".to_owned());
    }
    if user.is_empty() {
        return Err("the URL names no user (write user@host)".to_owned());
    }
    let encoded = utf8_percent_encode(password, USERINFO);
    Ok(format!("{}{user}:{encoded}{}", &url[..authority_start], &rest[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_goes_into_the_url_encoded() {
        assert_eq!(
            with_password("postgres://rally@db.internal:5432/rally?sslmode=require", "p@ss:w/rd ü").as_deref(),
            Ok("postgres://rally:p%40ss%3Aw%2Frd%20%C3%BC@db.internal:5432/rally?sslmode=require")
        );
        assert_eq!(
            with_password("smtp://rally@mail.example.org", "x").as_deref(),
            Ok("smtp://rally:x@mail.example.org")
        );
        assert!(with_password("postgres://rally:old@db/rally", "x").is_err_and(|e| e.contains("already")));
        assert!(with_password("postgres://db/rally", "x").is_err_and(|e| e.contains("no user")));
        assert!(with_password("postgres://db/rally?user=a@b", "x").is_err_and(|e| e.contains("no user")));
        assert!(with_password("rally.db", "x").is_err_and(|e| e.contains("no server")));
    }

    #[test]
    fn a_secret_file_loses_its_line_ending_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        for (content, secret) in
            [("s3cret\n", "s3cret"), ("s3cret\r\n", "s3cret"), ("s3cret", "s3cret"), (" s p \n\n", " s p \n")]
        {
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read(&path).as_deref(), Ok(secret));
        }
        std::fs::write(&path, "\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(read(&path).is_err_and(|e| e.contains("is empty")));
        assert!(read(&dir.path().join("missing")).is_err_and(|e| e.contains("cannot read")));
    }
}

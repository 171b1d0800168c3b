//! Building RFC 5322 messages from an [`OutgoingMail`].

use lettre::Message;
use lettre::address::Address;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::{DkimKey, MailError};

/// One message to one recipient, as the outbox describes it.
///
/// Everything here is plain data so the caller can keep it in a database row and rebuild the same
/// message after a crash; [`build`] does all validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Sender as `(display name, address)`. The display name may be empty and may contain any
    /// Unicode; the address's domain also becomes the `Message-ID` domain.
    pub from: (String, String),
    /// Optional `Reply-To`, either a bare address or `Name <address>`.
    pub reply_to: Option<String>,
    /// Recipient as `(display name, address)`.
    pub to: (String, String),
    /// Subject line. Line breaks and other control characters are replaced by spaces, so a
    /// stray newline from a template can neither break the header nor stop the send.
    pub subject: String,
    /// Plain-text body; always present because many clients and spam filters expect it.
    pub text: String,
    /// Optional HTML body; when set the message is `multipart/alternative` with the text first,
    /// so clients that prefer HTML pick the last (richest) part as RFC 2046 intends.
    pub html: Option<String>,
    /// RFC 8058: `List-Unsubscribe: <url>` and, when true, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    pub unsubscribe: Option<(String, bool)>,
    /// Used for Message-ID `<{id}@{domain}>` (stable per outbox row, so a resend after a crash has the same Message-ID).
    pub message_id: String,
    /// Additional headers such as `X-Rally-Message`. Names must be RFC 5322 `ftext` and may not
    /// replace a header this crate manages; values may not contain CR or LF (non-ASCII is fine
    /// and is RFC 2047 encoded).
    pub extra_headers: Vec<(String, String)>,
}

/// The SMTP envelope of a built message: who bounces go to and who receives it.
///
/// Kept separate from the headers because the envelope sender can differ from `From` (for example
/// a per-message bounce address), and it is what [`crate::Transport::send`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `MAIL FROM` address; by default the `From` address.
    pub from: String,
    /// `RCPT TO` address.
    pub to: String,
}

/// Headers that [`build`] writes itself. Letting an extra header add a second copy would make
/// the message ambiguous (which `From` is real?) and could defeat DKIM, so such names are refused.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "dkim-signature",
    "return-path",
    "received",
];

/// Longest header value we accept from callers; RFC 5322 caps a line at 998 octets.
const MAX_HEADER_VALUE: usize = 900;

/// RFC 5322 bytes: multipart/alternative when html is set (text first), UTF-8 subjects/names
/// encoded (RFC 2047), Date, Message-ID, MIME-Version; DKIM-signed when `dkim` is given, with the
/// signed headers including From, To, Subject, Date, Message-ID, List-Unsubscribe and
/// List-Unsubscribe-Post.
///
/// Bodies are always 7-bit clean (quoted-printable or base64 where needed), so the bytes can be
/// relayed by servers without `8BITMIME` and survive DKIM verification unchanged. Returns the
/// envelope (sender = `From` address) with the bytes; the bytes are final and can be stored and
/// resent as they are.
pub fn build(mail: &OutgoingMail, dkim: Option<&DkimKey>) -> Result<(Envelope, Vec<u8>), MailError> {
    let from_address = parse_address("from", &mail.from.1)?;
    let to_address = parse_address("to", &mail.to.1)?;
    validate_message_id(&mail.message_id)?;

    let mut builder = Message::builder()
        .from(Mailbox::new(display_name(&mail.from.0), from_address.clone()))
        .to(Mailbox::new(display_name(&mail.to.0), to_address.clone()))
        .subject(single_line(&mail.subject))
        .date_now()
        .message_id(Some(format!("<{}@{}>", mail.message_id, ascii_domain(from_address.domain())?)));

    if let Some(reply_to) = &mail.reply_to {
        let mailbox: Mailbox = reply_to.trim().parse().map_err(|err: lettre::address::AddressError| {
            MailError::InvalidAddress { field: "reply-to", value: reply_to.clone(), reason: err.to_string() }
        })?;
        builder = builder.reply_to(mailbox);
    }

    if let Some((url, one_click)) = &mail.unsubscribe {
        let url = validate_unsubscribe(url, *one_click)?;
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")));
        if *one_click {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
        }
    }

    let mut seen: Vec<String> = Vec::new();
    for (name, value) in &mail.extra_headers {
        let header_name = validate_extra_header(name, value)?;
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err(MailError::InvalidHeader { name: name.clone(), reason: "given more than once".to_owned() });
        }
        seen.push(lower);
        builder = builder.raw_header(HeaderValue::new(header_name, value.clone()));
    }

    let built = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), html.clone())),
        None => builder.singlepart(SinglePart::plain(mail.text.clone())),
    };
    let mut message = built.map_err(|err| MailError::Build(err.to_string()))?;

    if let Some(key) = dkim {
        message.sign(key.config());
    }

    let envelope = Envelope { from: from_address.to_string(), to: to_address.to_string() };
    Ok((envelope, message.formatted()))
}

/// Parses an address the way SMTP will need it; surrounding whitespace is forgiven because it
/// usually comes from form input.
pub(crate) fn parse_address(field: &'static str, value: &str) -> Result<Address, MailError> {
    value.trim().parse::<Address>().map_err(|err| MailError::InvalidAddress {
        field,
        value: value.to_owned(),
        reason: err.to_string(),
    })
}

/// The `Message-ID` must be ASCII, so an internationalised sender domain is written in its
/// punycode (A-label) form.
fn ascii_domain(domain: &str) -> Result<String, MailError> {
    if domain.is_ascii() {
        return Ok(domain.to_owned());
    }
    url::Host::parse(domain).map(|host| host.to_string()).map_err(|err| MailError::InvalidAddress {
        field: "from",
        value: domain.to_owned(),
        reason: format!("the domain has no ASCII form: {err}"),
    })
}

/// An empty display name means "address only"; control characters are flattened so a name can
/// never end the header line.
fn display_name(name: &str) -> Option<String> {
    let name = single_line(name);
    let name = name.trim();
    if name.is_empty() { None } else { Some(name.to_owned()) }
}

/// Replaces every run of control characters (CR, LF, TAB, ...) with one space.
fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_control = false;
    for c in text.chars() {
        if c.is_control() {
            if !in_control {
                out.push(' ');
            }
            in_control = true;
        } else {
            out.push(c);
            in_control = false;
        }
    }
    out
}

/// Message ids end up in a header (`<id@domain>`) and, with the file transport, in a file name,
/// so they are restricted to characters that are safe in both.
pub(crate) fn validate_message_id(id: &str) -> Result<(), MailError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.+=".contains(&b))
        && !id.starts_with('.')
        && !id.ends_with('.')
        && !id.contains("..");
    if ok { Ok(()) } else { Err(MailError::InvalidMessageId(id.to_owned())) }
}

/// Checks an extra header: the name must be RFC 5322 `ftext` (printable ASCII except `:`) and not
/// one we manage; the value may not contain line breaks, which is what header injection needs.
fn validate_extra_header(name: &str, value: &str) -> Result<HeaderName, MailError> {
    let invalid = |reason: &str| MailError::InvalidHeader { name: name.to_owned(), reason: reason.to_owned() };
    if name.is_empty() || name.len() > 76 {
        return Err(invalid("the name must be 1-76 characters"));
    }
    if !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
        return Err(invalid("the name may only contain printable ASCII other than ':' (RFC 5322 ftext)"));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(invalid("this header is set by rally-mail itself"));
    }
    if value.contains(['\r', '\n']) {
        return Err(invalid("the value may not contain CR or LF"));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(invalid("the value may not contain control characters"));
    }
    if value.len() > MAX_HEADER_VALUE {
        return Err(invalid("the value is too long"));
    }
    HeaderName::new_from_ascii(name.to_owned()).map_err(|_| invalid("lettre rejected the name"))
}

/// Normalises the unsubscribe URL. RFC 8058 one-click requires an HTTP(S) URL the receiver can
/// POST to; without one-click a `mailto:` is also allowed. The URL goes between `<` and `>`, so
/// anything that could close the bracket or break the line is refused.
fn validate_unsubscribe(url: &str, one_click: bool) -> Result<String, MailError> {
    let invalid = |reason: &str| MailError::InvalidUnsubscribe { url: url.to_owned(), reason: reason.to_owned() };
    let parsed = url::Url::parse(url.trim()).map_err(|err| invalid(&err.to_string()))?;
    match parsed.scheme() {
        "https" | "http" => {}
        "mailto" if !one_click => {}
        "mailto" => return Err(invalid("one-click unsubscribe needs an http(s) URL")),
        _ => return Err(invalid("only http(s) and mailto URLs are allowed")),
    }
    let normalized = parsed.as_str();
    if normalized.len() > MAX_HEADER_VALUE {
        return Err(invalid("the URL is too long"));
    }
    if !normalized.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>') {
        return Err(invalid("the URL may not contain spaces, control characters or angle brackets"));
    }
    Ok(normalized.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_flattens_control_runs() {
        assert_eq!(single_line("a\r\nb\tc"), "a b c");
        assert_eq!(single_line("plain"), "plain");
    }

    #[test]
    fn message_ids_are_restricted() {
        assert!(validate_message_id("outbox-42.a_b+c=d").is_ok());
        for bad in ["", "a/b", "a@b", ".a", "a.", "a..b", "a b", "<a>", &"x".repeat(129)] {
            assert!(validate_message_id(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn extra_header_names_and_values_are_checked() {
        assert!(validate_extra_header("X-Rally-Message", "42").is_ok());
        assert!(validate_extra_header("X-Bad Name", "1").is_err());
        assert!(validate_extra_header("X-Bad:Name", "1").is_err());
        assert!(validate_extra_header("X-Bad\r\nBcc", "1").is_err());
        assert!(validate_extra_header("bcc", "x@example.com").is_err());
        assert!(validate_extra_header("X-Ok", "a\r\nBcc: x@example.com").is_err());
        assert!(validate_extra_header("X-Ok", "a\nb").is_err());
        assert!(validate_extra_header("X-Ok", "ünïcode is fine").is_ok());
    }

    #[test]
    fn unsubscribe_urls_are_checked() {
        assert_eq!(
            validate_unsubscribe("https://rally.example/u/abc?x=1", true).ok().as_deref(),
            Some("https://rally.example/u/abc?x=1")
        );
        assert!(validate_unsubscribe("mailto:unsub@rally.example", false).is_ok());
        assert!(validate_unsubscribe("mailto:unsub@rally.example", true).is_err());
        assert!(validate_unsubscribe("javascript:alert(1)", false).is_err());
        assert!(validate_unsubscribe("/relative", false).is_err());
        assert!(validate_unsubscribe("mailto:a>b@x", false).is_err());
    }
}

//! E-mail building and delivery for Rally.
//!
//! This crate turns one outgoing message into standards-conforming RFC 5322 bytes ([`build`]) and
//! hands those bytes to a delivery [`Transport`] (a pooled SMTP relay or a directory of `.eml`
//! files). It knows nothing about campaigns, the outbox or the database: the caller builds once,
//! stores or retries the bytes as it sees fit, and decides what a [`SendError`] means for the
//! recipient. Keeping delivery this small makes it testable against a real SMTP server and keeps
//! storage concerns (retries, bounce bookkeeping) in one place elsewhere.
//!
//! The pieces:
//! - [`OutgoingMail`] and [`build`]: MIME structure, RFC 2047 encoded words for non-ASCII text,
//!   `Message-ID`, RFC 8058 one-click unsubscribe headers and optional DKIM signing with a
//!   [`DkimKey`].
//! - [`Transport`]: `smtp://` / `smtps://` relays with a bounded connection pool, and `file://`
//!   directories for development and tests.
//! - [`RateLimiter`]: token buckets so a large campaign does not trip receivers' throttles.
//! - [`redact`]: transport URLs with their password hidden, for logs and error messages.

mod dkim;
mod message;
mod rate;
mod transport;

pub use dkim::{DkimAlgorithm, DkimKey};
pub use message::{Envelope, OutgoingMail, build};
pub use rate::RateLimiter;
pub use transport::{Transport, redact};

/// Why a message could not be built or a transport could not be configured.
///
/// These are caller mistakes or bad configuration, never delivery outcomes (those are
/// [`SendError`]), so they are reported before anything is sent. No variant ever carries a
/// password: transport URLs are passed through [`redact`] first.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An e-mail address did not parse as an RFC 5321 mailbox.
    #[error("invalid {field} address {value:?}: {reason}")]
    InvalidAddress { field: &'static str, value: String, reason: String },
    /// The message id is empty, too long or contains characters that are unsafe in a
    /// `Message-ID` or a file name.
    #[error(
        "invalid message id {0:?}: use 1-128 characters from A-Z a-z 0-9 - _ . + = (no leading/trailing or double dots)"
    )]
    InvalidMessageId(String),
    /// An extra header had an invalid or reserved name, or a value with line breaks.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader { name: String, reason: String },
    /// The `List-Unsubscribe` URL is not an absolute http(s) or mailto URL.
    #[error("invalid unsubscribe URL {url:?}: {reason}")]
    InvalidUnsubscribe { url: String, reason: String },
    /// The DKIM key, domain or selector could not be used.
    #[error("invalid DKIM key: {0}")]
    InvalidDkimKey(String),
    /// The transport URL could not be understood. `url` is already redacted.
    #[error("invalid transport URL {url}: {reason}")]
    InvalidTransportUrl { url: String, reason: String },
    /// lettre refused to assemble the message (should not happen after validation).
    #[error("could not build the message: {0}")]
    Build(String),
}

/// Why a message was not delivered, split by what the caller should do next.
///
/// The split matters because a [`SendError::Permanent`] is treated as a hard bounce (the address
/// is suppressed), so only a definitive `5xx` answer from the server to this message counts as
/// permanent. Anything that may be our own or the network's fault (connection refused, reset or
/// timed out, TLS failures, `4xx` replies, authentication failures, local I/O errors) is
/// [`SendError::Transient`] and should be retried later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later. The text is the server's reply (e.g. `450 4.2.1 Mailbox busy`) or a
    /// description of the local/network problem.
    #[error("transient delivery failure: {0}")]
    Transient(String),
    /// Do not retry: the server rejected the message or recipient with a `5xx` reply (or the
    /// envelope address itself is malformed). The text is the server's reply.
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// The server's reply or the problem's description, without the classification prefix.
    pub fn text(&self) -> &str {
        match self {
            SendError::Transient(text) | SendError::Permanent(text) => text,
        }
    }

    /// Whether this failure is worth retrying.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worker shares these across tasks; losing `Send + Sync` would break it at a distance.
    #[test]
    fn shared_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Transport>();
        assert_send_sync::<DkimKey>();
        assert_send_sync::<RateLimiter>();
        assert_send_sync::<SendError>();
        assert_send_sync::<MailError>();
    }
}

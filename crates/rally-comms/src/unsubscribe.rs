//! Signed link tokens. Unsubscribe links: `/u/{contact}.{signature}`, where the signature is an
//! HMAC-SHA256 of the contact's id under a secret only the database holds; and versioned tokens for
//! other secret links (an organizer's, see `organizer.rs`). Nobody can make a link for a contact they have not been
//! sent one for, and the link needs no lookup table: it works for as long as the secret lives.

use hmac::{Hmac, Mac};
use rally_domain::ContactId;
use sha2::Sha256;

/// The signature's length in hex digits: 128 bits are plenty against guessing.
const SIGNATURE_HEX: usize = 32;

fn signature(secret: &str, purpose: &str, subject: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(subject.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()[..SIGNATURE_HEX].to_owned()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token for a contact's unsubscribe link.
pub fn token(secret: &str, contact: ContactId) -> String {
    format!("{}.{}", contact.0, signature(secret, "unsubscribe", &contact.0.to_string()))
}

/// The contact a token was made for, if it is genuine. Compared in constant time.
pub fn verify(secret: &str, token: &str) -> Option<ContactId> {
    let (id, sig) = token.split_once('.')?;
    let contact = ContactId(id.parse().ok()?);
    same(&signature(secret, "unsubscribe", &contact.0.to_string()), sig).then_some(contact)
}

/// A signed link token `{id}.{version}.{signature}` for another kind of secret link (an event
/// organizer's). Raising the stored version revokes every earlier token.
pub fn versioned_token(secret: &str, purpose: &str, id: i64, version: i64) -> String {
    format!("{id}.{version}.{}", signature(secret, purpose, &format!("{id}.{version}")))
}

/// The id and version a [`versioned_token`] was made for, if it is genuine.
pub fn verify_versioned(secret: &str, purpose: &str, token: &str) -> Option<(i64, i64)> {
    let mut parts = token.splitn(3, '.');
    let id: i64 = parts.next()?.parse().ok()?;
    let version: i64 = parts.next()?.parse().ok()?;
    let sig = parts.next()?;
    same(&signature(secret, purpose, &format!("{id}.{version}")), sig).then_some((id, version))
}

/// A fresh random secret (256 bits), offered to the store the first time; it keeps the first one offered.
pub fn new_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_cannot_be_forged() {
        let t = token("s3cret", ContactId(42));
        assert_eq!(verify("s3cret", &t), Some(ContactId(42)));
        assert_eq!(verify("other", &t), None);
        let (_, sig) = t.split_once('.').unwrap();
        assert_eq!(verify("s3cret", &format!("43.{sig}")), None, "another contact's id with this signature");
        assert_eq!(verify("s3cret", "42"), None);
        assert_eq!(verify("s3cret", "x.y"), None);
        assert_ne!(new_secret(), new_secret());
        let e = versioned_token("s3cret", "event", 7, 1);
        assert_eq!(verify_versioned("s3cret", "event", &e), Some((7, 1)));
        assert_eq!(verify_versioned("s3cret", "other", &e), None, "another purpose");
        assert_eq!(verify_versioned("s3cret", "event", &e.replacen("7.1", "7.2", 1)), None);
        assert_eq!(verify_versioned("s3cret", "event", "7.1"), None);
    }
}

//! Unsubscribe links: `/u/{contact}.{signature}`, where the signature is an HMAC-SHA256 of the contact's
//! id under a secret only the database holds. Nobody can make a link for a contact they have not been
//! sent one for, and the link needs no lookup table: it works for as long as the secret lives.

use hmac::{Hmac, Mac};
use rally_domain::ContactId;
use sha2::Sha256;

/// The signature's length in hex digits: 128 bits are plenty against guessing.
const SIGNATURE_HEX: usize = 32;

fn signature(secret: &str, contact: ContactId) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(b"unsubscribe:");
    mac.update(contact.0.to_string().as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()[..SIGNATURE_HEX].to_owned()
}

/// The token for a contact's unsubscribe link.
pub fn token(secret: &str, contact: ContactId) -> String {
    format!("{}.{}", contact.0, signature(secret, contact))
}

/// The contact a token was made for, if it is genuine. Compared in constant time.
pub fn verify(secret: &str, token: &str) -> Option<ContactId> {
    let (id, sig) = token.split_once('.')?;
    let contact = ContactId(id.parse().ok()?);
    let expected = signature(secret, contact);
    let same =
        expected.len() == sig.len() && expected.bytes().zip(sig.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same.then_some(contact)
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
    }
}

//! DKIM signing keys.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use lettre::message::header::HeaderName;
use lettre::message::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;

use crate::MailError;

/// Headers covered by every signature.
///
/// `List-Unsubscribe` and `List-Unsubscribe-Post` are listed even when a message has none: DKIM
/// treats a signed-but-absent header as empty, so nobody can add an unsubscribe link (or a
/// one-click flag) after signing without breaking the signature ("over-signing"). Bulk senders
/// are required by the big mailbox providers to sign these two when present. `Content-Type` is
/// not listed because lettre writes it as part of the body, where the body hash covers it.
const SIGNED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Smallest RSA key we sign with: RFC 8301 tells verifiers to reject anything shorter.
const MIN_RSA_BITS: usize = 1024;

/// The signature algorithm of a [`DkimKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DkimAlgorithm {
    /// `rsa-sha256`, understood by every verifier.
    Rsa,
    /// `ed25519-sha256` (RFC 8463), short keys but not yet verified everywhere.
    Ed25519,
}

/// A private key that signs mail for one domain and selector.
///
/// The receiving side looks up the public key at `{selector}._domainkey.{domain}`; the
/// [`DkimKey::dns_record`] text is what has to be published there. Signing uses
/// relaxed/relaxed canonicalisation, which tolerates the header re-folding and whitespace changes
/// that relays commonly make.
pub struct DkimKey {
    /// The signing domain (`d=`); align it with the `From` domain for DMARC.
    pub domain: String,
    /// The selector (`s=`).
    pub selector: String,
    algorithm: DkimAlgorithm,
    dns_record: String,
    config: DkimConfig,
}

impl std::fmt::Debug for DkimKey {
    /// Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimKey")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl DkimKey {
    /// Loads a private key.
    ///
    /// Accepts what `openssl` produces: an RSA key as PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
    /// (`BEGIN PRIVATE KEY`) PEM, an Ed25519 key as PKCS#8 PEM (`openssl genpkey -algorithm
    /// ed25519`), or an Ed25519 key as the bare base64 of its 32-byte seed (lettre's own format).
    /// RSA keys shorter than 1024 bits are refused because verifiers ignore them.
    pub fn from_pem(domain: &str, selector: &str, pem: &str) -> Result<DkimKey, MailError> {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let selector = selector.trim().to_owned();
        if !is_dns_name(&domain) {
            return Err(MailError::InvalidDkimKey(format!("{domain:?} is not a valid signing domain")));
        }
        if !is_dns_name(&selector) {
            return Err(MailError::InvalidDkimKey(format!("{selector:?} is not a valid selector")));
        }

        let pem = pem.trim();
        let (algorithm, lettre_key, public_key) = if pem.contains("BEGIN RSA PRIVATE KEY") {
            let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
                .map_err(|err| MailError::InvalidDkimKey(format!("not a PKCS#1 RSA key: {err}")))?;
            rsa_parts(&key)?
        } else if pem.contains("BEGIN PRIVATE KEY") {
            if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                ed25519_parts(&key)
            } else {
                let key = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem)
                    .map_err(|err| MailError::InvalidDkimKey(format!("not a PKCS#8 Ed25519 or RSA key: {err}")))?;
                rsa_parts(&key)?
            }
        } else if pem.contains("-----BEGIN") {
            return Err(MailError::InvalidDkimKey(
                "unsupported PEM type (expected RSA PRIVATE KEY or PRIVATE KEY; encrypted keys are not supported)"
                    .to_owned(),
            ));
        } else {
            let seed: [u8; 32] = BASE64
                .decode(pem)
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| MailError::InvalidDkimKey("neither PEM nor a base64 Ed25519 seed".to_owned()))?;
            ed25519_parts(&ed25519_dalek::SigningKey::from_bytes(&seed))
        };

        let signing_algorithm = match algorithm {
            DkimAlgorithm::Rsa => DkimSigningAlgorithm::Rsa,
            DkimAlgorithm::Ed25519 => DkimSigningAlgorithm::Ed25519,
        };
        let signing_key = DkimSigningKey::new(&lettre_key, signing_algorithm)
            .map_err(|err| MailError::InvalidDkimKey(err.to_string()))?;
        let headers = SIGNED_HEADERS.iter().map(|name| HeaderName::new_from_ascii_str(name)).collect();
        let canonicalization =
            DkimCanonicalization { header: DkimCanonicalizationType::Relaxed, body: DkimCanonicalizationType::Relaxed };
        let config = DkimConfig::new(selector.clone(), domain.clone(), signing_key, headers, canonicalization);
        let k = match algorithm {
            DkimAlgorithm::Rsa => "rsa",
            DkimAlgorithm::Ed25519 => "ed25519",
        };
        let dns_record = format!("v=DKIM1; k={k}; p={}", BASE64.encode(public_key));
        Ok(DkimKey { domain, selector, algorithm, dns_record, config })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        self.algorithm
    }

    /// The TXT record to publish at [`DkimKey::dns_name`], e.g. `v=DKIM1; k=rsa; p=MIIB...`.
    pub fn dns_record(&self) -> &str {
        &self.dns_record
    }

    /// Where receivers look the public key up: `{selector}._domainkey.{domain}`.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    pub(crate) fn config(&self) -> &DkimConfig {
        &self.config
    }
}

/// lettre wants PKCS#1 PEM for RSA; the DNS record wants the SubjectPublicKeyInfo DER.
fn rsa_parts(key: &rsa::RsaPrivateKey) -> Result<(DkimAlgorithm, String, Vec<u8>), MailError> {
    let bits = key.size() * 8;
    if bits < MIN_RSA_BITS {
        return Err(MailError::InvalidDkimKey(format!("RSA key has {bits} bits; at least {MIN_RSA_BITS} are needed")));
    }
    let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).map_err(|err| MailError::InvalidDkimKey(err.to_string()))?;
    let public =
        rsa::RsaPublicKey::from(key).to_public_key_der().map_err(|err| MailError::InvalidDkimKey(err.to_string()))?;
    Ok((DkimAlgorithm::Rsa, pkcs1.to_string(), public.as_bytes().to_vec()))
}

/// lettre wants the base64 seed for Ed25519; RFC 8463 publishes the raw 32-byte public key.
fn ed25519_parts(key: &ed25519_dalek::SigningKey) -> (DkimAlgorithm, String, Vec<u8>) {
    (DkimAlgorithm::Ed25519, BASE64.encode(key.to_bytes()), key.verifying_key().to_bytes().to_vec())
}

/// Domain and selector go into `d=`/`s=` tags and DNS names, so only DNS label characters (and
/// `_`, which selectors sometimes use) are allowed.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns_name("rally.example"));
        assert!(is_dns_name("s2024_a"));
        assert!(!is_dns_name(""));
        assert!(!is_dns_name("a..b"));
        assert!(!is_dns_name("a; b=c"));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(DkimKey::from_pem("rally.example", "s1", "not a key").is_err());
        assert!(
            DkimKey::from_pem("rally.example", "s1", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
                .is_err()
        );
        assert!(DkimKey::from_pem("bad domain", "s1", &BASE64.encode([7u8; 32])).is_err());
    }

    #[test]
    fn bare_ed25519_seed_is_accepted() -> Result<(), MailError> {
        let key = DkimKey::from_pem("Rally.Example.", "s1", &BASE64.encode([7u8; 32]))?;
        assert_eq!(key.algorithm(), DkimAlgorithm::Ed25519);
        assert_eq!(key.domain, "rally.example");
        assert_eq!(key.dns_name(), "s1._domainkey.rally.example");
        assert!(key.dns_record().starts_with("v=DKIM1; k=ed25519; p="));
        assert!(!format!("{key:?}").contains(&BASE64.encode([7u8; 32])));
        Ok(())
    }
}

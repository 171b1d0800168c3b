//! API tokens: random, shown once, stored only as their SHA-256.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Shortest password Rally accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with argon2id (the crate's default parameters) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("a password needs at least {MIN_PASSWORD_CHARS} characters"));
    }
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Checks a sign-in's password against the account's hash — or, for an address without an account
/// or an account without a password, against a hash of the same cost, which fails. Both take as
/// long, so the answer's timing does not tell which addresses have accounts.
pub fn check_password(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) if PasswordHash::new(stored).is_ok() => verify_password(password, stored),
        _ => {
            let _ = verify_password(password, stand_in_hash());
            false
        }
    }
}

/// The hash an unknown address is checked against: made once, with the parameters of every real one.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// A random password for generated accounts (the demo login).
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// 256 random bits as 64 hex digits: session tokens, CSRF tokens, reset links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Makes a new API token; returns the token (to show once) and the hash to store.
pub fn new_api_token() -> (String, String) {
    let token = format!("rally_{}", random_token());
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token. A fast hash is right here: the token has 256 random bits, so there
/// is nothing to guess, and every API request checks one.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let (a, ha) = new_api_token();
        let (b, _) = new_api_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), "rally_".len() + 64);
        assert_eq!(hash_token(&a), ha);
        assert_ne!(ha, a);
    }

    #[test]
    fn passwords_hash_with_argon2id() {
        let hash = hash_password("correct horse battery").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(hash_password("short").is_err());
    }

    /// An unknown address is checked against a hash that costs what a real one costs: the same
    /// algorithm, version and parameters (memory, passes, lanes).
    #[test]
    fn unknown_addresses_cost_a_full_check() {
        let real = hash_password("correct horse battery").unwrap_or_default();
        let (real, stand_in) = (PasswordHash::new(&real), PasswordHash::new(stand_in_hash()));
        let (Ok(real), Ok(stand_in)) = (real, stand_in) else { panic!("both parse") };
        assert_eq!((real.algorithm, real.version), (stand_in.algorithm, stand_in.version));
        assert_eq!(real.params, stand_in.params);
        assert!(!check_password("correct horse battery", None));
        assert!(!check_password(stand_in_hash(), None), "not even with its own text");
        assert!(!check_password("correct horse battery", Some("not a hash")));
    }
}

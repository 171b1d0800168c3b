//! Two-factor sign-in's pure parts: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA-1, six digits,
//! thirty-second steps, one step either side accepted for clocks that drift), secrets in base32
//! (RFC 4648, as authenticator apps take them), the `otpauth://` address a QR code carries, and the
//! shape of recovery codes. Randomness and the clock come from the caller.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Seconds in a time step.
pub const PERIOD: i64 = 30;
/// Steps either side of the current one whose codes are still accepted.
pub const WINDOW: u64 = 1;
/// Random bytes in a new secret: 160 bits, the size of SHA-1's output, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes behind one recovery code (ten letters of 31 use about 49.5 of their bits).
pub const RECOVERY_BYTES: usize = 7;

/// A TOTP secret. Its `Debug` shows nothing of it, so a secret in a logged value stays secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn from_bytes(bytes: &[u8]) -> Secret {
        Secret(bytes.to_vec())
    }

    /// A secret as base32: case, spaces and `=` padding do not matter (people type it from a screen).
    pub fn parse(text: &str) -> Result<Secret, String> {
        let bytes = base32_decode(text).ok_or_else(|| "a secret is letters A to Z and digits 2 to 7".to_owned())?;
        if bytes.len() < 10 {
            return Err("a secret has at least 16 characters".into());
        }
        Ok(Secret(bytes))
    }

    /// Base32 without padding, as stored and as put in the `otpauth://` address.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// Base32 in groups of four, for typing into an app by hand.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        let groups: Vec<&str> = text.as_bytes().chunks(4).filter_map(|g| std::str::from_utf8(g).ok()).collect();
        groups.join(" ")
    }

    /// The code for a time step.
    pub fn code_at_step(&self, step: u64) -> String {
        hotp(&self.0, step, DIGITS)
    }

    /// The code at a time (seconds since 1970).
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.code_at_step(step_of(unix_seconds))
    }

    /// The step whose code `code` is, among the current one and [`WINDOW`] either side, and newer
    /// than `used` (the step of the last code accepted: a code is good once). `None` when none fits.
    pub fn verify(&self, code: &str, unix_seconds: i64, used: Option<u64>) -> Option<u64> {
        let code = totp_code(code)?;
        let now = step_of(unix_seconds);
        let first = now.saturating_sub(WINDOW);
        (first..=now.saturating_add(WINDOW))
            .filter(|step| used.is_none_or(|u| *step > u))
            .find(|step| same(&self.code_at_step(*step), &code))
    }
}

/// The time step of a time (seconds since 1970); times before 1970 are step 0.
pub fn step_of(unix_seconds: i64) -> u64 {
    u64::try_from(unix_seconds.max(0) / PERIOD).unwrap_or(0)
}

/// HOTP (RFC 4226): HMAC-SHA-1 of the counter, dynamically truncated to `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(key) else { return String::new() };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    let code = u64::from(binary) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// `input` as a six-digit code (spaces and hyphens people type are dropped), or `None`.
pub fn totp_code(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Compares in time independent of where the strings first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The address an authenticator app reads from the QR code (Google Authenticator's key URI format):
/// the account is shown as `issuer: account` in the app.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &Secret) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        enc(issuer),
        enc(account),
        secret.to_base32(),
        enc(issuer)
    )
}

/// Letters of recovery codes: lower case and digits without the ones read alike (0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A recovery code from random bytes: ten characters in two groups (`k7m2p-q9x4t`), about 49.5 bits,
/// far past what the throttled second step lets anyone guess.
pub fn recovery_code(random: [u8; RECOVERY_BYTES]) -> String {
    let mut bits = random.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut chars = Vec::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            chars.push(b'-');
        }
        chars.push(RECOVERY_ALPHABET[(bits % 31) as usize]);
        bits /= 31;
    }
    String::from_utf8(chars).unwrap_or_default()
}

/// A typed recovery code in the form it is hashed in (lower case, without spaces and hyphens), or
/// `None` when it cannot be one.
pub fn recovery_code_key(input: &str) -> Option<String> {
    let key: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_lowercase()).collect();
    (key.len() == 10 && key.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(key)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(char::from(BASE32[((bits >> (35 - 5 * i)) & 31) as usize]));
        }
    }
    out
}

/// RFC 4648 base32 (case-insensitive, spaces and trailing `=` ignored); `None` for anything else,
/// including leftover bits that are not zero.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let text: Vec<u8> = text.bytes().filter(|b| *b != b' ').collect();
    let end = text.iter().rposition(|b| *b != b'=').map_or(0, |i| i + 1);
    let mut out = Vec::with_capacity(end * 5 / 8);
    let (mut bits, mut count) = (0u32, 0u32);
    for b in &text[..end] {
        let value = BASE32.iter().position(|c| *c == b.to_ascii_uppercase())?;
        bits = (bits << 5) | value as u32;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    (bits == 0 && count < 5).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows: the ASCII key "12345678901234567890", eight digits.
    #[test]
    fn rfc_6238_appendix_b() {
        let key = b"12345678901234567890";
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(hotp(key, step_of(time), 8), code, "at {time}");
        }
    }

    /// RFC 4226 Appendix D: HOTP of the same key, six digits, counters 0 to 9.
    #[test]
    fn rfc_4226_appendix_d() {
        let codes =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in codes.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), *code);
        }
    }

    /// Codes from reference implementations: `oathtool --totp -b -N @TIME SECRET` (oathtool 2.6.7,
    /// Debian) and `pyotp.TOTP(SECRET).at(TIME)` (pyotp 2.9), which agree on each (pyotp refuses the
    /// first, shorter secret).
    #[test]
    fn reference_implementations_codes() {
        let table = [
            ("JBSWY3DPEHPK3PXP", [282760, 996554, 71271, 324550, 934016, 890699]),
            ("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", [755224, 287082, 81804, 921300, 100489, 279037]),
            ("KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ", [385551, 493729, 692695, 824292, 554501, 687783]),
        ];
        let times = [0, 59, 1_111_111_109, 1_700_000_000, 1_765_000_000, 2_000_000_000];
        for (secret, codes) in table {
            let secret = Secret::parse(secret).unwrap_or_else(|e| panic!("{e}"));
            for (time, code) in times.iter().zip(codes) {
                assert_eq!(secret.code_at(*time), format!("{code:06}"), "{secret:?} at {time}");
            }
        }
    }

    #[test]
    fn a_code_is_good_one_step_either_side_and_once() {
        let secret = Secret::from_bytes(b"12345678901234567890");
        let now = 1_700_000_000;
        let step = step_of(now);
        let at = |s: u64| secret.code_at_step(s);
        assert_eq!(secret.verify(&at(step), now, None), Some(step));
        assert_eq!(secret.verify(&at(step - 1), now, None), Some(step - 1));
        assert_eq!(secret.verify(&at(step + 1), now, None), Some(step + 1));
        assert_eq!(secret.verify(&at(step - 2), now, None), None, "two steps late");
        assert_eq!(secret.verify(&at(step + 2), now, None), None, "two steps early");
        // Once a step's code is used, neither it nor an older one is taken again.
        assert_eq!(secret.verify(&at(step), now, Some(step)), None, "replayed");
        assert_eq!(secret.verify(&at(step - 1), now, Some(step)), None);
        assert_eq!(secret.verify(&at(step + 1), now, Some(step)), Some(step + 1));
        // What people type around the digits does not matter; anything else is not a code.
        let spaced = format!("{} {}", &at(step)[..3], &at(step)[3..]);
        assert_eq!(secret.verify(&spaced, now, None), Some(step));
        for bad in ["", "12345", "1234567", "abcdef", "12345x", "１２３４５６"] {
            assert_eq!(secret.verify(bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_round_trips_and_refuses_what_is_not() {
        // RFC 4648 section 10.
        for (plain, coded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), coded);
            assert_eq!(base32_decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base32_decode("mzxw 6ytb oi======").as_deref(), Some(b"foobar".as_slice()));
        for bad in ["MZXW1", "MZXW6YT!", "MZ=XW", "MZ9"] {
            assert_eq!(base32_decode(bad), None, "{bad:?}");
        }
        assert!(Secret::parse("MZXW6YTB").is_err(), "too short to be a secret");
        let secret = Secret::from_bytes(&[0xa5; SECRET_BYTES]);
        assert_eq!(Secret::parse(&secret.grouped()), Ok(secret.clone()));
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(secret.grouped().split(' ').count(), 8);
        assert_eq!(format!("{secret:?}"), "Secret(…)");
    }

    #[test]
    fn the_otpauth_address_names_issuer_and_account() {
        let secret = Secret::parse("JBSWY3DPEHPK3PXP").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            otpauth_uri("Rally", "ana@example.org", &secret),
            "otpauth://totp/Rally:ana%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Rally&algorithm=SHA1&digits=6&period=30"
        );
        assert!(
            otpauth_uri("Rally (hoc.example)", "a b", &secret)
                .starts_with("otpauth://totp/Rally%20%28hoc.example%29:a%20b?")
        );
    }

    #[test]
    fn recovery_codes_are_two_groups_of_five_read_back_however_typed() {
        let codes: Vec<String> = (0u8..10).map(|i| recovery_code([i.wrapping_mul(37); RECOVERY_BYTES])).collect();
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(code.as_bytes()[5], b'-');
            assert!(!code.contains(['0', 'o', '1', 'l', 'i']), "{code}");
            let key = recovery_code_key(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(recovery_code_key(&code.to_uppercase().replace('-', " ")), Some(key));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert_eq!(recovery_code([0xff; RECOVERY_BYTES]), recovery_code([0xff; RECOVERY_BYTES]));
        for bad in ["", "abcde", "abcde-fghjk-m", "abcd0-fghjk", "123456"] {
            assert_eq!(recovery_code_key(bad), None, "{bad:?}");
        }
    }
}

//! Integration tests for rally-mail against independent implementations: the MIME structure is
//! read back with `mail-parser`, DKIM signatures are checked with `mail-auth`'s verifier (with the
//! public keys that `openssl` derived from the test keys), SMTP delivery goes to Postfix's
//! `smtp-sink`, and files written by the file transport are parsed again.
//!
//! The SMTP tests need `/usr/sbin/smtp-sink` (Debian's `postfix` package). Without it they print
//! why and pass, unless `RALLY_REQUIRE_SMTP_SINK=1` is set, in which case they fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};
use mail_parser::{MessageParser, MimeHeaders};
use rally_mail::{DkimAlgorithm, DkimKey, MailError, OutgoingMail, RateLimiter, SendError, Transport, build};

/// Test keys made with `openssl genrsa -traditional 2048`, `openssl pkcs8 -topk8 -nocrypt` and
/// `openssl genpkey -algorithm ed25519`; the public halves below come from `openssl ... -pubout`,
/// not from rally-mail, so the DNS records are independent of the code under test.
const RSA_PKCS1_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA4C7FH08/ZM+dIDiaE7p1cCx742TUI2TsECFkr7txy75V++2x
CCbBvjS3CWfLL/u7UC91pg+iYMRwuuOt1lrUBJzhbEgXpfF6Qq8kxAFyiqz9AcCi
estbN4t3IKBoftWrFSk+60b5XmfQs/XUxDaG/ZgkKHvSWXn0pc6kyQ6sr13YTjUc
SoWpMuLIT+ytXxLqNK962UHMNJmEx9+hGoRFUGPLSogtg4Ehm+D8E3jo4pVpiaXz
uMcHXW6Wnr0ilc7HWYgci5xzTyVHlZ0I9wHh2UeKj8X5J7YQYoW6BTLjpqTakUit
/AMhL43763zY09zlc1zZ++cHSMKUKhxBG71N3QIDAQABAoIBAADcf1KGFiwbXo0y
2EqznM7xOkP9U0v3D8bZ/3KmCNS7ua5YuTDscKa2Oej8dFpT3Xlk9mBpwKVvk8c1
3CNq8iVc2HyaLPFEHcSorzL0Z9UkKA0mSTUpV7fxwUDNZ+FfmTHVXnB+eT8G29sq
mmCOKJ80q8cTOROahWrQHwzphdy8KZCqiPXBzzPxRTZWth3gJ0Vp7qYFnUdYesLz
Bxj6M2zjn+SNfWAzzLvTul8Os/2uaqydYcWQ12+XXdI6OIYuRGEbHtHTyb6QiIMn
rZ0b1W24eOqcGWpUcesJBgGnpTXp07eFqcMtZK+fUzRVAAwzaOuJH4DWVL3RC9zW
BH/oL0ECgYEA/vmCaNAHDcwlgxwe/QzAmWzHW67DMjCH5E/q3xRn5cLHBkeiWfPf
OE2jzx1VtRH7WNHHf1pm1WrH6ozrSR/SgP93UBBm0bG0wzIu28/3F8K9BSftfM4z
HAYXGGDXbP/F7zV/sFMSxIcGk17B1k69g0NeRX2B0qRWQStDu/vacR0CgYEA4RWP
nL6volTb2FPuITmrVd2JLpQgKLHYuK//D+N4gajfs1bZPJIoUbY2UbYgGmY+J5uw
3V9wZChp2gajugsZByUsrAAIhfektNwhoLHxuhDpTe9rlMDNXETsMoxVaFu8Sdtd
NXaXuYIu/jzN2UFBRhlOVAUdVTYegNIAdDHWc8ECgYAv7HnEdYU95KcQU5LHgUQa
EkYOR3TM1C5WjWbZ8x3sI4YA+inbumi0TnOBlEPtuqmBcjyLBVTavC1DOqVmoyKP
uHSWid6pfzs4jRAdpKMOxj184JpUoPUeSU7B+EHFbPWpFmcfnx2h7rcfr+nC/B3G
tDzd1s815kmICje694WBSQKBgQCi5X3IDOEDdLKevy9J8Hilbe1IPn9/tCaKkyTf
FNszy0oKesJBae2wJVTukgZt1K0K8UxxCg9HDVB+L+vySvHUD/1ihaulePJEykO0
DtRIutB+TNXpFBgLvP3MH2/4VNvR/+ZXOPrZkPP9n3fC0c0xtELR39m4v7AXvuQB
M8hmgQKBgQC2+XptfUVtD8WHMKgJmlHTIfNhOHS0hBEGvDaFfF7uoz0jyQGgrPw8
eXnCqdh1Jsz7kZmEQ1U83NibuOvCyksly+OpS2WJD5vVMdfeODfOEn8ju80P1DJs
5Z6+NCcaBME5Jq8Bbgu2g0yxPnikjeJvre0Ksh8zGLI6Ql4IW6k29A==
-----END RSA PRIVATE KEY-----";
const RSA_PKCS8_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDgLsUfTz9kz50g
OJoTunVwLHvjZNQjZOwQIWSvu3HLvlX77bEIJsG+NLcJZ8sv+7tQL3WmD6JgxHC6
463WWtQEnOFsSBel8XpCryTEAXKKrP0BwKJ6y1s3i3cgoGh+1asVKT7rRvleZ9Cz
9dTENob9mCQoe9JZefSlzqTJDqyvXdhONRxKhaky4shP7K1fEuo0r3rZQcw0mYTH
36EahEVQY8tKiC2DgSGb4PwTeOjilWmJpfO4xwddbpaevSKVzsdZiByLnHNPJUeV
nQj3AeHZR4qPxfknthBihboFMuOmpNqRSK38AyEvjfvrfNjT3OVzXNn75wdIwpQq
HEEbvU3dAgMBAAECggEAANx/UoYWLBtejTLYSrOczvE6Q/1TS/cPxtn/cqYI1Lu5
rli5MOxwprY56Px0WlPdeWT2YGnApW+TxzXcI2ryJVzYfJos8UQdxKivMvRn1SQo
DSZJNSlXt/HBQM1n4V+ZMdVecH55Pwbb2yqaYI4onzSrxxM5E5qFatAfDOmF3Lwp
kKqI9cHPM/FFNla2HeAnRWnupgWdR1h6wvMHGPozbOOf5I19YDPMu9O6Xw6z/a5q
rJ1hxZDXb5dd0jo4hi5EYRse0dPJvpCIgyetnRvVbbh46pwZalRx6wkGAaelNenT
t4Wpwy1kr59TNFUADDNo64kfgNZUvdEL3NYEf+gvQQKBgQD++YJo0AcNzCWDHB79
DMCZbMdbrsMyMIfkT+rfFGflwscGR6JZ8984TaPPHVW1EftY0cd/WmbVasfqjOtJ
H9KA/3dQEGbRsbTDMi7bz/cXwr0FJ+18zjMcBhcYYNds/8XvNX+wUxLEhwaTXsHW
Tr2DQ15FfYHSpFZBK0O7+9pxHQKBgQDhFY+cvq+iVNvYU+4hOatV3YkulCAosdi4
r/8P43iBqN+zVtk8kihRtjZRtiAaZj4nm7DdX3BkKGnaBqO6CxkHJSysAAiF96S0
3CGgsfG6EOlN72uUwM1cROwyjFVoW7xJ2101dpe5gi7+PM3ZQUFGGU5UBR1VNh6A
0gB0MdZzwQKBgC/secR1hT3kpxBTkseBRBoSRg5HdMzULlaNZtnzHewjhgD6Kdu6
aLROc4GUQ+26qYFyPIsFVNq8LUM6pWajIo+4dJaJ3ql/OziNEB2kow7GPXzgmlSg
9R5JTsH4QcVs9akWZx+fHaHutx+v6cL8Hca0PN3WzzXmSYgKN7r3hYFJAoGBAKLl
fcgM4QN0sp6/L0nweKVt7Ug+f3+0JoqTJN8U2zPLSgp6wkFp7bAlVO6SBm3UrQrx
THEKD0cNUH4v6/JK8dQP/WKFq6V48kTKQ7QO1Ei60H5M1ekUGAu8/cwfb/hU29H/
5lc4+tmQ8/2fd8LRzTG0QtHf2bi/sBe+5AEzyGaBAoGBALb5em19RW0PxYcwqAma
UdMh82E4dLSEEQa8NoV8Xu6jPSPJAaCs/Dx5ecKp2HUmzPuRmYRDVTzc2Ju468LK
SyXL46lLZYkPm9Ux1944N84SfyO7zQ/UMmzlnr40JxoEwTkmrwFuC7aDTLE+eKSN
4m+t7QqyHzMYsjpCXghbqTb0
-----END PRIVATE KEY-----";
const RSA_PUBLIC_DER_B64: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4C7FH08/ZM+dIDiaE7p1cCx742TUI2TsECFkr7txy75V++2xCCbBvjS3CWfLL/u7UC91pg+iYMRwuuOt1lrUBJzhbEgXpfF6Qq8kxAFyiqz9AcCiestbN4t3IKBoftWrFSk+60b5XmfQs/XUxDaG/ZgkKHvSWXn0pc6kyQ6sr13YTjUcSoWpMuLIT+ytXxLqNK962UHMNJmEx9+hGoRFUGPLSogtg4Ehm+D8E3jo4pVpiaXzuMcHXW6Wnr0ilc7HWYgci5xzTyVHlZ0I9wHh2UeKj8X5J7YQYoW6BTLjpqTakUit/AMhL43763zY09zlc1zZ++cHSMKUKhxBG71N3QIDAQAB";
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJg2Xw3DW88ArV6u38pBwq+jHEA4u1yNt6s/th0c5CdL
-----END PRIVATE KEY-----";
const ED25519_PUBLIC_B64: &str = "sKmY3SEDKVyR9Xs+Wv/7kZupIwqsEEPbtJtjTmxKmb0=";

const SUBJECT: &str = "Sat kodiranja — Čestitamo! Поздрав";

fn mail(id: &str) -> OutgoingMail {
    OutgoingMail {
        from: ("Rally — Tim Čestitki".to_owned(), "news@rally.example".to_owned()),
        reply_to: Some("Pomoć <help@rally.example>".to_owned()),
        to: ("Ana Ćosić".to_owned(), "ana@example.org".to_owned()),
        subject: SUBJECT.to_owned(),
        text: "Zdravo Ana,\nČestitamo! Поздрав.\n\nhttps://rally.example/c/1\n".to_owned(),
        html: Some("<p>Zdravo <b>Ana</b>,</p><p>Čestitamo! Поздрав.</p>".to_owned()),
        unsubscribe: Some(("https://rally.example/u/tok123?c=1".to_owned(), true)),
        message_id: id.to_owned(),
        extra_headers: vec![("X-Rally-Message".to_owned(), "42".to_owned())],
    }
}

/// The header block of a message (up to the first empty line), as text.
fn header_block(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.split("\r\n\r\n").next().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// MIME
// ---------------------------------------------------------------------------------------------

#[test]
fn builds_multipart_alternative_with_encoded_headers() {
    let (envelope, bytes) = build(&mail("row-1"), None).unwrap();
    assert_eq!(envelope.from, "news@rally.example");
    assert_eq!(envelope.to, "ana@example.org");

    // 7-bit clean with CRLF line ends and no over-long lines, so any relay can carry it as is.
    assert!(bytes.is_ascii(), "the message must be 7-bit");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF found");
    assert!(text.split("\r\n").all(|line| line.len() <= 998));

    let parsed = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(parsed.subject(), Some(SUBJECT));
    assert_eq!(parsed.message_id(), Some("row-1@rally.example"));
    assert!(parsed.date().is_some());
    assert!(parsed.header_raw("MIME-Version").unwrap().contains("1.0"));
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name.as_deref(), Some("Rally — Tim Čestitki"));
    assert_eq!(from.address.as_deref(), Some("news@rally.example"));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(to.name.as_deref(), Some("Ana Ćosić"));
    assert_eq!(to.address.as_deref(), Some("ana@example.org"));
    let reply_to = parsed.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address.as_deref(), Some("help@rally.example"));
    assert_eq!(reply_to.name.as_deref(), Some("Pomoć"));

    // RFC 8058 headers.
    assert_eq!(parsed.header_raw("List-Unsubscribe").map(str::trim), Some("<https://rally.example/u/tok123?c=1>"));
    assert_eq!(parsed.header_raw("List-Unsubscribe-Post").map(str::trim), Some("List-Unsubscribe=One-Click"));
    assert_eq!(parsed.header_raw("X-Rally-Message").map(str::trim), Some("42"));

    // multipart/alternative with the plain text first and the HTML second.
    let root = parsed.root_part().content_type().unwrap();
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("alternative")));
    let first = parsed.part(1).unwrap().content_type().unwrap();
    let second = parsed.part(2).unwrap().content_type().unwrap();
    assert_eq!((first.ctype(), first.subtype()), ("text", Some("plain")));
    assert_eq!((second.ctype(), second.subtype()), ("text", Some("html")));
    assert!(parsed.body_text(0).unwrap().contains("Čestitamo! Поздрав."));
    assert!(parsed.body_html(0).unwrap().contains("<b>Ana</b>"));
}

#[test]
fn text_only_without_one_click() {
    let mut m = mail("row-2");
    m.html = None;
    m.unsubscribe = Some(("mailto:unsubscribe@rally.example?subject=row-2".to_owned(), false));
    m.reply_to = None;
    m.extra_headers.clear();
    let (_, bytes) = build(&m, None).unwrap();
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    let root = parsed.root_part().content_type().unwrap();
    assert_eq!((root.ctype(), root.subtype()), ("text", Some("plain")));
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
        "Zdravo Ana,\nČestitamo! Поздрав.\n\nhttps://rally.example/c/1"
    );
    assert!(
        parsed.header_raw("List-Unsubscribe").unwrap().contains("<mailto:unsubscribe@rally.example?subject=row-2>")
    );
    assert!(parsed.header_raw("List-Unsubscribe-Post").is_none());
    assert!(parsed.reply_to().is_none());
    assert!(parsed.header_raw("MIME-Version").is_some());
}

#[test]
fn header_injection_is_impossible() {
    let mut m = mail("row-3");
    m.subject = "Hello\r\nBcc: victim@evil.example\r\n\r\nfake body".to_owned();
    m.to.0 = "Ana\r\nBcc: victim2@evil.example".to_owned();
    m.from.0 = "Rally\nX-Injected: 1".to_owned();
    m.unsubscribe = Some(("https://rally.example/u/\r\nBcc: victim3@evil.example".to_owned(), true));
    let (_, bytes) = build(&m, None).unwrap();
    let headers = header_block(&bytes);
    for line in headers.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        assert!(!lower.starts_with("bcc:") && !lower.starts_with("x-injected:"), "injected header line: {line:?}");
    }
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    assert!(parsed.bcc().is_none());
    let subject = parsed.subject().unwrap();
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    assert!(subject.starts_with("Hello Bcc: victim@evil.example"), "{subject:?}");
    assert_eq!(parsed.to().unwrap().first().unwrap().address.as_deref(), Some("ana@example.org"));

    // Extra headers: line breaks in values and bad or reserved names are refused outright.
    for (name, value) in [
        ("X-Rally-Message", "42\r\nBcc: victim@evil.example"),
        ("X-Rally-Message", "42\nBcc: victim@evil.example"),
        ("X-Rally-Message", "42\rBcc: victim@evil.example"),
        ("X-Bad\r\nBcc", "victim@evil.example"),
        ("X-Bad Name", "1"),
        ("X-Bad:Name", "1"),
        ("Bcc", "victim@evil.example"),
        ("from", "ceo@evil.example"),
        ("DKIM-Signature", "v=1"),
        ("", "1"),
    ] {
        let mut m = mail("row-3");
        m.extra_headers = vec![(name.to_owned(), value.to_owned())];
        match build(&m, None) {
            Err(MailError::InvalidHeader { .. }) => {}
            other => panic!("{name:?}: {value:?} was not refused: {:?}", other.map(|(_, b)| String::from_utf8(b))),
        }
    }
}

#[test]
fn invalid_input_is_refused() {
    let mut m = mail("row-4");
    m.to.1 = "not an address".to_owned();
    assert!(matches!(build(&m, None), Err(MailError::InvalidAddress { field: "to", .. })));
    let mut m = mail("row-4");
    m.from.1 = "news@rally.example>\r\nBcc: x@evil.example".to_owned();
    assert!(matches!(build(&m, None), Err(MailError::InvalidAddress { field: "from", .. })));
    let mut m = mail("../../etc/passwd");
    assert!(matches!(build(&m, None), Err(MailError::InvalidMessageId(_))));
    m.message_id = "row-4".to_owned();
    m.unsubscribe = Some(("javascript:alert(1)".to_owned(), false));
    assert!(matches!(build(&m, None), Err(MailError::InvalidUnsubscribe { .. })));
    m.unsubscribe = Some(("mailto:u@rally.example".to_owned(), true));
    assert!(matches!(build(&m, None), Err(MailError::InvalidUnsubscribe { .. })));
}

// ---------------------------------------------------------------------------------------------
// DKIM, verified with mail-auth
// ---------------------------------------------------------------------------------------------

/// A DNS TXT cache holding the test record, so mail-auth never asks a real resolver. Keys are
/// stored the way mail-auth looks them up: lower case with the trailing dot.
#[derive(Default)]
struct TxtRecords(Mutex<HashMap<Box<str>, Txt>>);

impl TxtRecords {
    fn with(name: &str, record: &str) -> TxtRecords {
        let records = TxtRecords::default();
        let key = DomainKey::parse(record.as_bytes()).unwrap();
        let fqdn = format!("{}.", name.trim_end_matches('.').to_ascii_lowercase());
        records.0.lock().unwrap().insert(fqdn.into_boxed_str(), Txt::from(key));
        records
    }
}

impl ResolverCache<Box<str>, Txt> for TxtRecords {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _valid_until: Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

/// Verifies every DKIM-Signature of `bytes` with mail-auth and returns the results.
async fn verify_dkim(bytes: &[u8], dns_name: &str, record: &str) -> Vec<DkimResult> {
    // Loopback-only resolver: if a lookup ever missed the cache it must not leave this machine.
    let config = ResolverConfig::from_name_servers(vec![NameServerConfig::udp(IpAddr::V4(Ipv4Addr::LOCALHOST))]);
    let authenticator = MessageAuthenticator::new(config, ResolverOpts::default()).unwrap();
    let message = AuthenticatedMessage::parse(bytes).unwrap();
    let records = TxtRecords::with(dns_name, record);
    let outputs = authenticator.verify_dkim(Parameters::new(&message).with_txt_cache(&records)).await;
    outputs.iter().map(|output| output.result().clone()).collect()
}

/// The tag list of the (single) DKIM-Signature header, unfolded.
fn dkim_tags(bytes: &[u8]) -> HashMap<String, String> {
    let headers = header_block(bytes).replace("\r\n ", " ").replace("\r\n\t", " ");
    let line = headers.split("\r\n").find(|line| line.to_ascii_lowercase().starts_with("dkim-signature:")).unwrap();
    let value = &line["dkim-signature:".len()..];
    value
        .split(';')
        .filter_map(|tag| tag.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.split_whitespace().collect::<String>()))
        .collect()
}

/// Replaces the whole (possibly folded) header `name` with `name: value`.
fn replace_header(bytes: &[u8], name: &str, value: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let mut skipping = false;
    for line in headers.split("\r\n") {
        if skipping && line.starts_with([' ', '\t']) {
            continue;
        }
        skipping = line.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase()));
        if skipping {
            out.push(format!("{name}: {value}"));
        } else {
            out.push(line.to_owned());
        }
    }
    format!("{}\r\n\r\n{body}", out.join("\r\n")).into_bytes()
}

fn rsa_record() -> String {
    format!("v=DKIM1; k=rsa; p={RSA_PUBLIC_DER_B64}")
}

fn ed25519_record() -> String {
    format!("v=DKIM1; k=ed25519; p={ED25519_PUBLIC_B64}")
}

#[test]
fn dkim_keys_load_and_publish_the_openssl_public_key() {
    let rsa1 = DkimKey::from_pem("rally.example", "s2024", RSA_PKCS1_PEM).unwrap();
    let rsa8 = DkimKey::from_pem("rally.example", "s2024", RSA_PKCS8_PEM).unwrap();
    let ed = DkimKey::from_pem("rally.example", "ed1", ED25519_PEM).unwrap();
    assert_eq!(rsa1.algorithm(), DkimAlgorithm::Rsa);
    assert_eq!(rsa8.algorithm(), DkimAlgorithm::Rsa);
    assert_eq!(ed.algorithm(), DkimAlgorithm::Ed25519);
    assert_eq!(rsa1.dns_record(), rsa_record());
    assert_eq!(rsa8.dns_record(), rsa_record());
    assert_eq!(ed.dns_record(), ed25519_record());
    assert_eq!(rsa1.dns_name(), "s2024._domainkey.rally.example");
    let debug = format!("{rsa1:?}");
    assert!(!debug.contains("MII"), "Debug must not show key material: {debug}");
}

#[tokio::test]
async fn rsa_signature_verifies_and_covers_the_unsubscribe_headers() {
    let key = DkimKey::from_pem("rally.example", "s2024", RSA_PKCS1_PEM).unwrap();
    let (_, bytes) = build(&mail("row-5"), Some(&key)).unwrap();

    let tags = dkim_tags(&bytes);
    assert_eq!(tags["a"], "rsa-sha256");
    assert_eq!(tags["d"], "rally.example");
    assert_eq!(tags["s"], "s2024");
    assert_eq!(tags["c"], "relaxed/relaxed");
    let signed: Vec<&str> = tags["h"].split(':').collect();
    for header in ["from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"] {
        assert!(signed.contains(&header), "{header} is not signed: h={}", tags["h"]);
    }

    assert_eq!(verify_dkim(&bytes, &key.dns_name(), &rsa_record()).await, vec![DkimResult::Pass]);

    // Any change to a signed header after signing breaks the signature...
    let tampered = [
        replace_header(&bytes, "Subject", "Something else"),
        replace_header(&bytes, "List-Unsubscribe", "<https://evil.example/u/tok123?c=1>"),
        replace_header(&bytes, "List-Unsubscribe-Post", "List-Unsubscribe=Nope"),
        replace_header(&bytes, "To", "mallory@evil.example"),
    ];
    for changed in tampered {
        assert_ne!(changed, bytes);
        let results = verify_dkim(&changed, &key.dns_name(), &rsa_record()).await;
        assert!(matches!(results.as_slice(), [DkimResult::Fail(_)]), "{results:?}");
    }
    // ...and so does a change to the body (mail-auth reports the body hash mismatch as neutral).
    let changed = String::from_utf8(bytes.clone()).unwrap().replacen("Zdravo", "Hallo", 1).into_bytes();
    assert_ne!(changed, bytes);
    let results = verify_dkim(&changed, &key.dns_name(), &rsa_record()).await;
    assert!(matches!(results.as_slice(), [DkimResult::Neutral(_) | DkimResult::Fail(_)]), "{results:?}");
}

#[tokio::test]
async fn ed25519_signature_verifies() {
    let key = DkimKey::from_pem("rally.example", "ed1", ED25519_PEM).unwrap();
    let (_, bytes) = build(&mail("row-6"), Some(&key)).unwrap();
    assert_eq!(dkim_tags(&bytes)["a"], "ed25519-sha256");
    assert_eq!(verify_dkim(&bytes, &key.dns_name(), &ed25519_record()).await, vec![DkimResult::Pass]);
    let changed = replace_header(&bytes, "Subject", "Changed");
    let results = verify_dkim(&changed, &key.dns_name(), &ed25519_record()).await;
    assert!(matches!(results.as_slice(), [DkimResult::Fail(_)]), "{results:?}");
}

#[tokio::test]
async fn unsubscribe_headers_cannot_be_added_after_signing() {
    // Over-signing: a message signed without List-Unsubscribe still lists it in h=, so adding one
    // later (e.g. by a hostile relay) fails verification.
    let key = DkimKey::from_pem("rally.example", "s2024", RSA_PKCS1_PEM).unwrap();
    let mut m = mail("row-7");
    m.unsubscribe = None;
    let (_, bytes) = build(&m, Some(&key)).unwrap();
    assert_eq!(verify_dkim(&bytes, &key.dns_name(), &rsa_record()).await, vec![DkimResult::Pass]);
    let text = String::from_utf8(bytes).unwrap();
    let added = format!("List-Unsubscribe: <https://evil.example/u>\r\n{text}").into_bytes();
    let results = verify_dkim(&added, &key.dns_name(), &rsa_record()).await;
    assert!(matches!(results.as_slice(), [DkimResult::Fail(_)]), "{results:?}");
}

// ---------------------------------------------------------------------------------------------
// SMTP against Postfix's smtp-sink
// ---------------------------------------------------------------------------------------------

const SMTP_SINK: &str = "/usr/sbin/smtp-sink";

/// An `smtp-sink` process on a free loopback port that dumps each message into its own file.
/// Dropping it kills exactly that process (by its PID) and removes the dump directory.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// Starts smtp-sink with `extra` options, or returns `None` (after saying why) when it is not
    /// installed and `RALLY_REQUIRE_SMTP_SINK=1` is not set.
    fn start(extra: &[&str]) -> Option<Sink> {
        if !Path::new(SMTP_SINK).exists() {
            if std::env::var("RALLY_REQUIRE_SMTP_SINK").as_deref() == Ok("1") {
                panic!("RALLY_REQUIRE_SMTP_SINK=1 but {SMTP_SINK} is missing; install Debian's postfix package");
            }
            eprintln!(
                "skipping SMTP test: {SMTP_SINK} not found (install postfix; set RALLY_REQUIRE_SMTP_SINK=1 to fail instead)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        // As root smtp-sink must drop privileges (-u postfix), and that user writes the dumps.
        let as_root = is_root();
        if as_root {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let template = format!("{}/msg.", dir.path().display());
        for _attempt in 0..5 {
            let port = free_port();
            let mut command = Command::new(SMTP_SINK);
            if as_root {
                command.args(["-u", "postfix"]);
            }
            command.args(["-d", &template]).args(extra).arg(format!("127.0.0.1:{port}")).arg("100");
            let mut child = command.stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break; // exited, probably lost the port to someone else: try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Sink { child, port, dir });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("smtp-sink did not start");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// The dumped message files.
    fn dumps(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path()).unwrap().map(|entry| entry.unwrap().path()).collect()
    }

    /// Waits (up to 10 s) until `count` messages have been dumped, then returns their contents.
    fn wait_for_dumps(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let files = self.dumps();
            if files.len() >= count || Instant::now() > deadline {
                return files.iter().map(|path| std::fs::read_to_string(path).unwrap()).collect();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("Uid:"))?.to_owned();
            line.split_whitespace().nth(2).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

async fn send(transport: &Transport, m: &OutgoingMail) -> Result<String, SendError> {
    let (envelope, bytes) = build(m, None).unwrap();
    transport.send(&envelope.from, &envelope.to, &bytes).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_pool_delivers_fifty_messages() {
    let Some(sink) = Sink::start(&[]) else { return };
    let transport = Arc::new(Transport::from_url(&sink.url(), 4).unwrap());

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let transport = Arc::clone(&transport);
        tasks.spawn(async move { send(&transport, &mail(&format!("pool-{i}"))).await });
    }
    let mut replies = Vec::new();
    while let Some(result) = tasks.join_next().await {
        replies.push(result.unwrap().unwrap());
    }
    assert_eq!(replies.len(), 50);
    assert!(replies.iter().all(|reply| reply.starts_with("250")), "{replies:?}");
    transport.shutdown().await;

    let dumps = sink.wait_for_dumps(50);
    assert_eq!(dumps.len(), 50);
    for i in 0..50 {
        let id = format!("Message-ID: <pool-{i}@rally.example>");
        assert_eq!(dumps.iter().filter(|dump| dump.contains(&id)).count(), 1, "{id}");
    }
    assert!(dumps.iter().all(|dump| dump.contains("X-Rcpt-Args: <ana@example.org>")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_pool_of_four_delivers_five_hundred_messages() {
    let Some(sink) = Sink::start(&[]) else { return };
    let transport = Arc::new(Transport::from_url(&sink.url(), 4).unwrap());

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..500 {
        let transport = Arc::clone(&transport);
        tasks.spawn(async move { send(&transport, &mail(&format!("bulk-{i}"))).await });
    }
    let mut accepted = 0;
    while let Some(result) = tasks.join_next().await {
        let reply = result.unwrap().unwrap();
        assert!(reply.starts_with("250"), "{reply}");
        accepted += 1;
    }
    assert_eq!(accepted, 500);
    transport.shutdown().await;
    assert!(matches!(send(&transport, &mail("after-shutdown")).await, Err(SendError::Transient(_))));

    let dumps = sink.wait_for_dumps(500);
    assert_eq!(dumps.len(), 500);
    let mut ids: Vec<&str> = dumps
        .iter()
        .map(|dump| dump.lines().find_map(|line| line.strip_prefix("Message-ID: ")).expect("a Message-ID"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 500, "every message arrives exactly once");
    assert!(ids.iter().all(|id| id.starts_with("<bulk-")));
}

#[tokio::test]
async fn smtp_reconnects_when_the_server_dropped_an_idle_connection() {
    // smtp-sink hangs up on a client that sends nothing for a second; the pooled connection is
    // dead by the second send, which must go through on a new connection.
    let Some(sink) = Sink::start(&["-t", "1"]) else { return };
    let transport = Transport::from_url(&sink.url(), 1).unwrap();
    assert!(send(&transport, &mail("idle-1")).await.unwrap().starts_with("250"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(send(&transport, &mail("idle-2")).await.unwrap().starts_with("250"));
    let dumps = sink.wait_for_dumps(2);
    assert_eq!(dumps.len(), 2);
    for id in ["idle-1", "idle-2"] {
        assert_eq!(dumps.iter().filter(|dump| dump.contains(&format!("<{id}@rally.example>"))).count(), 1, "{id}");
    }
}

#[test]
fn a_transport_with_idle_connections_outlives_its_runtime() {
    // Start-up code may build the transport before the runtime and drop it after the runtime ended;
    // pooled connections must then simply be closed, without a panic.
    let Some(sink) = Sink::start(&[]) else { return };
    let transport = Transport::from_url(&sink.url(), 2).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let reply = runtime.block_on(send(&transport, &mail("outlive-1"))).unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    assert!(format!("{transport:?}").contains("idle_connections: 1"), "{transport:?}");
    drop(runtime);
    drop(transport);
    assert_eq!(sink.wait_for_dumps(1).len(), 1);
}

#[tokio::test]
async fn smtp_authenticates_with_url_credentials() {
    let Some(sink) = Sink::start(&[]) else { return };
    let url = format!("smtp://rally%40example:p%40ss:w0rd@127.0.0.1:{}?tls=none", sink.port);
    let transport = Transport::from_url(&url, 1).unwrap();
    assert!(!format!("{transport:?} {transport}").contains("w0rd"));
    let reply = send(&transport, &mail("auth-1")).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    assert_eq!(sink.wait_for_dumps(1).len(), 1);
}

#[tokio::test]
async fn smtp_5xx_on_rcpt_is_permanent() {
    let Some(sink) = Sink::start(&["-f", "RCPT", "-B", "550 5.1.1 Recipient address rejected: User unknown"]) else {
        return;
    };
    let transport = Transport::from_url(&sink.url(), 2).unwrap();
    match send(&transport, &mail("hard-1")).await {
        Err(SendError::Permanent(text)) => {
            assert!(text.starts_with("550"), "{text}");
            assert!(text.contains("User unknown"), "{text}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    // The connection that saw the rejection is discarded; the transport keeps working.
    assert!(matches!(send(&transport, &mail("hard-2")).await, Err(SendError::Permanent(_))));
    assert!(sink.dumps().iter().all(|path| !std::fs::read_to_string(path).unwrap().contains("hard-")));
}

#[tokio::test]
async fn smtp_5xx_before_the_transaction_is_transient() {
    // A relay that refuses the session (greeting or EHLO) is refusing us, not the recipient: no hard bounce.
    for command in ["CONNECT", "EHLO"] {
        let Some(sink) = Sink::start(&["-f", command]) else { return };
        let transport = Transport::from_url(&sink.url(), 1).unwrap();
        match send(&transport, &mail("session-1")).await {
            Err(SendError::Transient(text)) => assert!(text.starts_with('5'), "{command}: {text}"),
            other => panic!("{command}: expected a transient failure, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn smtp_4xx_on_rcpt_is_transient() {
    let Some(sink) = Sink::start(&["-r", "RCPT"]) else { return };
    let transport = Transport::from_url(&sink.url(), 2).unwrap();
    match send(&transport, &mail("soft-1")).await {
        Err(SendError::Transient(text)) => assert!(text.starts_with("450"), "{text}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn smtp_421_disconnect_is_transient() {
    let Some(sink) = Sink::start(&["-Q", "MAIL"]) else { return };
    let transport = Transport::from_url(&sink.url(), 2).unwrap();
    match send(&transport, &mail("busy-1")).await {
        Err(SendError::Transient(text)) => assert!(text.starts_with("421"), "{text}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_is_enforced_unless_turned_off() {
    // smtp-sink offers no STARTTLS and speaks no TLS: the default (required STARTTLS) and implicit
    // TLS must both refuse to go on in clear text, and that is our problem, not the recipient's.
    let Some(sink) = Sink::start(&[]) else { return };
    for url in [
        format!("smtp://user:secret@127.0.0.1:{}", sink.port),
        format!("smtp://127.0.0.1:{}?tls=starttls", sink.port),
        format!("smtps://127.0.0.1:{}", sink.port),
    ] {
        let transport = Transport::from_url(&url, 1).unwrap();
        match send(&transport, &mail("tls-1")).await {
            Err(SendError::Transient(text)) => assert!(!text.contains("secret"), "{text}"),
            other => panic!("{url}: expected a transient failure, got {other:?}"),
        }
    }
    assert!(sink.dumps().is_empty(), "nothing may be delivered without TLS");
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    let port = free_port();
    let transport = Transport::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"), 2).unwrap();
    match send(&transport, &mail("down-1")).await {
        Err(SendError::Transient(text)) => assert!(!text.is_empty()),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_recipient_is_permanent_before_connecting() {
    let port = free_port();
    let transport = Transport::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"), 1).unwrap();
    let err = transport.send("news@rally.example", "not an address", b"Subject: x\r\n\r\nx\r\n").await;
    assert!(matches!(err, Err(SendError::Permanent(_))), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// File transport
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn file_transport_writes_parseable_eml_named_by_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("outbox"); // created on first send
    let transport = Transport::from_url(&format!("file://{}", target.display()), 1).unwrap();

    let key = DkimKey::from_pem("rally.example", "s2024", RSA_PKCS1_PEM).unwrap();
    let (envelope, bytes) = build(&mail("row-8"), Some(&key)).unwrap();
    let reply = transport.send(&envelope.from, &envelope.to, &bytes).await.unwrap();
    assert!(reply.contains("row-8.eml"), "{reply}");
    // A resend (same Message-ID) replaces the file instead of adding a second one.
    transport.send(&envelope.from, &envelope.to, &bytes).await.unwrap();
    let (_, other) = build(&mail("row-9"), None).unwrap();
    transport.send(&envelope.from, &envelope.to, &other).await.unwrap();

    let mut names: Vec<String> =
        std::fs::read_dir(&target).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["row-8.eml", "row-9.eml"], "no temporary files may be left behind");

    let stored = std::fs::read(target.join("row-8.eml")).unwrap();
    assert_eq!(stored, bytes);
    let parsed = MessageParser::default().parse(&stored).unwrap();
    assert_eq!(parsed.message_id(), Some("row-8@rally.example"));
    assert_eq!(parsed.subject(), Some(SUBJECT));
    assert_eq!(verify_dkim(&stored, &key.dns_name(), &rsa_record()).await, vec![DkimResult::Pass]);
}

// ---------------------------------------------------------------------------------------------
// Rate limits (tokio's paused clock: no real waiting)
// ---------------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn rate_limiter_paces_global_and_per_domain() {
    let limiter = RateLimiter::new(10, 0);
    let start = tokio::time::Instant::now();
    for _ in 0..30 {
        limiter.acquire("example.org").await;
    }
    // 10 at once (a full bucket), then 20 more at 10 per second.
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(1990) && elapsed <= Duration::from_millis(2100), "{elapsed:?}");

    let limiter = RateLimiter::new(0, 60);
    let start = tokio::time::Instant::now();
    for i in 0..60 {
        limiter.acquire(if i % 2 == 0 { "Example.ORG" } else { "example.org." }).await;
    }
    assert!(start.elapsed() < Duration::from_millis(10));
    limiter.acquire("other.example").await;
    assert!(start.elapsed() < Duration::from_millis(10), "other domains are not held up");
    limiter.acquire("example.org").await;
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1100), "{elapsed:?}");
}

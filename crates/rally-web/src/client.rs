//! Who is asking, and where Rally is: the public URL every absolute link is built from, the reverse
//! proxies whose forwarded headers are believed, the client's real address, and per-address allowances.
//!
//! Nothing here trusts a request to say where Rally is. A `Host` or `X-Forwarded-*` header is the
//! client's to choose, so a link built from it would send a password-reset or confirmation e-mail
//! pointing anywhere the attacker likes; links come from the configured public URL instead. Forwarded
//! headers are read only when the connection comes from a configured proxy.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

/// Where people reach Rally (`https://rally.example.org`): the scheme, host and port of every absolute
/// link Rally writes — in e-mails, partner links, calendar feeds and unsubscribe links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(Arc<str>);

impl PublicUrl {
    /// An `http` or `https` URL with a host and nothing after it but an optional `/`.
    pub fn parse(raw: &str) -> Result<PublicUrl, String> {
        let trimmed = raw.trim().trim_end_matches('/');
        let (scheme, rest) =
            trimmed.split_once("://").ok_or_else(|| format!("`{raw}` is not a URL like https://rally.example.org"))?;
        if !matches!(scheme, "http" | "https") {
            return Err(format!("`{raw}`: the public URL starts with https:// (or http://)"));
        }
        if rest.is_empty() {
            return Err(format!("`{raw}` has no host name"));
        }
        if rest.contains(['/', '?', '#', '@']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "`{raw}`: give only the scheme, host and port (Rally is served at the root of its address)"
            ));
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
        if !rest.chars().all(valid) {
            return Err(format!("`{raw}`: the host name may hold letters, digits, dots and hyphens (use punycode)"));
        }
        Ok(PublicUrl(format!("{scheme}://{}", rest.to_ascii_lowercase()).into()))
    }

    /// `http://` and the address Rally listens on, for a server only this machine reaches; an
    /// unspecified address (`0.0.0.0`, `::`) is reached as loopback.
    pub fn for_listener(addr: SocketAddr) -> PublicUrl {
        let ip = match addr.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        PublicUrl(format!("http://{}", SocketAddr::new(ip, addr.port())).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether people reach Rally over HTTPS: cookies are then `Secure`.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The reverse proxies in front of Rally (addresses or CIDR ranges). Only a connection from one of them
/// may say, in `X-Forwarded-For`, whom it forwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

/// More ranges than any proxy setup has: the list is checked on every request.
const MAX_TRUSTED_PROXIES: usize = 64;
/// `X-Forwarded-For` entries looked at, from the right: a longer chain is forged or broken.
const MAX_FORWARDED_HOPS: usize = 16;

impl TrustedProxies {
    /// `10.0.0.0/8`, `192.168.1.10`, `::1`, `fd00::/8` … (a bare address is a range of one).
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<TrustedProxies, String> {
        if list.len() > MAX_TRUSTED_PROXIES {
            return Err(format!("at most {MAX_TRUSTED_PROXIES} trusted proxies"));
        }
        let mut nets = Vec::with_capacity(list.len());
        for raw in list {
            let raw = raw.as_ref().trim();
            let net = raw
                .parse::<ipnet::IpNet>()
                .or_else(|_| raw.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{raw}` is not an address or a range like 10.0.0.0/8"))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the rightmost
    /// `X-Forwarded-For` address that is not a trusted proxy (entries left of it are the client's to
    /// invent, so they are not believed).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded_for.iter().rev().flat_map(|v| v.rsplit(',')).take(MAX_FORWARDED_HOPS);
        let mut client = peer;
        for hop in hops {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, perhaps with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// IPv4 addresses that arrive mapped into IPv6 (`::ffff:10.0.0.1`) are compared as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The address a request comes from: the connection's peer, or — behind a trusted proxy — the client
/// it forwards. `None` when the connection's address is unknown (tests that call the router directly).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
            return Ok(ClientIp(None));
        };
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        Ok(ClientIp(Some(app.trusted_proxies.client(peer, &forwarded))))
    }
}

/// A token bucket per client address: `per_hour` requests an hour, up to `burst` at once.
#[derive(Debug)]
pub struct Allowance {
    per_hour: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Addresses remembered before the full buckets are forgotten: bounds the memory a flood of addresses
/// can take.
const MAX_TRACKED: usize = 100_000;

impl Allowance {
    pub fn new(per_hour: u32, burst: f64) -> Allowance {
        let per_hour = f64::from(per_hour.max(1));
        Allowance { per_hour, burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    pub fn per_hour(&self) -> u32 {
        self.per_hour as u32
    }

    /// How long one more request takes to come back once the allowance is used up.
    pub fn seconds_per_attempt(&self) -> i64 {
        (3600.0 / self.per_hour).ceil() as i64
    }

    /// Takes one request from the address's allowance; `false` when it is used up.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let refill = |b: &Bucket| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * self.per_hour / 3600.0;
        let Ok(mut buckets) = self.buckets.lock() else { return true };
        if buckets.len() > MAX_TRACKED {
            // Forget addresses whose allowance is full again.
            buckets.retain(|_, b| refill(b) < self.burst);
        }
        let b = buckets.entry(ip).or_insert(Bucket { tokens: self.burst, at: now });
        b.tokens = refill(b).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn public_urls() {
        assert_eq!(PublicUrl::parse("https://Rally.Example.org/").unwrap().as_str(), "https://rally.example.org");
        assert_eq!(PublicUrl::parse("http://127.0.0.1:8080").unwrap().as_str(), "http://127.0.0.1:8080");
        assert!(PublicUrl::parse("https://rally.example.org").unwrap().is_https());
        for bad in
            ["rally.example.org", "ftp://x.org", "https://", "https://x.org/rally", "https://a@x.org", "https://x y"]
        {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(PublicUrl::for_listener(any).as_str(), "http://127.0.0.1:8080");
        let v6: SocketAddr = "[::1]:9000".parse().unwrap();
        assert_eq!(PublicUrl::for_listener(v6).as_str(), "http://[::1]:9000");
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap();
        let client = |peer: &str, xff: &[&str]| proxies.client(ip(peer), xff).to_string();
        // Not a proxy: whatever it says about itself is ignored.
        assert_eq!(client("203.0.113.9", &["198.51.100.1"]), "203.0.113.9");
        // A proxy: the rightmost address it did not add itself; entries further left are not believed.
        assert_eq!(client("10.0.0.2", &["6.6.6.6, 198.51.100.1"]), "198.51.100.1");
        assert_eq!(client("10.0.0.2", &["6.6.6.6", "198.51.100.1, 10.0.0.7"]), "198.51.100.1");
        assert_eq!(client("::ffff:10.0.0.2", &["198.51.100.1:4711"]), "198.51.100.1");
        assert_eq!(client("::1", &["[2001:db8::5]:443"]), "2001:db8::5");
        // Nothing usable forwarded: the proxy is the client.
        assert_eq!(client("10.0.0.2", &[]), "10.0.0.2");
        assert_eq!(client("10.0.0.2", &["garbage"]), "10.0.0.2");
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(&["proxy.example.org"]).is_err());
        assert!(TrustedProxies::default().is_empty());
    }

    #[test]
    fn allowances_refill_over_time() {
        let a = Allowance::new(60, 2.0);
        let t = Instant::now();
        let who = ip("198.51.100.1");
        assert!(a.allow(who, t) && a.allow(who, t));
        assert!(!a.allow(who, t), "the burst is used up");
        assert!(a.allow(ip("198.51.100.2"), t), "another address has its own");
        assert!(a.allow(who, t + std::time::Duration::from_secs(61)), "one a minute comes back");
    }
}

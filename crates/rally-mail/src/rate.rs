//! Sending rate limits.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Token-bucket rate limits: global messages/second and per recipient domain messages/minute; `acquire(domain).await` waits as needed.
///
/// Relays meter a sender's total rate, and large mailbox providers throttle (or start deferring
/// with `4xx`) when one sender pushes too much to their domain at once; both limits together keep
/// a campaign under those thresholds. Each bucket holds one period's worth of tokens, so an idle
/// sender may burst that much and then settles to the steady rate. A limit of `0` means
/// "unlimited". A token is only taken when *both* buckets have one, so waiting for a busy domain
/// never wastes global capacity that other domains could use.
///
/// Uses tokio's clock, so tests can run it with paused time.
#[derive(Debug)]
pub struct RateLimiter {
    global: Option<Rate>,
    per_domain: Option<Rate>,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct Rate {
    capacity: f64,
    per_second: f64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug)]
struct State {
    global: Bucket,
    domains: HashMap<String, Bucket>,
}

/// Beyond this many tracked domains, buckets that have refilled completely are forgotten (a full
/// bucket behaves exactly like a new one, so this loses nothing).
const PRUNE_ABOVE: usize = 4096;

impl Rate {
    fn new(amount: u32, period_seconds: f64) -> Option<Rate> {
        (amount > 0).then(|| Rate { capacity: f64::from(amount), per_second: f64::from(amount) / period_seconds })
    }

    fn full(self, now: Instant) -> Bucket {
        Bucket { tokens: self.capacity, updated: now }
    }
}

impl Bucket {
    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.capacity);
        self.updated = now;
    }

    /// How long until one token is available.
    fn wait(&self, rate: Rate) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            // Round up to a millisecond so a float rounding error cannot make us spin.
            Duration::from_secs_f64((1.0 - self.tokens) / rate.per_second).max(Duration::from_millis(1))
        }
    }
}

impl RateLimiter {
    /// `global_per_second` messages per second in total and `per_domain_per_minute` messages per
    /// minute to any one recipient domain; `0` disables that limit.
    pub fn new(global_per_second: u32, per_domain_per_minute: u32) -> Self {
        let global = Rate::new(global_per_second, 1.0);
        let per_domain = Rate::new(per_domain_per_minute, 60.0);
        let now = Instant::now();
        let global_bucket = global.map_or(Bucket { tokens: 0.0, updated: now }, |rate| rate.full(now));
        RateLimiter { global, per_domain, state: Mutex::new(State { global: global_bucket, domains: HashMap::new() }) }
    }

    /// Waits until one more message to `domain` is allowed, then counts it. The domain is
    /// compared case-insensitively; pass the recipient address's domain.
    pub async fn acquire(&self, domain: &str) {
        let key = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        loop {
            let wait = self.try_acquire(&key, Instant::now());
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token from both buckets if both have one; otherwise says how long to wait.
    fn try_acquire(&self, key: &str, now: Instant) -> Duration {
        // A panic elsewhere cannot leave the counters inconsistent, so a poisoned lock is fine.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *state;

        let global_wait = match self.global {
            Some(rate) => {
                state.global.refill(rate, now);
                state.global.wait(rate)
            }
            None => Duration::ZERO,
        };
        let domain_wait = match self.per_domain {
            Some(rate) => {
                let bucket = state.domains.entry(key.to_owned()).or_insert_with(|| rate.full(now));
                bucket.refill(rate, now);
                bucket.wait(rate)
            }
            None => Duration::ZERO,
        };

        let wait = global_wait.max(domain_wait);
        if !wait.is_zero() {
            return wait;
        }
        if self.global.is_some() {
            state.global.tokens -= 1.0;
        }
        if let Some(rate) = self.per_domain {
            if let Some(bucket) = state.domains.get_mut(key) {
                bucket.tokens -= 1.0;
            }
            if state.domains.len() > PRUNE_ABOVE {
                state.domains.retain(|_, bucket| {
                    bucket.refill(rate, now);
                    bucket.tokens < rate.capacity
                });
            }
        }
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_bucket_bursts_then_refills() {
        let limiter = RateLimiter::new(2, 0);
        let start = Instant::now();
        assert!(limiter.try_acquire("a", start).is_zero());
        assert!(limiter.try_acquire("b", start).is_zero());
        let wait = limiter.try_acquire("c", start);
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(501), "{wait:?}");
        assert!(limiter.try_acquire("c", start + Duration::from_millis(500)).is_zero());
    }

    #[test]
    fn domains_are_independent() {
        let limiter = RateLimiter::new(0, 1);
        let start = Instant::now();
        assert!(limiter.try_acquire("gmail.com", start).is_zero());
        assert!(limiter.try_acquire("yahoo.com", start).is_zero());
        let wait = limiter.try_acquire("gmail.com", start);
        assert!(wait > Duration::from_secs(59), "{wait:?}");
    }

    #[test]
    fn a_blocked_domain_does_not_consume_global_tokens() {
        let limiter = RateLimiter::new(1, 1);
        let start = Instant::now();
        assert!(limiter.try_acquire("a.example", start).is_zero());
        let later = start + Duration::from_secs(1);
        // a.example is still blocked for a minute; that attempt must leave the global token...
        assert!(!limiter.try_acquire("a.example", later).is_zero());
        // ...for b.example.
        assert!(limiter.try_acquire("b.example", later).is_zero());
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0, 0);
        let now = Instant::now();
        for _ in 0..10_000 {
            assert!(limiter.try_acquire("x", now).is_zero());
        }
    }
}

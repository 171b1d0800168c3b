//! Exponential back-off for guesses: the sign-in's gates. A gate lets a few attempts through freely,
//! then makes each next one wait — 30 seconds, a minute, two, … up to 15 minutes — and forgets
//! everything after a quiet day. An attempt is counted when it is made, before the password is
//! checked (a correct password then opens the gate again), so parallel guesses cannot slip past the
//! count; and no gate ever closes for good, so nobody can lock an owner out of their account.

use chrono::{DateTime, Duration, Utc};

/// The rules of one gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in a row that pass without waiting.
    pub free: u32,
    /// The first wait, doubled for each attempt after it …
    pub first_wait: Duration,
    /// … up to this.
    pub longest_wait: Duration,
    /// A gate left alone this long starts over.
    pub forget_after: Duration,
}

impl Backoff {
    /// One client guessing one account's password: five tries, then 30 s doubling to 15 min.
    pub const PER_CLIENT: Backoff = Backoff {
        free: 5,
        first_wait: Duration::seconds(30),
        longest_wait: Duration::minutes(15),
        forget_after: Duration::days(1),
    };

    /// One account guessed at from anywhere: twenty tries, then the same waits.
    pub const PER_ACCOUNT: Backoff = Backoff { free: 20, ..Backoff::PER_CLIENT };
    /// Reset links asked for one address: three, then ten minutes doubling to two hours, so nobody
    /// can fill a mailbox with them.
    pub const RESET_LINKS: Backoff = Backoff {
        free: 3,
        first_wait: Duration::minutes(10),
        longest_wait: Duration::hours(2),
        forget_after: Duration::days(1),
    };
    /// Reset links asked for from one client, whatever the address: twenty, then the same waits.
    pub const RESET_CLIENT: Backoff = Backoff { free: 20, ..Backoff::RESET_LINKS };

    /// The wait after the `attempts`-th attempt in a row: none within the free ones, then the first
    /// wait after the last free one, doubled for each further attempt, capped.
    pub fn wait_after(&self, attempts: u32) -> Duration {
        if attempts < self.free {
            return Duration::zero();
        }
        let doublings = (attempts - self.free).min(30);
        let wait = self.first_wait.num_seconds().saturating_mul(1i64 << doublings);
        Duration::seconds(wait.min(self.longest_wait.num_seconds()))
    }

    /// An attempt at `now` against a gate in `state`: the gate's new state if the attempt may go
    /// ahead (it is counted), or how long to wait if not (it is not counted).
    pub fn attempt(&self, state: GateState, now: DateTime<Utc>) -> Result<GateState, Duration> {
        let state = if now - state.updated_at > self.forget_after { GateState::default() } else { state };
        if state.open_at > now {
            return Err(state.open_at - now);
        }
        let attempts = state.attempts.saturating_add(1);
        // A free attempt leaves the gate as open as it was: parallel attempts read the clock in any
        // order, and one that read it a moment before this one must not find the gate shut.
        let wait = self.wait_after(attempts);
        let open_at = if wait.is_zero() { state.open_at } else { now + wait };
        Ok(GateState { attempts, open_at, updated_at: now.max(state.updated_at) })
    }
}

/// Where a gate stands: attempts in a row since it was last opened by a correct password, and when
/// it lets the next one through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateState {
    pub attempts: u32,
    pub open_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Default for GateState {
    fn default() -> Self {
        GateState { attempts: 0, open_at: DateTime::UNIX_EPOCH, updated_at: DateTime::UNIX_EPOCH }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::days(10_000) + Duration::seconds(seconds)
    }

    #[test]
    fn waits_double_from_the_last_free_attempt_and_stop_at_fifteen_minutes() {
        let b = Backoff::PER_CLIENT;
        let waits: Vec<i64> = (1..=12).map(|n| b.wait_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(b.wait_after(u32::MAX), Duration::minutes(15), "no overflow");
        assert_eq!(Backoff::PER_ACCOUNT.wait_after(19), Duration::zero());
        assert_eq!(Backoff::PER_ACCOUNT.wait_after(20), Duration::seconds(30));
    }

    #[test]
    fn attempts_while_waiting_are_refused_uncounted() {
        let b = Backoff::PER_CLIENT;
        let mut state = GateState::default();
        for n in 1..=5 {
            state = b.attempt(state, at(0)).unwrap_or_else(|w| panic!("attempt {n} waits {w}"));
        }
        assert_eq!(state.attempts, 5);
        // The sixth at once waits 30 s; trying again meanwhile changes nothing.
        assert_eq!(b.attempt(state, at(0)), Err(Duration::seconds(30)));
        assert_eq!(b.attempt(state, at(10)), Err(Duration::seconds(20)));
        let sixth = b.attempt(state, at(30)).unwrap_or_else(|w| panic!("waits {w}"));
        assert_eq!((sixth.attempts, sixth.open_at), (6, at(90)));
        // Free attempts never shut the gate, whatever order parallel attempts read the clock in.
        let first = b.attempt(GateState::default(), at(5)).unwrap_or_else(|w| panic!("waits {w}"));
        assert!(b.attempt(first, at(4)).is_ok(), "an attempt that read the clock a moment earlier");
        // A quiet day later, the gate has forgotten.
        let later = b.attempt(sixth, at(90 + 86_401)).unwrap_or_else(|w| panic!("waits {w}"));
        assert_eq!(later.attempts, 1);
    }
}

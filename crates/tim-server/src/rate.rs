//! Rate limits: token buckets for requests per connection and messages per user, and the
//! growing delay after failed logins from one address.

use crate::config::Limits;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the server's connections share: the message buckets of users and the failed logins of
/// addresses.
pub struct Rates {
    pub messages: Buckets<(u64, String)>,
    pub logins: LoginFailures,
}

impl Rates {
    pub fn new(limits: &Limits) -> Rates {
        Rates {
            messages: Buckets::new(limits.messages_per_sec),
            logins: LoginFailures::new(limits.free_login_failures),
        }
    }
}

/// A sustained rate with a burst of twice that; 0 is no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_sec: u32,
}

impl Rate {
    fn burst(self) -> f64 {
        2.0 * f64::from(self.per_sec)
    }
}

/// A token bucket, full when made.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: rate.burst(),
            at: now,
        }
    }

    /// Take one token at `now`; false when there is none (nothing is taken).
    pub fn take(&mut self, rate: Rate, now: Instant) -> bool {
        if rate.per_sec == 0 {
            return true;
        }
        self.tokens = self.at(rate, now);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }

    /// Whether it has refilled completely by `now` (it can be forgotten).
    fn full(&self, rate: Rate, now: Instant) -> bool {
        self.at(rate, now) >= rate.burst()
    }

    /// The tokens there are at `now` (refilled since the last take, at most a burst).
    fn at(&self, rate: Rate, now: Instant) -> f64 {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * f64::from(rate.per_sec);
        (self.tokens + refill).min(rate.burst())
    }
}

/// Buckets by key (a user), kept only while they are not full.
pub struct Buckets<K> {
    rate: Rate,
    map: Mutex<HashMap<K, Bucket>>,
}

/// Keys kept before the full buckets are swept out.
const SWEEP_AT: usize = 10_000;

impl<K: Hash + Eq + Clone> Buckets<K> {
    pub fn new(rate: Rate) -> Self {
        Buckets {
            rate,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token of `key`'s bucket.
    pub fn take(&self, key: &K) -> bool {
        if self.rate.per_sec == 0 {
            return true;
        }
        let now = Instant::now();
        let mut map = self.map.lock().expect("rate lock");
        if map.len() >= SWEEP_AT {
            map.retain(|_, b| !b.full(self.rate, now));
        }
        let rate = self.rate;
        map.entry(key.clone())
            .or_insert_with(|| Bucket::new(rate, now))
            .take(rate, now)
    }
}

/// Failed logins from one address within [`FORGET_AFTER`] of each other (a success does not
/// reset them: only failed answers wait, so a shared address costs honest clients nothing).
struct Failures {
    count: u32,
    last: Instant,
}

/// The first delay, doubled with each further failure up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(8);
/// An address that failed no login for this long starts over.
const FORGET_AFTER: Duration = Duration::from_secs(600);

/// The growing delay of failed logins, per source address.
pub struct LoginFailures {
    /// Failed logins answered at once before the delays start.
    free: u32,
    map: Mutex<HashMap<IpAddr, Failures>>,
}

impl LoginFailures {
    pub fn new(free: u32) -> LoginFailures {
        LoginFailures {
            free,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Count a failed login from `ip`; how long to wait before answering it.
    pub fn failed(&self, ip: IpAddr) -> Duration {
        let now = Instant::now();
        let mut map = self.map.lock().expect("login failures lock");
        if map.len() >= SWEEP_AT {
            map.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let f = map.entry(ip).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(f.last) >= FORGET_AFTER {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
        match f.count.checked_sub(self.free.saturating_add(1)) {
            None => Duration::ZERO,
            Some(doublings) => FIRST_DELAY
                .saturating_mul(1 << doublings.min(16))
                .min(MAX_DELAY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_of_twice_the_rate_then_the_rate() {
        let rate = Rate { per_sec: 10 };
        let t0 = Instant::now();
        let mut b = Bucket::new(rate, t0);
        assert_eq!((0..25).filter(|_| b.take(rate, t0)).count(), 20);
        let later = t0 + Duration::from_millis(500);
        assert_eq!((0..25).filter(|_| b.take(rate, later)).count(), 5);
        let off = Rate { per_sec: 0 };
        assert!((0..1000).all(|_| b.take(off, later)));
    }

    #[test]
    fn failed_logins_wait_longer_and_longer_per_address() {
        let f = LoginFailures::new(5);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let delays: Vec<_> = (0..12).map(|_| f.failed(ip)).collect();
        assert!(delays[..5].iter().all(|d| d.is_zero()), "{delays:?}");
        assert_eq!(delays[5], FIRST_DELAY);
        assert_eq!(delays[6], FIRST_DELAY * 2);
        assert_eq!(delays[11], MAX_DELAY);
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(f.failed(other).is_zero());
    }
}

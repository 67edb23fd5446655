//! A small fixed-window limiter keyed by string (an account or a client address). In memory and per
//! instance by design: with several instances the effective limit is the per-instance limit times the
//! number of instances (docs/operations.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit, window, buckets: Mutex::new(HashMap::new()) }
    }

    /// Count one attempt for `key`; `Err(seconds to wait)` when the key is over its limit.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            buckets.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = buckets.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Forget the attempts for `key` (after a successful sign-in to the account).
    pub fn reset(&self, key: &str) {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_says_how_long_to_wait() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.check("a").is_ok());
        }
        let wait = l.check("a").expect_err("over the limit");
        assert!((1..=60).contains(&wait));
        assert!(l.check("b").is_ok(), "keys are independent");
        l.reset("a");
        assert!(l.check("a").is_ok());
    }

    #[test]
    fn window_expiry_restores_the_allowance() {
        let l = RateLimiter::new(1, Duration::from_millis(30));
        assert!(l.check("k").is_ok());
        assert!(l.check("k").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check("k").is_ok());
    }
}

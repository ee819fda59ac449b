//! A per-IP limit on sign-in and sign-up attempts, against password guessing.
//! Kept in memory per replica: with N replicas a client gets at most N times the limit.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

/// Beyond this many tracked addresses, forget the ones whose budget has refilled.
const MAX_TRACKED_CLIENTS: usize = 10_000;

pub struct AuthRateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AuthRateLimiter {
    /// `per_minute` attempts per IP, all usable at once; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        AuthRateLimiter {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Counts one attempt from `ip`; refuses it when the budget is spent.
    /// Requests without a known address share one budget.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() > MAX_TRACKED_CLIENTS {
            limiter.retain_recent();
        }
        let key = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after: wait.max(Duration::from_secs(1)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_address() {
        let limiter = AuthRateLimiter::new(2);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        assert!(matches!(
            limiter.check(a),
            Err(AppError::RateLimited { .. })
        ));
        assert!(limiter.check(b).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = AuthRateLimiter::new(0);
        for _ in 0..100 {
            assert!(limiter.check(None).is_ok());
        }
    }
}

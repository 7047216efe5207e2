//! Slowing password guessing down without locking anybody out: each failure for an account from
//! one client address makes that pair wait longer before its next try. Other addresses are not
//! concerned, so the right password keeps working from wherever nobody failed, and failures for
//! other accounts never slow an address down.

use std::time::Duration;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::storage::{DbConnection, login_failures, now};

/// How long failures are remembered and how fast the wait grows.
#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// Failures forgiven before any wait: typos.
    pub free_failures: u32,
    /// The longest wait, reached by doubling from one second.
    pub max_delay: Duration,
}

impl ThrottlePolicy {
    /// The wait after the `failures`-th recent failure: none for the free ones, then 1 s,
    /// 2 s, 4 s… up to `max_delay`.
    pub fn delay_after(&self, failures: i64) -> Duration {
        let beyond = failures - i64::from(self.free_failures);
        if beyond <= 0 {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(beyond - 1).unwrap_or(u32::MAX).min(30);
        Duration::from_secs(1u64 << doublings).min(self.max_delay)
    }

    fn window_start(&self) -> NaiveDateTime {
        now() - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::minutes(15))
    }
}

/// A try refused before the password was even looked at: the pair must wait this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Rounded up: "0 seconds" would invite a try that is still refused.
        let seconds = u64::try_from(self.0.as_millis().div_ceil(1000))
            .unwrap_or(u64::MAX)
            .max(1);
        if seconds < 60 {
            write!(f, "{seconds} seconde{}", if seconds > 1 { "s" } else { "" })
        } else {
            let minutes = seconds.div_ceil(60);
            write!(f, "{minutes} minute{}", if minutes > 1 { "s" } else { "" })
        }
    }
}

/// What failures are counted against: the account as typed (hashed, so that a password typed
/// in the wrong field is never stored) and the client's address.
pub fn subject(typed_email: &str, client_address: &str) -> String {
    let digest = Sha256::digest(typed_email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("pair:{hex}:{client_address}")
}

/// Whether the pair may try now: refused while its last failure is more recent than the wait
/// its failures earned. Also forgets failures older than the window.
pub fn check(
    conn: &mut DbConnection,
    subject: &str,
    policy: &ThrottlePolicy,
) -> diesel::QueryResult<Result<(), Wait>> {
    let since = policy.window_start();
    login_failures::prune(conn, since)?;
    let (failures, last) = login_failures::recent(conn, subject, since)?;
    let Some(last) = last else {
        return Ok(Ok(()));
    };
    let delay =
        chrono::Duration::from_std(policy.delay_after(failures)).unwrap_or(chrono::Duration::MAX);
    let left = (last + delay - now()).to_std().unwrap_or(Duration::ZERO);
    Ok(if left.is_zero() {
        Ok(())
    } else {
        Err(Wait(left))
    })
}

pub fn record_failure(conn: &mut DbConnection, subject: &str) -> diesel::QueryResult<()> {
    login_failures::record(conn, subject)
}

/// The right password: the pair starts afresh.
pub fn clear(conn: &mut DbConnection, subject: &str) -> diesel::QueryResult<()> {
    login_failures::clear(conn, subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            window: Duration::from_secs(900),
            free_failures: 3,
            max_delay: Duration::from_secs(600),
        }
    }

    #[test]
    fn the_wait_doubles_after_the_free_failures_up_to_the_longest() {
        let waits: Vec<u64> = (0..=15)
            .map(|n| policy().delay_after(n).as_secs())
            .collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
        );
        assert_eq!(policy().delay_after(i64::MAX).as_secs(), 600);
    }

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        assert_eq!(Wait(Duration::from_millis(300)).to_string(), "1 seconde");
        assert_eq!(Wait(Duration::from_secs(8)).to_string(), "8 secondes");
        assert_eq!(Wait(Duration::from_secs(61)).to_string(), "2 minutes");
    }

    #[test]
    fn pairs_differ_by_account_and_address_and_hide_what_was_typed() {
        let typed = subject("Claire@Ville.fr ", "203.0.113.7");
        assert_eq!(typed, subject("claire@ville.fr", "203.0.113.7"));
        assert_ne!(typed, subject("claire@ville.fr", "203.0.113.8"));
        assert_ne!(typed, subject("paul@ville.fr", "203.0.113.7"));
        assert!(!typed.contains("claire"));
    }
}

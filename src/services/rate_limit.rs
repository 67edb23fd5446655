//! Sign-in limits, kept in the `login_limits` table so every instance on one PostgreSQL shares them (and
//! an unsigned-in client cannot grow the service's memory). Two kinds of row:
//!
//! - a client address (`address:…`): attempts in a fixed five-minute window, up to a limit a hall behind
//!   one address passes (default 1000);
//! - an account (`account:` and a hash of the email, so the table holds no email addresses): the number
//!   of recent failed attempts. After a few free failures each further attempt must wait a delay that
//!   doubles up to a cap (default 60 s). The account is slowed, never locked: its owner signs in once the
//!   wait is over, and a success clears the count.
//!
//! Rows expire: ones untouched for an hour (and not waiting) are deleted as sign-ins go by.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::login_limits;
use crate::db::{self, DbConnection};
use crate::error::AppResult;

/// The window of the per-address count.
pub const ADDRESS_WINDOW_SECONDS: i64 = 300;
/// Failures older than this are forgotten (when the account is not waiting).
pub const FAILURE_MEMORY_SECONDS: i64 = 900;
/// Rows untouched this long are deleted.
pub const ROW_LIFETIME_SECONDS: i64 = 3600;

#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub per_address: u32,
    pub free_failures: u32,
    pub max_delay_seconds: u64,
}

/// The wait imposed after the `over`-th failure beyond the free ones: 1 s, 2 s, 4 s … up to `cap`.
pub fn delay_seconds(over: u32, cap: u64) -> u64 {
    if over == 0 {
        return 0;
    }
    1u64.checked_shl(over - 1).unwrap_or(u64::MAX).min(cap)
}

pub fn address_key(purpose: &str, client: &str) -> String {
    format!("{purpose}:{client}")
}

/// The row key of an account: a hash of the normalised email.
pub fn account_key(email: &str) -> String {
    let h = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("account:{}", &hex::encode(h)[..32])
}

fn seconds_until(t: NaiveDateTime, now: NaiveDateTime) -> u64 {
    let ms = (t - now).num_milliseconds().max(0) as u64;
    ms.div_ceil(1000).max(1)
}

fn ensure_row(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> AppResult<()> {
    db::dialect::insert_login_limit_if_missing(conn, key, now)?;
    Ok(())
}

/// Count one attempt from a client address: `Ok(Err(seconds))` when it is over `limit` in the window.
pub fn count_address(conn: &mut DbConnection, key: &str, limit: u32) -> AppResult<Result<(), u64>> {
    let now = db::now();
    ensure_row(conn, key, now)?;
    let window_start = now - chrono::Duration::seconds(ADDRESS_WINDOW_SECONDS);
    diesel::update(
        login_limits::table.filter(login_limits::key.eq(key)).filter(login_limits::window_start.le(window_start)),
    )
    .set((login_limits::window_start.eq(now), login_limits::attempts.eq(0)))
    .execute(conn)?;
    let counted = diesel::update(
        login_limits::table.filter(login_limits::key.eq(key)).filter(login_limits::attempts.lt(limit as i32)),
    )
    .set((login_limits::attempts.eq(login_limits::attempts + 1), login_limits::updated_at.eq(now)))
    .execute(conn)?;
    if counted == 1 {
        return Ok(Ok(()));
    }
    let started: NaiveDateTime =
        login_limits::table.filter(login_limits::key.eq(key)).select(login_limits::window_start).first(conn)?;
    Ok(Err(seconds_until(started + chrono::Duration::seconds(ADDRESS_WINDOW_SECONDS), now)))
}

/// Take an attempt at an account before its password is checked. It counts as a failure until
/// [`account_succeeded`] clears it (so parallel guesses cannot slip past the delay). `Ok(Err(seconds))`
/// when the account must wait.
pub fn account_attempt(conn: &mut DbConnection, key: &str, policy: &LoginPolicy) -> AppResult<Result<(), u64>> {
    let now = db::now();
    ensure_row(conn, key, now)?;
    let not_waiting = login_limits::blocked_until.is_null().or(login_limits::blocked_until.le(now));
    diesel::update(
        login_limits::table
            .filter(login_limits::key.eq(key))
            .filter(login_limits::updated_at.lt(now - chrono::Duration::seconds(FAILURE_MEMORY_SECONDS)))
            .filter(not_waiting),
    )
    .set(login_limits::failures.eq(0))
    .execute(conn)?;
    let failures: Option<i32> =
        diesel::update(login_limits::table.filter(login_limits::key.eq(key)).filter(not_waiting))
            .set((login_limits::failures.eq(login_limits::failures + 1), login_limits::updated_at.eq(now)))
            .returning(login_limits::failures)
            .get_result(conn)
            .optional()?;
    let Some(failures) = failures else {
        let until: Option<NaiveDateTime> =
            login_limits::table.filter(login_limits::key.eq(key)).select(login_limits::blocked_until).first(conn)?;
        return Ok(Err(until.map(|t| seconds_until(t, now)).unwrap_or(1)));
    };
    let over = (failures.max(0) as u32).saturating_sub(policy.free_failures);
    if over > 0 {
        let wait = delay_seconds(over, policy.max_delay_seconds) as i64;
        diesel::update(login_limits::table.filter(login_limits::key.eq(key)))
            .set(login_limits::blocked_until.eq(Some(now + chrono::Duration::seconds(wait))))
            .execute(conn)?;
    }
    Ok(Ok(()))
}

/// The password was right: forget the account's failures.
pub fn account_succeeded(conn: &mut DbConnection, key: &str) -> AppResult<()> {
    diesel::delete(login_limits::table.filter(login_limits::key.eq(key))).execute(conn)?;
    Ok(())
}

/// Delete rows untouched for an hour that are not waiting.
pub fn purge(conn: &mut DbConnection) -> AppResult<usize> {
    let now = db::now();
    Ok(diesel::delete(
        login_limits::table
            .filter(login_limits::updated_at.lt(now - chrono::Duration::seconds(ROW_LIFETIME_SECONDS)))
            .filter(login_limits::blocked_until.is_null().or(login_limits::blocked_until.le(now))),
    )
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_its_cap() {
        let d: Vec<u64> = (0..9).map(|n| delay_seconds(n, 60)).collect();
        assert_eq!(d, vec![0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(delay_seconds(200, 60), 60, "no overflow");
    }

    #[test]
    fn account_keys_hold_no_email_and_ignore_case() {
        let k = account_key(" Rep@Example.org ");
        assert_eq!(k, account_key("rep@example.org"));
        assert!(!k.contains("example"), "{k}");
        assert_eq!(k.len(), "account:".len() + 32);
    }
}

//! Reminders: how many would go now, when the last went, and the rule that a second round within the
//! hour needs to be forced (two clicks on "Send reminders" must not mail 12,000 GPs twice).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{audit_log, roll};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};

/// A second round of reminders within this many minutes of the last is refused unless forced.
pub const MIN_MINUTES_BETWEEN: i64 = 60;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReminderStatus {
    /// Voters on the roll who have not voted: the reminders that would go now.
    pub would_send: i64,
    /// When the last round was queued, and how many it held.
    pub last_sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_count: Option<i64>,
    /// Before this time a new round needs `?force=true`.
    pub next_without_force_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The last round for this ballot, from the audit log: (when, how many).
fn last_round(conn: &mut DbConnection, id: i64) -> AppResult<Option<(NaiveDateTime, i64)>> {
    let row: Option<(String, String)> = audit_log::table
        .filter(audit_log::action.eq("ballot.remind"))
        .filter(audit_log::subject.eq(format!("ballot {id}")))
        .order(audit_log::seq.desc())
        .select((audit_log::at, audit_log::details))
        .first(conn)
        .optional()?;
    let Some((at, details)) = row else { return Ok(None) };
    let at = chrono::DateTime::parse_from_rfc3339(&at).map_err(AppError::internal)?.naive_utc();
    let count =
        serde_json::from_str::<serde_json::Value>(&details).ok().and_then(|d| d["reminders"].as_i64()).unwrap_or(0);
    Ok(Some((at, count)))
}

/// The pure rule: may a round go at `now`, given the last one?
pub fn too_soon(last: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let next = last? + chrono::Duration::minutes(MIN_MINUTES_BETWEEN);
    (now < next).then_some(next)
}

pub fn status(conn: &mut DbConnection, id: i64) -> AppResult<ReminderStatus> {
    let would_send: i64 =
        roll::table.filter(roll::ballot_id.eq(id)).filter(roll::voted.eq(false)).count().get_result(conn)?;
    let last = last_round(conn, id)?;
    Ok(ReminderStatus {
        would_send,
        last_sent_at: last.map(|(t, _)| t.and_utc()),
        last_count: last.map(|(_, n)| n),
        next_without_force_at: last.map(|(t, _)| (t + chrono::Duration::minutes(MIN_MINUTES_BETWEEN)).and_utc()),
    })
}

/// Refuse (409) a round within [`MIN_MINUTES_BETWEEN`] of the last unless forced. Call inside the write
/// transaction that queues the round, so two clicks at once cannot both pass.
pub fn check_not_too_soon(conn: &mut DbConnection, id: i64, force: bool) -> AppResult<()> {
    if force {
        return Ok(());
    }
    let last = last_round(conn, id)?;
    if let (Some((at, n)), Some(next)) = (last, too_soon(last.map(|l| l.0), db::now())) {
        let minutes = (db::now() - at).num_minutes();
        return Err(AppError::conflict(format!(
            "{n} reminders were queued {minutes} minutes ago; another round can go from {} UTC without forcing it \
             (send again with ?force=true to send now)",
            next.format("%H:%M")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_round_within_the_hour_is_too_soon() {
        let t = |h: u32, m: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|d| d.and_hms_opt(h, m, 0)).unwrap_or_default()
        };
        assert_eq!(too_soon(None, t(9, 0)), None, "the first round may always go");
        assert_eq!(too_soon(Some(t(9, 0)), t(9, 1)), Some(t(10, 0)));
        assert_eq!(too_soon(Some(t(9, 0)), t(9, 59)), Some(t(10, 0)));
        assert_eq!(too_soon(Some(t(9, 0)), t(10, 0)), None, "an hour later it may go");
        assert_eq!(too_soon(Some(t(9, 0)), t(15, 0)), None);
    }
}

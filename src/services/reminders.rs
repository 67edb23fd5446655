//! Reminders: how many would go now, when the last went, and the rule that a second round within the
//! hour needs to be forced (two clicks on "Send reminders" must not mail 12,000 GPs twice).
//!
//! Scheduled rounds: the officer sets rounds at so many days before the ballot closes (e.g. seven and two).
//! Each is a row of `reminder_schedule`; the service's one-second tick ([`send_due`]) claims a due row and
//! queues its reminders in one transaction, so a round goes once, after a restart too, and with several
//! instances. A round due within the hour after another round waits for the hour to pass; one that fell
//! due before the ballot opened, or after it closed, is skipped and says so.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ballot::status::BallotStatus;
use crate::db::schema::{audit_log, ballots, reminder_schedule, roll};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::services::{audit_log as log, mail};

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
    /// Scheduled rounds, the furthest from the close first.
    pub schedule: Vec<ScheduledRound>,
    /// When the next scheduled round goes (None when none is waiting).
    pub next_scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The last round for this ballot, from the audit log: (when, how many).
fn last_round(conn: &mut DbConnection, id: i64) -> AppResult<Option<(NaiveDateTime, i64)>> {
    let row: Option<(String, String)> = audit_log::table
        .filter(audit_log::action.eq(log::AuditAction::BallotRemind))
        .filter(audit_log::subject.eq(format!("ballot {id}")))
        .order(audit_log::seq.desc())
        .select((audit_log::at, audit_log::details))
        .first(conn)
        .optional()?;
    let Some((at, details)) = row else { return Ok(None) };
    let at = chrono::DateTime::parse_from_rfc3339(&at).map_err(AppError::internal)?.naive_utc();
    let details: serde_json::Value = serde_json::from_str(&details).map_err(|e| {
        AppError::internal_msg(format!("the stored details of a ballot.remind audit entry do not read: {e}"))
    })?;
    let count = details["reminders"].as_i64().unwrap_or(0);
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
    let schedule = schedule(conn, id)?;
    Ok(ReminderStatus {
        would_send,
        last_sent_at: last.map(|(t, _)| t.and_utc()),
        last_count: last.map(|(_, n)| n),
        next_without_force_at: last.map(|(t, _)| (t + chrono::Duration::minutes(MIN_MINUTES_BETWEEN)).and_utc()),
        next_scheduled_at: schedule.iter().filter(|r| r.state == RoundState::Pending).filter_map(|r| r.due_at).min(),
        schedule,
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

// ---- queuing a round -------------------------------------------------------------------------------

/// Queue a reminder (with the voter's code, rendered at send time) to everyone on the roll who has not
/// voted, and record the round in the audit log as `ballot.remind` (`details.reminders` is the count; the
/// last such entry is "when the last went"). Call inside the write transaction that decides the round.
pub fn queue_round(
    conn: &mut DbConnection,
    id: i64,
    title: &str,
    actor: &str,
    mut details: serde_json::Value,
) -> AppResult<i64> {
    let rows: Vec<(i64, String, String)> = roll::table
        .filter(roll::ballot_id.eq(id))
        .filter(roll::voted.eq(false))
        .order(roll::id.asc())
        .select((roll::id, roll::email, roll::name))
        .load(conn)?;
    for (roll_id, email, name) in &rows {
        mail::enqueue(
            conn,
            &mail::Outgoing {
                kind: mail::MailKind::Reminder,
                to_addr: email.clone(),
                to_name: name.clone(),
                subject: crate::services::letters::ballot_reminder_subject(title),
                body: String::new(),
                ballot_id: Some(id),
                roll_id: Some(*roll_id),
            },
        )?;
    }
    details["reminders"] = serde_json::json!(rows.len());
    log::append(conn, actor, log::AuditAction::BallotRemind, &format!("ballot {id}"), details)?;
    Ok(rows.len() as i64)
}

// ---- scheduled rounds ------------------------------------------------------------------------------

/// Most scheduled rounds a ballot may have, and the furthest before the close one may be.
pub const MAX_ROUNDS: usize = 10;
pub const MAX_DAYS_BEFORE_CLOSE: i32 = 60;

crate::text_enum! {
    /// A scheduled round's state, stored as text; a word this version does not know is a load error.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum RoundState ("reminder round state") {
        /// Waiting for its time.
        Pending = "pending",
        /// Sent: `sent_count` reminders were queued at `done_at`.
        Sent = "sent",
        /// Not sent, and `note` says why (due before the ballot opened, or it closed first).
        Skipped = "skipped",
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduledRound {
    pub days_before_close: i32,
    /// When it goes: the closing time less the days (None if the ballot has no closing time).
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub state: RoundState,
    /// When it was sent or skipped.
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
    /// How many reminders it queued.
    pub sent_count: Option<i64>,
    pub note: Option<String>,
}

/// The officer's schedule: every round, given as days before the ballot closes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// e.g. `[7, 2]`: a round seven days and another two days before the close. `[]` cancels the rounds not
    /// yet sent.
    pub days_before_close: Vec<i32>,
}

/// When a round set `days` before `closes_at` falls due.
pub fn due_at(closes_at: NaiveDateTime, days: i32) -> NaiveDateTime {
    closes_at - chrono::Duration::days(days.into())
}

/// The pure rule for a new schedule: each round 1 to [`MAX_DAYS_BEFORE_CLOSE`] days before the close, at
/// most [`MAX_ROUNDS`], and each round not already recorded (`known`) still in the future and not before the
/// ballot opens. Returns the days, furthest first, without repeats.
pub fn check_schedule(
    days: &[i32],
    known: &[i32],
    closes_at: NaiveDateTime,
    opens_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Vec<i32>, String> {
    let mut out: Vec<i32> = days.to_vec();
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    if out.len() > MAX_ROUNDS {
        return Err(format!("days_before_close: at most {MAX_ROUNDS} rounds, got {}", out.len()));
    }
    let when = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut problems = Vec::new();
    for &d in &out {
        if !(1..=MAX_DAYS_BEFORE_CLOSE).contains(&d) {
            problems.push(format!("{d} is not between 1 and {MAX_DAYS_BEFORE_CLOSE} days before the close"));
            continue;
        }
        if known.contains(&d) {
            continue;
        }
        let due = due_at(closes_at, d);
        if due <= now {
            problems.push(format!("{d} days before the close ({}) has already passed", when(due)));
        } else if opens_at.is_some_and(|o| due < o) {
            problems.push(format!("{d} days before the close ({}) is before the ballot opens", when(due)));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(format!("days_before_close: {}", problems.join("; ")))
    }
}

/// The pure rule for the tick: of the pending rounds, which go now and which are skipped because they fell
/// due before the ballot opened. Rounds due together go as one round.
pub fn due_rounds(
    pending: &[i32],
    closes_at: NaiveDateTime,
    opened_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> (Vec<i32>, Vec<i32>) {
    let mut send = Vec::new();
    let mut skip = Vec::new();
    for &d in pending {
        let due = due_at(closes_at, d);
        if due > now {
            continue;
        }
        if opened_at.is_some_and(|o| due < o) {
            skip.push(d);
        } else {
            send.push(d);
        }
    }
    (send, skip)
}

type RoundRow = (i32, RoundState, Option<NaiveDateTime>, Option<i64>, Option<String>);

fn schedule(conn: &mut DbConnection, id: i64) -> AppResult<Vec<ScheduledRound>> {
    let closes_at: Option<NaiveDateTime> =
        ballots::table.filter(ballots::id.eq(id)).select(ballots::closes_at).first(conn).optional()?.flatten();
    let rows: Vec<RoundRow> = reminder_schedule::table
        .filter(reminder_schedule::ballot_id.eq(id))
        .order(reminder_schedule::days_before_close.desc())
        .select((
            reminder_schedule::days_before_close,
            reminder_schedule::state,
            reminder_schedule::done_at,
            reminder_schedule::sent_count,
            reminder_schedule::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(days, state, done_at, sent_count, note)| {
            Ok(ScheduledRound {
                days_before_close: days,
                due_at: closes_at.map(|c| due_at(c, days).and_utc()),
                state,
                done_at: done_at.map(|t| t.and_utc()),
                sent_count,
                note,
            })
        })
        .collect()
}

/// Set a draft or open ballot's scheduled rounds (officer). Rounds already sent or skipped stay as they
/// are; pending rounds not in the new list are cancelled. 409 once the ballot has closed or while it has no
/// closing time; 422 naming each round that is out of range, already past or before the ballot opens.
pub fn set_schedule(
    conn: &mut DbConnection,
    actor: &crate::services::auth::User,
    id: i64,
    input: &Schedule,
) -> AppResult<ReminderStatus> {
    db::write_tx(conn, |conn| {
        let (state, opens_at, closes_at): (BallotStatus, Option<NaiveDateTime>, Option<NaiveDateTime>) = ballots::table
            .filter(ballots::id.eq(id))
            .select((ballots::status, ballots::opens_at, ballots::closes_at))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))?;
        if !matches!(state, BallotStatus::Draft | BallotStatus::Open) {
            return Err(AppError::conflict(format!("the ballot is {state}: reminders can no longer be scheduled")));
        }
        let Some(closes_at) = closes_at else {
            return Err(AppError::conflict(
                "the ballot has no closing time: set one (edit the draft) before scheduling reminders",
            ));
        };
        let rows: Vec<(i32, RoundState)> = reminder_schedule::table
            .filter(reminder_schedule::ballot_id.eq(id))
            .select((reminder_schedule::days_before_close, reminder_schedule::state))
            .load(conn)?;
        let known: Vec<i32> = rows.iter().map(|r| r.0).collect();
        let opens = if state == BallotStatus::Draft { opens_at } else { None };
        let days = check_schedule(&input.days_before_close, &known, closes_at, opens, db::now())
            .map_err(AppError::validation)?;
        for (d, state) in &rows {
            if *state == RoundState::Pending && !days.contains(d) {
                diesel::delete(
                    reminder_schedule::table
                        .filter(reminder_schedule::ballot_id.eq(id))
                        .filter(reminder_schedule::days_before_close.eq(d)),
                )
                .execute(conn)?;
            }
        }
        for d in days.iter().filter(|d| !known.contains(d)) {
            diesel::insert_into(reminder_schedule::table)
                .values((
                    reminder_schedule::ballot_id.eq(id),
                    reminder_schedule::days_before_close.eq(d),
                    reminder_schedule::state.eq(RoundState::Pending),
                ))
                .execute(conn)?;
        }
        log::append(
            conn,
            &actor.email,
            log::AuditAction::BallotRemindersSchedule,
            &format!("ballot {id}"),
            serde_json::json!({"days_before_close": days}),
        )?;
        status(conn, id)
    })
}

fn mark(
    conn: &mut DbConnection,
    id: i64,
    days: &[i32],
    state: RoundState,
    now: NaiveDateTime,
    count: Option<i64>,
    note: Option<&str>,
) -> AppResult<usize> {
    Ok(diesel::update(
        reminder_schedule::table
            .filter(reminder_schedule::ballot_id.eq(id))
            .filter(reminder_schedule::days_before_close.eq_any(days))
            .filter(reminder_schedule::state.eq(RoundState::Pending)),
    )
    .set((
        reminder_schedule::state.eq(state),
        reminder_schedule::done_at.eq(Some(now)),
        reminder_schedule::sent_count.eq(count),
        reminder_schedule::note.eq(note),
    ))
    .execute(conn)?)
}

/// Send every scheduled round that is due at `now` (the service's tick passes the clock). Returns how many
/// reminders were queued. Reads first and takes the write lock only for a ballot with a round to send or
/// skip; inside it the rounds are claimed again (pending → sent), so a round is never sent twice.
pub fn send_due(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<usize> {
    let pending: Vec<(i64, i32)> = reminder_schedule::table
        .filter(reminder_schedule::state.eq(RoundState::Pending))
        .select((reminder_schedule::ballot_id, reminder_schedule::days_before_close))
        .load(conn)?;
    let mut by_ballot: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
    for (id, d) in pending {
        by_ballot.entry(id).or_default().push(d);
    }
    let mut queued = 0;
    for (id, days) in by_ballot {
        type Row = (BallotStatus, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let (status, closes_at, opened_at): Row = ballots::table
            .filter(ballots::id.eq(id))
            .select((ballots::status, ballots::closes_at, ballots::opened_at))
            .first(conn)?;
        let ended = matches!(status, BallotStatus::Closed | BallotStatus::Published);
        let Some(closes_at) = closes_at else { continue };
        let (send, skip) = due_rounds(&days, closes_at, opened_at, now);
        if !(ended || (status == BallotStatus::Open && !(send.is_empty() && skip.is_empty()))) {
            continue;
        }
        match send_due_for(conn, id, now) {
            Ok(n) => queued += n,
            Err(e) if e.code == crate::error::ErrorCode::Conflict => {}
            Err(e) => tracing::warn!(ballot = id, error = %e, "scheduled reminders"),
        }
    }
    Ok(queued)
}

fn send_due_for(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> AppResult<usize> {
    db::write_tx(conn, |conn| {
        type Row = (BallotStatus, String, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let (status, title, closes_at, opened_at): Row = ballots::table
            .filter(ballots::id.eq(id))
            .select((ballots::status, ballots::title, ballots::closes_at, ballots::opened_at))
            .first(conn)?;
        let pending: Vec<i32> = reminder_schedule::table
            .filter(reminder_schedule::ballot_id.eq(id))
            .filter(reminder_schedule::state.eq(RoundState::Pending))
            .select(reminder_schedule::days_before_close)
            .load(conn)?;
        if matches!(status, BallotStatus::Closed | BallotStatus::Published) {
            mark(conn, id, &pending, RoundState::Skipped, now, None, Some("the ballot closed before it was due"))?;
            return Ok(0);
        }
        let (Some(closes_at), BallotStatus::Open) = (closes_at, status) else { return Ok(0) };
        let (send, skip) = due_rounds(&pending, closes_at, opened_at, now);
        if !skip.is_empty() {
            mark(conn, id, &skip, RoundState::Skipped, now, None, Some("it fell due before the ballot opened"))?;
        }
        if send.is_empty() || too_soon(last_round(conn, id)?.map(|l| l.0), now).is_some() {
            // A round within the hour after the last waits for the hour to pass.
            return Ok(0);
        }
        // Claim the rounds first: on PostgreSQL a second instance doing the same waits on these rows, then
        // finds them no longer pending and rolls back without queuing anything.
        let note = (send.len() > 1).then_some("rounds that fell due together went as one round");
        if mark(conn, id, &send, RoundState::Sent, now, None, note)? != send.len() {
            return Err(AppError::conflict("another instance sent these scheduled reminders"));
        }
        let n = queue_round(
            conn,
            id,
            &title,
            "scheduler",
            serde_json::json!({"forced": false, "scheduled_days_before_close": send}),
        )?;
        diesel::update(
            reminder_schedule::table
                .filter(reminder_schedule::ballot_id.eq(id))
                .filter(reminder_schedule::days_before_close.eq_any(&send)),
        )
        .set(reminder_schedule::sent_count.eq(Some(n)))
        .execute(conn)?;
        Ok(n as usize)
    })
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

    fn at(d: u32, h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, d).and_then(|d| d.and_hms_opt(h, 0, 0)).unwrap_or_default()
    }

    #[test]
    fn a_schedule_is_days_before_the_close_still_to_come() {
        let closes = at(20, 17);
        assert_eq!(check_schedule(&[2, 7, 2], &[], closes, None, at(1, 9)), Ok(vec![7, 2]));
        // Seven days before the close has passed on the 14th; a round already sent may stay in the list.
        let e = check_schedule(&[7, 2], &[], closes, None, at(14, 9)).expect_err("past");
        assert!(e.contains("7 days before the close (2026-12-13 17:00 UTC) has already passed"), "{e}");
        assert_eq!(check_schedule(&[7, 2], &[7], closes, None, at(14, 9)), Ok(vec![7, 2]));
        let e = check_schedule(&[0, 61], &[], closes, None, at(1, 9)).expect_err("range");
        assert!(e.contains("0 is not between 1 and 60") && e.contains("61 is not"), "{e}");
        let e = check_schedule(&[14], &[], closes, Some(at(10, 9)), at(1, 9)).expect_err("before opening");
        assert!(e.contains("before the ballot opens"), "{e}");
        let many: Vec<i32> = (1..=11).collect();
        assert!(check_schedule(&many, &[], closes, None, at(1, 9)).is_err());
        assert_eq!(check_schedule(&[], &[], closes, None, at(1, 9)), Ok(vec![]));
    }

    #[test]
    fn rounds_go_when_due_and_those_due_before_opening_are_skipped() {
        let closes = at(20, 17);
        assert_eq!(due_rounds(&[7, 2], closes, Some(at(1, 9)), at(13, 16)), (vec![], vec![]));
        assert_eq!(due_rounds(&[7, 2], closes, Some(at(1, 9)), at(13, 17)), (vec![7], vec![]));
        assert_eq!(due_rounds(&[7, 2], closes, Some(at(1, 9)), at(19, 9)), (vec![7, 2], vec![]));
        // Opened late, on the 15th: the seven-day round is skipped, the two-day round goes when due.
        assert_eq!(due_rounds(&[7, 2], closes, Some(at(15, 9)), at(15, 9)), (vec![], vec![7]));
        assert_eq!(due_rounds(&[2], closes, Some(at(15, 9)), at(18, 17)), (vec![2], vec![]));
    }
}

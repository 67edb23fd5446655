//! Putting mistakes right: a closed poll voided by the chair (with a reason, in the audit log and the
//! motion's record) so the vote can be taken again; what closing a poll or the conference would do, for
//! the chair to confirm first.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{conferences, motions, parts, poll_votes, polls, representatives};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::procedure::polls::PollStatus;
use crate::procedure::ConferenceStatus;
use crate::services::audit_log;
use crate::services::auth::User;
use crate::services::conference::{self as conf, PollView};
use crate::services::events::{self, ConferenceEvent, Hub};

/// A motion's rows as they were before a poll closed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    motion_id: i64,
    stem: String,
    taken_as: Option<String>,
    whole_outcome: Option<String>,
    whole_qualifier: Option<String>,
    whole_counts: Option<String>,
    parts: Vec<PartSnapshot>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PartSnapshot {
    position: i32,
    label: String,
    text: String,
    outcome: Option<String>,
    qualifier: Option<String>,
    counts: Option<String>,
    added_by_rider: bool,
}

type SnapRow = (String, Option<String>, Option<String>, Option<String>, Option<String>);
type PartSnapRow = (i32, String, String, Option<String>, Option<String>, Option<String>, bool);

fn snapshot(c: &mut DbConnection, motion_id: i64) -> AppResult<Snapshot> {
    let m: SnapRow = motions::table
        .filter(motions::id.eq(motion_id))
        .select((
            motions::stem,
            motions::taken_as,
            motions::whole_outcome,
            motions::whole_qualifier,
            motions::whole_counts,
        ))
        .first(c)?;
    let rows: Vec<PartSnapRow> = parts::table
        .filter(parts::motion_id.eq(motion_id))
        .order(parts::position.asc())
        .select((
            parts::position,
            parts::label,
            parts::text,
            parts::outcome,
            parts::qualifier,
            parts::counts,
            parts::added_by_rider,
        ))
        .load(c)?;
    Ok(Snapshot {
        motion_id,
        stem: m.0,
        taken_as: m.1,
        whole_outcome: m.2,
        whole_qualifier: m.3,
        whole_counts: m.4,
        parts: rows
            .into_iter()
            .map(|p| PartSnapshot {
                position: p.0,
                label: p.1,
                text: p.2,
                outcome: p.3,
                qualifier: p.4,
                counts: p.5,
                added_by_rider: p.6,
            })
            .collect(),
    })
}

fn restore(c: &mut DbConnection, s: &Snapshot) -> AppResult<()> {
    diesel::update(motions::table.filter(motions::id.eq(s.motion_id)))
        .set((
            motions::stem.eq(&s.stem),
            motions::taken_as.eq(&s.taken_as),
            motions::whole_outcome.eq(&s.whole_outcome),
            motions::whole_qualifier.eq(&s.whole_qualifier),
            motions::whole_counts.eq(&s.whole_counts),
        ))
        .execute(c)?;
    diesel::delete(parts::table.filter(parts::motion_id.eq(s.motion_id))).execute(c)?;
    for p in &s.parts {
        diesel::insert_into(parts::table)
            .values((
                parts::motion_id.eq(s.motion_id),
                parts::position.eq(p.position),
                parts::label.eq(&p.label),
                parts::text.eq(&p.text),
                parts::outcome.eq(&p.outcome),
                parts::qualifier.eq(&p.qualifier),
                parts::counts.eq(&p.counts),
                parts::added_by_rider.eq(p.added_by_rider),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// The motions a poll decides (its own, or the 'A' motions it put together), from its stored subject.
/// A poll on one motion's question with no motion stored is a load error, not a poll on no motion (which
/// would let it be voided, or a motion be moved, as if it had never been voted on).
pub(crate) fn motions_of(subject: &str, motion_id: Option<i64>) -> AppResult<Vec<i64>> {
    let subject = conf::read_poll_subject(subject)?;
    if motion_id.is_none() && matches!(subject, crate::procedure::PollSubject::Motion(_)) {
        return Err(AppError::internal_msg("a stored poll on one motion's question names no motion"));
    }
    Ok(subject.motions(motion_id))
}

/// Called inside the transaction that closes a poll, before its result is applied: keeps the motions as
/// they were, so that the poll can be voided.
pub fn keep_before_close(c: &mut DbConnection, poll_id: i64) -> AppResult<()> {
    let (subject, motion_id): (String, Option<i64>) =
        polls::table.filter(polls::id.eq(poll_id)).select((polls::subject, polls::motion_id)).first(c)?;
    let snaps =
        motions_of(&subject, motion_id)?.into_iter().map(|id| snapshot(c, id)).collect::<AppResult<Vec<_>>>()?;
    let text = serde_json::to_string(&snaps).map_err(AppError::internal)?;
    diesel::update(polls::table.filter(polls::id.eq(poll_id))).set(polls::before_state.eq(text)).execute(c)?;
    Ok(())
}

/// Why the chair voids a poll.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidPoll {
    /// Why, in words (kept in the audit log and shown in the motion's record).
    pub reason: String,
}

/// Void a closed poll: its result is undone (the motions go back to how they were before it closed) and
/// the vote can be taken again. Only the latest poll on its motions, and only while the conference is open.
pub fn void_poll(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    poll_id: i64,
    input: VoidPoll,
) -> AppResult<PollView> {
    let reason = input.reason.trim().to_string();
    if reason.is_empty() {
        return Err(AppError::validation("reason: say why the poll is void"));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::validation("reason: at most 500 characters"));
    }
    db::write_tx(conn, |c| {
        type Row = (i64, Option<i64>, String, PollStatus, Option<String>, Option<String>);
        let (conference_id, motion_id, subject, status, before, question): Row = polls::table
            .filter(polls::id.eq(poll_id))
            .select((
                polls::conference_id,
                polls::motion_id,
                polls::subject,
                polls::status,
                polls::before_state,
                polls::question.nullable(),
            ))
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
        match status {
            PollStatus::Closed => {}
            PollStatus::Void => return Err(AppError::conflict("this poll is already void")),
            PollStatus::Open => {
                return Err(AppError::conflict(
                    "this poll is still open: close it first (or let it close), then void it",
                ))
            }
        }
        let conf_status: ConferenceStatus =
            conferences::table.filter(conferences::id.eq(conference_id)).select(conferences::status).first(c)?;
        if conf_status != ConferenceStatus::Open {
            return Err(AppError::conflict("the conference is closed: its results stand"));
        }
        let open: i64 = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq(PollStatus::Open))
            .count()
            .get_result(c)?;
        if open > 0 {
            return Err(AppError::conflict("a poll is open: close it before voiding an earlier one"));
        }
        let Some(before) = before else {
            return Err(AppError::conflict("this poll closed before polls could be voided; it cannot be undone"));
        };
        let snaps: Vec<Snapshot> = serde_json::from_str(&before).map_err(AppError::internal)?;
        // Only the latest poll on each of its motions: a later vote depends on this one.
        let ids = motions_of(&subject, motion_id)?;
        let later: Vec<(i64, Option<i64>, String)> = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::id.gt(poll_id))
            .filter(polls::status.eq(PollStatus::Closed))
            .select((polls::id, polls::motion_id, polls::subject))
            .load(c)?;
        for (later_id, m, s) in &later {
            if motions_of(s, *m)?.iter().any(|id| ids.contains(id)) {
                return Err(AppError::conflict(format!(
                    "poll {later_id} on the same motion closed after this one: void that one first"
                )));
            }
        }
        for s in &snaps {
            restore(c, s)?;
        }
        crate::services::linked_items::after_void(c, poll_id)?;
        diesel::update(polls::table.filter(polls::id.eq(poll_id)))
            .set((
                polls::status.eq(PollStatus::Void),
                polls::void_reason.eq(&reason),
                polls::voided_at.eq(Some(db::now())),
            ))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::PollVoid,
            &format!("poll {poll_id}"),
            serde_json::json!({"motions": ids, "question": question, "reason": reason}),
        )?;
        Ok(())
    })?;
    let p = conf::get_poll(conn, poll_id)?;
    events::tell(hub, conn, ConferenceEvent::PollVoided(p.clone()));
    if let Some(motion_id) = p.motion_id {
        let m = conf::get_motion(conn, motion_id)?;
        events::tell(hub, conn, ConferenceEvent::MotionUpdated(m));
    }
    Ok(p)
}

/// A poll that was voided, as shown with its motion.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoidedPoll {
    pub poll_id: i64,
    pub question: String,
    pub reason: String,
    pub voided_at: chrono::DateTime<chrono::Utc>,
}

/// The voided polls of a motion (its own, and 'A' motion polls that included it), oldest first.
pub fn voided_polls(c: &mut DbConnection, conference_id: i64, motion_id: i64) -> AppResult<Vec<VoidedPoll>> {
    Ok(voided_polls_by_motion(c, conference_id)?.remove(&motion_id).unwrap_or_default())
}

/// The voided polls of a conference, by the motions each was on (one query).
pub fn voided_polls_by_motion(
    c: &mut DbConnection,
    conference_id: i64,
) -> AppResult<std::collections::HashMap<i64, Vec<VoidedPoll>>> {
    type Row = (i64, Option<i64>, String, String, Option<String>, Option<chrono::NaiveDateTime>);
    let rows: Vec<Row> = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .filter(polls::status.eq(PollStatus::Void))
        .order(polls::id.asc())
        .select((polls::id, polls::motion_id, polls::subject, polls::question, polls::void_reason, polls::voided_at))
        .load(c)?;
    let mut by_motion: std::collections::HashMap<i64, Vec<VoidedPoll>> = std::collections::HashMap::new();
    for r in rows {
        let voided = VoidedPoll {
            poll_id: r.0,
            question: r.3,
            reason: r.4.unwrap_or_default(),
            voided_at: r.5.map(|t| t.and_utc()).unwrap_or_default(),
        };
        for motion_id in motions_of(&r.2, r.1)? {
            by_motion.entry(motion_id).or_default().push(voided.clone());
        }
    }
    Ok(by_motion)
}

/// What closing a poll now would mean: how many registered representatives voted.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CloseCheck {
    pub votes_cast: i64,
    pub registered: i64,
    /// Fewer than half of the registered representatives voted: the chair is asked to confirm.
    pub needs_confirmation: bool,
    pub message: Option<String>,
}

pub fn close_check(c: &mut DbConnection, poll_id: i64) -> AppResult<CloseCheck> {
    let (conference_id, method): (i64, String) = polls::table
        .filter(polls::id.eq(poll_id))
        .select((polls::conference_id, polls::method))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    let registered: i64 =
        representatives::table.filter(representatives::conference_id.eq(conference_id)).count().get_result(c)?;
    let votes_cast: i64 = poll_votes::table.filter(poll_votes::poll_id.eq(poll_id)).count().get_result(c)?;
    let low = method == "electronic" && votes_cast * 2 < registered;
    Ok(CloseCheck {
        votes_cast,
        registered,
        needs_confirmation: low,
        message: low.then(|| {
            format!(
                "Only {votes_cast} of {registered} registered representatives have voted (fewer than half). Close the vote anyway?"
            )
        }),
    })
}

/// What closing the conference now would do.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConferenceCloseCheck {
    /// Motions not yet decided, which would become NOT REACHED.
    pub not_reached: usize,
    /// Their printed numbers.
    pub items: Vec<String>,
    pub open_poll: bool,
}

pub fn conference_close_check(c: &mut DbConnection, conference_id: i64) -> AppResult<ConferenceCloseCheck> {
    let motions = conf::list_motions(c, conference_id)?;
    let items: Vec<String> = motions.iter().filter(|m| m.outcome_text.is_none()).map(|m| m.item.clone()).collect();
    let open: i64 = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .filter(polls::status.eq(PollStatus::Open))
        .count()
        .get_result(c)?;
    Ok(ConferenceCloseCheck { not_reached: items.len(), items, open_poll: open > 0 })
}

/// The body of `POST /polls/{id}/close`: none (or `{"confirm": true}`) for an electronic poll; the chair's
/// declaration (`result`, and `counts` if taken) for a show of hands.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Close the vote even though fewer than half of the registered representatives have voted.
    #[serde(default)]
    pub confirm: bool,
    /// Show of hands: "carried" or "lost".
    pub result: Option<String>,
    /// Show of hands: the counts, if taken.
    pub counts: Option<crate::procedure::Counts>,
}

/// Close a poll. An electronic vote in which fewer than half of the registered representatives have voted
/// is closed only when the chair confirms: without `confirm`, 409 `confirmation_needed` with the figures.
pub fn close_poll(
    c: &mut DbConnection,
    hub: &crate::services::events::Hub,
    actor: &User,
    poll_id: i64,
    req: Option<CloseRequest>,
) -> AppResult<PollView> {
    let req = req.unwrap_or_default();
    let declaration = match (req.result, req.counts) {
        (Some(result), counts) => Some(conf::Declaration { result, counts }),
        (None, Some(_)) => return Err(AppError::validation("counts: give the declared result with them")),
        (None, None) => None,
    };
    if declaration.is_none() && !req.confirm {
        // Votes are only ever added, so a check that passes here still holds when the poll closes.
        let check = close_check(c, poll_id)?;
        if check.needs_confirmation {
            return Err(AppError::new(
                crate::error::ErrorCode::ConfirmationNeeded,
                format!(
                    "only {} of {} registered representatives have voted (fewer than half); to close the vote anyway, send {{\"confirm\": true}}",
                    check.votes_cast, check.registered
                ),
            ));
        }
    }
    conf::close_poll(c, hub, actor, poll_id, declaration)
}

/// A body that only confirms: `{"confirm": true}`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    #[serde(default)]
    pub confirm: bool,
}

/// Close the conference. While motions are undecided (closing makes them NOT REACHED) the chair must
/// confirm: without `confirm`, 409 `confirmation_needed` saying how many, and which.
pub fn close_conference(
    c: &mut DbConnection,
    hub: &crate::services::events::Hub,
    actor: &User,
    conference_id: i64,
    confirm: bool,
) -> AppResult<conf::Conference> {
    if !confirm {
        let check = conference_close_check(c, conference_id)?;
        if check.not_reached > 0 && !check.open_poll {
            let shown: Vec<&str> = check.items.iter().take(20).map(String::as_str).collect();
            return Err(AppError::new(
                crate::error::ErrorCode::ConfirmationNeeded,
                format!(
                    "{} will become NOT REACHED ({}{}); to close the conference anyway, send {{\"confirm\": true}}",
                    if check.not_reached == 1 {
                        "1 motion".to_string()
                    } else {
                        format!("{} motions", check.not_reached)
                    },
                    shown.join(", "),
                    if check.items.len() > shown.len() { ", …" } else { "" },
                ),
            ));
        }
    }
    conf::close_conference(c, hub, actor, conference_id)
}

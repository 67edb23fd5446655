//! Applying a carried agenda-committee motion about the agenda ("that item 217 be an 'A' motion"): the
//! wording is read by `procedure::committee_motion`; here the named items' marks change (or they are
//! taken in parts, or withdrawn), in one transaction with an entry in the audit log.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{audit_log as log_table, motions, parts, polls};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::procedure::committee_motion::{read_committee_motion, CommitteeAction, CommitteeMotion};
use crate::procedure::polls::PollStatus;
use crate::procedure::{AgendaMark, ConferenceStatus, Outcome, TakenAs};
use crate::services::audit_log;
use crate::services::auth::User;
use crate::services::conference::{self as conf, MotionView};
use crate::services::events::{self, ConferenceEvent, Hub};

/// Options of an apply request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ApplyOptions {
    /// Say what applying would do, without changing anything (allowed before the motion is carried).
    #[serde(default)]
    pub dry_run: bool,
}

/// What applying changes in one named item.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemChange {
    /// The printed number.
    pub item: String,
    pub motion_id: i64,
    /// What happens to it, in words ("becomes an 'A' motion").
    pub changes: Vec<String>,
}

/// The answer to an apply request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitteeApply {
    /// The agenda-committee motion applied.
    pub motion_id: i64,
    pub item: String,
    /// The wording as read.
    pub reading: CommitteeMotion,
    pub dry_run: bool,
    pub changes: Vec<ItemChange>,
    /// The named items as they are now (for a dry run, unchanged).
    pub motions: Vec<MotionView>,
}

const APPLY_ACTION: audit_log::AuditAction = audit_log::AuditAction::MotionApplyCommittee;

/// Whole text of the motion as printed: its stem and parts.
fn wording(m: &MotionView) -> String {
    let mut t = m.stem.clone();
    for p in &m.parts {
        t.push(' ');
        t.push_str(&p.text);
    }
    t
}

fn already_applied(c: &mut DbConnection, motion_id: i64) -> AppResult<bool> {
    let n: i64 = log_table::table
        .filter(log_table::action.eq(APPLY_ACTION))
        .filter(log_table::subject.eq(format!("motion {motion_id}")))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

fn with_mark(marks: &[AgendaMark], add: Option<AgendaMark>, remove: &[AgendaMark]) -> Vec<AgendaMark> {
    let mut m: Vec<AgendaMark> = marks.iter().copied().filter(|k| !remove.contains(k)).collect();
    if let Some(a) = add {
        m.push(a);
    }
    m.sort();
    m.dedup();
    m
}

/// Works out, and unless `dry_run` makes, the changes to one target item. Errors name the item.
fn change_item(
    c: &mut DbConnection,
    target: &MotionView,
    actions: &[CommitteeAction],
    dry_run: bool,
) -> AppResult<Vec<String>> {
    let item = &target.item;
    if target.outcome_text.is_some() {
        return Err(AppError::conflict(format!(
            "item {item} is already decided ({}): nothing to apply to it",
            target.outcome_text.clone().unwrap_or_default()
        )));
    }
    let open: i64 = polls::table
        .filter(polls::motion_id.eq(target.id))
        .filter(polls::status.eq(PollStatus::Open))
        .count()
        .get_result(c)?;
    if open > 0 {
        return Err(AppError::conflict(format!("a vote on item {item} is open: close it first")));
    }
    let mut marks = target.marks.clone();
    let mut said = Vec::new();
    let mut take_parts = false;
    let mut withdraw = false;
    for a in actions {
        match a {
            CommitteeAction::MarkA => marks = with_mark(&marks, Some(AgendaMark::A), &[AgendaMark::Ar]),
            CommitteeAction::MarkAr => marks = with_mark(&marks, Some(AgendaMark::Ar), &[AgendaMark::A]),
            CommitteeAction::Star => marks = with_mark(&marks, Some(AgendaMark::Starred), &[]),
            CommitteeAction::ToGrey => marks = with_mark(&marks, Some(AgendaMark::Grey), &[]),
            CommitteeAction::FromGrey => marks = with_mark(&marks, None, &[AgendaMark::Grey]),
            CommitteeAction::TakeInParts => {
                if target.parts.len() < 2 {
                    return Err(AppError::validation(format!(
                        "item {item} has {} part{}: it cannot be taken in parts",
                        target.parts.len(),
                        if target.parts.len() == 1 { "" } else { "s" }
                    )));
                }
                if target.parts.iter().any(|p| p.outcome.is_some()) {
                    return Err(AppError::conflict(format!("a part of item {item} is decided already")));
                }
                take_parts = true;
            }
            CommitteeAction::Withdraw => withdraw = true,
        }
        said.push(a.describe().to_string());
    }
    if dry_run {
        return Ok(said);
    }
    if marks != target.marks {
        diesel::update(motions::table.filter(motions::id.eq(target.id)))
            .set(motions::marks.eq(serde_json::to_string(&marks).map_err(AppError::internal)?))
            .execute(c)?;
    }
    if take_parts {
        diesel::update(motions::table.filter(motions::id.eq(target.id)))
            .set(motions::taken_as.eq(TakenAs::Parts.as_str()))
            .execute(c)?;
    }
    if withdraw {
        // As `decide` does: the motion's outcome, and every part not yet decided.
        let taken = if take_parts { Some(TakenAs::Parts) } else { target.taken_as };
        diesel::update(motions::table.filter(motions::id.eq(target.id)))
            .set((
                motions::whole_outcome.eq(Outcome::Withdrawn.as_str()),
                motions::taken_as.eq(taken.unwrap_or(TakenAs::Whole).as_str()),
            ))
            .execute(c)?;
        diesel::update(parts::table.filter(parts::motion_id.eq(target.id)).filter(parts::outcome.is_null()))
            .set(parts::outcome.eq(Outcome::Withdrawn.as_str()))
            .execute(c)?;
    }
    Ok(said)
}

/// Applies a carried agenda-committee motion about the agenda to the items it names, and tells the hall
/// (`motion_updated` for each). With `dry_run`, says what it would do (the motion need not be carried yet).
pub fn apply_committee_motion(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    motion_id: i64,
    options: ApplyOptions,
) -> AppResult<CommitteeApply> {
    let dry_run = options.dry_run;
    let run = |c: &mut DbConnection| -> AppResult<(CommitteeApply, Vec<i64>)> {
        let m = conf::get_motion(c, motion_id)?;
        let reading = read_committee_motion(&wording(&m)).map_err(|e| {
            AppError::validation(format!("item {} is not an agenda-committee motion about the agenda: {e}", m.item))
        })?;
        if !dry_run {
            let status = conf::get_conference(c, m.conference_id)?.status;
            if status != ConferenceStatus::Open {
                return Err(AppError::conflict("the conference is closed"));
            }
            if m.outcome != Some(Outcome::Carried) {
                return Err(AppError::conflict(format!(
                    "item {} is not carried ({}): only a carried motion is applied",
                    m.item,
                    m.outcome_text.clone().unwrap_or_else(|| "not yet decided".into())
                )));
            }
            if already_applied(c, motion_id)? {
                return Err(AppError::conflict(format!("item {} has already been applied", m.item)));
            }
        }
        let all = conf::list_motions(c, m.conference_id)?;
        let mut changes = Vec::new();
        let mut ids = Vec::new();
        for number in &reading.items {
            let target = all.iter().find(|t| t.item.eq_ignore_ascii_case(number)).ok_or_else(|| {
                AppError::validation(format!("item {} names item {number}, which is not on this agenda", m.item))
            })?;
            if target.id == motion_id {
                return Err(AppError::validation(format!("item {} names itself", m.item)));
            }
            let said = change_item(c, target, &reading.actions, dry_run)?;
            changes.push(ItemChange { item: target.item.clone(), motion_id: target.id, changes: said });
            ids.push(target.id);
        }
        if !dry_run {
            audit_log::append(
                c,
                &actor.email,
                APPLY_ACTION,
                &format!("motion {motion_id}"),
                serde_json::json!({
                    "conference_id": m.conference_id,
                    "item": m.item,
                    "items": reading.items,
                    "actions": reading.actions,
                }),
            )?;
        }
        Ok((CommitteeApply { motion_id, item: m.item.clone(), reading, dry_run, changes, motions: Vec::new() }, ids))
    };
    let (mut out, ids) = if dry_run { run(conn)? } else { db::write_tx(conn, run)? };
    out.motions = ids.into_iter().map(|id| conf::get_motion(conn, id)).collect::<AppResult<_>>()?;
    if !dry_run {
        for m in &out.motions {
            events::tell(hub, conn, ConferenceEvent::MotionUpdated(m.clone()));
        }
    }
    Ok(out)
}

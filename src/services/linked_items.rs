//! Imported amendments and riders put to the vote on the motion they amend. The agenda import stores an
//! amendment or rider as its own item with `amends` naming the item it amends; putting it opens a poll on
//! that motion (an amendment with the part as amended, or a rider with its new part, read by
//! `procedure::amendment_wording` or given by the chair), linked to the item so that when the poll
//! closes the item is CARRIED or LOST, and when the poll is voided it is undecided again.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{motions, parts, polls};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::procedure::amendment_wording::{read_amendment, Proposal};
use crate::procedure::polls::PollStatus;
use crate::procedure::AmendmentError;
use crate::procedure::{ItemKind, Majority, Outcome, Subject, TakenAs};
use crate::services::auth::User;
use crate::services::conference::{self as conf, MotionView, NewPoll, PollView};
use crate::services::events::Hub;

// The link between a poll and the agenda item it decides (migration 2026-11-29-212400_order_poll_items).
diesel::table! {
    poll_items (poll_id) {
        poll_id -> BigInt,
        motion_id -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(poll_items, polls);

/// Putting an imported amendment or rider to the vote. Every field may be left out: the wording is then
/// read from the item as printed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutItem {
    /// For an amendment: the part it amends (as the motion labels it); leave out for the stem. Only with `text`.
    pub part: Option<String>,
    /// For an amendment, the full wording of the part (or stem) as amended; for a rider, the new part.
    pub text: Option<String>,
    pub majority: Option<Majority>,
    /// "electronic" (default) or "show_of_hands".
    pub method: Option<String>,
}

/// What putting the item would put, on which motion (the answer of a dry run).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PutPreview {
    pub item: String,
    /// The motion it amends.
    pub motion_id: i64,
    pub motion_item: String,
    #[schema(value_type = Object)]
    pub subject: Subject,
    /// Why the wording could not be read, when it could not (the chair then gives it).
    pub problem: Option<String>,
}

/// Options of a put request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PutOptions {
    /// Say what would be put, and on which motion, without opening a poll.
    #[serde(default)]
    pub dry_run: bool,
}

fn target_of(c: &mut DbConnection, item: &MotionView) -> AppResult<MotionView> {
    if !matches!(item.kind, ItemKind::Amendment | ItemKind::Rider) {
        return Err(AppError::validation(format!("item {} is not an amendment or a rider", item.item)));
    }
    let Some(amends) = item.amends.as_deref() else {
        return Err(AppError::validation(format!("item {} does not name the item it amends", item.item)));
    };
    let found: Vec<(i64, Option<String>)> = motions::table
        .filter(motions::conference_id.eq(item.conference_id))
        .select((motions::id, motions::item))
        .load(c)?;
    let id = found
        .iter()
        .find(|(_, i)| i.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(amends)))
        .map(|(id, _)| *id)
        .ok_or_else(|| {
            AppError::validation(format!("item {} amends item {amends}, which is not on this agenda", item.item))
        })?;
    conf::get_motion(c, id)
}

/// The subject read from the item as printed, or given by the chair.
fn subject_for(item: &MotionView, target: &MotionView, input: &PutItem) -> Result<Subject, AmendmentError> {
    let rider = item.kind == ItemKind::Rider;
    if let Some(text) = &input.text {
        return Ok(if rider {
            Subject::Rider { text: text.clone() }
        } else {
            Subject::Amendment { part: input.part.clone(), text: text.clone() }
        });
    }
    let mut wording = item.stem.clone();
    for p in &item.parts {
        wording.push(' ');
        wording.push_str(&p.label);
        wording.push(' ');
        wording.push_str(&p.text);
    }
    let target_parts: Vec<(String, String)> = target.parts.iter().map(|p| (p.label.clone(), p.text.clone())).collect();
    Ok(match read_amendment(rider, &wording, &target.stem, &target_parts)? {
        Proposal::Amend { part, text } => Subject::Amendment { part, text },
        Proposal::Rider { text } => Subject::Rider { text },
    })
}

/// Says what putting the item would put (`dry_run`), or opens the poll on the motion it amends, linked to
/// the item (`open_poll` tells the hall).
pub fn put_item(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    item_id: i64,
    input: PutItem,
    dry_run: bool,
) -> AppResult<Result<PollView, PutPreview>> {
    if input.part.is_some() && input.text.is_none() {
        return Err(AppError::validation("part: give the text as amended with it"));
    }
    let item = conf::get_motion(conn, item_id)?;
    if item.outcome_text.is_some() {
        return Err(AppError::conflict(format!(
            "item {} is already decided ({})",
            item.item,
            item.outcome_text.clone().unwrap_or_default()
        )));
    }
    let target = target_of(conn, &item)?;
    let subject = subject_for(&item, &target, &input);
    if dry_run {
        let (subject, problem) = match subject {
            Ok(s) => (s, None),
            Err(e) => (
                if item.kind == ItemKind::Rider {
                    Subject::Rider { text: String::new() }
                } else {
                    Subject::Amendment { part: None, text: String::new() }
                },
                Some(e.to_string()),
            ),
        };
        return Ok(Err(PutPreview {
            item: item.item.clone(),
            motion_id: target.id,
            motion_item: target.item.clone(),
            subject,
            problem,
        }));
    }
    let subject = subject.map_err(|e| {
        AppError::validation(format!("item {}: {e}; give the wording as amended (text, and part)", item.item))
    })?;
    let linked: i64 = poll_items::table
        .inner_join(polls::table.on(polls::id.eq(poll_items::poll_id)))
        .filter(poll_items::motion_id.eq(item_id))
        .filter(polls::status.ne(PollStatus::Void))
        .count()
        .get_result(conn)?;
    if linked > 0 {
        return Err(AppError::conflict(format!("item {} has been put to the vote already", item.item)));
    }
    let poll = conf::open_poll(
        conn,
        hub,
        actor,
        target.id,
        NewPoll { subject, majority: input.majority, method: input.method },
    )?;
    db::write_tx(conn, |c| {
        diesel::insert_into(poll_items::table)
            .values((poll_items::poll_id.eq(poll.id), poll_items::motion_id.eq(item_id)))
            .execute(c)?;
        Ok(())
    })?;
    Ok(Ok(poll))
}

/// Called in the transaction that closes a poll: the linked item (if any) is CARRIED or LOST.
pub fn after_close(c: &mut DbConnection, poll_id: i64, carried: bool) -> AppResult<()> {
    let Some(item) = poll_items::table
        .filter(poll_items::poll_id.eq(poll_id))
        .select(poll_items::motion_id)
        .first::<i64>(c)
        .optional()?
    else {
        return Ok(());
    };
    let outcome = if carried { Outcome::Carried } else { Outcome::Lost };
    diesel::update(motions::table.filter(motions::id.eq(item)))
        .set((motions::whole_outcome.eq(outcome.as_str()), motions::taken_as.eq(TakenAs::Whole.as_str())))
        .execute(c)?;
    diesel::update(parts::table.filter(parts::motion_id.eq(item)).filter(parts::outcome.is_null()))
        .set(parts::outcome.eq(outcome.as_str()))
        .execute(c)?;
    Ok(())
}

/// Called in the transaction that voids a poll: the linked item (if any) is undecided again.
pub fn after_void(c: &mut DbConnection, poll_id: i64) -> AppResult<()> {
    let Some(item) = poll_items::table
        .filter(poll_items::poll_id.eq(poll_id))
        .select(poll_items::motion_id)
        .first::<i64>(c)
        .optional()?
    else {
        return Ok(());
    };
    diesel::update(motions::table.filter(motions::id.eq(item)))
        .set((motions::whole_outcome.eq(None::<String>), motions::taken_as.eq(None::<String>)))
        .execute(c)?;
    diesel::update(parts::table.filter(parts::motion_id.eq(item))).set(parts::outcome.eq(None::<String>)).execute(c)?;
    Ok(())
}

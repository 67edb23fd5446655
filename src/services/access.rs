//! Per-object authorisation: a conference has its chairs and a ballot its officers. Holding the role
//! is not enough: a chair acts only on conferences they chair (and their motions and polls), an officer
//! only on ballots they are an officer of. The creator is the first chair or officer; an admin assigns
//! others (`PUT /conferences/{id}/chairs`, `PUT /ballots/{id}/officers`). The scrutineer reads every
//! ballot. Someone with the role who is not assigned gets 403 (the objects are listed publicly, so a
//! 404 would hide nothing); a missing object is 404. docs/api.md has the matrix.

use diesel::prelude::*;
use serde::Serialize;

use crate::ballot::status::BallotStatus;
use crate::db::e2e_schema::e2e_trustees;
use crate::db::schema::{ballot_officers, ballots, conference_chairs, conferences, motions, polls};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::audit_log;
use crate::services::auth::{self, Role, User};

fn conference_exists(c: &mut DbConnection, id: i64) -> AppResult<()> {
    let n: i64 = conferences::table.filter(conferences::id.eq(id)).count().get_result(c)?;
    if n == 0 {
        return Err(AppError::not_found(format!("no conference {id}")));
    }
    Ok(())
}

fn ballot_status(c: &mut DbConnection, id: i64) -> AppResult<BallotStatus> {
    ballots::table
        .filter(ballots::id.eq(id))
        .select(ballots::status)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))
}

/// 403 unless `user` is a chair of this conference.
pub fn chair_of(c: &mut DbConnection, user: &User, conference_id: i64) -> AppResult<()> {
    conference_exists(c, conference_id)?;
    let n: i64 = conference_chairs::table
        .filter(conference_chairs::conference_id.eq(conference_id))
        .filter(conference_chairs::user_id.eq(user.id))
        .count()
        .get_result(c)?;
    if n == 0 || !user.has(Role::Chair) {
        return Err(AppError::forbidden(format!(
            "you are not a chair of conference {conference_id}; an admin can make you one"
        )));
    }
    Ok(())
}

/// 403 unless `user` chairs the conference this motion belongs to.
pub fn chair_of_motion(c: &mut DbConnection, user: &User, motion_id: i64) -> AppResult<()> {
    let conf: i64 = motions::table
        .filter(motions::id.eq(motion_id))
        .select(motions::conference_id)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {motion_id}")))?;
    chair_of(c, user, conf)
}

/// 403 unless `user` chairs the conference this poll belongs to.
pub fn chair_of_poll(c: &mut DbConnection, user: &User, poll_id: i64) -> AppResult<()> {
    let conf: i64 = polls::table
        .filter(polls::id.eq(poll_id))
        .select(polls::conference_id)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    chair_of(c, user, conf)
}

fn is_officer_of(c: &mut DbConnection, user: &User, ballot_id: i64) -> AppResult<bool> {
    let n: i64 = ballot_officers::table
        .filter(ballot_officers::ballot_id.eq(ballot_id))
        .filter(ballot_officers::user_id.eq(user.id))
        .count()
        .get_result(c)?;
    Ok(n > 0 && user.has(Role::Officer))
}

/// 403 unless `user` is an officer of this ballot.
pub fn officer_of(c: &mut DbConnection, user: &User, ballot_id: i64) -> AppResult<()> {
    ballot_status(c, ballot_id)?;
    if !is_officer_of(c, user, ballot_id)? {
        return Err(AppError::forbidden(format!(
            "you are not an officer of ballot {ballot_id}; an admin can make you one"
        )));
    }
    Ok(())
}

/// 403 unless `user` is an officer of this ballot or a scrutineer (who reads every ballot).
pub fn oversees(c: &mut DbConnection, user: &User, ballot_id: i64) -> AppResult<()> {
    ballot_status(c, ballot_id)?;
    if user.has(Role::Scrutineer) || is_officer_of(c, user, ballot_id)? {
        return Ok(());
    }
    Err(AppError::forbidden(format!("only ballot {ballot_id}'s officers and the scrutineer may read this")))
}

/// Whether `user` holds the trustee role and is one of this (end-to-end) ballot's trustees.
fn is_trustee_of(c: &mut DbConnection, user: &User, ballot_id: i64) -> AppResult<bool> {
    if !user.has(Role::Trustee) {
        return Ok(false);
    }
    let n: i64 = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(ballot_id))
        .filter(e2e_trustees::user_id.eq(user.id))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Anyone may read an open, closed or published ballot; a draft only its officers, the scrutineer and
/// (for an end-to-end ballot) its trustees, who make their keys before it opens (401 without signing
/// in, 403 for anyone else).
pub fn may_read_ballot(c: &mut DbConnection, user: Option<&User>, ballot_id: i64) -> AppResult<()> {
    if ballot_status(c, ballot_id)? != BallotStatus::Draft {
        return Ok(());
    }
    match user {
        None => Err(AppError::new(
            ErrorCode::Unauthenticated,
            "this ballot is a draft: sign in as one of its officers or the scrutineer",
        )),
        Some(u) if is_trustee_of(c, u, ballot_id)? => Ok(()),
        Some(u) => oversees(c, u, ballot_id),
    }
}

/// Whether `user` may see this draft ballot in lists.
pub fn sees_draft(c: &mut DbConnection, user: Option<&User>, ballot_id: i64) -> AppResult<bool> {
    match user {
        None => Ok(false),
        Some(u) => Ok(u.has(Role::Scrutineer) || is_officer_of(c, u, ballot_id)? || is_trustee_of(c, u, ballot_id)?),
    }
}

/// The creator becomes the first chair (inside the creating transaction).
pub fn add_chair(c: &mut DbConnection, conference_id: i64, user_id: i64) -> AppResult<()> {
    diesel::insert_into(conference_chairs::table)
        .values((conference_chairs::conference_id.eq(conference_id), conference_chairs::user_id.eq(user_id)))
        .execute(c)?;
    Ok(())
}

/// The creator becomes the first officer (inside the creating transaction).
pub fn add_officer(c: &mut DbConnection, ballot_id: i64, user_id: i64) -> AppResult<()> {
    diesel::insert_into(ballot_officers::table)
        .values((ballot_officers::ballot_id.eq(ballot_id), ballot_officers::user_id.eq(user_id)))
        .execute(c)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assigned {
    /// The conference or ballot.
    pub id: i64,
    /// User ids of its chairs (for a conference) or officers (for a ballot).
    pub user_ids: Vec<i64>,
}

fn check_holders(c: &mut DbConnection, user_ids: &[i64], role: Role) -> AppResult<Vec<i64>> {
    let mut ids = user_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > 50 {
        return Err(AppError::validation("user_ids: give 1 to 50 user ids"));
    }
    for id in &ids {
        let u = auth::find_active_user(c, *id)?
            .ok_or_else(|| AppError::validation(format!("user_ids: no active user {id}")))?;
        if !u.has(role) {
            return Err(AppError::validation(format!("user_ids: user {id} does not hold the role {}", role.as_str())));
        }
    }
    Ok(ids)
}

/// An admin sets who chairs a conference (each must hold the chair role).
pub fn set_chairs(c: &mut DbConnection, admin: &User, conference_id: i64, user_ids: &[i64]) -> AppResult<Assigned> {
    db::write_tx(c, |c| {
        conference_exists(c, conference_id)?;
        let ids = check_holders(c, user_ids, Role::Chair)?;
        diesel::delete(conference_chairs::table.filter(conference_chairs::conference_id.eq(conference_id)))
            .execute(c)?;
        for id in &ids {
            add_chair(c, conference_id, *id)?;
        }
        audit_log::append(
            c,
            &admin.email,
            audit_log::AuditAction::ConferenceChairs,
            &format!("conference {conference_id}"),
            serde_json::json!({"user_ids": ids}),
        )?;
        Ok(Assigned { id: conference_id, user_ids: ids })
    })
}

/// An admin sets a ballot's officers (each must hold the officer role).
pub fn set_officers(c: &mut DbConnection, admin: &User, ballot_id: i64, user_ids: &[i64]) -> AppResult<Assigned> {
    db::write_tx(c, |c| {
        ballot_status(c, ballot_id)?;
        let ids = check_holders(c, user_ids, Role::Officer)?;
        diesel::delete(ballot_officers::table.filter(ballot_officers::ballot_id.eq(ballot_id))).execute(c)?;
        for id in &ids {
            add_officer(c, ballot_id, *id)?;
        }
        audit_log::append(
            c,
            &admin.email,
            audit_log::AuditAction::BallotOfficers,
            &format!("ballot {ballot_id}"),
            serde_json::json!({"user_ids": ids}),
        )?;
        Ok(Assigned { id: ballot_id, user_ids: ids })
    })
}

/// Who chairs a conference.
pub fn chairs(c: &mut DbConnection, conference_id: i64) -> AppResult<Assigned> {
    conference_exists(c, conference_id)?;
    let user_ids = conference_chairs::table
        .filter(conference_chairs::conference_id.eq(conference_id))
        .order(conference_chairs::user_id.asc())
        .select(conference_chairs::user_id)
        .load(c)?;
    Ok(Assigned { id: conference_id, user_ids })
}

/// Who the officers of a ballot are.
pub fn officers(c: &mut DbConnection, ballot_id: i64) -> AppResult<Assigned> {
    ballot_status(c, ballot_id)?;
    let user_ids = ballot_officers::table
        .filter(ballot_officers::ballot_id.eq(ballot_id))
        .order(ballot_officers::user_id.asc())
        .select(ballot_officers::user_id)
        .load(c)?;
    Ok(Assigned { id: ballot_id, user_ids })
}

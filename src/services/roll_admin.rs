//! The roll on the officer's console: read a page of it (searched by name, email, membership number or
//! LMC), correct one voter or remove one while the ballot is a draft, and export turnout by LMC area.
//!
//! Corrections and removals are recorded in the audit log as a roll import is (`ballot.roll.import` holds
//! counts, not people's details): `ballot.roll.correct` names the membership number and which fields
//! changed, `ballot.roll.remove` the membership number. Once the ballot opens the roll is frozen (its size
//! and Merkle root are in the record's genesis), so both are refused with 409.
//!
//! The roll shows no "has voted" marks: who has voted is not shown to anyone (docs/secrecy.md).

use diesel::prelude::*;
use serde::Serialize;

use crate::ballot::roll_edit::{self, Correction};
use crate::ballot::status::BallotStatus;
use crate::ballot::turnout_export::{turnout_csv, TurnoutLine};
use crate::ballot::RollEntry;
use crate::config::ThresholdSettings;
use crate::db::schema::{ballots, roll};
use crate::db::{self, DbConnection};
use crate::domain::{EmailAddress, PersonName};
use crate::error::{AppError, AppResult};
use crate::services::auth::User;
use crate::services::{audit_log, ballots as ballot_svc};

diesel::define_sql_function! {
    /// SQL `lower(text)`, on SQLite and PostgreSQL alike.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// One page of the roll.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RollPage {
    /// Voters matching the search (all voters when there is none).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Pages in all (at least 1).
    pub pages: i64,
    /// The search as applied ("" for none).
    pub q: String,
    /// Whether voters may still be corrected or removed (the ballot is a draft).
    pub editable: bool,
    /// In order of name, then membership number.
    pub voters: Vec<RollEntry>,
}

fn status(conn: &mut DbConnection, id: i64) -> AppResult<BallotStatus> {
    ballots::table
        .filter(ballots::id.eq(id))
        .select(ballots::status)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))
}

type RollRow = (String, String, String, String, String);

fn entry(r: RollRow) -> AppResult<RollEntry> {
    let role = r.4.parse().map_err(|e: String| AppError::internal_msg(format!("roll of a ballot: {e}")))?;
    let bad = |what: &str, e: &dyn std::fmt::Display| AppError::internal_msg(format!("roll of a ballot: {what} {e}"));
    let name = PersonName::parse(&r.1).map_err(|e| bad("name", &e))?;
    let email = EmailAddress::parse(&r.2).map_err(|e| bad("email is not valid:", &e))?;
    Ok(RollEntry { membership_no: r.0, name, email, lmc: r.3, role })
}

/// A page of the roll, searched: the text of `q` as typed (case ignored) in the name, email, membership
/// number or LMC.
pub fn page(
    conn: &mut DbConnection,
    id: i64,
    q: &str,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<RollPage> {
    let (page, per_page) = roll_edit::paging(page, per_page)?;
    let status = status(conn, id)?;
    let pattern = roll_edit::like_pattern(q);
    let filtered = || {
        let mut query = roll::table.filter(roll::ballot_id.eq(id)).into_boxed();
        if let Some(p) = &pattern {
            query = query.filter(
                lower(roll::name)
                    .like(p.clone())
                    .escape('\\')
                    .or(lower(roll::email).like(p.clone()).escape('\\'))
                    .or(lower(roll::membership_no).like(p.clone()).escape('\\'))
                    .or(lower(roll::lmc).like(p.clone()).escape('\\')),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<RollRow> = filtered()
        .order((roll::name.asc(), roll::membership_no.asc()))
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select((roll::membership_no, roll::name, roll::email, roll::lmc, roll::role))
        .load(conn)?;
    Ok(RollPage {
        total,
        page,
        per_page,
        pages: ((total + per_page - 1) / per_page).max(1),
        q: q.trim().to_string(),
        editable: status == BallotStatus::Draft,
        voters: rows.into_iter().map(entry).collect::<AppResult<_>>()?,
    })
}

fn must_be_draft(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    let status = status(conn, id)?;
    if status != BallotStatus::Draft {
        return Err(AppError::conflict(format!(
            "the roll froze when the ballot opened (it is {status}): voters can be corrected or removed only \
             before opening"
        )));
    }
    Ok(())
}

/// The voter with this membership number (compared ignoring case, as an import does): (row id, entry).
fn find(conn: &mut DbConnection, id: i64, membership_no: &str) -> AppResult<(i64, RollEntry)> {
    let row: Option<(i64, String, String, String, String, String)> = roll::table
        .filter(roll::ballot_id.eq(id))
        .filter(lower(roll::membership_no).eq(membership_no.trim().to_lowercase()))
        .select((roll::id, roll::membership_no, roll::name, roll::email, roll::lmc, roll::role))
        .first(conn)
        .optional()?;
    let (rid, no, name, email, lmc, role) =
        row.ok_or_else(|| AppError::not_found(format!("membership number {membership_no} is not on this roll")))?;
    Ok((rid, entry((no, name, email, lmc, role))?))
}

/// Correct one voter's name, email, LMC or role before the ballot opens. The fields are checked as an
/// imported line's are (422 naming every problem); an email another voter on the roll has is 409.
pub fn correct(
    conn: &mut DbConnection,
    actor: &User,
    id: i64,
    membership_no: &str,
    correction: &Correction,
) -> AppResult<RollEntry> {
    db::write_tx(conn, |conn| {
        must_be_draft(conn, id)?;
        let (rid, old) = find(conn, id, membership_no)?;
        let (new, changed) = roll_edit::correct(&old, correction).map_err(|p| AppError::validation(p.join("; ")))?;
        if changed.is_empty() {
            return Ok(new);
        }
        if changed.contains(&"email") {
            let owner: Option<String> = roll::table
                .filter(roll::ballot_id.eq(id))
                .filter(roll::id.ne(rid))
                .filter(lower(roll::email).eq(new.email.as_str()))
                .select(roll::membership_no)
                .first(conn)
                .optional()?;
            if let Some(owner) = owner {
                return Err(AppError::conflict(format!(
                    "email {} is already on the roll (membership number {owner})",
                    new.email
                )));
            }
        }
        diesel::update(roll::table.filter(roll::id.eq(rid)))
            .set((
                roll::name.eq(new.name.as_str()),
                roll::email.eq(new.email.as_str()),
                roll::lmc.eq(&new.lmc),
                roll::role.eq(new.role.as_str()),
            ))
            .execute(conn)?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotRollCorrect,
            &format!("ballot {id}"),
            serde_json::json!({"membership_no": new.membership_no, "changed": changed}),
        )?;
        Ok(new)
    })
}

/// Remove one voter from the roll before the ballot opens.
pub fn remove(conn: &mut DbConnection, actor: &User, id: i64, membership_no: &str) -> AppResult<()> {
    db::write_tx(conn, |conn| {
        must_be_draft(conn, id)?;
        let (rid, old) = find(conn, id, membership_no)?;
        diesel::delete(roll::table.filter(roll::id.eq(rid))).execute(conn)?;
        let roll_size: i64 = roll::table.filter(roll::ballot_id.eq(id)).count().get_result(conn)?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotRollRemove,
            &format!("ballot {id}"),
            serde_json::json!({"membership_no": old.membership_no, "roll_size": roll_size}),
        )?;
        Ok(())
    })
}

/// Turnout by LMC area as CSV, hidden as on the console: while the ballot is a draft or open, the live
/// turnout's rule (groups small on the roll hidden, shown groups in steps of ten); once closed, the results'
/// breakdown (groups with few voters hidden). Both hide with `ballot::suppression`, so no hidden figure can
/// be worked out by subtraction from the total line.
pub fn turnout_by_lmc_csv(conn: &mut DbConnection, id: i64, thresholds: ThresholdSettings) -> AppResult<String> {
    let status = status(conn, id)?;
    let live = matches!(status, BallotStatus::Draft | BallotStatus::Open);
    let (total, groups): (TurnoutLine, Vec<TurnoutLine>) = if live {
        let t = ballot_svc::turnout(conn, id)?;
        let groups = t
            .by_lmc
            .into_iter()
            .map(|r| TurnoutLine {
                group: r.group,
                eligible: r.eligible,
                voted: r.voted,
                turnout: r.turnout,
                note: r.note,
            })
            .collect();
        let total = TurnoutLine {
            group: "All LMC areas".into(),
            eligible: t.eligible as u64,
            voted: Some(t.voted as u64),
            turnout: Some(t.turnout),
            note: Some(format!("while voting is open; exported {} UTC", db::now().format("%Y-%m-%d %H:%M"))),
        };
        (total, groups)
    } else {
        let r = ballot_svc::results(conn, id, thresholds)?;
        let groups = r
            .breakdowns
            .into_iter()
            .filter(|g| g.dimension == "lmc")
            .map(|g| TurnoutLine {
                group: g.group,
                eligible: g.eligible,
                voted: g.voted,
                turnout: g.turnout,
                note: g.note,
            })
            .collect();
        let total = TurnoutLine {
            group: "All LMC areas".into(),
            eligible: r.results.eligible,
            voted: Some(r.results.votes_cast),
            turnout: Some(r.results.turnout),
            note: Some("final".into()),
        };
        (total, groups)
    };
    Ok(turnout_csv(&total, &groups))
}

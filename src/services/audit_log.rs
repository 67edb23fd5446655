//! The audit log: every admin, chair and officer action, hash-chained like a ballot record
//! (docs/audit.md, "Audit log"). Appends are serialised: SQLite's write transaction is exclusive, and on
//! PostgreSQL an advisory transaction lock is taken first.

use diesel::prelude::*;
use serde::Serialize;

use crate::audit::chain;
use crate::db::schema::audit_log;
use crate::db::{dialect, DbConnection};
use crate::error::{AppError, AppResult};

/// Chain key for the audit log's advisory lock on PostgreSQL.
const AUDIT_LOG_LOCK: i64 = 0x0a0d_1710;

crate::text_enum! {
    /// What an audit log entry records: its `action`. Every word is listed, with the entry's subject and
    /// when it is written, in docs/audit.md section 12.1 "The actions"; a test here keeps the two in
    /// agreement. The words are part of the hash-chained log, so one never changes: a new action is a new
    /// word. `carried-audit` (which hashes and verifies the log) takes the action as text.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AuditAction ("audit action") {
        UserCreate = "user.create",
        UserPasswordLink = "user.password_link",
        UserDisable = "user.disable",
        KeysRotate = "keys.rotate",
        ConferenceCreate = "conference.create",
        ConferenceUpdate = "conference.update",
        ConferenceChairs = "conference.chairs",
        ConferenceRepresentativeAdd = "conference.representative.add",
        ConferenceRepresentativesImport = "conference.representatives.import",
        ConferenceClose = "conference.close",
        AgendaImport = "agenda.import",
        AgendaOrder = "agenda.order",
        MotionCreate = "motion.create",
        MotionEdit = "motion.edit",
        MotionDelete = "motion.delete",
        MotionMarks = "motion.marks",
        MotionTake = "motion.take",
        MotionDecide = "motion.decide",
        MotionApplyCommittee = "motion.apply_committee",
        PollOpen = "poll.open",
        PollClose = "poll.close",
        PollVoid = "poll.void",
        SpeakersRules = "speakers.rules",
        SpeakersDebate = "speakers.debate",
        BallotCreate = "ballot.create",
        BallotEdit = "ballot.edit",
        BallotOfficers = "ballot.officers",
        BallotRollImport = "ballot.roll.import",
        BallotRollCorrect = "ballot.roll.correct",
        BallotRollRemove = "ballot.roll.remove",
        BallotOpen = "ballot.open",
        BallotResend = "ballot.resend",
        BallotRemind = "ballot.remind",
        BallotRemindersSchedule = "ballot.reminders.schedule",
        BallotClose = "ballot.close",
        BallotSignoff = "ballot.signoff",
        BallotPublish = "ballot.publish",
        BallotTrusteeKey = "ballot.trustee_key",
        BallotCeremonyCertificate = "ballot.ceremony_certificate",
        BallotCeremonyPolynomial = "ballot.ceremony_polynomial",
        BallotCeremonyVoutput = "ballot.ceremony_voutput",
        BallotCeremonyComplete = "ballot.ceremony_complete",
        BallotCeremonyRestart = "ballot.ceremony_restart",
        BallotPartialDecryption = "ballot.partial_decryption",
        BallotDecrypted = "ballot.decrypted",
    }
}

// The words have dots, which serde's renaming cannot make, so the published schema is written by hand
// from the same `WORDS`.
impl utoipa::PartialSchema for AuditAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(AuditAction::WORDS.iter().copied()))
            .into()
    }
}

impl utoipa::ToSchema for AuditAction {}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub prev: String,
    pub hash: String,
}

/// Append one action to the log. Call inside the write transaction that performs the action, so the
/// action and its log entry commit together.
pub fn append(
    conn: &mut DbConnection,
    actor: &str,
    action: AuditAction,
    subject: &str,
    details: serde_json::Value,
) -> AppResult<()> {
    dialect::lock_chain(conn, AUDIT_LOG_LOCK)?;
    let last: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (
            s as u64 + 1,
            chain::hash_from_hex(&h).ok_or_else(|| AppError::internal_msg("audit log head is not a hash"))?,
        ),
        None => (1, chain::log_genesis()),
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let entry =
        chain::append_log(&prev, seq, &at, actor, action.as_str(), subject, details).map_err(AppError::internal)?;
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::seq.eq(seq as i64),
            audit_log::at.eq(&entry.at),
            audit_log::actor.eq(&entry.actor),
            audit_log::action.eq(&entry.action),
            audit_log::subject.eq(&entry.subject),
            audit_log::details.eq(serde_json::to_string(&entry.details).unwrap_or_default()),
            audit_log::prev.eq(&entry.prev),
            audit_log::hash.eq(&entry.hash),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, after: i64, limit: i64) -> AppResult<Vec<LogRow>> {
    type Row = (i64, String, String, String, String, String, String, String);
    let rows: Vec<Row> =
        audit_log::table.filter(audit_log::seq.gt(after)).order(audit_log::seq.asc()).limit(limit).load(conn)?;
    rows.into_iter()
        .map(|r| {
            // Details that do not read are a load error, not `null`: the entry's hash covers them.
            let details = serde_json::from_str(&r.5).map_err(|e| {
                AppError::internal_msg(format!("the stored details of audit log entry {} do not read: {e}", r.0))
            })?;
            Ok(LogRow { seq: r.0, at: r.1, actor: r.2, action: r.3, subject: r.4, details, prev: r.6, hash: r.7 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    /// The words in the first column of docs/audit.md's table of actions (section 12.1).
    fn documented() -> Vec<String> {
        let doc = include_str!("../../docs/audit.md");
        let start = doc.find("### 12.1 The actions").expect("docs/audit.md has section 12.1, The actions");
        let section = &doc[start..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        section
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once('`').map(|(word, _)| word.to_string()))
            .collect()
    }

    #[test]
    fn every_action_is_documented_and_every_documented_action_exists() {
        let listed = documented();
        for word in AuditAction::WORDS {
            assert!(listed.iter().any(|l| l == word), "{word} is not in docs/audit.md's table of actions (12.1)");
        }
        for word in &listed {
            assert!(AuditAction::from_word(word).is_some(), "docs/audit.md lists {word}, which no AuditAction is");
        }
        assert_eq!(listed.len(), AuditAction::WORDS.len(), "a word listed twice in docs/audit.md");
    }
}

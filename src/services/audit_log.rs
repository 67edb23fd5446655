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
    action: &str,
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
    let entry = chain::append_log(&prev, seq, &at, actor, action, subject, details).map_err(AppError::internal)?;
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
    Ok(rows
        .into_iter()
        .map(|r| LogRow {
            seq: r.0,
            at: r.1,
            actor: r.2,
            action: r.3,
            subject: r.4,
            details: serde_json::from_str(&r.5).unwrap_or(serde_json::Value::Null),
            prev: r.6,
            hash: r.7,
        })
        .collect())
}

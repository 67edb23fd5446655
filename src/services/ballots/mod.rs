//! Indicative ballots: definition, roll, opening (invitations with voting codes), secret voting with
//! receipts, the ballot box and the hash-chained record, turnout, closing, results and the record.
//!
//! Secrecy (docs/secrecy.md): casting marks the voter on the roll and puts the vote in the ballot box
//! (random key, no sequence, no time) in one durable commit. The box is chained into `ballot_entries`
//! later, in shuffled batches of at least ten while the ballot is open (and the rest at close), in a
//! transaction of its own, so the record's order does not follow the order of voting. The per-group
//! counters and the confirmation emails (roll order, times to the minute) move with those batches.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use crate::audit::{self, chain, Publication};
use crate::ballot::status::BallotStatus;
use crate::ballot::{self, QuestionDef};
use crate::config::ThresholdSettings;
use crate::db::e2e_schema::e2e_ballots;
use crate::db::schema::{ballot_entries, ballots, group_counts, roll};
use crate::db::{self, dialect, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{Keys, User};
use crate::services::{audit_log, letters, mail};

mod ballot_box;
mod casting;
mod definition;
mod opening;
mod record;
mod record_v2;
mod reminders;
mod voters;
pub use ballot_box::*;
pub use casting::*;
pub use definition::*;
pub use opening::*;
pub use record::*;
pub use record_v2::*;
pub use reminders::*;
pub use voters::*;

// ---- views and inputs ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BallotView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub questions: Vec<QuestionDef>,
    /// draft, open, closed or published.
    pub status: BallotStatus,
    /// "full" (receipt and answers published) or "receipts_only".
    pub publication: String,
    pub opens_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    pub opened_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Number on the roll; fixed when the ballot opens (the turnout denominator).
    pub eligible: Option<i64>,
    /// Number on the roll while still a draft.
    pub roll_size: i64,
    pub signed_off: bool,
    /// "receipts" (tier 1) or "end_to_end" (tier 2, docs/e2e.md).
    pub verifiability: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBallot {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub questions: Vec<QuestionDef>,
    /// RFC 3339 with an offset, or a local time "2026-12-01T09:00" read as Europe/London.
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    /// "full" (default) or "receipts_only".
    pub publication: Option<String>,
    /// "receipts" (tier 1, the default) or "end_to_end" (tier 2: Belenios ballots, docs/e2e.md).
    pub verifiability: Option<String>,
    /// End-to-end ballots: the user ids of the trustees (each holds the trustee role).
    pub trustees: Option<Vec<i64>>,
    /// End-to-end ballots: threshold trustees, any `threshold` of the trustees decrypt (t of n, Belenios's
    /// Pedersen trustees, with a key ceremony); omitted: every trustee uploads a key and every one decrypts.
    pub threshold: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RollImportResult {
    pub added: usize,
    /// Voters already on the roll whose details the file corrected.
    pub changed: usize,
    /// Voters already on the roll, exactly as in the file.
    pub unchanged: usize,
    /// Only the lines that could not be used, each with its line number and why.
    pub rejected: Vec<ballot::Rejected>,
    pub roll_size: i64,
    /// How the header was read (which column of the file became which field).
    pub columns: Vec<ballot::ColumnMapping>,
    /// The separator found in the file.
    pub separator: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Opened {
    pub id: i64,
    pub eligible: i64,
    pub invitations_queued: i64,
    pub genesis: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    pub ballot_id: i64,
    /// Keep this: it finds your ballot in the published record.
    pub receipt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Turnout {
    pub eligible: i64,
    pub voted: i64,
    pub turnout: f64,
    pub by_lmc: Vec<ballot::TurnoutRow>,
    pub by_role: Vec<ballot::TurnoutRow>,
}

/// A ballot's checkpoint as `GET /ballots/{id}/checkpoint` answers it while voting goes on: the
/// record's (count, head), signed on v2 ballots. The checkpoint itself is `audit::Checkpoint`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckpointView {
    pub count: i64,
    pub head: String,
    /// v2 ballots: the genesis of the chain, and the service's signature over
    /// `canonical({"count","domain":"carried/checkpoint/v2","genesis","head"})` (docs/audit.md section 18.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genesis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub signature: Option<audit::Signature>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultsView {
    pub ballot_id: i64,
    pub title: String,
    pub status: BallotStatus,
    #[serde(flatten)]
    pub results: ballot::BallotResults,
    /// By LMC area and by role; groups with fewer than 10 voters are suppressed.
    pub breakdowns: Vec<ballot::GroupRow>,
    /// The scrutineer's sign-off (who, when, what they attest, and the hash of the results they signed),
    /// as it stands in the signed record; None until the scrutineer signs off.
    #[schema(value_type = Option<Object>)]
    pub signoff: Option<audit::Signoff>,
}

// ---- helpers ---------------------------------------------------------------------------------------

type HmacSha256 = Hmac<Sha256>;

const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // A 32-byte key is always accepted by HMAC.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The voting code for a roll entry: derived from the service's code key, so it never needs storing.
pub fn voting_code(key: &[u8], ballot_id: i64, roll_id: i64) -> String {
    let mac = hmac(key, &[b"voting-code", &ballot_id.to_be_bytes(), &roll_id.to_be_bytes()]);
    let mut out = String::with_capacity(19);
    for (i, b) in mac.iter().take(16).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(CODE_ALPHABET[(*b as usize) % 32]));
    }
    out
}

/// Upper-case, drop spaces and dashes, and read O as 0 and I/L as 1 (codes are typed by people): the one
/// rule shared with receipts, [`crate::audit::normalise_typed`].
pub fn normalise_code(code: &str) -> String {
    audit::normalise_typed(code)
}

/// The keyed hash stored on the roll for lookup.
pub fn code_hash(key: &[u8], code: &str) -> String {
    hex::encode(hmac(key, &[b"code-hash", normalise_code(code).as_bytes()]))
}

const LONDON: chrono_tz::Tz = chrono_tz::Europe::London;

/// RFC 3339 with an offset, or a naive local time read as Europe/London; stored as UTC.
pub fn parse_london_time(s: &str, field: &str) -> AppResult<NaiveDateTime> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.naive_utc());
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s.trim(), fmt) {
            return match LONDON.from_local_datetime(&naive) {
                chrono::LocalResult::Single(t) => Ok(t.naive_utc()),
                // Clocks going back: the first of the two instants.
                chrono::LocalResult::Ambiguous(t, _) => Ok(t.naive_utc()),
                chrono::LocalResult::None => Err(AppError::validation(format!(
                    "{field}: {s} does not exist in Europe/London (the clocks go forward then)"
                ))),
            };
        }
    }
    Err(AppError::validation(format!(
        "{field}: {s:?} is not a time; use 2026-12-01T09:00 (Europe/London) or RFC 3339 with an offset"
    )))
}

fn utc(t: Option<NaiveDateTime>) -> Option<chrono::DateTime<chrono::Utc>> {
    t.map(|t| t.and_utc())
}

fn rfc3339(t: Option<NaiveDateTime>) -> Option<String> {
    t.map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// One row of `ballots`, and whether the ballot is end to end (a row in `e2e_ballots`).
#[derive(Queryable, Selectable)]
#[diesel(table_name = ballots)]
struct BallotRow {
    id: i64,
    title: String,
    description: String,
    questions: String,
    status: BallotStatus,
    publication: String,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    opened_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    eligible: Option<i64>,
    signoff: Option<String>,
    #[diesel(select_expression = diesel::dsl::exists(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(ballots::id))))]
    #[diesel(select_expression_type = diesel::dsl::exists<diesel::dsl::Filter<e2e_ballots::table, diesel::dsl::Eq<e2e_ballots::ballot_id, ballots::id>>>)]
    end_to_end: bool,
}

pub(crate) struct Ballot {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) questions: Vec<QuestionDef>,
    pub(crate) status: BallotStatus,
    publication: Publication,
    opens_at: Option<NaiveDateTime>,
    pub(crate) closes_at: Option<NaiveDateTime>,
    opened_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    pub(crate) eligible: Option<i64>,
    signoff: Option<String>,
    /// End to end (docs/e2e.md), loaded with the row.
    pub(crate) end_to_end: bool,
}

pub(crate) fn load(conn: &mut DbConnection, id: i64) -> AppResult<Ballot> {
    let r: BallotRow = ballots::table
        .filter(ballots::id.eq(id))
        .select(BallotRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))?;
    // A stored publication this version does not know is a load error, never "full".
    let publication =
        [Publication::Full, Publication::ReceiptsOnly].into_iter().find(|p| p.as_str() == r.publication).ok_or_else(
            || AppError::internal_msg(format!("ballot {id}: unknown stored publication {:?}", r.publication)),
        )?;
    Ok(Ballot {
        id: r.id,
        title: r.title,
        description: r.description,
        questions: serde_json::from_str(&r.questions).map_err(AppError::internal)?,
        status: r.status,
        publication,
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        opened_at: r.opened_at,
        closed_at: r.closed_at,
        eligible: r.eligible,
        signoff: r.signoff,
        end_to_end: r.end_to_end,
    })
}

fn roll_size(conn: &mut DbConnection, id: i64) -> AppResult<i64> {
    Ok(roll::table.filter(roll::ballot_id.eq(id)).count().get_result(conn)?)
}

fn view(conn: &mut DbConnection, b: Ballot) -> AppResult<BallotView> {
    let size = roll_size(conn, b.id)?;
    let verifiability = crate::services::e2e::verifiability(conn, b.id)?;
    Ok(BallotView {
        id: b.id,
        title: b.title,
        description: b.description,
        questions: b.questions,
        status: b.status,
        publication: b.publication.as_str().to_string(),
        opens_at: utc(b.opens_at),
        closes_at: utc(b.closes_at),
        opened_at: utc(b.opened_at),
        closed_at: utc(b.closed_at),
        eligible: b.eligible,
        roll_size: size,
        signed_off: b.signoff.is_some(),
        verifiability,
    })
}

/// The definition the record's genesis commits to (wording, options, times, publication).
fn definition(b: &Ballot) -> Value {
    ballot::definition_json(
        &b.id.to_string(),
        &b.title,
        &b.questions,
        rfc3339(b.opens_at),
        rfc3339(b.closes_at),
        b.publication,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_derived_grouped_and_typo_tolerant() {
        let key = [9u8; 32];
        let c = voting_code(&key, 1, 2);
        assert_eq!(c.len(), 19);
        assert_eq!(c, voting_code(&key, 1, 2));
        assert_ne!(c, voting_code(&key, 1, 3));
        assert_ne!(c, voting_code(&key, 2, 2));
        assert_eq!(code_hash(&key, &c), code_hash(&key, &c.to_lowercase().replace('-', " ")));
        assert_eq!(normalise_code("ab-o1 il"), "AB0111");
    }

    #[test]
    fn london_times_become_utc() {
        // Winter: GMT = UTC.
        let t = parse_london_time("2026-12-01T09:00", "opens_at").expect("ok");
        assert_eq!(t.to_string(), "2026-12-01 09:00:00");
        // Summer: BST = UTC+1.
        let t = parse_london_time("2026-06-01T09:00", "opens_at").expect("ok");
        assert_eq!(t.to_string(), "2026-06-01 08:00:00");
        let t = parse_london_time("2026-06-01T09:00:00+02:00", "opens_at").expect("ok");
        assert_eq!(t.to_string(), "2026-06-01 07:00:00");
        let e = parse_london_time("2026-03-29T01:30", "opens_at").expect_err("skipped hour");
        assert!(e.detail.contains("does not exist"));
        assert!(parse_london_time("next tuesday", "closes_at").is_err());
    }

    #[test]
    fn a_vote_refused_names_the_ballot_status() {
        // Stored as open but past its closing time: closed to the voter.
        assert_eq!(casting::not_open(BallotStatus::Open).detail, "the ballot is closed; votes are not being taken");
        assert_eq!(casting::not_open(BallotStatus::Draft).detail, "the ballot is draft; votes are not being taken");
        let published = casting::not_open(BallotStatus::Published);
        assert_eq!(published.detail, "the ballot is published; votes are not being taken");
        assert_eq!(casting::not_open(BallotStatus::Closed).code, ErrorCode::BallotNotOpen);
    }
}

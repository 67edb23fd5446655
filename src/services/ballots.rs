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
use crate::ballot::{self, QuestionDef};
use crate::config::ThresholdSettings;
use crate::db::schema::{ballot_entries, ballots, group_counts, roll};
use crate::db::{self, dialect, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{Keys, User};
use crate::services::{audit_log, mail};

// ---- views and inputs ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BallotView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub questions: Vec<QuestionDef>,
    /// draft, open, closed or published.
    pub status: String,
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

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
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
    pub status: String,
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

type BallotRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i64>,
    Option<String>,
);

struct Ballot {
    id: i64,
    title: String,
    description: String,
    questions: Vec<QuestionDef>,
    status: String,
    publication: Publication,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    opened_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    eligible: Option<i64>,
    signoff: Option<String>,
}

fn load(conn: &mut DbConnection, id: i64) -> AppResult<Ballot> {
    let r: BallotRow = ballots::table
        .filter(ballots::id.eq(id))
        .select((
            ballots::id,
            ballots::title,
            ballots::description,
            ballots::questions,
            ballots::status,
            ballots::publication,
            ballots::opens_at,
            ballots::closes_at,
            ballots::opened_at,
            ballots::closed_at,
            ballots::eligible,
            ballots::signoff,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))?;
    Ok(Ballot {
        id: r.0,
        title: r.1,
        description: r.2,
        questions: serde_json::from_str(&r.3).map_err(AppError::internal)?,
        status: r.4,
        publication: if r.5 == "receipts_only" { Publication::ReceiptsOnly } else { Publication::Full },
        opens_at: r.6,
        closes_at: r.7,
        opened_at: r.8,
        closed_at: r.9,
        eligible: r.10,
        signoff: r.11,
    })
}

fn roll_size(conn: &mut DbConnection, id: i64) -> AppResult<i64> {
    Ok(roll::table.filter(roll::ballot_id.eq(id)).count().get_result(conn)?)
}

fn view(conn: &mut DbConnection, b: Ballot) -> AppResult<BallotView> {
    let size = roll_size(conn, b.id)?;
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

// ---- definition ------------------------------------------------------------------------------------

struct Checked {
    title: String,
    description: String,
    questions: Vec<QuestionDef>,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    publication: Publication,
}

fn check(input: NewBallot) -> AppResult<Checked> {
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 300 || title.chars().any(char::is_control) {
        return Err(AppError::validation("title: give 1 to 300 characters on one line"));
    }
    if input.description.chars().count() > 5000 {
        return Err(AppError::validation("description: at most 5000 characters"));
    }
    ballot::validate_questions(&input.questions).map_err(|e| AppError::validation(format!("questions: {e}")))?;
    let opens_at = input.opens_at.as_deref().map(|s| parse_london_time(s, "opens_at")).transpose()?;
    let closes_at = input.closes_at.as_deref().map(|s| parse_london_time(s, "closes_at")).transpose()?;
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        if c <= o {
            return Err(AppError::validation("closes_at: must be after opens_at"));
        }
    }
    let publication = match input.publication.as_deref() {
        None | Some("full") => Publication::Full,
        Some("receipts_only") => Publication::ReceiptsOnly,
        Some(other) => {
            return Err(AppError::validation(format!("publication: {other:?} is not full or receipts_only")))
        }
    };
    Ok(Checked {
        title,
        description: input.description.trim().to_string(),
        questions: input.questions,
        opens_at,
        closes_at,
        publication,
    })
}

pub fn create_ballot(conn: &mut DbConnection, actor: &User, input: NewBallot) -> AppResult<BallotView> {
    let c = check(input)?;
    let id = db::write_tx(conn, |conn| {
        let id = diesel::insert_into(ballots::table)
            .values((
                ballots::title.eq(&c.title),
                ballots::description.eq(&c.description),
                ballots::questions.eq(serde_json::to_string(&c.questions).map_err(AppError::internal)?),
                ballots::status.eq("draft"),
                ballots::publication.eq(c.publication.as_str()),
                ballots::opens_at.eq(c.opens_at),
                ballots::closes_at.eq(c.closes_at),
                ballots::entry_count.eq(0i64),
                ballots::created_by.eq(actor.id),
                ballots::created_at.eq(db::now()),
            ))
            .returning(ballots::id)
            .get_result::<i64>(conn)?;
        crate::services::access::add_officer(conn, id, actor.id)?;
        audit_log::append(
            conn,
            &actor.email,
            "ballot.create",
            &format!("ballot {id}"),
            serde_json::json!({"title": c.title, "questions": c.questions.len()}),
        )?;
        Ok(id)
    })?;
    get_ballot(conn, id)
}

/// Replace a draft ballot's definition. Refused once the ballot has opened.
pub fn update_ballot(conn: &mut DbConnection, actor: &User, id: i64, input: NewBallot) -> AppResult<BallotView> {
    let c = check(input)?;
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "draft" {
            return Err(AppError::conflict("the ballot has opened: its questions and times can no longer change"));
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::title.eq(&c.title),
                ballots::description.eq(&c.description),
                ballots::questions.eq(serde_json::to_string(&c.questions).map_err(AppError::internal)?),
                ballots::publication.eq(c.publication.as_str()),
                ballots::opens_at.eq(c.opens_at),
                ballots::closes_at.eq(c.closes_at),
            ))
            .execute(conn)?;
        audit_log::append(
            conn,
            &actor.email,
            "ballot.edit",
            &format!("ballot {id}"),
            serde_json::json!({"title": c.title}),
        )?;
        Ok(())
    })?;
    get_ballot(conn, id)
}

pub fn get_ballot(conn: &mut DbConnection, id: i64) -> AppResult<BallotView> {
    let b = load(conn, id)?;
    view(conn, b)
}

pub fn list_ballots(conn: &mut DbConnection) -> AppResult<Vec<BallotView>> {
    let ids: Vec<i64> = ballots::table.order(ballots::id.desc()).select(ballots::id).load(conn)?;
    ids.into_iter().map(|id| get_ballot(conn, id)).collect()
}

// ---- roll ------------------------------------------------------------------------------------------

pub fn import_roll(conn: &mut DbConnection, actor: &User, id: i64, csv: &str) -> AppResult<RollImportResult> {
    import_roll_with_progress(conn, actor, id, csv, &|_, _| {})
}

/// [`import_roll`], calling `progress(done, total)` as rows are stored (the CLI draws a bar with it).
pub fn import_roll_with_progress(
    conn: &mut DbConnection,
    actor: &User,
    id: i64,
    csv: &str,
    progress: &dyn Fn(usize, usize),
) -> AppResult<RollImportResult> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "draft" {
            return Err(AppError::conflict("the roll froze when the ballot opened"));
        }
        let existing_rows: Vec<(String, String, String, String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .select((roll::membership_no, roll::name, roll::email, roll::lmc, roll::role))
            .load(conn)?;
        let existing = ballot::ExistingRoll {
            membership_nos: existing_rows.iter().map(|r| r.0.clone()).collect(),
            emails: existing_rows.iter().map(|r| r.2.to_lowercase()).collect(),
            entries: existing_rows
                .iter()
                .filter_map(|(no, name, email, lmc, role)| {
                    Some(ballot::RollEntry {
                        membership_no: no.clone(),
                        name: name.clone(),
                        email: email.to_lowercase(),
                        lmc: lmc.clone(),
                        role: role.parse().ok()?,
                    })
                })
                .collect(),
        };
        let parsed = ballot::parse_roll(csv, &existing).map_err(|e| AppError::new(ErrorCode::InvalidCsv, e))?;
        for e in &parsed.changed {
            diesel::update(roll::table.filter(roll::ballot_id.eq(id)).filter(roll::membership_no.eq(&e.membership_no)))
                .set((
                    roll::name.eq(&e.name),
                    roll::email.eq(&e.email),
                    roll::lmc.eq(&e.lmc),
                    roll::role.eq(e.role.as_str()),
                ))
                .execute(conn)?;
        }
        let total = parsed.accepted.len();
        for (done, chunk) in parsed.accepted.chunks(500).enumerate() {
            progress(done * 500, total);
            let rows: Vec<_> = chunk
                .iter()
                .map(|e| {
                    (
                        roll::ballot_id.eq(id),
                        roll::membership_no.eq(&e.membership_no),
                        roll::name.eq(&e.name),
                        roll::email.eq(&e.email),
                        roll::lmc.eq(&e.lmc),
                        roll::role.eq(e.role.as_str()),
                        roll::voted.eq(false),
                        roll::confirmed.eq(false),
                    )
                })
                .collect();
            // One statement per row: diesel's MultiConnection has no batch insert for SQLite.
            for row in rows {
                diesel::insert_into(roll::table).values(row).execute(conn)?;
            }
        }
        progress(total, total);
        audit_log::append(
            conn,
            &actor.email,
            "ballot.roll.import",
            &format!("ballot {id}"),
            serde_json::json!({
                "added": parsed.accepted.len(),
                "changed": parsed.changed.len(),
                "unchanged": parsed.unchanged,
                "rejected": parsed.rejected.len()
            }),
        )?;
        Ok(RollImportResult {
            added: parsed.accepted.len(),
            changed: parsed.changed.len(),
            unchanged: parsed.unchanged,
            rejected: parsed.rejected,
            roll_size: roll_size(conn, id)?,
            columns: parsed.columns,
            separator: parsed.separator,
        })
    })
}

// ---- lifecycle -------------------------------------------------------------------------------------

fn choice_keys(q: &QuestionDef) -> Vec<String> {
    match q.kind {
        ballot::QuestionKind::YesNo => vec!["yes".into(), "no".into()],
        _ => q.options.clone(),
    }
}

/// Open the ballot: freeze the roll (N), commit the definition and N in the genesis, store keyed hashes
/// of the voting codes, and queue one invitation per voter.
pub fn open_ballot(conn: &mut DbConnection, actor: &str, keys: &Keys, id: i64) -> AppResult<Opened> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "draft" {
            return Err(AppError::conflict(format!("the ballot is {}, not a draft", b.status)));
        }
        if let Some(c) = b.closes_at {
            if c <= db::now() {
                return Err(AppError::conflict("the ballot's closing time has passed; change it before opening"));
            }
        }
        let rows: Vec<(i64, String, String, String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .order(roll::id.asc())
            .select((roll::id, roll::email, roll::name, roll::lmc, roll::role))
            .load(conn)?;
        if rows.is_empty() {
            return Err(AppError::conflict("the roll is empty: import the electoral roll before opening"));
        }
        let eligible = rows.len() as i64;
        let roll_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let genesis = audit::v2::genesis_v2(&definition_v2(&b), eligible as u64, &roll_root(keys, id, &roll_ids))
            .map_err(AppError::internal)?;
        let genesis_hex = chain::to_hex(&genesis);
        for (roll_id, email, name, _, _) in &rows {
            let code = voting_code(&keys.code_key, id, *roll_id);
            diesel::update(roll::table.filter(roll::id.eq(roll_id)))
                .set(roll::code_hash.eq(code_hash(&keys.code_key, &code)))
                .execute(conn)?;
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: "invitation".into(),
                    to_addr: email.clone(),
                    to_name: name.clone(),
                    subject: format!("Your vote: {}", b.title),
                    body: String::new(),
                    ballot_id: Some(id),
                    roll_id: Some(*roll_id),
                },
            )?;
        }
        // Aggregate counters for the breakdowns (by LMC area and by role), created up front.
        let mut groups: BTreeMap<(&str, &str), ()> = BTreeMap::new();
        for (_, _, _, lmc, role) in &rows {
            groups.insert(("lmc", lmc.as_str()), ());
            groups.insert(("role", role.as_str()), ());
        }
        let mut counters = Vec::new();
        for ((dimension, grp), ()) in &groups {
            for (qi, q) in b.questions.iter().enumerate() {
                for key in choice_keys(q) {
                    counters.push((
                        group_counts::ballot_id.eq(id),
                        group_counts::dimension.eq(dimension.to_string()),
                        group_counts::grp.eq(grp.to_string()),
                        group_counts::question.eq(qi as i32),
                        group_counts::choice.eq(key),
                        group_counts::votes.eq(0i64),
                    ));
                }
            }
        }
        for row in counters {
            diesel::insert_into(group_counts::table).values(row).execute(conn)?;
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::status.eq("open"),
                ballots::opened_at.eq(Some(db::now())),
                ballots::eligible.eq(Some(eligible)),
                ballots::genesis.eq(Some(&genesis_hex)),
                ballots::head.eq(Some(&genesis_hex)),
                ballots::entry_count.eq(0i64),
            ))
            .execute(conn)?;
        audit_log::append(
            conn,
            actor,
            "ballot.open",
            &format!("ballot {id}"),
            serde_json::json!({"eligible": eligible, "genesis": genesis_hex}),
        )?;
        Ok(Opened { id, eligible, invitations_queued: eligible, genesis: genesis_hex })
    })
}

/// Who is voting: a voting code, or a signed-in member whose email is on the roll.
pub enum Voter<'a> {
    Code(&'a str),
    Member(&'a User),
}

/// Cast a ballot. In one write transaction: mark the voter as having voted and put the vote in the ballot
/// box (chained later, see [`chain_box`]). Acknowledged only after commit. (The HTTP path goes through the vote
/// writer, which does the same for many votes in one transaction.)
pub fn cast(conn: &mut DbConnection, keys: &Keys, id: i64, voter: Voter<'_>, answers: &[Value]) -> AppResult<Receipt> {
    let mut results = db::write_tx(conn, |conn| Ok(cast_batch(conn, keys, &[(id, voter, answers)])))?;
    results.pop().unwrap_or_else(|| Err(AppError::internal_msg("no result")))
}

fn code_format_ok(code: &str) -> bool {
    code.len() <= 64 && normalise_code(code).len() == 16
}

/// Cast several ballots inside the caller's write transaction, with few statements per vote: each vote
/// is checked before it writes anything (so a refused vote writes nothing and needs no savepoint), the
/// voter is found and marked in one `UPDATE … RETURNING`, and the votes go into the ballot box with
/// multi-row inserts. The ballot row is locked first (so casting and closing are serialised, across
/// instances). A database error fails the whole batch: the caller
/// acknowledges nothing.
pub fn cast_batch(
    conn: &mut DbConnection,
    keys: &Keys,
    votes: &[(i64, Voter<'_>, &[Value])],
) -> Vec<AppResult<Receipt>> {
    let mut results: Vec<Option<AppResult<Receipt>>> = votes.iter().map(|_| None).collect();
    let mut ballot_ids: Vec<i64> = votes.iter().map(|v| v.0).collect();
    ballot_ids.sort_unstable();
    ballot_ids.dedup();
    for id in ballot_ids {
        if let Err(e) = cast_for_ballot(conn, keys, id, votes, &mut results) {
            // A database error: the caller's transaction fails and nothing is acknowledged.
            return votes
                .iter()
                .map(|_| {
                    Err(AppError {
                        code: e.code,
                        detail: e.detail.clone(),
                        retry_after: e.retry_after,
                        cause: None,
                        allow: None,
                    })
                })
                .collect();
        }
    }
    results.into_iter().map(|r| r.unwrap_or_else(|| Err(AppError::internal_msg("vote not processed")))).collect()
}

fn invalid_code() -> AppError {
    AppError::new(ErrorCode::Forbidden, "that voting code is not valid for this ballot")
}

type VoterKey = (bool, String);

/// Mark as having voted every listed voter (by code hash when the flag is true, else by email) who has
/// not voted yet, in at most two statements. Returns, for each voter marked now, their LMC area and role.
fn mark_voters(
    conn: &mut DbConnection,
    id: i64,
    keys: &[(bool, &str)],
) -> AppResult<std::collections::HashMap<VoterKey, (String, String)>> {
    let mut out = std::collections::HashMap::new();
    let codes: Vec<&str> = keys.iter().filter(|k| k.0).map(|k| k.1).collect();
    let emails: Vec<&str> = keys.iter().filter(|k| !k.0).map(|k| k.1).collect();
    let on_roll = roll::table.filter(roll::ballot_id.eq(id)).filter(roll::voted.eq(false));
    if !codes.is_empty() {
        let rows: Vec<(Option<String>, String, String)> =
            diesel::update(on_roll.filter(roll::code_hash.eq_any(&codes)))
                .set(roll::voted.eq(true))
                .returning((roll::code_hash, roll::lmc, roll::role))
                .get_results(conn)?;
        for (h, lmc, role) in rows {
            if let Some(h) = h {
                out.insert((true, h), (lmc, role));
            }
        }
    }
    if !emails.is_empty() {
        let rows: Vec<(String, String, String)> = diesel::update(on_roll.filter(roll::email.eq_any(&emails)))
            .set(roll::voted.eq(true))
            .returning((roll::email, roll::lmc, roll::role))
            .get_results(conn)?;
        for (e, lmc, role) in rows {
            out.insert((false, e), (lmc, role));
        }
    }
    Ok(out)
}

/// Which of these voters are on the roll at all (voted or not).
fn voters_on_roll(
    conn: &mut DbConnection,
    id: i64,
    keys: &[(bool, &str)],
) -> AppResult<std::collections::HashSet<VoterKey>> {
    let mut out = std::collections::HashSet::new();
    let codes: Vec<&str> = keys.iter().filter(|k| k.0).map(|k| k.1).collect();
    let emails: Vec<&str> = keys.iter().filter(|k| !k.0).map(|k| k.1).collect();
    if !codes.is_empty() {
        let found: Vec<Option<String>> = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::code_hash.eq_any(&codes))
            .select(roll::code_hash)
            .load(conn)?;
        out.extend(found.into_iter().flatten().map(|h| (true, h)));
    }
    if !emails.is_empty() {
        let found: Vec<String> = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::email.eq_any(&emails))
            .select(roll::email)
            .load(conn)?;
        out.extend(found.into_iter().map(|e| (false, e)));
    }
    Ok(out)
}

fn not_open(status: &str) -> AppError {
    AppError::new(
        ErrorCode::BallotNotOpen,
        format!("the ballot is {}; votes are not being taken", if status == "open" { "closed" } else { status }),
    )
}

fn cast_for_ballot(
    conn: &mut DbConnection,
    keys: &Keys,
    id: i64,
    votes: &[(i64, Voter<'_>, &[Value])],
    results: &mut [Option<AppResult<Receipt>>],
) -> AppResult<()> {
    let mine: Vec<usize> = (0..votes.len()).filter(|i| votes[*i].0 == id).collect();
    let b = match load(conn, id) {
        Ok(b) => b,
        Err(e) if e.code == ErrorCode::NotFound => {
            for i in mine {
                results[i] = Some(Err(AppError::not_found(format!("no ballot {id}"))));
            }
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if b.status != "open" || b.closes_at.is_some_and(|c| c <= db::now()) {
        for i in mine {
            results[i] = Some(Err(not_open(&b.status)));
        }
        return Ok(());
    }
    // Lock the ballot row while it is open: the row lock serialises casting with closing and chaining
    // (across instances), so no vote lands in the box after the box was chained at close.
    let locked: Option<i64> =
        diesel::update(ballots::table.filter(ballots::id.eq(id)).filter(ballots::status.eq("open")))
            .set(ballots::entry_count.eq(ballots::entry_count))
            .returning(ballots::entry_count)
            .get_result(conn)
            .optional()?;
    if locked.is_none() {
        for i in mine {
            results[i] = Some(Err(not_open("closed")));
        }
        return Ok(());
    }
    // 1. Everything that can refuse a vote without the database is checked first; nothing is written yet.
    struct Candidate {
        index: usize,
        by_code: bool,
        key: String,
        answers: Vec<Value>,
    }
    let mut candidates = Vec::new();
    for i in mine {
        let (_, voter, answers) = &votes[i];
        let normalised = match ballot::validate_answers(&b.questions, answers) {
            Ok(n) => n,
            Err(e) => {
                results[i] = Some(Err(AppError::validation(format!("answers: {e}"))));
                continue;
            }
        };
        let (by_code, key) = match voter {
            Voter::Code(code) if !code_format_ok(code) => {
                results[i] = Some(Err(invalid_code()));
                continue;
            }
            Voter::Code(code) => (true, code_hash(&keys.code_key, code)),
            Voter::Member(u) => (false, u.email.to_lowercase()),
        };
        candidates.push(Candidate { index: i, by_code, key, answers: normalised });
    }
    // 2. Mark every voter of the batch in one statement per kind; each returned row is one voter marked now.
    let mut marked =
        mark_voters(conn, id, &candidates.iter().map(|c| (c.by_code, c.key.as_str())).collect::<Vec<_>>())?;
    // 3. Into the ballot box, under random keys (no sequence, no time): the first request for a voter
    //    that was marked gets it. The entries are chained later, in shuffled batches (`chain_box`).
    let mut boxed = Vec::new();
    let mut refused = Vec::new();
    for c in candidates {
        let Some((lmc, role)) = marked.remove(&(c.by_code, c.key.clone())) else {
            refused.push(c);
            continue;
        };
        let receipt = ballot::new_receipt();
        boxed.push(dialect::NewBoxEntry {
            ballot_id: id,
            token: ballot::new_box_token(),
            receipt: receipt.clone(),
            answers: serde_json::to_string(&Value::Array(c.answers)).map_err(AppError::internal)?,
            nonce: ballot::new_nonce(),
            lmc,
            role,
        });
        results[c.index] = Some(Ok(Receipt { ballot_id: id, receipt }));
    }
    dialect::insert_box(conn, &boxed)?;
    // 4. The rest were not marked: already voted, or not on this roll.
    if !refused.is_empty() {
        let on_roll =
            voters_on_roll(conn, id, &refused.iter().map(|c| (c.by_code, c.key.as_str())).collect::<Vec<_>>())?;
        for c in refused {
            let exists = on_roll.contains(&(c.by_code, c.key.clone()));
            results[c.index] = Some(Err(match (exists, c.by_code) {
                (true, true) => AppError::new(
                    ErrorCode::AlreadyVoted,
                    "a ballot has already been cast with this voting code; it is final",
                ),
                (true, false) => {
                    AppError::new(ErrorCode::AlreadyVoted, "you have already voted in this ballot; your vote is final")
                }
                (false, true) => invalid_code(),
                (false, false) => AppError::new(ErrorCode::Forbidden, "you are not on this ballot's roll"),
            }));
        }
    }
    Ok(())
}

/// Votes wait in the ballot box until at least this many can be chained together (or the ballot closes).
pub const BOX_BATCH: usize = 10;

/// Chain the ballot box of ballot `id` into its record, inside the caller's write transaction, if it
/// holds at least `min` votes: the votes are shuffled (a CSPRNG permutation, unrelated to the order they
/// were cast in), appended to the hash chain, counted into the per-group counters, and deleted from the
/// box; the confirmations of the voters concerned are queued in roll order with times to the minute.
/// Returns how many were chained.
pub fn chain_box(conn: &mut DbConnection, id: i64, min: usize) -> AppResult<usize> {
    use rand::seq::SliceRandom;
    // The row lock on the ballot: one writer per chain, across instances, and no casting meanwhile.
    let (mut count, head): (i64, Option<String>) = diesel::update(ballots::table.filter(ballots::id.eq(id)))
        .set(ballots::entry_count.eq(ballots::entry_count))
        .returning((ballots::entry_count, ballots::head))
        .get_result(conn)?;
    type BoxRow = (String, String, String, String, String, String);
    let mut rows: Vec<BoxRow> = crate::db::schema::ballot_box::table
        .filter(crate::db::schema::ballot_box::ballot_id.eq(id))
        .select((
            crate::db::schema::ballot_box::token,
            crate::db::schema::ballot_box::receipt,
            crate::db::schema::ballot_box::answers,
            crate::db::schema::ballot_box::nonce,
            crate::db::schema::ballot_box::lmc,
            crate::db::schema::ballot_box::role,
        ))
        .load(conn)?;
    if rows.is_empty() || rows.len() < min {
        return Ok(0);
    }
    let mut head = head
        .as_deref()
        .and_then(chain::hash_from_hex)
        .ok_or_else(|| AppError::internal_msg("ballot has no chain head"))?;
    let ballot = load(conn, id)?;
    let v2 = record_version(conn, &ballot)? == 2;
    rows.shuffle(&mut rand::rngs::OsRng);
    let mut entries = Vec::with_capacity(rows.len());
    let mut counters: BTreeMap<(&'static str, String, i32, String), i64> = BTreeMap::new();
    for (_, receipt, answers, nonce, lmc, role) in &rows {
        count += 1;
        let answers: Value = serde_json::from_str(answers).map_err(AppError::internal)?;
        let content =
            chain::EntryContent { seq: count as u64, receipt: receipt.clone(), answers, nonce: nonce.clone() };
        let (prev, hash) = append_entry(v2, &head, &content)?;
        head = chain::hash_from_hex(&hash).ok_or_else(|| AppError::internal_msg("entry hash is not hex"))?;
        if let Value::Array(per_question) = &content.answers {
            for (dimension, grp) in [("lmc", lmc), ("role", role)] {
                for (qi, answer) in per_question.iter().enumerate() {
                    let chosen: Vec<&str> = match answer {
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        Value::String(s) => vec![s.as_str()],
                        _ => vec![],
                    };
                    for key in chosen {
                        *counters.entry((dimension, grp.clone(), qi as i32, key.to_string())).or_default() += 1;
                    }
                }
            }
        }
        entries.push(dialect::NewEntry {
            ballot_id: id,
            seq: count,
            receipt: receipt.clone(),
            answers: serde_json::to_string(&content.answers).map_err(AppError::internal)?,
            nonce: nonce.clone(),
            prev,
            hash,
        });
    }
    dialect::insert_entries(conn, &entries)?;
    {
        use crate::db::schema::ballot_box;
        let tokens: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        for chunk in tokens.chunks(500) {
            diesel::delete(
                ballot_box::table.filter(ballot_box::ballot_id.eq(id)).filter(ballot_box::token.eq_any(chunk)),
            )
            .execute(conn)?;
        }
    }
    diesel::update(ballots::table.filter(ballots::id.eq(id)))
        .set((ballots::entry_count.eq(count), ballots::head.eq(Some(chain::to_hex(&head)))))
        .execute(conn)?;
    for ((dimension, grp, qi, key), n) in counters {
        diesel::update(
            group_counts::table
                .filter(group_counts::ballot_id.eq(id))
                .filter(group_counts::dimension.eq(dimension))
                .filter(group_counts::grp.eq(&grp))
                .filter(group_counts::question.eq(qi))
                .filter(group_counts::choice.eq(&key)),
        )
        .set(group_counts::votes.eq(group_counts::votes + n))
        .execute(conn)?;
    }
    queue_confirmations_for(conn, id)?;
    Ok(rows.len())
}

/// Chain every open ballot's box that holds at least [`BOX_BATCH`] votes, one transaction per ballot.
/// Run periodically (the one-second tick). Returns how many votes were chained.
pub fn chain_due(conn: &mut DbConnection) -> AppResult<usize> {
    use crate::db::schema::ballot_box;
    let waiting: Vec<(i64, i64)> = ballot_box::table
        .group_by(ballot_box::ballot_id)
        .select((ballot_box::ballot_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut chained = 0;
    for (id, n) in waiting {
        if n as usize >= BOX_BATCH {
            chained += db::write_tx(conn, |c| chain_box(c, id, BOX_BATCH))?;
        }
    }
    Ok(chained)
}

/// Queue "your vote was received" emails for the voters of ballot `id` whose votes have just been
/// chained (inside `chain_box`'s transaction): in roll order, never the order they voted in, all with the
/// same time to the minute, and without the receipt (which would link the voter to their entry). So the
/// outbox says only which batch a voter's vote was chained in, at least ten at a time while the ballot is
/// open (docs/secrecy.md).
fn queue_confirmations_for(conn: &mut DbConnection, id: i64) -> AppResult<usize> {
    use crate::db::schema::mail_outbox;
    use chrono::Timelike;
    let due: Vec<(i64, String, String)> = roll::table
        .filter(roll::ballot_id.eq(id))
        .filter(roll::voted.eq(true))
        .filter(roll::confirmed.eq(false))
        .order(roll::id.asc())
        .select((roll::id, roll::email, roll::name))
        .load(conn)?;
    if due.is_empty() {
        return Ok(0);
    }
    let title: String = ballots::table.filter(ballots::id.eq(id)).select(ballots::title).first(conn)?;
    for (_, email, name) in &due {
        mail::enqueue(
            conn,
            &mail::Outgoing {
                kind: "confirmation".into(),
                to_addr: email.clone(),
                to_name: name.clone(),
                subject: format!("Your vote was received: {title}"),
                body: format!(
                    "Dear {name},\n\nYour vote in \"{title}\" has been received and counted. It is final.\n\n\
                     Your receipt code was shown on screen when you voted (we do not keep a copy that links it to you). \
                     When the ballot closes, you can find it in the published record to check your vote was counted.\n"
                ),
                ballot_id: Some(id),
                roll_id: None,
            },
        )?;
    }
    // No fine times: the batch's rows all carry the minute they were queued in.
    let now = db::now();
    let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::ballot_id.eq(id))
            .filter(mail_outbox::kind.eq("confirmation"))
            .filter(mail_outbox::status.eq("pending"))
            .filter(mail_outbox::created_at.gt(minute)),
    )
    .set((mail_outbox::created_at.eq(minute), mail_outbox::next_attempt_at.eq(minute)))
    .execute(conn)?;
    let ids: Vec<i64> = due.iter().map(|d| d.0).collect();
    for chunk in ids.chunks(500) {
        diesel::update(roll::table.filter(roll::id.eq_any(chunk))).set(roll::confirmed.eq(true)).execute(conn)?;
    }
    Ok(due.len())
}

/// Queue a reminder (with the voter's code) to everyone on the roll who has not voted. A second round
/// within the hour is refused unless `force` (services::reminders).
pub fn send_reminders(conn: &mut DbConnection, actor: &User, id: i64, force: bool) -> AppResult<i64> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "open" {
            return Err(AppError::new(ErrorCode::BallotNotOpen, "reminders go out only while the ballot is open"));
        }
        crate::services::reminders::check_not_too_soon(conn, id, force)?;
        crate::services::reminders::queue_round(conn, id, &b.title, &actor.email, serde_json::json!({"forced": force}))
    })
}

/// Resend one voter's invitation (same code: codes are derived, not re-issued).
pub fn resend_invitation(conn: &mut DbConnection, actor: &User, id: i64, membership_no: &str) -> AppResult<()> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "open" {
            return Err(AppError::new(
                ErrorCode::BallotNotOpen,
                "invitations can be resent only while the ballot is open",
            ));
        }
        let (roll_id, email, name): (i64, String, String) = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::membership_no.eq(membership_no))
            .select((roll::id, roll::email, roll::name))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("membership number {membership_no} is not on this roll")))?;
        mail::enqueue(
            conn,
            &mail::Outgoing {
                kind: "invitation".into(),
                to_addr: email,
                to_name: name,
                subject: format!("Your vote: {}", b.title),
                body: String::new(),
                ballot_id: Some(id),
                roll_id: Some(roll_id),
            },
        )?;
        audit_log::append(
            conn,
            &actor.email,
            "ballot.resend",
            &format!("ballot {id}"),
            serde_json::json!({"membership_no": membership_no}),
        )?;
        Ok(())
    })
}

pub fn checkpoint(conn: &mut DbConnection, keys: &Keys, id: i64) -> AppResult<Checkpoint> {
    let (status, count, head, genesis): (String, i64, Option<String>, Option<String>) = ballots::table
        .filter(ballots::id.eq(id))
        .select((ballots::status, ballots::entry_count, ballots::head, ballots::genesis))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))?;
    if status == "draft" {
        return Err(AppError::new(ErrorCode::BallotNotOpen, "the ballot has not opened: there is no record yet"));
    }
    let head = head.unwrap_or_default();
    // v2 ballots: signed by the service key (docs/audit.md section 18.7), so it cannot be denied later.
    let b = load(conn, id)?;
    let signed = if record_version(conn, &b)? == 2 {
        let genesis = genesis.unwrap_or_default();
        let key = audit::key_from_seed(keys.signing_key);
        Some(audit::v2::sign_checkpoint(&key, &genesis, count as u64, &head))
    } else {
        None
    };
    Ok(Checkpoint {
        count,
        head,
        genesis: signed.as_ref().map(|s| s.genesis.clone()),
        signature: signed.map(|s| s.signature),
    })
}

fn group_tallies(conn: &mut DbConnection, b: &Ballot, with_counts: bool) -> AppResult<Vec<ballot::GroupTally>> {
    let mut out = Vec::new();
    for (dimension, column) in [("lmc", 0), ("role", 1)] {
        let rows: Vec<(String, String, bool)> =
            roll::table.filter(roll::ballot_id.eq(b.id)).select((roll::lmc, roll::role, roll::voted)).load(conn)?;
        let mut per: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (lmc, role, voted) in rows {
            let g = if column == 0 { lmc } else { role };
            let e = per.entry(g).or_default();
            e.0 += 1;
            if voted {
                e.1 += 1;
            }
        }
        let counters: Vec<(String, i32, String, i64)> = if with_counts {
            group_counts::table
                .filter(group_counts::ballot_id.eq(b.id))
                .filter(group_counts::dimension.eq(dimension))
                .select((group_counts::grp, group_counts::question, group_counts::choice, group_counts::votes))
                .load(conn)?
        } else {
            Vec::new()
        };
        for (group, (eligible, voted)) in per {
            let counts = with_counts.then(|| audit::Results {
                votes_cast: voted,
                questions: b
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(qi, q)| audit::QuestionCounts {
                        counts: choice_keys(q)
                            .into_iter()
                            .map(|k| {
                                let n = counters
                                    .iter()
                                    .find(|(g, qq, c, _)| g == &group && *qq == qi as i32 && c == &k)
                                    .map(|r| r.3 as u64)
                                    .unwrap_or(0);
                                (k, n)
                            })
                            .collect(),
                    })
                    .collect(),
            });
            out.push(ballot::GroupTally { dimension: dimension.to_string(), group, eligible, voted, counts });
        }
    }
    Ok(out)
}

pub fn turnout(conn: &mut DbConnection, id: i64) -> AppResult<Turnout> {
    let b = load(conn, id)?;
    let voted: i64 =
        roll::table.filter(roll::ballot_id.eq(id)).filter(roll::voted.eq(true)).count().get_result(conn)?;
    let eligible = match b.eligible {
        Some(n) => n,
        None => roll_size(conn, id)?,
    };
    let groups = group_tallies(conn, &b, false)?;
    let rows = ballot::live_turnout(&groups, ballot::MIN_GROUP);
    let (by_lmc, by_role): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.dimension == "lmc");
    Ok(Turnout {
        eligible,
        voted,
        turnout: if eligible > 0 { ballot::results::round4(voted as f64 / eligible as f64) } else { 0.0 },
        by_lmc,
        by_role,
    })
}

fn entries(conn: &mut DbConnection, id: i64) -> AppResult<Vec<chain::Entry>> {
    let rows: Vec<(i64, String, String, String, String, String)> = ballot_entries::table
        .filter(ballot_entries::ballot_id.eq(id))
        .order(ballot_entries::seq.asc())
        .select((
            ballot_entries::seq,
            ballot_entries::receipt,
            ballot_entries::answers,
            ballot_entries::nonce,
            ballot_entries::prev,
            ballot_entries::hash,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(seq, receipt, answers, nonce, prev, hash)| {
            Ok(chain::Entry {
                seq: seq as u64,
                receipt,
                answers: Some(serde_json::from_str(&answers).map_err(AppError::internal)?),
                nonce: Some(nonce),
                prev,
                hash,
            })
        })
        .collect()
}

/// A signed record, as stored and published.
struct SignedRecord {
    text: String,
    count: u64,
    head: String,
    results: audit::Results,
}

/// Build and sign the record of a closed ballot (with the scrutineer's sign-off, if given): v2 for ballots
/// opened with a v2 genesis, v1 for older ones.
fn build_signed_record(conn: &mut DbConnection, keys: &Keys, b: &Ballot) -> AppResult<SignedRecord> {
    let signoff: Option<audit::Signoff> =
        b.signoff.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?;
    let key = audit::key_from_seed(keys.signing_key);
    if record_version(conn, b)? == 2 {
        return build_signed_record_v2(conn, keys, b, signoff);
    }
    let markers: i64 =
        roll::table.filter(roll::ballot_id.eq(b.id)).filter(roll::voted.eq(true)).count().get_result(conn)?;
    let mut record = audit::build_record(audit::RecordParts {
        ballot: definition(b),
        eligible: b.eligible.unwrap_or(0) as u64,
        markers: markers as u64,
        publication: b.publication,
        entries: entries(conn, b.id)?,
        scrutineer_signoff: signoff,
        published_at: rfc3339(b.closed_at).unwrap_or_default(),
    })
    .map_err(AppError::internal)?;
    audit::sign_record(&mut record, &key).map_err(AppError::internal)?;
    let text = serde_json::to_string(&record).map_err(AppError::internal)?;
    // Never publish a record that our own verifier would reject.
    audit::verify_text(text.as_bytes(), &[], &[], Some(&audit::public_key_hex(&key)))
        .map_err(|e| AppError::internal_msg(format!("the record of ballot {} does not verify: {e}", b.id)))?;
    Ok(SignedRecord { text, count: record.count, head: record.head, results: record.results })
}

fn store_record(conn: &mut DbConnection, keys: &Keys, id: i64) -> AppResult<SignedRecord> {
    let b = load(conn, id)?;
    let record = build_signed_record(conn, keys, &b)?;
    diesel::update(ballots::table.filter(ballots::id.eq(id)))
        .set(ballots::record.eq(Some(&record.text)))
        .execute(conn)?;
    Ok(record)
}

// ---- record format v2 (docs/audit.md part II): the few things the service adds ---------------------------

/// The v2 definition: v1's, with the description voters were shown.
fn definition_v2(b: &Ballot) -> Value {
    let mut d = definition(b);
    if let Value::Object(m) = &mut d {
        m.insert("description".into(), Value::from(b.description.clone()));
    }
    d
}

/// The has-voted tag of a roll entry (docs/audit.md section 18.1), from its derived voting code.
fn roll_tag(keys: &Keys, id: i64, roll_id: i64) -> chain::Hash {
    audit::v2::voter_tag(&id.to_string(), &voting_code(&keys.code_key, id, roll_id))
}

/// The Merkle root of the frozen roll's tags.
fn roll_root(keys: &Keys, id: i64, roll_ids: &[i64]) -> chain::Hash {
    let mut tags: Vec<chain::Hash> = roll_ids.iter().map(|r| roll_tag(keys, id, *r)).collect();
    tags.sort_unstable();
    audit::v2::merkle_root(&tags)
}

/// 1 for a ballot opened before v2 (its genesis is the v1 genesis), else 2.
fn record_version(conn: &mut DbConnection, b: &Ballot) -> AppResult<u8> {
    let stored: Option<String> = ballots::table.filter(ballots::id.eq(b.id)).select(ballots::genesis).first(conn)?;
    let v1 = chain::genesis(&definition(b), b.eligible.unwrap_or(0) as u64).map_err(AppError::internal)?;
    Ok(if stored.as_deref() == Some(chain::to_hex(&v1).as_str()) { 1 } else { 2 })
}

/// Chain one entry after `head`; returns its prev and hash (hex).
fn append_entry(v2: bool, head: &chain::Hash, content: &chain::EntryContent) -> AppResult<(String, String)> {
    if v2 {
        let e = audit::v2::append_v2(head, content).map_err(AppError::internal)?;
        Ok((e.prev, e.hash))
    } else {
        let e = chain::append(head, content).map_err(AppError::internal)?;
        Ok((e.prev, e.hash))
    }
}

fn build_signed_record_v2(
    conn: &mut DbConnection,
    keys: &Keys,
    b: &Ballot,
    signoff: Option<audit::Signoff>,
) -> AppResult<SignedRecord> {
    let key = audit::key_from_seed(keys.signing_key);
    let rows: Vec<(i64, bool)> =
        roll::table.filter(roll::ballot_id.eq(b.id)).select((roll::id, roll::voted)).load(conn)?;
    let roll: Vec<chain::Hash> = rows.iter().map(|(r, _)| roll_tag(keys, b.id, *r)).collect();
    let voted: Vec<chain::Hash> = rows.iter().filter(|(_, v)| *v).map(|(r, _)| roll_tag(keys, b.id, *r)).collect();
    let mut buf = Vec::new();
    let mut v2_entries = Vec::new();
    for e in entries(conn, b.id)? {
        let (Some(answers), Some(nonce)) = (e.answers, e.nonce) else {
            return Err(AppError::internal_msg("an entry has no answers or nonce"));
        };
        let commitment = audit::v2::commitment(&mut buf, &answers, &nonce).map_err(AppError::internal)?;
        v2_entries.push(audit::v2::EntryV2 {
            seq: e.seq,
            receipt: e.receipt,
            commitment: chain::to_hex(&commitment),
            answers: Some(answers),
            nonce: Some(nonce),
            prev: e.prev,
            hash: e.hash,
        });
    }
    // A record signed again (after sign-off) names the one it replaces.
    let previous: Option<String> = ballots::table.filter(ballots::id.eq(b.id)).select(ballots::record).first(conn)?;
    let supersedes = match previous {
        Some(text) => {
            let v = audit::strict::parse(text.as_bytes()).map_err(AppError::internal)?;
            Some(chain::to_hex(&audit::v2::record_digest(&v).map_err(AppError::internal)?))
        }
        None => None,
    };
    let mut record = audit::v2::build_record_v2(audit::v2::RecordPartsV2 {
        ballot: definition_v2(b),
        roll,
        voted,
        publication: b.publication,
        entries: v2_entries,
        scrutineer_signoff: signoff,
        supersedes,
        published_at: rfc3339(b.closed_at).unwrap_or_default(),
    })
    .map_err(AppError::internal)?;
    audit::v2::sign_record_v2(&mut record, &key).map_err(AppError::internal)?;
    let text = serde_json::to_string(&record).map_err(AppError::internal)?;
    let trusted = audit::public_key_hex(&key);
    let inputs = audit::stream::Inputs { trusted_key: Some(&trusted), ..Default::default() };
    audit::verify_with(text.as_bytes(), &inputs)
        .map_err(|e| AppError::internal_msg(format!("the record of ballot {} does not verify: {e}", b.id)))?;
    Ok(SignedRecord { text, count: record.count, head: record.head, results: record.results })
}

/// Close the ballot: no more votes; unsent invitations and reminders are cancelled; the record is signed.
pub fn close_ballot(conn: &mut DbConnection, actor: &str, keys: &Keys, id: i64) -> AppResult<BallotView> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "open" {
            return Err(AppError::conflict(format!("the ballot is {}, not open", b.status)));
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((ballots::status.eq("closed"), ballots::closed_at.eq(Some(db::now()))))
            .execute(conn)?;
        use crate::db::schema::mail_outbox;
        diesel::update(
            mail_outbox::table
                .filter(mail_outbox::ballot_id.eq(id))
                .filter(mail_outbox::kind.eq_any(["invitation", "reminder"]))
                .filter(mail_outbox::status.eq("pending")),
        )
        .set(mail_outbox::status.eq("cancelled"))
        .execute(conn)?;
        // Whatever is still in the ballot box is chained now, shuffled.
        chain_box(conn, id, 0)?;
        let record = store_record(conn, keys, id)?;
        audit_log::append(
            conn,
            actor,
            "ballot.close",
            &format!("ballot {id}"),
            serde_json::json!({"votes_cast": record.count, "head": record.head}),
        )?;
        Ok(())
    })?;
    // Best effort: the box's deleted rows and the log that held them are scrubbed (docs/secrecy.md).
    if let Err(e) = dialect::scrub_ballot_box(conn) {
        tracing::warn!(ballot = id, error = %e, "could not scrub the ballot box after closing");
    }
    get_ballot(conn, id)
}

fn closed(b: &Ballot) -> AppResult<()> {
    if b.status == "closed" || b.status == "published" {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::ResultsNotAvailable,
            format!("the ballot is {}: results and the record come only after it closes", b.status),
        ))
    }
}

pub fn results(conn: &mut DbConnection, id: i64, thresholds: ThresholdSettings) -> AppResult<ResultsView> {
    let b = load(conn, id)?;
    closed(&b)?;
    let entries = entries(conn, id)?;
    let questions: Vec<audit::Question> = b.questions.iter().map(QuestionDef::to_audit).collect();
    let counts = audit::tally(&questions, entries.iter().filter_map(|e| e.answers.as_ref()));
    let th =
        ballot::Thresholds { turnout_min: thresholds.turnout_min, yes_of_eligible_min: thresholds.yes_of_eligible_min };
    let results = ballot::results(&b.questions, &counts, b.eligible.unwrap_or(0) as u64, &th);
    let groups = group_tallies(conn, &b, true)?;
    Ok(ResultsView {
        ballot_id: id,
        title: b.title.clone(),
        status: b.status.clone(),
        results,
        breakdowns: ballot::breakdown(groups, ballot::MIN_GROUP),
        signoff: b.signoff.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?,
    })
}

pub fn record(conn: &mut DbConnection, id: i64) -> AppResult<Value> {
    let b = load(conn, id)?;
    closed(&b)?;
    let stored: Option<String> = ballots::table.filter(ballots::id.eq(id)).select(ballots::record).first(conn)?;
    let stored = stored.ok_or_else(|| AppError::internal_msg("closed ballot without a record"))?;
    serde_json::from_str(&stored).map_err(AppError::internal)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffRequest {
    /// What the scrutineer attests, e.g. "I have checked the count and the record."
    pub statement: String,
}

/// The scrutineer signs off the result sheet of a closed ballot; the record is re-signed to carry it.
pub fn sign_off(conn: &mut DbConnection, scrutineer: &User, keys: &Keys, id: i64, statement: &str) -> AppResult<Value> {
    let statement = statement.trim();
    if statement.is_empty() || statement.chars().count() > 2000 {
        return Err(AppError::validation("statement: give 1 to 2000 characters"));
    }
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        closed(&b)?;
        if b.signoff.is_some() {
            return Err(AppError::conflict("this ballot has already been signed off"));
        }
        let current = build_signed_record(conn, keys, &b)?;
        let signoff = audit::Signoff {
            by: format!("{} <{}>", scrutineer.name, scrutineer.email),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            statement: statement.to_string(),
            results_sha256: audit::results_sha256(&current.results).map_err(AppError::internal)?,
        };
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set(ballots::signoff.eq(Some(serde_json::to_string(&signoff).map_err(AppError::internal)?)))
            .execute(conn)?;
        store_record(conn, keys, id)?;
        audit_log::append(
            conn,
            &scrutineer.email,
            "ballot.signoff",
            &format!("ballot {id}"),
            serde_json::json!({"results_sha256": signoff.results_sha256}),
        )?;
        Ok(())
    })?;
    record(conn, id)
}

/// Publish the results: the ballot becomes "published" and everyone on the roll is told.
pub fn publish(conn: &mut DbConnection, actor: &User, public_url: &str, id: i64) -> AppResult<BallotView> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "closed" {
            return Err(AppError::conflict(format!("the ballot is {}; only a closed ballot is published", b.status)));
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((ballots::status.eq("published"), ballots::published_at.eq(Some(db::now()))))
            .execute(conn)?;
        let rows: Vec<(String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .order(roll::id.asc())
            .select((roll::email, roll::name))
            .load(conn)?;
        for (email, name) in rows {
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: "results".into(),
                    to_addr: email,
                    to_name: name.clone(),
                    subject: format!("Results: {}", b.title),
                    body: format!(
                        "Dear {name},\n\nThe results of \"{}\" are published:\n{public_url}/ballots/{id}/results\n\n\
                         Check your receipt, or recount the whole ballot yourself, from the same page.\n",
                        b.title
                    ),
                    ballot_id: Some(id),
                    roll_id: None,
                },
            )?;
        }
        audit_log::append(conn, &actor.email, "ballot.publish", &format!("ballot {id}"), serde_json::json!({}))?;
        Ok(())
    })?;
    get_ballot(conn, id)
}

/// Open and close ballots whose scheduled times have come. Run periodically.
pub fn run_schedule(conn: &mut DbConnection, keys: &Keys) -> AppResult<(usize, usize)> {
    let now = db::now();
    let to_open: Vec<i64> = ballots::table
        .filter(ballots::status.eq("draft"))
        .filter(ballots::opens_at.le(now))
        .select(ballots::id)
        .load(conn)?;
    let to_close: Vec<i64> = ballots::table
        .filter(ballots::status.eq("open"))
        .filter(ballots::closes_at.le(now))
        .select(ballots::id)
        .load(conn)?;
    let mut opened = 0;
    for id in to_open {
        match open_ballot(conn, "scheduler", keys, id) {
            Ok(_) => opened += 1,
            Err(e) => tracing::warn!(ballot = id, error = %e, "scheduled opening failed"),
        }
    }
    let mut closed_n = 0;
    for id in to_close {
        match close_ballot(conn, "scheduler", keys, id) {
            Ok(_) => closed_n += 1,
            Err(e) => tracing::warn!(ballot = id, error = %e, "scheduled closing failed"),
        }
    }
    Ok((opened, closed_n))
}

/// Renders invitation and reminder bodies at send time, with the voter's code.
pub struct BallotMail {
    pub code_key: Vec<u8>,
    pub public_url: String,
}

impl mail::Renderer for BallotMail {
    fn render(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>> {
        let mut cache = BTreeMap::new();
        self.render_cached(conn, &mut cache, kind, ballot_id, roll_id)
    }

    fn render_many(
        &self,
        conn: &mut DbConnection,
        rows: &[(&str, Option<i64>, Option<i64>)],
    ) -> Vec<AppResult<Option<String>>> {
        let mut cache = BTreeMap::new();
        rows.iter().map(|(kind, b, r)| self.render_cached(conn, &mut cache, kind, *b, *r)).collect()
    }
}

impl BallotMail {
    /// Render one invitation or reminder, loading each ballot once per batch.
    fn render_cached(
        &self,
        conn: &mut DbConnection,
        cache: &mut BTreeMap<i64, Ballot>,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>> {
        if kind != "invitation" && kind != "reminder" {
            return Ok(None);
        }
        let (Some(ballot_id), Some(roll_id)) = (ballot_id, roll_id) else {
            return Ok(None);
        };
        let b = match cache.entry(ballot_id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(load(conn, ballot_id)?),
        };
        let (name,): (String,) = roll::table.filter(roll::id.eq(roll_id)).select((roll::name,)).first(conn)?;
        let code = voting_code(&self.code_key, ballot_id, roll_id);
        let closes = b
            .closes_at
            .map(|c| {
                format!(
                    "Voting closes at {} (UK time).\n\n",
                    c.and_utc().with_timezone(&LONDON).format("%H:%M on %A %-d %B %Y")
                )
            })
            .unwrap_or_default();
        let opening = if kind == "reminder" { "This is a reminder: you have not voted yet.\n\n" } else { "" };
        Ok(Some(format!(
            "Dear {name},\n\n{opening}You are invited to vote in the indicative ballot \"{title}\".\n\n\
             Vote here (the link is yours alone; do not forward it):\n{url}/vote/{ballot_id}?code={code}\n\n\
             Or go to {url}/vote/{ballot_id} and enter your voting code: {code}\n\n{closes}\
             Your vote is secret: nothing we keep links you to how you voted. You can vote once, and your vote is final.\n",
            title = b.title,
            url = self.public_url,
        )))
    }
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
}

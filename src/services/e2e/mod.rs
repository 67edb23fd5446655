//! End-to-end verifiable ballots (tier 2, docs/e2e.md): trustees and their keys, opening with fresh
//! credentials, casting encrypted Belenios ballots, the encrypted tally, partial decryptions, the result
//! and the Belenios 2.0 record (`.bel`).
//!
//! A ballot is end to end when it has a row in `e2e_ballots` (made with the ballot). Everything else of a
//! ballot (roll, opening and closing times, turnout, reminders, results, publication) is tier 1's, with the
//! hooks in `services::ballots` calling in here.
//!
//! Secrecy: the service never sees an answer (ballots arrive encrypted under the trustees' joint key) and
//! keeps only **public** credentials. A voter's private credential is generated at opening and sealed
//! (encrypted and authenticated under a key derived from the service's code key, which is kept outside the
//! database) into the invitation's outbox row; the mail sender unseals it when it renders the email, and
//! the row's body is emptied once the email is sent (as for every sent mail), or when the ballot closes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use carried_e2e::archive::{EventData, Record};
use carried_e2e::election::sha256_hex;
use carried_e2e::formats::{
    to_json, Ballot as Encrypted, ElectionResult, EncryptedTally, Event, EventType, PartialDecryption, Trustee,
    TrusteePublicKey,
};
use carried_e2e::{credential, trustee, ElectionCtx};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

use crate::ballot::status::BallotStatus;
use crate::ballot::QuestionDef;
use crate::db::e2e_schema::{e2e_ballots, e2e_cast, e2e_credentials, e2e_trustees};
use crate::db::schema::{ballots, mail_outbox, roll, users};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{Keys, Role, User};
use crate::services::ballots::{CheckpointView, Opened, Receipt};
use crate::services::{audit_log, letters, mail};

mod casting;
mod invitation;
mod tally;
pub mod threshold;

pub use casting::*;
pub use invitation::*;
pub use tally::*;

/// Tier 1: answers in clear in a signed, hash-chained record with receipts (docs/audit.md).
pub const RECEIPTS: &str = "receipts";
/// Tier 2: Belenios 2.0 ballots encrypted by the voter, decrypted only by the trustees.
pub const END_TO_END: &str = "end_to_end";
/// At most this many trustees.
pub const MAX_TRUSTEES: usize = 10;

// ---- definition ------------------------------------------------------------------------------------

/// Reads `verifiability` and `trustees` of a ballot definition: Some(trustee ids) for an end-to-end ballot.
pub fn check_definition(verifiability: Option<&str>, trustees: Option<&[i64]>) -> AppResult<Option<Vec<i64>>> {
    match verifiability {
        None | Some(RECEIPTS) => {
            if trustees.is_some_and(|t| !t.is_empty()) {
                return Err(AppError::validation(
                    "trustees: only an end-to-end ballot has trustees; add \"verifiability\": \"end_to_end\"",
                ));
            }
            Ok(None)
        }
        Some(END_TO_END) => {
            let t = trustees.unwrap_or_default();
            if t.is_empty() {
                return Err(AppError::validation(
                    "trustees: an end-to-end ballot needs at least one trustee (their user ids)",
                ));
            }
            if t.len() > MAX_TRUSTEES {
                return Err(AppError::validation(format!("trustees: at most {MAX_TRUSTEES}")));
            }
            let mut seen = std::collections::HashSet::new();
            for id in t {
                if !seen.insert(id) {
                    return Err(AppError::validation(format!("trustees: user {id} is named twice")));
                }
            }
            Ok(Some(t.to_vec()))
        }
        Some(other) => {
            Err(AppError::validation(format!("verifiability: {other:?} is not \"{RECEIPTS}\" or \"{END_TO_END}\"")))
        }
    }
}

/// Inside the transaction that creates or redefines draft ballot `id`: make it end to end with these
/// trustees (each an active user holding the trustee role), or tier 1 (None). A redefinition that keeps the
/// same trustees in the same order keeps the keys they uploaded.
pub fn define(conn: &mut DbConnection, id: i64, trustees: Option<&[i64]>, threshold: Option<i32>) -> AppResult<()> {
    if let (Some(t), Some(n)) = (threshold, trustees.map(|t| t.len())) {
        threshold::check_threshold(t, n)?;
    } else if threshold.is_some() {
        return Err(AppError::validation("threshold: only an end-to-end ballot with trustees has a threshold"));
    }
    let current: Vec<i64> = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .order(e2e_trustees::position.asc())
        .select(e2e_trustees::user_id)
        .load(conn)?;
    let exists = is_end_to_end(conn, id)?;
    if let Some(t) = trustees {
        if exists && current == t && threshold::threshold_of(conn, id)? == threshold {
            return Ok(());
        }
    }
    diesel::delete(e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id))).execute(conn)?;
    diesel::delete(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id))).execute(conn)?;
    let Some(t) = trustees else { return Ok(()) };
    diesel::insert_into(e2e_ballots::table)
        .values((
            e2e_ballots::ballot_id.eq(id),
            e2e_ballots::ballot_count.eq(0i64),
            e2e_ballots::threshold.eq(threshold),
        ))
        .execute(conn)?;
    insert_trustees(conn, id, t)
}

/// Checks each user may be a trustee (active, holding the trustee role) and makes them ballot `id`'s
/// trustees in this order.
fn insert_trustees(conn: &mut DbConnection, id: i64, t: &[i64]) -> AppResult<()> {
    for uid in t {
        let row: Option<(String, bool)> =
            users::table.filter(users::id.eq(uid)).select((users::roles, users::active)).first(conn).optional()?;
        let Some((roles, active)) = row else {
            return Err(AppError::validation(format!("trustees: there is no user {uid}")));
        };
        if !active {
            return Err(AppError::validation(format!("trustees: user {uid} is disabled")));
        }
        if !crate::services::auth::roles_from_text(&roles).contains(&Role::Trustee) {
            return Err(AppError::validation(format!(
                "trustees: user {uid} does not hold the trustee role (an admin can give it)"
            )));
        }
    }
    for (i, uid) in t.iter().enumerate() {
        diesel::insert_into(e2e_trustees::table)
            .values((
                e2e_trustees::ballot_id.eq(id),
                e2e_trustees::position.eq(i as i32 + 1),
                e2e_trustees::user_id.eq(uid),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn is_end_to_end(conn: &mut DbConnection, id: i64) -> AppResult<bool> {
    let n: i64 = e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).count().get_result(conn)?;
    Ok(n > 0)
}

/// "receipts" or "end_to_end".
pub fn verifiability(conn: &mut DbConnection, id: i64) -> AppResult<String> {
    Ok(if is_end_to_end(conn, id)? { END_TO_END } else { RECEIPTS }.to_string())
}

fn status_of(conn: &mut DbConnection, id: i64) -> AppResult<BallotStatus> {
    ballots::table
        .filter(ballots::id.eq(id))
        .select(ballots::status)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))
}

/// 404 for no ballot, 409 for a ballot that is not end to end.
fn require_e2e(conn: &mut DbConnection, id: i64) -> AppResult<BallotStatus> {
    let status = status_of(conn, id)?;
    if !is_end_to_end(conn, id)? {
        return Err(AppError::conflict(format!(
            "ballot {id} is not an end-to-end ballot (it has no trustees, election or encrypted ballots)"
        )));
    }
    Ok(status)
}

// ---- trustees --------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrusteeStatus {
    /// 1-based: the trustee's place in the election's trustees (the `owner` in the record).
    pub position: i32,
    pub user_id: i64,
    pub name: String,
    pub key_uploaded: bool,
    /// The Belenios trustee_public_key, once uploaded.
    #[schema(value_type = Option<Object>)]
    pub public_key: Option<Value>,
    pub decrypted: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrusteesView {
    pub ballot_id: i64,
    pub status: BallotStatus,
    pub trustees: Vec<TrusteeStatus>,
    /// Names of the trustees who have not uploaded a key (the ballot cannot open until none is missing).
    pub missing_keys: Vec<String>,
    /// After close: names of the trustees whose partial decryption is still awaited.
    pub missing_decryptions: Vec<String>,
    /// Whether the result has been decrypted (then GET /results has it).
    pub result_ready: bool,
    /// Threshold trustees: how many of them must decrypt (t of n); null when every trustee must.
    pub threshold: Option<i32>,
    /// After close, until the result is decrypted: how many more partial decryptions are needed.
    pub decryptions_needed: Option<usize>,
}

struct TrusteeRow {
    position: i32,
    user_id: i64,
    name: String,
    public_key: Option<String>,
    partial_decryption: Option<String>,
}

/// The trustees' names, loaded in one query: a name for each user id ("user 7" for an account since gone).
fn trustee_names(conn: &mut DbConnection, ids: &[i64]) -> AppResult<impl Fn(i64) -> String + use<>> {
    let names: HashMap<i64, String> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)?.into_iter().collect();
    Ok(move |user_id| names.get(&user_id).cloned().unwrap_or_else(|| format!("user {user_id}")))
}

fn trustee_rows(conn: &mut DbConnection, id: i64) -> AppResult<Vec<TrusteeRow>> {
    type Row = (i32, i64, Option<String>, Option<String>);
    let rows: Vec<Row> = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .order(e2e_trustees::position.asc())
        .select((
            e2e_trustees::position,
            e2e_trustees::user_id,
            e2e_trustees::public_key,
            e2e_trustees::partial_decryption,
        ))
        .load(conn)?;
    let name = trustee_names(conn, &rows.iter().map(|r| r.1).collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .map(|(position, user_id, public_key, partial_decryption)| TrusteeRow {
            position,
            user_id,
            name: name(user_id),
            public_key,
            partial_decryption,
        })
        .collect())
}

/// The trustees of an end-to-end ballot, and who has uploaded a key and a partial decryption.
pub fn trustees(conn: &mut DbConnection, id: i64) -> AppResult<TrusteesView> {
    let status = require_e2e(conn, id)?;
    let rows = trustee_rows(conn, id)?;
    let result: Option<String> =
        e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::result).first(conn)?;
    let closed = matches!(status, BallotStatus::Closed | BallotStatus::Published);
    let threshold = threshold::threshold_of(conn, id)?;
    let required = threshold::decryptions_required(conn, id, rows.len())?;
    let have = rows.iter().filter(|r| r.partial_decryption.is_some()).count();
    Ok(TrusteesView {
        ballot_id: id,
        threshold,
        decryptions_needed: (closed && result.is_none()).then_some(required.saturating_sub(have)),
        missing_keys: rows.iter().filter(|r| r.public_key.is_none()).map(|r| r.name.clone()).collect(),
        missing_decryptions: if closed {
            rows.iter().filter(|r| r.partial_decryption.is_none()).map(|r| r.name.clone()).collect()
        } else {
            Vec::new()
        },
        result_ready: result.is_some(),
        status,
        trustees: rows
            .into_iter()
            .map(|r| {
                // A stored key that does not read is a load error, not "no key shown".
                let public_key = r.public_key.as_deref().map(serde_json::from_str).transpose().map_err(|e| {
                    AppError::internal_msg(format!("trustee {}'s stored public key does not read: {e}", r.position))
                })?;
                Ok(TrusteeStatus {
                    position: r.position,
                    user_id: r.user_id,
                    name: r.name,
                    key_uploaded: r.public_key.is_some(),
                    public_key,
                    decrypted: r.partial_decryption.is_some(),
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

/// Who may read a ballot's trustees: whoever may read the ballot, and its trustees (also while a draft).
pub fn may_see_trustees(conn: &mut DbConnection, user: Option<&User>, id: i64) -> AppResult<()> {
    if let Some(u) = user {
        if trustee_position(conn, u, id)?.is_some() {
            return Ok(());
        }
    }
    crate::services::access::may_read_ballot(conn, user, id)
}

fn trustee_position(conn: &mut DbConnection, user: &User, id: i64) -> AppResult<Option<i32>> {
    Ok(e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .filter(e2e_trustees::user_id.eq(user.id))
        .select(e2e_trustees::position)
        .first(conn)
        .optional()?)
}

/// 403 unless `user` is a trustee of this (end-to-end) ballot; returns their position.
fn require_trustee(conn: &mut DbConnection, user: &User, id: i64) -> AppResult<i32> {
    trustee_position(conn, user, id)?
        .ok_or_else(|| AppError::forbidden(format!("you are not a trustee of ballot {id}")))
}

/// Lock the ballot's row for the rest of the transaction (serialises trustees' uploads across instances).
fn lock_ballot(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::update(ballots::table.filter(ballots::id.eq(id)))
        .set(ballots::entry_count.eq(ballots::entry_count))
        .execute(conn)?;
    Ok(())
}

/// A trustee uploads their public key (a Belenios `trustee_public_key`, as `carried trustee keygen` prints
/// it): it must be in the group and its proof of knowledge must verify. Allowed while the ballot is a
/// draft; a new upload replaces the trustee's earlier key.
pub fn upload_key(conn: &mut DbConnection, user: &User, id: i64, key: Value) -> AppResult<TrusteesView> {
    db::write_tx(conn, |conn| {
        let status = require_e2e(conn, id)?;
        let position = require_trustee(conn, user, id)?;
        lock_ballot(conn, id)?;
        if let Some(t) = threshold::threshold_of(conn, id)? {
            return Err(AppError::conflict(format!(
                "ballot {id} has threshold trustees ({t} of them decrypt): its key comes from the key ceremony \
                 (GET /api/v1/ballots/{id}/ceremony), not from a single key per trustee"
            )));
        }
        if status != BallotStatus::Draft {
            return Err(AppError::conflict(format!("the ballot is {status}: trustee keys were fixed when it opened")));
        }
        let key: TrusteePublicKey = serde_json::from_value(key).map_err(|e| {
            AppError::validation(format!(
                "the trustee key does not parse as a Belenios trustee_public_key ({{\"pok\":{{\"challenge\",\"response\"}},\"public_key\"}}): {e}"
            ))
        })?;
        let g = &*carried_e2e::group::BELENIOS_2048;
        if !g.is_element(&key.public_key) {
            return Err(AppError::validation("public_key: not an element of the BELENIOS-2048 group"));
        }
        if !g.is_scalar(&key.pok.challenge) || !g.is_scalar(&key.pok.response) {
            return Err(AppError::validation("pok: the challenge or response is out of range [0, q)"));
        }
        if !trustee::check_public_key(g, &key) {
            return Err(AppError::validation(
                "pok: the proof of knowledge of the private key does not verify for this public_key",
            ));
        }
        let text = to_json(&key);
        let others: Vec<Option<String>> = e2e_trustees::table
            .filter(e2e_trustees::ballot_id.eq(id))
            .filter(e2e_trustees::position.ne(position))
            .select(e2e_trustees::public_key)
            .load(conn)?;
        if others
            .iter()
            .flatten()
            .any(|k| serde_json::from_str::<TrusteePublicKey>(k).is_ok_and(|k| k.public_key == key.public_key))
        {
            return Err(AppError::conflict(
                "this public key is already another trustee's: each trustee makes their own",
            ));
        }
        diesel::update(
            e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id)).filter(e2e_trustees::position.eq(position)),
        )
        .set((e2e_trustees::public_key.eq(Some(&text)), e2e_trustees::key_uploaded_at.eq(Some(db::now()))))
        .execute(conn)?;
        audit_log::append(
            conn,
            &user.email,
            audit_log::AuditAction::BallotTrusteeKey,
            &format!("ballot {id}"),
            serde_json::json!({"position": position, "key_sha256": sha256_hex(text.as_bytes())}),
        )?;
        trustees(conn, id)
    })
}

// ---- opening ---------------------------------------------------------------------------------------

/// Open an end-to-end ballot (called by `ballots::open_ballot`): the election key is the product of the
/// trustees' keys; the Belenios election gets a fresh uuid; each voter gets a fresh random credential, of
/// which only the public part is stored; the private one is sealed into the invitation.
pub fn open_ballot(conn: &mut DbConnection, actor: &str, keys: &Keys, id: i64) -> AppResult<Opened> {
    let b = crate::services::ballots::load(conn, id)?;
    if b.status != BallotStatus::Draft {
        return Err(AppError::conflict(format!("the ballot is {}, not a draft", b.status)));
    }
    let trustee_keys = threshold::election_trustees(conn, id)?;
    let rows = trustee_rows(conn, id)?;
    let roll_rows: Vec<(i64, String, String)> = roll::table
        .filter(roll::ballot_id.eq(id))
        .order(roll::id.asc())
        .select((roll::id, roll::email, roll::name))
        .load(conn)?;
    if roll_rows.is_empty() {
        return Err(AppError::conflict("the roll is empty: import the electoral roll before opening"));
    }
    let g = &*carried_e2e::group::BELENIOS_2048;
    let y = trustee::combine_keys(g, &trustee_keys).map_err(AppError::internal_msg)?;
    let uuid = credential::token();
    let election = to_json(&crate::ballot::e2e::belenios_election(&b.title, &b.description, &uuid, y, &b.questions));
    let fingerprint = carried_e2e::election::sha256_b64(election.as_bytes());
    let trustees_json = to_json(&trustee_keys);
    // Fresh credentials, computed before the write transaction (PBKDF2 and an exponentiation each), on
    // every core.
    let creds = make_credentials(g, &uuid, roll_rows.len());
    let mut public: Vec<String> = creds.iter().map(|(_, c)| c.clone()).collect();
    // Sorted, so the published list says nothing of the roll's order.
    public.sort();
    let public_json = to_json(&public);
    let mut record = Record::new(chrono::Utc::now().timestamp().max(0) as u64);
    record.events.push(EventData::Setup {
        election: election.clone(),
        trustees: trustees_json.clone(),
        credentials: public_json.clone(),
    });
    let head = record.head().ok_or_else(|| AppError::internal_msg("no setup event"))?;
    let roll_ids: Vec<i64> = roll_rows.iter().map(|r| r.0).collect();
    db::write_tx(conn, |conn| {
        let b = crate::services::ballots::load(conn, id)?;
        if b.status != BallotStatus::Draft {
            return Err(AppError::conflict(format!("the ballot is {}, not a draft", b.status)));
        }
        if let Some(c) = b.closes_at {
            if c <= db::now() {
                return Err(AppError::conflict("the ballot's closing time has passed; change it before opening"));
            }
        }
        let now_ids: Vec<i64> =
            roll::table.filter(roll::ballot_id.eq(id)).order(roll::id.asc()).select(roll::id).load(conn)?;
        if now_ids != roll_ids {
            return Err(AppError::conflict("the roll changed while the ballot was being opened; open it again"));
        }
        let keys_now = trustee_rows(conn, id)?;
        if keys_now.iter().map(|r| &r.public_key).ne(rows.iter().map(|r| &r.public_key)) {
            return Err(AppError::conflict("a trustee key changed while the ballot was being opened; open it again"));
        }
        for ((roll_id, email, name), (private, public)) in roll_rows.iter().zip(&creds) {
            diesel::insert_into(e2e_credentials::table)
                .values((
                    e2e_credentials::ballot_id.eq(id),
                    e2e_credentials::credential.eq(public),
                    e2e_credentials::roll_id.eq(roll_id),
                    e2e_credentials::used.eq(false),
                ))
                .execute(conn)?;
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: mail::MailKind::Invitation,
                    to_addr: email.clone(),
                    to_name: name.clone(),
                    subject: letters::ballot_invitation_subject(&b.title),
                    body: seal(&keys.code_key, id, *roll_id, private),
                    ballot_id: Some(id),
                    roll_id: Some(*roll_id),
                },
            )?;
        }
        let eligible = roll_rows.len() as i64;
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::status.eq(BallotStatus::Open),
                ballots::opened_at.eq(Some(db::now())),
                ballots::eligible.eq(Some(eligible)),
                ballots::entry_count.eq(0i64),
            ))
            .execute(conn)?;
        diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
            .set((
                e2e_ballots::uuid.eq(Some(&uuid)),
                e2e_ballots::election.eq(Some(&election)),
                e2e_ballots::trustees.eq(Some(&trustees_json)),
                e2e_ballots::public_credentials.eq(Some(&public_json)),
                e2e_ballots::archive_timestamp.eq(Some(record.timestamp as i64)),
                e2e_ballots::head.eq(Some(&head)),
                e2e_ballots::ballot_count.eq(0i64),
            ))
            .execute(conn)?;
        audit_log::append(
            conn,
            actor,
            audit_log::AuditAction::BallotOpen,
            &format!("ballot {id}"),
            serde_json::json!({"eligible": eligible, "election": fingerprint, "uuid": uuid}),
        )?;
        Ok(Opened { id, eligible, invitations_queued: eligible, genesis: fingerprint.clone() })
    })
}

/// `n` fresh (private, public) credentials for election `uuid`.
fn make_credentials(g: &carried_e2e::group::Group, uuid: &str, n: usize) -> Vec<(String, String)> {
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1).clamp(1, 8);
    let per = n.div_ceil(threads).max(1);
    let sizes: Vec<usize> = (0..n).step_by(per).map(|start| per.min(n - start)).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = sizes
            .into_iter()
            .map(|k| {
                s.spawn(move || {
                    (0..k)
                        .map(|_| {
                            let c = credential::generate();
                            let p = credential::public(g, uuid, &c).to_string();
                            (c, p)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_name_what_is_wrong() {
        assert_eq!(check_definition(None, None).expect("tier 1"), None);
        assert_eq!(check_definition(Some("receipts"), Some(&[])).expect("tier 1"), None);
        assert_eq!(check_definition(Some("end_to_end"), Some(&[4, 5])).expect("e2e"), Some(vec![4, 5]));
        let e = check_definition(Some("end_to_end"), None).expect_err("no trustees");
        assert!(e.detail.contains("at least one trustee"));
        let e = check_definition(Some("end_to_end"), Some(&[4, 4])).expect_err("twice");
        assert!(e.detail.contains("user 4 is named twice"));
        let e = check_definition(None, Some(&[4])).expect_err("tier 1 with trustees");
        assert!(e.detail.contains("only an end-to-end ballot"));
        let e = check_definition(Some("tier2"), None).expect_err("unknown");
        assert!(e.detail.contains("\"tier2\""));
    }
}

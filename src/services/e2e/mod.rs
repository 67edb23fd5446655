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

use crate::ballot::QuestionDef;
use crate::db::e2e_schema::{e2e_ballots, e2e_cast, e2e_credentials, e2e_trustees};
use crate::db::schema::{ballots, mail_outbox, roll, users};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{Keys, Role, User};
use crate::services::ballots::{Checkpoint, Opened, Receipt};
use crate::services::{audit_log, mail};

/// Tier 1: answers in clear in a signed, hash-chained record with receipts (docs/audit.md).
pub const RECEIPTS: &str = "receipts";
/// Tier 2: Belenios 2.0 ballots encrypted by the voter, decrypted only by the trustees.
pub const END_TO_END: &str = "end_to_end";
/// At most this many trustees (every one must decrypt).
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
pub fn define(conn: &mut DbConnection, id: i64, trustees: Option<&[i64]>) -> AppResult<()> {
    let current: Vec<i64> = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .order(e2e_trustees::position.asc())
        .select(e2e_trustees::user_id)
        .load(conn)?;
    let exists = is_end_to_end(conn, id)?;
    if let Some(t) = trustees {
        if exists && current == t {
            return Ok(());
        }
    }
    diesel::delete(e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id))).execute(conn)?;
    diesel::delete(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id))).execute(conn)?;
    let Some(t) = trustees else { return Ok(()) };
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
    diesel::insert_into(e2e_ballots::table)
        .values((e2e_ballots::ballot_id.eq(id), e2e_ballots::ballot_count.eq(0i64)))
        .execute(conn)?;
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

fn status_of(conn: &mut DbConnection, id: i64) -> AppResult<String> {
    ballots::table
        .filter(ballots::id.eq(id))
        .select(ballots::status)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))
}

/// 404 for no ballot, 409 for a ballot that is not end to end.
fn require_e2e(conn: &mut DbConnection, id: i64) -> AppResult<String> {
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
    pub status: String,
    pub trustees: Vec<TrusteeStatus>,
    /// Names of the trustees who have not uploaded a key (the ballot cannot open until none is missing).
    pub missing_keys: Vec<String>,
    /// After close: names of the trustees whose partial decryption is still awaited.
    pub missing_decryptions: Vec<String>,
    /// Whether the result has been decrypted (then GET /results has it).
    pub result_ready: bool,
}

struct TrusteeRow {
    position: i32,
    user_id: i64,
    name: String,
    public_key: Option<String>,
    partial_decryption: Option<String>,
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
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let names: HashMap<i64, String> =
        users::table.filter(users::id.eq_any(&ids)).select((users::id, users::name)).load(conn)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|(position, user_id, public_key, partial_decryption)| TrusteeRow {
            position,
            user_id,
            name: names.get(&user_id).cloned().unwrap_or_else(|| format!("user {user_id}")),
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
    let closed = status == "closed" || status == "published";
    Ok(TrusteesView {
        ballot_id: id,
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
            .map(|r| TrusteeStatus {
                position: r.position,
                user_id: r.user_id,
                name: r.name,
                key_uploaded: r.public_key.is_some(),
                public_key: r.public_key.as_deref().and_then(|k| serde_json::from_str(k).ok()),
                decrypted: r.partial_decryption.is_some(),
            })
            .collect(),
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
        if status != "draft" {
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
            "ballot.trustee_key",
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
    if b.status != "draft" {
        return Err(AppError::conflict(format!("the ballot is {}, not a draft", b.status)));
    }
    let rows = trustee_rows(conn, id)?;
    let missing: Vec<String> = rows.iter().filter(|r| r.public_key.is_none()).map(|r| r.name.clone()).collect();
    if !missing.is_empty() {
        return Err(AppError::conflict(format!(
            "the ballot cannot open until every trustee has uploaded a key; missing: {}",
            missing.join(", ")
        )));
    }
    let roll_rows: Vec<(i64, String, String)> = roll::table
        .filter(roll::ballot_id.eq(id))
        .order(roll::id.asc())
        .select((roll::id, roll::email, roll::name))
        .load(conn)?;
    if roll_rows.is_empty() {
        return Err(AppError::conflict("the roll is empty: import the electoral roll before opening"));
    }
    let g = &*carried_e2e::group::BELENIOS_2048;
    let mut trustee_keys = Vec::with_capacity(rows.len());
    for r in &rows {
        let k: TrusteePublicKey = serde_json::from_str(r.public_key.as_deref().unwrap_or_default())
            .map_err(|e| AppError::internal_msg(format!("a stored trustee key does not parse: {e}")))?;
        trustee_keys.push(Trustee::Single(k));
    }
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
        if b.status != "draft" {
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
                    kind: "invitation".into(),
                    to_addr: email.clone(),
                    to_name: name.clone(),
                    subject: format!("Your vote: {}", b.title),
                    body: seal(&keys.code_key, id, *roll_id, private),
                    ballot_id: Some(id),
                    roll_id: Some(*roll_id),
                },
            )?;
        }
        let eligible = roll_rows.len() as i64;
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::status.eq("open"),
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
            "ballot.open",
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

// ---- the credential in the invitation --------------------------------------------------------------

const SEAL_PREFIX: &str = "e2e-credential:v1:";

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The private credential as it waits in the outbox: XOR with an HMAC-SHA-256 keystream and authenticated
/// (encrypt-then-MAC) under the service's code key (kept outside the database), bound to the ballot and
/// roll entry. A database reader alone cannot read it; it is gone once the email is sent.
pub fn seal(key: &[u8], ballot_id: i64, roll_id: i64, credential: &str) -> String {
    use rand::RngCore;
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let (b, r) = (ballot_id.to_be_bytes(), roll_id.to_be_bytes());
    let stream = mac(key, &[b"e2e-credential-stream", &nonce, &b, &r]);
    let ct: Vec<u8> = credential.bytes().zip(stream.iter().cycle()).map(|(c, k)| c ^ k).collect();
    let tag = mac(key, &[b"e2e-credential-tag", &nonce, &b, &r, &ct]);
    format!("{SEAL_PREFIX}{}:{}:{}", hex::encode(nonce), hex::encode(&ct), hex::encode(tag))
}

/// The credential sealed by [`seal`] for this ballot and roll entry.
pub fn unseal(key: &[u8], ballot_id: i64, roll_id: i64, sealed: &str) -> AppResult<String> {
    use subtle::ConstantTimeEq;
    let bad = || AppError::internal_msg("a sealed credential in the outbox does not open");
    let rest = sealed.strip_prefix(SEAL_PREFIX).ok_or_else(bad)?;
    let mut parts = rest.split(':');
    let (Some(n), Some(c), Some(t), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (nonce, ct, tag) =
        (hex::decode(n).map_err(|_| bad())?, hex::decode(c).map_err(|_| bad())?, hex::decode(t).map_err(|_| bad())?);
    if ct.len() > 32 {
        return Err(bad());
    }
    let (b, r) = (ballot_id.to_be_bytes(), roll_id.to_be_bytes());
    let want = mac(key, &[b"e2e-credential-tag", &nonce, &b, &r, &ct]);
    if !bool::from(want.as_slice().ct_eq(&tag)) {
        return Err(bad());
    }
    let stream = mac(key, &[b"e2e-credential-stream", &nonce, &b, &r]);
    let plain: Vec<u8> = ct.iter().zip(stream.iter()).map(|(c, k)| c ^ k).collect();
    String::from_utf8(plain).map_err(|_| bad())
}

/// Renders end-to-end invitations (unsealing the credential) and reminders (which cannot carry the
/// credential: it is not kept), and hands every other row to `inner`.
pub struct E2eMail<R> {
    pub inner: R,
    pub code_key: Vec<u8>,
    pub public_url: String,
}

impl<R: mail::Renderer> mail::Renderer for E2eMail<R> {
    fn render(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>> {
        self.inner.render(conn, kind, ballot_id, roll_id)
    }

    fn render_many(
        &self,
        conn: &mut DbConnection,
        rows: &[(&str, Option<i64>, Option<i64>)],
    ) -> Vec<AppResult<Option<String>>> {
        self.inner.render_many(conn, rows)
    }

    fn render_batch(&self, conn: &mut DbConnection, rows: &[mail::BatchRow<'_>]) -> Vec<AppResult<Option<String>>> {
        let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.ballot_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let e2e: Vec<i64> = match e2e_ballots::table
            .filter(e2e_ballots::ballot_id.eq_any(&ids))
            .select(e2e_ballots::ballot_id)
            .load(conn)
        {
            Ok(v) => v,
            Err(e) => {
                let msg = e.to_string();
                return rows.iter().map(|_| Err(AppError::internal_msg(msg.clone()))).collect();
            }
        };
        let mine = |r: &mail::BatchRow<'_>| {
            (r.kind == "invitation" || r.kind == "reminder") && r.ballot_id.is_some_and(|b| e2e.contains(&b))
        };
        let others: Vec<mail::BatchRow<'_>> = rows.iter().filter(|r| !mine(r)).copied().collect();
        let mut others = self.inner.render_batch(conn, &others).into_iter();
        let mut titles: HashMap<i64, (String, Option<chrono::NaiveDateTime>)> = HashMap::new();
        rows.iter()
            .map(|r| {
                if mine(r) {
                    self.render_e2e(conn, &mut titles, r)
                } else {
                    others.next().unwrap_or_else(|| Err(AppError::internal_msg("not rendered")))
                }
            })
            .collect()
    }
}

impl<R> E2eMail<R> {
    fn render_e2e(
        &self,
        conn: &mut DbConnection,
        titles: &mut HashMap<i64, (String, Option<chrono::NaiveDateTime>)>,
        r: &mail::BatchRow<'_>,
    ) -> AppResult<Option<String>> {
        let (Some(ballot_id), Some(roll_id)) = (r.ballot_id, r.roll_id) else {
            return Ok(None);
        };
        if let std::collections::hash_map::Entry::Vacant(v) = titles.entry(ballot_id) {
            let t: (String, Option<chrono::NaiveDateTime>) = ballots::table
                .filter(ballots::id.eq(ballot_id))
                .select((ballots::title, ballots::closes_at))
                .first(conn)?;
            v.insert(t);
        }
        let (title, closes_at) = titles.get(&ballot_id).cloned().unwrap_or_default();
        let (name,): (String,) = roll::table.filter(roll::id.eq(roll_id)).select((roll::name,)).first(conn)?;
        let url = &self.public_url;
        let closes = closes_at
            .map(|c| {
                format!(
                    "Voting closes at {} (UK time).\n\n",
                    c.and_utc().with_timezone(&chrono_tz::Europe::London).format("%H:%M on %A %-d %B %Y")
                )
            })
            .unwrap_or_default();
        if r.kind == "reminder" {
            return Ok(Some(format!(
                "Dear {name},\n\nThis is a reminder: you have not voted yet in the end-to-end verifiable ballot \"{title}\".\n\n\
                 Vote with the link in your invitation email. Its voting code was sent only once: we do not keep it, \
                 so we cannot send it again.\n\n{closes}"
            )));
        }
        let code = unseal(&self.code_key, ballot_id, roll_id, r.stored)?;
        Ok(Some(format!(
            "Dear {name},\n\nYou are invited to vote in the end-to-end verifiable ballot \"{title}\".\n\n\
             Vote here (the link is yours alone; do not forward it):\n{url}/vote/{ballot_id}?code={code}\n\n\
             Or go to {url}/vote/{ballot_id} and enter your voting code: {code}\n\n{closes}\
             Your answers are encrypted on your own device before they are sent: no one running the service can read \
             them, and only the trustees together can count them. We do not keep your voting code: this email is the \
             only copy, so keep it until you have voted. You can vote once, and your vote is final.\n\n\
             When you vote you are shown a tracker: it appears in the published record of the ballot, which anyone \
             can verify (with carried verify or Belenios's own belenios-tool).\n"
        )))
    }
}

/// At close (inside the closing transaction): the sealed credentials of invitations never sent are erased.
fn erase_unsent_credentials(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::ballot_id.eq(id))
            .filter(mail_outbox::kind.eq("invitation"))
            .filter(mail_outbox::status.ne("sent"))
            .filter(mail_outbox::status.ne("sending")),
    )
    .set(mail_outbox::body.eq(""))
    .execute(conn)?;
    Ok(())
}

/// Refuses resending an invitation of an end-to-end ballot: the credential is not kept.
pub fn refuse_resend(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    if is_end_to_end(conn, id)? {
        return Err(AppError::conflict(
            "this is an end-to-end ballot: a voter's credential was sent once and is not kept, so the invitation \
             cannot be sent again",
        ));
    }
    Ok(())
}

// ---- the election and casting ----------------------------------------------------------------------

type Cache = Mutex<HashMap<String, Arc<ElectionCtx>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The parsed election (cached by its fingerprint: an election never changes once the ballot is open).
fn ctx_of(raw: &str) -> AppResult<Arc<ElectionCtx>> {
    let fp = carried_e2e::election::sha256_b64(raw.as_bytes());
    if let Some(c) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&fp) {
        return Ok(c.clone());
    }
    let ctx =
        Arc::new(ElectionCtx::parse(raw).map_err(|e| AppError::internal_msg(format!("the stored election: {e}")))?);
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= 64 {
        c.clear();
    }
    c.insert(fp, ctx.clone());
    Ok(ctx)
}

fn stored_election(conn: &mut DbConnection, id: i64) -> AppResult<Option<String>> {
    Ok(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::election).first(conn)?)
}

/// The Belenios election JSON, exactly as its fingerprint is computed (anyone, once the ballot is open).
pub fn election(conn: &mut DbConnection, id: i64) -> AppResult<String> {
    let status = require_e2e(conn, id)?;
    if status == "draft" {
        return Err(AppError::new(
            ErrorCode::BallotNotOpen,
            "the ballot has not opened: its election is made when it opens (after every trustee's key)",
        ));
    }
    stored_election(conn, id)?.ok_or_else(|| AppError::internal_msg("an open end-to-end ballot has no election"))
}

/// The election of an open end-to-end ballot, for checking a ballot cast in it.
pub fn election_for_casting(conn: &mut DbConnection, id: i64) -> AppResult<Arc<ElectionCtx>> {
    let status = status_of(conn, id)?;
    if !is_end_to_end(conn, id)? {
        return Err(AppError::validation(
            "this ballot is not end to end: send {\"code\", \"answers\"}, not an encrypted ballot",
        ));
    }
    if status != "open" {
        return Err(AppError::new(
            ErrorCode::BallotNotOpen,
            format!("the ballot is {status}; votes are not being taken"),
        ));
    }
    let raw = stored_election(conn, id)?.ok_or_else(|| AppError::internal_msg("an open ballot has no election"))?;
    ctx_of(&raw)
}

/// A ballot that passed every check that needs no database: ready for the vote writer.
#[derive(Debug, Clone)]
pub struct CheckedBallot {
    pub ballot_id: i64,
    /// The public credential, base 10.
    pub credential: String,
    /// Base64 of the SHA-256 of `json`.
    pub tracker: String,
    /// The ballot's canonical JSON (what the record holds).
    pub json: String,
}

/// Checks a Belenios ballot against the election (CPU work: run it on the blocking pool): it parses, and
/// [`ElectionCtx::check_ballot`] passes (the election it names, the credential's signature, every
/// ciphertext in the group, every proof, every challenge and response in range). The error names what failed.
pub fn check_cast(ctx: &ElectionCtx, ballot_id: i64, ballot: Value) -> AppResult<CheckedBallot> {
    let b: Encrypted = serde_json::from_value(ballot)
        .map_err(|e| AppError::validation(format!("ballot: not a Belenios ballot: {e}")))?;
    ctx.check_ballot(&b).map_err(|e| AppError::validation(format!("ballot: refused: {e}")))?;
    let json = to_json(&b);
    Ok(CheckedBallot { ballot_id, credential: b.credential.to_string(), tracker: carried_e2e::tracker(&json), json })
}

/// Cast an end-to-end ballot: the election is read (cached), the ballot checked on the blocking pool, and
/// the vote writer casts it in its group commit; 201 comes after the durable commit.
pub async fn cast(state: &crate::services::AppState, id: i64, ballot: Value) -> AppResult<Receipt> {
    let ctx = state.db.run(move |c| election_for_casting(c, id)).await?;
    let checked = actix_web::web::block(move || check_cast(&ctx, id, ballot)).await.map_err(AppError::internal)??;
    state.votes.cast_e2e(checked).await
}

/// Casts checked ballots inside the vote writer's transaction (with tier 1's votes of the same batch):
/// per ballot, the ballot row is locked while it is open, each credential is marked used in one
/// `UPDATE … RETURNING` (the first ballot of a credential wins; a second gets 409; a credential not on the
/// list 403), the voters are marked on the roll (turnout), and the ballots are appended in order, the
/// archive's head following. An Err is a database error: the caller's transaction fails.
pub fn cast_batch(conn: &mut DbConnection, votes: &[&CheckedBallot]) -> AppResult<Vec<AppResult<Receipt>>> {
    let mut results: Vec<Option<AppResult<Receipt>>> = votes.iter().map(|_| None).collect();
    let mut ids: Vec<i64> = votes.iter().map(|v| v.ballot_id).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let mine: Vec<usize> = (0..votes.len()).filter(|i| votes[*i].ballot_id == id).collect();
        let row: Option<(String, Option<chrono::NaiveDateTime>)> = ballots::table
            .filter(ballots::id.eq(id))
            .select((ballots::status, ballots::closes_at))
            .first(conn)
            .optional()?;
        let open = matches!(&row, Some((s, c)) if s == "open" && !c.is_some_and(|c| c <= db::now()));
        let locked = open
            && diesel::update(ballots::table.filter(ballots::id.eq(id)).filter(ballots::status.eq("open")))
                .set(ballots::entry_count.eq(ballots::entry_count))
                .execute(conn)?
                == 1;
        if !locked {
            for i in mine {
                results[i] = Some(Err(AppError::new(
                    ErrorCode::BallotNotOpen,
                    "the ballot is not open; votes are not being taken",
                )));
            }
            continue;
        }
        let creds: Vec<&str> = mine.iter().map(|i| votes[*i].credential.as_str()).collect();
        let mut marked: HashMap<String, i64> = HashMap::new();
        for chunk in creds.chunks(500) {
            let rows: Vec<(String, i64)> = diesel::update(
                e2e_credentials::table
                    .filter(e2e_credentials::ballot_id.eq(id))
                    .filter(e2e_credentials::used.eq(false))
                    .filter(e2e_credentials::credential.eq_any(chunk)),
            )
            .set(e2e_credentials::used.eq(true))
            .returning((e2e_credentials::credential, e2e_credentials::roll_id))
            .get_results(conn)?;
            marked.extend(rows);
        }
        let roll_ids: Vec<i64> = marked.values().copied().collect();
        for chunk in roll_ids.chunks(500) {
            diesel::update(roll::table.filter(roll::id.eq_any(chunk))).set(roll::voted.eq(true)).execute(conn)?;
        }
        let (head, mut count): (Option<String>, i64) = e2e_ballots::table
            .filter(e2e_ballots::ballot_id.eq(id))
            .select((e2e_ballots::head, e2e_ballots::ballot_count))
            .first(conn)?;
        let mut head = head.ok_or_else(|| AppError::internal_msg("an open end-to-end ballot has no archive head"))?;
        let mut refused = Vec::new();
        for i in mine {
            let v = votes[i];
            if marked.remove(&v.credential).is_none() {
                refused.push(i);
                continue;
            }
            count += 1;
            let event = to_json(&Event {
                parent: Some(head.clone()),
                height: count as u64,
                kind: EventType::Ballot,
                payload: Some(sha256_hex(v.json.as_bytes())),
            });
            head = sha256_hex(event.as_bytes());
            diesel::insert_into(e2e_cast::table)
                .values((
                    e2e_cast::ballot_id.eq(id),
                    e2e_cast::seq.eq(count),
                    e2e_cast::tracker.eq(&v.tracker),
                    e2e_cast::ballot.eq(&v.json),
                ))
                .execute(conn)?;
            results[i] = Some(Ok(Receipt { ballot_id: id, receipt: v.tracker.clone() }));
        }
        diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
            .set((e2e_ballots::head.eq(Some(&head)), e2e_ballots::ballot_count.eq(count)))
            .execute(conn)?;
        if !refused.is_empty() {
            let known: Vec<String> = e2e_credentials::table
                .filter(e2e_credentials::ballot_id.eq(id))
                .filter(e2e_credentials::credential.eq_any(refused.iter().map(|i| votes[*i].credential.as_str())))
                .select(e2e_credentials::credential)
                .load(conn)?;
            for i in refused {
                results[i] = Some(Err(if known.contains(&votes[i].credential) {
                    AppError::new(
                        ErrorCode::AlreadyVoted,
                        "a ballot has already been cast with this credential; it is final",
                    )
                } else {
                    AppError::forbidden("the ballot's credential is not on this election's list of public credentials")
                }));
            }
        }
    }
    Ok(results.into_iter().map(|r| r.unwrap_or_else(|| Err(AppError::internal_msg("vote not processed")))).collect())
}

/// The checkpoint of an open end-to-end ballot: the number of ballots and the archive's head (the hash of
/// the last event); a later record extends it. None for a tier 1 ballot.
pub fn checkpoint(conn: &mut DbConnection, id: i64) -> AppResult<Option<Checkpoint>> {
    let row: Option<(Option<String>, i64)> = e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select((e2e_ballots::head, e2e_ballots::ballot_count))
        .first(conn)
        .optional()?;
    let Some((head, count)) = row else { return Ok(None) };
    let Some(head) = head else {
        return Err(AppError::new(ErrorCode::BallotNotOpen, "the ballot has not opened: there is no record yet"));
    };
    Ok(Some(Checkpoint { count, head, genesis: None, signature: None }))
}

// ---- closing, the tally, trustees' decryptions, the result -----------------------------------------

/// Inside the closing transaction of an end-to-end ballot: the encrypted tally (the product of every
/// ballot: one per credential), and unsent invitations lose their sealed credential. Returns the number of
/// ballots.
pub fn close(conn: &mut DbConnection, id: i64) -> AppResult<i64> {
    erase_unsent_credentials(conn, id)?;
    let raw = stored_election(conn, id)?.ok_or_else(|| AppError::internal_msg("an open ballot has no election"))?;
    let ctx = ctx_of(&raw)?;
    let stored: Vec<String> = e2e_cast::table
        .filter(e2e_cast::ballot_id.eq(id))
        .order(e2e_cast::seq.asc())
        .select(e2e_cast::ballot)
        .load(conn)?;
    let parsed: Vec<Encrypted> = stored
        .iter()
        .map(|s| serde_json::from_str(s).map_err(|e| AppError::internal_msg(format!("a stored ballot: {e}"))))
        .collect::<AppResult<_>>()?;
    let counted: Vec<(&Encrypted, u64)> = parsed.iter().map(|b| (b, 1)).collect();
    let tally = carried_e2e::verify::compute_tally(&ctx, &counted);
    let n = parsed.len() as i64;
    diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
        .set((e2e_ballots::encrypted_tally.eq(Some(to_json(&tally))), e2e_ballots::num_tallied.eq(Some(n))))
        .execute(conn)?;
    Ok(n)
}

fn closed_tally(conn: &mut DbConnection, id: i64) -> AppResult<(String, String, i64)> {
    let status = require_e2e(conn, id)?;
    if status != "closed" && status != "published" {
        return Err(AppError::new(
            ErrorCode::ResultsNotAvailable,
            format!("the ballot is {status}: the encrypted tally is computed when it closes"),
        ));
    }
    let (election, tally, n): (Option<String>, Option<String>, Option<i64>) = e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select((e2e_ballots::election, e2e_ballots::encrypted_tally, e2e_ballots::num_tallied))
        .first(conn)?;
    match (election, tally, n) {
        (Some(e), Some(t), Some(n)) => Ok((e, t, n)),
        _ => Err(AppError::internal_msg("a closed end-to-end ballot has no encrypted tally")),
    }
}

/// The encrypted tally of a closed ballot, as one JSON object that `carried trustee decrypt --tally` reads
/// alone: `{"election": <the election>, "election_hash": φ, "encrypted_tally": <Belenios encrypted_tally>,
/// "num_tallied": n, "total_weight": n}`. The election is embedded byte for byte as published.
pub fn encrypted_tally(conn: &mut DbConnection, id: i64) -> AppResult<String> {
    let (election, tally, n) = closed_tally(conn, id)?;
    let fp = carried_e2e::election::sha256_b64(election.as_bytes());
    Ok(format!(
        "{{\"election\":{election},\"election_hash\":{},\"encrypted_tally\":{tally},\"num_tallied\":{n},\"total_weight\":{n}}}",
        serde_json::Value::String(fp)
    ))
}

/// A trustee uploads their partial decryption of the encrypted tally (as `carried trustee decrypt`
/// prints it); its proofs are checked against that trustee's key. When every trustee's is in, they are
/// combined, the counts found, and the result stored (GET /results then has it).
pub fn upload_partial_decryption(conn: &mut DbConnection, user: &User, id: i64, pd: Value) -> AppResult<TrusteesView> {
    db::write_tx(conn, |conn| {
        let position = match require_e2e(conn, id) {
            Ok(_) => require_trustee(conn, user, id)?,
            Err(e) => return Err(e),
        };
        lock_ballot(conn, id)?;
        let (election, tally_text, n) = closed_tally(conn, id)?;
        let rows = trustee_rows(conn, id)?;
        let me = rows
            .iter()
            .find(|r| r.position == position)
            .ok_or_else(|| AppError::internal_msg("trustee row vanished"))?;
        if me.partial_decryption.is_some() {
            return Err(AppError::conflict("you have already uploaded your partial decryption of this ballot"));
        }
        let pd: PartialDecryption = serde_json::from_value(pd).map_err(|e| {
            AppError::validation(format!(
                "the partial decryption does not parse ({{\"decryption_factors\",\"decryption_proofs\"}}): {e}"
            ))
        })?;
        let ctx = ctx_of(&election)?;
        let tally: EncryptedTally = serde_json::from_str(&tally_text).map_err(AppError::internal)?;
        let key: TrusteePublicKey = serde_json::from_str(me.public_key.as_deref().unwrap_or_default())
            .map_err(|e| AppError::internal_msg(format!("a stored trustee key: {e}")))?;
        trustee::check_partial_decryption(&ctx, &key.public_key, &tally, &pd)
            .map_err(|e| AppError::validation(format!("the partial decryption is refused: {e}")))?;
        let text = to_json(&pd);
        diesel::update(
            e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id)).filter(e2e_trustees::position.eq(position)),
        )
        .set((e2e_trustees::partial_decryption.eq(Some(&text)), e2e_trustees::decrypted_at.eq(Some(db::now()))))
        .execute(conn)?;
        audit_log::append(
            conn,
            &user.email,
            "ballot.partial_decryption",
            &format!("ballot {id}"),
            serde_json::json!({"position": position}),
        )?;
        // Every trustee's in: combine and decrypt.
        let mut by_owner: BTreeMap<usize, PartialDecryption> = BTreeMap::new();
        for r in &rows {
            let text = if r.position == position { Some(text.clone()) } else { r.partial_decryption.clone() };
            if let Some(t) = text {
                let p: PartialDecryption = serde_json::from_str(&t).map_err(AppError::internal)?;
                by_owner.insert(r.position as usize, p);
            }
        }
        if by_owner.len() == rows.len() {
            let trustees_json: Option<String> =
                e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::trustees).first(conn)?;
            let trustees: Vec<Trustee> = serde_json::from_str(trustees_json.as_deref().unwrap_or("[]"))
                .map_err(|e| AppError::internal_msg(format!("the stored trustees: {e}")))?;
            let factors =
                trustee::combine_factors(&ctx, &trustees, &tally, &by_owner).map_err(AppError::internal_msg)?;
            let counts = trustee::decrypt_counts(&ctx, &tally, &factors, n.max(0) as u64)
                .map_err(|e| AppError::internal_msg(format!("the tally does not decrypt: {e}")))?;
            diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
                .set(e2e_ballots::result.eq(Some(to_json(&ElectionResult { result: counts }))))
                .execute(conn)?;
            audit_log::append(conn, "service", "ballot.decrypted", &format!("ballot {id}"), serde_json::json!({}))?;
        }
        trustees(conn, id)
    })
}

/// The counts of a closed end-to-end ballot, for tier 1's results (turnout, shares, thresholds): None for
/// a tier 1 ballot; 409 while trustees' partial decryptions are awaited.
pub fn counts(conn: &mut DbConnection, id: i64, questions: &[QuestionDef]) -> AppResult<Option<crate::audit::Results>> {
    let row: Option<(Option<String>, Option<i64>)> = e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select((e2e_ballots::result, e2e_ballots::num_tallied))
        .first(conn)
        .optional()?;
    let Some((result, n)) = row else { return Ok(None) };
    let Some(result) = result else {
        let waiting: Vec<String> =
            trustee_rows(conn, id)?.into_iter().filter(|r| r.partial_decryption.is_none()).map(|r| r.name).collect();
        return Err(AppError::new(
            ErrorCode::ResultsNotAvailable,
            format!(
                "the result is not decrypted yet: waiting for the partial decryptions of {}",
                if waiting.is_empty() { "the trustees".to_string() } else { waiting.join(", ") }
            ),
        ));
    };
    let r: ElectionResult = serde_json::from_str(&result).map_err(AppError::internal)?;
    crate::ballot::e2e::counts_from_belenios(questions, &r.result, n.unwrap_or(0).max(0) as u64)
        .map(Some)
        .ok_or_else(|| AppError::internal_msg("the result does not fit the questions"))
}

/// 409 for an end-to-end ballot: its record is `record.bel`, and no tier 1 record is signed for it.
pub fn refuse_tier1_record(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    if is_end_to_end(conn, id)? {
        return Err(AppError::conflict(format!(
            "ballot {id} is end to end: its record is the Belenios archive GET /api/v1/ballots/{id}/record.bel"
        )));
    }
    Ok(())
}

/// The Belenios 2.0 record (`.bel`) of a closed end-to-end ballot: setup (election, trustees, public
/// credentials), every ballot in the order accepted, the end of ballots, the encrypted tally, the partial
/// decryptions in the order they came, and the result once decrypted. Canonical, as `belenios-tool
/// election verify` rebuilds it.
pub fn record_bel(conn: &mut DbConnection, id: i64) -> AppResult<Vec<u8>> {
    let (election, tally, n) = closed_tally(conn, id)?;
    type Row = (Option<String>, Option<String>, Option<i64>, Option<String>);
    let (trustees, creds, timestamp, result): Row = e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select((
            e2e_ballots::trustees,
            e2e_ballots::public_credentials,
            e2e_ballots::archive_timestamp,
            e2e_ballots::result,
        ))
        .first(conn)?;
    let (Some(trustees), Some(credentials), Some(timestamp)) = (trustees, creds, timestamp) else {
        return Err(AppError::internal_msg("a closed end-to-end ballot has no setup"));
    };
    let mut record = Record::new(timestamp.max(0) as u64);
    record.events.push(EventData::Setup { election, trustees, credentials });
    let ballots: Vec<String> = e2e_cast::table
        .filter(e2e_cast::ballot_id.eq(id))
        .order(e2e_cast::seq.asc())
        .select(e2e_cast::ballot)
        .load(conn)?;
    record.events.extend(ballots.into_iter().map(|ballot| EventData::Ballot { ballot }));
    record.events.push(EventData::EndBallots);
    record.events.push(EventData::EncryptedTally {
        encrypted_tally: tally,
        num_tallied: n.max(0) as u64,
        total_weight: n.max(0) as u64,
    });
    let pds: Vec<(i32, Option<String>)> = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .filter(e2e_trustees::partial_decryption.is_not_null())
        .order((e2e_trustees::decrypted_at.asc(), e2e_trustees::position.asc()))
        .select((e2e_trustees::position, e2e_trustees::partial_decryption))
        .load(conn)?;
    for (owner, pd) in pds {
        if let Some(partial_decryption) = pd {
            record.events.push(EventData::PartialDecryption { owner: owner as u32, partial_decryption });
        }
    }
    if let Some(result) = result {
        record.events.push(EventData::Result { result });
    }
    Ok(record.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_for_their_ballot_and_voter() {
        let key = [7u8; 32];
        let c = credential::generate();
        let s = seal(&key, 3, 9, &c);
        assert!(!s.contains(&c));
        assert_eq!(unseal(&key, 3, 9, &s).expect("opens"), c);
        assert!(unseal(&key, 3, 10, &s).is_err());
        assert!(unseal(&key, 4, 9, &s).is_err());
        assert!(unseal(&[8u8; 32], 3, 9, &s).is_err());
        let mut t = s.clone();
        let last = t.pop().map(|ch| if ch == '0' { '1' } else { '0' }).unwrap_or('0');
        t.push(last);
        assert!(unseal(&key, 3, 9, &t).is_err());
        assert_ne!(seal(&key, 3, 9, &c), s, "a fresh nonce each time");
    }

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

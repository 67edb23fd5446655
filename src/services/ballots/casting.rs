//! Casting.

use super::*;

/// Cast a ballot. In one write transaction: mark the voter as having voted and put the vote in the ballot
/// box (chained later, see [`chain_box`]). Acknowledged only after commit. (The HTTP path goes through the vote
/// writer, which does the same for many votes in one transaction.)
pub fn cast_one(
    conn: &mut DbConnection,
    keys: &Keys,
    id: i64,
    voter: Voter<'_>,
    answers: &[Value],
) -> AppResult<Receipt> {
    let mut results = db::write_tx(conn, |conn| Ok(cast_batch(conn, keys, &[(id, voter, answers)])))?;
    results.pop().unwrap_or_else(|| Err(AppError::internal_msg("no result")))
}

pub(super) fn code_format_ok(code: &str) -> bool {
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

pub(super) fn invalid_code() -> AppError {
    AppError::new(ErrorCode::Forbidden, "that voting code is not valid for this ballot")
}

/// How a vote finds its voter's line on the roll: by the keyed hash of the voting code they gave, or, for
/// a member signed in, by their account's email (lowercased).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum RollKey {
    CodeHash(String),
    Email(String),
}

impl RollKey {
    /// The code hashes and the emails among `keys`, apart.
    fn split(keys: &[RollKey]) -> (Vec<&str>, Vec<&str>) {
        let mut codes = Vec::new();
        let mut emails = Vec::new();
        for k in keys {
            match k {
                RollKey::CodeHash(h) => codes.push(h.as_str()),
                RollKey::Email(e) => emails.push(e.as_str()),
            }
        }
        (codes, emails)
    }
}

/// Mark as having voted every listed voter who has not voted yet, in at most two statements. Returns,
/// for each voter marked now, their LMC area and role.
pub(super) fn mark_voters(
    conn: &mut DbConnection,
    id: i64,
    keys: &[RollKey],
) -> AppResult<std::collections::HashMap<RollKey, (String, String)>> {
    let mut out = std::collections::HashMap::new();
    let (codes, emails) = RollKey::split(keys);
    let on_roll = roll::table.filter(roll::ballot_id.eq(id)).filter(roll::voted.eq(false));
    if !codes.is_empty() {
        let rows: Vec<(Option<String>, String, String)> =
            diesel::update(on_roll.filter(roll::code_hash.eq_any(&codes)))
                .set(roll::voted.eq(true))
                .returning((roll::code_hash, roll::lmc, roll::role))
                .get_results(conn)?;
        for (h, lmc, role) in rows {
            if let Some(h) = h {
                out.insert(RollKey::CodeHash(h), (lmc, role));
            }
        }
    }
    if !emails.is_empty() {
        let rows: Vec<(String, String, String)> = diesel::update(on_roll.filter(roll::email.eq_any(&emails)))
            .set(roll::voted.eq(true))
            .returning((roll::email, roll::lmc, roll::role))
            .get_results(conn)?;
        for (e, lmc, role) in rows {
            out.insert(RollKey::Email(e), (lmc, role));
        }
    }
    Ok(out)
}

/// Which of these voters are on the roll at all (voted or not).
pub(super) fn voters_on_roll(
    conn: &mut DbConnection,
    id: i64,
    keys: &[RollKey],
) -> AppResult<std::collections::HashSet<RollKey>> {
    let mut out = std::collections::HashSet::new();
    let (codes, emails) = RollKey::split(keys);
    if !codes.is_empty() {
        let found: Vec<Option<String>> = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::code_hash.eq_any(&codes))
            .select(roll::code_hash)
            .load(conn)?;
        out.extend(found.into_iter().flatten().map(RollKey::CodeHash));
    }
    if !emails.is_empty() {
        let found: Vec<String> = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::email.eq_any(&emails))
            .select(roll::email)
            .load(conn)?;
        out.extend(found.into_iter().map(RollKey::Email));
    }
    Ok(out)
}

/// A ballot still stored as open whose closing time has passed is already closed to voters.
pub(super) fn not_open(status: BallotStatus) -> AppError {
    let shown = if status == BallotStatus::Open { BallotStatus::Closed } else { status };
    AppError::new(ErrorCode::BallotNotOpen, format!("the ballot is {shown}; votes are not being taken"))
}

pub(super) fn cast_for_ballot(
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
    if b.status != BallotStatus::Open || b.closes_at.is_some_and(|c| c <= db::now()) {
        for i in mine {
            results[i] = Some(Err(not_open(b.status)));
        }
        return Ok(());
    }
    if b.end_to_end {
        for i in mine {
            results[i] = Some(Err(AppError::validation(
                "this ballot is end to end: send {\"ballot\": …}, a Belenios ballot encrypted with your credential",
            )));
        }
        return Ok(());
    }
    // Lock the ballot row while it is open: the row lock serialises casting with closing and chaining
    // (across instances), so no vote lands in the box after the box was chained at close.
    let locked: Option<i64> =
        diesel::update(ballots::table.filter(ballots::id.eq(id)).filter(ballots::status.eq(BallotStatus::Open)))
            .set(ballots::entry_count.eq(ballots::entry_count))
            .returning(ballots::entry_count)
            .get_result(conn)
            .optional()?;
    if locked.is_none() {
        for i in mine {
            results[i] = Some(Err(not_open(BallotStatus::Closed)));
        }
        return Ok(());
    }
    // 1. Everything that can refuse a vote without the database is checked first; nothing is written yet.
    struct Candidate {
        index: usize,
        key: RollKey,
        answers: Vec<Value>,
    }
    let mut candidates = Vec::new();
    for i in mine {
        let (_, voter, answers) = &votes[i];
        let normalised = match ballot::validate_answers(&b.questions, answers) {
            Ok(n) => n,
            Err(e) => {
                results[i] = Some(Err(e.into()));
                continue;
            }
        };
        let key = match voter {
            Voter::Code(code) if !code_format_ok(code) => {
                results[i] = Some(Err(invalid_code()));
                continue;
            }
            Voter::Code(code) => RollKey::CodeHash(code_hash(&keys.code_key, code)),
            Voter::Member(u) => RollKey::Email(u.email.to_lowercase()),
        };
        candidates.push(Candidate { index: i, key, answers: normalised });
    }
    // 2. Mark every voter of the batch in one statement per kind; each returned row is one voter marked now.
    let mut marked = mark_voters(conn, id, &candidates.iter().map(|c| c.key.clone()).collect::<Vec<_>>())?;
    // 3. Into the ballot box, under random keys (no sequence, no time): the first request for a voter
    //    that was marked gets it. The entries are chained later, in shuffled batches (`chain_box`).
    let mut boxed = Vec::new();
    let mut refused = Vec::new();
    for c in candidates {
        let Some((lmc, role)) = marked.remove(&c.key) else {
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
        let on_roll = voters_on_roll(conn, id, &refused.iter().map(|c| c.key.clone()).collect::<Vec<_>>())?;
        for c in refused {
            let exists = on_roll.contains(&c.key);
            let by_code = matches!(c.key, RollKey::CodeHash(_));
            results[c.index] = Some(Err(match (exists, by_code) {
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

//! The election of an open end-to-end ballot, and casting encrypted ballots through the vote writer.

use super::*;

type Cache = Mutex<HashMap<String, Arc<ElectionCtx>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The parsed election (cached by its fingerprint: an election never changes once the ballot is open).
pub(super) fn ctx_of(raw: &str) -> AppResult<Arc<ElectionCtx>> {
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

pub(super) fn stored_election(conn: &mut DbConnection, id: i64) -> AppResult<Option<String>> {
    Ok(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::election).first(conn)?)
}

/// The Belenios election JSON, exactly as its fingerprint is computed (anyone, once the ballot is open).
pub fn election(conn: &mut DbConnection, id: i64) -> AppResult<String> {
    let status = require_e2e(conn, id)?;
    if status == BallotStatus::Draft {
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
    if status != BallotStatus::Open {
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
pub async fn cast_encrypted(state: &crate::services::AppState, id: i64, ballot: Value) -> AppResult<Receipt> {
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
        let row: Option<(BallotStatus, Option<chrono::NaiveDateTime>)> = ballots::table
            .filter(ballots::id.eq(id))
            .select((ballots::status, ballots::closes_at))
            .first(conn)
            .optional()?;
        let open = matches!(&row, Some((s, c)) if *s == BallotStatus::Open && !c.is_some_and(|c| c <= db::now()));
        let locked = open
            && diesel::update(ballots::table.filter(ballots::id.eq(id)).filter(ballots::status.eq(BallotStatus::Open)))
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
pub fn checkpoint(conn: &mut DbConnection, id: i64) -> AppResult<Option<CheckpointView>> {
    let row: Option<(Option<String>, i64)> = e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select((e2e_ballots::head, e2e_ballots::ballot_count))
        .first(conn)
        .optional()?;
    let Some((head, count)) = row else { return Ok(None) };
    let Some(head) = head else {
        return Err(AppError::new(ErrorCode::BallotNotOpen, "the ballot has not opened: there is no record yet"));
    };
    Ok(Some(CheckpointView { count, head, genesis: None, signature: None }))
}

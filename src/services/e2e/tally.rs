//! Closing an end-to-end ballot, the encrypted tally, trustees' partial decryptions, the result and the
//! Belenios record (`.bel`).

use super::*;

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
    if !matches!(status, BallotStatus::Closed | BallotStatus::Published) {
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
        let decrypted: Option<String> =
            e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::result).first(conn)?;
        if decrypted.is_some() {
            return Err(AppError::conflict(
                "the result is already decrypted from the partial decryptions needed: yours is not needed",
            ));
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
            audit_log::AuditAction::BallotPartialDecryption,
            &format!("ballot {id}"),
            serde_json::json!({"position": position}),
        )?;
        // Enough are in (every trustee's, or t of n threshold trustees'): combine and decrypt.
        let mut by_owner: BTreeMap<usize, PartialDecryption> = BTreeMap::new();
        for r in &rows {
            let text = if r.position == position { Some(text.clone()) } else { r.partial_decryption.clone() };
            if let Some(t) = text {
                let p: PartialDecryption = serde_json::from_str(&t).map_err(AppError::internal)?;
                by_owner.insert(r.position as usize, p);
            }
        }
        if by_owner.len() >= super::threshold::decryptions_required(conn, id, rows.len())? {
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
            audit_log::append(
                conn,
                "service",
                audit_log::AuditAction::BallotDecrypted,
                &format!("ballot {id}"),
                serde_json::json!({}),
            )?;
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
        let rows = trustee_rows(conn, id)?;
        if let Some(t) = super::threshold::threshold_of(conn, id)? {
            let have = rows.iter().filter(|r| r.partial_decryption.is_some()).count();
            let more = (t.max(1) as usize).saturating_sub(have);
            return Err(AppError::new(
                ErrorCode::ResultsNotAvailable,
                format!(
                    "the result is not decrypted yet: {have} partial decryption(s) of the {t} needed (any {t} of the \
                     {} trustees): {more} more needed",
                    rows.len()
                ),
            ));
        }
        let waiting: Vec<String> =
            rows.into_iter().filter(|r| r.partial_decryption.is_none()).map(|r| r.name).collect();
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

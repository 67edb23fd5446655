//! Turnout, checkpoints and the record.

use super::*;

pub fn checkpoint(conn: &mut DbConnection, keys: &Keys, id: i64) -> AppResult<CheckpointView> {
    let (status, count, head, genesis): (BallotStatus, i64, Option<String>, Option<String>) = ballots::table
        .filter(ballots::id.eq(id))
        .select((ballots::status, ballots::entry_count, ballots::head, ballots::genesis))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no ballot {id}")))?;
    if status == BallotStatus::Draft {
        return Err(AppError::new(ErrorCode::BallotNotOpen, "the ballot has not opened: there is no record yet"));
    }
    if let Some(c) = crate::services::e2e::checkpoint(conn, id)? {
        return Ok(c);
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
    Ok(CheckpointView {
        count,
        head,
        genesis: signed.as_ref().map(|s| s.genesis.clone()),
        signature: signed.map(|s| s.signature),
    })
}

pub(super) fn group_tallies(
    conn: &mut DbConnection,
    b: &Ballot,
    with_counts: bool,
) -> AppResult<Vec<ballot::GroupTally>> {
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

pub(super) fn entries(conn: &mut DbConnection, id: i64) -> AppResult<Vec<chain::Entry>> {
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
pub(super) struct SignedRecord {
    pub(super) text: String,
    pub(super) count: u64,
    pub(super) head: String,
    pub(super) results: audit::Results,
}

/// Build and sign the record of a closed ballot (with the scrutineer's sign-off, if given): v2 for ballots
/// opened with a v2 genesis, v1 for older ones.
pub(super) fn build_signed_record(conn: &mut DbConnection, keys: &Keys, b: &Ballot) -> AppResult<SignedRecord> {
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

pub(super) fn store_record(conn: &mut DbConnection, keys: &Keys, id: i64) -> AppResult<SignedRecord> {
    let b = load(conn, id)?;
    let record = build_signed_record(conn, keys, &b)?;
    diesel::update(ballots::table.filter(ballots::id.eq(id)))
        .set(ballots::record.eq(Some(&record.text)))
        .execute(conn)?;
    Ok(record)
}

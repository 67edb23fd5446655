//! The ballot box.

use super::*;

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
pub(super) fn queue_confirmations_for(conn: &mut DbConnection, id: i64) -> AppResult<usize> {
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
        let letter = letters::vote_received(name, &title);
        mail::enqueue(
            conn,
            &mail::Outgoing {
                kind: mail::MailKind::Confirmation,
                to_addr: email.clone(),
                to_name: name.clone(),
                subject: letter.subject,
                body: letter.body,
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
            .filter(mail_outbox::kind.eq(mail::MailKind::Confirmation))
            .filter(mail_outbox::status.eq(mail::MailStatus::Pending))
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

//! Record format v2 (docs/audit.md part II): the few things the service adds.

use super::*;

/// The v2 definition: v1's, with the description voters were shown.
pub(super) fn definition_v2(b: &Ballot) -> Value {
    let mut d = definition(b);
    if let Value::Object(m) = &mut d {
        m.insert("description".into(), Value::from(b.description.clone()));
    }
    d
}

/// The has-voted tag of a roll entry (docs/audit.md section 18.1), from its derived voting code.
pub(super) fn roll_tag(keys: &Keys, id: i64, roll_id: i64) -> chain::Hash {
    audit::v2::voter_tag(&id.to_string(), &voting_code(&keys.code_key, id, roll_id))
}

/// The Merkle root of the frozen roll's tags.
pub(super) fn roll_root(keys: &Keys, id: i64, roll_ids: &[i64]) -> chain::Hash {
    let mut tags: Vec<chain::Hash> = roll_ids.iter().map(|r| roll_tag(keys, id, *r)).collect();
    tags.sort_unstable();
    audit::v2::merkle_root(&tags)
}

/// 1 for a ballot opened before v2 (its genesis is the v1 genesis), else 2.
pub(super) fn record_version(conn: &mut DbConnection, b: &Ballot) -> AppResult<u8> {
    let stored: Option<String> = ballots::table.filter(ballots::id.eq(b.id)).select(ballots::genesis).first(conn)?;
    let v1 = chain::genesis(&definition(b), b.eligible.unwrap_or(0) as u64).map_err(AppError::internal)?;
    Ok(if stored.as_deref() == Some(chain::to_hex(&v1).as_str()) { 1 } else { 2 })
}

/// Chain one entry after `head`; returns its prev and hash (hex).
pub(super) fn append_entry(v2: bool, head: &chain::Hash, content: &chain::EntryContent) -> AppResult<(String, String)> {
    if v2 {
        let e = audit::v2::append_v2(head, content).map_err(AppError::internal)?;
        Ok((e.prev, e.hash))
    } else {
        let e = chain::append(head, content).map_err(AppError::internal)?;
        Ok((e.prev, e.hash))
    }
}

pub(super) fn build_signed_record_v2(
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
        if b.status != BallotStatus::Open {
            return Err(AppError::conflict(format!("the ballot is {}, not open", b.status)));
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((ballots::status.eq(BallotStatus::Closed), ballots::closed_at.eq(Some(db::now()))))
            .execute(conn)?;
        use crate::db::schema::mail_outbox;
        diesel::update(
            mail_outbox::table
                .filter(mail_outbox::ballot_id.eq(id))
                .filter(mail_outbox::kind.eq_any([mail::MailKind::Invitation, mail::MailKind::Reminder]))
                .filter(mail_outbox::status.eq(mail::MailStatus::Pending)),
        )
        .set(mail_outbox::status.eq(mail::MailStatus::Cancelled))
        .execute(conn)?;
        if b.end_to_end {
            let n = crate::services::e2e::close(conn, id)?;
            audit_log::append(
                conn,
                actor,
                audit_log::AuditAction::BallotClose,
                &format!("ballot {id}"),
                serde_json::json!({"votes_cast": n}),
            )?;
            return Ok(());
        }
        // Whatever is still in the ballot box is chained now, shuffled.
        chain_box(conn, id, 0)?;
        let record = store_record(conn, keys, id)?;
        audit_log::append(
            conn,
            actor,
            audit_log::AuditAction::BallotClose,
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

pub(super) fn closed(b: &Ballot) -> AppResult<()> {
    if matches!(b.status, BallotStatus::Closed | BallotStatus::Published) {
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
    // End-to-end ballots: the counts the trustees decrypted (no per-group counts are kept).
    let e2e = crate::services::e2e::counts(conn, id, &b.questions)?;
    let with_counts = e2e.is_none();
    let counts = match e2e {
        Some(counts) => counts,
        None => {
            let entries = entries(conn, id)?;
            let questions: Vec<audit::Question> = b.questions.iter().map(QuestionDef::to_audit).collect();
            audit::tally(&questions, entries.iter().filter_map(|e| e.answers.as_ref()))
        }
    };
    let th =
        ballot::Thresholds { turnout_min: thresholds.turnout_min, yes_of_eligible_min: thresholds.yes_of_eligible_min };
    let results = ballot::results(&b.questions, &counts, b.eligible.unwrap_or(0) as u64, &th);
    let groups = group_tallies(conn, &b, with_counts)?;
    Ok(ResultsView {
        ballot_id: id,
        title: b.title.clone(),
        status: b.status,
        results,
        breakdowns: ballot::breakdown(groups, ballot::MIN_GROUP),
        signoff: b.signoff.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?,
    })
}

pub fn record(conn: &mut DbConnection, id: i64) -> AppResult<Value> {
    let b = load(conn, id)?;
    closed(&b)?;
    crate::services::e2e::refuse_tier1_record(conn, id)?;
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
        crate::services::e2e::refuse_tier1_record(conn, id)?;
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
            audit_log::AuditAction::BallotSignoff,
            &format!("ballot {id}"),
            serde_json::json!({"results_sha256": signoff.results_sha256}),
        )?;
        Ok(())
    })?;
    record(conn, id)
}

/// Publish the results: the ballot becomes "published" and everyone on the roll is told.
pub fn publish_results(conn: &mut DbConnection, actor: &User, public_url: &str, id: i64) -> AppResult<BallotView> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Closed {
            return Err(AppError::conflict(format!("the ballot is {}; only a closed ballot is published", b.status)));
        }
        // An end-to-end ballot is published once the trustees have decrypted its result.
        crate::services::e2e::counts(conn, id, &b.questions)?;
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((ballots::status.eq(BallotStatus::Published), ballots::published_at.eq(Some(db::now()))))
            .execute(conn)?;
        let rows: Vec<(String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .order(roll::id.asc())
            .select((roll::email, roll::name))
            .load(conn)?;
        for (email, name) in rows {
            let letter = letters::results_published(&name, &b.title, public_url, id);
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: mail::MailKind::Results,
                    to_addr: email,
                    to_name: name,
                    subject: letter.subject,
                    body: letter.body,
                    ballot_id: Some(id),
                    roll_id: None,
                },
            )?;
        }
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotPublish,
            &format!("ballot {id}"),
            serde_json::json!({}),
        )?;
        Ok(())
    })?;
    get_ballot(conn, id)
}

/// Open and close ballots whose scheduled times have come by `now`. Run periodically
/// (`services::schedule::run_due`).
pub fn run_schedule(conn: &mut DbConnection, keys: &Keys, now: NaiveDateTime) -> AppResult<(usize, usize)> {
    let to_open: Vec<i64> = ballots::table
        .filter(ballots::status.eq(BallotStatus::Draft))
        .filter(ballots::opens_at.le(now))
        .select(ballots::id)
        .load(conn)?;
    let to_close: Vec<i64> = ballots::table
        .filter(ballots::status.eq(BallotStatus::Open))
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
    fn render_batch(&self, conn: &mut DbConnection, rows: &[mail::BatchRow<'_>]) -> Vec<AppResult<Option<String>>> {
        let mut cache = BTreeMap::new();
        rows.iter().map(|r| self.render_cached(conn, &mut cache, r.kind, r.ballot_id, r.roll_id)).collect()
    }
}

impl BallotMail {
    /// Render one invitation or reminder, loading each ballot once per batch.
    fn render_cached(
        &self,
        conn: &mut DbConnection,
        cache: &mut BTreeMap<i64, Ballot>,
        kind: mail::MailKind,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>> {
        if kind != mail::MailKind::Invitation && kind != mail::MailKind::Reminder {
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
        Ok(Some(letters::ballot_invitation_body(&letters::BallotCall {
            reminder: kind == mail::MailKind::Reminder,
            name: &name,
            title: &b.title,
            public_url: &self.public_url,
            ballot_id,
            code: &code,
            closes_at: b.closes_at,
        })))
    }
}

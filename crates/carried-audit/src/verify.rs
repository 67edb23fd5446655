//! The verifier: recompute everything in a published record and name the first
//! thing that is wrong.
//!
//! Checks, in this order (docs/audit.md describes each one):
//!
//! 1. `format` is `"carried/ballot-record/v1"`, and the record has the expected shape;
//! 2. `genesis` = SHA-256(canonical({domain, ballot, eligible})); and when the
//!    definition names a `publication`, the record uses it;
//! 3. each entry i (1-based): `seq` = i; `prev` = hash of entry i−1 (the genesis for
//!    entry 1); receipt non-empty and unique; for full records answers and nonce
//!    present and the hash recomputed; for receipts-only records answers and nonce
//!    absent and the hash only checked for form;
//! 4. `head` = hash of the last entry (the genesis when there are none), then `count`
//!    = number of entries;
//! 5. entries ≤ markers ≤ eligible;
//! 6. every answer is valid for its question (full records);
//! 7. the results have a count for exactly the options of each question, and equal
//!    a recount (full records) or are consistent with the count (receipts only);
//! 8. the scrutineer sign-off, if any, is of these results;
//! 9. the signature verifies, with the trusted key when one is given;
//! 10. each checkpoint is a prefix of the record;
//! 11. each receipt is in the record.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::chain::{
    entry_hash, entry_hash_parts, genesis, hash_from_hex, is_lower_hex, log_genesis, to_hex, Checkpoint, Entry, Hash,
    LogEntry, RECORD_DOMAIN,
};
use crate::checks::{check_consistency_of, check_results_shape_of, normalise_receipt, trim_ascii_ws};
use crate::error::VerifyError;
use crate::record::{
    check_answer, parse_questions, results_sha256, signing_bytes, tally, Publication, Question, Record,
};
use crate::report::Report;
use crate::sign::verify_signature;
use crate::stream::{in_member_order, is_v2, verify_v2, Inputs};
use crate::strict;
use crate::v2::RECORD_DOMAIN_V2;

/// Read a record's text strictly (docs/audit.md section 2.1: no duplicate keys, canonical integers
/// below 2^53, RFC 8259 JSON) and verify it.
pub fn verify_text(
    text: &[u8],
    checkpoints: &[Checkpoint],
    receipts: &[String],
    trusted_key: Option<&str>,
) -> Result<Report, VerifyError> {
    verify_with(text, &Inputs { checkpoints, receipts, trusted_key, ..Default::default() })
}

/// Verify a record's text, v1 or v2 (v2 in one pass: `audit::stream`), with everything a verifier can be
/// given.
pub fn verify_with(text: &[u8], inputs: &Inputs<'_>) -> Result<Report, VerifyError> {
    if is_v2(text) {
        match verify_v2(text, inputs) {
            Err(VerifyError::MembersReordered) => {}
            other => return other,
        }
    }
    let value = strict::parse(text)?;
    if value.get("format").and_then(Value::as_str) == Some(RECORD_DOMAIN_V2) {
        let ordered = in_member_order(&value)?;
        return verify_v2(&ordered, inputs);
    }
    if !inputs.signed_checkpoints.is_empty() || !inputs.codes.is_empty() {
        return Err(VerifyError::Malformed(
            "signed checkpoints and voting codes can only be checked against a v2 record".into(),
        ));
    }
    verify(&value, inputs.checkpoints, inputs.receipts, inputs.trusted_key)
}

/// Verify a published record (see the module documentation for the checks); a v2 record given as a value
/// is verified by `audit::stream`.
///
/// `checkpoints` are (count, head) pairs saved while the ballot was open;
/// `receipts` are voters' receipts to look for; `trusted_key` is the service's
/// published public key (hex).
pub fn verify(
    record_json: &Value,
    checkpoints: &[Checkpoint],
    receipts: &[String],
    trusted_key: Option<&str>,
) -> Result<Report, VerifyError> {
    // 1. Format and shape.
    let obj = record_json.as_object().ok_or(VerifyError::NotAnObject)?;
    if obj.get("format").and_then(Value::as_str) == Some(RECORD_DOMAIN_V2) {
        let text = in_member_order(record_json)?;
        let inputs = Inputs { checkpoints, receipts, trusted_key, ..Default::default() };
        return verify_v2(&text, &inputs);
    }
    match obj.get("format") {
        Some(Value::String(s)) if s == RECORD_DOMAIN => {}
        Some(other) => return Err(VerifyError::Format { found: other.to_string() }),
        None => return Err(VerifyError::Format { found: "missing".into() }),
    }
    // serde would read a missing optional member as null; the format requires it.
    if !obj.contains_key("scrutineer_signoff") {
        return Err(VerifyError::Malformed("missing field `scrutineer_signoff`".into()));
    }
    let record = parse_record(record_json)?;

    // 2. Genesis.
    let computed_genesis = genesis(&record.ballot, record.eligible).map_err(VerifyError::GenesisNotCanonical)?;
    let computed_genesis = to_hex(&computed_genesis);
    if computed_genesis != record.genesis {
        return Err(VerifyError::Genesis {
            eligible: record.eligible,
            computed: computed_genesis,
            recorded: record.genesis.clone(),
        });
    }
    if let Some(Value::String(committed)) = record.ballot.get("publication") {
        if committed != record.publication.as_str() {
            return Err(VerifyError::PublicationMismatch {
                record: record.publication.as_str().into(),
                definition: committed.clone(),
            });
        }
    }

    // 3. Entries.
    check_entries(&record)?;

    // 4. Head and count.
    let expected_head = record.entries.last().map_or(record.genesis.clone(), |e| e.hash.clone());
    if record.head != expected_head {
        return Err(if record.entries.is_empty() {
            VerifyError::HeadEmpty { recorded: record.head.clone(), expected: expected_head }
        } else {
            VerifyError::Head { recorded: record.head.clone(), expected: expected_head }
        });
    }
    let n = record.entries.len();
    if record.count != n as u64 {
        return Err(VerifyError::Count { count: record.count, entries: n });
    }

    // 5. entries <= markers <= eligible.
    if n as u64 > record.markers {
        return Err(VerifyError::EntriesExceedMarkers { entries: n, markers: record.markers });
    }
    if record.markers > record.eligible {
        return Err(VerifyError::MarkersExceedEligible { markers: record.markers, eligible: record.eligible });
    }

    // 6. Answers.
    let questions = parse_questions(&record.ballot).map_err(VerifyError::Questions)?;
    if record.publication == Publication::Full {
        check_answers(&record, &questions)?;
    }

    // 7. Results.
    check_results_shape_of(&record.results, &questions)?;
    match record.publication {
        Publication::Full => recount(&record, &questions)?,
        Publication::ReceiptsOnly => check_consistency_of(&record.results, &questions, n)?,
    }

    // 8. Scrutineer sign-off.
    if let Some(signoff) = &record.scrutineer_signoff {
        let computed = results_sha256(&record.results).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if signoff.results_sha256 != computed {
            return Err(VerifyError::Signoff { recorded: signoff.results_sha256.clone(), computed });
        }
    }

    // 9. Signature.
    let signature = record.signature.as_ref().ok_or(VerifyError::Unsigned)?;
    if signature.algorithm != "ed25519" {
        return Err(VerifyError::SignatureAlgorithm(signature.algorithm.clone()));
    }
    let message = signing_bytes(record_json).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    verify_signature(&signature.public_key, &message, &signature.value).map_err(VerifyError::Signature)?;
    if let Some(trusted) = trusted_key {
        let trusted = trim_ascii_ws(trusted).to_ascii_lowercase();
        if trusted != signature.public_key {
            return Err(VerifyError::UntrustedKey { public_key: signature.public_key.clone(), trusted });
        }
    }

    // 10. Checkpoints.
    for cp in checkpoints {
        check_checkpoint(&record, cp)?;
    }

    // 11. Receipts.
    let by_receipt: HashMap<String, u64> = if receipts.is_empty() {
        HashMap::new()
    } else {
        record.entries.iter().map(|e| (normalise_receipt(&e.receipt), e.seq)).collect()
    };
    let mut receipts_found = Vec::new();
    for r in receipts {
        match by_receipt.get(&normalise_receipt(r)) {
            Some(seq) => receipts_found.push((trim_ascii_ws(r).to_string(), *seq)),
            None => return Err(VerifyError::ReceiptNotFound(trim_ascii_ws(r).to_string())),
        }
    }

    let (limitations, warnings) = notes(&record, checkpoints, trusted_key.is_some());
    Ok(Report {
        entries: n as u64,
        eligible: record.eligible,
        markers: record.markers,
        genesis: record.genesis.clone(),
        head: record.head.clone(),
        publication: record.publication,
        title: record.ballot.get("title").and_then(Value::as_str).map(str::to_string),
        questions,
        results: record.results.clone(),
        recounted: record.publication == Publication::Full,
        public_key: signature.public_key.clone(),
        trusted_key: trusted_key.is_some(),
        scrutineer_signoff: record.scrutineer_signoff.clone(),
        receipts_found,
        checkpoints_confirmed: checkpoints.len(),
        limitations,
        warnings,
        version: 1,
        roll_root: None,
        record_id: None,
        supersedes: None,
        codes: Vec::new(),
    })
}

/// Parse the typed record, naming the entry when one is malformed.
fn parse_record(record_json: &Value) -> Result<Record, VerifyError> {
    // Deserialising from a borrowed Value copies each field once, not the whole document twice.
    Record::deserialize(record_json).map_err(|e| {
        if let Some(Value::Array(entries)) = record_json.get("entries") {
            for (i, entry) in entries.iter().enumerate() {
                if let Err(problem) = Entry::deserialize(entry) {
                    return VerifyError::EntryMalformed { index: i + 1, problem: problem.to_string() };
                }
            }
        }
        VerifyError::Malformed(e.to_string())
    })
}

fn check_entries(record: &Record) -> Result<(), VerifyError> {
    let full = record.publication == Publication::Full;
    let mut prev: &str = &record.genesis;
    let mut receipts: HashMap<String, usize> = HashMap::with_capacity(record.entries.len());
    let mut buf = Vec::with_capacity(512);
    for (i, e) in record.entries.iter().enumerate() {
        let index = i + 1;
        if e.seq != index as u64 {
            return Err(VerifyError::EntrySeq { index, found: e.seq });
        }
        if e.prev != prev {
            return Err(VerifyError::EntryPrev { index });
        }
        if full {
            if e.answers.is_none() {
                return Err(VerifyError::EntryMissing { index, field: "answers" });
            }
            match &e.nonce {
                None => return Err(VerifyError::EntryMissing { index, field: "nonce" }),
                Some(nonce) if !is_lower_hex(nonce, 64) => return Err(VerifyError::EntryNonce { index }),
                Some(_) => {}
            }
        } else if e.answers.is_some() {
            return Err(VerifyError::EntryUnexpected { index, field: "answers" });
        } else if e.nonce.is_some() {
            return Err(VerifyError::EntryUnexpected { index, field: "nonce" });
        }
        let receipt = normalise_receipt(&e.receipt);
        if receipt.is_empty() {
            return Err(VerifyError::EntryReceiptEmpty { index });
        }
        if let Some(first) = receipts.insert(receipt, index) {
            return Err(VerifyError::DuplicateReceipt { index, receipt: e.receipt.clone(), first });
        }
        if !is_lower_hex(&e.hash, 64) {
            return Err(VerifyError::EntryHashFormat { index });
        }
        if let (Some(answers), Some(nonce)) = (&e.answers, &e.nonce) {
            // `prev` equals a hash already known to be 64 lowercase hex digits.
            let prev_hash = hash_from_hex(&e.prev).ok_or(VerifyError::EntryPrev { index })?;
            let computed = entry_hash_parts(&mut buf, &prev_hash, e.seq, &e.receipt, answers, nonce)
                .map_err(|source| VerifyError::EntryNotCanonical { index, source })?;
            if hash_from_hex(&e.hash) != Some(computed) {
                return Err(VerifyError::EntryHash { index, computed: to_hex(&computed), recorded: e.hash.clone() });
            }
        }
        prev = &e.hash;
    }
    Ok(())
}

fn check_answers(record: &Record, questions: &[Question]) -> Result<(), VerifyError> {
    for (i, e) in record.entries.iter().enumerate() {
        let index = i + 1;
        let Some(Value::Array(answers)) = &e.answers else {
            return Err(VerifyError::AnswersNotList { index, expected: questions.len() });
        };
        if answers.len() != questions.len() {
            return Err(VerifyError::AnswerCount { index, found: answers.len(), expected: questions.len() });
        }
        for (qi, (q, a)) in questions.iter().zip(answers).enumerate() {
            check_answer(q, a).map_err(|problem| VerifyError::Answer { index, question: qi + 1, problem })?;
        }
    }
    Ok(())
}

fn recount(record: &Record, questions: &[Question]) -> Result<(), VerifyError> {
    let recounted = tally(questions, record.entries.iter().filter_map(|e| e.answers.as_ref()));
    if recounted.votes_cast != record.results.votes_cast {
        return Err(VerifyError::RecountVotesCast {
            recorded: record.results.votes_cast,
            recounted: recounted.votes_cast,
        });
    }
    for (qi, (q, (rec, re))) in
        questions.iter().zip(record.results.questions.iter().zip(&recounted.questions)).enumerate()
    {
        for k in q.count_keys() {
            let recorded = rec.counts.get(k).copied().unwrap_or(0);
            let recount = re.counts.get(k).copied().unwrap_or(0);
            if recorded != recount {
                return Err(VerifyError::RecountOption {
                    question: qi + 1,
                    option: k.to_string(),
                    recorded,
                    recounted: recount,
                });
            }
        }
    }
    Ok(())
}

fn check_checkpoint(record: &Record, cp: &Checkpoint) -> Result<(), VerifyError> {
    if cp.count == 0 {
        if !cp.head.eq_ignore_ascii_case(&record.genesis) {
            return Err(VerifyError::CheckpointGenesis { checkpoint: cp.clone(), genesis: record.genesis.clone() });
        }
        return Ok(());
    }
    let n = record.entries.len();
    let Some(entry) = usize::try_from(cp.count - 1).ok().and_then(|i| record.entries.get(i)) else {
        return Err(VerifyError::CheckpointTruncated { checkpoint: cp.clone(), entries: n });
    };
    if !entry.hash.eq_ignore_ascii_case(&cp.head) {
        return Err(VerifyError::CheckpointNotPrefix { checkpoint: cp.clone(), hash: entry.hash.clone() });
    }
    Ok(())
}

fn notes(record: &Record, checkpoints: &[Checkpoint], trusted: bool) -> (Vec<String>, Vec<String>) {
    let mut limitations = Vec::new();
    let mut warnings = Vec::new();
    if record.publication == Publication::ReceiptsOnly {
        limitations.push(
            "publication is receipts_only: entry hashes cannot be recomputed without the answers \
             and nonces, so only the prev/hash links between entries were checked"
                .to_string(),
        );
        limitations.push(
            "the results could not be recounted (receipts_only): they are trusted to the \
             service's signature; only their consistency with the questions and the number \
             of entries was checked"
                .to_string(),
        );
    }
    if !trusted {
        limitations.push(
            "the signature was checked with the public key inside the record; compare that key \
             with the service's published key (or pass it as the trusted key)"
                .to_string(),
        );
    }
    if checkpoints.is_empty() {
        limitations.push(
            "no checkpoints were given: a history rewritten before publication would not be \
             detected"
                .to_string(),
        );
    }
    limitations.push(
        "the eligible count and the number of has-voted markers are as stated by the service; \
         they cannot be checked from the record alone"
            .to_string(),
    );
    let n = record.entries.len() as u64;
    if record.markers > n {
        let missing = record.markers - n;
        warnings.push(format!(
            "{missing} voter{} marked as having voted {} no entry in the record (markers {}, \
             entries {n}): {} may have been lost",
            if missing == 1 { "" } else { "s" },
            if missing == 1 { "has" } else { "have" },
            record.markers,
            if missing == 1 { "a ballot" } else { "ballots" },
        ));
    }
    if record.scrutineer_signoff.is_none() {
        warnings.push("the results have no scrutineer sign-off".to_string());
    }
    (limitations, warnings)
}

/// Check a whole audit log from its genesis: entry i (1-based) has seq i, its
/// `prev` is the previous hash (the log genesis for entry 1), and its hash is
/// recomputed from its contents.
pub fn verify_log(entries: &[LogEntry]) -> Result<(), VerifyError> {
    verify_log_after(&log_genesis(), 0, entries)
}

/// Check a run of audit log entries that follows the entry with seq `after_seq`
/// and hash `after_hash` (the log genesis and 0 for the start of the log): the
/// entries have seq `after_seq + 1`, `after_seq + 2`, …, link by `prev`, and their
/// hashes are recomputed. Errors number entries by the seq expected there.
pub fn verify_log_after(after_hash: &Hash, after_seq: u64, entries: &[LogEntry]) -> Result<(), VerifyError> {
    let mut prev = to_hex(after_hash);
    for (i, e) in entries.iter().enumerate() {
        let expected = after_seq + i as u64 + 1;
        let index = usize::try_from(expected).unwrap_or(usize::MAX);
        if e.seq != expected {
            return Err(VerifyError::LogSeq { index, found: e.seq });
        }
        if e.prev != prev {
            return Err(VerifyError::LogPrev { index });
        }
        let prev_hash = hash_from_hex(&e.prev).ok_or(VerifyError::LogPrev { index })?;
        let computed = entry_hash(&prev_hash, &e.content_value())
            .map_err(|source| VerifyError::LogNotCanonical { index, source })?;
        let computed = to_hex(&computed);
        if computed != e.hash {
            return Err(VerifyError::LogHash { index, computed, recorded: e.hash.clone() });
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chain::append_log;

    fn sample_log() -> Vec<LogEntry> {
        let mut log = Vec::new();
        let mut prev = log_genesis();
        for (i, action) in ["create", "import_roll", "open"].iter().enumerate() {
            let e = append_log(
                &prev,
                i as u64 + 1,
                "2026-03-01T09:00:00Z",
                "officer@example.org",
                action,
                "ballot 1",
                json!({"n": i}),
            )
            .unwrap();
            prev = hash_from_hex(&e.hash).unwrap();
            log.push(e);
        }
        log
    }

    /// The audit log example of docs/audit.md (its hash is checked in `chain`): it verifies.
    #[test]
    fn log_worked_example_verifies() {
        let e = append_log(
            &log_genesis(),
            1,
            "2026-03-01T09:00:00Z",
            "officer@example.org",
            "open",
            "ballot example",
            json!({"eligible": 3}),
        )
        .unwrap();
        assert_eq!(verify_log(&[e]), Ok(()));
    }

    #[test]
    fn audit_log_verifies_and_catches_tampering() {
        let log = sample_log();
        assert_eq!(verify_log(&log), Ok(()));
        assert_eq!(verify_log(&[]), Ok(()));

        let mut edited = log.clone();
        edited[1].actor = "someone-else".into();
        let err = verify_log(&edited).unwrap_err();
        assert!(matches!(err, VerifyError::LogHash { index: 2, .. }), "{err}");
        assert!(err.to_string().starts_with("audit log entry 2: hash does not match its contents"));

        let mut dropped = log.clone();
        dropped.remove(0);
        let err = verify_log(&dropped).unwrap_err();
        assert_eq!(err, VerifyError::LogSeq { index: 1, found: 2 });

        let mut relinked = log.clone();
        relinked[2].prev = relinked[0].hash.clone();
        // A page of the log after entry 1 checks on its own.
        let after = hash_from_hex(&log[0].hash).unwrap();
        assert_eq!(verify_log_after(&after, 1, &log[1..]), Ok(()));
        assert_eq!(verify_log_after(&after, 1, &log[2..]), Err(VerifyError::LogSeq { index: 2, found: 3 }));
        assert_eq!(
            verify_log(&relinked).unwrap_err().to_string(),
            "audit log entry 3: prev does not equal the hash of entry 2"
        );
    }
}

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
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::canonical::CanonicalError;
use super::chain::RECORD_DOMAIN;
use super::chain::{entry_hash_parts, genesis, hash_from_hex, is_lower_hex, to_hex, Checkpoint, Entry};
use super::record::{
    check_answer, parse_questions, results_sha256, signing_bytes, tally, Publication, Question, QuestionKind, Record,
    Results, Signoff,
};
use super::sign::{verify_signature, SignError};

fn previous(index: &usize) -> String {
    if *index <= 1 {
        "the genesis hash".to_string()
    } else {
        format!("the hash of entry {}", index - 1)
    }
}

/// The first thing wrong with a record (or an audit log), said precisely.
/// Entries are numbered from 1 in the order they appear in the record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error(transparent)]
    Strict(#[from] super::strict::StrictError),
    #[error("the record is not a JSON object")]
    NotAnObject,
    /// Internal: a v2 record's members are not in the order of section 17, so it is read whole.
    #[error("the record's members are not in the order of docs/audit.md section 17")]
    MembersReordered,
    #[error("format is {found}, expected \"carried/ballot-record/v1\" or \"carried/ballot-record/v2\"")]
    Format { found: String },
    #[error("the record is malformed: {0}")]
    Malformed(String),
    #[error("entry {index} is malformed: {problem}")]
    EntryMalformed { index: usize, problem: String },
    #[error("genesis cannot be computed: the ballot definition contains {0}")]
    GenesisNotCanonical(CanonicalError),
    #[error("genesis does not commit to this ballot definition and eligible = {eligible} (computed {computed}, recorded {recorded})")]
    Genesis { eligible: u64, computed: String, recorded: String },
    #[error("publication is {record} but the ballot definition committed to {definition}")]
    PublicationMismatch { record: String, definition: String },
    #[error("entry {index}: seq is {found}, expected {index} (an entry was dropped or reordered)")]
    EntrySeq { index: usize, found: u64 },
    #[error("entry {index}: prev does not equal {}", previous(.index))]
    EntryPrev { index: usize },
    #[error("entry {index} (seq {index}): {field} is missing, but the publication is full")]
    EntryMissing { index: usize, field: &'static str },
    #[error("entry {index} (seq {index}): {field} is present, but the publication is receipts_only")]
    EntryUnexpected { index: usize, field: &'static str },
    #[error("entry {index} (seq {index}): nonce is not 64 lowercase hex digits")]
    EntryNonce { index: usize },
    #[error("entry {index} (seq {index}): receipt is empty")]
    EntryReceiptEmpty { index: usize },
    #[error("entry {index} (seq {index}): receipt {receipt} is also the receipt of entry {first}")]
    DuplicateReceipt { index: usize, receipt: String, first: usize },
    #[error("entry {index} (seq {index}): commitment is not 64 lowercase hex digits")]
    EntryCommitmentFormat { index: usize },
    #[error("entry {index} (seq {index}): commitment does not match its answers and nonce (computed {computed}, recorded {recorded})")]
    EntryCommitment { index: usize, computed: String, recorded: String },
    #[error("{list} is not in strictly increasing order at position {position} (a tag is repeated or out of order)")]
    TagsOrder { list: String, position: usize },
    #[error("the roll has {tags} tags but eligible is {eligible}")]
    RollSize { tags: usize, eligible: u64 },
    #[error("roll_root {recorded} is not the Merkle root of the roll ({computed})")]
    RollRoot { computed: String, recorded: String },
    #[error("{tags} has-voted tags for {entries} entries (there must be one per counted ballot)")]
    VotedCount { tags: usize, entries: usize },
    #[error("has-voted tag {position} is not on the roll")]
    VotedNotOnRoll { position: usize },
    #[error("voted_root {recorded} is not the Merkle root of the has-voted tags ({computed})")]
    VotedRoot { computed: String, recorded: String },
    #[error("checkpoint {checkpoint} is not signed by the service: {problem}")]
    CheckpointSignature { checkpoint: Checkpoint, problem: String },
    #[error("entry {index} (seq {index}): hash is not 64 lowercase hex digits")]
    EntryHashFormat { index: usize },
    #[error("entry {index} (seq {index}): contents cannot be hashed: {source}")]
    EntryNotCanonical { index: usize, source: CanonicalError },
    #[error(
        "entry {index} (seq {index}): hash does not match its contents (computed {computed}, recorded {recorded})"
    )]
    EntryHash { index: usize, computed: String, recorded: String },
    #[error("head {recorded} is not the hash of the last entry ({expected})")]
    Head { recorded: String, expected: String },
    #[error("head {recorded} is not the genesis hash ({expected}), and the record has no entries")]
    HeadEmpty { recorded: String, expected: String },
    #[error("count {count} does not match {entries} entries")]
    Count { count: u64, entries: usize },
    #[error("entries ({entries}) exceed has-voted markers ({markers})")]
    EntriesExceedMarkers { entries: usize, markers: u64 },
    #[error("markers ({markers}) exceed eligible ({eligible})")]
    MarkersExceedEligible { markers: u64, eligible: u64 },
    #[error("the ballot definition cannot be read: {0}")]
    Questions(String),
    #[error("entry {index} (seq {index}): answers is not a list of {expected} answers (one per question)")]
    AnswersNotList { index: usize, expected: usize },
    #[error("entry {index} (seq {index}): {found} answers for {expected} questions")]
    AnswerCount { index: usize, found: usize, expected: usize },
    #[error("answer to question {question} in entry {index} {problem}")]
    Answer { index: usize, question: usize, problem: String },
    #[error("results do not fit the ballot's questions: {0}")]
    ResultsShape(String),
    #[error("results do not match a recount: votes_cast recorded {recorded}, recounted {recounted}")]
    RecountVotesCast { recorded: u64, recounted: u64 },
    #[error("results do not match a recount: question {question} option {option:?}: recorded {recorded}, recounted {recounted}")]
    RecountOption { question: usize, option: String, recorded: u64, recounted: u64 },
    #[error("results are inconsistent: {0}")]
    ResultsInconsistent(String),
    #[error("scrutineer sign-off does not match the results (signed off {recorded}, the results hash to {computed})")]
    Signoff { recorded: String, computed: String },
    #[error("the record is not signed")]
    Unsigned,
    #[error("signature algorithm is {0:?}, expected \"ed25519\"")]
    SignatureAlgorithm(String),
    #[error(transparent)]
    Signature(SignError),
    #[error("public key {public_key} is not the trusted key {trusted}")]
    UntrustedKey { public_key: String, trusted: String },
    #[error("checkpoint {checkpoint} is not a prefix of this record: entry {} has hash {hash}", .checkpoint.count)]
    CheckpointNotPrefix { checkpoint: Checkpoint, hash: String },
    #[error("checkpoint {checkpoint} is not a prefix of this record: its genesis is {genesis}")]
    CheckpointGenesis { checkpoint: Checkpoint, genesis: String },
    #[error("checkpoint {checkpoint} claims {} entries but the record has {entries} (history was truncated after a checkpoint)", .checkpoint.count)]
    CheckpointTruncated { checkpoint: Checkpoint, entries: usize },
    #[error("receipt {0} is not in the record")]
    ReceiptNotFound(String),
    #[error("audit log entry {index}: seq is {found}, expected {index} (an entry was dropped or reordered)")]
    LogSeq { index: usize, found: u64 },
    #[error("audit log entry {index}: prev does not equal {}", previous(.index).replace("genesis hash", "audit log genesis"))]
    LogPrev { index: usize },
    #[error("audit log entry {index}: contents cannot be hashed: {source}")]
    LogNotCanonical { index: usize, source: CanonicalError },
    #[error("audit log entry {index}: hash does not match its contents (computed {computed}, recorded {recorded})")]
    LogHash { index: usize, computed: String, recorded: String },
}

/// What a successful verification established, and what it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Number of entries.
    pub entries: u64,
    pub eligible: u64,
    pub markers: u64,
    pub genesis: String,
    pub head: String,
    pub publication: Publication,
    /// The ballot's `title`, when its definition has one.
    pub title: Option<String>,
    pub questions: Vec<Question>,
    /// The recorded results (equal to the recount for full records).
    pub results: Results,
    /// True when the results were recounted from the entries.
    pub recounted: bool,
    pub public_key: String,
    /// True when the public key was compared with a trusted key and matched.
    pub trusted_key: bool,
    pub scrutineer_signoff: Option<Signoff>,
    /// Each receipt asked about, with the seq of its entry.
    pub receipts_found: Vec<(String, u64)>,
    pub checkpoints_confirmed: usize,
    /// What this verification could not establish.
    pub limitations: Vec<String>,
    /// Things that are allowed but deserve attention.
    pub warnings: Vec<String>,
    /// Record format version: 1 or 2.
    pub version: u8,
    /// v2: the Merkle root of the roll's tags.
    pub roll_root: Option<String>,
    /// v2: the record's digest, which a later record names in `supersedes`.
    pub record_id: Option<String>,
    /// v2: the digest of the record this one replaces.
    pub supersedes: Option<String>,
    /// v2: each voting code asked about, with its tag and where it was found.
    pub codes: Vec<CodeCheck>,
}

/// What a voting code's tag says about its voter (v2 records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCheck {
    pub code: String,
    pub tag: String,
    /// The tag is on the frozen roll.
    pub on_roll: bool,
    /// The tag is among the has-voted tags: a ballot was counted with this code.
    pub voted: bool,
}

/// ASCII white space (space, tab, LF, CR, FF) removed from both ends; nothing else (not U+FEFF, not
/// U+00A0), so every verifier trims alike.
pub fn trim_ascii_ws(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c'))
}

/// Receipts are compared as typed codes are: ignoring ASCII case, spaces and dashes, reading O as 0 and
/// I, L as 1 ([`crate::typed`]); `ſ` is not `S` and U+FEFF is not white space.
pub fn normalise_receipt(receipt: &str) -> String {
    super::typed::normalise_typed(receipt)
}

/// Read a record's text strictly (docs/audit.md section 2.1: no duplicate keys, canonical integers
/// below 2^53, RFC 8259 JSON) and verify it.
pub fn verify_text(
    text: &[u8],
    checkpoints: &[Checkpoint],
    receipts: &[String],
    trusted_key: Option<&str>,
) -> Result<Report, VerifyError> {
    verify_with(text, &super::stream::Inputs { checkpoints, receipts, trusted_key, ..Default::default() })
}

/// Verify a record's text, v1 or v2 (v2 in one pass: `audit::stream`), with everything a verifier can be
/// given.
pub fn verify_with(text: &[u8], inputs: &super::stream::Inputs<'_>) -> Result<Report, VerifyError> {
    if super::stream::is_v2(text) {
        match super::stream::verify_v2(text, inputs) {
            Err(VerifyError::MembersReordered) => {}
            other => return other,
        }
    }
    let value = super::strict::parse(text)?;
    if value.get("format").and_then(Value::as_str) == Some(super::v2::RECORD_DOMAIN_V2) {
        let ordered = super::stream::in_member_order(&value)?;
        return super::stream::verify_v2(&ordered, inputs);
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
    if obj.get("format").and_then(Value::as_str) == Some(super::v2::RECORD_DOMAIN_V2) {
        let text = super::stream::in_member_order(record_json)?;
        let inputs = super::stream::Inputs { checkpoints, receipts, trusted_key, ..Default::default() };
        return super::stream::verify_v2(&text, &inputs);
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

pub(crate) fn check_results_shape_of(results: &Results, questions: &[Question]) -> Result<(), VerifyError> {
    if results.questions.len() != questions.len() {
        return Err(VerifyError::ResultsShape(format!(
            "the results have {} questions, the ballot has {}",
            results.questions.len(),
            questions.len()
        )));
    }
    for (qi, (q, counts)) in questions.iter().zip(&results.questions).enumerate() {
        let keys = q.count_keys();
        for k in &keys {
            if !counts.counts.contains_key(*k) {
                return Err(VerifyError::ResultsShape(format!("question {} has no count for option {k:?}", qi + 1)));
            }
        }
        for k in counts.counts.keys() {
            if !keys.contains(&k.as_str()) {
                return Err(VerifyError::ResultsShape(format!(
                    "question {} has a count for {k:?}, which is not one of its options",
                    qi + 1
                )));
            }
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

/// Receipts-only records cannot be recounted; check what the numbers alone allow.
pub(crate) fn check_consistency_of(
    results: &Results,
    questions: &[Question],
    entries: usize,
) -> Result<(), VerifyError> {
    let n = entries as u64;
    if results.votes_cast != n {
        return Err(VerifyError::ResultsInconsistent(format!(
            "votes_cast is {} but the record has {n} entries",
            results.votes_cast
        )));
    }
    for (qi, (q, c)) in questions.iter().zip(&results.questions).enumerate() {
        let sum: u128 = c.counts.values().map(|v| u128::from(*v)).sum();
        match q.kind {
            QuestionKind::YesNo | QuestionKind::OneOf if sum != u128::from(n) => {
                return Err(VerifyError::ResultsInconsistent(format!(
                    "question {} counts add up to {sum}, but {n} votes were cast and each answers it once",
                    qi + 1
                )));
            }
            QuestionKind::ManyOf => {
                if let Some((k, v)) = c.counts.iter().find(|(_, v)| **v > n) {
                    return Err(VerifyError::ResultsInconsistent(format!(
                        "question {} option {k:?} has {v} votes, more than the {n} votes cast",
                        qi + 1
                    )));
                }
                let max = u128::from(q.max.unwrap_or(0)) * u128::from(n);
                if sum > max {
                    return Err(VerifyError::ResultsInconsistent(format!(
                        "question {} counts add up to {sum}, more than {n} votes × max {} allow",
                        qi + 1,
                        q.max.unwrap_or(0)
                    )));
                }
            }
            _ => {}
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

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "The record verifies.")?;
        if let Some(title) = &self.title {
            writeln!(f, "Ballot: {title}")?;
        }
        writeln!(f, "Publication: {}", self.publication.as_str())?;
        writeln!(
            f,
            "Eligible: {}; has-voted markers: {}; entries: {}; turnout {}",
            self.eligible,
            self.markers,
            self.entries,
            percent(self.entries, self.eligible)
        )?;
        writeln!(f, "Genesis: {}", self.genesis)?;
        writeln!(f, "Final checkpoint: {}:{}", self.entries, self.head)?;
        writeln!(
            f,
            "Signed with ed25519 public key {}{}",
            self.public_key,
            if self.trusted_key { " (the trusted key)" } else { " (not compared with a trusted key)" }
        )?;
        match &self.scrutineer_signoff {
            Some(s) => writeln!(f, "Scrutineer sign-off: {} at {}: {}", s.by, s.at, s.statement)?,
            None => writeln!(f, "Scrutineer sign-off: none")?,
        }
        writeln!(
            f,
            "Results ({}), {} votes cast:",
            if self.recounted { "recounted from the entries" } else { "as signed; not recountable" },
            self.results.votes_cast
        )?;
        for (i, (q, c)) in self.questions.iter().zip(&self.results.questions).enumerate() {
            writeln!(f, "  {}. {} [{}]", i + 1, q.text, q.kind.as_str())?;
            for k in q.count_keys() {
                let v = c.counts.get(k).copied().unwrap_or(0);
                writeln!(f, "     {k}: {v} ({} of votes cast)", percent(v, self.results.votes_cast))?;
            }
        }
        if let Some(root) = &self.roll_root {
            writeln!(f, "Roll: {} tags, Merkle root {root}; has-voted tags: {}", self.eligible, self.markers)?;
        }
        if let Some(id) = &self.record_id {
            writeln!(f, "Record id (the digest signed): {id}")?;
        }
        if let Some(old) = &self.supersedes {
            writeln!(f, "This record supersedes record {old}")?;
        }
        for c in &self.codes {
            let said = match (c.on_roll, c.voted) {
                (true, true) => {
                    "your tag is on the roll and among the has-voted tags: a ballot was counted with your code"
                }
                (true, false) => {
                    "your tag is on the roll and absent from the has-voted tags: no ballot was counted with your code"
                }
                (false, _) => "your tag is NOT on the roll: check the code; if it is right, tell the scrutineer",
            };
            writeln!(f, "Code {}: tag {}: {said}", c.code, c.tag)?;
        }
        if self.checkpoints_confirmed > 0 {
            writeln!(f, "Checkpoints confirmed as prefixes: {}", self.checkpoints_confirmed)?;
        }
        for (r, seq) in &self.receipts_found {
            writeln!(f, "Receipt {r} found: entry {seq}")?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "Warnings:")?;
            for w in &self.warnings {
                writeln!(f, "  - {w}")?;
            }
        }
        if !self.limitations.is_empty() {
            writeln!(f, "Limitations:")?;
            for l in &self.limitations {
                writeln!(f, "  - {l}")?;
            }
        }
        Ok(())
    }
}

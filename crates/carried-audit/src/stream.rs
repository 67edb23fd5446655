//! The one-pass verifier of v2 records (docs/audit.md section 18).
//!
//! It reads the record's text once, front to back, strictly (`strict`): the members of a v2 record come
//! in a fixed order, so by the time `entries` starts the definition, N, the roll root, the publication
//! mode and the genesis are known. Each entry is checked, hashed (its commitment and its link, from
//! the canonical bytes written straight into one reused buffer) and counted as it is read, and then
//! dropped; the roll and the has-voted tags are checked and hashed into their Merkle roots as they are
//! read. The signature covers a 32-byte digest of the small members only (the head and the roots
//! commit to the rest), so nothing is hashed twice.
//!
//! A v2 record written in another member order is read whole and rewritten in this order first (same
//! verdicts, twice the work).
//!
//! Problems are kept per step and the one of the earliest step is reported, so the verdict and the
//! message are those of the checks in the order section 18 lists them.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::chain::{hash_from_hex, is_lower_hex, to_hex, Checkpoint, Hash};
use super::checks::{check_consistency_of, check_results_shape_of, normalise_receipt, trim_ascii_ws};
use super::error::VerifyError;
use super::record::{
    check_answer, parse_questions, results_sha256, Publication, Question, Results, Signature, Signoff,
};
use super::report::{CodeCheck, Report};
use super::sign::verify_signature;
use super::strict::{Reader, StrictError};
use super::v2::{
    commitment, genesis_v2, link_hash, record_signature_message, voter_tag, MerkleBuilder, SignedCheckpoint,
    NOT_DIGESTED, RECORD_DOMAIN_V2,
};

/// What a verifier is asked besides the record.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    pub checkpoints: &'a [Checkpoint],
    pub signed_checkpoints: &'a [SignedCheckpoint],
    pub receipts: &'a [String],
    pub codes: &'a [String],
    pub trusted_key: Option<&'a str>,
}

/// The members of a v2 record, in the order they must appear (`signature` may be absent).
pub const MEMBERS_V2: [&str; 17] = [
    "format",
    "ballot",
    "eligible",
    "roll_root",
    "publication",
    "genesis",
    "entries",
    "count",
    "head",
    "roll",
    "voted",
    "voted_root",
    "results",
    "scrutineer_signoff",
    "supersedes",
    "published_at",
    "signature",
];

const STEPS: usize = 12;

struct Problems([Option<VerifyError>; STEPS]);

impl Problems {
    fn add(&mut self, step: usize, e: VerifyError) {
        if self.0[step].is_none() {
            self.0[step] = Some(e);
        }
    }
    fn has(&self, step: usize) -> bool {
        self.0[step].is_some()
    }
    fn first(&mut self) -> Option<VerifyError> {
        self.0.iter_mut().find_map(Option::take)
    }
}

fn malformed(what: impl Into<String>) -> VerifyError {
    VerifyError::Malformed(what.into())
}

/// One entry's members as read (types checked as they are read).
#[derive(Default)]
struct EntryFields<'a> {
    seq: Option<u64>,
    receipt: Option<std::borrow::Cow<'a, str>>,
    commitment: Option<std::borrow::Cow<'a, str>>,
    answers: Option<Value>,
    nonce: Option<std::borrow::Cow<'a, str>>,
    prev: Option<std::borrow::Cow<'a, str>>,
    hash: Option<std::borrow::Cow<'a, str>>,
}

/// Read one entry object, strictly; a malformed entry is reported as `Err(Ok(problem))`, a text that is
/// not strict JSON as `Err(Err(..))`.
fn read_entry<'a>(r: &mut Reader<'a>) -> Result<Result<EntryFields<'a>, String>, StrictError> {
    if r.peek() != Some(b'{') {
        r.value()?;
        return Ok(Err("not an object".into()));
    }
    r.expect(b'{')?;
    r.enter()?;
    let mut f = EntryFields::default();
    let mut problem: Option<String> = None;
    let mut seen: Vec<String> = Vec::new();
    if r.peek() == Some(b'}') {
        r.expect(b'}')?;
    } else {
        loop {
            let at = r.offset();
            let key = r.string()?;
            r.expect(b':')?;
            if seen.iter().any(|k| *k == key) {
                return Err(StrictError { offset: at, problem: format!("duplicate key {:?}", key.as_ref()) });
            }
            seen.push(key.to_string());
            let string = |r: &mut Reader<'a>, name: &str, problem: &mut Option<String>| {
                if r.peek() == Some(b'"') {
                    r.string().map(Some)
                } else {
                    r.value()?;
                    problem.get_or_insert_with(|| format!("`{name}` is not a string"));
                    Ok(None)
                }
            };
            match key.as_ref() {
                "seq" => {
                    if matches!(r.peek(), Some(b'0'..=b'9')) {
                        f.seq = Some(r.integer()? as u64);
                    } else {
                        r.value()?;
                        problem.get_or_insert_with(|| "`seq` is not a whole number".into());
                    }
                }
                "receipt" => f.receipt = string(r, "receipt", &mut problem)?,
                "commitment" => f.commitment = string(r, "commitment", &mut problem)?,
                "nonce" => f.nonce = string(r, "nonce", &mut problem)?,
                "prev" => f.prev = string(r, "prev", &mut problem)?,
                "hash" => f.hash = string(r, "hash", &mut problem)?,
                "answers" => f.answers = Some(r.value()?),
                other => {
                    r.value()?;
                    problem.get_or_insert_with(|| format!("unknown field `{other}`"));
                }
            }
            match r.peek() {
                Some(b',') => r.expect(b',')?,
                _ => {
                    r.expect(b'}')?;
                    break;
                }
            }
        }
    }
    r.leave();
    if let Some(p) = problem {
        return Ok(Err(p));
    }
    for (name, present) in [
        ("seq", f.seq.is_some()),
        ("receipt", f.receipt.is_some()),
        ("commitment", f.commitment.is_some()),
        ("prev", f.prev.is_some()),
        ("hash", f.hash.is_some()),
    ] {
        if !present {
            return Ok(Err(format!("missing field `{name}`")));
        }
    }
    Ok(Ok(f))
}

struct Chain {
    full: bool,
    questions: Option<Vec<Question>>,
    prev_hex: String,
    prev: Hash,
    n: usize,
    receipts: HashMap<String, usize>,
    /// Entry hashes at the counts named by checkpoints.
    wanted: HashMap<u64, Option<String>>,
    counts: Vec<Vec<u64>>,
    buf: Vec<u8>,
}

impl Chain {
    fn entry(&mut self, f: EntryFields<'_>, p: &mut Problems) {
        self.n += 1;
        let index = self.n;
        let (Some(seq), Some(receipt), Some(c), Some(prev), Some(hash)) =
            (f.seq, f.receipt, f.commitment, f.prev, f.hash)
        else {
            return;
        };
        if let Some(slot) = self.wanted.get_mut(&(index as u64)) {
            *slot = Some(hash.to_string());
        }
        if p.has(3) {
            return;
        }
        let fail = |p: &mut Problems, e| p.add(3, e);
        if seq != index as u64 {
            return fail(p, VerifyError::EntrySeq { index, found: seq });
        }
        if *prev != self.prev_hex {
            return fail(p, VerifyError::EntryPrev { index });
        }
        if self.full {
            match (&f.answers, &f.nonce) {
                (None, _) => return fail(p, VerifyError::EntryMissing { index, field: "answers" }),
                (_, None) => return fail(p, VerifyError::EntryMissing { index, field: "nonce" }),
                (_, Some(nonce)) if !is_lower_hex(nonce, 64) => return fail(p, VerifyError::EntryNonce { index }),
                _ => {}
            }
        } else if f.answers.is_some() {
            return fail(p, VerifyError::EntryUnexpected { index, field: "answers" });
        } else if f.nonce.is_some() {
            return fail(p, VerifyError::EntryUnexpected { index, field: "nonce" });
        }
        let normal = normalise_receipt(&receipt);
        if normal.is_empty() {
            return fail(p, VerifyError::EntryReceiptEmpty { index });
        }
        if let Some(first) = self.receipts.insert(normal, index) {
            return fail(p, VerifyError::DuplicateReceipt { index, receipt: receipt.to_string(), first });
        }
        if !is_lower_hex(&c, 64) {
            return fail(p, VerifyError::EntryCommitmentFormat { index });
        }
        if let (Some(answers), Some(nonce)) = (&f.answers, &f.nonce) {
            match commitment(&mut self.buf, answers, nonce) {
                Err(source) => return fail(p, VerifyError::EntryNotCanonical { index, source }),
                Ok(computed) if to_hex(&computed) != *c => {
                    return fail(
                        p,
                        VerifyError::EntryCommitment { index, computed: to_hex(&computed), recorded: c.to_string() },
                    )
                }
                Ok(_) => {}
            }
        }
        if !is_lower_hex(&hash, 64) {
            return fail(p, VerifyError::EntryHashFormat { index });
        }
        let computed = link_hash(&mut self.buf, &self.prev, seq, &receipt, &c);
        if hash_from_hex(&hash) != Some(computed) {
            return fail(p, VerifyError::EntryHash { index, computed: to_hex(&computed), recorded: hash.to_string() });
        }
        self.prev = computed;
        self.prev_hex = hash.to_string();
        // Step 6 and the recount (full records).
        if let (Some(questions), Some(answers)) = (&self.questions, &f.answers) {
            if p.has(6) {
                return;
            }
            let Some(list) = answers.as_array() else {
                return p.add(6, VerifyError::AnswersNotList { index, expected: questions.len() });
            };
            if list.len() != questions.len() {
                return p.add(6, VerifyError::AnswerCount { index, found: list.len(), expected: questions.len() });
            }
            for (qi, (q, a)) in questions.iter().zip(list).enumerate() {
                if let Err(problem) = check_answer(q, a) {
                    return p.add(6, VerifyError::Answer { index, question: qi + 1, problem });
                }
            }
            for ((q, c), a) in questions.iter().zip(self.counts.iter_mut()).zip(list) {
                let keys = q.count_keys();
                let mut add = |s: &Value| {
                    if let Some(i) = s.as_str().and_then(|s| keys.iter().position(|k| *k == s)) {
                        c[i] += 1;
                    }
                };
                match a {
                    Value::Array(items) => items.iter().for_each(&mut add),
                    other => add(other),
                }
            }
        }
    }
}

/// A sorted list of tags, read one at a time into a Merkle root.
struct Tags {
    tags: Vec<Hash>,
    root: MerkleBuilder,
}

fn read_tags(r: &mut Reader<'_>, name: &str, p: &mut Problems) -> Result<Option<Tags>, StrictError> {
    if r.peek() != Some(b'[') {
        r.value()?;
        p.add(1, malformed(format!("`{name}` is not a list")));
        return Ok(None);
    }
    r.expect(b'[')?;
    r.enter()?;
    let mut t = Tags { tags: Vec::new(), root: MerkleBuilder::new() };
    if r.peek() == Some(b']') {
        r.expect(b']')?;
    } else {
        loop {
            let position = t.tags.len() + 1;
            if r.peek() == Some(b'"') {
                let s = r.string()?;
                match hash_from_hex(&s) {
                    Some(h) => {
                        if t.tags.last().is_some_and(|last| *last >= h) {
                            p.add(5, VerifyError::TagsOrder { list: name.to_string(), position });
                        }
                        t.root.push(&h);
                        t.tags.push(h);
                    }
                    None => p.add(1, malformed(format!("`{name}` item {position} is not 64 lowercase hex digits"))),
                }
            } else {
                r.value()?;
                p.add(1, malformed(format!("`{name}` item {position} is not 64 lowercase hex digits")));
            }
            match r.peek() {
                Some(b',') => r.expect(b',')?,
                _ => {
                    r.expect(b']')?;
                    break;
                }
            }
        }
    }
    r.leave();
    Ok(Some(t))
}

fn hex_member(v: &Value, name: &str, p: &mut Problems) -> Option<Hash> {
    let h = v.as_str().and_then(hash_from_hex);
    if h.is_none() {
        p.add(1, malformed(format!("`{name}` is not 64 lowercase hex digits")));
    }
    h
}

fn uint_member(v: &Value, name: &str, p: &mut Problems) -> Option<u64> {
    let n = v.as_u64();
    if n.is_none() {
        p.add(1, malformed(format!("`{name}` is not a whole number")));
    }
    n
}

/// The text of a v2 record's members in the order of section 17 (unknown members last), so that a record
/// written in another order (by a JSON library that sorts keys, say) can be read in one pass.
pub fn in_member_order(value: &Value) -> Result<Vec<u8>, VerifyError> {
    let obj = value.as_object().ok_or(VerifyError::NotAnObject)?;
    let mut out = b"{".to_vec();
    let known = MEMBERS_V2.iter().filter_map(|m| obj.get_key_value(*m));
    let unknown = obj.iter().filter(|(k, _)| !MEMBERS_V2.contains(&k.as_str()));
    for (i, (k, v)) in known.chain(unknown).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend(serde_json::to_vec(k).map_err(|e| malformed(e.to_string()))?);
        out.push(b':');
        out.extend(serde_json::to_vec(v).map_err(|e| malformed(e.to_string()))?);
    }
    out.push(b'}');
    Ok(out)
}

/// True when `text` begins, after white space, with `{"format":"carried/ballot-record/v2"`.
pub fn is_v2(text: &[u8]) -> bool {
    let mut r = Reader::new(text);
    if r.expect(b'{').is_err() || r.peek() != Some(b'"') {
        return false;
    }
    matches!(r.string().as_deref(), Ok("format"))
        && r.expect(b':').is_ok()
        && r.peek() == Some(b'"')
        && matches!(r.string().as_deref(), Ok(RECORD_DOMAIN_V2))
}

/// Verify a v2 record's text in one pass (see the module documentation).
pub fn verify_v2(text: &[u8], inputs: &Inputs<'_>) -> Result<Report, VerifyError> {
    let mut p = Problems(Default::default());
    let mut r = Reader::new(text);
    let mut header: Map<String, Value> = Map::new();
    let mut chain: Option<Chain> = None;
    let mut roll: Option<Tags> = None;
    let mut voted: Option<Tags> = None;
    let mut questions_error: Option<String> = None;
    let mut next = 0usize;
    r.expect(b'{')?;
    r.enter()?;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let at = r.offset();
        let key = r.string()?.into_owned();
        r.expect(b':')?;
        if seen.contains(&key) {
            return Err(StrictError { offset: at, problem: format!("duplicate key {key:?}") }.into());
        }
        seen.push(key.clone());
        let position = MEMBERS_V2.iter().position(|m| *m == key);
        match position {
            None => {
                p.add(1, malformed(format!("unknown field `{key}`")));
            }
            // Another order: the record is read whole instead (`verify_with`).
            Some(i) if i < next => return Err(VerifyError::MembersReordered),
            Some(i) => next = i + 1,
        }
        match key.as_str() {
            "entries" if !p.has(1) => {
                let full = header.get("publication").and_then(Value::as_str) == Some("full");
                let questions = match parse_questions(header.get("ballot").unwrap_or(&Value::Null)) {
                    Ok(q) => Some(q),
                    Err(e) => {
                        questions_error = Some(e);
                        None
                    }
                };
                let genesis_hex = header.get("genesis").and_then(Value::as_str).unwrap_or_default().to_string();
                let mut c = Chain {
                    full,
                    counts: questions.iter().flatten().map(|q| vec![0; q.count_keys().len()]).collect(),
                    questions: if full { questions } else { None },
                    prev: hash_from_hex(&genesis_hex).unwrap_or_default(),
                    prev_hex: genesis_hex,
                    n: 0,
                    receipts: HashMap::new(),
                    wanted: inputs.checkpoints.iter().map(|c| (c.count, None)).collect(),
                    buf: Vec::with_capacity(512),
                };
                for sc in inputs.signed_checkpoints {
                    c.wanted.insert(sc.count, None);
                }
                if r.peek() != Some(b'[') {
                    r.value()?;
                    p.add(1, malformed("`entries` is not a list"));
                } else {
                    r.expect(b'[')?;
                    r.enter()?;
                    if r.peek() == Some(b']') {
                        r.expect(b']')?;
                    } else {
                        loop {
                            match read_entry(&mut r)? {
                                Ok(f) => c.entry(f, &mut p),
                                Err(problem) => {
                                    c.n += 1;
                                    p.add(1, VerifyError::EntryMalformed { index: c.n, problem });
                                }
                            }
                            match r.peek() {
                                Some(b',') => r.expect(b',')?,
                                _ => {
                                    r.expect(b']')?;
                                    break;
                                }
                            }
                        }
                    }
                    r.leave();
                }
                chain = Some(c);
            }
            "roll" if !p.has(1) => roll = read_tags(&mut r, "roll", &mut p)?,
            "voted" if !p.has(1) => voted = read_tags(&mut r, "voted", &mut p)?,
            _ => {
                let v = r.value()?;
                header.insert(key, v);
            }
        }
        match r.peek() {
            Some(b',') => r.expect(b',')?,
            _ => {
                r.expect(b'}')?;
                break;
            }
        }
    }
    r.leave();
    r.end()?;
    if let Some(missing) = MEMBERS_V2.iter().find(|m| **m != "signature" && !seen.iter().any(|k| k == *m)) {
        p.add(1, malformed(format!("missing field `{missing}`")));
    }
    if let Some(e) = p.first() {
        return Err(e);
    }
    finish(header, chain, roll, voted, questions_error, inputs, p)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    header: Map<String, Value>,
    chain: Option<Chain>,
    roll: Option<Tags>,
    voted: Option<Tags>,
    questions_error: Option<String>,
    inputs: &Inputs<'_>,
    mut p: Problems,
) -> Result<Report, VerifyError> {
    let (Some(chain), Some(roll), Some(voted)) = (chain, roll, voted) else {
        return Err(malformed("entries, roll or voted could not be read"));
    };
    let get = |k: &str| header.get(k).unwrap_or(&Value::Null);
    // 1. Types of the small members.
    let ballot = get("ballot");
    if !ballot.is_object() {
        p.add(1, malformed("`ballot` is not an object"));
    }
    let eligible = uint_member(get("eligible"), "eligible", &mut p);
    let roll_root = hex_member(get("roll_root"), "roll_root", &mut p);
    let publication = match get("publication").as_str() {
        Some("full") => Some(Publication::Full),
        Some("receipts_only") => Some(Publication::ReceiptsOnly),
        _ => {
            p.add(1, malformed("`publication` is not \"full\" or \"receipts_only\""));
            None
        }
    };
    let genesis = hex_member(get("genesis"), "genesis", &mut p);
    let count = uint_member(get("count"), "count", &mut p);
    let head = hex_member(get("head"), "head", &mut p);
    let voted_root = hex_member(get("voted_root"), "voted_root", &mut p);
    let results: Option<Results> =
        serde_json::from_value(get("results").clone()).map_err(|e| p.add(1, malformed(format!("`results`: {e}")))).ok();
    let signoff: Option<Option<Signoff>> = serde_json::from_value(get("scrutineer_signoff").clone())
        .map_err(|e| p.add(1, malformed(format!("`scrutineer_signoff`: {e}"))))
        .ok();
    let supersedes = match get("supersedes") {
        Value::Null => None,
        v => Some(hex_member(v, "supersedes", &mut p).map(|h| to_hex(&h))),
    };
    if !get("published_at").is_string() {
        p.add(1, malformed("`published_at` is not a string"));
    }
    let signature: Option<Option<Signature>> = serde_json::from_value(get("signature").clone())
        .map_err(|e| p.add(1, malformed(format!("`signature`: {e}"))))
        .ok();
    if let Some(e) = p.first() {
        return Err(e);
    }
    let (
        Some(eligible),
        Some(roll_root),
        Some(publication),
        Some(genesis),
        Some(count),
        Some(head),
        Some(voted_root),
        Some(results),
        Some(signoff),
        Some(signature),
    ) = (eligible, roll_root, publication, genesis, count, head, voted_root, results, signoff, signature)
    else {
        return Err(malformed("a member has the wrong type"));
    };
    let supersedes = supersedes.flatten();

    // 2. Genesis and publication.
    let computed = genesis_v2(ballot, eligible, &roll_root).map_err(VerifyError::GenesisNotCanonical)?;
    if computed != genesis {
        return Err(VerifyError::Genesis { eligible, computed: to_hex(&computed), recorded: to_hex(&genesis) });
    }
    if let Some(Value::String(committed)) = ballot.get("publication") {
        if committed != publication.as_str() {
            return Err(VerifyError::PublicationMismatch {
                record: publication.as_str().into(),
                definition: committed.clone(),
            });
        }
    }
    // 3. Entries.
    if let Some(e) = p.0[3].take() {
        return Err(e);
    }
    // 4. Head and count.
    let n = chain.n;
    let expected_head = chain.prev;
    if head != expected_head {
        return Err(if n == 0 {
            VerifyError::HeadEmpty { recorded: to_hex(&head), expected: to_hex(&expected_head) }
        } else {
            VerifyError::Head { recorded: to_hex(&head), expected: to_hex(&expected_head) }
        });
    }
    if count != n as u64 {
        return Err(VerifyError::Count { count, entries: n });
    }
    // 5. The roll and the has-voted tags.
    if let Some(e) = p.0[5].take() {
        return Err(e);
    }
    if roll.tags.len() as u64 != eligible {
        return Err(VerifyError::RollSize { tags: roll.tags.len(), eligible });
    }
    let computed_root = roll.root.root();
    if computed_root != roll_root {
        return Err(VerifyError::RollRoot { computed: to_hex(&computed_root), recorded: to_hex(&roll_root) });
    }
    if voted.tags.len() != n {
        return Err(VerifyError::VotedCount { tags: voted.tags.len(), entries: n });
    }
    // Both lists are sorted: one merge finds a has-voted tag that is not on the roll.
    let mut on_roll = roll.tags.iter().peekable();
    for (i, t) in voted.tags.iter().enumerate() {
        while on_roll.next_if(|r| *r < t).is_some() {}
        if on_roll.peek() != Some(&t) {
            return Err(VerifyError::VotedNotOnRoll { position: i + 1 });
        }
    }
    let computed_voted = voted.root.root();
    if computed_voted != voted_root {
        return Err(VerifyError::VotedRoot { computed: to_hex(&computed_voted), recorded: to_hex(&voted_root) });
    }
    // 6. Answers.
    if let Some(e) = questions_error {
        return Err(VerifyError::Questions(e));
    }
    if let Some(e) = p.0[6].take() {
        return Err(e);
    }
    let questions = parse_questions(ballot).map_err(VerifyError::Questions)?;
    // 7. Results.
    check_results_shape_of(&results, &questions)?;
    match publication {
        Publication::Full => {
            if results.votes_cast != n as u64 {
                return Err(VerifyError::RecountVotesCast { recorded: results.votes_cast, recounted: n as u64 });
            }
            for (qi, (q, counted)) in questions.iter().zip(&chain.counts).enumerate() {
                for (k, recount) in q.count_keys().into_iter().zip(counted) {
                    let recorded = results.questions[qi].counts.get(k).copied().unwrap_or(0);
                    if recorded != *recount {
                        return Err(VerifyError::RecountOption {
                            question: qi + 1,
                            option: k.to_string(),
                            recorded,
                            recounted: *recount,
                        });
                    }
                }
            }
        }
        Publication::ReceiptsOnly => check_consistency_of(&results, &questions, n)?,
    }
    // 8. Sign-off.
    if let Some(s) = &signoff {
        let computed = results_sha256(&results).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if s.results_sha256 != computed {
            return Err(VerifyError::Signoff { recorded: s.results_sha256.clone(), computed });
        }
    }
    // 9. Signature over the digest.
    let signature = signature.ok_or(VerifyError::Unsigned)?;
    if signature.algorithm != "ed25519" {
        return Err(VerifyError::SignatureAlgorithm(signature.algorithm.clone()));
    }
    let digested: Map<String, Value> = header
        .iter()
        .filter(|(k, _)| !NOT_DIGESTED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let digest = super::chain::sha256(
        &super::canonical::canonical_json(&Value::Object(digested))
            .map_err(|e| VerifyError::Malformed(e.to_string()))?,
    );
    verify_signature(&signature.public_key, &record_signature_message(&digest), &signature.value)
        .map_err(VerifyError::Signature)?;
    if let Some(trusted) = inputs.trusted_key {
        let trusted = trim_ascii_ws(trusted).to_ascii_lowercase();
        if trusted != signature.public_key {
            return Err(VerifyError::UntrustedKey { public_key: signature.public_key.clone(), trusted });
        }
    }
    // 10. Checkpoints: plain ones, then signed ones.
    let genesis_hex = to_hex(&genesis);
    let hash_at = |count: u64| -> Option<String> {
        if count == 0 {
            Some(genesis_hex.clone())
        } else {
            chain.wanted.get(&count).cloned().flatten()
        }
    };
    for cp in inputs.checkpoints {
        check_prefix(cp, &genesis_hex, n, hash_at(cp.count))?;
    }
    for sc in inputs.signed_checkpoints {
        let cp = Checkpoint { count: sc.count, head: sc.head.clone() };
        if sc.signature.algorithm != "ed25519" {
            return Err(VerifyError::SignatureAlgorithm(sc.signature.algorithm.clone()));
        }
        verify_signature(
            &sc.signature.public_key,
            &super::v2::checkpoint_message(&sc.genesis, sc.count, &sc.head),
            &sc.signature.value,
        )
        .map_err(|e| VerifyError::CheckpointSignature { checkpoint: cp.clone(), problem: e.to_string() })?;
        if sc.signature.public_key != signature.public_key {
            return Err(VerifyError::CheckpointSignature {
                checkpoint: cp,
                problem: format!("signed with {}, not the record's key", sc.signature.public_key),
            });
        }
        if sc.genesis != genesis_hex {
            return Err(VerifyError::CheckpointGenesis { checkpoint: cp, genesis: genesis_hex.clone() });
        }
        check_prefix(&cp, &genesis_hex, n, hash_at(sc.count))?;
    }
    // 11. Receipts.
    let mut receipts_found = Vec::new();
    for receipt in inputs.receipts {
        match chain.receipts.get(&normalise_receipt(receipt)) {
            Some(index) => receipts_found.push((trim_ascii_ws(receipt).to_string(), *index as u64)),
            None => return Err(VerifyError::ReceiptNotFound(trim_ascii_ws(receipt).to_string())),
        }
    }
    // 12. Voting codes: tags looked up (a finding, not a failure).
    let ballot_id = ballot.get("id").and_then(Value::as_str).unwrap_or_default();
    let codes = inputs
        .codes
        .iter()
        .map(|code| {
            let tag = voter_tag(ballot_id, code);
            CodeCheck {
                code: trim_ascii_ws(code).to_string(),
                tag: to_hex(&tag),
                on_roll: roll.tags.binary_search(&tag).is_ok(),
                voted: voted.tags.binary_search(&tag).is_ok(),
            }
        })
        .collect();

    let mut limitations = Vec::new();
    let mut warnings = Vec::new();
    if publication == Publication::ReceiptsOnly {
        limitations.push(
            "the results could not be recounted (receipts_only): every link and commitment was recomputed, \
             but the answers are hidden, so the counts are trusted to the service's signature and the \
             scrutineer; only their consistency with the questions and the number of entries was checked"
                .to_string(),
        );
    }
    if inputs.trusted_key.is_none() {
        limitations.push(
            "the signature was checked with the public key inside the record; compare that key with the \
             service's published key (or pass it as the trusted key)"
                .to_string(),
        );
    }
    if inputs.checkpoints.is_empty() && inputs.signed_checkpoints.is_empty() {
        limitations.push(
            "no checkpoints were given: a history rewritten before publication would not be detected".to_string(),
        );
    }
    if inputs.codes.is_empty() {
        limitations.push(
            "no voting code was given: N and the has-voted tags were checked for consistency, but only a voter \
             can check that their own tag is on the roll, and present or absent as it should be"
                .to_string(),
        );
    }
    if signoff.is_none() {
        warnings.push("the results have no scrutineer sign-off".to_string());
    }
    let checkpoints_confirmed = inputs.checkpoints.len() + inputs.signed_checkpoints.len();
    Ok(Report {
        entries: n as u64,
        eligible,
        markers: voted.tags.len() as u64,
        genesis: genesis_hex,
        head: to_hex(&head),
        publication,
        title: ballot.get("title").and_then(Value::as_str).map(str::to_string),
        questions,
        results,
        recounted: publication == Publication::Full,
        public_key: signature.public_key.clone(),
        trusted_key: inputs.trusted_key.is_some(),
        scrutineer_signoff: signoff,
        receipts_found,
        checkpoints_confirmed,
        limitations,
        warnings,
        version: 2,
        roll_root: Some(to_hex(&roll_root)),
        record_id: Some(to_hex(&digest)),
        supersedes,
        codes,
    })
}

fn check_prefix(cp: &Checkpoint, genesis: &str, n: usize, hash: Option<String>) -> Result<(), VerifyError> {
    if cp.count == 0 {
        if cp.head != genesis {
            return Err(VerifyError::CheckpointGenesis { checkpoint: cp.clone(), genesis: genesis.to_string() });
        }
        return Ok(());
    }
    if cp.count > n as u64 {
        return Err(VerifyError::CheckpointTruncated { checkpoint: cp.clone(), entries: n });
    }
    let hash = hash.unwrap_or_default();
    if hash != cp.head {
        return Err(VerifyError::CheckpointNotPrefix { checkpoint: cp.clone(), hash });
    }
    Ok(())
}

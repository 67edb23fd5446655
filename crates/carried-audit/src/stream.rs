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
//! message are those of the checks in the order section 18 lists them. This file reads; `steps` (the
//! checks once the text is read, and the report) finishes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::chain::{hash_from_hex, is_lower_hex, to_hex, Checkpoint, Hash};
use super::checks::normalise_receipt;
use super::error::VerifyError;
use super::record::{check_answer, parse_questions, Question};
use super::report::Report;
use super::strict::{Reader, StrictError};
use super::v2::{commitment, link_hash, MerkleBuilder, SignedCheckpoint, RECORD_DOMAIN_V2};

mod steps;

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
    steps::finish(header, chain, roll, voted, questions_error, inputs, p)
}

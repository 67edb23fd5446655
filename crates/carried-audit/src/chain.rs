//! Hash chains: the ballot record's entries and the audit log of officer actions.
//!
//! Every link is `hash = SHA-256(prev ‖ canonical(content))` where `prev` is the
//! previous link's hash as 32 raw bytes. The first `prev` of a ballot record is its
//! genesis hash, which commits to the ballot definition and the eligible count N;
//! the first `prev` of the audit log is `SHA-256("carried/audit-log/v1")`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::canonical::{canonical_json, CanonicalError};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Domain string of the ballot record, used in its genesis and as its `format`.
pub const RECORD_DOMAIN: &str = "carried/ballot-record/v1";
/// Domain string of the audit log; its genesis is SHA-256 of these bytes.
pub const LOG_DOMAIN: &str = "carried/audit-log/v1";

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of a hash, as hashes appear in records.
pub fn to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// True when `s` is exactly `len` lowercase hexadecimal digits.
pub fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parse a hash written as 64 lowercase hex digits; `None` for anything else.
pub fn hash_from_hex(s: &str) -> Option<Hash> {
    if !is_lower_hex(s, 64) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// Genesis of a ballot record:
/// `SHA-256(canonical({"domain": "carried/ballot-record/v1", "ballot": definition, "eligible": eligible}))`.
pub fn genesis(definition: &Value, eligible: u64) -> Result<Hash, CanonicalError> {
    let mut obj = Map::new();
    obj.insert("domain".into(), Value::from(RECORD_DOMAIN));
    obj.insert("ballot".into(), definition.clone());
    obj.insert("eligible".into(), Value::from(eligible));
    Ok(sha256(&canonical_json(&Value::Object(obj))?))
}

/// `SHA-256(prev ‖ canonical(content))`, with `prev` as 32 raw bytes.
pub fn entry_hash(prev: &Hash, content: &Value) -> Result<Hash, CanonicalError> {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(canonical_json(content)?);
    Ok(hasher.finalize().into())
}

/// The hash of one entry from its parts, written straight into `buf` (cleared first, reused between
/// entries): SHA-256(prev ‖ canonical {"answers","nonce","receipt","seq"}). Equal to
/// `entry_hash(prev, &EntryContent{..}.to_value())`, without building the object.
pub fn entry_hash_parts(
    buf: &mut Vec<u8>,
    prev: &Hash,
    seq: u64,
    receipt: &str,
    answers: &Value,
    nonce: &str,
) -> Result<Hash, CanonicalError> {
    use super::canonical::{write_canonical, write_canonical_str, write_u64};
    buf.clear();
    buf.extend_from_slice(b"{\"answers\":");
    write_canonical(buf, answers)?;
    buf.extend_from_slice(b",\"nonce\":");
    write_canonical_str(buf, nonce);
    buf.extend_from_slice(b",\"receipt\":");
    write_canonical_str(buf, receipt);
    buf.extend_from_slice(b",\"seq\":");
    write_u64(buf, seq);
    buf.push(b'}');
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(&buf[..]);
    Ok(hasher.finalize().into())
}

/// What is hashed for one ballot: `{"answers", "nonce", "receipt", "seq"}`.
///
/// `nonce` is 32 random bytes as 64 lowercase hex digits. Without it, anyone could
/// recover the answers of a "receipts only" record by hashing every possible answer
/// combination (a small space) until an entry hash matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryContent {
    pub seq: u64,
    pub receipt: String,
    pub answers: Value,
    pub nonce: String,
}

impl EntryContent {
    /// The object that is canonically encoded and hashed.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("answers".into(), self.answers.clone());
        obj.insert("nonce".into(), Value::from(self.nonce.clone()));
        obj.insert("receipt".into(), Value::from(self.receipt.clone()));
        obj.insert("seq".into(), Value::from(self.seq));
        Value::Object(obj)
    }
}

/// One entry of a ballot record as stored and published.
///
/// In a "receipts only" publication `answers` and `nonce` are left out (`None`,
/// omitted from the JSON); the hashes are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    pub receipt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Hash of the previous entry (the genesis for entry 1), 64 lowercase hex digits.
    pub prev: String,
    /// `SHA-256(prev ‖ canonical(content))`, 64 lowercase hex digits.
    pub hash: String,
}

impl Entry {
    /// The hashed content, when answers and nonce are present.
    pub fn content(&self) -> Option<EntryContent> {
        Some(EntryContent {
            seq: self.seq,
            receipt: self.receipt.clone(),
            answers: self.answers.clone()?,
            nonce: self.nonce.clone()?,
        })
    }

    /// The entry as published in a "receipts only" record.
    pub fn receipts_only(&self) -> Entry {
        Entry { answers: None, nonce: None, ..self.clone() }
    }
}

/// Append one ballot after `prev` (the genesis, or the previous entry's hash).
pub fn append(prev: &Hash, content: &EntryContent) -> Result<Entry, CanonicalError> {
    let hash = entry_hash(prev, &content.to_value())?;
    Ok(Entry {
        seq: content.seq,
        receipt: content.receipt.clone(),
        answers: Some(content.answers.clone()),
        nonce: Some(content.nonce.clone()),
        prev: to_hex(prev),
        hash: to_hex(&hash),
    })
}

/// A saved (count, head) pair: the state of a record at some moment.
/// Written `COUNT:HEAD`, e.g. `3:5f1c…` (64 hex digits). Count 0 has the genesis as head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub count: u64,
    pub head: String,
}

/// Why a `COUNT:HEAD` string is not a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("checkpoint {input:?} is not COUNT:HEAD with HEAD 64 hex digits: {problem}")]
pub struct CheckpointParseError {
    pub input: String,
    pub problem: &'static str,
}

impl FromStr for Checkpoint {
    type Err = CheckpointParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |problem| CheckpointParseError { input: s.to_string(), problem };
        // ASCII white space only, and ASCII case only: the same in every verifier.
        let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
        let (count, head) = s.trim_matches(ws).split_once(':').ok_or_else(|| err("no ':'"))?;
        let count = count.trim_matches(ws);
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) || (count.len() > 1 && count.starts_with('0'))
        {
            return Err(err("COUNT is not a whole number"));
        }
        let count = count
            .parse::<u64>()
            .ok()
            .filter(|c| *c <= super::strict::MAX_INTEGER)
            .ok_or_else(|| err("COUNT is not a whole number below 2^53"))?;
        let head = head.trim_matches(ws).to_ascii_lowercase();
        if !is_lower_hex(&head, 64) {
            return Err(err("HEAD is not 64 hex digits"));
        }
        Ok(Checkpoint { count, head })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.count, self.head)
    }
}

/// Genesis of the audit log: `SHA-256("carried/audit-log/v1")`.
pub fn log_genesis() -> Hash {
    sha256(LOG_DOMAIN.as_bytes())
}

/// One officer, chair or admin action in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub seq: u64,
    /// RFC 3339 time of the action (not interpreted by the chain).
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: Value,
    pub prev: String,
    pub hash: String,
}

impl LogEntry {
    /// The hashed object `{"action","actor","at","details","seq","subject"}`.
    pub fn content_value(&self) -> Value {
        log_content(self.seq, &self.at, &self.actor, &self.action, &self.subject, &self.details)
    }
}

fn log_content(seq: u64, at: &str, actor: &str, action: &str, subject: &str, details: &Value) -> Value {
    let mut obj = Map::new();
    obj.insert("action".into(), Value::from(action));
    obj.insert("actor".into(), Value::from(actor));
    obj.insert("at".into(), Value::from(at));
    obj.insert("details".into(), details.clone());
    obj.insert("seq".into(), Value::from(seq));
    obj.insert("subject".into(), Value::from(subject));
    Value::Object(obj)
}

/// Append an action to the audit log after `prev` ([`log_genesis`] for seq 1).
pub fn append_log(
    prev: &Hash,
    seq: u64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    details: Value,
) -> Result<LogEntry, CanonicalError> {
    let hash = entry_hash(prev, &log_content(seq, at, actor, action, subject, &details))?;
    Ok(LogEntry {
        seq,
        at: at.to_string(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        details,
        prev: to_hex(prev),
        hash: to_hex(&hash),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nonce(n: u8) -> String {
        hex::encode([n; 32])
    }

    #[test]
    fn genesis_commits_to_definition_and_eligible() {
        let def = json!({"title": "T", "questions": []});
        let g = genesis(&def, 10).unwrap();
        assert_ne!(g, genesis(&def, 11).unwrap());
        assert_ne!(g, genesis(&json!({"title": "U", "questions": []}), 10).unwrap());
        // By definition:
        let bytes = br#"{"ballot":{"questions":[],"title":"T"},"domain":"carried/ballot-record/v1","eligible":10}"#;
        assert_eq!(g, sha256(bytes));
    }

    #[test]
    fn entry_hash_parts_equals_entry_hash() {
        let prev = [3u8; 32];
        let content = EntryContent {
            seq: 42,
            receipt: "7K3Q-\"X\"".into(),
            answers: json!(["yes", ["A", "B"]]),
            nonce: nonce(9),
        };
        let mut buf = Vec::new();
        let fast = entry_hash_parts(&mut buf, &prev, 42, &content.receipt, &content.answers, &content.nonce).unwrap();
        assert_eq!(fast, entry_hash(&prev, &content.to_value()).unwrap());
    }

    #[test]
    fn entry_hash_is_prev_then_canonical_content() {
        let prev = [7u8; 32];
        let content = EntryContent { seq: 1, receipt: "R".into(), answers: json!(["yes"]), nonce: nonce(1) };
        let mut bytes = prev.to_vec();
        bytes.extend_from_slice(
            format!(r#"{{"answers":["yes"],"nonce":"{}","receipt":"R","seq":1}}"#, nonce(1)).as_bytes(),
        );
        let e = append(&prev, &content).unwrap();
        assert_eq!(e.hash, to_hex(&sha256(&bytes)));
        assert_eq!(e.prev, to_hex(&prev));
        assert_eq!(e.content(), Some(content));
    }

    #[test]
    fn entry_json_omits_absent_answers() {
        let e =
            append(&[0u8; 32], &EntryContent { seq: 1, receipt: "R".into(), answers: json!(["no"]), nonce: nonce(2) })
                .unwrap();
        let v = serde_json::to_value(e.receipts_only()).unwrap();
        let obj = v.as_object().unwrap();
        assert!(!obj.contains_key("answers") && !obj.contains_key("nonce"));
        let back: Entry = serde_json::from_value(v).unwrap();
        assert_eq!(back.content(), None);
    }

    #[test]
    fn floats_in_answers_are_refused() {
        let c = EntryContent { seq: 1, receipt: "R".into(), answers: json!([0.5]), nonce: nonce(3) };
        assert_eq!(append(&[0; 32], &c), Err(CanonicalError::Float));
    }

    #[test]
    fn checkpoint_parse_and_display() {
        let head = "ab".repeat(32);
        let c: Checkpoint = format!("12:{head}").parse().unwrap();
        assert_eq!(c, Checkpoint { count: 12, head: head.clone() });
        assert_eq!(c.to_string(), format!("12:{head}"));
        let upper: Checkpoint = format!(" 3:{} ", head.to_uppercase()).parse().unwrap();
        assert_eq!(upper.head, head);
        assert!("12".parse::<Checkpoint>().is_err());
        assert!(format!("x:{head}").parse::<Checkpoint>().is_err());
        assert!("1:abcd".parse::<Checkpoint>().is_err());
        assert!(format!("-1:{head}").parse::<Checkpoint>().is_err());
        let err = "1:zz".parse::<Checkpoint>().unwrap_err().to_string();
        assert!(err.contains("HEAD is not 64 hex digits"), "{err}");
        assert_eq!(serde_json::to_value(&c).unwrap(), json!({"count": 12, "head": head}));
    }

    #[test]
    fn hex_helpers() {
        assert!(is_lower_hex("00ff", 4));
        assert!(!is_lower_hex("00FF", 4));
        assert!(!is_lower_hex("00f", 4));
        assert_eq!(hash_from_hex(&"0a".repeat(32)), Some([10u8; 32]));
        assert_eq!(hash_from_hex(&"0A".repeat(32)), None);
    }

    /// The audit log example of docs/audit.md.
    #[test]
    fn log_worked_example() {
        assert_eq!(to_hex(&log_genesis()), "20a4fb0b6f7b06a2c8307831a1f1c8cfb5bef889cb4473b63858b5e004309a0d");
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
        assert_eq!(e.hash, "d5e3731aad638e5c4bc7b4b622db7b9fec0a91b909ae33886f94f4d2feeb2b50");
    }
}

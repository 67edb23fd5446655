//! The published ballot record, its questions, the tally and the signature.

use std::collections::{BTreeMap, HashSet};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::canonical::{canonical_json, CanonicalError};
use super::chain::{genesis, sha256, to_hex, Entry, RECORD_DOMAIN};
use super::sign::{public_key_hex, sign_hex};

/// How much of each entry is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publication {
    /// Every entry with its answers and nonce: anyone can recount.
    Full,
    /// Entries without answers and nonce: voters find their receipt, but the
    /// results are trusted to the signature.
    ReceiptsOnly,
}

impl Publication {
    /// `"full"` or `"receipts_only"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Publication::Full => "full",
            Publication::ReceiptsOnly => "receipts_only",
        }
    }
}

/// The published record (see docs/audit.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Always `"carried/ballot-record/v1"`.
    pub format: String,
    /// The ballot definition committed to by the genesis; only `questions` is read here.
    pub ballot: Value,
    pub eligible: u64,
    /// Number of "has voted" markers.
    pub markers: u64,
    pub publication: Publication,
    pub genesis: String,
    pub entries: Vec<Entry>,
    pub count: u64,
    pub head: String,
    pub results: Results,
    pub scrutineer_signoff: Option<Signoff>,
    pub published_at: String,
    /// Absent only before [`sign_record`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// Counts per question, in question order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub votes_cast: u64,
    pub questions: Vec<QuestionCounts>,
}

/// Votes for every option of one question (zero counts included).
/// Yes/no questions use the keys `"yes"` and `"no"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionCounts {
    pub counts: BTreeMap<String, u64>,
}

/// The independent scrutineer's sign-off of the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signoff {
    pub by: String,
    pub at: String,
    pub statement: String,
    /// [`results_sha256`] of the results signed off.
    pub results_sha256: String,
}

/// Ed25519 signature over `canonical(record without "signature")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Always `"ed25519"`.
    pub algorithm: String,
    /// 32-byte public key, 64 lowercase hex digits.
    pub public_key: String,
    /// 64-byte signature, 128 lowercase hex digits.
    pub value: String,
}

/// The kind of a question, as written in the ballot definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    YesNo,
    OneOf,
    ManyOf,
}

impl QuestionKind {
    /// `"yes_no"`, `"one_of"` or `"many_of"`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::YesNo => "yes_no",
            QuestionKind::OneOf => "one_of",
            QuestionKind::ManyOf => "many_of",
        }
    }
}

/// One question of the definition, as the auditor reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub text: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl Question {
    /// The keys of this question's counts, in definition order.
    pub fn count_keys(&self) -> Vec<&str> {
        match self.kind {
            QuestionKind::YesNo => vec!["yes", "no"],
            _ => self.options.iter().map(String::as_str).collect(),
        }
    }
}

/// Read `definition["questions"]` and check what a tally needs: yes/no questions
/// have no options and no max; one_of and many_of have at least one option and no
/// two options alike; only many_of has a max, and it must have one (at least 1).
pub fn parse_questions(definition: &Value) -> Result<Vec<Question>, String> {
    let raw = definition.get("questions").ok_or("the ballot definition has no \"questions\"")?;
    let questions: Vec<Question> = serde_json::from_value(raw.clone())
        .map_err(|e| format!("the ballot definition's questions are malformed: {e}"))?;
    // A member written as null is not an absent member: `"max": null` is a max, and is refused.
    let has_max: Vec<bool> =
        raw.as_array().map(|qs| qs.iter().map(|q| q.get("max").is_some()).collect()).unwrap_or_default();
    for (i, q) in questions.iter().enumerate() {
        let n = i + 1;
        let kind = q.kind.as_str();
        let max_key = has_max.get(i).copied().unwrap_or(false);
        match q.kind {
            QuestionKind::YesNo if !q.options.is_empty() => {
                return Err(format!("question {n} ({kind}) must not list options"));
            }
            QuestionKind::OneOf | QuestionKind::ManyOf if q.options.is_empty() => {
                return Err(format!("question {n} ({kind}) has no options"));
            }
            _ => {}
        }
        match (q.kind, q.max) {
            (QuestionKind::ManyOf, None) | (QuestionKind::ManyOf, Some(0)) => {
                return Err(format!("question {n} ({kind}) needs a max of at least 1"));
            }
            (QuestionKind::YesNo | QuestionKind::OneOf, _) if max_key => {
                return Err(format!("question {n} ({kind}) must not have a max"));
            }
            _ => {}
        }
        let mut seen = HashSet::new();
        for o in &q.options {
            if !seen.insert(o.as_str()) {
                return Err(format!("question {n} ({kind}) lists option {o:?} twice"));
            }
        }
    }
    Ok(questions)
}

/// Check one answer against its question. The answer must be in the form the
/// service records: `"yes"`/`"no"`; one option text; or an array of distinct option
/// texts, at most `max`, in definition order. On failure, says what is wrong
/// (e.g. `"is not one of its options"`).
pub fn check_answer(q: &Question, answer: &Value) -> Result<(), String> {
    match q.kind {
        QuestionKind::YesNo => match answer.as_str() {
            Some("yes" | "no") => Ok(()),
            _ => Err("is not \"yes\" or \"no\"".into()),
        },
        QuestionKind::OneOf => match answer.as_str() {
            Some(s) if q.options.iter().any(|o| o == s) => Ok(()),
            _ => Err("is not one of its options".into()),
        },
        QuestionKind::ManyOf => {
            let items = answer.as_array().ok_or("is not a list of options")?;
            let max = q.max.unwrap_or(0) as usize;
            if items.len() > max {
                return Err(format!("chooses {} options but at most {max} are allowed", items.len()));
            }
            let mut last: Option<usize> = None;
            for item in items {
                let pos = item
                    .as_str()
                    .and_then(|s| q.options.iter().position(|o| o == s))
                    .ok_or("includes something that is not one of its options")?;
                match last {
                    Some(l) if pos == l => return Err("lists an option twice".into()),
                    Some(l) if pos < l => return Err("lists its options out of definition order".into()),
                    _ => last = Some(pos),
                }
            }
            Ok(())
        }
    }
}

/// Count the answers. Each item is one entry's answers array (answer i for
/// question i). Every option gets a count, zero included; `votes_cast` is the
/// number of entries. Answers that are not valid for their question are not
/// counted (the verifier rejects them before recounting).
pub fn tally<'a, I>(questions: &[Question], answers: I) -> Results
where
    I: IntoIterator<Item = &'a Value>,
{
    let mut counts: Vec<BTreeMap<String, u64>> =
        questions.iter().map(|q| q.count_keys().into_iter().map(|k| (k.to_string(), 0)).collect()).collect();
    let mut votes_cast = 0u64;
    for entry_answers in answers {
        votes_cast += 1;
        let Some(list) = entry_answers.as_array() else {
            continue;
        };
        for ((q, c), answer) in questions.iter().zip(counts.iter_mut()).zip(list) {
            if check_answer(q, answer).is_err() {
                continue;
            }
            let chosen: Vec<&Value> = match answer {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for choice in chosen {
                if let Some(n) = choice.as_str().and_then(|s| c.get_mut(s)) {
                    *n += 1;
                }
            }
        }
    }
    Results { votes_cast, questions: counts.into_iter().map(|counts| QuestionCounts { counts }).collect() }
}

impl Results {
    /// The results as a JSON value (integers and strings only).
    pub fn to_value(&self) -> Value {
        let questions = self
            .questions
            .iter()
            .map(|q| {
                let counts: Map<String, Value> = q.counts.iter().map(|(k, v)| (k.clone(), Value::from(*v))).collect();
                let mut obj = Map::new();
                obj.insert("counts".into(), Value::Object(counts));
                Value::Object(obj)
            })
            .collect();
        let mut obj = Map::new();
        obj.insert("votes_cast".into(), Value::from(self.votes_cast));
        obj.insert("questions".into(), Value::Array(questions));
        Value::Object(obj)
    }
}

/// Hex SHA-256 of `canonical(results)`: what a scrutineer signs off.
pub fn results_sha256(results: &Results) -> Result<String, CanonicalError> {
    Ok(to_hex(&sha256(&canonical_json(&results.to_value())?)))
}

/// Why a record could not be built or signed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error("{0}")]
    Questions(String),
    #[error("entry with seq {0} has no answers or no nonce: build the record from full entries")]
    MissingContent(u64),
    #[error("the record cannot be written as JSON: {0}")]
    Json(String),
}

/// Everything needed to build a record, with `entries` in full (answers and nonce).
#[derive(Debug, Clone)]
pub struct RecordParts {
    pub ballot: Value,
    pub eligible: u64,
    pub markers: u64,
    pub publication: Publication,
    pub entries: Vec<Entry>,
    pub scrutineer_signoff: Option<Signoff>,
    pub published_at: String,
}

/// Build an unsigned record: genesis, count, head and results are computed here
/// (results by [`tally`] of the full entries); for a receipts-only publication
/// answers and nonces are then removed. The entries are not checked: run
/// [`crate::verify::verify`] on the signed record before publishing it.
pub fn build_record(parts: RecordParts) -> Result<Record, RecordError> {
    let questions = parse_questions(&parts.ballot).map_err(RecordError::Questions)?;
    let genesis_hash = genesis(&parts.ballot, parts.eligible)?;
    let mut answers = Vec::with_capacity(parts.entries.len());
    for e in &parts.entries {
        match (&e.answers, &e.nonce) {
            (Some(a), Some(_)) => answers.push(a),
            _ => return Err(RecordError::MissingContent(e.seq)),
        }
    }
    let results = tally(&questions, answers);
    let head = match parts.entries.last() {
        Some(e) => e.hash.clone(),
        None => to_hex(&genesis_hash),
    };
    let entries = match parts.publication {
        Publication::Full => parts.entries,
        Publication::ReceiptsOnly => parts.entries.iter().map(Entry::receipts_only).collect(),
    };
    Ok(Record {
        format: RECORD_DOMAIN.to_string(),
        ballot: parts.ballot,
        eligible: parts.eligible,
        markers: parts.markers,
        publication: parts.publication,
        genesis: to_hex(&genesis_hash),
        count: entries.len() as u64,
        entries,
        head,
        results,
        scrutineer_signoff: parts.scrutineer_signoff,
        published_at: parts.published_at,
        signature: None,
    })
}

/// The bytes a record's signature covers: `canonical(record without "signature")`.
pub fn signing_bytes(record: &Value) -> Result<Vec<u8>, CanonicalError> {
    super::canonical::canonical_json_without(record, "signature")
}

/// Sign the record with the service key (replacing any previous signature).
pub fn sign_record(record: &mut Record, key: &SigningKey) -> Result<(), RecordError> {
    record.signature = None;
    let value = serde_json::to_value(&*record).map_err(|e| RecordError::Json(e.to_string()))?;
    let bytes = signing_bytes(&value)?;
    record.signature =
        Some(Signature { algorithm: "ed25519".into(), public_key: public_key_hex(key), value: sign_hex(key, &bytes) });
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn questions() -> Vec<Question> {
        parse_questions(&json!({"questions": [
            {"text": "Strike?", "kind": "yes_no"},
            {"text": "Pick one", "kind": "one_of", "options": ["A", "B", "C"]},
            {"text": "Pick some", "kind": "many_of", "options": ["X", "Y", "Z"], "max": 2}
        ]}))
        .unwrap()
    }

    #[test]
    fn tally_counts_every_option_including_zero() {
        let q = questions();
        let a1 = json!(["yes", "A", ["X", "Z"]]);
        let a2 = json!(["no", "A", []]);
        let a3 = json!(["yes", "B", ["Y"]]);
        let r = tally(&q, [&a1, &a2, &a3]);
        assert_eq!(r.votes_cast, 3);
        let c = |i: usize| r.questions[i].counts.clone().into_iter().collect::<Vec<_>>();
        assert_eq!(c(0), vec![("no".into(), 1), ("yes".into(), 2)]);
        assert_eq!(c(1), vec![("A".into(), 2), ("B".into(), 1), ("C".into(), 0)]);
        assert_eq!(c(2), vec![("X".into(), 1), ("Y".into(), 1), ("Z".into(), 1)]);
    }

    #[test]
    fn tally_of_nothing() {
        let r = tally(&questions(), []);
        assert_eq!(r.votes_cast, 0);
        assert_eq!(r.questions.len(), 3);
        assert!(r.questions.iter().all(|q| q.counts.values().all(|v| *v == 0)));
    }

    #[test]
    fn check_answer_rules() {
        let q = questions();
        assert_eq!(check_answer(&q[0], &json!("yes")), Ok(()));
        assert_eq!(check_answer(&q[0], &json!("Yes")), Err("is not \"yes\" or \"no\"".into()));
        assert_eq!(check_answer(&q[1], &json!("C")), Ok(()));
        assert_eq!(check_answer(&q[1], &json!("D")), Err("is not one of its options".into()));
        assert_eq!(check_answer(&q[2], &json!([])), Ok(()));
        assert_eq!(check_answer(&q[2], &json!(["X", "Z"])), Ok(()));
        assert!(check_answer(&q[2], &json!(["Z", "X"])).unwrap_err().contains("out of definition order"));
        assert!(check_answer(&q[2], &json!(["X", "X"])).unwrap_err().contains("twice"));
        assert!(check_answer(&q[2], &json!(["X", "Y", "Z"])).unwrap_err().contains("at most 2"));
        assert!(check_answer(&q[2], &json!("X")).unwrap_err().contains("not a list"));
    }

    #[test]
    fn parse_questions_rejects_ambiguous_definitions() {
        let bad = [
            (json!({}), "no \"questions\""),
            (json!({"questions": [{"text": "t", "kind": "maybe"}]}), "malformed"),
            (
                json!({"questions": [{"text": "t", "kind": "yes_no", "options": ["a"]}]}),
                "question 1 (yes_no) must not list options",
            ),
            (
                json!({"questions": [{"text": "t", "kind": "one_of", "options": ["a", "a"]}]}),
                "lists option \"a\" twice",
            ),
            (json!({"questions": [{"text": "t", "kind": "many_of", "options": ["a"]}]}), "needs a max"),
            (
                json!({"questions": [{"text": "t", "kind": "one_of", "options": ["a"], "max": 1}]}),
                "must not have a max",
            ),
            (json!({"questions": [{"text": "t", "kind": "many_of", "options": []}]}), "has no options"),
        ];
        for (def, msg) in bad {
            let err = parse_questions(&def).unwrap_err();
            assert!(err.contains(msg), "{err} should contain {msg}");
        }
    }

    #[test]
    fn results_hash_is_over_canonical_results() {
        let r = tally(&questions(), []);
        let expected = to_hex(&sha256(&canonical_json(&serde_json::to_value(&r).unwrap()).unwrap()));
        assert_eq!(results_sha256(&r).unwrap(), expected);
        assert_eq!(r.to_value(), serde_json::to_value(&r).unwrap());
    }

    #[test]
    fn build_requires_full_entries() {
        let parts = RecordParts {
            ballot: json!({"questions": []}),
            eligible: 1,
            markers: 1,
            publication: Publication::Full,
            entries: vec![Entry {
                seq: 1,
                receipt: "R".into(),
                answers: None,
                nonce: None,
                prev: String::new(),
                hash: String::new(),
            }],
            scrutineer_signoff: None,
            published_at: "2026-01-01T00:00:00Z".into(),
        };
        assert_eq!(build_record(parts), Err(RecordError::MissingContent(1)));
    }
}

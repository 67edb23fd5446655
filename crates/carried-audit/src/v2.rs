//! Record format v2 (docs/audit.md, part II): entries commit to their answers with a published hash so
//! every link can be recomputed in both publication modes; the frozen roll is committed by a Merkle root
//! over the voters' tags; the "has voted" tags are published; the signature covers a digest; checkpoints
//! are signed; a record signed after sign-off names the record it supersedes.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::canonical::CanonicalError;
use super::canonical::{canonical_json, canonical_json_without, write_canonical, write_canonical_str, write_u64};
use super::chain::{sha256, to_hex, EntryContent, Hash};
use super::record::{parse_questions, tally, Publication, RecordError, Results, Signature, Signoff};
use super::sign::{public_key_hex, sign_hex};

/// `format` of a v2 record, and the domain of its genesis.
pub const RECORD_DOMAIN_V2: &str = "carried/ballot-record/v2";
/// Domain of a voter's "has voted" tag.
pub const TAG_DOMAIN: &str = "carried/has-voted/v2";
/// Domain of the message a v2 record's signature covers.
pub const SIGNATURE_DOMAIN: &str = "carried/record-signature/v2";
/// Domain of the message a checkpoint's signature covers.
pub const CHECKPOINT_DOMAIN: &str = "carried/checkpoint/v2";

/// Members of a v2 record left out of its digest (each is committed by another member).
pub const NOT_DIGESTED: [&str; 4] = ["entries", "roll", "voted", "signature"];

/// A voting code as the service reads it: ASCII letters upper-cased, white space and `-` removed, `O`
/// read as `0` and `I` and `L` as `1`.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_ascii_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// The voter's tag: `SHA-256(canonical({"ballot": id, "code": normalised code, "domain": TAG_DOMAIN}))`,
/// where `id` is the `id` string of the ballot definition. Only someone who knows the code can compute
/// it; it names no one.
pub fn voter_tag(ballot_id: &str, code: &str) -> Hash {
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(b"{\"ballot\":");
    write_canonical_str(&mut buf, ballot_id);
    buf.extend_from_slice(b",\"code\":");
    write_canonical_str(&mut buf, &normalise_code(code));
    buf.extend_from_slice(b",\"domain\":");
    write_canonical_str(&mut buf, TAG_DOMAIN);
    buf.push(b'}');
    sha256(&buf)
}

/// Genesis of a v2 record: `SHA-256(canonical({"ballot", "domain", "eligible", "roll_root"}))`.
pub fn genesis_v2(definition: &Value, eligible: u64, roll_root: &Hash) -> Result<Hash, CanonicalError> {
    let mut obj = Map::new();
    obj.insert("ballot".into(), definition.clone());
    obj.insert("domain".into(), Value::from(RECORD_DOMAIN_V2));
    obj.insert("eligible".into(), Value::from(eligible));
    obj.insert("roll_root".into(), Value::from(to_hex(roll_root)));
    Ok(sha256(&canonical_json(&Value::Object(obj))?))
}

/// An entry's commitment: `SHA-256(canonical({"answers": answers, "nonce": nonce}))`, written into
/// `buf` (cleared first).
pub fn commitment(buf: &mut Vec<u8>, answers: &Value, nonce: &str) -> Result<Hash, CanonicalError> {
    buf.clear();
    buf.extend_from_slice(b"{\"answers\":");
    write_canonical(buf, answers)?;
    buf.extend_from_slice(b",\"nonce\":");
    write_canonical_str(buf, nonce);
    buf.push(b'}');
    Ok(sha256(buf))
}

/// An entry's hash: `SHA-256(prev ‖ canonical({"commitment": hex, "receipt": receipt, "seq": seq}))`.
pub fn link_hash(buf: &mut Vec<u8>, prev: &Hash, seq: u64, receipt: &str, commitment_hex: &str) -> Hash {
    buf.clear();
    buf.extend_from_slice(b"{\"commitment\":");
    write_canonical_str(buf, commitment_hex);
    buf.extend_from_slice(b",\"receipt\":");
    write_canonical_str(buf, receipt);
    buf.extend_from_slice(b",\"seq\":");
    write_u64(buf, seq);
    buf.push(b'}');
    let mut h = Sha256::new();
    h.update(prev);
    h.update(&buf[..]);
    h.finalize().into()
}

// ---- Merkle tree (RFC 6962 section 2.1) ----------------------------------------------------------------

fn leaf_hash(leaf: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Builds an RFC 6962 Merkle tree hash one leaf at a time, in O(log n) memory.
#[derive(Debug, Default, Clone)]
pub struct MerkleBuilder {
    /// Roots of complete subtrees, largest first, with their sizes (powers of two).
    stack: Vec<(u64, Hash)>,
    len: u64,
}

impl MerkleBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, leaf: &Hash) {
        let mut node = (1u64, leaf_hash(leaf));
        while let Some(top) = self.stack.last() {
            if top.0 != node.0 {
                break;
            }
            let (size, left) = self.stack.pop().unwrap_or(node);
            node = (size * 2, node_hash(&left, &node.1));
        }
        self.stack.push(node);
        self.len += 1;
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The tree hash: SHA-256 of nothing for no leaves.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(last) = iter.next() else {
            return sha256(b"");
        };
        let mut acc = last.1;
        for (_, left) in iter {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

/// The Merkle tree hash of `leaves` (each a 32-byte tag), RFC 6962: leaf = SHA-256(0x00 ‖ tag), node =
/// SHA-256(0x01 ‖ left ‖ right), the left subtree holding the largest power of two below n leaves.
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    let mut b = MerkleBuilder::new();
    for l in leaves {
        b.push(l);
    }
    b.root()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The audit path of leaf `index` (RFC 6962 section 2.1.1), nearest sibling first.
pub fn merkle_proof(leaves: &[Hash], index: usize) -> Vec<Hash> {
    let mut path = Vec::new();
    proof_into(leaves, index, &mut path);
    path
}

fn proof_into(leaves: &[Hash], index: usize, path: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if index < k {
        proof_into(&leaves[..k], index, path);
        path.push(merkle_root(&leaves[k..]));
    } else {
        proof_into(&leaves[k..], index - k, path);
        path.push(merkle_root(&leaves[..k]));
    }
}

/// Check an audit path: leaf `index` of a tree of `size` leaves is `leaf` and the tree hash is `root`.
pub fn verify_merkle_proof(root: &Hash, size: u64, index: u64, leaf: &Hash, proof: &[Hash]) -> bool {
    fn climb(size: u64, index: u64, node: Hash, proof: &[Hash]) -> Option<(Hash, usize)> {
        if size <= 1 {
            return Some((node, 0));
        }
        let mut k = 1u64;
        while k * 2 < size {
            k *= 2;
        }
        let (sub, used) =
            if index < k { climb(k, index, node, proof)? } else { climb(size - k, index - k, node, proof)? };
        let sibling = proof.get(used)?;
        let up = if index < k { node_hash(&sub, sibling) } else { node_hash(sibling, &sub) };
        Some((up, used + 1))
    }
    if index >= size {
        return false;
    }
    matches!(climb(size, index, leaf_hash(leaf), proof), Some((r, used)) if r == *root && used == proof.len())
}

// ---- entries and records ---------------------------------------------------------------------------------

/// One entry of a v2 record. In a receipts-only publication `answers` and `nonce` are left out; the
/// commitment and hashes are the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryV2 {
    pub seq: u64,
    pub receipt: String,
    pub commitment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub prev: String,
    pub hash: String,
}

impl EntryV2 {
    /// The entry as published in a receipts-only record.
    pub fn receipts_only(&self) -> EntryV2 {
        EntryV2 { answers: None, nonce: None, ..self.clone() }
    }
}

/// Append one ballot after `prev` (the genesis, or the previous entry's hash).
pub fn append_v2(prev: &Hash, content: &EntryContent) -> Result<EntryV2, CanonicalError> {
    let mut buf = Vec::with_capacity(256);
    let c = to_hex(&commitment(&mut buf, &content.answers, &content.nonce)?);
    let hash = link_hash(&mut buf, prev, content.seq, &content.receipt, &c);
    Ok(EntryV2 {
        seq: content.seq,
        receipt: content.receipt.clone(),
        commitment: c,
        answers: Some(content.answers.clone()),
        nonce: Some(content.nonce.clone()),
        prev: to_hex(prev),
        hash: to_hex(&hash),
    })
}

/// The published v2 record (docs/audit.md section 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordV2 {
    pub format: String,
    pub ballot: Value,
    pub eligible: u64,
    pub roll_root: String,
    pub publication: Publication,
    pub genesis: String,
    pub entries: Vec<EntryV2>,
    pub count: u64,
    pub head: String,
    /// Every voter's tag on the frozen roll, sorted.
    pub roll: Vec<String>,
    /// The tag of every voter with a counted ballot, sorted.
    pub voted: Vec<String>,
    pub voted_root: String,
    pub results: Results,
    pub scrutineer_signoff: Option<Signoff>,
    /// The digest of the record this one replaces (the one signed before sign-off), or null.
    pub supersedes: Option<String>,
    pub published_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// Everything needed to build a v2 record, with `entries` in full.
#[derive(Debug, Clone)]
pub struct RecordPartsV2 {
    pub ballot: Value,
    /// The tag of every voter on the frozen roll (any order).
    pub roll: Vec<Hash>,
    /// The tag of every voter whose ballot is counted (any order).
    pub voted: Vec<Hash>,
    pub publication: Publication,
    pub entries: Vec<EntryV2>,
    pub scrutineer_signoff: Option<Signoff>,
    pub supersedes: Option<String>,
    pub published_at: String,
}

/// Build an unsigned v2 record (genesis, roots, head, count and results computed here).
pub fn build_record_v2(parts: RecordPartsV2) -> Result<RecordV2, RecordError> {
    let questions = parse_questions(&parts.ballot).map_err(RecordError::Questions)?;
    let mut roll = parts.roll;
    roll.sort_unstable();
    let mut voted = parts.voted;
    voted.sort_unstable();
    let roll_root = merkle_root(&roll);
    let genesis = genesis_v2(&parts.ballot, roll.len() as u64, &roll_root)?;
    let mut answers = Vec::with_capacity(parts.entries.len());
    for e in &parts.entries {
        match (&e.answers, &e.nonce) {
            (Some(a), Some(_)) => answers.push(a),
            _ => return Err(RecordError::MissingContent(e.seq)),
        }
    }
    let results = tally(&questions, answers);
    let head = parts.entries.last().map_or_else(|| to_hex(&genesis), |e| e.hash.clone());
    let entries = match parts.publication {
        Publication::Full => parts.entries,
        Publication::ReceiptsOnly => parts.entries.iter().map(EntryV2::receipts_only).collect(),
    };
    Ok(RecordV2 {
        format: RECORD_DOMAIN_V2.into(),
        ballot: parts.ballot,
        eligible: roll.len() as u64,
        roll_root: to_hex(&roll_root),
        publication: parts.publication,
        genesis: to_hex(&genesis),
        count: entries.len() as u64,
        entries,
        head,
        roll: roll.iter().map(to_hex).collect(),
        voted_root: to_hex(&merkle_root(&voted)),
        voted: voted.iter().map(to_hex).collect(),
        results,
        scrutineer_signoff: parts.scrutineer_signoff,
        supersedes: parts.supersedes,
        published_at: parts.published_at,
        signature: None,
    })
}

/// The record's digest, which is also its identity (what `supersedes` names):
/// `SHA-256(canonical(record without "entries", "roll", "voted" and "signature"))`.
pub fn record_digest(record: &Value) -> Result<Hash, CanonicalError> {
    let Value::Object(map) = record else {
        return Ok(sha256(&canonical_json(record)?));
    };
    let kept: Map<String, Value> =
        map.iter().filter(|(k, _)| !NOT_DIGESTED.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    Ok(sha256(&canonical_json_without(&Value::Object(kept), "signature")?))
}

/// The bytes a v2 record's signature covers: `canonical({"domain": SIGNATURE_DOMAIN, "record": hex digest})`.
pub fn record_signature_message(digest: &Hash) -> Vec<u8> {
    format!("{{\"domain\":\"{SIGNATURE_DOMAIN}\",\"record\":\"{}\"}}", to_hex(digest)).into_bytes()
}

/// Sign a v2 record (replacing any signature); returns its digest.
pub fn sign_record_v2(record: &mut RecordV2, key: &SigningKey) -> Result<Hash, RecordError> {
    record.signature = None;
    let value = serde_json::to_value(&*record).map_err(|e| RecordError::Json(e.to_string()))?;
    let digest = record_digest(&value)?;
    record.signature = Some(Signature {
        algorithm: "ed25519".into(),
        public_key: public_key_hex(key),
        value: sign_hex(key, &record_signature_message(&digest)),
    });
    Ok(digest)
}

/// A checkpoint signed by the service: what `GET /api/v1/ballots/{id}/checkpoint` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    pub genesis: String,
    pub count: u64,
    pub head: String,
    pub signature: Signature,
}

/// The bytes a checkpoint's signature covers:
/// `canonical({"count": n, "domain": CHECKPOINT_DOMAIN, "genesis": hex, "head": hex})`.
pub fn checkpoint_message(genesis: &str, count: u64, head: &str) -> Vec<u8> {
    let mut buf = Vec::with_capacity(200);
    buf.extend_from_slice(b"{\"count\":");
    write_u64(&mut buf, count);
    buf.extend_from_slice(b",\"domain\":");
    write_canonical_str(&mut buf, CHECKPOINT_DOMAIN);
    buf.extend_from_slice(b",\"genesis\":");
    write_canonical_str(&mut buf, genesis);
    buf.extend_from_slice(b",\"head\":");
    write_canonical_str(&mut buf, head);
    buf.push(b'}');
    buf
}

/// Sign the checkpoint `count:head` of the chain that starts at `genesis`.
pub fn sign_checkpoint(key: &SigningKey, genesis: &str, count: u64, head: &str) -> SignedCheckpoint {
    SignedCheckpoint {
        genesis: genesis.into(),
        count,
        head: head.into(),
        signature: Signature {
            algorithm: "ed25519".into(),
            public_key: public_key_hex(key),
            value: sign_hex(key, &checkpoint_message(genesis, count, head)),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tags(n: usize) -> Vec<Hash> {
        (0..n).map(|i| sha256(&(i as u64).to_be_bytes())).collect()
    }

    /// The recursive definition of RFC 6962, written out plainly.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => sha256(b""),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = split(n);
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn merkle_builder_equals_the_definition() {
        for n in 0..40 {
            let t = tags(n);
            assert_eq!(merkle_root(&t), mth(&t), "{n} leaves");
        }
        assert_eq!(to_hex(&merkle_root(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    proptest! {
        #[test]
        fn every_inclusion_proof_checks_and_no_other(n in 1usize..70, pick in any::<proptest::sample::Index>()) {
            let t = tags(n);
            let root = merkle_root(&t);
            let i = pick.index(n);
            let proof = merkle_proof(&t, i);
            prop_assert!(verify_merkle_proof(&root, n as u64, i as u64, &t[i], &proof));
            let other = sha256(b"not on the roll");
            prop_assert!(!verify_merkle_proof(&root, n as u64, i as u64, &other, &proof));
            if n > 1 {
                prop_assert!(!verify_merkle_proof(&root, n as u64, ((i + 1) % n) as u64, &t[i], &proof));
            }
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(!verify_merkle_proof(&root, n as u64, i as u64, &t[i], &longer));
        }
    }

    #[test]
    fn tags_depend_on_the_code_as_typed_by_people_only_through_its_normal_form() {
        let a = voter_tag("7", "abcd-efgh-jkmn-pqrs");
        assert_eq!(a, voter_tag("7", " ABCDEFGHJKMNPQRS "));
        assert_ne!(a, voter_tag("8", "ABCD-EFGH-JKMN-PQRS"));
        assert_eq!(voter_tag("7", "0O1IL"), voter_tag("7", "00111"));
        let bytes = br#"{"ballot":"7","code":"ABCDEFGHJKMNPQRS","domain":"carried/has-voted/v2"}"#;
        assert_eq!(a, sha256(bytes));
    }

    #[test]
    fn commitment_and_link_are_over_canonical_objects() {
        let mut buf = Vec::new();
        let answers = serde_json::json!(["yes", ["B", "A"]]);
        let c = commitment(&mut buf, &answers, "ab").unwrap();
        assert_eq!(c, sha256(br#"{"answers":["yes",["B","A"]],"nonce":"ab"}"#));
        let prev = [9u8; 32];
        let h = link_hash(&mut buf, &prev, 3, "R-1", "cc");
        let mut bytes = prev.to_vec();
        bytes.extend_from_slice(br#"{"commitment":"cc","receipt":"R-1","seq":3}"#);
        assert_eq!(h, sha256(&bytes));
    }

    #[test]
    fn checkpoint_message_is_canonical() {
        let m = checkpoint_message("aa", 4, "bb");
        let v = serde_json::json!({"count": 4, "domain": CHECKPOINT_DOMAIN, "genesis": "aa", "head": "bb"});
        assert_eq!(m, canonical_json(&v).unwrap());
        let d = [1u8; 32];
        let v = serde_json::json!({"domain": SIGNATURE_DOMAIN, "record": to_hex(&d)});
        assert_eq!(record_signature_message(&d), canonical_json(&v).unwrap());
    }
}

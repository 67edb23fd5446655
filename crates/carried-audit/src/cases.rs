//! The shared tamper cases (`tests/fixtures/audit/cases.json`): one set of records, each with the
//! verdict every verifier must reach. This test writes the file (with `CARRIED_WRITE_FIXTURES=1`),
//! checks it is up to date, and runs the Rust verifier over every case; `tests/browser.rs` runs the
//! browser recount over the same file.
#![allow(clippy::unwrap_used)]

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};

use super::chain::{append, genesis, hash_from_hex, Checkpoint, Entry, EntryContent};
use super::record::{build_record, sign_record, signing_bytes, Publication, RecordParts};
use super::sign::{key_from_seed, public_key_hex};
use super::verify::verify_text;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/audit/cases.json");

fn key() -> SigningKey {
    key_from_seed([7; 32])
}

fn definition(publication: &str) -> Value {
    json!({
        "id": "example",
        "title": "Example ballot",
        "questions": [
            {"text": "Are you prepared to take collective action?", "kind": "yes_no"},
            {"text": "Which actions?", "kind": "many_of", "options": ["Limit contacts", "Decline contracts"], "max": 2}
        ],
        "opens_at": "2026-03-02T09:00:00Z",
        "closes_at": "2026-03-16T17:00:00Z",
        "publication": publication
    })
}

const RECEIPTS: [&str; 3] = ["7K3Q-9XWD-2M4T-HC8R", "P5VN-Z6JE-YB1A-3FKG", "SQ8W-4NTD-KX2M-7BEA"];

fn answers(i: usize) -> Value {
    [json!(["yes", ["Limit contacts", "Decline contracts"]]), json!(["no", []]), json!(["yes", ["Decline contracts"]])]
        [i % 3]
        .clone()
}

/// A signed v1 record of `def` with one entry per receipt, as a JSON value in the service's member order.
fn record(def: Value, receipts: &[&str], publication: Publication) -> Value {
    let mut prev = genesis(&def, 5).unwrap();
    let mut entries: Vec<Entry> = Vec::new();
    for (i, r) in receipts.iter().enumerate() {
        let seq = i as u64 + 1;
        let e = append(
            &prev,
            &EntryContent { seq, receipt: (*r).into(), answers: answers(i), nonce: format!("{:02x}", seq).repeat(32) },
        )
        .unwrap();
        prev = hash_from_hex(&e.hash).unwrap();
        entries.push(e);
    }
    let mut r = build_record(RecordParts {
        ballot: def,
        eligible: 5,
        markers: receipts.len() as u64,
        publication,
        entries,
        scrutineer_signoff: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record(&mut r, &key()).unwrap();
    serde_json::to_value(&r).unwrap()
}

fn base() -> Value {
    record(definition("full"), &RECEIPTS, Publication::Full)
}

/// Re-sign a record value after a change, so that the check under test is the one that fails.
fn resign(v: &mut Value) {
    let obj = v.as_object_mut().unwrap();
    obj.remove("signature");
    let bytes = signing_bytes(v).unwrap();
    let sig = key().sign(&bytes);
    v["signature"] =
        json!({"algorithm": "ed25519", "public_key": public_key_hex(&key()), "value": hex::encode(sig.to_bytes())});
}

/// Replace the definition of a record, recomputing the genesis, every entry hash and the head, and re-sign
/// (for definitions that `build_record` itself would refuse).
fn with_definition(mut v: Value, def: Value) -> Value {
    let mut prev = genesis(&def, v["eligible"].as_u64().unwrap()).unwrap();
    v["genesis"] = json!(super::to_hex(&prev));
    for e in v["entries"].as_array_mut().unwrap() {
        let content = EntryContent {
            seq: e["seq"].as_u64().unwrap(),
            receipt: e["receipt"].as_str().unwrap().into(),
            answers: e["answers"].clone(),
            nonce: e["nonce"].as_str().unwrap().into(),
        };
        let appended = append(&prev, &content).unwrap();
        e["prev"] = json!(appended.prev);
        e["hash"] = json!(appended.hash);
        prev = hash_from_hex(&appended.hash).unwrap();
    }
    v["head"] = json!(super::to_hex(&prev));
    v["ballot"] = def;
    resign(&mut v);
    v
}

/// Pretty text in the order the service writes members (struct order), so text edits are simple.
fn text(v: &Value) -> String {
    let r: super::Record = serde_json::from_value(v.clone()).unwrap();
    serde_json::to_string_pretty(&r).unwrap()
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the record");
    text.replacen(from, to, 1)
}

struct Case {
    name: &'static str,
    record: String,
    checkpoints: Vec<String>,
    receipts: Vec<String>,
    verdict: &'static str,
    expect: &'static str,
}

fn case(name: &'static str, record: String, verdict: &'static str, expect: &'static str) -> Case {
    Case { name, record, checkpoints: vec![], receipts: vec![], verdict, expect }
}

fn cases() -> Vec<Case> {
    let good = base();
    let good_text = text(&good);
    let head1 = good["entries"][0]["hash"].as_str().unwrap().to_string();
    let mut out = vec![];

    let mut c = case("genuine full record", good_text.clone(), "verified", "");
    c.checkpoints = vec![format!("0:{}", good["genesis"].as_str().unwrap()), format!("1:{head1}")];
    c.receipts = vec![" 7k3q-9xwd-2m4t-hc8r\t".into(), RECEIPTS[2].into()];
    out.push(c);
    out.push(case(
        "genuine receipts-only record",
        text(&record(definition("receipts_only"), &RECEIPTS, Publication::ReceiptsOnly)),
        "verified",
        "",
    ));

    // Strict reading (section 2.1).
    out.push(case(
        "a forged eligible written before the real one",
        replace_once(&good_text, "\"eligible\": 5,", "\"eligible\": 150,\n  \"eligible\": 5,"),
        "rejected",
        "duplicate key \"eligible\"",
    ));
    out.push(case(
        "a duplicate key inside an entry",
        replace_once(&good_text, "\"seq\": 2,", "\"seq\": 2,\n      \"seq\": 2,"),
        "rejected",
        "duplicate key \"seq\"",
    ));
    out.push(case(
        "a duplicate key written with an escape",
        replace_once(&good_text, "\"count\": 3,", "\"count\": 3,\n  \"c\\u006funt\": 3,"),
        "rejected",
        "duplicate key \"count\"",
    ));
    out.push(case("-0", replace_once(&good_text, "\"votes_cast\": 3", "\"votes_cast\": -0"), "rejected", "-0"));
    out.push(case(
        "a leading zero",
        replace_once(&good_text, "\"count\": 3", "\"count\": 03"),
        "rejected",
        "non-canonical number 03",
    ));
    out.push(case(
        "an exponent",
        replace_once(&good_text, "\"count\": 3", "\"count\": 3e0"),
        "rejected",
        "floats are not allowed",
    ));
    out.push(case(
        "a fraction",
        replace_once(&good_text, "\"count\": 3", "\"count\": 3.0"),
        "rejected",
        "floats are not allowed",
    ));
    out.push(case(
        "an integer of 2^53",
        replace_once(&good_text, "\"eligible\": 5", "\"eligible\": 9007199254740992"),
        "rejected",
        "is out of range",
    ));
    out.push(case(
        "an integer of 2^53 + 1 (a float in JavaScript)",
        replace_once(&good_text, "\"eligible\": 5", "\"eligible\": 9007199254740993"),
        "rejected",
        "is out of range",
    ));
    out.push(case("a byte-order mark", format!("\u{feff}{good_text}"), "rejected", "unexpected character"));
    out.push(case(
        "a lone surrogate",
        replace_once(&good_text, "\"Example ballot\"", "\"Example ballot\\ud800\""),
        "rejected",
        "a lone surrogate in a string",
    ));
    out.push(case("text after the record", format!("{good_text}\n{{}}"), "rejected", "text after the end"));

    // Question edge cases: a member written as null is present.
    let mut def = definition("full");
    def["questions"][0]["max"] = Value::Null;
    out.push(case(
        "a yes/no question with \"max\": null",
        text(&with_definition(base(), def)),
        "rejected",
        "question 1 (yes_no) must not have a max",
    ));
    let mut def = definition("full");
    def["questions"][1]["max"] = Value::Null;
    out.push(case(
        "a many_of question with \"max\": null",
        text(&with_definition(base(), def)),
        "rejected",
        "question 2 (many_of) needs a max of at least 1",
    ));

    // Members that must be present.
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("scrutineer_signoff");
    resign(&mut v);
    out.push(case(
        "no scrutineer_signoff member",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "missing field `scrutineer_signoff`",
    ));
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("signature");
    out.push(case(
        "no signature member",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "the record is not signed",
    ));

    // Strict Ed25519.
    let identity = format!("01{}", "00".repeat(31));
    let mut v = good.clone();
    v["signature"]["public_key"] = json!(identity);
    v["signature"]["value"] = json!(format!("{identity}{}", "00".repeat(32)));
    out.push(case(
        "signed with the identity (small-order) key",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "is not acceptable: it is of small order or not canonically encoded",
    ));
    let mut v = good.clone();
    let order8 = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";
    v["signature"]["public_key"] = json!(order8);
    out.push(case(
        "signed with a key of order 8",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "is not acceptable",
    ));
    let mut v = good.clone();
    v["signature"]["public_key"] = json!(format!("ef{}7f", "ff".repeat(30)));
    out.push(case(
        "a non-canonical public key encoding",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "is not acceptable",
    ));
    let mut v = good.clone();
    let sig = v["signature"]["value"].as_str().unwrap().to_string();
    v["signature"]["value"] = json!(add_l(&sig));
    out.push(case(
        "S replaced by S + L",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "signature does not verify",
    ));
    let mut v = good.clone();
    let pk = v["signature"]["public_key"].as_str().unwrap().to_uppercase();
    v["signature"]["public_key"] = json!(pk);
    out.push(case(
        "an upper-case public key",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "is not 64 lowercase hex digits",
    ));

    // Checkpoints and receipts as typed by a person: ASCII space and ASCII case only.
    let mut c = case("an upper-case checkpoint head", good_text.clone(), "verified", "");
    c.checkpoints = vec![format!(" 1:{} ", head1.to_uppercase())];
    out.push(c);
    let mut c = case("a checkpoint the record does not extend", good_text.clone(), "rejected", "is not a prefix");
    c.checkpoints = vec![format!("2:{head1}")];
    out.push(c);
    let mut c = case("a checkpoint beyond the record", good_text.clone(), "rejected", "history was truncated");
    c.checkpoints = vec![format!("4:{head1}")];
    out.push(c);
    let mut c = case("a receipt after U+FEFF", good_text.clone(), "rejected", "is not in the record");
    c.receipts = vec![format!("\u{feff}{}", RECEIPTS[0])];
    out.push(c);
    let mut c = case("a receipt with ſ for S", good_text.clone(), "rejected", "is not in the record");
    c.receipts = vec!["ſq8w-4ntd-kx2m-7bea".into()];
    out.push(c);
    out.push(case(
        "receipts that differ by U+FEFF and by ſ are distinct",
        text(&record(definition("full"), &["ABCD-EFGH", "\u{feff}ABCD-EFGH", "ſABC", "SABC"][..3], Publication::Full)),
        "verified",
        "",
    ));
    out.push(case(
        "receipts that differ by ASCII case and space are one receipt",
        text(&record(definition("full"), &["ABCD-EFGH", " abcd-efgh"], Publication::Full)),
        "rejected",
        "is also the receipt of entry 1",
    ));

    // Tampering.
    out.push(case(
        "a changed answer",
        replace_once(&good_text, "\"no\",", "\"yes\","),
        "rejected",
        "entry 2 (seq 2): hash does not match its contents",
    ));
    let mut v = good.clone();
    v["entries"].as_array_mut().unwrap().remove(0);
    resign(&mut v);
    out.push(case(
        "the first entry deleted and the record re-signed",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "entry 1: seq is 2, expected 1",
    ));
    let mut v = good.clone();
    v["entries"][1]["hash"] = json!(v["entries"][1]["hash"].as_str().unwrap().to_uppercase());
    out.push(case(
        "an upper-case entry hash",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "entry 2 (seq 2): hash is not 64 lowercase hex digits",
    ));
    out.extend(v2_cases());
    out
}

/// A signed v2 record: roll of `codes`, the first `voted` of them cast the ballots of `RECEIPTS`.
fn record_v2(publication: Publication, voted: usize) -> super::v2::RecordV2 {
    use super::v2::{append_v2, build_record_v2, genesis_v2, merkle_root, sign_record_v2, voter_tag, RecordPartsV2};
    let def = definition(publication.as_str());
    let codes = ["7Q2M-K9XD-4HTR-B6WN", "N3CP-8FJV-Z5YE-2KGA", "W6DT-1RMQ-H8XB-4CZS", "B2KD-QW8M-TN3R-6YXH"];
    let roll: Vec<super::Hash> = codes.iter().map(|c| voter_tag("example", c)).collect();
    let mut sorted = roll.clone();
    sorted.sort_unstable();
    let mut prev = genesis_v2(&def, roll.len() as u64, &merkle_root(&sorted)).unwrap();
    let mut entries = vec![];
    for (i, r) in RECEIPTS.iter().take(voted).enumerate() {
        let seq = i as u64 + 1;
        let e = append_v2(
            &prev,
            &EntryContent { seq, receipt: (*r).into(), answers: answers(i), nonce: format!("{:02x}", seq).repeat(32) },
        )
        .unwrap();
        prev = hash_from_hex(&e.hash).unwrap();
        entries.push(e);
    }
    let mut r = build_record_v2(RecordPartsV2 {
        ballot: def,
        voted: roll[..voted].to_vec(),
        roll,
        publication,
        entries,
        scrutineer_signoff: None,
        supersedes: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record_v2(&mut r, &key()).unwrap();
    r
}

fn v2_text(r: &super::v2::RecordV2) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

fn v2_resigned(v: Value) -> String {
    let mut r: super::v2::RecordV2 = serde_json::from_value(v).unwrap();
    super::v2::sign_record_v2(&mut r, &key()).unwrap();
    v2_text(&r)
}

fn v2_cases() -> Vec<Case> {
    let full = record_v2(Publication::Full, 3);
    let only = record_v2(Publication::ReceiptsOnly, 3);
    let mut out = vec![];
    let mut c = case("v2: genuine full record", v2_text(&full), "verified", "");
    c.checkpoints = vec![format!("2:{}", full.entries[1].hash)];
    c.receipts = vec![RECEIPTS[1].to_lowercase()];
    out.push(c);
    out.push(case("v2: genuine receipts-only record", v2_text(&only), "verified", ""));
    let mut v = serde_json::to_value(&only).unwrap();
    v["entries"].as_array_mut().unwrap().remove(0);
    v["entries"][0]["seq"] = json!(1);
    v["entries"][0]["prev"] = v["genesis"].clone();
    v["entries"][1]["seq"] = json!(2);
    v["count"] = json!(2);
    out.push(case(
        "v2: receipts-only, the first entry deleted, relinked and re-signed",
        v2_resigned(v),
        "rejected",
        "entry 1 (seq 1): hash does not match its contents",
    ));
    let mut v = serde_json::to_value(&only).unwrap();
    v["eligible"] = json!(40);
    out.push(case("v2: receipts-only, N changed and re-signed", v2_resigned(v), "rejected", "genesis does not commit"));
    let mut v = serde_json::to_value(&only).unwrap();
    v["entries"][2]["receipt"] = json!("ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    out.push(case(
        "v2: receipts-only, a receipt swapped and re-signed",
        v2_resigned(v),
        "rejected",
        "entry 3 (seq 3): hash does not match its contents",
    ));
    let mut v = serde_json::to_value(&full).unwrap();
    v["entries"][1]["answers"][0] = json!("yes");
    out.push(case(
        "v2: an answer changed and re-signed",
        v2_resigned(v),
        "rejected",
        "entry 2 (seq 2): commitment does not match its answers and nonce",
    ));
    out.push(case(
        "v2: a duplicate key",
        replace_once(&v2_text(&full), "\"eligible\": 4,", "\"eligible\": 40,\n  \"eligible\": 4,"),
        "rejected",
        "duplicate key \"eligible\"",
    ));
    out.push(case(
        "v2: members in another order (keys sorted, as many JSON libraries write them)",
        serde_json::to_string_pretty(&serde_json::to_value(&full).unwrap()).unwrap(),
        "verified",
        "",
    ));
    let mut v = serde_json::to_value(&full).unwrap();
    v.as_object_mut().unwrap().remove("supersedes");
    out.push(case(
        "v2: supersedes missing",
        serde_json::to_string_pretty(&v).unwrap(),
        "rejected",
        "missing field `supersedes`",
    ));
    let mut v = serde_json::to_value(&full).unwrap();
    let voted = v["voted"].as_array_mut().unwrap();
    voted.pop();
    let tags: Vec<super::Hash> = voted.iter().map(|t| hash_from_hex(t.as_str().unwrap()).unwrap()).collect();
    v["voted_root"] = json!(super::to_hex(&super::v2::merkle_root(&tags)));
    out.push(case(
        "v2: a ballot without a has-voted tag",
        v2_resigned(v),
        "rejected",
        "2 has-voted tags for 3 entries",
    ));
    let mut v = serde_json::to_value(&full).unwrap();
    let mut tags: Vec<super::Hash> =
        v["voted"].as_array().unwrap().iter().map(|t| hash_from_hex(t.as_str().unwrap()).unwrap()).collect();
    tags[0] = super::chain::sha256(b"made up");
    tags.sort_unstable();
    v["voted"] = json!(tags.iter().map(super::to_hex).collect::<Vec<_>>());
    v["voted_root"] = json!(super::to_hex(&super::v2::merkle_root(&tags)));
    out.push(case("v2: a made-up has-voted tag", v2_resigned(v), "rejected", "is not on the roll"));
    let mut v = serde_json::to_value(&full).unwrap();
    v["voted_root"] = v["roll_root"].clone();
    out.push(case(
        "v2: a wrong voted_root",
        v2_resigned(v),
        "rejected",
        "is not the Merkle root of the has-voted tags",
    ));
    let mut v = serde_json::to_value(&full).unwrap();
    let identity = format!("01{}", "00".repeat(31));
    v["signature"]["public_key"] = json!(identity);
    v["signature"]["value"] = json!(format!("{identity}{}", "00".repeat(32)));
    out.push(case(
        "v2: signed with the identity key",
        serde_json::to_string_pretty(&serde_json::from_value::<super::v2::RecordV2>(v).unwrap()).unwrap(),
        "rejected",
        "is not acceptable",
    ));
    let mut c = case("v2: a checkpoint the record does not extend", v2_text(&full), "rejected", "is not a prefix");
    c.checkpoints = vec![format!("2:{}", full.entries[0].hash)];
    out.push(c);
    out
}

/// The hex of a 64-byte signature with S replaced by S + L (still below 2^256).
fn add_l(sig_hex: &str) -> String {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut sig = hex::decode(sig_hex).unwrap();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    hex::encode(sig)
}

fn to_json(cases: &[Case]) -> String {
    let list: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"name": c.name, "verdict": c.verdict, "expect": c.expect, "checkpoints": c.checkpoints,
                   "receipts": c.receipts, "record": c.record})
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({
        "about": "Tamper cases for every verifier of docs/audit.md: crates/carried-audit/src/cases.rs writes and runs them; \
                  tests/browser.rs runs them in the browser recount. Each verdict is reached with trusted_key.",
        "trusted_key": public_key_hex(&key()),
        "cases": list,
    }))
    .unwrap();
    s.push('\n');
    s
}

/// What one verifier says about one case: "verified", or "rejected" and the message.
pub fn run_rust(record: &str, checkpoints: &[String], receipts: &[String], key: &str) -> (String, String) {
    let cps: Result<Vec<Checkpoint>, String> =
        checkpoints.iter().map(|c| c.parse::<Checkpoint>().map_err(|e| e.to_string())).collect();
    let result =
        cps.and_then(|cps| verify_text(record.as_bytes(), &cps, receipts, Some(key)).map_err(|e| e.to_string()));
    match result {
        Ok(_) => ("verified".into(), String::new()),
        Err(e) => ("rejected".into(), e),
    }
}

#[test]
fn shared_tamper_cases_are_current_and_the_rust_verifier_agrees() {
    let generated = to_json(&cases());
    if std::env::var_os("CARRIED_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(std::path::Path::new(FIXTURE).parent().unwrap()).unwrap();
        std::fs::write(FIXTURE, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    assert!(stored == generated, "{FIXTURE} is out of date: run this test with CARRIED_WRITE_FIXTURES=1");
    let file: Value = serde_json::from_str(&stored).unwrap();
    let key = file["trusted_key"].as_str().unwrap();
    let strings =
        |v: &Value| -> Vec<String> { v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect() };
    for c in file["cases"].as_array().unwrap() {
        let (verdict, message) =
            run_rust(c["record"].as_str().unwrap(), &strings(&c["checkpoints"]), &strings(&c["receipts"]), key);
        assert_eq!(verdict, c["verdict"].as_str().unwrap(), "{}: {message}", c["name"]);
        assert!(message.contains(c["expect"].as_str().unwrap()), "{}: {message}", c["name"]);
    }
}

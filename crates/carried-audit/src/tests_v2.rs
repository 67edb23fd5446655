//! Record format v2: build, sign, verify in one pass, and catch every single-field tamper.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::{json, Value};

use super::chain::{hash_from_hex, sha256, to_hex, Checkpoint, EntryContent, Hash};
use super::error::VerifyError;
use super::record::Publication;
use super::report::Report;
use super::sign::{key_from_seed, public_key_hex};
use super::stream::Inputs;
use super::v2::{
    append_v2, build_record_v2, genesis_v2, merkle_root, record_digest, sign_checkpoint, sign_record_v2, voter_tag,
    RecordPartsV2, RecordV2, SignedCheckpoint,
};
use super::verify::verify_with;

fn definition(publication: &str) -> Value {
    json!({
        "id": "example",
        "title": "Example ballot",
        "description": "An indicative ballot of GPs on collective action.",
        "questions": [
            {"text": "Are you prepared to take collective action?", "kind": "yes_no"},
            {"text": "Which actions?", "kind": "many_of", "options": ["Limit contacts", "Decline contracts"], "max": 2}
        ],
        "opens_at": "2026-03-02T09:00:00Z",
        "closes_at": "2026-03-16T17:00:00Z",
        "publication": publication
    })
}

fn answers(i: u64) -> Value {
    [json!(["yes", ["Limit contacts", "Decline contracts"]]), json!(["no", []]), json!(["yes", ["Decline contracts"]])]
        [(i % 3) as usize]
        .clone()
}

fn roll_tags(codes: &[String]) -> Vec<Hash> {
    codes.iter().map(|c| voter_tag("example", c)).collect()
}

/// A v2 record: `n` ballots cast by the first `n` of `codes`.
fn record(publication: Publication, codes: &[String], n: usize) -> RecordV2 {
    let def = definition(publication.as_str());
    let roll = roll_tags(codes);
    let mut prev = genesis_v2(&def, roll.len() as u64, &merkle_root(&sorted(&roll))).unwrap();
    let mut entries = Vec::new();
    for i in 0..n as u64 {
        let e = append_v2(
            &prev,
            &EntryContent {
                seq: i + 1,
                receipt: format!("R{:03}-K7QX", i + 1),
                answers: answers(i),
                nonce: format!("{:02x}", (i + 1) % 256).repeat(32),
            },
        )
        .unwrap();
        prev = hash_from_hex(&e.hash).unwrap();
        entries.push(e);
    }
    let mut r = build_record_v2(RecordPartsV2 {
        ballot: def,
        voted: roll[..n].to_vec(),
        roll,
        publication,
        entries,
        scrutineer_signoff: None,
        supersedes: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record_v2(&mut r, &key_from_seed([7; 32])).unwrap();
    r
}

fn sorted(t: &[Hash]) -> Vec<Hash> {
    let mut t = t.to_vec();
    t.sort_unstable();
    t
}

fn codes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("C{i:015}")).collect()
}

fn text(r: &RecordV2) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

fn key() -> String {
    public_key_hex(&key_from_seed([7; 32]))
}

fn check(t: &str) -> Result<Report, VerifyError> {
    let k = key();
    verify_with(t.as_bytes(), &Inputs { trusted_key: Some(&k), ..Default::default() })
}

fn resign_value(v: &mut Value) {
    let mut r: RecordV2 = serde_json::from_value(v.clone()).unwrap();
    sign_record_v2(&mut r, &key_from_seed([7; 32])).unwrap();
    *v = serde_json::to_value(&r).unwrap();
}

/// Text in the record's member order from a value (serde_json sorts keys; RecordV2 restores the order).
fn text_of(v: &Value) -> String {
    let r: RecordV2 = serde_json::from_value(v.clone()).unwrap();
    text(&r)
}

#[test]
fn a_v2_record_verifies_in_both_publications() {
    for publication in [Publication::Full, Publication::ReceiptsOnly] {
        let r = record(publication, &codes(6), 4);
        let report = check(&text(&r)).unwrap();
        assert_eq!(report.version, 2);
        assert_eq!((report.entries, report.eligible, report.markers), (4, 6, 4));
        assert_eq!(report.recounted, publication == Publication::Full);
        let digest = record_digest(&serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(report.record_id, Some(to_hex(&digest)));
        // Compact text too, and a parsed value (audit::verify reads v2 values through the same verifier).
        check(&serde_json::to_string(&r).unwrap()).unwrap();
        let as_value = super::verify::verify(&serde_json::to_value(&r).unwrap(), &[], &[], Some(&key())).unwrap();
        assert_eq!(as_value, report);
    }
    // An empty ballot: no entries, no has-voted tags.
    let r = record(Publication::Full, &codes(2), 0);
    assert_eq!(check(&text(&r)).unwrap().entries, 0);
}

#[test]
fn receipts_only_records_reveal_no_answer_but_every_link_is_recomputed() {
    let r = record(Publication::ReceiptsOnly, &codes(4), 3);
    let t = text(&r);
    assert!(!t.contains("\"answers\"") && !t.contains("\"nonce\""));
    // An early entry deleted, the chain relinked from its own commitments and re-signed: the hashes no
    // longer follow from the genesis.
    let mut v = serde_json::to_value(&r).unwrap();
    v["entries"].as_array_mut().unwrap().remove(0);
    v["entries"][0]["seq"] = json!(1);
    v["entries"][0]["prev"] = v["genesis"].clone();
    v["entries"][1]["seq"] = json!(2);
    resign_value(&mut v);
    let err = check(&text_of(&v)).unwrap_err();
    assert!(matches!(err, VerifyError::EntryHash { index: 1, .. }), "{err}");
    // A receipt swapped for another: the link hash covers the receipt.
    let mut v = serde_json::to_value(&r).unwrap();
    v["entries"][1]["receipt"] = json!("ZZZZ-ZZZZ");
    resign_value(&mut v);
    assert!(matches!(check(&text_of(&v)).unwrap_err(), VerifyError::EntryHash { index: 2, .. }));
    // N changed and re-signed: the genesis commits to it.
    let mut v = serde_json::to_value(&r).unwrap();
    v["eligible"] = json!(5);
    resign_value(&mut v);
    assert!(matches!(check(&text_of(&v)).unwrap_err(), VerifyError::Genesis { .. }));
    // The publication mode switched: committed in the definition.
    let mut v = serde_json::to_value(&r).unwrap();
    v["publication"] = json!("full");
    resign_value(&mut v);
    assert!(check(&text_of(&v)).is_err());
}

#[test]
fn codes_tell_a_voter_and_an_abstainer_apart() {
    let all = codes(5);
    let r = record(Publication::Full, &all, 3);
    let k = key();
    let asked = vec![all[0].to_lowercase(), all[4].clone(), "NOT-ON-THE-ROLL".to_string()];
    let report =
        verify_with(text(&r).as_bytes(), &Inputs { codes: &asked, trusted_key: Some(&k), ..Default::default() })
            .unwrap();
    let found: Vec<(bool, bool)> = report.codes.iter().map(|c| (c.on_roll, c.voted)).collect();
    assert_eq!(found, vec![(true, true), (true, false), (false, false)]);
    let shown = report.to_string();
    assert!(shown.contains("no ballot was counted with your code"), "{shown}");
    assert!(shown.contains("a ballot was counted with your code"), "{shown}");
}

#[test]
fn a_ballot_stuffed_for_an_abstainer_is_seen_by_the_abstainer() {
    // The operator recomputes abstainer 4's code and casts a ballot with it: the record is honest about
    // it (one tag per counted ballot), so the abstainer sees their tag present.
    let all = codes(5);
    let stuffed = record(Publication::Full, &all, 4);
    let k = key();
    let mine = vec![all[3].clone()];
    let report =
        verify_with(text(&stuffed).as_bytes(), &Inputs { codes: &mine, trusted_key: Some(&k), ..Default::default() })
            .unwrap();
    assert!(report.codes[0].voted);
    // Stuffed without a tag: the count of tags no longer equals the entries.
    let mut v = serde_json::to_value(&stuffed).unwrap();
    let voted = v["voted"].as_array_mut().unwrap();
    let t3 = json!(to_hex(&voter_tag("example", &all[3])));
    voted.retain(|t| *t != t3);
    let tags: Vec<Hash> = voted.iter().map(|t| hash_from_hex(t.as_str().unwrap()).unwrap()).collect();
    v["voted_root"] = json!(to_hex(&merkle_root(&tags)));
    resign_value(&mut v);
    assert_eq!(check(&text_of(&v)).unwrap_err(), VerifyError::VotedCount { tags: 3, entries: 4 });
    // Stuffed with a made-up tag: it is not on the roll.
    let mut v = serde_json::to_value(&stuffed).unwrap();
    let mut tags: Vec<Hash> = roll_tags(&all[..3]);
    tags.push(sha256(b"made up"));
    tags.sort_unstable();
    v["voted"] = json!(tags.iter().map(to_hex).collect::<Vec<_>>());
    v["voted_root"] = json!(to_hex(&merkle_root(&tags)));
    resign_value(&mut v);
    assert!(matches!(check(&text_of(&v)).unwrap_err(), VerifyError::VotedNotOnRoll { .. }));
}

#[test]
fn signed_checkpoints_are_checked_and_bind_the_service() {
    let r = record(Publication::Full, &codes(4), 3);
    let signer = key_from_seed([7; 32]);
    let k = key();
    let good = sign_checkpoint(&signer, &r.genesis, 2, &r.entries[1].hash);
    let run = |cps: &[SignedCheckpoint]| {
        verify_with(
            text(&r).as_bytes(),
            &Inputs { signed_checkpoints: cps, trusted_key: Some(&k), ..Default::default() },
        )
    };
    assert_eq!(run(std::slice::from_ref(&good)).unwrap().checkpoints_confirmed, 1);
    // A checkpoint the service signed that this record does not extend: proof the history changed.
    let forked = sign_checkpoint(&signer, &r.genesis, 2, &r.entries[0].hash);
    assert!(matches!(run(&[forked]).unwrap_err(), VerifyError::CheckpointNotPrefix { .. }));
    // A forged checkpoint (not signed by the record's key) proves nothing and is refused.
    let mut forged = good.clone();
    forged.head = r.entries[0].hash.clone();
    assert!(matches!(run(&[forged]).unwrap_err(), VerifyError::CheckpointSignature { .. }));
    let other = sign_checkpoint(&key_from_seed([8; 32]), &r.genesis, 2, &r.entries[1].hash);
    assert!(matches!(run(&[other]).unwrap_err(), VerifyError::CheckpointSignature { .. }));
    let elsewhere = sign_checkpoint(&signer, &"ab".repeat(32), 0, &"ab".repeat(32));
    assert!(matches!(run(&[elsewhere]).unwrap_err(), VerifyError::CheckpointGenesis { .. }));
    // Plain checkpoints too.
    let plain = [Checkpoint { count: 3, head: r.head.clone() }];
    verify_with(text(&r).as_bytes(), &Inputs { checkpoints: &plain, ..Default::default() }).unwrap();
}

#[test]
fn a_superseding_record_names_the_one_it_replaces() {
    let first = record(Publication::Full, &codes(3), 2);
    let first_id = check(&text(&first)).unwrap().record_id.unwrap();
    let mut second = first.clone();
    second.scrutineer_signoff = Some(super::record::Signoff {
        by: "Scrutineer <s@example.org>".into(),
        at: "2026-03-18T09:00:00Z".into(),
        statement: "I have checked the count.".into(),
        results_sha256: super::record::results_sha256(&first.results).unwrap(),
    });
    second.supersedes = Some(first_id.clone());
    sign_record_v2(&mut second, &key_from_seed([7; 32])).unwrap();
    let report = check(&text(&second)).unwrap();
    assert_eq!(report.supersedes, Some(first_id.clone()));
    assert_ne!(report.record_id, Some(first_id));
    assert!(report.to_string().contains("supersedes"));
}

#[test]
fn member_order_and_shape_are_enforced() {
    let r = record(Publication::Full, &codes(3), 2);
    let t = text(&r);
    let v: Value = serde_json::from_str(&t).unwrap();
    // serde_json sorts keys: the same members in another order verify too (read whole).
    let sorted = serde_json::to_string(&v).unwrap();
    assert_eq!(check(&sorted).unwrap().record_id, check(&t).unwrap().record_id);
    let dup = t.replacen("\"eligible\": 3,", "\"eligible\": 30,\n  \"eligible\": 3,", 1);
    assert!(matches!(check(&dup).unwrap_err(), VerifyError::Strict(_)));
    let extra = t.replacen("\"count\": 2,", "\"count\": 2,\n  \"extra\": 1,", 1);
    assert_eq!(check(&extra).unwrap_err().to_string(), "the record is malformed: unknown field `extra`");
    let missing = t.replacen("  \"supersedes\": null,\n", "", 1);
    assert_eq!(check(&missing).unwrap_err().to_string(), "the record is malformed: missing field `supersedes`");
    let unsigned = serde_json::to_string_pretty(&RecordV2 { signature: None, ..r.clone() }).unwrap();
    assert_eq!(check(&unsigned).unwrap_err(), VerifyError::Unsigned);
    let entry_extra = t.replacen("\"seq\": 2,", "\"seq\": 2,\n      \"x\": 1,", 1);
    assert_eq!(check(&entry_extra).unwrap_err().to_string(), "entry 2 is malformed: unknown field `x`");
}

// ---- every single-field tamper is caught --------------------------------------------------------------------

/// Every scalar in the record's JSON, as a JSON pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            m.iter().for_each(|(k, x)| leaves(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out))
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| leaves(x, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

fn changed(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() == 64 && hash_from_hex(s).is_some() => {
            let mut b = hash_from_hex(s).unwrap();
            b[31] ^= 1;
            json!(to_hex(&b))
        }
        Value::String(s) if s == "yes" => json!("no"),
        Value::String(s) if s == "no" => json!("yes"),
        Value::String(s) => json!(format!("{s}x")),
        Value::Number(n) => json!(n.as_u64().unwrap_or(0) + 1),
        Value::Bool(b) => json!(!b),
        Value::Null => json!("x"),
        other => other.clone(),
    }
}

/// Changing any one value anywhere in a record is caught, whether or not the record is re-signed
/// (except `published_at` and, in receipts-only records, the counts, which only the signature protects).
#[test]
fn every_single_field_tamper_is_caught() {
    for publication in [Publication::Full, Publication::ReceiptsOnly] {
        let r = record(publication, &codes(4), 3);
        let v = serde_json::to_value(&r).unwrap();
        let mut all = Vec::new();
        leaves(&v, String::new(), &mut all);
        for pointer in all {
            let mut t = v.clone();
            let slot = t.pointer_mut(&pointer).unwrap();
            *slot = changed(slot);
            let as_is = text_of_lenient(&t);
            assert!(check(&as_is).is_err(), "{pointer} changed, not re-signed, was accepted");
            // Only the signature protects published_at; a receipts-only record's counts are trusted to it
            // beyond what their consistency shows (docs/audit.md section 11).
            if pointer.starts_with("/signature")
                || pointer == "/published_at"
                || (publication == Publication::ReceiptsOnly && pointer.starts_with("/results"))
            {
                continue;
            }
            let Ok(mut re) = serde_json::from_value::<RecordV2>(t.clone()) else { continue };
            sign_record_v2(&mut re, &key_from_seed([7; 32])).unwrap();
            assert!(check(&text(&re)).is_err(), "{pointer} changed and re-signed was accepted");
        }
    }
}

/// Text in member order when the value still fits RecordV2, else as serde_json writes it.
fn text_of_lenient(v: &Value) -> String {
    serde_json::from_value::<RecordV2>(v.clone()).map(|r| text(&r)).unwrap_or_else(|_| v.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_roll_and_turnout_verifies(n in 1usize..12, cast in 0usize..12, full in any::<bool>()) {
        let cast = cast.min(n);
        let publication = if full { Publication::Full } else { Publication::ReceiptsOnly };
        let r = record(publication, &codes(n), cast);
        let report = check(&text(&r)).unwrap();
        prop_assert_eq!(report.entries, cast as u64);
        prop_assert_eq!(report.eligible, n as u64);
    }
}

// ---- the worked example of docs/audit.md part II --------------------------------------------------------------

const EXAMPLE_CODES: [&str; 3] = ["7Q2M-K9XD-4HTR-B6WN", "N3CP-8FJV-Z5YE-2KGA", "W6DT-1RMQ-H8XB-4CZS"];

fn example() -> RecordV2 {
    let def = json!({
        "id": "example",
        "title": "Example ballot",
        "description": "Indicative ballot on collective action.",
        "questions": [
            {"text": "Are you prepared to take collective action?", "kind": "yes_no"},
            {"text": "Which actions?", "kind": "many_of", "options": ["Limit contacts", "Decline contracts"], "max": 2}
        ],
        "opens_at": "2026-03-02T09:00:00Z",
        "closes_at": "2026-03-16T17:00:00Z",
        "publication": "full"
    });
    let roll: Vec<Hash> = EXAMPLE_CODES.iter().map(|c| voter_tag("example", c)).collect();
    let g = genesis_v2(&def, 3, &merkle_root(&sorted(&roll))).unwrap();
    let e1 = append_v2(
        &g,
        &EntryContent {
            seq: 1,
            receipt: "7K3Q-9XWD-2M4T-HC8R".into(),
            answers: json!(["yes", ["Limit contacts", "Decline contracts"]]),
            nonce: "11".repeat(32),
        },
    )
    .unwrap();
    let e2 = append_v2(
        &hash_from_hex(&e1.hash).unwrap(),
        &EntryContent {
            seq: 2,
            receipt: "P5VN-Z6JE-YB1A-3FKG".into(),
            answers: json!(["no", []]),
            nonce: "22".repeat(32),
        },
    )
    .unwrap();
    let mut r = build_record_v2(RecordPartsV2 {
        ballot: def,
        voted: roll[..2].to_vec(),
        roll,
        publication: Publication::Full,
        entries: vec![e1, e2],
        scrutineer_signoff: None,
        supersedes: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record_v2(&mut r, &key_from_seed([7; 32])).unwrap();
    r
}

#[test]
fn worked_example_v2() {
    let r = example();
    let v = serde_json::to_value(&r).unwrap();
    let digest = record_digest(&v).unwrap();
    let cp = sign_checkpoint(&key_from_seed([7; 32]), &r.genesis, 1, &r.entries[0].hash);
    if std::env::var_os("PRINT_WORKED_EXAMPLE").is_some() {
        let canon = |v: &Value| String::from_utf8(super::canonical_json(v).unwrap()).unwrap();
        for c in EXAMPLE_CODES {
            println!("tag {c}: {}", to_hex(&voter_tag("example", c)));
        }
        println!("roll_root {}", r.roll_root);
        println!(
            "genesis input {}",
            canon(
                &json!({"ballot": r.ballot, "domain": "carried/ballot-record/v2", "eligible": 3, "roll_root": r.roll_root})
            )
        );
        println!("genesis {}", r.genesis);
        for e in &r.entries {
            println!("commitment input {}", canon(&json!({"answers": e.answers, "nonce": e.nonce})));
            println!("commitment {}", e.commitment);
            println!("link input {}", canon(&json!({"commitment": e.commitment, "receipt": e.receipt, "seq": e.seq})));
            println!("hash {}", e.hash);
        }
        println!("voted_root {}", r.voted_root);
        let mut small = v.clone();
        for k in ["entries", "roll", "voted", "signature"] {
            small.as_object_mut().unwrap().remove(k);
        }
        println!("digest input {}", canon(&small));
        println!("digest {}", to_hex(&digest));
        println!("signature message {}", String::from_utf8(super::v2::record_signature_message(&digest)).unwrap());
        println!("record {}", text(&r));
        println!(
            "checkpoint message {}",
            String::from_utf8(super::v2::checkpoint_message(&cp.genesis, 1, &cp.head)).unwrap()
        );
        println!("checkpoint {}", serde_json::to_string_pretty(&cp).unwrap());
    }
    check(&text(&r)).unwrap();
    let k = key();
    verify_with(
        text(&r).as_bytes(),
        &Inputs { signed_checkpoints: std::slice::from_ref(&cp), trusted_key: Some(&k), ..Default::default() },
    )
    .unwrap();
    let doc = include_str!("../../../docs/audit.md");
    for value in
        [&r.roll_root, &r.genesis, &r.entries[0].commitment, &r.entries[1].hash, &r.voted_root, &to_hex(&digest)]
    {
        assert!(doc.contains(value.as_str()), "docs/audit.md does not quote {value}");
    }
    assert!(doc.contains(&text(&r)), "docs/audit.md does not hold the complete v2 record");
    assert!(doc.contains(&cp.signature.value), "docs/audit.md does not quote the checkpoint's signature");
}

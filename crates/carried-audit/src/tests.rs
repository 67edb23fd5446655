//! End-to-end tests of the record (v1): build, sign, verify, and tamper, one named case per test, and
//! the worked example of docs/audit.md. The property tests over random records are in `tests/props.rs`.
#![allow(clippy::unwrap_used)]

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use super::chain::{append, genesis, hash_from_hex, to_hex, Checkpoint, Entry, EntryContent};
use super::error::VerifyError;
use super::record::{build_record, results_sha256, sign_record, Publication, Record, RecordParts, Signoff};
use super::report::Report;
use super::sign::{key_from_seed, public_key_hex};
use super::verify::verify;

mod props;

const ACTIONS: [&str; 3] = [
    "Limit daily patient contacts to a safe number",
    "Decline new ICB contracts",
    "Switch off online consultation tools when capacity is reached",
];

fn definition(publication: &str) -> Value {
    json!({
        "id": "ballot-2026-01",
        "title": "Indicative ballot on collective action",
        "questions": [
            {"text": "Are you prepared to undertake collective action?", "kind": "yes_no"},
            {"text": "Which action should come first?", "kind": "one_of", "options": ACTIONS},
            {"text": "Which actions would you take?", "kind": "many_of", "options": ACTIONS, "max": 2}
        ],
        "opens_at": "2026-03-02T09:00:00Z",
        "closes_at": "2026-03-16T17:00:00Z",
        "publication": publication
    })
}

fn key() -> SigningKey {
    key_from_seed([1; 32])
}

fn other_key() -> SigningKey {
    key_from_seed([2; 32])
}

fn nonce(seq: u64) -> String {
    hex::encode(super::chain::sha256(&seq.to_be_bytes()))
}

/// Deterministic answers for entry `seq`.
fn answers(seq: u64) -> Value {
    let yn = if seq.is_multiple_of(3) { "no" } else { "yes" };
    let one = ACTIONS[(seq % 3) as usize];
    let many: Vec<&str> = match seq % 4 {
        0 => vec![],
        1 => vec![ACTIONS[0]],
        2 => vec![ACTIONS[0], ACTIONS[2]],
        _ => vec![ACTIONS[1]],
    };
    json!([yn, one, many])
}

fn receipt(seq: u64) -> String {
    format!("RCPT-{seq:04}-K7QX")
}

/// Chain entries after the genesis of `def` with N = `eligible`.
fn chain(def: &Value, eligible: u64, contents: &[(String, Value)]) -> Vec<Entry> {
    let mut prev = genesis(def, eligible).unwrap();
    let mut out = Vec::new();
    for (i, (receipt, answers)) in contents.iter().enumerate() {
        let seq = i as u64 + 1;
        let e =
            append(&prev, &EntryContent { seq, receipt: receipt.clone(), answers: answers.clone(), nonce: nonce(seq) })
                .unwrap();
        prev = hash_from_hex(&e.hash).unwrap();
        out.push(e);
    }
    out
}

fn contents(n: u64) -> Vec<(String, Value)> {
    (1..=n).map(|s| (receipt(s), answers(s))).collect()
}

fn record_from(def: Value, eligible: u64, markers: u64, entries: Vec<Entry>, publication: Publication) -> Record {
    let mut r = build_record(RecordParts {
        ballot: def,
        eligible,
        markers,
        publication,
        entries,
        scrutineer_signoff: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record(&mut r, &key()).unwrap();
    r
}

/// A full record: 8 entries, N = 10, 8 markers.
fn full_record() -> Record {
    let def = definition("full");
    let entries = chain(&def, 10, &contents(8));
    record_from(def, 10, 8, entries, Publication::Full)
}

fn receipts_only_record() -> Record {
    let def = definition("receipts_only");
    let entries = chain(&def, 10, &contents(8));
    record_from(def, 10, 8, entries, Publication::ReceiptsOnly)
}

fn json_of(r: &Record) -> Value {
    serde_json::to_value(r).unwrap()
}

fn trusted() -> String {
    public_key_hex(&key())
}

fn check(r: &Record) -> Result<Report, VerifyError> {
    verify(&json_of(r), &[], &[], Some(&trusted()))
}

fn resign(r: &mut Record) {
    sign_record(r, &key()).unwrap();
}

fn checkpoint(r: &Record, count: usize) -> Checkpoint {
    let head = if count == 0 { r.genesis.clone() } else { r.entries[count - 1].hash.clone() };
    Checkpoint { count: count as u64, head }
}

#[test]
fn a_record_built_here_verifies() {
    let r = full_record();
    let cps = [checkpoint(&r, 0), checkpoint(&r, 3), checkpoint(&r, 8)];
    let receipts = [receipt(5), format!("  {}  ", receipt(2).to_lowercase())];
    let report = verify(&json_of(&r), &cps, &receipts, Some(&trusted())).unwrap();
    assert_eq!(report.entries, 8);
    assert_eq!(report.eligible, 10);
    assert_eq!(report.markers, 8);
    assert_eq!(report.head, r.entries[7].hash);
    assert_eq!(report.publication, Publication::Full);
    assert!(report.recounted && report.trusted_key);
    assert_eq!(report.checkpoints_confirmed, 3);
    assert_eq!(report.receipts_found, vec![(receipt(5), 5), (receipt(2).to_lowercase(), 2)]);
    assert_eq!(report.results, r.results);
    assert_eq!(report.results.votes_cast, 8);
    // yes for seq not divisible by 3: 1,2,4,5,7,8
    assert_eq!(report.results.questions[0].counts["yes"], 6);
    assert_eq!(report.results.questions[0].counts["no"], 2);
    assert!(report.limitations.iter().all(|l| !l.contains("receipts_only")));
    let text = report.to_string();
    for needle in [
        "The record verifies.",
        "Ballot: Indicative ballot on collective action",
        "Eligible: 10; has-voted markers: 8; entries: 8; turnout 80.0%",
        "(the trusted key)",
        "yes: 6 (75.0% of votes cast)",
        "Receipt RCPT-0005-K7QX found: entry 5",
        "Checkpoints confirmed as prefixes: 3",
        "no scrutineer sign-off",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
}

#[test]
fn the_record_survives_a_round_trip_through_text() {
    let r = full_record();
    let text = serde_json::to_string_pretty(&r).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(verify(&v, &[], &[], Some(&trusted())).is_ok());
}

#[test]
fn an_empty_record_verifies() {
    let def = definition("full");
    let r = record_from(def, 10, 0, vec![], Publication::Full);
    assert_eq!(r.head, r.genesis);
    let report = verify(&json_of(&r), &[checkpoint(&r, 0)], &[], None).unwrap();
    assert_eq!(report.entries, 0);
    assert_eq!(report.results.votes_cast, 0);
}

#[test]
fn changed_answer_is_caught() {
    let mut r = full_record();
    r.entries[4].answers = Some(json!(["no", ACTIONS[0], []]));
    let err = check(&r).unwrap_err();
    assert!(matches!(err, VerifyError::EntryHash { index: 5, .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("entry 5 (seq 5): hash does not match its contents (computed "), "{msg}");
    assert!(msg.contains(&format!("recorded {})", r.entries[4].hash)), "{msg}");
}

#[test]
fn dropped_entry_is_caught() {
    let mut r = full_record();
    r.entries.remove(3);
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 4: seq is 5, expected 4 (an entry was dropped or reordered)");
}

#[test]
fn dropped_and_renumbered_entry_is_caught() {
    let mut r = full_record();
    r.entries.remove(3);
    for (i, e) in r.entries.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 4: prev does not equal the hash of entry 3");
}

#[test]
fn reordered_entries_are_caught() {
    let mut r = full_record();
    r.entries.swap(1, 2);
    assert_eq!(check(&r).unwrap_err(), VerifyError::EntrySeq { index: 2, found: 3 });
}

#[test]
fn first_entry_must_follow_the_genesis() {
    let mut r = full_record();
    r.entries[0].prev = "00".repeat(32);
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 1: prev does not equal the genesis hash");
}

#[test]
fn altered_eligible_is_caught() {
    let mut r = full_record();
    r.eligible = 11;
    let msg = check(&r).unwrap_err().to_string();
    let computed = to_hex(&genesis(&definition("full"), 11).unwrap());
    assert_eq!(
        msg,
        format!(
            "genesis does not commit to this ballot definition and eligible = 11 (computed {computed}, recorded {})",
            r.genesis
        )
    );
}

#[test]
fn altered_wording_is_caught() {
    let mut r = full_record();
    r.ballot["questions"][0]["text"] = json!("Are you prepared to strike?");
    assert!(matches!(check(&r).unwrap_err(), VerifyError::Genesis { .. }));
}

#[test]
fn publication_must_be_the_one_committed_to() {
    let def = definition("full");
    let entries = chain(&def, 10, &contents(3));
    let r = record_from(def, 10, 3, entries, Publication::ReceiptsOnly);
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "publication is receipts_only but the ballot definition committed to full"
    );
}

#[test]
fn record_signed_with_another_key_is_caught() {
    let mut r = full_record();
    sign_record(&mut r, &other_key()).unwrap();
    let other = public_key_hex(&other_key());
    assert_eq!(check(&r).unwrap_err().to_string(), format!("public key {other} is not the trusted key {}", trusted()));
    // Without a trusted key it verifies, and the report says what was not checked.
    let report = verify(&json_of(&r), &[], &[], None).unwrap();
    assert!(!report.trusted_key);
    assert!(report.limitations.iter().any(|l| l.contains("public key inside the record")));
    // The trusted key may be given in upper case.
    assert!(verify(&json_of(&r), &[], &[], Some(&other.to_uppercase())).is_ok());
}

#[test]
fn swapped_signature_value_is_caught() {
    let mut r = full_record();
    let mut forged = r.clone();
    sign_record(&mut forged, &other_key()).unwrap();
    if let (Some(sig), Some(f)) = (r.signature.as_mut(), forged.signature) {
        sig.value = f.value;
    }
    assert_eq!(check(&r).unwrap_err().to_string(), format!("signature does not verify with public key {}", trusted()));
}

#[test]
fn any_signed_field_change_breaks_the_signature() {
    let r = full_record();
    let mut v = json_of(&r);
    v["published_at"] = json!("2026-03-18T10:00:00Z");
    assert!(matches!(verify(&v, &[], &[], None).unwrap_err(), VerifyError::Signature(_)));
}

#[test]
fn unsigned_record_is_refused() {
    let mut r = full_record();
    r.signature = None;
    assert_eq!(check(&r).unwrap_err(), VerifyError::Unsigned);
}

#[test]
fn truncation_after_a_checkpoint_is_caught() {
    let r = full_record();
    let saved = [checkpoint(&r, 3), checkpoint(&r, 6)];
    // The service later publishes only the first 5 entries, consistently re-signed.
    let def = definition("full");
    let mut entries = r.entries.clone();
    entries.truncate(5);
    let truncated = record_from(def, 10, 8, entries, Publication::Full);
    assert!(check(&truncated).is_ok());
    let err = verify(&json_of(&truncated), &saved, &[], Some(&trusted())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "checkpoint 6:{} claims 6 entries but the record has 5 (history was truncated after a checkpoint)",
            saved[1].head
        )
    );
}

#[test]
fn rewritten_history_is_caught_by_a_checkpoint() {
    let r = full_record();
    let saved = [checkpoint(&r, 3), checkpoint(&r, 6)];
    let def = definition("full");
    let mut c = contents(8);
    c[3].1 = json!(["no", ACTIONS[1], []]);
    let rewritten = record_from(def.clone(), 10, 8, chain(&def, 10, &c), Publication::Full);
    assert!(check(&rewritten).is_ok());
    let err = verify(&json_of(&rewritten), &saved, &[], Some(&trusted())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "checkpoint 6:{} is not a prefix of this record: entry 6 has hash {}",
            saved[1].head, rewritten.entries[5].hash
        )
    );
    // The earlier checkpoint is still a prefix.
    assert!(verify(&json_of(&rewritten), &saved[..1], &[], Some(&trusted())).is_ok());
}

#[test]
fn checkpoint_of_another_ballot_is_caught() {
    let r = full_record();
    let cp = Checkpoint { count: 0, head: "11".repeat(32) };
    assert_eq!(
        verify(&json_of(&r), std::slice::from_ref(&cp), &[], None).unwrap_err().to_string(),
        format!("checkpoint {cp} is not a prefix of this record: its genesis is {}", r.genesis)
    );
}

#[test]
fn altered_head_is_caught() {
    let mut r = full_record();
    r.head = r.entries[6].hash.clone();
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        format!("head {} is not the hash of the last entry ({})", r.entries[6].hash, r.entries[7].hash)
    );
}

#[test]
fn altered_count_is_caught() {
    let mut r = full_record();
    r.count = 7;
    assert_eq!(check(&r).unwrap_err().to_string(), "count 7 does not match 8 entries");
}

#[test]
fn changed_receipt_in_the_record_is_caught() {
    let mut r = full_record();
    r.entries[2].receipt = "RCPT-9999-K7QX".into();
    assert!(matches!(check(&r).unwrap_err(), VerifyError::EntryHash { index: 3, .. }));
}

#[test]
fn missing_receipt_is_reported() {
    let r = full_record();
    let err = verify(&json_of(&r), &[], &["RCPT-0042-K7QX".into()], None).unwrap_err();
    assert_eq!(err.to_string(), "receipt RCPT-0042-K7QX is not in the record");
}

#[test]
fn duplicate_receipts_are_caught() {
    let def = definition("full");
    let mut c = contents(4);
    c[3].0 = receipt(2).to_lowercase();
    let r = record_from(def.clone(), 10, 4, chain(&def, 10, &c), Publication::Full);
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        format!("entry 4 (seq 4): receipt {} is also the receipt of entry 2", receipt(2).to_lowercase())
    );
}

#[test]
fn fewer_markers_than_entries_is_caught() {
    let mut r = full_record();
    r.markers = 7;
    assert_eq!(check(&r).unwrap_err().to_string(), "entries (8) exceed has-voted markers (7)");
}

#[test]
fn more_markers_than_eligible_is_caught() {
    let mut r = full_record();
    r.markers = 11;
    assert_eq!(check(&r).unwrap_err().to_string(), "markers (11) exceed eligible (10)");
}

#[test]
fn more_markers_than_entries_is_a_warning() {
    let def = definition("full");
    let r = record_from(def.clone(), 10, 9, chain(&def, 10, &contents(8)), Publication::Full);
    let report = check(&r).unwrap();
    assert!(report.warnings.iter().any(|w| w.starts_with("1 voter marked as having voted has no entry")));
}

#[test]
fn altered_results_are_caught() {
    let mut r = full_record();
    let recorded = r.results.questions[1].counts[ACTIONS[1]];
    *r.results.questions[1].counts.get_mut(ACTIONS[1]).unwrap() += 1;
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        format!(
            "results do not match a recount: question 2 option \"Decline new ICB contracts\": recorded {}, recounted {recorded}",
            recorded + 1
        )
    );
}

#[test]
fn altered_votes_cast_is_caught() {
    let mut r = full_record();
    r.results.votes_cast = 9;
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "results do not match a recount: votes_cast recorded 9, recounted 8"
    );
}

#[test]
fn results_must_name_exactly_the_options() {
    let mut r = full_record();
    r.results.questions[0].counts.insert("maybe".into(), 0);
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "results do not fit the ballot's questions: question 1 has a count for \"maybe\", which is not one of its options"
    );
    let mut r = full_record();
    r.results.questions[2].counts.remove(ACTIONS[2]);
    assert!(check(&r).unwrap_err().to_string().contains("question 3 has no count for option"));
    let mut r = full_record();
    r.results.questions.pop();
    assert!(check(&r).unwrap_err().to_string().contains("the results have 2 questions, the ballot has 3"));
}

#[test]
fn invalid_answers_are_caught_even_when_hashed() {
    let def = definition("full");
    let mut c = contents(5);
    c[2].1 = json!(["yes", "Go on strike", []]);
    let mut r = record_from(def.clone(), 10, 5, chain(&def, 10, &c), Publication::Full);
    assert_eq!(check(&r).unwrap_err().to_string(), "answer to question 2 in entry 3 is not one of its options");
    let mut c = contents(5);
    c[1].1 = json!(["yes", ACTIONS[0]]);
    r = record_from(def.clone(), 10, 5, chain(&def, 10, &c), Publication::Full);
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 2 (seq 2): 2 answers for 3 questions");
    let mut c = contents(5);
    c[0].1 = json!(["yes", ACTIONS[0], [ACTIONS[2], ACTIONS[0]]]);
    r = record_from(def.clone(), 10, 5, chain(&def, 10, &c), Publication::Full);
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "answer to question 3 in entry 1 lists its options out of definition order"
    );
}

#[test]
fn scrutineer_signoff_is_checked() {
    let mut r = full_record();
    r.scrutineer_signoff = Some(Signoff {
        by: "A. Scrutineer".into(),
        at: "2026-03-17T09:00:00Z".into(),
        statement: "I have checked the count.".into(),
        results_sha256: results_sha256(&r.results).unwrap(),
    });
    resign(&mut r);
    let report = check(&r).unwrap();
    assert!(report.warnings.is_empty());
    assert!(report.to_string().contains("Scrutineer sign-off: A. Scrutineer"));

    if let Some(s) = r.scrutineer_signoff.as_mut() {
        s.results_sha256 = "00".repeat(32);
    }
    resign(&mut r);
    let msg = check(&r).unwrap_err().to_string();
    assert!(msg.starts_with("scrutineer sign-off does not match the results"), "{msg}");
}

#[test]
fn receipts_only_record_verifies_with_limitations() {
    let r = receipts_only_record();
    let v = json_of(&r);
    assert!(v["entries"][0].get("answers").is_none());
    assert!(v["entries"][0].get("nonce").is_none());
    let cps = [checkpoint(&r, 4)];
    let report = verify(&v, &cps, &[receipt(7)], Some(&trusted())).unwrap();
    assert_eq!(report.publication, Publication::ReceiptsOnly);
    assert!(!report.recounted);
    assert_eq!(report.receipts_found, vec![(receipt(7), 7)]);
    assert!(report.limitations.iter().any(|l| l.contains("entry hashes cannot be recomputed")));
    assert!(report.limitations.iter().any(|l| l.contains("trusted to the service's signature")));
    // Same hashes and results as the full record of the same ballots.
    let full_entries = chain(&definition("receipts_only"), 10, &contents(8));
    assert_eq!(r.entries[7].hash, full_entries[7].hash);
    assert_eq!(r.results.votes_cast, 8);
    assert!(report.to_string().contains("as signed; not recountable"));
}

#[test]
fn receipts_only_links_are_checked() {
    let mut r = receipts_only_record();
    r.entries[3].hash = "ab".repeat(32);
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 5: prev does not equal the hash of entry 4");
}

#[test]
fn receipts_only_results_must_be_consistent() {
    let mut r = receipts_only_record();
    *r.results.questions[0].counts.get_mut("yes").unwrap() += 1;
    resign(&mut r);
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "results are inconsistent: question 1 counts add up to 9, but 8 votes were cast and each answers it once"
    );
    let mut r = receipts_only_record();
    r.results.votes_cast = 7;
    resign(&mut r);
    assert!(check(&r).unwrap_err().to_string().contains("votes_cast is 7 but the record has 8 entries"));
}

#[test]
fn receipts_only_must_not_carry_answers() {
    let mut r = receipts_only_record();
    r.entries[1].answers = Some(answers(2));
    assert_eq!(
        check(&r).unwrap_err().to_string(),
        "entry 2 (seq 2): answers is present, but the publication is receipts_only"
    );
}

#[test]
fn full_record_must_carry_answers_and_a_good_nonce() {
    let mut r = full_record();
    r.entries[1].nonce = None;
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 2 (seq 2): nonce is missing, but the publication is full");
    let mut r = full_record();
    r.entries[1].nonce = Some("abc".into());
    assert_eq!(check(&r).unwrap_err().to_string(), "entry 2 (seq 2): nonce is not 64 lowercase hex digits");
}

#[test]
fn shape_errors_are_named() {
    assert_eq!(verify(&json!([1]), &[], &[], None).unwrap_err(), VerifyError::NotAnObject);
    let r = full_record();
    let mut v = json_of(&r);
    v["format"] = json!("carried/ballot-record/v3");
    assert_eq!(
        verify(&v, &[], &[], None).unwrap_err().to_string(),
        "format is \"carried/ballot-record/v3\", expected \"carried/ballot-record/v1\" or \"carried/ballot-record/v2\""
    );
    let mut v = json_of(&r);
    v.as_object_mut().unwrap().remove("format");
    assert_eq!(
        verify(&v, &[], &[], None).unwrap_err().to_string(),
        "format is missing, expected \"carried/ballot-record/v1\" or \"carried/ballot-record/v2\""
    );
    let mut v = json_of(&r);
    v["extra"] = json!(1);
    let msg = verify(&v, &[], &[], None).unwrap_err().to_string();
    assert!(msg.starts_with("the record is malformed: unknown field `extra`"), "{msg}");
    let mut v = json_of(&r);
    v["entries"][2].as_object_mut().unwrap().remove("hash");
    assert_eq!(verify(&v, &[], &[], None).unwrap_err().to_string(), "entry 3 is malformed: missing field `hash`");
    let mut v = json_of(&r);
    v["ballot"]["weight"] = json!(0.5);
    assert_eq!(
        verify(&v, &[], &[], None).unwrap_err().to_string(),
        "genesis cannot be computed: the ballot definition contains floats are not allowed in canonical records"
    );
}

/// The worked example of docs/audit.md: every value here is quoted there.
#[test]
fn worked_example() {
    let def = json!({
        "id": "example",
        "title": "Example ballot",
        "questions": [
            {"text": "Are you prepared to take collective action?", "kind": "yes_no"},
            {"text": "Which actions?", "kind": "many_of", "options": ["Limit contacts", "Decline contracts"], "max": 2}
        ],
        "opens_at": "2026-03-02T09:00:00Z",
        "closes_at": "2026-03-16T17:00:00Z",
        "publication": "full"
    });
    let g = genesis(&def, 3).unwrap();
    let e1 = append(
        &g,
        &EntryContent {
            seq: 1,
            receipt: "7K3Q-9XWD-2M4T-HC8R".into(),
            answers: json!(["yes", ["Limit contacts", "Decline contracts"]]),
            nonce: "11".repeat(32),
        },
    )
    .unwrap();
    let e2 = append(
        &hash_from_hex(&e1.hash).unwrap(),
        &EntryContent {
            seq: 2,
            receipt: "P5VN-Z6JE-YB1A-3FKG".into(),
            answers: json!(["no", []]),
            nonce: "22".repeat(32),
        },
    )
    .unwrap();
    let mut r = build_record(RecordParts {
        ballot: def,
        eligible: 3,
        markers: 2,
        publication: Publication::Full,
        entries: vec![e1, e2],
        scrutineer_signoff: None,
        published_at: "2026-03-17T10:00:00Z".into(),
    })
    .unwrap();
    sign_record(&mut r, &key_from_seed([7; 32])).unwrap();
    let v = json_of(&r);
    if std::env::var_os("PRINT_WORKED_EXAMPLE").is_some() {
        println!("{}", serde_json::to_string_pretty(&v).unwrap());
        println!(
            "genesis input: {}",
            String::from_utf8(
                super::canonical_json(
                    &json!({"domain": "carried/ballot-record/v1", "ballot": r.ballot, "eligible": 3})
                )
                .unwrap()
            )
            .unwrap()
        );
        for e in &r.entries {
            let c = e.content().unwrap();
            println!(
                "entry {} content: {}",
                e.seq,
                String::from_utf8(super::canonical_json(&c.to_value()).unwrap()).unwrap()
            );
        }
        println!("results_sha256: {}", results_sha256(&r.results).unwrap());
        println!("signed bytes sha256: {}", to_hex(&super::chain::sha256(&super::signing_bytes(&v).unwrap())));
    }
    assert!(verify(&v, &[], &[], Some(&public_key_hex(&key_from_seed([7; 32])))).is_ok());
    assert_eq!(r.genesis, WORKED_GENESIS);
    assert_eq!(r.entries[0].hash, WORKED_HASH_1);
    assert_eq!(r.entries[1].hash, WORKED_HASH_2);
    assert_eq!(r.signature.as_ref().map(|s| s.value.as_str()), Some(WORKED_SIGNATURE));
}

const WORKED_GENESIS: &str = "2599b902411c2f6ca514f10dd779cda51dedb013cb50ec642fc235b253dc8a51";
const WORKED_HASH_1: &str = "2073e17a1c5c283d558b442eb5440b87ee7372c67afb25a3351a5370978b8e97";
const WORKED_HASH_2: &str = "c078a9ebc8d857108d193919479e62d142209f2c74b5b3f9e580dbc6fdc63615";
const WORKED_SIGNATURE: &str =
    "281ea897fef534d6e4671df1c987bc235f93a58bbed07c7c9f3898f4d4a1ae56d0bfd318372ab27b286ebd9f05483cee89fb1de4203ed51e5c0a83675531f609";

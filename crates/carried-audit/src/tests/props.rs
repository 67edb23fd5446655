//! Property tests of the record (v1): any sequence of entries verifies, and any change to an entry or to
//! the published text is caught. The helpers that build records are those of the parent module.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{chain, check, checkpoint, definition, json_of, record_from, resign, trusted, ACTIONS};
use crate::chain::{Checkpoint, Entry};
use crate::error::VerifyError;
use crate::record::{Publication, Record};
use crate::verify::verify;

/// Random valid answers to the three questions of `definition`.
fn arb_answers() -> impl Strategy<Value = Value> {
    (any::<bool>(), 0usize..3, proptest::collection::btree_set(0usize..3, 0..=2)).prop_map(|(yes, one, many)| {
        let many: Vec<&str> = many.into_iter().map(|i| ACTIONS[i]).collect();
        json!([if yes { "yes" } else { "no" }, ACTIONS[one], many])
    })
}

fn arb_contents() -> impl Strategy<Value = Vec<(String, Value)>> {
    proptest::collection::vec(arb_answers(), 0..16).prop_map(|answers| {
        answers.into_iter().enumerate().map(|(i, a)| (format!("R-{i:03}-{}", i * 7919 % 1000), a)).collect()
    })
}

fn arb_publication() -> impl Strategy<Value = Publication> {
    prop_oneof![Just(Publication::Full), Just(Publication::ReceiptsOnly)]
}

fn random_record(c: &[(String, Value)], publication: Publication, extra_markers: u64) -> Record {
    let def = definition(publication.as_str());
    let n = c.len() as u64;
    record_from(
        def.clone(),
        n + extra_markers + 3,
        n + extra_markers,
        chain(&def, n + extra_markers + 3, c),
        publication,
    )
}

/// Change one character of a string to a different one from `alphabet`.
fn change_char(s: &str, pos: usize, pick: usize, alphabet: &str) -> String {
    if s.is_empty() {
        return alphabet.chars().next().map(String::from).unwrap_or_default();
    }
    let chars: Vec<char> = s.chars().collect();
    let pos = pos % chars.len();
    let choices: Vec<char> = alphabet.chars().filter(|c| *c != chars[pos]).collect();
    let mut out = chars.clone();
    out[pos] = choices[pick % choices.len()];
    out.into_iter().collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Seq(u64),
    Receipt(usize, usize),
    Answers(Value),
    Nonce(usize, usize),
    Prev(usize, usize),
    Hash(usize, usize),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (1u64..5).prop_map(Mutation::Seq),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Receipt(a, b)),
        arb_answers().prop_map(Mutation::Answers),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Nonce(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Prev(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Hash(a, b)),
    ]
}

const HEX: &str = "0123456789abcdef";

/// Apply the mutation; false when it would not change the entry.
fn mutate(e: &mut Entry, m: &Mutation) -> bool {
    match m {
        Mutation::Seq(d) => e.seq += d,
        Mutation::Receipt(p, k) => e.receipt = change_char(&e.receipt, *p, *k, "ABCDEFGHJKMNPQRSTVWXYZ0123456789-"),
        Mutation::Answers(a) => {
            if e.answers.as_ref() == Some(a) {
                return false;
            }
            e.answers = Some(a.clone());
        }
        Mutation::Nonce(p, k) => match &e.nonce {
            Some(n) => e.nonce = Some(change_char(n, *p, *k, HEX)),
            None => return false,
        },
        Mutation::Prev(p, k) => e.prev = change_char(&e.prev, *p, *k, HEX),
        Mutation::Hash(p, k) => e.hash = change_char(&e.hash, *p, *k, HEX),
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_sequence_of_entries_verifies(
        c in arb_contents(),
        publication in arb_publication(),
        extra in 0u64..3,
    ) {
        let r = random_record(&c, publication, extra);
        let cps: Vec<Checkpoint> = (0..=c.len()).map(|k| checkpoint(&r, k)).collect();
        let receipts: Vec<String> = c.iter().map(|(r, _)| r.clone()).collect();
        let report = verify(&json_of(&r), &cps, &receipts, Some(&trusted()));
        prop_assert!(report.is_ok(), "{:?}", report);
        let report = report.unwrap();
        prop_assert_eq!(report.entries, c.len() as u64);
        prop_assert_eq!(report.receipts_found.len(), c.len());
    }

    /// The service itself alters one field of one entry of a full record and
    /// re-signs: the chain still gives it away, before the signature is checked.
    #[test]
    fn any_entry_mutation_is_detected_even_if_resigned(
        c in arb_contents().prop_filter("non-empty", |c| !c.is_empty()),
        which in any::<usize>(),
        m in arb_mutation(),
    ) {
        let mut r = random_record(&c, Publication::Full, 0);
        let i = which % r.entries.len();
        prop_assume!(mutate(&mut r.entries[i], &m));
        resign(&mut r);
        let err = check(&r);
        prop_assert!(err.is_err(), "undetected {:?} on entry {}", m, i + 1);
        let err = err.unwrap_err();
        prop_assert!(!matches!(err, VerifyError::Signature(_)), "{}", err);
    }

    /// Any mutation of an entry without re-signing is detected, whatever the publication.
    #[test]
    fn any_entry_mutation_is_detected(
        c in arb_contents().prop_filter("non-empty", |c| !c.is_empty()),
        publication in arb_publication(),
        which in any::<usize>(),
        m in arb_mutation(),
    ) {
        let mut r = random_record(&c, publication, 0);
        let i = which % r.entries.len();
        prop_assume!(mutate(&mut r.entries[i], &m));
        prop_assert!(check(&r).is_err(), "undetected {:?} on entry {}", m, i + 1);
    }

    /// Any single-byte change to the published JSON text that still parses to a
    /// different value is detected.
    #[test]
    fn any_byte_change_to_the_published_text_is_detected(
        c in arb_contents(),
        publication in arb_publication(),
        pos in any::<usize>(),
        byte in 0x20u8..0x7f,
    ) {
        let r = random_record(&c, publication, 0);
        let original = json_of(&r);
        let mut text = serde_json::to_vec(&original).unwrap();
        let pos = pos % text.len();
        prop_assume!(text[pos] != byte);
        text[pos] = byte;
        let Ok(changed) = serde_json::from_slice::<Value>(&text) else {
            return Ok(());
        };
        prop_assume!(changed != original);
        prop_assert!(verify(&changed, &[], &[], None).is_err(),
            "undetected change at byte {}: {}", pos, String::from_utf8_lossy(&text));
    }
}

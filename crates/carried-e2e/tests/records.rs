//! Records made by belenios-tool 2.0 verify; tampered copies (re-chained so that only the tampering is wrong)
//! are refused, and the refusal names what failed.

use carried_e2e::formats::{to_json, Ballot, Big, PartialDecryption, Trustee};
use carried_e2e::{credential, verify_bel, ElectionCtx, EventData, Record};

mod support;
use support::carried_election;

const SINGLE: &[u8] = include_bytes!("fixtures/single-qn174aJGv3BpMM.bel");
const THRESHOLD: &[u8] = include_bytes!("fixtures/threshold-7HtxeqxP6RcKFD.bel");

fn single() -> Record {
    Record::from_bytes(SINGLE).expect("the fixture reads")
}

fn refused(record: &Record) -> String {
    match verify_bel(&record.to_bytes()) {
        Ok(r) => panic!("a tampered record verified: {r:?}"),
        Err(e) => e.0,
    }
}

fn ballots(record: &Record) -> Vec<usize> {
    record.events.iter().enumerate().filter(|(_, e)| matches!(e, EventData::Ballot { .. })).map(|(i, _)| i).collect()
}

fn election_ctx(record: &Record) -> ElectionCtx {
    match &record.events[0] {
        EventData::Setup { election, .. } => ElectionCtx::parse(election).expect("election"),
        _ => panic!("no setup"),
    }
}

#[test]
fn every_belenios_record_verifies() {
    let r = verify_bel(SINGLE).expect("single-trustee record verifies");
    assert_eq!(r.result, Some(vec![vec![2, 2], vec![2, 3, 2]]));
    assert_eq!((r.ballots, r.counted, r.credentials, r.partial_decryptions), (6, 5, 5, 1));
    let t = verify_bel(THRESHOLD).expect("threshold (2 of 3) record verifies");
    assert_eq!(t.result, Some(vec![vec![2, 2], vec![2, 3, 2]]));
    assert_eq!(t.partial_decryptions, 2);
}

#[test]
fn a_byte_changed_in_the_archive_is_refused() {
    let mut bytes = SINGLE.to_vec();
    let at = bytes.windows(9).position(|w| w == b"\"alpha\":\"").expect("a ciphertext") + 9;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let e = verify_bel(&bytes).expect_err("refused").0;
    assert!(e.contains("found instead of"), "{e}");
}

#[test]
fn a_changed_ciphertext_is_refused_even_when_rechained() {
    let mut rec = single();
    let i = ballots(&rec)[2];
    let EventData::Ballot { ballot } = &rec.events[i] else { unreachable!() };
    let mut b: Ballot = serde_json::from_str(ballot).expect("ballot");
    let ctx = election_ctx(&rec);
    b.answers[0].choices[0].beta = Big(ctx.group.mul(&b.answers[0].choices[0].beta, &ctx.group.g));
    rec.events[i] = EventData::Ballot { ballot: to_json(&b) };
    let e = refused(&rec);
    assert!(e.contains(&format!("(height {i})")) && e.contains("signature"), "{e}");
}

#[test]
fn a_ballot_with_a_bad_proof_but_a_good_signature_is_refused() {
    // A voter who knows a credential signs a ballot whose individual proof was altered.
    let mut rec = single();
    let ctx = election_ctx(&rec);
    let creds = include_str!("fixtures/single-private_creds.txt");
    let cred = creds.lines().next().and_then(|l| l.split_whitespace().nth(1)).expect("credential");
    let mut b = ctx.encrypt_ballot(cred, &[vec![1, 0], vec![0, 1, 0]]).expect("encrypts");
    b.answers[1].individual_proofs[1][0].response = Big(Default::default());
    // Re-sign so only the proof is wrong.
    let secret = credential::secret(ctx.group, &ctx.election.uuid, cred);
    b.signature = None;
    let hash = carried_e2e::election::sha256_b64(to_json(&b).as_bytes());
    let w = ctx.group.random_nonzero_scalar();
    let c = ctx.group.hash(&format!("sig|{hash}|"), &[&ctx.group.g_pow(&w)]);
    let r = ctx.group.response(&w, &secret, &c);
    b.signature = Some(carried_e2e::formats::Signature {
        hash,
        proof: carried_e2e::formats::Proof { challenge: Big(c), response: Big(r) },
    });
    let end = ballots(&rec).last().copied().expect("ballots") + 1;
    rec.events.truncate(end);
    rec.events.push(EventData::Ballot { ballot: to_json(&b) });
    let e = refused(&rec);
    assert!(e.contains("question 2, answer 2: the individual proof does not verify"), "{e}");
}

#[test]
fn a_ballot_not_in_canonical_form_is_refused() {
    let mut rec = single();
    let i = ballots(&rec)[0];
    let EventData::Ballot { ballot } = &rec.events[i] else { unreachable!() };
    let sorted: serde_json::Value = serde_json::from_str(ballot).expect("json");
    rec.events[i] = EventData::Ballot { ballot: serde_json::to_string(&sorted).expect("json") };
    let e = refused(&rec);
    assert!(e.contains("canonical"), "{e}");
}

#[test]
fn a_ballot_from_an_unknown_credential_is_refused() {
    let mut rec = single();
    let ctx = election_ctx(&rec);
    let b = ctx.encrypt_ballot(&credential::generate(), &[vec![1, 0], vec![0, 0, 1]]).expect("encrypts");
    let end = ballots(&rec).last().copied().expect("ballots") + 1;
    rec.events.truncate(end);
    rec.events.push(EventData::Ballot { ballot: to_json(&b) });
    let e = refused(&rec);
    assert!(e.contains("invalid credential"), "{e}");
}

#[test]
fn a_wrong_result_is_refused() {
    let mut rec = single();
    let last = rec.events.len() - 1;
    rec.events[last] = EventData::Result { result: r#"{"result":[[3,1],[2,3,2]]}"#.into() };
    let e = refused(&rec);
    assert!(e.contains("the result") && e.contains("wrong"), "{e}");
}

#[test]
fn an_encrypted_tally_that_leaves_out_a_ballot_is_refused() {
    // belenios-tool 2.0 does not compare the published tally with the ballots; this verifier does.
    let mut rec = single();
    let ctx = election_ctx(&rec);
    let (at, tally) = rec
        .events
        .iter()
        .enumerate()
        .find_map(|(i, e)| match e {
            EventData::EncryptedTally { encrypted_tally, .. } => Some((i, encrypted_tally.clone())),
            _ => None,
        })
        .expect("a tally");
    let mut t: carried_e2e::formats::EncryptedTally = serde_json::from_str(&tally).expect("tally");
    let EventData::Ballot { ballot } = &rec.events[ballots(&rec)[1]] else { unreachable!() };
    let b: Ballot = serde_json::from_str(ballot).expect("ballot");
    for (row, a) in t.iter_mut().zip(&b.answers) {
        for (ct, c) in row.iter_mut().zip(&a.choices) {
            ct.alpha = Big(ctx.group.div(&ct.alpha, &c.alpha));
            ct.beta = Big(ctx.group.div(&ct.beta, &c.beta));
        }
    }
    rec.events[at] = EventData::EncryptedTally { encrypted_tally: to_json(&t), num_tallied: 4, total_weight: 4 };
    rec.events.truncate(at + 1);
    let e = refused(&rec);
    assert!(e.contains("not the product of the 5 counted ballots"), "{e}");
}

#[test]
fn a_changed_partial_decryption_is_refused() {
    let mut rec = single();
    let ctx = election_ctx(&rec);
    let i = rec.events.iter().position(|e| matches!(e, EventData::PartialDecryption { .. })).expect("a decryption");
    let EventData::PartialDecryption { owner, partial_decryption } = rec.events[i].clone() else { unreachable!() };
    let mut pd: PartialDecryption = serde_json::from_str(&partial_decryption).expect("pd");
    pd.decryption_factors[1][2] = Big(ctx.group.mul(&pd.decryption_factors[1][2], &ctx.group.g));
    rec.events[i] = EventData::PartialDecryption { owner, partial_decryption: to_json(&pd) };
    let e = refused(&rec);
    assert!(e.contains("partial decryption of trustee 1: question 2, answer 3"), "{e}");
}

#[test]
fn a_trustee_key_without_a_valid_proof_is_refused() {
    let mut rec = single();
    let EventData::Setup { election, trustees, credentials } = rec.events[0].clone() else { unreachable!() };
    let mut t: Vec<Trustee> = serde_json::from_str(&trustees).expect("trustees");
    if let Trustee::Single(k) = &mut t[0] {
        k.pok.response = Big(Default::default());
    }
    rec.events[0] = EventData::Setup { election, trustees: to_json(&t), credentials };
    let e = refused(&rec);
    assert!(e.contains("trustee 1: the proof of knowledge"), "{e}");
}

#[test]
fn a_threshold_record_with_a_bad_verification_key_is_refused() {
    let mut rec = Record::from_bytes(THRESHOLD).expect("reads");
    let EventData::Setup { election, trustees, credentials } = rec.events[0].clone() else { unreachable!() };
    let mut t: Vec<Trustee> = serde_json::from_str(&trustees).expect("trustees");
    if let Trustee::Pedersen(p) = &mut t[0] {
        p.threshold = 3;
    }
    rec.events[0] = EventData::Setup { election, trustees: to_json(&t), credentials };
    let e = refused(&rec);
    assert!(e.contains("threshold"), "{e}");
}

#[test]
fn a_threshold_record_with_too_few_decryptions_gets_no_result() {
    let mut rec = Record::from_bytes(THRESHOLD).expect("reads");
    let i = rec.events.iter().position(|e| matches!(e, EventData::PartialDecryption { .. })).expect("a decryption");
    rec.events.remove(i);
    let e = refused(&rec);
    assert!(e.contains("1 partial decryption(s) of the 2 needed: 1 more needed"), "{e}");
}

#[test]
fn a_record_we_write_verifies() {
    // Rebuilt from its own events, the record is the same archive.
    let rec = single();
    assert_eq!(rec.to_bytes(), SINGLE);
    let mut open = rec.clone();
    open.events.truncate(ballots(&rec).last().copied().expect("ballots") + 1);
    let r = verify_bel(&open.to_bytes()).expect("an open ballot's record verifies");
    assert_eq!(r.result, None);
}

#[test]
fn a_whole_election_made_by_carried_verifies_and_counts_what_was_cast() {
    let (rec, expected) = carried_election();
    let bytes = rec.to_bytes();
    assert_eq!(Record::from_bytes(&bytes).expect("reads back"), rec);
    let r = verify_bel(&bytes).expect("verifies");
    assert_eq!(r.result, Some(expected));
    assert_eq!((r.ballots, r.counted, r.partial_decryptions), (6, 5, 2));
    // Without the second trustee's decryption there is no result.
    let mut short = rec.clone();
    short.events.remove(short.events.len() - 2);
    assert!(refused(&short).contains("trustee 2 has not decrypted"));
}

//! The batch verifier refuses every single-proof corruption: in a record made by this crate and in
//! belenios-tool's own record, any one challenge or response of any one ballot's signature, individual proof or
//! overall proof changed (the archive re-chained so that only the proof is wrong) makes `verify_bel` refuse the
//! record and name that ballot (its height). A ballot whose every proof verifies but which holds a ciphertext
//! outside the group is refused by the membership batch and named by the one-by-one fallback. (Batches with
//! outsiders of every kind: `src/batch.rs`'s tests.)

use std::sync::OnceLock;

use carried_e2e::formats::{to_json, Ballot, Big, Proof};
use carried_e2e::rug::Integer;
use carried_e2e::{verify_bel, EventData, Record};
use proptest::prelude::*;

mod support;

const SINGLE: &[u8] = include_bytes!("fixtures/single-qn174aJGv3BpMM.bel");

fn records() -> &'static [Record; 2] {
    static R: OnceLock<[Record; 2]> = OnceLock::new();
    R.get_or_init(|| [support::carried_election().0, Record::from_bytes(SINGLE).expect("fixture")])
}

fn ballot_heights(rec: &Record) -> Vec<usize> {
    rec.events.iter().enumerate().filter(|(_, e)| matches!(e, EventData::Ballot { .. })).map(|(i, _)| i).collect()
}

/// Every proof of a ballot, in a fixed order.
fn proofs(b: &mut Ballot) -> Vec<&mut Proof> {
    let mut out: Vec<&mut Proof> = Vec::new();
    for a in &mut b.answers {
        for ps in &mut a.individual_proofs {
            out.extend(ps.iter_mut());
        }
        out.extend(a.overall_proof.iter_mut());
    }
    if let Some(s) = &mut b.signature {
        out.push(&mut s.proof);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_single_proof_corruption_is_refused_and_the_ballot_named(
        which_record in 0usize..2,
        which_ballot in 0usize..100,
        which_proof in 0usize..1000,
        challenge in any::<bool>(),
        delta in 1u32..1_000_000,
    ) {
        let mut rec = records()[which_record].clone();
        let heights = ballot_heights(&rec);
        let h = heights[which_ballot % heights.len()];
        let EventData::Ballot { ballot } = &rec.events[h] else { unreachable!() };
        let mut b: Ballot = serde_json::from_str(ballot).expect("ballot");
        {
            let mut ps = proofs(&mut b);
            let n = ps.len();
            let p = &mut ps[which_proof % n];
            let field = if challenge { &mut p.challenge } else { &mut p.response };
            // Stay in [0, q) so that only the proof equation is wrong, not the range.
            let q = &carried_e2e::group::BELENIOS_2048.q;
            *field = Big((Integer::from(&field.0 + delta)) % q);
        }
        rec.events[h] = EventData::Ballot { ballot: to_json(&b) };
        let err = verify_bel(&rec.to_bytes()).expect_err("a corrupted proof is refused").0;
        prop_assert!(err.contains(&format!("(height {h})")), "{}", err);
    }
}

#[test]
fn an_intact_record_still_verifies() {
    for rec in records() {
        verify_bel(&rec.to_bytes()).expect("verifies");
    }
}

/// A ballot whose ciphertext is outside the group (α times an element of order 3, which has Jacobi symbol 1)
/// but whose proofs and signature all verify (the prover drew nonces until every challenge that meets the
/// element of order 3 was a multiple of 3): only the batch's tests of the 3-component can see it, and the
/// one-by-one fallback names it.
#[test]
fn a_ciphertext_outside_the_group_with_valid_proofs_is_refused_and_named() {
    use carried_e2e::formats::{Answer, Ciphertext, Signature};
    use carried_e2e::{credential, ElectionCtx};
    let mut rec = Record::from_bytes(SINGLE).expect("fixture");
    let EventData::Setup { election, .. } = &rec.events[0] else { unreachable!() };
    let ctx = ElectionCtx::parse(election).expect("election");
    let g = ctx.group;
    let creds = include_str!("fixtures/single-private_creds.txt");
    let cred = creds.lines().next().and_then(|l| l.split_whitespace().nth(1)).expect("credential");
    let mut b = ctx.encrypt_ballot(cred, &[vec![1, 0], vec![0, 1, 0]]).expect("encrypts");
    // h of order 3.
    let e = Integer::from(&g.p - 1u32) / 3u32;
    let h = (2u32..).map(|z| g.pow(&Integer::from(z), &e)).find(|h| *h != 1).expect("an element of order 3");
    assert_eq!(h.jacobi(&g.p), 1);
    let s0 = ctx.ballot_prefix(&b.credential);
    let (r0, r1) = (g.random_nonzero_scalar(), g.random_nonzero_scalar());
    let mut ct0 = ctx.encrypt(1, &r0);
    ct0.alpha = Big(g.mul(&ct0.alpha, &h));
    assert!(!g.is_element(&ct0.alpha));
    let ct1 = ctx.encrypt(0, &r1);
    let prove = |s: &str, ct: &Ciphertext, r: &Integer, m: usize| loop {
        let p = ctx.prove_disjunction(s, ct, r, m, &[0, 1]);
        if ctx.verify_disjunction(s, ct, &[0, 1], &p) {
            return p;
        }
    };
    let individual_proofs = vec![prove(&s0, &ct0, &r0, 1), prove(&s0, &ct1, &r1, 0)];
    let s = format!("{s0}|{},{},{},{}", ct0.alpha, ct0.beta, ct1.alpha, ct1.beta);
    let sum = ctx.combine(&[ct0.clone(), ct1.clone()]);
    let overall_proof = prove(&s, &sum, &Integer::from(&r0 + &r1), 1);
    b.answers[0] = Answer { choices: vec![ct0, ct1], individual_proofs, overall_proof, blank_proof: None };
    b.signature = None;
    let hash = carried_e2e::election::sha256_b64(to_json(&b).as_bytes());
    let secret = credential::secret(g, &ctx.election.uuid, cred);
    let w = g.random_nonzero_scalar();
    let c = g.hash(&format!("sig|{hash}|"), &[&g.g_pow(&w)]);
    let r = g.response(&w, &secret, &c);
    b.signature = Some(Signature { hash, proof: Proof { challenge: Big(c), response: Big(r) } });
    // Every proof and the signature verify: only the membership batch can refuse it.
    let raw = to_json(&b);
    let mut members = Vec::new();
    assert_eq!(ctx.check_ballot_deferred(&b, &raw, &mut members), Ok(()));
    assert!(!carried_e2e::batch::MembershipPlan::of(g).all_members(g, &members));
    let err = ctx.check_ballot(&b).expect_err("outside the group");
    assert!(err.contains("not in the group"), "{err}");
    let end = ballot_heights(&rec).last().copied().expect("ballots") + 1;
    rec.events.truncate(end);
    rec.events.push(EventData::Ballot { ballot: to_json(&b) });
    let err = verify_bel(&rec.to_bytes()).expect_err("refused").0;
    assert!(
        err.contains(&format!("(height {end})"))
            && err.contains("question 1, answer 1: a ciphertext is not in the group"),
        "{err}"
    );
}

//! The batch verifier refuses every single-proof corruption: in a record made by this crate and in
//! belenios-tool's own record, any one challenge or response of any one ballot's signature, individual proof or
//! overall proof changed (the archive re-chained so that only the proof is wrong) makes `verify_bel` refuse the
//! record and name that ballot (its height). (Batches of group membership with outsiders of every kind:
//! `src/batch.rs`'s tests.)

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

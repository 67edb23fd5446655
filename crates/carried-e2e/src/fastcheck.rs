//! The verifier's check of a ballot: the same checks as [`ElectionCtx::check_ballot`], computed with fewer
//! exponentiations, with the group membership of the ballot's elements left to a batch test
//! ([`crate::batch::MembershipPlan`]) run over many ballots at once.
//!
//! Every proof is still checked exactly, one by one: a Belenios proof is a challenge and a response, and its
//! commitments go through the hash, so each commitment must be computed exactly and cannot be combined with
//! others. What is saved: every value stays in Montgomery form through a proof ([`crate::mont`]: GMP's mpn
//! products, no division); the powers of α (and of β) for all the branches of a proof share their squarings
//! ([`Mont::pow_many`]), so α^c0 and α^c1 cost about 1.4 exponentiations instead of 2; (β/g^m)^c is β^c times
//! g^(−m·c) from the table; the fixed-base tables for g and the election key y (a table lookup per byte of
//! the exponent instead of 256 squarings); the membership tests (x^q = 1, one full exponentiation per
//! element) become a few multiplications per element.

use rug::ops::RemRounding;
use rug::Integer;

use crate::election::{overall_prefix, sha256_b64, ElectionCtx};
use crate::formats::{Ballot, Ciphertext, Proof};
use crate::group::Group;
use crate::mont::{Mont, Table};

impl ElectionCtx {
    /// Checks a ballot whose JSON `raw` is canonical (`to_json(b) == raw`, checked by the caller) like
    /// [`ElectionCtx::check_ballot`], except that its credential and ciphertexts are not tested for group
    /// membership here: they are pushed onto `members`, which the caller must test (every element of it) before
    /// accepting the ballot. The error names what failed, as `check_ballot` does.
    pub fn check_ballot_deferred<'a>(
        &self,
        b: &'a Ballot,
        raw: &str,
        members: &mut Vec<&'a Integer>,
    ) -> Result<(), String> {
        let g = self.group;
        if b.election_uuid != self.election.uuid {
            return Err("the ballot is for another election (election_uuid)".into());
        }
        if b.election_hash != self.fingerprint {
            return Err("the ballot is for another election (election_hash)".into());
        }
        let Some(sig) = &b.signature else {
            return Err("the ballot is not signed".into());
        };
        // Canonical JSON with the signature last: the signed text is the JSON before it.
        let unsigned = match raw.rfind(",\"signature\":") {
            Some(at) => format!("{}}}", &raw[..at]),
            None => return Err("the ballot is not signed".into()),
        };
        if sig.hash != sha256_b64(unsigned.as_bytes()) {
            return Err("the signature's hash is not the ballot's".into());
        }
        let p = &sig.proof;
        if !g.is_scalar(&p.challenge) || !g.is_scalar(&p.response) {
            return Err("the signature is out of range".into());
        }
        let a = g.mul(&g.g_pow(&p.response), &g.pow(&b.credential, &p.challenge));
        if g.hash(&format!("sig|{}|", sig.hash), &[&a]) != p.challenge.0 {
            return Err("the credential's signature does not verify".into());
        }
        members.push(&b.credential);
        let qs = &self.election.questions;
        if b.answers.len() != qs.len() {
            return Err(format!("{} answers for {} questions", b.answers.len(), qs.len()));
        }
        let s0 = self.ballot_prefix(&b.credential);
        for (i, (q, a)) in qs.iter().zip(&b.answers).enumerate() {
            let qn = i + 1;
            if a.blank_proof.is_some() {
                return Err(format!("question {qn}: a blank proof where blank votes are not allowed"));
            }
            if a.choices.len() != q.answers.len() || a.individual_proofs.len() != q.answers.len() {
                return Err(format!("question {qn}: {} ciphertexts for {} answers", a.choices.len(), q.answers.len()));
            }
            for (j, (ct, proof)) in a.choices.iter().zip(&a.individual_proofs).enumerate() {
                if !in_range(self, ct) {
                    return Err(format!("question {qn}, answer {}: a ciphertext is not in the group", j + 1));
                }
                members.push(&ct.alpha);
                members.push(&ct.beta);
                if !self.verify_zero_one(&s0, ct, proof) {
                    return Err(format!("question {qn}, answer {}: the individual proof does not verify", j + 1));
                }
            }
            let ms: Vec<u64> = (u64::from(q.min)..=u64::from(q.max)).collect();
            let s = overall_prefix(&s0, &a.choices);
            if !self.verify_disjunction_fast(&s, &self.combine(&a.choices), &ms, &a.overall_proof) {
                return Err(format!("question {qn}: the overall proof does not verify"));
            }
        }
        Ok(())
    }

    /// An individual proof (the ciphertext encrypts 0 or 1).
    fn verify_zero_one(&self, s0: &str, ct: &Ciphertext, proofs: &[Proof]) -> bool {
        self.verify_disjunction_fast(s0, ct, &[0, 1], proofs)
    }

    /// A disjunctive proof (the ciphertext encrypts one of `ms`), its commitments computed by [`Fast`].
    fn verify_disjunction_fast(&self, s: &str, ct: &Ciphertext, ms: &[u64], proofs: &[Proof]) -> bool {
        let g = self.group;
        if proofs.len() != ms.len() || proofs.iter().any(|p| !g.is_scalar(&p.challenge) || !g.is_scalar(&p.response)) {
            return false;
        }
        let Some(fast) = self.fast() else {
            return self.verify_disjunction(s, ct, ms, proofs);
        };
        let Some(commitments) = fast.commitments(g, ct, ms, proofs) else {
            return false;
        };
        let refs: Vec<&Integer> = commitments.iter().collect();
        let sum = g.sum_mod_q(proofs.iter().map(|p| &p.challenge.0));
        g.hash(&format!("prove|{s}|{},{}|", ct.alpha, ct.beta), &refs) == sum
    }

    /// The verifier's Montgomery arithmetic and the tables of g and y, built on first use (None if the group's
    /// p is not a 2048-bit odd number: then the exponentiations go through GMP's mpz_powm).
    fn fast(&self) -> Option<&Fast> {
        self.fast
            .get_or_init(|| {
                let m = Mont::new(&self.group.p)?;
                let bits = self.group.q.significant_bits();
                let g = Table::new(&m, &m.to_mont(&self.group.g)?, bits);
                let y = Table::new(&m, &m.to_mont(&self.y)?, bits);
                Some(Fast { m, g, y })
            })
            .as_ref()
    }
}

/// Montgomery arithmetic modulo p with fixed-base tables for g and the election key y.
#[derive(Debug)]
pub(crate) struct Fast {
    m: Mont,
    g: Table,
    y: Table,
}

impl Fast {
    /// The commitments g^r·α^c and y^r·(β/g^m)^c of every branch (challenge c, response r) of a proof that
    /// (α, β) encrypts one of `ms`, in the order the hash takes them. α and β stay in Montgomery form
    /// throughout: the powers of α (and of β) for all the branches share their squarings
    /// ([`Mont::pow_many`]); g^r, y^r and (1/g^m)^c = g^(−m·c mod q) come from the tables. None if a value is
    /// out of range (α or β not below p, a challenge or response not in [0, 2^256)).
    fn commitments(&self, group: &Group, ct: &Ciphertext, ms: &[u64], proofs: &[Proof]) -> Option<Vec<Integer>> {
        let m = &self.m;
        let alpha = m.to_mont(&ct.alpha)?;
        let beta = m.to_mont(&ct.beta)?;
        let cs: Vec<&Integer> = proofs.iter().map(|p| &p.challenge.0).collect();
        let alpha_c = m.pow_many(&alpha, &cs)?;
        let beta_c = m.pow_many(&beta, &cs)?;
        let mut out = Vec::with_capacity(2 * ms.len());
        for (((k, p), ac), bc) in ms.iter().zip(proofs).zip(&alpha_c).zip(&beta_c) {
            out.push(m.to_integer(&m.mul(&self.g.pow(m, &p.response)?, ac)));
            let mut b = m.mul(&self.y.pow(m, &p.response)?, bc);
            if *k != 0 {
                let e = Integer::from(&p.challenge.0 * *k).rem_euc(&group.q);
                if e != 0 {
                    b = m.mul(&b, &self.g.pow(m, &(&group.q - e))?);
                }
            }
            out.push(m.to_integer(&b));
        }
        Some(out)
    }
}

/// 0 < α, β < p (the rest of membership is the batch's).
fn in_range(ctx: &ElectionCtx, ct: &Ciphertext) -> bool {
    let p = &ctx.group.p;
    *ct.alpha > 0 && *ct.alpha < *p && *ct.beta > 0 && *ct.beta < *p
}

#[cfg(test)]
mod tests {
    use crate::batch::MembershipPlan;
    use crate::formats::{to_json, Ballot, Big};
    use crate::{credential, ElectionCtx};

    const ELECTION: &str = include_str!("../tests/fixtures/single-election.json");
    const BALLOT: &str = include_str!("../tests/fixtures/single-ballot1.json");

    fn deferred(ctx: &ElectionCtx, b: &Ballot) -> Result<(), String> {
        let raw = to_json(b);
        let mut members = Vec::new();
        ctx.check_ballot_deferred(b, &raw, &mut members)?;
        if MembershipPlan::of(ctx.group).all_members(ctx.group, &members) {
            Ok(())
        } else {
            Err("not in the group".into())
        }
    }

    #[test]
    fn agrees_with_the_one_by_one_check_on_good_and_bad_ballots() {
        let ctx = ElectionCtx::parse(ELECTION.trim_end()).expect("election");
        let b: Ballot = serde_json::from_str(BALLOT.trim_end()).expect("ballot");
        assert_eq!(deferred(&ctx, &b), Ok(()));
        let ours = ctx.encrypt_ballot(&credential::generate(), &[vec![0, 1], vec![1, 1, 1]]).expect("encrypts");
        assert_eq!(deferred(&ctx, &ours), Ok(()));
        let mut bad = b.clone();
        bad.answers[1].overall_proof[2].response =
            Big(Integer::from(&bad.answers[1].overall_proof[2].response.0 + 1u32));
        assert!(deferred(&ctx, &bad).is_err());
        assert!(ctx.check_ballot(&bad).is_err());
        let mut minus = b.clone();
        minus.answers[0].choices[1].alpha = Big(Integer::from(&ctx.group.p - &minus.answers[0].choices[1].alpha.0));
        assert!(deferred(&ctx, &minus).is_err());
    }

    use rug::Integer;
}

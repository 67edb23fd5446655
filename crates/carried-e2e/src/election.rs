//! An election's parameters, ElGamal encryption, the disjunctive proofs, and ballots: making them (a voter) and
//! checking them (the service and any verifier). Formulas: Belenios 2.0, protocol version 1.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use rug::ops::RemRounding;
use rug::Integer;
use sha2::{Digest, Sha256};

use crate::formats::{to_json, Answer, Ballot, Big, Ciphertext, Election, Proof, Signature};
use crate::group::{self, FixedBase, Group};
use crate::{credential, Error};

/// Base64 (no padding) of SHA-256: fingerprints, signature hashes and ballot trackers.
pub fn sha256_b64(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(Sha256::digest(bytes))
}

/// Lowercase hex of SHA-256: archive entry names.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A ballot's tracker (its smart ballot tracker, the voter's receipt).
pub fn tracker(ballot_json: &str) -> String {
    sha256_b64(ballot_json.as_bytes())
}

/// An election, parsed, with the values every proof needs.
#[derive(Debug)]
pub struct ElectionCtx {
    /// The election JSON exactly as published (its fingerprint is over these bytes).
    pub raw: String,
    pub election: Election,
    /// φ = Base64(SHA-256(raw)).
    pub fingerprint: String,
    pub group: &'static Group,
    /// The election public key y.
    pub y: Integer,
    y_table: OnceLock<FixedBase>,
    pub(crate) g_inv: Integer,
    /// The verifier's Montgomery arithmetic and tables (src/fastcheck.rs), built on first use.
    pub(crate) fast: OnceLock<Option<crate::fastcheck::Fast>>,
}

impl ElectionCtx {
    /// Reads an election; refuses what Belenios 2.0 with homomorphic questions cannot run.
    pub fn parse(raw: &str) -> Result<ElectionCtx, Error> {
        let election: Election =
            serde_json::from_str(raw).map_err(|e| Error(format!("the election does not parse: {e}")))?;
        if election.version != 1 {
            return Err(Error(format!("election version {} is not 1", election.version)));
        }
        let group = group::by_name(&election.group)
            .ok_or_else(|| Error(format!("unknown group {:?} (Belenios 2.0 knows BELENIOS-2048)", election.group)))?;
        if !group.is_element(&election.public_key) {
            return Err(Error("the election public key is not in the group".into()));
        }
        if election.questions.is_empty() {
            return Err(Error("the election has no question".into()));
        }
        for (i, q) in election.questions.iter().enumerate() {
            if q.blank == Some(true) {
                return Err(Error(format!("question {}: blank votes are not supported", i + 1)));
            }
            if q.answers.is_empty() || q.min > q.max || q.max as usize > q.answers.len() {
                return Err(Error(format!("question {}: min/max do not fit its answers", i + 1)));
            }
        }
        let y = election.public_key.0.clone();
        Ok(ElectionCtx {
            raw: raw.to_owned(),
            fingerprint: sha256_b64(raw.as_bytes()),
            election,
            group,
            y,
            y_table: OnceLock::new(),
            g_inv: group.inv(&group.g),
            fast: OnceLock::new(),
        })
    }

    /// y^e for a public exponent e in [0, q) (fixed-base table, built on first use).
    pub fn y_pow(&self, e: &Integer) -> Integer {
        self.y_table
            .get_or_init(|| FixedBase::new(&self.y, &self.group.p, self.group.q.significant_bits()))
            .pow(e, &self.group.p)
    }

    /// g^(−m).
    fn g_neg(&self, m: u64) -> Integer {
        self.group.pow(&self.g_inv, &Integer::from(m))
    }

    /// ElGamal encryption of a small m with secret randomness r: (g^r, y^r·g^m).
    pub fn encrypt(&self, m: u64, r: &Integer) -> Ciphertext {
        let g = self.group;
        let alpha = g.g_pow_secret(r);
        let beta = g.mul(&g.pow_secret(&self.y, r), &g.g_small(m));
        Ciphertext { alpha: Big(alpha), beta: Big(beta) }
    }

    /// Proves that `ct` encrypts ms[true_index], knowing its randomness r.
    pub fn prove_disjunction(
        &self,
        s: &str,
        ct: &Ciphertext,
        r: &Integer,
        true_index: usize,
        ms: &[u64],
    ) -> Vec<Proof> {
        let g = self.group;
        let n = ms.len();
        let mut proofs: Vec<Option<Proof>> = vec![None; n];
        let mut commitments: Vec<Integer> = vec![Integer::new(); 2 * n];
        let mut fake_sum = Integer::new();
        for j in 0..n {
            if j == true_index {
                continue;
            }
            // A simulated branch: random challenge and response, commitments computed from them (all public).
            let c = g.random_scalar();
            let resp = g.random_scalar();
            let (a, b) = self.disjunct_commitments(ct, ms[j], &c, &resp);
            commitments[2 * j] = a;
            commitments[2 * j + 1] = b;
            fake_sum += &c;
            proofs[j] = Some(Proof { challenge: Big(c), response: Big(resp) });
        }
        let w = g.random_nonzero_scalar();
        commitments[2 * true_index] = g.g_pow_secret(&w);
        commitments[2 * true_index + 1] = g.pow_secret(&self.y, &w);
        let refs: Vec<&Integer> = commitments.iter().collect();
        let h = g.hash(&format!("prove|{s}|{},{}|", ct.alpha, ct.beta), &refs);
        let c = (h - fake_sum).rem_euc(&g.q);
        let resp = g.response(&w, r, &c);
        proofs[true_index] = Some(Proof { challenge: Big(c), response: Big(resp) });
        proofs
            .into_iter()
            .map(|p| p.unwrap_or_else(|| Proof { challenge: Big::default(), response: Big::default() }))
            .collect()
    }

    /// (g^r·α^c, y^r·(β/g^m)^c).
    pub(crate) fn disjunct_commitments(&self, ct: &Ciphertext, m: u64, c: &Integer, r: &Integer) -> (Integer, Integer) {
        let g = self.group;
        let a = g.mul(&g.g_pow(r), &g.pow(&ct.alpha, c));
        let beta_m = if m == 0 { ct.beta.0.clone() } else { g.mul(&ct.beta, &self.g_neg(m)) };
        let b = g.mul(&self.y_pow(r), &g.pow(&beta_m, c));
        (a, b)
    }

    /// Checks a disjunctive proof that `ct` encrypts one of `ms`. Does not check that α, β are in the group.
    pub fn verify_disjunction(&self, s: &str, ct: &Ciphertext, ms: &[u64], proofs: &[Proof]) -> bool {
        let g = self.group;
        if proofs.len() != ms.len() {
            return false;
        }
        let mut commitments = Vec::with_capacity(2 * ms.len());
        let mut sum = Integer::new();
        for (m, p) in ms.iter().zip(proofs) {
            if !g.is_scalar(&p.challenge) || !g.is_scalar(&p.response) {
                return false;
            }
            let (a, b) = self.disjunct_commitments(ct, *m, &p.challenge, &p.response);
            commitments.push(a);
            commitments.push(b);
            sum += &p.challenge.0;
        }
        let refs: Vec<&Integer> = commitments.iter().collect();
        g.hash(&format!("prove|{s}|{},{}|", ct.alpha, ct.beta), &refs) == sum.rem_euc(&g.q)
    }

    /// S0 = φ|C: the statement prefix binding a ballot's proofs to the election and the credential.
    pub fn ballot_prefix(&self, credential: &Integer) -> String {
        format!("{}|{}", self.fingerprint, credential)
    }

    /// Encrypts a voter's choices (one 0/1 per answer, per question) into a signed Belenios ballot.
    pub fn encrypt_ballot(&self, credential: &str, choices: &[Vec<u64>]) -> Result<Ballot, Error> {
        let g = self.group;
        let qs = &self.election.questions;
        if choices.len() != qs.len() {
            return Err(Error(format!("{} answers given for {} questions", choices.len(), qs.len())));
        }
        for (i, (q, m)) in qs.iter().zip(choices).enumerate() {
            if m.len() != q.answers.len() || m.iter().any(|x| *x > 1) {
                return Err(Error(format!("question {}: one 0 or 1 per answer is needed", i + 1)));
            }
            let sum: u64 = m.iter().sum();
            if sum < u64::from(q.min) || sum > u64::from(q.max) {
                return Err(Error(format!(
                    "question {}: {} answers chosen, between {} and {} allowed",
                    i + 1,
                    sum,
                    q.min,
                    q.max
                )));
            }
        }
        if !credential::is_valid(credential) {
            return Err(Error("the voting code is not a valid credential".into()));
        }
        let secret = credential::secret(g, &self.election.uuid, credential);
        let public = g.g_pow_secret(&secret);
        let s0 = self.ballot_prefix(&public);
        let answers: Vec<Answer> =
            qs.iter().zip(choices).map(|(q, m)| self.encrypt_answer(&s0, q.min, q.max, m)).collect();
        let mut ballot = Ballot {
            election_uuid: self.election.uuid.clone(),
            election_hash: self.fingerprint.clone(),
            credential: Big(public),
            answers,
            signature: None,
        };
        let hash = sha256_b64(to_json(&ballot).as_bytes());
        let w = g.random_nonzero_scalar();
        let commitment = g.g_pow_secret(&w);
        let c = g.hash(&format!("sig|{hash}|"), &[&commitment]);
        let r = g.response(&w, &secret, &c);
        ballot.signature = Some(Signature { hash, proof: Proof { challenge: Big(c), response: Big(r) } });
        Ok(ballot)
    }

    fn encrypt_answer(&self, s0: &str, min: u32, max: u32, m: &[u64]) -> Answer {
        let g = self.group;
        let rs: Vec<Integer> = m.iter().map(|_| g.random_nonzero_scalar()).collect();
        let choices: Vec<Ciphertext> = m.iter().zip(&rs).map(|(mi, r)| self.encrypt(*mi, r)).collect();
        let individual_proofs = m
            .iter()
            .zip(&rs)
            .zip(&choices)
            .map(|((mi, r), ct)| self.prove_disjunction(s0, ct, r, *mi as usize, &[0, 1]))
            .collect();
        let s = overall_prefix(s0, &choices);
        let sum_ct = self.combine(&choices);
        let sum_r = g.sum_mod_q(&rs);
        let total: u64 = m.iter().sum();
        let ms: Vec<u64> = (u64::from(min)..=u64::from(max)).collect();
        let overall_proof = self.prove_disjunction(&s, &sum_ct, &sum_r, (total - u64::from(min)) as usize, &ms);
        Answer { choices, individual_proofs, overall_proof, blank_proof: None }
    }

    /// The componentwise product of ciphertexts.
    pub fn combine(&self, cts: &[Ciphertext]) -> Ciphertext {
        let g = self.group;
        let mut a = Integer::from(1u32);
        let mut b = Integer::from(1u32);
        for ct in cts {
            a = g.mul(&a, &ct.alpha);
            b = g.mul(&b, &ct.beta);
        }
        Ciphertext { alpha: Big(a), beta: Big(b) }
    }

    /// Checks everything Belenios checks of a ballot except the credential list: the election it names, the
    /// signature over the rest of the ballot, the credential and every ciphertext in the group, every
    /// individual and overall proof, every challenge and response in range. The error names what failed.
    pub fn check_ballot(&self, b: &Ballot) -> Result<(), String> {
        let g = self.group;
        if b.election_uuid != self.election.uuid {
            return Err("the ballot is for another election (election_uuid)".into());
        }
        if b.election_hash != self.fingerprint {
            return Err("the ballot is for another election (election_hash)".into());
        }
        if !g.is_element(&b.credential) {
            return Err("the credential is not in the group".into());
        }
        let Some(sig) = &b.signature else {
            return Err("the ballot is not signed".into());
        };
        let unsigned = Ballot { signature: None, ..b.clone() };
        if sig.hash != sha256_b64(to_json(&unsigned).as_bytes()) {
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
                if !g.is_element(&ct.alpha) || !g.is_element(&ct.beta) {
                    return Err(format!("question {qn}, answer {}: a ciphertext is not in the group", j + 1));
                }
                if !self.verify_disjunction(&s0, ct, &[0, 1], proof) {
                    return Err(format!("question {qn}, answer {}: the individual proof does not verify", j + 1));
                }
            }
            let ms: Vec<u64> = (u64::from(q.min)..=u64::from(q.max)).collect();
            let s = overall_prefix(&s0, &a.choices);
            if !self.verify_disjunction(&s, &self.combine(&a.choices), &ms, &a.overall_proof) {
                return Err(format!("question {qn}: the overall proof does not verify"));
            }
        }
        Ok(())
    }
}

/// S0|α1,β1,…,αn,βn: the overall proof's statement prefix.
pub(crate) fn overall_prefix(s0: &str, choices: &[Ciphertext]) -> String {
    let mut s = String::with_capacity(s0.len() + choices.len() * 1300);
    s.push_str(s0);
    s.push('|');
    for (i, ct) in choices.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&ct.alpha.to_string());
        s.push(',');
        s.push_str(&ct.beta.to_string());
    }
    s
}

/// Turns answers given as tier 1 gives them into 0/1 choices per answer, for a question's answers:
/// `"yes"`/`"no"` for a Yes/No question, an option's text for a one-of question, an array of option texts for a
/// many-of question.
pub fn choices_from_answers(election: &Election, answers: &[serde_json::Value]) -> Result<Vec<Vec<u64>>, Error> {
    if answers.len() != election.questions.len() {
        return Err(Error(format!("{} answers given for {} questions", answers.len(), election.questions.len())));
    }
    let mut out = Vec::with_capacity(answers.len());
    for (i, (q, a)) in election.questions.iter().zip(answers).enumerate() {
        let pick = |text: &str| -> Result<usize, Error> {
            q.answers
                .iter()
                .position(|o| o.eq_ignore_ascii_case(text))
                .ok_or_else(|| Error(format!("question {}: {text:?} is not one of its answers", i + 1)))
        };
        let mut m = vec![0u64; q.answers.len()];
        match a {
            serde_json::Value::String(s) => m[pick(s)?] = 1,
            serde_json::Value::Bool(b) => m[pick(if *b { "yes" } else { "no" })?] = 1,
            serde_json::Value::Array(items) => {
                for item in items {
                    let s =
                        item.as_str().ok_or_else(|| Error(format!("question {}: options are given as text", i + 1)))?;
                    let k = pick(s)?;
                    if m[k] == 1 {
                        return Err(Error(format!("question {}: {s:?} is chosen twice", i + 1)));
                    }
                    m[k] = 1;
                }
            }
            _ => return Err(Error(format!("question {}: give an answer's text or an array of them", i + 1))),
        }
        out.push(m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ELECTION: &str = include_str!("../tests/fixtures/single-election.json");
    const BALLOT: &str = include_str!("../tests/fixtures/single-ballot1.json");

    #[test]
    fn a_belenios_ballot_checks_and_a_changed_one_does_not() {
        let ctx = ElectionCtx::parse(ELECTION.trim_end()).expect("election");
        let b: Ballot = serde_json::from_str(BALLOT.trim_end()).expect("ballot");
        assert_eq!(ctx.check_ballot(&b), Ok(()));
        let mut bad = b.clone();
        bad.answers[0].choices[0].beta = Big(ctx.group.mul(&bad.answers[0].choices[0].beta, &ctx.group.g));
        assert!(ctx.check_ballot(&bad).is_err());
    }

    #[test]
    fn our_ballots_check() {
        let ctx = ElectionCtx::parse(ELECTION.trim_end()).expect("election");
        let cred = credential::generate();
        let b = ctx.encrypt_ballot(&cred, &[vec![0, 1], vec![1, 0, 1]]).expect("encrypts");
        assert_eq!(ctx.check_ballot(&b), Ok(()));
        let back: Ballot = serde_json::from_str(&to_json(&b)).expect("reads back");
        assert_eq!(back, b);
        // Too many choices for min 0 max 1 are refused before encryption.
        assert!(ctx.encrypt_ballot(&cred, &[vec![1, 1], vec![0, 0, 0]]).is_err());
    }

    #[test]
    fn a_proof_for_another_credential_fails() {
        let ctx = ElectionCtx::parse(ELECTION.trim_end()).expect("election");
        let b = ctx.encrypt_ballot(&credential::generate(), &[vec![1, 0], vec![0, 0, 0]]).expect("encrypts");
        let mut other = b.clone();
        other.credential = Big(credential::public(ctx.group, &ctx.election.uuid, &credential::generate()));
        let err = ctx.check_ballot(&other).expect_err("refused");
        assert!(err.contains("signature"), "{err}");
    }

    fn own_election() -> (Integer, ElectionCtx) {
        let g = &*crate::group::BELENIOS_2048;
        let (x, key) = crate::trustee::keygen(g);
        let e = format!(
            r#"{{"version":1,"description":"d","name":"n","group":"BELENIOS-2048","public_key":"{}","questions":[{{"answers":["Yes","No"],"min":1,"max":1,"question":"q1"}},{{"answers":["a","b","c","d"],"min":0,"max":2,"question":"q2"}}],"uuid":"tdwJ6XSbdskFGb"}}"#,
            key.public_key
        );
        (x, ElectionCtx::parse(&e).expect("election"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]
        /// Any allowed choice makes a ballot that checks, decrypts to what was chosen, and stops checking when
        /// any one challenge or response of its proofs changes.
        #[test]
        fn ballots_check_decrypt_and_break_when_touched(
            yes in proptest::bool::ANY,
            picks in proptest::sample::subsequence(vec![0usize, 1, 2, 3], 0..=2),
            which in 0usize..1000,
        ) {
            let (x, ctx) = own_election();
            let g = ctx.group;
            let mut q2 = vec![0u64; 4];
            for p in &picks { q2[*p] = 1; }
            let choices = vec![if yes { vec![1, 0] } else { vec![0, 1] }, q2];
            let b = ctx.encrypt_ballot(&credential::generate(), &choices).expect("encrypts");
            proptest::prop_assert_eq!(ctx.check_ballot(&b), Ok(()));
            for (a, m) in b.answers.iter().zip(&choices) {
                for (ct, mi) in a.choices.iter().zip(m) {
                    let gm = g.div(&ct.beta, &g.pow(&ct.alpha, &x));
                    proptest::prop_assert_eq!(gm, g.g_small(*mi));
                }
            }
            let mut slots: Vec<(usize, usize, Option<usize>, bool)> = Vec::new();
            for (qi, a) in b.answers.iter().enumerate() {
                for (ci, ps) in a.individual_proofs.iter().enumerate() {
                    for k in 0..ps.len() { slots.push((qi, ci, Some(k), true)); slots.push((qi, ci, Some(k), false)); }
                }
                for k in 0..a.overall_proof.len() { slots.push((qi, k, None, true)); slots.push((qi, k, None, false)); }
            }
            let (qi, ci, k, challenge) = slots[which % slots.len()];
            let mut bad = b.clone();
            let p = match k {
                Some(k) => &mut bad.answers[qi].individual_proofs[ci][k],
                None => &mut bad.answers[qi].overall_proof[ci],
            };
            let field = if challenge { &mut p.challenge } else { &mut p.response };
            *field = Big(Integer::from(&field.0 + 1u32) % &g.q);
            let s0 = ctx.ballot_prefix(&b.credential);
            let a = &bad.answers[qi];
            let still = match k {
                Some(_) => ctx.verify_disjunction(&s0, &a.choices[ci], &[0, 1], &a.individual_proofs[ci]),
                None => {
                    let q = &ctx.election.questions[qi];
                    let ms: Vec<u64> = (u64::from(q.min)..=u64::from(q.max)).collect();
                    ctx.verify_disjunction(&overall_prefix(&s0, &a.choices), &ctx.combine(&a.choices), &ms, &a.overall_proof)
                }
            };
            proptest::prop_assert!(!still);
            proptest::prop_assert!(ctx.check_ballot(&bad).is_err());
        }
    }

    #[test]
    fn tier_one_answers_map_onto_choices() {
        let ctx = ElectionCtx::parse(ELECTION.trim_end()).expect("election");
        let a: Vec<serde_json::Value> = serde_json::from_str(r#"["yes", ["Alice", "Carol"]]"#).expect("json");
        assert_eq!(choices_from_answers(&ctx.election, &a).expect("maps"), vec![vec![1, 0], vec![1, 0, 1]]);
        let bad: Vec<serde_json::Value> = serde_json::from_str(r#"["maybe", []]"#).expect("json");
        assert!(choices_from_answers(&ctx.election, &bad).is_err());
    }
}

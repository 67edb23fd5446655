//! Trustees: key pairs with a proof of knowledge, partial decryptions with proofs, the checks of threshold
//! (Pedersen) trustee sets, and the combination of partial decryptions into the result.

use rug::ops::RemRounding;
use rug::Integer;

use crate::election::ElectionCtx;
use crate::formats::{
    Big, CertKeys, Ciphertext, EncryptedTally, PartialDecryption, Pedersen, Proof, RawCoefexps, SignedMsg, Trustee,
    TrusteePublicKey,
};
use crate::group::Group;

/// A new trustee key pair: the private exponent x and the public key g^x with its proof of knowledge.
pub fn keygen(group: &Group) -> (Integer, TrusteePublicKey) {
    let x = group.random_nonzero_scalar();
    let y = group.g_pow_secret(&x);
    let w = group.random_nonzero_scalar();
    let a = group.g_pow_secret(&w);
    let c = group.hash(&pok_prefix(group, &y), &[&a]);
    let r = group.response(&w, &x, &c);
    (x, TrusteePublicKey { pok: Proof { challenge: Big(c), response: Big(r) }, public_key: Big(y), name: None })
}

fn pok_prefix(group: &Group, y: &Integer) -> String {
    format!("pok|{}|{}|", group.name, y)
}

/// The public key is in the group and its proof of knowledge verifies.
pub fn check_public_key(group: &Group, k: &TrusteePublicKey) -> bool {
    let p = &k.pok;
    group.is_element(&k.public_key) && group.is_scalar(&p.challenge) && group.is_scalar(&p.response) && {
        let a = group.mul(&group.g_pow(&p.response), &group.pow(&k.public_key, &p.challenge));
        group.hash(&pok_prefix(group, &k.public_key), &[&a]) == p.challenge.0
    }
}

/// Reads a private key file: a JSON string holding x in base 10 (the form `belenios-tool` writes).
pub fn parse_private_key(group: &Group, text: &str) -> Result<Integer, crate::Error> {
    let s: String = serde_json::from_str(text.trim())
        .map_err(|_| crate::Error("the key file is not a JSON string holding the private key".into()))?;
    let x = crate::formats::parse_decimal(&s)
        .ok_or_else(|| crate::Error("the private key is not a decimal number".into()))?;
    if x <= 0 || x >= group.q {
        return Err(crate::Error("the private key is out of range".into()));
    }
    Ok(x)
}

fn decrypt_prefix(ctx: &ElectionCtx, key: &Integer) -> String {
    format!("decrypt|{}|{}|", ctx.fingerprint, key)
}

/// A trustee's partial decryption of the encrypted tally: α^x per ciphertext, each with a proof that it used
/// the same x as its public key.
pub fn partial_decrypt(ctx: &ElectionCtx, x: &Integer, tally: &EncryptedTally) -> PartialDecryption {
    let g = ctx.group;
    let key = g.g_pow_secret(x);
    let prefix = decrypt_prefix(ctx, &key);
    let mut factors = Vec::with_capacity(tally.len());
    let mut proofs = Vec::with_capacity(tally.len());
    for row in tally {
        let mut fr = Vec::with_capacity(row.len());
        let mut pr = Vec::with_capacity(row.len());
        for ct in row {
            fr.push(Big(g.pow_secret(&ct.alpha, x)));
            let w = g.random_nonzero_scalar();
            let a = g.g_pow_secret(&w);
            let b = g.pow_secret(&ct.alpha, &w);
            let c = g.hash(&prefix, &[&a, &b]);
            let r = g.response(&w, x, &c);
            pr.push(Proof { challenge: Big(c), response: Big(r) });
        }
        factors.push(fr);
        proofs.push(pr);
    }
    PartialDecryption { decryption_factors: factors, decryption_proofs: proofs }
}

/// Checks a partial decryption made with the key whose public part is `key` against `tally`.
pub fn check_partial_decryption(
    ctx: &ElectionCtx,
    key: &Integer,
    tally: &EncryptedTally,
    pd: &PartialDecryption,
) -> Result<(), String> {
    let g = ctx.group;
    if !same_shape(tally, &pd.decryption_factors) || !same_shape(tally, &pd.decryption_proofs) {
        return Err("its shape is not the tally's".into());
    }
    let prefix = decrypt_prefix(ctx, key);
    for (i, row) in tally.iter().enumerate() {
        for (j, ct) in row.iter().enumerate() {
            let f = &pd.decryption_factors[i][j];
            let p = &pd.decryption_proofs[i][j];
            if !g.is_element(f) {
                return Err(format!("question {}, answer {}: the factor is not in the group", i + 1, j + 1));
            }
            if !g.is_scalar(&p.challenge) || !g.is_scalar(&p.response) {
                return Err(format!("question {}, answer {}: the proof is out of range", i + 1, j + 1));
            }
            let a = g.mul(&g.g_pow(&p.response), &g.pow(key, &p.challenge));
            let b = g.mul(&g.pow(&ct.alpha, &p.response), &g.pow(f, &p.challenge));
            if g.hash(&prefix, &[&a, &b]) != p.challenge.0 {
                return Err(format!("question {}, answer {}: the decryption proof does not verify", i + 1, j + 1));
            }
        }
    }
    Ok(())
}

fn same_shape<A, B>(a: &[Vec<A>], b: &[Vec<B>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len())
}

fn verify_signed(group: &Group, vk: &Integer, m: &SignedMsg) -> bool {
    let p = &m.signature;
    group.is_scalar(&p.challenge) && group.is_scalar(&p.response) && {
        let a = group.mul(&group.g_pow(&p.response), &group.pow(vk, &p.challenge));
        group.hash(&format!("sigmsg|{}|", m.message), &[&a]) == p.challenge.0
    }
}

/// The coefficient commitments of a Pedersen set, per trustee (A_i0 … A_it).
pub fn pedersen_coefexps(p: &Pedersen) -> Result<Vec<Vec<Integer>>, String> {
    p.coefexps
        .iter()
        .enumerate()
        .map(|(i, m)| {
            serde_json::from_str::<RawCoefexps>(&m.message)
                .map(|r| r.coefexps.into_iter().map(|b| b.0).collect())
                .map_err(|e| format!("coefexps {} does not parse: {e}", i + 1))
        })
        .collect()
}

/// Checks a threshold trustee set as Belenios does: each cert signed by its own key, each coefexps signed by
/// its trustee, each verification key's proof of knowledge, the threshold, and each verification key equal
/// to Π_i Π_k A_ik^(j^k).
pub fn check_pedersen(group: &Group, p: &Pedersen) -> Result<(), String> {
    let n = p.certs.len();
    if n == 0 || p.coefexps.len() != n || p.verification_keys.len() != n {
        return Err("certs, coefexps and verification keys differ in number".into());
    }
    for (i, (cert, coef)) in p.certs.iter().zip(&p.coefexps).enumerate() {
        let keys: CertKeys =
            serde_json::from_str(&cert.message).map_err(|e| format!("cert {} does not parse: {e}", i + 1))?;
        if !group.is_element(&keys.verification) || !verify_signed(group, &keys.verification, cert) {
            return Err(format!("cert {} is not signed by its key", i + 1));
        }
        if !verify_signed(group, &keys.verification, coef) {
            return Err(format!("coefexps {} is not signed by trustee {}", i + 1, i + 1));
        }
    }
    let coefexps = pedersen_coefexps(p)?;
    let t = coefexps[0].len();
    if t == 0 || coefexps.iter().any(|c| c.len() != t) || p.threshold as usize != t {
        return Err("the threshold does not match the coefexps".into());
    }
    if coefexps.iter().flatten().any(|a| !group.is_element(a)) {
        return Err("a coefexp is not in the group".into());
    }
    for (j, vk) in p.verification_keys.iter().enumerate() {
        if !check_public_key(group, vk) {
            return Err(format!("verification key {}: its proof of knowledge does not verify", j + 1));
        }
        let jj = Integer::from(j + 1);
        let mut computed = Integer::from(1u32);
        for c in &coefexps {
            let mut jk = Integer::from(1u32);
            for a in c {
                computed = group.mul(&computed, &group.pow(a, &jk));
                jk *= &jj;
            }
        }
        if computed != vk.public_key.0 {
            return Err(format!("verification key {} is not the one the coefexps give", j + 1));
        }
    }
    Ok(())
}

/// The election key the trustees give: Π Single keys · Π Pedersen Π_i A_i0.
pub fn combine_keys(group: &Group, trustees: &[Trustee]) -> Result<Integer, String> {
    let mut y = Integer::from(1u32);
    for t in trustees {
        match t {
            Trustee::Single(k) => y = group.mul(&y, &k.public_key),
            Trustee::Pedersen(p) => {
                for c in pedersen_coefexps(p)? {
                    let a0 = c.first().ok_or("empty coefexps")?;
                    y = group.mul(&y, a0);
                }
            }
        }
    }
    Ok(y)
}

/// The public key a partial decryption of owner `owner` (1-based over the flattened trustees) is checked
/// against, and where that owner sits: (trustee entry, index within a Pedersen set).
pub fn owner_key(trustees: &[Trustee], owner: usize) -> Option<(usize, usize, &Integer)> {
    let mut base = 0;
    for (i, t) in trustees.iter().enumerate() {
        let n = t.members();
        if owner > base && owner <= base + n {
            let k = owner - base - 1;
            let key = match t {
                Trustee::Single(s) => &s.public_key.0,
                Trustee::Pedersen(p) => &p.verification_keys[k].public_key.0,
            };
            return Some((i, k, key));
        }
        base += n;
    }
    None
}

/// λ_j = Π_{k∈I, k≠j} k/(k−j) mod q.
fn lagrange(group: &Group, indexes: &[usize], j: usize) -> Integer {
    let mut acc = Integer::from(1u32);
    for &k in indexes {
        if k == j {
            continue;
        }
        let kj = Integer::from(k as i64 - j as i64).rem_euc(&group.q);
        let inv = kj.invert(&group.q).unwrap_or_default();
        acc = acc * k * inv % &group.q;
    }
    acc
}

/// Combines checked partial decryptions (by owner) into the decryption factors F of the tally. Fails when a
/// trustee is missing or a threshold set has too few.
pub fn combine_factors(
    ctx: &ElectionCtx,
    trustees: &[Trustee],
    tally: &EncryptedTally,
    by_owner: &std::collections::BTreeMap<usize, PartialDecryption>,
) -> Result<Vec<Vec<Integer>>, String> {
    let g = ctx.group;
    let mut f: Vec<Vec<Integer>> = tally.iter().map(|row| row.iter().map(|_| Integer::from(1u32)).collect()).collect();
    let mut multiply = |pd: &PartialDecryption, exp: Option<&Integer>| {
        for (fi, pi) in f.iter_mut().zip(&pd.decryption_factors) {
            for (x, y) in fi.iter_mut().zip(pi) {
                let y = match exp {
                    Some(e) => g.pow(y, e),
                    None => y.0.clone(),
                };
                *x = g.mul(x, &y);
            }
        }
    };
    let mut base = 0;
    for (i, t) in trustees.iter().enumerate() {
        match t {
            Trustee::Single(_) => {
                let pd = by_owner.get(&(base + 1)).ok_or(format!("trustee {} has not decrypted", base + 1))?;
                multiply(pd, None);
            }
            Trustee::Pedersen(p) => {
                let n = p.verification_keys.len();
                let have: Vec<usize> = (1..=n).filter(|k| by_owner.contains_key(&(base + k))).collect();
                let need = p.threshold as usize;
                if have.len() < need {
                    return Err(format!(
                        "trustee set {}: {} partial decryption(s) of the {} needed: {} more needed",
                        i + 1,
                        have.len(),
                        need,
                        need - have.len()
                    ));
                }
                let chosen = &have[..need];
                for &k in chosen {
                    let l = lagrange(g, chosen, k);
                    if let Some(pd) = by_owner.get(&(base + k)) {
                        multiply(pd, Some(&l));
                    }
                }
            }
        }
        base += t.members();
    }
    Ok(f)
}

/// The result of a closed ballot from its trustees' partial decryptions (by owner, 1-based over the flattened
/// trustees): every partial decryption is checked against the tally and its owner's key, then they are
/// combined (Lagrange for threshold sets) and the counts found. Refused, naming how many more are needed,
/// while a trustee or too many of a threshold set have not decrypted.
pub fn result_from_partials(
    ctx: &ElectionCtx,
    trustees: &[Trustee],
    tally: &EncryptedTally,
    total_weight: u64,
    by_owner: &std::collections::BTreeMap<usize, PartialDecryption>,
) -> Result<Vec<Vec<u64>>, crate::Error> {
    for (owner, pd) in by_owner {
        let (_, _, key) =
            owner_key(trustees, *owner).ok_or_else(|| crate::Error(format!("owner {owner} is no trustee")))?;
        check_partial_decryption(ctx, key, tally, pd)
            .map_err(|e| crate::Error(format!("partial decryption of trustee {owner}: {e}")))?;
    }
    let factors = combine_factors(ctx, trustees, tally, by_owner)
        .map_err(|e| crate::Error(format!("the result cannot be computed yet: {e}")))?;
    decrypt_counts(ctx, tally, &factors, total_weight).map_err(crate::Error)
}

/// The counts: for each tally ciphertext, the m ≤ max with g^m = β/F.
pub fn decrypt_counts(
    ctx: &ElectionCtx,
    tally: &EncryptedTally,
    factors: &[Vec<Integer>],
    max: u64,
) -> Result<Vec<Vec<u64>>, String> {
    let g = ctx.group;
    // Baby steps: g^0 … g^max once, then a lookup per ciphertext.
    let mut table = std::collections::HashMap::with_capacity(max as usize + 1);
    let mut acc = Integer::from(1u32);
    for m in 0..=max {
        table.entry(acc.clone()).or_insert(m);
        acc = g.mul(&acc, &g.g);
    }
    tally
        .iter()
        .zip(factors)
        .enumerate()
        .map(|(i, (row, frow))| {
            row.iter()
                .zip(frow)
                .enumerate()
                .map(|(j, (ct, f))| {
                    let gm = g.div(&ct.beta, f);
                    table.get(&gm).copied().ok_or(format!(
                        "question {}, answer {}: the decrypted count is not between 0 and {max}",
                        i + 1,
                        j + 1
                    ))
                })
                .collect()
        })
        .collect()
}

/// Raises a ciphertext to a small public weight.
pub fn pow_ciphertext(g: &Group, ct: &Ciphertext, w: u64) -> Ciphertext {
    if w == 1 {
        return ct.clone();
    }
    let e = Integer::from(w);
    Ciphertext { alpha: Big(g.pow(&ct.alpha, &e)), beta: Big(g.pow(&ct.beta, &e)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::BELENIOS_2048;

    #[test]
    fn our_keys_prove_knowledge_and_a_changed_key_does_not() {
        let g = &*BELENIOS_2048;
        let (x, k) = keygen(g);
        assert!(check_public_key(g, &k));
        assert_eq!(g.g_pow(&x), k.public_key.0);
        let mut bad = k.clone();
        bad.public_key = Big(g.mul(&k.public_key, &g.g));
        assert!(!check_public_key(g, &bad));
    }

    #[test]
    fn private_key_files_read_like_belenios_tool_writes_them() {
        let g = &*BELENIOS_2048;
        assert_eq!(parse_private_key(g, "\"12345\"\n").expect("reads"), 12345);
        assert!(parse_private_key(g, "12345").is_err());
        assert!(parse_private_key(g, "\"0\"").is_err());
    }

    #[test]
    fn lagrange_at_zero_recovers_a_line() {
        let g = &*BELENIOS_2048;
        // f(x) = 7 + 3x: f(1) = 10, f(3) = 16, f(0) = λ1·10 + λ3·16.
        let idx = [1usize, 3];
        let s = (lagrange(g, &idx, 1) * Integer::from(10) + lagrange(g, &idx, 3) * Integer::from(16)) % &g.q;
        assert_eq!(s, 7);
    }
}

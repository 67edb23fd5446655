//! Montgomery arithmetic modulo a 2048-bit odd p on GMP's low-level `mpn` functions, for the verifier.
//!
//! Why: GMP's `mpz_powm` works in Montgomery form inside, but a product computed by hand through `rug` (a
//! product, then a division) costs about 1.3 times one of its steps, so the verifier could not share work
//! between exponentiations (squarings of a base used by two exponents, fixed-base tables) without losing it
//! again in every multiplication. Here a value stays in Montgomery form (x·R mod p, R = 2^2048) through the
//! whole check of a ciphertext: a product is `mpn_mul_n` (or `mpn_sqr`) and a word-by-word Montgomery
//! reduction made of `mpn_addmul_1` calls (GMP's assembly), with no division and no allocation.
//!
//! Variable time (branches and table lookups depend on the exponents): PUBLIC values only. Nothing secret
//! (keys, encryption randomness, proof nonces) may go through this module; those use `mpz_powm_sec`.
//!
//! The unsafe code is the calls into GMP on fixed-size arrays; every call's lengths are the arrays' own.

#![allow(unsafe_code)]

use gmp_mpfr_sys::gmp::{self, limb_t};
use rug::integer::Order;
use rug::Integer;

/// Bits of the modulus this module handles (both Belenios 2.0 groups have a 2048-bit p).
pub const BITS: u32 = 2048;
const LIMB_BITS: usize = limb_t::BITS as usize;
/// Limbs of one value.
pub const LIMBS: usize = BITS as usize / LIMB_BITS;
const N: gmp::size_t = LIMBS as gmp::size_t;

/// A value x·R mod p in Montgomery form, always fully reduced (below p), so equal values have equal limbs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Elem([limb_t; LIMBS]);

/// Arithmetic modulo one p.
#[derive(Debug)]
pub struct Mont {
    p: [limb_t; LIMBS],
    /// −p^(−1) mod 2^LIMB_BITS.
    pinv: limb_t,
    /// R² mod p, in plain form (a Montgomery product with it enters Montgomery form).
    r2: [limb_t; LIMBS],
    /// 1 in Montgomery form (R mod p).
    one: Elem,
    modulus: Integer,
}

/// The limbs of 0 ≤ x < 2^2048, least significant first.
fn limbs_of(x: &Integer) -> Option<[limb_t; LIMBS]> {
    let l = x.as_limbs();
    if *x < 0 || l.len() > LIMBS {
        return None;
    }
    let mut out = [0; LIMBS];
    out[..l.len()].copy_from_slice(l);
    Some(out)
}

/// −a^(−1) mod 2^LIMB_BITS for an odd a (Newton's iteration: each step doubles the correct low bits).
fn neg_inverse(a: limb_t) -> limb_t {
    // a·a ≡ 1 (mod 8) for odd a: three correct bits to start.
    let mut x = a;
    for _ in 0..6 {
        x = x.wrapping_mul(limb_t::from(2u8).wrapping_sub(a.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

impl Mont {
    /// The arithmetic modulo p, if p is odd and exactly [`BITS`] bits long.
    pub fn new(p: &Integer) -> Option<Mont> {
        if p.significant_bits() != BITS || p.is_even() {
            return None;
        }
        let pl = limbs_of(p)?;
        let r = Integer::from(1u32) << BITS;
        let one = limbs_of(&Integer::from(&r % p))?;
        let r2 = limbs_of(&(Integer::from(r.square_ref()) % p))?;
        Some(Mont { p: pl, pinv: neg_inverse(pl[0]), r2, one: Elem(one), modulus: p.clone() })
    }

    pub fn modulus(&self) -> &Integer {
        &self.modulus
    }

    /// 1 in Montgomery form.
    pub fn one(&self) -> Elem {
        self.one
    }

    /// t·R^(−1) mod p for t < p·R (Montgomery's reduction, one limb at a time), fully reduced.
    fn redc(&self, t: &mut [limb_t; 2 * LIMBS]) -> Elem {
        let tp = t.as_mut_ptr();
        let mut r: [limb_t; LIMBS] = [0; LIMBS];
        // SAFETY: t has 2·LIMBS limbs; each mpn_addmul_1 writes LIMBS limbs from limb i ≤ LIMBS − 1, so inside
        // t, and reads the LIMBS limbs of p (a separate array). mpn_add_n reads t's two halves and writes r
        // (LIMBS limbs each); mpn_cmp and mpn_sub_n read and write LIMBS limbs of r and p (mpn_sub_n allows its
        // result to be its first operand).
        unsafe {
            for i in 0..LIMBS {
                let u = (*tp.add(i)).wrapping_mul(self.pinv);
                // Adding u·p·2^(64i) clears limb i; its carry out belongs at limb i + LIMBS. Keep it in the
                // cleared limb and add all of them at the end.
                let carry = gmp::mpn_addmul_1(tp.add(i), self.p.as_ptr(), N, u);
                *tp.add(i) = carry;
            }
            // (t + U·p)/R = high half + carries < 2p.
            let over = gmp::mpn_add_n(r.as_mut_ptr(), tp.add(LIMBS), tp, N);
            if over != 0 || gmp::mpn_cmp(r.as_ptr(), self.p.as_ptr(), N) >= 0 {
                gmp::mpn_sub_n(r.as_mut_ptr(), r.as_ptr(), self.p.as_ptr(), N);
            }
        }
        Elem(r)
    }

    /// a·b (Montgomery product: a·b·R^(−1) on the representations).
    pub fn mul(&self, a: &Elem, b: &Elem) -> Elem {
        let mut t: [limb_t; 2 * LIMBS] = [0; 2 * LIMBS];
        // SAFETY: a and b have LIMBS limbs, t has 2·LIMBS and is a separate array, as mpn_mul_n requires.
        unsafe { gmp::mpn_mul_n(t.as_mut_ptr(), a.0.as_ptr(), b.0.as_ptr(), N) };
        self.redc(&mut t)
    }

    /// a².
    pub fn sqr(&self, a: &Elem) -> Elem {
        let mut t: [limb_t; 2 * LIMBS] = [0; 2 * LIMBS];
        // SAFETY: a has LIMBS limbs, t has 2·LIMBS and is a separate array, as mpn_sqr requires.
        unsafe { gmp::mpn_sqr(t.as_mut_ptr(), a.0.as_ptr(), N) };
        self.redc(&mut t)
    }

    /// x in Montgomery form, for 0 ≤ x < p (None otherwise).
    pub fn to_mont(&self, x: &Integer) -> Option<Elem> {
        if *x >= self.modulus {
            return None;
        }
        let plain = limbs_of(x)?;
        let mut t: [limb_t; 2 * LIMBS] = [0; 2 * LIMBS];
        // SAFETY: as in `mul`: LIMBS-limb operands, a separate 2·LIMBS-limb result.
        unsafe { gmp::mpn_mul_n(t.as_mut_ptr(), plain.as_ptr(), self.r2.as_ptr(), N) };
        Some(self.redc(&mut t))
    }

    /// The value a represents, in [0, p).
    pub fn to_integer(&self, a: &Elem) -> Integer {
        let mut t: [limb_t; 2 * LIMBS] = [0; 2 * LIMBS];
        t[..LIMBS].copy_from_slice(&a.0);
        let plain = self.redc(&mut t);
        Integer::from_digits(&plain.0, Order::Lsf)
    }

    /// base^e for several exponents 0 ≤ e < 2^(4·64) sharing the squarings of the base (Yao's method with
    /// 4-bit digits): about 252 squarings in all, then for each exponent one product per nonzero digit and
    /// at most 30 to combine the digits. None if an exponent is negative or longer than 256 bits.
    pub fn pow_many(&self, base: &Elem, exps: &[&Integer]) -> Option<Vec<Elem>> {
        const W: usize = 4;
        const DIGITS: usize = 64;
        if exps.iter().any(|e| **e < 0 || e.significant_bits() > (W * DIGITS) as u32) {
            return None;
        }
        let limbs: Vec<&[limb_t]> = exps.iter().map(|e| e.as_limbs()).collect();
        let used = limbs.iter().map(|l| l.len()).max().unwrap_or(0);
        let digits = (used * LIMB_BITS).div_ceil(W).min(DIGITS);
        // powers[k] = base^(2^(4k)).
        let mut powers = Vec::with_capacity(digits);
        let mut b = *base;
        for k in 0..digits {
            if k > 0 {
                for _ in 0..W {
                    b = self.sqr(&b);
                }
            }
            powers.push(b);
        }
        Some(
            limbs
                .iter()
                .map(|l| {
                    let mut buckets = Buckets::new();
                    for (k, pw) in powers.iter().enumerate() {
                        let bit = k * W;
                        let d = l.get(bit / LIMB_BITS).map_or(0, |x| (x >> (bit % LIMB_BITS)) & 0xf) as usize;
                        buckets.add(self, d, pw);
                    }
                    buckets.combine(self)
                })
                .collect(),
        )
    }

    /// Π xs[i]^es[i] for 32-bit exponents (Straus/bucket method with 8-bit windows): 24 squarings, then per
    /// window one product per element with a nonzero digit and at most 510 to combine the digits.
    pub fn multi_pow_u32(&self, xs: &[Elem], es: &[u32]) -> Elem {
        let mut acc: Option<Elem> = None;
        for window in (0..4u32).rev() {
            if let Some(a) = acc.as_mut() {
                for _ in 0..8 {
                    *a = self.sqr(a);
                }
            }
            let mut buckets: Vec<Option<Elem>> = vec![None; 256];
            for (x, e) in xs.iter().zip(es) {
                let d = ((e >> (8 * window)) & 0xff) as usize;
                if d != 0 {
                    mul_into(self, &mut buckets[d], x);
                }
            }
            let s = digit_sum(self, &buckets);
            acc = Some(match (acc, s) {
                (None, s) => s.unwrap_or(self.one),
                (Some(a), None) => a,
                (Some(a), Some(s)) => self.mul(&a, &s),
            });
        }
        acc.unwrap_or(self.one)
    }
}

/// acc ← acc·x (acc empty means 1).
pub fn mul_into(m: &Mont, acc: &mut Option<Elem>, x: &Elem) {
    *acc = Some(match acc {
        None => *x,
        Some(a) => m.mul(a, x),
    });
}

/// Π_d B_d^d for buckets B_1 … B_(n−1) (running products, at most 2(n − 1) multiplications); None for 1.
pub fn digit_sum(m: &Mont, buckets: &[Option<Elem>]) -> Option<Elem> {
    let mut running: Option<Elem> = None;
    let mut total: Option<Elem> = None;
    for b in buckets.iter().skip(1).rev() {
        if let Some(b) = b {
            mul_into(m, &mut running, b);
        }
        if let Some(r) = &running {
            mul_into(m, &mut total, r);
        }
    }
    total
}

/// The 16 buckets of one exponent in [`Mont::pow_many`].
struct Buckets([Option<Elem>; 16]);

impl Buckets {
    fn new() -> Buckets {
        Buckets([None; 16])
    }

    fn add(&mut self, m: &Mont, d: usize, x: &Elem) {
        if d != 0 {
            mul_into(m, &mut self.0[d], x);
        }
    }

    fn combine(&self, m: &Mont) -> Elem {
        digit_sum(m, &self.0).unwrap_or(m.one)
    }
}

/// A fixed-base table in Montgomery form (8-bit windows): base^(d·2^(8k)) for every window k and digit d,
/// so base^e costs one product per nonzero byte of e and no squaring.
pub struct Table {
    rows: Vec<Vec<Elem>>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({} rows of 256)", self.rows.len())
    }
}

impl Table {
    /// The table of `base` for exponents below 2^bits.
    pub fn new(m: &Mont, base: &Elem, bits: u32) -> Table {
        let count = bits.div_ceil(8) as usize;
        let mut rows = Vec::with_capacity(count);
        let mut b = *base;
        for _ in 0..count {
            let mut row = Vec::with_capacity(256);
            let mut acc = m.one;
            for _ in 0..256 {
                row.push(acc);
                acc = m.mul(&acc, &b);
            }
            // acc is b^256: the next window's base.
            b = acc;
            rows.push(row);
        }
        Table { rows }
    }

    /// base^e, or None if e is negative or beyond the table.
    pub fn pow(&self, m: &Mont, e: &Integer) -> Option<Elem> {
        if *e < 0 || e.significant_bits() as usize > 8 * self.rows.len() {
            return None;
        }
        let mut acc: Option<Elem> = None;
        let mut k = 0;
        for limb in e.as_limbs() {
            for byte in 0..LIMB_BITS / 8 {
                let d = ((limb >> (8 * byte)) & 0xff) as usize;
                if d != 0 {
                    mul_into(m, &mut acc, &self.rows.get(k)?[d]);
                }
                k += 1;
            }
        }
        Some(acc.unwrap_or(m.one))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{BELENIOS_2048, RFC_3526_2048};
    use proptest::prelude::*;

    /// A result is fully reduced (below p): equal values must have equal limbs.
    fn reduced(m: &Mont, a: &Elem) -> bool {
        Integer::from_digits(&a.0, Order::Lsf) < m.modulus
    }

    fn edge_values(p: &Integer) -> Vec<Integer> {
        vec![
            Integer::new(),
            Integer::from(1u32),
            Integer::from(2u32),
            Integer::from(p - 1u32),
            Integer::from(p - 2u32),
            Integer::from(p >> 1u32),
            (Integer::from(1u32) << 2047u32) % p,
            Integer::from(u64::MAX),
        ]
    }

    #[test]
    fn products_agree_with_rug_on_edge_values() {
        for g in [&*BELENIOS_2048, &*RFC_3526_2048] {
            let m = Mont::new(&g.p).expect("2048-bit odd p");
            let mut vals = edge_values(&g.p);
            vals.extend((0..6).map(|_| g.g_pow(&g.random_scalar())));
            for a in &vals {
                let am = m.to_mont(a).expect("below p");
                assert!(reduced(&m, &am));
                assert_eq!(m.to_integer(&am), *a, "round trip");
                assert!(reduced(&m, &m.sqr(&am)));
                assert_eq!(m.to_integer(&m.sqr(&am)), g.mul(a, a), "square");
                for b in &vals {
                    let bm = m.to_mont(b).expect("below p");
                    let ab = m.mul(&am, &bm);
                    assert!(reduced(&m, &ab), "{a} · {b} not reduced");
                    assert_eq!(m.to_integer(&ab), g.mul(a, b), "{a} · {b}");
                }
            }
            assert_eq!(m.to_integer(&m.one()), 1);
            assert!(m.to_mont(&g.p).is_none());
            assert!(m.to_mont(&Integer::from(-1)).is_none());
        }
    }

    #[test]
    fn only_2048_bit_odd_moduli() {
        assert!(Mont::new(&Integer::from(1_000_003u32)).is_none());
        assert!(Mont::new(&(Integer::from(1u32) << 2048u32)).is_none());
        assert!(Mont::new(&(Integer::from(1u32) << 2047u32)).is_none());
        assert!(Mont::new(&((Integer::from(1u32) << 2047u32) + 1u32)).is_some());
    }

    #[test]
    fn shared_squarings_and_tables_agree_with_powm() {
        let g = &*BELENIOS_2048;
        let m = Mont::new(&g.p).expect("p");
        let base = g.g_pow(&g.random_scalar());
        let bm = m.to_mont(&base).expect("below p");
        let mut es: Vec<Integer> = (0..4).map(|_| g.random_scalar()).collect();
        es.extend([
            Integer::new(),
            Integer::from(1u32),
            Integer::from(15u32),
            Integer::from(16u32),
            Integer::from(&g.q - 1u32),
            (Integer::from(1u32) << 256u32) - 1u32,
        ]);
        let refs: Vec<&Integer> = es.iter().collect();
        let got = m.pow_many(&bm, &refs).expect("256-bit exponents");
        let table = Table::new(&m, &bm, 256);
        for (e, r) in es.iter().zip(&got) {
            assert_eq!(m.to_integer(r), g.pow(&base, e), "pow_many, e = {e}");
            assert_eq!(m.to_integer(&table.pow(&m, e).expect("fits")), g.pow(&base, e), "table, e = {e}");
        }
        // Small exponents only: fewer digits.
        let small = [Integer::from(3u32), Integer::from(0x1234u32)];
        let sr: Vec<&Integer> = small.iter().collect();
        for (e, r) in small.iter().zip(m.pow_many(&bm, &sr).expect("small")) {
            assert_eq!(m.to_integer(&r), g.pow(&base, e));
        }
        assert!(m.pow_many(&bm, &[&Integer::from(-1)]).is_none());
        assert!(m.pow_many(&bm, &[&(Integer::from(1u32) << 256u32)]).is_none());
        assert!(table.pow(&m, &Integer::from(-1)).is_none());
        assert!(table.pow(&m, &(Integer::from(1u32) << 256u32)).is_none());
    }

    #[test]
    fn multi_exponentiation_agrees_with_separate_powers() {
        let g = &*BELENIOS_2048;
        let m = Mont::new(&g.p).expect("p");
        let xs: Vec<Integer> = (0..9).map(|_| g.g_pow(&g.random_scalar())).collect();
        let es: Vec<u32> = (0..9u32).map(|i| 0xdead_beef_u32.wrapping_mul(i + 1)).chain([0, u32::MAX]).collect();
        let xs: Vec<Integer> = xs.into_iter().chain([Integer::from(1u32), Integer::from(&g.p - 1u32)]).collect();
        let mut expected = Integer::from(1u32);
        for (x, e) in xs.iter().zip(&es) {
            expected = g.mul(&expected, &g.pow(x, &Integer::from(*e)));
        }
        let xm: Vec<Elem> = xs.iter().map(|x| m.to_mont(x).expect("below p")).collect();
        assert_eq!(m.to_integer(&m.multi_pow_u32(&xm, &es)), expected);
        assert_eq!(m.to_integer(&m.multi_pow_u32(&[], &[])), 1);
        assert_eq!(m.to_integer(&m.multi_pow_u32(&xm[..1], &[0])), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_products_agree_with_rug(a in proptest::collection::vec(any::<u64>(), 32),
                                          b in proptest::collection::vec(any::<u64>(), 32)) {
            let g = &*BELENIOS_2048;
            let m = Mont::new(&g.p).expect("p");
            let a = Integer::from_digits(&a, Order::Lsf) % &g.p;
            let b = Integer::from_digits(&b, Order::Lsf) % &g.p;
            let (am, bm) = (m.to_mont(&a).expect("a"), m.to_mont(&b).expect("b"));
            let (ab, aa) = (m.mul(&am, &bm), m.sqr(&am));
            prop_assert!(reduced(&m, &ab) && reduced(&m, &aa));
            prop_assert_eq!(m.to_integer(&ab), g.mul(&a, &b));
            prop_assert_eq!(m.to_integer(&aa), g.mul(&a, &a));
        }
    }
}

//! Batch verification for the verifier: group membership of many elements at once (random small-exponent
//! combinations).
//!
//! # Group membership in a batch
//!
//! Z_p^* is cyclic of order p − 1 = q·k, so it is the direct product of G_q (the group of the election) and
//! of subgroups whose orders are the prime powers of k. An x in (0, p) is in G_q iff every one of its
//! components outside G_q is trivial. [`MembershipPlan`] writes k = 2 · ℓ_1 ⋯ ℓ_s · m, with ℓ_i the odd primes
//! below [`TRIAL_BOUND`] (each dividing k once) and m free of primes below the bound, and checks:
//!
//! 1. each x exactly: 0 < x < p and the Jacobi symbol (x | p) = 1 (x is a square: its 2-component is trivial,
//!    since 2 divides p − 1 once);
//! 2. for each small ℓ, T_ℓ = ⌈64 / log2 ℓ⌉ tests: with fresh random e_x ∈ [0, ℓ), Y = Π x^(e_x) and
//!    Y^((p−1)/ℓ) = 1. An x with a nontrivial ℓ-component passes one test with probability 1/ℓ, all of
//!    them with probability ℓ^(−T_ℓ) ≤ 2^(−64);
//! 3. if m > 1, [`REST_TESTS`] tests: with fresh random e_x ∈ [0, 2^32), X = Π x^(e_x) and
//!    X^((p−1)/m) = 1. A nontrivial m-component has order at least the bound B = 2^20, so one test passes it
//!    with probability at most 1/B + 2^(−32) and all four with probability below 2^(−79).
//!
//! Members pass every test. A set holding any non-member passes with probability below 2^(−63) (union of
//! the bounds above), whatever the adversary chose, because the exponents are drawn after the record is
//! read, from a ChaCha generator (`StdRng`) seeded from the operating system's for each batch. For BELENIOS-2048, k = 2 · 3 · m (m has 1,790 bits and no
//! prime factor below 2^20); RFC-3526-2048 has k = 2, so step 1 alone is exact.

use std::sync::OnceLock;

use rand::rngs::{OsRng, StdRng};
use rand::{Rng, RngCore, SeedableRng};
use rug::Integer;

use crate::group::Group;
use crate::mont::{self, Elem, Mont};

/// Trial division bound for the odd part of the cofactor.
pub const TRIAL_BOUND: u32 = 1 << 20;
/// Tests of the large part of the cofactor.
pub const REST_TESTS: u32 = 4;
const SECURITY_BITS: f64 = 64.0;

/// How a group's membership is checked in a batch (see the module documentation).
#[derive(Debug)]
pub struct MembershipPlan {
    /// Odd primes ℓ below the bound dividing k, with (p − 1)/ℓ and the number of tests.
    small: Vec<(u32, Integer, u32)>,
    /// (p − 1)/m when the cofactor has a part m > 1 free of small primes.
    rest: Option<Integer>,
    /// The cofactor's shape does not fit the plan (4 | p − 1 or ℓ² | k): check each element exactly.
    exact: bool,
    /// Montgomery arithmetic modulo p for the products (when p has 2048 bits).
    mont: Option<Mont>,
}

fn small_primes(bound: u32) -> Vec<u32> {
    let n = bound as usize;
    let mut sieve = vec![true; n];
    let mut out = Vec::new();
    for i in 2..n {
        if sieve[i] {
            out.push(i as u32);
            let mut j = i * i;
            while j < n {
                sieve[j] = false;
                j += i;
            }
        }
    }
    out
}

impl MembershipPlan {
    pub fn new(group: &Group) -> MembershipPlan {
        let pm1 = Integer::from(&group.p - 1u32);
        let exact = MembershipPlan { small: Vec::new(), rest: None, exact: true, mont: None };
        if !pm1.is_divisible(&group.q) {
            return exact;
        }
        let mut m = Integer::from(&pm1 / &group.q);
        if m.is_divisible(&group.q) || !m.is_divisible_u(2) {
            return exact;
        }
        m /= 2u32;
        if m.is_divisible_u(2) {
            return exact;
        }
        let mut small = Vec::new();
        for l in small_primes(TRIAL_BOUND).into_iter().skip(1) {
            if m.is_divisible_u(l) {
                m /= l;
                if m.is_divisible_u(l) {
                    return exact;
                }
                let tests = (SECURITY_BITS / f64::from(l).log2()).ceil() as u32;
                small.push((l, Integer::from(&pm1 / l), tests));
            }
        }
        let rest = (m > 1).then(|| Integer::from(&pm1 / &m));
        MembershipPlan { small, rest, exact: false, mont: Mont::new(&group.p) }
    }

    /// The plan of a group, computed once.
    pub fn of(group: &'static Group) -> &'static MembershipPlan {
        static BELENIOS: OnceLock<MembershipPlan> = OnceLock::new();
        static RFC: OnceLock<MembershipPlan> = OnceLock::new();
        let cell = if group.name == "RFC-3526-2048" { &RFC } else { &BELENIOS };
        cell.get_or_init(|| MembershipPlan::new(group))
    }

    /// Whether every element is in the group (exactly for members; a non-member is missed with probability
    /// below 2^(−63)).
    pub fn all_members(&self, group: &Group, xs: &[&Integer]) -> bool {
        if self.exact {
            return xs.iter().all(|x| group.is_element(x));
        }
        if !xs.iter().all(|x| **x > 0 && **x < group.p && x.jacobi(&group.p) == 1) {
            return false;
        }
        if xs.is_empty() {
            return true;
        }
        // A generator seeded once from the operating system's (one system call per batch, not per draw).
        let Ok(mut rng) = StdRng::from_rng(OsRng) else {
            return false;
        };
        match &self.mont {
            Some(m) => {
                let Some(ms) = xs.iter().map(|x| m.to_mont(x)).collect::<Option<Vec<Elem>>>() else {
                    return false;
                };
                let one = |e: Option<Elem>| e.map_or_else(|| Integer::from(1u32), |e| m.to_integer(&e));
                self.tests(
                    group,
                    &ms,
                    &mut rng,
                    |slot, x| mont::mul_into(m, slot, x),
                    |buckets| one(mont::digit_sum(m, buckets)),
                    |xs, es| m.to_integer(&m.multi_pow_u32(xs, es)),
                )
            }
            None => self.tests(
                group,
                xs,
                &mut rng,
                |slot, x| mul_into(slot, x, &group.p),
                |buckets| digit_sum(buckets, &group.p),
                |xs, es| multi_pow_small(xs, es, &group.p),
            ),
        }
    }

    /// The tests of the module documentation's steps 2 and 3 on elements already range- and Jacobi-checked,
    /// with the products of either arithmetic: `mul_into(slot, x)` multiplies a bucket by x, `digit_sum` is
    /// Π_d B_d^d, `multi_pow` is Π x^e for 32-bit exponents.
    fn tests<E, B: Clone>(
        &self,
        group: &Group,
        xs: &[E],
        rng: &mut StdRng,
        mul_into: impl Fn(&mut Option<B>, &E),
        digit_sum: impl Fn(&[Option<B>]) -> Integer,
        multi_pow: impl Fn(&[E], &[u32]) -> Integer,
    ) -> bool {
        for (l, exp, tests) in &self.small {
            for _ in 0..*tests {
                // Y = Π x^e with e ∈ [0, ℓ): products per digit, then Π_d P_d^d by running products.
                let mut per_digit: Vec<Option<B>> = vec![None; *l as usize];
                for x in xs {
                    let d = rng.gen_range(0..*l) as usize;
                    if d != 0 {
                        mul_into(&mut per_digit[d], x);
                    }
                }
                if group.pow(&digit_sum(&per_digit), exp) != 1 {
                    return false;
                }
            }
        }
        if let Some(exp) = &self.rest {
            for _ in 0..REST_TESTS {
                let es: Vec<u32> = xs.iter().map(|_| rng.next_u32()).collect();
                if group.pow(&multi_pow(xs, &es), exp) != 1 {
                    return false;
                }
            }
        }
        true
    }
}

fn mul_into(slot: &mut Option<Integer>, x: &Integer, p: &Integer) {
    match slot {
        None => *slot = Some(x.clone()),
        Some(acc) => {
            *acc *= x;
            *acc %= p;
        }
    }
}

/// Π_d P_d^d for buckets P_1 … P_(n−1), with 2(n − 1) multiplications at most.
fn digit_sum(buckets: &[Option<Integer>], p: &Integer) -> Integer {
    let mut running: Option<Integer> = None;
    let mut total: Option<Integer> = None;
    for b in buckets.iter().skip(1).rev() {
        if let Some(b) = b {
            mul_into(&mut running, b, p);
        }
        if let Some(r) = &running {
            mul_into(&mut total, r, p);
        }
    }
    total.unwrap_or_else(|| Integer::from(1u32))
}

/// Π x_i^(e_i) for 32-bit exponents (bucket method, 8-bit windows).
pub fn multi_pow_small(xs: &[&Integer], es: &[u32], p: &Integer) -> Integer {
    const W: u32 = 8;
    let mut acc = Integer::from(1u32);
    for window in (0..32 / W).rev() {
        for _ in 0..W {
            acc.square_mut();
            acc %= p;
        }
        let mut buckets: Vec<Option<Integer>> = vec![None; 1 << W];
        for (x, e) in xs.iter().zip(es) {
            let d = ((e >> (window * W)) & ((1 << W) - 1)) as usize;
            if d != 0 {
                mul_into(&mut buckets[d], x, p);
            }
        }
        acc *= digit_sum(&buckets, p);
        acc %= p;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{BELENIOS_2048, RFC_3526_2048};

    fn order_three(g: &Group) -> Integer {
        // z^((p−1)/3) for some z: an element of order 3.
        let e = Integer::from(&g.p - 1u32) / 3u32;
        let mut z = Integer::from(2u32);
        loop {
            let h = g.pow(&z, &e);
            if h != 1 {
                return h;
            }
            z += 1;
        }
    }

    #[test]
    fn the_plan_of_belenios_2048_is_two_three_and_a_large_rest() {
        let plan = MembershipPlan::of(&BELENIOS_2048);
        assert!(!plan.exact);
        assert_eq!(plan.small.iter().map(|(l, _, t)| (*l, *t)).collect::<Vec<_>>(), vec![(3, 41)]);
        assert!(plan.rest.is_some());
        let rfc = MembershipPlan::of(&RFC_3526_2048);
        assert!(!rfc.exact && rfc.small.is_empty() && rfc.rest.is_none());
    }

    #[test]
    fn members_pass_and_any_one_outsider_fails() {
        let g = &*BELENIOS_2048;
        let fast = MembershipPlan::of(g);
        assert!(fast.mont.is_some());
        // The same plan with rug's products (the path of moduli that are not 2048 bits long).
        let slow = MembershipPlan { mont: None, ..MembershipPlan::new(g) };
        for plan in [fast, &slow] {
            outsiders_fail(g, plan);
        }
    }

    fn outsiders_fail(g: &Group, plan: &MembershipPlan) {
        let members: Vec<Integer> = (0..40).map(|_| g.g_pow(&g.random_scalar())).collect();
        let refs: Vec<&Integer> = members.iter().collect();
        assert!(plan.all_members(g, &refs));
        let h3 = order_three(g);
        assert!(!g.is_element(&h3));
        // Outsiders: minus a member (2-component), a member times an element of order 3, a random number
        // (large components), 0 and p.
        let random = Integer::from(&g.g_pow(&g.random_scalar()) + 12345u32);
        let outsiders = [
            Integer::from(&g.p - &members[3]),
            g.mul(&members[5], &h3),
            random,
            Integer::new(),
            g.p.clone(),
            h3.clone(),
        ];
        for bad in &outsiders {
            for at in [0usize, 17, 39] {
                let mut xs = refs.clone();
                xs[at] = bad;
                assert!(!plan.all_members(g, &xs), "an outsider at {at} passed (Montgomery: {})", plan.mont.is_some());
            }
        }
        // Two outsiders whose order-3 parts cancel in a sum with equal exponents are still caught.
        let h3inv = g.inv(&h3);
        let a = g.mul(&members[1], &h3);
        let b = g.mul(&members[2], &h3inv);
        let mut xs = refs.clone();
        xs[1] = &a;
        xs[2] = &b;
        assert!(!plan.all_members(g, &xs));
    }

    #[test]
    fn small_exponent_products_agree_with_pow() {
        let g = &*BELENIOS_2048;
        let xs: Vec<Integer> = (0..9).map(|_| g.g_pow(&g.random_scalar())).collect();
        let xr: Vec<&Integer> = xs.iter().collect();
        let small: Vec<u32> = (0..9).map(|i| 0xdead_beef_u32.wrapping_mul(i + 1)).collect();
        let mut expected = Integer::from(1u32);
        for (x, e) in xs.iter().zip(&small) {
            expected = g.mul(&expected, &g.pow(x, &Integer::from(*e)));
        }
        assert_eq!(multi_pow_small(&xr, &small, &g.p), expected);
    }
}

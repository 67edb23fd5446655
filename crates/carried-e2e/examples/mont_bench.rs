//! What one step of the verifier's arithmetic costs: GMP's `mpz_powm` (through `rug`) against the crate's
//! Montgomery arithmetic on GMP's mpn layer (src/mont.rs), and the shapes the verifier uses: two exponents of
//! one base (α^c0, α^c1), fixed-base tables, and a whole 0/1 proof's four commitments.
//!
//! cargo run --release -p carried-e2e --example mont_bench [-- CALLS=40]

use std::time::Instant;

use carried_e2e::group::BELENIOS_2048;
use carried_e2e::mont::{Mont, Table};
use rug::Integer;

/// The fastest of 15 rounds of n calls, per call: on a machine other processes share, the minimum is the
/// figure least disturbed by them.
fn time<F: FnMut(usize) + ?Sized>(label: &str, n: usize, f: &mut F) -> f64 {
    f(0);
    let mut best = f64::MAX;
    for _ in 0..15 {
        let t = Instant::now();
        for i in 0..n {
            f(i);
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    println!("{label:<60} {best:>9.2} µs");
    best
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    let g = &*BELENIOS_2048;
    let m = Mont::new(&g.p).expect("2048-bit p");
    let exps: Vec<Integer> = (0..n + 1).map(|_| g.random_scalar()).collect();
    let bases: Vec<Integer> = (0..n + 1).map(|_| g.g_pow(&g.random_scalar())).collect();
    let mb: Vec<_> = bases.iter().map(|b| m.to_mont(b).expect("below p")).collect();
    println!("load: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    println!("BELENIOS-2048, per call, fastest of 15 rounds of {n} calls (products: 20 times as many)");

    let powm = time("mpz_powm, 256-bit exponent", n, &mut |i| {
        std::hint::black_box(g.pow(&bases[i], &exps[i]));
    });
    let rugmul = time("rug product then remainder (Group::mul)", n * 20, &mut |i| {
        std::hint::black_box(g.mul(&bases[i % n], &bases[i % n + 1]));
    });
    let mul = time("Montgomery product (mpn_mul_n + reduction)", n * 20, &mut |i| {
        std::hint::black_box(m.mul(&mb[i % n], &mb[i % n + 1]));
    });
    let sqr = time("Montgomery square (mpn_sqr + reduction)", n * 20, &mut |i| {
        std::hint::black_box(m.sqr(&mb[i % n]));
    });
    // mpz_powm with a 256-bit exponent: 255 squarings and about 256/6 + 16 products (5-bit windows).
    let step = powm / (255.0 + 59.0);
    parts::run(n);
    println!(
        "one mpz_powm step ≈ {step:.2} µs; Montgomery product {:.2}×, square {:.2}×, rug product {:.2}× a step",
        mul / step,
        sqr / step,
        rugmul / step
    );

    let two_powm = time("α^c0 and α^c1: two mpz_powm", n, &mut |i| {
        std::hint::black_box((g.pow(&bases[i], &exps[i]), g.pow(&bases[i], &exps[i + 1])));
    });
    let two_yao = time("α^c0 and α^c1: Montgomery, shared squarings", n, &mut |i| {
        std::hint::black_box(m.pow_many(&mb[i], &[&exps[i], &exps[i + 1]]));
    });
    println!("shared squarings: {:.2}× faster than two mpz_powm", two_powm / two_yao);

    let gm = m.to_mont(&g.g).expect("g");
    let table = Table::new(&m, &gm, 256);
    let rug_table = time("g^e: rug fixed-base table (Group::g_pow)", n, &mut |i| {
        std::hint::black_box(g.g_pow(&exps[i]));
    });
    let mont_table = time("g^e: Montgomery fixed-base table", n, &mut |i| {
        std::hint::black_box(table.pow(&m, &exps[i]));
    });
    println!("tables: {:.2}× faster", rug_table / mont_table);

    // The four commitments of a 0/1 proof, as fastcheck.rs computed them (rug) and in Montgomery form.
    let y = g.g_pow(&g.random_scalar());
    let ym = m.to_mont(&y).expect("y");
    let ytable = Table::new(&m, &ym, 256);
    let g_inv = g.inv(&g.g);
    let old = time("0/1 proof commitments: four mpz_powm + rug tables", n / 2, &mut |i| {
        let (a, b) = (&bases[i], &bases[i + 1]);
        let (c0, c1, r0, r1) = (&exps[i], &exps[i + 1], &exps[(i + 2) % n], &exps[(i + 3) % n]);
        let a0 = g.mul(&g.g_pow(r0), &g.pow(a, c0));
        let b0 = g.mul(&g.g_pow(r0), &g.pow(b, c0));
        let a1 = g.mul(&g.g_pow(r1), &g.pow(a, c1));
        let b1 = g.mul(&g.g_pow(r1), &g.pow(&g.mul(b, &g_inv), c1));
        std::hint::black_box((a0, b0, a1, b1));
    });
    let new = time("0/1 proof commitments: Montgomery, shared squarings", n / 2, &mut |i| {
        let (a, b) = (&bases[i], &bases[i + 1]);
        let (c0, c1, r0, r1) = (&exps[i], &exps[i + 1], &exps[(i + 2) % n], &exps[(i + 3) % n]);
        let (am, bm) = (m.to_mont(a).expect("a"), m.to_mont(b).expect("b"));
        let ac = m.pow_many(&am, &[c0, c1]).expect("exps");
        let bc = m.pow_many(&bm, &[c0, c1]).expect("exps");
        let neg = Integer::from(&g.q - c1);
        let a0 = m.mul(&table.pow(&m, r0).expect("r0"), &ac[0]);
        let b0 = m.mul(&ytable.pow(&m, r0).expect("r0"), &bc[0]);
        let a1 = m.mul(&table.pow(&m, r1).expect("r1"), &ac[1]);
        let b1 = m.mul(&m.mul(&ytable.pow(&m, r1).expect("r1"), &bc[1]), &table.pow(&m, &neg).expect("neg"));
        std::hint::black_box([a0, b0, a1, b1].map(|x| m.to_integer(&x)));
    });
    println!("0/1 proof commitments: {:.2}× faster", old / new);
}

/// The parts of one Montgomery product, straight from GMP: is the time in the product or the reduction? And
/// the same loops in plain Rust (u128 products), which are slower here than GMP's assembly.
#[allow(unsafe_code)]
mod parts {
    use gmp_mpfr_sys::gmp::{self, limb_t};

    pub fn run(n: usize) {
        use super::time;
        let a: Vec<limb_t> = (0..32u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1).collect();
        let b: Vec<limb_t> = (0..32u64).map(|i| i.wrapping_mul(0xbf58_476d_1ce4_e5b9) | 3).collect();
        let mut t = [0 as limb_t; 64];
        let mut r = [0 as limb_t; 32];
        // SAFETY (all): 32-limb operands, 64-limb results, separate arrays.
        time("  mpn_mul_n, 32 limbs", n * 20, &mut |_| unsafe {
            gmp::mpn_mul_n(t.as_mut_ptr(), a.as_ptr(), b.as_ptr(), 32);
        });
        time("  mpn_sqr, 32 limbs", n * 20, &mut |_| unsafe {
            gmp::mpn_sqr(t.as_mut_ptr(), a.as_ptr(), 32);
        });
        time("  32 × mpn_addmul_1 (the reduction's loop)", n * 20, &mut |_| unsafe {
            for i in 0..32 {
                let c = gmp::mpn_addmul_1(t.as_mut_ptr().add(i), a.as_ptr(), 32, b[i]);
                t[i] = c;
            }
        });
        time("  Rust u128 reduction loop", n * 20, &mut |_| {
            redc_rust(&mut t, &a, 0x1234_5678_9abc_def1, &mut r);
        });
        time("  Rust u128 product 32×32", n * 20, &mut |_| {
            mul_rust(&mut t, &a, &b);
        });
        std::hint::black_box((&t, &r));
    }

    fn redc_rust(t: &mut [u64; 64], p: &[u64], pinv: u64, r: &mut [u64; 32]) {
        let mut extra = 0u64;
        for i in 0..32 {
            let u = t[i].wrapping_mul(pinv);
            let mut carry = 0u64;
            for j in 0..32 {
                let x = u128::from(u) * u128::from(p[j]) + u128::from(t[i + j]) + u128::from(carry);
                t[i + j] = x as u64;
                carry = (x >> 64) as u64;
            }
            let (s, o1) = t[i + 32].overflowing_add(carry);
            let (s, o2) = s.overflowing_add(extra);
            t[i + 32] = s;
            extra = u64::from(o1) + u64::from(o2);
        }
        r.copy_from_slice(&t[32..]);
        std::hint::black_box(extra);
    }

    fn mul_rust(t: &mut [u64; 64], a: &[u64], b: &[u64]) {
        *t = [0; 64];
        for i in 0..32 {
            let mut carry = 0u64;
            for j in 0..32 {
                let x = u128::from(a[i]) * u128::from(b[j]) + u128::from(t[i + j]) + u128::from(carry);
                t[i + j] = x as u64;
                carry = (x >> 64) as u64;
            }
            t[i + 32] = carry;
        }
    }
}

//! Chooses the big-integer library: the cost of one BELENIOS-2048 exponentiation with a 256-bit exponent
//! (the operation every proof is made of) in `rug` (Debian's libgmp: mpz_powm, and mpz_powm_sec for secret
//! exponents), `num-bigint` (pure Rust) and `crypto-bigint` (pure Rust, constant time), plus the fixed-base
//! table this crate uses for g.
//!
//! cargo run --release -p carried-e2e --example bigint --features bigint-bench

use std::time::Instant;

use carried_e2e::group::BELENIOS_2048;
use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, U2048};
use rug::integer::Order;

fn time<F: FnMut(usize)>(label: &str, n: usize, mut f: F) -> f64 {
    f(0);
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{label:<46} {us:>9.1} µs");
    us
}

fn main() {
    let g = &*BELENIOS_2048;
    let n = 200;
    let exps: Vec<rug::Integer> = (0..n).map(|_| g.random_scalar()).collect();
    let base = g.pow(&g.g, &g.random_scalar());
    println!("one exponentiation mod the 2048-bit p, 256-bit exponent ({n} runs each)");

    let rug_pub = time("rug (GMP mpz_powm, public exponent)", n, |i| {
        std::hint::black_box(g.pow(&base, &exps[i % n]));
    });
    let rug_sec = time("rug (GMP mpz_powm_sec, constant time)", n, |i| {
        std::hint::black_box(g.pow_secret(&base, &exps[i % n]));
    });
    time("rug + fixed-base table for g (public exponent)", n, |i| {
        std::hint::black_box(g.g_pow(&exps[i % n]));
    });

    let to_num = |x: &rug::Integer| num_bigint::BigUint::from_bytes_be(&x.to_digits::<u8>(Order::Msf));
    let (nb, np) = (to_num(&base), to_num(&g.p));
    let nexps: Vec<num_bigint::BigUint> = exps.iter().map(to_num).collect();
    let num = time("num-bigint 0.4 modpow (variable time)", n, |i| {
        std::hint::black_box(nb.modpow(&nexps[i % n], &np));
    });

    let to_ct = |x: &rug::Integer| {
        let mut bytes = [0u8; 256];
        let d = x.to_digits::<u8>(Order::Msf);
        bytes[256 - d.len()..].copy_from_slice(&d);
        U2048::from_be_bytes(bytes)
    };
    let params = DynResidueParams::new(&to_ct(&g.p));
    let cb = DynResidue::new(&to_ct(&base), params);
    let cexps: Vec<U2048> = exps.iter().map(to_ct).collect();
    let ct = time("crypto-bigint 0.5 DynResidue::pow (constant time)", n / 4, |i| {
        use crypto_bigint::modular::runtime_mod::DynResidue as R;
        let r: R<32> = cb.pow_bounded_exp(&cexps[i % n], 256);
        std::hint::black_box(r.retrieve());
    });
    // Same value from every library.
    let want = g.pow(&base, &exps[0]);
    assert_eq!(to_num(&want), nb.modpow(&nexps[0], &np));
    assert_eq!(to_ct(&want), cb.pow_bounded_exp(&cexps[0], 256).retrieve());

    println!(
        "relative to rug mpz_powm: mpz_powm_sec {:.1}×, num-bigint {:.1}×, crypto-bigint {:.1}×",
        rug_sec / rug_pub,
        num / rug_pub,
        ct / rug_pub
    );
}

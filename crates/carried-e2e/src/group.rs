//! The finite-field groups of Belenios 2.0 (`BELENIOS-2048`, and `RFC-3526-2048` for reading records), their
//! arithmetic, and the protocol's hash onto Z_q.
//!
//! Exponentiations whose exponent is secret (trustee keys, credential secrets, encryption randomness, proof
//! nonces) go through [`Group::pow_secret`], which is GMP's `mpz_powm_sec`: its time and memory accesses do not
//! depend on the exponent's bits. Public exponents (everything a verifier uses) go through the faster
//! [`Group::pow`].

use std::sync::LazyLock;

use rand::RngCore;
use rug::integer::Order;
use rug::ops::RemRounding;
use rug::Integer;
use sha2::{Digest, Sha256};

/// A prime-order subgroup of Z_p^*.
#[derive(Debug)]
pub struct Group {
    /// The name an election's `"group"` field carries.
    pub name: &'static str,
    pub p: Integer,
    pub q: Integer,
    pub g: Integer,
    /// Fixed-base table for g (verification speed).
    g_table: FixedBase,
}

fn big(decimal: &str) -> Integer {
    Integer::from_str_radix(decimal, 10).expect("group constant is decimal")
}

/// Public parameters of Belenios's default group (2048-bit p, 256-bit q).
pub static BELENIOS_2048: LazyLock<Group> = LazyLock::new(|| {
    Group::new(
        "BELENIOS-2048",
        big("20694785691422546401013643657505008064922989295751104097100884787057374219242717401922237254497684338129066633138078958404960054389636289796393038773905722803605973749427671376777618898589872735865049081167099310535867780980030790491654063777173764198678527273474476341835600035698305193144284561701911000786737307333564123971732897913240474578834468260652327974647951137672658693582180046317922073668860052627186363386088796882120769432366149491002923444346373222145884100586421050242120365433561201320481118852408731077014151666200162313177169372189248078507711827842317498073276598828825169183103125680162072880719"),
        big("78571733251071885079927659812671450121821421258408794611510081919805623223441"),
        big("2402352677501852209227687703532399932712287657378364916510075318787663274146353219320285676155269678799694668298749389095083896573425601900601068477164491735474137283104610458681314511781646755400527402889846139864532661215055797097162016168270312886432456663834863635782106154918419982534315189740658186868651151358576410138882215396016043228843603930989333662772848406593138406010231675095763777982665103606822406635076697764025346253773085133173495194248967754052573659049492477631475991575198775177711481490920456600205478127054728238140972518639858334115700568353695553423781475582491896050296680037745308460627"),
    )
});

/// RFC 3526's 2048-bit MODP group with g = 2 and q = (p − 1)/2.
pub static RFC_3526_2048: LazyLock<Group> = LazyLock::new(|| {
    let p = big("32317006071311007300338913926423828248817941241140239112842009751400741706634354222619689417363569347117901737909704191754605873209195028853758986185622153212175412514901774520270235796078236248884246189477587641105928646099411723245426622522193230540919037680524235519125679715870117001058055877651038861847280257976054903569732561526167081339361799541336476559160368317896729073178384589680639671900977202194168647225871031411336429319536193471636533209717077448227988588565369208645296636077250268955505928362751121174096972998068410554359584866583291642136218231078990999448652468262416972035911852507045361090559");
    let q = Integer::from(&p - 1u32) >> 1u32;
    Group::new("RFC-3526-2048", p, q, Integer::from(2u32))
});

/// The group an election names, if Belenios 2.0 knows it.
pub fn by_name(name: &str) -> Option<&'static Group> {
    match name {
        "BELENIOS-2048" => Some(&BELENIOS_2048),
        "RFC-3526-2048" => Some(&RFC_3526_2048),
        _ => None,
    }
}

impl Group {
    fn new(name: &'static str, p: Integer, q: Integer, g: Integer) -> Group {
        let g_table = FixedBase::new(&g, &p, q.significant_bits());
        Group { name, p, q, g, g_table }
    }

    /// a·b mod p.
    pub fn mul(&self, a: &Integer, b: &Integer) -> Integer {
        let mut r = Integer::from(a * b);
        r %= &self.p;
        r
    }

    /// a / b mod p (b must be a group element, so invertible).
    pub fn div(&self, a: &Integer, b: &Integer) -> Integer {
        self.mul(a, &self.inv(b))
    }

    pub fn inv(&self, a: &Integer) -> Integer {
        a.invert_ref(&self.p).map(Integer::from).unwrap_or_default()
    }

    /// base^e mod p for a PUBLIC exponent e ≥ 0 (variable time).
    pub fn pow(&self, base: &Integer, e: &Integer) -> Integer {
        match base.pow_mod_ref(e, &self.p) {
            Some(r) => Integer::from(r),
            None => Integer::new(),
        }
    }

    /// base^e mod p for a SECRET exponent (GMP's mpz_powm_sec: constant time in e).
    pub fn pow_secret(&self, base: &Integer, e: &Integer) -> Integer {
        if *e <= 0 {
            return Integer::from(1u32);
        }
        Integer::from(base.secure_pow_mod_ref(e, &self.p))
    }

    /// g^e for a public exponent e in [0, q), with the fixed-base table.
    pub fn g_pow(&self, e: &Integer) -> Integer {
        if *e < 0 {
            return self.pow(&self.g, e);
        }
        self.g_table.pow(e, &self.p)
    }

    /// g^e for a secret exponent.
    pub fn g_pow_secret(&self, e: &Integer) -> Integer {
        self.pow_secret(&self.g, e)
    }

    /// g^m for a small public m.
    pub fn g_small(&self, m: u64) -> Integer {
        self.pow(&self.g, &Integer::from(m))
    }

    /// x is an element of the order-q subgroup: 0 < x < p and x^q = 1.
    pub fn is_element(&self, x: &Integer) -> bool {
        *x > 0 && *x < self.p && self.pow(x, &self.q) == 1
    }

    /// 0 ≤ x < q.
    pub fn is_scalar(&self, x: &Integer) -> bool {
        *x >= 0 && *x < self.q
    }

    /// (a − b·c) mod q, for responses r = w − x·c.
    pub fn response(&self, w: &Integer, x: &Integer, c: &Integer) -> Integer {
        let xc = Integer::from(x * c);
        (w - xc).rem_euc(&self.q)
    }

    /// Σ xs mod q.
    pub fn sum_mod_q<'a>(&self, xs: impl IntoIterator<Item = &'a Integer>) -> Integer {
        let mut s = Integer::new();
        for x in xs {
            s += x;
        }
        s.rem_euc(&self.q)
    }

    /// A uniformly random scalar in [0, q) from the operating system's generator (bias below 2^-256).
    pub fn random_scalar(&self) -> Integer {
        let mut bytes = [0u8; 64];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Integer::from_digits(&bytes, Order::Msf) % &self.q
    }

    /// A random nonzero scalar (for proof nonces and encryption randomness).
    pub fn random_nonzero_scalar(&self) -> Integer {
        loop {
            let x = self.random_scalar();
            if x != 0 {
                return x;
            }
        }
    }

    /// Belenios's hash: int_be(SHA-256(prefix ‖ e1 "," e2 "," … en)) mod q, elements in base 10.
    pub fn hash(&self, prefix: &str, elements: &[&Integer]) -> Integer {
        let mut h = Sha256::new();
        h.update(prefix.as_bytes());
        for (i, e) in elements.iter().enumerate() {
            if i > 0 {
                h.update(b",");
            }
            h.update(e.to_string_radix(10).as_bytes());
        }
        Integer::from_digits(&h.finalize(), Order::Msf) % &self.q
    }
}

/// A fixed-base exponentiation table (Lim–Lee style comb with 8-bit windows): base^(d·2^(8k)) for every
/// window k and digit d, so base^e costs one multiplication per nonzero byte of e and no squaring.
#[derive(Debug)]
pub struct FixedBase {
    base: Integer,
    windows: Vec<Vec<Integer>>,
}

const WINDOW_BITS: u32 = 8;

impl FixedBase {
    pub fn new(base: &Integer, p: &Integer, exponent_bits: u32) -> FixedBase {
        let count = exponent_bits.div_ceil(WINDOW_BITS) as usize;
        let mut windows = Vec::with_capacity(count);
        let mut b = base.clone();
        for _ in 0..count {
            let mut row = Vec::with_capacity(1 << WINDOW_BITS);
            let mut acc = Integer::from(1u32);
            for _ in 0..(1u32 << WINDOW_BITS) {
                row.push(acc.clone());
                acc *= &b;
                acc %= p;
            }
            // acc is now b^(2^8): the next window's base.
            b = acc;
            windows.push(row);
        }
        FixedBase { base: base.clone(), windows }
    }

    /// base^e for 0 ≤ e < 2^(8·windows). Variable time: public exponents only.
    pub fn pow(&self, e: &Integer, p: &Integer) -> Integer {
        let bytes = e.to_digits::<u8>(Order::Lsf);
        let mut acc: Option<Integer> = None;
        for (k, byte) in bytes.iter().enumerate() {
            if *byte == 0 {
                continue;
            }
            let Some(row) = self.windows.get(k) else {
                return self.base.pow_mod_ref(e, p).map(Integer::from).unwrap_or_default();
            };
            let t = &row[*byte as usize];
            acc = Some(match acc {
                None => t.clone(),
                Some(mut a) => {
                    a *= t;
                    a %= p;
                    a
                }
            });
        }
        acc.unwrap_or_else(|| Integer::from(1u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belenios_parameters_are_a_subgroup() {
        for g in [&*BELENIOS_2048, &*RFC_3526_2048] {
            assert!(g.is_element(&g.g), "{}", g.name);
            assert!(g.q.significant_bits() > 250);
            let pm1 = Integer::from(&g.p - 1u32);
            assert!(pm1.is_divisible(&g.q));
        }
    }

    #[test]
    fn fixed_base_agrees_with_pow() {
        let g = &*BELENIOS_2048;
        for _ in 0..20 {
            let e = g.random_scalar();
            assert_eq!(g.g_pow(&e), g.pow(&g.g, &e));
            assert_eq!(g.pow_secret(&g.g, &e), g.pow(&g.g, &e));
        }
        assert_eq!(g.g_pow(&Integer::new()), 1);
        assert_eq!(g.pow_secret(&g.g, &Integer::new()), 1);
    }

    #[test]
    fn membership_refuses_outsiders() {
        let g = &*BELENIOS_2048;
        assert!(!g.is_element(&Integer::new()));
        assert!(!g.is_element(&g.p));
        assert!(!g.is_element(&Integer::from(&g.p - 1u32)));
        assert!(g.is_element(&Integer::from(1u32)));
    }

    #[test]
    fn hash_joins_with_commas() {
        let g = &*BELENIOS_2048;
        let a = Integer::from(12u32);
        let b = Integer::from(34u32);
        let expected = Integer::from_digits(&Sha256::digest(b"pre|12,34"), Order::Msf) % &g.q;
        assert_eq!(g.hash("pre|", &[&a, &b]), expected);
    }
}

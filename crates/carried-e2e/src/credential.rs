//! Voter credentials in the Belenios 2.0 form: 14 random base58 characters and a check character, written in
//! five groups of three joined by dashes (`S3C-Chg-mVX-A2U-Zeg`). The secret is derived with
//! PBKDF2-HMAC-SHA256 (the credential string with its dashes as password, the election uuid as salt, 1,000
//! iterations, 32 bytes) reduced mod q; the public credential is g^secret.

use rand::Rng;
use rug::integer::Order;
use rug::Integer;

use crate::group::Group;

/// Base58 digits (no 0, O, I, l).
pub const DIGITS: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const TOKEN_LENGTH: usize = 14;

fn digit_value(c: u8) -> Option<u64> {
    DIGITS.iter().position(|d| *d == c).map(|i| i as u64)
}

/// The check character for 14 digit values: 53 − (n mod 53), n the base-58 number they spell.
fn check_digit(values: &[u64]) -> u8 {
    let n = values.iter().fold(0u64, |acc, v| (acc * 58 + v) % 53);
    DIGITS[(53 - n) as usize]
}

fn format(raw: &[u8]) -> String {
    let mut out = String::with_capacity(19);
    for (i, chunk) in raw.chunks(3).enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.extend(chunk.iter().map(|b| *b as char));
    }
    out
}

/// A fresh credential from the operating system's generator.
pub fn generate() -> String {
    let mut rng = rand::rngs::OsRng;
    let values: Vec<u64> = (0..TOKEN_LENGTH).map(|_| rng.gen_range(0..58u64)).collect();
    let mut raw: Vec<u8> = values.iter().map(|v| DIGITS[*v as usize]).collect();
    raw.push(check_digit(&values));
    format(&raw)
}

/// A Belenios token (an election uuid): 14 random base58 characters, as `belenios-tool setup generate-token`.
pub fn token() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..TOKEN_LENGTH).map(|_| DIGITS[rng.gen_range(0..58usize)] as char).collect()
}

/// The 15 characters of a credential without dashes, if it is well formed (dashed or not) and its check
/// character is right.
fn raw_of(credential: &str) -> Option<Vec<u8>> {
    let b = credential.as_bytes();
    let raw: Vec<u8> = match b.len() {
        15 => b.to_vec(),
        19 => {
            if [3, 7, 11, 15].iter().any(|i| b[*i] != b'-') {
                return None;
            }
            b.iter().enumerate().filter(|(i, _)| ![3, 7, 11, 15].contains(i)).map(|(_, c)| *c).collect()
        }
        _ => return None,
    };
    let values: Option<Vec<u64>> = raw[..TOKEN_LENGTH].iter().map(|c| digit_value(*c)).collect();
    let values = values?;
    let check = digit_value(raw[TOKEN_LENGTH])?;
    let n = values.iter().fold(0u64, |acc, v| (acc * 58 + v) % 53);
    ((n + check) % 53 == 0).then_some(raw)
}

/// Whether a credential is well formed and its check character right.
pub fn is_valid(credential: &str) -> bool {
    raw_of(credential).is_some()
}

/// The credential's secret exponent for the election `uuid`.
pub fn secret(group: &Group, uuid: &str, credential: &str) -> Integer {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(credential.as_bytes(), uuid.as_bytes(), 1000, &mut out);
    Integer::from_digits(&out, Order::Msf) % &group.q
}

/// The public credential g^secret.
pub fn public(group: &Group, uuid: &str, credential: &str) -> Integer {
    group.g_pow_secret(&secret(group, uuid, credential))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::BELENIOS_2048;
    use proptest::prelude::*;

    #[test]
    fn generated_credentials_have_the_belenios_form() {
        for _ in 0..50 {
            let c = generate();
            assert_eq!(c.len(), 19);
            assert!(is_valid(&c), "{c}");
            assert_eq!(c.matches('-').count(), 4);
        }
    }

    #[test]
    fn credentials_made_by_belenios_tool_check() {
        let creds = include_str!("../tests/fixtures/single-private_creds.txt");
        for line in creds.lines() {
            let cred = line.split_whitespace().nth(1).expect("credential column");
            assert!(is_valid(cred), "{cred}");
            assert!(is_valid(&cred.replace('-', "")));
        }
        assert!(!is_valid("mYX-wTA-S5n-pQf-qku"));
        assert!(!is_valid("mYX-wTA-S5n-pQf"));
        assert!(!is_valid("mYX_wTA-S5n-pQf-qkt"));
    }

    proptest! {
        #[test]
        // The check is mod 53, so a change of a digit by exactly ±53 goes unseen (as in Belenios).
        fn changing_one_character_breaks_the_check(pos in 0usize..15, d in 0usize..58) {
            let c = generate();
            let mut raw: Vec<u8> = c.bytes().filter(|b| *b != b'-').collect();
            let old = digit_value(raw[pos]).expect("digit") as i64;
            prop_assume!(old != d as i64 && (old - d as i64).abs() != 53);
            raw[pos] = DIGITS[d];
            prop_assert!(!is_valid(&String::from_utf8(raw).expect("ascii")));
        }
    }

    #[test]
    fn tokens_are_fourteen_base58_characters() {
        let t = token();
        assert_eq!(t.len(), 14);
        assert!(t.bytes().all(|b| DIGITS.contains(&b)));
        assert_ne!(token(), t);
    }

    #[test]
    fn derivation_is_deterministic_per_election() {
        let g = &*BELENIOS_2048;
        let c = generate();
        assert_eq!(public(g, "abc", &c), public(g, "abc", &c));
        assert_ne!(public(g, "abc", &c), public(g, "abd", &c));
        assert!(g.is_element(&public(g, "abc", &c)));
    }
}

//! Ed25519 key and signature helpers (RFC 8032), all in lowercase hex.
//!
//! Key generation needs an operating-system random source, which this module does
//! not depend on: see `carried::ballot::generate_key`, or use [`key_from_seed`] with
//! 32 bytes from a cryptographic random number generator.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use thiserror::Error;

use super::chain::is_lower_hex;

/// Why a key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignError {
    #[error("secret key is not 64 hex digits")]
    SecretKeyEncoding,
    #[error("public key {0} is not 64 lowercase hex digits")]
    PublicKeyEncoding(String),
    #[error("public key {0} is not a valid ed25519 point")]
    PublicKeyInvalid(String),
    #[error("public key {0} is not acceptable: it is of small order or not canonically encoded")]
    WeakKey(String),
    #[error("signature is not 128 lowercase hex digits")]
    SignatureEncoding,
    #[error("signature does not verify with public key {0}")]
    Mismatch(String),
}

/// The signing key whose 32-byte secret seed is `seed`.
pub fn key_from_seed(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// The 32-byte secret seed as 64 lowercase hex digits (keep it secret).
pub fn key_to_hex(key: &SigningKey) -> String {
    hex::encode(key.to_bytes())
}

/// A signing key from 64 hex digits (either case; surrounding whitespace ignored).
pub fn key_from_hex(s: &str) -> Result<SigningKey, SignError> {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut seed).map_err(|_| SignError::SecretKeyEncoding)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The public key as 64 lowercase hex digits.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

/// Sign `msg`; the 64-byte signature as 128 lowercase hex digits.
pub fn sign_hex(key: &SigningKey, msg: &[u8]) -> String {
    hex::encode(key.sign(msg).to_bytes())
}

/// Verify an ed25519 signature, strictly (RFC 8032 with small-order keys and
/// non-canonical signatures refused). Both hex strings must be lowercase.
pub fn verify_signature(public_hex: &str, msg: &[u8], sig_hex: &str) -> Result<(), SignError> {
    let mut pk = [0u8; 32];
    if !is_lower_hex(public_hex, 64) || hex::decode_to_slice(public_hex, &mut pk).is_err() {
        return Err(SignError::PublicKeyEncoding(public_hex.to_string()));
    }
    let mut sig = [0u8; 64];
    if !is_lower_hex(sig_hex, 128) || hex::decode_to_slice(sig_hex, &mut sig).is_err() {
        return Err(SignError::SignatureEncoding);
    }
    if !canonical_y(&pk) {
        return Err(SignError::WeakKey(public_hex.to_string()));
    }
    let key = VerifyingKey::from_bytes(&pk).map_err(|_| SignError::PublicKeyInvalid(public_hex.to_string()))?;
    if key.is_weak() {
        return Err(SignError::WeakKey(public_hex.to_string()));
    }
    // verify_strict refuses S ≥ L, a small-order R and (by comparing encodings) a non-canonical R.
    key.verify_strict(msg, &Signature::from_bytes(&sig)).map_err(|_| SignError::Mismatch(public_hex.to_string()))
}

/// True when the 255-bit y of a point encoding is below p = 2^255 − 19 (the encoding is canonical).
/// ed25519-dalek reduces y mod p when decoding, so this is checked here.
pub fn canonical_y(encoding: &[u8; 32]) -> bool {
    let top = encoding[31] & 0x7f;
    !(top == 0x7f && encoding[1..31].iter().all(|b| *b == 0xff) && encoding[0] >= 0xed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let key = key_from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        assert_eq!(public_key_hex(&key), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let sig = sign_hex(&key, b"");
        assert_eq!(
            sig,
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        assert_eq!(verify_signature(&public_key_hex(&key), b"", &sig), Ok(()));
    }

    #[test]
    fn round_trip_and_failures() {
        let key = key_from_seed([42; 32]);
        assert_eq!(key_from_hex(&key_to_hex(&key)).unwrap().to_bytes(), key.to_bytes());
        let pk = public_key_hex(&key);
        let sig = sign_hex(&key, b"hello");
        assert_eq!(verify_signature(&pk, b"hello", &sig), Ok(()));
        assert_eq!(verify_signature(&pk, b"hellO", &sig), Err(SignError::Mismatch(pk.clone())));
        let other = public_key_hex(&key_from_seed([43; 32]));
        assert_eq!(verify_signature(&other, b"hello", &sig), Err(SignError::Mismatch(other.clone())));
        assert_eq!(verify_signature(&pk, b"hello", &sig.to_uppercase()), Err(SignError::SignatureEncoding));
        assert_eq!(
            verify_signature(&pk.to_uppercase(), b"hello", &sig),
            Err(SignError::PublicKeyEncoding(pk.to_uppercase()))
        );
        assert_eq!(verify_signature(&pk, b"hello", &sig[..126]), Err(SignError::SignatureEncoding));
        assert!(key_from_hex("abcd").is_err());
    }

    /// The small-order encodings listed in static/js/recount.js are exactly those ed25519-dalek calls
    /// weak, every one is refused, and the browser's list is the same.
    #[test]
    fn small_order_keys_are_refused() {
        let js = include_str!("../../../static/js/recount.js");
        let start = js.find("export const SMALL_ORDER = [").unwrap();
        let list: Vec<&str> =
            js[start..js[start..].find("];").unwrap() + start].split('\'').filter(|s| s.len() == 64).collect();
        assert_eq!(list.len(), 10);
        let sig = sign_hex(&key_from_seed([5; 32]), b"m");
        for pk in &list {
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(pk, &mut bytes).unwrap();
            assert!(VerifyingKey::from_bytes(&bytes).unwrap().is_weak(), "{pk}");
            assert_eq!(verify_signature(pk, b"m", &sig), Err(SignError::WeakKey(pk.to_string())), "{pk}");
        }
        // A signature with the identity key, R = identity and S = 0, satisfies the lax equation for any
        // message; it is refused.
        let identity = list[0];
        let forged = format!("{identity}{}", "00".repeat(32));
        assert!(verify_signature(identity, b"anything", &forged).is_err());
    }

    #[test]
    fn non_canonical_encodings_are_refused() {
        // y = p + 2 (encodes y = 2): refused as non-canonical before decoding.
        let mut pk = [0xffu8; 32];
        pk[0] = 0xef;
        pk[31] = 0x7f;
        assert!(!canonical_y(&pk));
        let pk_hex = hex::encode(pk);
        let sig = sign_hex(&key_from_seed([5; 32]), b"m");
        assert_eq!(verify_signature(&pk_hex, b"m", &sig), Err(SignError::WeakKey(pk_hex.clone())));
        let mut below = pk;
        below[0] = 0xec;
        assert!(canonical_y(&below));
        // S + L instead of S: same point equation, refused.
        let key = key_from_seed([5; 32]);
        let good = key.sign(b"m").to_bytes();
        let mut s = [0u8; 32];
        s.copy_from_slice(&good[32..]);
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(s[i]) + u16::from(l[i]) + carry;
            s[i] = v as u8;
            carry = v >> 8;
        }
        let mut bad = good;
        bad[32..].copy_from_slice(&s);
        assert!(s[31] < 0x80, "S + L still fits in 253 bits");
        let pk = public_key_hex(&key);
        assert_eq!(verify_signature(&pk, b"m", &hex::encode(good)), Ok(()));
        assert_eq!(verify_signature(&pk, b"m", &hex::encode(bad)), Err(SignError::Mismatch(pk.clone())));
    }
}

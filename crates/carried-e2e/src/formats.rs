//! Belenios 2.0 JSON formats, serialised compactly with the fields in the order Belenios writes them, so a
//! value read and written again gives the same bytes (ballots must be canonical to be counted).

use std::fmt;

use rug::Integer;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A big number written as a base-10 JSON string (group elements, scalars).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Big(pub Integer);

impl Big {
    pub fn int(&self) -> &Integer {
        &self.0
    }
}

impl From<Integer> for Big {
    fn from(x: Integer) -> Big {
        Big(x)
    }
}

impl fmt::Display for Big {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::ops::Deref for Big {
    type Target = Integer;
    fn deref(&self) -> &Integer {
        &self.0
    }
}

/// Parses a non-negative decimal number: ASCII digits only (no sign, no spaces), at most 1,000 of them.
pub fn parse_decimal(s: &str) -> Option<Integer> {
    if s.is_empty() || s.len() > 1000 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Integer::from_str_radix(s, 10).ok()
}

impl Serialize for Big {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string_radix(10))
    }
}

impl<'de> Deserialize<'de> for Big {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Big, D::Error> {
        let s: std::borrow::Cow<'de, str> = Deserialize::deserialize(d)?;
        parse_decimal(&s).map(Big).ok_or_else(|| de::Error::custom("expected a decimal number in a string"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub challenge: Big,
    pub response: Big,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ciphertext {
    pub alpha: Big,
    pub beta: Big,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub answers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank: Option<bool>,
    pub min: u32,
    pub max: u32,
    pub question: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Election {
    pub version: u32,
    pub description: String,
    pub name: String,
    pub group: String,
    pub public_key: Big,
    pub questions: Vec<Question>,
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_authority: Option<String>,
}

/// A trustee's public key with its proof of knowledge of the private key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteePublicKey {
    pub pok: Proof,
    pub public_key: Big,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A message signed with a PKI key (threshold trustees).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedMsg {
    pub message: String,
    pub signature: Proof,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pedersen {
    pub threshold: u32,
    pub certs: Vec<SignedMsg>,
    pub coefexps: Vec<SignedMsg>,
    pub verification_keys: Vec<TrusteePublicKey>,
}

/// The keys a threshold trustee certifies (the message of a cert).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertKeys {
    pub verification: Big,
    pub encryption: Big,
}

/// The message of a signed coefexps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCoefexps {
    pub coefexps: Vec<Big>,
}

/// One entry of the trustees list: `["Single", {…}]` or `["Pedersen", {…}]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trustee {
    Single(TrusteePublicKey),
    Pedersen(Pedersen),
}

impl Trustee {
    /// How many partial-decryption owners this entry stands for.
    pub fn members(&self) -> usize {
        match self {
            Trustee::Single(_) => 1,
            Trustee::Pedersen(p) => p.verification_keys.len(),
        }
    }
}

impl Serialize for Trustee {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        match self {
            Trustee::Single(k) => {
                seq.serialize_element("Single")?;
                seq.serialize_element(k)?;
            }
            Trustee::Pedersen(p) => {
                seq.serialize_element("Pedersen")?;
                seq.serialize_element(p)?;
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Trustee {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Trustee, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Trustee;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"["Single", {...}] or ["Pedersen", {...}]"#)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Trustee, A::Error> {
                let kind: String = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let t = match kind.as_str() {
                    "Single" => {
                        Trustee::Single(seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?)
                    }
                    "Pedersen" => {
                        Trustee::Pedersen(seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?)
                    }
                    other => return Err(de::Error::custom(format!("unknown trustee kind {other}"))),
                };
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(t)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub choices: Vec<Ciphertext>,
    pub individual_proofs: Vec<Vec<Proof>>,
    pub overall_proof: Vec<Proof>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank_proof: Option<Vec<Proof>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub hash: String,
    pub proof: Proof,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    pub election_uuid: String,
    pub election_hash: String,
    pub credential: Big,
    pub answers: Vec<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// The encrypted tally: per question, per answer, the product of the counted ciphertexts.
pub type EncryptedTally = Vec<Vec<Ciphertext>>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizedEncryptedTally {
    pub num_tallied: u64,
    pub total_weight: u64,
    pub encrypted_tally: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    pub decryption_factors: Vec<Vec<Big>>,
    pub decryption_proofs: Vec<Vec<Proof>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owned {
    pub owner: u32,
    pub payload: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionResult {
    pub result: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupData {
    pub election: String,
    pub trustees: String,
    pub credentials: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    Setup,
    Ballot,
    EndBallots,
    EncryptedTally,
    Shuffle,
    EndShuffles,
    PartialDecryption,
    Result,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub height: u64,
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

/// The `BELENIOS` header entry of a `.bel` archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveHeader {
    pub version: u32,
    pub timestamp: String,
}

/// Compact JSON, as Belenios writes it.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BALLOT: &str = include_str!("../tests/fixtures/single-ballot1.json");

    #[test]
    fn a_belenios_ballot_reads_and_writes_back_byte_for_byte() {
        let b: Ballot = serde_json::from_str(BALLOT.trim_end()).expect("ballot parses");
        assert_eq!(to_json(&b), BALLOT.trim_end());
    }

    #[test]
    fn numbers_must_be_plain_decimal() {
        assert!(parse_decimal("0123").is_some());
        for bad in ["", "-1", "+1", " 1", "1e3", "0x10"] {
            assert!(parse_decimal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn trustees_round_trip() {
        let s = r#"[["Single",{"pok":{"challenge":"1","response":"2"},"public_key":"3"}]]"#;
        let t: Vec<Trustee> = serde_json::from_str(s).expect("parses");
        assert_eq!(to_json(&t), s);
        assert!(serde_json::from_str::<Vec<Trustee>>(r#"[["Other",{}]]"#).is_err());
    }

    #[test]
    fn events_keep_belenios_field_order() {
        let e = Event { parent: Some("ab".into()), height: 3, kind: EventType::EndBallots, payload: None };
        assert_eq!(to_json(&e), r#"{"parent":"ab","height":3,"type":"EndBallots"}"#);
    }
}

//! Indicative ballots of GPs: question definitions and answers, the electoral
//! roll import, and results (shares, thresholds, breakdowns, CSV and SVG).
//!
//! Pure functions, no I/O. The audit record itself is `crate::audit`; this module
//! also holds the producer-side helpers that need randomness (signing key, entry
//! nonce, receipt), which the auditor's module deliberately does without.

pub mod definition;
pub mod e2e;
pub mod errors;
pub mod results;
pub mod roll;
pub mod roll_edit;
pub mod status;
pub mod turnout_export;

use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

pub use definition::{definition_json, validate_answers, validate_questions, QuestionDef, QuestionKind};
pub use errors::{AnswerError, DefinitionError, PagingError, QuestionLabel, RollFileError};
pub use results::{
    breakdown, csv_cell, defuse_formula, live_turnout, looks_like_formula, results, results_csv, results_svg,
    suppression, thousands, BallotResults, GroupRow, GroupTally, OptionResult, QuestionResult, ThresholdTest,
    Thresholds, ThresholdsReport, TurnoutRow, YesThresholdTest, MIN_GROUP, THRESHOLDS_NOTE, YES_TEST_ABOLISHED_ON,
};
pub use roll::{detect_separator, parse_roll, ColumnMapping, ExistingRoll, GpRole, Rejected, RollEntry, RollImport};

/// A new ed25519 signing key for the service, from the operating system's
/// random source. Store it with `crate::audit::key_to_hex`.
pub fn generate_key() -> SigningKey {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    crate::audit::key_from_seed(seed)
}

/// A fresh entry nonce: 32 random bytes as 64 lowercase hex digits.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A random key for a vote waiting in the ballot box: 128 bits, so the box has no order.
pub fn new_box_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Letters and digits used in receipts: Crockford's base 32 (no I, L, O or U), so
/// receipts survive being read aloud or copied by hand.
pub const RECEIPT_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh receipt code such as `7K3Q-9XWD-2M4T-HC8R`: 16 random characters
/// (80 bits) in four groups. Receipts are compared as typed codes are: ignoring case,
/// spaces and dashes, O read as 0 and I, L as 1 (`crate::audit::normalise_typed`).
pub fn new_receipt() -> String {
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let k = OsRng.gen_range(0..RECEIPT_ALPHABET.len());
        out.push(char::from(RECEIPT_ALPHABET[k]));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audit;

    #[test]
    fn randomness_helpers() {
        let a = new_nonce();
        assert!(audit::chain::is_lower_hex(&a, 64));
        assert_ne!(a, new_nonce());
        let r = new_receipt();
        assert_eq!(r.len(), 19);
        assert_eq!(r.matches('-').count(), 3);
        assert!(r.bytes().all(|b| b == b'-' || RECEIPT_ALPHABET.contains(&b)));
        assert_eq!(audit::normalise_receipt(&r.to_lowercase()), audit::normalise_receipt(&r));
        let k1 = generate_key();
        let k2 = generate_key();
        assert_ne!(audit::public_key_hex(&k1), audit::public_key_hex(&k2));
        let back = audit::key_from_hex(&audit::key_to_hex(&k1)).unwrap();
        assert_eq!(back.to_bytes(), k1.to_bytes());
    }

    /// The whole flow with the ballot helpers: define, vote, build, sign, verify.
    #[test]
    fn end_to_end_with_audit() {
        let questions = vec![
            QuestionDef {
                text: "Are you prepared to undertake collective action?".into(),
                kind: QuestionKind::YesNo,
                options: vec![],
                max: None,
            },
            QuestionDef {
                text: "Which actions?".into(),
                kind: QuestionKind::ManyOf,
                options: vec!["Limit contacts".into(), "Decline new ICB contracts".into()],
                max: Some(2),
            },
        ];
        validate_questions(&questions).unwrap();
        let def = definition_json(
            "b1",
            "Collective action",
            &questions,
            Some("2026-03-02T09:00:00Z".into()),
            Some("2026-03-16T17:00:00Z".into()),
            audit::Publication::Full,
        );
        let eligible = 12;
        let mut prev = audit::genesis(&def, eligible).unwrap();
        let mut entries = Vec::new();
        let ballots = [
            vec![serde_json::json!("yes"), serde_json::json!(["Decline new ICB contracts", "Limit contacts"])],
            vec![serde_json::json!("no"), serde_json::json!([])],
            vec![serde_json::json!("yes"), serde_json::json!(["Limit contacts"])],
        ];
        let mut receipts = Vec::new();
        for (i, b) in ballots.iter().enumerate() {
            let answers = validate_answers(&questions, b).unwrap();
            let receipt = new_receipt();
            receipts.push(receipt.clone());
            let e = audit::append(
                &prev,
                &audit::EntryContent {
                    seq: i as u64 + 1,
                    receipt,
                    answers: serde_json::Value::Array(answers),
                    nonce: new_nonce(),
                },
            )
            .unwrap();
            prev = audit::hash_from_hex(&e.hash).unwrap();
            entries.push(e);
        }
        let mut record = audit::build_record(audit::RecordParts {
            ballot: def,
            eligible,
            markers: 3,
            publication: audit::Publication::Full,
            entries,
            scrutineer_signoff: None,
            published_at: "2026-03-17T10:00:00Z".into(),
        })
        .unwrap();
        let key = generate_key();
        audit::sign_record(&mut record, &key).unwrap();
        let json = serde_json::to_value(&record).unwrap();
        let report = audit::verify(&json, &[], &receipts, Some(&audit::public_key_hex(&key))).unwrap();
        assert_eq!(report.receipts_found.len(), 3);
        let r = results(&questions, &record.results, eligible, &Thresholds::default());
        assert_eq!(r.turnout, 0.25);
        assert_eq!(r.questions[1].options[0].votes, 2);
        assert_eq!(r.questions[1].options[1].votes, 1);
        assert!(!r.thresholds.turnout.met);
    }
}

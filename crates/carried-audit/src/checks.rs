//! Checks that the v1 verifier (`verify`) and the one-pass v2 verifier (`stream`) share: how receipts
//! and keys are compared, and whether the results fit the questions.

use crate::error::VerifyError;
use crate::record::{Question, QuestionKind, Results};

/// ASCII white space (space, tab, LF, CR, FF) removed from both ends; nothing else (not U+FEFF, not
/// U+00A0), so every verifier trims alike.
pub fn trim_ascii_ws(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c'))
}

/// Receipts are compared as typed codes are: ignoring ASCII case, spaces and dashes, reading O as 0 and
/// I, L as 1 ([`crate::typed`]); `ſ` is not `S` and U+FEFF is not white space.
pub fn normalise_receipt(receipt: &str) -> String {
    crate::typed::normalise_typed(receipt)
}

pub(crate) fn check_results_shape_of(results: &Results, questions: &[Question]) -> Result<(), VerifyError> {
    if results.questions.len() != questions.len() {
        return Err(VerifyError::ResultsShape(format!(
            "the results have {} questions, the ballot has {}",
            results.questions.len(),
            questions.len()
        )));
    }
    for (qi, (q, counts)) in questions.iter().zip(&results.questions).enumerate() {
        let keys = q.count_keys();
        for k in &keys {
            if !counts.counts.contains_key(*k) {
                return Err(VerifyError::ResultsShape(format!("question {} has no count for option {k:?}", qi + 1)));
            }
        }
        for k in counts.counts.keys() {
            if !keys.contains(&k.as_str()) {
                return Err(VerifyError::ResultsShape(format!(
                    "question {} has a count for {k:?}, which is not one of its options",
                    qi + 1
                )));
            }
        }
    }
    Ok(())
}

/// Receipts-only records cannot be recounted; check what the numbers alone allow.
pub(crate) fn check_consistency_of(
    results: &Results,
    questions: &[Question],
    entries: usize,
) -> Result<(), VerifyError> {
    let n = entries as u64;
    if results.votes_cast != n {
        return Err(VerifyError::ResultsInconsistent(format!(
            "votes_cast is {} but the record has {n} entries",
            results.votes_cast
        )));
    }
    for (qi, (q, c)) in questions.iter().zip(&results.questions).enumerate() {
        let sum: u128 = c.counts.values().map(|v| u128::from(*v)).sum();
        match q.kind {
            QuestionKind::YesNo | QuestionKind::OneOf if sum != u128::from(n) => {
                return Err(VerifyError::ResultsInconsistent(format!(
                    "question {} counts add up to {sum}, but {n} votes were cast and each answers it once",
                    qi + 1
                )));
            }
            QuestionKind::ManyOf => {
                if let Some((k, v)) = c.counts.iter().find(|(_, v)| **v > n) {
                    return Err(VerifyError::ResultsInconsistent(format!(
                        "question {} option {k:?} has {v} votes, more than the {n} votes cast",
                        qi + 1
                    )));
                }
                let max = u128::from(q.max.unwrap_or(0)) * u128::from(n);
                if sum > max {
                    return Err(VerifyError::ResultsInconsistent(format!(
                        "question {} counts add up to {sum}, more than {n} votes × max {} allow",
                        qi + 1,
                        q.max.unwrap_or(0)
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

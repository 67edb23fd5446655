//! The core's refusals as HTTP answers, decided here once: every path that meets the same condition
//! answers with the same status and code. A question that does not fit (no such part, no wording, counts
//! that contradict the declaration, a time out of range) is 422 `validation_failed`; a question the motion
//! has moved past (already decided, voting on its parts begun) is 409 `conflict`.

use super::AppError;
use crate::procedure::{AmendmentError, DeclarationError, PollError, SpeakingTimeError};

impl From<PollError> for AppError {
    fn from(e: PollError) -> Self {
        if e.is_too_late() {
            AppError::conflict(e.to_string())
        } else {
            AppError::validation(e.to_string())
        }
    }
}

impl From<DeclarationError> for AppError {
    fn from(e: DeclarationError) -> Self {
        AppError::validation(e.to_string())
    }
}

impl From<AmendmentError> for AppError {
    fn from(e: AmendmentError) -> Self {
        AppError::validation(e.to_string())
    }
}

impl From<SpeakingTimeError> for AppError {
    fn from(e: SpeakingTimeError) -> Self {
        AppError::validation(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn already_decided_is_a_conflict_and_a_bad_question_is_invalid() {
        let decided: AppError = PollError::MotionDecided { outcome: "CARRIED".into() }.into();
        assert_eq!(decided.code, ErrorCode::Conflict);
        let part: AppError =
            PollError::PartDecided { label: "(i)".into(), outcome: "LOST".into(), amending: true }.into();
        assert_eq!(part.code, ErrorCode::Conflict);
        assert_eq!(part.detail, "part (i) has already been decided (LOST), so it can no longer be amended");
        let stem: AppError = PollError::StemClosed.into();
        assert_eq!(stem.code, ErrorCode::Conflict);
        let missing: AppError = PollError::NoParts { label: "(ii)".into() }.into();
        assert_eq!(missing.code, ErrorCode::ValidationFailed);
        let whole: AppError = PollError::TakenInParts.into();
        assert_eq!(whole.code, ErrorCode::ValidationFailed);
    }
}

//! The core's refusals as HTTP answers, decided here once: every path that meets the same condition
//! answers with the same status and code. A question that does not fit (no such part, no wording, counts
//! that contradict the declaration, a time out of range) is 422 `validation_failed`; a question the motion
//! has moved past (already decided, voting on its parts begun) or a step the speakers' queue or clock is not
//! in a state for is 409 `conflict`.

use super::AppError;
use crate::procedure::{AmendmentError, DeclarationError, PollError, SpeakersError, SpeakingTimeError};

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

impl From<SpeakersError> for AppError {
    fn from(e: SpeakersError) -> Self {
        AppError::conflict(e.to_string())
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

    /// Status, code and detail of an error as the client sees them.
    fn seen(e: impl Into<AppError>) -> (u16, &'static str, String) {
        let e: AppError = e.into();
        (e.code.status().as_u16(), e.code.as_str(), e.detail)
    }

    #[test]
    fn the_speakers_queue_and_clock_refuse_with_a_conflict() {
        let all = [
            (SpeakersError::CalledCannotWithdraw, "this speaker has been called; the chair ends the speech instead"),
            (SpeakersError::SpeakingNow, "this speaker is speaking now"),
            (SpeakersError::AlreadySpoken, "this speaker has already spoken"),
            (SpeakersError::Withdrawn, "this request to speak was withdrawn"),
            (SpeakersError::Lapsed, "this request to speak lapsed when the debate moved on"),
            (SpeakersError::NotCalledYet, "this speaker has not been called yet"),
            (SpeakersError::ClockRunning, "the clock is already running"),
            (SpeakersError::ClockNotRunning, "the clock is not running"),
        ];
        for (e, detail) in all {
            assert_eq!(seen(e), (409, "conflict", detail.to_string()));
        }
    }
}

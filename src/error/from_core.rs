//! The core's refusals as HTTP answers, decided here once: every path that meets the same condition
//! answers with the same status and code. A question that does not fit (no such part, no wording, counts
//! that contradict the declaration, a time out of range, a ballot's questions or a voter's answers that do
//! not fit) is 422 `validation_failed`; a question the motion has moved past (already decided, voting on its
//! parts begun) or a step the speakers' queue or clock is not in a state for is 409 `conflict`; a roll file
//! that cannot be read is 400 `invalid_csv`, and a page of the roll that does not exist 400 `bad_request`.

use super::{AppError, ErrorCode};
use crate::ballot::{AnswerError, DefinitionError, PagingError, RollFileError};
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

/// The message names the request's field, `questions`, as the other checks of a ballot's definition do.
impl From<DefinitionError> for AppError {
    fn from(e: DefinitionError) -> Self {
        AppError::validation(format!("questions: {e}"))
    }
}

/// The message names the request's field, `answers`.
impl From<AnswerError> for AppError {
    fn from(e: AnswerError) -> Self {
        AppError::validation(format!("answers: {e}"))
    }
}

impl From<RollFileError> for AppError {
    fn from(e: RollFileError) -> Self {
        AppError::new(ErrorCode::InvalidCsv, e.to_string())
    }
}

impl From<PagingError> for AppError {
    fn from(e: PagingError) -> Self {
        AppError::bad_request(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::{QuestionKind, QuestionLabel};

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

    #[test]
    fn a_ballots_questions_and_answers_that_do_not_fit_are_invalid_and_name_the_field() {
        let at = QuestionLabel { number: 2, kind: QuestionKind::ManyOf };
        let questions = [
            (DefinitionError::QuestionCount { given: 21 }, "a ballot needs 1 to 20 questions, 21 given"),
            (DefinitionError::TextEmpty { at }, "question 2 (many_of): text is empty"),
            (
                DefinitionError::TextTooLong { at, chars: 1001 },
                "question 2 (many_of): text is 1001 characters, at most 1000 allowed",
            ),
            (
                DefinitionError::TextControlCharacter { at },
                "question 2 (many_of): text contains a control character (such as a line break)",
            ),
            (
                DefinitionError::OptionsOnYesNo { at: QuestionLabel { number: 1, kind: QuestionKind::YesNo } },
                "question 1 (yes_no): a yes/no question has no options (its answers are yes and no)",
            ),
            (DefinitionError::MaxNotManyOf { at }, "question 2 (many_of): max is only for many_of questions"),
            (
                DefinitionError::MaxMissing { at },
                "question 2 (many_of): max (the most options a voter may choose) is required",
            ),
            (DefinitionError::MaxZero { at }, "question 2 (many_of): max must be at least 1"),
            (
                DefinitionError::MaxOverOptions { at, max: 2, options: 1 },
                "question 2 (many_of): max 2 exceeds its 1 option",
            ),
            (DefinitionError::OptionCount { at, given: 51 }, "question 2 (many_of): needs 2 to 50 options, 51 given"),
            (DefinitionError::OptionEmpty { at, option: 3 }, "question 2 (many_of): option 3 is empty"),
            (
                DefinitionError::OptionSpaces { at, option: 1, text: " b".into() },
                "question 2 (many_of): option 1 \" b\" has spaces at its start or end",
            ),
            (
                DefinitionError::OptionTooLong { at, option: 1, chars: 301 },
                "question 2 (many_of): option 1 is 301 characters, at most 300 allowed",
            ),
            (
                DefinitionError::OptionControlCharacter { at, option: 4 },
                "question 2 (many_of): option 4 contains a control character (such as a line break)",
            ),
            (
                DefinitionError::OptionRepeated { at, option: 3, text: "strike".into(), first: 1 },
                "question 2 (many_of): option 3 \"strike\" repeats option 1",
            ),
        ];
        for (e, detail) in questions {
            assert_eq!(seen(e), (422, "validation_failed", format!("questions: {detail}")));
        }
        let answers = [
            (AnswerError::Count { answers: 1, questions: 2 }, "1 answer given for 2 questions"),
            (
                AnswerError::NotYesOrNo { at: QuestionLabel { number: 1, kind: QuestionKind::YesNo } },
                "question 1 (yes_no): the answer must be \"yes\" or \"no\"",
            ),
            (
                AnswerError::NotOneOption { at: QuestionLabel { number: 3, kind: QuestionKind::OneOf } },
                "question 3 (one_of): the answer must be one option",
            ),
            (AnswerError::NotAList { at }, "question 2 (many_of): the answer must be a list of options"),
            (
                AnswerError::NotAnOption { at, answer: "Nope".into() },
                "question 2 (many_of): \"Nope\" is not one of its options",
            ),
            (AnswerError::ChosenTwice { at, answer: "A".into() }, "question 2 (many_of): \"A\" is chosen twice"),
            (
                AnswerError::TooManyChosen { at, chosen: 3, max: 2 },
                "question 2 (many_of): 3 options chosen, at most 2 allowed",
            ),
        ];
        for (e, detail) in answers {
            assert_eq!(seen(e), (422, "validation_failed", format!("answers: {detail}")));
        }
    }

    #[test]
    fn a_roll_file_that_cannot_be_read_is_invalid_csv_and_a_missing_page_a_bad_request() {
        let columns = "membership_no, name, email, lmc, role";
        let files = [
            (
                RollFileError::Empty,
                "the file is empty: expected a header line membership_no,name,email,lmc,role".into(),
            ),
            (
                RollFileError::TooManyLines,
                "the roll has more than 200000 lines: split it into smaller files".to_string(),
            ),
            (
                RollFileError::HeaderUnreadable { line: 1, why: "a quoted field is not closed".into() },
                "line 1: the header cannot be read: a quoted field is not closed".into(),
            ),
            (
                RollFileError::UnknownColumn { header: "gmc".into() },
                format!(
                    "unknown column \"gmc\" in the header (expected {columns}; e.g. \"Membership No\", \
                     \"Email address\" and \"LMC area\" are read too)"
                ),
            ),
            (RollFileError::ColumnTwice { column: "email" }, "column email appears twice in the header".into()),
            (
                RollFileError::ColumnMissing { column: "email" },
                format!("missing column email in the header (expected {columns})"),
            ),
        ];
        for (e, detail) in files {
            assert_eq!(seen(e), (400, "invalid_csv", detail));
        }
        assert_eq!(
            seen(PagingError::Page { page: 0 }),
            (400, "bad_request", "page: 0 is not a page number (pages count from 1)".into())
        );
        assert_eq!(
            seen(PagingError::PerPage { per_page: 501 }),
            (400, "bad_request", "per_page: 501 is not between 1 and 500".into())
        );
    }
}

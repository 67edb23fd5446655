//! Why a ballot's definition, a voter's answers or a roll file are refused, in words for the officer or the
//! voter. Each is a type the service maps to an HTTP status once (`src/error/from_core.rs`), so the same
//! refusal has the same status and code on every path.

use std::fmt;

use super::definition::{
    quote, QuestionKind, MAX_OPTIONS, MAX_OPTION_CHARS, MAX_QUESTIONS, MAX_TEXT_CHARS, MIN_OPTIONS,
};
use super::roll::{COLUMNS, MAX_ROLL_LINES};
use super::roll_edit::MAX_PER_PAGE;

/// Which question a refusal is about, as the messages name it: `question 2 (many_of)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionLabel {
    /// Counted from 1, as the officer sees the questions.
    pub number: usize,
    pub kind: QuestionKind,
}

impl fmt::Display for QuestionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "question {} ({})", self.number, self.kind.as_str())
    }
}

/// `1 option`, `4 options`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why a ballot's questions cannot be put to voters (checked before the ballot is saved).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("a ballot needs 1 to {MAX_QUESTIONS} questions, {given} given")]
    QuestionCount { given: usize },
    #[error("{at}: text is empty")]
    TextEmpty { at: QuestionLabel },
    #[error("{at}: text is {chars} characters, at most {MAX_TEXT_CHARS} allowed")]
    TextTooLong { at: QuestionLabel, chars: usize },
    #[error("{at}: text contains a control character (such as a line break)")]
    TextControlCharacter { at: QuestionLabel },
    #[error("{at}: a yes/no question has no options (its answers are yes and no)")]
    OptionsOnYesNo { at: QuestionLabel },
    /// A max on a yes_no or one_of question.
    #[error("{at}: max is only for many_of questions")]
    MaxNotManyOf { at: QuestionLabel },
    #[error("{at}: max (the most options a voter may choose) is required")]
    MaxMissing { at: QuestionLabel },
    #[error("{at}: max must be at least 1")]
    MaxZero { at: QuestionLabel },
    #[error("{at}: max {max} exceeds its {}", plural(*options, "option", "options"))]
    MaxOverOptions { at: QuestionLabel, max: u32, options: usize },
    #[error("{at}: needs {MIN_OPTIONS} to {MAX_OPTIONS} options, {given} given")]
    OptionCount { at: QuestionLabel, given: usize },
    /// `option` is counted from 1.
    #[error("{at}: option {option} is empty")]
    OptionEmpty { at: QuestionLabel, option: usize },
    #[error("{at}: option {option} {} has spaces at its start or end", quote(text))]
    OptionSpaces { at: QuestionLabel, option: usize, text: String },
    #[error("{at}: option {option} is {chars} characters, at most {MAX_OPTION_CHARS} allowed")]
    OptionTooLong { at: QuestionLabel, option: usize, chars: usize },
    #[error("{at}: option {option} contains a control character (such as a line break)")]
    OptionControlCharacter { at: QuestionLabel, option: usize },
    /// Two options alike ignoring case; `first` is the earlier one.
    #[error("{at}: option {option} {} repeats option {first}", quote(text))]
    OptionRepeated { at: QuestionLabel, option: usize, text: String, first: usize },
}

/// Why a voter's answers do not fit the ballot's questions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{} given for {}", plural(*answers, "answer", "answers"), plural(*questions, "question", "questions"))]
    Count { answers: usize, questions: usize },
    #[error("{at}: the answer must be \"yes\" or \"no\"")]
    NotYesOrNo { at: QuestionLabel },
    #[error("{at}: the answer must be one option")]
    NotOneOption { at: QuestionLabel },
    #[error("{at}: the answer must be a list of options")]
    NotAList { at: QuestionLabel },
    #[error("{at}: {} is not one of its options", quote(answer))]
    NotAnOption { at: QuestionLabel, answer: String },
    #[error("{at}: {} is chosen twice", quote(answer))]
    ChosenTwice { at: QuestionLabel, answer: String },
    #[error("{at}: {} chosen, at most {max} allowed", plural(*chosen, "option", "options"))]
    TooManyChosen { at: QuestionLabel, chosen: usize, max: usize },
}

/// Why a roll file cannot be read at all (a bad line is reported in the import instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollFileError {
    #[error("the file is empty: expected a header line {}", COLUMNS.join(","))]
    Empty,
    #[error("the roll has more than {MAX_ROLL_LINES} lines: split it into smaller files")]
    TooManyLines,
    #[error("line {line}: the header cannot be read: {why}")]
    HeaderUnreadable { line: usize, why: String },
    #[error(
        "unknown column {} in the header (expected {}; e.g. \"Membership No\", \"Email address\" and \"LMC area\" are read too)",
        quote(header),
        COLUMNS.join(", ")
    )]
    UnknownColumn { header: String },
    #[error("column {column} appears twice in the header")]
    ColumnTwice { column: &'static str },
    #[error("missing column {column} in the header (expected {})", COLUMNS.join(", "))]
    ColumnMissing { column: &'static str },
}

/// A page of the roll asked for that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("page: {page} is not a page number (pages count from 1)")]
    Page { page: i64 },
    #[error("per_page: {per_page} is not between 1 and {MAX_PER_PAGE}")]
    PerPage { per_page: i64 },
}

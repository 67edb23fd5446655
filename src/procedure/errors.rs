//! Why the procedure refuses something, in the chair's words. Each error is a type the service maps to an
//! HTTP status once (`src/error/from_core.rs`), so the same condition has the same status on every path:
//! a question that does not fit the motion is 422, one the motion has moved past (already decided) is 409.

use super::majority::{Counts, Majority};
use super::polls::ProceduralKind;
use super::{MAX_MOTION_CHARS, MAX_PARTS};

/// Why a poll cannot be put (or its result applied) on a motion as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    /// A part was asked for without saying which.
    #[error("say which part, e.g. \"(ii)\"")]
    NoPartNamed,
    /// The motion has no parts at all.
    #[error("this motion has no parts, so there is no part {label}")]
    NoParts { label: String },
    /// No part has this label; `similar` is one written differently ("ii" for "(ii)").
    #[error("{}", no_such_part(label, similar.as_deref(), parts))]
    NoSuchPart { label: String, similar: Option<String>, parts: Vec<String> },
    /// An amendment or rider with no wording.
    #[error("the {what} has no text: {hint}")]
    NoText { what: &'static str, hint: String },
    /// An amendment or rider longer than a motion may be.
    #[error("the {what} is {chars} characters long; the most allowed is {MAX_MOTION_CHARS}")]
    TooLong { what: &'static str, chars: usize },
    /// A vote on the whole while the motion is taken in parts.
    #[error(
        "this motion is being taken in parts, so put each part to the vote (or take the motion as a whole instead)"
    )]
    TakenInParts,
    /// A vote on one part while the motion is taken as a whole.
    #[error("this motion is being taken as a whole; take it in parts before putting part {label} on its own")]
    TakenAsWhole { label: String },
    /// A procedural motion on one part while the motion is taken as a whole.
    #[error(
        "this motion is being taken as a whole; take it in parts before putting a procedural motion on part \
         {label} alone (or leave the part empty)"
    )]
    ProceduralTakenAsWhole { label: String },
    /// A rider on a motion that already has the most parts allowed.
    #[error("the motion already has {parts} parts, the most allowed is {MAX_PARTS}")]
    TooManyParts { parts: usize },
    /// A procedural motion that applies to the conference, put on one part.
    #[error("a motion {} applies to the conference, not to one part; leave the part empty", kind.describe())]
    NotOnOnePart { kind: ProceduralKind },
    /// The motion has an outcome already.
    #[error("the motion has already been decided ({outcome})")]
    MotionDecided { outcome: String },
    /// The part has an outcome already; `amending` when the question was an amendment to it.
    #[error("part {label} has already been decided ({outcome}){}", if *amending { ", so it can no longer be amended" } else { "" })]
    PartDecided { label: String, outcome: String, amending: bool },
    /// An amendment to the stem once a part has been voted on.
    #[error("voting on the parts has begun, so the stem can no longer be amended")]
    StemClosed,
    /// A rider's new part would take a label the motion already has.
    #[error("the motion already has a part {label}")]
    PartExists { label: String },
}

impl PollError {
    /// The question was sound, but the motion has moved past it (decided, or voting on its parts begun):
    /// the state of the motion, not the request, is what stands in the way.
    pub fn is_too_late(&self) -> bool {
        matches!(
            self,
            PollError::MotionDecided { .. }
                | PollError::PartDecided { .. }
                | PollError::StemClosed
                | PollError::PartExists { .. }
        )
    }
}

fn no_such_part(label: &str, similar: Option<&str>, parts: &[String]) -> String {
    let list = parts.join(", ");
    match similar {
        Some(similar) => format!("there is no part \"{label}\"; did you mean {similar}? (parts are {list})"),
        None => format!("there is no part {label} in this motion; its parts are {list}"),
    }
}

/// A show-of-hands result whose counts say the opposite of what the chair declared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", counts_disagree(*majority, *declared_carried, counts))]
pub struct DeclarationError {
    pub majority: Majority,
    pub declared_carried: bool,
    pub counts: Counts,
}

fn counts_disagree(majority: Majority, declared_carried: bool, counts: &Counts) -> String {
    let (was, declared) = if declared_carried { ("lost", "carried") } else { ("carried", "lost") };
    let mut shown = format!("for {}, against {}", counts.for_votes, counts.against);
    if counts.abstain > 0 {
        shown.push_str(&format!(", abstain {}", counts.abstain));
    }
    let mut message = format!("the counts given ({shown}) mean the motion was {was}, not {declared}");
    match majority {
        Majority::TwoThirds => {
            message.push_str(
                " (a two-thirds majority needs at least twice as many for as against, \
                 and at least one vote for; abstentions are not counted)",
            );
        }
        Majority::Simple => {
            if counts.for_votes == counts.against {
                message.push_str(" (a tie is lost)");
            } else if counts.abstain > 0 {
                message.push_str(" (abstentions are not counted)");
            }
        }
    }
    message
}

/// Why a printed amendment or rider could not be read; the chair then gives the wording as amended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    #[error("it amends more than one part: put each to the vote with its wording as amended")]
    SeveralParts,
    #[error("it names part {token}, which the motion does not have (parts: {})", parts.join(", "))]
    NoSuchPart { token: String, parts: Vec<String> },
    #[error("the rider's new part could not be found (expected it in quotes or after a colon)")]
    RiderTextMissing,
    #[error("the words it adds, deletes or replaces are not in quotes")]
    WordsNotQuoted,
    #[error("the words that replace them are not in quotes")]
    ReplacementNotQuoted,
    #[error("the words after which they go are not in quotes")]
    AfterNotQuoted,
    #[error("the words before which they go are not in quotes")]
    BeforeNotQuoted,
    #[error("the words \"{words}\" are not in the text it amends")]
    WordsNotInText { words: String },
    #[error("it does not say whether the words are added, deleted or replaced")]
    NoChangeSaid,
    #[error("the new wording could not be found (expected it in quotes or after a colon)")]
    NewWordingMissing,
    #[error(
        "the wording is not one this reader knows (amended to read, replaced by, words added, deleted or replaced)"
    )]
    UnknownForm,
}

/// A speaking time outside the limits allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {seconds} is not between {} and {} seconds", super::speakers::LIMIT_RANGE.0, super::speakers::LIMIT_RANGE.1)]
pub struct SpeakingTimeError {
    /// The field ("speaker_seconds", …).
    pub field: &'static str,
    pub seconds: i32,
}

/// Why a request to speak cannot move on as asked, or the speech clock cannot be started or stopped: the
/// state of the queue, not the request, stands in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SpeakersError {
    /// Withdrawing a request whose speaker is at the microphone.
    #[error("this speaker has been called; the chair ends the speech instead")]
    CalledCannotWithdraw,
    #[error("this speaker is speaking now")]
    SpeakingNow,
    #[error("this speaker has already spoken")]
    AlreadySpoken,
    #[error("this request to speak was withdrawn")]
    Withdrawn,
    #[error("this request to speak lapsed when the debate moved on")]
    Lapsed,
    /// Ending a speech that never began.
    #[error("this speaker has not been called yet")]
    NotCalledYet,
    #[error("the clock is already running")]
    ClockRunning,
    #[error("the clock is not running")]
    ClockNotRunning,
}

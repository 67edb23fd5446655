//! Conference procedure: majorities, outcomes, poll subjects and effects, the
//! printed-motion parser and "the motion in full". Pure logic: no I/O, no web,
//! no database. The rules are in docs/domain.md ("Conferences and motions") and
//! docs/procedure.md.

pub mod agenda;
pub mod agenda_reader;
pub mod amendment_wording;
pub mod committee_motion;
pub mod conference_status;
pub mod errors;
pub mod hall;
pub mod labels;
pub mod majority;
pub mod outcome;
pub mod parser;
pub mod polls;
pub mod record;
pub mod resolutions;
pub mod speakers;
pub mod wording;

pub use agenda::AgendaMark;
pub use agenda_reader::{read_agenda, Agenda, AgendaItem, AgendaNote, AgendaWarning, ItemKind, NoteKind};
pub use conference_status::ConferenceStatus;
pub use errors::{AmendmentError, DeclarationError, PollError, SpeakersError, SpeakingTimeError};
pub use labels::{from_roman, label_style, next_label, to_roman, LabelStyle};
pub use majority::{check_declared, decide, is_carried, Choice, Counts, Decision, Majority, Qualifier};
pub use outcome::{apply_to_all, motion_outcome_text, undecided_become_not_reached, Outcome, PartState, TakenAs};
pub use parser::{normalise_proposer, parse_printed_motion, ParseError, ParsedMotion, ParsedPart};
pub use polls::{
    check_still_open, effect_of, validate_subject, Effect, MotionPart, MotionState, PollSubject, ProceduralKind,
    Subject,
};
pub use record::{render_markdown, render_text, MotionRecord, RecordPart};
pub use wording::{percentages, wording_of, wording_of_a_motions, Percentages, Wording};

/// The most parts a motion may have (parser and riders).
pub const MAX_PARTS: usize = 50;

/// The longest a printed motion (or an amendment or rider) may be, in characters.
pub const MAX_MOTION_CHARS: usize = 20_000;

/// A name that is not one of an enum's words (from `FromStr`).
pub use crate::text_enum::UnknownName;

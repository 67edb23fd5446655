//! The agenda reader: turns a whole agenda as printed (text copied from the PDF or Word document) into
//! numbered items (motions, amendments, riders, emergency motions), notes (title, headings, placement
//! lines, errata, "Receive:" items, timetables, other text) and warnings on the lines it was unsure of.
//!
//! It never merges items silently: a new item number, a new proposer line or a new heading starts a new
//! item, and every non-blank line of the input ends up in exactly one item (`lines`), one note (`lines`)
//! or one warning (`unread`). The layouts it reads are listed in docs/procedure.md ("Importing an agenda").

use crate::text_enum;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agenda::AgendaMark;
use super::parser::{split_lines, ParsedPart};

mod lines;
mod reader;
use reader::Reader;

/// The longest agenda read at once, in characters (about 1,500 pages of text).
pub const MAX_AGENDA_CHARS: usize = 4_000_000;

text_enum! {
    /// What an agenda item is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ItemKind ("item kind") {
        Motion = "motion",
        Amendment = "amendment",
        Rider = "rider",
        Emergency = "emergency",
    }
}

impl ItemKind {
    /// Amendments and riders are voted as they are printed: their text is never split into parts.
    pub fn has_parts(&self) -> bool {
        matches!(self, ItemKind::Motion | ItemKind::Emergency)
    }
}

/// One numbered item of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgendaItem {
    /// As printed: "27", "27a", "a278", "EM1".
    pub number: String,
    pub kind: ItemKind,
    /// The heading the item is under.
    pub section: Option<String>,
    /// A sub-heading under the section, if any.
    pub subsection: Option<String>,
    /// The proposing body, title-cased, without "LMC".
    pub proposer: Option<String>,
    /// Written (or composited) by the agenda committee.
    pub agenda_committee: bool,
    pub seconder: Option<String>,
    /// "That conference …" up to the first part (for amendments and riders, their whole text).
    pub stem: String,
    pub parts: Vec<ParsedPart>,
    /// A sentence printed after the last part that is not itself a part.
    pub after_parts: Option<String>,
    pub marks: Vec<AgendaMark>,
    /// The lead item of its bracket ("27" for 27, 27a … 27h).
    pub bracket: Option<String>,
    /// For an amendment or rider: the number of the item it amends.
    pub amends: Option<String>,
    /// A placement line printed before it ("To follow item 10").
    pub placement: Option<String>,
    /// The line where the item starts (1-based).
    pub line: usize,
    /// Every input line read into this item.
    pub lines: Vec<usize>,
}

/// What a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A section heading or sub-heading.
    Heading,
    /// "To follow item 10", "To precede item 15".
    Placement,
    /// "Erratum: …", "Errata", "Correction".
    Erratum,
    /// "Receive: the report of …": an item that is not a motion.
    Receive,
    /// "Timetable", "9.00 am - …".
    Timetable,
    /// Any other text between items (the title, explanations).
    Text,
}

/// Text of the agenda that is not an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgendaNote {
    pub kind: NoteKind,
    pub text: String,
    pub line: usize,
    pub lines: Vec<usize>,
}

/// Something the reader was unsure of, on its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgendaWarning {
    pub line: usize,
    pub message: String,
    /// Lines that were read into no item and no note because of this (their text is in `text`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// An agenda as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Agenda {
    pub items: Vec<AgendaItem>,
    pub notes: Vec<AgendaNote>,
    pub warnings: Vec<AgendaWarning>,
}

/// Reads an agenda as printed. Never fails: what it cannot read becomes a warning on its line.
pub fn read_agenda(text: &str) -> Agenda {
    let mut reader = Reader::new();
    let total = text.chars().count();
    let text = if total > MAX_AGENDA_CHARS {
        let cut = text.char_indices().nth(MAX_AGENDA_CHARS).map_or(text.len(), |(i, _)| i);
        &text[..cut]
    } else {
        text
    };
    let lines = split_lines(text);
    for (i, line) in lines.iter().enumerate() {
        let blank_before = i == 0 || lines[i - 1].no + 1 < line.no;
        reader.line(line, blank_before, lines.get(i + 1));
    }
    let mut agenda = reader.finish();
    if total > MAX_AGENDA_CHARS {
        let last = lines.last().map_or(1, |l| l.no);
        agenda.warnings.push(AgendaWarning {
            line: last,
            message: format!("the agenda is too long: only the first {MAX_AGENDA_CHARS} characters were read"),
            unread: Vec::new(),
            text: None,
        });
    }
    agenda
}

/// Line numbers (1-based) of the non-blank lines of `text`, as the reader counts them.
pub fn non_blank_lines(text: &str) -> Vec<usize> {
    split_lines(text).into_iter().map(|l| l.no).collect()
}

#[cfg(test)]
#[path = "agenda_reader_tests.rs"]
mod tests;

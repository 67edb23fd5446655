//! The agenda reader: turns a whole agenda as printed (text copied from the PDF or Word document) into
//! numbered items (motions, amendments, riders, emergency motions), notes (title, headings, placement
//! lines, errata, "Receive:" items, timetables, other text) and warnings on the lines it was unsure of.
//!
//! It never merges items silently: a new item number, a new proposer line or a new heading starts a new
//! item, and every non-blank line of the input ends up in exactly one item (`lines`), one note (`lines`)
//! or one warning (`unread`). The layouts it reads are listed in docs/procedure.md ("Importing an agenda").

use crate::text_enum;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agenda::AgendaMark;
use super::parser::{
    collapse, normalise_proposer, read_proposer, split_inline, split_lines, split_marker, Line, ParsedPart, Sequence,
    SMALL_WORDS,
};

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

// ---------------------------------------------------------------------------
// Recognising lines.

/// Words that begin a motion's text.
const STARTERS: [&str; 8] = ["That", "Given", "Recognising", "Recognizing", "Noting", "Believing", "Whilst", "While"];

/// Whether `text` begins with a word that begins a motion ("That", "Given" …; any case), after an
/// optional opening quote.
fn starts_with_starter(text: &str) -> bool {
    let t = text.trim_start_matches(['"', '“', '‘', '\'']);
    STARTERS.iter().any(|s| {
        t.len() >= s.len()
            && t.is_char_boundary(s.len())
            && t[..s.len()].eq_ignore_ascii_case(s)
            && !t[s.len()..].chars().next().is_some_and(char::is_alphanumeric)
    })
}

/// The byte offset of the first starter word ("That", "THAT", "Given" …, as a word, capitalised) after
/// the start of `text`.
fn find_starter(text: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for s in STARTERS {
        for word in [s.to_string(), s.to_uppercase()] {
            let mut from = 0;
            while let Some(rel) = text.get(from..).and_then(|t| t.find(&word)) {
                let at = from + rel;
                let before_ok = at > 0 && text[..at].ends_with([' ', ':', '—', '–', '-', '"', '“']);
                let after_ok = !text[at + word.len()..].chars().next().is_some_and(char::is_alphanumeric);
                if before_ok && after_ok {
                    best = Some(best.map_or(at, |b: usize| b.min(at)));
                    break;
                }
                from = at + word.len();
            }
        }
    }
    best
}

/// Whether `text` reads as the name of a body: a few words, each capitalised (or a small word such as
/// "and", "of", "upon"), not a sentence.
fn looks_like_name(text: &str) -> bool {
    let t = text.trim().trim_end_matches([',', '-', '–', '—']).trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || words.len() > 10 || t.ends_with('.') || !t.chars().any(char::is_alphabetic) {
        return false;
    }
    words.iter().all(|w| {
        let lower = w.to_lowercase();
        match w.chars().find(|c| c.is_alphanumeric()) {
            None => *w == "&" || *w == "-" || *w == "–",
            Some(c) => c.is_uppercase() || c.is_ascii_digit() || SMALL_WORDS.contains(&lower.as_str()),
        }
    })
}

/// Whether a line is in capitals (has letters, none lower-case; "LMCs" allowed).
fn is_capitals(text: &str) -> bool {
    let cleaned = text.replace("LMCs", "LMCS");
    cleaned.chars().any(char::is_alphabetic) && !cleaned.chars().any(char::is_lowercase)
}

fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['"', '”', '’', '\'', ')', ' ']);
    t.ends_with(['.', '!', '?'])
}

fn starts_upper(text: &str) -> bool {
    text.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| c.is_uppercase())
}

/// The number at the start of an item's line, with any marks before it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Start {
    marks: Vec<AgendaMark>,
    number: String,
    /// The number was followed by "." or ")" (so it could be a part's label).
    punct: bool,
    /// Byte offset of the text after the number.
    rest: usize,
}

/// An item number at the start of `text`: optional marks ("*", "★", "A", "AR"), an optional word
/// ("Motion", "Item", "No."), then "27", "27a", "a278", "EM1"; followed by the end, a space, or "." ":" ")"
/// and a space.
fn item_start(text: &str) -> Option<Start> {
    let mut marks = Vec::new();
    let mut pos = 0;
    let rest = |p: usize| text.get(p..).unwrap_or_default();
    // Marks.
    loop {
        let r = rest(pos);
        if let Some(after) = r.strip_prefix(['*', '★', '☆']) {
            if !marks.contains(&AgendaMark::Starred) {
                marks.push(AgendaMark::Starred);
            }
            pos = text.len() - after.trim_start().len();
            continue;
        }
        let mut matched = false;
        for (word, mark) in
            [("AR ", AgendaMark::Ar), ("A ", AgendaMark::A), ("(AR) ", AgendaMark::Ar), ("(A) ", AgendaMark::A)]
        {
            if let Some(after) = r.strip_prefix(word) {
                let after = after.trim_start();
                if after.starts_with(|c: char| c.is_ascii_digit() || c == '*') {
                    marks.push(mark);
                    pos = text.len() - after.len();
                    matched = true;
                    break;
                }
            }
        }
        if !matched {
            break;
        }
    }
    // "Motion 12", "Item 12", "No. 12".
    let r = rest(pos);
    for word in ["motion ", "item ", "no. ", "no "] {
        if r.len() > word.len() && r.is_char_boundary(word.len()) && r[..word.len()].eq_ignore_ascii_case(word) {
            let after = r[word.len()..].trim_start();
            if after.starts_with(|c: char| c.is_ascii_digit()) {
                pos = text.len() - after.len();
            }
            break;
        }
    }
    let r = rest(pos);
    let prefix = r.chars().take_while(char::is_ascii_alphabetic).count();
    if prefix > 2 {
        return None;
    }
    let digits = r[prefix..].chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let suffix = if prefix == 0 { r[digits..].chars().take_while(char::is_ascii_lowercase).count().min(2) } else { 0 };
    let end = prefix + digits + suffix;
    let number = r[..end].to_string();
    if r[end..].chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let mut after = end;
    let mut punct = false;
    if let Some(c) = r[end..].chars().next() {
        match c {
            '.' | ':' | ')' => {
                let next = r[end + 1..].chars().next();
                if next.is_some_and(|n| !n.is_whitespace()) {
                    return None;
                }
                punct = c != ':';
                after = end + 1;
            }
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    let tail = r[after..].trim_start();
    let tail = match tail.strip_prefix(['—', '–', '-']) {
        Some(t) if t.starts_with(' ') => t.trim_start(),
        _ => tail,
    };
    Some(Start { marks, number, punct, rest: text.len() - tail.len() })
}

/// What the words before an item's text say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Header {
    kind: Option<ItemKind>,
    proposer: Option<String>,
    agenda_committee: bool,
    seconder: Option<String>,
    composite: bool,
    /// Words of the header itself (searched for "item N").
    words: String,
}

impl Header {
    fn says_something(&self) -> bool {
        self.kind.is_some() || self.proposer.is_some() || self.agenda_committee || self.composite
    }
}

/// Splits "X and seconded by Y" / "X, seconded by Y".
fn split_seconder(text: &str) -> (String, Option<String>) {
    let lower = text.to_lowercase();
    for sep in [" and seconded by ", ", seconded by ", " seconded by ", ",seconded by "] {
        if let Some(i) = lower.find(sep) {
            if text.is_char_boundary(i) && text.is_char_boundary(i + sep.len()) {
                let second = normalise_proposer(text[i + sep.len()..].trim_end_matches([':', '.', ',']));
                return (text[..i].to_string(), (!second.is_empty()).then_some(second));
            }
        }
    }
    (text.to_string(), None)
}

const KEYWORDS: [(&str, ItemKind, bool); 8] = [
    ("emergency motion", ItemKind::Emergency, false),
    ("emergency amendment", ItemKind::Amendment, false),
    ("composite motion", ItemKind::Motion, true),
    ("composite", ItemKind::Motion, true),
    ("motion", ItemKind::Motion, false),
    ("amendment", ItemKind::Amendment, false),
    ("rider", ItemKind::Rider, false),
    ("emergency", ItemKind::Emergency, false),
];

/// Reads the header at the start of `text` (after any number). Returns the header and the byte offset
/// where the item's text starts (`None` when the whole line is header), or `None` if `text` has no
/// header and does not begin the item's text either.
fn split_header(text: &str) -> Option<(Header, Option<usize>)> {
    let lower = text.to_lowercase();
    if starts_with_starter(text) {
        return Some((Header::default(), Some(0)));
    }
    // "Amendment by X:", "Rider by X that …", "Emergency motion by X and seconded by Y:", "Motion by X:".
    for (kw, kind, composite) in KEYWORDS {
        if lower.len() >= kw.len()
            && lower.is_char_boundary(kw.len())
            && lower.starts_with(kw)
            && !lower[kw.len()..].chars().next().is_some_and(char::is_alphanumeric)
            && text.is_char_boundary(kw.len())
        {
            let after = &text[kw.len()..];
            let lower_after = after.to_lowercase();
            let (head, body) = match after.find(':') {
                Some(i) => (&after[..i], Some(kw.len() + i + 1)),
                None => match lower_after.find(" that ").filter(|i| after.is_char_boundary(*i)) {
                    Some(i) => (&after[..i], Some(kw.len() + i + 1)),
                    None => (after, None),
                },
            };
            // A long lower-case sentence is not a header ("motion to …" in running text).
            if body.is_none() && head.split_whitespace().count() > 14 {
                return None;
            }
            let mut h = Header { kind: Some(kind), composite, words: head.to_string(), ..Header::default() };
            let head_lower = head.to_lowercase();
            if let Some(i) = head_lower.find("by ").filter(|i| *i == 0 || head_lower[..*i].ends_with(' ')) {
                let (name, second) = split_seconder(&head[i + 3..]);
                let (ac, p) = read_proposer(&format!("proposed by {name}"));
                h.agenda_committee = ac || head_lower.contains("agenda committee");
                h.proposer = p;
                h.seconder = second;
            } else if head_lower.contains("agenda committee") {
                h.agenda_committee = true;
            }
            return Some((h, body.map(|b| skip_spaces(text, b))));
        }
    }
    // "AGENDA COMMITTEE TO BE PROPOSED BY X[:]", "Written by the Agenda Committee and proposed by X",
    // "Proposed by X", "Proposer: X".
    if lower.contains("proposed by") || lower.starts_with("agenda committee") || lower.starts_with("proposer") {
        let by = lower.find("proposed by").map_or(0, |i| i + "proposed by".len());
        let body = match text.get(by..).and_then(|t| t.find(':')) {
            Some(i) => Some(by + i + 1),
            None => text.get(by..).and_then(find_starter).map(|i| by + i),
        };
        let head = &text[..body.map_or(text.len(), |b| if text[..b].ends_with(':') { b - 1 } else { b })];
        let (name, second) = split_seconder(head);
        let (ac, proposer) = read_proposer(&name);
        let h = Header {
            kind: None,
            proposer,
            agenda_committee: ac,
            seconder: second,
            composite: lower.contains("composite"),
            words: head.to_string(),
        };
        return Some((h, body.map(|b| skip_spaces(text, b))));
    }
    // "BEDFORDSHIRE: …", "Lambeth LMC: …".
    if let Some(i) = text.find(':') {
        let head = &text[..i];
        if looks_like_name(head) {
            let (name, second) = split_seconder(head);
            let h = Header {
                proposer: Some(normalise_proposer(&name)).filter(|p| !p.is_empty()),
                seconder: second,
                words: head.to_string(),
                ..Header::default()
            };
            return Some((h, Some(skip_spaces(text, i + 1))));
        }
    }
    // "WILTSHIRE That conference …" (no colon).
    if let Some(i) = find_starter(text) {
        let head = text[..i].trim_end().trim_end_matches(['—', '–', '-', ',', '"', '“']).trim_end();
        if looks_like_name(head) {
            let (name, second) = split_seconder(head);
            let h = Header {
                proposer: Some(normalise_proposer(&name)).filter(|p| !p.is_empty()),
                seconder: second,
                words: head.to_string(),
                ..Header::default()
            };
            return Some((h, Some(i)));
        }
    }
    None
}

fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + (rest.len() - rest.trim_start().len())
}

/// "item 15", "motion 27a", "items 12" in `text`: the first item number named.
fn named_item(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    for word in ["item ", "motion ", "items ", "motions ", "item no. ", "motion no. "] {
        let mut from = 0;
        while let Some(rel) = lower.get(from..).and_then(|t| t.find(word)) {
            let at = from + rel + word.len();
            let before_ok = at == word.len() || !lower[..at - word.len()].ends_with(char::is_alphanumeric);
            let rest = &lower[at..];
            let prefix = rest.chars().take_while(char::is_ascii_alphabetic).count().min(2);
            let digits = rest[prefix..].chars().take_while(char::is_ascii_digit).count();
            if before_ok
                && digits > 0
                && digits <= 4
                && (prefix == 0 || rest.starts_with(|c: char| c.is_ascii_alphabetic()))
            {
                let end_digits = prefix + digits;
                let suffix = if prefix == 0 {
                    rest[end_digits..].chars().take_while(char::is_ascii_lowercase).count()
                } else {
                    0
                };
                // "item 15 and" → 15; "item 27a" → 27a; "item 15's" → 15.
                let suffix = if suffix <= 2 { suffix } else { 0 };
                let end = end_digits + suffix;
                if !rest[end..].chars().next().is_some_and(char::is_alphanumeric) {
                    return Some(text[at..at + end].to_string());
                }
                if prefix == 0 {
                    return Some(text[at..at + end_digits].to_string());
                }
            }
            from = at;
        }
    }
    None
}

fn is_erratum(lower: &str) -> bool {
    ["erratum", "errata", "corrigendum", "corrigenda", "correction:", "correction -", "correction –"]
        .iter()
        .any(|w| lower.starts_with(w))
}

fn is_receive(lower: &str) -> bool {
    lower.starts_with("receive") || lower.starts_with("to receive")
}

fn is_placement(lower: &str) -> bool {
    let starts = [
        "to follow ",
        "to precede ",
        "to be taken ",
        "to be debated ",
        "to be considered ",
        "to be placed ",
        "placed after ",
        "placed before ",
        "follows item",
        "precedes item",
    ];
    starts.iter().any(|s| lower.starts_with(s))
        && (lower.contains("item") || lower.contains("motion"))
        && lower.split_whitespace().count() <= 14
}

/// "9.00 am - …", "10:30 – …", "14.00", "Timetable …".
fn is_timetable(lower: &str) -> bool {
    if lower.starts_with("timetable") {
        return true;
    }
    let b = lower.as_bytes();
    let h = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&h)
        && matches!(b.get(h), Some(b'.') | Some(b':'))
        && b.get(h + 1).is_some_and(u8::is_ascii_digit)
        && b.get(h + 2).is_some_and(u8::is_ascii_digit)
        && !b.get(h + 3).is_some_and(u8::is_ascii_digit)
}

/// "Page 3", "3 of 20", "- 3 -": page furniture copied from a PDF.
fn is_page_furniture(lower: &str) -> bool {
    let t = lower.trim_matches(|c: char| c == '-' || c == '–' || c.is_whitespace());
    let t = t.strip_prefix("page ").unwrap_or(t);
    let words: Vec<&str> = t.split_whitespace().collect();
    match words.as_slice() {
        [n] => n.chars().all(|c| c.is_ascii_digit()) && lower.starts_with("page"),
        [n, "of", m] => n.chars().all(|c| c.is_ascii_digit()) && m.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// A heading: a short line that is not a sentence.
fn looks_like_heading(text: &str) -> bool {
    let words = text.split_whitespace().count();
    words > 0
        && words <= 14
        && !ends_sentence(text)
        && !text.ends_with([',', ';'])
        && text.chars().any(char::is_alphabetic)
        && !starts_with_starter(text)
        && starts_upper(text)
}

// ---------------------------------------------------------------------------
// The reader.

/// A part being collected.
struct PartDraft {
    label: String,
    pieces: Vec<String>,
}

struct Draft {
    number: Option<String>,
    marks: Vec<AgendaMark>,
    header: Header,
    /// The item's text has begun.
    started: bool,
    stem: Vec<String>,
    parts: Vec<PartDraft>,
    after: Vec<String>,
    sequence: Sequence,
    section: Option<String>,
    subsection: Option<String>,
    grey: bool,
    emergency_section: bool,
    placement: Option<String>,
    placement_target: Option<String>,
    line: usize,
    lines: Vec<usize>,
    /// Line where the text began.
    text_line: usize,
}

impl Draft {
    fn kind(&self) -> ItemKind {
        match self.header.kind {
            Some(k) => k,
            None if self.emergency_section => ItemKind::Emergency,
            None => ItemKind::Motion,
        }
    }

    /// The text so far ends a sentence, with nothing left open (no ":" waiting for parts).
    fn complete(&self) -> bool {
        let last =
            self.after.last().or_else(|| self.parts.last().and_then(|p| p.pieces.last())).or_else(|| self.stem.last());
        last.is_some_and(|t| ends_sentence(t))
    }
}

struct Reader {
    agenda: Agenda,
    draft: Option<Draft>,
    section: Option<String>,
    subsection: Option<String>,
    grey: bool,
    emergency_section: bool,
    placement: Option<(String, Option<String>, usize)>,
    /// The note that the next lower-case line continues, if any.
    open_note: Option<usize>,
    unnumbered: usize,
}

impl Reader {
    fn new() -> Self {
        Reader {
            agenda: Agenda::default(),
            draft: None,
            section: None,
            subsection: None,
            grey: false,
            emergency_section: false,
            placement: None,
            open_note: None,
            unnumbered: 0,
        }
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.agenda.warnings.push(AgendaWarning { line, message: message.into(), unread: Vec::new(), text: None });
    }

    fn unread(&mut self, lines: Vec<usize>, text: String, message: impl Into<String>) {
        let line = lines.first().copied().unwrap_or(1);
        self.agenda.warnings.push(AgendaWarning { line, message: message.into(), unread: lines, text: Some(text) });
    }

    fn note(&mut self, kind: NoteKind, line: &Line) {
        self.agenda.notes.push(AgendaNote { kind, text: line.text.clone(), line: line.no, lines: vec![line.no] });
        self.open_note = Some(self.agenda.notes.len() - 1);
    }

    fn new_draft(&mut self, line: usize, number: Option<String>, marks: Vec<AgendaMark>, header: Header) -> Draft {
        let (placement, placement_target) = match self.placement.take() {
            Some((text, target, _)) => (Some(text), target),
            None => (None, None),
        };
        Draft {
            number,
            marks,
            header,
            started: false,
            stem: Vec::new(),
            parts: Vec::new(),
            after: Vec::new(),
            sequence: Sequence::new(),
            section: self.section.clone(),
            subsection: self.subsection.clone(),
            grey: self.grey,
            emergency_section: self.emergency_section,
            placement,
            placement_target,
            line,
            lines: vec![line],
            text_line: line,
        }
    }

    /// Begins the item's text on `line` from byte `at`.
    fn begin_text(draft: &mut Draft, line: &Line, at: usize) {
        let rest = line.from(at);
        if !rest.text.is_empty() {
            draft.started = true;
            draft.text_line = line.no;
            draft.stem.push(rest.text);
        }
    }

    fn flush(&mut self) {
        if let Some(d) = self.draft.take() {
            self.finish_draft(d);
        }
    }

    fn finish_draft(&mut self, d: Draft) {
        let kind = d.kind();
        let mut stem = collapse(&d.stem.join(" "));
        let mut parts: Vec<ParsedPart> = d
            .parts
            .iter()
            .map(|p| ParsedPart { label: p.label.clone(), text: collapse(&p.pieces.join(" ")) })
            .collect();
        if stem.is_empty() && parts.is_empty() {
            let what = match &d.number {
                Some(n) => format!("item {n} has no text; it was not imported"),
                None => "a proposer line with no motion after it; it was not imported".to_string(),
            };
            let text = d.header.words.clone();
            self.unread(d.lines, text, what);
            return;
        }
        if parts.is_empty() && kind.has_parts() {
            if let Some((head, inline)) = split_inline(&stem, 1, 2) {
                stem = head;
                parts = inline;
            }
        }
        // A part with no text: its label stays, with a warning.
        for p in &d.parts {
            if p.pieces.iter().all(|s| s.trim().is_empty()) {
                self.warn(d.text_line, format!("part {} has no text", p.label));
            }
        }
        let number = match &d.number {
            Some(n) => n.clone(),
            None => {
                self.unnumbered += 1;
                let prev = self.agenda.items.last().map_or("0".to_string(), |i| i.number.clone());
                let n = format!("{prev}-{}", self.unnumbered);
                self.warn(d.line, format!("this item has no number; it is listed as {n}"));
                n
            }
        };
        if kind.has_parts() && !starts_with_starter(&stem) {
            self.warn(
                d.text_line,
                format!("item {number} does not begin with \"That\" or \"Given\": check where it starts"),
            );
        }
        let mut marks = d.marks.clone();
        if d.grey {
            marks.push(AgendaMark::Grey);
        }
        if d.header.composite {
            marks.push(AgendaMark::Composite);
        }
        marks.sort();
        marks.dedup();
        let mut amends = None;
        if matches!(kind, ItemKind::Amendment | ItemKind::Rider) {
            amends = named_item(&d.header.words).or_else(|| named_item(&stem)).or(d.placement_target.clone());
            if amends.is_none() {
                self.warn(d.line, format!("{} {number} names no item that it amends", kind.as_str()));
            }
        }
        let after_parts = (!d.after.is_empty()).then(|| collapse(&d.after.join(" ")));
        self.agenda.items.push(AgendaItem {
            number,
            kind,
            section: d.section,
            subsection: d.subsection,
            proposer: d.header.proposer,
            agenda_committee: d.header.agenda_committee,
            seconder: d.header.seconder,
            stem,
            parts,
            after_parts,
            marks,
            bracket: None,
            amends,
            placement: d.placement,
            line: d.line,
            lines: d.lines,
        });
    }

    /// Reads one non-blank line. `blank_before`: a blank line came just before; `next`: the next
    /// non-blank line.
    fn line(&mut self, line: &Line, blank_before: bool, next: Option<&Line>) {
        let t = line.text.as_str();
        let lower = t.to_lowercase();
        let next_starts_text = next.is_some_and(|n| starts_with_starter(&n.text));

        // A part of the motion being read ("1. funds …", "(ii) …", "- …").
        let start = item_start(t);
        let header_after_number = start.as_ref().and_then(|s| split_header(&t[s.rest..]));
        let strong_start = match (&start, &header_after_number) {
            (Some(s), Some((h, body))) => !s.marks.is_empty() || h.says_something() || body.is_some(),
            (Some(s), None) => !s.marks.is_empty() || t[s.rest..].is_empty(),
            _ => false,
        };
        if let Some(d) = self.draft.as_mut() {
            if d.started {
                if let Some((marker, end)) = split_marker(t) {
                    let says_header = header_after_number.as_ref().is_some_and(|(h, _)| h.says_something());
                    let a_part = match &start {
                        None => true,
                        Some(s) => s.punct && s.marks.is_empty() && !says_header && d.sequence.accepts(&marker),
                    };
                    if a_part {
                        self.open_note = None;
                        let d = self.draft.as_mut().expect("draft checked above");
                        d.lines.push(line.no);
                        if !d.kind().has_parts() {
                            d.stem.push(t.to_string());
                            return;
                        }
                        match d.sequence.next(&marker, line) {
                            Ok(label) => {
                                let rest = t[end..].trim().to_string();
                                d.parts.push(PartDraft { label, pieces: vec![rest] });
                                d.after.clear();
                            }
                            Err(e) => {
                                let message = format!("{}; the line was read as text of the part before", e.message);
                                match d.parts.last_mut() {
                                    Some(p) => p.pieces.push(t.to_string()),
                                    None => d.stem.push(t.to_string()),
                                }
                                self.warn(line.no, message);
                            }
                        }
                        return;
                    }
                }
            }
        }

        // Lines that are notes.
        let note_kind = if is_erratum(&lower) {
            Some(NoteKind::Erratum)
        } else if is_placement(&lower) {
            Some(NoteKind::Placement)
        } else if is_timetable(&lower) {
            Some(NoteKind::Timetable)
        } else if is_receive(&lower)
            || start.as_ref().is_some_and(|s| {
                is_receive(&t[s.rest..].to_lowercase()) || t[s.rest..].to_lowercase().starts_with("to receive")
            })
        {
            Some(NoteKind::Receive)
        } else {
            None
        };
        if let Some(kind) = note_kind {
            self.flush();
            if kind == NoteKind::Placement {
                self.placement = Some((t.to_string(), named_item(t), line.no));
            }
            self.note(kind, line);
            return;
        }

        // A new item: "27 BEDFORDSHIRE: That …", "* 205 …", "A 18 …", "27" alone, "14 That conference:".
        if let (Some(s), true) = (&start, strong_start) {
            let rest_text = &t[s.rest..];
            // A number alone: an item only if a proposer or the text follows; else page furniture.
            if rest_text.is_empty() && s.marks.is_empty() {
                let next_is_header = next.is_some_and(|n| {
                    item_start(&n.text).is_none()
                        && (split_header(&n.text).is_some_and(|(h, _)| h.says_something()) || looks_like_name(&n.text))
                });
                let mid_sentence = self.draft.as_ref().is_some_and(|d| d.started && !d.complete() && !blank_before);
                if !next_is_header && !next_starts_text && mid_sentence {
                    // "… by April\n2027\n…": a number that continues the sentence.
                    if let Some(d) = self.draft.as_mut() {
                        d.lines.push(line.no);
                        match d.parts.last_mut() {
                            Some(p) => p.pieces.push(t.to_string()),
                            None => d.stem.push(t.to_string()),
                        }
                    }
                    return;
                }
                if !next_is_header && !next_starts_text {
                    self.flush();
                    self.unread(
                        vec![line.no],
                        t.to_string(),
                        "a number alone on its line (a page number?) was not read as an item",
                    );
                    return;
                }
            }
            self.open_note = None;
            let (header, body) = header_after_number.clone().unwrap_or_default();
            // A proposer line just before ("Written by … proposed by Lambeth LMC" then "14 That …").
            let pending = match &self.draft {
                Some(d) => d.number.is_none() && !d.started && !header.says_something(),
                None => false,
            };
            if pending {
                if let Some(d) = self.draft.as_mut() {
                    d.number = Some(s.number.clone());
                    d.marks.extend(s.marks.iter().copied());
                    d.lines.push(line.no);
                    if let Some(b) = body {
                        Self::begin_text(d, line, s.rest + b);
                    }
                }
                return;
            }
            self.flush();
            let mut d = self.new_draft(line.no, Some(s.number.clone()), s.marks.clone(), header);
            if let Some(b) = body {
                Self::begin_text(&mut d, line, s.rest + b);
            } else if !rest_text.is_empty() && !d.header.says_something() {
                Self::begin_text(&mut d, line, s.rest);
            }
            self.draft = Some(d);
            return;
        }

        // A proposer line: "BEDFORDSHIRE:", "AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND",
        // "Written by the Agenda Committee and proposed by Lambeth LMC", "Amendment by X:",
        // "Lambeth LMC" followed by "That …".
        let name_alone = || {
            let (name, second) = split_seconder(t);
            let h = Header {
                proposer: Some(normalise_proposer(&name)).filter(|p| !p.is_empty()),
                seconder: second,
                words: t.to_string(),
                ..Header::default()
            };
            (h, None)
        };
        let header_here = split_header(t).or_else(|| looks_like_name(t).then(name_alone));
        if let Some((header, body)) = header_here {
            let keyword_header = starts_upper(t)
                && (header.kind.is_some()
                    || header.agenda_committee
                    || lower.contains("proposed by")
                    || lower.starts_with("proposer"));
            // "Lambeth LMC" on its own line before "14 That conference …".
            let next_is_bare_item = next.is_some_and(|n| {
                item_start(&n.text).is_some_and(|s| {
                    split_header(&n.text[s.rest..]).is_some_and(|(h, b)| !h.says_something() && b == Some(0))
                })
            });
            let named_body = ["lmc", "lmcs", "committee", "council", "committees"]
                .iter()
                .any(|w| lower.trim_end_matches([':', '.']).ends_with(w));
            let name_line =
                header.proposer.is_some() && (body.is_some() || next_starts_text || (next_is_bare_item && named_body));
            let leads_somewhere =
                header.proposer.is_some() || header.agenda_committee || body.is_some() || next_starts_text;
            let is_header = header.says_something() && ((keyword_header && leads_somewhere) || name_line);
            let new_text = body == Some(0) && header == Header::default();
            if is_header {
                self.open_note = None;
                // The number came first, on its own line ("27" then "BEDFORDSHIRE:").
                let fill =
                    self.draft.as_ref().is_some_and(|d| d.number.is_some() && !d.started && !d.header.says_something());
                if fill {
                    if let Some(d) = self.draft.as_mut() {
                        d.header = header;
                        d.lines.push(line.no);
                        if let Some(b) = body {
                            Self::begin_text(d, line, b);
                        }
                    }
                    return;
                }
                self.flush();
                let mut d = self.new_draft(line.no, None, Vec::new(), header);
                if let Some(b) = body {
                    Self::begin_text(&mut d, line, b);
                }
                self.draft = Some(d);
                return;
            }
            if new_text {
                // "That conference …": the text of the item waiting for it, or a new item without a number.
                let waiting = self.draft.as_ref().is_some_and(|d| !d.started);
                let continues = self.draft.as_ref().is_some_and(|d| d.started && !d.complete() && !blank_before);
                if waiting {
                    if let Some(d) = self.draft.as_mut() {
                        d.lines.push(line.no);
                        Self::begin_text(d, line, 0);
                    }
                    return;
                }
                if !continues && t.starts_with(|c: char| c.is_uppercase() || matches!(c, '"' | '“' | '‘')) {
                    self.flush();
                    self.open_note = None;
                    let mut d = self.new_draft(line.no, None, Vec::new(), Header::default());
                    Self::begin_text(&mut d, line, 0);
                    self.draft = Some(d);
                    return;
                }
            }
        }

        // Headings: a short line in capitals, or a short capitalised line before an item.
        let next_is_item = next.is_some_and(|n| {
            item_start(&n.text).is_some() || split_header(&n.text).is_some_and(|(h, _)| h.says_something())
        });
        let draft_open_for_more = self.draft.as_ref().is_some_and(|d| d.started && !d.complete() && !blank_before);
        let heading = looks_like_heading(t)
            && !draft_open_for_more
            && (is_capitals(t) || (blank_before && next_is_item && t.split_whitespace().count() <= 8));
        if heading && !is_page_furniture(&lower) {
            self.flush();
            let top = is_capitals(t);
            let name = collapse(t.trim_end_matches(':'));
            let name_lower = name.to_lowercase();
            let grey = name_lower.contains("grey")
                || name_lower.contains("gray")
                || name_lower.contains("unlikely to be reached");
            if top {
                self.section = Some(name.clone());
                self.subsection = None;
                self.grey = grey;
                self.emergency_section = name_lower.contains("emergency");
            } else if self.section.is_none() {
                self.section = Some(name.clone());
                self.grey = grey;
                self.emergency_section = name_lower.contains("emergency");
            } else {
                self.subsection = Some(name.clone());
                self.grey = grey || (self.grey && !top);
                if name_lower.contains("emergency") {
                    self.emergency_section = true;
                }
            }
            self.agenda.notes.push(AgendaNote {
                kind: NoteKind::Heading,
                text: name,
                line: line.no,
                lines: vec![line.no],
            });
            self.open_note = None;
            return;
        }
        if is_page_furniture(&lower) {
            self.note(NoteKind::Text, line);
            self.open_note = None;
            return;
        }

        // A line that continues the note before it (a lower-case start, no blank line between).
        if let Some(i) = self.open_note {
            let continues = !blank_before && t.starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit());
            if continues && self.draft.is_none() {
                if let Some(n) = self.agenda.notes.get_mut(i) {
                    n.text = format!("{} {}", n.text, t);
                    n.lines.push(line.no);
                }
                return;
            }
        }

        // The text of the item being read.
        if let Some(d) = self.draft.as_mut() {
            let after_a_gap = blank_before && d.started && d.complete() && starts_upper(t);
            if !after_a_gap || !d.parts.is_empty() && !blank_before {
                d.lines.push(line.no);
                if !d.started {
                    Self::begin_text(d, line, 0);
                    return;
                }
                match d.parts.last_mut() {
                    Some(p) => {
                        let closes = p.pieces.last().is_some_and(|s| ends_sentence(s)) && starts_upper(t);
                        if closes || !d.after.is_empty() {
                            d.after.push(t.to_string());
                        } else {
                            p.pieces.push(t.to_string());
                        }
                    }
                    None => d.stem.push(t.to_string()),
                }
                return;
            }
            // A paragraph after a complete item, set apart by a blank line: text between items.
            self.flush();
        }
        self.open_note = None;
        self.note(NoteKind::Text, line);
    }

    fn finish(mut self) -> Agenda {
        self.flush();
        if let Some((text, _, line)) = self.placement.take() {
            self.warn(line, format!("\"{text}\" is followed by no item"));
        }
        // Numbers printed twice: the second is renamed, never merged.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut renames = Vec::new();
        for (i, item) in self.agenda.items.iter_mut().enumerate() {
            let key = item.number.to_lowercase();
            if let Some(first) = seen.get(&key) {
                let mut k = 2;
                while seen.contains_key(&format!("{key}/{k}")) {
                    k += 1;
                }
                let renamed = format!("{}/{k}", item.number);
                renames.push((
                    item.line,
                    format!(
                        "item {} appears twice (lines {first} and {}); this one is listed as {renamed}",
                        item.number, item.line
                    ),
                ));
                item.number = renamed.clone();
                seen.insert(renamed.to_lowercase(), item.line);
            } else {
                seen.insert(key, item.line);
            }
            let _ = i;
        }
        for (line, message) in renames {
            self.warn(line, message);
        }
        // Brackets: 27a … 27h follow 27.
        let leads: std::collections::HashSet<String> = self.agenda.items.iter().map(|i| i.number.clone()).collect();
        let mut led: std::collections::HashSet<String> = std::collections::HashSet::new();
        for item in &mut self.agenda.items {
            let digits: String = item.number.chars().take_while(char::is_ascii_digit).collect();
            let tail = &item.number[digits.len()..];
            if !digits.is_empty() && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_lowercase()) {
                item.bracket = Some(digits.clone());
                if leads.contains(&digits) {
                    led.insert(digits);
                }
            }
        }
        for item in &mut self.agenda.items {
            if item.bracket.is_none() && led.contains(&item.number) {
                item.bracket = Some(item.number.clone());
            }
        }
        self.agenda.warnings.sort_by_key(|w| w.line);
        self.agenda
    }
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

//! The reader: goes through the lines in order and assembles items, notes and warnings.

use std::collections::HashMap;

use super::lines::*;
use super::{Agenda, AgendaItem, AgendaNote, AgendaWarning, ItemKind, NoteKind};
use crate::procedure::agenda::AgendaMark;
use crate::procedure::parser::{collapse, normalise_proposer, split_inline, split_marker, Line, ParsedPart, Sequence};

/// A part being collected.
pub(super) struct PartDraft {
    label: String,
    pieces: Vec<String>,
}

pub(super) struct Draft {
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
    pub(super) fn kind(&self) -> ItemKind {
        match self.header.kind {
            Some(k) => k,
            None if self.emergency_section => ItemKind::Emergency,
            None => ItemKind::Motion,
        }
    }

    /// The text so far ends a sentence, with nothing left open (no ":" waiting for parts).
    pub(super) fn complete(&self) -> bool {
        let last =
            self.after.last().or_else(|| self.parts.last().and_then(|p| p.pieces.last())).or_else(|| self.stem.last());
        last.is_some_and(|t| ends_sentence(t))
    }
}

pub(super) struct Reader {
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
    pub(super) fn new() -> Self {
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

    pub(super) fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.agenda.warnings.push(AgendaWarning { line, message: message.into(), unread: Vec::new(), text: None });
    }

    pub(super) fn unread(&mut self, lines: Vec<usize>, text: String, message: impl Into<String>) {
        let line = lines.first().copied().unwrap_or(1);
        self.agenda.warnings.push(AgendaWarning { line, message: message.into(), unread: lines, text: Some(text) });
    }

    pub(super) fn note(&mut self, kind: NoteKind, line: &Line) {
        self.agenda.notes.push(AgendaNote { kind, text: line.text.clone(), line: line.no, lines: vec![line.no] });
        self.open_note = Some(self.agenda.notes.len() - 1);
    }

    pub(super) fn new_draft(
        &mut self,
        line: usize,
        number: Option<String>,
        marks: Vec<AgendaMark>,
        header: Header,
    ) -> Draft {
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
    pub(super) fn begin_text(draft: &mut Draft, line: &Line, at: usize) {
        let rest = line.from(at);
        if !rest.text.is_empty() {
            draft.started = true;
            draft.text_line = line.no;
            draft.stem.push(rest.text);
        }
    }

    pub(super) fn flush(&mut self) {
        if let Some(d) = self.draft.take() {
            self.finish_draft(d);
        }
    }

    pub(super) fn finish_draft(&mut self, d: Draft) {
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
    pub(super) fn line(&mut self, line: &Line, blank_before: bool, next: Option<&Line>) {
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

    pub(super) fn finish(mut self) -> Agenda {
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

//! The printed-motion parser: turns a motion as printed in an agenda (or pasted
//! from one) into number, proposer, stem and labelled parts.
//!
//! What it accepts is described in docs/procedure.md.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::labels::LabelStyle;
use super::majority::Qualifier;
use super::outcome::Outcome;
use super::{MAX_MOTION_CHARS, MAX_PARTS};

mod part_labels;
use part_labels::Scheme;
pub(crate) use part_labels::{split_inline, split_marker, Sequence};

/// A motion as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParsedMotion {
    /// The motion's number, if printed at the very start ("12", "12.", "Motion 12").
    pub number: Option<u32>,
    /// The proposing LMC, title-cased, without a trailing "LMC"/"LMCs".
    pub proposer: Option<String>,
    /// "AGENDA COMMITTEE TO BE PROPOSED BY …" or "Written by the Agenda Committee and proposed by …".
    pub agenda_committee: bool,
    /// "That conference …" up to the first part.
    pub stem: String,
    /// The parts, labels normalised ("(i)", "(1)", "(a)", "(A)", "(I)").
    pub parts: Vec<ParsedPart>,
}

/// One part of a printed motion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParsedPart {
    pub label: String,
    pub text: String,
}

/// Why a printed motion could not be read. Line and column are 1-based and count
/// characters of the text as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        ParseError { line, column, message: message.into() }
    }
}

/// One non-blank line: its 1-based number, the column of its first visible
/// character, and its text (spaces normalised, trimmed).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) no: usize,
    pub(crate) col: usize,
    pub(crate) text: String,
}

impl Line {
    /// The column of a byte offset into `text`.
    fn col_at(&self, byte: usize) -> usize {
        self.col + self.text.get(..byte).map_or(0, |s| s.chars().count())
    }

    /// The same line from a byte offset on (trimmed at the start).
    pub(crate) fn from(&self, byte: usize) -> Line {
        let rest = self.text.get(byte..).unwrap_or_default();
        let trimmed = rest.trim_start();
        let skipped = byte + (rest.len() - trimmed.len());
        Line { no: self.no, col: self.col_at(skipped), text: trimmed.to_string() }
    }
}

/// Characters that are spaces for our purposes (non-breaking, thin, tabs…).
fn is_space_like(c: char) -> bool {
    c.is_whitespace() && c != '\n'
}

/// Characters that are dropped entirely (zero-width, BOM, soft hyphen).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Splits the input into non-blank lines, normalising spaces and line endings
/// (CRLF, CR, U+2028/U+2029).
pub(crate) fn split_lines(input: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let unified = input.replace("\r\n", "\n").replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    for (i, raw) in unified.split('\n').enumerate() {
        let mut text = String::with_capacity(raw.len());
        let mut col = None;
        for (ci, c) in raw.chars().enumerate() {
            if is_invisible(c) {
                continue;
            }
            let c = if is_space_like(c) || c.is_control() { ' ' } else { c };
            if c != ' ' && col.is_none() {
                col = Some(ci + 1);
            }
            if col.is_some() {
                text.push(c);
            }
        }
        let text = text.trim_end().to_string();
        if let Some(col) = col {
            if !text.is_empty() {
                lines.push(Line { no: i + 1, col, text });
            }
        }
    }
    lines
}

/// Collapses runs of whitespace to one space and trims.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A leading motion number: "12", "12.", "12:", "Motion 12". Returns the number
/// and the byte offset where the rest of the line starts.
fn strip_motion_number(text: &str) -> Option<(u32, usize)> {
    let mut start = 0;
    let has_word = text.len() >= 6 && text.is_char_boundary(6) && text[..6].eq_ignore_ascii_case("motion");
    if has_word {
        let after = &text[6..];
        let trimmed = after.trim_start();
        if trimmed.len() == after.len() {
            return None;
        }
        start = text.len() - trimmed.len();
    }
    let rest = &text[start..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let number: u32 = rest[..digits].parse().ok()?;
    let mut end = start + digits;
    let after = &text[end..];
    match after.chars().next() {
        None => {}
        Some(c) if c.is_whitespace() => {}
        Some(c @ ('.' | ':' | '—' | '–')) => {
            let next = after[c.len_utf8()..].chars().next();
            if next.is_some_and(|n| !n.is_whitespace()) {
                return None;
            }
            end += c.len_utf8();
        }
        Some(_) => return None,
    }
    // Skip a separator after the number ("12 – Lambeth LMC: That …").
    let rest = text[end..].trim_start();
    let rest = rest.strip_prefix(['—', '–', '-']).filter(|r| r.starts_with(' ') || r.is_empty()).unwrap_or(rest);
    Some((number, text.len() - rest.trim_start().len()))
}

const OPEN_QUOTES: [char; 5] = ['"', '“', '‘', '\'', '«'];

fn closing_quote(open: char) -> char {
    match open {
        '“' => '”',
        '‘' => '’',
        '«' => '»',
        other => other,
    }
}

/// Whether `text` at `at` starts with the word "That" (any case), after an optional
/// opening quote. Returns the byte offset of "That" and the quote, if any.
fn that_at(text: &str, at: usize) -> Option<(usize, Option<char>)> {
    let rest = text.get(at..)?;
    let trimmed = rest.trim_start();
    let mut pos = at + (rest.len() - trimmed.len());
    let mut quote = None;
    if let Some(q) = trimmed.chars().next().filter(|c| OPEN_QUOTES.contains(c)) {
        quote = Some(q);
        pos += q.len_utf8();
    }
    let word = text.get(pos..)?;
    let head = word.get(..4)?;
    if !head.eq_ignore_ascii_case("that") {
        return None;
    }
    if word[4..].chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some((pos, quote))
}

/// Where the stem starts on a line: at its start, or after a ':' or dash that ends
/// the proposer. Returns (end of proposer text, start of "That", opening quote).
fn find_that(text: &str) -> Option<(usize, usize, Option<char>)> {
    if let Some((pos, quote)) = that_at(text, 0) {
        return Some((0, pos, quote));
    }
    for (i, c) in text.char_indices() {
        let is_sep = match c {
            ':' | '—' | '–' => true,
            '-' => text[..i].ends_with(' ') && text[i + 1..].starts_with(' '),
            _ => false,
        };
        if is_sep {
            if let Some((pos, quote)) = that_at(text, i + c.len_utf8()) {
                return Some((i, pos, quote));
            }
        }
    }
    None
}

/// Words kept lower-case inside a proposer's name (except as the first word).
pub(crate) const SMALL_WORDS: [&str; 10] = ["and", "of", "the", "upon", "on", "in", "under", "le", "super", "cum"];

/// Acronyms kept as such in a proposer's name.
const ACRONYMS: [&str; 8] = ["LMC", "LMCs", "GPC", "GPCE", "BMA", "NHS", "ICB", "UK"];

fn title_case_segment(segment: &str, first: bool) -> String {
    // Keep surrounding punctuation such as "(" and ")" or "," as it is.
    let start = segment.char_indices().find(|(_, c)| c.is_alphanumeric()).map(|(i, _)| i);
    let Some(start) = start else {
        return segment.to_string();
    };
    let end = segment
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(segment.len(), |(i, c)| i + c.len_utf8());
    let (pre, core, post) = (&segment[..start], &segment[start..end], &segment[end..]);
    if let Some(acronym) = ACRONYMS.iter().find(|a| a.eq_ignore_ascii_case(core)) {
        return format!("{pre}{acronym}{post}");
    }
    let lower = core.to_lowercase();
    if !first && SMALL_WORDS.contains(&lower.as_str()) {
        return format!("{pre}{lower}{post}");
    }
    let mut chars = lower.chars();
    let cased = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    format!("{pre}{cased}{post}")
}

/// Normalises an LMC's name: title case ("NORTH STAFFORDSHIRE" → "North
/// Staffordshire"), acronyms (LMC, LMCs, GPC, GPCE, BMA, NHS, ICB, UK) kept,
/// small words ("and", "of", "the", "upon", "on", "in"…) lower-case except first,
/// hyphenated names per segment ("STOKE-ON-TRENT" → "Stoke-on-Trent"), and a
/// trailing "LMC", "LMCs" or "Local Medical Committee(s)" removed.
pub fn normalise_proposer(name: &str) -> String {
    let collapsed = collapse(name);
    let trimmed = collapsed.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':') || c.is_whitespace());
    let mut words = Vec::new();
    for (wi, word) in trimmed.split(' ').enumerate() {
        let segments: Vec<String> =
            word.split('-').enumerate().map(|(si, seg)| title_case_segment(seg, wi == 0 && si == 0)).collect();
        words.push(segments.join("-"));
    }
    let mut name = words.join(" ");
    for suffix in [" Local Medical Committees", " Local Medical Committee", " LMCs", " LMC"] {
        if name.len() > suffix.len()
            && name.is_char_boundary(name.len() - suffix.len())
            && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        {
            name.truncate(name.len() - suffix.len());
            break;
        }
    }
    name.trim().to_string()
}

/// Reads the proposer text before the stem. Returns (agenda committee?, proposer).
pub(crate) fn read_proposer(raw: &str) -> (bool, Option<String>) {
    let s = collapse(raw);
    let s = s.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '.' | '—' | '–' | '-') || c.is_whitespace());
    let lower = s.to_ascii_lowercase();
    // Drop ", seconded by …".
    let (s, lower) = match lower.find(" seconded by").or_else(|| lower.find(",seconded by")) {
        Some(i) => (&s[..i], &lower[..i]),
        None => (s, lower.as_str()),
    };
    let (agenda_committee, name) = if let Some(i) = lower.rfind("proposed by") {
        (lower[..i].contains("agenda committee"), &s[i + "proposed by".len()..])
    } else if let Some(rest) = lower.strip_prefix("proposer") {
        (false, &s[s.len() - rest.len()..])
    } else if matches!(lower, "agenda committee" | "the agenda committee") {
        (true, "")
    } else {
        (false, s)
    };
    let name = name.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '.' | '—' | '–' | '-') || c.is_whitespace());
    let name = normalise_proposer(name);
    (agenda_committee, (!name.is_empty()).then_some(name))
}

/// The proposer's text from the lines before the stem and the text before "That"
/// on the stem's line. Lines that together say "… proposed by …" (or name the
/// agenda committee) are read together; otherwise only the last piece is the
/// proposer and earlier lines (a heading such as "GP CONTRACT") are ignored.
fn proposer_text(before: &[Line], prefix: &str) -> String {
    let mut pieces: Vec<&str> = before.iter().map(|l| l.text.as_str()).collect();
    if !prefix.trim().is_empty() {
        pieces.push(prefix);
    }
    let joined = pieces.join(" ");
    let lower = joined.to_ascii_lowercase();
    if lower.contains("proposed by") || lower.contains("agenda committee") {
        return joined;
    }
    pieces.last().map_or_else(String::new, |p| (*p).to_string())
}

/// Whether a line looks like an LMC's name or a "proposed by" line.
fn looks_like_proposer(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("proposed by") || lower.contains("agenda committee") {
        return true;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > 10 || text.ends_with('.') {
        return false;
    }
    words.iter().all(|w| {
        let first = w.chars().find(|c| c.is_alphanumeric());
        match first {
            None => true,
            Some(c) => !c.is_lowercase() || SMALL_WORDS.contains(&w.to_lowercase().as_str()),
        }
    })
}

// ---------------------------------------------------------------------------
// Outcome lines pasted with a motion.

const QUALIFIER_TEXTS: [&str; 3] = ["UNANIMOUSLY", "NEM CON", "BY A TWO-THIRDS MAJORITY"];

/// "FOR 212, AGAINST 40, ABSTAIN 9" (upper-cased), abstain optional.
fn is_counts_phrase(upper: &str) -> bool {
    let parts: Vec<&str> = upper.split(',').map(str::trim).collect();
    let names: &[&str] = match parts.len() {
        2 => &["FOR", "AGAINST"],
        3 => &["FOR", "AGAINST", "ABSTAIN"],
        _ => return false,
    };
    parts.iter().zip(names).all(|(part, name)| {
        part.strip_prefix(name).map(str::trim).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// An outcome with an optional qualifier, "… IN ALL PARTS", "UNDECIDED", or the
/// mixed form "PARTS (I), (III) AND (V) CARRIED; PART (II) LOST" (upper-cased).
fn is_outcome_phrase(upper: &str) -> bool {
    let upper = upper.trim();
    if upper == "UNDECIDED" {
        return true;
    }
    let single = |s: &str| -> bool {
        let s = s.trim();
        Outcome::ALL.iter().any(|o| s == o.as_upper())
            || QUALIFIER_TEXTS.iter().any(|q| s == format!("CARRIED {q}"))
            || s == "CARRIED NEM. CON."
    };
    if single(upper) {
        return true;
    }
    if let Some(head) = upper.strip_suffix(" IN ALL PARTS") {
        return Outcome::ALL.iter().any(|o| head.trim() == o.as_upper());
    }
    upper.split(';').all(|group| {
        let group = group.trim();
        let Some(rest) = group.strip_prefix("PARTS ").or_else(|| group.strip_prefix("PART ")) else {
            return false;
        };
        let Some(close) = rest.rfind(')') else {
            return false;
        };
        let (labels, outcome) = rest.split_at(close + 1);
        let labels_ok = labels.replace(" AND ", ", ").split(',').all(|l| {
            let l = l.trim();
            l.len() >= 3
                && l.starts_with('(')
                && l.ends_with(')')
                && l[1..l.len() - 1].chars().all(|c| c.is_ascii_alphanumeric())
        });
        labels_ok && single(outcome)
    })
}

/// Whether a whole line is an outcome pasted with the motion ("CARRIED IN ALL PARTS",
/// "— CARRIED", "CARRIED — for 212, against 40, abstain 9", "**LOST**",
/// "for 3, against 0, abstain 0").
pub(crate) fn is_outcome_line(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| matches!(c, '—' | '–' | '-' | ':' | '*' | '_') || c.is_whitespace());
    let t = t.trim_end_matches(|c: char| matches!(c, '*' | '_' | '.') || c.is_whitespace());
    if t.is_empty() {
        return false;
    }
    let upper = t.to_uppercase();
    if is_counts_phrase(&upper) {
        return true;
    }
    // "CARRIED — FOR 1, AGAINST 2" or "CARRIED (FOR 1, AGAINST 2)".
    for sep in ['—', '–', '('] {
        if let Some(i) = upper.find(sep) {
            let counts = upper[i + sep.len_utf8()..].trim().trim_end_matches(')');
            if is_counts_phrase(counts) && is_outcome_phrase(&upper[..i]) {
                return true;
            }
        }
    }
    is_outcome_phrase(&upper)
}

/// Cuts an outcome pasted at the end of the last line after a dash
/// ("… contract variation. — CARRIED"). The outcome must be in capitals (or be counts).
fn strip_trailing_outcome(text: &str) -> &str {
    let mut text = text;
    loop {
        let Some((i, c)) =
            text.char_indices().rev().find(|(i, c)| matches!(c, '—' | '–') || (*c == '-' && text[..*i].ends_with(' ')))
        else {
            return text;
        };
        let suffix = text[i + c.len_utf8()..].trim();
        let in_capitals = !suffix.chars().any(char::is_lowercase);
        let is_counts = is_counts_phrase(&suffix.to_uppercase());
        let head = text[..i].trim_end();
        if !suffix.is_empty() && !head.is_empty() && (in_capitals || is_counts) && is_outcome_line(suffix) {
            text = head;
        } else {
            return text;
        }
    }
}

// ---------------------------------------------------------------------------
// The parser.

/// A part being collected: its label, where it starts, and its text pieces.
struct Collecting {
    label: String,
    line: usize,
    col: usize,
    pieces: Vec<String>,
}

/// Reads a motion as printed in an agenda. See the module docs and docs/procedure.md.
pub fn parse_printed_motion(text: &str) -> Result<ParsedMotion, ParseError> {
    let total = text.chars().count();
    if total > MAX_MOTION_CHARS {
        let (line, column) = position_of_char(text, MAX_MOTION_CHARS);
        return Err(ParseError::new(
            line,
            column,
            format!("the motion is too long: {total} characters, the most allowed is {MAX_MOTION_CHARS}"),
        ));
    }

    let mut lines = split_lines(text);
    if lines.is_empty() || lines.iter().all(|l| is_outcome_line(&l.text)) {
        return Err(ParseError::new(1, 1, "the motion is empty"));
    }

    // A motion number at the very start.
    let mut number = None;
    if let Some((n, rest)) = strip_motion_number(&lines[0].text) {
        number = Some(n);
        let remaining = lines[0].from(rest);
        if remaining.text.is_empty() {
            lines.remove(0);
        } else {
            lines[0] = remaining;
        }
        if lines.is_empty() {
            return Err(ParseError::new(1, 1, "the motion has a number but no text"));
        }
    }

    // The proposer, then "That".
    let mut found = None;
    for (idx, line) in lines.iter().enumerate().take(3) {
        if idx > 0 && split_marker(&line.text).is_some() {
            break;
        }
        if let Some((proposer_end, that, quote)) = find_that(&line.text) {
            found = Some((idx, proposer_end, that, quote));
            break;
        }
    }
    let Some((stem_idx, proposer_end, that, quote)) = found else {
        return Err(missing_that(&lines));
    };
    let (agenda_committee, proposer) =
        read_proposer(&proposer_text(&lines[..stem_idx], &lines[stem_idx].text[..proposer_end]));

    // The body: the rest of the stem's line and every later line, minus pasted outcomes.
    let mut body: Vec<Line> = vec![lines[stem_idx].from(that)];
    body.extend(lines[stem_idx + 1..].iter().filter(|l| !is_outcome_line(&l.text)).cloned());
    for line in &mut body {
        let kept = strip_trailing_outcome(&line.text).to_string();
        line.text = kept;
    }

    let mut stem_pieces = vec![body[0].text.clone()];
    let mut parts: Vec<Collecting> = Vec::new();
    let mut sequence = Sequence::new();
    for line in &body[1..] {
        match split_marker(&line.text) {
            Some((marker, end)) => {
                let label = sequence.next(&marker, line)?;
                let rest = line.text[end..].trim().to_string();
                parts.push(Collecting { label, line: line.no, col: line.col, pieces: vec![rest] });
            }
            None => match parts.last_mut() {
                Some(part) => part.pieces.push(line.text.clone()),
                None => stem_pieces.push(line.text.clone()),
            },
        }
    }

    let mut stem = collapse(&stem_pieces.join(" "));
    let mut parsed_parts = Vec::with_capacity(parts.len());
    for part in &parts {
        let text = collapse(&part.pieces.join(" "));
        if text.is_empty() {
            return Err(ParseError::new(part.line, part.col, format!("part {} has no text", part.label)));
        }
        parsed_parts.push(ParsedPart { label: part.label.clone(), text });
    }

    // Parts pasted on one line.
    if parsed_parts.is_empty() {
        if let Some((head, inline)) = split_inline(&stem, 1, 2) {
            stem = head;
            parsed_parts = inline;
        }
    } else if parsed_parts.len() == 1 && sequence.scheme == Some(Scheme::Labels(LabelStyle::RomanLower)) {
        if let Some(first) = parsed_parts.first() {
            let joined = format!("{} {}", first.label, first.text);
            if let Some((_, inline)) = split_inline(&joined, 1, 2) {
                parsed_parts = inline;
            }
        }
    }

    // A quoted motion: drop the closing quote that matches the opening one.
    if let Some(open) = quote {
        let close = closing_quote(open);
        let last = match parsed_parts.last_mut() {
            Some(part) => &mut part.text,
            None => &mut stem,
        };
        strip_closing_quote(last, close);
    }
    // The quote may have been all the last part held: "(a) ”".
    if let Some(part) = parsed_parts.last().filter(|p| p.text.is_empty()) {
        let (no, col) =
            parts.iter().find(|c| c.label == part.label).map_or((body[0].no, body[0].col), |c| (c.line, c.col));
        return Err(ParseError::new(no, col, format!("part {} has no text", part.label)));
    }

    let stem_line = &body[0];
    if stem.chars().count() <= 4 && parsed_parts.is_empty() {
        return Err(ParseError::new(stem_line.no, stem_line.col, "the motion has no text after \"That\""));
    }
    if parsed_parts.len() > MAX_PARTS {
        return Err(ParseError::new(
            stem_line.no,
            stem_line.col,
            format!("a motion can have at most {MAX_PARTS} parts; this one has {}", parsed_parts.len()),
        ));
    }

    Ok(ParsedMotion { number, proposer, agenda_committee, stem, parts: parsed_parts })
}

fn strip_closing_quote(text: &mut String, close: char) {
    if text.ends_with(close) {
        text.pop();
    } else if let Some(head) = text.strip_suffix('.') {
        if let Some(inner) = head.strip_suffix(close) {
            *text = format!("{inner}.");
        }
    }
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
}

/// The error when no "That" is found: points at where the stem should begin.
fn missing_that(lines: &[Line]) -> ParseError {
    const AFTER: &str = "expected the motion to begin with \"That\" (after the proposer)";
    const PLAIN: &str = "expected the motion to begin with \"That\"";
    let first = &lines[0];
    if let Some(colon) = first.text.find(':') {
        let after = first.from(colon + 1);
        if !after.text.is_empty() {
            return ParseError::new(after.no, after.col, AFTER);
        }
        if let Some(next) = lines.get(1) {
            return ParseError::new(next.no, next.col, AFTER);
        }
        return ParseError::new(first.no, first.col_at(first.text.len()) + 1, AFTER);
    }
    if looks_like_proposer(&first.text) {
        if let Some(next) = lines.get(1) {
            return ParseError::new(next.no, next.col, AFTER);
        }
    }
    ParseError::new(first.no, first.col, PLAIN)
}

/// Line and column (1-based) of the character at `index` (0-based).
fn position_of_char(text: &str, index: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    let mut prev_cr = false;
    for c in text.chars().take(index) {
        match c {
            '\n' if prev_cr => {}
            '\n' | '\r' => {
                line += 1;
                col = 1;
            }
            _ => col += 1,
        }
        prev_cr = c == '\r';
    }
    (line, col)
}

/// Splits off a trailing qualifier from an outcome text, e.g. for reading pasted
/// records ("CARRIED NEM CON" → (Carried, Some(NemCon))).
pub fn parse_outcome_text(text: &str) -> Option<(Outcome, Option<Qualifier>)> {
    let upper = collapse(text).to_uppercase();
    if let Some(o) = Outcome::ALL.iter().find(|o| upper == o.as_upper()) {
        return Some((*o, None));
    }
    let rest = upper.strip_prefix("CARRIED ")?;
    Qualifier::ALL.iter().find(|q| rest == q.as_upper()).map(|q| (Outcome::Carried, Some(*q)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "parser_tests.rs"]
mod tests;

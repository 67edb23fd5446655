//! The printed-motion parser: turns a motion as printed in an agenda (or pasted
//! from one) into number, proposer, stem and labelled parts.
//!
//! What it accepts is described in docs/procedure.md.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::labels::{to_roman, LabelStyle};
use super::majority::Qualifier;
use super::outcome::Outcome;
use super::{MAX_MOTION_CHARS, MAX_PARTS};

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
// Part labels.

/// What starts a part's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Marker {
    /// "-", "–", "—", "•", "*"… with no label.
    Bullet,
    /// A label token ("ii", "3", "c", "C").
    Token(String),
}

const BULLETS: [char; 12] = ['-', '–', '—', '•', '*', '·', '▪', '◦', '‣', '●', '■', '○'];

/// The styles a label token could belong to, with its position in each.
fn candidates(token: &str) -> Vec<(LabelStyle, u32)> {
    LabelStyle::ALL
        .into_iter()
        .filter_map(|style| {
            let alpha = matches!(style, LabelStyle::AlphaLower | LabelStyle::AlphaUpper);
            if alpha && token.len() != 1 {
                return None;
            }
            style.value(token).filter(|v| *v <= 99).map(|v| (style, v))
        })
        .collect()
}

fn is_label_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 6 && !candidates(token).is_empty()
}

/// A label token at the start of `text`: "(ii)", "ii)", "ii.", "3.", "(c)", "C)".
/// Returns the token and the byte offset after the label.
fn token_marker(text: &str) -> Option<(String, usize)> {
    if let Some(inner) = text.strip_prefix('(') {
        let len = inner.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if inner.as_bytes().get(len) == Some(&b')') && is_label_token(&inner[..len]) {
            return Some((inner[..len].to_string(), 1 + len + 1));
        }
        return None;
    }
    let len = text.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let token = &text[..len];
    let punct = text.as_bytes().get(len)?;
    if !matches!(punct, b')' | b'.') || !is_label_token(token) {
        return None;
    }
    let after = &text[len + 1..];
    if after.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    Some((token.to_string(), len + 1))
}

/// The marker at the start of a line, if any, and the byte offset of the text after it.
pub(crate) fn split_marker(text: &str) -> Option<(Marker, usize)> {
    if let Some((token, end)) = token_marker(text) {
        return Some((Marker::Token(token), end));
    }
    let first = text.chars().next()?;
    if BULLETS.contains(&first) {
        let after = &text[first.len_utf8()..];
        let rest = after.trim_start();
        if rest.len() == after.len() && !rest.is_empty() {
            return None;
        }
        let start = text.len() - rest.len();
        // "• (ii) text": the label wins over the bullet.
        if let Some((token, end)) = token_marker(rest) {
            return Some((Marker::Token(token), start + end));
        }
        return Some((Marker::Bullet, start));
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Labels(LabelStyle),
    Bullets,
}

/// Checks that labels follow one another and names each part.
#[derive(Clone)]
pub(crate) struct Sequence {
    scheme: Option<Scheme>,
    /// Normalised labels so far, with the line each was on.
    labels: Vec<(String, usize)>,
}

fn display_token(token: &str) -> String {
    format!("({token})")
}

impl Sequence {
    pub(crate) fn new() -> Self {
        Sequence { scheme: None, labels: Vec::new() }
    }

    /// Whether `marker` would be accepted as the next part's label.
    pub(crate) fn accepts(&self, marker: &Marker) -> bool {
        let line = Line { no: 1, col: 1, text: String::new() };
        self.clone().next(marker, &line).is_ok()
    }

    fn so_far(&self) -> String {
        let all: Vec<&str> = self.labels.iter().map(|(l, _)| l.as_str()).collect();
        if all.len() <= 5 {
            all.join(", ")
        } else {
            format!("{}, {}, …, {}, {}", all[0], all[1], all[all.len() - 2], all[all.len() - 1])
        }
    }

    fn describe_scheme(&self) -> String {
        match self.scheme {
            Some(Scheme::Bullets) => "the parts so far are bullets".to_string(),
            _ => format!("the parts so far are labelled {}", self.so_far()),
        }
    }

    /// The normalised label for the next part, or an error for this line.
    pub(crate) fn next(&mut self, marker: &Marker, line: &Line) -> Result<String, ParseError> {
        let err = |message: String| ParseError::new(line.no, line.col, message);
        if self.labels.len() >= MAX_PARTS {
            return Err(err(format!(
                "a motion can have at most {MAX_PARTS} parts; this would be part {}",
                self.labels.len() + 1
            )));
        }
        let n = u32::try_from(self.labels.len()).unwrap_or(u32::MAX) + 1;
        let label = match (marker, self.scheme) {
            (Marker::Bullet, None | Some(Scheme::Bullets)) => {
                self.scheme = Some(Scheme::Bullets);
                format!("({})", to_roman(n).unwrap_or_else(|| n.to_string()))
            }
            (Marker::Bullet, Some(Scheme::Labels(_))) => {
                return Err(err(format!(
                    "{}, but this one is a bullet with no label: use one style of label for all parts",
                    self.describe_scheme()
                )));
            }
            (Marker::Token(token), Some(Scheme::Bullets)) => {
                return Err(err(format!(
                    "{}, but this one is labelled {}: use one style of label for all parts",
                    self.describe_scheme(),
                    display_token(token)
                )));
            }
            (Marker::Token(token), None) => {
                let options = candidates(token);
                match options.iter().find(|(_, v)| *v == 1) {
                    Some((style, _)) => {
                        self.scheme = Some(Scheme::Labels(*style));
                        style.label(1).unwrap_or_default()
                    }
                    None => {
                        let likely = likely_style(token, &options);
                        let start = likely.label(1).unwrap_or_default();
                        return Err(err(format!(
                            "the first part is labelled {}; parts should be labelled from {start}",
                            display_token(token)
                        )));
                    }
                }
            }
            (Marker::Token(token), Some(Scheme::Labels(style))) => {
                let options = candidates(token);
                if options.contains(&(style, n)) {
                    style.label(n).unwrap_or_default()
                } else if let Some((_, m)) = options.iter().find(|(s, _)| *s == style) {
                    let given = style.label(*m).unwrap_or_default();
                    if *m < n {
                        let earlier = self.labels.get(*m as usize - 1).map_or(0, |(_, line)| *line);
                        return Err(err(format!("part {given} appears twice (lines {earlier} and {})", line.no)));
                    }
                    let missing = if *m == n + 1 {
                        format!("part {} is missing", style.label(n).unwrap_or_default())
                    } else if *m == n + 2 {
                        format!(
                            "parts {} and {} are missing",
                            style.label(n).unwrap_or_default(),
                            style.label(n + 1).unwrap_or_default()
                        )
                    } else {
                        format!(
                            "parts {} to {} are missing",
                            style.label(n).unwrap_or_default(),
                            style.label(m - 1).unwrap_or_default()
                        )
                    };
                    return Err(err(format!("parts go {}, then {given}: {missing}", self.so_far())));
                } else {
                    return Err(err(format!(
                        "{}, but this one is labelled {}: use one style of label for all parts",
                        self.describe_scheme(),
                        display_token(token)
                    )));
                }
            }
        };
        self.labels.push((label.clone(), line.no));
        Ok(label)
    }
}

/// The likeliest style of a token that does not start a sequence, for messages.
fn likely_style(token: &str, options: &[(LabelStyle, u32)]) -> LabelStyle {
    let single_non_ivx = token.len() == 1 && !matches!(token, "i" | "v" | "x" | "I" | "V" | "X");
    if single_non_ivx {
        if let Some((style, _)) =
            options.iter().find(|(s, _)| matches!(s, LabelStyle::AlphaLower | LabelStyle::AlphaUpper))
        {
            return *style;
        }
    }
    options.first().map_or(LabelStyle::RomanLower, |(s, _)| *s)
}

// ---------------------------------------------------------------------------
// Parts pasted on one line.

/// Splits "… Conference: (i) rejects … (ii) insists …" into head and parts, when
/// "(i)", "(ii)", … (from `first`) appear in exact sequence, each preceded by ':',
/// ';' or a space and followed by a space. Needs at least `min_parts` labels and
/// every part non-empty.
pub(crate) fn split_inline(text: &str, first: u32, min_parts: usize) -> Option<(String, Vec<ParsedPart>)> {
    let mut cuts: Vec<(usize, usize, String)> = Vec::new(); // (label start, text start, label)
    let mut from = 0;
    let mut n = first;
    while let Some(token) = to_roman(n) {
        let needle = format!("({token})");
        let mut found = None;
        let mut search = from;
        while let Some(rel) = text.get(search..).and_then(|s| s.find(&needle)) {
            let at = search + rel;
            let before = text[..at].chars().next_back();
            let after = text[at + needle.len()..].chars().next();
            let before_ok = before.is_none_or(|c| c == ':' || c == ';' || c.is_whitespace());
            let after_ok = after.is_some_and(char::is_whitespace);
            if before_ok && after_ok {
                found = Some(at);
                break;
            }
            search = at + needle.len();
        }
        let Some(at) = found else { break };
        cuts.push((at, at + needle.len(), needle));
        from = at + 1;
        n += 1;
        if cuts.len() > MAX_PARTS {
            return None;
        }
    }
    if cuts.len() < min_parts {
        return None;
    }
    let head = collapse(&text[..cuts.first()?.0]);
    let mut parts = Vec::new();
    for (i, (_, start, label)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(text.len(), |next| next.0);
        let part = collapse(&text[*start..end]);
        if part.is_empty() {
            return None;
        }
        parts.push(ParsedPart { label: label.clone(), text: part });
    }
    Some((head, parts))
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
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/motion-2025-online-access.txt");

    fn parse(text: &str) -> ParsedMotion {
        match parse_printed_motion(text) {
            Ok(m) => m,
            Err(e) => panic!("failed to parse: {e}\n---\n{text}"),
        }
    }

    fn err(text: &str) -> ParseError {
        match parse_printed_motion(text) {
            Ok(m) => panic!("expected an error, got {m:?}"),
            Err(e) => e,
        }
    }

    fn labels(m: &ParsedMotion) -> Vec<&str> {
        m.parts.iter().map(|p| p.label.as_str()).collect()
    }

    fn texts(m: &ParsedMotion) -> Vec<&str> {
        m.parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn seed_fixture() {
        let m = parse(SEED);
        assert_eq!(m.number, None);
        assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
        assert!(m.agenda_committee);
        assert!(m.stem.starts_with("That conference is deeply concerned"));
        assert!(m.stem.ends_with("Conference:"));
        assert!(m.stem.contains("(08:00–18:30)"));
        assert!(m.stem.contains("2025 / 26"));
        assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]);
        assert_eq!(
            texts(&m),
            [
                "rejects the government’s contractual requirement for GP practices to guarantee universal patient access throughout all core hours, condemning it as a cynical political stunt that is unfunded, unsafe, and knowingly undeliverable in the context of current workforce collapse",
                "insists that practices must retain flexibility to deliver access in ways that reflect the needs and demographics of their patient population",
                "insists that online consultations may be curtailed when safe working limits have been reached",
                "demands the immediate removal of these access mandates, which reduce care to box-ticking targets and put patients at risk",
                "mandates GPCE to prepare options for action, including non-compliance with access requirements, should government refuse to revise the 2025 / 26 contract variation.",
            ]
        );
        assert!(m.parts.iter().all(|p| !p.text.contains("(08:00")));
        assert_eq!(
            m.stem,
            "That conference is deeply concerned that the 2025 / 26 contract variation requires practices to maintain continuous online, telephone and physical access throughout core hours (08:00–18:30). Conference:"
        );
    }

    #[test]
    fn seed_fixture_with_crlf_and_outcome_line() {
        let pasted = format!("{}\r\nCARRIED IN ALL PARTS\r\n", SEED.trim_end().replace('\n', "\r\n"));
        assert_eq!(parse(&pasted), parse(SEED));
    }

    #[test]
    fn seed_fixture_on_one_line() {
        let one_line = SEED.replace('\n', " ");
        let m = parse(&one_line);
        assert_eq!(m, parse(SEED));
    }

    #[test]
    fn written_by_agenda_committee_on_own_line() {
        let m = parse(
            "Written by the Agenda Committee and proposed by Lambeth LMC\nThat conference believes the contract is unfunded.",
        );
        assert!(m.agenda_committee);
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        assert_eq!(m.stem, "That conference believes the contract is unfunded.");
        assert!(m.parts.is_empty());
    }

    #[test]
    fn written_by_agenda_committee_with_colon() {
        let m = parse(
            "Written by the Agenda Committee and proposed by Lambeth LMC: That conference:\n(i) notes\n(ii) demands",
        );
        assert!(m.agenda_committee);
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        assert_eq!(m.stem, "That conference:");
        assert_eq!(texts(&m), ["notes", "demands"]);
    }

    #[test]
    fn proposed_by_prefix() {
        let m = parse("PROPOSED BY BATH AND NORTH EAST SOMERSET: That conference demands more.");
        assert!(!m.agenda_committee);
        assert_eq!(m.proposer.as_deref(), Some("Bath and North East Somerset"));
        assert_eq!(m.stem, "That conference demands more.");
    }

    #[test]
    fn name_colon_prefix() {
        let m = parse("Lambeth LMC: That conference demands more.");
        assert!(!m.agenda_committee);
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("NEWCASTLE UPON TYNE: That conference demands more.");
        assert_eq!(m.proposer.as_deref(), Some("Newcastle upon Tyne"));
    }

    #[test]
    fn name_on_own_line() {
        let m = parse("Lambeth LMC\nThat conference demands more.");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("NORTH STAFFORDSHIRE\nThat conference demands more.");
        assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
        assert!(!m.agenda_committee);
    }

    #[test]
    fn no_proposer() {
        let m = parse("That conference demands more.");
        assert_eq!(m.proposer, None);
        assert!(!m.agenda_committee);
        assert_eq!(m.number, None);
        let m = parse("that conference demands more.");
        assert_eq!(m.stem, "that conference demands more.", "case kept as printed");
    }

    #[test]
    fn agenda_committee_alone() {
        let m = parse("AGENDA COMMITTEE: That conference thanks the staff.");
        assert!(m.agenda_committee);
        assert_eq!(m.proposer, None);
    }

    #[test]
    fn motion_numbers() {
        let m = parse("12 AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference x.");
        assert_eq!(m.number, Some(12));
        assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
        assert!(m.agenda_committee);
        let m = parse("12. Lambeth LMC: That conference x.");
        assert_eq!(m.number, Some(12));
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("Motion 7\nLambeth LMC\nThat conference x.");
        assert_eq!(m.number, Some(7));
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("MOTION 103 – Wessex LMCs: That conference x.");
        assert_eq!(m.number, Some(103));
        assert_eq!(m.proposer.as_deref(), Some("Wessex"));
        let m = parse("12\nThat conference x.");
        assert_eq!(m.number, Some(12));
        assert_eq!(m.proposer, None);
        let m = parse("3. That conference x.");
        assert_eq!(m.number, Some(3));
        assert_eq!(m.stem, "That conference x.");
    }

    #[test]
    fn proposer_normalisation() {
        assert_eq!(normalise_proposer("NORTH STAFFORDSHIRE"), "North Staffordshire");
        assert_eq!(normalise_proposer("north staffordshire"), "North Staffordshire");
        assert_eq!(normalise_proposer("Lambeth LMC"), "Lambeth");
        assert_eq!(normalise_proposer("LONDONWIDE LMCS"), "Londonwide");
        assert_eq!(normalise_proposer("KINGSTON UPON THAMES"), "Kingston upon Thames");
        assert_eq!(normalise_proposer("THE ISLE OF WIGHT"), "The Isle of Wight");
        assert_eq!(normalise_proposer("STOKE-ON-TRENT"), "Stoke-on-Trent");
        assert_eq!(normalise_proposer("GPC ENGLAND"), "GPC England");
        assert_eq!(normalise_proposer("GPCE"), "GPCE");
        assert_eq!(normalise_proposer("BMA UK  NHS   ICB"), "BMA UK NHS ICB");
        assert_eq!(normalise_proposer("KING'S LYNN"), "King's Lynn");
        assert_eq!(normalise_proposer("BEDFORDSHIRE AND HERTFORDSHIRE LMC"), "Bedfordshire and Hertfordshire");
        assert_eq!(normalise_proposer("Cambridgeshire Local Medical Committee"), "Cambridgeshire");
        assert_eq!(normalise_proposer("LMC"), "LMC", "a bare LMC is not stripped to nothing");
        assert_eq!(normalise_proposer("DERBYSHIRE (SOUTH)"), "Derbyshire (South)");
    }

    #[test]
    fn heading_before_proposer_is_ignored() {
        let m = parse("GP CONTRACT\nLambeth LMC\nThat conference x.");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("GP CONTRACT\nLambeth LMC: That conference x.");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        let m = parse("Written by the Agenda Committee and\nproposed by Lambeth LMC\nThat conference x.");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        assert!(m.agenda_committee);
    }

    #[test]
    fn per_part_outcome_suffixes_dropped() {
        let m = parse("That conference:\n(i) one — CARRIED\n(ii) two — LOST\n(iii) three – CARRIED NEM CON — for 5, against 0, abstain 1");
        assert_eq!(texts(&m), ["one", "two", "three"]);
    }

    #[test]
    fn seconded_by_is_dropped() {
        let m = parse("Proposed by Lambeth LMC, seconded by Southwark LMC\nThat conference x.");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    }

    #[test]
    fn roman_labels_in_all_forms() {
        for (a, b, c) in [("(i)", "(ii)", "(iii)"), ("i)", "ii)", "iii)"), ("i.", "ii.", "iii.")] {
            let m = parse(&format!("That conference:\n{a} one\n{b} two\n{c} three"));
            assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"], "{a}");
            assert_eq!(texts(&m), ["one", "two", "three"]);
        }
    }

    #[test]
    fn arabic_labels() {
        for (a, b) in [("1.", "2."), ("1)", "2)"), ("(1)", "(2)")] {
            let m = parse(&format!("That conference:\n{a} one\n{b} two"));
            assert_eq!(labels(&m), ["(1)", "(2)"], "{a}");
        }
    }

    #[test]
    fn alphabetic_labels() {
        for (a, b) in [("a)", "b)"), ("(a)", "(b)"), ("a.", "b.")] {
            let m = parse(&format!("That conference:\n{a} one\n{b} two"));
            assert_eq!(labels(&m), ["(a)", "(b)"], "{a}");
        }
        for (a, b) in [("A.", "B."), ("A)", "B)"), ("(A)", "(B)")] {
            let m = parse(&format!("That conference:\n{a} one\n{b} two"));
            assert_eq!(labels(&m), ["(A)", "(B)"], "{a}");
        }
    }

    #[test]
    fn upper_roman_labels() {
        let m = parse("That conference:\nI. one\nII. two\nIII. three\nIV. four");
        assert_eq!(labels(&m), ["(I)", "(II)", "(III)", "(IV)"]);
    }

    #[test]
    fn i_after_h_is_alphabetic() {
        let letters = "abcdefghijk";
        let body: Vec<String> = letters.chars().map(|c| format!("({c}) part {c}")).collect();
        let m = parse(&format!("That conference:\n{}", body.join("\n")));
        let expected: Vec<String> = letters.chars().map(|c| format!("({c})")).collect();
        assert_eq!(labels(&m), expected);
        assert_eq!(m.parts[8].text, "part i");
    }

    #[test]
    fn roman_through_x_and_beyond() {
        let body: Vec<String> = (1..=12).map(|n| format!("({}) part {n}", to_roman(n).unwrap())).collect();
        let m = parse(&format!("That conference:\n{}", body.join("\n")));
        assert_eq!(m.parts.len(), 12);
        assert_eq!(m.parts[4].label, "(v)");
        assert_eq!(m.parts[9].label, "(x)");
        assert_eq!(m.parts[11].label, "(xii)");
    }

    #[test]
    fn bullets() {
        let m = parse("That conference:\n- one\n– two\n• three\n* four\n— five");
        assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]);
        assert_eq!(texts(&m), ["one", "two", "three", "four", "five"]);
    }

    #[test]
    fn bullet_before_a_label_uses_the_label() {
        let m = parse("That conference:\n- (i) one\n- (ii) two");
        assert_eq!(labels(&m), ["(i)", "(ii)"]);
        assert_eq!(texts(&m), ["one", "two"]);
    }

    #[test]
    fn continuation_lines() {
        let m = parse(
            "Lambeth LMC\nThat conference believes\n  that the contract   is\nunfunded. Conference:\n(i) rejects the\n   variation\n(ii) demands\nrestoration (in full) of funding",
        );
        assert_eq!(m.stem, "That conference believes that the contract is unfunded. Conference:");
        assert_eq!(texts(&m), ["rejects the variation", "demands restoration (in full) of funding"]);
    }

    #[test]
    fn blank_lines_between_parts() {
        let m = parse("\n\nThat conference:\n\n(i) one\n\n\n(ii) two\n\n");
        assert_eq!(texts(&m), ["one", "two"]);
    }

    #[test]
    fn parentheses_in_text_are_not_labels() {
        let m = parse("That conference notes core hours (08:00–18:30) and (a) matters (i) too.");
        assert!(m.parts.is_empty());
        assert_eq!(m.stem, "That conference notes core hours (08:00–18:30) and (a) matters (i) too.");
    }

    #[test]
    fn one_line_paste() {
        let m = parse("That conference: (i) rejects the variation (08:00–18:30) (ii) insists on flexibility; (iii) demands removal.");
        assert_eq!(m.stem, "That conference:");
        assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"]);
        assert_eq!(texts(&m), ["rejects the variation (08:00–18:30)", "insists on flexibility;", "demands removal."]);
    }

    #[test]
    fn one_line_paste_needs_sequence() {
        // (i) and (iii) without (ii): a single "(i)" is not enough to split.
        let m = parse("That conference: (i) rejects the variation (iii) insists.");
        assert!(m.parts.is_empty());
        // Labels glued to a word are not split.
        let m = parse("That conference notes x(i) and y(ii) z.");
        assert!(m.parts.is_empty());
    }

    #[test]
    fn parts_pasted_on_the_line_after_the_stem() {
        let m = parse("That conference:\n(i) rejects it (ii) insists (iii) demands");
        assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"]);
        assert_eq!(texts(&m), ["rejects it", "insists", "demands"]);
    }

    #[test]
    fn unicode_spaces_and_quotes() {
        let m = parse("\u{FEFF}Lambeth\u{00A0}LMC:\u{00A0}That\u{00A0}conference\u{2009}welcomes the government’s “offer”.\n(i)\u{00A0}one");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        assert_eq!(m.stem, "That conference welcomes the government’s “offer”.");
        assert_eq!(texts(&m), ["one"]);
    }

    #[test]
    fn quoted_motion() {
        let m = parse("Lambeth LMC: “That conference demands more.”");
        assert_eq!(m.stem, "That conference demands more.");
        let m = parse("\"That conference:\n(i) one\n(ii) two\".");
        assert_eq!(m.stem, "That conference:");
        assert_eq!(texts(&m), ["one", "two."]);
    }

    #[test]
    fn trailing_outcomes_dropped() {
        for tail in [
            "CARRIED IN ALL PARTS",
            "— CARRIED",
            "LOST",
            "Carried nem con",
            "CARRIED BY A TWO-THIRDS MAJORITY",
            "PARTS (i), (iii) AND (v) CARRIED; PART (ii) LOST",
            "**CARRIED AS A REFERENCE**",
            "for 212, against 40, abstain 9",
            "CARRIED — for 212, against 40, abstain 9",
            "UNDECIDED",
        ] {
            let m = parse(&format!("That conference:\n(i) one\n(ii) two\n{tail}"));
            assert_eq!(texts(&m), ["one", "two"], "{tail}");
        }
        let m = parse("That conference demands more. — CARRIED");
        assert_eq!(m.stem, "That conference demands more.");
        let m = parse("That conference demands more. — CARRIED NEM CON — for 3, against 0, abstain 1");
        assert_eq!(m.stem, "That conference demands more.");
        // Lower-case words after a dash are motion text.
        let m = parse("That conference accepts that the vote – lost");
        assert_eq!(m.stem, "That conference accepts that the vote – lost");
    }

    #[test]
    fn per_part_outcome_lines_dropped() {
        let m = parse("That conference:\n(i) one\n    CARRIED — for 212, against 40, abstain 9\n(ii) two\n    LOST\nPART (i) CARRIED; PART (ii) LOST");
        assert_eq!(texts(&m), ["one", "two"]);
    }

    #[test]
    fn empty_input() {
        for input in ["", "   ", "\n\n  \r\n", "\u{00A0}", "CARRIED"] {
            let e = err(input);
            assert_eq!((e.line, e.column), (1, 1), "{input:?}");
            assert_eq!(e.message, "the motion is empty");
        }
    }

    #[test]
    fn missing_that_after_proposer_colon() {
        let e = err("AGENDA COMMITTEE TO BE PROPOSED BY WESSEX: Conference believes x.");
        assert_eq!(e.line, 1);
        assert_eq!(e.column, 44);
        assert_eq!(e.message, "expected the motion to begin with \"That\" (after the proposer)");
        assert_eq!(e.to_string(), "line 1, column 44: expected the motion to begin with \"That\" (after the proposer)");
    }

    #[test]
    fn missing_that_after_proposer_line() {
        let e = err("Lambeth LMC\nConference believes x.");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("after the proposer"));
    }

    #[test]
    fn missing_that_no_proposer() {
        let e = err("  Conference believes that x.");
        assert_eq!((e.line, e.column), (1, 3));
        assert_eq!(e.message, "expected the motion to begin with \"That\"");
        let e = err("12. Conference believes that x.");
        assert_eq!((e.line, e.column), (1, 5));
    }

    #[test]
    fn gap_in_labels() {
        let e = err("That conference:\n(i) one\n(ii) two\n(iv) four");
        assert_eq!((e.line, e.column), (4, 1));
        assert_eq!(e.message, "parts go (i), (ii), then (iv): part (iii) is missing");
        assert_eq!(e.to_string(), "line 4, column 1: parts go (i), (ii), then (iv): part (iii) is missing");
        let e = err("That conference:\n1. one\n4. four");
        assert_eq!(e.message, "parts go (1), then (4): parts (2) and (3) are missing");
        let e = err("That conference:\n(a) one\n(f) six");
        assert_eq!(e.message, "parts go (a), then (f): parts (b) to (e) are missing");
    }

    #[test]
    fn repeated_label() {
        let e = err("That conference:\n(i) one\n(ii) two\n(ii) again");
        assert_eq!((e.line, e.column), (4, 1));
        assert_eq!(e.message, "part (ii) appears twice (lines 3 and 4)");
        let e = err("That conference:\n(a) one\n(b) two\n(c) three\n(a) again");
        assert_eq!(e.message, "part (a) appears twice (lines 2 and 5)");
    }

    #[test]
    fn mixed_styles() {
        let e = err("That conference:\n(i) one\n(ii) two\n(c) three");
        assert_eq!(e.line, 4);
        assert!(e.message.contains("use one style of label"), "{}", e.message);
        assert!(e.message.contains("labelled (i), (ii)"), "{}", e.message);
        let e = err("That conference:\n(i) one\n- two");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("bullet"), "{}", e.message);
        let e = err("That conference:\n- one\n(ii) two");
        assert!(e.message.contains("bullets"), "{}", e.message);
        let e = err("That conference:\n(a) one\n2. two");
        assert!(e.message.contains("use one style"), "{}", e.message);
    }

    #[test]
    fn first_label_must_start_sequence() {
        let e = err("That conference:\n(iii) three\n(iv) four");
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.message, "the first part is labelled (iii); parts should be labelled from (i)");
        let e = err("That conference:\n  (c) three");
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(e.message, "the first part is labelled (c); parts should be labelled from (a)");
        let e = err("That conference:\n2. two");
        assert!(e.message.ends_with("from (1)"), "{}", e.message);
    }

    #[test]
    fn part_without_text() {
        let e = err("That conference:\n(i) one\n(ii)\n(iii) three");
        assert_eq!((e.line, e.column), (3, 1));
        assert_eq!(e.message, "part (ii) has no text");
        // Text on the next line belongs to the label.
        let m = parse("That conference:\n(i)\none\n(ii)\ntwo");
        assert_eq!(texts(&m), ["one", "two"]);
    }

    #[test]
    fn stem_with_no_text() {
        let e = err("Lambeth LMC: That");
        assert_eq!(e.message, "the motion has no text after \"That\"");
        assert_eq!((e.line, e.column), (1, 14));
    }

    #[test]
    fn too_many_parts() {
        let body: Vec<String> = (1..=51).map(|n| format!("{n}. part")).collect();
        let e = err(&format!("That conference:\n{}", body.join("\n")));
        assert_eq!(e.line, 52);
        assert!(e.message.contains("at most 50 parts"), "{}", e.message);
        let body: Vec<String> = (1..=50).map(|n| format!("{n}. part")).collect();
        assert_eq!(parse(&format!("That conference:\n{}", body.join("\n"))).parts.len(), 50);
    }

    #[test]
    fn too_long() {
        let long = format!("That conference {}", "x".repeat(MAX_MOTION_CHARS));
        let e = err(&long);
        assert_eq!(e.line, 1);
        assert_eq!(e.column, MAX_MOTION_CHARS + 1);
        assert!(e.message.contains("too long"), "{}", e.message);
        let ok = format!("That {}", "x".repeat(MAX_MOTION_CHARS - 5));
        assert!(parse_printed_motion(&ok).is_ok());
    }

    #[test]
    fn lone_cr_line_endings() {
        let m = parse("Lambeth LMC\rThat conference:\r(i) one\r(ii) two");
        assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
        assert_eq!(texts(&m), ["one", "two"]);
        let e = err("That conference:\r\n(i) one\r\n(iii) two");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn words_that_look_like_labels_are_text() {
        let m =
            parse("That conference:\n(i) notes\ni.e. the obvious\nMr. Smith agrees\n(ii) demands\n1.5 million more");
        assert_eq!(texts(&m), ["notes i.e. the obvious Mr. Smith agrees", "demands 1.5 million more"]);
    }

    #[test]
    fn thatcher_is_not_that() {
        let e = err("Thatcherism is back.");
        assert_eq!(e.message, "expected the motion to begin with \"That\"");
    }

    #[test]
    fn outcome_text_reader() {
        assert_eq!(parse_outcome_text("carried nem con"), Some((Outcome::Carried, Some(Qualifier::NemCon))));
        assert_eq!(parse_outcome_text("NOT REACHED"), Some((Outcome::NotReached, None)));
        assert_eq!(parse_outcome_text("nope"), None);
    }

    #[test]
    fn serde_of_parse_results() {
        let m = parse("That conference:\n(i) one");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["parts"][0]["label"], "(i)");
        let e = err("");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"line": 1, "column": 1, "message": "the motion is empty"}));
    }

    mod properties {
        use super::super::*;
        use crate::procedure::record::{render_text, MotionRecord};
        use proptest::prelude::*;

        fn fragment() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just("That ".to_string()),
                Just("(i) ".to_string()),
                Just("(ii) ".to_string()),
                Just("(iii) ".to_string()),
                Just("a) ".to_string()),
                Just("1. ".to_string()),
                Just("- ".to_string()),
                Just("— CARRIED".to_string()),
                Just("LOST".to_string()),
                Just("PROPOSED BY ".to_string()),
                Just("AGENDA COMMITTEE TO BE PROPOSED BY X: ".to_string()),
                Just(": ".to_string()),
                Just("“".to_string()),
                Just("”".to_string()),
                Just("\u{00A0}".to_string()),
                Just("(08:00–18:30)".to_string()),
                Just("Motion 12 ".to_string()),
                "[a-zA-Z]{1,8} ",
                "\\PC{0,6}",
            ]
        }

        fn word() -> impl Strategy<Value = String> {
            "[a-z]{1,9}"
        }

        fn words(max: usize) -> impl Strategy<Value = String> {
            proptest::collection::vec(word(), 1..max).prop_map(|w| w.join(" "))
        }

        proptest! {
            #[test]
            fn never_panics_on_anything(text in "\\PC{0,400}") {
                let _ = parse_printed_motion(&text);
            }

            #[test]
            fn never_panics_on_motion_like_text(pieces in proptest::collection::vec(fragment(), 0..40)) {
                let text = pieces.concat();
                match parse_printed_motion(&text) {
                    Ok(m) => {
                        prop_assert!(m.stem.to_ascii_lowercase().starts_with("that"));
                        prop_assert!(m.parts.iter().all(|p| !p.text.is_empty()));
                        prop_assert!(m.parts.len() <= MAX_PARTS);
                    }
                    Err(e) => {
                        prop_assert!(e.line >= 1 && e.column >= 1);
                        let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count();
                        prop_assert!(e.line <= lines.max(1), "{} > {}", e.line, lines);
                        prop_assert!(!e.message.is_empty());
                    }
                }
            }

            #[test]
            fn printed_motions_parse_back(
                number in proptest::option::of(1u32..500),
                proposer in proptest::option::of(prop_oneof![
                    Just("North Staffordshire"), Just("Lambeth"), Just("Newcastle upon Tyne"),
                    Just("Bath and North East Somerset"), Just("Isle of Wight"),
                ]),
                agenda_committee: bool,
                stem in words(12),
                parts in proptest::collection::vec(words(10), 0..12),
                style_ix in 0usize..5,
                form in 0usize..3,
            ) {
                let style = LabelStyle::ALL[style_ix];
                let mut text = String::new();
                if let Some(n) = number {
                    text.push_str(&format!("{n}. "));
                }
                match (agenda_committee, proposer) {
                    (true, Some(p)) => text.push_str(&format!("AGENDA COMMITTEE TO BE PROPOSED BY {}: ", p.to_uppercase())),
                    (false, Some(p)) => text.push_str(&format!("{p} LMC\n")),
                    _ => {}
                }
                text.push_str(&format!("That {stem}:"));
                for (i, part) in parts.iter().enumerate() {
                    let token = style.token(i as u32 + 1).unwrap();
                    let label = match form { 0 => format!("({token})"), 1 => format!("{token})"), _ => format!("{token}.") };
                    text.push_str(&format!("\n{label} {part}"));
                }
                let m = parse_printed_motion(&text).unwrap();
                prop_assert_eq!(m.number, number);
                prop_assert_eq!(m.proposer.as_deref(), proposer);
                prop_assert_eq!(m.agenda_committee, agenda_committee && proposer.is_some());
                prop_assert_eq!(&m.stem, &format!("That {stem}:"));
                let labels: Vec<String> = (1..=parts.len()).map(|n| style.label(n as u32).unwrap()).collect();
                prop_assert_eq!(m.parts.iter().map(|p| p.label.clone()).collect::<Vec<_>>(), labels);
                prop_assert_eq!(m.parts.iter().map(|p| p.text.clone()).collect::<Vec<_>>(), parts.clone());

                // The motion in full parses back to the same motion.
                let again = parse_printed_motion(&render_text(&MotionRecord::from_parsed(&m))).unwrap();
                prop_assert_eq!(again, m);
            }
        }
    }
}

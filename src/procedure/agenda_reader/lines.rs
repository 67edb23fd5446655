//! Recognising lines: item numbers and the words before an item's text, headings, placement lines,
//! errata, timetables and page furniture.

use super::ItemKind;
use crate::procedure::agenda::AgendaMark;
use crate::procedure::parser::{normalise_proposer, read_proposer, SMALL_WORDS};

/// Words that begin a motion's text.
pub(super) const STARTERS: [&str; 8] =
    ["That", "Given", "Recognising", "Recognizing", "Noting", "Believing", "Whilst", "While"];

/// Whether `text` begins with a word that begins a motion ("That", "Given" …; any case), after an
/// optional opening quote.
pub(super) fn starts_with_starter(text: &str) -> bool {
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
pub(super) fn find_starter(text: &str) -> Option<usize> {
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
pub(super) fn looks_like_name(text: &str) -> bool {
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
pub(super) fn is_capitals(text: &str) -> bool {
    let cleaned = text.replace("LMCs", "LMCS");
    cleaned.chars().any(char::is_alphabetic) && !cleaned.chars().any(char::is_lowercase)
}

pub(super) fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['"', '”', '’', '\'', ')', ' ']);
    t.ends_with(['.', '!', '?'])
}

pub(super) fn starts_upper(text: &str) -> bool {
    text.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| c.is_uppercase())
}

/// The number at the start of an item's line, with any marks before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Start {
    pub(super) marks: Vec<AgendaMark>,
    pub(super) number: String,
    /// The number was followed by "." or ")" (so it could be a part's label).
    pub(super) punct: bool,
    /// Byte offset of the text after the number.
    pub(super) rest: usize,
}

/// An item number at the start of `text`: optional marks ("*", "★", "A", "AR"), an optional word
/// ("Motion", "Item", "No."), then "27", "27a", "a278", "EM1"; followed by the end, a space, or "." ":" ")"
/// and a space.
pub(super) fn item_start(text: &str) -> Option<Start> {
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
pub(super) struct Header {
    pub(super) kind: Option<ItemKind>,
    pub(super) proposer: Option<String>,
    pub(super) agenda_committee: bool,
    pub(super) seconder: Option<String>,
    pub(super) composite: bool,
    /// Words of the header itself (searched for "item N").
    pub(super) words: String,
}

impl Header {
    pub(super) fn says_something(&self) -> bool {
        self.kind.is_some() || self.proposer.is_some() || self.agenda_committee || self.composite
    }
}

/// Splits "X and seconded by Y" / "X, seconded by Y".
pub(super) fn split_seconder(text: &str) -> (String, Option<String>) {
    let lower = text.to_ascii_lowercase();
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

pub(super) const KEYWORDS: [(&str, ItemKind, bool); 8] = [
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
pub(super) fn split_header(text: &str) -> Option<(Header, Option<usize>)> {
    let lower = text.to_ascii_lowercase();
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
            let lower_after = after.to_ascii_lowercase();
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
            let head_lower = head.to_ascii_lowercase();
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
            return Some((name_header(head), Some(skip_spaces(text, i + 1))));
        }
    }
    // "WILTSHIRE That conference …" (no colon).
    if let Some(i) = find_starter(text) {
        let head = text[..i].trim_end().trim_end_matches(['—', '–', '-', ',', '"', '“']).trim_end();
        if looks_like_name(head) {
            return Some((name_header(head), Some(i)));
        }
    }
    None
}

/// The header of an item that begins with who proposes it ("BEDFORDSHIRE", "Lambeth LMC and seconded by
/// Kent").
fn name_header(head: &str) -> Header {
    let (name, second) = split_seconder(head);
    Header {
        proposer: Some(normalise_proposer(&name)).filter(|p| !p.is_empty()),
        seconder: second,
        words: head.to_string(),
        ..Header::default()
    }
}

pub(super) fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + (rest.len() - rest.trim_start().len())
}

/// "item 15", "motion 27a", "items 12" in `text`: the first item number named.
pub(super) fn named_item(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
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

pub(super) fn is_erratum(lower: &str) -> bool {
    ["erratum", "errata", "corrigendum", "corrigenda", "correction:", "correction -", "correction –"]
        .iter()
        .any(|w| lower.starts_with(w))
}

pub(super) fn is_receive(lower: &str) -> bool {
    lower.starts_with("receive") || lower.starts_with("to receive")
}

pub(super) fn is_placement(lower: &str) -> bool {
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
pub(super) fn is_timetable(lower: &str) -> bool {
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
pub(super) fn is_page_furniture(lower: &str) -> bool {
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
pub(super) fn looks_like_heading(text: &str) -> bool {
    let words = text.split_whitespace().count();
    words > 0
        && words <= 14
        && !ends_sentence(text)
        && !text.ends_with([',', ';'])
        && text.chars().any(char::is_alphabetic)
        && !starts_with_starter(text)
        && starts_upper(text)
}

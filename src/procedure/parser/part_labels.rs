//! Part labels: what starts a part's line ("(ii)", "3.", a bullet), checking that labels follow one
//! another, and parts pasted on one line.

use super::{collapse, Line, ParseError, ParsedPart};
use crate::procedure::labels::{to_roman, LabelStyle};
use crate::procedure::MAX_PARTS;

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
pub(super) enum Scheme {
    Labels(LabelStyle),
    Bullets,
}

/// Checks that labels follow one another and names each part.
#[derive(Clone)]
pub(crate) struct Sequence {
    pub(super) scheme: Option<Scheme>,
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

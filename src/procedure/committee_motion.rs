//! Agenda-committee motions about the agenda itself: "that item 217 be an 'A' motion", "that items 12
//! and 13 be moved to the grey section", "that motion 27 be taken in parts", "that item 40 be withdrawn".
//! Once conference carries one, the chair applies it: the target items' marks (or how they are taken, or
//! their outcome) change. This module only reads the wording; `services::committee` applies it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a carried agenda-committee motion does to the items it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeAction {
    /// The item becomes an 'A' motion (voted without debate).
    MarkA,
    /// The item becomes an 'AR' motion (reaffirmed without debate).
    MarkAr,
    /// The item is starred (chosen for debate).
    Star,
    /// The item moves to the grey section.
    ToGrey,
    /// The item moves out of the grey section.
    FromGrey,
    /// The item is to be taken in parts.
    TakeInParts,
    /// The item is withdrawn.
    Withdraw,
}

impl CommitteeAction {
    /// In words, for the chair and the audit log.
    pub fn describe(&self) -> &'static str {
        match self {
            CommitteeAction::MarkA => "becomes an 'A' motion",
            CommitteeAction::MarkAr => "becomes an 'AR' motion",
            CommitteeAction::Star => "is starred",
            CommitteeAction::ToGrey => "moves to the grey section",
            CommitteeAction::FromGrey => "moves out of the grey section",
            CommitteeAction::TakeInParts => "is taken in parts",
            CommitteeAction::Withdraw => "is withdrawn",
        }
    }
}

/// An agenda-committee motion as read: the items it names (as printed) and what it does to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommitteeMotion {
    /// The printed numbers of the items it names, in the order given ("217", "27a").
    pub items: Vec<String>,
    /// What it does to each of them (at least one; never two that contradict each other).
    pub actions: Vec<CommitteeAction>,
}

/// Why a wording is not an agenda-committee motion this module can apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCommitteeMotion {
    #[error("it names no item (expected \"that item 217 be …\")")]
    NoItem,
    #[error("after the item numbers, \"be …\" was expected")]
    NoBe,
    #[error("it says what is not to happen; only \"be …\" wordings can be applied")]
    Negated,
    #[error("it does not say the item becomes an 'A' or 'AR' motion, moves to or from the grey section, is starred, taken in parts or withdrawn")]
    NoAction,
    #[error("it both moves the item to and from the grey section")]
    Contradictory,
    #[error("the range {0} is not a range of plain numbers up to 400 items long")]
    BadRange(String),
}

/// The longest list of items read (a range included).
pub const MAX_ITEMS: usize = 400;

const QUOTES: [char; 8] = ['\'', '"', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '`', '\u{00B4}'];

/// A word as printed: its text without surrounding punctuation or quotes, and whether it was quoted.
#[derive(Debug, Clone)]
struct Word {
    raw: String,
    lower: String,
    quoted: bool,
}

fn words(text: &str) -> Vec<Word> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter_map(|w| {
            let quoted = w.chars().any(|c| QUOTES.contains(&c));
            let t = w.trim_matches(|c: char| QUOTES.contains(&c) || ".:()[]!?".contains(c));
            let t = t.trim_matches(|c: char| QUOTES.contains(&c));
            (!t.is_empty()).then(|| Word { raw: t.to_string(), lower: t.to_lowercase(), quoted })
        })
        .collect()
}

/// A printed item number: "217", "27a", "a278", "EM1" (one or two letters before or after 1 to 4 digits).
pub fn is_item_number(w: &str) -> bool {
    let start = w.find(|c: char| c.is_ascii_digit());
    let Some(start) = start else { return false };
    let (pre, rest) = w.split_at(start);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let post = &rest[digits.len()..];
    (1..=4).contains(&digits.len())
        && pre.len() <= 2
        && post.len() <= 2
        && pre.chars().all(|c| c.is_ascii_alphabetic())
        && post.chars().all(|c| c.is_ascii_alphabetic())
        && !(pre.is_empty() && post.is_empty() && digits.chars().all(|c| c == '0'))
}

fn plain(w: &str) -> Option<u32> {
    (!w.is_empty() && w.len() <= 4 && w.chars().all(|c| c.is_ascii_digit())).then(|| w.parse().ok()).flatten()
}

fn range(from: &str, to: &str) -> Result<Vec<String>, NotCommitteeMotion> {
    let bad = || NotCommitteeMotion::BadRange(format!("{from} to {to}"));
    let (a, b) = (plain(from).ok_or_else(bad)?, plain(to).ok_or_else(bad)?);
    if a == 0 || b <= a || (b - a) as usize >= MAX_ITEMS {
        return Err(bad());
    }
    Ok((a..=b).map(|n| n.to_string()).collect())
}

/// Reads an agenda-committee motion about the agenda. The text may be the whole motion as printed
/// ("That conference agrees that items 12 and 13 be 'A' motions.") or just its stem.
pub fn read_committee_motion(text: &str) -> Result<CommitteeMotion, NotCommitteeMotion> {
    let ws = words(text);
    let is_key = |w: &Word| matches!(w.lower.as_str(), "item" | "items" | "motion" | "motions");
    let mut i = 0;
    // The first "item"/"motion" followed by a number.
    loop {
        if i >= ws.len() {
            return Err(NotCommitteeMotion::NoItem);
        }
        if is_key(&ws[i]) {
            let mut j = i + 1;
            while j < ws.len() && matches!(ws[j].lower.as_str(), "number" | "numbers" | "no" | "nos") {
                j += 1;
            }
            if j < ws.len() && (is_item_number(&ws[j].raw) || ws[j].raw.contains('-')) {
                i = j;
                break;
            }
        }
        i += 1;
    }
    let mut items: Vec<String> = Vec::new();
    let push = |items: &mut Vec<String>, n: String| {
        if !items.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
            items.push(n);
        }
    };
    while i < ws.len() {
        let w = &ws[i];
        if is_item_number(&w.raw) {
            if i + 2 < ws.len()
                && matches!(ws[i + 1].lower.as_str(), "to" | "-" | "–")
                && is_item_number(&ws[i + 2].raw)
            {
                for n in range(&w.raw, &ws[i + 2].raw)? {
                    push(&mut items, n);
                }
                i += 3;
            } else {
                push(&mut items, w.raw.clone());
                i += 1;
            }
        } else if let Some((a, b)) =
            w.raw.split_once(['-', '–']).filter(|(a, b)| is_item_number(a) && is_item_number(b))
        {
            for n in range(a, b)? {
                push(&mut items, n);
            }
            i += 1;
        } else if matches!(
            w.lower.as_str(),
            "and" | "&" | "or" | "item" | "items" | "motion" | "motions" | "number" | "numbers"
        ) {
            i += 1;
        } else {
            break;
        }
        if items.len() > MAX_ITEMS {
            return Err(NotCommitteeMotion::BadRange(format!("{} items", items.len())));
        }
    }
    if items.is_empty() {
        return Err(NotCommitteeMotion::NoItem);
    }
    // "(shall|should|will|to) be …"
    while i < ws.len() && matches!(ws[i].lower.as_str(), "shall" | "should" | "will" | "to" | "now" | "each" | "both") {
        i += 1;
    }
    if i < ws.len() && ws[i].lower == "not" {
        return Err(NotCommitteeMotion::Negated);
    }
    if i >= ws.len() || ws[i].lower != "be" {
        return Err(NotCommitteeMotion::NoBe);
    }
    let rest = &ws[i + 1..];
    if rest.first().is_some_and(|w| w.lower == "not") {
        return Err(NotCommitteeMotion::Negated);
    }
    let lower: Vec<&str> = rest.iter().map(|w| w.lower.as_str()).collect();
    let has = |phrase: &[&str]| lower.windows(phrase.len()).any(|win| win == phrase);
    let mut actions = Vec::new();
    // 'A' or 'AR': the mark as printed (capitals, or quoted), before "motion(s)" or after "marked"/"designated".
    let mark_at = |k: usize| -> Option<CommitteeAction> {
        let w = &rest[k];
        let mark = |s: &str| match s {
            "a" => Some(CommitteeAction::MarkA),
            "ar" | "a(r)" => Some(CommitteeAction::MarkAr),
            _ => None,
        };
        let as_printed = w.raw == "A" || w.raw == "AR" || w.raw == "A(R)" || w.quoted;
        let before_motion = rest.get(k + 1).is_some_and(|n| n.lower.starts_with("motion"));
        let after_marked =
            k > 0 && matches!(rest[k - 1].lower.as_str(), "marked" | "designated" | "classed" | "classified");
        if (as_printed && before_motion) || (after_marked && (as_printed || rest.len() == k + 1)) {
            mark(&w.lower)
        } else {
            None
        }
    };
    for k in 0..rest.len() {
        if let Some(a) = mark_at(k) {
            actions.push(a);
        }
    }
    let grey_word = |w: &str| w == "grey" || w == "gray";
    let before_grey =
        |lead: &[&str]| lower.windows(3).any(|win| lead.contains(&win[0]) && win[1] == "the" && grey_word(win[2]));
    // "moved from (out of) the grey section to the main agenda"; "moved to (placed in) the grey section".
    let from_grey = before_grey(&["from", "of"]);
    let to_grey = before_grey(&["to", "into", "in"]);
    if from_grey && to_grey {
        return Err(NotCommitteeMotion::Contradictory);
    }
    if from_grey {
        actions.push(CommitteeAction::FromGrey);
    } else if to_grey || has(&["grey", "motion"]) || has(&["grey", "motions"]) || has(&["gray", "motion"]) {
        actions.push(CommitteeAction::ToGrey);
    }
    if has(&["in", "parts"]) || has(&["taken", "separately"]) || has(&["voted", "on", "separately"]) {
        actions.push(CommitteeAction::TakeInParts);
    }
    if lower.contains(&"withdrawn") {
        actions.push(CommitteeAction::Withdraw);
    }
    if lower.contains(&"starred") || has(&["a", "starred", "motion"]) {
        actions.push(CommitteeAction::Star);
    }
    actions.sort();
    actions.dedup();
    if actions.contains(&CommitteeAction::ToGrey) && actions.contains(&CommitteeAction::FromGrey) {
        return Err(NotCommitteeMotion::Contradictory);
    }
    if actions.is_empty() {
        return Err(NotCommitteeMotion::NoAction);
    }
    Ok(CommitteeMotion { items, actions })
}

#[cfg(test)]
#[path = "committee_motion_tests.rs"]
mod tests;

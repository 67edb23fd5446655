//! Part labels: "(i)", "(1)", "(a)", "(A)", "(I)"; roman numerals; the next label for a rider.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the parts of a motion are labelled. Stored labels are always
/// normalised to the bracketed form, e.g. "(ii)", "(2)", "(b)", "(B)", "(II)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LabelStyle {
    /// (i), (ii), (iii)… — also used for unlabelled (bullet) parts.
    RomanLower,
    /// (I), (II), (III)…
    RomanUpper,
    /// (1), (2), (3)…
    Arabic,
    /// (a), (b), (c)… then (aa), (ab)…
    AlphaLower,
    /// (A), (B), (C)…
    AlphaUpper,
}

impl LabelStyle {
    /// Every style, in the order used to settle ambiguity (roman before alphabetic,
    /// so a lone "(i)" is roman).
    pub const ALL: [LabelStyle; 5] = [
        LabelStyle::RomanLower,
        LabelStyle::AlphaLower,
        LabelStyle::Arabic,
        LabelStyle::RomanUpper,
        LabelStyle::AlphaUpper,
    ];

    /// The bare token for the `n`th label (1-based): "ii", "2", "b", "B", "II".
    pub fn token(&self, n: u32) -> Option<String> {
        if n == 0 {
            return None;
        }
        match self {
            LabelStyle::RomanLower => to_roman(n),
            LabelStyle::RomanUpper => to_roman(n).map(|s| s.to_ascii_uppercase()),
            LabelStyle::Arabic => Some(n.to_string()),
            LabelStyle::AlphaLower => Some(to_alpha(n)),
            LabelStyle::AlphaUpper => Some(to_alpha(n).to_ascii_uppercase()),
        }
    }

    /// The normalised label for the `n`th part (1-based): "(ii)", "(2)", "(b)".
    pub fn label(&self, n: u32) -> Option<String> {
        self.token(n).map(|t| format!("({t})"))
    }

    /// The position (1-based) of a bare token in this style, if it is one.
    pub fn value(&self, token: &str) -> Option<u32> {
        match self {
            LabelStyle::RomanLower => from_roman(token),
            LabelStyle::RomanUpper => {
                if token.chars().all(|c| c.is_ascii_uppercase()) {
                    from_roman(&token.to_ascii_lowercase())
                } else {
                    None
                }
            }
            LabelStyle::Arabic => {
                if !token.is_empty() && token.len() <= 6 && token.chars().all(|c| c.is_ascii_digit()) {
                    token.parse().ok().filter(|n| *n > 0)
                } else {
                    None
                }
            }
            LabelStyle::AlphaLower => from_alpha(token),
            LabelStyle::AlphaUpper => {
                if token.chars().all(|c| c.is_ascii_uppercase()) {
                    from_alpha(&token.to_ascii_lowercase())
                } else {
                    None
                }
            }
        }
    }

    /// Words for messages: "(i), (ii), (iii)".
    pub fn describe(&self) -> &'static str {
        match self {
            LabelStyle::RomanLower => "(i), (ii), (iii)",
            LabelStyle::RomanUpper => "(I), (II), (III)",
            LabelStyle::Arabic => "1, 2, 3",
            LabelStyle::AlphaLower => "(a), (b), (c)",
            LabelStyle::AlphaUpper => "(A), (B), (C)",
        }
    }
}

const ROMAN: [(u32, &str); 13] = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
];

/// Lower-case roman numeral for 1..=3999 ("i" … "mmmcmxcix"); `None` outside that range.
pub fn to_roman(n: u32) -> Option<String> {
    if !(1..=3999).contains(&n) {
        return None;
    }
    let mut rest = n;
    let mut out = String::new();
    for (value, digits) in ROMAN {
        while rest >= value {
            out.push_str(digits);
            rest -= value;
        }
    }
    Some(out)
}

/// The value of a canonical lower-case roman numeral ("i" … "mmmcmxcix").
/// Non-canonical forms such as "iiii", "vv" or "ic" are rejected.
pub fn from_roman(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let digit = |c: char| match c {
        'i' => Some(1u32),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        'c' => Some(100),
        'd' => Some(500),
        'm' => Some(1000),
        _ => None,
    };
    let values: Vec<u32> = s.chars().map(digit).collect::<Option<_>>()?;
    let mut total: i64 = 0;
    for (i, v) in values.iter().enumerate() {
        match values.get(i + 1) {
            Some(next) if next > v => total -= i64::from(*v),
            _ => total += i64::from(*v),
        }
    }
    let total = u32::try_from(total).ok()?;
    // Canonical form only: the round trip must give back the same text.
    if to_roman(total).as_deref() == Some(s) {
        Some(total)
    } else {
        None
    }
}

/// Bijective base-26 letters: 1 → "a", 26 → "z", 27 → "aa".
pub fn to_alpha(n: u32) -> String {
    let mut n = n;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'a' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Inverse of [`to_alpha`] for lower-case letters (at most 2 letters: "a" … "zz").
pub fn from_alpha(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let mut n = 0u32;
    for b in s.bytes() {
        n = n * 26 + u32::from(b - b'a') + 1;
    }
    Some(n)
}

/// The bare token of a label: "(ii)" → "ii", "ii)" → "ii", "2." → "2".
pub fn label_token(label: &str) -> &str {
    let t = label.trim();
    let t = t.strip_prefix('(').unwrap_or(t);
    let t = t.strip_suffix(')').or_else(|| t.strip_suffix('.')).unwrap_or(t);
    t.trim()
}

/// The style of a list of labels, read from the whole sequence so that "(i)"
/// after "(h)" is alphabetic while "(i)" first is roman. `None` when empty or
/// unrecognisable.
pub fn label_style(existing: &[String]) -> Option<LabelStyle> {
    let tokens: Vec<&str> = existing.iter().map(|l| label_token(l)).collect();
    if tokens.is_empty() {
        return None;
    }
    let values_in =
        |style: LabelStyle| -> Option<Vec<u32>> { tokens.iter().map(|t| style.value(t)).collect::<Option<Vec<u32>>>() };
    // 1. A sequence 1, 2, 3… in some style.
    for style in LabelStyle::ALL {
        if let Some(values) = values_in(style) {
            if values.iter().enumerate().all(|(i, v)| *v as usize == i + 1) {
                return Some(style);
            }
        }
    }
    // 2. Consecutive (not from 1), then 3. strictly increasing, in some style.
    if tokens.len() >= 2 {
        for step_ok in [(|a: u32, b: u32| a.checked_add(1) == Some(b)) as fn(u32, u32) -> bool, |a: u32, b: u32| a < b]
        {
            for style in LabelStyle::ALL {
                if let Some(values) = values_in(style) {
                    if values.windows(2).all(|w| step_ok(w[0], w[1])) {
                        return Some(style);
                    }
                }
            }
        }
    }
    // 4. Judge by the last label alone.
    let last = tokens.last().copied().unwrap_or_default();
    style_of_token(last)
}

/// The likeliest style of a lone token: digits are arabic; single letters other
/// than i, v, x are alphabetic; other valid numerals are roman.
fn style_of_token(token: &str) -> Option<LabelStyle> {
    if LabelStyle::Arabic.value(token).is_some() {
        return Some(LabelStyle::Arabic);
    }
    let single_non_ivx = token.len() == 1 && !matches!(token, "i" | "v" | "x" | "I" | "V" | "X");
    let order: [LabelStyle; 4] = if single_non_ivx {
        [LabelStyle::AlphaLower, LabelStyle::AlphaUpper, LabelStyle::RomanLower, LabelStyle::RomanUpper]
    } else {
        [LabelStyle::RomanLower, LabelStyle::RomanUpper, LabelStyle::AlphaLower, LabelStyle::AlphaUpper]
    };
    order.into_iter().find(|s| s.value(token).is_some())
}

/// The label a new part (a carried rider) gets: continues the style of the
/// existing labels ("(vi)" after "(v)", "(4)" after "(3)", "(d)" after "(c)",
/// "(D)" after "(C)"); "(i)" when there are none. Never returns a label that
/// is already in use.
pub fn next_label(existing: &[String]) -> String {
    let in_use = |label: &str| existing.iter().any(|l| label_token(l) == label_token(label));
    let (style, start) = match label_style(existing) {
        Some(style) => {
            let last = existing.last().and_then(|l| style.value(label_token(l))).unwrap_or(0);
            (style, last.saturating_add(1))
        }
        None => (LabelStyle::RomanLower, u32::try_from(existing.len()).unwrap_or(u32::MAX).saturating_add(1)),
    };
    let mut n = start.max(1);
    for _ in 0..10_000 {
        if let Some(label) = style.label(n) {
            if !in_use(&label) {
                return label;
            }
        }
        n = n.saturating_add(1);
    }
    // Practically unreachable: fall back to a numbered label that is free.
    let mut n = existing.len() + 1;
    loop {
        let label = format!("({n})");
        if !in_use(&label) {
            return label;
        }
        n += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(to_roman(1).as_deref(), Some("i"));
        assert_eq!(to_roman(4).as_deref(), Some("iv"));
        assert_eq!(to_roman(9).as_deref(), Some("ix"));
        assert_eq!(to_roman(14).as_deref(), Some("xiv"));
        assert_eq!(to_roman(40).as_deref(), Some("xl"));
        assert_eq!(to_roman(49).as_deref(), Some("xlix"));
        assert_eq!(to_roman(1994).as_deref(), Some("mcmxciv"));
        assert_eq!(to_roman(3999).as_deref(), Some("mmmcmxcix"));
        assert_eq!(to_roman(0), None);
        assert_eq!(to_roman(4000), None);
        assert_eq!(from_roman("xiv"), Some(14));
        assert_eq!(from_roman("mmmcmxcix"), Some(3999));
        assert_eq!(from_roman("iiii"), None);
        assert_eq!(from_roman("vv"), None);
        assert_eq!(from_roman("ic"), None);
        assert_eq!(from_roman("IV"), None, "lower case only");
        assert_eq!(from_roman(""), None);
        assert_eq!(from_roman("a"), None);
    }

    #[test]
    fn alpha_letters() {
        assert_eq!(to_alpha(1), "a");
        assert_eq!(to_alpha(26), "z");
        assert_eq!(to_alpha(27), "aa");
        assert_eq!(to_alpha(52), "az");
        assert_eq!(from_alpha("aa"), Some(27));
        assert_eq!(from_alpha("A"), None);
    }

    #[test]
    fn next_label_continues_style() {
        assert_eq!(next_label(&[]), "(i)");
        assert_eq!(next_label(&labels(&["(i)"])), "(ii)");
        assert_eq!(next_label(&labels(&["(i)", "(ii)", "(iii)", "(iv)", "(v)"])), "(vi)");
        assert_eq!(next_label(&labels(&["(1)", "(2)", "(3)"])), "(4)");
        assert_eq!(next_label(&labels(&["(a)", "(b)", "(c)"])), "(d)");
        assert_eq!(next_label(&labels(&["(A)", "(B)", "(C)"])), "(D)");
        assert_eq!(next_label(&labels(&["(I)", "(II)"])), "(III)");
        assert_eq!(next_label(&labels(&["(a)"])), "(b)");
        assert_eq!(next_label(&labels(&["(A)"])), "(B)");
        assert_eq!(next_label(&labels(&["(I)"])), "(II)");
    }

    #[test]
    fn next_label_settles_i_v_x_by_sequence() {
        let alpha: Vec<String> = (1..=8).map(|n| format!("({})", to_alpha(n))).collect();
        assert_eq!(next_label(&alpha), "(i)", "after (h) comes alphabetic (i)");
        let mut alpha9 = alpha.clone();
        alpha9.push("(i)".into());
        assert_eq!(next_label(&alpha9), "(j)");
        let alpha_to_v: Vec<String> = (1..=22).map(|n| format!("({})", to_alpha(n))).collect();
        assert_eq!(next_label(&alpha_to_v), "(w)");
        let roman_to_iv = labels(&["(i)", "(ii)", "(iii)", "(iv)"]);
        assert_eq!(next_label(&roman_to_iv), "(v)");
    }

    #[test]
    fn next_label_odd_inputs() {
        // Not starting at 1 but increasing.
        assert_eq!(next_label(&labels(&["(iii)", "(iv)"])), "(v)");
        assert_eq!(next_label(&labels(&["(c)"])), "(d)", "lone (c) is alphabetic");
        assert_eq!(next_label(&labels(&["(c)", "(d)"])), "(e)");
        assert_eq!(next_label(&labels(&["(v)"])), "(vi)", "lone (v) is roman");
        // Unnormalised forms are read too.
        assert_eq!(next_label(&labels(&["1.", "2."])), "(3)");
        // Unrecognisable labels: roman by count, never a duplicate.
        assert_eq!(next_label(&labels(&["foo", "bar"])), "(iii)");
        assert_eq!(next_label(&labels(&["foo", "(iii)"])), "(iv)");
        // Out of order: continue from the last, skipping labels in use.
        assert_eq!(next_label(&labels(&["(ii)", "(i)"])), "(iii)");
    }

    #[test]
    fn label_tokens() {
        assert_eq!(label_token("(ii)"), "ii");
        assert_eq!(label_token("ii)"), "ii");
        assert_eq!(label_token("2."), "2");
        assert_eq!(label_token(" (a) "), "a");
    }

    proptest! {
        #[test]
        fn roman_round_trip(n in 1u32..=3999) {
            let s = to_roman(n).unwrap();
            prop_assert_eq!(from_roman(&s), Some(n));
        }

        #[test]
        fn next_label_extends_sequences(len in 0u32..60, style_ix in 0usize..5) {
            let style = LabelStyle::ALL[style_ix];
            let existing: Vec<String> = (1..=len).map(|n| style.label(n).unwrap()).collect();
            let expected = if len == 0 { "(i)".to_string() } else { style.label(len + 1).unwrap() };
            prop_assert_eq!(next_label(&existing), expected);
        }

        #[test]
        fn next_label_is_fresh(existing in proptest::collection::vec("\\([a-z0-9]{1,3}\\)", 0..8)) {
            let next = next_label(&existing);
            prop_assert!(!existing.contains(&next));
        }
    }
}

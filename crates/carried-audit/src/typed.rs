//! Codes and receipts as people type them. One rule, used for voting codes (by the service), for receipts
//! (by the verifier and the service), and mirrored by the browser's receipt check (`static/js/common.js`,
//! `normaliseTyped`): see docs/audit.md, "Typed codes and receipts".
//!
//! Codes and receipts are written in Crockford's base 32 (no I, L, O or U), so reading O as 0 and I or L as
//! 1 never makes two different codes equal.

/// Upper-case ASCII letters; drop spaces and dashes; read O as 0, and I and L as 1.
///
/// Exactly these characters are dropped, so that every verifier (Rust, the browser) agrees on every
/// input: ASCII white space (space, tab, LF, CR, FF), the no-break space U+00A0, the hyphen-minus, the
/// dashes U+2010 to U+2015 and the minus sign U+2212. Nothing else is changed: U+FEFF stays (and so makes a
/// typed receipt match nothing), and so does `ſ` (only ASCII letters change case).
pub fn normalise_typed(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| {
            !matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
        })
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn forgives_case_spaces_dashes_and_look_alike_letters() {
        let printed = "7K3Q-9XWD-2M4T-HC8R";
        for typed in [
            "7K3Q-9XWD-2M4T-HC8R",
            "7k3q9xwd2m4thc8r",
            " 7K3Q 9XWD 2M4T HC8R ",
            "7K3Q–9XWD—2M4T-HC8R", // en and em dashes from a word processor
            "7k3q-9xwd-2m4t-hc8r\n",
        ] {
            assert_eq!(normalise_typed(typed), normalise_typed(printed), "{typed:?}");
        }
        assert_eq!(normalise_typed("o0-Ii-Ll"), "001111");
        assert_eq!(normalise_typed("10AB"), normalise_typed("lOab"));
    }

    #[test]
    fn only_ascii_letters_change_and_only_listed_characters_drop() {
        assert_eq!(normalise_typed("\u{feff}AB"), "\u{feff}AB");
        assert_eq!(normalise_typed("\u{17f}"), "\u{17f}", "the long s is not an S");
        assert_eq!(normalise_typed("A\u{a0}B\u{2003}C"), "AB\u{2003}C", "an em space is not dropped");
    }

    #[test]
    fn different_codes_stay_different() {
        assert_ne!(normalise_typed("7K3Q-9XWD-2M4T-HC8R"), normalise_typed("7K3Q-9XWD-2M4T-HC8S"));
        assert_ne!(normalise_typed("AB"), normalise_typed("ABC"));
        assert_eq!(normalise_typed(""), "");
    }

    proptest::proptest! {
        /// Normalising is idempotent, and every Crockford code survives any typing of it.
        #[test]
        fn idempotent_and_typing_proof(code in "[0-9A-HJKMNP-TV-Z]{16}", lower in proptest::bool::ANY, sep in "[ -]{0,2}") {
            let once = normalise_typed(&code);
            proptest::prop_assert_eq!(normalise_typed(&once), once.clone());
            let grouped: Vec<String> = code.as_bytes().chunks(4).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
            let mut typed = grouped.join(&sep);
            if lower { typed = typed.to_lowercase(); }
            proptest::prop_assert_eq!(normalise_typed(&typed), once);
        }
    }
}

use proptest::prelude::*;

use super::*;

#[test]
fn names_are_trimmed_and_checked() {
    assert_eq!(PersonName::parse("  Dr Ben O'Neill; jr ").expect("ok"), "Dr Ben O'Neill; jr");
    assert_eq!(PersonName::parse("Smith, Dr \"Jo\"").expect("ok").as_str(), "Smith, Dr \"Jo\"");
    assert_eq!(PersonName::parse(""), Err(NameError::Empty));
    assert_eq!(PersonName::parse("  "), Err(NameError::Empty));
    assert!(PersonName::parse(&"é".repeat(200)).is_ok(), "characters are counted, not bytes");
    assert_eq!(PersonName::parse(&"n".repeat(201)), Err(NameError::TooLong));
    for bad in ["Dr A\r\nBcc: evil@x.org", "a\tb", "Dr \u{202e}evil", "a\u{2028}b", "a\u{feff}b", "a\u{2066}b"] {
        assert_eq!(PersonName::parse(bad), Err(NameError::ForbiddenCharacter), "{bad:?}");
    }
    assert_eq!(NameError::TooLong.to_string(), "is longer than 200 characters");
}

#[test]
fn serde_refuses_a_bad_name() {
    let n: PersonName = serde_json::from_str("\" Dr A \"").expect("good");
    assert_eq!(n, "Dr A");
    assert!(serde_json::from_str::<PersonName>("\"a\\nb\"").is_err());
}

proptest! {
    /// Whatever is accepted is trimmed, 1 to 200 characters, free of forbidden characters, and
    /// parses again to itself.
    #[test]
    fn accepted_names_are_fixed_points(s in "[ a-zA-Z'\\-.,\r\n\t\u{202e}é]{0,210}") {
        match PersonName::parse(&s) {
            Ok(n) => {
                prop_assert_eq!(PersonName::parse(n.as_str()), Ok(n.clone()));
                prop_assert_eq!(n.as_str(), n.as_str().trim());
                let count = n.as_str().chars().count();
                prop_assert!((1..=PersonName::MAX_CHARS).contains(&count));
                prop_assert!(!n.as_str().chars().any(forbidden_char));
            }
            Err(NameError::Empty) => prop_assert!(s.trim().is_empty()),
            Err(NameError::TooLong) => prop_assert!(s.trim().chars().count() > PersonName::MAX_CHARS),
            Err(NameError::ForbiddenCharacter) => prop_assert!(s.trim().chars().any(forbidden_char)),
        }
    }
}

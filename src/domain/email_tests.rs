use proptest::prelude::*;

use super::*;

fn err(s: &str) -> EmailError {
    EmailAddress::parse(s).expect_err(s)
}

#[test]
fn good_addresses_are_kept_lowercased_and_trimmed() {
    for ok in ["a@b.org", "first.last+tag@nhs.net", "A_B-C@Sub-Domain.Example.CO.UK", "o'neill@example.org"] {
        assert_eq!(EmailAddress::parse(ok).expect(ok).as_str(), ok.to_ascii_lowercase(), "{ok}");
    }
    assert_eq!(EmailAddress::parse(" GP@Example.org ").expect("ok"), "gp@example.org");
}

#[test]
fn each_problem_is_named() {
    for (bad, why) in [
        ("", EmailError::Empty),
        ("   ", EmailError::Empty),
        ("a@@b.org", EmailError::NotOneAt),
        ("ab.org", EmailError::NotOneAt),
        ("no-at", EmailError::NotOneAt),
        ("@b.org", EmailError::LocalLength),
        ("a b@b.org", EmailError::LocalCharacter),
        ("\"a\"@b.org", EmailError::LocalCharacter),
        ("<a>@b.org", EmailError::LocalCharacter),
        ("a,b@b.org", EmailError::LocalCharacter),
        ("é@b.org", EmailError::LocalCharacter),
        ("a\r\nb@b.org", EmailError::LocalCharacter),
        (".a@b.org", EmailError::LocalDot),
        ("a.@b.org", EmailError::LocalDot),
        ("a..b@b.org", EmailError::LocalDot),
        ("a@localhost", EmailError::DomainWithoutDot),
        ("a@b", EmailError::DomainWithoutDot),
        ("a@b..org", EmailError::DomainInvalid),
        ("a@.b.org", EmailError::DomainInvalid),
        ("a@b.org.", EmailError::DomainInvalid),
        ("a@-b.org", EmailError::DomainInvalid),
        ("a@b-.org", EmailError::DomainInvalid),
        ("a@b_c.org", EmailError::DomainInvalid),
        ("a@b.org\r\nBcc: x", EmailError::DomainInvalid),
        ("a@b.org\r\nBcc: x@y.org", EmailError::NotOneAt),
    ] {
        assert_eq!(err(bad), why, "{bad:?}");
    }
}

#[test]
fn lengths() {
    assert_eq!(err(&format!("{}@b.org", "a".repeat(65))), EmailError::LocalLength);
    assert!(EmailAddress::parse(&format!("{}@b.org", "a".repeat(64))).is_ok());
    assert_eq!(err(&format!("a@{}.org", "b".repeat(64))), EmailError::DomainInvalid);
    assert!(EmailAddress::parse(&format!("a@{}.org", "b".repeat(63))).is_ok());
    let long = format!("a@{}.org", vec!["b".repeat(63); 4].join("."));
    assert!(long.len() > EmailAddress::MAX_LEN);
    assert_eq!(err(&long), EmailError::TooLong);
    assert_eq!(err(&long).to_string(), "it is longer than 254 characters");
}

#[test]
fn serde_refuses_a_bad_address() {
    let e: EmailAddress = serde_json::from_str("\"A@B.org\"").expect("good");
    assert_eq!(serde_json::to_string(&e).expect("json"), "\"a@b.org\"");
    let bad = serde_json::from_str::<EmailAddress>("\"a@localhost\"").expect_err("bad");
    assert!(bad.to_string().contains("the domain must contain a dot"), "{bad}");
}

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?"
}

fn good_address() -> impl Strategy<Value = String> {
    ("[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}", proptest::collection::vec(label(), 2..5))
        .prop_map(|(local, labels)| format!("{local}@{}", labels.join(".")))
}

proptest! {
    /// Every address built by the rule is accepted, lowercased, whatever white space surrounds it.
    #[test]
    fn built_addresses_are_accepted(a in good_address(), pad in "[ \t]{0,2}") {
        let parsed = EmailAddress::parse(&format!("{pad}{a}{pad}"));
        prop_assert_eq!(parsed.map(EmailAddress::into_string), Ok(a.to_ascii_lowercase()));
    }

    /// Whatever is accepted is stable (parsing it again gives it back), lowercase, short enough, holds
    /// exactly one @ and nothing that could break a mail header.
    #[test]
    fn accepted_text_is_a_fixed_point(s in "[ -~\r\n\té]{0,40}") {
        if let Ok(e) = EmailAddress::parse(&s) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()), Ok(e.clone()));
            prop_assert_eq!(e.as_str(), e.as_str().to_ascii_lowercase());
            prop_assert!(e.as_str().len() <= EmailAddress::MAX_LEN);
            prop_assert_eq!(e.as_str().matches('@').count(), 1);
            prop_assert!(e.as_str().bytes().all(|b| (0x21..=0x7e).contains(&b)));
        }
    }

    /// A line break anywhere inside an address makes it refused.
    #[test]
    fn a_line_break_inside_is_refused(a in good_address(), at in 1usize..8, brk in "\r|\n|\r\n") {
        let at = at.min(a.len() - 1);
        let s = format!("{}{brk}{}", &a[..at], &a[at..]);
        prop_assert!(EmailAddress::parse(&s).is_err());
    }
}
